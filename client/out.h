/*
 * out: where a command's output goes and how it may look.
 *
 * Results go to `out` (stdout), progress and diagnostics to `err` (stderr).
 * Tests point both at capture streams. The flags are decided once, by
 * out_detect(), from the streams and the environment (NO_COLOR, TERM=dumb,
 * the locale), and passed down explicitly: no global state.
 */
#ifndef KTRDR_OUT_H
#define KTRDR_OUT_H

#include <stdbool.h>
#include <stdio.h>

struct out {
  FILE *out;          /* results */
  FILE *err;          /* progress, messages, diagnostics */
  bool quiet;         /* -q: only results and errors */
  bool verbose;       /* -v: requests, timings, retries, raw final status */
  bool color_out;     /* SGR colours allowed on `out` */
  bool color_err;     /* SGR colours allowed on `err` */
  bool err_tty;       /* `err` is a terminal that understands control sequences */
  bool utf8;          /* the locale's charset is UTF-8: bars, emoji, "…" */
};

/* Fills `o` for the two streams: colours only on terminals, never with
 * NO_COLOR set or TERM=dumb; `err_tty` false with TERM=dumb; `utf8` from
 * nl_langinfo(CODESET) (call setlocale(LC_CTYPE, "") first). */
void out_detect(struct out *o, FILE *out, FILE *err);

/* SGR sequences, or "" when colour is off. */
const char *out_green(const struct out *o, bool on_err);
const char *out_red(const struct out *o, bool on_err);
const char *out_yellow(const struct out *o, bool on_err);
const char *out_bold(const struct out *o, bool on_err);
const char *out_reset(const struct out *o, bool on_err);

/* `utf8` when the locale is UTF-8, else `ascii` (emoji have ASCII stand-ins). */
const char *out_sym(const struct out *o, const char *utf8, const char *ascii);

#endif
