/*
 * run: the executor driven in-process with captured output, for the
 * integration suites.
 *
 *   struct tl_run r;
 *   tl_run_init(&r, tl_mock_url());   // plain progress, UTF-8, captured
 *   r.cfg.outage_ms = 1500;           // adjust the config as needed
 *   tl_run_dummy(&r, 5, 5);           // r.res, r.code, r.started_us/ended_us
 *   ... tl_capture_text(&r.err) ...
 *   tl_run_release(&r);
 */
#ifndef KTRDR_TESTLIB_RUN_H
#define KTRDR_TESTLIB_RUN_H

#include <stdint.h>

#include "adapter.h"
#include "executor.h"
#include "testlib.h"

struct tl_run {
  struct executor_config cfg;
  struct exec_result res;
  struct tl_capture out, err;
  int code;                      /* exitcode_for(res.outcome) */
  int64_t started_us, ended_us;  /* monotonic, around executor_run */
};

void tl_run_init(struct tl_run *r, const char *base_url);
/* Runs the executor with `ad`; asserts that the executor itself worked. */
void tl_run_adapter(struct tl_run *r, const struct adapter *ad);
void tl_run_dummy(struct tl_run *r, double duration, long iterations);
void tl_run_release(struct tl_run *r);

/* `ktrdr --url URL ARGS...` through cli_main (the arguments end with NULL),
 * output into the two captures; returns the exit code. */
int tl_ktrdr(struct tl_capture *out, struct tl_capture *err, const char *url, ...);

#endif
