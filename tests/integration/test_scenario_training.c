/*
 * The shipped training scenarios, over HTTP on a manual clock: one Test per
 * scenario (timeline, outcome, the performance and results endpoints), and
 * a 20-epoch training driven to completion by clock advances.
 */
#include "test_scenario_helpers.h"

#define DOT "\xC2\xB7"

TestSuite(scenario_training, .init = scen_manual, .fini = scen_stop, .timeout = 60);

static json_t *fetch(struct tl_response *r, const char *fmt, const char *id, long status)
{
  char path[256];

  snprintf(path, sizeof(path), fmt, id);
  call(r, "GET", path, NULL);
  cr_assert_eq(r->status, status, "GET %s: %ld %s", path, r->status, r->body);
  return r->json;
}

Test(scenario_training, training_local)
{
  static const char *const phases[] = { "Starting training", "Preparing training environment",
                                        "Loading market data" };
  char *id = start_op("/trainings/start", NULL, TRAINING_BODY("trend_momentum"));
  struct tl_response r;
  json_t *op, *params;

  cr_expect(matches("^op_training_[0-9]{8}_[0-9]{6}_[0-9a-f]{8}$", id), "%s", id);
  for (size_t i = 0; i < 3; i++) {
    op = op_now(id);
    cr_expect_str_eq(step_of(op), phases[i]);
    cr_expect_eq(int_at(progress_of(op), "steps_total"), 20);
    json_decref(op);
    advance(0.3);
  }
  /* 1 s + 168 batches of 3/46 s: epoch 4, batch 30 (§3.6). */
  advance(0.1 + 168 * 3.0 / 46 + 1e-3);
  op = op_now(id);
  cr_expect_str_eq(step_of(op), "Epoch 4/20 " DOT " Batch 30/46");
  cr_expect_float_eq(json_real_value(json_object_get(progress_of(op), "percentage")),
                     18.26086956521739, 1e-12);
  params = json_object_get(json_object_get(op, "metadata"), "parameters");
  cr_expect_str_eq(str_at(params, "training_mode"), "local");
  cr_expect_eq(int_at(params, "epochs"), 20);
  cr_expect_str_eq(str_at(json_object_get(op, "metadata"), "start_date"), "2024-01-01T00:00:00");
  json_decref(op);
  fetch(&r, "/trainings/%s/performance", id, 404);
  tl_response_release(&r);
  advance(60);
  op = op_now(id);
  cr_expect_str_eq(str_at(op, "status"), "completed");
  cr_expect_str_eq(step_of(op), "Epoch 20/20 " DOT " Batch 46/46");
  cr_expect_str_eq(str_at(json_object_get(progress_of(op), "context"), "phase"), "completed");
  cr_expect_eq(int_at(json_object_get(json_object_get(op, "result_summary"), "training_metrics"),
                      "epochs_completed"), 20);
  json_decref(op);
  fetch(&r, "/trainings/%s/performance", id, 200);
  cr_expect_float_eq(json_real_value(json_object_get(json_object_get(r.json, "training_metrics"),
                                                     "final_val_accuracy")), 0.5488, 1e-9);
  tl_response_release(&r);
  fetch(&r, "/operations/%s/results", id, 200);
  cr_expect_str_eq(str_at(r.json, "status"), "completed");
  cr_expect_not_null(json_object_get(json_object_get(r.json, "results"), "model_info"));
  tl_response_release(&r);
  free(id);
}

/* The manual clock makes a 20-epoch run deterministic and fast. */
Test(scenario_training, twenty_epochs_in_milliseconds)
{
  char *id = start_op("/trainings/start", "training_local", TRAINING_BODY("trend_momentum"));
  int64_t t0 = timeutil_mono_us();
  double last = -1;
  long epochs_seen = 0;

  for (int i = 0; i <= 62; i++) {
    json_t *op = op_now(id), *p = progress_of(op);
    double pct = json_number_value(json_object_get(p, "percentage"));

    cr_expect_geq(pct, last, "percentage went back at step %d", i);
    last = pct;
    epochs_seen = int_at(p, "steps_completed");
    if (i == 62)
      cr_expect_str_eq(str_at(op, "status"), "completed");
    json_decref(op);
    advance(1.0);
  }
  cr_expect_eq(epochs_seen, 20);
  cr_expect_lt(timeutil_mono_us() - t0, 5000000, "took %lld us",
               (long long)(timeutil_mono_us() - t0));
  free(id);
}

Test(scenario_training, training_gpu)
{
  char *id = start_op("/trainings/start", NULL, TRAINING_BODY("momentum_gpu"));
  json_t *op, *usage;
  const char *step;

  advance(1 + 5 * 4 + 120 * 5.0 / 500 + 1e-3);
  op = op_now(id);
  step = step_of(op);
  cr_expect(matches("^Epoch 5/10 " DOT " Batch 120/500 \xF0\x9F\x96\xA5\xEF\xB8\x8F NVIDIA RTX "
                    "4090: (7[89]|8[0-9]|9[0-2])%$", step), "%s", step);
  usage = json_object_get(json_object_get(progress_of(op), "context"), "resource_usage");
  cr_expect(json_is_true(json_object_get(usage, "gpu_used")));
  cr_expect_str_eq(str_at(usage, "gpu_name"), "NVIDIA RTX 4090");
  cr_expect(json_is_number(json_object_get(usage, "gpu_utilization_percent")));
  json_decref(op);
  advance(60);
  op = op_now(id);
  cr_expect_str_eq(str_at(op, "status"), "completed");
  usage = json_object_get(json_object_get(op, "result_summary"), "resource_usage");
  cr_expect(json_is_true(json_object_get(usage, "gpu_used")));
  cr_expect_eq(int_at(usage, "peak_memory_mb"), 18432, "the scenario's result_summary merged in");
  json_decref(op);
  free(id);
}

Test(scenario_training, training_host)
{
  char *id = start_op("/trainings/start", NULL, TRAINING_BODY("trend_host"));
  json_t *op, *params, *p;
  char line[96];

  op = op_now(id);
  params = json_object_get(json_object_get(op, "metadata"), "parameters");
  cr_expect_str_eq(str_at(params, "training_mode"), "host_service");
  cr_expect(json_is_true(json_object_get(params, "use_host_service")));
  cr_expect(matches("^[0-9a-f]{8}-[0-9a-f]{4}-4", str_at(params, "session_id")), "%s",
            str_at(params, "session_id"));
  json_decref(op);
  advance(0.5);
  op = op_now(id);
  snprintf(line, sizeof(line), "Host session %s started for trend_host",
           str_at(json_object_get(json_object_get(op, "metadata"), "parameters"), "session_id"));
  cr_expect_str_eq(step_of(op), line);
  json_decref(op);
  advance(0.5 + 2 * 2.0 + 120 * 2.0 / 245 + 1e-3);
  op = op_now(id);
  p = progress_of(op);
  cr_expect_str_eq(step_of(op), "Epoch: 3/50, Batch: 120/245");
  cr_expect_float_eq(json_number_value(json_object_get(p, "percentage")), 24.2, 1e-9);
  cr_expect_eq(int_at(p, "steps_completed"), 3);
  cr_expect_eq(int_at(p, "items_total"), 50);
  cr_expect_eq(json_object_size(json_object_get(p, "context")), 0, "context {}");
  json_decref(op);
  advance(100);
  op = op_now(id);
  cr_expect_str_eq(str_at(op, "status"), "completed");
  cr_expect_str_eq(step_of(op), "Training completed successfully");
  cr_expect_eq(int_at(progress_of(op), "steps_total"), 100);
  cr_expect_str_eq(str_at(json_object_get(json_object_get(op, "result_summary"), "resource_usage"),
                          "training_mode"), "host");
  json_decref(op);
  free(id);
}

Test(scenario_training, training_fails_midway)
{
  char *id = start_op("/trainings/start", NULL, TRAINING_BODY("failing_momentum"));
  struct tl_response r;
  json_t *op;
  char detail[256];

  advance(9.49);
  op = op_now(id);
  cr_expect_str_eq(str_at(op, "status"), "running");
  json_decref(op);
  advance(0.01);
  op = op_now(id);
  cr_expect_str_eq(str_at(op, "status"), "failed");
  cr_expect_str_eq(str_at(op, "error_message"),
                   "Training failed in epoch 5/10: loss became NaN for AAPL 1h (try a lower "
                   "learning rate)");
  cr_expect(json_is_null(json_object_get(op, "result_summary")));
  cr_expect(strncmp(step_of(op), "Epoch 5/10 " DOT " Batch ", 17) == 0, "%s", step_of(op));
  json_decref(op);
  fetch(&r, "/trainings/%s/performance", id, 404);
  snprintf(detail, sizeof(detail), "Training task %s is not completed (status: failed)", id);
  expect_detail(r.json, detail);
  tl_response_release(&r);
  fetch(&r, "/operations/%s/results", id, 200);
  cr_expect(json_is_null(json_object_get(r.json, "results")));
  tl_response_release(&r);
  free(id);
}

Test(scenario_training, training_unknown_strategy)
{
  struct tl_response r, list;
  struct journal_entry *e;
  struct journal_filter f = { .method = "POST" };
  size_t n;

  expect_detail(expect_h(&r, "POST", "/trainings/start", TRAINING_BODY("unknown_strategy"), NULL,
                         400),
                "Strategy file not found: unknown_strategy.yaml (searched: /app/strategies, "
                "strategies)");
  tl_response_release(&r);
  expect_h(&r, "POST", "/trainings/start", TRAINING_BODY("trend"), "training_unknown_strategy",
           400);
  tl_response_release(&r);
  cr_expect_eq(int_at(expect(&list, "GET", "/operations", NULL, 200), "total_count"), 0,
               "no operation was created");
  tl_response_release(&list);
  n = journal_snapshot(mock_server_journal(tl_mock), &f, &e, NULL);
  cr_assert_eq(n, 2);
  cr_expect_eq(e[0].status, 400);
  cr_expect_null(e[0].operation_id);
  journal_entries_free(e, n);
}
