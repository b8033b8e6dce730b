/*
 * gen_training: the `training:` generator (API-CONTRACT §3.6-3.7, §4).
 *
 * Renders a training run of `epochs` × `batches_per_epoch` over
 * `epoch_seconds` per epoch, in one of two modes:
 *
 * local (§4.3): what the live progress bridge stores: batch updates
 *   throttled like the bridge (batch 1, every `batch_stride`-th, N-1 and N),
 *   an epoch update after each epoch's last batch, `phase: completed` at the
 *   end; current_step "Epoch e/E · Batch b/N" (plus " 🖥️ NAME: 85%" with a
 *   `gpu`), percentage = items/total × 100, steps_completed =
 *   floor(items/total × E), context with batch_metrics and epoch_metrics.
 * host (§4.4): what a GET shows while the host service trains: current_step
 *   "Epoch: e/E, Batch: b/N", percentage 20 + 70 × e/E (at most 90),
 *   steps = items = e of E, context {}; "Training completed successfully"
 *   (100, steps 100/100) at the end.
 *
 * An optional `preamble` (seconds) first shows the phase lines the live
 * service reports before the first batch. The functions below are the
 * generator's parts, exposed for the unit tests; the generator itself is
 * gen_training_ops (gen.h). Pure, thread-safe.
 */
#ifndef KTRDR_MOCK_GEN_TRAINING_H
#define KTRDR_MOCK_GEN_TRAINING_H

#include <jansson.h>
#include <stdbool.h>

#include "operation.h"

/* start → end over the run, linearly. */
struct gen_curve {
  double start, end;
};

struct gen_training {
  bool host;                   /* mode: host */
  long epochs;                 /* E */
  long bars;                   /* samples per epoch (total_bars) */
  long batch_size;
  long batches;                /* N per epoch */
  double epoch_s;              /* simulated seconds per epoch */
  double preamble_s;           /* phase lines before the first batch */
  long stride;                 /* batch throttle (local) */
  char *gpu_name;              /* NULL = no GPU */
  double gpu_util_lo, gpu_util_hi;
  long gpu_memory_mb;
  struct gen_curve train_loss, train_accuracy, val_loss, val_accuracy;
  json_t *test_metrics;        /* object */
  long parameters;             /* model parameter count */
  char *model_type;            /* NULL = "mlp" */
};

/* The defaults (the contract's example run: 20 epochs × 46 batches). */
void gen_training_defaults(struct gen_training *t);

/* "Epoch 4/20 · Batch 30/46" (+ GPU suffix at `util` when t has a GPU). */
void gen_training_render_local(const struct gen_training *t, long epoch, long batch,
                               double util, char *buf, size_t size);

/* The GPU utilisation shown at global batch `g` (between lo and hi). */
double gen_training_gpu_util(const struct gen_training *t, long g);

/* The progress `u` seconds into the run, merged into op (see gen.h). */
int gen_training_state_at(const struct gen_training *t, const json_t *vars, double u,
                          struct operation *op);

/* The §3.7 result_summary (local or host form). New reference. */
json_t *gen_training_result(const struct gen_training *t, const json_t *vars,
                            const char *op_id);

#endif
