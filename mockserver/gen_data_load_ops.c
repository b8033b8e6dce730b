/* The `data_load:` generator's glue: YAML parameters, the ops table, the
 * cancelled result of the live race (§6.3). */
#include "gen_data_load.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

static const char *const keys[] = { "mode", "segments", "bars_per_segment", "step_seconds",
                                    "segment_seconds", "segment_days", "cached_before",
                                    "gaps_analyzed", NULL };
static const char *const modes[] = { "local", "tail", "backfill", "full", NULL };

static void params_free(void *params)
{
  struct gen_data_load *g = params;

  if (!g)
    return;
  free(g->mode);
  free(g);
}

static int read_mode(const struct yamldoc *d, const struct ynode *n, struct gen_data_load *g,
                     struct err *err)
{
  int rc = yamldoc_text(d, n, "mode", &g->mode, err);

  if (rc <= 0)
    return rc;
  for (size_t i = 0; modes[i]; i++)
    if (strcmp(g->mode, modes[i]) == 0)
      return 0;
  return yamldoc_error(d, ynode_get(n, "mode"), err,
                       "data_load 'mode' must be local, tail, backfill or full");
}

static int parse(const struct yamldoc *d, const struct ynode *n, void **params, struct err *err)
{
  struct gen_data_load *g = malloc(sizeof(*g));

  *params = g;
  if (!g)
    return err_set(err, ERR_NOMEM, "out of memory");
  gen_data_load_defaults(g);
  if (yamldoc_check_keys(d, n, keys, "data_load", err) < 0 || read_mode(d, n, g, err) < 0 ||
      yamldoc_long(d, n, "segments", 0, 100000, &g->segments, err) < 0 ||
      yamldoc_long(d, n, "bars_per_segment", 0, 100000000, &g->bars_per_segment, err) < 0 ||
      yamldoc_number(d, n, "step_seconds", 1e-6, 1e7, &g->step_s, err) < 0 ||
      yamldoc_number(d, n, "segment_seconds", 1e-6, 1e7, &g->segment_s, err) < 0 ||
      yamldoc_long(d, n, "segment_days", 1, 36500, &g->segment_days, err) < 0 ||
      yamldoc_bool(d, n, "cached_before", &g->cached_before, err) < 0 ||
      yamldoc_long(d, n, "gaps_analyzed", 0, 1000000, &g->gaps, err) < 0)
    return -1;
  return 0;
}

static double duration(const void *params, const json_t *vars)
{
  return gen_data_load_duration(params, vars);
}

static int state_at(const void *params, const json_t *vars, double u, struct operation *op,
                    struct err *err)
{
  if (gen_data_load_state_at(params, vars, u, op) < 0)
    return err_set(err, ERR_NOMEM, "cannot build the data load progress");
  return 0;
}

static json_t *result_summary(const void *params, const json_t *vars, const struct operation *op)
{
  (void)op;
  return gen_data_load_result(params, vars);
}

/* A cancel the loader sees as an exception containing "cancel": the
 * operation completes with this summary (§6.3). */
static int flip(const void *params, const json_t *vars, struct operation *op, struct err *err)
{
  char msg[128];

  (void)params;
  snprintf(msg, sizeof(msg), "Data load cancelled for %s %s", json_str_or(vars, "symbol", "?"),
           json_str_or(vars, "timeframe", "?"));
  json_decref(op->result_summary);
  op->result_summary = json_pack("{s:s, s:i, s:s}", "status", "cancelled", "fetched_bars", 0,
                                 "message", msg);
  return op->result_summary ? 0 : err_set(err, ERR_NOMEM, "cannot build the result");
}

/* Steps change at half-steps early on, half-segments while fetching, whole
 * steps at the end: a half of the shorter one is never late. */
static double next_change(const void *params, const json_t *vars, double u)
{
  const struct gen_data_load *g = params;
  double fetch = 6 * g->step_s, merge = fetch + (double)g->segments * g->segment_s;

  (void)vars;
  if (u < fetch)
    return fmin(gen_next_tick(u, g->step_s / 2), fetch);
  if (u < merge)
    return fmin(fetch + gen_next_tick(u - fetch, g->segment_s / 2), merge);
  return merge + gen_next_tick(u - merge, g->step_s);
}

const struct gen_ops gen_data_load_ops = {
  .name = "data_load",
  .operation_type = "data_load",
  .parse = parse,
  .duration = duration,
  .state_at = state_at,
  .result_summary = result_summary,
  .flip = flip,
  .next_change = next_change,
  .free = params_free,
};
