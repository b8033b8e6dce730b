/* The `dummy:` generator: the live DummyService's iterations (dummy_task.h),
 * with `duration` and `iterations` from the start request when it has them. */
#include "gen.h"

#include <stdio.h>
#include <stdlib.h>

#include "dummy_task.h"

static const char *const keys[] = { "duration", "iterations", NULL };

static int parse(const struct yamldoc *d, const struct ynode *n, void **params, struct err *err)
{
  struct dummy_task_params *p = malloc(sizeof(*p));

  *params = p;
  if (!p)
    return err_set(err, ERR_NOMEM, "out of memory");
  *p = (struct dummy_task_params)DUMMY_TASK_PARAMS_INIT;
  if (yamldoc_check_keys(d, n, keys, "dummy", err) < 0 ||
      yamldoc_number(d, n, "duration", 1e-6, DUMMY_TASK_MAX_DURATION, &p->duration_s, err) < 0 ||
      yamldoc_long(d, n, "iterations", 1, DUMMY_TASK_MAX_ITERATIONS, &p->iterations, err) < 0)
    return -1;
  return 0;
}

/* The scenario's values, overridden by the request's. */
static struct dummy_task_params effective(const void *params, const json_t *vars)
{
  struct dummy_task_params p = *(const struct dummy_task_params *)params;

  p.duration_s = json_num_or(vars, "duration", p.duration_s);
  p.iterations = json_long_or(vars, "iterations", p.iterations);
  return p;
}

static double duration(const void *params, const json_t *vars)
{
  return effective(params, vars).duration_s;
}

static int state_at(const void *params, const json_t *vars, double u, struct operation *op,
                    struct err *err)
{
  struct dummy_task_params p = effective(params, vars);
  json_t *before = json_incref(op->progress.context);

  if (dummy_task_progress_at(&p, u, &op->progress) < 0) {
    json_decref(before);
    return err_set(err, ERR_NOMEM, "cannot build the dummy task progress");
  }
  /* The context accumulates: the iteration's keys go over what was there. */
  if (before) {
    json_object_update(before, op->progress.context);
    json_decref(op->progress.context);
    op->progress.context = before;
  }
  return 0;
}

static json_t *result_summary(const void *params, const json_t *vars, const struct operation *op)
{
  struct dummy_task_params p = effective(params, vars);

  (void)op;
  return dummy_task_result(&p);
}

/* §2.7: the worker finishes after the cancel and overwrites the record. */
static int flip(const void *params, const json_t *vars, struct operation *op, struct err *err)
{
  struct dummy_task_params p = effective(params, vars);
  long n = op->progress.steps_completed;
  char step[96], msg[64];

  snprintf(step, sizeof(step), "Operation dummy_task completed [%ld/%ld] (100.0%%)",
           p.iterations, p.iterations);
  snprintf(msg, sizeof(msg), "Stopped after %ld iterations", n);
  gen_set_str(&op->progress.current_step, step);
  json_decref(op->result_summary);
  op->result_summary = json_pack("{s:s, s:I, s:s}", "status", "cancelled",
                                 "iterations_completed", (json_int_t)n, "message", msg);
  return op->result_summary && op->progress.current_step
             ? 0
             : err_set(err, ERR_NOMEM, "cannot build the dummy result");
}

static double next_change(const void *params, const json_t *vars, double u)
{
  struct dummy_task_params p = effective(params, vars);

  return gen_next_tick(u, p.duration_s / (double)p.iterations);
}

const struct gen_ops gen_dummy_ops = {
  .name = "dummy",
  .operation_type = "dummy",
  .parse = parse,
  .duration = duration,
  .state_at = state_at,
  .result_summary = result_summary,
  .flip = flip,
  .next_change = next_change,
  .free = free,
};
