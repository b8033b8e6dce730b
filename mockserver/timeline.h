/*
 * timeline: how an operation's state follows from the time since its start.
 *
 * The store keeps no thread or timer per operation: when a client asks, it
 * computes the elapsed simulated time (real time × time_scale) and asks the
 * operation's timeline what the operation looks like then. A timeline is an
 * interface (a const ops table plus `self`), so the dummy generator
 * (dummy_task.h) and, later, scripted scenarios plug in the same way.
 *
 * Contract for implementations:
 * - state_at fills the time-dependent fields of a fresh `op` (from
 *   OPERATION_INIT): `status` (RUNNING until the end, then COMPLETED or
 *   FAILED), `progress`, `result_summary`, `error_message`. It leaves ids,
 *   timestamps and metadata alone (the store sets those). When the status is
 *   terminal, *end_s receives the simulated time at which it ended, from
 *   which the store derives `completed_at`. Returns 0, or -1 with `err`.
 * - state_at is pure: it never modifies `self` and is called concurrently
 *   from the server's threads.
 * - free releases `self`; the store calls it when the operation is freed.
 */
#ifndef KTRDR_MOCK_TIMELINE_H
#define KTRDR_MOCK_TIMELINE_H

#include "err.h"
#include "operation.h"

struct timeline_ops {
  const char *name;
  int (*state_at)(const void *self, double elapsed_s, struct operation *op,
                  double *end_s, struct err *err);
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

/* Frees `self` and clears the timeline; an empty timeline is accepted. */
static inline void timeline_release(struct timeline *t)
{
  if (t->ops && t->ops->free)
    t->ops->free(t->self);
  t->ops = NULL;
  t->self = NULL;
}

#endif
