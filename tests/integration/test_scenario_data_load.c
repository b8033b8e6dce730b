/*
 * The shipped data-load scenarios, over HTTP on a manual clock: one Test per
 * scenario, through POST /data/load?async_mode=true and
 * POST /data/acquire/download.
 */
#include "test_scenario_helpers.h"

#define BOLT "\xE2\x9A\xA1"
#define LOAD "/data/load?async_mode=true"

TestSuite(scenario_data_load, .init = scen_manual, .fini = scen_stop, .timeout = 60);

Test(scenario_data_load, data_load_tail)
{
  char *id = start_op(LOAD, NULL, DATA_BODY);
  struct tl_response r;
  json_t *op, *j;

  cr_expect(matches("^op_data_load_[0-9]{8}_[0-9]{6}_[0-9a-f]{8}$", id), "%s", id);
  advance(0.2);
  op = op_now(id);
  cr_expect_str_eq(step_of(op), BOLT " Starting load_data_AAPL_1h (AAPL 1h, tail mode) [2/10]");
  cr_expect_str_eq(str_at(json_object_get(op, "metadata"), "symbol"), "N/A", "§6.2 metadata");
  json_decref(op);
  advance(1.0);
  op = op_now(id);
  cr_expect(strstr(step_of(op), "Fetch 3 segments from IB: Segment 1/3: ") != NULL, "%s",
            step_of(op));
  json_decref(op);
  advance(6.4);
  op = op_now(id);
  cr_expect_str_eq(str_at(op, "status"), "completed");
  expect_json_eq(json_object_get(op, "result_summary"),
                 "{\"status\":\"success\",\"fetched_bars\":1500,\"cached_before\":true,"
                 "\"merged_file\":\"AAPL_1h.csv\",\"gaps_analyzed\":1,\"segments_fetched\":3,"
                 "\"ib_requests_made\":3,\"execution_time_seconds\":0.0}");
  json_decref(op);
  /* The later flat endpoint plays the same scenario. */
  j = expect(&r, "POST", "/data/acquire/download", DATA_BODY, 200);
  cr_expect_str_eq(str_at(j, "message"), "Started tail download for AAPL 1h");
  cr_expect_str_eq(str_at(j, "status"), "started");
  tl_response_release(&r);
  free(id);
}

Test(scenario_data_load, data_load_ib_gateway_error)
{
  char *id = start_op(LOAD, "data_load_ib_gateway_error", DATA_BODY);
  json_t *op;

  advance(3.49);
  op = op_now(id);
  cr_expect_str_eq(str_at(op, "status"), "running");
  json_decref(op);
  advance(0.01);
  op = op_now(id);
  cr_expect_str_eq(str_at(op, "status"), "failed");
  cr_expect(strstr(str_at(op, "error_message"), "segment 2/3 for AAPL 1h: IB Gateway connection "
                                                "timeout") != NULL,
            "%s", str_at(op, "error_message"));
  cr_expect(strstr(step_of(op), "Segment 2/3") != NULL, "frozen in segment 2: %s", step_of(op));
  cr_expect(json_is_null(json_object_get(op, "result_summary")));
  json_decref(op);
  free(id);
}

Test(scenario_data_load, data_load_ib_gateway_down)
{
  struct tl_response r, list;
  json_t *j = expect_h(&r, "POST", LOAD, DATA_BODY, "data_load_ib_gateway_down", 200);
  json_t *error = json_object_get(j, "error");

  cr_expect(json_is_false(json_object_get(j, "success")));
  cr_expect_str_eq(str_at(error, "code"), "DATA-LoadFailed");
  cr_expect(strstr(str_at(error, "message"), "IB Gateway") != NULL);
  expect_json_eq(json_object_get(error, "details"),
                 "{\"symbol\":\"AAPL\",\"timeframe\":\"1h\",\"mode\":\"tail\"}");
  cr_expect_str_eq(str_at(json_object_get(j, "data"), "status"), "failed");
  tl_response_release(&r);
  cr_expect_eq(int_at(expect(&list, "GET", "/operations", NULL, 200), "total_count"), 0);
  tl_response_release(&list);
}

Test(scenario_data_load, local_mode_and_sync_mode)
{
  struct tl_response r;
  char *id = start_op(LOAD, NULL, "{\"symbol\":\"MSFT\",\"timeframe\":\"1d\"}");
  json_t *op, *j;

  advance(0.4);
  op = op_now(id);
  cr_expect_str_eq(str_at(op, "status"), "completed");
  cr_expect(strstr(step_of(op), "Validating data quality (MSFT 1d, local mode) [5/5]") != NULL,
            "%s", step_of(op));
  json_decref(op);
  /* Without async_mode the answer is the load's result, at once. */
  j = expect(&r, "POST", "/data/load", DATA_BODY, 200);
  cr_expect(json_is_true(json_object_get(j, "success")));
  cr_expect_str_eq(str_at(json_object_get(j, "data"), "status"), "success");
  cr_expect_eq(int_at(json_object_get(j, "data"), "fetched_bars"), 1500);
  tl_response_release(&r);
  j = expect_h(&r, "POST", "/data/load", DATA_BODY, "data_load_ib_gateway_error", 200);
  cr_expect(json_is_false(json_object_get(j, "success")));
  cr_expect_str_eq(str_at(json_object_get(j, "error"), "code"), "DATA-LoadFailed");
  tl_response_release(&r);
  free(id);
}
