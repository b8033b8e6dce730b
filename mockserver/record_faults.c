/* The faults of a recording: the answers about the operation that the mock
 * would not give by itself, numbered per kind (record_scenario.h). */
#include "record_scenario.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SLOW_S 0.25   /* an answer that took this long is a slow one */

/* What the mock answers by itself: states, the 404s of a vanished
 * operation, and for cancels and results any JSON 2xx and the 4xx its
 * state explains. */
static bool natural(const struct record_answer *a, size_t index, const struct record_states *s)
{
  if (a->transfer != RECORD_COMPLETE)
    return false;
  if (a->kind == RECORD_GET)
    return record_state_of(a) || (index >= s->vanish_index && a->status == 404);
  if (a->status >= 200 && a->status < 300)
    return a->json != NULL;
  return a->status >= 400 && a->status < 500 && a->status != 408 && a->status != 429;
}

/* The answer's body as the fault writes it: detail, body or raw. */
static void fault_body(json_t *f, const struct record_answer *a, const char *op_id)
{
  const json_t *detail = json_object_get(a->json, "detail");
  json_t *raw;

  if (json_is_object(a->json) && json_object_size(a->json) == 1 && json_is_string(detail)) {
    json_object_set_new(f, "detail", record_placeholders(detail, op_id));
  } else if (a->json) {
    json_object_set_new(f, "body", record_placeholders(a->json, op_id));
  } else {
    raw = json_string(a->raw ? a->raw : "");
    json_object_set_new(f, "raw", raw ? record_placeholders(raw, op_id) : json_string(""));
    json_decref(raw);
  }
}

json_t *record_fault_action(const struct record_answer *a, bool reply, const char *op_id)
{
  json_t *f = json_object();

  if (a->transfer == RECORD_DROPPED) {
    json_object_set_new(f, "drop", json_true());
  } else if (a->transfer == RECORD_TRUNCATED) {
    json_object_set_new(f, "truncate", json_true());
  } else if (reply) {
    json_object_set_new(f, "status", json_integer(a->status));
    fault_body(f, a, op_id);
    if (a->retry_after >= 0)
      json_object_set_new(f, "retry_after", json_integer(a->retry_after));
  }
  if (a->took >= SLOW_S)
    json_object_set_new(f, "delay", json_real(round(a->took * 10.0) / 10.0));
  if (json_object_size(f) == 0) {
    json_decref(f);
    return NULL;
  }
  return f;
}

/* "3", "3-5", or "3-" for a run that lasted to the last request. */
static json_t *range(size_t from, size_t to, size_t last)
{
  char text[48];

  if (to == last)
    snprintf(text, sizeof(text), "%zu-", from);
  else if (from == to)
    return json_integer((json_int_t)from);
  else
    snprintf(text, sizeof(text), "%zu-%zu", from, to);
  return json_string(text);
}

/* The fault of `faults` (in `on`) whose action equals `action`, or a new one. */
static json_t *entry_for(json_t *faults, const char *on, const json_t *action)
{
  size_t i;
  json_t *f;

  json_array_foreach(faults, i, f) {
    json_t *act = json_deep_copy(f);

    json_object_del(act, "on");
    json_object_del(act, "requests");
    if (strcmp(json_string_value(json_object_get(f, "on")), on) == 0 && json_equal(act, action)) {
      json_decref(act);
      return f;
    }
    json_decref(act);
  }
  f = json_pack("{s:s, s:[]}", "on", on, "requests");
  json_object_update(f, (json_t *)action);
  json_array_append_new(faults, f);
  return f;
}

/* The actions of the requests of one kind, grouped into runs. */
static void add_kind(json_t *faults, const struct record_op *op, const struct record_states *s,
                     enum record_kind kind, const char *on)
{
  size_t n, i = 0;
  const struct record_answer **v = record_sorted(op, kind, &n);

  while (v && i < n) {
    json_t *action = record_fault_action(v[i], !natural(v[i], i, s), op->id), *next;
    size_t j = i + 1;

    for (; action && j < n; j++) {
      next = record_fault_action(v[j], !natural(v[j], j, s), op->id);
      bool same = next && json_equal(next, action);

      json_decref(next);
      if (!same)
        break;
    }
    if (action)
      json_array_append_new(json_object_get(entry_for(faults, on, action), "requests"),
                            range(i + 1, j, n));
    json_decref(action);
    i = j;
  }
  free(v);
}

/* A single range is written alone: "requests: 3", not "requests: [3]". */
static void simplify(json_t *faults)
{
  size_t i;
  json_t *f, *r;

  json_array_foreach(faults, i, f) {
    r = json_object_get(f, "requests");
    if (json_array_size(r) == 1)
      json_object_set(f, "requests", json_array_get(r, 0));
  }
}

json_t *record_faults(const struct record_op *op, const struct record_states *s)
{
  json_t *faults = json_array();

  add_kind(faults, op, s, RECORD_GET, "get");
  add_kind(faults, op, s, RECORD_CANCEL, "cancel");
  add_kind(faults, op, s, RECORD_RESULTS, "results");
  simplify(faults);
  return faults;
}
