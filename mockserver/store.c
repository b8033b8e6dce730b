#include "store.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "timeutil.h"

struct record {
  struct record *next;       /* hash chain */
  char id[STORE_ID_MAX];
  char *type;
  int64_t start_mono_us, start_real_us;
  json_t *metadata;
  struct timeline tl;
  /* Set once by store_end; a record never leaves a terminal state. */
  enum op_status ended;      /* OP_STATUS_RUNNING while not ended early */
  double ended_at_s;         /* simulated time at which progress froze */
  int64_t ended_real_us;
  char *end_message;
};

struct store {
  pthread_rwlock_t lock;
  double time_scale;
  struct record **buckets;   /* power-of-two count */
  size_t nbuckets;
  struct record **all;       /* creation order, for the list */
  size_t count, cap;
  uint64_t rng;
};

static uint64_t hash_id(const char *s)
{
  uint64_t h = 1469598103934665603ULL;

  while (*s)
    h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
  return h;
}

static uint64_t rng_seed(void)
{
  uint64_t seed = 0;

  if (getrandom(&seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
    seed = (uint64_t)timeutil_real_us() ^ ((uint64_t)getpid() << 32);
  return seed ? seed : 0x9e3779b97f4a7c15ULL;
}

/* xorshift64*: ids only need to look random and not collide. */
static uint32_t rng_next(struct store *s)
{
  s->rng ^= s->rng >> 12;
  s->rng ^= s->rng << 25;
  s->rng ^= s->rng >> 27;
  return (uint32_t)((s->rng * 2685821657736338717ULL) >> 32);
}

struct store *store_new(double time_scale)
{
  struct store *s = calloc(1, sizeof(*s));

  if (!s)
    return NULL;
  s->time_scale = time_scale > 0 ? time_scale : 1.0;
  s->nbuckets = 256;
  s->buckets = calloc(s->nbuckets, sizeof(*s->buckets));
  s->rng = rng_seed();
  if (!s->buckets || pthread_rwlock_init(&s->lock, NULL) != 0) {
    free(s->buckets);
    free(s);
    return NULL;
  }
  return s;
}

static void record_free(struct record *r)
{
  if (!r)
    return;
  free(r->type);
  json_decref(r->metadata);
  timeline_release(&r->tl);
  free(r->end_message);
  free(r);
}

void store_free(struct store **sp)
{
  struct store *s = sp ? *sp : NULL;

  if (!s)
    return;
  for (size_t i = 0; i < s->count; i++)
    record_free(s->all[i]);
  free(s->all);
  free(s->buckets);
  pthread_rwlock_destroy(&s->lock);
  free(s);
  *sp = NULL;
}

static struct record *find(const struct store *s, const char *id)
{
  struct record *r = s->buckets[hash_id(id) & (s->nbuckets - 1)];

  while (r && strcmp(r->id, id) != 0)
    r = r->next;
  return r;
}

static void link_bucket(struct store *s, struct record *r)
{
  struct record **b = &s->buckets[hash_id(r->id) & (s->nbuckets - 1)];

  r->next = *b;
  *b = r;
}

/* Doubles the buckets at a load factor of 1; the creation-order array
 * makes rehashing a simple pass. */
static int grow_buckets(struct store *s)
{
  size_t n = s->nbuckets * 2;
  struct record **b = calloc(n, sizeof(*b));

  if (!b)
    return -1;
  free(s->buckets);
  s->buckets = b;
  s->nbuckets = n;
  for (size_t i = 0; i < s->count; i++)
    link_bucket(s, s->all[i]);
  return 0;
}

static int append(struct store *s, struct record *r)
{
  if (s->count == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 64;
    struct record **all = realloc(s->all, cap * sizeof(*all));

    if (!all)
      return -1;
    s->all = all;
    s->cap = cap;
  }
  s->all[s->count++] = r;
  link_bucket(s, r);
  if (s->count > s->nbuckets)
    (void)grow_buckets(s); /* on failure the chains just get longer */
  return 0;
}

/* A fresh id; the lock is held for writing. */
static void make_id(struct store *s, struct record *r)
{
  char stamp[TIME_ISO_MAX];

  timeutil_id_stamp(r->start_real_us, stamp);
  do
    snprintf(r->id, sizeof(r->id), "op_%s_%s_%08x", r->type, stamp, rng_next(s));
  while (find(s, r->id));
}

static struct record *record_new(struct store_start *start)
{
  struct record *r = calloc(1, sizeof(*r));

  if (r) {
    r->type = strdup(start->type);
    r->metadata = start->metadata;
    r->tl = start->timeline;
    r->ended = OP_STATUS_RUNNING;
    r->start_mono_us = timeutil_mono_us();
    r->start_real_us = timeutil_real_us();
  } else {
    json_decref(start->metadata);
    timeline_release(&start->timeline);
  }
  start->metadata = NULL;
  start->timeline = (struct timeline){ NULL, NULL };
  return r;
}

int store_add(struct store *s, struct store_start *start, char id[STORE_ID_MAX],
              struct err *err)
{
  struct record *r = record_new(start);
  int rc = -1;

  if (!r || !r->type || !r->tl.ops) {
    record_free(r);
    return err_set(err, ERR_NOMEM, "cannot create the operation");
  }
  pthread_rwlock_wrlock(&s->lock);
  make_id(s, r);
  snprintf(id, STORE_ID_MAX, "%s", r->id);
  if (append(s, r) == 0)
    rc = 0;
  pthread_rwlock_unlock(&s->lock);
  if (rc < 0) {
    record_free(r);
    return err_set(err, ERR_NOMEM, "cannot store the operation");
  }
  return 0;
}

static double elapsed_s(const struct store *s, const struct record *r, int64_t now_mono)
{
  return (double)(now_mono - r->start_mono_us) / 1e6 * s->time_scale;
}

static int set_identity(struct operation *op, const struct record *r)
{
  char iso[TIME_ISO_MAX];

  timeutil_iso(r->start_real_us, iso);
  operation_set_str(&op->id, r->id);
  operation_set_str(&op->type, r->type);
  operation_set_str(&op->created_at, iso);
  operation_set_str(&op->started_at, iso);
  op->metadata = json_incref(r->metadata);
  return op->id && op->type && op->created_at && op->started_at ? 0 : -1;
}

/* Fills `op` as the operation looks at `now_mono`; *end_real_us receives
 * when it ended (wall clock) or 0 while it runs. The lock is held. */
static int evaluate(const struct store *s, const struct record *r, int64_t now_mono,
                    struct operation *op, int64_t *end_real_us, struct err *err)
{
  bool early = r->ended != OP_STATUS_RUNNING;
  double end_s = 0;
  char iso[TIME_ISO_MAX];

  *end_real_us = 0;
  if (timeline_state_at(&r->tl, early ? r->ended_at_s : elapsed_s(s, r, now_mono), op,
                        &end_s, err) < 0)
    return -1;
  if (set_identity(op, r) < 0)
    return err_set(err, ERR_NOMEM, "cannot build the operation");
  if (early) {
    op->status = r->ended;
    operation_set_str(&op->error_message, r->end_message);
    json_decref(op->result_summary);
    op->result_summary = NULL;
    *end_real_us = r->ended_real_us;
  } else if (op_status_is_terminal(op->status)) {
    *end_real_us = r->start_real_us + llround(end_s / s->time_scale * 1e6);
  }
  if (*end_real_us)
    operation_set_str(&op->completed_at, timeutil_iso(*end_real_us, iso));
  return 0;
}

int store_get(struct store *s, const char *id, json_t **info, struct err *err)
{
  struct operation op = OPERATION_INIT;
  struct record *r;
  int64_t end_real;
  int rc = -1;

  *info = NULL;
  pthread_rwlock_rdlock(&s->lock);
  r = find(s, id);
  if (!r)
    err_set(err, ERR_NOTFOUND, "operation '%s' not found", id);
  else if (evaluate(s, r, timeutil_mono_us(), &op, &end_real, err) == 0)
    rc = 0;
  pthread_rwlock_unlock(&s->lock);
  if (rc == 0 && !(*info = operation_to_json(&op)))
    rc = err_set(err, ERR_NOMEM, "cannot serialise operation '%s'", id);
  operation_release(&op);
  return rc;
}

/* The status `r` has now (timelines can end on their own). */
static int current_status(const struct store *s, const struct record *r, int64_t now_mono,
                          enum op_status *st, struct err *err)
{
  struct operation op = OPERATION_INIT;
  int64_t end_real;
  int rc = evaluate(s, r, now_mono, &op, &end_real, err);

  *st = op.status;
  operation_release(&op);
  return rc;
}

static int end_locked(struct store *s, struct record *r, enum op_status status,
                      const char *message, struct store_end *end, struct err *err)
{
  int64_t now_mono = timeutil_mono_us();

  if (current_status(s, r, now_mono, &end->status, err) < 0)
    return -1;
  if (op_status_is_terminal(end->status))
    return err_set(err, ERR_STATE, "operation '%s' is already %s", r->id,
                   op_status_name(end->status));
  r->end_message = message ? strdup(message) : NULL;
  if (message && !r->end_message)
    return err_set(err, ERR_NOMEM, "cannot end operation '%s'", r->id);
  r->ended_at_s = elapsed_s(s, r, now_mono);
  r->ended_real_us = end->at_real_us = timeutil_real_us();
  r->ended = end->status = status;
  return 0;
}

int store_end(struct store *s, const char *id, enum op_status status,
              const char *message, struct store_end *end, struct err *err)
{
  struct record *r;
  int rc;

  pthread_rwlock_wrlock(&s->lock);
  r = find(s, id);
  if (r)
    rc = end_locked(s, r, status, message, end, err);
  else
    rc = err_set(err, ERR_NOTFOUND, "operation '%s' not found", id);
  pthread_rwlock_unlock(&s->lock);
  return rc;
}

static bool is_active(enum op_status st)
{
  return st == OP_STATUS_PENDING || st == OP_STATUS_RUNNING;
}

static bool wanted(const struct store_query *q, const struct operation *op)
{
  return (!q->active_only || is_active(op->status)) &&
         (q->status < 0 || (int)op->status == q->status) &&
         (!q->type || strcmp(q->type, op->type) == 0);
}

/* OperationSummary (§2.8); duration_seconds runs to now while active. */
static json_t *summary(const struct operation *op, const struct record *r,
                       int64_t end_real_us)
{
  int64_t end = end_real_us ? end_real_us : timeutil_real_us();
  const char *symbol = json_str_or(op->metadata, "symbol", NULL);

  return json_pack("{s:s, s:s, s:s, s:s, s:f, s:s?, s:s?, s:f}",
                   "operation_id", op->id, "operation_type", op->type,
                   "status", op_status_name(op->status), "created_at", op->created_at,
                   "progress_percentage", op->progress.percentage,
                   "current_step", op->progress.current_step, "symbol", symbol,
                   "duration_seconds", (double)(end - r->start_real_us) / 1e6);
}

/* One record into the list: counted, and added when inside the page. */
static int list_one(const struct store *s, const struct record *r, const struct store_query *q,
                    int64_t now_mono, json_t *data, long *total, long *active,
                    struct err *err)
{
  struct operation op = OPERATION_INIT;
  int64_t end_real;
  int rc = evaluate(s, r, now_mono, &op, &end_real, err);

  if (rc == 0) {
    *active += is_active(op.status);
    if (wanted(q, &op) && (*total)++ >= q->offset &&
        (long)json_array_size(data) < q->limit)
      rc = json_array_append_new(data, summary(&op, r, end_real));
  }
  operation_release(&op);
  return rc;
}

int store_list(struct store *s, const struct store_query *q, json_t **data,
               long *total, long *active, struct err *err)
{
  int64_t now_mono = timeutil_mono_us();
  int rc = 0;

  *total = *active = 0;
  *data = json_array();
  if (!*data)
    return err_set(err, ERR_NOMEM, "cannot list operations");
  pthread_rwlock_rdlock(&s->lock);
  for (size_t i = s->count; rc == 0 && i-- > 0;)
    rc = list_one(s, s->all[i], q, now_mono, *data, total, active, err);
  pthread_rwlock_unlock(&s->lock);
  if (rc < 0) {
    json_decref(*data);
    *data = NULL;
    return err_set(err, ERR_NOMEM, "cannot list operations");
  }
  return 0;
}
