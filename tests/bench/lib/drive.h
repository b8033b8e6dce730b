/*
 * drive: one run of the ktrdr client on a pseudo-terminal, as a person
 * would run it, against a mock server, with what the server's journal says
 * about it.
 *
 *   struct drive d = DRIVE_INIT;
 *   const char *args[] = { "dummy", "start", "--duration", "60", NULL };
 *   drive_start(&d, ktrdr, srv.url, args, &err);   // on an 80x24 pty, TERM=xterm
 *   drive_wait_started(&d, h, srv.root, since, 5000, &err);  // d.op_id, d.post_t_us
 *   drive_wait_polled(&d, h, srv.root, 5000, &err);          // d.first_get_t_us
 *   term_pump(&d.term, until);          // keep reading the screen while waiting
 *   kill(d.proc.pid, SIGINT);
 *   drive_finish(&d, 5000);             // reads the pty until the client exits
 *   drive_release(&d);                  // stops it by PID if still running
 *
 * `since` is a journal seq: the run's start request is the first POST after
 * it (runs are sequential, one client at a time). Not thread-safe.
 */
#ifndef KTRDR_BENCH_DRIVE_H
#define KTRDR_BENCH_DRIVE_H

#include <stdint.h>

#include "child.h"
#include "err.h"
#include "hreq.h"
#include "term.h"

struct drive {
  struct child proc;
  struct term term;
  char op_id[128];
  uint64_t post_seq;         /* the start request's journal seq */
  int64_t post_t_us;         /* its arrival (journal, CLOCK_MONOTONIC) */
  int64_t first_get_t_us;    /* the first GET /operations/{id}'s arrival */
};
#define DRIVE_INIT { .proc = CHILD_INIT, .term = TERM_INIT }

/* ktrdr --url URL ARGS... on a pty. */
int drive_start(struct drive *d, const char *ktrdr, const char *url, const char *const *args,
                struct err *err);

/* Waits (reading the pty) for the run's start request in the journal. */
int drive_wait_started(struct drive *d, struct hreq *h, const char *root, uint64_t since,
                       int timeout_ms, struct err *err);

/* Waits (reading the pty) for the first GET of the operation. */
int drive_wait_polled(struct drive *d, struct hreq *h, const char *root, int timeout_ms,
                      struct err *err);

/* Reads the pty until the client exits; 0, or -1 (ERR_STATE) at the timeout. */
int drive_finish(struct drive *d, int timeout_ms, struct err *err);

void drive_release(struct drive *d);

#endif
