/* The operation model against the live JSON shapes (API-CONTRACT §3). */
#include <criterion/criterion.h>
#include <limits.h>
#include <string.h>

#include "operation.h"

TestSuite(operation, .timeout = 10);

/* §3.9, verbatim. */
static const char cancelled_json[] =
    "{\"success\":true,\"data\":{\"operation_id\":\"op_dummy_20251002_221314_1a2b3c4d\","
    "\"operation_type\":\"dummy\",\"status\":\"cancelled\",\"created_at\":\"2025-10-02T22:13:14.123456Z\","
    "\"started_at\":\"2025-10-02T22:13:14.125456Z\",\"completed_at\":\"2025-10-02T22:14:28.004211Z\","
    "\"progress\":{\"percentage\":37.0,\"current_step\":\"Working hard on iteration 37! [37/100] (37.0%)\","
    "\"steps_completed\":37,\"steps_total\":100,\"items_processed\":37,\"items_total\":null,"
    "\"current_item\":\"Processing step 37\",\"context\":{\"operation\":\"dummy_task\",\"service\":"
    "\"DummyService\",\"current_step\":\"Iteration 37/100\",\"current_item\":\"Processing step 37\"}},"
    "\"metadata\":{\"symbol\":\"N/A\",\"timeframe\":\"N/A\",\"mode\":\"N/A\",\"start_date\":null,"
    "\"end_date\":null,\"parameters\":{\"operation_name\":\"dummy_task\",\"service_name\":\"DummyService\"}},"
    "\"error_message\":\"Operation cancelled by user\",\"warnings\":[],\"errors\":[],\"result_summary\":null}}";

Test(operation, parses_the_cancelled_example)
{
  json_t *body = json_loads(cancelled_json, 0, NULL);
  struct operation op = OPERATION_INIT;
  struct err err = ERR_INIT;

  cr_assert_eq(operation_from_envelope(&op, body, &err), 0, "%s", err.msg);
  cr_expect_str_eq(op.id, "op_dummy_20251002_221314_1a2b3c4d");
  cr_expect_str_eq(op.type, "dummy");
  cr_expect_eq(op.status, OP_STATUS_CANCELLED);
  cr_expect(op_status_is_terminal(op.status));
  cr_expect_float_eq(op.progress.percentage, 37.0, 1e-9);
  cr_expect_str_eq(op.progress.current_step, "Working hard on iteration 37! [37/100] (37.0%)");
  cr_expect_eq(op.progress.steps_completed, 37);
  cr_expect_eq(op.progress.steps_total, 100);
  cr_expect_eq(op.progress.items_total, -1);
  cr_expect_str_eq(op.progress.current_item, "Processing step 37");
  cr_expect_str_eq(json_str_or(op.progress.context, "service", ""), "DummyService");
  cr_expect_str_eq(op.error_message, "Operation cancelled by user");
  cr_expect_null(op.result_summary);
  cr_expect_str_eq(op.completed_at, "2025-10-02T22:14:28.004211Z");
  operation_release(&op);
  json_decref(body);
}

Test(operation, round_trips_in_the_live_key_order)
{
  json_t *body = json_loads(cancelled_json, 0, NULL);
  struct operation op = OPERATION_INIT;
  json_t *again;
  char *a, *b;

  cr_assert_eq(operation_from_envelope(&op, body, NULL), 0);
  again = operation_to_json(&op);
  a = json_dumps(json_object_get(body, "data"), JSON_COMPACT);
  b = json_dumps(again, JSON_COMPACT);
  cr_expect_str_eq(b, a);
  free(a);
  free(b);
  json_decref(again);
  operation_release(&op);
  json_decref(body);
}

Test(operation, unknown_status_is_kept_and_not_terminal)
{
  json_t *data = json_pack("{s:s, s:s}", "operation_id", "op_x", "status", "resuming");
  struct operation op = OPERATION_INIT;
  json_t *out;

  cr_assert_eq(operation_from_json(&op, data, NULL), 0);
  cr_expect_eq(op.status, OP_STATUS_OTHER);
  cr_expect_str_eq(op.status_text, "resuming");
  cr_expect_not(op_status_is_terminal(op.status));
  /* defaults for everything missing */
  cr_expect_float_eq(op.progress.percentage, 0.0, 1e-9);
  cr_expect_null(op.progress.current_step);
  cr_expect(json_is_object(op.progress.context));
  out = operation_to_json(&op);
  cr_expect_str_eq(json_str_or(out, "status", ""), "resuming");
  json_decref(out);
  operation_release(&op);
  json_decref(data);
}

Test(operation, statuses_by_name)
{
  static const struct { const char *s; enum op_status st; bool terminal; } table[] = {
    { "pending", OP_STATUS_PENDING, false },   { "running", OP_STATUS_RUNNING, false },
    { "completed", OP_STATUS_COMPLETED, true }, { "failed", OP_STATUS_FAILED, true },
    { "cancelled", OP_STATUS_CANCELLED, true }, { "starting", OP_STATUS_OTHER, false },
    { "", OP_STATUS_OTHER, false },             { "RUNNING", OP_STATUS_OTHER, false },
  };

  for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
    cr_expect_eq(op_status_parse(table[i].s), table[i].st, "'%s'", table[i].s);
    cr_expect_eq(op_status_is_terminal(op_status_parse(table[i].s)), table[i].terminal);
  }
  cr_expect_eq(op_status_parse(NULL), OP_STATUS_OTHER);
}

Test(operation, rejects_what_is_not_an_operation)
{
  struct operation op = OPERATION_INIT;
  struct err err = ERR_INIT;
  static const char *bad[] = {
    "[]", "{}", "{\"success\":true}", "{\"success\":true,\"data\":null}",
    "{\"success\":true,\"data\":{\"status\":\"running\"}}",
    "{\"success\":true,\"data\":{\"operation_id\":7,\"status\":\"running\"}}",
  };

  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    json_t *j = json_loads(bad[i], 0, NULL);
    cr_expect_lt(operation_from_envelope(&op, j, &err), 0, "%s", bad[i]);
    cr_expect_eq(err.code, ERR_PARSE, "%s", bad[i]);
    json_decref(j);
  }
}

Test(operation, success_false_envelope_carries_its_message)
{
  json_t *j = json_loads("{\"success\":false,\"error\":{\"code\":\"OPERATIONS-GetStatusError\","
                         "\"message\":\"Failed to get status\"}}", 0, NULL);
  struct operation op = OPERATION_INIT;
  struct err err = ERR_INIT;

  cr_expect_lt(operation_from_envelope(&op, j, &err), 0);
  cr_expect_eq(err.code, ERR_HTTP);
  cr_expect(strstr(err.msg, "Failed to get status"), "%s", err.msg);
  json_decref(j);
}

Test(operation, wrong_types_fall_back_to_defaults)
{
  json_t *j = json_loads("{\"operation_id\":\"op\",\"status\":\"running\",\"progress\":"
                         "{\"percentage\":\"x\",\"current_step\":5,\"context\":[1]},"
                         "\"metadata\":\"no\",\"result_summary\":[]}", 0, NULL);
  struct operation op = OPERATION_INIT;

  cr_assert_eq(operation_from_json(&op, j, NULL), 0);
  cr_expect_float_eq(op.progress.percentage, 0.0, 1e-9);
  cr_expect_null(op.progress.current_step);
  cr_expect(json_is_object(op.progress.context));
  cr_expect_null(op.metadata);
  cr_expect_null(op.result_summary);
  operation_release(&op);
  operation_release(&op); /* idempotent */
  json_decref(j);
}

Test(operation, out_of_range_numbers_are_clamped_not_undefined)
{
  /* found by fuzz_operation: a real too large for a long */
  json_t *j = json_loads("{\"operation_id\":\"op\",\"status\":\"running\",\"progress\":"
                         "{\"steps_total\":16666666666666666666666666666.2,"
                         "\"steps_completed\":-1e300,\"items_processed\":12.9}}", 0, NULL);
  struct operation op = OPERATION_INIT;

  cr_assert_not_null(j);
  cr_assert_eq(operation_from_json(&op, j, NULL), 0);
  cr_expect_eq(op.progress.steps_total, LONG_MAX);
  cr_expect_eq(op.progress.steps_completed, LONG_MIN);
  cr_expect_eq(op.progress.items_processed, 12);
  operation_release(&op);
  json_decref(j);
}
