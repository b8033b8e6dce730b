/*
 * timers: run a callback at a given monotonic instant, on one thread.
 *
 * The server uses it to answer a delayed request later without holding a
 * libmicrohttpd thread: the handler suspends the connection and schedules
 * its resumption here.
 *
 *   struct timers *t = timers_new();
 *   timers_add(t, timeutil_mono_us() + 500000, resume, conn);
 *   timers_close(t);   // fires every pending callback now; later adds fire at once
 *   timers_free(&t);   // joins the thread
 *
 * Callbacks run on the timer thread (or, after timers_close, in the thread
 * calling timers_add), never under the module's lock, in due order. They
 * must not call timers_* on the same set. Thread-safe.
 */
#ifndef KTRDR_MOCK_TIMERS_H
#define KTRDR_MOCK_TIMERS_H

#include <stdint.h>

typedef void (*timers_fn)(void *arg);

struct timers;

/* NULL when the thread cannot start or memory runs out. */
struct timers *timers_new(void);

/* Schedules fn(arg) at CLOCK_MONOTONIC `due_us`. 0, or -1 when out of
 * memory (then fn(arg) runs at once, so a suspended connection is never
 * forgotten). */
int timers_add(struct timers *t, int64_t due_us, timers_fn fn, void *arg);

/* Fires every pending callback now, and from then on runs new ones at once. */
void timers_close(struct timers *t);

/* timers_close, then stops and joins the thread; *t becomes NULL. */
void timers_free(struct timers **t);

#endif
