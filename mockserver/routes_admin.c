/* /__admin: the request journal, faults and forced failures. Loopback only
 * (checked by the server before dispatch). */
#include "routes.h"

#include <errno.h>
#include <stdlib.h>

#include "faults.h"
#include "store.h"

static json_t *ok_body(void)
{
  return json_pack("{s:b}", "success", 1);
}

/* since=N: a sequence number (entries after it). */
static int read_since(const struct request *req, uint64_t *seq)
{
  const char *v = request_arg(req, "since");
  char *end;

  if (!v)
    return 0;
  errno = 0;
  *seq = strtoull(v, &end, 10);
  return errno || *end || *v == '-' ? -1 : 0;
}

int routes_admin_requests(const struct routes_ctx *ctx, struct request *req,
                          struct http_reply *reply, struct err *err)
{
  struct journal_filter f = { 0 };
  json_t *body;

  if (read_since(req, &f.after_seq) < 0) {
    http_reply_detail(reply, 400, "invalid 'since': expected a sequence number");
    return 0;
  }
  f.method = request_arg(req, "method");
  f.path_prefix = request_arg(req, "path");
  f.operation_id = request_arg(req, "operation_id");
  body = journal_to_json(ctx->journal, &f);
  if (!body)
    return err_set(err, ERR_NOMEM, "cannot list the journal");
  http_reply_json(reply, 200, body);
  return 0;
}

int routes_admin_requests_clear(const struct routes_ctx *ctx, struct request *req,
                                struct http_reply *reply, struct err *err)
{
  (void)req;
  (void)err;
  journal_clear(ctx->journal);
  http_reply_json(reply, 200, ok_body());
  return 0;
}

/* The body as a JSON value (NULL when empty); 400 on malformed JSON. */
static int load_json(const struct request *req, struct http_reply *reply, json_t **out)
{
  json_error_t jerr;

  *out = NULL;
  if (req->body_len == 0)
    return 0;
  *out = json_loadb(req->body, req->body_len, JSON_DECODE_ANY, &jerr);
  if (*out)
    return 0;
  http_reply_detail(reply, 400, "malformed JSON body: %s", jerr.text);
  return -1;
}

int routes_admin_faults_add(const struct routes_ctx *ctx, struct request *req,
                            struct http_reply *reply, struct err *err)
{
  struct fault_spec spec;
  json_t *body;

  if (load_json(req, reply, &body) < 0)
    return 0;
  if (faults_spec_from_json(body, &spec, err) < 0 || faults_add(ctx->faults, &spec, err) < 0) {
    json_decref(body);
    if (err->code == ERR_NOMEM)
      return -1;
    http_reply_detail(reply, 400, "%s", err->msg);
    return 0;
  }
  json_decref(body);
  http_reply_json(reply, 200, ok_body());
  return 0;
}

int routes_admin_faults_clear(const struct routes_ctx *ctx, struct request *req,
                              struct http_reply *reply, struct err *err)
{
  (void)req;
  (void)err;
  faults_clear(ctx->faults);
  http_reply_json(reply, 200, ok_body());
  return 0;
}

static int fail_refused(struct http_reply *reply, const char *id, const struct store_end *end,
                        const struct err *err)
{
  char st[64];

  if (err->code == ERR_NOTFOUND) {
    routes_operation_not_found(reply, id);
    return 0;
  }
  if (err->code != ERR_STATE)
    return -1;
  routes_status_enum(end->status, st, sizeof(st));
  http_reply_detail(reply, 400, "Operation %s cannot be failed (status: %s)", id, st);
  return 0;
}

/* POST /__admin/operations/{id}/fail {"error_message": "..."}. */
int routes_admin_fail(const struct routes_ctx *ctx, struct request *req,
                      struct http_reply *reply, struct err *err)
{
  const char *id = req->params[0];
  struct store_end end;
  json_t *body, *info;
  int rc;

  req->operation_id = id;
  if (load_json(req, reply, &body) < 0)
    return 0;
  rc = store_end(ctx->store, id, OP_STATUS_FAILED,
                 json_str_or(body, "error_message", "Operation failed"), &end, err);
  json_decref(body);
  if (rc < 0)
    return fail_refused(reply, id, &end, err);
  if (store_get(ctx->store, id, &info, err) < 0)
    return -1;
  http_reply_json(reply, 200, json_pack("{s:b, s:o}", "success", 1, "data", info));
  return 0;
}
