/* The dummy task timeline at exact elapsed times (API-CONTRACT §2.4, §7.4). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "dummy_task.h"

TestSuite(dummy_task, .timeout = 10);

struct row {
  double duration, elapsed;
  long iterations;
  enum op_status status;
  long step;               /* steps_completed == items_processed */
  double percentage;
  char text[64];           /* current_step; arrays, not pointers: Criterion
                              runs parameterized tests in a fresh process */
};

static struct row rows[] = {
  { 2, 0, 10, OP_STATUS_RUNNING, 0, 0.0, "Starting dummy_task [0/10]" },
  { 2, -1, 10, OP_STATUS_RUNNING, 0, 0.0, "Starting dummy_task [0/10]" },
  { 2, 0.1999, 10, OP_STATUS_RUNNING, 0, 0.0, "Starting dummy_task [0/10]" },
  { 2, 0.2, 10, OP_STATUS_RUNNING, 1, 10.0, "Working hard on iteration 1! [1/10] (10.0%)" },
  { 2, 0.6, 10, OP_STATUS_RUNNING, 3, 30.0, "Working hard on iteration 3! [3/10] (30.0%)" },
  { 2, 1.9999, 10, OP_STATUS_RUNNING, 9, 90.0, "Working hard on iteration 9! [9/10] (90.0%)" },
  { 2, 2.0, 10, OP_STATUS_COMPLETED, 10, 100.0, "Operation dummy_task completed [10/10] (100.0%)" },
  { 2, 50, 10, OP_STATUS_COMPLETED, 10, 100.0, "Operation dummy_task completed [10/10] (100.0%)" },
  { 200, 74, 100, OP_STATUS_RUNNING, 37, 37.0, "Working hard on iteration 37! [37/100] (37.0%)" },
  { 200, 199.99, 100, OP_STATUS_RUNNING, 99, 99.0, "Working hard on iteration 99! [99/100] (99.0%)" },
  { 3, 1, 3, OP_STATUS_RUNNING, 1, 100.0 / 3, "Working hard on iteration 1! [1/3] (33.3%)" },
  { 3, 2, 3, OP_STATUS_RUNNING, 2, 200.0 / 3, "Working hard on iteration 2! [2/3] (66.7%)" },
  /* Python's {:.1f} rounds exact ties to even: 6.25 -> 6.2, 18.75 -> 18.8. */
  { 16, 1, 16, OP_STATUS_RUNNING, 1, 6.25, "Working hard on iteration 1! [1/16] (6.2%)" },
  { 16, 3, 16, OP_STATUS_RUNNING, 3, 18.75, "Working hard on iteration 3! [3/16] (18.8%)" },
  { 1, 0.375, 8, OP_STATUS_RUNNING, 3, 37.5, "Working hard on iteration 3! [3/8] (37.5%)" },
};

ParameterizedTestParameters(dummy_task, state_at)
{
  return cr_make_param_array(struct row, rows, sizeof(rows) / sizeof(rows[0]));
}

ParameterizedTest(struct row *r, dummy_task, state_at)
{
  struct dummy_task_params p = { r->duration, r->iterations };
  struct operation op = OPERATION_INIT;
  struct err err = ERR_INIT;
  double end_s = -1;

  cr_assert_eq(dummy_task_state_at(&p, r->elapsed, &op, &end_s, &err), 0, "%s", err.msg);
  cr_expect_eq(op.status, r->status, "at %g s: status %d", r->elapsed, op.status);
  cr_expect_str_eq(op.progress.current_step, r->text);
  cr_expect_float_eq(op.progress.percentage, r->percentage, 1e-9);
  cr_expect_eq(op.progress.steps_completed, r->step);
  cr_expect_eq(op.progress.items_processed, r->step);
  cr_expect_eq(op.progress.steps_total, r->iterations);
  cr_expect_eq(op.progress.items_total, -1);
  if (r->status == OP_STATUS_COMPLETED)
    cr_expect_float_eq(end_s, r->duration, 1e-12);
  operation_release(&op);
}

static void expect_json(const json_t *have, const char *want_text)
{
  json_t *want = json_loads(want_text, 0, NULL);
  char *h = json_dumps(have, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
  char *w = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);

  cr_assert_not_null(want, "bad expected JSON: %s", want_text);
  cr_expect_str_eq(h, w);
  free(h);
  free(w);
  json_decref(want);
}

static void state_at(double duration, long iterations, double elapsed, struct operation *op)
{
  struct dummy_task_params p = { duration, iterations };
  double end_s;

  cr_assert_eq(dummy_task_state_at(&p, elapsed, op, &end_s, NULL), 0);
}

Test(dummy_task, context_and_item_follow_the_iteration)
{
  struct operation op = OPERATION_INIT;

  state_at(200, 100, 0, &op);
  cr_expect_null(op.progress.current_item);
  expect_json(op.progress.context, "{\"operation\":\"dummy_task\",\"service\":\"DummyService\"}");
  operation_release(&op);
  state_at(200, 100, 74.5, &op);
  cr_expect_str_eq(op.progress.current_item, "Processing step 37");
  expect_json(op.progress.context,
              "{\"operation\":\"dummy_task\",\"service\":\"DummyService\","
              "\"current_step\":\"Iteration 37/100\",\"current_item\":\"Processing step 37\"}");
  cr_expect_null(op.result_summary);
  operation_release(&op);
}

Test(dummy_task, result_summary_on_completion)
{
  struct operation op = OPERATION_INIT;

  state_at(200, 100, 200, &op);
  expect_json(op.result_summary,
              "{\"status\":\"success\",\"iterations_completed\":100,"
              "\"total_duration_seconds\":200,\"message\":\"Completed all 100 iterations!\"}");
  cr_expect_str_eq(op.progress.current_item, "Processing step 100");
  operation_release(&op);
  state_at(2.5, 5, 3, &op);
  expect_json(op.result_summary,
              "{\"status\":\"success\",\"iterations_completed\":5,"
              "\"total_duration_seconds\":2.5,\"message\":\"Completed all 5 iterations!\"}");
  operation_release(&op);
}

Test(dummy_task, refilling_an_operation_replaces_its_progress)
{
  struct operation op = OPERATION_INIT;

  state_at(2, 10, 2, &op);
  state_at(2, 10, 0.4, &op);
  cr_expect_eq(op.status, OP_STATUS_RUNNING);
  cr_expect_eq(op.progress.steps_completed, 2);
  cr_expect_null(op.result_summary);
  operation_release(&op);
}

Test(dummy_task, default_metadata)
{
  json_t *m = dummy_task_metadata();

  expect_json(m, "{\"symbol\":\"N/A\",\"timeframe\":\"N/A\",\"mode\":\"N/A\",\"start_date\":null,"
                 "\"end_date\":null,\"parameters\":{\"operation_name\":\"dummy_task\","
                 "\"service_name\":\"DummyService\"}}");
  json_decref(m);
}

struct params_row {
  char body[48];           /* "" = no body */
  int rc;
  double duration;
  long iterations;
  char errors[64];         /* expected "type@field,type@field" */
};

static struct params_row params_rows[] = {
  { "", 0, 200, 100, "" },
  { "{}", 0, 200, 100, "" },
  { "{\"duration\":10}", 0, 10, 100, "" },
  { "{\"duration\":10.5,\"iterations\":7}", 0, 10.5, 7, "" },
  { "{\"iterations\":10.0,\"other\":1}", 0, 200, 10, "" },
  { "{\"duration\":0}", -1, 200, 100, "greater_than@duration" },
  { "{\"duration\":\"abc\"}", -1, 200, 100, "float_type@duration" },
  { "{\"duration\":null}", -1, 200, 100, "float_type@duration" },
  { "{\"iterations\":0}", -1, 200, 100, "greater_than@iterations" },
  { "{\"iterations\":2.5}", -1, 200, 100, "int_from_float@iterations" },
  { "{\"iterations\":\"5\"}", -1, 200, 100, "int_type@iterations" },
  { "{\"iterations\":true}", -1, 200, 100, "int_type@iterations" },
  { "{\"iterations\":2000000000}", -1, 200, 100, "less_than_equal@iterations" },
  { "{\"duration\":-1,\"iterations\":0}", -1, 200, 100,
    "greater_than@duration,greater_than@iterations" },
};

ParameterizedTestParameters(dummy_task, params_from_json)
{
  return cr_make_param_array(struct params_row, params_rows,
                             sizeof(params_rows) / sizeof(params_rows[0]));
}

static void error_summary(const json_t *errors, char *out, size_t size)
{
  size_t i, n = 0;
  json_t *e;

  out[0] = '\0';
  json_array_foreach(errors, i, e) {
    cr_expect_str_eq(json_string_value(json_array_get(json_object_get(e, "loc"), 0)), "body");
    cr_expect(json_is_string(json_object_get(e, "msg")));
    cr_expect(json_object_get(e, "input") != NULL);
    n += (size_t)snprintf(out + n, size - n, "%s%s@%s", i ? "," : "",
                          json_string_value(json_object_get(e, "type")),
                          json_string_value(json_array_get(json_object_get(e, "loc"), 1)));
  }
}

ParameterizedTest(struct params_row *r, dummy_task, params_from_json)
{
  struct dummy_task_params p = DUMMY_TASK_PARAMS_INIT;
  json_t *body = r->body[0] ? json_loads(r->body, 0, NULL) : NULL;
  json_t *errors = json_array();
  char summary[256];

  cr_assert(!r->body[0] || body, "bad test JSON %s", r->body);
  cr_expect_eq(dummy_task_params_from_json(body, &p, errors), r->rc, "body %s", r->body);
  error_summary(errors, summary, sizeof(summary));
  cr_expect_str_eq(summary, r->errors, "body %s", r->body);
  if (r->rc == 0) {
    cr_expect_float_eq(p.duration_s, r->duration, 1e-12);
    cr_expect_eq(p.iterations, r->iterations);
  }
  json_decref(errors);
  json_decref(body);
}

Test(dummy_task, timeline_interface)
{
  struct dummy_task_params p = { 2, 10 };
  struct operation op = OPERATION_INIT;
  struct timeline tl = { NULL, NULL };
  double end_s = 0;

  cr_assert_eq(dummy_task_timeline(&p, &tl, NULL), 0);
  cr_expect_str_eq(tl.ops->name, "dummy_task");
  cr_assert_eq(timeline_state_at(&tl, 2.0, &op, &end_s, NULL), 0);
  cr_expect_eq(op.status, OP_STATUS_COMPLETED);
  cr_expect_float_eq(end_s, 2.0, 1e-12);
  operation_release(&op);
  timeline_release(&tl);
  cr_expect_null(tl.self);
  timeline_release(&tl);
}
