/*
 * term: what a child wrote on its pty (or pipe), with the CLOCK_MONOTONIC
 * time at which each piece arrived, so a benchmark can tell when a text
 * first appeared on the screen.
 *
 *   struct term t = TERM_INIT;
 *   term_init(&t, child.fd);                // fd borrowed (the child owns it)
 *   term_pump(&t, deadline_us);             // read everything until then (or EOF)
 *   if (term_wait_for(&t, "iteration 3!", from, deadline_us, &pos, &t_us)) ...
 *   term_release(&t);
 *
 * Reading must go on while a child writes, or it blocks on a full pty: the
 * benchmarks wait through term_pump, never with a bare sleep. Reads wait
 * in ppoll with nanosecond timeouts. Not thread-safe.
 */
#ifndef KTRDR_BENCH_TERM_H
#define KTRDR_BENCH_TERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* One read(): the text up to `end` (exclusive) had arrived by `t_us`. */
struct term_mark {
  size_t end;
  int64_t t_us;
};

struct term {
  int fd;
  bool eof;               /* the other side closed (the child exited) */
  struct buf text;        /* everything read, NUL-terminated */
  struct term_mark *marks;
  size_t nmarks, cap;
};
#define TERM_INIT { -1, false, BUF_INIT, NULL, 0, 0 }

void term_init(struct term *t, int fd);
void term_release(struct term *t);

/* Reads whatever arrives until `until_us` (monotonic) or EOF. 0, or -1 on
 * an allocation failure. Returns at once when the fd is at EOF. */
int term_pump(struct term *t, int64_t until_us);

/* Whether `needle` occurs at or after byte `from`; then *pos (may be NULL)
 * is its offset and *t_us (may be NULL) when its last byte arrived. */
bool term_find(const struct term *t, const char *needle, size_t from, size_t *pos,
               int64_t *t_us);

/* term_pump until term_find succeeds or until_us passes (or EOF). */
bool term_wait_for(struct term *t, const char *needle, size_t from, int64_t until_us,
                   size_t *pos, int64_t *t_us);

#endif
