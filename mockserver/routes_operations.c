/* /api/v1/operations: list, get, cancel, results (API-CONTRACT §2.6-2.8,
 * §10). */
#include "routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expand.h"
#include "fastapi.h"
#include "store.h"
#include "timeutil.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

static const char *const statuses[] = { "pending", "running", "completed", "failed",
                                        "cancelled" };
static const char *const types[] = { "data_load", "training", "backtesting",
                                     "indicator_compute", "fuzzy_analysis", "dummy" };

#define ENVELOPE_HEAD "{\"success\":true,\"data\":"

/* {"success":true,"data":OperationInfo} around the store's text (the hot
 * path: a poll of a running operation is a cache copy, no JSON tree). */
static int envelope(struct http_reply *reply, const char *info, size_t len, struct err *err)
{
  size_t head = sizeof(ENVELOPE_HEAD) - 1;
  char *body = malloc(head + len + 2);

  if (!body)
    return err_set(err, ERR_NOMEM, "cannot build the answer");
  memcpy(body, ENVELOPE_HEAD, head);
  memcpy(body + head, info, len);
  memcpy(body + head + len, "}", 2);
  http_reply_text(reply, 200, body, head + len + 1);
  return 0;
}

int routes_operations_get(const struct routes_ctx *ctx, struct request *req,
                          struct http_reply *reply, struct err *err)
{
  const char *id = req->params[0];
  char *info;
  size_t len;
  int rc;

  req->operation_id = id;
  if (routes_fault(ctx, id, TIMELINE_REQ_GET, reply))
    return 0;
  if (store_get_text(ctx->store, id, &info, &len, err) < 0) {
    if (err->code != ERR_NOTFOUND)
      return -1;
    routes_operation_not_found(reply, id);
    return 0;
  }
  rc = envelope(reply, info, len, err);
  free(info);
  return rc;
}

/* GET /operations/{id}/results (§10): the result_summary of a completed or
 * failed operation. */
int routes_operations_results(const struct routes_ctx *ctx, struct request *req,
                              struct http_reply *reply, struct err *err)
{
  const char *id = req->params[0], *status;
  json_t *op;

  req->operation_id = id;
  if (routes_fault(ctx, id, TIMELINE_REQ_RESULTS, reply))
    return 0;
  if (store_get(ctx->store, id, &op, err) < 0) {
    if (err->code != ERR_NOTFOUND)
      return -1;
    routes_operation_not_found(reply, id);
    return 0;
  }
  status = json_str_or(op, "status", "");
  if (strcmp(status, "completed") == 0 || strcmp(status, "failed") == 0)
    http_reply_json(reply, 200,
                    json_pack("{s:b, s:O, s:O, s:O, s:O}", "success", 1, "operation_id",
                              json_object_get(op, "operation_id"), "operation_type",
                              json_object_get(op, "operation_type"), "status",
                              json_object_get(op, "status"), "results",
                              json_object_get(op, "result_summary")));
  else
    http_reply_detail(reply, 400, "Operation not finished (status: %s)", status);
  json_decref(op);
  return 0;
}

/* pydantic's lax bool for a JSON value: true/false, 0/1, or a bool string. */
static int read_force(const json_t *v, json_t *errors)
{
  bool b;

  if (!v || json_is_boolean(v) ||
      (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1)) ||
      (json_is_string(v) && fastapi_parse_bool(json_string_value(v), &b) == 0))
    return 0;
  fastapi_error(errors, json_is_string(v) ? "bool_parsing" : "bool_type", "body", "force",
                json_is_string(v) ? "Input should be a valid boolean, unable to interpret input"
                                  : "Input should be a valid boolean",
                json_deep_copy(v), NULL);
  return -1;
}

/* CancelOperationRequest: {"reason": str|null, "force": bool}, all optional.
 * *reason is borrowed from *body, which the caller releases. */
static int read_cancel_body(const struct request *req, json_t **body, const char **reason,
                            json_t *errors)
{
  const json_t *r;

  *reason = NULL;
  if (fastapi_load_body(req->body, req->body_len, errors, body) < 0 ||
      fastapi_require_object(*body, errors) < 0)
    return -1;
  r = json_object_get(*body, "reason");
  if (r && !json_is_null(r) && !json_is_string(r))
    fastapi_error(errors, "string_type", "body", "reason", "Input should be a valid string",
                  json_deep_copy(r), NULL);
  *reason = json_string_value(r);
  read_force(json_object_get(*body, "force"), errors);
  return json_array_size(errors) ? -1 : 0;
}

static json_t *cancelled(const char *id, const char *reason, int64_t at_real_us)
{
  char at[TIME_ISO_MAX];

  return json_pack("{s:b, s:{s:b, s:s, s:s, s:s, s:s?, s:b, s:b}}", "success", 1, "data",
                   "success", 1, "operation_id", id, "status", "cancelled",
                   "cancelled_at", timeutil_iso_offset(at_real_us, at),
                   "cancellation_reason", reason, "task_cancelled", 1,
                   "training_session_cancelled", 0);
}

static int end_failed(struct http_reply *reply, const char *id, const struct store_end *end,
                      const struct err *err)
{
  char st[64];

  if (err->code == ERR_NOTFOUND) {
    routes_operation_not_found(reply, id);
    return 0;
  }
  if (err->code != ERR_STATE)
    return -1;
  if (end->refused && end->refusal[0]) {
    char *detail = expand_text(end->refusal, NULL, id);

    http_reply_detail(reply, 400, "%s", detail ? detail : end->refusal);
    free(detail);
    return 0;
  }
  routes_status_enum(end->status, st, sizeof(st));
  http_reply_detail(reply, 400, "Operation %s cannot be cancelled (status: %s)", id, st);
  return 0;
}

/* DELETE /operations/{id} and POST /operations/{id}/cancel. */
int routes_operations_cancel(const struct routes_ctx *ctx, struct request *req,
                             struct http_reply *reply, struct err *err)
{
  const char *id = req->params[0], *reason;
  struct store_end end;
  json_t *errors = json_array(), *body = NULL;
  int rc = 0;

  req->operation_id = id;
  if (!errors)
    return err_set(err, ERR_NOMEM, "cannot parse the request");
  if (routes_fault(ctx, id, TIMELINE_REQ_CANCEL, reply)) {
    /* answered by the fault */
  } else if (read_cancel_body(req, &body, &reason, errors) < 0) {
    http_reply_json(reply, 422, fastapi_body(errors));
    errors = NULL;
  } else if (store_cancel(ctx->store, id, reason ? reason : "Operation cancelled by user", &end,
                          err) < 0) {
    rc = end_failed(reply, id, &end, err);
  } else {
    http_reply_json(reply, 200, cancelled(id, reason, end.at_real_us));
  }
  json_decref(errors);
  json_decref(body);
  return rc;
}

static void read_enum(const struct request *req, const char *key, const char *const *values,
                      size_t n, int *index, json_t *errors)
{
  const char *v = request_arg(req, key);

  if (!v)
    return;
  for (size_t i = 0; i < n; i++) {
    if (strcmp(v, values[i]) == 0) {
      *index = (int)i;
      return;
    }
  }
  fastapi_enum_error(errors, "query", key, v, values, n);
}

static void bound_error(json_t *errors, const char *key, const char *input, bool low,
                        long limit)
{
  char msg[96];

  snprintf(msg, sizeof(msg), "Input should be %s than or equal to %ld",
           low ? "greater" : "less", limit);
  fastapi_error(errors, low ? "greater_than_equal" : "less_than_equal", "query", key, msg,
                json_string(input), json_pack("{s:I}", low ? "ge" : "le", (json_int_t)limit));
}

/* An integer query parameter within [lo, hi] (hi < 0: no upper bound). */
static void read_long(const struct request *req, const char *key, long lo, long hi,
                      long *out, json_t *errors)
{
  const char *v = request_arg(req, key);
  long n;

  if (!v)
    return;
  if (fastapi_parse_int(v, &n) < 0)
    fastapi_error(errors, "int_parsing", "query", key,
                  "Input should be a valid integer, unable to parse string as an integer",
                  json_string(v), NULL);
  else if (n < lo || (hi >= 0 && n > hi))
    bound_error(errors, key, v, n < lo, n < lo ? lo : hi);
  else
    *out = n;
}

static void read_bool(const struct request *req, const char *key, bool *out, json_t *errors)
{
  const char *v = request_arg(req, key);

  if (v && fastapi_parse_bool(v, out) < 0)
    fastapi_error(errors, "bool_parsing", "query", key,
                  "Input should be a valid boolean, unable to interpret input",
                  json_string(v), NULL);
}

static void read_query(const struct request *req, struct store_query *q, json_t *errors)
{
  int type = -1;

  read_enum(req, "status", statuses, NELEMS(statuses), &q->status, errors);
  read_enum(req, "operation_type", types, NELEMS(types), &type, errors);
  q->type = type >= 0 ? types[type] : NULL;
  read_long(req, "limit", 1, 1000, &q->limit, errors);
  read_long(req, "offset", 0, -1, &q->offset, errors);
  read_bool(req, "active_only", &q->active_only, errors);
}

int routes_operations_list(const struct routes_ctx *ctx, struct request *req,
                           struct http_reply *reply, struct err *err)
{
  struct store_query q = STORE_QUERY_INIT;
  json_t *errors = json_array(), *data;
  long total, active;

  if (!errors)
    return err_set(err, ERR_NOMEM, "cannot parse the request");
  read_query(req, &q, errors);
  if (json_array_size(errors)) {
    http_reply_json(reply, 422, fastapi_body(errors));
    return 0;
  }
  json_decref(errors);
  if (store_list(ctx->store, &q, &data, &total, &active, err) < 0)
    return -1;
  http_reply_json(reply, 200, json_pack("{s:b, s:o, s:I, s:I}", "success", 1, "data", data,
                                        "total_count", (json_int_t)total,
                                        "active_count", (json_int_t)active));
  return 0;
}
