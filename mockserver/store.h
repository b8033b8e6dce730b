/*
 * store: the mock server's operations, by id.
 *
 * Each operation is a record (id, type, simulated start, metadata, a
 * timeline) in a hash table with O(1) lookup; its state is computed when
 * asked, from the simulated time elapsed since its start (clock.h), so
 * thousands of operations cost memory, not CPU.
 *
 * Ending an operation from outside (a cancel, the admin "fail") records an
 * end at a simulated instant, now or later (a slow cancel): from then on
 * the progress is frozen as it was at that instant, unless the timeline had
 * already ended by itself. A cancel follows the timeline's traits
 * (timeline.h): at once, delayed, refused, ignored, or flipped to completed
 * later. A terminal status never changes again, except for that flip.
 *
 *   struct store *s = store_new(clock);       // the clock outlives the store
 *   store_add(s, &start, id, &err);           // running at once
 *   store_get(s, id, &info, &err);            // OperationInfo JSON, now
 *   store_cancel(s, id, "reason", &c, &err);
 *   store_clear(s);                           // forget every operation
 *   store_free(&s);
 *
 * Thread-safe: a read-write lock guards the table (readers evaluate
 * timelines concurrently; request counters are atomic). Not for signal
 * handlers.
 */
#ifndef KTRDR_MOCK_STORE_H
#define KTRDR_MOCK_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "err.h"
#include "faults.h"
#include "operation.h"
#include "timeline.h"

/* "op_" + type + "_YYYYMMDD_HHMMSS_" + 8 hex digits + NUL, with room. */
#define STORE_ID_MAX 96

struct store;

/* NULL when out of memory. `clock` is borrowed and must outlive the store. */
struct store *store_new(struct clock *clock);
void store_free(struct store **s);

/* Frees every operation (the admin reset). */
void store_clear(struct store *s);

/* What a start endpoint hands over. */
struct store_start {
  const char *type;         /* "dummy", "training", ...; names the id */
  json_t *metadata;         /* stolen */
  struct timeline timeline; /* taken over: cleared here, freed with the store */
};

/* Creates a running operation (created_at = started_at = now) and writes its
 * id, "op_<type>_<YYYYMMDD>_<HHMMSS>_<8 hex>" (UTC, random hex), into `id`.
 * The metadata and timeline are taken over even on failure. Metadata equal
 * to a recent operation's is shared with it (store_share), so it must not be
 * modified once handed over. */
int store_add(struct store *s, struct store_start *start, char id[STORE_ID_MAX],
              struct err *err);

/* Takes `v` over and returns a reference to an equal value that recent
 * operations may share (mockserver/intern.h): for values stored read-only,
 * such as an operation's request variables. */
json_t *store_share(struct store *s, json_t *v);

/* The OperationInfo JSON (§3.4) of `id` now, a new reference in *info.
 * ERR_NOTFOUND for an unknown (or vanished) id. */
int store_get(struct store *s, const char *id, json_t **info, struct err *err);

/* The same as compact JSON text (reals as Python writes them, pyjson.h),
 * malloc'ed in *text (free). Served from a per-operation cache while the
 * timeline says the state has not changed (timeline.h next_change), so
 * polling a running operation costs a copy, not an evaluation. */
int store_get_text(struct store *s, const char *id, char **text, size_t *len,
                   struct err *err);

/* The fixed performance body of `id`'s timeline (timeline.h
 * performance), a new reference in *body; NULL when it has none.
 * ERR_NOTFOUND for an unknown (or vanished) id. */
int store_performance(struct store *s, const char *id, json_t **body, struct err *err);

/* Counts one request of `kind` about `id` and asks the operation's timeline
 * whether it is faulted. 1 = faulted (`hit` filled: release it with
 * fault_hit_release), 0 = not, -1 with ERR_NOTFOUND for an unknown id. */
int store_touch(struct store *s, const char *id, enum timeline_request kind,
                struct fault_hit *hit, struct err *err);

/* The outcome of store_end and store_cancel. */
struct store_end {
  enum op_status status;   /* on ERR_STATE: the terminal status that forbade it */
  int64_t at_real_us;      /* when the request was taken (wall clock) */
  bool refused;            /* ERR_STATE because the timeline refuses cancels */
  char refusal[256];       /* then: its 400 detail, "" = the live text */
};

/* Fails a running operation now with `message` as its error_message
 * (the admin "fail"): completed_at = now, progress frozen as it is now,
 * result_summary null. ERR_NOTFOUND, or ERR_STATE when it is already
 * terminal (end->status says which). */
int store_end(struct store *s, const char *id, enum op_status status,
              const char *message, struct store_end *end, struct err *err);

/* Cancels a running operation as its timeline's traits say, with `message`
 * as its error_message. ERR_NOTFOUND; ERR_STATE when it is already terminal
 * or the timeline refuses (end->refused). A second cancel while a delayed
 * one is pending succeeds without moving it. */
int store_cancel(struct store *s, const char *id, const char *message,
                 struct store_end *end, struct err *err);

/* GET /operations filters (§2.8). */
struct store_query {
  bool active_only;       /* pending or running only */
  int status;             /* an enum op_status, or -1 for any */
  const char *type;       /* operation_type, NULL for any */
  long limit, offset;
};

#define STORE_QUERY_INIT { false, -1, NULL, 100, 0 }

/* The page of OperationSummary objects (newest first) in *data, the count
 * after filtering in *total and the pending/running count over all in
 * *active. Vanished operations are left out. */
int store_list(struct store *s, const struct store_query *q, json_t **data,
               long *total, long *active, struct err *err);

#endif
