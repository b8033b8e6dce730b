/* ktrdr-mock: the mock KTRDR operations server (docs/mock-server.md). */
#define _DEFAULT_SOURCE /* realpath, PATH_MAX */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "mock_cmd.h"
#include "record_proxy.h"
#include "server.h"

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

#define MAX_SELECT 16

struct options {
  struct mock_config cfg;
  struct record_config rec;
  bool verbose;
  bool exec;
  bool record;
  const char *server_only;  /* an option given that record does not take */
  const char *record_only;  /* an option given that only record takes */
  char **command;   /* exec: argv of the command, into main's argv */
  const char *select[MAX_SELECT + 1];  /* --select values, NULL-terminated */
  size_t nselect;
  char scenarios[PATH_MAX];            /* the directory found when not given */
};

static const char usage_text[] =
    "usage: ktrdr-mock [options]\n"
    "       ktrdr-mock exec [options] -- COMMAND [ARGS...]\n"
    "       ktrdr-mock record --upstream URL [--out DIR] [-p PORT] [-b ADDR] [-v]\n"
    "\n"
    "Serves the KTRDR operations API (trainings, data loads, the dummy task,\n"
    "operations, symbols, health) from scripted scenarios, and an admin API\n"
    "under /__admin/. Prints its base URL, http://ADDR:PORT/api/v1, as the\n"
    "first line on stdout, then serves until SIGINT or SIGTERM.\n"
    "\n"
    "exec: starts a server on a free port, runs COMMAND with KTRDR_API_URL set\n"
    "to its URL, stops the server when COMMAND ends and exits with its status.\n"
    "While COMMAND runs, Ctrl+C (SIGINT, SIGQUIT) goes to COMMAND only.\n"
    "\n"
    "record: a reverse proxy in front of a live KTRDR API. Clients talk to it\n"
    "as to the API (it prints its URL as the server does); each operation\n"
    "started through it is recorded as a scenario, DIR/rec_<id>.yaml, that\n"
    "ktrdr-mock replays (--scenarios DIR --select TYPE=rec_<id>). It stops\n"
    "on SIGINT or SIGTERM, its files complete (see docs/recording.md).\n"
    "\n"
    "options:\n"
    "  -p, --port N         port to listen on, 0..65535 (default 0: a free one)\n"
    "  -b, --bind ADDR      IPv4 address to bind (default 127.0.0.1)\n"
    "  -t, --time-scale F   simulated seconds per real second, > 0 (default 1)\n"
    "  -c, --clock MODE     scaled (default: real time x time scale) or manual\n"
    "                       (time moves only by POST /__admin/clock/advance)\n"
    "  -s, --scenarios DIR  load the scenarios (*.yaml) of DIR; default:\n"
    "                       $KTRDR_MOCK_SCENARIOS, else the installed (or the\n"
    "                       source tree's) scenarios, else ./scenarios, else\n"
    "                       the built-in defaults only\n"
    "  -S, --select T=NAME  start with scenario NAME selected for operation type\n"
    "                       T (dummy, training, data_load); repeatable\n"
    "  -v, --verbose        log each request on stderr\n"
    "  -h, --help           show this help and exit\n"
    "  -V, --version        show the version and exit\n"
    "\n"
    "record options (and -p, -b, -v above):\n"
    "  -u, --upstream URL   the KTRDR API to record, as in KTRDR_API_URL, e.g.\n"
    "                       http://localhost:8000/api/v1 (required)\n"
    "  -o, --out DIR        where the scenarios go (default ./recordings,\n"
    "                       created when missing)\n"
    "\n"
    "exit status:\n"
    "  0    stopped cleanly on SIGINT or SIGTERM\n"
    "  1    runtime failure (e.g. the port is in use)\n"
    "  2    usage error (unknown option, bad value, exec without a command,\n"
    "       record with a bad --upstream or an --out it cannot write), or a bad\n"
    "       scenario file (the message names file, line and column)\n"
    "  exec: the command's exit status, 128+N if it died of signal N,\n"
    "        127 if it could not be run, 1 if the server could not start\n"
    "        (2 for a bad scenario file)\n";

static const struct option long_options[] = {
  { "port", required_argument, NULL, 'p' },
  { "bind", required_argument, NULL, 'b' },
  { "time-scale", required_argument, NULL, 't' },
  { "clock", required_argument, NULL, 'c' },
  { "scenarios", required_argument, NULL, 's' },
  { "select", required_argument, NULL, 'S' },
  { "upstream", required_argument, NULL, 'u' },
  { "out", required_argument, NULL, 'o' },
  { "verbose", no_argument, NULL, 'v' },
  { "help", no_argument, NULL, 'h' },
  { "version", no_argument, NULL, 'V' },
  { NULL, 0, NULL, 0 },
};

/* "+": stop at the first non-option, so "exec" and the command end parsing. */
static const char short_options[] = "+:p:b:t:c:s:S:u:o:vhV";

static int usage_error(const char *fmt, const char *arg)
{
  fprintf(stderr, "ktrdr-mock: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\nTry 'ktrdr-mock --help' for more information.\n");
  return -1;
}

static int parse_port(const char *s, unsigned short *port)
{
  char *end;
  long v;

  errno = 0;
  v = strtol(s, &end, 10);
  if (errno || end == s || *end || v < 0 || v > 65535)
    return usage_error("invalid --port '%s': expected a number from 0 to 65535", s);
  *port = (unsigned short)v;
  return 0;
}

static int parse_scale(const char *s, double *scale)
{
  char *end;
  double v;

  errno = 0;
  v = strtod(s, &end);
  if (errno || end == s || *end || !isfinite(v) || v <= 0)
    return usage_error("invalid --time-scale '%s': expected a positive number", s);
  *scale = v;
  return 0;
}

static int parse_bind(const char *s, const char **addr)
{
  struct in_addr a;

  if (inet_pton(AF_INET, s, &a) != 1)
    return usage_error("invalid --bind '%s': expected an IPv4 address such as 127.0.0.1", s);
  *addr = s;
  return 0;
}

static int parse_clock(const char *s, enum mock_clock *clock)
{
  if (strcmp(s, "scaled") == 0 || strcmp(s, "manual") == 0) {
    *clock = strcmp(s, "manual") == 0 ? MOCK_CLOCK_MANUAL : MOCK_CLOCK_SCALED;
    return 0;
  }
  return usage_error("invalid --clock '%s': expected scaled or manual", s);
}

static int add_select(const char *s, struct options *o)
{
  const char *eq = strchr(s, '=');

  if (!eq || eq == s || !eq[1])
    return usage_error("invalid --select '%s': expected TYPE=SCENARIO, e.g. "
                       "dummy=dummy_slow_cancel", s);
  if (o->nselect == MAX_SELECT)
    return usage_error("%s", "too many --select options");
  o->select[o->nselect++] = s;
  o->cfg.select = o->select;
  return 0;
}

static int parse_dir(const char *s, const char **dir)
{
  struct stat st;

  if (stat(s, &st) != 0 || !S_ISDIR(st.st_mode))
    return usage_error("invalid --scenarios '%s': not a directory", s);
  *dir = s;
  return 0;
}

/* One option; 1 = done (help/version printed), -1 = usage error. `opt` is
 * the argument getopt just consumed, for messages. */
static int apply_option(int c, const char *arg, const char *opt, struct options *o)
{
  if (strchr("tcsS", c))
    o->server_only = opt;
  if (strchr("uo", c))
    o->record_only = opt;
  switch (c) {
  case 'p': return parse_port(arg, &o->cfg.port);
  case 'b': return parse_bind(arg, &o->cfg.bind_addr);
  case 't': return parse_scale(arg, &o->cfg.time_scale);
  case 'c': return parse_clock(arg, &o->cfg.clock);
  case 's': return parse_dir(arg, &o->cfg.scenarios_dir);
  case 'S': return add_select(arg, o);
  case 'u': o->rec.upstream = arg; return 0;
  case 'o': o->rec.out_dir = arg; return 0;
  case 'v': o->verbose = true; return 0;
  case 'h': fputs(usage_text, stdout); return 1;
  case 'V': printf("ktrdr-mock %s\n", KTRDR_VERSION); return 1;
  case ':': return usage_error("option '%s' needs a value", opt);
  default: return usage_error("unknown option '%s'", opt);
  }
}

/* getopt over argv[0..argc); argv[0] is a name ("ktrdr-mock" or "exec"). */
static int parse_options(int argc, char **argv, struct options *o)
{
  int c, rc = 0;

  optind = 0; /* glibc: full reinitialisation, for the second pass */
  opterr = 0; /* our messages, not getopt's */
  while (rc == 0 && (c = getopt_long(argc, argv, short_options, long_options, NULL)) != -1)
    rc = apply_option(c, optarg, argv[optind - 1], o);
  return rc;
}

/* Options that belong to one mode only. */
static int check_mode(const struct options *o)
{
  if (o->record && o->server_only)
    return usage_error("option '%s' is for the server, not for record", o->server_only);
  if (!o->record && o->record_only)
    return usage_error("option '%s' is for record: ktrdr-mock record --upstream URL "
                       "[--out DIR]", o->record_only);
  if (o->record && !o->rec.upstream)
    return usage_error("%s", "record needs --upstream URL, the KTRDR API to record "
                             "(e.g. http://localhost:8000/api/v1)");
  return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
  int rc = parse_options(argc, argv, o), start;

  if (rc != 0 || optind >= argc)
    return rc != 0 ? rc : check_mode(o);
  if (strcmp(argv[optind], "exec") != 0 && strcmp(argv[optind], "record") != 0)
    return usage_error("unexpected argument '%s'", argv[optind]);
  o->exec = strcmp(argv[optind], "exec") == 0;
  o->record = !o->exec;
  start = optind;
  rc = parse_options(argc - start, argv + start, o);
  if (rc != 0)
    return rc;
  o->command = argv + start + optind;
  if (o->record && o->command[0])
    return usage_error("unexpected argument '%s'", o->command[0]);
  if (o->exec && !o->command[0])
    return usage_error("%s",
                       "exec needs a command: ktrdr-mock exec [options] -- COMMAND [ARGS...]");
  return check_mode(o);
}

static bool is_dir(const char *path)
{
  struct stat st;

  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Uses `dir` (resolved) when it is a directory. */
static bool try_dir(struct options *o, const char *dir)
{
  if (!dir || !*dir || !is_dir(dir) || !realpath(dir, o->scenarios))
    return false;
  o->cfg.scenarios_dir = o->scenarios;
  return true;
}

/* The directory of this binary, resolved ("" when unknown). */
static void exe_dir(char *buf, size_t size)
{
  ssize_t n = readlink("/proc/self/exe", buf, size - 1);
  char *slash;

  buf[n > 0 ? n : 0] = '\0';
  slash = strrchr(buf, '/');
  if (slash)
    *slash = '\0';
}

/* Without --scenarios, the first directory that exists of (cmake/install.cmake
 * sets the build-time paths; docs/man/ktrdr-mock.1 lists them):
 * $KTRDR_MOCK_SCENARIOS; the installed ones relative to the binary; the
 * source tree's when this is the build tree's binary; the configured
 * prefix's; ./scenarios. Else the built-in defaults only. */
static void find_scenarios(struct options *o)
{
  char exe[2048], path[2200];

  if (o->cfg.scenarios_dir || try_dir(o, getenv("KTRDR_MOCK_SCENARIOS")))
    return;
  exe_dir(exe, sizeof(exe));
#ifdef KTRDR_SCENARIOS_RELDIR
  snprintf(path, sizeof(path), "%s/%s", exe, KTRDR_SCENARIOS_RELDIR);
  if (try_dir(o, path))
    return;
#endif
#if defined(KTRDR_SOURCE_SCENARIOS_DIR) && defined(KTRDR_BUILD_DIR)
  if (realpath(KTRDR_BUILD_DIR, path) && strcmp(path, exe) == 0 &&
      try_dir(o, KTRDR_SOURCE_SCENARIOS_DIR))
    return;
#else
  /* A build directory inside the source tree, before the install rules. */
  snprintf(path, sizeof(path), "%s/../scenarios", exe);
  if (try_dir(o, path))
    return;
#endif
#ifdef KTRDR_SCENARIOS_INSTALL_DIR
  if (try_dir(o, KTRDR_SCENARIOS_INSTALL_DIR))
    return;
#endif
  try_dir(o, "scenarios");
}

/* A bad scenario file or selection is the user's to fix: exit 2. */
static bool config_error(const struct err *err)
{
  return err->code == ERR_PARSE || err->code == ERR_INVALID;
}

static int record(struct options *o)
{
  struct err err = ERR_INIT;

  o->rec.bind_addr = o->cfg.bind_addr;
  o->rec.port = o->cfg.port;
  o->rec.quiet = !o->verbose;
  if (mock_cmd_record(&o->rec, stdout, &err) == 0)
    return EXIT_OK;
  log_error("%s", err.msg);
  return config_error(&err) ? EXIT_USAGE : EXIT_RUNTIME;
}

static int run(struct options *o)
{
  struct err err = ERR_INIT;
  int status;

  if (o->record)
    return record(o);
  find_scenarios(o);
  if (o->cfg.scenarios_dir)
    log_info("scenarios from %s", o->cfg.scenarios_dir);
  if (!o->exec) {
    if (mock_cmd_serve(&o->cfg, stdout, &err) == 0)
      return EXIT_OK;
    log_error("%s", err.msg);
    return config_error(&err) ? EXIT_USAGE : EXIT_RUNTIME;
  }
  if (mock_cmd_exec(&o->cfg, o->command, &status, &err) < 0) {
    log_error("%s", err.msg);
    if (status == EXIT_RUNTIME && config_error(&err))
      status = EXIT_USAGE;
  }
  return status;
}

static int finish(int code)
{
  if (fclose(stdout) != 0 && code == EXIT_OK) {
    log_error("cannot write to stdout: %s", strerror(errno));
    return EXIT_RUNTIME;
  }
  return code;
}

int main(int argc, char **argv)
{
  struct options o = { .cfg = MOCK_CONFIG_INIT, .rec = RECORD_CONFIG_INIT };
  int rc;

  log_set_prog("ktrdr-mock");
  rc = parse_args(argc, argv, &o);
  if (rc != 0)
    return rc < 0 ? EXIT_USAGE : finish(EXIT_OK);
  o.cfg.quiet = !o.verbose;
  log_set_level(o.verbose ? LOG_INFO : LOG_WARN);
  signal(SIGPIPE, SIG_IGN);
  return finish(run(&o));
}
