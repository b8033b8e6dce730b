/*
 * dummy_task: the live DummyService as a timeline (API-CONTRACT §2.4, §7.4).
 *
 * The live service runs `iterations` iterations of duration/iterations
 * seconds each and reports after each sleep, so iteration i is visible from
 * elapsed time i*duration/iterations, and the operation completes at
 * elapsed >= duration. Defaults: 200 s, 100 iterations. Progress text:
 *
 *   before the first iteration  "Starting dummy_task [0/N]"
 *   iteration i                 "Working hard on iteration i! [i/N] (p%)"
 *                               with p = 100*i/N printed like Python {:.1f}
 *   after the end               "Operation dummy_task completed [N/N] (100.0%)"
 *
 * Everything here is pure (no clock, no I/O, no shared state): safe from
 * any thread, and tested at exact elapsed times (tests/unit/test_mock_dummy.c).
 */
#ifndef KTRDR_MOCK_DUMMY_TASK_H
#define KTRDR_MOCK_DUMMY_TASK_H

#include <jansson.h>
#include <stdbool.h>

#include "err.h"
#include "operation.h"
#include "timeline.h"

#define DUMMY_TASK_MAX_ITERATIONS 1000000000L
#define DUMMY_TASK_MAX_DURATION 1e9

struct dummy_task_params {
  double duration_s;   /* > 0 */
  long iterations;     /* 1..DUMMY_TASK_MAX_ITERATIONS */
};

#define DUMMY_TASK_PARAMS_INIT { 200.0, 100 }

/* Where the task is at `elapsed_s`: iterations reported so far and whether
 * it has completed. */
struct dummy_task_point {
  long iteration;
  bool done;
};

struct dummy_task_point dummy_task_point_at(const struct dummy_task_params *p,
                                            double elapsed_s);

/* Only the progress part of state_at: replaces every field of `pr`,
 * context included. */
int dummy_task_progress_at(const struct dummy_task_params *p, double elapsed_s,
                           struct op_progress *pr);

/* The result_summary on completion. New reference. */
json_t *dummy_task_result(const struct dummy_task_params *p);

/* The timeline's state_at for these parameters (see timeline.h). */
int dummy_task_state_at(const struct dummy_task_params *p, double elapsed_s,
                        struct operation *op, double *end_s, struct err *err);

/*
 * Reads {"duration": s, "iterations": n} (both optional) from a start
 * request body (a JSON object or NULL) into `p`, which holds the defaults
 * on entry. Bad values append FastAPI errors to `errors` and return -1.
 */
int dummy_task_params_from_json(const json_t *body, struct dummy_task_params *p,
                                json_t *errors);

/* A timeline over a copy of `p`; release it with timeline_release. */
int dummy_task_timeline(const struct dummy_task_params *p, struct timeline *out,
                        struct err *err);

/* The default metadata of §3.3 for the dummy task. New reference. */
json_t *dummy_task_metadata(void);

#endif
