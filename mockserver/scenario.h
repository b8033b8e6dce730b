/*
 * scenario: one scripted operation life, as loaded from scenarios/NAME.yaml
 * (the format is documented in docs/scenario-format.md).
 *
 * A scenario says, for one operation type (dummy, training, data_load):
 * - how a start request is answered (normally: start the operation; or a
 *   fixed response such as a 400 or a 503 for the first N starts),
 * - the timeline: keyframes (fields set at an instant, context merged into
 *   what came before) and generators (gen.h) in order,
 * - the outcome (completed with a result_summary, failed with an
 *   error_message, still running, or vanished) and when it happens,
 * - what a cancel does (at once, delayed, refused, ignored, flipped),
 * - faults on chosen requests (by their index or by time).
 *
 * scenario_yaml.h builds these; scenario_timeline.h plays one for an
 * operation; catalog.h keeps the loaded set and picks one per start.
 *
 * Ownership: a scenario owns everything it points to and is freed with
 * scenario_free. Once loaded it is immutable, except `starts`, an atomic
 * count of the start requests that chose it (for start faults), so it may
 * be read from any thread.
 */
#ifndef KTRDR_MOCK_SCENARIO_H
#define KTRDR_MOCK_SCENARIO_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "faults.h"
#include "gen.h"
#include "operation.h"
#include "timeline.h"

/* Which keyframe fields are set (a keyframe changes only those). */
enum scenario_field {
  SCENARIO_F_STATUS = 1 << 0,
  SCENARIO_F_PERCENTAGE = 1 << 1,
  SCENARIO_F_CURRENT_STEP = 1 << 2,
  SCENARIO_F_STEPS_COMPLETED = 1 << 3,
  SCENARIO_F_STEPS_TOTAL = 1 << 4,
  SCENARIO_F_ITEMS_PROCESSED = 1 << 5,
  SCENARIO_F_ITEMS_TOTAL = 1 << 6,
  SCENARIO_F_CURRENT_ITEM = 1 << 7,
  SCENARIO_F_WARNINGS = 1 << 8,
  SCENARIO_F_ERRORS = 1 << 9,
};

struct scenario_keyframe {
  unsigned fields;              /* enum scenario_field bits */
  char *status;                 /* a non-terminal status: "pending", "running", ... */
  double percentage;
  char *current_step;           /* may hold ${var}; NULL = JSON null */
  long steps_completed, steps_total, items_processed;
  long items_total;             /* -1 = null */
  char *current_item;           /* may hold ${var}; NULL = JSON null */
  json_t *context;              /* merged into the accumulated context; NULL = none */
  json_t *warnings, *errors;    /* replace the lists */
};

/* One step of the timeline. Its time: `at` seconds after the start when
 * `absolute`, else `at` seconds after the previous step ended. A step never
 * begins before the previous one has ended. */
struct scenario_step {
  int line;
  bool absolute;
  double at;
  const struct gen_ops *gen;    /* NULL: a keyframe */
  void *gen_params;             /* owned, freed by gen->free */
  struct scenario_keyframe kf;
};

enum scenario_end { SCENARIO_COMPLETED, SCENARIO_FAILED, SCENARIO_RUNNING, SCENARIO_VANISHED };

struct scenario_outcome {
  enum scenario_end status;
  bool has_at;
  double at;                    /* seconds after the start; default: the timeline's end */
  json_t *result_summary;       /* COMPLETED: merged over the generator's; may hold ${var} */
  json_t *performance;          /* COMPLETED: the /performance body as it is (recorded
                                 * scenarios); may hold ${var}; NULL = derived */
  char *error_message;          /* FAILED; may hold ${var} */
};

struct scenario_cancel {
  enum timeline_cancel mode;
  double delay_s;               /* DELAYED, FLIP */
  char *refusal;                /* REFUSED: 400 detail; NULL = the live text */
  json_t *result_summary;       /* FLIP: NULL = the generator's */
  char *current_step;           /* FLIP: NULL = the generator's */
};

/* Which requests a fault targets. */
enum scenario_on {
  SCENARIO_ON_START,            /* the start request (per scenario) */
  SCENARIO_ON_GET,              /* GET /operations/{id} */
  SCENARIO_ON_CANCEL,           /* DELETE /operations/{id}, POST .../cancel */
  SCENARIO_ON_RESULTS,          /* .../results, /trainings/{id}/performance */
  SCENARIO_ON_ANY,              /* any of GET, CANCEL, RESULTS */
};

struct scenario_range {
  long from, to;                /* 1-based, inclusive; to = LONG_MAX: open */
};

struct scenario_fault {
  int line;
  enum scenario_on on;
  struct scenario_range *ranges; /* request indexes; none = every request */
  size_t nranges;
  bool has_window;
  double from_s, until_s;       /* simulated seconds after the start: [from, until) */
  struct fault_hit hit;         /* body owned; may hold ${operation_id} */
};

struct scenario_start {
  int status;                   /* 0: start the operation; else answer this */
  char *detail;                 /* {"detail": ...}; may hold ${var} */
  json_t *body;                 /* or this body; may hold ${var} */
  int retry_after;              /* -1 = none */
  long times;                   /* only the first N starts; 0 = all */
  long estimated_minutes;       /* training: estimated_duration_minutes */
};

/* A payload rule: the value at `path` (dotted) is one of `values`. */
struct scenario_match {
  char *path;
  json_t *values;               /* array of scalars; strings may be globs */
};

struct scenario {
  char *name;
  char *operation_type;         /* "dummy", "training", "data_load" */
  char *description;
  char *file;                   /* "(built-in)" for the built-ins */
  bool is_default;
  struct scenario_match *match;
  size_t nmatch;
  struct scenario_start start;
  struct scenario_step *steps;
  size_t nsteps;
  struct scenario_outcome outcome;
  struct scenario_cancel cancel;
  struct scenario_fault *faults;
  size_t nfaults;
  atomic_long starts;           /* start requests that chose it (mutable) */
};

/* A zeroed scenario with the defaults (completed outcome, cancel at once). */
struct scenario *scenario_new(void);
void scenario_free(struct scenario **sc);

/* The operation types scenarios can be written for, NULL-terminated. */
extern const char *const scenario_types[];
bool scenario_type_known(const char *type);

/* Whether every match rule holds for `payload` (a JSON object). A scenario
 * without rules never matches. */
bool scenario_matches(const struct scenario *sc, const json_t *payload);

/* The fault for the `index`-th request (1-based) of `on` arriving `elapsed_s`
 * after the start, if any: true with `hit` filled (its body a copy with
 * ${operation_id} replaced by `op_id`; release it). */
bool scenario_fault_for(const struct scenario *sc, enum scenario_on on, long index,
                        double elapsed_s, const char *op_id, struct fault_hit *hit);

/* Counts a start request that chose the scenario: its 1-based index among
 * them (since the load or the last scenario_reset_counts). */
long scenario_count_start(struct scenario *sc);

/* Whether the `index`-th start gets the scenario's fixed start response
 * instead of an operation (start.status set, within start.times). */
bool scenario_start_responds(const struct scenario *sc, long index);

void scenario_reset_counts(struct scenario *sc);

#endif
