/*
 * The training and data-load generators (gen_training.h, gen_data_load.h)
 * against the live examples of API-CONTRACT §3.6, §3.7, §4 and §6.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gen_data_load.h"
#include "gen_training.h"

#define DOT "\xC2\xB7"
#define PC "\xF0\x9F\x96\xA5\xEF\xB8\x8F"

TestSuite(gen_training, .timeout = 10);
TestSuite(gen_data_load, .timeout = 10);

/* The §3.6 run: 20 epochs of 2924 bars in batches of 64 (46 per epoch). */
static struct gen_training contract_run(void)
{
  struct gen_training t;

  gen_training_defaults(&t);
  t.preamble_s = 1.0;
  return t;
}

static void at(const struct gen_training *t, const json_t *vars, double u, struct operation *op)
{
  operation_release(op);
  cr_assert_eq(gen_training_state_at(t, vars, u, op), 0);
}

/* u at which `g` batches are done (3 s per epoch, 46 batches). */
static double after_batches(const struct gen_training *t, long g)
{
  return t->preamble_s + (double)g * t->epoch_s / (double)t->batches + 1e-6;
}

/* The metric values are the scenario's choice: compare the rest. */
static void drop_metric_values(json_t *metrics)
{
  static const char *const keys[] = { "train_loss", "train_accuracy", "val_loss",
                                      "val_accuracy" };

  for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
    if (json_object_get(metrics, keys[i]))
      cr_expect(json_is_real(json_object_get(metrics, keys[i])), "%s", keys[i]);
    json_object_del(metrics, keys[i]);
  }
}

Test(gen_training, the_contract_example_progress)
{
  static const char want_text[] =
      "{\"percentage\": 18.26086956521739, \"current_step\": \"Epoch 4/20 " DOT " Batch 30/46\","
      "\"steps_completed\": 3, \"steps_total\": 20, \"items_processed\": 168, \"items_total\": 920,"
      "\"current_item\": \"Epoch 4 " DOT " Batch 30/46\","
      "\"context\": {\"operation\": \"training\", \"service\": \"TrainingService\","
      "\"phase\": \"batch\", \"phase_name\": \"data_preparation\", \"epoch_index\": 4,"
      "\"total_epochs\": 20, \"batch_index\": 29, \"batch_number\": 30,"
      "\"batch_total_per_epoch\": 46, \"current_item\": \"Epoch 4 " DOT " Batch 30/46\","
      "\"batch_metrics\": {\"epoch\": 3, \"total_epochs\": 20, \"batch\": 29,"
      "\"total_batches_per_epoch\": 46, \"completed_batches\": 167, \"total_batches\": 920,"
      "\"bars_processed_this_epoch\": 1856, \"total_bars_processed\": 10628,"
      "\"total_bars\": 2924, \"total_bars_all_epochs\": 58480, \"progress_type\": \"batch\"},"
      "\"epoch_metrics\": {\"epoch\": 2, \"total_epochs\": 20, \"total_batches_per_epoch\": 46,"
      "\"completed_batches\": 138, \"total_batches\": 920, \"total_bars_processed\": 8772,"
      "\"total_bars\": 2924, \"total_bars_all_epochs\": 58480, \"progress_type\": \"epoch\"}}}";
  struct gen_training t = contract_run();
  struct operation op = OPERATION_INIT;
  json_t *want = json_loads(want_text, 0, NULL), *full, *have, *ctx;
  char *text;

  cr_assert_not_null(want);
  /* Batches 30..39 of epoch 4 all show batch 30 (stride 10). */
  for (long g = 3 * 46 + 30; g <= 3 * 46 + 39; g++) {
    at(&t, NULL, after_batches(&t, g), &op);
    full = operation_to_json(&op);
    have = json_object_get(full, "progress");
    ctx = json_object_get(have, "context");
    drop_metric_values(json_object_get(ctx, "batch_metrics"));
    drop_metric_values(json_object_get(ctx, "epoch_metrics"));
    text = json_dumps(have, JSON_COMPACT);
    cr_expect(json_equal(have, want), "g=%ld: %s", g, text);
    free(text);
    json_decref(full);
  }
  json_decref(want);
  operation_release(&op);
}

struct throttle_row {
  long g;            /* batches done */
  const char *step;  /* what the bridge shows */
  long steps_completed;
};

static const struct throttle_row throttle_rows[] = {
  { 1, "Epoch 1/20 " DOT " Batch 1/46", 0 },
  { 9, "Epoch 1/20 " DOT " Batch 1/46", 0 },
  { 10, "Epoch 1/20 " DOT " Batch 10/46", 0 },
  { 44, "Epoch 1/20 " DOT " Batch 40/46", 0 },
  { 45, "Epoch 1/20 " DOT " Batch 45/46", 0 },
  { 46, "Epoch 1/20 " DOT " Batch 46/46", 1 },
  { 47, "Epoch 2/20 " DOT " Batch 1/46", 1 },
  { 919, "Epoch 20/20 " DOT " Batch 45/46", 19 },
  { 920, "Epoch 20/20 " DOT " Batch 46/46", 20 },
};

Test(gen_training, batch_throttle_and_epoch_updates)
{
  struct gen_training t = contract_run();
  struct operation op = OPERATION_INIT;

  for (size_t i = 0; i < sizeof(throttle_rows) / sizeof(throttle_rows[0]); i++) {
    const struct throttle_row *r = &throttle_rows[i];

    at(&t, NULL, after_batches(&t, r->g), &op);
    cr_expect_str_eq(op.progress.current_step, r->step, "g=%ld", r->g);
    cr_expect_eq(op.progress.steps_completed, r->steps_completed, "g=%ld", r->g);
  }
  /* The end of epoch 1: the epoch update, with its metrics. */
  at(&t, NULL, after_batches(&t, 46), &op);
  cr_expect_str_eq(json_string_value(json_object_get(op.progress.context, "phase")), "epoch");
  cr_expect_eq(json_integer_value(json_object_get(json_object_get(op.progress.context,
                                                                  "epoch_metrics"), "epoch")), 0);
  cr_expect_eq(json_integer_value(json_object_get(op.progress.context, "batch_index")), 45);
  /* Batch N-1 reports batch_index = batch_number (the live quirk). */
  at(&t, NULL, after_batches(&t, 45), &op);
  cr_expect_eq(json_integer_value(json_object_get(op.progress.context, "batch_index")), 45);
  operation_release(&op);
}

Test(gen_training, before_the_first_batch_and_at_the_end)
{
  struct gen_training t = contract_run();
  struct operation op = OPERATION_INIT;

  at(&t, NULL, 0.0, &op);
  cr_expect_str_eq(op.progress.current_step, "Starting training");
  cr_expect_eq(op.progress.steps_total, 20);
  at(&t, NULL, 0.5, &op);
  cr_expect_str_eq(op.progress.current_step, "Preparing training environment");
  at(&t, NULL, 1.01, &op);
  cr_expect_str_eq(op.progress.current_step, "Loading market data", "no batch yet");
  at(&t, NULL, 1.0 + 60.0, &op);
  cr_expect_str_eq(op.progress.current_step, "Epoch 20/20 " DOT " Batch 46/46");
  cr_expect_float_eq(op.progress.percentage, 100.0, 1e-9);
  cr_expect_str_eq(json_string_value(json_object_get(op.progress.context, "phase")), "completed");
  cr_expect_str_eq(json_string_value(json_object_get(op.progress.context, "phase_name")),
                   "data_preparation", "the context accumulates");
  operation_release(&op);
}

Test(gen_training, gpu_suffix)
{
  struct gen_training t;
  char buf[160];

  gen_training_defaults(&t);
  t.epochs = 10;
  t.batches = 500;
  t.gpu_name = "NVIDIA RTX 4090";
  gen_training_render_local(&t, 5, 120, 85.0, buf, sizeof(buf));
  cr_expect_str_eq(buf, "Epoch 5/10 " DOT " Batch 120/500 " PC " NVIDIA RTX 4090: 85%");
  t.gpu_name = "";
  gen_training_render_local(&t, 5, 120, 84.6, buf, sizeof(buf));
  cr_expect_str_eq(buf, "Epoch 5/10 " DOT " Batch 120/500 " PC " GPU: 85%");
  t.gpu_util_lo = 70;
  t.gpu_util_hi = 90;
  for (long g = 0; g < 200; g++) {
    double u = gen_training_gpu_util(&t, g);

    cr_expect(u >= 70 && u <= 90, "g=%ld: %g", g, u);
  }
}

Test(gen_training, host_mode)
{
  struct gen_training t;
  struct operation op = OPERATION_INIT;

  gen_training_defaults(&t);
  t.host = true;
  t.epochs = 50;
  t.batches = 245;
  t.epoch_s = 2.0;
  /* Epoch 3 in progress, 120 batches into it. */
  at(&t, NULL, 2 * 2.0 + 120 * 2.0 / 245 + 1e-6, &op);
  cr_expect_str_eq(op.progress.current_step, "Epoch: 3/50, Batch: 120/245");
  cr_expect_float_eq(op.progress.percentage, 20 + 70 * 3.0 / 50, 1e-9);
  cr_expect_eq(op.progress.steps_completed, 3);
  cr_expect_eq(op.progress.items_processed, 3);
  cr_expect_eq(op.progress.steps_total, 50);
  cr_expect_eq(op.progress.items_total, 50);
  cr_expect_eq(json_object_size(op.progress.context), 0, "context {}");
  at(&t, NULL, 99.99, &op);
  cr_expect_float_eq(op.progress.percentage, 90.0, 1e-9, "at most 90");
  at(&t, NULL, 100.0, &op);
  cr_expect_str_eq(op.progress.current_step, "Training completed successfully");
  cr_expect_float_eq(op.progress.percentage, 100.0, 1e-9);
  cr_expect_eq(op.progress.steps_completed, 100);
  cr_expect_eq(op.progress.steps_total, 100);
  operation_release(&op);
}

static void expect_keys(const json_t *obj, const char *const *keys, const char *what)
{
  size_t n = 0;

  for (; keys[n]; n++)
    cr_expect_not_null(json_object_get(obj, keys[n]), "%s lacks %s", what, keys[n]);
  cr_expect_eq(json_object_size(obj), n, "%s has %zu keys", what, json_object_size(obj));
}

Test(gen_training, result_summary_of_section_3_7)
{
  static const char *const top[] = { "training_metrics", "validation_metrics", "test_metrics",
                                     "resource_usage", "artifacts", "session_info",
                                     "model_info", NULL };
  static const char *const training[] = { "final_train_loss", "final_val_loss",
                                          "final_train_accuracy", "final_val_accuracy",
                                          "epochs_completed", "early_stopped",
                                          "training_time_minutes", "best_epoch",
                                          "final_learning_rate", NULL };
  static const char *const host_usage[] = { "gpu_used", "gpu_name", "gpu_utilization_percent",
                                            "peak_memory_mb", "training_mode", NULL };
  struct gen_training t = contract_run();
  json_t *vars = json_pack("{s:s, s:[s,s], s:[s], s:s, s:s}", "strategy_name",
                           "trend_momentum", "symbols", "AAPL", "MSFT", "timeframes", "1h",
                           "start_date", "2024-01-01", "session_id", "sid-1");
  json_t *rs;

  t.test_metrics = json_pack("{s:f}", "test_loss", 0.87);
  rs = gen_training_result(&t, vars, "op_1");
  expect_keys(rs, top, "result_summary");
  expect_keys(json_object_get(rs, "training_metrics"), training, "training_metrics");
  cr_expect_str_eq(json_string_value(json_object_get(json_object_get(rs, "model_info"),
                                                     "architecture")),
                   "multi_symbol_mlp_2symbols");
  cr_expect_eq(json_integer_value(json_object_get(json_object_get(rs, "model_info"),
                                                  "model_size_bytes")), 1379 * 4);
  cr_expect_str_eq(json_string_value(json_object_get(json_object_get(rs, "session_info"),
                                                     "operation_id")), "op_1");
  json_decref(rs);
  t.host = true;
  t.gpu_name = "NVIDIA RTX 3090";
  rs = gen_training_result(&t, vars, "op_1");
  expect_keys(json_object_get(rs, "resource_usage"), host_usage, "host resource_usage");
  cr_expect_not_null(json_object_get(json_object_get(rs, "artifacts"), "download_url"));
  cr_expect_str_eq(json_string_value(json_object_get(json_object_get(rs, "session_info"),
                                                     "session_id")), "sid-1");
  json_decref(rs);
  json_decref(t.test_metrics);
  json_decref(vars);
}

/* ---- data load (§6.2) ----------------------------------------------------- */

struct load_row {
  double u;
  const char *step;
  double pct;
  long steps_completed, steps_total, items;
};

#define AT " (AAPL 1h, tail mode)"

static const struct load_row tail_rows[] = {
  { 0.0, "Starting data_load [0/100]", 0, 0, 100, 0 },
  { 0.1, "\xE2\x9A\xA1 Starting load_data_AAPL_1h" AT " [0/10]", 0, 0, 10, 0 },
  { 0.2, "\xE2\x9A\xA1 Starting load_data_AAPL_1h" AT " [2/10]", 2, 2, 10, 0 },
  { 0.9, "\xE2\x9A\xA1 Starting load_data_AAPL_1h" AT " [5/10]", 8, 5, 10, 0 },
  { 1.0, "\xE2\x9A\xA1 Starting load_data_AAPL_1h" AT " [6/10]", 10, 6, 10, 0 },
  { 1.2, "\xE2\x9A\xA1 Fetch 3 segments from IB: Segment 1/3: 2025-09-01 00:00 to 2025-09-15 "
         "00:00 (1/3)" AT, 10 + 86.0 / 3, 6, 10, 0 },
  { 2.3, "\xE2\x9A\xA1 Fetch 3 segments from IB: \xE2\x9C\x85 Loaded 500 bars from segment 1/3 "
         "(1/3) (500 items)" AT, 10 + 86.0 / 3, 6, 10, 500 },
  { 3.2, "\xE2\x9A\xA1 Fetch 3 segments from IB: Segment 2/3: 2025-09-15 00:00 to 2025-09-29 "
         "00:00 (2/3) (500 items)" AT, 10 + 172.0 / 3, 6, 10, 500 },
  { 7.2, "\xE2\x9A\xA1 Merge data sources: \xE2\x9C\x85 Loaded 500 bars from segment 3/3 (3/3) "
         "(1500 items)" AT, 96, 7, 10, 1500 },
  { 7.4, "\xE2\x9A\xA1 Save enhanced dataset: \xE2\x9C\x85 Loaded 500 bars from segment 3/3 "
         "(3/3) (1500 items)" AT, 98, 8, 10, 1500 },
  { 7.6, "\xE2\x9A\xA1 Data loading completed: \xE2\x9C\x85 Loaded 500 bars from segment 3/3 "
         "(3/3) (1500 items)" AT, 100, 9, 10, 1500 },
};

#define NTAIL (sizeof(tail_rows) / sizeof(tail_rows[0]))
static size_t tail_index[NTAIL];

ParameterizedTestParameters(gen_data_load, tail_sequence)
{
  for (size_t i = 0; i < NTAIL; i++)
    tail_index[i] = i;
  return cr_make_param_array(size_t, tail_index, NTAIL);
}

ParameterizedTest(size_t *i, gen_data_load, tail_sequence)
{
  const struct load_row *r = &tail_rows[*i];
  struct gen_data_load g;
  struct operation op = OPERATION_INIT;
  json_t *vars = json_pack("{s:s, s:s, s:s}", "symbol", "AAPL", "timeframe", "1h", "mode",
                           "tail");

  gen_data_load_defaults(&g);
  cr_expect_float_eq(gen_data_load_duration(&g, vars), 7.6, 1e-9);
  cr_assert_eq(gen_data_load_state_at(&g, vars, r->u, &op), 0);
  cr_expect_str_eq(op.progress.current_step, r->step, "u=%g", r->u);
  cr_expect_float_eq(op.progress.percentage, r->pct, 1e-9, "u=%g", r->u);
  cr_expect_eq(op.progress.steps_completed, r->steps_completed, "u=%g", r->u);
  cr_expect_eq(op.progress.steps_total, r->steps_total, "u=%g", r->u);
  cr_expect_eq(op.progress.items_processed, r->items, "u=%g", r->u);
  operation_release(&op);
  json_decref(vars);
}

Test(gen_data_load, local_mode_and_results)
{
  struct gen_data_load g;
  struct operation op = OPERATION_INIT;
  json_t *vars = json_pack("{s:s, s:s}", "symbol", "AAPL", "timeframe", "1d"), *rs;

  gen_data_load_defaults(&g);
  cr_expect_str_eq(gen_data_load_mode(&g, vars), "local", "the DataLoadRequest default");
  cr_assert_eq(gen_data_load_state_at(&g, vars, 0.25, &op), 0);
  cr_expect_str_eq(op.progress.current_step, "\xE2\x9A\xA1 Loading local data from cache "
                                             "(AAPL 1d, local mode) [1/5] - Reading AAPL 1d "
                                             "from local storage");
  cr_assert_eq(gen_data_load_state_at(&g, vars, gen_data_load_duration(&g, vars), &op), 0);
  cr_expect_str_eq(op.progress.current_step, "\xE2\x9A\xA1 Validating data quality (AAPL 1d, "
                                             "local mode) [5/5] - Checking 1500 data points "
                                             "for completeness and accuracy");
  rs = gen_data_load_result(&g, vars);
  cr_expect_str_eq(json_string_value(json_object_get(rs, "merged_file")), "AAPL_1d.csv");
  cr_expect_eq(json_integer_value(json_object_get(rs, "ib_requests_made")), 0);
  cr_expect_eq(json_integer_value(json_object_get(rs, "fetched_bars")), 1500);
  json_decref(rs);
  json_object_set_new(vars, "mode", json_string("tail"));
  rs = gen_data_load_result(&g, vars);
  cr_expect_eq(json_integer_value(json_object_get(rs, "ib_requests_made")), 3);
  cr_expect_eq(json_integer_value(json_object_get(rs, "segments_fetched")), 3);
  json_decref(rs);
  operation_release(&op);
  json_decref(vars);
}
