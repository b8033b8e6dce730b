/* POST /api/v1/dummy/start (API-CONTRACT §2.4). */
#include "routes.h"

#include "dummy_task.h"
#include "fastapi.h"
#include "store.h"

_Static_assert(REQUEST_ID_MAX >= STORE_ID_MAX, "request id buffer too small for store ids");

/* The optional body {"duration": s, "iterations": n}; 0, or -1 with the
 * FastAPI errors in `errors`. */
static int read_params(const struct request *req, struct dummy_task_params *p,
                       json_t *errors)
{
  json_t *body = NULL;
  int rc = -1;

  if (fastapi_load_body(req->body, req->body_len, errors, &body) == 0 &&
      fastapi_require_object(body, errors) == 0)
    rc = dummy_task_params_from_json(body, p, errors);
  json_decref(body);
  return rc;
}

static json_t *started(const char *id)
{
  return json_pack("{s:b, s:{s:s, s:s, s:s}, s:n}", "success", 1, "data",
                   "operation_id", id, "status", "started",
                   "message", "Started dummy_task operation", "error");
}

int routes_dummy_start(const struct routes_ctx *ctx, struct request *req,
                       struct http_reply *reply, struct err *err)
{
  struct dummy_task_params p = DUMMY_TASK_PARAMS_INIT;
  struct store_start start = { "dummy", NULL, { NULL, NULL } };
  json_t *errors = json_array();
  int rc = -1;

  if (!errors)
    return err_set(err, ERR_NOMEM, "cannot parse the request");
  if (read_params(req, &p, errors) < 0) {
    http_reply_json(reply, 422, fastapi_body(errors));
    return 0;
  }
  start.metadata = dummy_task_metadata();
  if (!start.metadata) {
    err_set(err, ERR_NOMEM, "cannot build the operation metadata");
    goto cleanup;
  }
  if (dummy_task_timeline(&p, &start.timeline, err) < 0 ||
      store_add(ctx->store, &start, req->id_buf, err) < 0)
    goto cleanup;
  req->operation_id = req->id_buf;
  http_reply_json(reply, 200, started(req->id_buf));
  rc = 0;
cleanup:
  json_decref(errors);
  json_decref(start.metadata);
  timeline_release(&start.timeline);
  return rc;
}
