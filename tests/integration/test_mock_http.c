/*
 * The mock server's HTTP behaviour: symbols, health, 404/405/413, headers,
 * keep-alive, concurrent clients, many operations.
 */
#define _GNU_SOURCE /* strcasestr */
#include <curl/curl.h>
#include <pthread.h>

#include "mock_helpers.h"

TestSuite(mock_http, .init = mock_setup, .fini = mock_teardown, .timeout = 60);

/* ---- symbols, health, 404, 405, 413, headers --------------------------- */

Test(mock_http, symbols)
{
  static const char *const keys[] = { "symbol", "name", "type", "exchange", "currency",
                                      "available_timeframes", "trading_hours" };
  struct tl_response r;
  json_t *j = expect(&r, "GET", "/symbols", NULL, 200), *s;
  size_t i;

  cr_expect(json_is_true(json_object_get(j, "success")));
  cr_expect(json_is_null(json_object_get(j, "error")));
  cr_assert_gt(json_array_size(json_object_get(j, "data")), 0);
  json_array_foreach(json_object_get(j, "data"), i, s) {
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
      cr_expect_not_null(json_object_get(s, keys[k]), "symbol %zu lacks %s", i, keys[k]);
    cr_expect(json_is_array(json_object_get(s, "available_timeframes")));
  }
  cr_expect_str_eq(str_at(json_array_get(json_object_get(j, "data"), 0), "symbol"), "AAPL");
  tl_response_release(&r);
}

Test(mock_http, health)
{
  struct tl_response r;

  expect_json_eq(expect(&r, "GET", "/health", NULL, 200), "{\"status\":\"ok\",\"version\":\"1.0.7.2\"}");
  tl_response_release(&r);
}

Test(mock_http, unknown_paths_are_404)
{
  static const char *const paths[] = { "/nope", "/operations/", "/dummy/start/x",
                                       "/__admin/nope" };
  struct tl_response r;

  for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
    expect_detail(expect(&r, "GET", paths[i], NULL, 404), "Not Found");
    tl_response_release(&r);
  }
}

Test(mock_http, wrong_methods_are_405)
{
  static const struct { const char *method, *path, *allow; } cases[] = {
    { "PUT", "/health", "GET" },
    { "GET", "/dummy/start", "POST" },
    { "DELETE", "/operations", "GET" },
    { "PATCH", "/operations/op_x", "GET, DELETE" },
    { "GET", "/operations/op_x/cancel", "POST" },
  };
  struct tl_response r;

  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    expect_detail(expect(&r, cases[i].method, cases[i].path, NULL, 405), "Method Not Allowed");
    cr_expect_str_eq(header(&r, "Allow"), cases[i].allow, "%s %s", cases[i].method, cases[i].path);
    tl_response_release(&r);
  }
}

static char *body_of(size_t len)
{
  char *b = malloc(len + 1);

  memset(b, ' ', len);
  b[0] = '{';
  b[len - 1] = '}';
  b[len] = '\0';
  return b;
}

Test(mock_http, bodies_over_one_mib_are_413)
{
  char *big = body_of(1024 * 1024 + 1), *max = body_of(1024 * 1024);
  struct tl_response r;
  json_t *detail;

  detail = json_object_get(expect(&r, "POST", "/dummy/start", big, 413), "detail");
  cr_expect(json_is_string(detail));
  tl_response_release(&r);
  expect(&r, "POST", "/dummy/start", max, 200);
  tl_response_release(&r);
  /* The server still answers after refusing a body. */
  expect(&r, "GET", "/health", NULL, 200);
  tl_response_release(&r);
  free(big);
  free(max);
}

Test(mock_http, every_response_is_json_with_a_process_time)
{
  static const struct { const char *method, *path; long status; } cases[] = {
    { "GET", "/health", 200 }, { "GET", "/nope", 404 }, { "PUT", "/health", 405 },
    { "GET", "/operations?limit=0", 422 }, { "GET", "/operations/op_x", 404 },
    { "GET", "/__admin/requests", 200 },
  };
  struct tl_response r;

  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    expect(&r, cases[i].method, cases[i].path, NULL, cases[i].status);
    cr_expect_str_eq(header(&r, "Content-Type"), "application/json", "%s", cases[i].path);
    cr_expect(matches("^[0-9]+\\.[0-9]{2}ms$", header(&r, "X-Process-Time")),
              "%s: X-Process-Time %s", cases[i].path, header(&r, "X-Process-Time"));
    tl_response_release(&r);
  }
}

/* ---- keep-alive and concurrency ---------------------------------------- */

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
  (void)p;
  (void)ud;
  return size * n;
}

Test(mock_http, keep_alive_reuses_the_connection)
{
  CURL *c = curl_easy_init();
  char url[512];
  long status = 0, connects = -1;

  snprintf(url, sizeof(url), "%s/health", tl_mock_url());
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
  for (int i = 0; i < 20; i++) {
    cr_assert_eq(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &connects);
    cr_expect_eq(status, 200);
    cr_expect_eq(connects, i == 0 ? 1 : 0, "request %d opened %ld connections", i, connects);
  }
  curl_easy_cleanup(c);
}

static void *hammer(void *arg)
{
  const char *id = arg;
  long ok = 0;

  for (int i = 0; i < 100; i++) {
    struct tl_response r;
    char url[512];

    snprintf(url, sizeof(url), "%s/operations/%s", tl_mock_url(), id);
    if (tl_http("GET", url, NULL, NULL, &r) == 0 && r.status == 200 && r.json)
      ok++;
    tl_response_release(&r);
  }
  return (void *)ok;
}

Test(mock_http, concurrent_clients)
{
  char *id = start_dummy(LONG_TASK);
  pthread_t th[4];
  void *ok;

  for (int i = 0; i < 4; i++)
    cr_assert_eq(pthread_create(&th[i], NULL, hammer, id), 0);
  for (int i = 0; i < 4; i++) {
    pthread_join(th[i], &ok);
    cr_expect_eq((long)ok, 100);
  }
  cr_expect_eq(journal_wait(mock_server_journal(tl_mock), &(struct journal_filter){
                                .method = "GET", .operation_id = id }, 400, 5000), 400);
  free(id);
}

Test(mock_http, many_operations)
{
  struct tl_response r;
  char *first = start_dummy(LONG_TASK), *last = NULL;
  json_t *op;

  for (int i = 1; i < 500; i++) {
    free(last);
    last = start_dummy(LONG_TASK);
  }
  expect(&r, "GET", "/operations?limit=1", NULL, 200);
  cr_expect_eq(int_at(r.json, "total_count"), 500);
  cr_expect_eq(int_at(r.json, "active_count"), 500);
  cr_expect_str_eq(str_at(json_array_get(json_object_get(r.json, "data"), 0), "operation_id"), last);
  tl_response_release(&r);
  op = get_op(first);
  cr_expect_str_eq(str_at(op, "operation_id"), first);
  json_decref(op);
  free(first);
  free(last);
}
