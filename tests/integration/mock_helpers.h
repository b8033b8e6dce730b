/*
 * Helpers for the mock server's integration suites: requests against the
 * suite's in-process server (tl_mock) and checks on their JSON. Included by
 * test_mock_api.c, test_mock_http.c and test_mock_admin.c; everything is
 * static inline so each suite uses what it needs.
 */
#ifndef KTRDR_TEST_MOCK_HELPERS_H
#define KTRDR_TEST_MOCK_HELPERS_H

#include <criterion/criterion.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "timeutil.h"

/* Each test gets a fresh server at this time scale: 1 simulated s = 10 ms. */
#define MOCK_SCALE 100.0

/* A dummy task that stays running for the whole test (10^4 s real). */
#define LONG_TASK "{\"duration\": 1000000}"

static inline void mock_setup(void) { tl_mock_start(MOCK_SCALE); }
static inline void mock_teardown(void) { tl_mock_stop(); }

/* A request to the API (path after /api/v1) or, when `path` starts with
 * "/__admin", to the admin API. The caller releases `r`. */
static inline void call(struct tl_response *r, const char *method, const char *path,
                        const char *body)
{
  char url[2048];
  const char *base = tl_mock_url();

  if (strncmp(path, "/__admin", 8) == 0)
    snprintf(url, sizeof(url), "%.*s%s", (int)(strlen(base) - strlen("/api/v1")), base, path);
  else
    snprintf(url, sizeof(url), "%s%s", base, path);
  cr_assert_eq(tl_http(method, url, body, NULL, r), 0, "%s %s: no response", method, url);
}

/* call() expecting `status` and a JSON body. */
static inline json_t *expect(struct tl_response *r, const char *method, const char *path,
                      const char *body, long status)
{
  call(r, method, path, body);
  cr_assert_eq(r->status, status, "%s %s: status %ld, body %s", method, path, r->status, r->body);
  cr_assert_not_null(r->json, "%s %s: body is not JSON: %s", method, path, r->body);
  return r->json;
}

static inline const char *str_at(const json_t *j, const char *key)
{
  return json_string_value(json_object_get(j, key));
}

static inline json_int_t int_at(const json_t *j, const char *key)
{
  return json_integer_value(json_object_get(j, key));
}

static inline void expect_json_eq(const json_t *have, const char *want_text)
{
  json_t *want = json_loads(want_text, 0, NULL);
  char *h = json_dumps(have, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
  char *w = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);

  cr_assert_not_null(want, "bad expected JSON %s", want_text);
  cr_expect_str_eq(h, w);
  free(h);
  free(w);
  json_decref(want);
}

static inline void expect_detail(const json_t *body, const char *detail)
{
  cr_expect_str_eq(str_at(body, "detail"), detail);
}

/* Starts a dummy task; returns its id (caller frees). */
static inline char *start_dummy(const char *body)
{
  struct tl_response r;
  json_t *j = expect(&r, "POST", "/dummy/start", body, 200);
  char *id = strdup(str_at(json_object_get(j, "data"), "operation_id"));

  tl_response_release(&r);
  return id;
}

/* GET /operations/{id} -> data (a new reference). */
static inline json_t *get_op(const char *id)
{
  struct tl_response r;
  char path[256];
  json_t *data;

  snprintf(path, sizeof(path), "/operations/%s", id);
  data = json_incref(json_object_get(expect(&r, "GET", path, NULL, 200), "data"));
  tl_response_release(&r);
  return data;
}

static inline json_t *progress_of(const json_t *op)
{
  return json_object_get(op, "progress");
}

struct op_wait {
  const char *id;
  const char *status;   /* wait for this status, or */
  long min_step;        /* for steps_completed >= min_step */
};

static inline bool op_reached(void *arg)
{
  const struct op_wait *w = arg;
  json_t *op = get_op(w->id);
  bool done = w->status ? strcmp(str_at(op, "status"), w->status) == 0
                        : int_at(progress_of(op), "steps_completed") >= w->min_step;

  json_decref(op);
  return done;
}

static inline void wait_status(const char *id, const char *status)
{
  struct op_wait w = { id, status, 0 };

  cr_assert(tl_wait_until(op_reached, &w, 10000), "%s never became %s", id, status);
}

static inline void wait_step(const char *id, long step)
{
  struct op_wait w = { id, NULL, step };

  cr_assert(tl_wait_until(op_reached, &w, 10000), "%s never reached step %ld", id, step);
}

static inline int64_t iso_us(const char *s)
{
  int64_t us = 0;

  cr_assert(s && timeutil_parse_iso(s, &us) == 0, "bad timestamp '%s'", s ? s : "(null)");
  return us;
}

static inline bool matches(const char *re, const char *s)
{
  regex_t rx;
  bool ok;

  cr_assert_eq(regcomp(&rx, re, REG_EXTENDED | REG_NOSUB), 0);
  ok = s && regexec(&rx, s, 0, NULL, 0) == 0;
  regfree(&rx);
  return ok;
}

static inline const char *header(const struct tl_response *r, const char *name)
{
  static char value[256];
  char key[64];
  const char *p;
  size_t n;

  snprintf(key, sizeof(key), "\n%s:", name);
  p = strcasestr(r->headers, key);
  if (!p)
    return NULL;
  p += strlen(key);
  while (*p == ' ')
    p++;
  n = strcspn(p, "\r\n");
  snprintf(value, sizeof(value), "%.*s", (int)n, p);
  return value;
}

static inline void cancel_path(char *buf, size_t size, const char *id, bool post)
{
  snprintf(buf, size, "/operations/%s%s", id, post ? "/cancel" : "");
}

#endif
