/*
 * journal: the mock server's record of the requests it received.
 *
 * Each request is recorded once, when its response is queued, with the
 * CLOCK_MONOTONIC time (microseconds) at which its headers ARRIVED, so a test
 * or a benchmark can measure "signal sent → request received" against its own
 * timeutil_mono_us() readings. The journal is bounded: past `max` entries the
 * oldest are dropped and counted.
 *
 * Thread-safe (one mutex + condition variable). Readers get copies:
 *
 *   struct journal_entry *e; size_t n; uint64_t dropped;
 *   n = journal_snapshot(j, &filter, &e, &dropped);
 *   ... e[0..n) ...
 *   journal_entries_free(e, n);
 *
 * Tests wait for requests with journal_wait, a bounded condition wait (never
 * a bare sleep).
 */
#ifndef KTRDR_MOCK_JOURNAL_H
#define KTRDR_MOCK_JOURNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct journal_entry {
  uint64_t seq;          /* 1, 2, ... in arrival order of recording */
  int64_t t_us;          /* CLOCK_MONOTONIC at arrival, microseconds */
  char method[16];
  char *path;            /* "/api/v1/operations/op_..." without the query */
  char *query;           /* "status=running&limit=5" or "" */
  char *body;            /* the request body (first JOURNAL_BODY_MAX bytes), or "" */
  int status;            /* HTTP status sent (0 = connection dropped) */
  char *operation_id;    /* the operation the request concerned, or NULL */
};

/* Which entries a reader wants; NULL/0 members match everything. */
struct journal_filter {
  const char *method;        /* exact, e.g. "DELETE" */
  const char *path_prefix;   /* e.g. "/api/v1/operations/" */
  const char *operation_id;  /* exact */
  uint64_t after_seq;        /* only entries with seq > after_seq */
  int64_t since_us;          /* only entries with t_us >= since_us */
};

struct mock_journal;

struct mock_journal *journal_new(size_t max);
void journal_free(struct mock_journal **j);

#define JOURNAL_BODY_MAX 4096

/* One request as recorded; every string may be NULL and is copied. */
struct journal_request {
  int64_t t_us;
  const char *method, *path, *query;
  const char *body;
  size_t body_len;
  int status;
  const char *operation_id;
};

void journal_record(struct mock_journal *j, const struct journal_request *r);

/* Copies the matching entries, oldest first, into a new array (*out, caller
 * frees with journal_entries_free). Returns their number. `dropped` (may be
 * NULL) receives how many entries were dropped since the last clear. */
size_t journal_snapshot(struct mock_journal *j, const struct journal_filter *f,
                        struct journal_entry **out, uint64_t *dropped);
void journal_entries_free(struct journal_entry *e, size_t n);

/* Waits until at least `count` entries match `f` or `timeout_ms` passes.
 * Returns the number matching when it returns. */
size_t journal_wait(struct mock_journal *j, const struct journal_filter *f,
                    size_t count, int timeout_ms);

void journal_clear(struct mock_journal *j);

/* {"requests":[{"seq":1,"t_us":...,"method":"GET","path":"...","query":"",
 *  "body":"{...}","status":200,"operation_id":"op_..."|null}],"dropped":0}.
 * New reference. */
json_t *journal_to_json(struct mock_journal *j, const struct journal_filter *f);

#endif
