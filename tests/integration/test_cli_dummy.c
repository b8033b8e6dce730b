/* `ktrdr ... dummy start ...` through cli_main against the in-process mock:
 * global options before and after the command, the env variables, -q, -v. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "testlib.h"

static struct tl_capture out, err;

static void setup(void)
{
  cr_assert_not_null(setlocale(LC_ALL, "C.UTF-8"));
  tl_mock_start(20.0);
  tl_capture_open(&out);
  tl_capture_open(&err);
  unsetenv("KTRDR_API_URL");
  unsetenv("API_BASE_URL");
  unsetenv("KTRDR_API_CLIENT_BASE_URL");
}

static void teardown(void)
{
  tl_capture_close(&out);
  tl_capture_close(&err);
  tl_mock_stop();
}

TestSuite(cli_dummy, .init = setup, .fini = teardown, .timeout = 30);

static int run(int argc, char **argv)
{
  return cli_main(argc, argv, out.f, err.f);
}

Test(cli_dummy, global_options_before_the_command)
{
  char *argv[] = { "ktrdr", "--url", (char *)tl_mock_url(), "-q", "dummy", "start",
                   "--duration", "4", "--iterations", "2" };

  cr_expect_eq(run(10, argv), 0, "%s", tl_capture_text(&err));
  cr_expect_str_eq(tl_capture_text(&out), "✅ Dummy operation completed!\nIterations: 2/2\nDuration: 4 s\n");
  cr_expect_str_empty(tl_capture_text(&err));
}

Test(cli_dummy, global_options_after_the_command_and_the_live_alias)
{
  char *argv[] = { "ktrdr", "dummy", "dummy", "--iterations", "2", "--duration", "4",
                   "--url", (char *)tl_mock_url(), "--no-progress" };

  cr_expect_eq(run(10, argv), 0, "%s", tl_capture_text(&err));
  cr_expect(strstr(tl_capture_text(&out), "Iterations: 2/2"));
  cr_expect(strstr(tl_capture_text(&err), "Started dummy operation"));
  cr_expect_null(strstr(tl_capture_text(&err), "Status:"), "--no-progress drew progress");
}

Test(cli_dummy, url_from_the_environment_without_the_prefix)
{
  char *argv[] = { "ktrdr", "dummy", "start", "--duration", "2", "--iterations", "1", "-q" };
  char *base = strdup(tl_mock_url());

  *strstr(base, "/api/v1") = '\0'; /* the prefix is appended */
  setenv("KTRDR_API_URL", base, 1);
  cr_expect_eq(run(8, argv), 0, "%s", tl_capture_text(&err));
  cr_expect(strstr(tl_capture_text(&out), "Iterations: 1/1"));
  unsetenv("KTRDR_API_URL");
  free(base);
}

Test(cli_dummy, verbose_shows_requests_and_timing)
{
  char *argv[] = { "ktrdr", "-v", "dummy", "start", "--duration", "2", "--iterations", "1",
                   "--url", (char *)tl_mock_url() };

  cr_expect_eq(run(10, argv), 0);
  cr_expect(strstr(tl_capture_text(&err), "POST http://127.0.0.1:"), "%s", tl_capture_text(&err));
  cr_expect(strstr(tl_capture_text(&err), "/api/v1/dummy/start -> 200 ("), "%s", tl_capture_text(&err));
  cr_expect(strstr(tl_capture_text(&err), " ms)"));
  cr_expect(strstr(tl_capture_text(&err), "outcome completed, exit code 0"));
}

Test(cli_dummy, detach_prints_only_the_id_on_stdout)
{
  char *argv[] = { "ktrdr", "dummy", "start", "--detach", "--url", (char *)tl_mock_url() };
  const char *o;

  cr_expect_eq(run(6, argv), 0);
  o = tl_capture_text(&out);
  cr_expect_eq(strncmp(o, "op_dummy_", 9), 0, "%s", o);
  cr_expect_eq(strchr(o, '\n') - o, (long)strlen(o) - 1, "one line: %s", o);
  cr_expect(strstr(tl_capture_text(&err), "keeps running"));
}
