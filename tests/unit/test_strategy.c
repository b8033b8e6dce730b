/* strategy: YAML files in tests/data/strategies against expected extractions. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strategy.h"
#include "testlib.h"

#define DIR KTRDR_TEST_DATA_DIR "/strategies/"

TestSuite(strategy, .timeout = 20);

/* "A,B,C" for comparing a list in one assertion. */
static const char *joined(char *const *items, size_t n)
{
  static char out[256];
  size_t i;

  out[0] = '\0';
  for (i = 0; i < n; i++) {
    if (i)
      strncat(out, ",", sizeof(out) - strlen(out) - 1);
    strncat(out, items[i], sizeof(out) - strlen(out) - 1);
  }
  return out;
}

/* ---- files that load and validate --------------------------------------- */

struct good_case {
  const char *file;
  int version;
  const char *name;       /* NULL: no name key */
  const char *stem;
  const char *symbols;
  const char *timeframes;
  long epochs;
};

static const struct good_case good_cases[] = {
  { "v1_list.yaml", 1, "v1 list strategy", "v1_list", "AAPL,MSFT,BRK.B", "1h,1d", 5 },
  { "v1_string.yaml", 1, "v1_string", "v1_string", "EURUSD", "4h", 1 },
  { "v1_no_data.yaml", 1, "defaults_only", "v1_no_data", "AAPL", "1h", 1 },
  { "v2_single.yaml", 2, "trend_like", "v2_single", "AAPL", "1h", 100 },
  { "v2_multi_symbols.yaml", 2, "multi_with_symbols_key", "v2_multi_symbols",
    "AAPL,MSFT,GOOGL", "15m,1h,1d", 30 },
  { "v2_multi_list.yaml", 2, "multi_with_list_key", "v2_multi_list",
    "EURUSD,GBPUSD,USDJPY", "1h,4h", 50 },
  { "v2_mixed.yaml", 2, "universal_zero_shot_model", "v2_mixed", "EURUSD,GBPUSD", "1h", 40 },
  { "rsi_macd_pair.yaml", 2, "rsi_macd_pair", "rsi_macd_pair", "AAPL,MSFT", "1h,4h", 20 },
  { "v3_training_epochs.yaml", 2, "v3_small", "v3_training_epochs", "EURUSD", "1h", 12 },
  { "lenient_no_mode.yaml", 2, "lenient_no_mode", "lenient_no_mode", "SPY,QQQ", "5m,30m", 1 },
  { "lenient_scalar.yaml", 2, "lenient_scalar", "lenient_scalar", "TSLA", "1d,1h", 1 },
};

ParameterizedTestParameters(strategy, good)
{
  return tl_index_params(TL_N(good_cases));
}

static const char *data_path(const char *file)
{
  static char path[512];

  snprintf(path, sizeof(path), DIR "%s", file);
  return path;
}

ParameterizedTest(size_t *i, strategy, good)
{
  const struct good_case *c = &good_cases[*i];
  struct strategy s = STRATEGY_INIT;
  struct err err = ERR_INIT;
  const char *path = data_path(c->file);

  cr_assert_eq(strategy_load(&s, path, &err), 0, "%s: %s", c->file, err.msg);
  cr_expect_str_eq(s.path, path);
  cr_expect_eq(s.version, c->version, "%s", c->file);
  if (c->name)
    cr_expect_str_eq(s.name, c->name, "%s", c->file);
  else
    cr_expect_null(s.name, "%s", c->file);
  cr_expect_str_eq(s.stem, c->stem, "%s", c->file);
  cr_expect_str_eq(joined(s.symbols, s.n_symbols), c->symbols, "%s", c->file);
  cr_expect_str_eq(joined(s.timeframes, s.n_timeframes), c->timeframes, "%s", c->file);
  cr_expect_eq(s.epochs, c->epochs, "%s: epochs %ld", c->file, s.epochs);
  cr_expect_not(s.symbols_from_cli || s.timeframes_from_cli);
  cr_expect_eq(strategy_validate(&s, &err), 0, "%s: %s", c->file, err.msg);
  strategy_release(&s);
}

/* ---- files that fail, at load or at validation ---------------------------- */

enum stage { AT_LOAD, AT_VALIDATE };

struct bad_case {
  const char *file;
  enum stage stage;
  enum err_code code;
  const char *want[3];     /* substrings of the message; NULL ends */
};

static const struct bad_case bad_cases[] = {
  { "does_not_exist.yaml", AT_LOAD, ERR_IO,
    { "cannot open strategy file '" DIR "does_not_exist.yaml': No such file or directory" } },
  { "invalid_yaml.yaml", AT_LOAD, ERR_PARSE,
    { "invalid YAML in '" DIR "invalid_yaml.yaml' line 4, column ",
      ": mapping values are not allowed in this context" } },
  { "empty.yaml", AT_LOAD, ERR_PARSE, { "strategy file '" DIR "empty.yaml' is empty" } },
  { "top_list.yaml", AT_LOAD, ERR_PARSE,
    { "'" DIR "top_list.yaml' is not a strategy: its top level is a list", "expected a mapping" } },
  { "bad_epochs.yaml", AT_LOAD, ERR_INVALID,
    { "model.training.epochs must be a positive whole number, got 'many'" } },
  { "nested_symbol.yaml", AT_LOAD, ERR_PARSE,
    { "data.symbols must be a string or a list of strings" } },
  { "no_symbols.yaml", AT_VALIDATE, ERR_INVALID,
    { "no symbols in '" DIR "no_symbols.yaml' (looked for training_data.symbols and "
      "data.symbols); give one as SYMBOL" } },
  { "no_timeframes.yaml", AT_VALIDATE, ERR_INVALID,
    { "no timeframes in '" DIR "no_timeframes.yaml' (looked for training_data.timeframes and "
      "data.timeframes); give one as TIMEFRAME" } },
  { "bad_symbol_dollar.yaml", AT_VALIDATE, ERR_INVALID,
    { "invalid symbol 'AAPL$' in '" DIR "bad_symbol_dollar.yaml'", "1 to 10 letters" } },
  { "bad_symbol_long.yaml", AT_VALIDATE, ERR_INVALID,
    { "invalid symbol 'TOOLONGSYMBOL1' in '" } },
  { "bad_tf_week.yaml", AT_VALIDATE, ERR_INVALID,
    { "invalid timeframe '1w' in '", "1w and 1M, are not accepted" } },
  { "bad_tf_number.yaml", AT_VALIDATE, ERR_INVALID,
    { "invalid timeframe '60' in '", "5m, 1h, 4h, 1d" } },
  { "my strategy.yaml", AT_VALIDATE, ERR_INVALID,
    { "invalid strategy name 'my strategy' (the file name of '" DIR "my strategy.yaml')",
      "rename the file" } },
};

ParameterizedTestParameters(strategy, bad)
{
  return tl_index_params(TL_N(bad_cases));
}

ParameterizedTest(size_t *i, strategy, bad)
{
  const struct bad_case *c = &bad_cases[*i];
  struct strategy s = STRATEGY_INIT;
  struct err err = ERR_INIT;
  size_t k;
  int rc = strategy_load(&s, data_path(c->file), &err);

  if (c->stage == AT_LOAD) {
    cr_assert_eq(rc, -1, "%s loaded", c->file);
    cr_expect_null(s.path, "a failed load leaves the struct released");
    cr_expect_null(s.symbols);
  } else {
    cr_assert_eq(rc, 0, "%s: %s", c->file, err.msg);
    cr_assert_eq(strategy_validate(&s, &err), -1, "%s validated", c->file);
  }
  cr_expect_eq(err.code, c->code, "%s: code %s", c->file, err_code_name(err.code));
  for (k = 0; k < TL_N(c->want) && c->want[k]; k++)
    cr_expect(strstr(err.msg, c->want[k]), "%s: '%s' not in '%s'", c->file, c->want[k], err.msg);
  strategy_release(&s);
}

/* The syntax error points at the offending line, 1-based, in libyaml's words. */
Test(strategy, syntax_error_position)
{
  struct strategy s = STRATEGY_INIT;
  struct err err = ERR_INIT;

  cr_assert_eq(strategy_load(&s, DIR "invalid_yaml.yaml", &err), -1);
  cr_expect(strstr(err.msg, "' line 4, column 17: mapping values are not allowed in this "
                            "context"), "%s", err.msg);
}

/* ---- overrides -------------------------------------------------------------- */

struct override_case {
  const char *file;
  const char *symbol, *timeframe;
  const char *symbols, *timeframes;
  int validate_rc;
  const char *want;       /* substring of the validation message */
};

static const struct override_case override_cases[] = {
  { "rsi_macd_pair.yaml", NULL, NULL, "AAPL,MSFT", "1h,4h", 0, NULL },
  { "rsi_macd_pair.yaml", "TSLA", NULL, "TSLA", "1h,4h", 0, NULL },
  { "rsi_macd_pair.yaml", NULL, "1d", "AAPL,MSFT", "1d", 0, NULL },
  { "rsi_macd_pair.yaml", "EURUSD", "5m", "EURUSD", "5m", 0, NULL },
  { "rsi_macd_pair.yaml", "AAPL,MSFT", NULL, "AAPL,MSFT", "1h,4h", -1,
    "invalid symbol 'AAPL,MSFT' given as SYMBOL" },             /* no comma splitting */
  { "rsi_macd_pair.yaml", NULL, "1M", "AAPL,MSFT", "1M", -1,
    "invalid timeframe '1M' given as TIMEFRAME" },
  { "rsi_macd_pair.yaml", "", NULL, "", "1h,4h", -1, "invalid symbol '' given as SYMBOL" },
  { "no_symbols.yaml", "SPY", NULL, "SPY", "1h", 0, NULL },     /* CLI rescues the file */
  { "no_timeframes.yaml", NULL, "1h", "AAPL", "1h", 0, NULL },
  { "bad_tf_week.yaml", NULL, "4h", "AAPL", "4h", 0, NULL },
  { "bad_symbol_dollar.yaml", "AAPL", NULL, "AAPL", "1h", 0, NULL },
};

ParameterizedTestParameters(strategy, overrides)
{
  return tl_index_params(TL_N(override_cases));
}

ParameterizedTest(size_t *i, strategy, overrides)
{
  const struct override_case *c = &override_cases[*i];
  struct strategy s = STRATEGY_INIT;
  struct err err = ERR_INIT;

  cr_assert_eq(strategy_load(&s, data_path(c->file), &err), 0, "%s", err.msg);
  cr_assert_eq(strategy_apply_overrides(&s, c->symbol, c->timeframe, &err), 0);
  cr_expect_str_eq(joined(s.symbols, s.n_symbols), c->symbols);
  cr_expect_str_eq(joined(s.timeframes, s.n_timeframes), c->timeframes);
  cr_expect_eq(s.symbols_from_cli, c->symbol != NULL);
  cr_expect_eq(s.timeframes_from_cli, c->timeframe != NULL);
  cr_expect_eq(strategy_validate(&s, &err), c->validate_rc, "%s", err.msg);
  if (c->want)
    cr_expect(strstr(err.msg, c->want), "'%s' not in '%s'", c->want, err.msg);
  strategy_release(&s);
}

/* ---- the rest of the API ---------------------------------------------------- */

Test(strategy, payload_lists)
{
  struct strategy s = STRATEGY_INIT;
  struct err err = ERR_INIT;
  json_t *payload;
  char *text;

  cr_assert_eq(strategy_load(&s, DIR "rsi_macd_pair.yaml", &err), 0, "%s", err.msg);
  cr_assert_eq(strategy_validate(&s, &err), 0, "%s", err.msg);
  payload = json_pack("{s:s, s:o, s:o}", "strategy_name", s.stem,
                      "symbols", strategy_symbols_json(&s),
                      "timeframes", strategy_timeframes_json(&s));
  cr_assert_not_null(payload);
  text = json_dumps(payload, JSON_COMPACT | JSON_PRESERVE_ORDER);
  cr_expect_str_eq(text, "{\"strategy_name\":\"rsi_macd_pair\",\"symbols\":[\"AAPL\",\"MSFT\"],"
                         "\"timeframes\":[\"1h\",\"4h\"]}");
  free(text);
  json_decref(payload);
  strategy_release(&s);
}

/* Writes `text` to <tmpdir>/<name>, loads it, and cleans up. */
static int load_temp(struct strategy *s, const char *name, const char *text, struct err *err)
{
  char dir[] = "/tmp/ktrdr_strategy_XXXXXX", path[256];
  FILE *f;
  int rc;

  cr_assert_not_null(mkdtemp(dir));
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  f = fopen(path, "w");
  cr_assert_not_null(f);
  fputs(text, f);
  fclose(f);
  rc = strategy_load(s, path, err);
  remove(path);
  rmdir(dir);
  return rc;
}

/* Only .yaml and .yml come off: the server looks for <stem>.yaml. */
Test(strategy, stems)
{
  static const struct { const char *file, *stem; int validate_rc; } cases[] = {
    { "alpha.yml", "alpha", 0 },
    { "beta-2_x.yaml", "beta-2_x", 0 },
    { "gamma.v2.yaml", "gamma.v2", -1 },
    { "delta.json", "delta.json", -1 },
    { "_hidden.yaml", "_hidden", -1 },
    { ".yaml", "", -1 },
  };
  struct strategy s = STRATEGY_INIT;
  struct err err = ERR_INIT;
  size_t i;

  for (i = 0; i < TL_N(cases); i++) {
    cr_assert_eq(load_temp(&s, cases[i].file, "data: {symbols: [A], timeframes: [1d]}\n", &err),
                 0, "%s: %s", cases[i].file, err.msg);
    cr_expect_str_eq(s.stem, cases[i].stem);
    cr_expect_eq(strategy_validate(&s, &err), cases[i].validate_rc, "%s: %s", cases[i].file,
                 err.msg);
    strategy_release(&s);
  }
}

/* Key presence decides the format, as in the live loader: `scope: ~` is v2,
 * and a v1 `data: ~` is not "missing", so there are no defaults. */
Test(strategy, null_keys)
{
  struct strategy s = STRATEGY_INIT;
  struct err err = ERR_INIT;

  cr_assert_eq(load_temp(&s, "n.yaml", "scope: ~\ndata: {symbols: X, timeframes: 1h}\n", &err), 0,
               "%s", err.msg);
  cr_expect_eq(s.version, 2);
  cr_expect_str_eq(joined(s.symbols, s.n_symbols), "X");
  strategy_release(&s);
  cr_assert_eq(load_temp(&s, "n.yaml", "data: ~\nmodel: {training: {epochs: ~}}\n", &err), 0);
  cr_expect_eq(s.version, 1);
  cr_expect_eq(s.n_symbols, 0);
  cr_expect_eq(s.epochs, 1);
  strategy_release(&s);
  cr_assert_eq(load_temp(&s, "n.yaml", "data:\n  symbols: [A, ~, B]\n  timeframes: ['']\n", &err),
               0);
  cr_expect_str_eq(joined(s.symbols, s.n_symbols), "A,B");
  cr_expect_eq(s.n_timeframes, 1);
  cr_expect_eq(strategy_validate(&s, &err), -1);
  cr_expect(strstr(err.msg, "invalid timeframe ''"), "%s", err.msg);
  strategy_release(&s);
}

Test(strategy, failed_load_releases)
{
  struct strategy s = STRATEGY_INIT;
  struct err err = ERR_INIT;

  cr_expect_eq(strategy_load(&s, "/nonexistent/dir/alpha.yml", &err), -1);
  cr_expect(strstr(err.msg, "cannot open strategy file '/nonexistent/dir/alpha.yml'"), "%s",
            err.msg);
  cr_expect_null(s.stem);
  cr_expect_null(s.path);
}

Test(strategy, directory_is_an_io_error)
{
  struct strategy s = STRATEGY_INIT;
  struct err err = ERR_INIT;

  cr_expect_eq(strategy_load(&s, DIR, &err), -1);
  cr_expect_eq(err.code, ERR_IO, "%s", err_code_name(err.code));
  cr_expect(strstr(err.msg, "cannot read strategy file '" DIR "': Is a directory"), "%s", err.msg);
  strategy_release(&s);
}

Test(strategy, null_err_and_release_twice)
{
  struct strategy s = STRATEGY_INIT;

  cr_expect_eq(strategy_load(&s, DIR "empty.yaml", NULL), -1);
  cr_expect_eq(strategy_load(&s, DIR "v1_list.yaml", NULL), 0);
  cr_expect_eq(strategy_validate(&s, NULL), 0);
  strategy_release(&s);
  strategy_release(&s);
  strategy_release(NULL);
}
