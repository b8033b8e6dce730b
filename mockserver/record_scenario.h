/*
 * record_scenario: what the recorder saw of one operation, written as a
 * scenario file that ktrdr-mock replays (docs/recording.md explains the
 * mapping, docs/scenario-format.md the format).
 *
 * record_log.h fills a `struct record_op` while requests about the
 * operation pass the proxy; record_scenario_render turns it into the text
 * of the scenario, from scratch, each time:
 *
 *   - the GET /operations/{id} answers become keyframes: a keyframe where
 *     something changed, holding only what changed, at the midpoint between
 *     the poll before and the poll that showed it (the first state at 0);
 *   - the first terminal state becomes the outcome (completed with its
 *     result_summary and the performance body, failed with its message);
 *     404s that end the polls, vanished; no end seen, running;
 *   - cancel requests and the states after them become the cancel mode
 *     (refused, immediate, delayed, ignored, flip);
 *   - answers the mock would not give by itself (5xx, bodies that are not
 *     JSON, cut or dropped connections, answers that took 0.25 s or more)
 *     become faults, numbered per request kind;
 *   - start answers that created no operation become `start`.
 *
 *   struct record_meta meta = { "http://host:8000/api/v1", "ktrdr-mock 0.1.0" };
 *   struct buf text = BUF_INIT;
 *   if (record_scenario_render(&op, &meta, &text) < 0) ... out of memory ...
 *
 * The op is borrowed and not changed. Pure: safe from any thread for
 * distinct outputs.
 */
#ifndef KTRDR_MOCK_RECORD_SCENARIO_H
#define KTRDR_MOCK_RECORD_SCENARIO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum record_kind { RECORD_START, RECORD_GET, RECORD_CANCEL, RECORD_RESULTS };

enum record_transfer {
  RECORD_COMPLETE,   /* a whole answer */
  RECORD_TRUNCATED,  /* the body was cut short */
  RECORD_DROPPED,    /* no answer: the connection closed */
};

/* One request about the operation and its answer. */
struct record_answer {
  enum record_kind kind;
  bool performance;          /* RESULTS: GET /trainings/{id}/performance */
  double t;                  /* when it went upstream, seconds after the start request */
  double took;               /* seconds until the answer was complete (or failed) */
  int status;                /* HTTP status; 0 when there was none */
  enum record_transfer transfer;
  json_t *json;              /* the body as JSON, owned; NULL when it is not JSON */
  char *raw;                 /* owned: the body when it is not JSON, else NULL */
  int retry_after;           /* seconds of a Retry-After header, -1 = none */
};

#define RECORD_ANSWER_INIT { RECORD_START, false, 0, 0, 0, RECORD_COMPLETE, NULL, NULL, -1 }

/* One recording: an operation, or a start that created none (id NULL). */
struct record_op {
  char *name;                /* the scenario's name: rec_<id>, rec_start_<type>_<stamp>_<n> */
  char *id;                  /* the operation's id; NULL for a start without operation */
  char *type;                /* dummy, training, data_load */
  char *method, *path;       /* the start request, as the client sent it */
  int64_t wall_us;           /* wall clock when it was sent */
  struct record_answer start;       /* its answer */
  struct record_answer *refused;    /* earlier alike starts that created none (folded) */
  size_t nrefused;
  struct record_answer *answers;    /* GET, CANCEL and RESULTS, as they were answered */
  size_t nanswers, cap;
};

/* Where the recording comes from, for its header. */
struct record_meta {
  const char *upstream;      /* the upstream URL, without user or query */
  const char *program;       /* "ktrdr-mock 0.1.0" */
};

/* Appends the scenario text to `out`. 0, or -1 when out of memory. */
int record_scenario_render(const struct record_op *op, const struct record_meta *meta,
                           struct buf *out);

/* Frees what an answer or a recording owns (NULL accepted). */
void record_answer_release(struct record_answer *a);
void record_op_release(struct record_op *op);

/* ---- parts, for record_scenario.c (one file each) ------------------------ */

/* The states the GET answers showed, in time order (record_timeline.c). */
struct record_states {
  const json_t **data;       /* each one's OperationInfo, borrowed from the op */
  double *t;                 /* when it was asked */
  size_t n;
  size_t end;                /* the first with a terminal status; n when none */
  double vanish_at;          /* when the trailing 404s began (midpoint); < 0: none */
  size_t vanish_index;       /* the first trailing 404 among the GETs in time order */
};

/* The answers of one kind, in the order they were sent (index i is the
 * mock's request number i + 1); a new array of borrowed pointers (free). */
const struct record_answer **record_sorted(const struct record_op *op, enum record_kind kind,
                                           size_t *n);

int record_states_init(struct record_states *s, const struct record_op *op);
void record_states_release(struct record_states *s);

/* The OperationInfo of a GET answer that shows the operation, else NULL. */
const json_t *record_state_of(const struct record_answer *a);

/* Whether the state's status is completed, failed or cancelled. */
bool record_state_terminal(const json_t *data);
const char *record_state_status(const json_t *data);

/* The midpoint of the states before and at `i`, rounded to milliseconds
 * (0 for the first state). */
double record_change_time(const struct record_states *s, size_t i);

/* The timeline's keyframes up to the end, as a new array; `notes` gets
 * one comment per keyframe (a JSON string or null), in a new array. When
 * the end is a cancel that took effect at `frozen` (seconds; < 0 unknown),
 * the progress made before it is a keyframe midway to it: the mock freezes
 * a cancelled operation's progress as it was then. */
json_t *record_keyframes(const struct record_states *s, const char *op_id, double frozen,
                         json_t **notes);

/* `v` deep-copied with `op_id` in its texts replaced by ${operation_id}. */
json_t *record_placeholders(const json_t *v, const char *op_id);

/* The cancel mode (record_cancel.c): a new mapping, or NULL when no cancel
 * request showed anything; *comment gets how long it took (malloc'ed),
 * *frozen when the operation became cancelled (seconds; < 0 when not). */
json_t *record_cancel(const struct record_op *op, const struct record_states *s,
                      char **comment, double *frozen);

/* The faults (record_faults.c): a new list, perhaps empty. */
json_t *record_faults(const struct record_op *op, const struct record_states *s);

/* A start answer that created no operation as a fault action (status,
 * raw, retry_after, delay), for `start` answers that are not JSON. */
json_t *record_fault_action(const struct record_answer *a, bool reply, const char *op_id);

/* Seconds rounded to milliseconds, as a JSON real. */
json_t *record_seconds(double t);

#endif
