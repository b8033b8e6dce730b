/*
 * Helpers for the scenario suites: a server with the shipped scenarios
 * (KTRDR_SOURCE_DIR/scenarios) on a manual clock, requests that choose a
 * scenario with X-Mock-Scenario, and the clock advanced in process. Built
 * on mock_helpers.h (call/expect/get_op against the testlib server).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strcasestr in mock_helpers.h */
#endif
#ifndef KTRDR_TEST_SCENARIO_HELPERS_H
#define KTRDR_TEST_SCENARIO_HELPERS_H

#include <pthread.h>
#include <stdatomic.h>

#include "mock_helpers.h"

#define SCENARIOS_DIR KTRDR_SOURCE_DIR "/scenarios"

static inline void scen_start(enum mock_clock clock, double scale)
{
  struct mock_config cfg = MOCK_CONFIG_INIT;
  struct err err = ERR_INIT;

  cfg.scenarios_dir = SCENARIOS_DIR;
  cfg.clock = clock;
  cfg.time_scale = scale;
  tl_mock = mock_server_start(&cfg, &err);
  cr_assert_not_null(tl_mock, "mock server did not start: %s", err.msg);
}

static inline void scen_manual(void) { scen_start(MOCK_CLOCK_MANUAL, 1.0); }
static inline void scen_stop(void) { tl_mock_stop(); }

/* The manual clock moves `s` simulated seconds. */
static inline void advance(double s)
{
  struct err err = ERR_INIT;

  cr_assert_eq(mock_server_advance(tl_mock, s, &err), 0, "%s", err.msg);
}

/* call() with an X-Mock-Scenario header (NULL = none). */
static inline void call_h(struct tl_response *r, const char *method, const char *path,
                          const char *body, const char *scenario)
{
  char url[2048], header[256];
  const char *base = tl_mock_url();

  if (strncmp(path, "/__admin", 8) == 0)
    snprintf(url, sizeof(url), "%.*s%s", (int)(strlen(base) - strlen("/api/v1")), base, path);
  else
    snprintf(url, sizeof(url), "%s%s", base, path);
  snprintf(header, sizeof(header), "X-Mock-Scenario: %s", scenario ? scenario : "");
  cr_assert_eq(tl_http(method, url, body, scenario ? header : NULL, r), 0, "%s %s: no response",
               method, url);
}

static inline json_t *expect_h(struct tl_response *r, const char *method, const char *path,
                               const char *body, const char *scenario, long status)
{
  call_h(r, method, path, body, scenario);
  cr_assert_eq(r->status, status, "%s %s: status %ld, body %s", method, path, r->status,
               r->body);
  cr_assert_not_null(r->json, "%s %s: body is not JSON: %s", method, path, r->body);
  return r->json;
}

/* The operation id of any live start shape (flat task_id, envelope
 * data.operation_id, flat operation_id). */
static inline const char *start_id(const json_t *j)
{
  const char *id = str_at(j, "task_id");

  if (!id)
    id = str_at(json_object_get(j, "data"), "operation_id");
  return id ? id : str_at(j, "operation_id");
}

/* Starts an operation at `path` with `scenario`; returns its id (free). */
static inline char *start_op(const char *path, const char *scenario, const char *body)
{
  struct tl_response r;
  char *id = strdup(start_id(expect_h(&r, "POST", path, body, scenario, 200)));

  tl_response_release(&r);
  return id;
}

#define TRAINING_BODY(name)                                                                   \
  "{\"strategy_name\":\"" name "\",\"symbols\":[\"AAPL\"],\"timeframes\":[\"1h\"],"          \
  "\"detailed_analytics\":false,\"start_date\":\"2024-01-01\",\"end_date\":\"2024-06-01\"}"

#define DATA_BODY "{\"symbol\":\"aapl\",\"timeframe\":\"1h\",\"mode\":\"tail\"}"

/* GET /operations/{id} expecting `status`; the body (release r). */
static inline json_t *get_status(struct tl_response *r, const char *id, long status)
{
  char path[256];

  snprintf(path, sizeof(path), "/operations/%s", id);
  call(r, "GET", path, NULL);
  cr_assert_eq(r->status, status, "GET %s: %ld %s", path, r->status, r->body);
  return r->json;
}

static inline const char *step_of(const json_t *op)
{
  return str_at(progress_of(op), "current_step");
}

/* The operation's data field at the current simulated time (release it). */
static inline json_t *op_now(const char *id)
{
  return get_op(id);
}

/* A request on another thread, timed: for "a slow answer does not hold up
 * another client" tests. */
struct timed_call {
  pthread_t thread;
  const char *method, *path, *scenario;
  long status;
  int64_t took_us;
  atomic_bool done;
};

static inline void *timed_call_run(void *arg)
{
  struct timed_call *t = arg;
  struct tl_response r;
  int64_t t0 = timeutil_mono_us();
  char url[2048], header[256];
  const char *base = tl_mock_url();

  snprintf(url, sizeof(url), "%s%s", base, t->path);
  snprintf(header, sizeof(header), "X-Mock-Scenario: %s", t->scenario ? t->scenario : "");
  tl_http(t->method, url, "{}", t->scenario ? header : NULL, &r);
  t->status = r.status;
  t->took_us = timeutil_mono_us() - t0;
  tl_response_release(&r);
  atomic_store(&t->done, true);
  return NULL;
}

static inline void timed_call_start(struct timed_call *t)
{
  atomic_init(&t->done, false);
  cr_assert_eq(pthread_create(&t->thread, NULL, timed_call_run, t), 0);
}

static inline void timed_call_join(struct timed_call *t)
{
  pthread_join(t->thread, NULL);
}

/* How many start requests chose `scenario` (GET /__admin/scenarios). */
static inline long starts_of(const char *scenario)
{
  struct tl_response r;
  json_t *list = json_object_get(expect(&r, "GET", "/__admin/scenarios", NULL, 200), "scenarios");
  json_t *s;
  size_t i;
  long n = -1;

  json_array_foreach(list, i, s)
    if (strcmp(str_at(s, "name"), scenario) == 0)
      n = (long)int_at(s, "starts");
  tl_response_release(&r);
  return n;
}

struct starts_wait {
  const char *scenario;
  long count;
};

static inline bool starts_reached(void *arg)
{
  struct starts_wait *w = arg;

  return starts_of(w->scenario) >= w->count;
}

#endif
