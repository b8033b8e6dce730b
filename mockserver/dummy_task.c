#include "dummy_task.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fastapi.h"

/* Slack for elapsed times that land exactly on an iteration boundary but
 * come out a hair short in floating point (0.6 * 10 / 2 = 2.9999...). */
#define DUMMY_EPSILON 1e-9

struct dummy_task_point dummy_task_point_at(const struct dummy_task_params *p,
                                            double elapsed_s)
{
  struct dummy_task_point pt = { 0, false };
  double reached = elapsed_s * (double)p->iterations / p->duration_s + DUMMY_EPSILON;

  if (!(elapsed_s > 0))
    return pt;
  if (reached >= (double)p->iterations) {
    pt.iteration = p->iterations;
    pt.done = true;
  } else {
    pt.iteration = (long)floor(reached);
  }
  return pt;
}

static json_t *context_at(long i, long n)
{
  char step[64], item[64];

  if (i == 0)
    return json_pack("{s:s, s:s}", "operation", "dummy_task", "service", "DummyService");
  snprintf(step, sizeof(step), "Iteration %ld/%ld", i, n);
  snprintf(item, sizeof(item), "Processing step %ld", i);
  return json_pack("{s:s, s:s, s:s, s:s}", "operation", "dummy_task",
                   "service", "DummyService", "current_step", step, "current_item", item);
}

static void step_text(char *buf, size_t size, struct dummy_task_point pt, long n,
                      double pct)
{
  if (pt.done)
    snprintf(buf, size, "Operation dummy_task completed [%ld/%ld] (100.0%%)", n, n);
  else if (pt.iteration == 0)
    snprintf(buf, size, "Starting dummy_task [0/%ld]", n);
  else
    snprintf(buf, size, "Working hard on iteration %ld! [%ld/%ld] (%.1f%%)",
             pt.iteration, pt.iteration, n, pct);
}

static int fill_progress(struct op_progress *pr, const struct dummy_task_params *p,
                         struct dummy_task_point pt)
{
  char step[128], item[64];

  pr->percentage = pt.done ? 100.0 : (double)pt.iteration * 100.0 / (double)p->iterations;
  step_text(step, sizeof(step), pt, p->iterations, pr->percentage);
  operation_set_str(&pr->current_step, step);
  pr->steps_completed = pr->items_processed = pt.iteration;
  pr->steps_total = p->iterations;
  pr->items_total = -1;
  snprintf(item, sizeof(item), "Processing step %ld", pt.iteration);
  operation_set_str(&pr->current_item, pt.iteration ? item : NULL);
  json_decref(pr->context);
  pr->context = context_at(pt.iteration, p->iterations);
  return pr->current_step && pr->context && (!pt.iteration || pr->current_item) ? 0 : -1;
}

/* An integral duration is reported as an integer, as Python would. */
static json_t *duration_json(double d)
{
  if (d == floor(d) && fabs(d) < 1e15)
    return json_integer((json_int_t)d);
  return json_real(d);
}

json_t *dummy_task_result(const struct dummy_task_params *p)
{
  char msg[96];

  snprintf(msg, sizeof(msg), "Completed all %ld iterations!", p->iterations);
  return json_pack("{s:s, s:I, s:o, s:s}", "status", "success",
                   "iterations_completed", (json_int_t)p->iterations,
                   "total_duration_seconds", duration_json(p->duration_s),
                   "message", msg);
}

int dummy_task_progress_at(const struct dummy_task_params *p, double elapsed_s,
                           struct op_progress *pr)
{
  return fill_progress(pr, p, dummy_task_point_at(p, elapsed_s));
}

int dummy_task_state_at(const struct dummy_task_params *p, double elapsed_s,
                        struct operation *op, double *end_s, struct err *err)
{
  struct dummy_task_point pt = dummy_task_point_at(p, elapsed_s);

  if (fill_progress(&op->progress, p, pt) < 0)
    return err_set(err, ERR_NOMEM, "cannot build the dummy task progress");
  op->status = pt.done ? OP_STATUS_COMPLETED : OP_STATUS_RUNNING;
  json_decref(op->result_summary);
  op->result_summary = pt.done ? dummy_task_result(p) : NULL;
  if (pt.done && !op->result_summary)
    return err_set(err, ERR_NOMEM, "cannot build the dummy task result");
  *end_s = pt.done ? p->duration_s : 0.0;
  return 0;
}

static void range_error(json_t *errors, const char *field, const json_t *v,
                        bool too_small, double limit)
{
  char msg[96];

  if (too_small)
    snprintf(msg, sizeof(msg), "Input should be greater than %.0f", limit);
  else
    snprintf(msg, sizeof(msg), "Input should be less than or equal to %.0f", limit);
  fastapi_error(errors, too_small ? "greater_than" : "less_than_equal", "body", field,
                msg, json_deep_copy(v),
                json_pack("{s:I}", too_small ? "gt" : "le", (json_int_t)limit));
}

static int read_duration(const json_t *v, double *out, json_t *errors)
{
  double d;

  if (!v)
    return 0;
  if (!json_is_number(v)) {
    fastapi_error(errors, "float_type", "body", "duration",
                  "Input should be a valid number", json_deep_copy(v), NULL);
    return -1;
  }
  d = json_number_value(v);
  if (!(d > 0) || d > DUMMY_TASK_MAX_DURATION) {
    range_error(errors, "duration", v, !(d > 0), d > 0 ? DUMMY_TASK_MAX_DURATION : 0);
    return -1;
  }
  *out = d;
  return 0;
}

/* pydantic's lax int: integers, and reals without a fractional part. */
static int integer_value(const json_t *v, double *out, json_t *errors)
{
  if (json_is_integer(v) || (json_is_real(v) && json_real_value(v) == floor(json_real_value(v)))) {
    *out = json_number_value(v);
    return 0;
  }
  if (json_is_real(v))
    fastapi_error(errors, "int_from_float", "body", "iterations",
                  "Input should be a valid integer, got a number with a fractional part",
                  json_deep_copy(v), NULL);
  else
    fastapi_error(errors, "int_type", "body", "iterations",
                  "Input should be a valid integer", json_deep_copy(v), NULL);
  return -1;
}

static int read_iterations(const json_t *v, long *out, json_t *errors)
{
  double n;

  if (!v)
    return 0;
  if (integer_value(v, &n, errors) < 0)
    return -1;
  if (n < 1 || n > (double)DUMMY_TASK_MAX_ITERATIONS) {
    range_error(errors, "iterations", v, n < 1, n < 1 ? 0 : (double)DUMMY_TASK_MAX_ITERATIONS);
    return -1;
  }
  *out = (long)n;
  return 0;
}

int dummy_task_params_from_json(const json_t *body, struct dummy_task_params *p,
                                json_t *errors)
{
  int a = read_duration(json_object_get(body, "duration"), &p->duration_s, errors);
  int b = read_iterations(json_object_get(body, "iterations"), &p->iterations, errors);

  return a < 0 || b < 0 ? -1 : 0;
}

static int state_at(const void *self, double elapsed_s, struct operation *op,
                    double *end_s, struct err *err)
{
  return dummy_task_state_at(self, elapsed_s, op, end_s, err);
}

static const struct timeline_ops dummy_task_ops = {
  .name = "dummy_task",
  .state_at = state_at,
  .free = free,
};

int dummy_task_timeline(const struct dummy_task_params *p, struct timeline *out,
                        struct err *err)
{
  struct dummy_task_params *copy = malloc(sizeof(*copy));

  if (!copy)
    return err_set(err, ERR_NOMEM, "cannot allocate the dummy task");
  *copy = *p;
  out->ops = &dummy_task_ops;
  out->self = copy;
  return 0;
}

json_t *dummy_task_metadata(void)
{
  return json_pack("{s:s, s:s, s:s, s:n, s:n, s:{s:s, s:s}}", "symbol", "N/A",
                   "timeframe", "N/A", "mode", "N/A", "start_date", "end_date",
                   "parameters", "operation_name", "dummy_task",
                   "service_name", "DummyService");
}
