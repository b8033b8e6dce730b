#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(struct err *e, enum err_code code, const char *fmt, ...)
{
  va_list ap;

  if (!e)
    return -1;
  e->code = code;
  va_start(ap, fmt);
  vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
  va_end(ap);
  return -1;
}

int err_wrap(struct err *e, const char *fmt, ...)
{
  char old[ERR_MSG_MAX];
  va_list ap;
  int n;

  if (!e)
    return -1;
  memcpy(old, e->msg, sizeof(old));
  va_start(ap, fmt);
  n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
  va_end(ap);
  if (n >= 0 && (size_t)n < sizeof(e->msg))
    snprintf(e->msg + n, sizeof(e->msg) - (size_t)n, ": %.*s",
             (int)(sizeof(e->msg) - (size_t)n), old);
  return -1;
}

void err_clear(struct err *e)
{
  if (!e)
    return;
  e->code = ERR_OK;
  e->msg[0] = '\0';
}

const char *err_code_name(enum err_code code)
{
  static const char *const names[] = {
    [ERR_OK] = "ok", [ERR_INVALID] = "invalid", [ERR_IO] = "io",
    [ERR_NOMEM] = "nomem", [ERR_PARSE] = "parse", [ERR_NET] = "network",
    [ERR_HTTP] = "http", [ERR_NOTFOUND] = "not_found", [ERR_STATE] = "state",
    [ERR_INTERNAL] = "internal",
  };

  if ((unsigned)code >= sizeof(names) / sizeof(names[0]))
    return "unknown";
  return names[code];
}
