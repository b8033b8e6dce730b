/*
 * The scenario loader (scenario_yaml.h, yamldoc.h, catalog.h): every
 * shipped scenario loads; every broken fixture is refused with its file,
 * line, column and reason; YAML scalars are typed as the docs say.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "scenario_timeline.h"
#include "scenario_yaml.h"
#include "yamldoc.h"

#define SCENARIOS KTRDR_SOURCE_DIR "/scenarios"
#define FIXTURES KTRDR_TEST_DATA_DIR "/scenarios"

TestSuite(scenario_yaml, .timeout = 20);

/* ---- the shipped scenarios --------------------------------------------- */

Test(scenario_yaml, every_shipped_scenario_loads)
{
  DIR *d = opendir(SCENARIOS);
  struct dirent *e;
  size_t n = 0;

  cr_assert_not_null(d, "no %s", SCENARIOS);
  while ((e = readdir(d)) != NULL) {
    struct scenario *sc = NULL;
    struct err err = ERR_INIT;
    char path[1024];

    if (!strstr(e->d_name, ".yaml"))
      continue;
    snprintf(path, sizeof(path), "%s/%s", SCENARIOS, e->d_name);
    cr_expect_eq(scenario_yaml_load_file(path, &sc, &err), 0, "%s", err.msg);
    cr_expect(sc && strlen(sc->description) > 0, "%s has no description", e->d_name);
    scenario_free(&sc);
    n++;
  }
  closedir(d);
  cr_expect_geq(n, 14, "only %zu shipped scenarios", n);
}

Test(scenario_yaml, the_catalog_has_one_default_per_type)
{
  struct catalog *c = catalog_new();
  struct err err = ERR_INIT;

  cr_assert_eq(catalog_load_builtins(c, &err), 0, "%s", err.msg);
  cr_expect_str_eq(catalog_default(c, "dummy")->name, "dummy_default");
  cr_expect_str_eq(catalog_default(c, "training")->file, "(built-in)");
  cr_assert_eq(catalog_load_dir(c, SCENARIOS, &err), 0, "%s", err.msg);
  cr_expect_str_eq(catalog_default(c, "training")->name, "training_local");
  cr_expect_str_eq(catalog_default(c, "data_load")->name, "data_load_tail");
  /* The shipped dummy_default replaces the built-in of the same name. */
  cr_expect_neq(strcmp(catalog_default(c, "dummy")->file, "(built-in)"), 0);
  cr_expect_null(catalog_find(c, "no_such"));
  catalog_free(&c);
  cr_expect_null(c);
}

/* ---- broken files -------------------------------------------------------- */

struct bad_case {
  const char *file;
  const char *where;    /* "LINE:COL" */
  const char *reason;   /* a part of the message */
};

static const struct bad_case bad_cases[] = {
  { "syntax.yaml", "4:1", "invalid YAML" },
  { "unknown_key.yaml", "5:7", "unknown key 'epoch' in training: did you mean 'epochs'?" },
  { "no_type.yaml", "1:1", "missing 'operation_type'" },
  { "bad_type.yaml", "1:17", "unknown operation_type 'backtesting'" },
  { "terminal_keyframe.yaml", "5:13", "must not be terminal" },
  { "failed_no_message.yaml", "5:3", "needs an 'error_message'" },
  { "fault_no_action.yaml", "3:5", "a fault needs an action" },
  { "fault_bad_requests.yaml", "4:19", "'requests' must be request numbers" },
  { "at_backwards.yaml", "5:5", "is before an earlier step's 'at: 5'" },
  { "wrong_generator.yaml", "3:5", "the training generator is for training operations" },
  { "two_generators.yaml", "4:5", "one generator per step" },
  { "bad_number.yaml", "4:15", "'epochs' must be an integer from 1 to 100000" },
  { "duplicate_key.yaml", "3:1", "duplicate key 'description' (first at line 2)" },
  { "cancel_mode.yaml", "3:9", "cancel 'mode' must be immediate, delayed" },
  { "start_200_no_body.yaml", "3:3", "needs a 'body'" },
  { "empty.yaml", "1:1", "the file is empty" },
  { "percentage.yaml", "3:17", "'percentage' must be a number from 0 to 100" },
  { "not_a_list.yaml", "3:3", "'timeline' must be a list" },
};

#define NBAD (sizeof(bad_cases) / sizeof(bad_cases[0]))

/* Parameters are indices: Criterion may re-exec its workers, so they must
 * not carry pointers. */
static size_t bad_index[NBAD];

ParameterizedTestParameters(scenario_yaml, broken_files)
{
  for (size_t i = 0; i < NBAD; i++)
    bad_index[i] = i;
  return cr_make_param_array(size_t, bad_index, NBAD);
}

ParameterizedTest(size_t *i, scenario_yaml, broken_files)
{
  const struct bad_case *c = &bad_cases[*i];
  struct scenario *sc = NULL;
  struct err err = ERR_INIT;
  char path[1024], prefix[1100];

  snprintf(path, sizeof(path), "%s/bad/%s", FIXTURES, c->file);
  snprintf(prefix, sizeof(prefix), "%s:%s: ", path, c->where);
  cr_assert_eq(scenario_yaml_load_file(path, &sc, &err), -1, "%s loaded", c->file);
  cr_expect_null(sc);
  cr_expect_eq(err.code, ERR_PARSE);
  cr_expect(strncmp(err.msg, prefix, strlen(prefix)) == 0, "%s: message '%s'", c->file, err.msg);
  cr_expect(strstr(err.msg, c->reason) != NULL, "%s: message '%s'", c->file, err.msg);
}

Test(scenario_yaml, missing_file_is_an_io_error)
{
  struct scenario *sc = NULL;
  struct err err = ERR_INIT;

  cr_expect_eq(scenario_yaml_load_file(FIXTURES "/nope.yaml", &sc, &err), -1);
  cr_expect_eq(err.code, ERR_IO);
  cr_expect(strstr(err.msg, "nope.yaml") != NULL, "%s", err.msg);
}

Test(scenario_yaml, catalog_refuses_duplicates_and_two_defaults)
{
  struct catalog *c = catalog_new();
  struct err err = ERR_INIT;

  cr_expect_eq(catalog_load_dir(c, FIXTURES "/duplicate", &err), -1);
  cr_expect(strstr(err.msg, "b.yaml: scenario name 'same' is already used by") != NULL, "%s",
            err.msg);
  catalog_free(&c);
  c = catalog_new();
  err_clear(&err);
  cr_expect_eq(catalog_load_dir(c, FIXTURES "/two_defaults", &err), -1);
  cr_expect(strstr(err.msg, "second default for dummy operations") != NULL, "%s", err.msg);
  catalog_free(&c);
  c = catalog_new();
  err_clear(&err);
  cr_expect_eq(catalog_load_dir(c, FIXTURES "/no_such_dir", &err), -1);
  cr_expect_eq(err.code, ERR_INVALID);
  catalog_free(&c);
}

/* ---- a file with every feature ------------------------------------------- */

Test(scenario_yaml, every_field_is_read)
{
  struct scenario *sc = NULL;
  struct err err = ERR_INIT;

  cr_assert_eq(scenario_yaml_load_file(FIXTURES "/good/keyframes.yaml", &sc, &err), 0, "%s",
               err.msg);
  cr_expect_str_eq(sc->name, "keyframes");
  cr_expect_eq(sc->nmatch, 2);
  cr_expect_eq(sc->nsteps, 4);
  cr_expect(sc->steps[0].absolute == false && sc->steps[1].absolute && sc->steps[1].at == 1);
  cr_expect_str_eq(sc->steps[0].kf.status, "pending");
  cr_expect_eq(sc->steps[2].kf.items_total, -1);
  cr_expect(sc->steps[2].kf.fields & SCENARIO_F_CURRENT_ITEM);
  cr_expect_null(sc->steps[2].kf.current_item);
  cr_expect_eq(sc->outcome.status, SCENARIO_COMPLETED);
  cr_expect_float_eq(sc->outcome.at, 4.0, 1e-12);
  cr_expect_eq(sc->cancel.mode, TIMELINE_CANCEL_FLIP);
  cr_expect_float_eq(sc->cancel.delay_s, 1.5, 1e-12);
  cr_assert_eq(sc->nfaults, 5);
  cr_expect_eq(sc->faults[0].nranges, 3);
  cr_expect_eq(sc->faults[0].ranges[2].from, 9);
  cr_expect_eq(sc->faults[0].hit.retry_after, 2);
  cr_expect_str_eq(sc->faults[0].hit.body, "{\"detail\":\"busy ${operation_id}\"}");
  cr_expect(sc->faults[1].has_window && sc->faults[1].hit.action == FAULT_PASS);
  cr_expect_eq(sc->faults[2].hit.action, FAULT_TRUNCATE);
  cr_expect_eq(sc->faults[3].hit.action, FAULT_DROP);
  cr_expect_eq(sc->faults[4].hit.status, 502);
  cr_expect_str_eq(sc->faults[4].hit.body, "oops");
  scenario_free(&sc);
}

/* ---- YAML typing ------------------------------------------------------- */

Test(scenario_yaml, scalars_are_typed_like_yaml_1_2)
{
  static const char text[] =
      "a: 1\nb: -2.5\nc: true\nd: ~\ne: '1'\nf: 1e3\ng: hello world\nh: [1, x]\n"
      "i: &anchor {k: v}\nj: *anchor\nk: \"\"\n";
  struct yamldoc *d = NULL;
  struct err err = ERR_INIT;
  json_t *j;
  char *s;

  cr_assert_eq(yamldoc_parse_string("t.yaml", text, strlen(text), &d, &err), 0, "%s", err.msg);
  j = ynode_to_json(d->root);
  s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
  cr_expect_str_eq(s, "{\"a\":1,\"b\":-2.5,\"c\":true,\"d\":null,\"e\":\"1\",\"f\":1000.0,"
                      "\"g\":\"hello world\",\"h\":[1,\"x\"],\"i\":{\"k\":\"v\"},"
                      "\"j\":{\"k\":\"v\"},\"k\":\"\"}");
  free(s);
  json_decref(j);
  yamldoc_free(&d);
  cr_expect_null(d);
}

Test(scenario_yaml, builtins_load_without_files)
{
  struct catalog *c = catalog_new();
  struct err err = ERR_INIT;

  cr_assert_eq(catalog_load_builtins(c, &err), 0, "%s", err.msg);
  cr_expect_eq(catalog_count(c), 3);
  for (size_t i = 0; i < catalog_count(c); i++)
    cr_expect(catalog_at(c, i)->is_default, "%s", catalog_at(c, i)->name);
  catalog_free(&c);
}

/* ---- outcome.performance (recorded scenarios) ----------------------------- */

Test(scenario_yaml, outcome_performance_is_kept_as_written)
{
  static const char text[] =
      "name: perf\noperation_type: training\noutcome:\n  status: completed\n"
      "  performance:\n    success: true\n    task_id: \"${operation_id}\"\n"
      "    training_metrics: {final_train_loss: 0.5}\n    test_metrics: null\n";
  static const char failed[] =
      "name: perf\noperation_type: training\noutcome:\n  status: failed\n"
      "  error_message: x\n  performance: {success: true}\n";
  struct scenario *sc = NULL;
  struct err err = ERR_INIT;
  struct timeline tl;
  json_t *body;

  cr_assert_eq(scenario_yaml_load_string("perf.yaml", text, &sc, &err), 0, "%s", err.msg);
  cr_assert_not_null(sc->outcome.performance);
  cr_assert_eq(scenario_timeline_new(sc, NULL, &tl, &err), 0, "%s", err.msg);
  body = tl.ops->performance(tl.self, "op_training_1");
  cr_expect_str_eq(json_string_value(json_object_get(body, "task_id")), "op_training_1");
  cr_expect(json_is_null(json_object_get(body, "test_metrics")));
  cr_expect_float_eq(json_real_value(json_object_get(json_object_get(body, "training_metrics"),
                                                     "final_train_loss")), 0.5, 1e-12);
  json_decref(body);
  timeline_release(&tl);
  scenario_free(&sc);
  cr_expect_eq(scenario_yaml_load_string("perf.yaml", failed, &sc, &err), -1);
  cr_expect(strstr(err.msg, "perf.yaml:6:16: 'performance' is for a completed outcome"), "%s",
            err.msg);
}
