/* The `training:` generator's glue: YAML parameters, launch (metadata and
 * the host session id), the result summary (§3.7) and the ops table. */
#include "gen_training.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "gen.h"
#include "timeutil.h"

static const char *const keys[] = {
  "mode", "epochs", "bars", "batch_size", "batches_per_epoch", "epoch_seconds", "preamble",
  "batch_stride", "gpu", "metrics", "test_metrics", "parameters", "model_type", NULL,
};
static const char *const gpu_keys[] = { "name", "utilization", "memory_mb", NULL };
static const char *const metric_keys[] = { "train_loss", "train_accuracy", "val_loss",
                                           "val_accuracy", NULL };

static void params_free(void *params)
{
  struct gen_training *t = params;

  if (!t)
    return;
  free(t->gpu_name);
  free(t->model_type);
  json_decref(t->test_metrics);
  free(t);
}

static int read_mode(const struct yamldoc *d, const struct ynode *n, struct gen_training *t,
                     struct err *err)
{
  const struct ynode *v = ynode_get(n, "mode");

  if (!v)
    return 0;
  if (ynode_is_scalar(v) && (strcmp(v->text, "local") == 0 || strcmp(v->text, "host") == 0)) {
    t->host = strcmp(v->text, "host") == 0;
    return 0;
  }
  return yamldoc_error(d, v, err, "training 'mode' must be local or host");
}

/* `utilization: 85` or `utilization: [70, 95]`. */
static int read_util(const struct yamldoc *d, const struct ynode *g, struct gen_training *t,
                     struct err *err)
{
  const struct ynode *v = ynode_get(g, "utilization");

  if (!v)
    return 0;
  if (ynode_is_seq(v) && v->n == 2 && ynode_number(v->items[0], &t->gpu_util_lo) == 0 &&
      ynode_number(v->items[1], &t->gpu_util_hi) == 0 && t->gpu_util_lo >= 0 &&
      t->gpu_util_hi <= 100 && t->gpu_util_lo <= t->gpu_util_hi)
    return 0;
  if (yamldoc_number(d, g, "utilization", 0, 100, &t->gpu_util_lo, err) == 1) {
    t->gpu_util_hi = t->gpu_util_lo;
    return 0;
  }
  return yamldoc_error(d, v, err, "'utilization' must be a percentage or [low, high]");
}

static int read_gpu(const struct yamldoc *d, const struct ynode *n, struct gen_training *t,
                    struct err *err)
{
  const struct ynode *g = ynode_get(n, "gpu");

  if (!g)
    return 0;
  if (!ynode_is_map(g))
    return yamldoc_error(d, g, err, "'gpu' must be a mapping (name, utilization, memory_mb)");
  if (yamldoc_check_keys(d, g, gpu_keys, "gpu", err) < 0 ||
      yamldoc_text(d, g, "name", &t->gpu_name, err) < 0 || read_util(d, g, t, err) < 0 ||
      yamldoc_long(d, g, "memory_mb", 0, 10000000, &t->gpu_memory_mb, err) < 0)
    return -1;
  if (!t->gpu_name && !(t->gpu_name = strdup("")))
    return err_set(err, ERR_NOMEM, "out of memory");
  return 0;
}

static int read_curve(const struct yamldoc *d, const struct ynode *m, const char *key,
                      struct gen_curve *c, struct err *err)
{
  const struct ynode *v = ynode_get(m, key);

  if (!v)
    return 0;
  if (ynode_is_seq(v) && v->n == 2 && ynode_number(v->items[0], &c->start) == 0 &&
      ynode_number(v->items[1], &c->end) == 0 && isfinite(c->start) && isfinite(c->end))
    return 0;
  return yamldoc_error(d, v, err, "'%s' must be [first, last], e.g. [0.95, 0.81]", key);
}

static int read_metrics(const struct yamldoc *d, const struct ynode *n, struct gen_training *t,
                        struct err *err)
{
  const struct ynode *m = ynode_get(n, "metrics");

  if (!m)
    return 0;
  if (yamldoc_check_keys(d, m, metric_keys, "metrics", err) < 0 ||
      read_curve(d, m, "train_loss", &t->train_loss, err) < 0 ||
      read_curve(d, m, "train_accuracy", &t->train_accuracy, err) < 0 ||
      read_curve(d, m, "val_loss", &t->val_loss, err) < 0 ||
      read_curve(d, m, "val_accuracy", &t->val_accuracy, err) < 0)
    return -1;
  return 0;
}

static int read_sizes(const struct yamldoc *d, const struct ynode *n, struct gen_training *t,
                      struct err *err)
{
  int given;

  if (yamldoc_long(d, n, "epochs", 1, 100000, &t->epochs, err) < 0 ||
      yamldoc_long(d, n, "bars", 1, 1000000000, &t->bars, err) < 0 ||
      yamldoc_long(d, n, "batch_size", 1, 1000000, &t->batch_size, err) < 0 ||
      (given = yamldoc_long(d, n, "batches_per_epoch", 1, 1000000, &t->batches, err)) < 0 ||
      yamldoc_long(d, n, "batch_stride", 1, 1000000, &t->stride, err) < 0 ||
      yamldoc_number(d, n, "epoch_seconds", 1e-6, 1e7, &t->epoch_s, err) < 0 ||
      yamldoc_number(d, n, "preamble", 0, 1e7, &t->preamble_s, err) < 0 ||
      yamldoc_long(d, n, "parameters", 1, 1000000000000L, &t->parameters, err) < 0)
    return -1;
  if (!given)
    t->batches = (t->bars + t->batch_size - 1) / t->batch_size;
  return 0;
}

static int read_test(const struct yamldoc *d, const struct ynode *n, struct gen_training *t,
                     struct err *err)
{
  const struct ynode *v = ynode_get(n, "test_metrics");

  if (v && !ynode_is_map(v))
    return yamldoc_error(d, v, err, "'test_metrics' must be a mapping");
  t->test_metrics = v ? ynode_to_json(v)
                      : json_pack("{s:f, s:f, s:f, s:f, s:f}", "test_loss", 0.8702,
                                  "test_accuracy", 0.5391, "precision", 0.5502, "recall",
                                  0.5391, "f1_score", 0.5407);
  if (yamldoc_text(d, n, "model_type", &t->model_type, err) < 0)
    return -1;
  return t->test_metrics ? 0 : err_set(err, ERR_NOMEM, "out of memory");
}

static int parse(const struct yamldoc *d, const struct ynode *n, void **params, struct err *err)
{
  struct gen_training *t = malloc(sizeof(*t));

  *params = t;
  if (!t)
    return err_set(err, ERR_NOMEM, "out of memory");
  gen_training_defaults(t);
  if (yamldoc_check_keys(d, n, keys, "training", err) < 0 || read_mode(d, n, t, err) < 0 ||
      read_sizes(d, n, t, err) < 0 || read_gpu(d, n, t, err) < 0 ||
      read_metrics(d, n, t, err) < 0 || read_test(d, n, t, err) < 0)
    return -1;
  return 0;
}

static double duration(const void *params, const json_t *vars)
{
  const struct gen_training *t = params;

  (void)vars;
  return t->preamble_s + (double)t->epochs * t->epoch_s;
}

static int state_at(const void *params, const json_t *vars, double u, struct operation *op,
                    struct err *err)
{
  if (gen_training_state_at(params, vars, u, op) < 0)
    return err_set(err, ERR_NOMEM, "cannot build the training progress");
  return 0;
}

/* A host session id like the host service's (a uuid4). */
static void session_id(char buf[40])
{
  unsigned char r[16] = { 0 };

  if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
    for (size_t i = 0; i < sizeof(r); i++)
      r[i] = (unsigned char)(timeutil_mono_us() >> (i % 8));
  snprintf(buf, 40, "%02x%02x%02x%02x-%02x%02x-4%x%02x-%x%02x-%02x%02x%02x%02x%02x%02x", r[0],
           r[1], r[2], r[3], r[4], r[5], r[6] & 0xf, r[7], 8 | (r[8] & 3), r[9], r[10], r[11],
           r[12], r[13], r[14], r[15]);
}

/* §3.3: the training parameters this run adds to the metadata. */
static int launch(const void *params, json_t *vars, json_t *metadata, struct err *err)
{
  const struct gen_training *t = params;
  json_t *p = json_object_get(metadata, "parameters");
  char sid[40];
  int rc = json_object_set_new(p, "training_type",
                               json_string(t->model_type ? t->model_type : "mlp")) |
           json_object_set_new(p, "epochs", json_integer(t->epochs)) |
           json_object_set_new(p, "use_host_service", json_boolean(t->host)) |
           json_object_set_new(p, "training_mode", json_string(t->host ? "host_service"
                                                                        : "local")) |
           json_object_set_new(p, "total_batches", json_integer(t->epochs * t->batches));

  if (t->host) {
    session_id(sid);
    rc |= json_object_set_new(vars, "session_id", json_string(sid)) |
          json_object_set_new(p, "session_id", json_string(sid));
  }
  return rc ? err_set(err, ERR_NOMEM, "cannot build the training metadata") : 0;
}

static json_t *result_summary(const void *params, const json_t *vars, const struct operation *op)
{
  return gen_training_result(params, vars, op->id);
}

/* Batch boundaries (and the preamble's thirds) are the only changes. */
static double next_change(const void *params, const json_t *vars, double u)
{
  const struct gen_training *t = params;

  (void)vars;
  if (u < t->preamble_s)
    return fmin(gen_next_tick(u, t->preamble_s / 3.0), t->preamble_s);
  return t->preamble_s + gen_next_tick(u - t->preamble_s, t->epoch_s / (double)t->batches);
}

const struct gen_ops gen_training_ops = {
  .name = "training",
  .operation_type = "training",
  .parse = parse,
  .launch = launch,
  .duration = duration,
  .state_at = state_at,
  .result_summary = result_summary,
  .next_change = next_change,
  .free = params_free,
};
