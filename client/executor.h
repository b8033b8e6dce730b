/*
 * executor: drives one long-running KTRDR operation from start to outcome.
 *
 * It owns everything that is the same for every operation: HTTP (libcurl
 * multi), the poll schedule, Ctrl+C, the progress display, cancellation,
 * retries and the outcome. It knows no endpoint but /operations/{id} and reads
 * no domain field; the adapter (adapter.h) supplies the rest.
 *
 *   struct executor_config cfg = EXECUTOR_CONFIG_INIT;
 *   cfg.base_url = "http://localhost:8000/api/v1";
 *   out_detect(&cfg.out, stdout, stderr);
 *   struct exec_result res = EXEC_RESULT_INIT;
 *   executor_run(&cfg, &adapter, &res);
 *   return exitcode_for(res.outcome);
 *   ... exec_result_release(&res);
 *
 * Behaviour (DESIGN.md §3):
 * - POST start (retried only where the server cannot have acted: connection
 *   refused, 429, 503), then GET /operations/{id} on a fixed grid of
 *   poll_interval_ms from the first poll (no drift; one request in flight;
 *   a late response is followed at once by the next poll, then the grid).
 * - Ctrl+C: the first sends DELETE /operations/{id} at once (the poll in
 *   flight is abandoned) and waits, at most cancel_wait_ms, for the server to
 *   report `cancelled`; the second stops waiting. With follow_id, Ctrl+C
 *   detaches instead. SIGTERM/SIGHUP stop waiting without cancelling.
 *   Handlers are installed only inside executor_run.
 * - Transient poll failures (refused, reset, timeout, 429, 5xx, malformed or
 *   success:false bodies) are retried with capped exponential backoff and
 *   jitter, honouring Retry-After; after outage_ms without a good answer it
 *   gives up with a message naming the operation. 404 = the operation is gone;
 *   other 4xx fail at once with the server's detail.
 * - Messages and progress go to cfg.out.err; results (adapter show_result) to
 *   cfg.out.out. The terminal is restored on every path. With cfg.json,
 *   stdout carries only events (events.h): started, progress (on change),
 *   cancelling, and one final event with the outcome, the exit code, the
 *   whole final operation and the adapter's result body.
 * - Messages that leave an operation running name the command that checks,
 *   follows or cancels it (`ktrdr operations follow ID`).
 * Not thread-safe and not reentrant: one executor_run at a time per process.
 */
#ifndef KTRDR_EXECUTOR_H
#define KTRDR_EXECUTOR_H

#include <stdbool.h>

#include "adapter.h"
#include "err.h"
#include "operation.h"
#include "out.h"
#include "progress.h"

enum exec_outcome {
  EXEC_COMPLETED,        /* the operation completed; results shown */
  EXEC_FAILED,           /* the operation failed on the server */
  EXEC_CANCELLED,        /* cancelled by this user (Ctrl+C) */
  EXEC_CANCELLED_REMOTE, /* cancelled by someone else */
  EXEC_TIMEOUT,          /* stopped waiting after timeout_s; still running */
  EXEC_DETACHED,         /* --detach: started, not followed */
  EXEC_INTERRUPTED,      /* Ctrl+C while following: stopped, not cancelled */
  EXEC_STOPPED,          /* SIGTERM/SIGHUP: stopped waiting, not cancelled */
  EXEC_API_ERROR,        /* unreachable, HTTP error, bad response, long outage */
  EXEC_NOT_FOUND,        /* the operation does not exist (any more) */
};

struct executor_config {
  const char *base_url;      /* ".../api/v1", no trailing slash */
  int poll_interval_ms;      /* 300 */
  int request_timeout_ms;    /* per request; 30000 */
  int cancel_wait_ms;        /* bound on waiting for `cancelled`; 10000 */
  int outage_ms;             /* give up after this long without an answer; 60000 */
  int start_attempts;        /* tries for the start request; 4 */
  double timeout_s;          /* --timeout; 0 = wait until the end */
  bool detach;               /* start, print the id, return EXEC_DETACHED */
  bool json;                 /* --json: events on out.out instead of messages */
  const char *follow_id;     /* attach to this operation instead of starting one */
  enum progress_mode progress;
  struct out out;
};

#define EXECUTOR_CONFIG_INIT                                                  \
  { .poll_interval_ms = 300, .request_timeout_ms = 30000,                     \
    .cancel_wait_ms = 10000, .outage_ms = 60000, .start_attempts = 4,         \
    .progress = PROGRESS_NONE }

struct exec_result {
  enum exec_outcome outcome;
  char *op_id;               /* NULL when no operation was started */
  struct operation final;    /* the last state polled (released if none) */
  json_t *result;            /* the adapter's result body (result_path), or NULL */
  bool cancel_sent;          /* a DELETE was accepted by the server */
  bool cancel_confirmed;     /* ... and the server then reported `cancelled` */
  int polls;                 /* GET /operations/{id} requests answered */
  struct err err;            /* what went wrong, for the error outcomes */
};

#define EXEC_RESULT_INIT { .final = OPERATION_INIT }

/* Runs the operation to an outcome (in res->outcome). Returns 0 when the
 * executor itself worked (whatever the outcome), -1 on a local failure such
 * as no memory or no pipe (res->outcome is then EXEC_API_ERROR). */
int executor_run(const struct executor_config *cfg, const struct adapter *ad,
                 struct exec_result *res);

void exec_result_release(struct exec_result *res);

const char *exec_outcome_name(enum exec_outcome o);

#endif
