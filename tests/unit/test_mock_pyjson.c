/* pyjson.h: reals written as Python's json module writes them. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "pyjson.h"

TestSuite(pyjson, .timeout = 10);

Test(pyjson, reals_are_shortest_round_trip)
{
  static const struct { const char *in, *out; } rows[] = {
    { "0.81230000000000002", "0.8123" },
    { "18.260869565217391", "18.26086956521739" },
    { "100.0", "100.0" },
    { "-2.5", "-2.5" },
    { "1.0000000000000001e-05", "1e-05" },
    { "1000000.0", "1000000.0" },
    { "3.0000000000000001e+20", "3e+20" },
    { "0.1", "0.1" },
    { "12", "12" },
    { "-7", "-7" },
  };

  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    char buf[64];
    size_t n;

    snprintf(buf, sizeof(buf), "%s", rows[i].in);
    n = pyjson_shorten_reals(buf);
    cr_expect_str_eq(buf, rows[i].out);
    cr_expect_eq(n, strlen(rows[i].out));
  }
}

Test(pyjson, strings_and_structure_are_untouched)
{
  char text[] = "{\"a\":[0.10000000000000001,true,null],\"s\":\"0.10000000000000001 \\\"2.50\\\"\","
                "\"k\":{\"x\":-0.0}}";

  pyjson_shorten_reals(text);
  cr_expect_str_eq(text, "{\"a\":[0.1,true,null],\"s\":\"0.10000000000000001 \\\"2.50\\\"\","
                         "\"k\":{\"x\":-0.0}}");
}
