/* ktrdr operations list | status ID | cancel ID | follow ID */
#include <string.h>

#include "adapters.h"
#include "api.h"
#include "cli.h"
#include "events.h"
#include "exitcode.h"
#include "ops_view.h"

enum { OPT_STATUS = 512, OPT_TYPE, OPT_ACTIVE, OPT_LIMIT, OPT_OFFSET, OPT_REASON, OPT_FORCE };

/* ---- list -------------------------------------------------------------- */

struct list_opts {
  const char *status, *type;
  bool active;
  long limit, offset;
};

static const struct option list_options[] = {
  { "status", required_argument, NULL, OPT_STATUS },
  { "type", required_argument, NULL, OPT_TYPE },
  { "active", no_argument, NULL, OPT_ACTIVE },
  { "limit", required_argument, NULL, OPT_LIMIT },
  { "offset", required_argument, NULL, OPT_OFFSET },
  { 0 },
};

static const char list_help[] =
    "Usage: ktrdr operations list [--status S] [--type T] [--active] [--limit N] [--offset N]\n"
    "\n"
    "Lists the server's operations, newest first, with the totals.\n"
    "\n"
    "  --status S    pending, running, completed, failed or cancelled\n"
    "  --type T      data_load, training, backtesting, indicator_compute,\n"
    "                fuzzy_analysis or dummy\n"
    "  --active      only pending and running operations\n"
    "  --limit N     at most N operations (1 to 1000, default 100)\n"
    "  --offset N    skip the first N (default 0)\n"
    "\n";

/* A filter value goes into the query as it is: letters and '_' only. */
static int word(const char *opt, const char *arg, const char **dst, struct err *err)
{
  if (!*arg || strspn(arg, "abcdefghijklmnopqrstuvwxyz_") != strlen(arg))
    return err_set(err, ERR_INVALID, "%s: '%s' is not a status or type name", opt, arg);
  *dst = arg;
  return 0;
}

static int list_option(void *ctx, int id, const char *arg, struct err *err)
{
  struct list_opts *l = ctx;

  switch (id) {
  case OPT_STATUS: return word("--status", arg, &l->status, err);
  case OPT_TYPE: return word("--type", arg, &l->type, err);
  case OPT_ACTIVE: l->active = true; return 0;
  case OPT_LIMIT: return cli_integer("--limit", arg, 1, 1000, &l->limit, err);
  default: return cli_integer("--offset", arg, 0, 100000000, &l->offset, err);
  }
}

int cmd_operations_list(struct cli *cli, int argc, char **argv)
{
  struct list_opts l = { .limit = 100 };
  struct api_response r = API_RESPONSE_INIT;
  struct buf q = BUF_INIT;
  int first = 0, rc = cli_parse(cli, argc, argv, list_options, list_option, &l, list_help, &first);

  if (rc != 0)
    return rc > 0 ? EXITCODE_OK : EXITCODE_USAGE;
  if (first < argc)
    return cli_usage_error(cli, argv[0], "this command takes no arguments");
  buf_appendf(&q, "/operations?limit=%ld&offset=%ld&active_only=%s", l.limit, l.offset,
              l.active ? "true" : "false");
  if (l.status)
    buf_appendf(&q, "&status=%s", l.status);
  if (l.type)
    buf_appendf(&q, "&operation_type=%s", l.type);
  rc = cli_request(cli, "GET", buf_cstr(&q), NULL, &r);
  if (rc == EXITCODE_OK) {
    if (cli->json)
      events_emit(cli->out, "operations", json_pack("{s:O, s:O?, s:O?}", "operations",
                  json_object_get(r.body, "data"), "total_count",
                  json_object_get(r.body, "total_count"), "active_count",
                  json_object_get(r.body, "active_count")));
    else
      ops_view_list(r.body, l.active, &cli->view);
  }
  api_response_release(&r);
  buf_release(&q);
  return rc;
}

/* ---- status ------------------------------------------------------------ */

static const char status_help[] =
    "Usage: ktrdr operations status ID\n"
    "\n"
    "Shows one operation in detail: status, times, progress, context, error and\n"
    "result summary (-v adds the metadata).\n"
    "\n";

int cmd_operations_status(struct cli *cli, int argc, char **argv)
{
  struct operation op = OPERATION_INIT;
  const char *id;
  int rc = cli_get_operation(cli, argc, argv, status_help, &id, &op);

  if (rc != EXITCODE_OK || !id)
    return rc;
  if (cli->json)
    events_emit(cli->out, "operation", json_pack("{s:o}", "operation", operation_to_json(&op)));
  else
    ops_view_status(&op, cli->verbose, &cli->view);
  operation_release(&op);
  return EXITCODE_OK;
}

/* ---- follow ------------------------------------------------------------ */

static const char follow_help[] =
    "Usage: ktrdr operations follow ID\n"
    "\n"
    "Attaches to an operation (started with --detach, or by anyone) and shows\n"
    "its progress and results as the command that started it would. Ctrl+C\n"
    "stops following (exit 130); the operation keeps running.\n"
    "\n";

int cmd_operations_follow(struct cli *cli, int argc, char **argv)
{
  struct operation op = OPERATION_INIT;
  struct adapter_slot slot;
  struct adapter ad;
  const char *id;
  int rc = cli_get_operation(cli, argc, argv, follow_help, &id, &op);

  if (rc != EXITCODE_OK || !id)
    return rc;
  adapters_for_type(op.type, &slot, &ad);
  operation_release(&op);
  cli->follow_id = id;
  return cli_run(cli, &ad);
}
