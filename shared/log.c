#include "log.h"

#include <stdarg.h>

static enum log_level level = LOG_WARN;
static const char *prog = "ktrdr";
static FILE *stream;

void log_set_level(enum log_level l) { level = l; }
enum log_level log_get_level(void) { return level; }
void log_set_prog(const char *p) { prog = p; }
void log_set_stream(FILE *f) { stream = f; }

static void vlog(enum log_level l, const char *tag, const char *fmt, va_list ap)
{
  FILE *f = stream ? stream : stderr;

  if (l > level)
    return;
  fprintf(f, "%s: %s: ", prog, tag);
  vfprintf(f, fmt, ap);
  fputc('\n', f);
  fflush(f);
}

#define DEFINE_LOG(fn, lvl, tag)                                                \
  void fn(const char *fmt, ...)                                                 \
  {                                                                             \
    va_list ap;                                                                 \
    va_start(ap, fmt);                                                          \
    vlog(lvl, tag, fmt, ap);                                                    \
    va_end(ap);                                                                 \
  }

DEFINE_LOG(log_error, LOG_ERROR, "error")
DEFINE_LOG(log_warn, LOG_WARN, "warning")
DEFINE_LOG(log_info, LOG_INFO, "info")
DEFINE_LOG(log_debug, LOG_DEBUG, "debug")
