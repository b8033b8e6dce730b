/* /__admin/scenarios: the loaded scenarios and the selection per operation
 * type. Loopback only (checked by the server before dispatch). */
#include "routes.h"

#include "catalog.h"

int routes_admin_scenarios(const struct routes_ctx *ctx, struct request *req,
                           struct http_reply *reply, struct err *err)
{
  json_t *body = catalog_to_json(ctx->catalog);

  (void)req;
  if (!body)
    return err_set(err, ERR_NOMEM, "cannot list the scenarios");
  http_reply_json(reply, 200, body);
  return 0;
}

static int selected_reply(const struct routes_ctx *ctx, struct http_reply *reply,
                          struct err *err)
{
  json_t *all = catalog_to_json(ctx->catalog);

  if (!all)
    return err_set(err, ERR_NOMEM, "cannot list the scenarios");
  http_reply_json(reply, 200, json_pack("{s:b, s:O}", "success", 1, "selected",
                                        json_object_get(all, "selected")));
  json_decref(all);
  return 0;
}

/* PUT /__admin/scenarios/select {"operation_type": T, "scenario": NAME|null}. */
int routes_admin_select(const struct routes_ctx *ctx, struct request *req,
                        struct http_reply *reply, struct err *err)
{
  json_t *body;
  const json_t *name;
  int rc = 0;

  if (routes_admin_json(req, reply, &body) < 0)
    return 0;
  name = json_object_get(body, "scenario");
  if (!json_is_string(json_object_get(body, "operation_type")) ||
      (name && !json_is_null(name) && !json_is_string(name)))
    http_reply_detail(reply, 400, "expected {\"operation_type\": \"training\", \"scenario\": "
                                  "\"NAME\"} (a null scenario clears the selection)");
  else if (catalog_select(ctx->catalog, json_str_or(body, "operation_type", ""),
                          json_string_value(name), err) < 0)
    http_reply_detail(reply, err->code == ERR_NOTFOUND ? 404 : 400, "%s", err->msg);
  else
    rc = selected_reply(ctx, reply, err);
  json_decref(body);
  return rc;
}

/* DELETE /__admin/scenarios/select: every selection cleared. */
int routes_admin_unselect(const struct routes_ctx *ctx, struct request *req,
                          struct http_reply *reply, struct err *err)
{
  (void)req;
  for (size_t i = 0; scenario_types[i]; i++)
    catalog_select(ctx->catalog, scenario_types[i], NULL, NULL);
  return selected_reply(ctx, reply, err);
}
