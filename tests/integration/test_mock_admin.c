/*
 * The mock server's admin API (/__admin): the request journal, faults and
 * forced failures, over HTTP and in process.
 */
#define _GNU_SOURCE /* strcasestr, getifaddrs */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include "faults.h"
#include "request.h"
#include "mock_helpers.h"

TestSuite(mock_admin, .init = mock_setup, .fini = mock_teardown, .timeout = 60);

/* ---- the journal ------------------------------------------------------- */

static json_t *journal(struct tl_response *r, const char *query)
{
  char path[512];

  snprintf(path, sizeof(path), "/__admin/requests%s", query);
  return expect(r, "GET", path, NULL, 200);
}

Test(mock_admin, journal_records_api_requests)
{
  struct tl_response r, j;
  int64_t before = timeutil_mono_us(), after, prev = 0;
  char *id = start_dummy(LONG_TASK), path[256], full[256];
  json_t *reqs, *e;
  size_t i;

  snprintf(path, sizeof(path), "/operations/%s", id);
  snprintf(full, sizeof(full), "/api/v1/operations/%s", id);
  expect(&r, "GET", path, NULL, 200);
  tl_response_release(&r);
  expect(&r, "GET", "/operations?status=running&limit=5", NULL, 200);
  tl_response_release(&r);
  after = timeutil_mono_us();
  reqs = json_object_get(journal(&j, ""), "requests");
  cr_expect_eq(int_at(j.json, "dropped"), 0);
  cr_assert_eq(json_array_size(reqs), 3, "%s", j.body);
  json_array_foreach(reqs, i, e) {
    cr_expect_eq(int_at(e, "seq"), (json_int_t)i + 1);
    cr_expect(int_at(e, "t_us") >= before && int_at(e, "t_us") <= after, "t_us out of range");
    cr_expect_geq(int_at(e, "t_us"), prev);
    prev = int_at(e, "t_us");
    cr_expect_eq(int_at(e, "status"), 200);
  }
  e = json_array_get(reqs, 0);
  cr_expect_str_eq(str_at(e, "method"), "POST");
  cr_expect_str_eq(str_at(e, "path"), "/api/v1/dummy/start");
  cr_expect_str_eq(str_at(e, "query"), "");
  cr_expect_str_eq(str_at(e, "operation_id"), id);
  e = json_array_get(reqs, 1);
  cr_expect_str_eq(str_at(e, "method"), "GET");
  cr_expect_str_eq(str_at(e, "path"), full);
  cr_expect_str_eq(str_at(e, "operation_id"), id);
  e = json_array_get(reqs, 2);
  cr_expect_str_eq(str_at(e, "path"), "/api/v1/operations");
  cr_expect_str_eq(str_at(e, "query"), "status=running&limit=5");
  cr_expect(json_is_null(json_object_get(e, "operation_id")));
  tl_response_release(&j);
  free(id);
}

Test(mock_admin, journal_records_errors_with_their_status)
{
  struct tl_response r, j;
  json_t *reqs;

  expect(&r, "GET", "/operations/op_missing", NULL, 404);
  tl_response_release(&r);
  expect(&r, "PUT", "/health", NULL, 405);
  tl_response_release(&r);
  reqs = json_object_get(journal(&j, ""), "requests");
  cr_assert_eq(json_array_size(reqs), 2);
  cr_expect_eq(int_at(json_array_get(reqs, 0), "status"), 404);
  cr_expect_str_eq(str_at(json_array_get(reqs, 0), "operation_id"), "op_missing");
  cr_expect_eq(int_at(json_array_get(reqs, 1), "status"), 405);
  tl_response_release(&j);
}

static size_t journal_count(const char *query)
{
  struct tl_response r;
  size_t n = json_array_size(json_object_get(journal(&r, query), "requests"));

  tl_response_release(&r);
  return n;
}

Test(mock_admin, journal_filters_and_clear)
{
  char *a = start_dummy(LONG_TASK), *b = start_dummy(LONG_TASK), path[256], query[256];
  struct tl_response r;

  snprintf(path, sizeof(path), "/operations/%s", a);
  expect(&r, "GET", path, NULL, 200);
  tl_response_release(&r);
  expect(&r, "DELETE", path, NULL, 200);
  tl_response_release(&r);
  expect(&r, "GET", "/health", NULL, 200);
  tl_response_release(&r);
  /* 5 requests: POST a, POST b, GET a, DELETE a, GET health. */
  cr_expect_eq(journal_count(""), 5);
  cr_expect_eq(journal_count("?method=GET"), 2);
  cr_expect_eq(journal_count("?method=POST"), 2);
  cr_expect_eq(journal_count("?path=/api/v1/operations/"), 2);
  cr_expect_eq(journal_count("?path=/api/v1/"), 5);
  snprintf(query, sizeof(query), "?operation_id=%s", a);
  cr_expect_eq(journal_count(query), 3);
  snprintf(query, sizeof(query), "?operation_id=%s&method=DELETE", a);
  cr_expect_eq(journal_count(query), 1);
  cr_expect_eq(journal_count("?since=3"), 2);
  cr_expect_eq(journal_count("?since=5"), 0);
  call(&r, "GET", "/__admin/requests?since=x", NULL);
  cr_expect_eq(r.status, 400);
  tl_response_release(&r);
  expect(&r, "DELETE", "/__admin/requests", NULL, 200);
  tl_response_release(&r);
  cr_expect_eq(journal_count(""), 0, "admin requests are not journaled");
  free(a);
  free(b);
}

Test(mock_admin, journal_in_process)
{
  struct mock_journal *j = mock_server_journal(tl_mock);
  struct journal_filter f = { .method = "DELETE" };
  struct journal_entry *e;
  char *id = start_dummy(LONG_TASK), path[256];
  struct tl_response r;
  size_t n;

  cr_expect_eq(journal_wait(j, &f, 1, 50), 0);
  snprintf(path, sizeof(path), "/operations/%s", id);
  expect(&r, "DELETE", path, NULL, 200);
  tl_response_release(&r);
  cr_expect_eq(journal_wait(j, &f, 1, 5000), 1);
  n = journal_snapshot(j, &f, &e, NULL);
  cr_assert_eq(n, 1);
  cr_expect_str_eq(e[0].operation_id, id);
  cr_expect_eq(e[0].status, 200);
  journal_entries_free(e, n);
  free(id);
}

/* ---- faults ------------------------------------------------------------ */

Test(mock_admin, faults_hit_the_next_matching_requests)
{
  char *id = start_dummy(LONG_TASK), path[256], query[256];
  struct tl_response r, j;
  json_t *reqs;

  expect(&r, "POST", "/__admin/faults",
         "{\"method\":\"GET\",\"path_prefix\":\"/api/v1/operations/\",\"status\":503,"
         "\"count\":2,\"retry_after\":1}", 200);
  tl_response_release(&r);
  expect(&r, "GET", "/health", NULL, 200); /* does not match */
  tl_response_release(&r);
  snprintf(path, sizeof(path), "/operations/%s", id);
  for (int i = 0; i < 2; i++) {
    expect_json_eq(expect(&r, "GET", path, NULL, 503), "{\"detail\":\"Service Unavailable\"}");
    cr_expect_str_eq(header(&r, "Retry-After"), "1");
    cr_expect_str_eq(header(&r, "Content-Type"), "application/json");
    tl_response_release(&r);
  }
  expect(&r, "GET", path, NULL, 200);
  cr_expect_null(header(&r, "Retry-After"));
  tl_response_release(&r);
  snprintf(query, sizeof(query), "?operation_id=%s&method=GET", id);
  reqs = json_object_get(journal(&j, query), "requests");
  cr_assert_eq(json_array_size(reqs), 3);
  cr_expect_eq(int_at(json_array_get(reqs, 0), "status"), 503);
  cr_expect_eq(int_at(json_array_get(reqs, 1), "status"), 503);
  cr_expect_eq(int_at(json_array_get(reqs, 2), "status"), 200);
  tl_response_release(&j);
  free(id);
}

Test(mock_admin, fault_with_a_raw_body)
{
  struct tl_response r;

  expect(&r, "POST", "/__admin/faults",
         "{\"method\":\"POST\",\"path_prefix\":\"/api/v1/dummy/start\",\"status\":500,"
         "\"body\":\"{\\\"truncated\\\": \"}", 200);
  tl_response_release(&r);
  call(&r, "POST", "/dummy/start", "{}");
  cr_expect_eq(r.status, 500);
  cr_expect_str_eq(r.body, "{\"truncated\": ");
  cr_expect_null(r.json);
  tl_response_release(&r);
  expect(&r, "POST", "/dummy/start", "{}", 200);
  tl_response_release(&r);
}

Test(mock_admin, faults_are_cleared)
{
  struct tl_response r;

  expect(&r, "POST", "/__admin/faults", "{\"status\":502,\"count\":5}", 200);
  tl_response_release(&r);
  expect_detail(expect(&r, "GET", "/health", NULL, 502), "Bad Gateway");
  tl_response_release(&r);
  expect(&r, "DELETE", "/__admin/faults", NULL, 200);
  tl_response_release(&r);
  expect(&r, "GET", "/health", NULL, 200);
  tl_response_release(&r);
  /* The admin API itself is never faulted. */
  expect(&r, "POST", "/__admin/faults", "{\"status\":500}", 200);
  tl_response_release(&r);
  expect(&r, "GET", "/__admin/requests", NULL, 200);
  tl_response_release(&r);
}

Test(mock_admin, faults_in_process)
{
  struct fault_spec spec = FAULT_SPEC_INIT;
  struct err err = ERR_INIT;
  struct tl_response r;

  spec.method = "GET";
  spec.path_prefix = "/api/v1/health";
  spec.status = 429;
  spec.retry_after = 2;
  cr_assert_eq(mock_server_add_fault(tl_mock, &spec, &err), 0, "%s", err.msg);
  expect_detail(expect(&r, "GET", "/health", NULL, 429), "Too Many Requests");
  cr_expect_str_eq(header(&r, "Retry-After"), "2");
  tl_response_release(&r);
  expect(&r, "GET", "/health", NULL, 200);
  tl_response_release(&r);
  spec.status = 99;
  cr_expect_eq(mock_server_add_fault(tl_mock, &spec, &err), -1);
  cr_expect_eq(err.code, ERR_INVALID);
  spec.status = 503;
  spec.count = 3;
  cr_assert_eq(mock_server_add_fault(tl_mock, &spec, &err), 0);
  mock_server_clear_faults(tl_mock);
  expect(&r, "GET", "/health", NULL, 200);
  tl_response_release(&r);
}

Test(mock_admin, bad_faults_are_400)
{
  static const char *const bodies[] = { "", "[1]", "{\"status\":42}", "{\"status\":\"x\"}",
                                        "{\"count\":0}", "{\"method\":5}", "{bad" };
  struct tl_response r;

  for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
    json_t *detail = json_object_get(expect(&r, "POST", "/__admin/faults", bodies[i], 400), "detail");

    cr_expect(json_is_string(detail), "body %s", bodies[i]);
    tl_response_release(&r);
  }
}

/* ---- POST /__admin/operations/{id}/fail -------------------------------- */

Test(mock_admin, fail_ends_a_running_operation)
{
  /* 200 s / 100 iterations: one per 20 ms real, done after 2 s. */
  char *id = start_dummy("{\"duration\": 200, \"iterations\": 100}"), path[256], want[256];
  struct tl_response r;
  json_t *data, *op;

  wait_step(id, 3);
  snprintf(path, sizeof(path), "/__admin/operations/%s/fail", id);
  data = json_object_get(expect(&r, "POST", path, "{\"error_message\":\"boom\"}", 200), "data");
  cr_expect_str_eq(str_at(data, "status"), "failed");
  tl_response_release(&r);
  op = get_op(id);
  cr_expect_str_eq(str_at(op, "status"), "failed");
  cr_expect_str_eq(str_at(op, "error_message"), "boom");
  cr_expect(json_is_string(json_object_get(op, "completed_at")));
  cr_expect(json_is_null(json_object_get(op, "result_summary")));
  cr_expect_geq(int_at(progress_of(op), "steps_completed"), 3);
  cr_expect_lt(int_at(progress_of(op), "steps_completed"), 100);
  json_decref(op);
  snprintf(want, sizeof(want), "Operation %s cannot be failed (status: OperationStatus.FAILED)", id);
  expect_detail(expect(&r, "POST", path, NULL, 400), want);
  tl_response_release(&r);
  snprintf(want, sizeof(want), "Operation %s cannot be cancelled (status: OperationStatus.FAILED)", id);
  snprintf(path, sizeof(path), "/operations/%s", id);
  expect_detail(expect(&r, "DELETE", path, NULL, 400), want);
  tl_response_release(&r);
  free(id);
}

Test(mock_admin, fail_unknown_and_in_process)
{
  char *id = start_dummy(LONG_TASK);
  struct err err = ERR_INIT;
  struct tl_response r;
  json_t *op;

  expect_detail(expect(&r, "POST", "/__admin/operations/op_nope/fail", NULL, 404),
                "Operation not found: op_nope");
  tl_response_release(&r);
  cr_assert_eq(mock_server_fail_operation(tl_mock, id, NULL, &err), 0, "%s", err.msg);
  op = get_op(id);
  cr_expect_str_eq(str_at(op, "status"), "failed");
  cr_expect_str_eq(str_at(op, "error_message"), "Operation failed");
  json_decref(op);
  cr_expect_eq(mock_server_fail_operation(tl_mock, id, "again", &err), -1);
  cr_expect_eq(err.code, ERR_STATE);
  cr_expect_eq(mock_server_fail_operation(tl_mock, "op_nope", "x", &err), -1);
  cr_expect_eq(err.code, ERR_NOTFOUND);
  free(id);
}

/* ---- loopback only ----------------------------------------------------- */

/* A non-loopback IPv4 address of this machine, or false if it has none. */
static bool external_ipv4(char *buf, size_t size)
{
  struct ifaddrs *list, *i;
  bool found = false;

  if (getifaddrs(&list) != 0)
    return false;
  for (i = list; i && !found; i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
      continue;
    found = !request_addr_is_loopback(i->ifa_addr) &&
            inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr, buf,
                      (socklen_t)size) != NULL;
  }
  freeifaddrs(list);
  return found;
}

Test(mock_admin, admin_answers_only_loopback_clients)
{
  struct mock_config cfg = MOCK_CONFIG_INIT;
  struct mock_server *srv;
  struct tl_response r;
  char ip[INET_ADDRSTRLEN], url[256];

  if (!external_ipv4(ip, sizeof(ip)))
    cr_skip_test("no non-loopback IPv4 address to connect from");
  cfg.bind_addr = "0.0.0.0";
  srv = mock_server_start(&cfg, NULL);
  cr_assert_not_null(srv);
  snprintf(url, sizeof(url), "http://%s:%u/__admin/requests", ip, mock_server_port(srv));
  cr_assert_eq(tl_http("GET", url, NULL, NULL, &r), 0);
  cr_expect_eq(r.status, 403);
  cr_expect(json_is_string(json_object_get(r.json, "detail")), "%s", r.body);
  tl_response_release(&r);
  snprintf(url, sizeof(url), "http://%s:%u/api/v1/health", ip, mock_server_port(srv));
  cr_assert_eq(tl_http("GET", url, NULL, NULL, &r), 0);
  cr_expect_eq(r.status, 200);
  tl_response_release(&r);
  mock_server_stop(&srv);
}
