/*
 * clock: the mock server's simulated time.
 *
 * Every operation's state is a function of simulated seconds since its
 * start. The clock says what simulated time it is now, in one of two modes:
 *
 *   CLOCK_MODE_REAL    now = real (monotonic) seconds since the epoch of the
 *                      clock × time_scale: with 100, a 200 s task takes 2 s
 *   CLOCK_MODE_MANUAL  now only moves through clock_advance (the admin API's
 *                      POST /__admin/clock/advance): tests are deterministic
 *
 * Simulated instants map to wall-clock timestamps (created_at, ...) as
 * base_wall + offset: in real mode the offset is the real time elapsed
 * (sim / time_scale), so timestamps are the true wall time; in manual mode it
 * is the simulated time itself (1 simulated second = 1 second on the
 * timestamps), so they still look like real times.
 *
 *   struct clock *c = clock_new(CLOCK_MODE_MANUAL, 1.0);
 *   double t = clock_now(c);               // 0 at first
 *   clock_advance(c, 2.5, &err);           // manual only
 *   int64_t us = clock_wall_us(c, t);      // for timeutil_iso
 *   clock_reset(c);                        // back to 0, new epoch = now
 *   clock_free(&c);
 *
 * Thread-safe (a mutex guards the manual offset and the epoch; clock_now in
 * real mode takes it too). Not for signal handlers.
 */
#ifndef KTRDR_MOCK_CLOCK_H
#define KTRDR_MOCK_CLOCK_H

#include <stdint.h>

#include "err.h"

enum clock_mode { CLOCK_MODE_REAL, CLOCK_MODE_MANUAL };

struct clock;

/* NULL when out of memory. A time_scale <= 0 is taken as 1. */
struct clock *clock_new(enum clock_mode mode, double time_scale);
void clock_free(struct clock **c);

enum clock_mode clock_mode(const struct clock *c);
double clock_time_scale(const struct clock *c);

/* Simulated seconds since the clock's epoch (its creation or last reset). */
double clock_now(struct clock *c);

/* The wall-clock time, in microseconds since the Unix epoch, of the
 * simulated instant `sim_s`. */
int64_t clock_wall_us(struct clock *c, double sim_s);

/* Moves a manual clock forward by `seconds` (>= 0, finite). ERR_STATE for a
 * real clock, ERR_INVALID for a bad amount. */
int clock_advance(struct clock *c, double seconds, struct err *err);

/* Back to simulated time 0, with the epoch at the present instant. */
void clock_reset(struct clock *c);

#endif
