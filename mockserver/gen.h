/*
 * gen: generators, the scenario steps that produce many states from a few
 * parameters (docs/scenario-format.md, "Generators").
 *
 * A scenario's timeline is a list of steps; a keyframe sets some fields at
 * one instant, a generator renders a whole phase of an operation over a span
 * of simulated time: dummy iterations (gen_dummy.c over dummy_task.h),
 * training epochs × batches (gen_training.c), a data load's steps and IB
 * segments (gen_data_load.c). Each is a const ops table, found by the YAML
 * key that introduces it (gen_find).
 *
 * Lifecycle, for one scenario step `training: {...}`:
 *   parse        at load: YAML parameters → a params struct (or an error
 *                naming file, line and column)
 *   launch       when an operation starts: may add request variables
 *                (`vars`, e.g. a host session id) and metadata fields
 *   duration     the step's length in simulated seconds for this operation
 *   state_at     the state `u` seconds into the step (0 <= u <= duration):
 *                merged into op->progress, which holds what came before;
 *                the context accumulates, as on the live server
 *   result_summary   the default result when the operation completes
 *   flip         after a cancel that the live race turns into "completed"
 *                (§2.7): the record's final result and progress line
 *   next_change  the first u' > u at which state_at may answer differently
 *                (never later than that: the server caches until then);
 *                NULL = the generator's states are not cached
 *   free         at unload
 *
 * `vars` is the operation's request as the start endpoint normalised it
 * (symbol, timeframe, mode, strategy_name, duration, iterations, ...).
 * Everything but parse/launch/free is pure and called concurrently.
 * Optional hooks may be NULL.
 */
#ifndef KTRDR_MOCK_GEN_H
#define KTRDR_MOCK_GEN_H

#include <jansson.h>

#include "err.h"
#include "operation.h"
#include "yamldoc.h"

struct gen_ops {
  const char *name;            /* the step's YAML key */
  const char *operation_type;  /* the type it renders; NULL = any */
  int (*parse)(const struct yamldoc *d, const struct ynode *n, void **params,
               struct err *err);
  int (*launch)(const void *params, json_t *vars, json_t *metadata, struct err *err);
  double (*duration)(const void *params, const json_t *vars);
  int (*state_at)(const void *params, const json_t *vars, double u, struct operation *op,
                  struct err *err);
  json_t *(*result_summary)(const void *params, const json_t *vars,
                            const struct operation *op);       /* new reference */
  int (*flip)(const void *params, const json_t *vars, struct operation *op, struct err *err);
  double (*next_change)(const void *params, const json_t *vars, double u);
  void (*free)(void *params);
};

extern const struct gen_ops gen_dummy_ops;
extern const struct gen_ops gen_training_ops;
extern const struct gen_ops gen_data_load_ops;

/* The generator introduced by YAML key `name`, or NULL. */
const struct gen_ops *gen_find(const char *name);

/* Helpers for generators. */

/* Sets a string field of the progress (copies `s`). */
void gen_set_str(char **field, const char *s);

/* Merges `add` (stolen) into op->progress.context, creating it if needed. */
void gen_merge_context(struct operation *op, json_t *add);

/* The next multiple of `step` after `u`, a hair early (for next_change). */
double gen_next_tick(double u, double step);

/* A number rounded to `digits` decimals, as a JSON real. */
json_t *gen_round(double v, int digits);

#endif
