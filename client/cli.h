/*
 * cli: ktrdr's command line: global options, dispatch, and what every
 * command shares (option parsing, the executor run, the exit code).
 *
 * main() calls cli_main(argc, argv, stdout, stderr) and returns its result.
 * A command (cmd_*.c) is one function that parses its own options with
 * cli_parse (which also accepts every global option, before or after the
 * command: `ktrdr --url U dummy start` = `ktrdr dummy start --url U`),
 * builds its adapter and calls cli_run. Commands never poll, handle signals
 * or retry: the executor does.
 */
#ifndef KTRDR_CLI_H
#define KTRDR_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "adapter.h"
#include "err.h"

struct cli {
  const char *url_flag;      /* --url, or NULL */
  bool quiet, verbose, no_progress, detach;
  double timeout_s;          /* --timeout; 0 = none */
  int poll_interval_ms;      /* --poll-interval */
  FILE *out, *err;
};

/* Runs ktrdr with these arguments; returns the exit code (exitcode.h). */
int cli_main(int argc, char **argv, FILE *out, FILE *err);

/* A command's option callback: `id` is the option's `val`, `arg` its
 * argument or NULL. Returns 0, or -1 with `err` set for a bad value. */
typedef int (*cli_opt_fn)(void *ctx, int id, const char *arg, struct err *err);

/*
 * Parses argv (argv[0] = the command's name) with the global options plus
 * `opts` (terminated by a zeroed entry; `val` >= 512, may be NULL). Returns
 * 0 with *first_arg at the first positional argument, 1 when --help was
 * printed (from `help`), or -1 after printing a usage error.
 */
int cli_parse(struct cli *cli, int argc, char **argv, const struct option *opts,
              cli_opt_fn on_opt, void *ctx, const char *help, int *first_arg);

/* Runs the executor with `ad` under the global options; returns the exit code. */
int cli_run(struct cli *cli, const struct adapter *ad);

/* Number options: a message naming `opt` when `s` is not a number in range. */
int cli_number(const char *opt, const char *s, double min, double max, double *v,
               struct err *err);
int cli_integer(const char *opt, const char *s, long min, long max, long *v,
                struct err *err);

/* Prints "ktrdr: <msg>\nTry '<cmd> --help'." on err; returns EXITCODE_USAGE. */
int cli_usage_error(struct cli *cli, const char *cmd, const char *msg);

/* Commands. */
int cmd_dummy(struct cli *cli, int argc, char **argv);

#endif
