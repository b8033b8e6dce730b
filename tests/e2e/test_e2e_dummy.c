/*
 * The built programs against each other: ktrdr-mock in its own process,
 * ktrdr in a real pseudo-terminal, Ctrl+C typed as a key (^C through the
 * terminal's line discipline, as a user would).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"

#define KTRDR KTRDR_BIN_DIR "/ktrdr"
#define MOCK KTRDR_BIN_DIR "/ktrdr-mock"

static struct tl_proc server;
static char base[128];

static void start_server(void)
{
  char *argv[] = { MOCK, "--port", "0", "--time-scale", "10", NULL };
  char *nl;

  cr_assert_eq(tl_spawn(&server, argv, NULL), 0);
  cr_assert(tl_proc_read_until(&server, "\n", 10000), "no URL from ktrdr-mock: %s",
            server.text.data ? server.text.data : "");
  snprintf(base, sizeof(base), "%s", server.text.data);
  nl = strchr(base, '\n');
  if (nl)
    *nl = '\0';
  cr_assert(strncmp(base, "http://127.0.0.1:", 17) == 0, "first line: %s", base);
}

static void stop_server(void)
{
  kill(server.pid, SIGTERM);
  cr_expect_eq(tl_proc_wait(&server, 10000), 0, "ktrdr-mock did not stop cleanly");
  tl_proc_release(&server);
}

TestSuite(e2e_dummy, .init = start_server, .fini = stop_server, .timeout = 60);

static char *utf8_env[] = { "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "TERM=xterm-256color", NULL };

Test(e2e_dummy, terminal_shows_a_live_bar_and_ctrl_c_cancels_on_the_server)
{
  char *argv[] = { KTRDR, "dummy", "start", "--duration", "200", "--iterations", "100",
                   "--url", base, NULL };
  struct tl_proc cli;
  struct tl_response resp;
  char *journal_url;
  const char *text, *hide, *show;
  int code;

  cr_assert_eq(tl_spawn_pty(&cli, argv, utf8_env), 0);
  cr_assert(tl_proc_read_until(&cli, "Working hard on iteration ", 20000), "%s",
            cli.text.data ? cli.text.data : "(nothing)");
  cr_assert_eq(write(cli.fd, "\003", 1), 1); /* the user presses Ctrl+C */
  code = tl_proc_wait(&cli, 15000);
  text = cli.text.data;
  cr_expect_eq(code, 130, "exit %d, output:\n%s", code, text);
  cr_expect(strstr(text, "Cancelling operation op_dummy_"), "%s", text);
  cr_expect(strstr(text, "(Ctrl+C again to stop waiting)"), "%s", text);
  cr_expect(strstr(text, "cancelled"), "%s", text);
  /* the bar was drawn in place and the cursor is visible again at the end */
  cr_expect(strstr(text, "\r"), "no in-place redraw");
  cr_expect(strstr(text, "───"), "no bar: %s", text);
  hide = strstr(text, "\033[?25l");
  show = strstr(text, "\033[?25h");
  cr_expect(hide && show && show > hide, "cursor not restored");
  tl_proc_release(&cli);

  /* the server received the DELETE and the operation is cancelled there */
  journal_url = NULL;
  cr_assert(asprintf(&journal_url, "%.*s/__admin/requests?method=DELETE",
                     (int)(strstr(base, "/api/v1") - base), base) > 0);
  cr_assert_eq(tl_http("GET", journal_url, NULL, NULL, &resp), 0);
  cr_expect_eq(json_array_size(json_object_get(resp.json, "requests")), 1, "%s", resp.body);
  cr_expect_eq(json_integer_value(json_object_get(
                   json_array_get(json_object_get(resp.json, "requests"), 0), "status")), 200);
  tl_response_release(&resp);
  free(journal_url);
}

Test(e2e_dummy, piped_output_is_plain_and_results_go_to_stdout)
{
  char *argv[] = { KTRDR, "dummy", "start", "--duration", "5", "--iterations", "5",
                   "--url", base, NULL };
  struct tl_proc cli;
  int code;

  cr_assert_eq(tl_spawn(&cli, argv, utf8_env), 0);
  code = tl_proc_wait(&cli, 20000);
  cr_expect_eq(code, 0, "%s", cli.text.data);
  cr_expect(strstr(cli.text.data, "Dummy operation completed!"), "%s", cli.text.data);
  cr_expect(strstr(cli.text.data, "Iterations: 5/5"), "%s", cli.text.data);
  cr_expect_null(strchr(cli.text.data, '\033'), "escape sequence in piped output");
  tl_proc_release(&cli);
}

Test(e2e_dummy, exec_runs_the_client_and_ctrl_c_reaches_it_through_the_mock)
{
  char *argv[] = { MOCK, "exec", "--", KTRDR, "dummy", "start", "--duration", "200",
                   "--iterations", "100", NULL };
  struct tl_proc run;
  int code;

  cr_assert_eq(tl_spawn_pty(&run, argv, utf8_env), 0);
  cr_assert(tl_proc_read_until(&run, "Working hard on iteration ", 20000), "%s",
            run.text.data ? run.text.data : "(nothing)");
  cr_assert_eq(write(run.fd, "\003", 1), 1);
  code = tl_proc_wait(&run, 15000);
  cr_expect_eq(code, 130, "exit %d:\n%s", code, run.text.data);
  /* confirmed by the server, which therefore outlived the Ctrl+C */
  cr_expect(strstr(run.text.data, "Stopped after "), "%s", run.text.data);
  tl_proc_release(&run);
}

Test(e2e_dummy, usage_errors_exit_2_with_a_message)
{
  char *argv[] = { KTRDR, "dummy", "start", "--iterations", "zero", NULL };
  struct tl_proc cli;

  cr_assert_eq(tl_spawn(&cli, argv, NULL), 0);
  cr_expect_eq(tl_proc_wait(&cli, 10000), 2);
  cr_expect(strstr(cli.text.data, "--iterations: 'zero' is not a whole number"), "%s",
            cli.text.data);
  tl_proc_release(&cli);
}

Test(e2e_dummy, term_dumb_gets_plain_lines_and_no_control_sequences)
{
  char *argv[] = { KTRDR, "dummy", "start", "--duration", "4", "--iterations", "2",
                   "--url", base, NULL };
  char *env[] = { "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "TERM=dumb", NULL };
  struct tl_proc cli;

  cr_assert_eq(tl_spawn_pty(&cli, argv, env), 0);
  cr_expect_eq(tl_proc_wait(&cli, 20000), 0, "%s", cli.text.data);
  cr_expect_null(strchr(cli.text.data, '\033'), "escape sequence with TERM=dumb: %s",
                 cli.text.data);
  cr_expect(strstr(cli.text.data, "] Status: running - "), "%s", cli.text.data);
  cr_expect(strstr(cli.text.data, "Dummy operation completed!"), "%s", cli.text.data);
  tl_proc_release(&cli);
}

Test(e2e_dummy, no_color_keeps_the_bar_but_drops_colours)
{
  char *argv[] = { KTRDR, "dummy", "start", "--duration", "4", "--iterations", "2",
                   "--url", base, NULL };
  char *env[] = { "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "TERM=xterm-256color", "NO_COLOR=1", NULL };
  struct tl_proc cli;

  cr_assert_eq(tl_spawn_pty(&cli, argv, env), 0);
  cr_expect_eq(tl_proc_wait(&cli, 20000), 0, "%s", cli.text.data);
  cr_expect(strstr(cli.text.data, "\033[?25l"), "no live display on a terminal");
  cr_expect_null(strstr(cli.text.data, "\033[32m"), "colour despite NO_COLOR");
  cr_expect_null(strstr(cli.text.data, "\033[0m"), "colour despite NO_COLOR");
  tl_proc_release(&cli);
}

Test(e2e_dummy, colours_on_a_terminal_without_no_color)
{
  char *argv[] = { KTRDR, "dummy", "start", "--duration", "2", "--iterations", "1",
                   "--url", base, NULL };
  struct tl_proc cli;

  cr_assert_eq(tl_spawn_pty(&cli, argv, utf8_env), 0);
  cr_expect_eq(tl_proc_wait(&cli, 20000), 0, "%s", cli.text.data);
  cr_expect(strstr(cli.text.data, "\033[32m✅ Dummy operation completed!\033[0m"), "%s",
            cli.text.data);
  tl_proc_release(&cli);
}
