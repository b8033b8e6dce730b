/*
 * `ktrdr models train` and `ktrdr data load` end to end: the built client
 * run by `ktrdr-mock exec` (which loads the shipped scenarios), on a real
 * pseudo-terminal, with Ctrl+C typed as a key.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"

#define KTRDR KTRDR_BIN_DIR "/ktrdr"
#define MOCK KTRDR_BIN_DIR "/ktrdr-mock"
#define STRATEGY KTRDR_TEST_DATA_DIR "/train/trend_momentum.yaml"

TestSuite(e2e_commands, .timeout = 60);

static char *utf8_env[] = { "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "TERM=xterm-256color", NULL };

Test(e2e_commands, training_shows_epochs_batches_and_the_metrics)
{
  char *argv[] = { MOCK, "exec", "--time-scale", "20", "--", KTRDR, "models", "train", STRATEGY,
                   "--start-date", "2024-01-01", "--end-date", "2024-06-01", NULL };
  struct tl_proc run;
  int code;

  cr_assert_eq(tl_spawn_pty(&run, argv, utf8_env), 0);
  code = tl_proc_wait(&run, 30000);
  cr_expect_eq(code, 0, "exit %d:\n%s", code, run.text.data);
  cr_expect(strstr(run.text.data, "Status: running - Epoch "), "%s", run.text.data);
  cr_expect(strstr(run.text.data, "Final Validation Accuracy"), "%s", run.text.data);
  cr_expect(strstr(run.text.data, "\033[?25h"), "cursor not restored");
  tl_proc_release(&run);
}

Test(e2e_commands, ctrl_c_cancels_a_training)
{
  char *argv[] = { MOCK, "exec", "--", KTRDR, "models", "train", STRATEGY, "--start-date",
                   "2024-01-01", "--end-date", "2024-06-01", NULL };
  struct tl_proc run;
  int code;

  cr_assert_eq(tl_spawn_pty(&run, argv, utf8_env), 0);
  cr_assert(tl_proc_read_until(&run, "Status: running - ", 20000), "%s",
            run.text.data ? run.text.data : "(nothing)");
  cr_assert_eq(write(run.fd, "\003", 1), 1);
  code = tl_proc_wait(&run, 15000);
  cr_expect_eq(code, 130, "exit %d:\n%s", code, run.text.data);
  cr_expect(strstr(run.text.data, "Cancelling operation op_training_"), "%s", run.text.data);
  cr_expect(strstr(run.text.data, "cancelled"), "%s", run.text.data);
  tl_proc_release(&run);
}

Test(e2e_commands, data_load_shows_the_summary_and_ctrl_c_cancels_it)
{
  char *done[] = { MOCK, "exec", "--time-scale", "20", "--", KTRDR, "data", "load", "AAPL",
                   "--timeframe", "1h", "--mode", "tail", NULL };
  char *slow[] = { MOCK, "exec", "--", KTRDR, "data", "load", "AAPL", "--timeframe", "1h", NULL };
  struct tl_proc run;
  int code;

  cr_assert_eq(tl_spawn_pty(&run, done, utf8_env), 0);
  code = tl_proc_wait(&run, 30000);
  cr_expect_eq(code, 0, "exit %d:\n%s", code, run.text.data);
  cr_expect(strstr(run.text.data, "Segments fetched"), "%s", run.text.data);
  tl_proc_release(&run);

  cr_assert_eq(tl_spawn_pty(&run, slow, utf8_env), 0);
  cr_assert(tl_proc_read_until(&run, "Status: running - ", 20000), "%s",
            run.text.data ? run.text.data : "(nothing)");
  cr_assert_eq(write(run.fd, "\003", 1), 1);
  code = tl_proc_wait(&run, 15000);
  cr_expect_eq(code, 130, "exit %d:\n%s", code, run.text.data);
  tl_proc_release(&run);
}
