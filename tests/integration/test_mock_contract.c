/*
 * Contract tests: for every endpoint and error case of API-CONTRACT.md, the
 * mock's answer has the documented keys (in the live order), types and
 * texts. Manual clock, shipped scenarios.
 */
#include "test_scenario_helpers.h"

TestSuite(contract, .init = scen_manual, .fini = scen_stop, .timeout = 60);

/* ---- shape checks ---------------------------------------------------------- */

static bool has_type(const json_t *v, char t)
{
  switch (t) {
  case 's': return json_is_string(v);
  case 'i': return json_is_integer(v);
  case 'f': return json_is_real(v);
  case 'N': return json_is_number(v);
  case 'n': return json_is_null(v);
  case 'b': return json_is_boolean(v);
  case 'o': return json_is_object(v);
  case 'a': return json_is_array(v);
  default: return false;
  }
}

/*
 * `spec` lists the keys in their live order with their types:
 * "operation_id:s completed_at:sn progress:o" (several letters: any of them).
 * The object must have exactly those keys, in that order.
 */
static void shape(const json_t *obj, const char *spec, const char *what)
{
  void *it = json_object_iter((json_t *)obj);

  cr_assert(json_is_object(obj), "%s is not an object", what);
  while (*spec) {
    size_t n = strcspn(spec, " ");
    char tok[128], *colon;
    const json_t *v;
    bool ok = false;

    snprintf(tok, sizeof(tok), "%.*s", (int)n, spec);
    spec += n + (spec[n] == ' ');
    colon = strchr(tok, ':');
    cr_assert_not_null(colon, "bad spec token %s", tok);
    *colon = '\0';
    cr_assert_not_null(it, "%s: missing '%s' (and what follows)", what, tok);
    cr_expect_str_eq(json_object_iter_key(it), tok, "%s: key order", what);
    v = json_object_get(obj, tok);
    for (const char *t = colon + 1; *t; t++)
      ok = ok || has_type(v, *t);
    cr_expect(ok, "%s: '%s' is not of type %s", what, tok, colon + 1);
    it = json_object_iter_next((json_t *)obj, it);
  }
  cr_expect_null(it, "%s: unexpected key '%s'", what, it ? json_object_iter_key(it) : "");
}

#define ISO_Z "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z$"
#define OPERATION_INFO                                                                        \
  "operation_id:s operation_type:s status:s created_at:s started_at:sn completed_at:sn "       \
  "progress:o metadata:o error_message:sn warnings:a errors:a result_summary:on"
#define PROGRESS                                                                              \
  "percentage:f current_step:sn steps_completed:i steps_total:i items_processed:i "           \
  "items_total:in current_item:sn context:o"
#define METADATA "symbol:sn timeframe:sn mode:sn start_date:sn end_date:sn parameters:o"

static void live_headers(const struct tl_response *r)
{
  cr_expect_str_eq(header(r, "Content-Type"), "application/json");
  cr_expect(matches("^[0-9]+\\.[0-9]{2}ms$", header(r, "X-Process-Time")), "X-Process-Time %s",
            header(r, "X-Process-Time"));
}

/* The 422 body has `type`/`msg` at `loc` (compact JSON), every entry
 * carrying type, loc, msg and input. */
static void expect_422(const json_t *body, const char *loc, const char *type, const char *msg)
{
  json_t *detail = json_object_get(body, "detail"), *e;
  bool found = false;
  size_t i;

  cr_assert(json_is_array(detail) && json_array_size(detail) > 0, "not a 422 list");
  json_array_foreach(detail, i, e) {
    char *l = json_dumps(json_object_get(e, "loc"), JSON_COMPACT);

    cr_expect(json_is_string(json_object_get(e, "type")) && json_is_array(json_object_get(e, "loc"))
                  && json_is_string(json_object_get(e, "msg")) && json_object_get(e, "input"),
              "entry %zu lacks a key", i);
    if (strcmp(l, loc) == 0) {
      found = true;
      cr_expect_str_eq(str_at(e, "type"), type, "at %s", loc);
      cr_expect_str_eq(str_at(e, "msg"), msg, "at %s", loc);
    }
    free(l);
  }
  cr_expect(found, "no error at %s", loc);
}

/* ---- POST /trainings/start (§2.2) ----------------------------------------- */

Test(contract, training_start_200)
{
  struct tl_response r;
  json_t *j = expect(&r, "POST", "/trainings/start", TRAINING_BODY("trend_momentum"), 200);

  shape(j, "success:b task_id:s status:s message:s symbols:a timeframes:a strategy_name:s "
           "estimated_duration_minutes:i", "TrainingStartResponse");
  cr_expect_str_eq(str_at(j, "status"), "training_started");
  cr_expect_str_eq(str_at(j, "message"),
                   "Neural network training started for AAPL using trend_momentum strategy");
  cr_expect_eq(int_at(j, "estimated_duration_minutes"), 30);
  live_headers(&r);
  tl_response_release(&r);
  /* Stripped symbols, echoed. */
  j = expect(&r, "POST", "/trainings/start",
             "{\"strategy_name\":\"s\",\"symbols\":[\" AAPL \",\"MSFT\"],\"timeframes\":[\"1h\"]}",
             200);
  expect_json_eq(json_object_get(j, "symbols"), "[\"AAPL\",\"MSFT\"]");
  cr_expect_str_eq(str_at(j, "message"),
                   "Neural network training started for AAPL, MSFT using s strategy");
  tl_response_release(&r);
}

static const struct { const char *body, *loc, *type, *msg; } training_422[] = {
  { "{\"symbols\":[],\"timeframes\":[\"1h\"],\"strategy_name\":\"s\"}", "[\"body\",\"symbols\"]",
    "value_error", "Value error, At least one symbol must be specified" },
  { "{\"symbols\":[\"  \"],\"timeframes\":[\"1h\"],\"strategy_name\":\"s\"}",
    "[\"body\",\"symbols\"]", "value_error", "Value error, Symbol cannot be empty" },
  { "{\"symbols\":[\"A\"],\"timeframes\":[],\"strategy_name\":\"s\"}", "[\"body\",\"timeframes\"]",
    "value_error", "Value error, At least one timeframe must be specified" },
  { "{\"symbols\":[\"A\"],\"timeframes\":[\"\"],\"strategy_name\":\"s\"}",
    "[\"body\",\"timeframes\"]", "value_error", "Value error, Timeframe cannot be empty" },
  { "{\"timeframes\":[\"1h\"],\"strategy_name\":\"s\"}", "[\"body\",\"symbols\"]", "missing",
    "Field required" },
  { "{\"symbols\":\"AAPL\",\"timeframes\":[\"1h\"],\"strategy_name\":\"s\"}",
    "[\"body\",\"symbols\"]", "list_type", "Input should be a valid list" },
  { "{\"symbols\":[1],\"timeframes\":[\"1h\"],\"strategy_name\":\"s\"}",
    "[\"body\",\"symbols\",0]", "string_type", "Input should be a valid string" },
  { "{\"symbols\":[\"A\"],\"timeframes\":[\"1h\"]}", "[\"body\",\"strategy_name\"]", "missing",
    "Field required" },
  { "{\"symbols\":[\"A\"],\"timeframes\":[\"1h\"],\"strategy_name\":5}",
    "[\"body\",\"strategy_name\"]", "string_type", "Input should be a valid string" },
  { "{\"symbols\":[\"A\"],\"timeframes\":[\"1h\"],\"strategy_name\":\"s\","
    "\"detailed_analytics\":\"maybe\"}", "[\"body\",\"detailed_analytics\"]", "bool_parsing",
    "Input should be a valid boolean, unable to interpret input" },
  { "{\"symbols\":[\"A\"],\"timeframes\":[\"1h\"],\"strategy_name\":\"s\",\"start_date\":5}",
    "[\"body\",\"start_date\"]", "string_type", "Input should be a valid string" },
  { "{\"symbols\":", "[\"body\",11]", "json_invalid", "JSON decode error" },
  { "[1]", "[\"body\"]", "model_attributes_type",
    "Input should be a valid dictionary or object to extract fields from" },
  { NULL, "[\"body\"]", "missing", "Field required" },
};

Test(contract, training_start_422)
{
  for (size_t i = 0; i < sizeof(training_422) / sizeof(training_422[0]); i++) {
    struct tl_response r;
    json_t *j = expect(&r, "POST", "/trainings/start", training_422[i].body, 422);

    expect_422(j, training_422[i].loc, training_422[i].type, training_422[i].msg);
    live_headers(&r);
    tl_response_release(&r);
  }
}

Test(contract, training_start_400_and_500)
{
  struct tl_response r;

  expect_detail(expect(&r, "POST", "/trainings/start",
                       "{\"strategy_name\":\"../etc\",\"symbols\":[\"A\"],\"timeframes\":[\"1h\"]}",
                       400),
                "Strategy name may only contain alphanumerics, dashes, or underscores");
  tl_response_release(&r);
  expect_detail(expect(&r, "POST", "/trainings/start",
                       "{\"strategy_name\":\"s\",\"symbols\":[\"A\"],\"timeframes\":[\"1h\"],"
                       "\"start_date\":\"2024-13-45\"}", 500),
                "Failed to start training");
  tl_response_release(&r);
  shape(expect(&r, "POST", "/trainings/start", TRAINING_BODY("unknown_x"), 400), "detail:s",
        "400 body");
  tl_response_release(&r);
}

/* ---- GET /trainings/{id}/performance (§2.3, §5) ---------------------------- */

Test(contract, performance)
{
  char *id = start_op("/trainings/start", NULL, TRAINING_BODY("trend_momentum"));
  char *dummy = start_op("/dummy/start", NULL, NULL);
  struct tl_response r;
  char path[256], want[256];
  json_t *j;

  expect_detail(expect(&r, "GET", "/trainings/op_nope/performance", NULL, 404),
                "Training task op_nope not found");
  tl_response_release(&r);
  snprintf(path, sizeof(path), "/trainings/%s/performance", dummy);
  snprintf(want, sizeof(want), "Training task %s not found", dummy);
  expect_detail(expect(&r, "GET", path, NULL, 404), want);
  tl_response_release(&r);
  snprintf(path, sizeof(path), "/trainings/%s/performance", id);
  snprintf(want, sizeof(want), "Training task %s is not completed (status: running)", id);
  expect_detail(expect(&r, "GET", path, NULL, 404), want);
  tl_response_release(&r);
  advance(100);
  j = expect(&r, "GET", path, NULL, 200);
  shape(j, "success:b task_id:s status:s training_metrics:on test_metrics:on model_info:on",
        "PerformanceResponse");
  shape(json_object_get(j, "training_metrics"),
        "final_train_loss:Nn final_val_loss:Nn final_train_accuracy:Nn final_val_accuracy:Nn "
        "epochs_completed:in early_stopped:bn training_time_minutes:Nn", "training_metrics");
  shape(json_object_get(j, "test_metrics"),
        "test_loss:Nn test_accuracy:Nn precision:Nn recall:Nn f1_score:Nn", "test_metrics");
  shape(json_object_get(j, "model_info"), "model_size_bytes:in parameters_count:in "
                                          "architecture:sn", "model_info");
  cr_expect_str_eq(str_at(j, "task_id"), id);
  cr_expect_str_eq(str_at(j, "status"), "completed");
  tl_response_release(&r);
  free(id);
  free(dummy);
}

/* ---- POST /data/load (§6.1) and /data/acquire/download (§10) ---------------- */

#define LOAD_RESPONSE                                                                         \
  "status:s operation_id:sn fetched_bars:i cached_before:b merged_file:s gaps_analyzed:i "    \
  "segments_fetched:i ib_requests_made:i execution_time_seconds:f error_message:sn"

Test(contract, data_load_async_and_sync)
{
  struct tl_response r;
  json_t *j = expect(&r, "POST", "/data/load?async_mode=true",
                     "{\"symbol\":\"AAPL\",\"timeframe\":\"1h\",\"mode\":\"tail\","
                     "\"start_date\":\"2024-01-01\",\"end_date\":\"2024-06-01\","
                     "\"filters\":{\"trading_hours_only\":true,\"include_extended\":false}}",
                     200);

  shape(j, "success:b data:o error:n", "DataLoadApiResponse");
  shape(json_object_get(j, "data"), LOAD_RESPONSE, "DataLoadOperationResponse");
  cr_expect_str_eq(str_at(json_object_get(j, "data"), "status"), "started");
  cr_expect(matches("^op_data_load_", str_at(json_object_get(j, "data"), "operation_id")));
  tl_response_release(&r);
  j = expect(&r, "POST", "/data/load", DATA_BODY, 200);
  shape(j, "success:b data:o error:n", "sync DataLoadApiResponse");
  shape(json_object_get(j, "data"), LOAD_RESPONSE, "sync DataLoadOperationResponse");
  tl_response_release(&r);
}

static const struct { const char *query, *body, *loc, *type, *msg; } data_422[] = {
  { "?async_mode=true", "{\"symbol\":\"AAPL\",\"timeframe\":\"2h3\"}", "[\"body\",\"timeframe\"]",
    "literal_error",
    "Input should be '1m', '5m', '15m', '30m', '1h', '2h', '4h', '1d', '1w' or '1M'" },
  { "?async_mode=true", "{\"symbol\":\"AAPL\",\"timeframe\":\"1h\",\"mode\":\"weekly\"}",
    "[\"body\",\"mode\"]", "literal_error",
    "Input should be 'local', 'tail', 'backfill' or 'full'" },
  { "?async_mode=true", "{\"symbol\":\"AAPL\"}", "[\"body\",\"timeframe\"]", "missing",
    "Field required" },
  { "?async_mode=true", "{\"timeframe\":\"1h\"}", "[\"body\",\"symbol\"]", "missing",
    "Field required" },
  { "?async_mode=true", "{\"symbol\":\"AAPL\",\"timeframe\":\"1h\",\"start_date\":"
    "\"2024-06-01\",\"end_date\":\"2024-01-01\"}", "[\"body\"]", "value_error",
    "Value error, start_date must be before end_date" },
  { "?async_mode=true", "{\"symbol\":\"AAPL\",\"timeframe\":\"1h\",\"start_date\":\"yesterday\"}",
    "[\"body\",\"start_date\"]", "datetime_from_date_parsing",
    "Input should be a valid datetime or date, invalid format" },
  { "?async_mode=maybe", "{\"symbol\":\"AAPL\",\"timeframe\":\"1h\"}", "[\"query\",\"async_mode\"]",
    "bool_parsing", "Input should be a valid boolean, unable to interpret input" },
};

Test(contract, data_load_422)
{
  for (size_t i = 0; i < sizeof(data_422) / sizeof(data_422[0]); i++) {
    struct tl_response r;
    char path[128];

    snprintf(path, sizeof(path), "/data/load%s", data_422[i].query);
    expect_422(expect(&r, "POST", path, data_422[i].body, 422), data_422[i].loc,
               data_422[i].type, data_422[i].msg);
    tl_response_release(&r);
  }
}

Test(contract, data_load_blank_symbol_and_acquire)
{
  struct tl_response r;
  json_t *j = expect(&r, "POST", "/data/load?async_mode=true",
                     "{\"symbol\":\"  \",\"timeframe\":\"1h\"}", 400);

  shape(j, "success:b error:o", "ktrdr error envelope");
  shape(json_object_get(j, "error"), "code:s message:s details:o", "error");
  cr_expect_str_eq(str_at(json_object_get(j, "error"), "code"), "DATA-InvalidSymbol");
  tl_response_release(&r);
  j = expect(&r, "POST", "/data/acquire/download", DATA_BODY, 200);
  shape(j, "success:b operation_id:s status:s message:s", "acquire/download");
  tl_response_release(&r);
  j = expect(&r, "POST", "/data/acquire/download", "{\"symbol\":\"\",\"timeframe\":\"1h\"}", 500);
  cr_expect(strncmp(str_at(j, "detail"), "Data acquisition failed: ", 25) == 0, "%s",
            str_at(j, "detail"));
  tl_response_release(&r);
}

/* ---- /operations (§2.6-2.8, §3, §10) -------------------------------------- */

Test(contract, operation_info)
{
  char *id = start_op("/trainings/start", NULL, TRAINING_BODY("trend_momentum"));
  struct tl_response r;
  json_t *j, *op;

  advance(5);
  j = get_status(&r, id, 200);
  shape(j, "success:b data:o", "GET /operations/{id}");
  op = json_object_get(j, "data");
  shape(op, OPERATION_INFO, "OperationInfo");
  shape(json_object_get(op, "progress"), PROGRESS, "OperationProgress");
  shape(json_object_get(op, "metadata"), METADATA, "OperationMetadata");
  cr_expect(matches(ISO_Z, str_at(op, "created_at")), "%s", str_at(op, "created_at"));
  cr_expect(matches(ISO_Z, str_at(op, "started_at")));
  live_headers(&r);
  tl_response_release(&r);
  expect_detail(expect(&r, "GET", "/operations/op_nope", NULL, 404),
                "Operation not found: op_nope");
  tl_response_release(&r);
  free(id);
}

Test(contract, cancel)
{
  char *id = start_op("/dummy/start", NULL, NULL);
  struct tl_response r;
  char path[256], want[256];
  json_t *j;

  snprintf(path, sizeof(path), "/operations/%s", id);
  j = expect(&r, "DELETE", path, "{\"reason\":null,\"force\":false}", 200);
  shape(j, "success:b data:o", "cancel");
  shape(json_object_get(j, "data"), "success:b operation_id:s status:s cancelled_at:s "
                                    "cancellation_reason:sn task_cancelled:b "
                                    "training_session_cancelled:b", "cancel data");
  cr_expect(matches("\\+00:00$", str_at(json_object_get(j, "data"), "cancelled_at")));
  tl_response_release(&r);
  snprintf(want, sizeof(want),
           "Operation %s cannot be cancelled (status: OperationStatus.CANCELLED)", id);
  expect_detail(expect(&r, "DELETE", path, NULL, 400), want);
  tl_response_release(&r);
  expect_detail(expect(&r, "DELETE", "/operations/op_nope", NULL, 404),
                "Operation not found: op_nope");
  tl_response_release(&r);
  j = get_status(&r, id, 200);
  cr_expect_str_eq(str_at(json_object_get(j, "data"), "error_message"),
                   "Operation cancelled by user");
  tl_response_release(&r);
  free(id);
}

Test(contract, results)
{
  char *id = start_op("/dummy/start", NULL, "{\"duration\":2,\"iterations\":2}");
  struct tl_response r;
  char path[256];
  json_t *j;

  snprintf(path, sizeof(path), "/operations/%s/results", id);
  expect_detail(expect(&r, "GET", path, NULL, 400), "Operation not finished (status: running)");
  tl_response_release(&r);
  advance(2);
  j = expect(&r, "GET", path, NULL, 200);
  shape(j, "success:b operation_id:s operation_type:s status:s results:on", "results");
  cr_expect_eq(int_at(json_object_get(j, "results"), "iterations_completed"), 2);
  tl_response_release(&r);
  expect_detail(expect(&r, "GET", "/operations/op_nope/results", NULL, 404),
                "Operation not found: op_nope");
  tl_response_release(&r);
  free(id);
}

Test(contract, list)
{
  char *id = start_op("/dummy/start", NULL, NULL);
  struct tl_response r;
  json_t *j = expect(&r, "GET", "/operations?active_only=True&limit=10&offset=0", NULL, 200);

  shape(j, "success:b data:a total_count:i active_count:i", "OperationListResponse");
  shape(json_array_get(json_object_get(j, "data"), 0),
        "operation_id:s operation_type:s status:s created_at:s progress_percentage:f "
        "current_step:sn symbol:sn duration_seconds:fn", "OperationSummary");
  tl_response_release(&r);
  free(id);
}

Test(contract, symbols_health_and_start_envelope)
{
  struct tl_response r;
  json_t *j = expect(&r, "GET", "/symbols", NULL, 200);

  shape(j, "success:b data:a error:n", "symbols");
  shape(json_array_get(json_object_get(j, "data"), 0),
        "symbol:s name:s type:s exchange:s currency:s available_timeframes:a trading_hours:on",
        "SymbolInfo");
  tl_response_release(&r);
  shape(expect(&r, "GET", "/health", NULL, 200), "status:s version:s", "health");
  tl_response_release(&r);
  j = expect(&r, "POST", "/dummy/start", "{}", 200);
  shape(j, "success:b data:o error:n", "dummy start");
  shape(json_object_get(j, "data"), "operation_id:s status:s message:s", "dummy start data");
  tl_response_release(&r);
}

/* ---- bad input ------------------------------------------------------------- */

Test(contract, bad_input_is_always_json)
{
  struct tl_response r;
  char *big = malloc(1024 * 1024 + 2);
  const json_t *detail;

  expect_detail(expect(&r, "GET", "/trainings", NULL, 404), "Not Found");
  live_headers(&r);
  tl_response_release(&r);
  expect_detail(expect(&r, "GET", "/trainings/start", NULL, 405), "Method Not Allowed");
  cr_expect_str_eq(header(&r, "Allow"), "POST");
  live_headers(&r);
  tl_response_release(&r);
  expect_detail(expect(&r, "PUT", "/operations/op_x/results", NULL, 405), "Method Not Allowed");
  tl_response_release(&r);
  expect_422(expect(&r, "POST", "/data/load?async_mode=true", "{\"symbol\":", 422),
             "[\"body\",10]", "json_invalid", "JSON decode error");
  tl_response_release(&r);
  memset(big, ' ', 1024 * 1024 + 1);
  big[0] = '{';
  big[1024 * 1024] = '}';
  big[1024 * 1024 + 1] = '\0';
  detail = json_object_get(expect(&r, "POST", "/trainings/start", big, 413), "detail");
  cr_expect(json_is_string(detail)); /* (a macro: its argument is evaluated twice) */
  live_headers(&r);
  tl_response_release(&r);
  free(big);
}
