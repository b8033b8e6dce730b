#include "scenario.h"

#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expand.h"

const char *const scenario_types[] = { "dummy", "training", "data_load", NULL };

bool scenario_type_known(const char *type)
{
  for (size_t i = 0; type && scenario_types[i]; i++)
    if (strcmp(type, scenario_types[i]) == 0)
      return true;
  return false;
}

struct scenario *scenario_new(void)
{
  struct scenario *sc = calloc(1, sizeof(*sc));

  if (!sc)
    return NULL;
  sc->start.retry_after = -1;
  sc->start.estimated_minutes = 30;
  sc->outcome.status = SCENARIO_COMPLETED;
  sc->cancel.mode = TIMELINE_CANCEL_NOW;
  atomic_init(&sc->starts, 0);
  return sc;
}

static void keyframe_release(struct scenario_keyframe *kf)
{
  free(kf->status);
  free(kf->current_step);
  free(kf->current_item);
  json_decref(kf->context);
  json_decref(kf->warnings);
  json_decref(kf->errors);
}

static void steps_free(struct scenario_step *steps, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    if (steps[i].gen && steps[i].gen->free)
      steps[i].gen->free(steps[i].gen_params);
    keyframe_release(&steps[i].kf);
  }
  free(steps);
}

static void faults_release(struct scenario_fault *f, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    free(f[i].ranges);
    fault_hit_release(&f[i].hit);
  }
  free(f);
}

void scenario_free(struct scenario **scp)
{
  struct scenario *sc = scp ? *scp : NULL;

  if (!sc)
    return;
  free(sc->name);
  free(sc->operation_type);
  free(sc->description);
  free(sc->file);
  for (size_t i = 0; i < sc->nmatch; i++) {
    free(sc->match[i].path);
    json_decref(sc->match[i].values);
  }
  free(sc->match);
  free(sc->start.detail);
  json_decref(sc->start.body);
  steps_free(sc->steps, sc->nsteps);
  json_decref(sc->outcome.result_summary);
  json_decref(sc->outcome.performance);
  free(sc->outcome.error_message);
  free(sc->cancel.refusal);
  json_decref(sc->cancel.result_summary);
  free(sc->cancel.current_step);
  faults_release(sc->faults, sc->nfaults);
  free(sc);
  *scp = NULL;
}

/* The value at a dotted path ("filters.trading_hours_only"). */
static const json_t *lookup(const json_t *obj, const char *path)
{
  char key[128];

  while (obj && *path) {
    size_t n = strcspn(path, ".");

    if (n >= sizeof(key))
      return NULL;
    memcpy(key, path, n);
    key[n] = '\0';
    obj = json_object_get(obj, key);
    path += n + (path[n] == '.');
  }
  return obj;
}

/* A payload value against one rule value: strings by glob, else equality
 * (numbers across integer/real). A list in the payload matches when any of
 * its items does. */
static bool value_matches(const json_t *have, const json_t *want)
{
  size_t i;
  json_t *item;

  if (json_is_array(have)) {
    json_array_foreach(have, i, item)
      if (value_matches(item, want))
        return true;
    return false;
  }
  if (json_is_string(want) && json_is_string(have))
    return fnmatch(json_string_value(want), json_string_value(have), 0) == 0;
  if (json_is_number(want) && json_is_number(have))
    return json_number_value(want) == json_number_value(have);
  return json_equal(have, want);
}

static bool rule_holds(const struct scenario_match *m, const json_t *payload)
{
  const json_t *have = lookup(payload, m->path);
  size_t i;
  json_t *want;

  if (!have)
    return false;
  json_array_foreach(m->values, i, want)
    if (value_matches(have, want))
      return true;
  return false;
}

bool scenario_matches(const struct scenario *sc, const json_t *payload)
{
  if (sc->nmatch == 0 || !json_is_object(payload))
    return false;
  for (size_t i = 0; i < sc->nmatch; i++)
    if (!rule_holds(&sc->match[i], payload))
      return false;
  return true;
}

static bool on_covers(enum scenario_on fault_on, enum scenario_on on)
{
  return fault_on == on || (fault_on == SCENARIO_ON_ANY && on != SCENARIO_ON_START);
}

static bool index_in(const struct scenario_fault *f, long index)
{
  if (f->nranges == 0)
    return true;
  for (size_t i = 0; i < f->nranges; i++)
    if (index >= f->ranges[i].from && index <= f->ranges[i].to)
      return true;
  return false;
}

static bool time_in(const struct scenario_fault *f, double elapsed_s)
{
  return !f->has_window || (elapsed_s >= f->from_s && elapsed_s < f->until_s);
}

bool scenario_fault_for(const struct scenario *sc, enum scenario_on on, long index,
                        double elapsed_s, const char *op_id, struct fault_hit *hit)
{
  for (size_t i = 0; i < sc->nfaults; i++) {
    const struct scenario_fault *f = &sc->faults[i];

    if (!on_covers(f->on, on) || !index_in(f, index) || !time_in(f, elapsed_s))
      continue;
    *hit = f->hit;
    hit->body = expand_text(f->hit.body, NULL, op_id);
    return true;
  }
  return false;
}

long scenario_count_start(struct scenario *sc)
{
  return atomic_fetch_add(&sc->starts, 1) + 1;
}

bool scenario_start_responds(const struct scenario *sc, long index)
{
  return sc->start.status != 0 && (sc->start.times == 0 || index <= sc->start.times);
}

void scenario_reset_counts(struct scenario *sc)
{
  atomic_store(&sc->starts, 0);
}
