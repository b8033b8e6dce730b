#include "router.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Length of the segment starting at s (up to '/' or the end). */
static size_t seg_len(const char *s)
{
  const char *slash = strchr(s, '/');

  return slash ? (size_t)(slash - s) : strlen(s);
}

static bool is_param(const char *seg, size_t len)
{
  return len >= 2 && seg[0] == '{' && seg[len - 1] == '}';
}

/* Copies a captured segment into the match; false when it does not fit. */
static bool capture(struct router_match *m, size_t *used, const char *seg, size_t len)
{
  if (m->nparams == ROUTER_PARAMS_MAX || len == 0 || *used + len + 1 > sizeof(m->buf))
    return false;
  memcpy(m->buf + *used, seg, len);
  m->buf[*used + len] = '\0';
  m->params[m->nparams++] = m->buf + *used;
  *used += len + 1;
  return true;
}

/* Matches `path` against `pattern` segment by segment, capturing params. */
static bool path_matches(const char *pattern, const char *path, struct router_match *m)
{
  size_t used = 0;

  m->nparams = 0;
  while (*pattern && *path) {
    size_t pl = seg_len(pattern), sl = seg_len(path);

    if (is_param(pattern, pl) ? !capture(m, &used, path, sl)
                              : pl != sl || memcmp(pattern, path, pl) != 0)
      return false;
    pattern += pl;
    path += sl;
    if (*pattern != *path)
      return false;
    if (*pattern) {
      pattern++;
      path++;
    }
  }
  return !*pattern && !*path;
}

static void add_allowed(struct router_match *m, const char *method)
{
  size_t len = strlen(m->allow);

  snprintf(m->allow + len, sizeof(m->allow) - len, "%s%s", len ? ", " : "", method);
}

enum router_status router_match(const struct route *table, size_t n, const char *method,
                                const char *path, struct router_match *m)
{
  bool path_known = false;

  memset(m, 0, sizeof(*m));
  for (size_t i = 0; i < n; i++) {
    struct router_match tmp;

    if (!path_matches(table[i].pattern, path, &tmp))
      continue;
    if (strcmp(table[i].method, method) == 0) {
      memcpy(m->buf, tmp.buf, sizeof(m->buf));
      m->nparams = tmp.nparams;
      for (size_t k = 0; k < tmp.nparams; k++)
        m->params[k] = m->buf + (tmp.params[k] - tmp.buf);
      m->route = &table[i];
      return ROUTER_OK;
    }
    path_known = true;
    add_allowed(m, table[i].method);
  }
  return path_known ? ROUTER_METHOD_NOT_ALLOWED : ROUTER_NOT_FOUND;
}
