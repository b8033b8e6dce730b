/* POST /api/v1/dummy/start (API-CONTRACT §2.4). */
#include "routes.h"

#include <stdio.h>
#include <stdlib.h>

#include "dummy_task.h"
#include "fastapi.h"
#include "launch.h"
#include "store.h"

_Static_assert(REQUEST_ID_MAX >= STORE_ID_MAX, "request id buffer too small for store ids");

/* The optional body {"duration": s, "iterations": n}: checked, and kept as
 * the operation's variables (what the dummy generator reads). 0, or -1 with
 * the FastAPI errors in `errors`. */
static int read_params(const struct request *req, json_t **body, json_t **vars, json_t *errors)
{
  struct dummy_task_params p = DUMMY_TASK_PARAMS_INIT;

  *vars = NULL;
  if (fastapi_load_body(req->body, req->body_len, errors, body) < 0 ||
      fastapi_require_object(*body, errors) < 0 ||
      dummy_task_params_from_json(*body, &p, errors) < 0)
    return -1;
  *vars = json_object();
  if (*vars && json_object_get(*body, "duration"))
    json_object_set_new(*vars, "duration", json_real(p.duration_s));
  if (*vars && json_object_get(*body, "iterations"))
    json_object_set_new(*vars, "iterations", json_integer(p.iterations));
  return 0;
}

/* The live answer, written out rather than built and serialised: it is the
 * same but for the id (letters, digits and '_', nothing to escape), and
 * starts are the one request the mock cannot answer from a cache. */
static void started(struct http_reply *reply, const char *id)
{
  static const char fmt[] = "{\"success\":true,\"data\":{\"operation_id\":\"%s\","
                            "\"status\":\"started\",\"message\":\"Started dummy_task "
                            "operation\"},\"error\":null}";
  int len = snprintf(NULL, 0, fmt, id);
  char *text = len > 0 ? malloc((size_t)len + 1) : NULL;

  if (!text) {
    http_reply_detail(reply, 500, "out of memory");
    return;
  }
  snprintf(text, (size_t)len + 1, fmt, id);
  http_reply_text(reply, 200, text, (size_t)len);
}

int routes_dummy_start(const struct routes_ctx *ctx, struct request *req,
                       struct http_reply *reply, struct err *err)
{
  struct launch l = LAUNCH_INIT;
  json_t *errors = json_array(), *body = NULL;
  int rc = -1;

  if (!errors)
    return err_set(err, ERR_NOMEM, "cannot parse the request");
  if (read_params(req, &body, &l.vars, errors) < 0) {
    http_reply_json(reply, 422, fastapi_body(errors));
    errors = NULL;
    rc = 0;
    goto cleanup;
  }
  l.type = "dummy";
  l.metadata = dummy_task_metadata();
  if (launch_start(ctx, req, body, &l, reply, err) < 0)
    goto cleanup;
  if (!l.answered)
    started(reply, req->id_buf);
  launch_finish(&l, reply);
  rc = 0;
cleanup:
  launch_release(&l);
  json_decref(errors);
  json_decref(body);
  return rc;
}
