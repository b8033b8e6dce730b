/*
 * The store (store.h) on a manual clock: the cached text of an operation is
 * always what a fresh evaluation gives, through generator steps, outside
 * ends (a delayed cancel, a flip) and vanishing.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "catalog.h"
#include "pyjson.h"
#include "scenario_timeline.h"
#include "store.h"

#define SCENARIOS KTRDR_SOURCE_DIR "/scenarios"

TestSuite(store, .timeout = 30);

static struct clock *clk;
static struct store *st;
static struct catalog *cat;

static void setup(void)
{
  struct err err = ERR_INIT;

  clk = clock_new(CLOCK_MODE_MANUAL, 1.0);
  st = store_new(clk);
  cat = catalog_new();
  cr_assert(clk && st && cat);
  cr_assert_eq(catalog_load_builtins(cat, &err), 0, "%s", err.msg);
  cr_assert_eq(catalog_load_dir(cat, SCENARIOS, &err), 0, "%s", err.msg);
}

static void teardown(void)
{
  store_free(&st);
  catalog_free(&cat);
  clock_free(&clk);
}

static void add_with(const char *scenario, json_t *vars, json_t *metadata,
                     char id[STORE_ID_MAX])
{
  struct store_start start = { "dummy", metadata, { NULL, NULL } };
  struct err err = ERR_INIT;
  const struct scenario *sc = catalog_find(cat, scenario);

  cr_assert_not_null(sc, "%s", scenario);
  start.type = sc->operation_type;
  cr_assert_eq(scenario_timeline_new(sc, vars, &start.timeline, &err), 0, "%s", err.msg);
  cr_assert_eq(store_add(st, &start, id, &err), 0, "%s", err.msg);
}

static void add(const char *scenario, json_t *vars, char id[STORE_ID_MAX])
{
  add_with(scenario, vars, json_object(), id);
}

/* The operation's metadata as the store answers it (a new reference). */
static json_t *metadata_of(const char *id)
{
  json_t *info = NULL, *md;

  cr_assert_eq(store_get(st, id, &info, NULL), 0, "%s", id);
  md = json_incref(json_object_get(info, "metadata"));
  json_decref(info);
  return md;
}

/* The cached text (asked twice: the second is a cache hit) equals a fresh
 * evaluation. */
static void same_as_fresh(const char *id, const char *when)
{
  json_t *fresh = NULL;
  char *a = NULL, *b = NULL, *want;
  size_t la, lb;

  cr_assert_eq(store_get(st, id, &fresh, NULL), 0);
  want = json_dumps(fresh, JSON_COMPACT);
  pyjson_shorten_reals(want);
  cr_assert_eq(store_get_text(st, id, &a, &la, NULL), 0);
  cr_assert_eq(store_get_text(st, id, &b, &lb, NULL), 0);
  cr_expect_str_eq(a, want, "%s", when);
  cr_expect_str_eq(b, want, "%s (cached)", when);
  cr_expect_eq(la, strlen(want));
  free(a);
  free(b);
  free(want);
  json_decref(fresh);
}

Test(store, cached_text_follows_every_change, .init = setup, .fini = teardown)
{
  static const char *const scenarios[] = { "training_local", "training_host", "data_load_tail",
                                           "dummy_default", "training_fails_midway" };
  char ids[5][STORE_ID_MAX], when[64];

  for (size_t i = 0; i < 5; i++)
    add(scenarios[i], json_pack("{s:s, s:s, s:s, s:[s]}", "symbol", "AAPL", "timeframe", "1h",
                                "mode", "tail", "symbols", "AAPL"), ids[i]);
  for (int k = 0; k < 700; k++) {
    for (size_t i = 0; i < 5; i++) {
      snprintf(when, sizeof(when), "%s at %.3f s", scenarios[i], clock_now(clk));
      same_as_fresh(ids[i], when);
    }
    clock_advance(clk, 0.0137 * (k % 13 + 1), NULL);
  }
}

Test(store, outside_ends_invalidate_the_cache, .init = setup, .fini = teardown)
{
  char slow[STORE_ID_MAX], flip[STORE_ID_MAX], gone[STORE_ID_MAX];
  struct store_end end;
  struct err err = ERR_INIT;
  char *text;
  size_t len;

  add("dummy_slow_cancel", NULL, slow);
  add("dummy_cancel_flip", NULL, flip);
  add("vanishing_operation", NULL, gone);
  clock_advance(clk, 3.5, NULL);
  same_as_fresh(slow, "before the cancel");
  same_as_fresh(flip, "before the cancel");
  cr_assert_eq(store_cancel(st, slow, "stop", &end, &err), 0, "%s", err.msg);
  cr_assert_eq(store_cancel(st, flip, "stop", &end, &err), 0, "%s", err.msg);
  for (int k = 0; k < 40; k++) {
    same_as_fresh(slow, "slow cancel");
    same_as_fresh(flip, "flip");
    clock_advance(clk, 0.1, NULL);
  }
  cr_expect(strstr(store_get_text(st, slow, &text, &len, NULL) == 0 ? text : "",
                   "\"status\":\"cancelled\"") != NULL);
  free(text);
  cr_expect(strstr(store_get_text(st, flip, &text, &len, NULL) == 0 ? text : "",
                   "\"status\":\"completed\"") != NULL);
  free(text);
  cr_expect_eq(store_get_text(st, gone, &text, &len, &err), -1, "vanished");
  cr_expect_eq(err.code, ERR_NOTFOUND);
  store_clear(st);
  cr_expect_eq(store_get_text(st, slow, &text, &len, NULL), -1);
}

/* Equal metadata is kept once (mockserver/intern.h; test_mock_intern.c);
 * every operation still answers its own. */
Test(store, shared_metadata_answers_each_its_own, .init = setup, .fini = teardown)
{
  char a[STORE_ID_MAX], b[STORE_ID_MAX], c[STORE_ID_MAX];
  json_t *ma, *mb, *mc;

  add_with("dummy_default", NULL, json_pack("{s:s, s:{s:s}}", "symbol", "N/A", "parameters",
                                            "service_name", "DummyService"), a);
  add_with("dummy_default", NULL, json_pack("{s:s, s:{s:s}}", "symbol", "N/A", "parameters",
                                            "service_name", "DummyService"), b);
  add_with("dummy_default", NULL, json_pack("{s:s, s:{s:s}}", "symbol", "AAPL", "parameters",
                                            "service_name", "DummyService"), c);
  ma = metadata_of(a);
  mb = metadata_of(b);
  mc = metadata_of(c);
  cr_expect(json_equal(ma, mb));
  cr_expect_str_eq(json_string_value(json_object_get(ma, "symbol")), "N/A");
  cr_expect_str_eq(json_string_value(json_object_get(mc, "symbol")), "AAPL");
  json_decref(ma);
  json_decref(mb);
  json_decref(mc);
  same_as_fresh(a, "shared metadata");
  same_as_fresh(c, "own metadata");
}

/* Shared request variables: two operations started alike, then one
 * cancelled, keep separate states. */
Test(store, shared_variables_keep_operations_apart, .init = setup, .fini = teardown)
{
  char a[STORE_ID_MAX], b[STORE_ID_MAX];
  json_t *vars = json_pack("{s:f, s:i}", "duration", 10.0, "iterations", 10);
  struct store_end end;
  char *text;
  size_t len;

  add("dummy_default", store_share(st, json_deep_copy(vars)), a);
  add("dummy_default", store_share(st, json_deep_copy(vars)), b);
  json_decref(vars);
  clock_advance(clk, 3.5, NULL);
  cr_assert_eq(store_cancel(st, a, "stop", &end, NULL), 0);
  clock_advance(clk, 1.0, NULL);
  cr_assert_eq(store_get_text(st, a, &text, &len, NULL), 0);
  cr_expect(strstr(text, "\"status\":\"cancelled\"") && strstr(text, "[3/10]"), "%s", text);
  free(text);
  cr_assert_eq(store_get_text(st, b, &text, &len, NULL), 0);
  cr_expect(strstr(text, "\"status\":\"running\"") && strstr(text, "[4/10]"), "%s", text);
  free(text);
}
