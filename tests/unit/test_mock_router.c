/* The mock server's HTTP plumbing: routing, loopback check, FastAPI parsing. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <string.h>

#include "fastapi.h"
#include "request.h"
#include "router.h"
#include "routes.h"

TestSuite(router, .timeout = 10);

static const struct route table[] = {
  { "GET", "/api/v1/operations", NULL },
  { "GET", "/api/v1/operations/{id}", NULL },
  { "DELETE", "/api/v1/operations/{id}", NULL },
  { "POST", "/api/v1/operations/{id}/cancel", NULL },
  { "GET", "/a/{x}/b/{y}", NULL },
};

static enum router_status match(const char *method, const char *path, struct router_match *m)
{
  return router_match(table, sizeof(table) / sizeof(table[0]), method, path, m);
}

Test(router, matches_literal_and_param_routes)
{
  struct router_match m;

  cr_assert_eq(match("GET", "/api/v1/operations", &m), ROUTER_OK);
  cr_expect_eq(m.route, &table[0]);
  cr_expect_eq(m.nparams, 0);
  cr_assert_eq(match("DELETE", "/api/v1/operations/op_1", &m), ROUTER_OK);
  cr_expect_eq(m.route, &table[2]);
  cr_assert_eq(m.nparams, 1);
  cr_expect_str_eq(m.params[0], "op_1");
  cr_assert_eq(match("POST", "/api/v1/operations/op_2/cancel", &m), ROUTER_OK);
  cr_expect_str_eq(m.params[0], "op_2");
  cr_assert_eq(match("GET", "/a/one/b/two", &m), ROUTER_OK);
  cr_expect_str_eq(m.params[0], "one");
  cr_expect_str_eq(m.params[1], "two");
}

Test(router, unknown_paths)
{
  struct router_match m;
  static const char *const paths[] = {
    "/", "", "/api/v1", "/api/v1/operations/", "/api/v1/operations//cancel",
    "/api/v1/operations/x/y", "/api/v1/operationsx", "/a/one/b", "/a/one/b/two/",
  };

  for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
    cr_expect_eq(match("GET", paths[i], &m), ROUTER_NOT_FOUND, "path '%s'", paths[i]);
}

Test(router, wrong_method_lists_the_allowed_ones)
{
  struct router_match m;

  cr_assert_eq(match("PUT", "/api/v1/operations/op_1", &m), ROUTER_METHOD_NOT_ALLOWED);
  cr_expect_str_eq(m.allow, "GET, DELETE");
  cr_assert_eq(match("GET", "/api/v1/operations/op_1/cancel", &m), ROUTER_METHOD_NOT_ALLOWED);
  cr_expect_str_eq(m.allow, "POST");
}

Test(router, overlong_segments_do_not_match)
{
  struct router_match m;
  char path[600] = "/api/v1/operations/";

  memset(path + strlen(path), 'x', 400);
  cr_expect_eq(match("GET", path, &m), ROUTER_NOT_FOUND);
}

Test(router, the_live_table_has_every_endpoint)
{
  struct router_match m;

  cr_expect_eq(router_match(routes_table, routes_count, "POST", "/api/v1/dummy/start", &m),
               ROUTER_OK);
  cr_expect_eq(router_match(routes_table, routes_count, "GET", "/api/v1/symbols", &m),
               ROUTER_OK);
  cr_expect_eq(router_match(routes_table, routes_count, "POST",
                            "/__admin/operations/op_1/fail", &m), ROUTER_OK);
  cr_expect_str_eq(m.params[0], "op_1");
}

TestSuite(request, .timeout = 10);

static bool v4(const char *addr)
{
  struct sockaddr_in sa = { .sin_family = AF_INET };

  cr_assert_eq(inet_pton(AF_INET, addr, &sa.sin_addr), 1);
  return request_addr_is_loopback((struct sockaddr *)&sa);
}

static bool v6(const char *addr)
{
  struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };

  cr_assert_eq(inet_pton(AF_INET6, addr, &sa.sin6_addr), 1);
  return request_addr_is_loopback((struct sockaddr *)&sa);
}

Test(request, loopback_addresses)
{
  cr_expect(v4("127.0.0.1"));
  cr_expect(v4("127.1.2.3"));
  cr_expect_not(v4("10.0.0.1"));
  cr_expect_not(v4("0.0.0.0"));
  cr_expect(v6("::1"));
  cr_expect(v6("::ffff:127.0.0.1"));
  cr_expect_not(v6("::ffff:10.0.0.1"));
  cr_expect_not(v6("fe80::1"));
  cr_expect_not(request_addr_is_loopback(NULL));
}

Test(request, status_enum_names)
{
  char buf[64];

  routes_status_enum(OP_STATUS_COMPLETED, buf, sizeof(buf));
  cr_expect_str_eq(buf, "OperationStatus.COMPLETED");
  routes_status_enum(OP_STATUS_CANCELLED, buf, sizeof(buf));
  cr_expect_str_eq(buf, "OperationStatus.CANCELLED");
  routes_status_enum(OP_STATUS_FAILED, buf, 10);
  cr_expect_str_eq(buf, "Operation");
}

TestSuite(fastapi, .timeout = 10);

Test(fastapi, lax_booleans)
{
  static const char *const yes[] = { "true", "True", "TRUE", "1", "yes", "on", "t", "y" };
  static const char *const no[] = { "false", "False", "0", "no", "off", "f", "n" };
  static const char *const bad[] = { "", "maybe", "2", "truee", " true" };
  bool b;

  for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
    cr_expect(fastapi_parse_bool(yes[i], &b) == 0 && b, "'%s'", yes[i]);
  for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
    cr_expect(fastapi_parse_bool(no[i], &b) == 0 && !b, "'%s'", no[i]);
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    cr_expect_eq(fastapi_parse_bool(bad[i], &b), -1, "'%s'", bad[i]);
}

Test(fastapi, integers)
{
  long v;

  cr_expect(fastapi_parse_int("42", &v) == 0 && v == 42);
  cr_expect(fastapi_parse_int(" -7 ", &v) == 0 && v == -7);
  cr_expect(fastapi_parse_int("+3", &v) == 0 && v == 3);
  cr_expect_eq(fastapi_parse_int("", &v), -1);
  cr_expect_eq(fastapi_parse_int("abc", &v), -1);
  cr_expect_eq(fastapi_parse_int("5x", &v), -1);
  cr_expect_eq(fastapi_parse_int("1.5", &v), -1);
  cr_expect_eq(fastapi_parse_int("99999999999999999999999", &v), -1);
}

Test(fastapi, bodies)
{
  json_t *errors = json_array(), *body;
  char *text;

  cr_expect_eq(fastapi_load_body("", 0, errors, &body), 0);
  cr_expect_null(body);
  cr_expect_eq(fastapi_load_body("null", 4, errors, &body), 0);
  cr_expect_null(body);
  cr_expect_eq(fastapi_load_body("[1]", 3, errors, &body), 0);
  cr_expect_eq(fastapi_require_object(body, errors), -1);
  json_decref(body);
  cr_expect_eq(fastapi_load_body("{\"a\":", 5, errors, &body), -1);
  cr_assert_eq(json_array_size(errors), 2);
  body = fastapi_body(json_incref(errors));
  text = json_dumps(body, JSON_COMPACT);
  json_decref(body);
  cr_expect(strstr(text, "\"type\":\"model_attributes_type\",\"loc\":[\"body\"]") != NULL, "%s", text);
  cr_expect(strstr(text, "\"type\":\"json_invalid\",\"loc\":[\"body\",5],\"msg\":\"JSON decode error\"") != NULL,
            "%s", text);
  free(text);
  json_decref(errors);
}
