#include "scenario_yaml.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "http_reply.h"
#include "yamldoc.h"

#define MAX_TIME 1e9          /* simulated seconds: about 31 years */

/* One load: the document and where errors go. */
struct load {
  const struct yamldoc *d;
  struct err *err;
};

static int fail(const struct load *l, const struct ynode *n, const char *what)
{
  return yamldoc_error(l->d, n, l->err, "%s", what);
}

static int nomem(const struct load *l)
{
  return err_set(l->err, ERR_NOMEM, "%s: out of memory", l->d->file);
}

/* A mapping value converted to JSON (objects only when `object`). */
static int json_member(const struct load *l, const struct ynode *map, const char *key,
                       bool object, json_t **out)
{
  const struct ynode *v = ynode_get(map, key);

  if (!v)
    return 0;
  if (object && !ynode_is_map(v))
    return yamldoc_error(l->d, v, l->err, "'%s' must be a mapping (key: value lines)", key);
  json_decref(*out);
  *out = ynode_to_json(v);
  return *out ? 1 : nomem(l);
}

/* ---- top level: name, type, description, default, match ------------- */

static bool valid_name(const char *s)
{
  if (!*s)
    return false;
  for (; *s; s++)
    if (!isalnum((unsigned char)*s) && !strchr("_-.", *s))
      return false;
  return true;
}

static int read_identity(const struct load *l, const struct ynode *root, struct scenario *sc)
{
  if (yamldoc_text(l->d, root, "name", &sc->name, l->err) < 0 ||
      yamldoc_text(l->d, root, "operation_type", &sc->operation_type, l->err) < 0 ||
      yamldoc_text(l->d, root, "description", &sc->description, l->err) < 0 ||
      yamldoc_bool(l->d, root, "default", &sc->is_default, l->err) < 0)
    return -1;
  if (!sc->name || !valid_name(sc->name))
    return fail(l, sc->name ? ynode_get(root, "name") : root,
                "'name' must be letters, digits, '_', '-' or '.'");
  if (!sc->operation_type)
    return fail(l, root, "missing 'operation_type': expected dummy, training or data_load");
  if (!scenario_type_known(sc->operation_type))
    return yamldoc_error(l->d, ynode_get(root, "operation_type"), l->err,
                         "unknown operation_type '%s': expected dummy, training or data_load",
                         sc->operation_type);
  if (!sc->description && !(sc->description = strdup("")))
    return nomem(l);
  return 0;
}

static int read_rule(const struct load *l, const struct ynode *key, const struct ynode *val,
                     struct scenario_match *m)
{
  if (!ynode_is_scalar(key) || !*key->text)
    return fail(l, key, "a match rule's key must be a payload field name");
  if (!(m->path = strdup(key->text)))
    return nomem(l);
  m->values = ynode_to_json(val);
  if (m->values && !json_is_array(m->values))
    m->values = json_pack("[o]", m->values);
  if (!m->values)
    return nomem(l);
  for (size_t i = 0; i < json_array_size(m->values); i++)
    if (json_is_object(json_array_get(m->values, i)) ||
        json_is_array(json_array_get(m->values, i)))
      return fail(l, val, "a match value must be text, a number, true/false or a list of them");
  return 0;
}

static int read_match(const struct load *l, const struct ynode *root, struct scenario *sc)
{
  const struct ynode *m = ynode_get(root, "match");

  if (!m)
    return 0;
  if (!ynode_is_map(m) || m->n == 0)
    return fail(l, m, "'match' must map payload fields to values, e.g. strategy_name: x");
  sc->match = calloc(m->n / 2, sizeof(*sc->match));
  if (!sc->match)
    return nomem(l);
  for (size_t i = 0; i + 1 < m->n; i += 2)
    if (read_rule(l, m->items[i], m->items[i + 1], &sc->match[sc->nmatch++]) < 0)
      return -1;
  return 0;
}

/* ---- start ------------------------------------------------------------- */

static const char *const start_keys[] = { "status", "detail", "body", "retry_after", "times",
                                          "estimated_duration_minutes", NULL };

static int check_start(const struct load *l, const struct ynode *n, struct scenario_start *st)
{
  bool answers = st->detail || st->body || st->retry_after >= 0 || st->times;

  if (st->detail && st->body)
    return fail(l, n, "give either 'detail' or 'body' in 'start', not both");
  if (answers && !st->status)
    return fail(l, n, "'start' needs a 'status' to answer with (e.g. 400)");
  if (st->status == 200 && !st->body)
    return fail(l, n, "a 'start' answered with status 200 needs a 'body'");
  return 0;
}

static int read_start(const struct load *l, const struct ynode *root, struct scenario *sc)
{
  const struct ynode *n = ynode_get(root, "start");
  struct scenario_start *st = &sc->start;
  long v;

  if (!n)
    return 0;
  if (!ynode_is_map(n))
    return fail(l, n, "'start' must be a mapping");
  if (yamldoc_check_keys(l->d, n, start_keys, "start", l->err) < 0 ||
      yamldoc_long(l->d, n, "status", 200, 599, &v, l->err) < 0)
    return -1;
  st->status = ynode_get(n, "status") ? (int)v : 0;
  if (yamldoc_long(l->d, n, "retry_after", 0, 86400, &v, l->err) < 0)
    return -1;
  st->retry_after = ynode_get(n, "retry_after") ? (int)v : -1;
  if (yamldoc_text(l->d, n, "detail", &st->detail, l->err) < 0 ||
      json_member(l, n, "body", false, &st->body) < 0 ||
      yamldoc_long(l->d, n, "times", 1, LONG_MAX, &st->times, l->err) < 0 ||
      yamldoc_long(l->d, n, "estimated_duration_minutes", 0, 1000000, &st->estimated_minutes,
                   l->err) < 0)
    return -1;
  return check_start(l, n, st);
}

/* ---- timeline ------------------------------------------------------------ */

static const char *const step_keys[] = {
  "at", "after", "status", "percentage", "current_step", "steps_completed", "steps_total",
  "items_processed", "items_total", "current_item", "context", "warnings", "errors",
  "dummy", "training", "data_load", NULL,
};


/* A nullable text field: null → NULL with the field set. */
static int read_nullable(const struct load *l, const struct ynode *map, const char *key,
                         unsigned bit, char **out, unsigned *fields)
{
  const struct ynode *v = ynode_get(map, key);

  if (!v)
    return 0;
  *fields |= bit;
  if (ynode_is_null(v))
    return 0;
  return yamldoc_text(l->d, map, key, out, l->err) < 0 ? -1 : 0;
}

static int read_status(const struct load *l, const struct ynode *n, struct scenario_keyframe *kf)
{
  int rc = yamldoc_text(l->d, n, "status", &kf->status, l->err);

  if (rc <= 0)
    return rc;
  kf->fields |= SCENARIO_F_STATUS;
  if (op_status_is_terminal(op_status_parse(kf->status)))
    return fail(l, ynode_get(n, "status"),
                "a keyframe's status must not be terminal: end the operation with 'outcome'");
  return 0;
}

static int read_counts(const struct load *l, const struct ynode *n, struct scenario_keyframe *kf)
{
  static const struct { const char *key; unsigned bit; size_t off; } counts[] = {
    { "steps_completed", SCENARIO_F_STEPS_COMPLETED,
      offsetof(struct scenario_keyframe, steps_completed) },
    { "steps_total", SCENARIO_F_STEPS_TOTAL, offsetof(struct scenario_keyframe, steps_total) },
    { "items_processed", SCENARIO_F_ITEMS_PROCESSED,
      offsetof(struct scenario_keyframe, items_processed) },
  };

  for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
    int rc = yamldoc_long(l->d, n, counts[i].key, 0, LONG_MAX,
                          (long *)(void *)((char *)kf + counts[i].off), l->err);

    if (rc < 0)
      return -1;
    kf->fields |= rc ? counts[i].bit : 0;
  }
  return 0;
}

static int read_items_total(const struct load *l, const struct ynode *n,
                            struct scenario_keyframe *kf)
{
  const struct ynode *v = ynode_get(n, "items_total");

  if (!v)
    return 0;
  kf->fields |= SCENARIO_F_ITEMS_TOTAL;
  kf->items_total = -1;
  if (ynode_is_null(v))
    return 0;
  return yamldoc_long(l->d, n, "items_total", 0, LONG_MAX, &kf->items_total, l->err) < 0 ? -1
                                                                                        : 0;
}

static int read_list(const struct load *l, const struct ynode *n, const char *key, unsigned bit,
                     json_t **out, unsigned *fields)
{
  const struct ynode *v = ynode_get(n, key);

  if (!v)
    return 0;
  if (!ynode_is_seq(v))
    return yamldoc_error(l->d, v, l->err, "'%s' must be a list of texts", key);
  *fields |= bit;
  *out = ynode_to_json(v);
  return *out ? 0 : nomem(l);
}

static int read_keyframe(const struct load *l, const struct ynode *n, struct scenario_keyframe *kf)
{
  int rc = yamldoc_number(l->d, n, "percentage", 0, 100, &kf->percentage, l->err);

  if (rc < 0)
    return -1;
  kf->fields |= rc ? SCENARIO_F_PERCENTAGE : 0;
  if (read_status(l, n, kf) < 0 || read_counts(l, n, kf) < 0 || read_items_total(l, n, kf) < 0 ||
      read_nullable(l, n, "current_step", SCENARIO_F_CURRENT_STEP, &kf->current_step,
                    &kf->fields) < 0 ||
      read_nullable(l, n, "current_item", SCENARIO_F_CURRENT_ITEM, &kf->current_item,
                    &kf->fields) < 0 ||
      json_member(l, n, "context", true, &kf->context) < 0 ||
      read_list(l, n, "warnings", SCENARIO_F_WARNINGS, &kf->warnings, &kf->fields) < 0 ||
      read_list(l, n, "errors", SCENARIO_F_ERRORS, &kf->errors, &kf->fields) < 0)
    return -1;
  if (!kf->fields && !kf->context)
    return fail(l, n, "this step sets nothing: give fields such as current_step or context, "
                      "or a generator (dummy, training, data_load)");
  return 0;
}

/* The generator key of a step, if any (at most one). */
static int find_generator(const struct load *l, const struct ynode *n, const struct gen_ops **gen,
                          const struct ynode **params)
{
  *gen = NULL;
  for (size_t i = 0; i + 1 < n->n; i += 2) {
    const struct gen_ops *g = gen_find(n->items[i]->text);

    if (!g)
      continue;
    if (*gen)
      return fail(l, n->items[i], "one generator per step: split them into two steps");
    *gen = g;
    *params = n->items[i + 1];
  }
  return 0;
}

static int read_generator(const struct load *l, const struct ynode *n, const struct scenario *sc,
                          struct scenario_step *st, const struct ynode *params)
{
  const char *const allowed[] = { "at", "after", st->gen->name, NULL };

  if (yamldoc_check_keys(l->d, n, allowed, "a generator step", l->err) < 0)
    return -1;
  if (st->gen->operation_type && strcmp(st->gen->operation_type, sc->operation_type) != 0)
    return yamldoc_error(l->d, n, l->err, "the %s generator is for %s operations, not %s",
                         st->gen->name, st->gen->operation_type, sc->operation_type);
  if (ynode_is_null(params))
    params = NULL;
  else if (!ynode_is_map(params))
    return yamldoc_error(l->d, params, l->err, "'%s' must be a mapping of parameters (or {})",
                         st->gen->name);
  return st->gen->parse(l->d, params, &st->gen_params, l->err);
}

static int read_when(const struct load *l, const struct ynode *n, struct scenario_step *st)
{
  int a = yamldoc_number(l->d, n, "at", 0, MAX_TIME, &st->at, l->err), b;

  if (a < 0)
    return -1;
  if (a && ynode_get(n, "after"))
    return fail(l, ynode_get(n, "after"), "give either 'at' or 'after', not both");
  st->absolute = a == 1;
  b = a ? 0 : yamldoc_number(l->d, n, "after", 0, MAX_TIME, &st->at, l->err);
  return b < 0 ? -1 : 0;
}

static int read_step(const struct load *l, const struct ynode *n, const struct scenario *sc,
                     struct scenario_step *st)
{
  const struct ynode *params = NULL;

  if (!ynode_is_map(n))
    return fail(l, n, "a timeline step must be a mapping (at/after plus fields or a generator)");
  st->line = n->line;
  if (yamldoc_check_keys(l->d, n, step_keys, "a timeline step", l->err) < 0 ||
      read_when(l, n, st) < 0 || find_generator(l, n, &st->gen, &params) < 0)
    return -1;
  if (st->gen)
    return read_generator(l, n, sc, st, params);
  return read_keyframe(l, n, &st->kf);
}

/* Absolute times must not go back: a step never begins before the one
 * before it. */
static int check_order(const struct load *l, const struct ynode *seq, const struct scenario *sc)
{
  double last = 0;

  for (size_t i = 0; i < sc->nsteps; i++) {
    if (!sc->steps[i].absolute)
      continue;
    if (sc->steps[i].at < last)
      return yamldoc_error(l->d, seq->items[i], l->err,
                           "'at: %g' is before an earlier step's 'at: %g': steps run in order",
                           sc->steps[i].at, last);
    last = sc->steps[i].at;
  }
  return 0;
}

static int read_timeline(const struct load *l, const struct ynode *root, struct scenario *sc)
{
  const struct ynode *t = ynode_get(root, "timeline");

  if (!t)
    return 0;
  if (!ynode_is_seq(t))
    return fail(l, t, "'timeline' must be a list of steps (lines starting with '- ')");
  sc->steps = calloc(t->n ? t->n : 1, sizeof(*sc->steps));
  if (!sc->steps)
    return nomem(l);
  for (size_t i = 0; i < t->n; i++)
    if (read_step(l, t->items[i], sc, &sc->steps[sc->nsteps++]) < 0)
      return -1;
  return check_order(l, t, sc);
}

/* ---- outcome --------------------------------------------------------- */

static const char *const outcome_keys[] = { "status", "at", "result_summary", "performance",
                                            "error_message", NULL };

static int outcome_status(const struct load *l, const struct ynode *n, struct scenario_outcome *o)
{
  static const char *const names[] = { "completed", "failed", "running", "vanished" };
  const struct ynode *v = ynode_get(n, "status");

  if (!v)
    return 0;
  for (size_t i = 0; ynode_is_scalar(v) && i < sizeof(names) / sizeof(names[0]); i++) {
    if (strcmp(v->text, names[i]) == 0) {
      o->status = (enum scenario_end)i;
      return 0;
    }
  }
  return fail(l, v, "outcome 'status' must be completed, failed, running or vanished");
}

static int check_outcome(const struct load *l, const struct ynode *n,
                         const struct scenario_outcome *o)
{
  if (o->status == SCENARIO_FAILED && !o->error_message)
    return fail(l, n, "a failed outcome needs an 'error_message'");
  if (o->status != SCENARIO_FAILED && o->error_message)
    return fail(l, ynode_get(n, "error_message"), "'error_message' is for a failed outcome");
  if (o->status != SCENARIO_COMPLETED && o->result_summary)
    return fail(l, ynode_get(n, "result_summary"), "'result_summary' is for a completed outcome");
  if (o->status != SCENARIO_COMPLETED && o->performance)
    return fail(l, ynode_get(n, "performance"), "'performance' is for a completed outcome");
  if (o->status == SCENARIO_RUNNING && o->has_at)
    return fail(l, ynode_get(n, "at"), "a running outcome never ends: remove 'at'");
  return 0;
}

static int read_outcome(const struct load *l, const struct ynode *root, struct scenario *sc)
{
  const struct ynode *n = ynode_get(root, "outcome");
  struct scenario_outcome *o = &sc->outcome;
  int rc;

  if (!n)
    return 0;
  if (!ynode_is_map(n))
    return fail(l, n, "'outcome' must be a mapping (status, at, ...)");
  if (yamldoc_check_keys(l->d, n, outcome_keys, "outcome", l->err) < 0 ||
      outcome_status(l, n, o) < 0 ||
      (rc = yamldoc_number(l->d, n, "at", 0, MAX_TIME, &o->at, l->err)) < 0 ||
      json_member(l, n, "result_summary", true, &o->result_summary) < 0 ||
      json_member(l, n, "performance", true, &o->performance) < 0 ||
      yamldoc_text(l->d, n, "error_message", &o->error_message, l->err) < 0)
    return -1;
  o->has_at = rc == 1;
  return check_outcome(l, n, o);
}

/* ---- cancel ----------------------------------------------------------- */

static const char *const cancel_keys[] = { "mode", "delay", "detail", "result_summary",
                                           "current_step", NULL };

static int cancel_mode(const struct load *l, const struct ynode *n, struct scenario_cancel *c)
{
  static const char *const names[] = { "immediate", "delayed", "refused", "ignored", "flip" };
  const struct ynode *v = ynode_get(n, "mode");

  if (!v)
    return fail(l, n, "'cancel' needs a 'mode': immediate, delayed, refused, ignored or flip");
  for (size_t i = 0; ynode_is_scalar(v) && i < sizeof(names) / sizeof(names[0]); i++) {
    if (strcmp(v->text, names[i]) == 0) {
      c->mode = (enum timeline_cancel)i;
      return 0;
    }
  }
  return fail(l, v, "cancel 'mode' must be immediate, delayed, refused, ignored or flip");
}

static int check_cancel(const struct load *l, const struct ynode *n,
                        const struct scenario_cancel *c, bool has_delay)
{
  bool timed = c->mode == TIMELINE_CANCEL_DELAYED || c->mode == TIMELINE_CANCEL_FLIP;

  if (has_delay && !timed)
    return fail(l, ynode_get(n, "delay"), "'delay' is for the delayed and flip modes");
  if (c->refusal && c->mode != TIMELINE_CANCEL_REFUSED)
    return fail(l, ynode_get(n, "detail"), "'detail' is for the refused mode");
  if ((c->result_summary || c->current_step) && c->mode != TIMELINE_CANCEL_FLIP)
    return fail(l, n, "'result_summary' and 'current_step' are for the flip mode");
  return 0;
}

static int read_cancel(const struct load *l, const struct ynode *root, struct scenario *sc)
{
  const struct ynode *n = ynode_get(root, "cancel");
  struct scenario_cancel *c = &sc->cancel;
  int has_delay;

  if (!n)
    return 0;
  if (!ynode_is_map(n))
    return fail(l, n, "'cancel' must be a mapping (mode, delay, ...)");
  c->delay_s = 2.0;
  if (yamldoc_check_keys(l->d, n, cancel_keys, "cancel", l->err) < 0 ||
      cancel_mode(l, n, c) < 0 ||
      (has_delay = yamldoc_number(l->d, n, "delay", 0, MAX_TIME, &c->delay_s, l->err)) < 0 ||
      yamldoc_text(l->d, n, "detail", &c->refusal, l->err) < 0 ||
      json_member(l, n, "result_summary", true, &c->result_summary) < 0 ||
      yamldoc_text(l->d, n, "current_step", &c->current_step, l->err) < 0)
    return -1;
  return check_cancel(l, n, c, has_delay == 1);
}

/* ---- the whole file ---------------------------------------------------- */

static const char *const top_keys[] = { "name", "operation_type", "description", "default",
                                        "match", "start", "timeline", "outcome", "cancel",
                                        "faults", NULL };

static int read_scenario(const struct load *l, const struct ynode *root, struct scenario *sc)
{
  if (!ynode_is_map(root))
    return fail(l, root, "a scenario must be a mapping with at least 'operation_type'");
  if (yamldoc_check_keys(l->d, root, top_keys, "a scenario", l->err) < 0 ||
      read_identity(l, root, sc) < 0 || read_match(l, root, sc) < 0 ||
      read_start(l, root, sc) < 0 || read_timeline(l, root, sc) < 0 ||
      read_outcome(l, root, sc) < 0 || read_cancel(l, root, sc) < 0 ||
      scenario_yaml_read_faults(l->d, root, sc, l->err) < 0)
    return -1;
  return 0;
}

/* "dir/training_gpu.yaml" → "training_gpu". */
static char *stem(const char *path)
{
  const char *base = strrchr(path, '/');
  const char *dot;

  base = base ? base + 1 : path;
  dot = strrchr(base, '.');
  return strndup(base, dot && dot != base ? (size_t)(dot - base) : strlen(base));
}

static int load_doc(const struct yamldoc *d, const char *file, bool name_from_file,
                    struct scenario **out, struct err *err)
{
  struct load l = { d, err };
  struct scenario *sc = scenario_new();

  *out = NULL;
  if (!sc || !(sc->file = strdup(file)) || (name_from_file && !(sc->name = stem(file)))) {
    scenario_free(&sc);
    return err_set(err, ERR_NOMEM, "%s: out of memory", file);
  }
  if (!d->root) {
    scenario_free(&sc);
    return err_set(err, ERR_PARSE, "%s:1:1: the file is empty: a scenario needs at least "
                                   "'operation_type'", file);
  }
  if (read_scenario(&l, d->root, sc) < 0) {
    scenario_free(&sc);
    return -1;
  }
  *out = sc;
  return 0;
}

int scenario_yaml_load_file(const char *path, struct scenario **out, struct err *err)
{
  struct yamldoc *d = NULL;
  int rc;

  *out = NULL;
  if (yamldoc_parse_file(path, &d, err) < 0)
    return -1;
  rc = load_doc(d, path, true, out, err);
  yamldoc_free(&d);
  return rc;
}

int scenario_yaml_load_string(const char *file, const char *text, struct scenario **out,
                              struct err *err)
{
  struct yamldoc *d = NULL;
  int rc;

  *out = NULL;
  if (yamldoc_parse_string(file, text, strlen(text), &d, err) < 0)
    return -1;
  rc = load_doc(d, file, false, out, err);
  yamldoc_free(&d);
  return rc;
}
