/*
 * The shipped dummy scenarios, over HTTP on a manual clock: one Test per
 * scenario, checking its timeline, its outcome and its cancellation.
 */
#include "test_scenario_helpers.h"

TestSuite(scenario_dummy, .init = scen_manual, .fini = scen_stop, .timeout = 60);

static void cancel(const char *id, long status, struct tl_response *r)
{
  char path[256];

  snprintf(path, sizeof(path), "/operations/%s", id);
  call(r, "DELETE", path, "{\"reason\":\"user stop\"}");
  cr_assert_eq(r->status, status, "%s", r->body);
}

static void expect_state(const char *id, const char *status, long step)
{
  json_t *op = op_now(id);

  cr_expect_str_eq(str_at(op, "status"), status, "%s", id);
  cr_expect_eq(int_at(progress_of(op), "steps_completed"), step);
  json_decref(op);
}

Test(scenario_dummy, dummy_default)
{
  char *id = start_op("/dummy/start", "dummy_default", "{\"duration\": 10, \"iterations\": 5}");
  char *plain = start_op("/dummy/start", NULL, NULL);
  json_t *op = op_now(plain);

  cr_expect_eq(int_at(progress_of(op), "steps_total"), 100, "the live defaults");
  cr_expect_str_eq(step_of(op), "Starting dummy_task [0/100]");
  json_decref(op);
  advance(2);
  op = op_now(id);
  cr_expect_str_eq(step_of(op), "Working hard on iteration 1! [1/5] (20.0%)");
  json_decref(op);
  advance(8);
  op = op_now(id);
  cr_expect_str_eq(str_at(op, "status"), "completed");
  cr_expect_str_eq(step_of(op), "Operation dummy_task completed [5/5] (100.0%)");
  expect_json_eq(json_object_get(op, "result_summary"),
                 "{\"status\":\"success\",\"iterations_completed\":5,"
                 "\"total_duration_seconds\":10,\"message\":\"Completed all 5 iterations!\"}");
  /* Manual clock: timestamps are the base time + simulated seconds. */
  cr_expect_eq(iso_us(str_at(op, "completed_at")) - iso_us(str_at(op, "started_at")), 10000000);
  json_decref(op);
  expect_state(plain, "running", 5);
  free(id);
  free(plain);
}

Test(scenario_dummy, dummy_slow_cancel)
{
  char *id = start_op("/dummy/start", "dummy_slow_cancel", NULL);
  struct tl_response r;
  json_t *op;

  advance(3);
  cancel(id, 200, &r);
  cr_expect_str_eq(str_at(json_object_get(r.json, "data"), "status"), "cancelled");
  tl_response_release(&r);
  expect_state(id, "running", 3);
  advance(1.9);
  expect_state(id, "running", 4);
  /* A second cancel while one is on its way changes nothing. */
  cancel(id, 200, &r);
  tl_response_release(&r);
  advance(0.1);
  op = op_now(id);
  cr_expect_str_eq(str_at(op, "status"), "cancelled");
  cr_expect_eq(int_at(progress_of(op), "steps_completed"), 5, "frozen 2 s after the DELETE");
  cr_expect_str_eq(str_at(op, "error_message"), "user stop");
  cr_expect_eq(iso_us(str_at(op, "completed_at")) - iso_us(str_at(op, "started_at")), 5000000);
  json_decref(op);
  advance(10);
  expect_state(id, "cancelled", 5);
  free(id);
}

Test(scenario_dummy, dummy_cancel_refused)
{
  char *id = start_op("/dummy/start", "dummy_cancel_refused", NULL);
  struct tl_response r;
  char detail[256];

  advance(3);
  cancel(id, 400, &r);
  snprintf(detail, sizeof(detail),
           "Operation %s cannot be cancelled (status: OperationStatus.RUNNING)", id);
  expect_detail(r.json, detail);
  tl_response_release(&r);
  expect_state(id, "running", 3);
  advance(17);
  expect_state(id, "completed", 20);
  free(id);
}

Test(scenario_dummy, dummy_cancel_ignored)
{
  char *id = start_op("/dummy/start", "dummy_cancel_ignored", NULL);
  struct tl_response r;

  advance(3);
  cancel(id, 200, &r);
  cr_expect_str_eq(str_at(json_object_get(r.json, "data"), "status"), "cancelled");
  tl_response_release(&r);
  expect_state(id, "running", 3);
  advance(17);
  expect_state(id, "completed", 20);
  free(id);
}

Test(scenario_dummy, dummy_cancel_flip)
{
  char *id = start_op("/dummy/start", "dummy_cancel_flip", NULL);
  struct tl_response r;
  json_t *op;

  advance(74);
  cancel(id, 200, &r);
  tl_response_release(&r);
  expect_state(id, "cancelled", 37);
  advance(1.9);
  expect_state(id, "cancelled", 37);
  advance(0.1);
  op = op_now(id);
  cr_expect_str_eq(str_at(op, "status"), "completed");
  cr_expect_str_eq(step_of(op), "Operation dummy_task completed [100/100] (100.0%)");
  expect_json_eq(json_object_get(op, "result_summary"),
                 "{\"status\":\"cancelled\",\"iterations_completed\":37,"
                 "\"message\":\"Stopped after 37 iterations\"}");
  cr_expect_eq(iso_us(str_at(op, "completed_at")) - iso_us(str_at(op, "started_at")), 76000000);
  json_decref(op);
  free(id);
}
