#include "record_scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeutil.h"
#include "yamlout.h"

void record_answer_release(struct record_answer *a)
{
  if (!a)
    return;
  json_decref(a->json);
  free(a->raw);
  a->json = NULL;
  a->raw = NULL;
}

void record_op_release(struct record_op *op)
{
  if (!op)
    return;
  record_answer_release(&op->start);
  for (size_t i = 0; i < op->nrefused; i++)
    record_answer_release(&op->refused[i]);
  for (size_t i = 0; i < op->nanswers; i++)
    record_answer_release(&op->answers[i]);
  free(op->refused);
  free(op->answers);
  free(op->name);
  free(op->id);
  free(op->type);
  free(op->method);
  free(op->path);
  memset(op, 0, sizeof(*op));
}

/* ---- header and identity ---------------------------------------------- */

/* "2026-11-24T03:07:01Z". */
static void when(int64_t wall_us, char out[TIME_ISO_MAX])
{
  timeutil_iso(wall_us, out);
  memcpy(out + 19, "Z", 2);
}

/* "host:8000" of "http://host:8000/api/v1". */
static void host_of(const char *url, char *out, size_t size)
{
  const char *h = strstr(url, "://");

  h = h ? h + 3 : url;
  snprintf(out, size, "%.*s", (int)strcspn(h, "/"), h);
}

static int header(struct buf *b, const struct record_op *op, const struct record_meta *meta)
{
  char at[TIME_ISO_MAX];
  struct buf text = BUF_INIT;
  int rc;

  when(op->wall_us, at);
  buf_appendf(&text, "Recorded by %s record\nfrom %s\nat %s\nstarted by %s %s\n\n"
              "Replay it: ktrdr-mock --scenarios DIR --select %s=%s\n"
              "(or send the header X-Mock-Scenario: %s with the start request)",
              meta->program, meta->upstream, at, op->method, op->path, op->type, op->name,
              op->name);
  rc = yamlout_comment(b, 0, buf_cstr(&text));
  buf_release(&text);
  return rc;
}

static int identity(struct buf *b, const struct record_op *op, const struct record_meta *meta)
{
  char at[TIME_ISO_MAX], host[256], desc[400];
  json_t *j;
  const char *key;
  json_t *v;
  int rc = 0;

  when(op->wall_us, at);
  host_of(meta->upstream, host, sizeof(host));
  snprintf(desc, sizeof(desc), "Recorded from %s at %s", host, at);
  j = json_pack("{s:s, s:s, s:s}", "name", op->name, "operation_type", op->type,
                "description", desc);
  if (!j)
    return -1;
  json_object_foreach(j, key, v)
    if (rc == 0)
      rc = yamlout_entry(b, 0, key, v);
  json_decref(j);
  return rc;
}

/* ---- start --------------------------------------------------------------- */

/* The answer that stands for the starts that created no operation: the
 * folded ones (*count of them), or the start itself (*count 0: every
 * start) when it created none. NULL when there are none. */
static const struct record_answer *refusal(const struct record_op *op, size_t *count)
{
  *count = op->id ? op->nrefused : 0;
  if (!op->id)
    return &op->start;
  return op->nrefused ? &op->refused[op->nrefused - 1] : NULL;
}

/* Whether the refusal can be written as `start:` (a JSON answer). */
static bool start_answer(const struct record_answer *a)
{
  return a && a->transfer == RECORD_COMPLETE && a->json && a->status >= 200 && a->status <= 599;
}

static json_t *start_section(const struct record_op *op)
{
  size_t count;
  const struct record_answer *r = refusal(op, &count);
  const json_t *detail = json_object_get(r ? r->json : NULL, "detail");
  const json_t *est = json_object_get(op->start.json, "estimated_duration_minutes");
  json_t *st = json_object();

  if (start_answer(r)) {
    json_object_set_new(st, "status", json_integer(r->status));
    if (json_is_object(r->json) && json_object_size(r->json) == 1 && json_is_string(detail))
      json_object_set(st, "detail", (json_t *)detail);
    else
      json_object_set(st, "body", r->json);
    if (r->retry_after >= 0)
      json_object_set_new(st, "retry_after", json_integer(r->retry_after));
    if (count)
      json_object_set_new(st, "times", json_integer((json_int_t)count));
  }
  if (op->id && json_is_integer(est) && json_integer_value(est) >= 0 &&
      json_integer_value(est) <= 1000000)
    json_object_set(st, "estimated_duration_minutes", (json_t *)est);
  return st;
}

static void add_start_fault(json_t *faults, size_t from, size_t to, json_t *action)
{
  json_t *f = json_pack("{s:s}", "on", "start");
  char text[48];

  if (!action) {
    json_decref(f);
    return;
  }
  if (from && from == to) {
    json_object_set_new(f, "requests", json_integer((json_int_t)from));
  } else if (from) {
    snprintf(text, sizeof(text), "%zu-%zu", from, to);
    json_object_set_new(f, "requests", json_string(text));
  }
  json_object_update(f, action);
  json_decref(action);
  json_array_append_new(faults, f);
}

/* Refusals that are not JSON, and slow starts. */
static json_t *start_faults(const struct record_op *op)
{
  size_t count;
  const struct record_answer *r = refusal(op, &count);
  json_t *faults = json_array();

  if (r)
    add_start_fault(faults, count ? 1 : 0, count, record_fault_action(r, !start_answer(r), NULL));
  if (op->id)
    add_start_fault(faults, count + 1, count + 1, record_fault_action(&op->start, false, NULL));
  return faults;
}

/* ---- outcome -------------------------------------------------------------- */

/* The last performance body answered. */
static const json_t *performance(const struct record_op *op)
{
  const json_t *p = NULL;

  for (size_t i = 0; i < op->nanswers; i++) {
    const struct record_answer *a = &op->answers[i];

    if (a->kind == RECORD_RESULTS && a->performance && a->status == 200 &&
        a->transfer == RECORD_COMPLETE && json_is_object(a->json))
      p = a->json;
  }
  return p;
}

static json_t *ended(const struct record_op *op, const struct record_states *s)
{
  const json_t *d = s->data[s->end], *rs = json_object_get(d, "result_summary");
  const char *status = record_state_status(d);
  json_t *o = json_pack("{s:s, s:o}", "status", status, "at",
                        record_seconds(record_change_time(s, s->end)));

  if (strcmp(status, "failed") == 0) {
    json_object_set_new(o, "error_message",
                        json_is_string(json_object_get(d, "error_message"))
                            ? record_placeholders(json_object_get(d, "error_message"), op->id)
                            : json_string(""));
  } else if (json_is_object(rs)) {
    json_object_set_new(o, "result_summary", record_placeholders(rs, op->id));
  }
  if (strcmp(status, "completed") == 0 && performance(op))
    json_object_set_new(o, "performance", record_placeholders(performance(op), op->id));
  return o;
}

static json_t *outcome_section(const struct record_op *op, const struct record_states *s)
{
  if (s->end < s->n && strcmp(record_state_status(s->data[s->end]), "cancelled") != 0)
    return ended(op, s);
  if (s->end == s->n && s->vanish_at >= 0)
    return json_pack("{s:s, s:o}", "status", "vanished", "at", record_seconds(s->vanish_at));
  return json_pack("{s:s}", "status", "running");
}

/* ---- the file -------------------------------------------------------------- */

static int timeline(struct buf *b, const struct record_states *s, const char *op_id,
                    double frozen)
{
  json_t *notes, *steps = record_keyframes(s, op_id, frozen, &notes), *kf;
  size_t i;
  int rc = steps && notes ? 0 : -1;

  if (rc == 0 && json_array_size(steps))
    rc = yamlout_key(b, 0, "timeline");
  json_array_foreach(steps, i, kf) {
    const char *note = json_string_value(json_array_get(notes, i));

    if (rc == 0 && note)
      rc = yamlout_comment(b, 2, note);
    if (rc == 0 && !json_is_null(kf))
      rc = yamlout_item(b, 2, kf);
  }
  json_decref(steps);
  json_decref(notes);
  return rc;
}

/* "key:" with its comment and members (a mapping) or items (a list);
 * nothing for an empty one. Takes `value`. */
static int section(struct buf *b, const char *key, json_t *value, const char *comment)
{
  const char *k;
  json_t *v;
  size_t i;
  int rc;

  if (!value)
    return -1;
  if (json_object_size(value) + json_array_size(value) == 0) {
    json_decref(value);
    return 0;
  }
  rc = yamlout_key(b, 0, key);
  if (rc == 0 && comment)
    rc = yamlout_comment(b, 2, comment);
  json_array_foreach(value, i, v)
    if (rc == 0)
      rc = yamlout_item(b, 2, v);
  json_object_foreach(value, k, v)
    if (rc == 0)
      rc = yamlout_entry(b, 2, k, v);
  json_decref(value);
  return rc;
}

/* A cancel the proxy did not see cannot be scripted: say so. */
static const char *unseen_cancel(const struct record_states *s, const json_t *cancel)
{
  if (cancel || s->end == s->n || strcmp(record_state_status(s->data[s->end]), "cancelled") != 0)
    return NULL;
  return "the operation was cancelled by a request that did not pass the proxy; a scenario "
         "cannot cancel by itself, so the replay keeps it running";
}

static int body(struct buf *b, const struct record_op *op, const struct record_states *s)
{
  char *comment = NULL;
  double frozen = -1;
  json_t *cancel = op->id ? record_cancel(op, s, &comment, &frozen) : NULL;
  json_t *faults = start_faults(op), *more = op->id ? record_faults(op, s) : json_array();
  bool operation = op->id || !start_answer(&op->start);
  int rc;

  json_array_extend(faults, more);
  json_decref(more);
  rc = section(b, "start", start_section(op), NULL);
  if (rc == 0 && op->id)
    rc = timeline(b, s, op->id, frozen);
  if (rc == 0 && operation)
    rc = section(b, "outcome", outcome_section(op, s), unseen_cancel(s, cancel));
  if (rc == 0 && cancel)
    rc = section(b, "cancel", json_incref(cancel), comment);
  if (rc == 0)
    rc = section(b, "faults", json_incref(faults), NULL);
  json_decref(cancel);
  json_decref(faults);
  free(comment);
  return rc;
}

int record_scenario_render(const struct record_op *op, const struct record_meta *meta,
                           struct buf *out)
{
  struct record_states s;
  int rc;

  if (record_states_init(&s, op) < 0)
    return -1;
  rc = header(out, op, meta) < 0 || identity(out, op, meta) < 0 ? -1 : body(out, op, &s);
  record_states_release(&s);
  return rc;
}
