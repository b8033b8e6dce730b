#include "routes.h"

#include <ctype.h>

#include "store.h"

const struct route routes_table[] = {
  { "POST", "/api/v1/dummy/start", routes_dummy_start },
  { "POST", "/api/v1/trainings/start", routes_training_start },
  { "GET", "/api/v1/trainings/{id}/performance", routes_training_performance },
  { "POST", "/api/v1/data/load", routes_data_load },
  { "POST", "/api/v1/data/acquire/download", routes_data_acquire },
  { "GET", "/api/v1/operations", routes_operations_list },
  { "GET", "/api/v1/operations/{id}", routes_operations_get },
  { "DELETE", "/api/v1/operations/{id}", routes_operations_cancel },
  { "POST", "/api/v1/operations/{id}/cancel", routes_operations_cancel },
  { "GET", "/api/v1/operations/{id}/results", routes_operations_results },
  { "GET", "/api/v1/symbols", routes_symbols },
  { "GET", "/api/v1/health", routes_health },
  { "GET", "/__admin/requests", routes_admin_requests },
  { "DELETE", "/__admin/requests", routes_admin_requests_clear },
  { "POST", "/__admin/faults", routes_admin_faults_add },
  { "DELETE", "/__admin/faults", routes_admin_faults_clear },
  { "POST", "/__admin/operations/{id}/fail", routes_admin_fail },
  { "POST", "/__admin/reset", routes_admin_reset },
  { "GET", "/__admin/scenarios", routes_admin_scenarios },
  { "PUT", "/__admin/scenarios/select", routes_admin_select },
  { "DELETE", "/__admin/scenarios/select", routes_admin_unselect },
  { "GET", "/__admin/clock", routes_admin_clock },
  { "POST", "/__admin/clock/advance", routes_admin_clock_advance },
};

const size_t routes_count = sizeof(routes_table) / sizeof(routes_table[0]);

void routes_operation_not_found(struct http_reply *reply, const char *id)
{
  http_reply_detail(reply, 404, "Operation not found: %s", id);
}

bool routes_fault(const struct routes_ctx *ctx, const char *id, enum timeline_request kind,
                  struct http_reply *reply)
{
  struct fault_hit hit;
  bool whole;

  if (store_touch(ctx->store, id, kind, &hit, NULL) != 1)
    return false;
  whole = hit.action == FAULT_REPLY;
  http_reply_fault(reply, &hit);
  fault_hit_release(&hit);
  return whole;
}

void routes_status_enum(enum op_status st, char *buf, size_t size)
{
  static const char prefix[] = "OperationStatus.";
  size_t n = 0;

  if (size == 0)
    return;
  for (const char *p = prefix; *p && n + 1 < size; p++)
    buf[n++] = *p;
  for (const char *p = op_status_name(st); *p && n + 1 < size; p++)
    buf[n++] = (char)toupper((unsigned char)*p);
  buf[n] = '\0';
}

int routes_admin_json(const struct request *req, struct http_reply *reply, json_t **out)
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
