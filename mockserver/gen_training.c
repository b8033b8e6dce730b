#include "gen_training.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

#define EPS 1e-9
#define MIDDLE_DOT "\xC2\xB7"                  /* · U+00B7 */
#define DESKTOP "\xF0\x9F\x96\xA5\xEF\xB8\x8F" /* 🖥️ U+1F5A5 U+FE0F */

void gen_training_defaults(struct gen_training *t)
{
  memset(t, 0, sizeof(*t));
  t->epochs = 20;
  t->bars = 2924;
  t->batch_size = 64;
  t->batches = 46;
  t->epoch_s = 3.0;
  t->stride = 10;
  t->gpu_util_lo = t->gpu_util_hi = 85.0;
  t->gpu_memory_mb = 8192;
  t->train_loss = (struct gen_curve){ 0.9512, 0.8123 };
  t->train_accuracy = (struct gen_curve){ 0.4705, 0.5712 };
  t->val_loss = (struct gen_curve){ 0.9634, 0.8511 };
  t->val_accuracy = (struct gen_curve){ 0.4581, 0.5488 };
  t->parameters = 1379;
}

static double lerp(struct gen_curve c, double x)
{
  return c.start + (c.end - c.start) * x;
}

static json_t *metric(struct gen_curve c, double x)
{
  return gen_round(lerp(c, x), 4);
}

double gen_training_gpu_util(const struct gen_training *t, long g)
{
  /* A fixed pseudo-random walk, so every run shows the same numbers. */
  double frac = (double)((g * 37) % 101) / 100.0;

  return t->gpu_util_lo + (t->gpu_util_hi - t->gpu_util_lo) * frac;
}

void gen_training_render_local(const struct gen_training *t, long epoch, long batch,
                               double util, char *buf, size_t size)
{
  int n = snprintf(buf, size, "Epoch %ld/%ld " MIDDLE_DOT " Batch %ld/%ld", epoch, t->epochs,
                   batch, t->batches);

  if (t->gpu_name && n > 0 && (size_t)n < size)
    snprintf(buf + n, size - (size_t)n, " " DESKTOP " %s: %.0f%%",
             *t->gpu_name ? t->gpu_name : "GPU", util);
}

/* ---- local mode ------------------------------------------------------- */

static json_t *batch_metrics(const struct gen_training *t, long e, long bb)
{
  long total = t->epochs * t->batches, done = (e - 1) * t->batches + bb;
  double x = (double)done / (double)total;

  return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:s}",
                   "epoch", (json_int_t)(e - 1), "total_epochs", (json_int_t)t->epochs,
                   "batch", (json_int_t)(bb - 1),
                   "total_batches_per_epoch", (json_int_t)t->batches,
                   "completed_batches", (json_int_t)(done - 1),
                   "total_batches", (json_int_t)total,
                   "bars_processed_this_epoch", (json_int_t)((bb - 1) * t->batch_size),
                   "total_bars_processed",
                   (json_int_t)((e - 1) * t->bars + (bb - 1) * t->batch_size),
                   "total_bars", (json_int_t)t->bars,
                   "total_bars_all_epochs", (json_int_t)(t->bars * t->epochs),
                   "train_loss", metric(t->train_loss, x),
                   "train_accuracy", metric(t->train_accuracy, x), "progress_type", "batch");
}

static json_t *epoch_metrics(const struct gen_training *t, long k)
{
  double x = (double)k / (double)t->epochs;

  return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:s}",
                   "epoch", (json_int_t)(k - 1), "total_epochs", (json_int_t)t->epochs,
                   "total_batches_per_epoch", (json_int_t)t->batches,
                   "completed_batches", (json_int_t)(k * t->batches),
                   "total_batches", (json_int_t)(t->epochs * t->batches),
                   "total_bars_processed", (json_int_t)(k * t->bars),
                   "total_bars", (json_int_t)t->bars,
                   "total_bars_all_epochs", (json_int_t)(t->bars * t->epochs),
                   "train_loss", metric(t->train_loss, x),
                   "train_accuracy", metric(t->train_accuracy, x),
                   "val_loss", metric(t->val_loss, x),
                   "val_accuracy", metric(t->val_accuracy, x), "progress_type", "epoch");
}

static json_t *resource_usage(const struct gen_training *t, double util)
{
  return json_pack("{s:b, s:s, s:f, s:I}", "gpu_used", 1, "gpu_name", t->gpu_name,
                   "gpu_utilization_percent", util, "gpu_memory_mb",
                   (json_int_t)t->gpu_memory_mb);
}

/* The context keys of a batch update (the bridge's on_batch). */
static json_t *batch_context(const struct gen_training *t, long e, long bb, const char *item,
                             double util)
{
  /* The live bridge's quirk: batch N-1 reports batch_index = batch_number. */
  long index = bb == t->batches - 1 ? bb : bb - 1;
  json_t *c = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:s, s:o}", "phase", "batch",
                        "epoch_index", (json_int_t)e, "total_epochs", (json_int_t)t->epochs,
                        "batch_index", (json_int_t)index, "batch_number", (json_int_t)bb,
                        "batch_total_per_epoch", (json_int_t)t->batches,
                        "current_item", item, "batch_metrics", batch_metrics(t, e, bb));

  if (c && t->gpu_name)
    json_object_set_new(c, "resource_usage", resource_usage(t, util));
  return c;
}

/* The last batch the bridge reported at or before batch b of an epoch. */
static long throttled(const struct gen_training *t, long b)
{
  if (b >= t->batches - 1 || t->stride <= 0)
    return b;
  return b - b % t->stride > 0 ? b - b % t->stride : 1;
}

static void set_progress(const struct gen_training *t, struct operation *op, long items,
                         long steps, const char *step, const char *item)
{
  long total = t->epochs * t->batches;

  op->progress.percentage = (double)items / (double)total * 100.0;
  op->progress.steps_completed = steps;
  op->progress.steps_total = t->epochs;
  op->progress.items_processed = items;
  op->progress.items_total = total;
  gen_set_str(&op->progress.current_step, step);
  gen_set_str(&op->progress.current_item, item);
}

/* After `g` batches: the batch (or, at an epoch's end, epoch) update. */
static int local_at(const struct gen_training *t, long g, bool finished, struct operation *op)
{
  long e = (g - 1) / t->batches + 1, b = g - (e - 1) * t->batches;
  long bb = b == t->batches ? b : throttled(t, b), items = (e - 1) * t->batches + bb;
  double util = gen_training_gpu_util(t, items);
  char step[160], item[64];

  snprintf(item, sizeof(item), "Epoch %ld " MIDDLE_DOT " Batch %ld/%ld", e, bb, t->batches);
  gen_training_render_local(t, e, bb, util, step, sizeof(step));
  gen_merge_context(op, batch_context(t, e, bb, item, util));
  set_progress(t, op, items, items * t->epochs / (t->epochs * t->batches), step, item);
  if (e > 1)
    gen_merge_context(op, json_pack("{s:o}", "epoch_metrics", epoch_metrics(t, e - 1)));
  if (b == t->batches) { /* on_epoch */
    op->progress.steps_completed = e;
    gen_merge_context(op, json_pack("{s:s, s:o}", "phase", "epoch", "epoch_metrics",
                                    epoch_metrics(t, e)));
  }
  if (finished) /* on_complete */
    gen_merge_context(op, json_pack("{s:s}", "phase", "completed"));
  return op->progress.current_step && op->progress.context ? 0 : -1;
}

/* ---- host mode --------------------------------------------------------- */

static int host_at(const struct gen_training *t, double v, bool finished, struct operation *op)
{
  long e = (long)floor(v / t->epoch_s + EPS) + 1, b;
  char step[96];

  e = e > t->epochs ? t->epochs : e;
  b = (long)floor((v - (double)(e - 1) * t->epoch_s) / (t->epoch_s / (double)t->batches) + EPS);
  b = b > t->batches ? t->batches : b;
  json_decref(op->progress.context);
  op->progress.context = json_object();
  gen_set_str(&op->progress.current_item, NULL);
  if (finished) {
    op->progress.percentage = 100.0;
    op->progress.steps_completed = op->progress.steps_total = 100;
    gen_set_str(&op->progress.current_step, "Training completed successfully");
    return op->progress.current_step ? 0 : -1;
  }
  snprintf(step, sizeof(step), "Epoch: %ld/%ld, Batch: %ld/%ld", e, t->epochs, b, t->batches);
  op->progress.percentage = fmin(20.0 + 70.0 * (double)e / (double)t->epochs, 90.0);
  op->progress.steps_completed = op->progress.items_processed = e;
  op->progress.steps_total = op->progress.items_total = t->epochs;
  gen_set_str(&op->progress.current_step, step);
  return op->progress.current_step ? 0 : -1;
}

/* ---- the preamble: phase lines before the first batch ------------------ */

static void phase_line(struct operation *op, const char *step, json_t *ctx, long epochs)
{
  gen_set_str(&op->progress.current_step, step);
  op->progress.steps_total = epochs;
  gen_merge_context(op, ctx);
}

static int preamble_at(const struct gen_training *t, const json_t *vars, double u,
                       struct operation *op)
{
  int phase = (int)(u / (t->preamble_s / 3.0));
  const char *sid = json_str_or(vars, "session_id", "");
  char line[160];

  phase_line(op, "Starting training",
             json_pack("{s:s, s:s}", "operation", "training", "service", "TrainingService"),
             t->epochs);
  if (phase >= 1 && !t->host)
    phase_line(op, "Preparing training environment",
               json_pack("{s:s, s:s}", "phase", "phase", "phase_name", "initializing"), t->epochs);
  if (phase >= 1 && t->host) {
    snprintf(line, sizeof(line), "Host session %s started for %s", sid,
             json_str_or(vars, "strategy_name", "strategy"));
    phase_line(op, line, json_pack("{s:s, s:s}", "host_session_id", sid, "host_status",
                                   "running"), t->epochs);
  }
  if (phase >= 2 && !t->host)
    phase_line(op, "Loading market data", json_pack("{s:s}", "phase_name", "data_preparation"),
               t->epochs);
  if (phase >= 2 && t->host) {
    snprintf(line, sizeof(line), "Polling host session %s", sid);
    phase_line(op, line, NULL, t->epochs);
  }
  return op->progress.current_step ? 0 : -1;
}

int gen_training_state_at(const struct gen_training *t, const json_t *vars, double u,
                          struct operation *op)
{
  double run = (double)t->epochs * t->epoch_s, v = u - t->preamble_s;
  long total = t->epochs * t->batches, g;
  bool finished = v >= run - EPS;

  if (v < 0)
    return preamble_at(t, vars, u, op);
  /* The context accumulates: the phase lines' keys stay. */
  if (t->preamble_s > 0 && preamble_at(t, vars, t->preamble_s, op) < 0)
    return -1;
  if (t->host)
    return host_at(t, v, finished, op);
  g = finished ? total : (long)floor(v / (t->epoch_s / (double)t->batches) + EPS);
  if (g <= 0)
    return 0; /* no batch reported yet: the state before stays */
  return local_at(t, g > total ? total : g, finished, op);
}
