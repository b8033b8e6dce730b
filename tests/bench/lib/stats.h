/*
 * stats: summaries of a distribution of samples (latencies, intervals).
 *
 *   double v[N]; ... fill ...
 *   struct stats s;
 *   stats_compute(v, n, &s);          // v is not modified (a sorted copy is used)
 *   json_t *j = stats_json(&s);       // {"n":..,"min":..,"p50":..,...}, new reference
 *
 * Percentiles are nearest-rank: p-th = the ceil(p/100 * n)-th smallest
 * sample, so with 100 samples p99 is the 99th smallest (never interpolated,
 * always a value that was measured). The standard deviation is the sample
 * one (n - 1). Pure functions: thread-safe, no state.
 */
#ifndef KTRDR_BENCH_STATS_H
#define KTRDR_BENCH_STATS_H

#include <jansson.h>
#include <stddef.h>

struct stats {
  size_t n;
  double min, max, mean, sd;
  double p50, p90, p99;
};

/* 0, or -1 when n is 0 or memory runs out (s zeroed either way first). */
int stats_compute(const double *v, size_t n, struct stats *s);

/* The nearest-rank percentile `p` (0 < p <= 100) of the SORTED array v. */
double stats_percentile(const double *sorted, size_t n, double p);

/* The median of v (unsorted; a copy is sorted); 0 when n is 0. */
double stats_median(const double *v, size_t n);

/* {"n","min","p50","p90","p99","max","mean","sd"}; new reference (NULL on
 * allocation failure). */
json_t *stats_json(const struct stats *s);

#endif
