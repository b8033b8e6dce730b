#include "url.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const env_names[] = { "KTRDR_API_URL", "API_BASE_URL",
                                         "KTRDR_API_CLIENT_BASE_URL" };

static bool ends_with(const char *s, size_t len, const char *tail)
{
  size_t n = strlen(tail);

  return len >= n && strncmp(s + len - n, tail, n) == 0;
}

static int normalise(const char *raw, const char *origin, char **base, struct err *err)
{
  size_t len = strlen(raw), size;
  const char *suffix = "";

  if (strncmp(raw, "http://", 7) != 0 && strncmp(raw, "https://", 8) != 0)
    return err_set(err, ERR_INVALID,
                   "API URL '%s' (from %s) must start with http:// or https://", raw, origin);
  while (len > 0 && raw[len - 1] == '/')
    len--;
  if (ends_with(raw, len, "/api"))
    suffix = "/v1";
  else if (!strstr(raw, "/api/"))
    suffix = "/api/v1";
  size = len + strlen(suffix) + 1;
  *base = malloc(size);
  if (!*base)
    return err_set(err, ERR_NOMEM, "out of memory");
  snprintf(*base, size, "%.*s%s", (int)len, raw, suffix);
  return 0;
}

int url_resolve(const char *flag, char **base, struct err *err)
{
  const char *v;

  *base = NULL;
  if (flag)
    return normalise(flag, "--url", base, err);
  for (size_t i = 0; i < sizeof(env_names) / sizeof(env_names[0]); i++) {
    v = getenv(env_names[i]);
    if (v && *v)
      return normalise(v, env_names[i], base, err);
  }
  return normalise(URL_DEFAULT, "the default", base, err);
}

char *url_join(const char *base, const char *path)
{
  size_t n = strlen(base) + strlen(path) + 1;
  char *s = malloc(n);

  if (s)
    snprintf(s, n, "%s%s", base, path);
  return s;
}
