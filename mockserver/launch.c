#include "launch.h"

#include <math.h>
#include <stdlib.h>

#include "catalog.h"
#include "expand.h"
#include "scenario_timeline.h"
#include "store.h"

#define SCENARIO_HEADER "X-Mock-Scenario"

/* The scenario's fixed answer to this start. */
static void fixed_response(const struct scenario *sc, const json_t *vars,
                           struct http_reply *reply)
{
  const struct scenario_start *st = &sc->start;
  char *detail;

  if (st->body) {
    http_reply_json(reply, st->status, expand_json(st->body, vars, NULL));
  } else if (st->detail) {
    detail = expand_text(st->detail, vars, NULL);
    http_reply_detail(reply, st->status, "%s", detail ? detail : st->detail);
    free(detail);
  } else {
    http_reply_detail(reply, st->status, "%s", http_reply_reason(st->status));
  }
  reply->retry_after = st->retry_after;
}

/* A header naming no scenario (or one of another type) is the client's
 * mistake: 400 with the reason. */
static int pick(const struct routes_ctx *ctx, struct request *req, const json_t *payload,
                struct launch *l, struct http_reply *reply, struct err *err)
{
  enum catalog_why why;
  struct scenario *sc = NULL;

  if (catalog_pick(ctx->catalog, l->type, request_header(req, SCENARIO_HEADER), payload, &sc,
                   &why, err) == 0) {
    l->scenario = sc;
    return 0;
  }
  if (err->code != ERR_NOTFOUND && err->code != ERR_INVALID)
    return -1;
  http_reply_detail(reply, 400, "%s", err->msg);
  l->answered = true;
  return 0;
}

/* Start faults and fixed start responses; true when they answer. */
static bool answered_by_scenario(struct launch *l, struct http_reply *reply)
{
  struct scenario *sc = (struct scenario *)l->scenario;
  long index = scenario_count_start(sc);

  l->faulted = scenario_fault_for(sc, SCENARIO_ON_START, index, 0, NULL, &l->fault);
  if (l->faulted && l->fault.action == FAULT_REPLY) {
    http_reply_fault(reply, &l->fault);
    l->faulted = false;
    return true;
  }
  if (!scenario_start_responds(sc, index))
    return false;
  fixed_response(sc, l->vars, reply);
  launch_finish(l, reply);
  return true;
}

static void move_to_end(json_t *obj, const char *key)
{
  json_t *v = json_incref(json_object_get(obj, key));

  if (!v)
    return;
  json_object_del(obj, key);
  json_object_set_new(obj, key, v);
}

/* Each generator adds its variables and metadata; the service names stay
 * last in the parameters, as on the live server. */
static int run_launch_hooks(struct launch *l, struct err *err)
{
  const struct scenario *sc = l->scenario;
  json_t *params = json_object_get(l->metadata, "parameters");

  for (size_t i = 0; i < sc->nsteps; i++) {
    const struct gen_ops *g = sc->steps[i].gen;

    if (g && g->launch && g->launch(sc->steps[i].gen_params, l->vars, l->metadata, err) < 0)
      return -1;
  }
  move_to_end(params, "operation_name");
  move_to_end(params, "service_name");
  return 0;
}

/* Sync mode: the operation as it ends, without storing it. */
static int play_to_end(struct launch *l, struct err *err)
{
  struct timeline tl;
  double end = scenario_timeline_end(l->scenario, l->vars), end_s = 0;
  int rc;

  if (scenario_timeline_new(l->scenario, json_incref(l->vars), &tl, err) < 0)
    return -1;
  operation_set_str(&l->final.type, l->type);
  l->final.metadata = json_incref(l->metadata);
  rc = timeline_state_at(&tl, isfinite(end) ? end : 1e9, &l->final, &end_s, err);
  timeline_release(&tl);
  return rc;
}

static int store_it(const struct routes_ctx *ctx, struct request *req, struct launch *l,
                    struct err *err)
{
  struct store_start start = { l->type, json_incref(l->metadata), { NULL, NULL } };

  l->vars = store_share(ctx->store, l->vars);  /* read-only from here on */
  if (scenario_timeline_new(l->scenario, json_incref(l->vars), &start.timeline, err) < 0) {
    json_decref(start.metadata);
    return -1;
  }
  if (store_add(ctx->store, &start, req->id_buf, err) < 0)
    return -1;
  req->operation_id = req->id_buf;
  return 0;
}

int launch_start(const struct routes_ctx *ctx, struct request *req, const json_t *payload,
                 struct launch *l, struct http_reply *reply, struct err *err)
{
  if (!l->vars)
    l->vars = json_object();
  if (!l->vars || !l->metadata)
    return err_set(err, ERR_NOMEM, "cannot start the operation");
  if (pick(ctx, req, payload, l, reply, err) < 0)
    return -1;
  if (l->answered || (l->answered = answered_by_scenario(l, reply)))
    return 0;
  if (run_launch_hooks(l, err) < 0)
    return -1;
  return l->sync ? play_to_end(l, err) : store_it(ctx, req, l, err);
}

void launch_finish(struct launch *l, struct http_reply *reply)
{
  if (!l->faulted)
    return;
  http_reply_fault(reply, &l->fault);
  fault_hit_release(&l->fault);
  l->faulted = false;
}

void launch_release(struct launch *l)
{
  if (!l)
    return;
  json_decref(l->vars);
  json_decref(l->metadata);
  operation_release(&l->final);
  fault_hit_release(&l->fault);
  l->vars = l->metadata = NULL;
}
