/*
 * Observations → recorded scenario (record_scenario.h): identical polls
 * collapse, changes land at the midpoint between two polls, context keys
 * accumulate (and removals are told in a comment), anomalies become fault
 * ranges, cancel modes are inferred from what followed the cancel, starts
 * without an operation become `start`, the performance body is kept. Every
 * output is loaded back with the project's scenario loader.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "record_scenario.h"
#include "scenario_yaml.h"
#include "testlib.h"

#define ID "op_dummy_20231114_221320_1a2b3c4d"

TestSuite(record_scenario, .timeout = 20);

static struct record_op op;
static char *text;

static void answer_init(struct record_answer *a, enum record_kind kind, double t, int status,
                        const char *body)
{
  *a = (struct record_answer)RECORD_ANSWER_INIT;
  a->kind = kind;
  a->t = t;
  a->took = 0.002;
  a->status = status;
  a->json = body ? json_loads(body, JSON_DECODE_ANY, NULL) : NULL;
  if (body && !a->json)
    a->raw = strdup(body);
}

static void begin(const char *id)
{
  memset(&op, 0, sizeof(op));
  op.name = strdup(id ? "rec_" ID : "rec_start_training_20231114_221320_1");
  op.id = id ? strdup(id) : NULL;
  op.type = strdup(id ? "dummy" : "training");
  op.method = strdup("POST");
  op.path = strdup(id ? "/api/v1/dummy/start" : "/api/v1/trainings/start");
  op.wall_us = 1700000000LL * 1000000;
  answer_init(&op.start, RECORD_START, 0, 200,
              "{\"success\":true,\"data\":{\"operation_id\":\"" ID "\"}}");
  text = NULL;
}

static struct record_answer *add(enum record_kind kind, double t, int status, const char *body)
{
  if (op.nanswers == op.cap) {
    op.cap = op.cap ? op.cap * 2 : 8;
    op.answers = realloc(op.answers, op.cap * sizeof(*op.answers));
  }
  answer_init(&op.answers[op.nanswers], kind, t, status, body);
  return &op.answers[op.nanswers++];
}

/* A poll answer showing `data` (an OperationInfo's JSON members). */
static void get(double t, const char *data)
{
  char body[2048];

  snprintf(body, sizeof(body), "{\"success\":true,\"data\":{\"operation_id\":\"" ID "\",%s}}",
           data);
  cr_assert_not_null(add(RECORD_GET, t, 200, body)->json, "bad test JSON: %s", body);
}

#define RUNNING(step, ctx)                                                               \
  "\"status\":\"running\",\"progress\":{\"percentage\":10.0,\"current_step\":\"" step   \
  "\",\"context\":" ctx "}"

static struct scenario *load(void)
{
  struct record_meta meta = { "http://127.0.0.1:8000/api/v1", "ktrdr-mock test" };
  struct buf b = BUF_INIT;
  struct scenario *sc = NULL;
  struct err err = ERR_INIT;

  cr_assert_eq(record_scenario_render(&op, &meta, &b), 0);
  text = buf_detach(&b);
  cr_assert_eq(scenario_yaml_load_string("recorded.yaml", text, &sc, &err), 0, "%s\n%s",
               err.msg, text);
  return sc;
}

static void end(struct scenario **sc)
{
  scenario_free(sc);
  record_op_release(&op);
  free(text);
}

static bool near(double a, double b)
{
  return fabs(a - b) < 1e-9;
}

/* ---- the timeline ---------------------------------------------------------- */

Test(record_scenario, identical_polls_collapse_and_changes_land_midway)
{
  struct scenario *sc;

  begin(ID);
  get(0.3, RUNNING("a", "{}"));
  get(0.6, RUNNING("a", "{}"));
  get(0.9, RUNNING("b", "{}"));
  get(1.2, RUNNING("b", "{}"));
  get(1.5, "\"status\":\"completed\",\"progress\":{\"percentage\":100.0,\"current_step\":\"b\","
           "\"context\":{}},\"result_summary\":{\"status\":\"success\",\"n\":3}");
  sc = load();
  cr_assert_eq(sc->nsteps, 3, "%s", text);
  cr_expect(sc->steps[0].absolute && near(sc->steps[0].at, 0));
  cr_expect_str_eq(sc->steps[0].kf.current_step, "a");
  cr_expect_str_eq(sc->steps[0].kf.status, "running");
  cr_expect(near(sc->steps[1].at, 0.75), "at %g", sc->steps[1].at);
  cr_expect_str_eq(sc->steps[1].kf.current_step, "b");
  cr_expect_eq(sc->steps[1].kf.fields, SCENARIO_F_CURRENT_STEP, "only what changed");
  cr_expect(near(sc->steps[2].at, 1.35));
  cr_expect_eq(sc->steps[2].kf.fields, SCENARIO_F_PERCENTAGE);
  cr_expect_eq(sc->outcome.status, SCENARIO_COMPLETED);
  cr_expect(sc->outcome.has_at && near(sc->outcome.at, 1.35));
  cr_expect_eq(json_integer_value(json_object_get(sc->outcome.result_summary, "n")), 3);
  cr_expect_null(sc->match);
  cr_expect_not(sc->is_default);
  cr_expect_str_eq(sc->operation_type, "dummy");
  end(&sc);
}

Test(record_scenario, context_accumulates_and_removals_are_told)
{
  struct scenario *sc;
  json_t *want = json_pack("{s:i, s:[i,i]}", "b", 3, "c", 1, 2);

  begin(ID);
  get(0.3, RUNNING("a", "{\"a\":1,\"b\":2}"));
  get(0.6, RUNNING("a", "{\"a\":1,\"b\":3,\"c\":[1,2]}"));
  get(0.9, RUNNING("a", "{\"a\":1}"));
  sc = load();
  cr_assert_eq(sc->nsteps, 2, "%s", text);
  cr_expect(json_equal(sc->steps[1].kf.context, want), "%s", text);
  cr_expect(strstr(text, "# context key 'b' is gone"), "%s", text);
  cr_expect(strstr(text, "# context key 'c' is gone"), "%s", text);
  cr_expect_eq(sc->outcome.status, SCENARIO_RUNNING);
  json_decref(want);
  end(&sc);
}

Test(record_scenario, awkward_texts_survive)
{
  static const char *const steps[] = {
    "Epoch 5/10 \\u00b7 Batch 120/500 \\ud83d\\udda5\\ufe0f RTX 3090: 85%", "a # b",
    "say \\\"hi\\\"", "two\\nlines", "true", "[x]", "it's",
  };
  char data[512];
  struct scenario *sc;

  begin(ID);
  for (size_t i = 0; i < TL_N(steps); i++) {
    snprintf(data, sizeof(data), RUNNING("%s", "{\"%s\":\"%s\"}"), steps[i], steps[i], steps[i]);
    get(0.3 * (double)(i + 1), data);
  }
  sc = load();
  cr_assert_eq(sc->nsteps, TL_N(steps), "%s", text);
  cr_expect_str_eq(sc->steps[0].kf.current_step,
                   "Epoch 5/10 \xc2\xb7 Batch 120/500 \xf0\x9f\x96\xa5\xef\xb8\x8f RTX 3090: 85%");
  cr_expect_str_eq(sc->steps[1].kf.current_step, "a # b");
  cr_expect_str_eq(sc->steps[2].kf.current_step, "say \"hi\"");
  cr_expect_str_eq(sc->steps[3].kf.current_step, "two\nlines");
  cr_expect_str_eq(json_string_value(json_object_get(sc->steps[3].kf.context, "two\nlines")),
                   "two\nlines");
  cr_expect_str_eq(sc->steps[4].kf.current_step, "true");
  cr_expect_str_eq(sc->steps[5].kf.current_step, "[x]");
  cr_expect_str_eq(sc->steps[6].kf.current_step, "it's");
  end(&sc);
}

Test(record_scenario, the_operation_id_becomes_a_placeholder)
{
  struct scenario *sc;

  begin(ID);
  get(0.3, RUNNING("working on " ID, "{\"id\":\"" ID "\"}"));
  get(0.6, "\"status\":\"failed\",\"progress\":{},\"error_message\":\"" ID " failed: NaN\"");
  sc = load();
  cr_expect_str_eq(sc->steps[0].kf.current_step, "working on ${operation_id}");
  /* context is not expanded by the mock: kept as it was */
  cr_expect_str_eq(json_string_value(json_object_get(sc->steps[0].kf.context, "id")), ID);
  cr_expect_eq(sc->outcome.status, SCENARIO_FAILED);
  cr_expect_str_eq(sc->outcome.error_message, "${operation_id} failed: NaN");
  cr_expect(near(sc->outcome.at, 0.45));
  end(&sc);
}

Test(record_scenario, trailing_404s_are_a_vanished_operation)
{
  struct scenario *sc;

  begin(ID);
  get(0.3, RUNNING("a", "{}"));
  add(RECORD_GET, 0.6, 404, "{\"detail\":\"Operation not found: " ID "\"}");
  get(0.9, RUNNING("a", "{}"));
  add(RECORD_GET, 1.2, 404, "{\"detail\":\"Operation not found: " ID "\"}");
  add(RECORD_GET, 1.5, 404, "{\"detail\":\"Operation not found: " ID "\"}");
  sc = load();
  cr_expect_eq(sc->outcome.status, SCENARIO_VANISHED, "%s", text);
  cr_expect(near(sc->outcome.at, 1.05), "at %g", sc->outcome.at);
  /* the 404 that a later answer contradicts was a fault */
  cr_assert_eq(sc->nfaults, 1, "%s", text);
  cr_expect_eq(sc->faults[0].on, SCENARIO_ON_GET);
  cr_expect_eq(sc->faults[0].ranges[0].from, 2);
  cr_expect_eq(sc->faults[0].ranges[0].to, 2);
  cr_expect_eq(sc->faults[0].hit.status, 404);
  cr_expect_str_eq(sc->faults[0].hit.body, "{\"detail\":\"Operation not found: ${operation_id}\"}");
  end(&sc);
}

/* ---- faults ------------------------------------------------------------- */

Test(record_scenario, anomalies_become_fault_ranges)
{
  struct scenario *sc;

  begin(ID);
  get(0.3, RUNNING("a", "{}"));
  for (int i = 2; i <= 10; i++) {
    if (i == 5 || i == 7)
      get(0.3 * i, RUNNING("a", "{}"));
    else if (i == 6)
      add(RECORD_GET, 0.3 * i, 200, "{\"success\": true, \"data\": {");
    else
      add(RECORD_GET, 0.3 * i, 503, "{\"detail\":\"Service Unavailable\"}")->retry_after = 1;
  }
  get(3.3, RUNNING("a", "{}"));
  add(RECORD_GET, 3.6, 200, NULL)->transfer = RECORD_TRUNCATED;
  add(RECORD_GET, 3.9, 0, NULL)->transfer = RECORD_DROPPED;
  get(4.2, RUNNING("a", "{}"));
  get(4.5, RUNNING("a", "{}"));
  op.answers[op.nanswers - 1].took = 0.52;
  get(4.8, RUNNING("a", "{}"));
  add(RECORD_CANCEL, 4.9, 500, "Internal Server Error")->took = 1.04;
  sc = load();
  cr_assert_eq(sc->nfaults, 6, "%s", text);
  cr_expect_eq(sc->faults[0].nranges, 2);
  cr_expect(sc->faults[0].ranges[0].from == 2 && sc->faults[0].ranges[0].to == 4);
  cr_expect(sc->faults[0].ranges[1].from == 8 && sc->faults[0].ranges[1].to == 10);
  cr_expect_eq(sc->faults[0].hit.status, 503);
  cr_expect_eq(sc->faults[0].hit.retry_after, 1);
  cr_expect_str_eq(sc->faults[0].hit.body, "{\"detail\":\"Service Unavailable\"}");
  cr_expect_eq(sc->faults[1].ranges[0].from, 6);
  cr_expect_eq(sc->faults[1].hit.action, FAULT_REPLY);
  cr_expect_str_eq(sc->faults[1].hit.body, "{\"success\": true, \"data\": {");
  cr_expect_eq(sc->faults[2].hit.action, FAULT_TRUNCATE);
  cr_expect_eq(sc->faults[2].ranges[0].from, 12);
  cr_expect_eq(sc->faults[3].hit.action, FAULT_DROP);
  cr_expect_eq(sc->faults[3].ranges[0].from, 13);
  cr_expect_eq(sc->faults[4].hit.action, FAULT_PASS);
  cr_expect(near(sc->faults[4].hit.delay_s, 0.5));
  cr_expect_eq(sc->faults[4].ranges[0].from, 15);
  cr_expect_eq(sc->faults[4].ranges[0].to, 15);
  cr_expect_eq(sc->faults[5].on, SCENARIO_ON_CANCEL);
  cr_expect_eq(sc->faults[5].ranges[0].to, LONG_MAX, "the last request: open-ended");
  cr_expect_str_eq(sc->faults[5].hit.body, "Internal Server Error");
  cr_expect(near(sc->faults[5].hit.delay_s, 1.0));
  end(&sc);
}

Test(record_scenario, a_run_to_the_last_request_is_open_ended)
{
  struct scenario *sc;

  begin(ID);
  get(0.3, RUNNING("a", "{}"));
  for (int i = 2; i <= 4; i++) {
    get(0.3 * i, RUNNING("a", "{}"));
    op.answers[op.nanswers - 1].took = 0.5;
  }
  sc = load();
  cr_assert_eq(sc->nfaults, 1, "%s", text);
  cr_expect_eq(sc->faults[0].ranges[0].from, 2);
  cr_expect_eq(sc->faults[0].ranges[0].to, LONG_MAX);
  end(&sc);
}

/* ---- cancel --------------------------------------------------------------- */

#define CANCELLED_BODY "{\"success\":true,\"data\":{\"operation_id\":\"" ID "\",\"status\":\"cancelled\"}}"
#define CANCELLED_STATE "\"status\":\"cancelled\",\"progress\":{\"percentage\":10.0}"

Test(record_scenario, cancelled_at_the_next_poll_is_immediate)
{
  struct scenario *sc;

  begin(ID);
  get(0.3, RUNNING("a", "{}"));
  add(RECORD_CANCEL, 0.5, 200, CANCELLED_BODY);
  get(0.51, CANCELLED_STATE);
  sc = load();
  cr_expect_eq(sc->cancel.mode, TIMELINE_CANCEL_NOW, "%s", text);
  cr_expect_eq(sc->outcome.status, SCENARIO_RUNNING);
  cr_expect(strstr(text, "# the cancel request sent at 0.500 s was answered 200"), "%s", text);
  end(&sc);
}

Test(record_scenario, cancelled_later_is_delayed)
{
  struct scenario *sc;

  begin(ID);
  get(0.3, RUNNING("a", "{}"));
  add(RECORD_CANCEL, 0.5, 200, CANCELLED_BODY);
  get(0.51, RUNNING("a", "{}"));
  get(0.9, RUNNING("b", "{}"));
  get(1.2, CANCELLED_STATE);
  sc = load();
  cr_expect_eq(sc->cancel.mode, TIMELINE_CANCEL_DELAYED, "%s", text);
  cr_expect(near(sc->cancel.delay_s, 0.55), "delay %g", sc->cancel.delay_s);
  cr_expect_eq(sc->nsteps, 2, "the steps after the cancel are kept");
  end(&sc);
}

Test(record_scenario, a_refusal_keeps_its_detail)
{
  struct scenario *sc;

  begin(ID);
  get(0.3, RUNNING("a", "{}"));
  add(RECORD_CANCEL, 0.5, 400, "{\"detail\":\"Operation " ID " cannot be cancelled "
                               "(status: OperationStatus.RUNNING)\"}");
  get(0.51, RUNNING("a", "{}"));
  sc = load();
  cr_expect_eq(sc->cancel.mode, TIMELINE_CANCEL_REFUSED, "%s", text);
  cr_expect_str_eq(sc->cancel.refusal,
                   "Operation ${operation_id} cannot be cancelled (status: OperationStatus.RUNNING)");
  end(&sc);
}

Test(record_scenario, a_400_for_a_finished_operation_is_no_refusal)
{
  struct scenario *sc;

  begin(ID);
  get(0.3, "\"status\":\"completed\",\"progress\":{}");
  add(RECORD_CANCEL, 0.5, 400, "{\"detail\":\"cannot be cancelled (COMPLETED)\"}");
  sc = load();
  cr_expect_eq(sc->cancel.mode, TIMELINE_CANCEL_NOW, "no cancel section: %s", text);
  cr_expect_null(strstr(text, "cancel:"));
  end(&sc);
}

Test(record_scenario, running_on_to_the_end_is_ignored)
{
  struct scenario *sc;

  begin(ID);
  get(0.3, RUNNING("a", "{}"));
  add(RECORD_CANCEL, 0.5, 200, CANCELLED_BODY);
  get(0.51, RUNNING("a", "{}"));
  get(0.9, "\"status\":\"completed\",\"progress\":{\"percentage\":100.0}");
  sc = load();
  cr_expect_eq(sc->cancel.mode, TIMELINE_CANCEL_IGNORED, "%s", text);
  cr_expect_eq(sc->outcome.status, SCENARIO_COMPLETED);
  end(&sc);
}

Test(record_scenario, cancelled_then_completed_is_a_flip)
{
  struct scenario *sc;

  begin(ID);
  get(0.3, RUNNING("a", "{}"));
  add(RECORD_CANCEL, 0.5, 200, CANCELLED_BODY);
  get(0.51, CANCELLED_STATE);
  get(0.9, CANCELLED_STATE);
  get(1.5, "\"status\":\"completed\",\"progress\":{\"percentage\":100.0,\"current_step\":"
           "\"Operation dummy_task completed [10/10] (100.0%)\"},\"result_summary\":"
           "{\"status\":\"cancelled\",\"iterations_completed\":3}");
  sc = load();
  cr_expect_eq(sc->cancel.mode, TIMELINE_CANCEL_FLIP, "%s", text);
  cr_expect(near(sc->cancel.delay_s, 0.7), "delay %g", sc->cancel.delay_s);
  cr_expect_str_eq(sc->cancel.current_step, "Operation dummy_task completed [10/10] (100.0%)");
  cr_expect_eq(json_integer_value(json_object_get(sc->cancel.result_summary,
                                                  "iterations_completed")), 3);
  cr_expect_eq(sc->outcome.status, SCENARIO_RUNNING);
  end(&sc);
}

/* ---- starts and results ---------------------------------------------------- */

Test(record_scenario, a_refused_start_is_a_start_answer)
{
  struct scenario *sc;

  begin(NULL);
  record_answer_release(&op.start);
  answer_init(&op.start, RECORD_START, 0, 400,
              "{\"detail\":\"Strategy file not found: x.yaml (searched: /app/strategies)\"}");
  sc = load();
  cr_expect_str_eq(sc->name, "rec_start_training_20231114_221320_1");
  cr_expect_str_eq(sc->operation_type, "training");
  cr_expect_eq(sc->start.status, 400);
  cr_expect_str_eq(sc->start.detail, "Strategy file not found: x.yaml (searched: /app/strategies)");
  cr_expect_eq(sc->start.times, 0, "every start");
  cr_expect_eq(sc->nsteps, 0);
  cr_expect(strstr(text, "# started by POST /api/v1/trainings/start"), "%s", text);
  end(&sc);
}

Test(record_scenario, a_start_that_is_not_json_is_a_start_fault)
{
  struct scenario *sc;

  begin(NULL);
  record_answer_release(&op.start);
  answer_init(&op.start, RECORD_START, 0, 502, "<html>Bad Gateway</html>");
  sc = load();
  cr_expect_eq(sc->start.status, 0);
  cr_assert_eq(sc->nfaults, 1, "%s", text);
  cr_expect_eq(sc->faults[0].on, SCENARIO_ON_START);
  cr_expect_eq(sc->faults[0].nranges, 0, "every start");
  cr_expect_eq(sc->faults[0].hit.status, 502);
  cr_expect_str_eq(sc->faults[0].hit.body, "<html>Bad Gateway</html>");
  end(&sc);
}

Test(record_scenario, retried_starts_fold_into_the_operation)
{
  struct scenario *sc;

  begin(ID);
  op.refused = calloc(1, sizeof(*op.refused));
  op.nrefused = 1;
  answer_init(&op.refused[0], RECORD_START, 0, 503, "{\"detail\":\"Service Unavailable\"}");
  op.refused[0].retry_after = 1;
  op.start.took = 1.02;
  get(0.3, RUNNING("a", "{}"));
  sc = load();
  cr_expect_eq(sc->start.status, 503, "%s", text);
  cr_expect_eq(sc->start.times, 1);
  cr_expect_eq(sc->start.retry_after, 1);
  cr_assert_eq(sc->nfaults, 1, "%s", text);
  cr_expect_eq(sc->faults[0].on, SCENARIO_ON_START);
  cr_expect_eq(sc->faults[0].ranges[0].from, 2);
  cr_expect_eq(sc->faults[0].hit.action, FAULT_PASS);
  cr_expect(near(sc->faults[0].hit.delay_s, 1.0));
  end(&sc);
}

Test(record_scenario, the_performance_body_is_kept)
{
  struct scenario *sc;
  struct record_answer *a;

  begin(ID);
  get(0.3, RUNNING("a", "{}"));
  get(0.6, "\"status\":\"completed\",\"progress\":{},\"result_summary\":{\"x\":1}");
  a = add(RECORD_RESULTS, 0.7, 200, "{\"success\":true,\"task_id\":\"" ID "\","
                                    "\"training_metrics\":{\"final_train_loss\":0.8123}}");
  a->performance = true;
  sc = load();
  cr_assert_not_null(sc->outcome.performance, "%s", text);
  cr_expect_str_eq(json_string_value(json_object_get(sc->outcome.performance, "task_id")),
                   "${operation_id}");
  cr_expect(near(json_real_value(json_object_get(
                     json_object_get(sc->outcome.performance, "training_metrics"),
                     "final_train_loss")), 0.8123));
  cr_expect_eq(sc->nfaults, 0, "a natural answer is no fault: %s", text);
  end(&sc);
}

Test(record_scenario, the_header_says_where_and_when)
{
  static const char want[] = "# Recorded by ktrdr-mock test record\n"
                             "# from http://127.0.0.1:8000/api/v1\n"
                             "# at 2023-11-14T22:13:20Z\n"
                             "# started by POST /api/v1/dummy/start\n";
  struct scenario *sc;

  begin(ID);
  get(0.3, RUNNING("a", "{}"));
  sc = load();
  cr_expect(strncmp(text, want, strlen(want)) == 0, "%s", text);
  cr_expect_str_eq(sc->description, "Recorded from 127.0.0.1:8000 at 2023-11-14T22:13:20Z");
  cr_expect_str_eq(sc->name, "rec_" ID);
  end(&sc);
}
