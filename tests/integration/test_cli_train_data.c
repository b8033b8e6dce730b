/*
 * `ktrdr models train` and `ktrdr data load` through cli_main against the
 * in-process mock playing the shipped scenarios (scenarios/NAME.yaml): the
 * payloads on the wire, the progress lines, the result tables (golden
 * files in tests/data/golden/), the fallbacks, IB diagnosis, Ctrl+C.
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
#include "faults.h"
#include "run.h"
#include "testlib.h"

#define TRAIN_DIR KTRDR_TEST_DATA_DIR "/train/"
#define GOLDEN_DIR KTRDR_TEST_DATA_DIR "/golden/"

static struct tl_capture out, err;

static void start_mock(double scale)
{
  struct mock_config cfg = MOCK_CONFIG_INIT;
  struct err e = ERR_INIT;

  cfg.time_scale = scale;
  cfg.scenarios_dir = KTRDR_SOURCE_DIR "/scenarios";
  tl_mock = mock_server_start(&cfg, &e);
  cr_assert_not_null(tl_mock, "%s", e.msg);
}

static void setup(void)
{
  cr_assert_not_null(setlocale(LC_ALL, "C.UTF-8"));
  start_mock(40.0);
  tl_capture_open(&out);
  tl_capture_open(&err);
}

static void teardown(void)
{
  tl_capture_close(&out);
  tl_capture_close(&err);
  tl_mock_stop();
}

TestSuite(train_data, .init = setup, .fini = teardown, .timeout = 60);

/* ktrdr --url <the mock> ARGS..., NULL-terminated. */
#define ktrdr(...) tl_ktrdr(&out, &err, tl_mock_url(), __VA_ARGS__)

static void expect_golden(const char *text, const char *name)
{
  char *want = tl_slurp(name);

  cr_expect_str_eq(text, want, "differs from %s", name);
  free(want);
}

static struct journal_entry *last_request(const char *method, const char *prefix, size_t *n)
{
  struct journal_filter f = { .method = method, .path_prefix = prefix };
  struct journal_entry *e = NULL;

  *n = journal_snapshot(mock_server_journal(tl_mock), &f, &e, NULL);
  return e;
}

/* ---- models train ------------------------------------------------------ */

Test(train_data, local_training_shows_epochs_and_the_metrics_table)
{
  struct journal_entry *e;
  size_t n;

  cr_assert_eq(ktrdr("models", "train", TRAIN_DIR "trend_momentum.yaml", "--start-date",
                     "2024-01-01", "--end-date", "2024-06-01", NULL), 0, "%s",
               tl_capture_text(&err));
  expect_golden(tl_capture_text(&out), GOLDEN_DIR "training_local.txt");
  cr_expect(strstr(tl_capture_text(&err), "] Status: running - Epoch "), "%s", tl_capture_text(&err));
  cr_expect(strstr(tl_capture_text(&err), " \xc2\xb7 Batch "), "%s", tl_capture_text(&err));
  /* the payload of §2.2, the performance fetched with the full URL */
  e = last_request("POST", "/api/v1/trainings/start", &n);
  cr_assert_eq(n, 1);
  cr_expect_str_eq(e[0].body, "{\"strategy_name\":\"trend_momentum\",\"symbols\":[\"AAPL\"],"
                              "\"timeframes\":[\"1h\"],\"detailed_analytics\":false,"
                              "\"start_date\":\"2024-01-01\",\"end_date\":\"2024-06-01\"}");
  journal_entries_free(e, n);
  e = last_request("GET", "/api/v1/trainings/", &n);
  cr_assert_eq(n, 1);
  cr_expect(strstr(e[0].path, "/performance"));
  cr_expect_eq(e[0].status, 200);
  journal_entries_free(e, n);
}

Test(train_data, performance_unavailable_falls_back_to_result_summary)
{
  struct fault_spec f = FAULT_SPEC_INIT;

  f.method = "GET";
  f.path_prefix = "/api/v1/trainings/";
  f.status = 500;
  f.count = 10;
  cr_assert_eq(mock_server_add_fault(tl_mock, &f, NULL), 0);
  cr_assert_eq(ktrdr("models", "train", TRAIN_DIR "trend_momentum.yaml", "--start-date",
                     "2024-01-01", "--end-date", "2024-06-01", "-q", NULL), 0);
  expect_golden(tl_capture_text(&out), GOLDEN_DIR "training_local.txt");
}

Test(train_data, gpu_training_shows_the_gpu)
{
  cr_assert_eq(ktrdr("models", "train", TRAIN_DIR "trend_gpu.yaml", "--start-date",
                     "2024-01-01", "--end-date", "2024-06-01", "--poll-interval", "100", NULL),
               0, "%s", tl_capture_text(&err));
  cr_expect(strstr(tl_capture_text(&err), " \xf0\x9f\x96\xa5\xef\xb8\x8f NVIDIA RTX 4090: "),
            "%s", tl_capture_text(&err));
  cr_expect(strstr(tl_capture_text(&out), "Training completed successfully!"));
}

Test(train_data, host_mode_training_uses_the_host_rendering)
{
  cr_assert_eq(ktrdr("models", "train", TRAIN_DIR "trend_host.yaml", "--start-date",
                     "2024-01-01", "--end-date", "2024-06-01", NULL), 0, "%s",
               tl_capture_text(&err));
  cr_expect(strstr(tl_capture_text(&err), "Status: running - Epoch: "), "%s", tl_capture_text(&err));
  cr_expect(strstr(tl_capture_text(&err), ", Batch: "), "%s", tl_capture_text(&err));
  cr_expect(strstr(tl_capture_text(&out), "Training completed successfully!"));
}

Test(train_data, failing_training_exits_1_with_the_server_message)
{
  cr_expect_eq(ktrdr("models", "train", TRAIN_DIR "failing_trend.yaml", "--start-date",
                     "2024-01-01", "--end-date", "2024-06-01", NULL), EXITCODE_FAILED);
  cr_expect(strstr(tl_capture_text(&err), "failed: "), "%s", tl_capture_text(&err));
  cr_expect_str_empty(tl_capture_text(&out));
}

Test(train_data, unknown_strategy_is_rejected_with_the_detail)
{
  cr_expect_eq(ktrdr("models", "train", TRAIN_DIR "unknown_trend.yaml", "--start-date",
                     "2024-01-01", "--end-date", "2024-06-01", NULL), EXITCODE_API);
  cr_expect(strstr(tl_capture_text(&err), "400 Bad Request: Strategy file not found: "
                                          "unknown_trend.yaml"), "%s", tl_capture_text(&err));
}

Test(train_data, dry_run_sends_nothing)
{
  size_t n;
  struct journal_entry *e;

  cr_expect_eq(ktrdr("models", "train", TRAIN_DIR "trend_momentum.yaml", "MSFT", "4h",
                     "--start-date", "2024-01-01", "--end-date", "2024-06-01", "--dry-run",
                     NULL), 0);
  cr_expect(strstr(tl_capture_text(&out), "Symbols:     MSFT"), "%s", tl_capture_text(&out));
  cr_expect(strstr(tl_capture_text(&out), "Timeframes:  4h"));
  e = last_request(NULL, NULL, &n);
  cr_expect_eq(n, 0);
  journal_entries_free(e, n);
}

Test(train_data, ctrl_c_cancels_a_training)
{
  struct tl_sigint s = { .filter = { .method = "GET",
                                      .path_prefix = "/api/v1/operations/op_training_" },
                          .count = 3 };
  struct journal_entry *e;
  size_t n;

  tl_sigint_start(&s);
  cr_expect_eq(ktrdr("models", "train", TRAIN_DIR "trend_momentum.yaml", "--start-date",
                     "2024-01-01", "--end-date", "2024-06-01", NULL), EXITCODE_INTERRUPTED);
  tl_sigint_join(&s);
  cr_expect(strstr(tl_capture_text(&err), "cancelled"), "%s", tl_capture_text(&err));
  e = last_request("DELETE", "/api/v1/operations/op_training_", &n);
  cr_expect_eq(n, 1);
  journal_entries_free(e, n);
}

/* ---- data load ----------------------------------------------------------- */

Test(train_data, tail_load_shows_segments_and_the_summary)
{
  struct journal_entry *e;
  size_t n;

  cr_assert_eq(ktrdr("data", "load", "AAPL", "--timeframe", "1h", "--mode", "tail", NULL), 0,
               "%s", tl_capture_text(&err));
  expect_golden(tl_capture_text(&out), GOLDEN_DIR "data_load_tail.txt");
  e = last_request("POST", "/api/v1/data/", &n);
  cr_assert_eq(n, 1);
  cr_expect_str_eq(e[0].path, "/api/v1/data/load");
  cr_expect_str_eq(e[0].query, "async_mode=true");
  cr_expect_str_eq(e[0].body, "{\"symbol\":\"AAPL\",\"timeframe\":\"1h\",\"mode\":\"tail\"}");
  journal_entries_free(e, n);
}

Test(train_data, falls_back_to_acquire_download_on_404)
{
  struct fault_spec f = FAULT_SPEC_INIT;
  struct journal_entry *e;
  size_t n;

  f.method = "POST";
  f.path_prefix = "/api/v1/data/load";
  f.status = 404;
  f.body = "{\"detail\":\"Not Found\"}";
  cr_assert_eq(mock_server_add_fault(tl_mock, &f, NULL), 0);
  cr_assert_eq(ktrdr("data", "load", "AAPL", "--timeframe", "1h", "-q", NULL), 0, "%s",
               tl_capture_text(&err));
  e = last_request("POST", "/api/v1/data/", &n);
  cr_assert_eq(n, 2);
  cr_expect_eq(e[0].status, 404);
  cr_expect_str_eq(e[1].path, "/api/v1/data/acquire/download");
  cr_expect_eq(e[1].status, 200);
  journal_entries_free(e, n);
  cr_expect(strstr(tl_capture_text(&out), "Data load for AAPL 1h (tail mode): success"), "%s",
            tl_capture_text(&out));
}

Test(train_data, ib_gateway_down_at_start_is_diagnosed)
{
  cr_assert_eq(mock_server_select(tl_mock, "data_load", "data_load_ib_gateway_down", NULL), 0);
  cr_expect_eq(ktrdr("data", "load", "AAPL", "--timeframe", "1h", NULL), EXITCODE_API);
  cr_expect(strstr(tl_capture_text(&err), "IB GATEWAY"), "%s", tl_capture_text(&err));
  cr_expect_null(strstr(tl_capture_text(&err), "Recovery Steps"), "steps only with -v");
  tl_capture_close(&err);
  tl_capture_open(&err);
  cr_expect_eq(ktrdr("data", "load", "AAPL", "--timeframe", "1h", "-v", NULL), EXITCODE_API);
  cr_expect(strstr(tl_capture_text(&err), "Recovery Steps:"), "%s", tl_capture_text(&err));
}

Test(train_data, ib_error_during_the_load_is_diagnosed)
{
  cr_assert_eq(mock_server_select(tl_mock, "data_load", "data_load_ib_gateway_error", NULL), 0);
  cr_expect_eq(ktrdr("data", "load", "AAPL", "--timeframe", "1h", NULL), EXITCODE_FAILED);
  cr_expect(strstr(tl_capture_text(&err), "IB GATEWAY"), "%s", tl_capture_text(&err));
}

Test(train_data, ctrl_c_cancels_a_data_load)
{
  struct tl_sigint s = { .filter = { .method = "GET",
                                      .path_prefix = "/api/v1/operations/op_data_load_" },
                          .count = 2 };

  tl_mock_stop();
  start_mock(1.0); /* slow enough to be interrupted */
  tl_sigint_start(&s);
  cr_expect_eq(ktrdr("data", "load", "MSFT", "--timeframe", "1d", NULL), EXITCODE_INTERRUPTED);
  tl_sigint_join(&s);
  cr_expect(strstr(tl_capture_text(&err), "Cancelling operation op_data_load_"), "%s",
            tl_capture_text(&err));
}
