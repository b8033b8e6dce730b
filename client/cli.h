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
#include "api.h"
#include "err.h"
#include "operation.h"
#include "out.h"

struct cli {
  const char *url_flag;      /* --url, or NULL */
  bool quiet, verbose, no_progress, detach, json;
  double timeout_s;          /* --timeout; 0 = none */
  int poll_interval_ms;      /* --poll-interval */
  const char *follow_id;     /* set by `operations follow` before cli_run */
  FILE *out, *err;
  struct out view;           /* out_detect() of out/err, for displays */
  bool version_sent;         /* --json: the version line is out */
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

/* One request to the API at the resolved URL. EXITCODE_OK when any response
 * arrived (r filled; the caller looks at r->status), else the error is
 * reported (cli_fail) and its exit code returned. */
int cli_call(struct cli *cli, const char *method, const char *path, const json_t *payload,
             struct api_response *r);
/* cli_call, and a non-2xx answer reported with cli_http_error. */
int cli_request(struct cli *cli, const char *method, const char *path, const json_t *payload,
                struct api_response *r);
/* Reports a non-2xx answer about operation `id` (may be NULL): 404 gives
 * EXITCODE_NOT_FOUND, others EXITCODE_API. */
int cli_http_error(struct cli *cli, const char *id, const struct api_response *r);

/* For `operations status|follow ID`: parses argv (one ID, no options of its
 * own), GETs the operation into *op (caller releases). Returns an exit code;
 * errors are reported. *id points into argv. */
int cli_get_operation(struct cli *cli, int argc, char **argv, const char *help,
                      const char **id, struct operation *op);

/* Reports an error: "❌ msg" on stderr, or with --json an "error" event on
 * stdout. Returns `code`. */
int cli_fail(struct cli *cli, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Number options: a message naming `opt` when `s` is not a number in range. */
int cli_number(const char *opt, const char *s, double min, double max, double *v,
               struct err *err);
int cli_integer(const char *opt, const char *s, long min, long max, long *v,
                struct err *err);

/* A date option: YYYY-MM-DD (or a full ISO timestamp), a real calendar day.
 * *dst = s on success. */
int cli_date(const char *opt, const char *s, const char **dst, struct err *err);

/* Prints "ktrdr: <msg>\nTry '<cmd> --help'." on err; returns EXITCODE_USAGE. */
int cli_usage_error(struct cli *cli, const char *cmd, const char *msg);

/* Commands. */
int cmd_dummy(struct cli *cli, int argc, char **argv);
int cmd_operations_list(struct cli *cli, int argc, char **argv);
int cmd_operations_status(struct cli *cli, int argc, char **argv);
int cmd_operations_cancel(struct cli *cli, int argc, char **argv);
int cmd_operations_follow(struct cli *cli, int argc, char **argv);
int cmd_train(struct cli *cli, int argc, char **argv);
int cmd_data_load(struct cli *cli, int argc, char **argv);

#endif
