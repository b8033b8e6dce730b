/* URL resolution, retry policy, start-response parsing, API error text. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "apierror.h"
#include "retry.h"
#include "timeutil.h"
#include "url.h"

TestSuite(url, .timeout = 10);

static void clear_env(void)
{
  unsetenv("KTRDR_API_URL");
  unsetenv("API_BASE_URL");
  unsetenv("KTRDR_API_CLIENT_BASE_URL");
}

Test(url, flag_env_and_default_in_order)
{
  char *u = NULL;

  clear_env();
  cr_assert_eq(url_resolve(NULL, &u, NULL), 0);
  cr_expect_str_eq(u, "http://localhost:8000/api/v1");
  free(u);
  setenv("KTRDR_API_CLIENT_BASE_URL", "http://c:1/api/v1", 1);
  url_resolve(NULL, &u, NULL);
  cr_expect_str_eq(u, "http://c:1/api/v1");
  free(u);
  setenv("API_BASE_URL", "http://b:1/api/v1", 1);
  url_resolve(NULL, &u, NULL);
  cr_expect_str_eq(u, "http://b:1/api/v1");
  free(u);
  setenv("KTRDR_API_URL", "http://a:1", 1);
  url_resolve(NULL, &u, NULL);
  cr_expect_str_eq(u, "http://a:1/api/v1");
  free(u);
  url_resolve("https://flag:9/", &u, NULL);
  cr_expect_str_eq(u, "https://flag:9/api/v1");
  free(u);
  clear_env();
}

Test(url, normalises_prefixes)
{
  static const char *table[][2] = {
    { "http://h:8000", "http://h:8000/api/v1" },
    { "http://h:8000/", "http://h:8000/api/v1" },
    { "http://h:8000/api", "http://h:8000/api/v1" },
    { "http://h:8000/api/v1/", "http://h:8000/api/v1" },
    { "http://h/api/v2", "http://h/api/v2" },
    { "http://h/proxy/api/v1", "http://h/proxy/api/v1" },
  };
  char *u;

  for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
    cr_assert_eq(url_resolve(table[i][0], &u, NULL), 0);
    cr_expect_str_eq(u, table[i][1]);
    free(u);
  }
}

Test(url, rejects_other_schemes_naming_the_source)
{
  struct err err = ERR_INIT;
  char *u = NULL;

  cr_expect_lt(url_resolve("localhost:8000", &u, &err), 0);
  cr_expect_null(u);
  cr_expect(strstr(err.msg, "--url"), "%s", err.msg);
  setenv("KTRDR_API_URL", "ftp://x", 1);
  cr_expect_lt(url_resolve(NULL, &u, &err), 0);
  cr_expect(strstr(err.msg, "KTRDR_API_URL"), "%s", err.msg);
  clear_env();
}

TestSuite(retry, .timeout = 10);

Test(retry, classifies_failures)
{
  static const struct { enum http_failure f; long status; enum retry_class c; bool post; } t[] = {
    { HTTP_FAIL_NONE, 200, RETRY_SUCCESS, false },  { HTTP_FAIL_NONE, 201, RETRY_SUCCESS, false },
    { HTTP_FAIL_NONE, 400, RETRY_FATAL, false },    { HTTP_FAIL_NONE, 404, RETRY_FATAL, false },
    { HTTP_FAIL_NONE, 422, RETRY_FATAL, false },    { HTTP_FAIL_NONE, 429, RETRY_TRANSIENT, true },
    { HTTP_FAIL_NONE, 500, RETRY_TRANSIENT, false }, { HTTP_FAIL_NONE, 502, RETRY_TRANSIENT, false },
    { HTTP_FAIL_NONE, 503, RETRY_TRANSIENT, true },  { HTTP_FAIL_NONE, 504, RETRY_TRANSIENT, false },
    { HTTP_FAIL_NONE, 501, RETRY_FATAL, false },     { HTTP_FAIL_CONNECT, 0, RETRY_TRANSIENT, true },
    { HTTP_FAIL_TIMEOUT, 0, RETRY_TRANSIENT, false }, { HTTP_FAIL_RESET, 0, RETRY_TRANSIENT, false },
    { HTTP_FAIL_OTHER, 0, RETRY_FATAL, false },
  };

  for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
    cr_expect_eq(retry_classify(t[i].f, t[i].status), t[i].c, "row %zu", i);
    cr_expect_eq(retry_safe_for_post(t[i].f, t[i].status), t[i].post, "row %zu", i);
  }
}

Test(retry, backoff_grows_is_capped_and_jittered)
{
  unsigned rng = 12345;
  int seen_min = 1 << 30, seen_max = 0;

  for (int attempt = 0; attempt < 12; attempt++) {
    for (int k = 0; k < 200; k++) {
      int d = retry_delay_ms(attempt, 300, 5000, -1, &rng);
      long hi = 300L << (attempt < 5 ? attempt : 5);
      cr_assert_geq(d, 150);
      cr_assert_leq(d, hi > 5000 ? 5000 : hi, "attempt %d: %d", attempt, d);
      if (attempt == 0) {
        seen_min = d < seen_min ? d : seen_min;
        seen_max = d > seen_max ? d : seen_max;
      }
    }
  }
  cr_expect_lt(seen_min, seen_max, "no jitter");
}

Test(retry, honours_retry_after_up_to_the_cap)
{
  unsigned rng = 7;

  cr_expect_geq(retry_delay_ms(0, 300, 5000, 2.0, &rng), 2000);
  cr_expect_eq(retry_delay_ms(0, 300, 5000, 60.0, &rng), 5000);
  cr_expect_leq(retry_delay_ms(0, 300, 5000, 0.0, &rng), 300);
}

TestSuite(start_response, .timeout = 10);

Test(start_response, every_live_shape)
{
  static const char *shapes[][2] = {
    { "{\"success\":true,\"task_id\":\"op_training_1\",\"status\":\"training_started\"}", "op_training_1" },
    { "{\"success\":true,\"data\":{\"operation_id\":\"op_dummy_1\",\"status\":\"started\"},\"error\":null}", "op_dummy_1" },
    { "{\"success\":true,\"operation_id\":\"op_data_load_1\",\"status\":\"started\"}", "op_data_load_1" },
  };
  char *id;

  for (size_t i = 0; i < 3; i++) {
    json_t *j = json_loads(shapes[i][0], 0, NULL);
    cr_assert_eq(adapter_parse_operation_id(j, &id, NULL), 0, "%s", shapes[i][0]);
    cr_expect_str_eq(id, shapes[i][1]);
    free(id);
    json_decref(j);
  }
}

Test(start_response, failures_say_why)
{
  struct err err = ERR_INIT;
  char *id = (char *)"x";
  json_t *j = json_loads("{\"success\":false,\"data\":null,\"error\":{\"code\":\"DUMMY-001\","
                         "\"message\":\"Failed to start: boom\"}}", 0, NULL);

  cr_expect_lt(adapter_parse_operation_id(j, &id, &err), 0);
  cr_expect_null(id);
  cr_expect_eq(err.code, ERR_HTTP);
  cr_expect(strstr(err.msg, "Failed to start: boom"), "%s", err.msg);
  json_decref(j);
  j = json_loads("{\"success\":true,\"data\":{\"operation_id\":\"\"}}", 0, NULL);
  cr_expect_lt(adapter_parse_operation_id(j, &id, &err), 0);
  cr_expect_eq(err.code, ERR_PARSE);
  cr_expect(strstr(err.msg, "task_id"), "%s", err.msg);
  json_decref(j);
}

TestSuite(apierror, .timeout = 10);

Test(apierror, describes_each_error_shape)
{
  static const struct { long status; const char *body, *want; } t[] = {
    { 400, "{\"detail\":\"Strategy name may only contain alphanumerics, dashes, or underscores\"}",
      "400 Bad Request: Strategy name may only contain alphanumerics, dashes, or underscores" },
    { 422, "{\"detail\":[{\"type\":\"value_error\",\"loc\":[\"body\",\"symbols\"],\"msg\":\"Value error, "
           "At least one symbol must be specified\",\"input\":[]},{\"loc\":[\"body\",\"timeframes\",0],\"msg\":\"bad\"}]}",
      "422 Unprocessable Entity: body.symbols: Value error, At least one symbol must be specified; "
      "body.timeframes[0]: bad" },
    { 500, "{\"success\":false,\"error\":{\"code\":\"INTERNAL_SERVER_ERROR\",\"message\":\"An unexpected error occurred\"}}",
      "500 Internal Server Error: An unexpected error occurred" },
    { 503, "{}", "503 Service Unavailable" },
    { 502, "<html>bad gateway</html>", "502 Bad Gateway (response is not JSON: <html>bad gateway</html>)" },
    { 404, NULL, "404 Not Found" },
  };

  for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
    struct buf b = BUF_INIT;
    apierror_describe(t[i].status, t[i].body, &b);
    cr_expect_str_eq(buf_cstr(&b), t[i].want);
    buf_release(&b);
  }
}

TestSuite(timeutil, .timeout = 10);

Test(timeutil, live_timestamp_forms)
{
  char buf[TIME_ISO_MAX];
  int64_t us;

  cr_assert_eq(timeutil_parse_iso("2025-10-02T22:13:14.123456Z", &us), 0);
  cr_expect_str_eq(timeutil_iso(us, buf), "2025-10-02T22:13:14.123456Z");
  cr_expect_str_eq(timeutil_iso_offset(us, buf), "2025-10-02T22:13:14.123456+00:00");
  cr_expect_str_eq(timeutil_id_stamp(us, buf), "20251002_221314");
  cr_assert_eq(timeutil_parse_iso("2024-01-01T00:00:00", &us), 0);
  cr_expect_str_eq(timeutil_iso(us, buf), "2024-01-01T00:00:00.000000Z");
  cr_expect_lt(timeutil_parse_iso("2024-01-01", &us), 0);
  cr_expect_lt(timeutil_parse_iso("2024-01-01T00:00:00+02:00", &us), 0);
  cr_expect_str_eq(timeutil_hms(74.4, buf, sizeof(buf)), "1:14");
  cr_expect_str_eq(timeutil_hms(3723, buf, sizeof(buf)), "1:02:03");
  cr_expect_str_eq(timeutil_hms(-1, buf, sizeof(buf)), "-:--");
}
