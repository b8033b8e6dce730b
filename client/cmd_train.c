/* ktrdr models train STRATEGY.yaml [SYMBOL] [TIMEFRAME] --start-date D --end-date D */
#include <string.h>

#include "adapter_training.h"
#include "cli.h"
#include "exitcode.h"

enum { OPT_START = 512, OPT_END, OPT_SPLIT, OPT_ANALYTICS, OPT_DRY_RUN, OPT_MODELS, OPT_MODE };

struct train_opts {
  const char *start, *end, *models_dir, *data_mode;
  double split;
  bool analytics, dry_run;
};

static const struct option train_options[] = {
  { "start-date", required_argument, NULL, OPT_START },
  { "end-date", required_argument, NULL, OPT_END },
  { "validation-split", required_argument, NULL, OPT_SPLIT },
  { "detailed-analytics", no_argument, NULL, OPT_ANALYTICS },
  { "dry-run", no_argument, NULL, OPT_DRY_RUN },
  { "models-dir", required_argument, NULL, OPT_MODELS },
  { "data-mode", required_argument, NULL, OPT_MODE },
  { 0 },
};

static const char train_help[] =
    "Usage: ktrdr models train STRATEGY.yaml [SYMBOL] [TIMEFRAME] --start-date D --end-date D\n"
    "\n"
    "Trains a model on the server. Symbols and timeframes come from the strategy\n"
    "file (v1 data.*, v2 training_data.*); SYMBOL and TIMEFRAME replace them. The\n"
    "server finds the strategy by the file's name (its stem).\n"
    "\n"
    "  --start-date D, --end-date D   the training period, YYYY-MM-DD (required)\n"
    "  --validation-split F   0 to 0.5 (default 0.2; checked, not sent, as live)\n"
    "  --detailed-analytics   ask the server for detailed analytics\n"
    "  --dry-run              print the plan and send nothing\n"
    "  --models-dir DIR       shown in the plan (default models)\n"
    "  --data-mode MODE       shown in the plan (default local)\n"
    "\n";

static int on_option(void *ctx, int id, const char *arg, struct err *err)
{
  struct train_opts *t = ctx;

  switch (id) {
  case OPT_START: return cli_date("--start-date", arg, &t->start, err);
  case OPT_END: return cli_date("--end-date", arg, &t->end, err);
  case OPT_SPLIT: return cli_number("--validation-split", arg, 0, 0.5, &t->split, err);
  case OPT_ANALYTICS: t->analytics = true; return 0;
  case OPT_DRY_RUN: t->dry_run = true; return 0;
  case OPT_MODELS: t->models_dir = arg; return 0;
  default: t->data_mode = arg; return 0;
  }
}

static void plan(const struct cli *cli, const struct strategy *s, const struct train_opts *t,
                 FILE *f)
{
  fprintf(f, "Strategy:    %s (%s)\nSymbols:    ", s->stem, s->path);
  for (size_t i = 0; i < s->n_symbols; i++)
    fprintf(f, " %s", s->symbols[i]);
  fprintf(f, "\nTimeframes: ");
  for (size_t i = 0; i < s->n_timeframes; i++)
    fprintf(f, " %s", s->timeframes[i]);
  fprintf(f, "\nPeriod:      %s to %s\nValidation:  %g\n", t->start, t->end, t->split);
  if (t->dry_run)
    fprintf(f, "Models dir:  %s\nData mode:   %s\nDry run: nothing sent to %s\n", t->models_dir,
            t->data_mode, cli->url_flag ? cli->url_flag : "the server");
}

int cmd_train(struct cli *cli, int argc, char **argv)
{
  struct train_opts t = { .split = 0.2, .models_dir = "models", .data_mode = "local" };
  struct strategy s = STRATEGY_INIT;
  struct training_adapter ta;
  struct adapter ad;
  struct err err = ERR_INIT;
  int first = 0, rc = cli_parse(cli, argc, argv, train_options, on_option, &t, train_help, &first);

  if (rc != 0)
    return rc > 0 ? EXITCODE_OK : EXITCODE_USAGE;
  if (argc - first < 1 || argc - first > 3)
    return cli_usage_error(cli, argv[0], "give STRATEGY.yaml [SYMBOL] [TIMEFRAME]");
  if (!t.start || !t.end)
    return cli_usage_error(cli, argv[0], "--start-date and --end-date are required");
  if (strcmp(t.start, t.end) > 0)
    return cli_usage_error(cli, argv[0], "--start-date is after --end-date");
  if (strategy_load(&s, argv[first], &err) < 0 ||
      strategy_apply_overrides(&s, argc - first > 1 ? argv[first + 1] : NULL,
                               argc - first > 2 ? argv[first + 2] : NULL, &err) < 0 ||
      strategy_validate(&s, &err) < 0) {
    rc = cli_usage_error(cli, argv[0], err.msg);
    goto out;
  }
  if (t.dry_run || (!cli->quiet && !cli->json))
    plan(cli, &s, &t, t.dry_run ? cli->out : cli->err);
  if (t.dry_run)
    goto out;
  ta = (struct training_adapter){ &s, t.start, t.end, t.analytics };
  training_adapter_init(&ta, &ad);
  rc = cli_run(cli, &ad);
out:
  strategy_release(&s);
  return rc;
}
