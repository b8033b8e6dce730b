/*
 * Playing a scenario (scenario_timeline.h): keyframes, generators, the
 * outcome, cancellation traits, faults and match rules, evaluated at exact
 * simulated times (pure functions, no server).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "builtins.h"
#include "dummy_task.h"
#include "expand.h"
#include "scenario_timeline.h"
#include "scenario_yaml.h"

#define SCENARIOS KTRDR_SOURCE_DIR "/scenarios"
#define FIXTURES KTRDR_TEST_DATA_DIR "/scenarios"

TestSuite(scenario_timeline, .timeout = 20);

static struct scenario *load(const char *path)
{
  struct scenario *sc = NULL;
  struct err err = ERR_INIT;

  cr_assert_eq(scenario_yaml_load_file(path, &sc, &err), 0, "%s", err.msg);
  return sc;
}

/* The operation at `t` (id "op_test"); *end_s gets the end when terminal. */
static void state(const struct timeline *tl, double t, struct operation *op, double *end_s)
{
  struct err err = ERR_INIT;
  double end = 0;

  operation_release(op);
  operation_set_str(&op->id, "op_test");
  cr_assert_eq(timeline_state_at(tl, t, op, &end, &err), 0, "%s", err.msg);
  if (end_s)
    *end_s = end;
}

static const char *ctx_str(const struct operation *op, const char *key)
{
  return json_string_value(json_object_get(op->progress.context, key));
}

Test(scenario_timeline, keyframes_set_fields_and_accumulate_context)
{
  struct scenario *sc = load(FIXTURES "/good/keyframes.yaml");
  struct operation op = OPERATION_INIT;
  struct timeline tl;
  double end = 0;

  cr_assert_eq(scenario_timeline_new(sc, json_pack("{s:s, s:s}", "symbol", "AAPL",
                                                   "strategy_name", "kf_x"), &tl, NULL), 0);
  state(&tl, 0.0, &op, &end);
  cr_expect_eq(op.status, OP_STATUS_PENDING);
  cr_expect_str_eq(op.progress.current_step, "Queued");
  cr_expect_eq(op.progress.steps_total, 4);
  cr_expect_str_eq(ctx_str(&op, "phase"), "queued");
  state(&tl, 1.0, &op, NULL);
  cr_expect_eq(op.status, OP_STATUS_RUNNING);
  cr_expect_float_eq(op.progress.percentage, 25.0, 1e-12);
  cr_expect_str_eq(op.progress.current_step, "Step 1 for AAPL");
  cr_expect_eq(op.progress.items_total, 40);
  cr_expect_str_eq(op.progress.current_item, "item 1");
  cr_expect_str_eq(ctx_str(&op, "operation"), "training", "keys accumulate");
  cr_expect_str_eq(json_string_value(json_array_get(op.warnings, 0)), "slow disk");
  state(&tl, 2.5, &op, NULL);
  cr_expect_float_eq(op.progress.percentage, 50.0, 1e-12);
  cr_expect_eq(op.progress.items_total, -1, "null");
  cr_expect_null(op.progress.current_item);
  cr_expect_str_eq(op.progress.current_step, "Step 1 for AAPL", "unchanged fields stay");
  cr_expect_str_eq(ctx_str(&op, "phase"), "two");
  cr_expect_not_null(json_object_get(op.progress.context, "extra"));
  state(&tl, 3.0, &op, NULL);
  cr_expect_eq(op.status, OP_STATUS_OTHER);
  cr_expect_str_eq(op.status_text, "resuming");
  state(&tl, 4.0, &op, &end);
  cr_expect_eq(op.status, OP_STATUS_COMPLETED);
  cr_expect_float_eq(end, 4.0, 1e-12);
  cr_expect_float_eq(op.progress.percentage, 100.0, 1e-12);
  cr_expect_str_eq(op.progress.current_step, "Resuming", "progress as it was at the end");
  cr_expect_eq(json_integer_value(json_object_get(op.result_summary, "answer")), 42);
  cr_expect_str_eq(json_string_value(json_object_get(op.result_summary, "who")), "kf_x");
  operation_release(&op);
  timeline_release(&tl);
  scenario_free(&sc);
}

/* The dummy generator inside a scenario is the dummy task itself. */
Test(scenario_timeline, dummy_default_plays_the_dummy_task)
{
  static const double times[] = { 0, 0.5, 2, 3.99, 100, 199.999, 200, 500 };
  struct dummy_task_params p = { 10, 5 };
  struct scenario *sc = NULL;
  struct timeline tl;

  cr_assert_eq(scenario_yaml_load_string("(built-in)", builtins[0], &sc, NULL), 0);
  cr_assert_eq(scenario_timeline_new(sc, json_pack("{s:f, s:i}", "duration", 10.0,
                                                   "iterations", 5), &tl, NULL), 0);
  for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
    struct operation a = OPERATION_INIT, b = OPERATION_INIT;
    double ea = 0, eb = 0;
    json_t *ja, *jb;

    state(&tl, times[i] / 20, &a, &ea);
    operation_set_str(&b.id, "op_test");
    cr_assert_eq(dummy_task_state_at(&p, times[i] / 20, &b, &eb, NULL), 0);
    ja = operation_to_json(&a);
    jb = operation_to_json(&b);
    cr_expect(json_equal(ja, jb), "t=%g", times[i] / 20);
    cr_expect_float_eq(ea, eb, 1e-12);
    json_decref(ja);
    json_decref(jb);
    operation_release(&a);
    operation_release(&b);
  }
  cr_expect_float_eq(scenario_timeline_end(sc, NULL), 200.0, 1e-12, "the defaults");
  timeline_release(&tl);
  scenario_free(&sc);
}

Test(scenario_timeline, a_failed_outcome_freezes_the_progress)
{
  struct scenario *sc = load(SCENARIOS "/training_fails_midway.yaml");
  struct operation before = OPERATION_INIT, at = OPERATION_INIT, later = OPERATION_INIT;
  struct timeline tl;
  double end = 0;

  cr_assert_eq(scenario_timeline_new(sc, json_pack("{s:s, s:s}", "symbol", "AAPL",
                                                   "timeframe", "1h"), &tl, NULL), 0);
  state(&tl, 9.49, &before, &end);
  cr_expect_eq(before.status, OP_STATUS_RUNNING);
  state(&tl, 9.5, &at, &end);
  cr_expect_eq(at.status, OP_STATUS_FAILED);
  cr_expect_float_eq(end, 9.5, 1e-12);
  cr_expect_str_eq(at.error_message,
                   "Training failed in epoch 5/10: loss became NaN for AAPL 1h (try a lower "
                   "learning rate)");
  cr_expect_null(at.result_summary);
  cr_expect(strncmp(at.progress.current_step, "Epoch 5/10", 10) == 0, "%s",
            at.progress.current_step);
  state(&tl, 60, &later, NULL);
  cr_expect_str_eq(later.progress.current_step, at.progress.current_step);
  cr_expect_float_eq(later.progress.percentage, at.progress.percentage, 1e-12);
  operation_release(&before);
  operation_release(&at);
  operation_release(&later);
  timeline_release(&tl);
  scenario_free(&sc);
}

Test(scenario_timeline, steps_after_a_generator_wait_for_it)
{
  static const char text[] = "name: t\noperation_type: dummy\ntimeline:\n"
                             "  - dummy: {duration: 10, iterations: 2}\n"
                             "  - after: 1\n    current_step: done and dusted\n"
                             "outcome: {status: running}\n";
  struct scenario *sc = NULL;
  struct operation op = OPERATION_INIT;
  struct timeline tl;

  cr_assert_eq(scenario_yaml_load_string("t.yaml", text, &sc, NULL), 0);
  /* The request's duration (4 s) moves the keyframe to 5 s. */
  cr_assert_eq(scenario_timeline_new(sc, json_pack("{s:f}", "duration", 4.0), &tl, NULL), 0);
  state(&tl, 4.99, &op, NULL);
  cr_expect_str_eq(op.progress.current_step, "Operation dummy_task completed [2/2] (100.0%)");
  state(&tl, 5.0, &op, NULL);
  cr_expect_str_eq(op.progress.current_step, "done and dusted");
  state(&tl, 1e6, &op, NULL);
  cr_expect_eq(op.status, OP_STATUS_RUNNING, "a running outcome never ends");
  cr_expect(isinf(scenario_timeline_end(sc, NULL)));
  operation_release(&op);
  timeline_release(&tl);
  scenario_free(&sc);
}

Test(scenario_timeline, traits_and_flip)
{
  struct scenario *sc = load(FIXTURES "/good/keyframes.yaml");
  struct scenario *gone = load(SCENARIOS "/vanishing_operation.yaml");
  struct scenario *flip = load(SCENARIOS "/dummy_cancel_flip.yaml");
  struct timeline tl, tv, tf;
  struct timeline_traits t;
  struct operation op = OPERATION_INIT;

  cr_assert_eq(scenario_timeline_new(sc, NULL, &tl, NULL), 0);
  timeline_traits(&tl, &t);
  cr_expect_eq(t.cancel, TIMELINE_CANCEL_FLIP);
  cr_expect_float_eq(t.cancel_delay_s, 1.5, 1e-12);
  cr_expect_lt(t.vanish_at_s, 0);
  state(&tl, 2, &op, NULL);
  cr_assert_eq(tl.ops->flip(tl.self, &op, NULL), 0);
  cr_expect_str_eq(op.progress.current_step, "Flipped");
  cr_expect_str_eq(json_string_value(json_object_get(op.result_summary, "status")), "cancelled");
  cr_assert_eq(scenario_timeline_new(gone, NULL, &tv, NULL), 0);
  timeline_traits(&tv, &t);
  cr_expect_float_eq(t.vanish_at_s, 5.0, 1e-12);
  /* The dummy's own flip: the live race's summary. */
  cr_assert_eq(scenario_timeline_new(flip, NULL, &tf, NULL), 0);
  state(&tf, 37, &op, NULL);
  cr_assert_eq(tf.ops->flip(tf.self, &op, NULL), 0);
  cr_expect_str_eq(op.progress.current_step, "Operation dummy_task completed [100/100] (100.0%)");
  cr_expect_eq(json_integer_value(json_object_get(op.result_summary, "iterations_completed")),
               18);
  cr_expect_str_eq(json_string_value(json_object_get(op.result_summary, "message")),
                   "Stopped after 18 iterations");
  operation_release(&op);
  timeline_release(&tl);
  timeline_release(&tv);
  timeline_release(&tf);
  scenario_free(&sc);
  scenario_free(&gone);
  scenario_free(&flip);
}

static bool fault(const struct scenario *sc, enum scenario_on on, long index, double t,
                  struct fault_hit *hit)
{
  fault_hit_release(hit);
  return scenario_fault_for(sc, on, index, t, "op_x", hit);
}

Test(scenario_timeline, faults_by_request_index_and_time)
{
  struct scenario *sc = load(FIXTURES "/good/keyframes.yaml");
  struct fault_hit hit = FAULT_HIT_INIT;

  cr_expect_not(fault(sc, SCENARIO_ON_GET, 1, 0, &hit));
  cr_assert(fault(sc, SCENARIO_ON_GET, 2, 0, &hit));
  cr_expect_eq(hit.action, FAULT_REPLY);
  cr_expect_eq(hit.status, 503);
  cr_expect_eq(hit.retry_after, 2);
  cr_expect_str_eq(hit.body, "{\"detail\":\"busy op_x\"}");
  cr_expect_not(fault(sc, SCENARIO_ON_GET, 3, 0, &hit));
  cr_expect(fault(sc, SCENARIO_ON_GET, 5, 0, &hit));
  cr_expect(fault(sc, SCENARIO_ON_GET, 1000, 0, &hit), "9- is open");
  cr_assert(fault(sc, SCENARIO_ON_GET, 3, 1.5, &hit), "the time window");
  cr_expect_eq(hit.action, FAULT_PASS);
  cr_expect_float_eq(hit.delay_s, 0.25, 1e-12);
  cr_expect_not(fault(sc, SCENARIO_ON_GET, 3, 2.0, &hit), "until is exclusive");
  cr_assert(fault(sc, SCENARIO_ON_CANCEL, 1, 0, &hit));
  cr_expect_eq(hit.action, FAULT_TRUNCATE);
  cr_assert(fault(sc, SCENARIO_ON_RESULTS, 7, 0, &hit));
  cr_expect_eq(hit.action, FAULT_DROP);
  cr_assert(fault(sc, SCENARIO_ON_START, 1, 0, &hit));
  cr_expect_str_eq(hit.body, "oops");
  cr_expect_not(fault(sc, SCENARIO_ON_START, 2, 0, &hit));
  fault_hit_release(&hit);
  scenario_free(&sc);
}

Test(scenario_timeline, match_rules)
{
  struct scenario *sc = load(FIXTURES "/good/keyframes.yaml");
  json_t *yes = json_pack("{s:s, s:{s:b}}", "strategy_name", "kf_alpha", "filters",
                          "trading_hours_only", 1);
  json_t *exact = json_pack("{s:s, s:{s:b}}", "strategy_name", "exact", "filters",
                            "trading_hours_only", 1);
  json_t *no_filter = json_pack("{s:s}", "strategy_name", "kf_alpha");
  json_t *other = json_pack("{s:s, s:{s:b}}", "strategy_name", "trend", "filters",
                            "trading_hours_only", 1);

  cr_expect(scenario_matches(sc, yes));
  cr_expect(scenario_matches(sc, exact));
  cr_expect_not(scenario_matches(sc, no_filter), "every rule must hold");
  cr_expect_not(scenario_matches(sc, other));
  cr_expect_not(scenario_matches(sc, NULL));
  json_decref(yes);
  json_decref(exact);
  json_decref(no_filter);
  json_decref(other);
  scenario_free(&sc);
}

Test(scenario_timeline, start_counts_and_fixed_responses)
{
  struct scenario *sc = load(SCENARIOS "/training_unknown_strategy.yaml");

  cr_expect_eq(scenario_count_start(sc), 1);
  cr_expect_eq(scenario_count_start(sc), 2);
  cr_expect(scenario_start_responds(sc, 2));
  scenario_reset_counts(sc);
  cr_expect_eq(scenario_count_start(sc), 1);
  scenario_free(&sc);
}

Test(scenario_timeline, placeholders)
{
  json_t *vars = json_pack("{s:s, s:[s,s], s:i, s:f, s:b}", "symbol", "AAPL", "symbols", "AAPL",
                           "MSFT", "n", 3, "x", 2.5, "flag", 1);
  char *s = expand_text("${symbol} ${symbols} ${n} ${x} ${flag} ${operation_id} ${nope} ${",
                        vars, "op_1");

  cr_expect_str_eq(s, "AAPL AAPL, MSFT 3 2.5 True op_1 ${nope} ${");
  free(s);
  s = expand_text("plain", NULL, NULL);
  cr_expect_str_eq(s, "plain");
  free(s);
  cr_expect_null(expand_text(NULL, vars, NULL));
  json_decref(vars);
}
