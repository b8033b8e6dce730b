/*
 * buf: a growable byte buffer, always NUL-terminated (git's strbuf, reduced).
 *
 *   struct buf b = BUF_INIT;
 *   buf_append(&b, data, len);      // or buf_appendf(&b, "%d", n)
 *   use(b.data, b.len);
 *   buf_release(&b);
 *
 * `data` is owned by the buf; buf_detach hands it to the caller (free()).
 * A `limit` (0 = none) caps the size: appends past it fail with -1 and leave
 * the buffer as it was, so servers can refuse oversized bodies. Not
 * thread-safe for one buffer; no shared state.
 */
#ifndef KTRDR_BUF_H
#define KTRDR_BUF_H

#include <stddef.h>

struct buf {
  char *data;  /* NULL until the first append; buf_cstr never returns NULL */
  size_t len;
  size_t cap;
  size_t limit;
};

#define BUF_INIT { NULL, 0, 0, 0 }

int buf_append(struct buf *b, const void *data, size_t len);
int buf_appendf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *buf_cstr(const struct buf *b);
void buf_reset(struct buf *b);
char *buf_detach(struct buf *b);
void buf_release(struct buf *b);

#endif
