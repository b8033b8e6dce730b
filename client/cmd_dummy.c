/* ktrdr dummy start [--duration S] [--iterations N]   (alias: ktrdr dummy dummy) */
#include "adapter_dummy.h"
#include "cli.h"
#include "exitcode.h"

enum { OPT_DURATION = 512, OPT_ITERATIONS };

static const struct option dummy_opts[] = {
  { "duration", required_argument, NULL, OPT_DURATION },
  { "iterations", required_argument, NULL, OPT_ITERATIONS },
  { 0 },
};

static const char dummy_help[] =
    "Usage: ktrdr dummy start [--duration S] [--iterations N] [GLOBAL OPTIONS]\n"
    "       ktrdr dummy dummy ...   (the live CLI's name for the same command)\n"
    "\n"
    "Runs the dummy operation on the server: N iterations spread over S seconds\n"
    "(server defaults: 200 s, 100 iterations), with live progress. Ctrl+C cancels\n"
    "it on the server.\n"
    "\n"
    "  --duration S     total duration in seconds (0.001 to 86400)\n"
    "  --iterations N   number of iterations (1 to 1000000)\n"
    "\n"
    "See 'ktrdr --help' for the global options.\n"
    "\n";

static int on_option(void *ctx, int id, const char *arg, struct err *err)
{
  struct dummy_adapter *d = ctx;

  if (id == OPT_DURATION)
    return cli_number("--duration", arg, 0.001, 86400, &d->duration_s, err);
  return cli_integer("--iterations", arg, 1, 1000000, &d->iterations, err);
}

int cmd_dummy(struct cli *cli, int argc, char **argv)
{
  struct dummy_adapter d = { 0 };
  struct adapter ad;
  int first = 0, rc = cli_parse(cli, argc, argv, dummy_opts, on_option, &d, dummy_help, &first);

  if (rc != 0)
    return rc > 0 ? EXITCODE_OK : EXITCODE_USAGE;
  if (first < argc)
    return cli_usage_error(cli, argv[0], "this command takes no arguments");
  dummy_adapter_init(&d, &ad, d.duration_s, d.iterations);
  return cli_run(cli, &ad);
}
