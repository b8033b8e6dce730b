#include "store.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "intern.h"
#include "pyjson.h"
#include "timeutil.h"

struct record {
  struct record *next;       /* hash chain */
  char id[STORE_ID_MAX];
  char *type;
  double start_s;            /* simulated instant of the start */
  int64_t start_wall_us;
  json_t *metadata;
  struct timeline tl;
  struct timeline_traits traits;
  /* An end decided from outside (cancel, admin fail), at elapsed ended_at_s
   * (possibly still ahead: a slow cancel). OP_STATUS_RUNNING = none. */
  enum op_status ended;
  double ended_at_s;
  double flip_at_s;          /* TIMELINE_CANCEL_FLIP: completed from then; < 0 none */
  char *end_message;
  atomic_long requests[TIMELINE_REQ_COUNT];
  /* The OperationInfo text, valid for elapsed times in [from, until). */
  pthread_mutex_t cache_lock;
  char *cache_text;
  size_t cache_len;
  double cache_from, cache_until;
};

struct store {
  pthread_rwlock_t lock;
  struct clock *clock;
  struct record **buckets;   /* power-of-two count */
  size_t nbuckets;
  struct record **all;       /* creation order, for the list */
  size_t count, cap;
  uint64_t rng;
  struct intern *shared;     /* metadata and variables shared between operations */
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

struct store *store_new(struct clock *clock)
{
  struct store *s = calloc(1, sizeof(*s));

  if (!s)
    return NULL;
  s->clock = clock;
  s->nbuckets = 256;
  s->buckets = calloc(s->nbuckets, sizeof(*s->buckets));
  s->rng = rng_seed();
  s->shared = intern_new();
  if (!s->buckets || !s->shared || pthread_rwlock_init(&s->lock, NULL) != 0) {
    intern_free(&s->shared);
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
  pthread_mutex_destroy(&r->cache_lock);
  free(r->cache_text);
  free(r->type);
  json_decref(r->metadata);
  timeline_release(&r->tl);
  free(r->end_message);
  free(r);
}

static void clear_locked(struct store *s)
{
  for (size_t i = 0; i < s->count; i++)
    record_free(s->all[i]);
  s->count = 0;
  memset(s->buckets, 0, s->nbuckets * sizeof(*s->buckets));
}

void store_clear(struct store *s)
{
  pthread_rwlock_wrlock(&s->lock);
  clear_locked(s);
  pthread_rwlock_unlock(&s->lock);
}

void store_free(struct store **sp)
{
  struct store *s = sp ? *sp : NULL;

  if (!s)
    return;
  clear_locked(s);
  free(s->all);
  free(s->buckets);
  intern_free(&s->shared);
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

  timeutil_id_stamp(r->start_wall_us, stamp);
  do
    snprintf(r->id, sizeof(r->id), "op_%s_%s_%08x", r->type, stamp, rng_next(s));
  while (find(s, r->id));
}

static struct record *record_new(struct store *s, struct store_start *start)
{
  struct record *r = calloc(1, sizeof(*r));

  if (r) {
    r->type = strdup(start->type);
    r->metadata = intern_json(s->shared, start->metadata);
    r->tl = start->timeline;
    r->ended = OP_STATUS_RUNNING;
    r->flip_at_s = -1;
    pthread_mutex_init(&r->cache_lock, NULL);
    r->start_s = clock_now(s->clock);
    r->start_wall_us = clock_wall_us(s->clock, r->start_s);
    if (r->tl.ops)
      timeline_traits(&r->tl, &r->traits);
    for (int k = 0; k < TIMELINE_REQ_COUNT; k++)
      atomic_init(&r->requests[k], 0);
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
  struct record *r = record_new(s, start);
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

json_t *store_share(struct store *s, json_t *v)
{
  return intern_json(s->shared, v);
}

static double elapsed_s(const struct record *r, double now_s)
{
  return now_s > r->start_s ? now_s - r->start_s : 0.0;
}

static bool vanished(const struct record *r, double now_s)
{
  return r->traits.vanish_at_s >= 0 && elapsed_s(r, now_s) >= r->traits.vanish_at_s;
}

/* The record, unless unknown or vanished; the lock is held. */
static struct record *find_live(const struct store *s, const char *id, double now_s,
                                struct err *err)
{
  struct record *r = find(s, id);

  if (!r || vanished(r, now_s)) {
    err_set(err, ERR_NOTFOUND, "operation '%s' not found", id);
    return NULL;
  }
  return r;
}

static int set_identity(struct operation *op, const struct record *r)
{
  operation_set_str(&op->id, r->id);
  operation_set_str(&op->type, r->type);
  op->metadata = json_incref(r->metadata);
  return op->id && op->type ? 0 : -1;
}

/* The outside end applied to `op`, frozen at ended_at_s (and flipped to
 * completed when its time has come); *end_s receives when it ended. */
static int apply_end(const struct record *r, double t, struct operation *op, double *end_s,
                     struct err *err)
{
  op->status = r->ended;
  operation_set_str(&op->error_message, r->end_message);
  json_decref(op->result_summary);
  op->result_summary = NULL;
  *end_s = r->ended_at_s;
  if (r->flip_at_s < 0 || t < r->flip_at_s || !r->tl.ops->flip)
    return 0;
  *end_s = r->flip_at_s;
  op->status = OP_STATUS_COMPLETED;
  return r->tl.ops->flip(r->tl.self, op, err);
}

/* The state at elapsed `t`; *end_s is set when the status is terminal. */
static int state_at(const struct record *r, double t, struct operation *op, double *end_s,
                    struct err *err)
{
  bool ending = r->ended != OP_STATUS_RUNNING && t >= r->ended_at_s;

  *end_s = 0;
  if (timeline_state_at(&r->tl, ending ? r->ended_at_s : t, op, end_s, err) < 0)
    return -1;
  /* The timeline may have ended by itself before the outside end. */
  if (!ending || op_status_is_terminal(op->status))
    return 0;
  return apply_end(r, t, op, end_s, err);
}

static int set_times(struct store *s, const struct record *r, struct operation *op,
                     double end_s, int64_t *end_wall_us)
{
  char iso[TIME_ISO_MAX];

  operation_set_str(&op->created_at, timeutil_iso(r->start_wall_us, iso));
  if (op->status != OP_STATUS_PENDING)
    operation_set_str(&op->started_at, iso);
  *end_wall_us = 0;
  if (op_status_is_terminal(op->status)) {
    *end_wall_us = clock_wall_us(s->clock, r->start_s + end_s);
    operation_set_str(&op->completed_at, timeutil_iso(*end_wall_us, iso));
  }
  return op->created_at ? 0 : -1;
}

/* Fills `op` as the operation looks at simulated `now_s`; *end_wall_us
 * receives when it ended (wall clock) or 0 while it runs. The lock is held. */
static int evaluate(struct store *s, const struct record *r, double now_s,
                    struct operation *op, int64_t *end_wall_us, struct err *err)
{
  double end_s = 0;

  if (set_identity(op, r) < 0)
    return err_set(err, ERR_NOMEM, "cannot build the operation");
  if (state_at(r, elapsed_s(r, now_s), op, &end_s, err) < 0)
    return -1;
  if (set_times(s, r, op, end_s, end_wall_us) < 0)
    return err_set(err, ERR_NOMEM, "cannot build the operation");
  return 0;
}

int store_get(struct store *s, const char *id, json_t **info, struct err *err)
{
  struct operation op = OPERATION_INIT;
  double now_s = clock_now(s->clock);
  struct record *r;
  int64_t end_wall;
  int rc = -1;

  *info = NULL;
  pthread_rwlock_rdlock(&s->lock);
  r = find_live(s, id, now_s, err);
  if (r && evaluate(s, r, now_s, &op, &end_wall, err) == 0)
    rc = 0;
  pthread_rwlock_unlock(&s->lock);
  if (rc == 0 && !(*info = operation_to_json(&op)))
    rc = err_set(err, ERR_NOMEM, "cannot serialise operation '%s'", id);
  operation_release(&op);
  return rc;
}

/* Until when the state at `t` stays as it is (<= t: do not cache). */
static double valid_until(const struct record *r, double t)
{
  double next;

  if (r->ended != OP_STATUS_RUNNING && t >= r->ended_at_s)
    return r->flip_at_s >= 0 && t < r->flip_at_s ? r->flip_at_s : INFINITY;
  next = r->tl.ops->next_change ? r->tl.ops->next_change(r->tl.self, t) : t;
  return r->ended != OP_STATUS_RUNNING ? fmin(next, r->ended_at_s) : next;
}

/* A copy of the cached text if it holds at `t`; the read lock is held. */
static char *cached(struct record *r, double t, size_t *len)
{
  char *copy = NULL;

  pthread_mutex_lock(&r->cache_lock);
  if (r->cache_text && t >= r->cache_from && t < r->cache_until) {
    copy = malloc(r->cache_len + 1);
    if (copy)
      memcpy(copy, r->cache_text, r->cache_len + 1);
    *len = r->cache_len;
  }
  pthread_mutex_unlock(&r->cache_lock);
  return copy;
}

static void remember(struct record *r, double t, const char *text, size_t len)
{
  double until = valid_until(r, t);
  char *copy;

  if (until <= t || !(copy = malloc(len + 1)))
    return;
  memcpy(copy, text, len + 1);
  pthread_mutex_lock(&r->cache_lock);
  free(r->cache_text);
  r->cache_text = copy;
  r->cache_len = len;
  r->cache_from = t;
  r->cache_until = until;
  pthread_mutex_unlock(&r->cache_lock);
}

/* The OperationInfo text at `now_s`, computed; the read lock is held. */
static char *render(struct store *s, struct record *r, double now_s, size_t *len,
                    struct err *err)
{
  struct operation op = OPERATION_INIT;
  int64_t end_wall;
  json_t *j = NULL;
  char *text = NULL;

  if (evaluate(s, r, now_s, &op, &end_wall, err) == 0 && (j = operation_to_json(&op)))
    text = json_dumps(j, JSON_COMPACT);
  if (text) {
    *len = pyjson_shorten_reals(text);
    remember(r, elapsed_s(r, now_s), text, *len);
  } else if (err && err->code == ERR_OK) {
    err_set(err, ERR_NOMEM, "cannot serialise operation '%s'", r->id);
  }
  json_decref(j);
  operation_release(&op);
  return text;
}

int store_get_text(struct store *s, const char *id, char **text, size_t *len, struct err *err)
{
  double now_s = clock_now(s->clock);
  struct record *r;

  *text = NULL;
  *len = 0;
  pthread_rwlock_rdlock(&s->lock);
  r = find_live(s, id, now_s, err);
  if (r && !(*text = cached(r, elapsed_s(r, now_s), len)))
    *text = render(s, r, now_s, len, err);
  pthread_rwlock_unlock(&s->lock);
  return *text ? 0 : -1;
}

int store_performance(struct store *s, const char *id, json_t **body, struct err *err)
{
  struct record *r;

  *body = NULL;
  pthread_rwlock_rdlock(&s->lock);
  r = find_live(s, id, clock_now(s->clock), err);
  if (r && r->tl.ops->performance)
    *body = r->tl.ops->performance(r->tl.self, r->id);
  pthread_rwlock_unlock(&s->lock);
  return r ? 0 : -1;
}

int store_touch(struct store *s, const char *id, enum timeline_request kind,
                struct fault_hit *hit, struct err *err)
{
  double now_s = clock_now(s->clock);
  struct record *r;
  int rc = -1;

  *hit = (struct fault_hit)FAULT_HIT_INIT;
  pthread_rwlock_rdlock(&s->lock);
  r = find_live(s, id, now_s, err);
  if (r) {
    long index = atomic_fetch_add(&r->requests[kind], 1) + 1;

    rc = r->tl.ops->fault_for &&
         r->tl.ops->fault_for(r->tl.self, kind, index, elapsed_s(r, now_s), r->id, hit);
  }
  pthread_rwlock_unlock(&s->lock);
  return rc;
}

/* The status `r` has at `now_s` (timelines can end on their own). */
static int current_status(struct store *s, const struct record *r, double now_s,
                          enum op_status *st, struct err *err)
{
  struct operation op = OPERATION_INIT;
  int64_t end_wall;
  int rc = evaluate(s, r, now_s, &op, &end_wall, err);

  *st = op.status;
  operation_release(&op);
  return rc;
}

/* Records an outside end at elapsed `at_s`; the lock is held for writing. */
static int set_end(struct record *r, enum op_status status, const char *message, double at_s,
                   double flip_at_s, struct err *err)
{
  char *copy = message ? strdup(message) : NULL;

  if (message && !copy)
    return err_set(err, ERR_NOMEM, "cannot end operation '%s'", r->id);
  free(r->end_message);
  r->end_message = copy;
  r->ended = status;
  r->ended_at_s = at_s;
  r->flip_at_s = flip_at_s;
  /* The write lock is held: no reader is using the cache. */
  free(r->cache_text);
  r->cache_text = NULL;
  r->cache_until = 0;
  return 0;
}

/* Finds a running record for an end request at `now_s`; the lock is held. */
static struct record *find_running(struct store *s, const char *id, double now_s,
                                   struct store_end *end, struct err *err)
{
  struct record *r = find_live(s, id, now_s, err);

  end->at_real_us = clock_wall_us(s->clock, now_s);
  if (!r || current_status(s, r, now_s, &end->status, err) < 0)
    return NULL;
  if (op_status_is_terminal(end->status)) {
    err_set(err, ERR_STATE, "operation '%s' is already %s", r->id,
            op_status_name(end->status));
    return NULL;
  }
  return r;
}

int store_end(struct store *s, const char *id, enum op_status status,
              const char *message, struct store_end *end, struct err *err)
{
  double now_s = clock_now(s->clock);
  struct record *r;
  int rc = -1;

  memset(end, 0, sizeof(*end));
  pthread_rwlock_wrlock(&s->lock);
  r = find_running(s, id, now_s, end, err);
  if (r && set_end(r, status, message, elapsed_s(r, now_s), -1, err) == 0) {
    end->status = status;
    rc = 0;
  }
  pthread_rwlock_unlock(&s->lock);
  return rc;
}

/* A cancel on a running record, per its traits; the lock is held. */
static int cancel_locked(struct record *r, double now_s, const char *message,
                         struct store_end *end, struct err *err)
{
  const struct timeline_traits *t = &r->traits;
  double at = elapsed_s(r, now_s);

  end->status = OP_STATUS_CANCELLED;
  switch (t->cancel) {
  case TIMELINE_CANCEL_REFUSED:
    end->status = OP_STATUS_RUNNING;
    end->refused = true;
    snprintf(end->refusal, sizeof(end->refusal), "%s", t->refusal ? t->refusal : "");
    return err_set(err, ERR_STATE, "operation '%s' refuses to be cancelled", r->id);
  case TIMELINE_CANCEL_IGNORED:
    return 0;
  case TIMELINE_CANCEL_DELAYED:
    if (r->ended == OP_STATUS_CANCELLED) /* already on its way */
      return 0;
    return set_end(r, OP_STATUS_CANCELLED, message, at + t->cancel_delay_s, -1, err);
  case TIMELINE_CANCEL_FLIP:
    return set_end(r, OP_STATUS_CANCELLED, message, at, at + t->cancel_delay_s, err);
  case TIMELINE_CANCEL_NOW:
  default:
    return set_end(r, OP_STATUS_CANCELLED, message, at, -1, err);
  }
}

int store_cancel(struct store *s, const char *id, const char *message,
                 struct store_end *end, struct err *err)
{
  double now_s = clock_now(s->clock);
  struct record *r;
  int rc = -1;

  memset(end, 0, sizeof(*end));
  pthread_rwlock_wrlock(&s->lock);
  r = find_running(s, id, now_s, end, err);
  if (r)
    rc = cancel_locked(r, now_s, message, end, err);
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
                       int64_t end_wall_us, int64_t now_wall_us)
{
  int64_t end = end_wall_us ? end_wall_us : now_wall_us;
  const char *symbol = json_str_or(op->metadata, "symbol", NULL);

  return json_pack("{s:s, s:s, s:s, s:s, s:f, s:s?, s:s?, s:f}",
                   "operation_id", op->id, "operation_type", op->type,
                   "status", op_status_name(op->status), "created_at", op->created_at,
                   "progress_percentage", op->progress.percentage,
                   "current_step", op->progress.current_step, "symbol", symbol,
                   "duration_seconds", (double)(end - r->start_wall_us) / 1e6);
}

/* One record into the list: counted, and added when inside the page. */
static int list_one(struct store *s, const struct record *r, const struct store_query *q,
                    double now_s, json_t *data, long *total, long *active, struct err *err)
{
  struct operation op = OPERATION_INIT;
  int64_t end_wall;
  int rc;

  if (vanished(r, now_s))
    return 0;
  rc = evaluate(s, r, now_s, &op, &end_wall, err);
  if (rc == 0) {
    *active += is_active(op.status);
    if (wanted(q, &op) && (*total)++ >= q->offset &&
        (long)json_array_size(data) < q->limit)
      rc = json_array_append_new(data, summary(&op, r, end_wall,
                                               clock_wall_us(s->clock, now_s)));
  }
  operation_release(&op);
  return rc;
}

int store_list(struct store *s, const struct store_query *q, json_t **data,
               long *total, long *active, struct err *err)
{
  double now_s = clock_now(s->clock);
  int rc = 0;

  *total = *active = 0;
  *data = json_array();
  if (!*data)
    return err_set(err, ERR_NOMEM, "cannot list operations");
  pthread_rwlock_rdlock(&s->lock);
  for (size_t i = s->count; rc == 0 && i-- > 0;)
    rc = list_one(s, s->all[i], q, now_s, *data, total, active, err);
  pthread_rwlock_unlock(&s->lock);
  if (rc < 0) {
    json_decref(*data);
    *data = NULL;
    return err_set(err, ERR_NOMEM, "cannot list operations");
  }
  return 0;
}
