/*
 * progress: the live progress display on stderr.
 *
 * Three modes, chosen by the caller:
 *   PROGRESS_TTY    two lines redrawn in place, at once when the whole
 *                   percentage or the text changes (frames at least
 *                   `redraw_interval_ms` apart, so at most 10 a second), else
 *                   once a second for the elapsed time and spinner: the
 *                   bar (pf_line without text) and under it the status text,
 *                   each fitted to the terminal width (asked with TIOCGWINSZ
 *                   at each redraw, so resizes are followed); a redraw is
 *                   "\r\033[1A" + bar + "\033[K\n" + text + "\033[K". The cursor
 *                   is hidden while shown and restored by progress_stop.
 *   PROGRESS_PLAIN  for logs and pipes: a plain line when the whole percentage
 *                   or the text changes, at most one per `plain_interval_ms`,
 *                   and the last state always printed by progress_stop. No
 *                   control sequences at all.
 *   PROGRESS_NONE   progress_new returns NULL; every function accepts NULL and
 *                   does nothing (git's display_progress(NULL, n)).
 *
 * Lifecycle:
 *   struct progress *p = progress_new(&opts, now_us);
 *   progress_update(p, pct, "Status: running - ...", now_us);   // each poll
 *   progress_tick(p, now_us);            // when progress_next_ms says so
 *   progress_message(p, "Cancelling…");  // a line above the bar
 *   progress_stop(&p, now_us);           // last frame, newline, cursor back
 *
 * Times are passed in (monotonic microseconds) so the module has no clock of
 * its own and is testable. Not thread-safe; not for signal handlers.
 */
#ifndef KTRDR_PROGRESS_H
#define KTRDR_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum progress_mode { PROGRESS_NONE, PROGRESS_PLAIN, PROGRESS_TTY };

struct progress_opts {
  FILE *stream;             /* normally stderr */
  enum progress_mode mode;
  int width;                /* columns; 0 = ask the terminal, else 80 */
  bool utf8;
  int redraw_interval_ms;   /* TTY; 0 = 100 */
  int plain_interval_ms;    /* PLAIN; 0 = 1000 */
};

struct progress;

/* NULL for PROGRESS_NONE (and on allocation failure, or a NULL stream).
 * Caller stops it. On a TTY it hides the cursor and draws a first frame at
 * once (0%, spinner); the line is one column narrower than the terminal so
 * that it never wraps. The elapsed time counts from `now_us`. */
struct progress *progress_new(const struct progress_opts *opts, int64_t now_us);

/* New state from a poll; `text` is copied (untrusted: made safe when
 * drawn). Draws now if allowed, else at the next tick. */
void progress_update(struct progress *p, double pct, const char *text, int64_t now_us);

/* Redraws if a redraw is due (elapsed time and spinner move on a TTY; a
 * pending rate-limited plain line is printed). */
void progress_tick(struct progress *p, int64_t now_us);

/* Milliseconds until progress_tick has something to do (0 = now, rounded
 * up so a tick after that long finds it due), or -1 for nothing. On a TTY
 * there is always a next redraw (spinner, elapsed time); in PLAIN mode only
 * while a changed line waits for its interval. */
int progress_next_ms(const struct progress *p, int64_t now_us);

/* Prints `msg` and a newline on its own line, the bar (if any) redrawn
 * under it. With a NULL progress the message is NOT printed (quiet). */
void progress_message(struct progress *p, const char *msg);

/* Erases the bar line (TTY) so the caller can write to the stream; the next
 * update or tick redraws it. */
void progress_clear(struct progress *p);

/* Final frame (TTY) or the last pending plain line, then a newline; shows
 * the cursor again. Frees and sets *p to NULL. Accepts NULL and *p == NULL. */
void progress_stop(struct progress **p, int64_t now_us);

#endif
