#include "journal.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timeutil.h"

/*
 * A ring of `max` slots. Each slot keeps its strings in one allocation
 * ("path\0query\0body\0operation_id\0") so recording a request costs one
 * malloc, and dropping the oldest one free.
 */
struct slot {
  uint64_t seq;
  int64_t t_us;
  int status;
  char method[16];
  char *strs;          /* path, query, body, then operation_id */
  bool has_op;
};

struct mock_journal {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  struct slot *ring;
  size_t max, head, count; /* head = index of the oldest slot */
  uint64_t next_seq, dropped;
};

static const char *slot_path(const struct slot *s) { return s->strs; }
static const char *slot_query(const struct slot *s) { return s->strs + strlen(s->strs) + 1; }

static const char *slot_body(const struct slot *s)
{
  const char *q = slot_query(s);

  return q + strlen(q) + 1;
}

static const char *slot_op(const struct slot *s)
{
  const char *b = slot_body(s);

  return s->has_op ? b + strlen(b) + 1 : NULL;
}

static int cond_init_monotonic(pthread_cond_t *c)
{
  pthread_condattr_t a;
  int rc;

  if (pthread_condattr_init(&a) != 0)
    return -1;
  rc = pthread_condattr_setclock(&a, CLOCK_MONOTONIC) == 0 &&
       pthread_cond_init(c, &a) == 0 ? 0 : -1;
  pthread_condattr_destroy(&a);
  return rc;
}

struct mock_journal *journal_new(size_t max)
{
  struct mock_journal *j = calloc(1, sizeof(*j));

  if (!j)
    return NULL;
  j->max = max ? max : 1;
  j->next_seq = 1;
  j->ring = calloc(j->max, sizeof(*j->ring));
  if (!j->ring || pthread_mutex_init(&j->lock, NULL) != 0)
    goto fail;
  if (cond_init_monotonic(&j->cond) < 0) {
    pthread_mutex_destroy(&j->lock);
    goto fail;
  }
  return j;
fail:
  free(j->ring);
  free(j);
  return NULL;
}

static void drop_all(struct mock_journal *j)
{
  for (size_t i = 0; i < j->count; i++)
    free(j->ring[(j->head + i) % j->max].strs);
  j->head = j->count = 0;
}

void journal_free(struct mock_journal **jp)
{
  struct mock_journal *j = jp ? *jp : NULL;

  if (!j)
    return;
  drop_all(j);
  pthread_cond_destroy(&j->cond);
  pthread_mutex_destroy(&j->lock);
  free(j->ring);
  free(j);
  *jp = NULL;
}

static char *pack_strings(const char *path, const char *query, const char *body,
                          size_t body_len, const char *op)
{
  size_t lp = strlen(path) + 1, lq = strlen(query) + 1, lo = op ? strlen(op) + 1 : 0;
  size_t lb = body_len > JOURNAL_BODY_MAX ? JOURNAL_BODY_MAX : body_len;
  char *s = malloc(lp + lq + lb + 1 + lo);

  if (!s)
    return NULL;
  memcpy(s, path, lp);
  memcpy(s + lp, query, lq);
  if (lb)
    memcpy(s + lp + lq, body, lb);
  s[lp + lq + lb] = '\0';
  if (memchr(s + lp + lq, '\0', lb))
    s[lp + lq] = '\0'; /* a binary body is not kept */
  if (op)
    memcpy(s + lp + lq + lb + 1, op, lo);
  return s;
}

/* The slot the next entry goes to, dropping the oldest when full. */
static struct slot *next_slot(struct mock_journal *j)
{
  struct slot *s;

  if (j->count < j->max)
    return &j->ring[(j->head + j->count++) % j->max];
  s = &j->ring[j->head];
  free(s->strs);
  j->head = (j->head + 1) % j->max;
  j->dropped++;
  return s;
}

void journal_record(struct mock_journal *j, const struct journal_request *r)
{
  char *strs = pack_strings(r->path ? r->path : "", r->query ? r->query : "",
                            r->body ? r->body : "", r->body ? r->body_len : 0,
                            r->operation_id);
  struct slot *s;

  if (!strs)
    return;
  pthread_mutex_lock(&j->lock);
  s = next_slot(j);
  s->seq = j->next_seq++;
  s->t_us = r->t_us;
  s->status = r->status;
  snprintf(s->method, sizeof(s->method), "%s", r->method ? r->method : "");
  s->strs = strs;
  s->has_op = r->operation_id != NULL;
  pthread_cond_broadcast(&j->cond);
  pthread_mutex_unlock(&j->lock);
}

static bool str_eq(const char *want, const char *have)
{
  return !want || (have && strcmp(want, have) == 0);
}

static bool matches(const struct slot *s, const struct journal_filter *f)
{
  if (!f)
    return true;
  return str_eq(f->method, s->method) && str_eq(f->operation_id, slot_op(s)) &&
         (!f->path_prefix ||
          strncmp(slot_path(s), f->path_prefix, strlen(f->path_prefix)) == 0) &&
         s->seq > f->after_seq && s->t_us >= f->since_us;
}

static const struct slot *slot_at(const struct mock_journal *j, size_t i)
{
  return &j->ring[(j->head + i) % j->max];
}

static size_t count_matching(const struct mock_journal *j, const struct journal_filter *f)
{
  size_t n = 0;

  for (size_t i = 0; i < j->count; i++)
    n += matches(slot_at(j, i), f);
  return n;
}

static int copy_entry(struct journal_entry *e, const struct slot *s)
{
  const char *op = slot_op(s);

  e->seq = s->seq;
  e->t_us = s->t_us;
  e->status = s->status;
  memcpy(e->method, s->method, sizeof(e->method));
  e->path = strdup(slot_path(s));
  e->query = strdup(slot_query(s));
  e->body = strdup(slot_body(s));
  e->operation_id = op ? strdup(op) : NULL;
  return e->path && e->query && e->body && (!op || e->operation_id) ? 0 : -1;
}

/* Copies the matching entries; the lock is held by the caller. */
static size_t snapshot_locked(struct mock_journal *j, const struct journal_filter *f,
                              struct journal_entry **out)
{
  size_t n = count_matching(j, f), k = 0;
  struct journal_entry *e = calloc(n ? n : 1, sizeof(*e));

  *out = e;
  if (!e)
    return 0;
  for (size_t i = 0; i < j->count && k < n; i++) {
    if (!matches(slot_at(j, i), f))
      continue;
    if (copy_entry(&e[k++], slot_at(j, i)) < 0)
      break;
  }
  return k;
}

size_t journal_snapshot(struct mock_journal *j, const struct journal_filter *f,
                        struct journal_entry **out, uint64_t *dropped)
{
  size_t n;

  pthread_mutex_lock(&j->lock);
  n = snapshot_locked(j, f, out);
  if (dropped)
    *dropped = j->dropped;
  pthread_mutex_unlock(&j->lock);
  return n;
}

void journal_entries_free(struct journal_entry *e, size_t n)
{
  if (!e)
    return;
  for (size_t i = 0; i < n; i++) {
    free(e[i].path);
    free(e[i].query);
    free(e[i].body);
    free(e[i].operation_id);
  }
  free(e);
}

static struct timespec deadline_after(int timeout_ms)
{
  int64_t us = timeutil_mono_us() + (int64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000;
  struct timespec ts = { (time_t)(us / 1000000), (long)(us % 1000000) * 1000 };

  return ts;
}

size_t journal_wait(struct mock_journal *j, const struct journal_filter *f,
                    size_t count, int timeout_ms)
{
  struct timespec deadline = deadline_after(timeout_ms);
  size_t n;

  pthread_mutex_lock(&j->lock);
  while ((n = count_matching(j, f)) < count) {
    if (pthread_cond_timedwait(&j->cond, &j->lock, &deadline) == ETIMEDOUT) {
      n = count_matching(j, f);
      break;
    }
  }
  pthread_mutex_unlock(&j->lock);
  return n;
}

void journal_clear(struct mock_journal *j)
{
  pthread_mutex_lock(&j->lock);
  drop_all(j);
  j->dropped = 0;
  pthread_mutex_unlock(&j->lock);
}

static json_t *entry_to_json(const struct journal_entry *e)
{
  return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:i, s:o}",
                   "seq", (json_int_t)e->seq, "t_us", (json_int_t)e->t_us,
                   "method", e->method, "path", e->path, "query", e->query,
                   "body", e->body, "status", e->status,
                   "operation_id", e->operation_id ? json_string(e->operation_id)
                                                   : json_null());
}

json_t *journal_to_json(struct mock_journal *j, const struct journal_filter *f)
{
  struct journal_entry *e = NULL;
  uint64_t dropped = 0;
  size_t n = journal_snapshot(j, f, &e, &dropped);
  json_t *list = json_array();

  for (size_t i = 0; list && i < n; i++)
    json_array_append_new(list, entry_to_json(&e[i]));
  journal_entries_free(e, n);
  return json_pack("{s:o, s:I}", "requests", list ? list : json_array(),
                   "dropped", (json_int_t)dropped);
}
