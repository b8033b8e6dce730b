#include "timers.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "timeutil.h"

struct timer {
  int64_t due_us;
  uint64_t seq;     /* ties in due time fire in the order they were added */
  timers_fn fn;
  void *arg;
};

struct timers {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  pthread_t thread;
  struct timer *heap;   /* binary min-heap on (due_us, seq) */
  size_t n, cap;
  uint64_t next_seq;
  int running;          /* callbacks popped and not yet returned */
  bool closed, quit;
};

static bool earlier(const struct timer *a, const struct timer *b)
{
  return a->due_us < b->due_us || (a->due_us == b->due_us && a->seq < b->seq);
}

static void swap(struct timer *a, struct timer *b)
{
  struct timer t = *a;

  *a = *b;
  *b = t;
}

static void sift_up(struct timer *h, size_t i)
{
  while (i > 0 && earlier(&h[i], &h[(i - 1) / 2])) {
    swap(&h[i], &h[(i - 1) / 2]);
    i = (i - 1) / 2;
  }
}

static void sift_down(struct timer *h, size_t n, size_t i)
{
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;

    if (l < n && earlier(&h[l], &h[m]))
      m = l;
    if (r < n && earlier(&h[r], &h[m]))
      m = r;
    if (m == i)
      return;
    swap(&h[i], &h[m]);
    i = m;
  }
}

static struct timer pop(struct timers *t)
{
  struct timer top = t->heap[0];

  t->heap[0] = t->heap[--t->n];
  sift_down(t->heap, t->n, 0);
  return top;
}

static struct timespec abs_time(int64_t us)
{
  struct timespec ts = { (time_t)(us / 1000000), (long)(us % 1000000) * 1000 };

  return ts;
}

/* Waits for the earliest timer to be due (or anything to change); returns
 * true with *out set when one is due. The lock is held. */
static bool next_due(struct timers *t, struct timer *out)
{
  if (t->n == 0) {
    pthread_cond_wait(&t->cond, &t->lock);
    return false;
  }
  if (!t->closed && t->heap[0].due_us > timeutil_mono_us()) {
    struct timespec ts = abs_time(t->heap[0].due_us);

    pthread_cond_timedwait(&t->cond, &t->lock, &ts);
    return false;
  }
  *out = pop(t);
  return true;
}

static void *run(void *arg)
{
  struct timers *t = arg;
  struct timer due;

  pthread_mutex_lock(&t->lock);
  while (!t->quit || t->n > 0) {
    if (!next_due(t, &due))
      continue;
    t->running++;
    pthread_mutex_unlock(&t->lock);
    due.fn(due.arg);
    pthread_mutex_lock(&t->lock);
    t->running--;
    pthread_cond_broadcast(&t->cond);
  }
  pthread_mutex_unlock(&t->lock);
  return NULL;
}

static int cond_init_monotonic(pthread_cond_t *c)
{
  pthread_condattr_t a;
  int rc;

  if (pthread_condattr_init(&a) != 0)
    return -1;
  rc = pthread_condattr_setclock(&a, CLOCK_MONOTONIC) == 0 && pthread_cond_init(c, &a) == 0
           ? 0
           : -1;
  pthread_condattr_destroy(&a);
  return rc;
}

struct timers *timers_new(void)
{
  struct timers *t = calloc(1, sizeof(*t));

  if (!t)
    return NULL;
  if (pthread_mutex_init(&t->lock, NULL) != 0)
    goto fail_mutex;
  if (cond_init_monotonic(&t->cond) < 0)
    goto fail_cond;
  if (pthread_create(&t->thread, NULL, run, t) != 0)
    goto fail_thread;
  return t;
fail_thread:
  pthread_cond_destroy(&t->cond);
fail_cond:
  pthread_mutex_destroy(&t->lock);
fail_mutex:
  free(t);
  return NULL;
}

static int push(struct timers *t, int64_t due_us, timers_fn fn, void *arg)
{
  if (t->n == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 16;
    struct timer *h = realloc(t->heap, cap * sizeof(*h));

    if (!h)
      return -1;
    t->heap = h;
    t->cap = cap;
  }
  t->heap[t->n] = (struct timer){ due_us, t->next_seq++, fn, arg };
  sift_up(t->heap, t->n++);
  return 0;
}

int timers_add(struct timers *t, int64_t due_us, timers_fn fn, void *arg)
{
  int rc = 0;
  bool now;

  pthread_mutex_lock(&t->lock);
  now = t->closed;
  if (!now && push(t, due_us, fn, arg) < 0)
    now = true, rc = -1;
  if (!now)
    pthread_cond_broadcast(&t->cond);
  pthread_mutex_unlock(&t->lock);
  if (now)
    fn(arg);
  return rc;
}

void timers_close(struct timers *t)
{
  pthread_mutex_lock(&t->lock);
  t->closed = true;
  pthread_cond_broadcast(&t->cond);
  /* Wait until the thread has fired every pending callback. */
  while (t->n > 0 || t->running > 0)
    pthread_cond_wait(&t->cond, &t->lock);
  pthread_mutex_unlock(&t->lock);
}

void timers_free(struct timers **tp)
{
  struct timers *t = tp ? *tp : NULL;

  if (!t)
    return;
  timers_close(t);
  pthread_mutex_lock(&t->lock);
  t->quit = true;
  pthread_cond_broadcast(&t->cond);
  pthread_mutex_unlock(&t->lock);
  pthread_join(t->thread, NULL);
  pthread_cond_destroy(&t->cond);
  pthread_mutex_destroy(&t->lock);
  free(t->heap);
  free(t);
  *tp = NULL;
}
