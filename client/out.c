#include "out.h"

#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool term_is_dumb(void)
{
  const char *term = getenv("TERM");

  return !term || !*term || strcmp(term, "dumb") == 0;
}

static bool no_color(void)
{
  const char *nc = getenv("NO_COLOR");

  return nc && *nc;
}

void out_detect(struct out *o, FILE *out, FILE *err)
{
  bool out_tty = out && isatty(fileno(out));
  bool err_tty = err && isatty(fileno(err));
  const char *cs = nl_langinfo(CODESET);

  memset(o, 0, sizeof(*o));
  o->out = out;
  o->err = err;
  o->err_tty = err_tty && !term_is_dumb();
  o->color_out = out_tty && !term_is_dumb() && !no_color();
  o->color_err = o->err_tty && !no_color();
  o->utf8 = cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

static const char *sgr(const struct out *o, bool on_err, const char *seq)
{
  return (on_err ? o->color_err : o->color_out) ? seq : "";
}

const char *out_green(const struct out *o, bool on_err) { return sgr(o, on_err, "\033[32m"); }
const char *out_red(const struct out *o, bool on_err) { return sgr(o, on_err, "\033[31m"); }
const char *out_yellow(const struct out *o, bool on_err) { return sgr(o, on_err, "\033[33m"); }
const char *out_bold(const struct out *o, bool on_err) { return sgr(o, on_err, "\033[1m"); }
const char *out_reset(const struct out *o, bool on_err) { return sgr(o, on_err, "\033[0m"); }

const char *out_sym(const struct out *o, const char *utf8, const char *ascii)
{
  return o->utf8 ? utf8 : ascii;
}
