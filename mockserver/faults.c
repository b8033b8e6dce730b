#include "faults.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct fault {
  struct fault *next;
  char *method, *path_prefix, *body;  /* NULL = any / default */
  int status, count, retry_after;
  enum fault_action action;
  double delay_s;
};

static const char *const action_names[] = {
  [FAULT_REPLY] = "reply", [FAULT_PASS] = "pass", [FAULT_TRUNCATE] = "truncate",
  [FAULT_DROP] = "drop",
};

int fault_action_parse(const char *s)
{
  for (size_t i = 0; s && i < sizeof(action_names) / sizeof(action_names[0]); i++)
    if (strcmp(s, action_names[i]) == 0)
      return (int)i;
  return -1;
}

struct faults {
  pthread_mutex_t lock;
  struct fault *head, **tail;
};

struct faults *faults_new(void)
{
  struct faults *f = calloc(1, sizeof(*f));

  if (f && pthread_mutex_init(&f->lock, NULL) != 0) {
    free(f);
    return NULL;
  }
  if (f)
    f->tail = &f->head;
  return f;
}

static void fault_free(struct fault *x)
{
  if (!x)
    return;
  free(x->method);
  free(x->path_prefix);
  free(x->body);
  free(x);
}

static void clear_locked(struct faults *f)
{
  while (f->head) {
    struct fault *x = f->head;

    f->head = x->next;
    fault_free(x);
  }
  f->tail = &f->head;
}

void faults_free(struct faults **fp)
{
  struct faults *f = fp ? *fp : NULL;

  if (!f)
    return;
  clear_locked(f);
  pthread_mutex_destroy(&f->lock);
  free(f);
  *fp = NULL;
}

static char *dup_or_null(const char *s, bool *ok)
{
  char *d = s && *s ? strdup(s) : NULL;

  if (s && *s && !d)
    *ok = false;
  return d;
}

static struct fault *fault_new(const struct fault_spec *spec)
{
  struct fault *x = calloc(1, sizeof(*x));
  bool ok = true;

  if (!x)
    return NULL;
  x->method = dup_or_null(spec->method, &ok);
  x->path_prefix = dup_or_null(spec->path_prefix, &ok);
  x->body = spec->body ? strdup(spec->body) : NULL;
  x->status = spec->status;
  x->count = spec->count;
  x->retry_after = spec->retry_after;
  x->action = spec->action;
  x->delay_s = spec->delay_s;
  if (!ok || (spec->body && !x->body)) {
    fault_free(x);
    return NULL;
  }
  return x;
}

int faults_add(struct faults *f, const struct fault_spec *spec, struct err *err)
{
  struct fault *x;

  if (spec->status < 100 || spec->status > 599)
    return err_set(err, ERR_INVALID, "invalid fault status %d: expected 100..599", spec->status);
  if (spec->count < 1)
    return err_set(err, ERR_INVALID, "invalid fault count %d: expected at least 1", spec->count);
  if (!(spec->delay_s >= 0 && spec->delay_s <= FAULT_MAX_DELAY_S))
    return err_set(err, ERR_INVALID, "invalid fault delay %g: expected 0 to %.0f seconds",
                   spec->delay_s, FAULT_MAX_DELAY_S);
  if ((unsigned)spec->action > FAULT_DROP)
    return err_set(err, ERR_INVALID, "invalid fault action %d", (int)spec->action);
  x = fault_new(spec);
  if (!x)
    return err_set(err, ERR_NOMEM, "cannot queue the fault");
  pthread_mutex_lock(&f->lock);
  *f->tail = x;
  f->tail = &x->next;
  pthread_mutex_unlock(&f->lock);
  return 0;
}

static bool fault_matches(const struct fault *x, const char *method, const char *path)
{
  return (!x->method || strcmp(x->method, method) == 0) &&
         (!x->path_prefix || strncmp(path, x->path_prefix, strlen(x->path_prefix)) == 0);
}

/* Uses one count of *link's fault, unlinking it when exhausted. */
static void use_one(struct faults *f, struct fault **link, struct fault_hit *hit)
{
  struct fault *x = *link;

  hit->action = x->action;
  hit->status = x->status;
  hit->retry_after = x->retry_after;
  hit->body = x->body ? strdup(x->body) : NULL;
  hit->delay_s = x->delay_s;
  if (--x->count > 0)
    return;
  *link = x->next;
  if (f->tail == &x->next)
    f->tail = link;
  fault_free(x);
}

bool faults_take(struct faults *f, const char *method, const char *path,
                 struct fault_hit *hit)
{
  struct fault **link;
  bool found = false;

  *hit = (struct fault_hit)FAULT_HIT_INIT;
  pthread_mutex_lock(&f->lock);
  for (link = &f->head; *link; link = &(*link)->next) {
    if (fault_matches(*link, method, path)) {
      use_one(f, link, hit);
      found = true;
      break;
    }
  }
  pthread_mutex_unlock(&f->lock);
  return found;
}

void fault_hit_release(struct fault_hit *hit)
{
  if (!hit)
    return;
  free(hit->body);
  *hit = (struct fault_hit)FAULT_HIT_INIT;
}

void faults_clear(struct faults *f)
{
  pthread_mutex_lock(&f->lock);
  clear_locked(f);
  pthread_mutex_unlock(&f->lock);
}

static int get_str(const json_t *j, const char *key, const char **out, struct err *err)
{
  const json_t *v = json_object_get(j, key);

  if (!v || json_is_null(v))
    return 0;
  if (!json_is_string(v))
    return err_set(err, ERR_INVALID, "invalid fault '%s': expected a string", key);
  *out = json_string_value(v);
  return 0;
}

static int get_int(const json_t *j, const char *key, int *out, struct err *err)
{
  const json_t *v = json_object_get(j, key);

  if (!v || json_is_null(v))
    return 0;
  if (!json_is_integer(v) || json_integer_value(v) < -1 || json_integer_value(v) > 1000000000)
    return err_set(err, ERR_INVALID, "invalid fault '%s': expected an integer", key);
  *out = (int)json_integer_value(v);
  return 0;
}

static int get_delay(const json_t *j, double *out, struct err *err)
{
  const json_t *v = json_object_get(j, "delay");

  if (!v || json_is_null(v))
    return 0;
  if (!json_is_number(v) || !isfinite(json_number_value(v)))
    return err_set(err, ERR_INVALID, "invalid fault 'delay': expected a number of seconds");
  *out = json_number_value(v);
  return 0;
}

static int get_action(const json_t *j, enum fault_action *out, struct err *err)
{
  const char *name = NULL;
  int a;

  if (get_str(j, "action", &name, err) < 0)
    return -1;
  if (!name)
    return 0;
  a = fault_action_parse(name);
  if (a < 0)
    return err_set(err, ERR_INVALID,
                   "invalid fault 'action' '%s': expected reply, pass, truncate or drop", name);
  *out = (enum fault_action)a;
  return 0;
}

int faults_spec_from_json(const json_t *j, struct fault_spec *spec, struct err *err)
{
  *spec = (struct fault_spec)FAULT_SPEC_INIT;
  if (!json_is_object(j))
    return err_set(err, ERR_INVALID, "invalid fault: expected a JSON object");
  if (get_str(j, "method", &spec->method, err) < 0 ||
      get_str(j, "path_prefix", &spec->path_prefix, err) < 0 ||
      get_str(j, "body", &spec->body, err) < 0 ||
      get_int(j, "status", &spec->status, err) < 0 ||
      get_int(j, "count", &spec->count, err) < 0 ||
      get_int(j, "retry_after", &spec->retry_after, err) < 0 ||
      get_action(j, &spec->action, err) < 0 || get_delay(j, &spec->delay_s, err) < 0)
    return -1;
  return 0;
}
