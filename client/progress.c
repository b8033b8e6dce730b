#include "progress.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "progress_format.h"

#define DEFAULT_COLS 80
#define DEFAULT_REDRAW_MS 100
#define DEFAULT_PLAIN_MS 1000
#define TTY_TICK_US 1000000     /* an unchanged TTY frame is redrawn once a second */
#define TTY_LINE_BYTES 4096
#define PLAIN_LINE_BYTES 8192

#define HIDE_CURSOR "\033[?25l"
#define SHOW_CURSOR "\033[?25h"
#define ERASE_LINE "\r\033[K"
#define LINE_UP "\033[1A"

struct progress {
  FILE *stream;
  enum progress_mode mode;
  int width;            /* opts.width: 0 = ask the terminal */
  bool utf8;
  int64_t interval_us;  /* between redraws (TTY) or printed lines (PLAIN) */
  int64_t start_us;
  int64_t now_us;       /* latest time seen, for redraws without a time argument */
  bool drawn;           /* something drawn or printed at last_us */
  int64_t last_us;
  bool shown;           /* TTY: the bar is on the screen */
  double pct;
  bool dirty;           /* TTY: the state changed since the last frame */
  unsigned frames;      /* TTY: frames drawn, for the spinner */
  char *text;           /* TTY: current text, owned */
  char *line;           /* PLAIN: current line, PLAIN_LINE_BYTES */
  char *printed;        /* PLAIN: last printed line ("" before the first) */
};

static int64_t interval_us(int ms, int fallback_ms)
{
  return (int64_t)(ms > 0 ? ms : fallback_ms) * 1000;
}

/* Columns of the terminal; a memstream or a pipe has no fd or no size. */
static int term_cols(const struct progress *p)
{
  struct winsize ws;
  int fd;

  if (p->width > 0)
    return p->width;
  fd = fileno(p->stream);
  if (fd >= 0 && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    return ws.ws_col;
  return DEFAULT_COLS;
}

static void write_out(struct progress *p, const char *a, const char *b, const char *c)
{
  fputs(a, p->stream);
  fputs(b, p->stream);
  fputs(c, p->stream);
  fflush(p->stream);
}

/*
 * Two lines: the bar (spinner, percentage, bar, elapsed, ETA) and under it
 * the server's status text, each fitted to the width, so the text gets the
 * whole width even on an 80-column terminal. A redraw goes back up one line
 * and overwrites both.
 */
static void tty_draw(struct progress *p, int64_t now_us)
{
  int64_t since = now_us > p->start_us ? now_us - p->start_us : 0;
  struct pf_frame f = {
    .percentage = p->pct,
    .elapsed_s = (double)since / 1e6,
    .spinner = p->frames++,
  };
  char bar[TTY_LINE_BYTES], text[TTY_LINE_BYTES];
  int cols = term_cols(p) - 1;

  /* One column short of the edge: a full row would leave the cursor in the
   * pending-wrap state, where "\033[K" erases the last character. */
  pf_line(&f, cols, p->utf8, bar, sizeof(bar));
  pf_fit(p->text ? p->text : "", cols > 0 ? (size_t)cols : 0, p->utf8, text, sizeof(text));
  fputs(p->shown ? "\r" LINE_UP : "\r", p->stream);
  write_out(p, bar, "\033[K\n", "");
  write_out(p, text, "\033[K", "");
  p->drawn = true;
  p->last_us = now_us;
  p->shown = true;
  p->dirty = false;
}

/* Removes both lines; the cursor ends where the bar line began. */
static void tty_erase(struct progress *p)
{
  if (p->shown)
    write_out(p, ERASE_LINE, LINE_UP, ERASE_LINE);
  p->shown = false;
}

static void plain_print(struct progress *p, int64_t now_us)
{
  write_out(p, p->line, "\n", "");
  memcpy(p->printed, p->line, strlen(p->line) + 1);
  p->drawn = true;
  p->last_us = now_us;
}

static bool plain_pending(const struct progress *p)
{
  return strcmp(p->line, p->printed) != 0;
}

static bool interval_passed(const struct progress *p, int64_t now_us)
{
  return !p->drawn || now_us - p->last_us >= p->interval_us;
}

/* A TTY frame is due at once when nothing is shown, as soon as the minimum
 * spacing allows when the state changed (so a new state is on the screen
 * within a few milliseconds of the poll that brought it), and once a second
 * otherwise (the elapsed time and the spinner). */
static int64_t tty_due_us(const struct progress *p)
{
  if (!p->shown)
    return 0;
  return p->last_us + (p->dirty ? p->interval_us : TTY_TICK_US);
}

static void refresh(struct progress *p, int64_t now_us)
{
  p->now_us = now_us;
  if (p->mode == PROGRESS_TTY && now_us >= tty_due_us(p))
    tty_draw(p, now_us);
  else if (p->mode == PROGRESS_PLAIN && plain_pending(p) && interval_passed(p, now_us))
    plain_print(p, now_us);
}

static bool same_text(const char *a, const char *b)
{
  return a == b || (a && b && strcmp(a, b) == 0);
}

static void set_state(struct progress *p, double pct, const char *text)
{
  if (p->mode == PROGRESS_PLAIN) {
    p->pct = pct;
    pf_plain_line(pct, text, p->utf8, p->line, PLAIN_LINE_BYTES);
    return;
  }
  if (floor(pct) != floor(p->pct))
    p->dirty = true;
  p->pct = pct;
  if (same_text(p->text, text))
    return;
  free(p->text);
  p->text = text ? strdup(text) : NULL;
  p->dirty = true;
}

static void progress_free(struct progress *p)
{
  free(p->text);
  free(p->line);
  free(p->printed);
  free(p);
}

static bool plain_alloc(struct progress *p)
{
  p->line = calloc(1, PLAIN_LINE_BYTES);
  p->printed = calloc(1, PLAIN_LINE_BYTES);
  return p->line && p->printed;
}

struct progress *progress_new(const struct progress_opts *opts, int64_t now_us)
{
  struct progress *p;

  if (!opts || !opts->stream || (opts->mode != PROGRESS_TTY && opts->mode != PROGRESS_PLAIN))
    return NULL;
  p = calloc(1, sizeof(*p));
  if (!p)
    return NULL;
  p->stream = opts->stream;
  p->mode = opts->mode;
  p->width = opts->width;
  p->utf8 = opts->utf8;
  p->start_us = p->now_us = now_us;
  if (p->mode == PROGRESS_PLAIN) {
    p->interval_us = interval_us(opts->plain_interval_ms, DEFAULT_PLAIN_MS);
    if (!plain_alloc(p)) {
      progress_free(p);
      return NULL;
    }
    return p;
  }
  p->interval_us = interval_us(opts->redraw_interval_ms, DEFAULT_REDRAW_MS);
  fputs(HIDE_CURSOR, p->stream);
  tty_draw(p, now_us);
  return p;
}

void progress_update(struct progress *p, double pct, const char *text, int64_t now_us)
{
  if (!p)
    return;
  set_state(p, pct, text);
  refresh(p, now_us);
}

void progress_tick(struct progress *p, int64_t now_us)
{
  if (p)
    refresh(p, now_us);
}

int progress_next_ms(const struct progress *p, int64_t now_us)
{
  int64_t left;

  if (!p || (p->mode == PROGRESS_PLAIN && !plain_pending(p)))
    return -1;
  if (p->mode == PROGRESS_TTY)
    left = tty_due_us(p) - now_us;
  else
    left = interval_passed(p, now_us) ? 0 : p->last_us + p->interval_us - now_us;
  return left <= 0 ? 0 : (int)((left + 999) / 1000); /* rounded up: the tick must find it due */
}

void progress_message(struct progress *p, const char *msg)
{
  if (!p || !msg)
    return;
  if (p->mode == PROGRESS_PLAIN) {
    write_out(p, msg, "\n", "");
    return;
  }
  tty_erase(p);
  write_out(p, msg, "\n", "");
  tty_draw(p, p->now_us);
}

void progress_clear(struct progress *p)
{
  if (!p || p->mode != PROGRESS_TTY)
    return;
  tty_erase(p);
}

void progress_stop(struct progress **pp, int64_t now_us)
{
  struct progress *p;

  if (!pp || !*pp)
    return;
  p = *pp;
  if (p->mode == PROGRESS_TTY) {
    tty_draw(p, now_us);
    write_out(p, "\n", SHOW_CURSOR, "");
  } else if (plain_pending(p)) {
    plain_print(p, now_us);
  }
  progress_free(p);
  *pp = NULL;
}
