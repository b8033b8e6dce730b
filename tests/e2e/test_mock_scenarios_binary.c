/*
 * The built ktrdr-mock with scenario files: a bad file stops it at start-up
 * with file, line, column and reason (exit 2); it finds the shipped
 * scenarios by itself; and the shipped scenarios run end to end with the
 * built ktrdr client.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "testlib.h"

#define MOCK KTRDR_BIN_DIR "/ktrdr-mock"
#define KTRDR KTRDR_BIN_DIR "/ktrdr"
#define DATA KTRDR_TEST_DATA_DIR

TestSuite(mock_scenarios_binary, .timeout = 120);

/* Runs argv to its end; its exit code, its output (stdout+stderr) in *out
 * (free). */
static int run(char *const argv[], char **out)
{
  struct tl_proc p;
  int code;

  cr_assert_eq(tl_spawn(&p, argv, NULL), 0, "cannot run %s", argv[0]);
  code = tl_proc_wait(&p, 60000);
  *out = strndup(p.text.data ? p.text.data : "", p.text.len);
  tl_proc_release(&p);
  return code;
}

static void expect_exit(char *const argv[], int want, const char *mention)
{
  char *out = NULL;

  cr_expect_eq(run(argv, &out), want, "%s ...: %s", argv[1], out);
  cr_expect(strstr(out, mention) != NULL, "'%s' not in: %s", mention, out);
  cr_expect(strstr(out, "http://") == NULL, "printed a URL: %s", out);
  free(out);
}

Test(mock_scenarios_binary, bad_scenario_file_exits_2)
{
  char *const argv[] = { MOCK, "--scenarios", DATA "/scenarios/broken", NULL };
  char *const exec[] = { MOCK, "exec", "--scenarios", DATA "/scenarios/broken", "--", "true",
                         NULL };

  expect_exit(argv, 2, "training_typo.yaml:7:7: unknown key 'epoch_secnds' in training: did you "
                       "mean 'epoch_seconds'?");
  expect_exit(exec, 2, "training_typo.yaml:7:7");
}

Test(mock_scenarios_binary, bad_scenario_sets_exit_2)
{
  char *const dup[] = { MOCK, "--scenarios", DATA "/scenarios/duplicate", NULL };
  char *const two[] = { MOCK, "--scenarios", DATA "/scenarios/two_defaults", NULL };
  char *const none[] = { MOCK, "--scenarios", DATA "/scenarios/no_such_dir", NULL };
  char *const sel[] = { MOCK, "--select", "dummy=nope", NULL };
  char *const form[] = { MOCK, "--select", "dummy", NULL };
  char *const clock[] = { MOCK, "--clock", "sundial", NULL };

  expect_exit(dup, 2, "scenario name 'same' is already used by");
  expect_exit(two, 2, "second default for dummy operations");
  expect_exit(none, 2, "not a directory");
  expect_exit(sel, 2, "unknown scenario 'nope'");
  expect_exit(form, 2, "expected TYPE=SCENARIO");
  expect_exit(clock, 2, "--clock");
}

/* The binary finds scenarios/ next to the build and runs a manual clock. */
Test(mock_scenarios_binary, finds_the_shipped_scenarios)
{
  char *const argv[] = { MOCK, "--clock", "manual", NULL };
  struct tl_proc p;
  struct tl_response r;
  char url[256], *nl, *admin;

  cr_assert_eq(tl_spawn(&p, argv, NULL), 0);
  cr_assert(tl_proc_read_until(&p, "\n", 5000), "no URL: %s", p.text.data);
  nl = strchr(p.text.data, '\n');
  snprintf(url, sizeof(url), "%.*s", (int)(nl - p.text.data - strlen("/api/v1")), p.text.data);
  admin = tl_url(url, "/__admin/scenarios");
  cr_assert_eq(tl_http("GET", admin, NULL, NULL, &r), 0);
  cr_expect(strstr(r.body, "\"training_gpu\"") != NULL, "%s", r.body);
  tl_response_release(&r);
  free(admin);
  admin = tl_url(url, "/__admin/clock/advance");
  cr_assert_eq(tl_http("POST", admin, "{\"seconds\": 3}", NULL, &r), 0);
  cr_expect_eq(r.status, 200, "%s", r.body);
  tl_response_release(&r);
  free(admin);
  kill(p.pid, SIGTERM);
  cr_expect_eq(tl_proc_wait(&p, 5000), 0);
  tl_proc_release(&p);
}

/* ktrdr-mock exec --select TYPE=NAME -- ktrdr ...: the shipped scenarios
 * end to end with the client (0 = it reports success, 1 = any failure). */
struct e2e_case {
  const char *select;
  const char *command;   /* "dummy", "train", "data" */
  int success;
};

static const struct e2e_case cases[] = {
  { "dummy=dummy_default", "dummy", 1 },      { "dummy=flaky_503", "dummy", 1 },
  { "dummy=slow_responses", "dummy", 1 },     { "dummy=malformed_json_once", "dummy", 1 },
  { "dummy=broken_connections", "dummy", 1 }, { "dummy=dummy_cancel_refused", "dummy", 1 },
  { "dummy=vanishing_operation", "dummy", 0 }, { "training=training_local", "train", 1 },
  { "training=training_gpu", "train", 1 },    { "training=training_fails_midway", "train", 0 },
  { "training=training_unknown_strategy", "train", 0 }, { "data_load=data_load_tail", "data", 1 },
  { "data_load=data_load_ib_gateway_error", "data", 0 },
  { "data_load=data_load_ib_gateway_down", "data", 0 },
};

Test(mock_scenarios_binary, shipped_scenarios_with_the_client)
{
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const struct e2e_case *c = &cases[i];
    char sel[128], *out = NULL;
    char *const dummy[] = { MOCK, "exec", "--time-scale", "20", "--select", sel, "--", KTRDR,
                            "--no-progress", "dummy", "start", "--duration", "4", "--iterations",
                            "4", NULL };
    char *const train[] = { MOCK, "exec", "--time-scale", "40", "--select", sel, "--", KTRDR,
                            "--no-progress", "models", "train", DATA "/strategies/v2_single.yaml",
                            "--start-date", "2024-01-01", "--end-date", "2024-06-01", NULL };
    char *const data[] = { MOCK, "exec", "--time-scale", "20", "--select", sel, "--", KTRDR,
                           "--no-progress", "data", "load", "AAPL", "--timeframe", "1h", "--mode",
                           "tail", NULL };
    char *const *argv = c->command[0] == 'd' && c->command[1] == 'u' ? dummy
                        : c->command[0] == 't'                       ? train
                                                                     : data;
    int code;

    snprintf(sel, sizeof(sel), "%s", c->select);
    code = run(argv, &out);
    if (c->success)
      cr_expect_eq(code, 0, "%s: exit %d: %s", c->select, code, out);
    else
      cr_expect(code > 0 && code < 128, "%s: exit %d: %s", c->select, code, out);
    free(out);
  }
}
