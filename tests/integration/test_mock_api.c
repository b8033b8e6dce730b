/*
 * The mock server's operation endpoints against the live contract
 * (API-CONTRACT §2.4, §2.6-2.8, §3): dummy start, get, cancel, list. Each
 * test gets a fresh in-process server at time_scale 100; waits are bounded.
 */
#define _GNU_SOURCE /* strcasestr */
#include "mock_helpers.h"

TestSuite(mock_api, .init = mock_setup, .fini = mock_teardown, .timeout = 60);

/* ---- POST /dummy/start ------------------------------------------------ */

Test(mock_api, dummy_start_returns_the_envelope)
{
  struct tl_response r;
  json_t *j = expect(&r, "POST", "/dummy/start", "{}", 200);
  json_t *data = json_object_get(j, "data");

  cr_expect(json_is_true(json_object_get(j, "success")));
  cr_expect(json_is_null(json_object_get(j, "error")));
  cr_expect_eq(json_object_size(j), 3);
  cr_expect(matches("^op_dummy_[0-9]{8}_[0-9]{6}_[0-9a-f]{8}$", str_at(data, "operation_id")),
            "id %s", str_at(data, "operation_id"));
  cr_expect_str_eq(str_at(data, "status"), "started");
  cr_expect_str_eq(str_at(data, "message"), "Started dummy_task operation");
  cr_expect_eq(json_object_size(data), 3);
  tl_response_release(&r);
}

Test(mock_api, dummy_start_without_body_uses_the_defaults)
{
  /* 200 s and 100 iterations: 2 s real at this scale. */
  char *id = start_dummy(NULL);
  json_t *op;

  wait_status(id, "completed");
  op = get_op(id);
  cr_expect_eq(int_at(progress_of(op), "steps_total"), 100);
  expect_json_eq(json_object_get(op, "result_summary"),
                 "{\"status\":\"success\",\"iterations_completed\":100,"
                 "\"total_duration_seconds\":200,\"message\":\"Completed all 100 iterations!\"}");
  json_decref(op);
  free(id);
}

Test(mock_api, ids_are_unique)
{
  char *a = start_dummy("{}"), *b = start_dummy("{}");

  cr_expect_str_neq(a, b);
  free(a);
  free(b);
}

Test(mock_api, dummy_start_rejects_bad_bodies)
{
  static const struct { const char *body, *type, *field; } cases[] = {
    { "{\"duration\": -1}", "greater_than", "duration" },
    { "{\"duration\": \"long\"}", "float_type", "duration" },
    { "{\"iterations\": 0}", "greater_than", "iterations" },
    { "{\"iterations\": 2.5}", "int_from_float", "iterations" },
    { "[1, 2]", "model_attributes_type", NULL },
    { "\"text\"", "model_attributes_type", NULL },
    { "{\"duration\": ", "json_invalid", NULL },
  };

  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct tl_response r;
    json_t *e = json_array_get(json_object_get(expect(&r, "POST", "/dummy/start",
                                                      cases[i].body, 422), "detail"), 0);
    json_t *loc = json_object_get(e, "loc");

    cr_expect_str_eq(str_at(e, "type"), cases[i].type, "body %s", cases[i].body);
    cr_expect_str_eq(json_string_value(json_array_get(loc, 0)), "body");
    if (cases[i].field)
      cr_expect_str_eq(json_string_value(json_array_get(loc, 1)), cases[i].field);
    cr_expect(json_is_string(json_object_get(e, "msg")));
    cr_expect_not_null(json_object_get(e, "input"));
    tl_response_release(&r);
  }
}

Test(mock_api, malformed_json_is_a_fastapi_422)
{
  struct tl_response r;
  json_t *j = expect(&r, "POST", "/dummy/start", "{\"duration\": 5,", 422);
  json_t *e = json_array_get(json_object_get(j, "detail"), 0);

  cr_expect_str_eq(str_at(e, "type"), "json_invalid");
  cr_expect_str_eq(str_at(e, "msg"), "JSON decode error");
  cr_expect(json_is_integer(json_array_get(json_object_get(e, "loc"), 1)));
  cr_expect(json_is_string(json_object_get(json_object_get(e, "ctx"), "error")));
  tl_response_release(&r);
}

/* ---- GET /operations/{id} --------------------------------------------- */

static const char dummy_metadata[] =
    "{\"symbol\":\"N/A\",\"timeframe\":\"N/A\",\"mode\":\"N/A\",\"start_date\":null,"
    "\"end_date\":null,\"parameters\":{\"operation_name\":\"dummy_task\","
    "\"service_name\":\"DummyService\"}}";

static void expect_key_order(const json_t *op)
{
  static const char *const keys[] = {
    "operation_id", "operation_type", "status", "created_at", "started_at", "completed_at",
    "progress", "metadata", "error_message", "warnings", "errors", "result_summary",
  };
  size_t i = 0;
  const char *key;
  json_t *v;

  json_object_foreach((json_t *)op, key, v) {
    cr_assert_lt(i, sizeof(keys) / sizeof(keys[0]), "extra key %s", key);
    cr_expect_str_eq(key, keys[i++]);
  }
  cr_expect_eq(i, sizeof(keys) / sizeof(keys[0]));
}

Test(mock_api, running_operation_has_the_live_shape)
{
  /* 10000 s / 10 iterations: iteration 1 after 1000 s simulated = 10 s real. */
  char *id = start_dummy("{\"duration\": 10000, \"iterations\": 10}");
  json_t *op = get_op(id), *p = progress_of(op);

  expect_key_order(op);
  cr_expect_str_eq(str_at(op, "operation_id"), id);
  cr_expect_str_eq(str_at(op, "operation_type"), "dummy");
  cr_expect_str_eq(str_at(op, "status"), "running");
  cr_expect(matches("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z$",
                    str_at(op, "created_at")));
  cr_expect_str_eq(str_at(op, "started_at"), str_at(op, "created_at"));
  cr_expect(json_is_null(json_object_get(op, "completed_at")));
  expect_json_eq(p, "{\"percentage\":0.0,\"current_step\":\"Starting dummy_task [0/10]\","
                    "\"steps_completed\":0,\"steps_total\":10,\"items_processed\":0,"
                    "\"items_total\":null,\"current_item\":null,"
                    "\"context\":{\"operation\":\"dummy_task\",\"service\":\"DummyService\"}}");
  cr_expect(json_is_real(json_object_get(p, "percentage")));
  expect_json_eq(json_object_get(op, "metadata"), dummy_metadata);
  cr_expect(json_is_null(json_object_get(op, "error_message")));
  expect_json_eq(json_object_get(op, "warnings"), "[]");
  expect_json_eq(json_object_get(op, "errors"), "[]");
  cr_expect(json_is_null(json_object_get(op, "result_summary")));
  json_decref(op);
  free(id);
}

Test(mock_api, iterations_follow_the_scaled_clock)
{
  char *id = start_dummy("{\"duration\": 1000, \"iterations\": 10}");
  json_t *op, *p;
  long i;
  char want[128];

  wait_step(id, 1);
  op = get_op(id);
  p = progress_of(op);
  i = (long)int_at(p, "steps_completed");
  cr_assert(i >= 1 && i < 10, "step %ld", i);
  snprintf(want, sizeof(want), "Working hard on iteration %ld! [%ld/10] (%ld.0%%)", i, i, i * 10);
  cr_expect_str_eq(str_at(p, "current_step"), want);
  cr_expect_float_eq(json_real_value(json_object_get(p, "percentage")), i * 10.0, 1e-9);
  cr_expect_eq(int_at(p, "items_processed"), i);
  snprintf(want, sizeof(want), "Processing step %ld", i);
  cr_expect_str_eq(str_at(p, "current_item"), want);
  cr_expect_str_eq(str_at(json_object_get(p, "context"), "current_item"), want);
  snprintf(want, sizeof(want), "Iteration %ld/10", i);
  cr_expect_str_eq(str_at(json_object_get(p, "context"), "current_step"), want);
  cr_expect_str_eq(str_at(op, "status"), "running");
  json_decref(op);
  free(id);
}

Test(mock_api, completes_with_the_result_summary)
{
  /* 2 s simulated = 20 ms real. */
  char *id = start_dummy("{\"duration\": 2, \"iterations\": 10}");
  json_t *op;
  int64_t took;

  wait_status(id, "completed");
  op = get_op(id);
  expect_json_eq(json_object_get(op, "result_summary"),
                 "{\"status\":\"success\",\"iterations_completed\":10,"
                 "\"total_duration_seconds\":2,\"message\":\"Completed all 10 iterations!\"}");
  cr_expect_str_eq(str_at(progress_of(op), "current_step"),
                   "Operation dummy_task completed [10/10] (100.0%)");
  cr_expect_float_eq(json_real_value(json_object_get(progress_of(op), "percentage")), 100.0, 1e-9);
  cr_expect_eq(int_at(progress_of(op), "steps_completed"), 10);
  cr_expect(json_is_null(json_object_get(op, "error_message")));
  /* completed_at is when the simulated end happened, not when we asked. */
  took = iso_us(str_at(op, "completed_at")) - iso_us(str_at(op, "started_at"));
  cr_expect(took >= 19999 && took <= 20001, "completed %lld us after the start", (long long)took);
  json_decref(op);
  free(id);
}

Test(mock_api, unknown_operation_is_404)
{
  struct tl_response r;

  expect_detail(expect(&r, "GET", "/operations/op_dummy_20250101_000000_deadbeef", NULL, 404),
                "Operation not found: op_dummy_20250101_000000_deadbeef");
  tl_response_release(&r);
}

/* ---- DELETE /operations/{id}, POST /operations/{id}/cancel ------------- */

static void expect_cancel_result(const json_t *j, const char *id, const char *reason)
{
  json_t *d = json_object_get(j, "data");

  cr_expect(json_is_true(json_object_get(j, "success")));
  cr_expect_eq(json_object_size(d), 7);
  cr_expect(json_is_true(json_object_get(d, "success")));
  cr_expect_str_eq(str_at(d, "operation_id"), id);
  cr_expect_str_eq(str_at(d, "status"), "cancelled");
  cr_expect(matches("^[0-9-]{10}T[0-9:]{8}\\.[0-9]{6}\\+00:00$", str_at(d, "cancelled_at")),
            "cancelled_at %s", str_at(d, "cancelled_at"));
  if (reason)
    cr_expect_str_eq(str_at(d, "cancellation_reason"), reason);
  else
    cr_expect(json_is_null(json_object_get(d, "cancellation_reason")));
  cr_expect(json_is_true(json_object_get(d, "task_cancelled")));
  cr_expect(json_is_false(json_object_get(d, "training_session_cancelled")));
}

Test(mock_api, delete_cancels)
{
  char *id = start_dummy(LONG_TASK), path[256];
  struct tl_response r;
  json_t *op;
  char want[256];

  cancel_path(path, sizeof(path), id, false);
  expect_cancel_result(expect(&r, "DELETE", path, NULL, 200), id, NULL);
  tl_response_release(&r);
  op = get_op(id);
  cr_expect_str_eq(str_at(op, "status"), "cancelled");
  cr_expect_str_eq(str_at(op, "error_message"), "Operation cancelled by user");
  cr_expect(json_is_string(json_object_get(op, "completed_at")));
  cr_expect(json_is_null(json_object_get(op, "result_summary")));
  json_decref(op);
  snprintf(want, sizeof(want),
           "Operation %s cannot be cancelled (status: OperationStatus.CANCELLED)", id);
  expect_detail(expect(&r, "DELETE", path, NULL, 400), want);
  tl_response_release(&r);
  free(id);
}

Test(mock_api, delete_with_a_reason)
{
  char *id = start_dummy(LONG_TASK), path[256];
  struct tl_response r;
  json_t *op;

  cancel_path(path, sizeof(path), id, false);
  expect_cancel_result(expect(&r, "DELETE", path, "{\"reason\": \"user asked\", \"force\": true}",
                              200), id, "user asked");
  tl_response_release(&r);
  op = get_op(id);
  cr_expect_str_eq(str_at(op, "error_message"), "user asked");
  json_decref(op);
  free(id);
}

Test(mock_api, post_cancel_is_the_same_as_delete)
{
  char *id = start_dummy(LONG_TASK), path[256];
  struct tl_response r;
  json_t *op;

  cancel_path(path, sizeof(path), id, true);
  expect_cancel_result(expect(&r, "POST", path, "{\"reason\": null}", 200), id, NULL);
  tl_response_release(&r);
  op = get_op(id);
  cr_expect_str_eq(str_at(op, "status"), "cancelled");
  json_decref(op);
  free(id);
}

Test(mock_api, cancelling_a_completed_operation_is_400)
{
  char *id = start_dummy("{\"duration\": 2, \"iterations\": 2}"), path[256], want[256];
  struct tl_response r;

  wait_status(id, "completed");
  cancel_path(path, sizeof(path), id, false);
  snprintf(want, sizeof(want),
           "Operation %s cannot be cancelled (status: OperationStatus.COMPLETED)", id);
  expect_detail(expect(&r, "DELETE", path, NULL, 400), want);
  tl_response_release(&r);
  cancel_path(path, sizeof(path), id, true);
  expect_detail(expect(&r, "POST", path, NULL, 400), want);
  tl_response_release(&r);
  free(id);
}

Test(mock_api, cancelling_an_unknown_operation_is_404)
{
  struct tl_response r;

  expect_detail(expect(&r, "DELETE", "/operations/op_nope", NULL, 404),
                "Operation not found: op_nope");
  tl_response_release(&r);
  expect_detail(expect(&r, "POST", "/operations/op_nope/cancel", NULL, 404),
                "Operation not found: op_nope");
  tl_response_release(&r);
}

Test(mock_api, cancel_rejects_bad_bodies)
{
  char *id = start_dummy(LONG_TASK), path[256];
  struct tl_response r;
  json_t *e;

  cancel_path(path, sizeof(path), id, false);
  e = json_array_get(json_object_get(expect(&r, "DELETE", path, "{\"reason\": 5}", 422), "detail"), 0);
  cr_expect_str_eq(str_at(e, "type"), "string_type");
  expect_json_eq(json_object_get(e, "loc"), "[\"body\",\"reason\"]");
  tl_response_release(&r);
  e = json_array_get(json_object_get(expect(&r, "DELETE", path, "{\"force\": \"maybe\"}", 422),
                                     "detail"), 0);
  cr_expect_str_eq(str_at(e, "type"), "bool_parsing");
  tl_response_release(&r);
  expect(&r, "DELETE", path, "not json", 422);
  tl_response_release(&r);
  /* Nothing happened to the operation. */
  e = get_op(id);
  cr_expect_str_eq(str_at(e, "status"), "running");
  json_decref(e);
  free(id);
}

Test(mock_api, cancelled_progress_stays_frozen)
{
  /* 100 s / 100 iterations: one iteration per 10 ms real, done after 1 s. */
  char *id = start_dummy("{\"duration\": 100, \"iterations\": 100}"), path[256];
  struct tl_response r;
  json_t *first, *again;
  int64_t until;
  long step;

  wait_step(id, 5);
  cancel_path(path, sizeof(path), id, false);
  expect(&r, "DELETE", path, NULL, 200);
  tl_response_release(&r);
  first = get_op(id);
  step = (long)int_at(progress_of(first), "steps_completed");
  cr_expect(step >= 5 && step < 100, "frozen at step %ld", step);
  /* Poll past the moment the task would have completed. */
  until = timeutil_mono_us() + 1200000;
  while (timeutil_mono_us() < until) {
    again = get_op(id);
    cr_assert_str_eq(str_at(again, "status"), "cancelled");
    cr_assert(json_equal(progress_of(again), progress_of(first)), "progress moved");
    cr_assert_str_eq(str_at(again, "completed_at"), str_at(first, "completed_at"));
    json_decref(again);
  }
  json_decref(first);
  free(id);
}

/* ---- GET /operations -------------------------------------------------- */

struct fleet {
  char *a, *b, *c, *d;    /* started in this order; c completes, d is cancelled */
};

static void fleet_start(struct fleet *f)
{
  struct tl_response r;
  char path[256];

  f->a = start_dummy(LONG_TASK);
  f->b = start_dummy(LONG_TASK);
  f->c = start_dummy("{\"duration\": 2, \"iterations\": 4}");
  f->d = start_dummy(LONG_TASK);
  cancel_path(path, sizeof(path), f->d, false);
  expect(&r, "DELETE", path, NULL, 200);
  tl_response_release(&r);
  wait_status(f->c, "completed");
}

static void fleet_free(struct fleet *f)
{
  free(f->a);
  free(f->b);
  free(f->c);
  free(f->d);
}

/* Lists with `query` and checks the ids (in order) and the counts. */
static void expect_list(const char *query, const char *const *ids, size_t n, long total,
                        long active)
{
  struct tl_response r;
  char path[512];
  json_t *j, *data;

  snprintf(path, sizeof(path), "/operations%s", query);
  j = expect(&r, "GET", path, NULL, 200);
  data = json_object_get(j, "data");
  cr_expect(json_is_true(json_object_get(j, "success")));
  cr_expect_eq(int_at(j, "total_count"), total, "%s: total_count", query);
  cr_expect_eq(int_at(j, "active_count"), active, "%s: active_count", query);
  cr_assert_eq(json_array_size(data), n, "%s: %s", query, r.body);
  for (size_t i = 0; i < n; i++)
    cr_expect_str_eq(str_at(json_array_get(data, i), "operation_id"), ids[i], "%s [%zu]", query, i);
  tl_response_release(&r);
}

Test(mock_api, list_filters_and_pages)
{
  struct fleet f;

  fleet_start(&f);
  {
    const char *all[] = { f.d, f.c, f.b, f.a }, *running[] = { f.b, f.a };
    const char *cancelled[] = { f.d }, *page[] = { f.c, f.b };

    expect_list("", all, 4, 4, 2);
    expect_list("?status=running", running, 2, 2, 2);
    expect_list("?status=cancelled", cancelled, 1, 1, 2);
    expect_list("?active_only=True", running, 2, 2, 2);
    expect_list("?active_only=true", running, 2, 2, 2);
    expect_list("?active_only=1", running, 2, 2, 2);
    expect_list("?active_only=False", all, 4, 4, 2);
    expect_list("?active_only=0", all, 4, 4, 2);
    expect_list("?operation_type=dummy", all, 4, 4, 2);
    expect_list("?operation_type=training", NULL, 0, 0, 2);
    expect_list("?limit=2", all, 2, 4, 2);
    expect_list("?limit=2&offset=1", page, 2, 4, 2);
    expect_list("?offset=10", NULL, 0, 4, 2);
    expect_list("?status=running&active_only=true&limit=1&offset=1", &running[1], 1, 2, 2);
  }
  fleet_free(&f);
}

Test(mock_api, list_summaries_have_the_live_fields)
{
  struct tl_response r;
  struct fleet f;
  json_t *data;
  size_t i;
  json_t *s;

  fleet_start(&f);
  data = json_object_get(expect(&r, "GET", "/operations", NULL, 200), "data");
  json_array_foreach(data, i, s) {
    cr_expect_eq(json_object_size(s), 8);
    cr_expect(json_is_string(json_object_get(s, "operation_id")));
    cr_expect_str_eq(str_at(s, "operation_type"), "dummy");
    cr_expect(json_is_string(json_object_get(s, "status")));
    cr_expect(json_is_string(json_object_get(s, "created_at")));
    cr_expect(json_is_number(json_object_get(s, "progress_percentage")));
    cr_expect(json_is_string(json_object_get(s, "current_step")));
    cr_expect_str_eq(str_at(s, "symbol"), "N/A");
    cr_expect(json_is_number(json_object_get(s, "duration_seconds")));
    cr_expect_geq(json_number_value(json_object_get(s, "duration_seconds")), 0.0);
  }
  s = json_array_get(data, 1); /* c: completed 20 ms after it started */
  cr_expect_str_eq(str_at(s, "status"), "completed");
  cr_expect_float_eq(json_number_value(json_object_get(s, "duration_seconds")), 0.02, 2e-6);
  cr_expect_float_eq(json_number_value(json_object_get(s, "progress_percentage")), 100.0, 1e-9);
  tl_response_release(&r);
  fleet_free(&f);
}

Test(mock_api, list_rejects_bad_parameters)
{
  static const struct { const char *query, *type, *field; } cases[] = {
    { "status=bogus", "enum", "status" },
    { "operation_type=foo", "enum", "operation_type" },
    { "limit=0", "greater_than_equal", "limit" },
    { "limit=1001", "less_than_equal", "limit" },
    { "limit=abc", "int_parsing", "limit" },
    { "offset=-1", "greater_than_equal", "offset" },
    { "active_only=maybe", "bool_parsing", "active_only" },
  };

  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct tl_response r;
    char path[256], loc[128];
    json_t *e;

    snprintf(path, sizeof(path), "/operations?%s", cases[i].query);
    e = json_array_get(json_object_get(expect(&r, "GET", path, NULL, 422), "detail"), 0);
    cr_expect_str_eq(str_at(e, "type"), cases[i].type, "%s", cases[i].query);
    snprintf(loc, sizeof(loc), "[\"query\",\"%s\"]", cases[i].field);
    expect_json_eq(json_object_get(e, "loc"), loc);
    cr_expect(json_is_string(json_object_get(e, "input")));
    tl_response_release(&r);
  }
}

Test(mock_api, list_enum_error_text)
{
  struct tl_response r;
  json_t *e = json_array_get(json_object_get(expect(&r, "GET", "/operations?status=done", NULL,
                                                    422), "detail"), 0);

  cr_expect_str_eq(str_at(e, "msg"),
                   "Input should be 'pending', 'running', 'completed', 'failed' or 'cancelled'");
  cr_expect_str_eq(str_at(e, "input"), "done");
  tl_response_release(&r);
}
