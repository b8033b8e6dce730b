/*
 * interrupt: Ctrl+C (and SIGTERM/SIGHUP) turned into bytes on a self-pipe.
 *
 * The handler only saves errno, bumps a volatile sig_atomic_t counter and
 * write()s one byte; the executor watches interrupt_fd() in curl_multi_poll
 * and does the real work (cancel request, messages, terminal) in normal
 * context. Handlers are installed (and the three signals unblocked in the
 * calling thread) only while an operation runs; the previous dispositions
 * and mask come back with interrupt_restore:
 *
 *   struct interrupt it;
 *   if (interrupt_install(&it, &err) < 0) ...
 *   ... poll interrupt_fd(&it); on readable: interrupt_take(&it, &ints, &terms)
 *   interrupt_restore(&it);
 *
 * One installation at a time per process (the handler's state is static).
 * Not thread-safe; install and restore from the same thread.
 */
#ifndef KTRDR_INTERRUPT_H
#define KTRDR_INTERRUPT_H

#include <signal.h>

#include "err.h"

struct interrupt {
  int pipe_r, pipe_w;
  long seen_int, seen_term;
  struct sigaction old_int, old_term, old_hup;
  sigset_t old_mask;
};

int interrupt_install(struct interrupt *it, struct err *err);
int interrupt_fd(const struct interrupt *it);
/* Drains the pipe; adds the SIGINTs and the SIGTERM/SIGHUPs received since
 * the last call to *ints and *terms. */
void interrupt_take(struct interrupt *it, int *ints, int *terms);
void interrupt_restore(struct interrupt *it);

#endif
