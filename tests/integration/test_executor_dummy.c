/*
 * The executor with the dummy adapter against the in-process mock server.
 * Everything is asserted from what the user sees (captured stdout/stderr,
 * the outcome and its exit code) and from what the server received (its
 * journal, with CLOCK_MONOTONIC arrival times).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "adapter_dummy.h"
#include "executor.h"
#include "exitcode.h"
#include "run.h"
#include "testlib.h"
#include "timeutil.h"

/* The server runs simulated time 10x faster than real time, so a 5 s dummy
 * operation completes in half a second. The client's cadence is real time. */
#define SCALE 10.0

static void setup(void) { tl_mock_start(SCALE); }
static void teardown(void) { tl_mock_stop(); }

TestSuite(executor_dummy, .init = setup, .fini = teardown, .timeout = 60);


static size_t journal(const char *method, const char *path_prefix, struct journal_entry **e)
{
  struct journal_filter f = { .method = method, .path_prefix = path_prefix };

  return journal_snapshot(mock_server_journal(tl_mock), &f, e, NULL);
}

/* POSTs JSON to an admin endpoint and expects 2xx. */
static void admin(const char *method, const char *path, const char *body)
{
  struct tl_response resp;
  char *url;

  if (asprintf(&url, "http://127.0.0.1:%u%s", mock_server_port(tl_mock), path) < 0)
    cr_assert_fail("asprintf");
  cr_assert_eq(tl_http(method, url, body, NULL, &resp), 0, "%s %s", method, url);
  cr_assert(resp.status >= 200 && resp.status < 300, "%s %s -> %ld %s", method, path,
            resp.status, resp.body);
  tl_response_release(&resp);
  free(url);
}

/* ---- a helper thread that acts while the executor runs ------------------ */

struct actor {
  pthread_t thread;
  size_t after_polls;          /* wait for this many answered polls first */
  void (*act)(struct actor *a);
  char op_id[128];
  int64_t acted_us;
  int signals;                 /* SIGINTs to send (spaced by `gap_ms`) */
  int gap_ms;
};

static void *actor_main(void *arg)
{
  struct actor *a = arg;
  struct journal_filter f = { .method = "GET", .path_prefix = "/api/v1/operations/" };
  struct journal_entry *e = NULL;
  size_t n = journal_wait(mock_server_journal(tl_mock), &f, a->after_polls, 20000);

  if (n >= a->after_polls && journal_snapshot(mock_server_journal(tl_mock), &f, &e, NULL) > 0)
    snprintf(a->op_id, sizeof(a->op_id), "%s", e[0].operation_id ? e[0].operation_id : "");
  journal_entries_free(e, n);
  if (n >= a->after_polls)
    a->act(a);
  return NULL;
}

static void actor_start(struct actor *a)
{
  cr_assert_eq(pthread_create(&a->thread, NULL, actor_main, a), 0);
}

static void actor_join(struct actor *a)
{
  pthread_join(a->thread, NULL);
}

static void send_sigint(struct actor *a)
{
  struct timespec gap = { a->gap_ms / 1000, (a->gap_ms % 1000) * 1000000L };

  a->acted_us = timeutil_mono_us();
  kill(getpid(), SIGINT);
  for (int i = 1; i < a->signals; i++) {
    nanosleep(&gap, NULL); /* the spacing between two key presses, not a wait */
    kill(getpid(), SIGINT);
  }
}

/* ---- tests ------------------------------------------------------------- */

Test(executor_dummy, completes_and_shows_the_result)
{
  struct tl_run r;
  struct journal_entry *e;
  size_t n;

  tl_run_init(&r, tl_mock_url());
  tl_run_dummy(&r, 5, 5);
  cr_assert_eq(r.res.outcome, EXEC_COMPLETED, "%s", tl_capture_text(&r.err));
  cr_expect_eq(r.code, 0);
  cr_expect_eq(r.res.final.status, OP_STATUS_COMPLETED);
  cr_expect_str_eq(tl_capture_text(&r.out),
                   "✅ Dummy operation completed!\nIterations: 5/5\nDuration: 5 s\n");
  cr_expect(strstr(tl_capture_text(&r.err), "Started dummy operation op_dummy_"), "%s",
            tl_capture_text(&r.err));
  /* one start, then polls of that operation only */
  n = journal("POST", "/api/v1/dummy/start", &e);
  cr_expect_eq(n, 1);
  journal_entries_free(e, n);
  n = journal(NULL, "/api/v1/operations/", &e);
  cr_expect_geq(n, 2);
  for (size_t i = 0; i < n; i++) {
    cr_expect_str_eq(e[i].method, "GET");
    cr_expect_str_eq(e[i].operation_id, r.res.op_id);
  }
  journal_entries_free(e, n);
  tl_run_release(&r);
}

Test(executor_dummy, start_payload_reaches_the_server)
{
  struct tl_run r;
  struct journal_entry *e;
  size_t n;

  tl_run_init(&r, tl_mock_url());
  tl_run_dummy(&r, 3, 7);
  cr_assert_eq(r.res.outcome, EXEC_COMPLETED, "%s", tl_capture_text(&r.err));
  n = journal("POST", "/api/v1/dummy/start", &e);
  cr_assert_eq(n, 1);
  cr_expect_str_eq(e[0].body, "{\"duration\":3.0,\"iterations\":7}");
  journal_entries_free(e, n);
  /* the server honoured both fields: 7 iterations over 3 s */
  cr_expect_eq(r.res.final.progress.steps_total, 7);
  cr_expect_float_eq(json_num_or(r.res.final.result_summary, "total_duration_seconds", 0), 3.0,
                     1e-9);
  tl_run_release(&r);
}

Test(executor_dummy, polls_every_300ms_without_drift)
{
  struct tl_run r;
  struct journal_entry *e;
  size_t n;
  double first, last;

  tl_run_init(&r, tl_mock_url());
  tl_run_dummy(&r, 45, 9); /* 4.5 s real at SCALE 10 */
  cr_assert_eq(r.res.outcome, EXEC_COMPLETED, "%s", tl_capture_text(&r.err));
  n = journal("GET", "/api/v1/operations/", &e);
  cr_assert_geq(n, tl_timing_strict() ? 11 : 5, "only %zu polls", n);
  if (!tl_timing_strict()) {
    /* (cr_log_warn would make Criterion exit 1 with every test passing) */
    fprintf(stderr, "under valgrind: the cadence bounds are not asserted\n");
    journal_entries_free(e, n);
    tl_run_release(&r);
    return;
  }
  for (size_t i = 1; i < n; i++) {
    double gap_ms = (double)(e[i].t_us - e[i - 1].t_us) / 1000.0;
    cr_expect(gap_ms >= 285 && gap_ms <= 315, "poll %zu came %.1f ms after the previous", i, gap_ms);
  }
  /* no drift: poll k lands at k * 300 ms from the first */
  first = (double)e[0].t_us;
  last = (double)e[n - 1].t_us;
  cr_expect_float_eq((last - first) / 1000.0, (double)(n - 1) * 300.0, 15.0,
                     "%zu polls over %.1f ms", n, (last - first) / 1000.0);
  journal_entries_free(e, n);
  tl_run_release(&r);
}

Test(executor_dummy, ctrl_c_sends_delete_at_once_and_waits_for_cancelled)
{
  struct actor a = { .after_polls = 3, .act = send_sigint, .signals = 1 };
  struct tl_run r;
  struct journal_entry *e;
  size_t n;

  tl_run_init(&r, tl_mock_url());
  actor_start(&a);
  tl_run_dummy(&r, 200, 100);
  actor_join(&a);
  cr_assert_eq(r.res.outcome, EXEC_CANCELLED, "%s", tl_capture_text(&r.err));
  cr_expect_eq(r.code, 130);
  cr_expect(r.res.cancel_sent);
  cr_expect(r.res.cancel_confirmed);
  cr_expect_eq(r.res.final.status, OP_STATUS_CANCELLED);
  n = journal("DELETE", "/api/v1/operations/", &e);
  cr_assert_eq(n, 1);
  cr_expect_str_eq(e[0].operation_id, r.res.op_id);
  cr_expect_lt(e[0].t_us - a.acted_us, tl_timing_strict() ? 50000 : 2000000,
               "DELETE arrived %.1f ms after SIGINT",
               (double)(e[0].t_us - a.acted_us) / 1000.0);
  cr_expect_geq(e[0].t_us, a.acted_us);
  journal_entries_free(e, n);
  cr_expect(strstr(tl_capture_text(&r.err), "Cancelling operation op_dummy_"), "%s",
            tl_capture_text(&r.err));
  cr_expect(strstr(tl_capture_text(&r.err), "Operation op_dummy_"), "%s", tl_capture_text(&r.err));
  cr_expect(strstr(tl_capture_text(&r.err), "cancelled\nStopped after "), "%s",
            tl_capture_text(&r.err));
  cr_expect_str_empty(tl_capture_text(&r.out));
  tl_run_release(&r);
  /* the handler is gone after the run: the previous disposition is back */
  struct sigaction now;
  sigaction(SIGINT, NULL, &now);
  cr_expect_eq(now.sa_handler, SIG_DFL);
}

Test(executor_dummy, second_ctrl_c_stops_waiting_when_cancel_is_not_confirmed)
{
  struct actor a = { .after_polls = 2, .act = send_sigint, .signals = 2, .gap_ms = 300 };
  struct tl_run r;

  admin("POST", "/__admin/faults",
        "{\"method\":\"DELETE\",\"path_prefix\":\"/api/v1/operations/\",\"status\":503,\"count\":1000}");
  tl_run_init(&r, tl_mock_url());
  actor_start(&a);
  tl_run_dummy(&r, 200, 100);
  actor_join(&a);
  cr_assert_eq(r.res.outcome, EXEC_CANCELLED, "%s", tl_capture_text(&r.err));
  cr_expect_eq(r.code, 130);
  cr_expect_not(r.res.cancel_confirmed);
  cr_expect(strstr(tl_capture_text(&r.err), "stopped waiting"), "%s", tl_capture_text(&r.err));
  cr_expect_lt(r.ended_us - a.acted_us, 2000000, "took %.0f ms after the first Ctrl+C",
               (double)(r.ended_us - a.acted_us) / 1000.0);
  tl_run_release(&r);
}

Test(executor_dummy, wait_for_cancel_confirmation_is_bounded)
{
  struct actor a = { .after_polls = 2, .act = send_sigint, .signals = 1 };
  struct tl_run r;

  admin("POST", "/__admin/faults",
        "{\"method\":\"DELETE\",\"path_prefix\":\"/api/v1/operations/\",\"status\":503,\"count\":1000}");
  tl_run_init(&r, tl_mock_url());
  r.cfg.cancel_wait_ms = 800;
  actor_start(&a);
  tl_run_dummy(&r, 200, 100);
  actor_join(&a);
  cr_assert_eq(r.res.outcome, EXEC_CANCELLED);
  cr_expect_not(r.res.cancel_confirmed);
  cr_expect(strstr(tl_capture_text(&r.err), "did not confirm the cancellation"), "%s",
            tl_capture_text(&r.err));
  cr_expect_lt(r.ended_us - a.acted_us, 800000 + 400000);
  tl_run_release(&r);
}

static void fail_operation(struct actor *a)
{
  char path[256];

  snprintf(path, sizeof(path), "/__admin/operations/%s/fail", a->op_id);
  admin("POST", path, "{\"error_message\":\"No data available for AAPL (1h)\"}");
}

Test(executor_dummy, failed_operation_shows_the_server_error)
{
  struct actor a = { .after_polls = 2, .act = fail_operation };
  struct tl_run r;

  tl_run_init(&r, tl_mock_url());
  actor_start(&a);
  tl_run_dummy(&r, 200, 100);
  actor_join(&a);
  cr_assert_eq(r.res.outcome, EXEC_FAILED, "%s", tl_capture_text(&r.err));
  cr_expect_eq(r.code, 1);
  cr_expect(strstr(tl_capture_text(&r.err), "failed: No data available for AAPL (1h)"), "%s",
            tl_capture_text(&r.err));
  cr_expect(strstr(tl_capture_text(&r.err), r.res.op_id));
  cr_expect_str_empty(tl_capture_text(&r.out));
  tl_run_release(&r);
}

static void cancel_elsewhere(struct actor *a)
{
  struct tl_response resp;
  char *url;

  if (asprintf(&url, "%s/operations/%s", tl_mock_url(), a->op_id) < 0)
    return;
  tl_http("DELETE", url, "{\"reason\":\"maintenance window\"}", NULL, &resp);
  tl_response_release(&resp);
  free(url);
}

Test(executor_dummy, cancelled_by_someone_else)
{
  struct actor a = { .after_polls = 2, .act = cancel_elsewhere };
  struct tl_run r;

  tl_run_init(&r, tl_mock_url());
  actor_start(&a);
  tl_run_dummy(&r, 200, 100);
  actor_join(&a);
  cr_assert_eq(r.res.outcome, EXEC_CANCELLED_REMOTE, "%s", tl_capture_text(&r.err));
  cr_expect_eq(r.code, 6);
  cr_expect(strstr(tl_capture_text(&r.err), "cancelled on the server: maintenance window"), "%s",
            tl_capture_text(&r.err));
  tl_run_release(&r);
}

static unsigned short closed_port(void)
{
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  socklen_t len = sizeof(sa);
  int fd = socket(AF_INET, SOCK_STREAM, 0);

  bind(fd, (struct sockaddr *)&sa, sizeof(sa));
  getsockname(fd, (struct sockaddr *)&sa, &len);
  close(fd); /* nothing listens there any more */
  return ntohs(sa.sin_port);
}

Test(executor_dummy, unreachable_server_fails_fast_with_a_clear_message)
{
  struct tl_run r;
  char url[64];

  snprintf(url, sizeof(url), "http://127.0.0.1:%u/api/v1", closed_port());
  tl_run_init(&r, tl_mock_url());
  r.cfg.base_url = url;
  tl_run_dummy(&r, 5, 5);
  cr_assert_eq(r.res.outcome, EXEC_API_ERROR);
  cr_expect_eq(r.code, 3);
  cr_expect(strstr(tl_capture_text(&r.err), "cannot reach the KTRDR API at http://127.0.0.1:"),
            "%s", tl_capture_text(&r.err));
  cr_expect(strstr(tl_capture_text(&r.err), "--url"));
  cr_expect_lt(r.ended_us - r.started_us, 5000000, "took %.1f s",
               (double)(r.ended_us - r.started_us) / 1e6);
  tl_run_release(&r);
}

Test(executor_dummy, burst_of_503s_is_retried_and_recovered)
{
  struct tl_run r;
  struct journal_entry *e;
  size_t n, bad = 0;

  admin("POST", "/__admin/faults",
        "{\"method\":\"GET\",\"path_prefix\":\"/api/v1/operations/\",\"status\":503,\"count\":3}");
  tl_run_init(&r, tl_mock_url());
  tl_run_dummy(&r, 10, 5);
  cr_assert_eq(r.res.outcome, EXEC_COMPLETED, "%s", tl_capture_text(&r.err));
  n = journal("GET", "/api/v1/operations/", &e);
  for (size_t i = 0; i < n; i++)
    bad += e[i].status == 503;
  cr_expect_eq(bad, 3);
  cr_expect_eq(e[0].status, 503);
  cr_expect_eq(e[n - 1].status, 200);
  journal_entries_free(e, n);
  cr_expect(strstr(tl_capture_text(&r.err), "retrying"), "%s", tl_capture_text(&r.err));
  cr_expect(strstr(tl_capture_text(&r.err), "Connection restored"));
  tl_run_release(&r);
}

Test(executor_dummy, retry_after_is_honoured)
{
  struct tl_run r;
  struct journal_entry *e;
  size_t n;

  admin("POST", "/__admin/faults",
        "{\"method\":\"GET\",\"path_prefix\":\"/api/v1/operations/\",\"status\":429,\"count\":1,"
        "\"retry_after\":1}");
  tl_run_init(&r, tl_mock_url());
  tl_run_dummy(&r, 10, 5);
  cr_assert_eq(r.res.outcome, EXEC_COMPLETED, "%s", tl_capture_text(&r.err));
  n = journal("GET", "/api/v1/operations/", &e);
  cr_assert_geq(n, 2);
  cr_expect_eq(e[0].status, 429);
  cr_expect_geq(e[1].t_us - e[0].t_us, 1000000, "retried after %.0f ms",
                (double)(e[1].t_us - e[0].t_us) / 1000.0);
  journal_entries_free(e, n);
  tl_run_release(&r);
}

Test(executor_dummy, long_outage_ends_with_the_operation_id)
{
  struct tl_run r;

  admin("POST", "/__admin/faults",
        "{\"method\":\"GET\",\"path_prefix\":\"/api/v1/operations/\",\"status\":502,\"count\":100000}");
  tl_run_init(&r, tl_mock_url());
  r.cfg.outage_ms = 1500;
  tl_run_dummy(&r, 200, 100);
  cr_assert_eq(r.res.outcome, EXEC_API_ERROR, "%s", tl_capture_text(&r.err));
  cr_expect_eq(r.code, 3);
  cr_expect(strstr(tl_capture_text(&r.err), r.res.op_id), "%s", tl_capture_text(&r.err));
  cr_expect(strstr(tl_capture_text(&r.err), "may still be running"));
  cr_expect_lt(r.ended_us - r.started_us, 1500000 + 5500000);
  tl_run_release(&r);
}

Test(executor_dummy, vanished_operation_is_not_found)
{
  struct tl_run r;

  admin("POST", "/__admin/faults",
        "{\"method\":\"GET\",\"path_prefix\":\"/api/v1/operations/\",\"status\":404,\"count\":1,"
        "\"body\":\"{\\\"detail\\\":\\\"Operation not found: gone\\\"}\"}");
  tl_run_init(&r, tl_mock_url());
  tl_run_dummy(&r, 200, 100);
  cr_assert_eq(r.res.outcome, EXEC_NOT_FOUND, "%s", tl_capture_text(&r.err));
  cr_expect_eq(r.code, 4);
  cr_expect(strstr(tl_capture_text(&r.err), "no longer exists"), "%s", tl_capture_text(&r.err));
  tl_run_release(&r);
}

Test(executor_dummy, start_rejection_shows_the_server_detail)
{
  struct tl_run r;
  struct journal_entry *e;
  size_t n;

  admin("POST", "/__admin/faults",
        "{\"method\":\"POST\",\"path_prefix\":\"/api/v1/dummy/start\",\"status\":400,\"count\":1,"
        "\"body\":\"{\\\"detail\\\":\\\"Dummy service is disabled\\\"}\"}");
  tl_run_init(&r, tl_mock_url());
  tl_run_dummy(&r, 5, 5);
  cr_assert_eq(r.res.outcome, EXEC_API_ERROR);
  cr_expect_eq(r.code, 3);
  cr_expect(strstr(tl_capture_text(&r.err), "400 Bad Request: Dummy service is disabled"), "%s",
            tl_capture_text(&r.err));
  n = journal("POST", NULL, &e);
  cr_expect_eq(n, 1, "a 400 must not be retried");
  journal_entries_free(e, n);
  tl_run_release(&r);
}

Test(executor_dummy, start_503_is_retried)
{
  struct tl_run r;
  struct journal_entry *e;
  size_t n;

  admin("POST", "/__admin/faults",
        "{\"method\":\"POST\",\"path_prefix\":\"/api/v1/dummy/start\",\"status\":503,\"count\":2}");
  tl_run_init(&r, tl_mock_url());
  tl_run_dummy(&r, 5, 5);
  cr_assert_eq(r.res.outcome, EXEC_COMPLETED, "%s", tl_capture_text(&r.err));
  n = journal("POST", NULL, &e);
  cr_expect_eq(n, 3);
  journal_entries_free(e, n);
  tl_run_release(&r);
}

Test(executor_dummy, timeout_stops_waiting_and_says_so)
{
  struct tl_run r;

  tl_run_init(&r, tl_mock_url());
  r.cfg.timeout_s = 0.7;
  tl_run_dummy(&r, 200, 100);
  cr_assert_eq(r.res.outcome, EXEC_TIMEOUT);
  cr_expect_eq(r.code, 5);
  cr_expect(strstr(tl_capture_text(&r.err), "still running"), "%s", tl_capture_text(&r.err));
  cr_expect(strstr(tl_capture_text(&r.err), r.res.op_id));
  tl_run_release(&r);
}

Test(executor_dummy, detach_prints_the_id_and_does_not_poll)
{
  struct tl_run r;
  struct journal_entry *e;
  size_t n;

  tl_run_init(&r, tl_mock_url());
  r.cfg.detach = true;
  tl_run_dummy(&r, 200, 100);
  cr_assert_eq(r.res.outcome, EXEC_DETACHED);
  cr_expect_eq(r.code, 0);
  cr_assert_not_null(r.res.op_id);
  cr_expect_eq(strncmp(tl_capture_text(&r.out), r.res.op_id, strlen(r.res.op_id)), 0, "%s",
               tl_capture_text(&r.out));
  n = journal("GET", "/api/v1/operations/", &e);
  cr_expect_eq(n, 0);
  journal_entries_free(e, n);
  tl_run_release(&r);
}

Test(executor_dummy, plain_progress_has_lines_and_no_escape_sequences)
{
  struct tl_run r;
  const char *err;

  tl_run_init(&r, tl_mock_url());
  tl_run_dummy(&r, 20, 4);
  cr_assert_eq(r.res.outcome, EXEC_COMPLETED);
  err = tl_capture_text(&r.err);
  /* the first poll and the last are always printed; changes in between are
   * rate-limited to one line a second */
  cr_expect(strstr(err, "Status: running - Starting dummy_task [0/4]\n"), "%s", err);
  cr_expect(strstr(err, "Status: completed - Operation dummy_task completed [4/4] (100.0%)\n"),
            "%s", err);
  cr_expect_null(strchr(err, '\033'), "escape sequence in plain output: %s", err);
  tl_run_release(&r);
}

Test(executor_dummy, quiet_prints_only_the_result)
{
  struct tl_run r;

  tl_run_init(&r, tl_mock_url());
  r.cfg.out.quiet = true;
  r.cfg.progress = PROGRESS_NONE;
  tl_run_dummy(&r, 5, 5);
  cr_assert_eq(r.res.outcome, EXEC_COMPLETED);
  cr_expect_str_empty(tl_capture_text(&r.err));
  cr_expect(strstr(tl_capture_text(&r.out), "Dummy operation completed"));
  tl_run_release(&r);
}
