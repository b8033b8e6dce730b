/* /__admin: the request journal, faults, forced failures, reset and the
 * clock. Loopback only (checked by the server before dispatch). */
#include "routes.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "catalog.h"
#include "clock.h"
#include "faults.h"
#include "store.h"

static json_t *ok_body(void)
{
  return json_pack("{s:b}", "success", 1);
}

/* since=N: a sequence number (entries after it); since_us=T: entries that
 * arrived at or after CLOCK_MONOTONIC microsecond T. */
static int read_u64(const struct request *req, const char *key, uint64_t *out)
{
  const char *v = request_arg(req, key);
  char *end;

  if (!v)
    return 0;
  errno = 0;
  *out = strtoull(v, &end, 10);
  return errno || *end || *v == '-' ? -1 : 0;
}

int routes_admin_requests(const struct routes_ctx *ctx, struct request *req,
                          struct http_reply *reply, struct err *err)
{
  struct journal_filter f = { 0 };
  uint64_t since_us = 0;
  json_t *body;

  if (read_u64(req, "since", &f.after_seq) < 0 || read_u64(req, "since_us", &since_us) < 0 ||
      since_us > INT64_MAX) {
    http_reply_detail(reply, 400, "invalid 'since' or 'since_us': expected a number");
    return 0;
  }
  f.since_us = (int64_t)since_us;
  f.method = request_arg(req, "method");
  f.path_prefix = request_arg(req, "path");
  f.operation_id = request_arg(req, "operation_id");
  body = journal_to_json(ctx->journal, &f);
  if (!body)
    return err_set(err, ERR_NOMEM, "cannot list the journal");
  http_reply_json(reply, 200, body);
  return 0;
}

int routes_admin_requests_clear(const struct routes_ctx *ctx, struct request *req,
                                struct http_reply *reply, struct err *err)
{
  (void)req;
  (void)err;
  journal_clear(ctx->journal);
  http_reply_json(reply, 200, ok_body());
  return 0;
}

int routes_admin_faults_add(const struct routes_ctx *ctx, struct request *req,
                            struct http_reply *reply, struct err *err)
{
  struct fault_spec spec;
  json_t *body;

  if (routes_admin_json(req, reply, &body) < 0)
    return 0;
  if (faults_spec_from_json(body, &spec, err) < 0 || faults_add(ctx->faults, &spec, err) < 0) {
    json_decref(body);
    if (err->code == ERR_NOMEM)
      return -1;
    http_reply_detail(reply, 400, "%s", err->msg);
    return 0;
  }
  json_decref(body);
  http_reply_json(reply, 200, ok_body());
  return 0;
}

int routes_admin_faults_clear(const struct routes_ctx *ctx, struct request *req,
                              struct http_reply *reply, struct err *err)
{
  (void)req;
  (void)err;
  faults_clear(ctx->faults);
  http_reply_json(reply, 200, ok_body());
  return 0;
}

static int fail_refused(struct http_reply *reply, const char *id, const struct store_end *end,
                        const struct err *err)
{
  char st[64];

  if (err->code == ERR_NOTFOUND) {
    routes_operation_not_found(reply, id);
    return 0;
  }
  if (err->code != ERR_STATE)
    return -1;
  routes_status_enum(end->status, st, sizeof(st));
  http_reply_detail(reply, 400, "Operation %s cannot be failed (status: %s)", id, st);
  return 0;
}

/* POST /__admin/operations/{id}/fail {"error_message": "..."}. */
int routes_admin_fail(const struct routes_ctx *ctx, struct request *req,
                      struct http_reply *reply, struct err *err)
{
  const char *id = req->params[0];
  struct store_end end;
  json_t *body, *info;
  int rc;

  req->operation_id = id;
  if (routes_admin_json(req, reply, &body) < 0)
    return 0;
  rc = store_end(ctx->store, id, OP_STATUS_FAILED,
                 json_str_or(body, "error_message", "Operation failed"), &end, err);
  json_decref(body);
  if (rc < 0)
    return fail_refused(reply, id, &end, err);
  if (store_get(ctx->store, id, &info, err) < 0)
    return -1;
  http_reply_json(reply, 200, json_pack("{s:b, s:o}", "success", 1, "data", info));
  return 0;
}

void routes_reset(const struct routes_ctx *ctx)
{
  store_clear(ctx->store);
  journal_clear(ctx->journal);
  faults_clear(ctx->faults);
  catalog_reset(ctx->catalog);
  clock_reset(ctx->clock);
}

int routes_admin_reset(const struct routes_ctx *ctx, struct request *req,
                       struct http_reply *reply, struct err *err)
{
  (void)req;
  (void)err;
  routes_reset(ctx);
  http_reply_json(reply, 200, ok_body());
  return 0;
}

static json_t *clock_body(struct clock *c)
{
  return json_pack("{s:b, s:s, s:f, s:f}", "success", 1, "mode",
                   clock_mode(c) == CLOCK_MODE_MANUAL ? "manual" : "scaled", "now_s",
                   clock_now(c), "time_scale", clock_time_scale(c));
}

int routes_admin_clock(const struct routes_ctx *ctx, struct request *req,
                       struct http_reply *reply, struct err *err)
{
  (void)req;
  (void)err;
  http_reply_json(reply, 200, clock_body(ctx->clock));
  return 0;
}

/* POST /__admin/clock/advance {"seconds": s}. */
int routes_admin_clock_advance(const struct routes_ctx *ctx, struct request *req,
                               struct http_reply *reply, struct err *err)
{
  json_t *body;
  const json_t *s;

  if (routes_admin_json(req, reply, &body) < 0)
    return 0;
  s = json_object_get(body, "seconds");
  if (!json_is_number(s))
    http_reply_detail(reply, 400, "expected {\"seconds\": N} with N >= 0");
  else if (clock_advance(ctx->clock, json_number_value(s), err) < 0)
    http_reply_detail(reply, err->code == ERR_STATE ? 409 : 400, "%s", err->msg);
  else
    http_reply_json(reply, 200, clock_body(ctx->clock));
  json_decref(body);
  return 0;
}
