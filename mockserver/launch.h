/*
 * launch: what every start endpoint does once it has validated its request.
 *
 *   1. pick the scenario (catalog.h: header, match rules, selection, default)
 *   2. count the start and apply the scenario's start faults and fixed start
 *      responses (a 400, a 503 for the first N starts, a 200 with
 *      success:false, ...): then no operation is created
 *   3. let the scenario's generators add variables and metadata
 *   4. store the operation, playing the scenario (scenario_timeline.h)
 *
 * A start endpoint (routes_dummy.c, routes_training.c, routes_data.c):
 *
 *   struct launch l = LAUNCH_INIT;
 *   l.type = "training"; l.vars = vars; l.metadata = metadata;   // stolen
 *   if (launch_start(ctx, req, payload, &l, reply, &err) < 0) return -1;
 *   if (l.answered) goto done;           // the reply is the scenario's
 *   http_reply_json(reply, 200, ...l.id..., l.scenario...);
 *   launch_finish(&l, reply);            // a start fault's delay/drop/cut
 *   launch_release(&l);
 *
 * In `sync` mode (data load without async_mode) the operation is not
 * stored: it is played to its end at once into `final`.
 * Thread-safe (the catalog and store are).
 */
#ifndef KTRDR_MOCK_LAUNCH_H
#define KTRDR_MOCK_LAUNCH_H

#include <jansson.h>
#include <stdbool.h>

#include "faults.h"
#include "http_reply.h"
#include "operation.h"
#include "request.h"
#include "routes.h"
#include "scenario.h"

struct launch {
  /* in */
  const char *type;             /* "dummy", "training", "data_load" */
  json_t *vars;                 /* stolen: the normalised request */
  json_t *metadata;             /* stolen: §3.3 metadata */
  bool sync;                    /* play to the end, do not store */
  /* out */
  bool answered;                /* the reply holds the scenario's answer */
  const struct scenario *scenario;  /* borrowed, lives as long as the server */
  struct operation final;       /* sync: the operation at its end */
  struct fault_hit fault;       /* a start fault that alters the reply */
  bool faulted;
};

#define LAUNCH_INIT { .final = OPERATION_INIT, .fault = FAULT_HIT_INIT }

/* Runs the steps above. The new id is in req->id_buf (and
 * req->operation_id). 0 (see l->answered), or -1 with `err` for an internal
 * failure. */
int launch_start(const struct routes_ctx *ctx, struct request *req, const json_t *payload,
                 struct launch *l, struct http_reply *reply, struct err *err);

/* Applies a pending start fault (delay, truncate, drop) to the reply. */
void launch_finish(struct launch *l, struct http_reply *reply);

void launch_release(struct launch *l);

#endif
