/*
 * store: the mock server's operations, by id.
 *
 * Each operation is a record (id, type, start instants, metadata, a timeline)
 * in a hash table with O(1) lookup; its state is computed when asked, from
 * the simulated time elapsed since its start (monotonic real time ×
 * time_scale), so thousands of operations cost memory, not CPU.
 * Ending an operation early (cancel, admin "fail") freezes its progress at
 * that instant; a terminal status never changes again.
 *
 *   struct store *s = store_new(time_scale);
 *   store_add(s, &start, id, &err);           // running at once
 *   store_get(s, id, &info, &err);            // OperationInfo JSON, now
 *   store_end(s, id, OP_STATUS_CANCELLED, "reason", &end, &err);
 *   store_free(&s);
 *
 * Records live until store_free. Thread-safe: a read-write lock guards the
 * table (readers evaluate timelines concurrently). Not for signal handlers.
 */
#ifndef KTRDR_MOCK_STORE_H
#define KTRDR_MOCK_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "operation.h"
#include "timeline.h"

/* "op_" + type + "_YYYYMMDD_HHMMSS_" + 8 hex digits + NUL, with room. */
#define STORE_ID_MAX 96

struct store;

struct store *store_new(double time_scale);
void store_free(struct store **s);

/* What a start endpoint hands over. */
struct store_start {
  const char *type;         /* "dummy", "training", ...; names the id */
  json_t *metadata;         /* stolen */
  struct timeline timeline; /* taken over: cleared here, freed with the store */
};

/* Creates a running operation (created_at = started_at = now) and writes its
 * id, "op_<type>_<YYYYMMDD>_<HHMMSS>_<8 hex>" (UTC, random hex), into `id`.
 * The metadata and timeline are taken over even on failure. */
int store_add(struct store *s, struct store_start *start, char id[STORE_ID_MAX],
              struct err *err);

/* The OperationInfo JSON (§3.4) of `id` now, a new reference in *info.
 * ERR_NOTFOUND for an unknown id. */
int store_get(struct store *s, const char *id, json_t **info, struct err *err);

/* The outcome of store_end. */
struct store_end {
  enum op_status status;   /* on ERR_STATE, the terminal status that forbade it */
  int64_t at_real_us;      /* when it ended (wall clock), on success */
};

/* Ends a running operation now with `status` (CANCELLED or FAILED) and
 * `message` as its error_message: completed_at = now, progress frozen as it
 * is now, result_summary null. ERR_NOTFOUND, or ERR_STATE when it is already
 * terminal (end->status says which). */
int store_end(struct store *s, const char *id, enum op_status status,
              const char *message, struct store_end *end, struct err *err);

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
 * *active. */
int store_list(struct store *s, const struct store_query *q, json_t **data,
               long *total, long *active, struct err *err);

#endif
