/* ktrdr data load SYMBOL [--timeframe TF] [--mode M] [--start D] [--end D]
 *                 [--trading-hours] [--include-extended] */
#include <string.h>

#include "adapter_data_load.h"
#include "cli.h"
#include "exitcode.h"
#include "strategy.h"

enum { OPT_TIMEFRAME = 512, OPT_MODE, OPT_START, OPT_END, OPT_HOURS, OPT_EXTENDED };

static const struct option data_options[] = {
  { "timeframe", required_argument, NULL, OPT_TIMEFRAME },
  { "mode", required_argument, NULL, OPT_MODE },
  { "start", required_argument, NULL, OPT_START },
  { "end", required_argument, NULL, OPT_END },
  { "trading-hours", no_argument, NULL, OPT_HOURS },
  { "include-extended", no_argument, NULL, OPT_EXTENDED },
  { 0 },
};

static const char data_help[] =
    "Usage: ktrdr data load SYMBOL [--timeframe TF] [--mode M] [--start D] [--end D]\n"
    "                       [--trading-hours] [--include-extended]\n"
    "\n"
    "Loads market data on the server (from its cache or Interactive Brokers), with\n"
    "live progress, and shows what was fetched. IB gateway problems are diagnosed\n"
    "(-v adds the recovery steps).\n"
    "\n"
    "  --timeframe TF       1m, 5m, 15m, 30m, 1h, 4h, 1d, ... (default 1d)\n"
    "  --mode M             local, tail, backfill or full (default tail)\n"
    "  --start D, --end D   YYYY-MM-DD (default: what the mode implies)\n"
    "  --trading-hours      only bars within trading hours\n"
    "  --include-extended   with --trading-hours: include extended hours\n"
    "\n";

static int on_option(void *ctx, int id, const char *arg, struct err *err)
{
  struct data_load_adapter *d = ctx;
  static const char *const modes[] = { "local", "tail", "backfill", "full" };

  switch (id) {
  case OPT_TIMEFRAME: d->timeframe = arg; return 0;
  case OPT_START: return cli_date("--start", arg, &d->start_date, err);
  case OPT_END: return cli_date("--end", arg, &d->end_date, err);
  case OPT_HOURS: d->trading_hours = true; return 0;
  case OPT_EXTENDED: d->include_extended = true; return 0;
  default:
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
      if (strcmp(arg, modes[i]) == 0)
        return d->mode = modes[i], 0;
    return err_set(err, ERR_INVALID, "--mode: '%s' is not one of local, tail, backfill, full", arg);
  }
}

int cmd_data_load(struct cli *cli, int argc, char **argv)
{
  struct data_load_adapter d = { .timeframe = "1d", .mode = "tail" };
  struct adapter ad;
  int first = 0, rc = cli_parse(cli, argc, argv, data_options, on_option, &d, data_help, &first);

  if (rc != 0)
    return rc > 0 ? EXITCODE_OK : EXITCODE_USAGE;
  if (argc - first != 1)
    return cli_usage_error(cli, argv[0], "give one SYMBOL, e.g. AAPL");
  d.symbol = argv[first];
  if (d.start_date && d.end_date && strcmp(d.start_date, d.end_date) > 0)
    return cli_usage_error(cli, argv[0], "--start is after --end");
  if (!strategy_symbol_ok(d.symbol)) /* the live CLI's rules (§7.5) */
    return cli_usage_error(cli, argv[0], "a SYMBOL is 1 to 10 letters, digits, '.' or '-'");
  if (!strategy_timeframe_ok(d.timeframe))
    return cli_usage_error(cli, argv[0], "--timeframe: use minutes, hours or days such as "
                                         "5m, 1h, 4h, 1d");
  if (!cli->quiet && !cli->json)
    fprintf(cli->err, "Loading %s %s (%s mode)%s%s%s%s\n", d.symbol, d.timeframe, d.mode,
            d.start_date || d.end_date ? ", " : "", d.start_date ? d.start_date : "",
            d.start_date || d.end_date ? " to " : "", d.end_date ? d.end_date : "");
  data_load_adapter_init(&d, &ad);
  return cli_run(cli, &ad);
}
