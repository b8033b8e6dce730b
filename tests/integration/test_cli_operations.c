/*
 * `ktrdr operations list|status|cancel|follow`, --detach, --timeout and
 * --json, through cli_main against the in-process mock server.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "exitcode.h"
#include "run.h"
#include "testlib.h"

static struct tl_capture out, err;

static void setup(void)
{
  cr_assert_not_null(setlocale(LC_ALL, "C.UTF-8"));
  tl_mock_start(10.0);
  tl_capture_open(&out);
  tl_capture_open(&err);
}

static void teardown(void)
{
  tl_capture_close(&out);
  tl_capture_close(&err);
  tl_mock_stop();
}

TestSuite(cli_operations, .init = setup, .fini = teardown, .timeout = 60);

/* ktrdr --url <the mock> ARGS..., NULL-terminated. */
#define ktrdr(...) tl_ktrdr(&out, &err, tl_mock_url(), __VA_ARGS__)

static void reset_output(void)
{
  tl_capture_close(&out);
  tl_capture_close(&err);
  tl_capture_open(&out);
  tl_capture_open(&err);
}

/* Starts a dummy operation with --detach; returns its id (static buffer). */
static const char *detached(const char *duration, const char *iterations)
{
  static char id[128];
  char *nl;

  reset_output();
  cr_assert_eq(ktrdr("dummy", "start", "--detach", "--duration", duration, "--iterations",
                     iterations, NULL), 0, "%s", tl_capture_text(&err));
  snprintf(id, sizeof(id), "%s", tl_capture_text(&out));
  nl = strchr(id, '\n');
  cr_assert_not_null(nl);
  *nl = '\0';
  reset_output();
  return id;
}

static struct tl_response get(const char *path)
{
  struct tl_response r;
  char *url = tl_url(tl_mock_url(), path);

  cr_assert_eq(tl_http("GET", url, NULL, NULL, &r), 0);
  free(url);
  return r;
}

static bool op_done(void *arg)
{
  char path[256];
  struct tl_response r;
  bool done;

  snprintf(path, sizeof(path), "/operations/%s", (const char *)arg);
  r = get(path);
  done = strcmp(json_str_or(json_object_get(r.json, "data"), "status", ""), "completed") == 0;
  tl_response_release(&r);
  return done;
}

static size_t count_lines_with(const char *text, const char *needle)
{
  size_t n = 0;

  for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
    n++;
  return n;
}

/* ---- list -------------------------------------------------------------- */

Test(cli_operations, list_shows_a_table_newest_first_with_totals)
{
  const char *short_op = detached("1", "1");
  char first_id[128], *text;

  cr_assert(tl_wait_until(op_done, (void *)short_op, 5000));
  snprintf(first_id, sizeof(first_id), "%s", short_op);
  detached("200", "100");
  detached("200", "100");
  cr_assert_eq(ktrdr("operations", "list", NULL), 0, "%s", tl_capture_text(&err));
  text = strdup(tl_capture_text(&out));
  cr_expect(strstr(text, "OPERATION ID"), "%s", text);
  cr_expect(strstr(text, "CURRENT STEP"));
  cr_expect_eq(count_lines_with(text, "op_dummy_"), 3, "%s", text);
  cr_expect(strstr(text, "Showing 3 of 3 operations (2 active)"), "%s", text);
  cr_expect(strstr(text, first_id) > strstr(text, "running"), "the oldest should be last: %s",
            text);
  cr_expect(strstr(text, "completed  100%"), "%s", text);
  free(text);

  reset_output();
  cr_assert_eq(ktrdr("operations", "list", "--active", NULL), 0);
  cr_expect_eq(count_lines_with(tl_capture_text(&out), "op_dummy_"), 2);
  cr_expect_null(strstr(tl_capture_text(&out), first_id));

  reset_output();
  cr_assert_eq(ktrdr("operations", "list", "--status", "completed", "--type", "dummy", NULL), 0);
  cr_expect_eq(count_lines_with(tl_capture_text(&out), "op_dummy_"), 1);
  cr_expect(strstr(tl_capture_text(&out), "Showing 1 of 1 operations (2 active)"), "%s",
            tl_capture_text(&out));
}

Test(cli_operations, list_paging_and_query_on_the_wire)
{
  struct journal_filter f = { .method = "GET", .path_prefix = "/api/v1/operations" };
  struct journal_entry *e;
  size_t n;

  detached("200", "100");
  detached("200", "100");
  detached("200", "100");
  cr_assert_eq(ktrdr("operations", "list", "--limit", "1", "--offset", "1", NULL), 0);
  cr_expect_eq(count_lines_with(tl_capture_text(&out), "op_dummy_"), 1);
  cr_expect(strstr(tl_capture_text(&out), "Showing 1 of 3 operations (3 active)"), "%s",
            tl_capture_text(&out));
  n = journal_snapshot(mock_server_journal(tl_mock), &f, &e, NULL);
  cr_assert_geq(n, 1);
  cr_expect_str_eq(e[n - 1].path, "/api/v1/operations");
  cr_expect_str_eq(e[n - 1].query, "limit=1&offset=1&active_only=false");
  journal_entries_free(e, n);
}

Test(cli_operations, list_empty_and_bad_filters)
{
  cr_assert_eq(ktrdr("operations", "list", NULL), 0);
  cr_expect(strstr(tl_capture_text(&out), "No operations found"));
  reset_output();
  cr_expect_eq(ktrdr("operations", "list", "--active", NULL), 0);
  cr_expect(strstr(tl_capture_text(&out), "No active operations found"));
  reset_output();
  cr_expect_eq(ktrdr("operations", "list", "--limit", "0", NULL), EXITCODE_USAGE);
  cr_expect(strstr(tl_capture_text(&err), "--limit: 0 is out of range"));
  reset_output();
  /* the server is the judge of names: its 422 is shown */
  cr_expect_eq(ktrdr("operations", "list", "--status", "sleeping", NULL), EXITCODE_API);
  cr_expect(strstr(tl_capture_text(&err), "422 Unprocessable Entity"), "%s",
            tl_capture_text(&err));
}

/* ---- status ------------------------------------------------------------ */

Test(cli_operations, status_of_each_state)
{
  const char *id = detached("200", "100");
  char running[128], path[256], body[256];
  struct tl_response r;
  char *url;

  snprintf(running, sizeof(running), "%s", id);
  cr_assert_eq(ktrdr("operations", "status", running, NULL), 0, "%s", tl_capture_text(&err));
  cr_expect(strstr(tl_capture_text(&out), "Status         running"), "%s", tl_capture_text(&out));
  cr_expect(strstr(tl_capture_text(&out), "Current step   "));
  cr_expect(strstr(tl_capture_text(&out), "service        DummyService"));

  /* failed: the error is shown */
  snprintf(path, sizeof(path), "http://127.0.0.1:%u/__admin/operations/%s/fail",
           mock_server_port(tl_mock), running);
  snprintf(body, sizeof(body), "{\"error_message\":\"No data available for AAPL (1h)\"}");
  cr_assert_eq(tl_http("POST", path, body, NULL, &r), 0);
  tl_response_release(&r);
  reset_output();
  cr_assert_eq(ktrdr("operations", "status", running, NULL), 0);
  cr_expect(strstr(tl_capture_text(&out), "Status         failed"));
  cr_expect(strstr(tl_capture_text(&out), "Error\n  No data available for AAPL (1h)"));

  /* completed: the result summary */
  id = detached("1", "1");
  cr_assert(tl_wait_until(op_done, (void *)id, 5000));
  cr_assert_eq(ktrdr("operations", "status", id, NULL), 0);
  cr_expect(strstr(tl_capture_text(&out), "Result summary\n"), "%s", tl_capture_text(&out));
  cr_expect(strstr(tl_capture_text(&out), "iterations_completed: 1"));

  /* cancelled */
  id = detached("200", "100");
  url = NULL;
  cr_assert(asprintf(&url, "%s/operations/%s", tl_mock_url(), id) > 0);
  cr_assert_eq(tl_http("DELETE", url, NULL, NULL, &r), 0);
  tl_response_release(&r);
  free(url);
  cr_assert_eq(ktrdr("operations", "status", id, NULL), 0);
  cr_expect(strstr(tl_capture_text(&out), "Status         cancelled"));
  cr_expect(strstr(tl_capture_text(&out), "Operation cancelled by user"));
}

Test(cli_operations, status_of_an_unknown_operation)
{
  cr_expect_eq(ktrdr("operations", "status", "op_dummy_20250101_000000_deadbeef", NULL),
               EXITCODE_NOT_FOUND);
  cr_expect(strstr(tl_capture_text(&err), "operation op_dummy_20250101_000000_deadbeef not found"),
            "%s", tl_capture_text(&err));
  reset_output();
  cr_expect_eq(ktrdr("operations", "status", NULL), EXITCODE_USAGE);
  cr_expect(strstr(tl_capture_text(&err), "give one operation ID"));
}

/* ---- cancel ------------------------------------------------------------ */

Test(cli_operations, cancel_answers_200_400_404_with_distinct_codes)
{
  struct journal_filter f = { .method = "DELETE" };
  struct journal_entry *e;
  const char *id = detached("200", "100");
  char saved[128];
  size_t n;

  snprintf(saved, sizeof(saved), "%s", id);
  cr_expect_eq(ktrdr("operations", "cancel", saved, "--reason", "maintenance", "--force", NULL),
               EXITCODE_OK, "%s", tl_capture_text(&err));
  cr_expect(strstr(tl_capture_text(&out), "Cancelled operation"), "%s", tl_capture_text(&out));
  cr_expect(strstr(tl_capture_text(&out), "Reason         maintenance"));
  n = journal_snapshot(mock_server_journal(tl_mock), &f, &e, NULL);
  cr_assert_eq(n, 1);
  cr_expect_str_eq(e[0].body, "{\"reason\":\"maintenance\",\"force\":true}");
  journal_entries_free(e, n);

  reset_output();
  cr_expect_eq(ktrdr("operations", "cancel", saved, NULL), EXITCODE_ALREADY_FINISHED);
  cr_expect(strstr(tl_capture_text(&err), "cannot be cancelled: it has already finished"), "%s",
            tl_capture_text(&err));
  reset_output();
  cr_expect_eq(ktrdr("operations", "cancel", "op_nope", NULL), EXITCODE_NOT_FOUND);
  cr_expect(strstr(tl_capture_text(&err), "operation op_nope not found"));
  reset_output();
  cr_expect_eq(ktrdr("operations", "cancel", "../health", NULL), EXITCODE_USAGE);
}

/* ---- follow, --detach, --timeout --------------------------------------- */

Test(cli_operations, detach_then_follow_shows_the_same_results)
{
  const char *id = detached("3", "3");
  char saved[128];

  snprintf(saved, sizeof(saved), "%s", id);
  cr_expect_eq(ktrdr("operations", "follow", saved, NULL), 0, "%s", tl_capture_text(&err));
  cr_expect_str_eq(tl_capture_text(&out),
                   "✅ Dummy operation completed!\nIterations: 3/3\nDuration: 3 s\n");
  cr_expect(strstr(tl_capture_text(&err), "Status: "), "%s", tl_capture_text(&err));
}

Test(cli_operations, ctrl_c_while_following_detaches_without_cancelling)
{
  struct tl_sigint s = { .filter = { .method = "GET" }, .count = 3 };
  struct journal_filter f = { .method = "DELETE" };
  struct journal_entry *e;
  char saved[128];
  size_t n;

  snprintf(saved, sizeof(saved), "%s", detached("200", "100"));
  s.filter.operation_id = saved;
  tl_sigint_start(&s);
  cr_expect_eq(ktrdr("operations", "follow", saved, NULL), EXITCODE_INTERRUPTED);
  tl_sigint_join(&s);
  cr_expect(strstr(tl_capture_text(&err), "stopped following operation"), "%s",
            tl_capture_text(&err));
  cr_expect(strstr(tl_capture_text(&err), "ktrdr operations follow "));
  cr_expect(strstr(tl_capture_text(&err), "ktrdr operations cancel "));
  n = journal_snapshot(mock_server_journal(tl_mock), &f, &e, NULL);
  cr_expect_eq(n, 0, "follow must not cancel");
  journal_entries_free(e, n);
  reset_output();
  cr_assert_eq(ktrdr("operations", "status", saved, NULL), 0);
  cr_expect(strstr(tl_capture_text(&out), "Status         running"));
}

Test(cli_operations, timeout_says_how_to_follow)
{
  cr_expect_eq(ktrdr("dummy", "start", "--timeout", "0.6", NULL), EXITCODE_TIMEOUT);
  cr_expect(strstr(tl_capture_text(&err), "is still running. Follow it: ktrdr operations follow op_dummy_"),
            "%s", tl_capture_text(&err));
}

Test(cli_operations, follow_an_unknown_operation)
{
  cr_expect_eq(ktrdr("operations", "follow", "op_gone", NULL), EXITCODE_NOT_FOUND);
}

/* ---- --json ------------------------------------------------------------ */

/* Parses every stdout line as JSON; returns them as an array. */
static json_t *json_lines(const char *text)
{
  json_t *lines = json_array();
  const char *p = text;

  while (*p) {
    const char *nl = strchr(p, '\n');
    json_error_t jerr;
    json_t *j;

    cr_assert_not_null(nl, "unterminated line: %s", p);
    j = json_loadb(p, (size_t)(nl - p), 0, &jerr);
    cr_assert_not_null(j, "not JSON: %.*s (%s)", (int)(nl - p), p, jerr.text);
    cr_assert(json_is_string(json_object_get(j, "type")), "no type: %.*s", (int)(nl - p), p);
    json_array_append_new(lines, j);
    p = nl + 1;
  }
  return lines;
}

static const char *type_of(const json_t *lines, size_t i)
{
  return json_str_or(json_array_get(lines, i), "type", "");
}

Test(cli_operations, json_stream_is_parseable_line_by_line)
{
  json_t *lines, *final;
  size_t n;

  cr_assert_eq(ktrdr("dummy", "start", "--duration", "3", "--iterations", "3", "--json", NULL), 0);
  lines = json_lines(tl_capture_text(&out));
  n = json_array_size(lines);
  cr_assert_geq(n, 4);
  cr_expect_str_eq(type_of(lines, 0), "version");
  cr_expect_eq(json_integer_value(json_object_get(json_array_get(lines, 0), "schema")), 1);
  cr_expect_str_eq(type_of(lines, 1), "started");
  for (size_t i = 2; i + 1 < n; i++)
    cr_expect_str_eq(type_of(lines, i), "progress");
  final = json_array_get(lines, n - 1);
  cr_expect_str_eq(type_of(lines, n - 1), "final");
  cr_expect_str_eq(json_str_or(final, "outcome", ""), "completed");
  cr_expect_eq(json_integer_value(json_object_get(final, "exit_code")), 0);
  cr_expect_str_eq(json_str_or(json_object_get(final, "operation"), "status", ""), "completed");
  cr_expect(json_is_object(json_object_get(json_object_get(final, "operation"), "result_summary")));
  cr_expect_str_empty(tl_capture_text(&err), "stderr: %s", tl_capture_text(&err));
  json_decref(lines);
}

Test(cli_operations, json_detach_then_follow_and_branch_on_exit_code)
{
  json_t *lines;
  char id[128];

  cr_assert_eq(ktrdr("dummy", "start", "--detach", "--json", "--duration", "2", "--iterations",
                     "2", NULL), 0);
  lines = json_lines(tl_capture_text(&out));
  cr_assert_eq(json_array_size(lines), 3);
  cr_expect_str_eq(type_of(lines, 2), "final");
  cr_expect_str_eq(json_str_or(json_array_get(lines, 2), "outcome", ""), "detached");
  snprintf(id, sizeof(id), "%s", json_str_or(json_array_get(lines, 1), "operation_id", ""));
  json_decref(lines);
  reset_output();
  cr_expect_eq(ktrdr("operations", "follow", id, "--json", NULL), 0);
  lines = json_lines(tl_capture_text(&out));
  cr_expect_str_eq(json_str_or(json_array_get(lines, json_array_size(lines) - 1), "outcome", ""),
                   "completed");
  json_decref(lines);
}

Test(cli_operations, json_errors_are_events)
{
  json_t *lines, *last;

  cr_expect_eq(ktrdr("operations", "status", "op_gone", "--json", NULL), EXITCODE_NOT_FOUND);
  lines = json_lines(tl_capture_text(&out));
  cr_assert_eq(json_array_size(lines), 2);
  last = json_array_get(lines, 1);
  cr_expect_str_eq(json_str_or(last, "type", ""), "error");
  cr_expect_eq(json_integer_value(json_object_get(last, "exit_code")), EXITCODE_NOT_FOUND);
  cr_expect(strstr(json_str_or(last, "message", ""), "op_gone"));
  json_decref(lines);

  reset_output();
  cr_expect_eq(ktrdr("operations", "list", "--json", "--limit", "nope", NULL), EXITCODE_USAGE);
  lines = json_lines(tl_capture_text(&out));
  cr_expect_str_eq(type_of(lines, json_array_size(lines) - 1), "error");
  json_decref(lines);
}

Test(cli_operations, json_list_status_cancel)
{
  json_t *lines;
  char id[128];

  snprintf(id, sizeof(id), "%s", detached("200", "100"));
  cr_assert_eq(ktrdr("operations", "list", "--json", NULL), 0);
  lines = json_lines(tl_capture_text(&out));
  cr_expect_str_eq(type_of(lines, 1), "operations");
  cr_expect_eq(json_array_size(json_object_get(json_array_get(lines, 1), "operations")), 1);
  json_decref(lines);
  reset_output();
  cr_assert_eq(ktrdr("operations", "status", id, "--json", NULL), 0);
  lines = json_lines(tl_capture_text(&out));
  cr_expect_str_eq(json_str_or(json_object_get(json_array_get(lines, 1), "operation"),
                               "operation_id", ""), id);
  json_decref(lines);
  reset_output();
  cr_assert_eq(ktrdr("operations", "cancel", id, "--json", NULL), 0);
  lines = json_lines(tl_capture_text(&out));
  cr_expect_str_eq(type_of(lines, 1), "cancel");
  cr_expect_str_eq(json_str_or(json_object_get(json_array_get(lines, 1), "result"), "status", ""),
                   "cancelled");
  json_decref(lines);
}
