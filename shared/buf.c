#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(struct buf *b, size_t extra)
{
  size_t need = b->len + extra + 1, cap = b->cap ? b->cap : 256;
  char *p;

  if (b->limit && b->len + extra > b->limit)
    return -1;
  if (need <= b->cap)
    return 0;
  while (cap < need)
    cap *= 2;
  p = realloc(b->data, cap);
  if (!p)
    return -1;
  b->data = p;
  b->cap = cap;
  return 0;
}

int buf_append(struct buf *b, const void *data, size_t len)
{
  if (grow(b, len) < 0)
    return -1;
  if (len)
    memcpy(b->data + b->len, data, len);
  b->len += len;
  b->data[b->len] = '\0';
  return 0;
}

int buf_appendf(struct buf *b, const char *fmt, ...)
{
  va_list ap;
  int n;

  va_start(ap, fmt);
  n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || grow(b, (size_t)n) < 0)
    return -1;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
  return 0;
}

const char *buf_cstr(const struct buf *b)
{
  return b->data ? b->data : "";
}

void buf_reset(struct buf *b)
{
  b->len = 0;
  if (b->data)
    b->data[0] = '\0';
}

char *buf_detach(struct buf *b)
{
  char *p = b->data ? b->data : strdup("");

  b->data = NULL;
  b->len = b->cap = 0;
  return p;
}

void buf_release(struct buf *b)
{
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}
