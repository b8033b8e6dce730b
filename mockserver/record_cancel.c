/* The cancel mode of a recording, from its cancel requests and the states
 * after them (record_scenario.h). */
#include "record_scenario.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool accepted(const struct record_answer *a)
{
  return a->transfer == RECORD_COMPLETE && a->status >= 200 && a->status < 300;
}

/* A 4xx that says no (not: unknown, a bad body, too many requests). */
static bool refusal(const struct record_answer *a)
{
  return a->transfer == RECORD_COMPLETE && a->status >= 400 && a->status < 500 &&
         a->status != 404 && a->status != 408 && a->status != 422 && a->status != 429;
}

/* The first state asked for after `after`; s->n when none. */
static size_t first_state_after(const struct record_states *s, double after)
{
  size_t i = 0;

  while (i < s->n && s->t[i] <= after)
    i++;
  return i;
}

static bool status_is(const struct record_states *s, size_t i, const char *status)
{
  return i < s->n && strcmp(record_state_status(s->data[i]), status) == 0;
}

static char *describe(const struct record_answer *a, const char *then)
{
  struct buf b = BUF_INIT;

  if (buf_appendf(&b, "the cancel request sent at %.3f s was answered %d after %.3f s; %s",
                  a->t, a->status, a->took, then) < 0) {
    buf_release(&b);
    return NULL;
  }
  return buf_detach(&b);
}

static json_t *refused(const struct record_op *op, const struct record_states *s,
                       const struct record_answer *a, char **comment)
{
  size_t j = first_state_after(s, a->t + a->took);
  const json_t *detail = json_object_get(a->json, "detail");
  json_t *c;

  if ((j < s->n && record_state_terminal(s->data[j])) ||
      (s->end < s->n && s->t[s->end] <= a->t))
    return NULL; /* it had ended: the answer every finished operation gets */
  c = json_pack("{s:s}", "mode", "refused");
  if (json_is_string(detail))
    json_object_set_new(c, "detail", record_placeholders(detail, op->id));
  *comment = describe(a, a->status == 400 ? "the operation ran on"
                                          : "the operation ran on (the replay answers 400)");
  return c;
}

/* Cancelled, then completed: the live server's race (§2.7). */
static json_t *flip(const struct record_op *op, const struct record_states *s, size_t m,
                    double tc)
{
  const json_t *d = s->data[m], *rs = json_object_get(d, "result_summary");
  const json_t *step = json_object_get(json_object_get(d, "progress"), "current_step");
  json_t *c = json_pack("{s:s, s:o}", "mode", "flip", "delay",
                        record_seconds(record_change_time(s, m) - tc));

  if (json_is_object(rs))
    json_object_set_new(c, "result_summary", record_placeholders(rs, op->id));
  if (json_is_string(step))
    json_object_set_new(c, "current_step", record_placeholders(step, op->id));
  return c;
}

static json_t *cancelled(const struct record_op *op, const struct record_states *s,
                         const struct record_answer *a, size_t j, char **comment,
                         double *frozen)
{
  size_t k = s->end, m = k + 1;
  double tc = a->t, at = fmax(record_change_time(s, k), tc);
  char then[160];

  while (m < s->n && !status_is(s, m, "completed"))
    m++;
  snprintf(then, sizeof(then), "cancelled seen from %.3f s on, %.3f s after it%s", at, at - tc,
           m < s->n ? ", completed later" : "");
  *comment = describe(a, then);
  *frozen = m < s->n || k == j || at <= tc ? tc : at;
  if (m < s->n)
    return flip(op, s, m, tc);
  if (k == j || at <= tc)
    return json_pack("{s:s}", "mode", "immediate");
  return json_pack("{s:s, s:o}", "mode", "delayed", "delay", record_seconds(at - tc));
}

static json_t *accepted_mode(const struct record_op *op, const struct record_states *s,
                             const struct record_answer *a, char **comment, double *frozen)
{
  size_t j = first_state_after(s, a->t + a->took);

  if (s->end < s->n && s->end >= j && status_is(s, s->end, "cancelled"))
    return cancelled(op, s, a, j, comment, frozen);
  *comment = describe(a, s->end < s->n && s->end >= j
                             ? "the operation ran on to its end"
                             : "no cancelled status was seen before the recording ended");
  return json_pack("{s:s}", "mode", "ignored");
}

json_t *record_cancel(const struct record_op *op, const struct record_states *s,
                      char **comment, double *frozen)
{
  size_t n;
  const struct record_answer **v = record_sorted(op, RECORD_CANCEL, &n);
  const struct record_answer *acc = NULL, *ref = NULL;
  json_t *c = NULL;

  *comment = NULL;
  *frozen = -1;
  for (size_t i = 0; v && i < n; i++) {
    if (!acc && accepted(v[i]))
      acc = v[i];
    if (!ref && refusal(v[i]))
      ref = v[i];
  }
  if (acc)
    c = accepted_mode(op, s, acc, comment, frozen);
  else if (ref)
    c = refused(op, s, ref, comment);
  free(v);
  return c;
}
