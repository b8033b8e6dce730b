#include "scenario_timeline.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "expand.h"

/* One operation playing a scenario. */
struct play {
  const struct scenario *sc;
  json_t *vars;
  double end_s;        /* the outcome's time; INFINITY = never */
  double span[];       /* per step: start, duration */
};

/* Step i's start and duration for this request; returns the end of all. */
static double lay_out(const struct scenario *sc, const json_t *vars, double *span)
{
  double t = 0;

  for (size_t i = 0; i < sc->nsteps; i++) {
    const struct scenario_step *st = &sc->steps[i];
    double start = st->absolute ? fmax(st->at, t) : t + st->at;
    double dur = st->gen ? fmax(st->gen->duration(st->gen_params, vars), 0) : 0;

    span[2 * i] = start;
    span[2 * i + 1] = dur;
    t = start + dur;
  }
  return t;
}

static double end_time(const struct scenario *sc, double timeline_end)
{
  if (sc->outcome.status == SCENARIO_RUNNING)
    return INFINITY;
  return sc->outcome.has_at ? sc->outcome.at : timeline_end;
}

double scenario_timeline_end(const struct scenario *sc, const json_t *vars)
{
  double *span = calloc(2 * sc->nsteps + 1, sizeof(*span));
  double end;

  if (!span)
    return NAN;
  end = end_time(sc, lay_out(sc, vars, span));
  free(span);
  return end;
}

/* ---- applying steps ---------------------------------------------------- */

static void set_status(struct operation *op, const char *status)
{
  op->status = op_status_parse(status);
  operation_set_str(&op->status_text, op->status == OP_STATUS_OTHER ? status : NULL);
}

static void set_text(char **field, const char *tmpl, const json_t *vars, const char *op_id)
{
  free(*field);
  *field = expand_text(tmpl, vars, op_id);
}

static void replace_list(json_t **field, json_t *list)
{
  json_decref(*field);
  *field = json_incref(list);
}

static void apply_counts(const struct scenario_keyframe *kf, struct op_progress *pr)
{
  if (kf->fields & SCENARIO_F_PERCENTAGE)
    pr->percentage = kf->percentage;
  if (kf->fields & SCENARIO_F_STEPS_COMPLETED)
    pr->steps_completed = kf->steps_completed;
  if (kf->fields & SCENARIO_F_STEPS_TOTAL)
    pr->steps_total = kf->steps_total;
  if (kf->fields & SCENARIO_F_ITEMS_PROCESSED)
    pr->items_processed = kf->items_processed;
  if (kf->fields & SCENARIO_F_ITEMS_TOTAL)
    pr->items_total = kf->items_total;
}

static void apply_keyframe(const struct play *p, const struct scenario_keyframe *kf,
                           struct operation *op)
{
  if (kf->fields & SCENARIO_F_STATUS)
    set_status(op, kf->status);
  apply_counts(kf, &op->progress);
  if (kf->fields & SCENARIO_F_CURRENT_STEP)
    set_text(&op->progress.current_step, kf->current_step, p->vars, op->id);
  if (kf->fields & SCENARIO_F_CURRENT_ITEM)
    set_text(&op->progress.current_item, kf->current_item, p->vars, op->id);
  if (kf->context)
    json_object_update(op->progress.context, kf->context);
  if (kf->fields & SCENARIO_F_WARNINGS)
    replace_list(&op->warnings, kf->warnings);
  if (kf->fields & SCENARIO_F_ERRORS)
    replace_list(&op->errors, kf->errors);
}

/* Applies every step begun by `t`, in order. */
static int apply_steps(const struct play *p, double t, struct operation *op, struct err *err)
{
  for (size_t i = 0; i < p->sc->nsteps && p->span[2 * i] <= t; i++) {
    const struct scenario_step *st = &p->sc->steps[i];
    double u = fmin(t - p->span[2 * i], p->span[2 * i + 1]);

    if (!st->gen)
      apply_keyframe(p, &st->kf, op);
    else if (st->gen->state_at(st->gen_params, p->vars, u, op, err) < 0)
      return -1;
  }
  return 0;
}

/* ---- the outcome ------------------------------------------------------- */

/* `add` merged into `base` (both objects): objects merge key by key,
 * anything else replaces. */
static void deep_merge(json_t *base, const json_t *add)
{
  const char *key;
  json_t *v;

  json_object_foreach((json_t *)add, key, v) {
    json_t *have = json_object_get(base, key);

    if (json_is_object(have) && json_is_object(v))
      deep_merge(have, v);
    else
      json_object_set(base, key, v);
  }
}

/* The generators' summary (the last one that has one), merged with the
 * scenario's. */
static json_t *result_summary(const struct play *p, const struct operation *op)
{
  json_t *rs = NULL, *extra;

  for (size_t i = p->sc->nsteps; !rs && i-- > 0;) {
    const struct scenario_step *st = &p->sc->steps[i];

    if (st->gen && st->gen->result_summary)
      rs = st->gen->result_summary(st->gen_params, p->vars, op);
  }
  if (!p->sc->outcome.result_summary)
    return rs;
  extra = expand_json(p->sc->outcome.result_summary, p->vars, op->id);
  if (!rs)
    return extra;
  deep_merge(rs, extra);
  json_decref(extra);
  return rs;
}

static int finish(const struct play *p, struct operation *op, struct err *err)
{
  const struct scenario_outcome *o = &p->sc->outcome;

  if (o->status == SCENARIO_FAILED) {
    set_status(op, "failed");
    set_text(&op->error_message, o->error_message, p->vars, op->id);
    return op->error_message ? 0 : err_set(err, ERR_NOMEM, "cannot build the failure");
  }
  set_status(op, "completed");
  op->progress.percentage = 100.0;
  json_decref(op->result_summary);
  op->result_summary = result_summary(p, op);
  return 0;
}

static bool ends(const struct play *p, double t)
{
  enum scenario_end s = p->sc->outcome.status;

  return (s == SCENARIO_COMPLETED || s == SCENARIO_FAILED) && t >= p->end_s;
}

static int state_at(const void *self, double t, struct operation *op, double *end_s,
                    struct err *err)
{
  const struct play *p = self;
  bool ended = ends(p, t);

  *end_s = 0;
  set_status(op, "running");
  if (!op->progress.context)
    op->progress.context = json_object();
  if (!op->progress.context)
    return err_set(err, ERR_NOMEM, "cannot build the progress");
  if (apply_steps(p, ended ? p->end_s : t, op, err) < 0)
    return -1;
  if (!ended)
    return 0;
  *end_s = p->end_s;
  return finish(p, op, err);
}

/* ---- the other hooks --------------------------------------------------- */

static void traits(const void *self, struct timeline_traits *out)
{
  const struct play *p = self;
  const struct scenario_cancel *c = &p->sc->cancel;

  out->cancel = c->mode;
  out->cancel_delay_s = c->delay_s;
  out->refusal = c->refusal;
  out->vanish_at_s = p->sc->outcome.status == SCENARIO_VANISHED ? p->end_s : -1.0;
}

/* The last generator's idea of the flipped record, then the scenario's. */
static int flip(const void *self, struct operation *op, struct err *err)
{
  const struct play *p = self;
  const struct scenario_cancel *c = &p->sc->cancel;

  for (size_t i = p->sc->nsteps; i-- > 0;) {
    const struct scenario_step *st = &p->sc->steps[i];

    if (st->gen && st->gen->flip) {
      if (st->gen->flip(st->gen_params, p->vars, op, err) < 0)
        return -1;
      break;
    }
  }
  op->progress.percentage = 100.0;
  if (c->current_step)
    set_text(&op->progress.current_step, c->current_step, p->vars, op->id);
  if (c->result_summary) {
    json_decref(op->result_summary);
    op->result_summary = expand_json(c->result_summary, p->vars, op->id);
  }
  if (!op->result_summary)
    op->result_summary = json_pack("{s:s}", "status", "cancelled");
  return 0;
}

static bool fault_for(const void *self, enum timeline_request kind, long index, double elapsed_s,
                      const char *op_id, struct fault_hit *hit)
{
  static const enum scenario_on on[] = {
    [TIMELINE_REQ_GET] = SCENARIO_ON_GET,
    [TIMELINE_REQ_CANCEL] = SCENARIO_ON_CANCEL,
    [TIMELINE_REQ_RESULTS] = SCENARIO_ON_RESULTS,
  };
  const struct play *p = self;

  return scenario_fault_for(p->sc, on[kind], index, elapsed_s, op_id, hit);
}

/* Changes come from the next step, the running generator and the outcome. */
static double next_change(const void *self, double t)
{
  const struct play *p = self;
  double next = ends(p, t) ? INFINITY : p->end_s;

  for (size_t i = 0; i < p->sc->nsteps; i++) {
    const struct scenario_step *st = &p->sc->steps[i];
    double start = p->span[2 * i], dur = p->span[2 * i + 1];

    if (start > t)
      return fmin(next, start);
    if (!st->gen || t >= start + dur)
      continue;
    if (!st->gen->next_change)
      return t; /* not cacheable */
    next = fmin(next, fmin(start + st->gen->next_change(st->gen_params, p->vars, t - start),
                           start + dur));
  }
  return next;
}

static json_t *performance(const void *self, const char *op_id)
{
  const struct play *p = self;

  if (!p->sc->outcome.performance)
    return NULL;
  return expand_json(p->sc->outcome.performance, p->vars, op_id);
}

static void play_free(void *self)
{
  struct play *p = self;

  if (!p)
    return;
  json_decref(p->vars);
  free(p);
}

static const struct timeline_ops scenario_timeline_ops = {
  .name = "scenario",
  .state_at = state_at,
  .traits = traits,
  .flip = flip,
  .fault_for = fault_for,
  .next_change = next_change,
  .performance = performance,
  .free = play_free,
};

int scenario_timeline_new(const struct scenario *sc, json_t *vars, struct timeline *out,
                          struct err *err)
{
  struct play *p = calloc(1, sizeof(*p) + 2 * sc->nsteps * sizeof(double));

  out->ops = NULL;
  out->self = NULL;
  if (!p) {
    json_decref(vars);
    return err_set(err, ERR_NOMEM, "cannot allocate the scenario '%s'", sc->name);
  }
  p->sc = sc;
  p->vars = vars ? vars : json_object();
  p->end_s = end_time(sc, lay_out(sc, p->vars, p->span));
  out->ops = &scenario_timeline_ops;
  out->self = p;
  return 0;
}
