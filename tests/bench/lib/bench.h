/*
 * bench: what every benchmark program shares: its options, a seeded random
 * source, and writing its result (a JSON fragment that bench_report
 * gathers into bench-results.json).
 *
 *   struct bench_opts o = BENCH_OPTS_INIT;     // paths default to the build's
 *   int rc = bench_parse(argc, argv, usage, &o);   // 1 = --help shown, -1 = usage error
 *   double u = bench_uniform(&o.rng);          // [0, 1)
 *   bench_write(o.out, fragment, &err);        // steals `fragment`; "-" = stdout
 *
 * Options: --ktrdr PATH, --mock PATH, --bare PATH (bare_mhd), --bare-client
 * PATH (bare_client), --lua PATH, --out FILE,
 * --runs N, --seconds S, --seed N, --help. The defaults of the paths are
 * the build's own binaries (compile-time definitions, never the working
 * directory); runs and seconds default to -1, "the program's default".
 */
#ifndef KTRDR_BENCH_BENCH_H
#define KTRDR_BENCH_BENCH_H

#include <jansson.h>
#include <stdint.h>

#include "err.h"

struct bench_opts {
  const char *ktrdr, *mock, *bare, *bare_client, *lua, *out;
  long runs;          /* -1 = the program's default */
  double seconds;     /* -1 = the program's default */
  uint64_t seed;
  uint64_t rng;       /* state, seeded from `seed` */
};

#define BENCH_OPTS_INIT { NULL, NULL, NULL, NULL, NULL, "-", -1, -1, 0, 0 }

int bench_parse(int argc, char **argv, const char *usage, struct bench_opts *o);

/* A uniform double in [0, 1) (xorshift64*). */
double bench_uniform(uint64_t *rng);

/* Writes `fragment` (stolen) as indented JSON to `path` ("-" = stdout). */
int bench_write(const char *path, json_t *fragment, struct err *err);

/* "min 1.23 / p50 … / p99 … / max … ms" for a stats JSON object, on stdout. */
void bench_print_dist(const char *label, const json_t *stats, const char *unit);

#endif
