/* The command line: help, version, usage errors and their exit codes. */
#include <criterion/criterion.h>
#include <string.h>

#include "cli.h"
#include "exitcode.h"
#include "testlib.h"

static struct tl_capture out, err;

static void setup(void)
{
  tl_capture_open(&out);
  tl_capture_open(&err);
}

static void teardown(void)
{
  tl_capture_close(&out);
  tl_capture_close(&err);
}

TestSuite(cli, .init = setup, .fini = teardown, .timeout = 10);

#define RUN(...)                                                                \
  ({                                                                            \
    char *argv_[] = { "ktrdr", __VA_ARGS__, NULL };                             \
    cli_main((int)(sizeof(argv_) / sizeof(argv_[0])) - 1, argv_, out.f, err.f); \
  })

Test(cli, help_lists_commands_options_and_exit_codes)
{
  cr_expect_eq(RUN("--help"), 0);
  cr_expect(strstr(tl_capture_text(&out), "dummy start [--duration S] [--iterations N]"));
  cr_expect(strstr(tl_capture_text(&out), "--url URL"));
  cr_expect(strstr(tl_capture_text(&out), "130  cancelled with Ctrl+C"));
  cr_expect_str_empty(tl_capture_text(&err));
}

Test(cli, command_help)
{
  cr_expect_eq(RUN("dummy", "start", "--help"), 0);
  cr_expect(strstr(tl_capture_text(&out), "Usage: ktrdr dummy start"), "%s", tl_capture_text(&out));
  cr_expect(strstr(tl_capture_text(&out), "Exit codes:"));
}

Test(cli, version)
{
  cr_expect_eq(RUN("--version"), 0);
  cr_expect_eq(strncmp(tl_capture_text(&out), "ktrdr ", 6), 0);
}

Test(cli, usage_errors_exit_2_and_say_what_to_do)
{
  static const struct { const char *argv[6]; const char *msg; } t[] = {
    { { "frobnicate" }, "unknown command 'frobnicate'" },
    { { "dummy" }, "'dummy' needs a subcommand" },
    { { "dummy", "stop" }, "unknown command 'dummy stop'" },
    { { "dummy", "start", "--duration", "soon" }, "--duration: 'soon' is not a number" },
    { { "dummy", "start", "--duration", "-1" }, "--duration: -1 is out of range" },
    { { "dummy", "start", "--iterations", "1.5" }, "--iterations: '1.5' is not a whole number" },
    { { "dummy", "start", "--iterations" }, "option '--iterations' is unknown or needs a value" },
    { { "dummy", "start", "--colour" }, "option '--colour' is unknown" },
    { { "dummy", "start", "extra" }, "this command takes no arguments" },
    { { "dummy", "start", "--timeout", "0" }, "--timeout: 0 is out of range" },
    { { "dummy", "start", "--url", "localhost:8000" }, "must start with http:// or https://" },
  };

  for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
    char *argv[8] = { "ktrdr" };
    int argc = 1;

    for (int k = 0; t[i].argv[k]; k++)
      argv[argc++] = (char *)t[i].argv[k];
    teardown();
    setup();
    cr_expect_eq(cli_main(argc, argv, out.f, err.f), EXITCODE_USAGE, "row %zu", i);
    cr_expect(strstr(tl_capture_text(&err), t[i].msg), "row %zu: %s", i, tl_capture_text(&err));
    cr_expect(strstr(tl_capture_text(&err), "--help"), "row %zu: no hint", i);
    cr_expect_str_empty(tl_capture_text(&out), "row %zu", i);
  }
}

Test(cli, no_command_prints_help_on_stderr)
{
  char *argv[] = { "ktrdr", NULL };

  cr_expect_eq(cli_main(1, argv, out.f, err.f), EXITCODE_USAGE);
  cr_expect(strstr(tl_capture_text(&err), "Usage: ktrdr"));
  cr_expect(strstr(tl_capture_text(&err), "no command given"));
}

Test(cli, exit_codes_are_distinct)
{
  static const enum exec_outcome all[] = {
    EXEC_COMPLETED, EXEC_FAILED, EXEC_CANCELLED, EXEC_CANCELLED_REMOTE,
    EXEC_TIMEOUT, EXEC_STOPPED, EXEC_API_ERROR, EXEC_NOT_FOUND,
  };

  for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
    for (size_t k = i + 1; k < sizeof(all) / sizeof(all[0]); k++)
      cr_expect_neq(exitcode_for(all[i]), exitcode_for(all[k]), "%s and %s",
                    exec_outcome_name(all[i]), exec_outcome_name(all[k]));
  cr_expect_eq(exitcode_for(EXEC_CANCELLED), 130);
  cr_expect_eq(exitcode_for(EXEC_COMPLETED), 0);
  cr_expect_eq(exitcode_for(EXEC_DETACHED), 0);
}
