/*
 * main: what every benchmark's main() does around its own work: parse the
 * options (bench_parse), set up libcurl and child_guard, run, print the
 * error as "NAME: message", clean up, and turn it all into the exit status
 * (0 done, 1 failed, 2 usage error).
 *
 *   static int run(struct bench_opts *o, void *arg, struct err *err);
 *   return bench_main(argc, argv, "bench_x", usage, run, cleanup, &state);
 *
 * Most benchmarks need one ktrdr-mock and a keep-alive HTTP handle:
 *
 *   static int run(struct bench_opts *o, const struct srvproc *srv,
 *                  struct hreq *h, struct err *err);
 *   return bench_main_with_mock(argc, argv, "bench_x", usage, run);
 */
#ifndef KTRDR_BENCH_MAIN_H
#define KTRDR_BENCH_MAIN_H

#include "bench.h"
#include "hreq.h"
#include "srvproc.h"

typedef int (*bench_run_fn)(struct bench_opts *o, void *arg, struct err *err);
typedef int (*bench_mock_run_fn)(struct bench_opts *o, const struct srvproc *srv,
                                 struct hreq *h, struct err *err);

/* `cleanup(arg)` (may be NULL) runs after `run`, whether it failed or not. */
int bench_main(int argc, char **argv, const char *name, const char *usage, bench_run_fn run,
               void (*cleanup)(void *arg), void *arg);

/* Starts one ktrdr-mock (the --mock path, any CPU) for `run`, stops it after. */
int bench_main_with_mock(int argc, char **argv, const char *name, const char *usage,
                         bench_mock_run_fn run);

#endif
