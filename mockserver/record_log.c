#include "record_log.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "timeutil.h"

/* One recording and what the log keeps beside it. */
struct rec {
  struct record_op op;
  int64_t t0_us;             /* CLOCK_MONOTONIC of the start request */
  char *client;
  bool foldable;             /* a start-only one that a retry may fold */
  char *text;                /* the scenario as last written */
  const json_t *last_state;  /* the last GET state kept (shared by alike ones) */
};

struct record_log {
  pthread_mutex_t lock;
  char *dir, *upstream, *program;
  struct rec **recs;         /* oldest first */
  size_t n, cap;
  unsigned long starts;      /* start-only recordings so far, for their names */
};

struct record_log *record_log_new(const struct record_log_config *cfg, struct err *err)
{
  struct record_log *log = calloc(1, sizeof(*log));

  if (!log || !(log->dir = strdup(cfg->dir)) || !(log->upstream = strdup(cfg->upstream)) ||
      !(log->program = strdup(cfg->program))) {
    record_log_free(&log);
    err_set(err, ERR_NOMEM, "cannot allocate the recordings");
    return NULL;
  }
  pthread_mutex_init(&log->lock, NULL);
  return log;
}

static void rec_free(struct rec *r)
{
  if (!r)
    return;
  record_op_release(&r->op);
  free(r->client);
  free(r->text);
  free(r);
}

void record_log_free(struct record_log **lp)
{
  struct record_log *log = lp ? *lp : NULL;

  if (!log)
    return;
  for (size_t i = 0; i < log->n; i++)
    rec_free(log->recs[i]);
  if (log->dir)
    pthread_mutex_destroy(&log->lock);
  free(log->recs);
  free(log->dir);
  free(log->upstream);
  free(log->program);
  free(log);
  *lp = NULL;
}

/* ---- which request is it ----------------------------------------------- */

static const struct { const char *path, *type; } start_paths[] = {
  { "/dummy/start", "dummy" },
  { "/trainings/start", "training" },
  { "/data/load", "data_load" },
  { "/data/acquire/download", "data_load" },
};

/* The segment after `prefix` (copied into id) and what follows it. */
static const char *segment(const char *path, const char *prefix, char *id, size_t size)
{
  size_t n;

  if (strncmp(path, prefix, strlen(prefix)) != 0)
    return NULL;
  path += strlen(prefix);
  n = strcspn(path, "/");
  if (n == 0 || n >= size)
    return NULL;
  snprintf(id, size, "%.*s", (int)n, path);
  return path + n;
}

/* The kind of an exchange (-1: not about an operation), its operation id
 * and, for a start, its type. */
static int classify(const struct record_exchange *x, char *id, size_t size, const char **type,
                    bool *perf)
{
  bool get = strcmp(x->method, "GET") == 0, post = strcmp(x->method, "POST") == 0;
  const char *rest;

  *perf = false;
  for (size_t i = 0; post && i < sizeof(start_paths) / sizeof(start_paths[0]); i++)
    if (strcmp(x->path, start_paths[i].path) == 0)
      return *type = start_paths[i].type, RECORD_START;
  if ((rest = segment(x->path, "/trainings/", id, size)) && get &&
      strcmp(rest, "/performance") == 0)
    return *perf = true, RECORD_RESULTS;
  if (!(rest = segment(x->path, "/operations/", id, size)))
    return -1;
  if (!*rest)
    return get ? RECORD_GET : strcmp(x->method, "DELETE") == 0 ? RECORD_CANCEL : -1;
  if (post && strcmp(rest, "/cancel") == 0)
    return RECORD_CANCEL;
  return get && strcmp(rest, "/results") == 0 ? RECORD_RESULTS : -1;
}

/* The operation id of a start answer in any live shape (§2): envelope
 * data.operation_id, top-level operation_id, flat task_id. */
static const char *started_id(const struct record_answer *a)
{
  static const char *const paths[][2] = { { "data", "operation_id" }, { NULL, "operation_id" },
                                          { NULL, "task_id" } };
  const json_t *b = a->json;

  if (a->status < 200 || a->status > 299 || a->transfer != RECORD_COMPLETE ||
      !json_is_object(b) || json_is_false(json_object_get(b, "success")))
    return NULL;
  for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
    const json_t *o = paths[i][0] ? json_object_get(b, paths[i][0]) : b;
    const char *id = json_string_value(json_object_get(o, paths[i][1]));

    if (id && *id)
      return id;
  }
  return NULL;
}

/* ---- answers ------------------------------------------------------------ */

static int answer_from(struct record_answer *a, const struct record_exchange *x, int64_t t0_us)
{
  *a = (struct record_answer)RECORD_ANSWER_INIT;
  a->t = (double)(x->sent_us - t0_us) / 1e6;
  a->took = (double)(x->done_us - x->sent_us) / 1e6;
  a->status = x->status;
  a->transfer = x->transfer;
  a->retry_after = x->retry_after;
  if (x->transfer != RECORD_COMPLETE)
    return 0;
  a->json = json_loadb(x->body ? x->body : "", x->body_len, JSON_DECODE_ANY, NULL);
  if (!a->json && !(a->raw = strndup(x->body ? x->body : "", x->body_len)))
    return -1;
  return 0;
}

/* A GET state keeps only what a scenario can say, shared with the state
 * before when alike: a long recording costs memory per change, not per poll. */
static void slim_state(struct rec *r, struct record_answer *a)
{
  static const char *const keep[] = { "status", "progress", "error_message", "result_summary",
                                      "warnings", "errors", NULL };
  const json_t *d = record_state_of(a);
  json_t *slim;

  if (!d)
    return;
  slim = json_object();
  for (size_t i = 0; keep[i]; i++)
    if (json_object_get(d, keep[i]))
      json_object_set(slim, keep[i], json_object_get(d, keep[i]));
  json_decref(a->json);
  a->json = json_pack("{s:b, s:o}", "success", 1, "data", slim);
  if (r->last_state && json_equal(a->json, r->last_state)) {
    json_decref(a->json);
    a->json = json_incref((json_t *)r->last_state);
  }
  r->last_state = a->json;
}

static int add_answer(struct rec *r, const struct record_answer *a)
{
  struct record_op *op = &r->op;

  if (op->nanswers == op->cap) {
    size_t cap = op->cap ? op->cap * 2 : 16;
    struct record_answer *v = realloc(op->answers, cap * sizeof(*v));

    if (!v)
      return -1;
    op->answers = v;
    op->cap = cap;
  }
  op->answers[op->nanswers++] = *a;
  return 0;
}

/* ---- files ------------------------------------------------------------- */

static int write_atomically(const struct record_log *log, const char *name, const char *text,
                            struct err *err)
{
  char path[4096], tmp[4200];
  FILE *f;
  int ok;

  snprintf(path, sizeof(path), "%s/%s.yaml", log->dir, name);
  snprintf(tmp, sizeof(tmp), "%s/.%s.yaml.tmp", log->dir, name);
  if (!(f = fopen(tmp, "w")))
    return err_set(err, ERR_IO, "cannot write '%s': %s", tmp, strerror(errno));
  ok = fputs(text, f) >= 0;
  ok = (fclose(f) == 0) && ok;
  if (!ok || rename(tmp, path) != 0) {
    err_set(err, ERR_IO, "cannot write '%s': %s", path, strerror(errno));
    unlink(tmp);
    return -1;
  }
  return 0;
}

/* Renders the recording and writes it when its text changed. */
static int save(struct record_log *log, struct rec *r, struct err *err)
{
  struct record_meta meta = { log->upstream, log->program };
  struct buf text = BUF_INIT;
  int rc = 0;

  if (record_scenario_render(&r->op, &meta, &text) < 0) {
    buf_release(&text);
    return err_set(err, ERR_NOMEM, "cannot render the recording '%s'", r->op.name);
  }
  if (!r->text || strcmp(r->text, buf_cstr(&text)) != 0) {
    rc = write_atomically(log, r->op.name, buf_cstr(&text), err);
    free(r->text);
    r->text = buf_detach(&text);
  }
  buf_release(&text);
  return rc;
}

static void unlink_file(const struct record_log *log, const char *name)
{
  char path[4096];

  snprintf(path, sizeof(path), "%s/%s.yaml", log->dir, name);
  unlink(path);
}

/* ---- recordings ---------------------------------------------------------- */

static struct rec *find(const struct record_log *log, const char *id)
{
  for (size_t i = log->n; i-- > 0;)
    if (log->recs[i]->op.id && strcmp(log->recs[i]->op.id, id) == 0)
      return log->recs[i];
  return NULL;
}

static int push(struct record_log *log, struct rec *r)
{
  if (log->n == log->cap) {
    size_t cap = log->cap ? log->cap * 2 : 16;
    struct rec **v = realloc(log->recs, cap * sizeof(*v));

    if (!v)
      return -1;
    log->recs = v;
    log->cap = cap;
  }
  log->recs[log->n++] = r;
  return 0;
}

static void drop_at(struct record_log *log, size_t i)
{
  rec_free(log->recs[i]);
  memmove(&log->recs[i], &log->recs[i + 1], (log->n - i - 1) * sizeof(*log->recs));
  log->n--;
}

/* A scenario name from an operation id: only letters, digits, "_-.". */
static char *name_for(const char *id)
{
  char *name = malloc(strlen(id) + 5);

  if (!name)
    return NULL;
  snprintf(name, strlen(id) + 5, "rec_%s", id);
  for (char *p = name; *p; p++)
    if (!isalnum((unsigned char)*p) && !strchr("_-.", *p))
      *p = '_';
  return name;
}

static char *start_name(struct record_log *log, const char *type, int64_t wall_us)
{
  char stamp[TIME_ISO_MAX], name[160];

  snprintf(name, sizeof(name), "rec_start_%s_%s_%lu", type, timeutil_id_stamp(wall_us, stamp),
           ++log->starts);
  return strdup(name);
}

static struct rec *rec_new(const struct record_exchange *x, const char *type)
{
  struct rec *r = calloc(1, sizeof(*r));

  if (!r)
    return NULL;
  r->t0_us = x->sent_us;
  r->op.wall_us = x->wall_us;
  r->client = strdup(x->client ? x->client : "");
  r->op.type = strdup(type);
  r->op.method = strdup(x->method);
  r->op.path = strdup(x->full_path ? x->full_path : x->path);
  if (!r->client || !r->op.type || !r->op.method || !r->op.path) {
    rec_free(r);
    return NULL;
  }
  return r;
}

static bool foldable(const struct record_answer *a)
{
  return a->status == 429 || a->status == 502 || a->status == 503 || a->status == 504;
}

static bool alike(const struct record_answer *a, const struct record_answer *b)
{
  return a->status == b->status && a->retry_after == b->retry_after &&
         a->transfer == b->transfer && !a->json == !b->json &&
         (!a->json || json_equal(a->json, b->json)) && !a->raw == !b->raw &&
         (!a->raw || strcmp(a->raw, b->raw) == 0);
}

/* Whether pending start-only recording `p` is a retry's earlier try. */
static bool retried(const struct rec *p, const struct rec *r)
{
  return p->foldable && strcmp(p->client, r->client) == 0 &&
         strcmp(p->op.type, r->op.type) == 0 &&
         (double)(r->t0_us - p->t0_us) / 1e6 <= RECORD_FOLD_S;
}

/* Moves the last run of alike earlier tries of `r`'s client into r; the
 * older tries stay start-only recordings. */
static int fold(struct record_log *log, struct rec *r)
{
  size_t *idx = calloc(log->n + 1, sizeof(*idx)), take = 0;
  bool run = true;

  if (!idx)
    return -1;
  for (size_t i = log->n; i-- > 0;) {
    struct rec *p = log->recs[i];

    if (!retried(p, r))
      continue;
    p->foldable = false;
    run = run && (!take || alike(&p->op.start, &log->recs[idx[0]]->op.start));
    if (run)
      idx[take++] = i;
  }
  if (take && !(r->op.refused = calloc(take, sizeof(*r->op.refused)))) {
    free(idx);
    return -1;
  }
  for (size_t k = 0; k < take; k++) { /* idx[] goes down: drop the newest first */
    struct rec *p = log->recs[idx[k]];

    r->op.refused[take - 1 - k] = p->op.start;
    p->op.start = (struct record_answer)RECORD_ANSWER_INIT;
    unlink_file(log, p->op.name);
    drop_at(log, idx[k]);
  }
  r->op.nrefused = take;
  free(idx);
  return 0;
}

/* A start: a recording of the operation it created, or a start-only one. */
static int add_start(struct record_log *log, const struct record_exchange *x, const char *type,
                     struct err *err)
{
  struct rec *r = rec_new(x, type);
  const char *id;

  if (!r || answer_from(&r->op.start, x, x->sent_us) < 0)
    goto nomem;
  r->op.start.kind = RECORD_START;
  id = started_id(&r->op.start);
  if (id) {
    r->op.id = strdup(id);
    r->op.name = r->op.id ? name_for(id) : NULL;
  } else {
    r->op.name = start_name(log, type, x->wall_us);
    r->foldable = foldable(&r->op.start);
  }
  if (!r->op.name || (id && fold(log, r) < 0) || push(log, r) < 0)
    goto nomem;
  return save(log, r, err);
nomem:
  rec_free(r);
  return err_set(err, ERR_NOMEM, "cannot record the start request");
}

static int add_request(struct record_log *log, const struct record_exchange *x, const char *id,
                       enum record_kind kind, bool perf, struct err *err)
{
  struct rec *r = find(log, id);
  struct record_answer a;

  if (!r)
    return 0; /* not started through the proxy */
  if (answer_from(&a, x, r->t0_us) < 0)
    return err_set(err, ERR_NOMEM, "cannot record a request about '%s'", id);
  a.kind = kind;
  a.performance = perf;
  if (kind == RECORD_GET)
    slim_state(r, &a);
  if (add_answer(r, &a) < 0) {
    record_answer_release(&a);
    return err_set(err, ERR_NOMEM, "cannot record a request about '%s'", id);
  }
  return save(log, r, err);
}

int record_log_add(struct record_log *log, const struct record_exchange *x, struct err *err)
{
  char id[256];
  const char *type = NULL;
  bool perf;
  int kind = classify(x, id, sizeof(id), &type, &perf), rc = 0;

  if (kind < 0)
    return 0;
  pthread_mutex_lock(&log->lock);
  if (kind == RECORD_START)
    rc = add_start(log, x, type, err);
  else
    rc = add_request(log, x, id, (enum record_kind)kind, perf, err);
  pthread_mutex_unlock(&log->lock);
  return rc;
}
