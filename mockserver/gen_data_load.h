/*
 * gen_data_load: the `data_load:` generator (API-CONTRACT §6.2-6.3).
 *
 * Renders a data load the way the live DataProgressRenderer does, for the
 * request's symbol, timeframe and mode:
 *
 * IB modes (tail, backfill, full): 10 steps. "Starting data_load [0/100]",
 *   then "⚡ Starting load_data_AAPL_1h (AAPL 1h, tail mode) [k/10]" for the
 *   quick steps (0, 2..6 at 0, 2, 4, 6, 8, 10 %), then per IB segment i of n
 *   "⚡ Fetch n segments from IB: Segment i/n: FROM to TO (i/n) (AAPL 1h,
 *   tail mode)" and "⚡ Fetch n segments from IB: ✅ Loaded B bars from
 *   segment i/n (i/n) (B·i items) (AAPL 1h, tail mode)" at 10 + 86·i/n %,
 *   then "Merge data sources" (96 %), "Save enhanced dataset" (98 %) and
 *   "Data loading completed" (100 %), carrying the last segment's detail.
 * local: 5 steps. "⚡ Loading local data from cache (AAPL 1d, local mode)
 *   [1/5] - Reading AAPL 1d from local storage", then "⚡ Validating data
 *   quality (...) [5/5] - Checking N data points for completeness and
 *   accuracy".
 *
 * Each quick step lasts `step_seconds`, each segment `segment_seconds`
 * (its first half shows the fetch, its second the loaded bars). Pure,
 * thread-safe; exposed for the unit tests.
 */
#ifndef KTRDR_MOCK_GEN_DATA_LOAD_H
#define KTRDR_MOCK_GEN_DATA_LOAD_H

#include <jansson.h>
#include <stdbool.h>

#include "operation.h"

struct gen_data_load {
  char *mode;                  /* NULL = the request's mode */
  long segments;
  long bars_per_segment;
  double step_s, segment_s;
  long segment_days;
  bool cached_before;
  long gaps;
};

void gen_data_load_defaults(struct gen_data_load *g);

/* The mode the operation runs in: the scenario's, else the request's,
 * else "local" (the DataLoadRequest default). */
const char *gen_data_load_mode(const struct gen_data_load *g, const json_t *vars);

double gen_data_load_duration(const struct gen_data_load *g, const json_t *vars);

int gen_data_load_state_at(const struct gen_data_load *g, const json_t *vars, double u,
                           struct operation *op);

/* §6.3. New reference. */
json_t *gen_data_load_result(const struct gen_data_load *g, const json_t *vars);

#endif
