/*
 * record_log: the recordings of the record proxy (record_proxy.h), one per
 * operation started through it, each kept as a scenario file.
 *
 * The proxy hands over every exchange it forwarded; the log keeps those
 * about operations (paths under the API base):
 *   POST /dummy/start, /trainings/start, /data/load, /data/acquire/download
 *       a new recording, named rec_<operation id>; when the answer created
 *       no operation (an error status, success:false), a start-only one,
 *       rec_start_<type>_<UTC stamp>_<n>
 *   GET /operations/{id}                           a state, or an anomaly
 *   DELETE /operations/{id}, POST .../{id}/cancel  a cancel
 *   GET /operations/{id}/results, /trainings/{id}/performance   results
 * Requests about operations that were not started through the proxy are
 * not recorded. record_scenario.h turns a recording into its scenario.
 * Each time that text changes, <dir>/<name>.yaml is rewritten atomically
 * (written to a hidden temporary file, then renamed over it), so a proxy
 * killed at any moment leaves complete files.
 *
 * Retried starts are folded: a start answered 429, 502, 503 or 504 (which
 * clients retry) waits up to RECORD_FOLD_S; when the same client (address
 * and User-Agent) then starts an operation of the same type, the last run
 * of alike answers becomes the operation's `start: {..., times: N}` and
 * their own files are removed.
 *
 *   struct record_log_config cfg = { "recordings", upstream, "ktrdr-mock 0.1.0" };
 *   struct record_log *log = record_log_new(&cfg, &err);
 *   record_log_add(log, &exchange, &err);        // from any thread
 *   record_log_free(&log);
 *
 * Thread-safe: one mutex around everything, file writes included, so the
 * versions of a file are written in order. The strings of an exchange are
 * borrowed for the call.
 */
#ifndef KTRDR_MOCK_RECORD_LOG_H
#define KTRDR_MOCK_RECORD_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "record_scenario.h"

#define RECORD_FOLD_S 60.0

struct record_log_config {
  const char *dir;           /* where the files go: an existing, writable directory */
  const char *upstream;      /* for the files' header: no user, no query */
  const char *program;       /* "ktrdr-mock 0.1.0" */
};

/* One request the proxy forwarded, and what came back. */
struct record_exchange {
  const char *method;        /* "GET", ... */
  const char *path;          /* under the API base, no query: "/operations/op_x" */
  const char *full_path;     /* as the client sent it, no query: "/api/v1/operations/op_x" */
  const char *client;        /* who sent it: address and User-Agent */
  int64_t sent_us;           /* CLOCK_MONOTONIC when it went upstream */
  int64_t done_us;           /* ... when its answer was complete, or failed */
  int64_t wall_us;           /* wall clock when it went upstream */
  int status;                /* 0 when there was no answer */
  enum record_transfer transfer;
  const char *body;          /* the answer's body (what arrived of it) */
  size_t body_len;
  int retry_after;           /* seconds of a Retry-After header, -1 = none */
};

struct record_log;

/* NULL with `err` when out of memory. */
struct record_log *record_log_new(const struct record_log_config *cfg, struct err *err);

/* Records the exchange if it concerns an operation; rewrites the files it
 * changes. 0, or -1 with `err` when a file cannot be written (the
 * recording itself goes on). */
int record_log_add(struct record_log *log, const struct record_exchange *x, struct err *err);

/* Frees everything (the files stay) and sets *log to NULL; NULL accepted. */
void record_log_free(struct record_log **log);

#endif
