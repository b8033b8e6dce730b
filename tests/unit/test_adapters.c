/* The training and data-load adapters without a server: start payloads
 * against the contract's examples, progress lines (§4.5), results. */
#include <criterion/criterion.h>
#include <string.h>

#include "adapter_data_load.h"
#include "adapter_training.h"
#include "testlib.h"

TestSuite(adapters, .timeout = 10);

static char *dump(json_t *j)
{
  char *s = json_dumps(j, JSON_COMPACT);

  json_decref(j);
  return s;
}

Test(adapters, training_payload_is_the_live_one)
{
  struct strategy s = STRATEGY_INIT;
  struct training_adapter t = { &s, "2024-01-01", "2024-06-01", false };
  struct adapter ad;
  char *p;

  cr_assert_eq(strategy_load(&s, KTRDR_TEST_DATA_DIR "/strategies/rsi_macd_pair.yaml", NULL), 0);
  training_adapter_init(&t, &ad);
  cr_expect_str_eq(adapter_start_path(&ad), "/trainings/start");
  p = dump(adapter_start_payload(&ad));
  /* §8's example, byte for byte (the live key order) */
  cr_expect_str_eq(p, "{\"strategy_name\":\"rsi_macd_pair\",\"symbols\":[\"AAPL\",\"MSFT\"],"
                      "\"timeframes\":[\"1h\",\"4h\"],\"detailed_analytics\":false,"
                      "\"start_date\":\"2024-01-01\",\"end_date\":\"2024-06-01\"}");
  free(p);
  t.detailed_analytics = true;
  strategy_apply_overrides(&s, "EURUSD", "1d", NULL);
  p = dump(adapter_start_payload(&ad));
  cr_expect(strstr(p, "\"symbols\":[\"EURUSD\"],\"timeframes\":[\"1d\"],\"detailed_analytics\":true"),
            "%s", p);
  free(p);
  strategy_release(&s);
}

Test(adapters, training_start_response_is_flat)
{
  struct training_adapter t = { 0 };
  struct adapter ad;
  json_t *resp = json_loads("{\"success\":true,\"task_id\":\"op_training_20251002_221530_7c1e9a2b\","
                            "\"status\":\"training_started\",\"estimated_duration_minutes\":30}",
                            0, NULL);
  char *id = NULL;

  training_adapter_init(&t, &ad);
  cr_assert_eq(adapter_parse_start(&ad, resp, &id, NULL), 0);
  cr_expect_str_eq(id, "op_training_20251002_221530_7c1e9a2b");
  free(id);
  json_decref(resp);
}

static void progress_of(const char *op_json, char *out, size_t size)
{
  json_t *j = json_loads(op_json, 0, NULL);
  struct operation op = OPERATION_INIT;
  struct buf line = BUF_INIT;

  cr_assert_not_null(j, "%s", op_json);
  cr_assert_eq(operation_from_json(&op, j, NULL), 0);
  training_format_progress(&op, &line);
  snprintf(out, size, "%s", buf_cstr(&line));
  buf_release(&line);
  operation_release(&op);
  json_decref(j);
}

Test(adapters, training_progress_lines)
{
  static const char *const table[][2] = {
    /* the server's rendering wins */
    { "{\"operation_id\":\"o\",\"status\":\"running\",\"progress\":{\"current_step\":\"Epoch 5/10 \u00b7 Batch 120/500 \U0001F5A5\uFE0F RTX 3090: 85%\"}}",
      "Status: running - Epoch 5/10 \u00b7 Batch 120/500 \U0001F5A5\uFE0F RTX 3090: 85%" },
    { "{\"operation_id\":\"o\",\"status\":\"running\",\"progress\":{\"current_step\":\"Epoch: 3/50, Batch: 120/245\",\"context\":{}}}",
      "Status: running - Epoch: 3/50, Batch: 120/245" },
    /* empty or "Status: running": built from the context (§4.5) */
    { "{\"operation_id\":\"o\",\"status\":\"running\",\"progress\":{\"current_step\":null,\"context\":"
      "{\"epoch_index\":4,\"total_epochs\":20,\"batch_number\":30,\"batch_total_per_epoch\":46}}}",
      "Status: running (Epoch: 4/20, Batch: 30/46)" },
    { "{\"operation_id\":\"o\",\"status\":\"running\",\"progress\":{\"current_step\":\"Status: running\","
      "\"context\":{\"epoch_index\":2}},\"metadata\":{\"parameters\":{\"epochs\":7}}}",
      "Status: running (Epoch: 2/7)" },
    { "{\"operation_id\":\"o\",\"status\":\"running\",\"progress\":{\"current_step\":\"\",\"context\":"
      "{\"epoch_index\":2,\"resource_usage\":{\"gpu_used\":true,\"gpu_name\":\"\",\"gpu_utilization_percent\":84.6}}}}",
      "Status: running (Epoch: 2/100) \U0001F5A5\uFE0F GPU: 85%" },
    { "{\"operation_id\":\"o\",\"status\":\"running\",\"progress\":{\"context\":{\"resource_usage\":"
      "{\"gpu_used\":false,\"gpu_utilization_percent\":50}}}}",
      "Status: running" },
  };
  char line[512];

  for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
    progress_of(table[i][0], line, sizeof(line));
    cr_expect_str_eq(line, table[i][1], "row %zu", i);
  }
}

Test(adapters, training_results_prefer_the_performance_body)
{
  struct training_adapter t = { 0 };
  struct adapter ad;
  struct tl_capture out, err;
  struct out o = { .utf8 = true };
  struct operation op = OPERATION_INIT;
  json_t *perf = json_loads("{\"success\":true,\"training_metrics\":{\"final_train_accuracy\":0.5712},"
                            "\"test_metrics\":null,\"model_info\":null}", 0, NULL);

  o.out = tl_capture_open(&out);
  o.err = tl_capture_open(&err);
  op.id = strdup("op_training_x");
  op.result_summary = json_loads("{\"training_metrics\":{\"final_train_accuracy\":0.1111}}", 0, NULL);
  training_adapter_init(&t, &ad);
  cr_assert_eq(ad.ops->show_result(ad.self, &op, perf, &o, NULL), 0);
  cr_expect(strstr(tl_capture_text(&out), "Training completed successfully!"));
  cr_expect(strstr(tl_capture_text(&out), "57.12%"), "%s", tl_capture_text(&out));
  tl_capture_close(&out);
  o.out = tl_capture_open(&out);
  cr_assert_eq(ad.ops->show_result(ad.self, &op, NULL, &o, NULL), 0); /* fallback */
  cr_expect(strstr(tl_capture_text(&out), "11.11%"), "%s", tl_capture_text(&out));
  json_decref(perf);
  operation_release(&op);
  tl_capture_close(&out);
  tl_capture_close(&err);
}

Test(adapters, data_load_payloads)
{
  struct data_load_adapter d = { .symbol = "AAPL", .timeframe = "1h", .mode = "tail" };
  struct adapter ad;
  char *p;

  data_load_adapter_init(&d, &ad);
  cr_expect_str_eq(adapter_start_path(&ad), "/data/load?async_mode=true");
  cr_expect_str_eq(ad.ops->fallback_path(ad.self), "/data/acquire/download");
  p = dump(adapter_start_payload(&ad));
  cr_expect_str_eq(p, "{\"symbol\":\"AAPL\",\"timeframe\":\"1h\",\"mode\":\"tail\"}");
  free(p);
  d.start_date = "2024-01-01";
  d.end_date = "2024-06-01";
  d.trading_hours = true;
  p = dump(adapter_start_payload(&ad));
  /* §6.1's example, byte for byte */
  cr_expect_str_eq(p, "{\"symbol\":\"AAPL\",\"timeframe\":\"1h\",\"mode\":\"tail\",\"start_date\":"
                      "\"2024-01-01\",\"end_date\":\"2024-06-01\",\"filters\":"
                      "{\"trading_hours_only\":true,\"include_extended\":false}}");
  free(p);
}

Test(adapters, data_load_explains_ib_errors_only)
{
  struct data_load_adapter d = { 0 };
  struct adapter ad;
  struct tl_capture err;
  struct out o = { .utf8 = true };
  json_t *ib = json_pack("{s:s, s:s}", "code", "DATA-LoadFailed", "message",
                         "IB Gateway connection refused on port 4002");
  json_t *plain = json_pack("{s:s}", "message", "No data available for AAPL (1h)");

  o.err = tl_capture_open(&err);
  o.out = o.err;
  data_load_adapter_init(&d, &ad);
  ad.ops->explain_error(ad.self, plain, &o);
  cr_expect_str_empty(tl_capture_text(&err));
  ad.ops->explain_error(ad.self, ib, &o);
  cr_expect(strstr(tl_capture_text(&err), "IB GATEWAY NOT ACCESSIBLE"), "%s", tl_capture_text(&err));
  json_decref(ib);
  json_decref(plain);
  tl_capture_close(&err);
}
