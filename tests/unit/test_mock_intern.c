/*
 * The mock's cache of shared JSON values (mockserver/intern.h): equal values
 * come back as one, different ones stay apart, evicted ones are still
 * correct, and nothing leaks (the ASan and valgrind runs check that).
 */
#include <criterion/criterion.h>

#include "intern.h"

TestSuite(intern, .timeout = 10);

static json_t *metadata(const char *symbol)
{
  return json_pack("{s:s, s:n, s:{s:s}}", "symbol", symbol, "start_date", "parameters",
                   "service_name", "DummyService");
}

Test(intern, equal_values_are_one)
{
  struct intern *in = intern_new();
  json_t *a = intern_json(in, metadata("N/A")), *b = intern_json(in, metadata("N/A"));
  json_t *c = intern_json(in, metadata("AAPL"));

  cr_assert_not_null(a);
  cr_expect(a == b, "an equal value is the cached one");
  cr_expect(a != c, "a different value is its own");
  cr_expect_str_eq(json_string_value(json_object_get(c, "symbol")), "AAPL");
  cr_expect_null(intern_json(in, NULL));
  cr_expect_null(intern_json(NULL, NULL));
  json_decref(a);
  json_decref(b);
  json_decref(c);
  intern_free(&in);
  cr_expect_null(in);
}

/* More distinct values than slots: the oldest is forgotten, not corrupted,
 * and values outlive the cache. */
Test(intern, evicted_values_stay_valid)
{
  struct intern *in = intern_new();
  json_t *first = intern_json(in, json_integer(0)), *again;
  char sym[16];

  for (int i = 1; i <= 40; i++) {
    snprintf(sym, sizeof(sym), "S%d", i);
    json_decref(intern_json(in, metadata(sym)));
  }
  again = intern_json(in, json_integer(0));
  cr_expect(json_equal(first, again));
  cr_expect_eq(json_integer_value(first), 0);
  intern_free(&in);
  cr_expect_eq(json_integer_value(again), 0, "a value outlives the cache");
  json_decref(first);
  json_decref(again);
}
