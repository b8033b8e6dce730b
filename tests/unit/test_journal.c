/* The mock server's request journal: bounds, filters, waits. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "journal.h"
#include "timeutil.h"

TestSuite(journal, .timeout = 10);

static void record(struct mock_journal *j, int64_t t, const char *method, const char *path,
                   const char *op)
{
  struct journal_request r = { .t_us = t, .method = method, .path = path, .status = 200,
                               .operation_id = op };

  journal_record(j, &r);
}

Test(journal, records_copies_in_order)
{
  struct mock_journal *j = journal_new(10);
  struct journal_entry *e;
  uint64_t dropped = 99;
  char path[] = "/api/v1/health";
  size_t n;
  struct journal_request r1 = { .t_us = 5, .method = "GET", .path = path, .query = "a=1",
                                .status = 200 };
  struct journal_request r2 = { .t_us = 6, .method = "POST", .path = "/api/v1/dummy/start",
                                .body = "{\"duration\":1}", .body_len = 14, .status = 422,
                                .operation_id = "op_x" };

  journal_record(j, &r1);
  path[1] = 'X';
  journal_record(j, &r2);
  n = journal_snapshot(j, NULL, &e, &dropped);
  cr_assert_eq(n, 2);
  cr_expect_eq(dropped, 0);
  cr_expect_eq(e[0].seq, 1);
  cr_expect_eq(e[0].t_us, 5);
  cr_expect_str_eq(e[0].method, "GET");
  cr_expect_str_eq(e[0].path, "/api/v1/health");
  cr_expect_str_eq(e[0].query, "a=1");
  cr_expect_eq(e[0].status, 200);
  cr_expect_null(e[0].operation_id);
  cr_expect_eq(e[1].seq, 2);
  cr_expect_str_eq(e[1].operation_id, "op_x");
  cr_expect_eq(e[1].status, 422);
  cr_expect_str_eq(e[0].body, "");
  cr_expect_str_eq(e[1].body, "{\"duration\":1}");
  journal_entries_free(e, n);
  journal_free(&j);
  cr_expect_null(j);
  journal_free(&j);
}

Test(journal, is_bounded_and_counts_drops)
{
  struct mock_journal *j = journal_new(3);
  struct journal_entry *e;
  uint64_t dropped;
  size_t n;

  for (int i = 0; i < 5; i++)
    record(j, i, "GET", "/p", NULL);
  n = journal_snapshot(j, NULL, &e, &dropped);
  cr_assert_eq(n, 3);
  cr_expect_eq(dropped, 2);
  cr_expect_eq(e[0].seq, 3);
  cr_expect_eq(e[2].seq, 5);
  journal_entries_free(e, n);
  journal_clear(j);
  n = journal_snapshot(j, NULL, &e, &dropped);
  cr_expect_eq(n, 0);
  cr_expect_eq(dropped, 0);
  journal_entries_free(e, n);
  record(j, 9, "GET", "/p", NULL);
  n = journal_snapshot(j, NULL, &e, NULL);
  cr_assert_eq(n, 1);
  cr_expect_eq(e[0].seq, 6, "sequence numbers keep counting after a clear");
  journal_entries_free(e, n);
  journal_free(&j);
}

static size_t count(struct mock_journal *j, const struct journal_filter *f)
{
  struct journal_entry *e;
  size_t n = journal_snapshot(j, f, &e, NULL);

  journal_entries_free(e, n);
  return n;
}

Test(journal, filters)
{
  struct mock_journal *j = journal_new(100);

  record(j, 100, "POST", "/api/v1/dummy/start", "op_a");
  record(j, 200, "GET", "/api/v1/operations/op_a", "op_a");
  record(j, 300, "DELETE", "/api/v1/operations/op_a", "op_a");
  record(j, 400, "GET", "/api/v1/operations/op_b", "op_b");
  record(j, 500, "GET", "/api/v1/health", NULL);
  cr_expect_eq(count(j, &(struct journal_filter){ .method = "GET" }), 3);
  cr_expect_eq(count(j, &(struct journal_filter){ .path_prefix = "/api/v1/operations/" }), 3);
  cr_expect_eq(count(j, &(struct journal_filter){ .operation_id = "op_a" }), 3);
  cr_expect_eq(count(j, &(struct journal_filter){ .method = "GET", .operation_id = "op_a" }), 1);
  cr_expect_eq(count(j, &(struct journal_filter){ .after_seq = 3 }), 2);
  cr_expect_eq(count(j, &(struct journal_filter){ .since_us = 300 }), 3);
  cr_expect_eq(count(j, &(struct journal_filter){ .method = "PUT" }), 0);
  journal_free(&j);
}

Test(journal, json_shape)
{
  struct mock_journal *j = journal_new(2);
  json_t *doc, *r0;

  for (int i = 0; i < 3; i++)
    journal_record(j, &(struct journal_request){ .t_us = 42 + i, .method = "GET",
                                                 .path = "/api/v1/operations/op_a",
                                                 .query = "x=1", .status = 404,
                                                 .operation_id = i ? "op_a" : NULL });
  doc = journal_to_json(j, NULL);
  cr_assert_not_null(doc);
  cr_expect_eq(json_integer_value(json_object_get(doc, "dropped")), 1);
  cr_assert_eq(json_array_size(json_object_get(doc, "requests")), 2);
  r0 = json_array_get(json_object_get(doc, "requests"), 0);
  cr_expect_eq(json_integer_value(json_object_get(r0, "seq")), 2);
  cr_expect_eq(json_integer_value(json_object_get(r0, "t_us")), 43);
  cr_expect_str_eq(json_string_value(json_object_get(r0, "method")), "GET");
  cr_expect_str_eq(json_string_value(json_object_get(r0, "path")), "/api/v1/operations/op_a");
  cr_expect_str_eq(json_string_value(json_object_get(r0, "query")), "x=1");
  cr_expect_eq(json_integer_value(json_object_get(r0, "status")), 404);
  cr_expect_str_eq(json_string_value(json_object_get(r0, "operation_id")), "op_a");
  json_decref(doc);
  journal_clear(j);
  journal_record(j, &(struct journal_request){ .t_us = 1, .method = "GET", .path = "/",
                                               .status = 200 });
  doc = journal_to_json(j, NULL);
  r0 = json_array_get(json_object_get(doc, "requests"), 0);
  cr_expect(json_is_null(json_object_get(r0, "operation_id")));
  json_decref(doc);
  journal_free(&j);
}

Test(journal, wait_times_out_on_its_bound)
{
  struct mock_journal *j = journal_new(10);
  struct journal_filter f = { .method = "DELETE" };
  int64_t t0 = timeutil_mono_us(), waited;

  record(j, 1, "GET", "/p", NULL);
  cr_expect_eq(journal_wait(j, &f, 1, 150), 0);
  waited = timeutil_mono_us() - t0;
  cr_expect_geq(waited, 150000, "returned after %lld us", (long long)waited);
  cr_expect_lt(waited, 1500000, "returned after %lld us", (long long)waited);
  journal_free(&j);
}

Test(journal, wait_returns_at_once_when_satisfied)
{
  struct mock_journal *j = journal_new(10);
  int64_t t0;

  record(j, 1, "GET", "/p", NULL);
  record(j, 2, "GET", "/p", NULL);
  t0 = timeutil_mono_us();
  cr_expect_eq(journal_wait(j, NULL, 2, 5000), 2);
  cr_expect_eq(journal_wait(j, NULL, 0, 5000), 2);
  cr_expect_lt(timeutil_mono_us() - t0, 1000000);
  journal_free(&j);
}

static void *record_later(void *arg)
{
  struct timespec nap = { 0, 50 * 1000 * 1000 };

  nanosleep(&nap, NULL); /* the delay under test, not a wait for a condition */
  record(arg, timeutil_mono_us(), "DELETE", "/api/v1/operations/op_a", "op_a");
  return NULL;
}

Test(journal, wait_wakes_when_a_match_arrives)
{
  struct mock_journal *j = journal_new(10);
  struct journal_filter f = { .method = "DELETE", .operation_id = "op_a" };
  int64_t t0 = timeutil_mono_us();
  pthread_t th;

  cr_assert_eq(pthread_create(&th, NULL, record_later, j), 0);
  cr_expect_eq(journal_wait(j, &f, 1, 10000), 1);
  cr_expect_lt(timeutil_mono_us() - t0, 5000000);
  pthread_join(th, NULL);
  journal_free(&j);
}
