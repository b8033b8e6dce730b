/* ktrdr operations cancel ID [--reason R] [--force] */
#include <string.h>

#include "api.h"
#include "cli.h"
#include "events.h"
#include "exitcode.h"
#include "ops_view.h"

enum { OPT_REASON = 512, OPT_FORCE };

struct cancel_opts {
  const char *reason;
  bool force;
};

static const struct option cancel_options[] = {
  { "reason", required_argument, NULL, OPT_REASON },
  { "force", no_argument, NULL, OPT_FORCE },
  { 0 },
};

static const char cancel_help[] =
    "Usage: ktrdr operations cancel ID [--reason R] [--force]\n"
    "\n"
    "Asks the server to cancel an operation (DELETE /operations/ID). The reason\n"
    "becomes the operation's error message. Exit 0 when cancelled, 4 when there\n"
    "is no such operation, 7 when it has already finished.\n"
    "\n"
    "  --reason R   why (shown by 'ktrdr operations status')\n"
    "  --force      sent to the server, which accepts it (it does not act on it)\n"
    "\n";

static int cancel_option(void *ctx, int id, const char *arg, struct err *err)
{
  struct cancel_opts *c = ctx;

  (void)err;
  if (id == OPT_REASON)
    c->reason = arg;
  else
    c->force = true;
  return 0;
}

/* 400: the live detail names the status ("... (status: OperationStatus.COMPLETED)"). */
static int refused(struct cli *cli, const char *id, const struct api_response *r)
{
  struct err err = ERR_INIT;

  api_error(r, &err);
  return cli_fail(cli, EXITCODE_ALREADY_FINISHED, "operation %s cannot be cancelled: it has "
                  "already finished (%s)", id, err.msg);
}

int cmd_operations_cancel(struct cli *cli, int argc, char **argv)
{
  struct cancel_opts c = { 0 };
  struct api_response r = API_RESPONSE_INIT;
  struct buf path = BUF_INIT;
  struct err err = ERR_INIT;
  json_t *body = NULL;
  int first = 0, rc = cli_parse(cli, argc, argv, cancel_options, cancel_option, &c, cancel_help,
                                &first);

  if (rc != 0)
    return rc > 0 ? EXITCODE_OK : EXITCODE_USAGE;
  if (argc - first != 1)
    return cli_usage_error(cli, argv[0], "give one operation ID");
  if (api_operation_path(argv[first], NULL, &path, &err) < 0)
    return cli_usage_error(cli, argv[0], err.msg);
  body = json_pack("{s:s*, s:b}", "reason", c.reason, "force", c.force);
  rc = cli_call(cli, "DELETE", buf_cstr(&path), body, &r);
  if (rc == EXITCODE_OK && r.status == 400)
    rc = refused(cli, argv[first], &r);
  else if (rc == EXITCODE_OK && r.status / 100 != 2)
    rc = cli_http_error(cli, argv[first], &r);
  else if (rc == EXITCODE_OK && cli->json)
    events_emit(cli->out, "cancel", json_pack("{s:s, s:O?}", "operation_id", argv[first],
                                              "result", json_object_get(r.body, "data")));
  else if (rc == EXITCODE_OK)
    ops_view_cancelled(argv[first], json_object_get(r.body, "data"), &cli->view);
  json_decref(body);
  api_response_release(&r);
  buf_release(&path);
  return rc;
}
