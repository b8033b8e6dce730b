/* POST /api/v1/data/load (API-CONTRACT §6.1) and POST
 * /api/v1/data/acquire/download (§10): one DataLoadRequest, two answers. */
#include "routes.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "fastapi.h"
#include "launch.h"
#include "pydate.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

static const char *const timeframes[] = { "1m", "5m", "15m", "30m", "1h",
                                          "2h", "4h", "1d", "1w", "1M" };
static const char *const modes[] = { "local", "tail", "backfill", "full" };

/* ---- DataLoadRequest --------------------------------------------------- */

static bool one_of(const json_t *v, const char *const *values, size_t n)
{
  for (size_t i = 0; json_is_string(v) && i < n; i++)
    if (strcmp(json_string_value(v), values[i]) == 0)
      return true;
  return false;
}

static void check_choice(const json_t *body, const char *field, const char *const *values,
                         size_t n, bool required, json_t *errors)
{
  const json_t *v = json_object_get(body, field);

  if (!v && required)
    fastapi_missing(errors, field, body);
  else if (v && !one_of(v, values, n))
    fastapi_literal_error(errors, "body", field, v, values, n);
}

/* A datetime|null field; *out receives it parsed (when given). */
static bool check_date(const json_t *body, const char *field, struct pydate *out,
                       json_t *errors)
{
  const json_t *v = json_object_get(body, field);

  if (!v || json_is_null(v))
    return false;
  if (json_is_string(v) && pydate_parse(json_string_value(v), out) == 0)
    return true;
  fastapi_error(errors, json_is_string(v) ? "datetime_from_date_parsing" : "datetime_type",
                "body", field,
                json_is_string(v) ? "Input should be a valid datetime or date, invalid format"
                                  : "Input should be a valid datetime",
                json_deep_copy(v), NULL);
  return false;
}

static void check_filters(const json_t *body, json_t *errors)
{
  static const char *const keys[] = { "trading_hours_only", "include_extended" };
  const json_t *f = json_object_get(body, "filters");

  if (!f || json_is_null(f))
    return;
  if (!json_is_object(f)) {
    fastapi_error(errors, "model_attributes_type", "body", "filters",
                  "Input should be a valid dictionary or object to extract fields from",
                  json_deep_copy(f), NULL);
    return;
  }
  for (size_t i = 0; i < NELEMS(keys); i++) {
    const json_t *v = json_object_get(f, keys[i]);

    if (v && !json_is_boolean(v))
      fastapi_error_loc(errors, "bool_type", json_pack("[s,s,s]", "body", "filters", keys[i]),
                        "Input should be a valid boolean", json_deep_copy(v), NULL);
  }
}

static void check_symbol(const json_t *body, json_t *errors)
{
  const json_t *v = json_object_get(body, "symbol");

  if (!v)
    fastapi_missing(errors, "symbol", body);
  else if (!json_is_string(v))
    fastapi_error(errors, "string_type", "body", "symbol", "Input should be a valid string",
                  json_deep_copy(v), NULL);
}

static void check_dates(const json_t *body, json_t *errors)
{
  struct pydate start, end;
  bool a = check_date(body, "start_date", &start, errors);
  bool b = check_date(body, "end_date", &end, errors);

  if (a && b && pydate_epoch_us(&start) > pydate_epoch_us(&end))
    fastapi_value_error(errors, json_pack("[s]", "body"), "start_date must be before end_date",
                        json_deep_copy(body));
}

/* 422 errors into `errors`; the body must be an object. */
static void check_request(const json_t *body, json_t *errors)
{
  check_symbol(body, errors);
  check_choice(body, "timeframe", timeframes, NELEMS(timeframes), true, errors);
  check_choice(body, "mode", modes, NELEMS(modes), false, errors);
  check_dates(body, errors);
  check_filters(body, errors);
}

/* The symbol stripped and upper-cased; "" when blank. */
static json_t *normal_symbol(const char *s)
{
  struct buf b = BUF_INIT;
  size_t n;
  json_t *out;

  while (*s && isspace((unsigned char)*s))
    s++;
  n = strlen(s);
  while (n && isspace((unsigned char)s[n - 1]))
    n--;
  for (size_t i = 0; i < n; i++)
    buf_appendf(&b, "%c", toupper((unsigned char)s[i]));
  out = json_string(buf_cstr(&b));
  buf_release(&b);
  return out;
}

static json_t *vars_of(const json_t *body)
{
  const json_t *mode = json_object_get(body, "mode");

  return json_pack("{s:o, s:O, s:s, s:O?, s:O?, s:O?}",
                   "symbol", normal_symbol(json_str_or(body, "symbol", "")),
                   "timeframe", json_object_get(body, "timeframe"),
                   "mode", json_is_string(mode) ? json_string_value(mode) : "local",
                   "start_date", json_object_get(body, "start_date"),
                   "end_date", json_object_get(body, "end_date"),
                   "filters", json_object_get(body, "filters"));
}

/* Parses and validates; the request's variables, or NULL with the 422 set. */
static json_t *read_request(const struct request *req, json_t **body, struct http_reply *reply)
{
  json_t *errors = json_array();

  if (fastapi_load_body(req->body, req->body_len, errors, body) < 0)
    ; /* json_invalid */
  else if (!*body)
    fastapi_error(errors, "missing", "body", NULL, "Field required", json_null(), NULL);
  else if (fastapi_require_object(*body, errors) == 0)
    check_request(*body, errors);
  if (json_array_size(errors)) {
    http_reply_json(reply, 422, fastapi_body(errors));
    return NULL;
  }
  json_decref(errors);
  return vars_of(*body);
}

static json_t *default_metadata(void)
{
  return json_pack("{s:s, s:s, s:s, s:n, s:n, s:{s:s, s:s}}", "symbol", "N/A",
                   "timeframe", "N/A", "mode", "N/A", "start_date", "end_date",
                   "parameters", "operation_name", "data_load", "service_name", "Data/IB");
}

/* ---- answers ----------------------------------------------------------- */

/* DataLoadOperationResponse (§6.1), in its key order. */
static json_t *load_data(const char *status, const char *id, const json_t *rs,
                         const char *error_message)
{
  return json_pack("{s:s, s:s?, s:I, s:b, s:s, s:I, s:I, s:I, s:f, s:s?}", "status", status,
                   "operation_id", id,
                   "fetched_bars", (json_int_t)json_long_or(rs, "fetched_bars", 0),
                   "cached_before", json_is_true(json_object_get(rs, "cached_before")),
                   "merged_file", json_str_or(rs, "merged_file", ""),
                   "gaps_analyzed", (json_int_t)json_long_or(rs, "gaps_analyzed", 0),
                   "segments_fetched", (json_int_t)json_long_or(rs, "segments_fetched", 0),
                   "ib_requests_made", (json_int_t)json_long_or(rs, "ib_requests_made", 0),
                   "execution_time_seconds", json_num_or(rs, "execution_time_seconds", 0),
                   "error_message", error_message);
}

/* The synchronous answer, from the operation played to its end. */
static json_t *sync_answer(const struct operation *op, const json_t *vars)
{
  const char *msg = op->error_message ? op->error_message : "Data load did not complete";

  if (op->status == OP_STATUS_COMPLETED)
    return json_pack("{s:b, s:o, s:n}", "success", 1, "data",
                     load_data("success", NULL, op->result_summary, NULL), "error");
  return json_pack("{s:b, s:o, s:{s:s, s:s, s:{s:O, s:O, s:O}}}", "success", 0, "data",
                   load_data("failed", NULL, NULL, msg), "error", "code", "DATA-LoadFailed",
                   "message", msg, "details", "symbol", json_object_get(vars, "symbol"),
                   "timeframe", json_object_get(vars, "timeframe"), "mode",
                   json_object_get(vars, "mode"));
}

/* The 200 answer of each form: sync result, §10 flat, §6.1 envelope. */
static json_t *started(const struct launch *l, const char *id, bool acquire)
{
  char msg[160];

  if (l->sync)
    return sync_answer(&l->final, l->vars);
  if (!acquire)
    return json_pack("{s:b, s:o, s:n}", "success", 1, "data",
                     load_data("started", id, NULL, NULL), "error");
  snprintf(msg, sizeof(msg), "Started %s download for %s %s", json_str_or(l->vars, "mode", ""),
           json_str_or(l->vars, "symbol", ""), json_str_or(l->vars, "timeframe", ""));
  return json_pack("{s:b, s:s, s:s, s:s}", "success", 1, "operation_id", id, "status",
                   "started", "message", msg);
}

static bool blank_symbol(const json_t *vars)
{
  return json_str_or(vars, "symbol", "")[0] == '\0';
}

/* Validation, then the scenario. */
static int start(const struct routes_ctx *ctx, struct request *req, struct http_reply *reply,
                 bool sync, bool acquire, struct err *err)
{
  struct launch l = LAUNCH_INIT;
  json_t *body = NULL;
  int rc = -1;

  if (!(l.vars = read_request(req, &body, reply))) {
    rc = 0;
    goto cleanup;
  }
  if (blank_symbol(l.vars)) {
    if (acquire)
      http_reply_detail(reply, 500, "Data acquisition failed: Symbol cannot be empty");
    else
      http_reply_json(reply, 400,
                      json_pack("{s:b, s:{s:s, s:s, s:{s:O}}}", "success", 0, "error", "code",
                                "DATA-InvalidSymbol", "message", "Symbol cannot be empty",
                                "details", "symbol", json_object_get(body, "symbol")));
    rc = 0;
    goto cleanup;
  }
  l.type = "data_load";
  l.metadata = default_metadata();
  l.sync = sync;
  if (launch_start(ctx, req, body, &l, reply, err) < 0)
    goto cleanup;
  if (!l.answered)
    http_reply_json(reply, 200, started(&l, req->id_buf, acquire));
  launch_finish(&l, reply);
  rc = 0;
cleanup:
  launch_release(&l);
  json_decref(body);
  return rc;
}

int routes_data_load(const struct routes_ctx *ctx, struct request *req,
                     struct http_reply *reply, struct err *err)
{
  const char *mode = request_arg(req, "async_mode");
  json_t *errors;
  bool async = false;

  if (mode && fastapi_parse_bool(mode, &async) < 0) {
    errors = json_array();
    fastapi_error(errors, "bool_parsing", "query", "async_mode",
                  "Input should be a valid boolean, unable to interpret input",
                  json_string(mode), NULL);
    http_reply_json(reply, 422, fastapi_body(errors));
    return 0;
  }
  return start(ctx, req, reply, !async, false, err);
}

int routes_data_acquire(const struct routes_ctx *ctx, struct request *req,
                        struct http_reply *reply, struct err *err)
{
  return start(ctx, req, reply, false, true, err);
}
