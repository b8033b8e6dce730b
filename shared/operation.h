/*
 * operation: the KTRDR operation model (API-CONTRACT §3) and its JSON form.
 *
 * One `struct operation` mirrors one OperationInfo, the `data` of
 * `GET /api/v1/operations/{id}`. Both programs use it: the client parses
 * what it polls, the mock server builds what it serves.
 *
 * Lifecycle:
 *   struct operation op = OPERATION_INIT;
 *   operation_from_json(&op, data, &err);   // or fill the fields by hand
 *   ... read op.status, op.progress ...
 *   json_t *j = operation_to_json(&op);     // new reference, live key order
 *   operation_release(&op);                 // frees every owned field
 *
 * Ownership: every `char *` and `json_t *` in the struct is owned by it and
 * freed by operation_release. Nullable JSON fields are NULL pointers here
 * (`items_total` uses -1 for null). Unknown JSON keys are ignored, unknown
 * status strings are kept in `status_text` with `status == OP_STATUS_OTHER`,
 * which is non-terminal (§10: `resuming`, `starting`).
 * No shared state: safe from any thread for distinct structs.
 */
#ifndef KTRDR_OPERATION_H
#define KTRDR_OPERATION_H

#include <jansson.h>
#include <stdbool.h>

#include "err.h"

enum op_status {
  OP_STATUS_PENDING,
  OP_STATUS_RUNNING,
  OP_STATUS_COMPLETED,
  OP_STATUS_FAILED,
  OP_STATUS_CANCELLED,
  OP_STATUS_OTHER, /* any other string: kept verbatim, treated as non-terminal */
};

struct op_progress {
  double percentage;
  char *current_step;      /* NULL = JSON null */
  long steps_completed;
  long steps_total;
  long items_processed;
  long items_total;        /* -1 = JSON null */
  char *current_item;      /* NULL = JSON null */
  json_t *context;         /* object, never NULL after parse */
};

struct operation {
  char *id;
  char *type;              /* "dummy", "training", "data_load", ... */
  enum op_status status;
  char *status_text;       /* the string as received, always set after parse */
  char *created_at, *started_at, *completed_at; /* ISO strings or NULL */
  struct op_progress progress;
  json_t *metadata;        /* object or NULL */
  char *error_message;
  json_t *warnings, *errors; /* arrays or NULL */
  json_t *result_summary;  /* object or NULL */
};

#define OPERATION_INIT { .progress = { .items_total = -1 } }

/* "running" → OP_STATUS_RUNNING; unknown strings → OP_STATUS_OTHER. */
enum op_status op_status_parse(const char *s);
/* The wire name; OP_STATUS_OTHER gives "unknown". */
const char *op_status_name(enum op_status st);
bool op_status_is_terminal(enum op_status st);

/*
 * Fills `op` from an OperationInfo object (the envelope's `data`). `op` must
 * be released (or fresh); on failure it is left released. Missing optional
 * fields take their model defaults; a missing or non-string
 * `operation_id`/`status` is an ERR_PARSE.
 */
int operation_from_json(struct operation *op, const json_t *data, struct err *err);

/* Parses a whole `{"success":true,"data":{...}}` poll body. A `success:false`
 * envelope is an ERR_HTTP carrying the envelope's error message. */
int operation_from_envelope(struct operation *op, const json_t *body, struct err *err);

/* The OperationInfo JSON in the live key order (§3.4). New reference. */
json_t *operation_to_json(const struct operation *op);

/* Deep copy into a released `dst`. */
int operation_copy(struct operation *dst, const struct operation *src);

void operation_release(struct operation *op);

/* Sets a string field (frees the old value, copies `s`, NULL allowed). */
void operation_set_str(char **field, const char *s);

/* Convenience readers over a borrowed object: the value at `key` if it has
 * the right type, else `def`. Numbers accept integers and reals. */
const char *json_str_or(const json_t *obj, const char *key, const char *def);
double json_num_or(const json_t *obj, const char *key, double def);
bool json_has_num(const json_t *obj, const char *key);
/* The number at `key` as a long: integers as they are, reals truncated and
 * clamped to the range of long (a server's 1e28 must not be undefined
 * behaviour); `def` when absent or not a number. */
long json_long_or(const json_t *obj, const char *key, long def);

#endif
