/*
 * timeline: how an operation's state follows from the time since its start.
 *
 * The store keeps no thread or timer per operation: when a client asks, it
 * computes the elapsed simulated time (clock.h) and asks the operation's
 * timeline what the operation looks like then. A timeline is an interface
 * (a const ops table plus `self`): the dummy task (dummy_task.h) and scripted
 * scenarios (scenario_timeline.h) plug in the same way.
 *
 * Contract for implementations:
 * - state_at fills the time-dependent fields of `op`: `status` (RUNNING, or
 *   any non-terminal status, until the end, then COMPLETED or FAILED),
 *   `progress`, `result_summary`, `error_message`, `warnings`, `errors`. The
 *   store calls it with `op` fresh except for the identity fields it has
 *   already set (`id`, `type`, `metadata`), which state_at may read but not
 *   change. When the status is terminal, *end_s receives the simulated time
 *   at which it ended, from which the store derives `completed_at`. Returns
 *   0, or -1 with `err`.
 * - Every hook is pure: it never modifies `self` and is called concurrently
 *   from the server's threads.
 * - The optional hooks may be NULL:
 *     traits     the timeline's fixed behaviour (cancellation, vanishing),
 *                read once when the operation is stored; NULL = the live
 *                server's (TIMELINE_TRAITS_INIT)
 *     flip       for TIMELINE_CANCEL_FLIP: turns `op`, frozen as it was
 *                cancelled, into the completed record the live server later
 *                shows (result_summary, final progress line)
 *     fault_for  whether the `index`-th request (1-based) of `kind` about
 *                this operation, arriving at `elapsed_s`, is faulted; fills
 *                `hit` (release it with fault_hit_release) and returns true
 *     next_change  the earliest elapsed time after `elapsed_s` at which
 *                state_at may answer differently (INFINITY: never); the
 *                store serves its cached answer until then. Returning a
 *                time too early is safe, too late is not. NULL, or a value
 *                <= elapsed_s: nothing is cached
 *     performance  the body of GET /trainings/{id}/performance when the
 *                timeline has a fixed one (a new reference; a recorded
 *                scenario's), else NULL: the body is derived from the
 *                result_summary
 * - free releases `self`; the store calls it when the operation is freed.
 */
#ifndef KTRDR_MOCK_TIMELINE_H
#define KTRDR_MOCK_TIMELINE_H

#include <stdbool.h>

#include "err.h"
#include "faults.h"
#include "operation.h"

/* What a cancel request (DELETE /operations/{id}) does. */
enum timeline_cancel {
  TIMELINE_CANCEL_NOW,      /* cancelled at once: the live server */
  TIMELINE_CANCEL_DELAYED,  /* 200 at once, `cancelled` delay_s later */
  TIMELINE_CANCEL_REFUSED,  /* 400, the operation keeps running */
  TIMELINE_CANCEL_IGNORED,  /* 200, the operation keeps running */
  TIMELINE_CANCEL_FLIP,     /* cancelled at once, `completed` delay_s later (§2.7) */
};

struct timeline_traits {
  enum timeline_cancel cancel;
  double cancel_delay_s;    /* DELAYED, FLIP: simulated seconds */
  const char *refusal;      /* REFUSED: the 400 detail, NULL = the live text;
                             * borrowed, lives as long as the timeline */
  double vanish_at_s;       /* from then on the operation is unknown (404); < 0 never */
};

#define TIMELINE_TRAITS_INIT { TIMELINE_CANCEL_NOW, 0.0, NULL, -1.0 }

/* The requests about an existing operation that a fault can target. */
enum timeline_request {
  TIMELINE_REQ_GET,        /* GET /operations/{id} */
  TIMELINE_REQ_CANCEL,     /* DELETE /operations/{id}, POST .../cancel */
  TIMELINE_REQ_RESULTS,    /* GET .../results, GET /trainings/{id}/performance */
  TIMELINE_REQ_COUNT,
};

struct timeline_ops {
  const char *name;
  int (*state_at)(const void *self, double elapsed_s, struct operation *op,
                  double *end_s, struct err *err);
  void (*traits)(const void *self, struct timeline_traits *out);
  int (*flip)(const void *self, struct operation *op, struct err *err);
  bool (*fault_for)(const void *self, enum timeline_request kind, long index,
                    double elapsed_s, const char *op_id, struct fault_hit *hit);
  double (*next_change)(const void *self, double elapsed_s);
  json_t *(*performance)(const void *self, const char *op_id);
  void (*free)(void *self);
};

struct timeline {
  const struct timeline_ops *ops;
  void *self;
};

static inline int timeline_state_at(const struct timeline *t, double elapsed_s,
                                    struct operation *op, double *end_s, struct err *err)
{
  return t->ops->state_at(t->self, elapsed_s, op, end_s, err);
}

static inline void timeline_traits(const struct timeline *t, struct timeline_traits *out)
{
  *out = (struct timeline_traits)TIMELINE_TRAITS_INIT;
  if (t->ops->traits)
    t->ops->traits(t->self, out);
}

/* Frees `self` and clears the timeline; an empty timeline is accepted. */
static inline void timeline_release(struct timeline *t)
{
  if (t->ops && t->ops->free)
    t->ops->free(t->self);
  t->ops = NULL;
  t->self = NULL;
}

#endif
