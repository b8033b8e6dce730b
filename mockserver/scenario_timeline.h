/*
 * scenario_timeline: a scenario played for one operation, as a timeline
 * (timeline.h), so the store evaluates it like any other.
 *
 * When an operation starts, its step times are fixed (a step begins when
 * the previous one ends, or at its `at`, whichever is later; a generator
 * lasts what it says for this request). Then the state at elapsed time t is
 * computed from scratch: the steps that have begun are applied in order
 * (keyframe fields replace, context keys accumulate, a generator renders
 * its point at min(t - start, duration)), and once t reaches the outcome's
 * time the status becomes completed (percentage 100, the result summary) or
 * failed (the error message), with the progress as it was then. Cost per
 * evaluation: O(steps begun), plus the generator's O(1).
 *
 *   struct timeline tl;
 *   scenario_timeline_new(sc, vars, &tl, &err);  // vars stolen
 *   timeline_state_at(&tl, 12.5, &op, &end_s, &err);
 *   timeline_release(&tl);
 *
 * The scenario is borrowed and must outlive the timeline (the catalog keeps
 * scenarios until the server stops). Every hook is pure and thread-safe.
 */
#ifndef KTRDR_MOCK_SCENARIO_TIMELINE_H
#define KTRDR_MOCK_SCENARIO_TIMELINE_H

#include <jansson.h>

#include "err.h"
#include "scenario.h"
#include "timeline.h"

/* A timeline playing `sc` for an operation whose normalised request is
 * `vars` (a JSON object, stolen; NULL = none). */
int scenario_timeline_new(const struct scenario *sc, json_t *vars, struct timeline *out,
                          struct err *err);

/* The simulated time at which the operation reaches its outcome (INFINITY
 * for a running outcome), for `vars`. */
double scenario_timeline_end(const struct scenario *sc, const json_t *vars);

#endif
