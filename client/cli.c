#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "executor.h"
#include "exitcode.h"
#include "log.h"
#include "timeutil.h"
#include "url.h"

enum {
  OPT_URL = 256, OPT_NO_PROGRESS, OPT_DETACH, OPT_TIMEOUT, OPT_POLL, OPT_VERSION, OPT_JSON,
};

static const struct option global_opts[] = {
  { "url", required_argument, NULL, OPT_URL },
  { "quiet", no_argument, NULL, 'q' },
  { "verbose", no_argument, NULL, 'v' },
  { "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
  { "detach", no_argument, NULL, OPT_DETACH },
  { "timeout", required_argument, NULL, OPT_TIMEOUT },
  { "poll-interval", required_argument, NULL, OPT_POLL },
  { "json", no_argument, NULL, OPT_JSON },
  { "help", no_argument, NULL, 'h' },
  { "version", no_argument, NULL, OPT_VERSION },
};
#define N_GLOBAL (sizeof(global_opts) / sizeof(global_opts[0]))

static const char main_help[] =
    "Usage: ktrdr [GLOBAL OPTIONS] COMMAND [OPTIONS]\n"
    "\n"
    "Drive long-running KTRDR operations: start one, follow its progress,\n"
    "cancel it on the server with Ctrl+C, show its results.\n"
    "\n"
    "Commands:\n"
    "  dummy start [--duration S] [--iterations N]   run the dummy operation\n"
    "                                                (alias: dummy dummy)\n"
    "  operations list [--status S] [--type T] [--active] [--limit N] [--offset N]\n"
    "  operations status ID                          one operation in detail\n"
    "  operations cancel ID [--reason R] [--force]   cancel an operation\n"
    "  operations follow ID                          re-attach to an operation\n"
    "  models train STRATEGY.yaml [SYMBOL] [TIMEFRAME] --start-date D --end-date D\n"
    "               [--validation-split F] [--detailed-analytics] [--dry-run]\n"
    "  data load SYMBOL [--timeframe TF] [--mode local|tail|backfill|full]\n"
    "            [--start D] [--end D] [--trading-hours] [--include-extended]\n"
    "\n"
    "Global options (before or after the command):\n"
    "  --url URL            API base URL (else $KTRDR_API_URL, $API_BASE_URL,\n"
    "                       $KTRDR_API_CLIENT_BASE_URL, " URL_DEFAULT ");\n"
    "                       a URL without /api/ gets /api/v1 appended\n"
    "  -q, --quiet          print only the results and errors\n"
    "  -v, --verbose        also print each request, its status and timing\n"
    "      --no-progress    no progress display\n"
    "      --detach         start the operation, print its id, exit 0\n"
    "      --json           machine-readable output: one JSON object per line on\n"
    "                       stdout (docs/json-output.md)\n"
    "      --timeout S      stop waiting after S seconds (the operation runs on)\n"
    "      --poll-interval MS  status poll period (default 300)\n"
    "  -h, --help           this help\n"
    "      --version        the version\n"
    "\n"
    "Ctrl+C cancels the operation on the server and waits (at most 10 s) for\n"
    "the confirmation; a second Ctrl+C stops waiting.\n"
    "\n";

int cli_number(const char *opt, const char *s, double min, double max, double *v,
               struct err *err)
{
  char *end;
  double d;

  errno = 0;
  d = strtod(s, &end);
  if (end == s || *end || errno || !isfinite(d))
    return err_set(err, ERR_INVALID, "%s: '%s' is not a number", opt, s);
  if (d < min || d > max)
    return err_set(err, ERR_INVALID, "%s: %s is out of range (%g to %g)", opt, s, min, max);
  *v = d;
  return 0;
}

int cli_integer(const char *opt, const char *s, long min, long max, long *v,
                struct err *err)
{
  char *end;
  long n;

  errno = 0;
  n = strtol(s, &end, 10);
  if (end == s || *end || errno)
    return err_set(err, ERR_INVALID, "%s: '%s' is not a whole number", opt, s);
  if (n < min || n > max)
    return err_set(err, ERR_INVALID, "%s: %s is out of range (%ld to %ld)", opt, s, min, max);
  *v = n;
  return 0;
}

int cli_date(const char *opt, const char *s, const char **dst, struct err *err)
{
  char iso[32];
  int64_t us;

  if (strlen(s) == 10)
    snprintf(iso, sizeof(iso), "%sT00:00:00", s);
  else
    snprintf(iso, sizeof(iso), "%.31s", s);
  if (timeutil_parse_iso(iso, &us) < 0 || !timeutil_is_calendar_date(iso))
    return err_set(err, ERR_INVALID, "%s: '%s' is not a date (YYYY-MM-DD)", opt, s);
  *dst = s;
  return 0;
}

static void json_begin(struct cli *cli)
{
  if (cli->json && !cli->version_sent) {
    events_version(cli->out);
    cli->version_sent = true;
  }
}

int cli_usage_error(struct cli *cli, const char *cmd, const char *msg)
{
  fprintf(cli->err, "ktrdr: %s\nTry '%s --help'.\n", msg, cmd);
  if (cli->json) {
    json_begin(cli);
    events_emit(cli->out, "error", json_pack("{s:s, s:i, s:s}", "kind", "usage", "exit_code",
                                             EXITCODE_USAGE, "message", msg));
  }
  return EXITCODE_USAGE;
}

int cli_fail(struct cli *cli, int code, const char *fmt, ...)
{
  char msg[ERR_MSG_MAX * 2];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  if (cli->json) {
    json_begin(cli);
    events_emit(cli->out, "error", json_pack("{s:s, s:i, s:s}", "kind", "api", "exit_code",
                                             code, "message", msg));
    return code;
  }
  fprintf(cli->err, "%s%s %s%s\n", out_red(&cli->view, true), out_sym(&cli->view, "❌", "error:"),
          msg, out_reset(&cli->view, true));
  return code;
}

static int global_option(struct cli *cli, int id, const char *arg, struct err *err)
{
  double d;
  long n;

  switch (id) {
  case OPT_URL: cli->url_flag = arg; return 0;
  case 'q': cli->quiet = true; return 0;
  case 'v': cli->verbose = true; return 0;
  case OPT_NO_PROGRESS: cli->no_progress = true; return 0;
  case OPT_DETACH: cli->detach = true; return 0;
  case OPT_JSON: cli->json = true; return 0;
  case OPT_TIMEOUT:
    if (cli_number("--timeout", arg, 0.001, 1e7, &d, err) < 0)
      return -1;
    cli->timeout_s = d;
    return 0;
  case OPT_POLL:
    if (cli_integer("--poll-interval", arg, 10, 600000, &n, err) < 0)
      return -1;
    cli->poll_interval_ms = (int)n;
    return 0;
  }
  return err_set(err, ERR_INVALID, "unhandled option");
}

/* Global + command options in one table for getopt_long. */
static struct option *merge(const struct option *opts)
{
  size_t n = 0;
  struct option *all;

  while (opts && opts[n].name)
    n++;
  all = calloc(N_GLOBAL + n + 1, sizeof(*all));
  if (!all)
    return NULL;
  memcpy(all, global_opts, sizeof(global_opts));
  if (n)
    memcpy(all + N_GLOBAL, opts, n * sizeof(*all));
  return all;
}

/* getopt_long reports unknown options and missing values alike as '?'. */
static void bad_option(int argc, char **argv, struct err *err)
{
  const char *arg = optind - 1 < argc ? argv[optind - 1] : "";

  if (optopt && optopt < 256)
    err_set(err, ERR_INVALID, "option '-%c' is unknown or needs a value", optopt);
  else
    err_set(err, ERR_INVALID, "option '%s' is unknown or needs a value", arg);
}

int cli_parse(struct cli *cli, int argc, char **argv, const struct option *opts,
              cli_opt_fn on_opt, void *ctx, const char *help, int *first_arg)
{
  struct option *all = merge(opts);
  struct err err = ERR_INIT;
  int c, rc = 0;

  if (!all)
    return -1;
  optind = 0; /* GNU: full re-initialisation; argv[0] is the command's name */
  opterr = 0;
  while (rc == 0 && (c = getopt_long(argc, argv, "qvh", all, NULL)) != -1) {
    if (c == 'h') {
      fputs(help, cli->out);
      fputs(exitcode_help, cli->out);
      rc = 1;
    } else if (c == OPT_VERSION) {
      fprintf(cli->out, "ktrdr %s\n", KTRDR_VERSION);
      rc = 1;
    } else if (c == '?') {
      bad_option(argc, argv, &err);
      rc = -1;
    } else if (c < 512) {
      rc = global_option(cli, c, optarg, &err);
    } else {
      rc = on_opt ? on_opt(ctx, c, optarg, &err) : -1;
    }
  }
  free(all);
  *first_arg = optind; /* GNU getopt moved the positional arguments here */
  if (rc < 0)
    cli_usage_error(cli, argv[0], err.msg);
  else if (rc == 0)
    json_begin(cli);
  return rc;
}

static void executor_config(const struct cli *cli, const char *base, struct executor_config *cfg)
{
  out_detect(&cfg->out, cli->out, cli->err);
  cfg->out.quiet = cli->quiet;
  cfg->out.verbose = cli->verbose;
  cfg->base_url = base;
  cfg->detach = cli->detach;
  cfg->json = cli->json;
  cfg->follow_id = cli->follow_id;
  cfg->timeout_s = cli->timeout_s;
  if (cli->json)
    cfg->out.quiet = true; /* stdout is for events; stderr stays quiet but for errors */
  if (cli->poll_interval_ms)
    cfg->poll_interval_ms = cli->poll_interval_ms;
  if (cfg->out.quiet || cli->no_progress)
    cfg->progress = PROGRESS_NONE;
  else
    cfg->progress = cfg->out.err_tty ? PROGRESS_TTY : PROGRESS_PLAIN;
}

int cli_run(struct cli *cli, const struct adapter *ad)
{
  struct executor_config cfg = EXECUTOR_CONFIG_INIT;
  struct exec_result res = EXEC_RESULT_INIT;
  struct err err = ERR_INIT;
  char *base = NULL;
  int code;

  if (url_resolve(cli->url_flag, &base, &err) < 0)
    return cli_usage_error(cli, "ktrdr", err.msg);
  executor_config(cli, base, &cfg);
  if (cli->verbose)
    fprintf(cli->err, "ktrdr: API %s\n", base);
  executor_run(&cfg, ad, &res);
  code = exitcode_for(res.outcome);
  if (cli->verbose)
    fprintf(cli->err, "ktrdr: outcome %s, exit code %d\n", exec_outcome_name(res.outcome), code);
  exec_result_release(&res);
  free(base);
  return code;
}

/* ---- requests for the commands that are not long-running --------------- */

int cli_call(struct cli *cli, const char *method, const char *path, const json_t *payload,
             struct api_response *r)
{
  struct err err = ERR_INIT;
  char *base = NULL;
  int rc;

  if (url_resolve(cli->url_flag, &base, &err) < 0)
    return cli_usage_error(cli, "ktrdr", err.msg);
  if (cli->verbose)
    fprintf(cli->err, "ktrdr: %s %s%s\n", method, base, path);
  rc = api_call(base, method, path, payload, r, &err);
  if (rc == 0 && cli->verbose)
    fprintf(cli->err, "ktrdr: -> %ld\n", r->status);
  free(base);
  return rc == 0 ? EXITCODE_OK : cli_fail(cli, EXITCODE_API, "%s", err.msg);
}

int cli_http_error(struct cli *cli, const char *id, const struct api_response *r)
{
  struct err err = ERR_INIT;

  api_error(r, &err);
  if (r->status == 404 && id)
    return cli_fail(cli, EXITCODE_NOT_FOUND, "operation %s not found (%s)", id, err.msg);
  return cli_fail(cli, r->status == 404 ? EXITCODE_NOT_FOUND : EXITCODE_API,
                  "the server answered %s", err.msg);
}

int cli_request(struct cli *cli, const char *method, const char *path, const json_t *payload,
                struct api_response *r)
{
  int rc = cli_call(cli, method, path, payload, r);

  if (rc == EXITCODE_OK && r->status / 100 != 2)
    rc = cli_http_error(cli, NULL, r);
  if (rc == EXITCODE_OK && !r->body)
    rc = cli_fail(cli, EXITCODE_API, "the server's answer to %s %s is not JSON", method, path);
  return rc;
}

int cli_get_operation(struct cli *cli, int argc, char **argv, const char *help,
                      const char **id, struct operation *op)
{
  struct api_response r = API_RESPONSE_INIT;
  struct buf path = BUF_INIT;
  struct err err = ERR_INIT;
  int first = 0, rc;

  *id = NULL; /* stays NULL after --help: nothing more to do */
  rc = cli_parse(cli, argc, argv, NULL, NULL, NULL, help, &first);
  if (rc != 0)
    return rc > 0 ? EXITCODE_OK : EXITCODE_USAGE;
  if (argc - first != 1)
    return cli_usage_error(cli, argv[0], "give one operation ID");
  *id = argv[first];
  if (api_operation_path(*id, NULL, &path, &err) < 0)
    return cli_usage_error(cli, argv[0], err.msg);
  rc = cli_call(cli, "GET", buf_cstr(&path), NULL, &r);
  if (rc == EXITCODE_OK && r.status / 100 != 2)
    rc = cli_http_error(cli, *id, &r);
  else if (rc == EXITCODE_OK && operation_from_envelope(op, r.body, &err) < 0)
    rc = cli_fail(cli, EXITCODE_API, "unusable answer about operation %s: %s", *id, err.msg);
  api_response_release(&r);
  buf_release(&path);
  return rc;
}

/* ---- dispatch ---------------------------------------------------------- */

struct command {
  const char *group, *name;
  int (*run)(struct cli *cli, int argc, char **argv);
};

static const struct command commands[] = {
  { "dummy", "start", cmd_dummy },
  { "dummy", "dummy", cmd_dummy }, /* the live CLI's name */
  { "operations", "list", cmd_operations_list },
  { "operations", "status", cmd_operations_status },
  { "operations", "cancel", cmd_operations_cancel },
  { "operations", "follow", cmd_operations_follow },
  { "models", "train", cmd_train },
  { "data", "load", cmd_data_load },
};

static bool takes_value(const char *arg)
{
  return strcmp(arg, "--url") == 0 || strcmp(arg, "--timeout") == 0 ||
         strcmp(arg, "--poll-interval") == 0;
}

/* The positions of the command words (group, name): the first two words
 * that are neither options nor the value of a global option. */
static int find_words(int argc, char **argv, int idx[2])
{
  int found = 0;

  for (int i = 1; i < argc && found < 2; i++) {
    if (strcmp(argv[i], "--") == 0)
      break;
    if (argv[i][0] == '-' && argv[i][1]) {
      i += takes_value(argv[i]);
      continue;
    }
    idx[found++] = i;
  }
  return found;
}

static const struct command *lookup(const char *group, const char *name, bool *known_group)
{
  *known_group = false;
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
    if (strcmp(commands[i].group, group) != 0)
      continue;
    *known_group = true;
    if (name && strcmp(commands[i].name, name) == 0)
      return &commands[i];
  }
  return NULL;
}

/* Runs `cmd` with argv = its display name, then every other argument in
 * order (global options included, wherever they were). */
static int run_command(struct cli *cli, const struct command *cmd, int argc, char **argv,
                       const int idx[2])
{
  char **args = calloc((size_t)argc + 1, sizeof(char *));
  char name[64];
  int n = 1, rc;

  if (!args)
    return EXITCODE_API;
  snprintf(name, sizeof(name), "ktrdr %s %s", cmd->group, cmd->name);
  args[0] = name;
  for (int i = 1; i < argc; i++)
    if (i != idx[0] && i != idx[1])
      args[n++] = argv[i];
  rc = cmd->run(cli, n, args);
  free(args);
  return rc;
}

static int no_command(struct cli *cli, int argc, char **argv)
{
  int first = 0, rc = cli_parse(cli, argc, argv, NULL, NULL, NULL, main_help, &first);

  if (rc != 0)
    return rc > 0 ? EXITCODE_OK : EXITCODE_USAGE;
  fputs(main_help, cli->err);
  return cli_usage_error(cli, "ktrdr", "no command given");
}

int cli_main(int argc, char **argv, FILE *out, FILE *err)
{
  struct cli cli = { .out = out, .err = err };
  const struct command *cmd;
  int idx[2] = { -1, -1 }, n = find_words(argc, argv, idx);
  bool known_group;
  char msg[256];

  out_detect(&cli.view, out, err);
  if (n == 0)
    return no_command(&cli, argc, argv);
  cmd = lookup(argv[idx[0]], n > 1 ? argv[idx[1]] : NULL, &known_group);
  if (cmd)
    return run_command(&cli, cmd, argc, argv, idx);
  if (!known_group)
    snprintf(msg, sizeof(msg), "unknown command '%s'", argv[idx[0]]);
  else if (n > 1)
    snprintf(msg, sizeof(msg), "unknown command '%s %s'", argv[idx[0]], argv[idx[1]]);
  else
    snprintf(msg, sizeof(msg), "'%s' needs a subcommand (see 'ktrdr --help')", argv[idx[0]]);
  return cli_usage_error(&cli, "ktrdr", msg);
}
