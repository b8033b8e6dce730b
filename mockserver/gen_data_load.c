#define _DEFAULT_SOURCE /* timegm */
#include "gen_data_load.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gen.h"

#define EPS 1e-9
#define BOLT "\xE2\x9A\xA1"   /* ⚡ U+26A1 */
#define CHECK "\xE2\x9C\x85"  /* ✅ U+2705 */
#define IB_STEPS 10
#define LOCAL_STEPS 5

void gen_data_load_defaults(struct gen_data_load *g)
{
  memset(g, 0, sizeof(*g));
  g->segments = 3;
  g->bars_per_segment = 500;
  g->step_s = 0.2;
  g->segment_s = 2.0;
  g->segment_days = 14;
  g->cached_before = true;
  g->gaps = 1;
}

const char *gen_data_load_mode(const struct gen_data_load *g, const json_t *vars)
{
  return g->mode ? g->mode : json_str_or(vars, "mode", "local");
}

static bool is_local(const struct gen_data_load *g, const json_t *vars)
{
  return strcmp(gen_data_load_mode(g, vars), "local") == 0;
}

double gen_data_load_duration(const struct gen_data_load *g, const json_t *vars)
{
  if (is_local(g, vars))
    return 2 * g->step_s;
  return 8 * g->step_s + (double)g->segments * g->segment_s;
}

/* What every line ends with: "(AAPL 1h, tail mode)". */
struct where {
  const char *symbol, *tf, *mode;
};

static struct where where_of(const struct gen_data_load *g, const json_t *vars)
{
  struct where w = { json_str_or(vars, "symbol", "AAPL"), json_str_or(vars, "timeframe", "1d"),
                     gen_data_load_mode(g, vars) };

  return w;
}

static void set(struct operation *op, double pct, long step, long total, long items,
                const char *line, const char *item)
{
  op->progress.percentage = pct;
  op->progress.steps_completed = step;
  op->progress.steps_total = total;
  op->progress.items_processed = items;
  op->progress.items_total = -1;
  gen_set_str(&op->progress.current_step, line);
  gen_set_str(&op->progress.current_item, item);
}

static void context(struct operation *op, const struct where *w)
{
  gen_merge_context(op, json_pack("{s:s, s:s, s:s, s:s, s:s}", "operation", "data_load",
                                  "service", "Data/IB", "symbol", w->symbol, "timeframe", w->tf,
                                  "mode", w->mode));
}

/* ---- local mode --------------------------------------------------------- */

static int local_at(const struct gen_data_load *g, const struct where *w, double u,
                    struct operation *op)
{
  long bars = g->segments * g->bars_per_segment;
  char line[256], detail[160];

  if (u < g->step_s) {
    snprintf(line, sizeof(line), BOLT " Starting load_data_%s_%s (%s %s, %s mode) [0/%d]",
             w->symbol, w->tf, w->symbol, w->tf, w->mode, LOCAL_STEPS);
    set(op, 0, 0, LOCAL_STEPS, 0, line, NULL);
  } else if (u < 2 * g->step_s - EPS) {
    snprintf(detail, sizeof(detail), "Reading %s %s from local storage", w->symbol, w->tf);
    snprintf(line, sizeof(line), BOLT " Loading local data from cache (%s %s, %s mode) [1/%d] - %s",
             w->symbol, w->tf, w->mode, LOCAL_STEPS, detail);
    set(op, 20, 1, LOCAL_STEPS, 0, line, detail);
  } else {
    snprintf(detail, sizeof(detail),
             "Checking %ld data points for completeness and accuracy", bars);
    snprintf(line, sizeof(line), BOLT " Validating data quality (%s %s, %s mode) [%d/%d] - %s",
             w->symbol, w->tf, w->mode, LOCAL_STEPS, LOCAL_STEPS, detail);
    set(op, 100, LOCAL_STEPS, LOCAL_STEPS, bars, line, detail);
  }
  context(op, w);
  return op->progress.current_step ? 0 : -1;
}

/* ---- IB modes ------------------------------------------------------------ */

/* The quick steps before the fetch: step number and percentage. */
static const struct { long step; double pct; } quick[] = {
  { 0, 0 }, { 2, 2 }, { 3, 4 }, { 4, 6 }, { 5, 8 }, { 6, 10 },
};

static int quick_at(const struct gen_data_load *g, const struct where *w, double u,
                    struct operation *op)
{
  size_t k = (size_t)floor(u / g->step_s + EPS);
  char line[256];

  k = k >= sizeof(quick) / sizeof(quick[0]) ? sizeof(quick) / sizeof(quick[0]) - 1 : k;
  if (k == 0 && u < g->step_s / 2)
    snprintf(line, sizeof(line), "Starting data_load [0/100]");
  else
    snprintf(line, sizeof(line), BOLT " Starting load_data_%s_%s (%s %s, %s mode) [%ld/%d]",
             w->symbol, w->tf, w->symbol, w->tf, w->mode, quick[k].step, IB_STEPS);
  set(op, quick[k].pct, quick[k].step, k == 0 && u < g->step_s / 2 ? 100 : IB_STEPS, 0, line,
      NULL);
  context(op, w);
  return op->progress.current_step ? 0 : -1;
}

/* "2025-09-01 00:00" for day `offset` after the request's start date. */
static void segment_date(const json_t *vars, long offset_days, char *buf, size_t size)
{
  struct tm tm = { .tm_year = 125, .tm_mon = 8, .tm_mday = 1 };
  const char *start = json_str_or(vars, "start_date", NULL);
  int y, m, d;
  time_t t;

  if (start && sscanf(start, "%4d-%2d-%2d", &y, &m, &d) == 3) {
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
  }
  tm.tm_mday += (int)offset_days;
  t = timegm(&tm);
  gmtime_r(&t, &tm);
  strftime(buf, size, "%Y-%m-%d %H:%M", &tm);
}

static void segment_detail(const struct gen_data_load *g, const json_t *vars, long i,
                           bool loaded, char *buf, size_t size)
{
  char from[32], to[32];

  if (loaded) {
    snprintf(buf, size, CHECK " Loaded %ld bars from segment %ld/%ld", g->bars_per_segment, i,
             g->segments);
    return;
  }
  segment_date(vars, (i - 1) * g->segment_days, from, sizeof(from));
  segment_date(vars, i * g->segment_days, to, sizeof(to));
  snprintf(buf, size, "Segment %ld/%ld: %s to %s", i, g->segments, from, to);
}

/* "⚡ NAME: DETAIL (i/n) (N items) (AAPL 1h, tail mode)". */
static void detail_line(char *buf, size_t size, const char *name, const char *detail, long i,
                        long n, long items, const struct where *w)
{
  char count[48] = "";

  if (items > 0)
    snprintf(count, sizeof(count), " (%ld items)", items);
  snprintf(buf, size, BOLT " %s: %s (%ld/%ld)%s (%s %s, %s mode)", name, detail, i, n, count,
           w->symbol, w->tf, w->mode);
}

static int fetch_at(const struct gen_data_load *g, const json_t *vars, const struct where *w,
                    double v, struct operation *op)
{
  long i = (long)floor(v / g->segment_s + EPS) + 1;
  bool loaded = v - (double)(i - 1) * g->segment_s >= g->segment_s / 2 - EPS;
  char name[64], detail[128], line[384];

  snprintf(name, sizeof(name), "Fetch %ld segments from IB", g->segments);
  segment_detail(g, vars, i, loaded, detail, sizeof(detail));
  detail_line(line, sizeof(line), name, detail, i, g->segments,
              (loaded ? i : i - 1) * g->bars_per_segment, w);
  set(op, 10 + 86.0 * (double)i / (double)g->segments, 6, IB_STEPS,
      (loaded ? i : i - 1) * g->bars_per_segment, line, detail);
  context(op, w);
  return op->progress.current_step ? 0 : -1;
}

static const struct { const char *name; long step; double pct; } tail_steps[] = {
  { "Merge data sources", 7, 96 },
  { "Save enhanced dataset", 8, 98 },
  { "Data loading completed", 9, 100 },
};

static int tail_at(const struct gen_data_load *g, const json_t *vars, const struct where *w,
                   double v, struct operation *op)
{
  size_t k = (size_t)floor(v / g->step_s + EPS);
  long n = g->segments, bars = n * g->bars_per_segment;
  char detail[128], line[384];

  k = k > 2 ? 2 : k;
  segment_detail(g, vars, n, true, detail, sizeof(detail));
  detail_line(line, sizeof(line), tail_steps[k].name, detail, n, n, bars, w);
  set(op, tail_steps[k].pct, tail_steps[k].step, IB_STEPS, bars, line, detail);
  context(op, w);
  return op->progress.current_step ? 0 : -1;
}

int gen_data_load_state_at(const struct gen_data_load *g, const json_t *vars, double u,
                           struct operation *op)
{
  struct where w = where_of(g, vars);
  double fetch = 6 * g->step_s, merge = fetch + (double)g->segments * g->segment_s;

  if (is_local(g, vars))
    return local_at(g, &w, u, op);
  if (u < fetch - EPS)
    return quick_at(g, &w, u, op);
  if (u < merge - EPS && g->segments > 0)
    return fetch_at(g, vars, &w, u - fetch, op);
  return tail_at(g, vars, &w, u - merge, op);
}

json_t *gen_data_load_result(const struct gen_data_load *g, const json_t *vars)
{
  bool local = is_local(g, vars);
  char file[96];

  snprintf(file, sizeof(file), "%s_%s.csv", json_str_or(vars, "symbol", "AAPL"),
           json_str_or(vars, "timeframe", "1d"));
  return json_pack("{s:s, s:I, s:b, s:s, s:I, s:I, s:I, s:f}", "status", "success",
                   "fetched_bars", (json_int_t)(g->segments * g->bars_per_segment),
                   "cached_before", g->cached_before, "merged_file", file,
                   "gaps_analyzed", (json_int_t)(local ? 0 : g->gaps),
                   "segments_fetched", (json_int_t)(local ? 0 : g->segments),
                   "ib_requests_made", (json_int_t)(local ? 0 : g->segments),
                   "execution_time_seconds", 0.0);
}
