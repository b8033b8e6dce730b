/* POST /api/v1/trainings/start and GET /api/v1/trainings/{id}/performance
 * (API-CONTRACT §2.2, §2.3, §5). */
#include "routes.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "fastapi.h"
#include "launch.h"
#include "pydate.h"
#include "store.h"

/* ---- TrainingRequest (§2.2) ------------------------------------------- */

static bool blank(const char *s)
{
  while (*s && isspace((unsigned char)*s))
    s++;
  return *s == '\0';
}

/* Python's str.strip(). */
static json_t *stripped(const char *s)
{
  size_t n;

  while (*s && isspace((unsigned char)*s))
    s++;
  n = strlen(s);
  while (n && isspace((unsigned char)s[n - 1]))
    n--;
  return json_stringn(s, n);
}

static bool strings_only(const char *field, const json_t *list, json_t *errors)
{
  bool ok = true;
  size_t i;
  json_t *v;

  json_array_foreach(list, i, v) {
    if (json_is_string(v))
      continue;
    fastapi_error_loc(errors, "string_type", json_pack("[s,s,I]", "body", field, (json_int_t)i),
                      "Input should be a valid string", json_deep_copy(v), NULL);
    ok = false;
  }
  return ok;
}

/* symbols / timeframes: a non-empty list of non-blank strings, stripped.
 * `what` is "symbol" or "timeframe". */
static json_t *read_list(const json_t *body, const char *field, const char *what,
                         json_t *errors)
{
  const json_t *v = json_object_get(body, field);
  char msg[96];
  json_t *out, *item;
  size_t i;

  if (!v) {
    fastapi_missing(errors, field, body);
    return NULL;
  }
  if (!json_is_array(v)) {
    fastapi_error(errors, "list_type", "body", field, "Input should be a valid list",
                  json_deep_copy(v), NULL);
    return NULL;
  }
  if (!strings_only(field, v, errors))
    return NULL;
  json_array_foreach(v, i, item) {
    if (blank(json_string_value(item))) {
      snprintf(msg, sizeof(msg), "%c%s cannot be empty", toupper((unsigned char)what[0]), what + 1);
      fastapi_value_error(errors, json_pack("[s,s]", "body", field), msg, json_deep_copy(v));
      return NULL;
    }
  }
  if (json_array_size(v) == 0) {
    snprintf(msg, sizeof(msg), "At least one %s must be specified", what);
    fastapi_value_error(errors, json_pack("[s,s]", "body", field), msg, json_array());
    return NULL;
  }
  out = json_array();
  json_array_foreach(v, i, item)
    json_array_append_new(out, stripped(json_string_value(item)));
  return out;
}

/* A str|null field; 0 when fine (absent, null or text). */
static void read_optional_text(const json_t *body, const char *field, json_t *errors)
{
  const json_t *v = json_object_get(body, field);

  if (v && !json_is_null(v) && !json_is_string(v))
    fastapi_error(errors, "string_type", "body", field, "Input should be a valid string",
                  json_deep_copy(v), NULL);
}

static bool read_bool(const json_t *body, const char *field, json_t *errors)
{
  const json_t *v = json_object_get(body, field);
  bool b = false;

  if (!v || json_is_boolean(v))
    return json_is_true(v);
  if (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1))
    return json_integer_value(v) == 1;
  if (json_is_string(v) && fastapi_parse_bool(json_string_value(v), &b) == 0)
    return b;
  fastapi_error(errors, json_is_string(v) ? "bool_parsing" : "bool_type", "body", field,
                json_is_string(v) ? "Input should be a valid boolean, unable to interpret input"
                                  : "Input should be a valid boolean",
                json_deep_copy(v), NULL);
  return false;
}

/* The normalised request, or NULL with the errors (422). */
static json_t *read_request(const json_t *body, json_t *errors)
{
  json_t *symbols = read_list(body, "symbols", "symbol", errors);
  json_t *timeframes = read_list(body, "timeframes", "timeframe", errors);
  const json_t *name = json_object_get(body, "strategy_name");
  bool analytics = read_bool(body, "detailed_analytics", errors);

  if (!name)
    fastapi_missing(errors, "strategy_name", body);
  else if (!json_is_string(name))
    fastapi_error(errors, "string_type", "body", "strategy_name",
                  "Input should be a valid string", json_deep_copy(name), NULL);
  read_optional_text(body, "start_date", errors);
  read_optional_text(body, "end_date", errors);
  read_optional_text(body, "task_id", errors);
  if (json_array_size(errors)) {
    json_decref(symbols);
    json_decref(timeframes);
    return NULL;
  }
  return json_pack("{s:O, s:o, s:o, s:O?, s:O?, s:b, s:O, s:O}", "strategy_name", name,
                   "symbols", symbols, "timeframes", timeframes,
                   "start_date", json_object_get(body, "start_date"),
                   "end_date", json_object_get(body, "end_date"),
                   "detailed_analytics", analytics,
                   "symbol", json_array_get(symbols, 0),
                   "timeframe", json_array_get(timeframes, 0));
}

/* ---- the service's own checks (400, 500) ----------------------------- */

static bool valid_strategy_name(const char *s)
{
  regex_t rx;
  bool ok;

  if (regcomp(&rx, "^[A-Za-z0-9][A-Za-z0-9_-]*$", REG_EXTENDED | REG_NOSUB) != 0)
    return false;
  ok = regexec(&rx, s, 0, NULL, 0) == 0;
  regfree(&rx);
  return ok;
}

/* start_date / end_date through fromisoformat: naive isoformat, or null. */
static int iso_date(const json_t *vars, const char *key, json_t **out)
{
  const char *s = json_str_or(vars, key, NULL);
  struct pydate d;
  char buf[48];

  *out = json_null();
  if (!s)
    return 0;
  if (pydate_parse(s, &d) < 0)
    return -1;
  pydate_isoformat(&d, buf, sizeof(buf));
  json_decref(*out);
  *out = json_string(buf);
  return 0;
}

/* §3.3; the training generator fills in its part (epochs, mode, ...). */
static json_t *metadata(const json_t *vars, json_t *start, json_t *end)
{
  const char *name = json_string_value(json_object_get(vars, "strategy_name"));
  char path[512];

  snprintf(path, sizeof(path), "/app/strategies/%s.yaml", name);
  return json_pack("{s:O, s:O, s:s, s:o, s:o, s:{s:s, s:s, s:s, s:O, s:O, s:i, s:b, s:O, s:s, "
                   "s:s, s:s}}",
                   "symbol", json_object_get(vars, "symbol"),
                   "timeframe", json_object_get(vars, "timeframe"), "mode", "training",
                   "start_date", start, "end_date", end, "parameters",
                   "strategy_name", name, "strategy_path", path, "training_type", "mlp",
                   "symbols", json_object_get(vars, "symbols"),
                   "timeframes", json_object_get(vars, "timeframes"), "epochs", 1,
                   "use_host_service", 0,
                   "analytics_enabled", json_object_get(vars, "detailed_analytics"),
                   "training_mode", "local", "operation_name", "training",
                   "service_name", "TrainingService");
}

/* 400 for a bad name, 500 for a date fromisoformat refuses; else the
 * metadata in *meta. */
static bool service_refuses(const json_t *vars, struct http_reply *reply, json_t **meta)
{
  json_t *start = NULL, *end = NULL;

  *meta = NULL;
  if (!valid_strategy_name(json_str_or(vars, "strategy_name", ""))) {
    http_reply_detail(reply, 400,
                      "Strategy name may only contain alphanumerics, dashes, or underscores");
    return true;
  }
  if (iso_date(vars, "start_date", &start) < 0 || iso_date(vars, "end_date", &end) < 0) {
    json_decref(start);
    json_decref(end);
    http_reply_detail(reply, 500, "Failed to start training");
    return true;
  }
  *meta = metadata(vars, start, end);
  return false;
}

static json_t *started(const char *id, const json_t *vars, long minutes)
{
  struct buf msg = BUF_INIT;
  json_t *symbols = json_object_get(vars, "symbols"), *s, *body;
  size_t i;

  buf_appendf(&msg, "Neural network training started for ");
  json_array_foreach(symbols, i, s)
    buf_appendf(&msg, "%s%s", i ? ", " : "", json_string_value(s));
  buf_appendf(&msg, " using %s strategy", json_str_or(vars, "strategy_name", ""));
  body = json_pack("{s:b, s:s, s:s, s:s, s:O, s:O, s:O, s:I}", "success", 1, "task_id", id,
                   "status", "training_started", "message", buf_cstr(&msg), "symbols", symbols,
                   "timeframes", json_object_get(vars, "timeframes"),
                   "strategy_name", json_object_get(vars, "strategy_name"),
                   "estimated_duration_minutes", (json_int_t)minutes);
  buf_release(&msg);
  return body;
}

/* Parses and checks the body; true when `reply` already holds the answer. */
static bool rejected(const struct request *req, json_t **body, json_t **vars,
                     struct http_reply *reply)
{
  json_t *errors = json_array();

  *vars = NULL;
  if (fastapi_load_body(req->body, req->body_len, errors, body) < 0)
    ; /* json_invalid */
  else if (!*body)
    fastapi_error(errors, "missing", "body", NULL, "Field required", json_null(), NULL);
  else if (fastapi_require_object(*body, errors) == 0)
    *vars = read_request(*body, errors);
  if (*vars) {
    json_decref(errors);
    return false;
  }
  http_reply_json(reply, 422, fastapi_body(errors));
  return true;
}

int routes_training_start(const struct routes_ctx *ctx, struct request *req,
                          struct http_reply *reply, struct err *err)
{
  struct launch l = LAUNCH_INIT;
  json_t *body = NULL;
  int rc = -1;

  if (rejected(req, &body, &l.vars, reply) || service_refuses(l.vars, reply, &l.metadata)) {
    rc = 0;
    goto cleanup;
  }
  l.type = "training";
  if (launch_start(ctx, req, body, &l, reply, err) < 0)
    goto cleanup;
  if (!l.answered)
    http_reply_json(reply, 200, started(req->id_buf, l.vars, l.scenario->start.estimated_minutes));
  launch_finish(&l, reply);
  rc = 0;
cleanup:
  launch_release(&l);
  json_decref(body);
  return rc;
}

/* ---- performance (§5) ------------------------------------------------- */

/* A section of result_summary filtered to `keys` (missing → null); null
 * when the section is missing or empty. */
static json_t *section(const json_t *rs, const char *name, const char *const *keys)
{
  const json_t *src = json_object_get(rs, name);
  json_t *out;

  if (!json_is_object(src) || json_object_size(src) == 0)
    return json_null();
  out = json_object();
  for (size_t i = 0; keys[i]; i++) {
    const json_t *v = json_object_get(src, keys[i]);

    json_object_set_new(out, keys[i], v ? json_deep_copy(v) : json_null());
  }
  return out;
}

static json_t *performance(const json_t *op)
{
  static const char *const training[] = { "final_train_loss", "final_val_loss",
                                          "final_train_accuracy", "final_val_accuracy",
                                          "epochs_completed", "early_stopped",
                                          "training_time_minutes", NULL };
  static const char *const test[] = { "test_loss", "test_accuracy", "precision", "recall",
                                      "f1_score", NULL };
  static const char *const model[] = { "model_size_bytes", "parameters_count", "architecture",
                                       NULL };
  const json_t *rs = json_object_get(op, "result_summary");

  return json_pack("{s:b, s:O, s:s, s:o, s:o, s:o}", "success", 1,
                   "task_id", json_object_get(op, "operation_id"), "status", "completed",
                   "training_metrics", section(rs, "training_metrics", training),
                   "test_metrics", section(rs, "test_metrics", test),
                   "model_info", section(rs, "model_info", model));
}

int routes_training_performance(const struct routes_ctx *ctx, struct request *req,
                                struct http_reply *reply, struct err *err)
{
  const char *id = req->params[0], *status;
  json_t *op = NULL, *fixed = NULL;

  req->operation_id = id;
  if (routes_fault(ctx, id, TIMELINE_REQ_RESULTS, reply))
    return 0;
  if (store_get(ctx->store, id, &op, err) < 0 && err->code != ERR_NOTFOUND)
    return -1;
  status = json_str_or(op, "status", "");
  if (!op || strcmp(json_str_or(op, "operation_type", ""), "training") != 0)
    http_reply_detail(reply, 404, "Training task %s not found", id);
  else if (strcmp(status, "completed") != 0)
    http_reply_detail(reply, 404, "Training task %s is not completed (status: %s)", id, status);
  else if (store_performance(ctx->store, id, &fixed, NULL) == 0 && fixed)
    http_reply_json(reply, 200, fixed);
  else
    http_reply_json(reply, 200, performance(op));
  json_decref(op);
  return 0;
}
