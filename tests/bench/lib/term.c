#include "term.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "timeutil.h"

void term_init(struct term *t, int fd)
{
  struct term z = TERM_INIT;

  *t = z;
  t->fd = fd;
}

void term_release(struct term *t)
{
  buf_release(&t->text);
  free(t->marks);
  t->marks = NULL;
  t->nmarks = t->cap = 0;
}

static int add_mark(struct term *t, int64_t now)
{
  if (t->nmarks == t->cap) {
    size_t cap = t->cap ? 2 * t->cap : 256;
    struct term_mark *m = realloc(t->marks, cap * sizeof(*m));

    if (!m)
      return -1;
    t->marks = m;
    t->cap = cap;
  }
  t->marks[t->nmarks].end = t->text.len;
  t->marks[t->nmarks++].t_us = now;
  return 0;
}

/* One read of what is there; a pty master reports EIO once the child is gone. */
static int read_some(struct term *t)
{
  char chunk[8192];
  ssize_t n = read(t->fd, chunk, sizeof(chunk));
  int64_t now = timeutil_mono_us();

  if (n > 0)
    return buf_append(&t->text, chunk, (size_t)n) < 0 ? -1 : add_mark(t, now);
  if (n == 0 || (errno != EINTR && errno != EAGAIN))
    t->eof = true;
  return 0;
}

int term_pump(struct term *t, int64_t until_us)
{
  struct pollfd pfd = { .fd = t->fd, .events = POLLIN };

  while (!t->eof && t->fd >= 0) {
    int64_t left = until_us - timeutil_mono_us();
    struct timespec ts = { 0, 0 };
    int r;

    if (left > 0) {
      ts.tv_sec = left / 1000000;
      ts.tv_nsec = (left % 1000000) * 1000;
    }
    r = ppoll(&pfd, 1, &ts, NULL);
    if (r < 0 && errno != EINTR)
      return -1;
    if (r > 0 && read_some(t) < 0)
      return -1;
    if (r == 0 && left <= 0)
      break;
  }
  return 0;
}

static int64_t arrival_of(const struct term *t, size_t end)
{
  size_t lo = 0, hi = t->nmarks;

  /* The first read whose end covers `end`. */
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;

    if (t->marks[mid].end < end)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < t->nmarks ? t->marks[lo].t_us : 0;
}

bool term_find(const struct term *t, const char *needle, size_t from, size_t *pos,
               int64_t *t_us)
{
  const char *hay = buf_cstr(&t->text), *hit;

  if (from > t->text.len)
    return false;
  hit = strstr(hay + from, needle);
  if (!hit)
    return false;
  if (pos)
    *pos = (size_t)(hit - hay);
  if (t_us)
    *t_us = arrival_of(t, (size_t)(hit - hay) + strlen(needle));
  return true;
}

bool term_wait_for(struct term *t, const char *needle, size_t from, int64_t until_us,
                   size_t *pos, int64_t *t_us)
{
  struct pollfd pfd = { .fd = t->fd, .events = POLLIN };

  while (!term_find(t, needle, from, pos, t_us)) {
    int64_t left = until_us - timeutil_mono_us();
    struct timespec ts;
    int r;

    if (t->eof || t->fd < 0 || left <= 0)
      return false;
    ts.tv_sec = left / 1000000;
    ts.tv_nsec = (left % 1000000) * 1000;
    r = ppoll(&pfd, 1, &ts, NULL);
    if (r < 0 && errno != EINTR)
      return false;
    if (r > 0 && read_some(t) < 0)
      return false;
  }
  return true;
}
