/*
 * The client's fault matrix (the reliability issue): for each way the API
 * can misbehave, the user sees a clear message naming what failed and the
 * operation, the documented exit code, and no hang past the stated bound.
 * Faults come from the mock's fault queue; outages from a TCP relay that the
 * test takes down and brings back (tests/testlib/proxy.h).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#include <string.h>
#include <time.h>

#include "adapter_dummy.h"
#include "executor.h"
#include "exitcode.h"
#include "faults.h"
#include "proxy.h"
#include "run.h"
#include "testlib.h"
#include "timeutil.h"

static struct tl_proxy *proxy;
static char proxy_url[64];

static void setup(void)
{
  tl_mock_start(10.0);
  proxy = tl_proxy_start(mock_server_port(tl_mock));
  cr_assert_not_null(proxy);
  snprintf(proxy_url, sizeof(proxy_url), "http://127.0.0.1:%u/api/v1", tl_proxy_port(proxy));
}

static void teardown(void)
{
  tl_proxy_stop(&proxy);
  tl_mock_stop();
}

TestSuite(client_faults, .init = setup, .fini = teardown, .timeout = 60);


static const char *err_text(struct tl_run *r)
{
  return tl_capture_text(&r->err);
}

static void fault_add(struct fault_spec f)
{
  struct err err = ERR_INIT;

  cr_assert_eq(mock_server_add_fault(tl_mock, &f, &err), 0, "%s", err.msg);
}

static void fault(const char *method, const char *prefix, int status, int count, const char *body)
{
  fault_add((struct fault_spec){ .method = method, .path_prefix = prefix, .status = status,
                                 .count = count, .retry_after = -1, .body = body });
}

/* ---- outages through the relay ----------------------------------------- */

struct outage {
  pthread_t thread;
  int after_polls;
  int down_ms;      /* how long the API stays dead; < 0 = for good */
};

static void *outage_main(void *arg)
{
  struct outage *o = arg;
  struct journal_filter f = { .method = "GET", .path_prefix = "/api/v1/operations/" };
  struct timespec t = { o->down_ms / 1000, (o->down_ms % 1000) * 1000000L };

  if (journal_wait(mock_server_journal(tl_mock), &f, (size_t)o->after_polls, 10000) <
      (size_t)o->after_polls)
    return NULL;
  tl_proxy_down(proxy);
  if (o->down_ms >= 0) {
    nanosleep(&t, NULL); /* the length of the outage itself, not a wait for a condition */
    tl_proxy_up(proxy);
  }
  return NULL;
}

Test(client_faults, api_dies_during_polling_and_comes_back)
{
  struct outage o = { .after_polls = 2, .down_ms = 1200 };
  struct tl_run r;

  tl_run_init(&r, proxy_url);
  pthread_create(&o.thread, NULL, outage_main, &o);
  tl_run_dummy(&r, 40, 4);
  pthread_join(o.thread, NULL);
  cr_assert_eq(r.res.outcome, EXEC_COMPLETED, "%s", err_text(&r));
  cr_expect_eq(r.code, 0);
  cr_expect(strstr(err_text(&r), "Connection trouble ("), "%s", err_text(&r));
  cr_expect(strstr(err_text(&r), "Connection restored"), "%s", err_text(&r));
  tl_run_release(&r);
}

Test(client_faults, api_dies_and_stays_down_ends_within_the_bound)
{
  struct outage o = { .after_polls = 2, .down_ms = -1 };
  struct tl_run r;

  tl_run_init(&r, proxy_url);
  r.cfg.outage_ms = 1500;
  pthread_create(&o.thread, NULL, outage_main, &o);
  tl_run_dummy(&r, 200, 100);
  pthread_join(o.thread, NULL);
  cr_assert_eq(r.res.outcome, EXEC_API_ERROR, "%s", err_text(&r));
  cr_expect_eq(r.code, EXITCODE_API);
  cr_expect(strstr(err_text(&r), r.res.op_id), "no operation id: %s", err_text(&r));
  cr_expect(strstr(err_text(&r), "ktrdr operations status "), "%s", err_text(&r));
  if (tl_timing_strict())
    cr_expect_lt(r.ended_us - r.started_us, 1500000 + 5500000 + 1000000);
  tl_run_release(&r);
}

struct resetter {
  pthread_t thread;
  volatile int stop;
};

static void *reset_main(void *arg)
{
  struct resetter *rs = arg;
  struct timespec t = { 0, 40 * 1000000L };
  struct journal_filter f = { .method = "GET", .path_prefix = "/api/v1/operations/" };

  /* Only once polling has begun: a start request cut in flight is, rightly,
   * not repeated (the server may have acted on it). */
  journal_wait(mock_server_journal(tl_mock), &f, 1, 10000);
  while (!rs->stop) {
    tl_proxy_reset(proxy);
    nanosleep(&t, NULL); /* the reset rate, not a wait */
  }
  return NULL;
}

Test(client_faults, connections_reset_again_and_again)
{
  struct resetter rs = { 0 };
  struct tl_run r;

  tl_run_init(&r, proxy_url);
  pthread_create(&rs.thread, NULL, reset_main, &rs);
  tl_run_dummy(&r, 20, 4);
  rs.stop = 1;
  pthread_join(rs.thread, NULL);
  cr_assert_eq(r.res.outcome, EXEC_COMPLETED, "%s", err_text(&r));
  tl_run_release(&r);
}

/* ---- bad answers --------------------------------------------------------- */

Test(client_faults, malformed_json_is_retried)
{
  struct tl_run r;

  fault("GET", "/api/v1/operations/", 200, 2, "{\"success\": true, \"data\": {");
  tl_run_init(&r, proxy_url);
  tl_run_dummy(&r, 10, 2);
  cr_assert_eq(r.res.outcome, EXEC_COMPLETED, "%s", err_text(&r));
  cr_expect(strstr(err_text(&r), "the status response is not valid JSON"), "%s", err_text(&r));
  tl_run_release(&r);
}

Test(client_faults, success_false_while_polling_is_retried)
{
  struct tl_run r;

  fault("GET", "/api/v1/operations/", 200, 2,
        "{\"success\":false,\"error\":{\"code\":\"OPERATIONS-GetStatusError\","
        "\"message\":\"Failed to get operation status\"}}");
  tl_run_init(&r, proxy_url);
  tl_run_dummy(&r, 10, 2);
  cr_assert_eq(r.res.outcome, EXEC_COMPLETED, "%s", err_text(&r));
  cr_expect(strstr(err_text(&r), "Failed to get operation status"), "%s", err_text(&r));
  tl_run_release(&r);
}

Test(client_faults, success_false_at_start_is_shown)
{
  struct tl_run r;

  fault("POST", "/api/v1/dummy/start", 200, 1,
        "{\"success\":false,\"data\":null,\"error\":{\"code\":\"DUMMY-001\","
        "\"message\":\"Failed to start: worker pool exhausted\"}}");
  tl_run_init(&r, proxy_url);
  tl_run_dummy(&r, 10, 2);
  cr_assert_eq(r.res.outcome, EXEC_API_ERROR);
  cr_expect_eq(r.code, EXITCODE_API);
  cr_expect(strstr(err_text(&r), "Failed to start: worker pool exhausted"), "%s", err_text(&r));
  tl_run_release(&r);
}

static const char resuming[] =
    "{\"success\":true,\"data\":{\"operation_id\":\"op_x\",\"operation_type\":\"dummy\","
    "\"status\":\"resuming\",\"progress\":{\"percentage\":12.0,\"current_step\":\"Resuming from "
    "checkpoint\"}}}";

Test(client_faults, unknown_status_is_not_terminal)
{
  struct tl_run r;

  fault("GET", "/api/v1/operations/", 200, 3, resuming);
  tl_run_init(&r, proxy_url);
  tl_run_dummy(&r, 10, 2);
  cr_assert_eq(r.res.outcome, EXEC_COMPLETED, "%s", err_text(&r));
  cr_expect(strstr(err_text(&r), "Status: resuming - Resuming from checkpoint"), "%s",
            err_text(&r));
  tl_run_release(&r);
}

Test(client_faults, huge_context_is_handled)
{
  struct buf body = BUF_INIT;
  struct tl_run r;

  buf_appendf(&body, "{\"success\":true,\"data\":{\"operation_id\":\"op_x\",\"status\":\"running\","
                     "\"progress\":{\"percentage\":5,\"current_step\":\"big\",\"context\":{");
  for (int i = 0; i < 20000; i++)
    buf_appendf(&body, "%s\"key_%d\":\"%0100d\"", i ? "," : "", i, i);
  buf_appendf(&body, "}}}}");
  fault("GET", "/api/v1/operations/", 200, 1, buf_cstr(&body));
  tl_run_init(&r, proxy_url);
  tl_run_dummy(&r, 10, 2);
  cr_assert_eq(r.res.outcome, EXEC_COMPLETED, "%s", err_text(&r));
  cr_expect(strstr(err_text(&r), "Status: running - big"));
  buf_release(&body);
  tl_run_release(&r);
}

Test(client_faults, non_utf8_bytes_in_current_step_are_replaced)
{
  struct tl_run r;

  fault("GET", "/api/v1/operations/", 200, 1,
        "{\"success\":true,\"data\":{\"operation_id\":\"op_x\",\"status\":\"running\","
        "\"progress\":{\"percentage\":5,\"current_step\":\"bad \xff\xfe bytes \xc3\"}}}");
  tl_run_init(&r, proxy_url);
  tl_run_dummy(&r, 10, 2);
  cr_assert_eq(r.res.outcome, EXEC_COMPLETED, "%s", err_text(&r));
  cr_expect(strstr(err_text(&r), "Status: running - bad ?? bytes ?"), "%s", err_text(&r));
  tl_run_release(&r);
}

static void fault_action(const char *method, enum fault_action action, double delay_s, int count)
{
  fault_add((struct fault_spec){ .method = method, .path_prefix = "/api/v1/operations/",
                                 .status = 503, .count = count, .retry_after = -1,
                                 .action = action, .delay_s = delay_s });
}

Test(client_faults, a_response_slower_than_the_request_timeout_is_retried)
{
  struct tl_run r;

  fault_action("GET", FAULT_PASS, 2.0, 1);
  tl_run_init(&r, proxy_url);
  r.cfg.request_timeout_ms = 500;
  tl_run_dummy(&r, 20, 2);
  cr_assert_eq(r.res.outcome, EXEC_COMPLETED, "%s", err_text(&r));
  cr_expect(strstr(err_text(&r), "Connection trouble (Timeout was reached"), "%s", err_text(&r));
  tl_run_release(&r);
}

Test(client_faults, truncated_and_dropped_answers_are_retried)
{
  struct tl_run r;

  fault_action("GET", FAULT_TRUNCATE, 0, 2);
  fault_action("GET", FAULT_DROP, 0, 2);
  tl_run_init(&r, proxy_url);
  tl_run_dummy(&r, 20, 2);
  cr_assert_eq(r.res.outcome, EXEC_COMPLETED, "%s", err_text(&r));
  cr_expect(strstr(err_text(&r), "Connection trouble ("), "%s", err_text(&r));
  tl_run_release(&r);
}

/* ---- cancellation ------------------------------------------------------ */

/* Ctrl+C after that many polls (through the relay, as the mock saw them). */
#define CTRL_C_AFTER(n) { .filter = { .method = "GET", .path_prefix = "/api/v1/operations/" }, \
                          .count = (n) }

Test(client_faults, cancel_refused_while_running_says_so)
{
  struct tl_sigint it = CTRL_C_AFTER(2);
  struct tl_run r;

  fault("DELETE", "/api/v1/operations/", 400, 1,
        "{\"detail\":\"Operation is in a critical section and cannot be cancelled\"}");
  tl_run_init(&r, proxy_url);
  tl_sigint_start(&it);
  tl_run_dummy(&r, 200, 100);
  tl_sigint_join(&it);
  cr_assert_eq(r.res.outcome, EXEC_API_ERROR, "%s", err_text(&r));
  cr_expect_eq(r.code, EXITCODE_API);
  cr_expect(strstr(err_text(&r), "the server refused to cancel operation op_dummy_"), "%s",
            err_text(&r));
  cr_expect(strstr(err_text(&r), "critical section"), "%s", err_text(&r));
  cr_expect(strstr(err_text(&r), "still running"));
  tl_run_release(&r);
}

/* From now on the operation looks completed, and a cancel gets the live 400. */
static void finish_now(void)
{
  fault("DELETE", "/api/v1/operations/", 400, 1,
        "{\"detail\":\"Operation op_x cannot be cancelled (status: OperationStatus.COMPLETED)\"}");
  fault("GET", "/api/v1/operations/", 200, 100,
        "{\"success\":true,\"data\":{\"operation_id\":\"op_x\",\"operation_type\":\"dummy\","
        "\"status\":\"completed\",\"progress\":{\"percentage\":100,\"steps_completed\":2,"
        "\"steps_total\":2},\"result_summary\":{\"iterations_completed\":2}}}");
}

Test(client_faults, cancel_after_completion_reports_the_completion)
{
  struct tl_sigint it = CTRL_C_AFTER(1);
  struct tl_run r;

  /* the DELETE gets the 400 of a finished operation and the next poll shows
   * it completed: the results are shown, exit 0 */
  tl_run_init(&r, proxy_url);
  r.cfg.poll_interval_ms = 5000; /* the SIGINT lands between two polls */
  it.before = finish_now;
  tl_sigint_start(&it);
  tl_run_dummy(&r, 200, 100);
  tl_sigint_join(&it);
  cr_expect(r.res.outcome == EXEC_COMPLETED, "%s: %s", exec_outcome_name(r.res.outcome),
            err_text(&r));
  cr_expect(strstr(tl_capture_text(&r.out), "Iterations: 2/2"), "%s", tl_capture_text(&r.out));
  tl_run_release(&r);
}
