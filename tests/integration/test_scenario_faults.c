/*
 * The shipped fault scenarios, over HTTP: one Test per scenario (503 bursts,
 * malformed JSON, a vanishing operation, slow answers, broken connections),
 * and a check that every shipped scenario has its Test.
 */

#include "test_scenario_helpers.h"

TestSuite(scenario_faults, .init = scen_manual, .fini = scen_stop, .timeout = 60);

/* The status of GET /operations/{id}, 0 when no complete answer came. */
static long get_code(const char *id, struct tl_response *r)
{
  char url[512];

  snprintf(url, sizeof(url), "%s/operations/%s", tl_mock_url(), id);
  tl_response_release(r);
  if (tl_http("GET", url, NULL, NULL, r) < 0)
    return 0;
  return r->status;
}

Test(scenario_faults, flaky_503)
{
  static const long want[] = { 200, 503, 503, 503, 200, 200, 200, 503, 503, 503, 200 };
  struct tl_response r = { 0 };
  char *id;

  expect_h(&r, "POST", "/dummy/start", NULL, "flaky_503", 503);
  cr_expect_str_eq(header(&r, "Retry-After"), "1");
  expect_detail(r.json, "Service Unavailable");
  tl_response_release(&r);
  id = start_op("/dummy/start", "flaky_503", NULL);
  for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
    cr_expect_eq(get_code(id, &r), want[i], "GET %zu", i + 1);
    if (want[i] == 503)
      cr_expect_str_eq(header(&r, "Retry-After"), "1");
  }
  tl_response_release(&r);
  free(id);
}

Test(scenario_faults, malformed_json_once)
{
  char *id = start_op("/dummy/start", "malformed_json_once", NULL);
  struct tl_response r = { 0 };

  for (int i = 1; i <= 4; i++) {
    cr_assert_eq(get_code(id, &r), 200);
    if (i == 3) {
      cr_expect_null(r.json, "GET 3 must not be JSON: %s", r.body);
      cr_expect_str_eq(r.body, "{\"success\": true, \"data\": {\"operation_id\": ");
      cr_expect_str_eq(header(&r, "Content-Type"), "application/json");
    } else {
      cr_expect_not_null(r.json, "GET %d: %s", i, r.body);
    }
  }
  tl_response_release(&r);
  free(id);
}

Test(scenario_faults, vanishing_operation)
{
  char *id = start_op("/dummy/start", "vanishing_operation", NULL);
  struct tl_response r = { 0 };
  char detail[256], path[256];

  advance(4.9);
  cr_expect_eq(get_code(id, &r), 200);
  advance(0.1);
  cr_expect_eq(get_code(id, &r), 404);
  snprintf(detail, sizeof(detail), "Operation not found: %s", id);
  expect_detail(r.json, detail);
  tl_response_release(&r);
  cr_expect_eq(int_at(expect(&r, "GET", "/operations", NULL, 200), "total_count"), 0);
  tl_response_release(&r);
  snprintf(path, sizeof(path), "/operations/%s", id);
  expect(&r, "DELETE", path, NULL, 404);
  tl_response_release(&r);
  free(id);
}

/* Slow answers (real seconds) that do not hold up other clients: four
 * starts each wait 1 s at the server (more than its threads), meanwhile
 * other requests are answered at once, and the four end together. */
Test(scenario_faults, slow_responses)
{
  struct timed_call slow[4];
  struct starts_wait w = { "slow_responses", 4 };
  struct tl_response r = { 0 };
  int64_t t0;
  char *id;

  for (size_t i = 0; i < 4; i++) {
    slow[i] = (struct timed_call){ .method = "POST", .path = "/dummy/start",
                                   .scenario = "slow_responses" };
    timed_call_start(&slow[i]);
  }
  cr_assert(tl_wait_until(starts_reached, &w, 2000), "the starts never arrived");
  for (int i = 0; i < 5; i++) {
    t0 = timeutil_mono_us();
    expect(&r, "GET", "/health", NULL, 200);
    cr_expect_lt(timeutil_mono_us() - t0, 300000, "health took %lld us",
                 (long long)(timeutil_mono_us() - t0));
    tl_response_release(&r);
  }
  for (size_t i = 0; i < 4; i++)
    cr_expect_not(atomic_load(&slow[i].done), "start %zu ended before its delay", i);
  for (size_t i = 0; i < 4; i++) {
    timed_call_join(&slow[i]);
    cr_expect_eq(slow[i].status, 200);
    cr_expect_geq(slow[i].took_us, 1000000, "start took %lld us", (long long)slow[i].took_us);
    cr_expect_lt(slow[i].took_us, 1900000, "the delays overlap: %lld us",
                 (long long)slow[i].took_us);
  }
  id = start_op("/dummy/start", "slow_responses", NULL);
  t0 = timeutil_mono_us();
  cr_expect_eq(get_code(id, &r), 200);
  cr_expect_geq(timeutil_mono_us() - t0, 500000);
  tl_response_release(&r);
  free(id);
}

Test(scenario_faults, broken_connections)
{
  char *id = start_op("/dummy/start", "broken_connections", NULL);
  struct tl_response r = { 0 };
  struct journal_filter f = { .method = "GET" };
  struct journal_entry *e;
  size_t n, whole;

  cr_expect_eq(get_code(id, &r), 200);
  whole = r.len;
  cr_expect_eq(get_code(id, &r), 0, "GET 2 is cut short");
  cr_expect(r.len > 0 && r.len < whole, "only part of the body: %zu of %zu bytes", r.len, whole);
  cr_expect_eq(get_code(id, &r), 0, "GET 3 is dropped");
  cr_expect_eq(r.len, 0);
  cr_expect_eq(get_code(id, &r), 200, "then it is fine again");
  tl_response_release(&r);
  n = journal_snapshot(mock_server_journal(tl_mock), &f, &e, NULL);
  cr_assert_eq(n, 4);
  cr_expect_eq(e[1].status, 200, "the truncated answer was a 200");
  cr_expect_eq(e[2].status, 0, "a dropped connection is journaled as 0");
  journal_entries_free(e, n);
  free(id);
}

/* Every scenario in scenarios/ has a Test named after it in
 * test_scenario_{dummy,training,data_load,faults}.c. */
static const char *const tested[] = {
  "dummy_default", "dummy_slow_cancel", "dummy_cancel_refused", "dummy_cancel_ignored",
  "dummy_cancel_flip", "training_local", "training_gpu", "training_host",
  "training_fails_midway", "training_unknown_strategy", "data_load_tail",
  "data_load_ib_gateway_error", "data_load_ib_gateway_down", "flaky_503",
  "malformed_json_once", "vanishing_operation", "slow_responses", "broken_connections",
};

Test(scenario_faults, every_shipped_scenario_has_a_test)
{
  struct tl_response r;
  json_t *list = json_object_get(expect(&r, "GET", "/__admin/scenarios", NULL, 200),
                                 "scenarios"), *s;
  size_t i, files = 0;

  json_array_foreach(list, i, s) {
    bool found = false;

    if (strcmp(str_at(s, "file"), "(built-in)") == 0)
      continue;
    files++;
    for (size_t k = 0; k < sizeof(tested) / sizeof(tested[0]); k++)
      found = found || strcmp(tested[k], str_at(s, "name")) == 0;
    cr_expect(found, "scenario %s has no Test", str_at(s, "name"));
  }
  cr_expect_eq(files, sizeof(tested) / sizeof(tested[0]));
  tl_response_release(&r);
}
