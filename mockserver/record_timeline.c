/* The keyframes of a recording: the states its GETs showed (record_scenario.h). */
#include "record_scenario.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const struct record_answer **record_sorted(const struct record_op *op, enum record_kind kind,
                                           size_t *n)
{
  const struct record_answer **v = calloc(op->nanswers + 1, sizeof(*v));

  *n = 0;
  if (!v)
    return NULL;
  for (size_t i = 0; i < op->nanswers; i++) {
    size_t k;

    if (op->answers[i].kind != kind)
      continue;
    /* insertion sort: answers arrive almost in the order they were sent */
    for (k = (*n)++; k > 0 && v[k - 1]->t > op->answers[i].t; k--)
      v[k] = v[k - 1];
    v[k] = &op->answers[i];
  }
  return v;
}

const json_t *record_state_of(const struct record_answer *a)
{
  const json_t *d;

  if (a->kind != RECORD_GET || a->status != 200 || a->transfer != RECORD_COMPLETE ||
      !json_is_object(a->json) || json_is_false(json_object_get(a->json, "success")))
    return NULL;
  d = json_object_get(a->json, "data");
  return json_is_object(d) && json_is_string(json_object_get(d, "status")) ? d : NULL;
}

const char *record_state_status(const json_t *data)
{
  return json_string_value(json_object_get(data, "status"));
}

bool record_state_terminal(const json_t *data)
{
  const char *s = record_state_status(data);

  return s && (strcmp(s, "completed") == 0 || strcmp(s, "failed") == 0 ||
               strcmp(s, "cancelled") == 0);
}

json_t *record_seconds(double t)
{
  return json_real(round(t * 1000.0) / 1000.0);
}

double record_change_time(const struct record_states *s, size_t i)
{
  return i == 0 ? 0.0 : round((s->t[i - 1] + s->t[i]) * 500.0) / 1000.0;
}

/* The 404s that end the GETs: the operation vanished. */
static void find_vanish(struct record_states *s, const struct record_answer **gets, size_t n)
{
  size_t i = n;
  double before = 0;

  while (i > 0 && gets[i - 1]->status == 404 && gets[i - 1]->transfer == RECORD_COMPLETE)
    i--;
  s->vanish_index = i;
  s->vanish_at = -1;
  if (i == n)
    return;
  for (size_t k = i; k-- > 0;) {
    if (record_state_of(gets[k])) {
      before = gets[k]->t;
      break;
    }
  }
  s->vanish_at = round((before + gets[i]->t) * 500.0) / 1000.0;
}

int record_states_init(struct record_states *s, const struct record_op *op)
{
  size_t n;
  const struct record_answer **gets = record_sorted(op, RECORD_GET, &n);

  memset(s, 0, sizeof(*s));
  s->data = calloc(n + 1, sizeof(*s->data));
  s->t = calloc(n + 1, sizeof(*s->t));
  if (!gets || !s->data || !s->t) {
    free(gets);
    record_states_release(s);
    return -1;
  }
  find_vanish(s, gets, n);
  for (size_t i = 0; i < s->vanish_index; i++) {
    const json_t *d = record_state_of(gets[i]);

    if (!d)
      continue;
    s->data[s->n] = d;
    s->t[s->n++] = gets[i]->t;
  }
  for (s->end = 0; s->end < s->n && !record_state_terminal(s->data[s->end]); s->end++)
    ;
  free(gets);
  return 0;
}

void record_states_release(struct record_states *s)
{
  free(s->data);
  free(s->t);
  s->data = NULL;
  s->t = NULL;
  s->n = 0;
}

/* ---- ${operation_id} --------------------------------------------------- */

static json_t *replace_id(const char *s, const char *op_id)
{
  char *at = op_id && *op_id ? strstr(s, op_id) : NULL;
  struct buf b = BUF_INIT;
  json_t *out;

  if (!at)
    return json_string(s);
  for (; at; s = at + strlen(op_id), at = strstr(s, op_id))
    buf_appendf(&b, "%.*s${operation_id}", (int)(at - s), s);
  buf_appendf(&b, "%s", s);
  out = json_string(buf_cstr(&b));
  buf_release(&b);
  return out;
}

json_t *record_placeholders(const json_t *v, const char *op_id)
{
  const char *key;
  json_t *item, *out;
  size_t i;

  if (json_is_string(v))
    return replace_id(json_string_value(v), op_id);
  if (json_is_object(v)) {
    out = json_object();
    json_object_foreach((json_t *)v, key, item)
      json_object_set_new(out, key, record_placeholders(item, op_id));
    return out;
  }
  if (json_is_array(v)) {
    out = json_array();
    json_array_foreach(v, i, item)
      json_array_append_new(out, record_placeholders(item, op_id));
    return out;
  }
  return json_deep_copy(v);
}

/* ---- keyframes ----------------------------------------------------------- */

/* A value the scenario format takes for `field`, as it should be written
 * (new reference), or NULL when it cannot be written. */
static json_t *field_value(const char *field, const json_t *v, const char *op_id)
{
  bool text = strcmp(field, "current_step") == 0 || strcmp(field, "current_item") == 0;

  if (text)
    return json_is_null(v) ? json_null() : json_is_string(v) ? record_placeholders(v, op_id)
                                                              : NULL;
  if (strcmp(field, "percentage") == 0)
    return json_is_number(v) ? json_real(fmin(fmax(json_number_value(v), 0), 100)) : NULL;
  if (strcmp(field, "items_total") == 0 && json_is_null(v))
    return json_null();
  if (json_is_real(v) && json_real_value(v) >= 0 && json_real_value(v) < 9e18 &&
      json_real_value(v) == floor(json_real_value(v)))
    return json_integer((json_int_t)json_real_value(v));
  return json_is_integer(v) && json_integer_value(v) >= 0 ? json_incref((json_t *)v) : NULL;
}

static const char *const progress_fields[] = {
  "percentage", "current_step", "steps_completed", "steps_total", "items_processed",
  "items_total", "current_item", NULL,
};

/* Sets kf[key] when `cur` has a writable value that `prev` did not have. */
static void changed(json_t *kf, const char *key, const json_t *cur, const json_t *prev,
                    bool first, const char *op_id)
{
  json_t *v;

  if (!cur || (!first && prev && json_equal(cur, prev)))
    return;
  v = field_value(key, cur, op_id);
  if (v)
    json_object_set_new(kf, key, v);
}

static void status_change(json_t *kf, const json_t *cur, const json_t *prev)
{
  const json_t *s = json_object_get(cur, "status");

  if (!record_state_terminal(cur) && (!prev || !json_equal(s, json_object_get(prev, "status"))))
    json_object_set(kf, "status", (json_t *)s);
}

static void list_change(json_t *kf, const char *key, const json_t *cur, const json_t *prev)
{
  const json_t *v = json_object_get(cur, key);

  if (json_is_array(v) && (!prev || !json_equal(v, json_object_get(prev, key))))
    json_object_set_new(kf, key, json_deep_copy(v));
}

/* The context keys that are new or changed; removed ones go to `notes`. */
static void context_change(json_t *kf, const json_t *cur, const json_t *prev, struct buf *notes)
{
  const json_t *c = json_object_get(json_object_get(cur, "progress"), "context");
  const json_t *p = json_object_get(json_object_get(prev, "progress"), "context");
  json_t *out = json_object(), *v;
  const char *key;

  json_object_foreach((json_t *)c, key, v)
    if (!json_equal(v, json_object_get(p, key)))
      json_object_set_new(out, key, json_deep_copy(v));
  json_object_foreach((json_t *)p, key, v)
    if (json_is_object(c) && !json_object_get(c, key))
      buf_appendf(notes, "%scontext key '%s' is gone from here on; a scenario cannot remove "
                  "it, so the replay keeps it", notes->len ? "\n" : "", key);
  if (json_object_size(out) || (!prev && json_is_object(c)))
    json_object_set(kf, "context", out);
  json_decref(out);
}

/* What changed from `prev` (NULL: the first state, everything) to `cur`. */
static json_t *diff(const json_t *prev, const json_t *cur, const char *op_id, struct buf *notes)
{
  const json_t *pc = json_object_get(cur, "progress");
  const json_t *pp = json_object_get(prev, "progress");
  json_t *kf = json_object();

  status_change(kf, cur, prev);
  for (size_t i = 0; progress_fields[i]; i++)
    changed(kf, progress_fields[i], json_object_get(pc, progress_fields[i]),
            json_object_get(pp, progress_fields[i]), !prev, op_id);
  list_change(kf, "warnings", cur, prev);
  list_change(kf, "errors", cur, prev);
  context_change(kf, cur, prev, notes);
  return kf;
}

/* The keyframe for state i at `at` (first), or NULL when nothing changed. */
static json_t *keyframe(const struct record_states *s, size_t i, double at, const char *op_id,
                        json_t **note)
{
  struct buf notes = BUF_INIT;
  json_t *d = diff(i ? s->data[i - 1] : NULL, s->data[i], op_id, &notes), *kf;

  *note = notes.len ? json_string(buf_cstr(&notes)) : json_null();
  buf_release(&notes);
  if (json_object_size(d) == 0 && !json_is_string(*note)) {
    json_decref(d);
    json_decref(*note);
    return NULL;
  }
  kf = json_pack("{s:o}", "at", record_seconds(at));
  json_object_update(kf, d);
  json_decref(d);
  return kf;
}

json_t *record_keyframes(const struct record_states *s, const char *op_id, double frozen,
                         json_t **notes)
{
  json_t *list = json_array(), *kf, *note;
  size_t last = s->end < s->n ? s->end : s->n - (s->n > 0);

  *notes = json_array();
  for (size_t i = 0; s->n && i <= last; i++) {
    double at = record_change_time(s, i);

    if (i == s->end && strcmp(record_state_status(s->data[i]), "cancelled") == 0) {
      if (frozen < 0)
        break;
      at = i ? round((s->t[i - 1] + fmax(frozen, s->t[i - 1])) * 500.0) / 1000.0 : 0;
    }
    if (!(kf = keyframe(s, i, at, op_id, &note)))
      continue;
    if (json_object_size(kf) == 1) { /* only a note: keep the comment, not the step */
      json_decref(kf);
      kf = json_null();
    }
    json_array_append_new(list, kf);
    json_array_append_new(*notes, note);
  }
  return list;
}
