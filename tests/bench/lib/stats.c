#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

static double *sorted_copy(const double *v, size_t n)
{
  double *c = malloc(n * sizeof(*c));

  if (!c)
    return NULL;
  memcpy(c, v, n * sizeof(*c));
  qsort(c, n, sizeof(*c), cmp_double);
  return c;
}

double stats_percentile(const double *sorted, size_t n, double p)
{
  size_t rank;

  if (n == 0)
    return 0;
  rank = (size_t)ceil(p / 100.0 * (double)n);
  if (rank < 1)
    rank = 1;
  return sorted[(rank > n ? n : rank) - 1];
}

double stats_median(const double *v, size_t n)
{
  double *c = n ? sorted_copy(v, n) : NULL;
  double m = c ? stats_percentile(c, n, 50) : 0;

  free(c);
  return m;
}

static void moments(const double *v, size_t n, struct stats *s)
{
  double sum = 0, sq = 0;

  for (size_t i = 0; i < n; i++)
    sum += v[i];
  s->mean = sum / (double)n;
  for (size_t i = 0; i < n; i++)
    sq += (v[i] - s->mean) * (v[i] - s->mean);
  s->sd = n > 1 ? sqrt(sq / (double)(n - 1)) : 0;
}

int stats_compute(const double *v, size_t n, struct stats *s)
{
  double *c;

  memset(s, 0, sizeof(*s));
  if (n == 0 || !(c = sorted_copy(v, n)))
    return -1;
  s->n = n;
  s->min = c[0];
  s->max = c[n - 1];
  s->p50 = stats_percentile(c, n, 50);
  s->p90 = stats_percentile(c, n, 90);
  s->p99 = stats_percentile(c, n, 99);
  moments(v, n, s);
  free(c);
  return 0;
}

json_t *stats_json(const struct stats *s)
{
  return json_pack("{s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:f}", "n", (json_int_t)s->n,
                   "min", s->min, "p50", s->p50, "p90", s->p90, "p99", s->p99,
                   "max", s->max, "mean", s->mean, "sd", s->sd);
}
