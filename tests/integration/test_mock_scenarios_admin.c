/*
 * The admin API around scenarios and time: the scenario list, selection and
 * its precedence (header > match > selection > default), reset, the manual
 * clock, the new fault actions (delay, drop, truncate), and that a delayed
 * answer never holds up another client.
 */
#include "test_scenario_helpers.h"

#include "faults.h"

TestSuite(mock_scenarios_admin, .init = scen_manual, .fini = scen_stop, .timeout = 60);

static void admin(const char *method, const char *path, const char *body, long status)
{
  struct tl_response r;

  expect(&r, method, path, body, status);
  tl_response_release(&r);
}

/* Which scenario a training start played, from its progress. */
static const char *played(const char *strategy, const char *header)
{
  char body[256], *id;
  json_t *op;
  static char step[128];

  snprintf(body, sizeof(body),
           "{\"strategy_name\":\"%s\",\"symbols\":[\"AAPL\"],\"timeframes\":[\"1h\"]}", strategy);
  id = start_op("/trainings/start", header, body);
  op = op_now(id);
  snprintf(step, sizeof(step), "%s",
           str_at(json_object_get(json_object_get(op, "metadata"), "parameters"),
                  "training_mode"));
  if (strcmp(step, "local") == 0 && int_at(json_object_get(json_object_get(op, "metadata"),
                                                           "parameters"), "epochs") == 10)
    snprintf(step, sizeof(step), "gpu");
  json_decref(op);
  free(id);
  return step;
}

Test(mock_scenarios_admin, scenarios_are_listed)
{
  struct tl_response r;
  json_t *j = expect(&r, "GET", "/__admin/scenarios", NULL, 200), *s;
  size_t i, found = 0;

  json_array_foreach(json_object_get(j, "scenarios"), i, s) {
    cr_expect(json_is_string(json_object_get(s, "description")));
    cr_expect(json_is_string(json_object_get(s, "file")));
    cr_expect(json_is_boolean(json_object_get(s, "default")));
    if (strcmp(str_at(s, "name"), "training_gpu") == 0) {
      found++;
      cr_expect_str_eq(str_at(s, "operation_type"), "training");
      cr_expect(strstr(str_at(s, "file"), "scenarios/training_gpu.yaml") != NULL);
    }
  }
  cr_expect_eq(found, 1);
  expect_json_eq(json_object_get(j, "selected"),
                 "{\"dummy\":null,\"training\":null,\"data_load\":null}");
  tl_response_release(&r);
}

Test(mock_scenarios_admin, selection_precedence)
{
  cr_expect_str_eq(played("plain", NULL), "local", "the default");
  admin("PUT", "/__admin/scenarios/select",
        "{\"operation_type\":\"training\",\"scenario\":\"training_host\"}", 200);
  cr_expect_str_eq(played("plain", NULL), "host_service", "the selection");
  cr_expect_str_eq(played("alpha_gpu", NULL), "gpu", "match rules beat the selection");
  cr_expect_str_eq(played("alpha_gpu", "training_local"), "local", "the header beats all");
  admin("PUT", "/__admin/scenarios/select",
        "{\"operation_type\":\"training\",\"scenario\":null}", 200);
  cr_expect_str_eq(played("plain", NULL), "local");
  admin("PUT", "/__admin/scenarios/select",
        "{\"operation_type\":\"training\",\"scenario\":\"training_host\"}", 200);
  admin("DELETE", "/__admin/scenarios/select", NULL, 200);
  cr_expect_str_eq(played("plain", NULL), "local");
}

Test(mock_scenarios_admin, bad_selections_and_headers)
{
  struct tl_response r;

  admin("PUT", "/__admin/scenarios/select",
        "{\"operation_type\":\"training\",\"scenario\":\"nope\"}", 404);
  admin("PUT", "/__admin/scenarios/select",
        "{\"operation_type\":\"training\",\"scenario\":\"flaky_503\"}", 400);
  admin("PUT", "/__admin/scenarios/select",
        "{\"operation_type\":\"backtest\",\"scenario\":\"flaky_503\"}", 400);
  admin("PUT", "/__admin/scenarios/select", "{\"scenario\":1}", 400);
  admin("PUT", "/__admin/scenarios/select", "{nope", 400);
  expect_h(&r, "POST", "/dummy/start", NULL, "nope", 400);
  cr_expect(strstr(str_at(r.json, "detail"), "X-Mock-Scenario") != NULL, "%s", r.body);
  tl_response_release(&r);
  expect_h(&r, "POST", "/trainings/start", TRAINING_BODY("x"), "flaky_503", 400);
  cr_expect(strstr(str_at(r.json, "detail"), "is for dummy operations, not training") != NULL,
            "%s", r.body);
  tl_response_release(&r);
}

Test(mock_scenarios_admin, reset_forgets_everything)
{
  char *id = start_op("/dummy/start", NULL, NULL), path[256];
  struct tl_response r;

  expect_h(&r, "POST", "/dummy/start", NULL, "flaky_503", 503);
  tl_response_release(&r);
  admin("PUT", "/__admin/scenarios/select",
        "{\"operation_type\":\"dummy\",\"scenario\":\"dummy_cancel_refused\"}", 200);
  admin("POST", "/__admin/faults", "{\"method\":\"GET\",\"status\":500,\"count\":5}", 200);
  advance(30);
  admin("POST", "/__admin/reset", NULL, 200);
  cr_expect_float_eq(mock_server_now(tl_mock), 0.0, 1e-9);
  snprintf(path, sizeof(path), "/operations/%s", id);
  expect(&r, "GET", path, NULL, 404);
  tl_response_release(&r);
  cr_expect_eq(json_array_size(json_object_get(expect(&r, "GET", "/__admin/requests", NULL, 200),
                                               "requests")), 1, "only the GET after the reset");
  tl_response_release(&r);
  expect(&r, "GET", "/__admin/scenarios", NULL, 200);
  cr_expect(json_is_null(json_object_get(json_object_get(r.json, "selected"), "dummy")));
  tl_response_release(&r);
  /* The start counters start again: the first start is a 503 again. */
  expect_h(&r, "POST", "/dummy/start", NULL, "flaky_503", 503);
  tl_response_release(&r);
  free(id);
}

Test(mock_scenarios_admin, manual_clock_over_http)
{
  struct tl_response r;
  json_t *j = expect(&r, "GET", "/__admin/clock", NULL, 200);

  cr_expect_str_eq(str_at(j, "mode"), "manual");
  tl_response_release(&r);
  j = expect(&r, "POST", "/__admin/clock/advance", "{\"seconds\": 2.5}", 200);
  cr_expect_float_eq(json_number_value(json_object_get(j, "now_s")), 2.5, 1e-9);
  tl_response_release(&r);
  admin("POST", "/__admin/clock/advance", "{\"seconds\": -1}", 400);
  admin("POST", "/__admin/clock/advance", "{}", 400);
  cr_expect_float_eq(mock_server_now(tl_mock), 2.5, 1e-9);
}

Test(mock_scenarios_admin, in_process_api)
{
  struct err err = ERR_INIT;
  char *id;
  json_t *op;

  cr_expect_eq(mock_server_select(tl_mock, "dummy", "nope", &err), -1);
  cr_expect_eq(err.code, ERR_NOTFOUND);
  cr_expect_eq(mock_server_select(tl_mock, "training", "flaky_503", &err), -1);
  cr_expect_eq(err.code, ERR_INVALID);
  cr_assert_eq(mock_server_select(tl_mock, "dummy", "vanishing_operation", &err), 0, "%s",
               err.msg);
  id = start_op("/dummy/start", NULL, NULL);
  advance(4);
  op = op_now(id);
  json_decref(op);
  mock_server_reset(tl_mock);
  cr_expect_float_eq(mock_server_now(tl_mock), 0.0, 1e-9);
  free(id);
}

/* ---- the fault actions of /__admin/faults -------------------------------- */

Test(mock_scenarios_admin, admin_faults_delay_drop_truncate)
{
  struct tl_response r;
  struct fault_spec spec = FAULT_SPEC_INIT;
  struct err err = ERR_INIT;
  int64_t t0;
  char url[512];

  admin("POST", "/__admin/faults", "{\"path_prefix\":\"/api/v1/health\",\"action\":\"pass\","
                                   "\"delay\":0.3}", 200);
  t0 = timeutil_mono_us();
  expect(&r, "GET", "/health", NULL, 200);
  cr_expect_geq(timeutil_mono_us() - t0, 300000);
  tl_response_release(&r);
  admin("POST", "/__admin/faults", "{\"path_prefix\":\"/api/v1/health\",\"action\":\"drop\"}",
        200);
  snprintf(url, sizeof(url), "%s/health", tl_mock_url());
  cr_expect_eq(tl_http("GET", url, NULL, NULL, &r), -1, "dropped");
  tl_response_release(&r);
  spec.path_prefix = "/api/v1/symbols";
  spec.action = FAULT_TRUNCATE;
  cr_assert_eq(mock_server_add_fault(tl_mock, &spec, &err), 0, "%s", err.msg);
  snprintf(url, sizeof(url), "%s/symbols", tl_mock_url());
  cr_expect_eq(tl_http("GET", url, NULL, NULL, &r), -1, "truncated");
  cr_expect_gt(r.len, 0);
  tl_response_release(&r);
  admin("POST", "/__admin/faults", "{\"action\":\"explode\"}", 400);
  admin("POST", "/__admin/faults", "{\"delay\":-1}", 400);
  expect(&r, "GET", "/symbols", NULL, 200);
  tl_response_release(&r);
}

/* Two clients: one waits for a delayed answer, the other is served at once. */
Test(mock_scenarios_admin, a_delayed_answer_does_not_block_other_clients)
{
  struct timed_call slow = { .method = "GET", .path = "/symbols" };
  struct journal_filter f = { .path_prefix = "/api/v1/health" };
  struct tl_response r;
  int64_t t0;

  admin("POST", "/__admin/faults", "{\"path_prefix\":\"/api/v1/symbols\",\"action\":\"pass\","
                                   "\"delay\":1.5}", 200);
  timed_call_start(&slow);
  for (int i = 0; i < 10; i++) {
    t0 = timeutil_mono_us();
    expect(&r, "GET", "/health", NULL, 200);
    cr_expect_lt(timeutil_mono_us() - t0, 250000, "health %d took %lld us", i,
                 (long long)(timeutil_mono_us() - t0));
    tl_response_release(&r);
  }
  cr_expect_not(atomic_load(&slow.done), "the slow answer came too early");
  cr_expect_eq(journal_wait(mock_server_journal(tl_mock), &f, 10, 1000), 10);
  timed_call_join(&slow);
  cr_expect_eq(slow.status, 200);
  cr_expect_geq(slow.took_us, 1500000);
}

/* Stopping the server with answers still delayed ends at once and cleanly. */
Test(mock_scenarios_admin, stop_with_delayed_answers_pending)
{
  struct timed_call slow[3];
  struct starts_wait w = { "slow_responses", 3 };
  int64_t t0;

  for (size_t i = 0; i < 3; i++) {
    slow[i] = (struct timed_call){ .method = "POST", .path = "/dummy/start",
                                   .scenario = "slow_responses" };
    timed_call_start(&slow[i]);
  }
  cr_assert(tl_wait_until(starts_reached, &w, 2000));
  t0 = timeutil_mono_us();
  mock_server_stop(&tl_mock);
  cr_expect_lt(timeutil_mono_us() - t0, 900000, "stop took %lld us",
               (long long)(timeutil_mono_us() - t0));
  for (size_t i = 0; i < 3; i++)
    timed_call_join(&slow[i]);
}

/* A server started with selections, and one with a bad selection. */
Test(mock_scenarios_admin, config_selections)
{
  static const char *const good[] = { "dummy=dummy_cancel_refused", NULL };
  static const char *const bad[] = { "dummy=training_gpu", NULL };
  struct mock_config cfg = MOCK_CONFIG_INIT;
  struct mock_server *srv;
  struct err err = ERR_INIT;

  cfg.scenarios_dir = SCENARIOS_DIR;
  cfg.select = good;
  srv = mock_server_start(&cfg, &err);
  cr_assert_not_null(srv, "%s", err.msg);
  mock_server_stop(&srv);
  cfg.select = bad;
  cr_expect_null(mock_server_start(&cfg, &err));
  cr_expect_eq(err.code, ERR_INVALID);
  cr_expect(strstr(err.msg, "dummy=training_gpu") != NULL, "%s", err.msg);
  cfg.select = NULL;
  cfg.scenarios_dir = KTRDR_TEST_DATA_DIR "/scenarios/broken";
  cr_expect_null(mock_server_start(&cfg, &err));
  cr_expect_eq(err.code, ERR_PARSE);
  cr_expect(strstr(err.msg, "training_typo.yaml:7:7: unknown key 'epoch_secnds'") != NULL, "%s",
            err.msg);
}

/* A server on another scenarios directory: start answers from a scenario
 * (422 here; the shipped ones have 400 and 503), faults on a start. */
Test(mock_scenarios_admin, start_answers_from_scenarios)
{
  struct mock_config cfg = MOCK_CONFIG_INIT;
  struct err err = ERR_INIT;
  struct tl_response r;
  json_t *e;

  mock_server_stop(&tl_mock);
  cfg.scenarios_dir = KTRDR_TEST_DATA_DIR "/scenarios/good";
  cfg.clock = MOCK_CLOCK_MANUAL;
  tl_mock = mock_server_start(&cfg, &err);
  cr_assert_not_null(tl_mock, "%s", err.msg);
  e = json_array_get(json_object_get(expect(&r, "POST", "/trainings/start",
                                            "{\"strategy_name\":\"reject_me\",\"symbols\":"
                                            "[\"AAPL\"],\"timeframes\":[\"1h\"]}", 422),
                                     "detail"), 0);
  cr_expect_str_eq(str_at(e, "msg"), "Value error, Symbol cannot be empty");
  expect_json_eq(json_object_get(e, "input"), "[\"AAPL\"]");
  tl_response_release(&r);
  /* keyframes.yaml: its first start is a raw 502, then a pending operation. */
  expect(&r, "POST", "/trainings/start", NULL, 422);
  tl_response_release(&r);
  call_h(&r, "POST", "/trainings/start", TRAINING_BODY("kf_one"), "keyframes");
  cr_expect_eq(r.status, 502);
  cr_expect_str_eq(r.body, "oops");
  tl_response_release(&r);
  expect_h(&r, "POST", "/trainings/start", TRAINING_BODY("kf_one"), "keyframes", 200);
  tl_response_release(&r);
}
