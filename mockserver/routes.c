#include "routes.h"

#include <ctype.h>

const struct route routes_table[] = {
  { "POST", "/api/v1/dummy/start", routes_dummy_start },
  { "GET", "/api/v1/operations", routes_operations_list },
  { "GET", "/api/v1/operations/{id}", routes_operations_get },
  { "DELETE", "/api/v1/operations/{id}", routes_operations_cancel },
  { "POST", "/api/v1/operations/{id}/cancel", routes_operations_cancel },
  { "GET", "/api/v1/symbols", routes_symbols },
  { "GET", "/api/v1/health", routes_health },
  { "GET", "/__admin/requests", routes_admin_requests },
  { "DELETE", "/__admin/requests", routes_admin_requests_clear },
  { "POST", "/__admin/faults", routes_admin_faults_add },
  { "DELETE", "/__admin/faults", routes_admin_faults_clear },
  { "POST", "/__admin/operations/{id}/fail", routes_admin_fail },
};

const size_t routes_count = sizeof(routes_table) / sizeof(routes_table[0]);

void routes_operation_not_found(struct http_reply *reply, const char *id)
{
  http_reply_detail(reply, 404, "Operation not found: %s", id);
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
