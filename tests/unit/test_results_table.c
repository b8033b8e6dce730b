/* results_table: golden output for the training and data-load tables. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "results_table.h"
#include "testlib.h"

TestSuite(results_table, .timeout = 20);

/* The fixtures are written with ' for " to stay readable; none contains an
 * apostrophe. NULL gives NULL. */
static json_t *sq_json(const char *sq)
{
  char *text;
  json_t *j;
  size_t i;

  if (!sq)
    return NULL;
  text = strdup(sq);
  for (i = 0; text[i]; i++)
    if (text[i] == '\'')
      text[i] = '"';
  j = json_loads(text, JSON_DECODE_ANY, NULL);
  cr_assert_not_null(j, "bad fixture: %s", text);
  free(text);
  return j;
}

/* ---- fixtures ------------------------------------------------------------- */

/* §5, verbatim. */
#define PERFORMANCE_BODY \
  "{'success': true, 'task_id': 'op_training_20251002_221530_7c1e9a2b', 'status': 'completed'," \
  " 'training_metrics': {'final_train_loss': 0.8123, 'final_val_loss': 0.8511," \
  " 'final_train_accuracy': 0.5712, 'final_val_accuracy': 0.5488, 'epochs_completed': 20," \
  " 'early_stopped': false, 'training_time_minutes': 0.0}," \
  " 'test_metrics': {'test_loss': 0.8702, 'test_accuracy': 0.5391, 'precision': 0.5502," \
  " 'recall': 0.5391, 'f1_score': 0.5407}," \
  " 'model_info': {'model_size_bytes': 5516, 'parameters_count': 1379," \
  " 'architecture': 'multi_symbol_mlp_1symbols'}}"

/* §3.7 result_summary (local mode), verbatim. */
#define LOCAL_SUMMARY \
  "{'training_metrics': {'final_train_loss': 0.8123, 'final_val_loss': 0.8511," \
  " 'final_train_accuracy': 0.5712, 'final_val_accuracy': 0.5488, 'epochs_completed': 20," \
  " 'early_stopped': false, 'training_time_minutes': 0.0, 'best_epoch': null," \
  " 'final_learning_rate': null}," \
  " 'validation_metrics': {'val_loss': 0.8511, 'val_accuracy': 0.5488}," \
  " 'test_metrics': {'test_loss': 0.8702, 'test_accuracy': 0.5391, 'precision': 0.5502," \
  " 'recall': 0.5391, 'f1_score': 0.5407}," \
  " 'resource_usage': {'gpu_used': false, 'peak_memory_mb': null, 'training_mode': 'local'}," \
  " 'artifacts': {'model_path': 'models/trend_momentum/AAPL_1h_v3', 'analytics_dir': null," \
  " 'checkpoints': [], 'feature_importance': {'rsi_oversold': 0.12}," \
  " 'per_symbol_metrics': {'AAPL': {'accuracy': 0.5488}}}," \
  " 'session_info': {'operation_id': 'op_training_20251002_221530_7c1e9a2b'," \
  " 'strategy_name': 'trend_momentum', 'symbols': ['AAPL'], 'timeframes': ['1h']," \
  " 'training_mode': 'local', 'use_host_service': false, 'start_date': '2024-01-01'," \
  " 'end_date': '2024-06-01', 'data_summary': {'symbols': ['AAPL'], 'timeframes': ['1h']," \
  " 'start_date': '2024-01-01', 'end_date': '2024-06-01', 'total_samples': 2924," \
  " 'feature_count': 6, 'symbol_distribution': {'AAPL': 2924}}}," \
  " 'model_info': {'model_size_bytes': 5516, 'parameters_count': 1379," \
  " 'trainable_parameters': 1379, 'architecture': 'multi_symbol_mlp_1symbols'," \
  " 'symbol_embedding_dim': 16}}"

/* §3.7's host-mode shape (from_host_run): GPU fields, download_url, session_id. */
#define HOST_SUMMARY \
  "{'training_metrics': {'final_train_loss': 0.41237, 'final_val_loss': 0.5," \
  " 'final_train_accuracy': 0.8125, 'final_val_accuracy': 0.79995, 'epochs_completed': 50," \
  " 'early_stopped': true, 'training_time_minutes': 12.345}," \
  " 'validation_metrics': {'val_loss': 0.5, 'val_accuracy': 0.79995}," \
  " 'test_metrics': {'test_loss': 0.52, 'test_accuracy': 0.78, 'precision': 0.7712," \
  " 'recall': 0.78, 'f1_score': 0.7755}," \
  " 'resource_usage': {'gpu_used': true, 'gpu_name': 'NVIDIA GeForce RTX 3090'," \
  " 'gpu_utilization_percent': 85.0, 'peak_memory_mb': 2048.5, 'training_mode': 'host'}," \
  " 'artifacts': {'model_path': 'models/x', 'download_url': 'http://gpu-host:5002/x'}," \
  " 'session_info': {'session_id': 's1', 'host_status': 'completed'}," \
  " 'model_info': {'model_size_bytes': 1234567, 'parameters_count': 308641," \
  " 'architecture': 'mlp'}}"

/* §6.3, verbatim. */
#define DATA_LOAD_SUMMARY \
  "{'status': 'success', 'fetched_bars': 2924, 'cached_before': true," \
  " 'merged_file': 'AAPL_1h.csv', 'gaps_analyzed': 1, 'segments_fetched': 1," \
  " 'ib_requests_made': 1, 'execution_time_seconds': 0.0}"

static const char section5_utf8[] =
  "            Training Results\n"
  "┌───────────────────────────┬──────────┐\n"
  "│ Metric                    │ Value    │\n"
  "├───────────────────────────┼──────────┤\n"
  "│ Final Training Accuracy   │ 57.12%   │\n"
  "│ Final Validation Accuracy │ 54.88%   │\n"
  "│ Final Training Loss       │ 0.8123   │\n"
  "│ Final Validation Loss     │ 0.8511   │\n"
  "│ Epochs Completed          │ 20       │\n"
  "│ Training Time             │ 0.00 min │\n"
  "│                           │          │\n"
  "│ Test Accuracy             │ 53.91%   │\n"
  "│ Precision                 │ 55.02%   │\n"
  "│ Recall                    │ 53.91%   │\n"
  "│ F1 Score                  │ 54.07%   │\n"
  "│                           │          │\n"
  "│ Model Parameters          │ 1,379    │\n"
  "│ Model Size                │ 0.01 MB  │\n"
  "└───────────────────────────┴──────────┘\n";

static const char section5_ascii[] =
  "            Training Results\n"
  "+---------------------------+----------+\n"
  "| Metric                    | Value    |\n"
  "+---------------------------+----------+\n"
  "| Final Training Accuracy   | 57.12%   |\n"
  "| Final Validation Accuracy | 54.88%   |\n"
  "| Final Training Loss       | 0.8123   |\n"
  "| Final Validation Loss     | 0.8511   |\n"
  "| Epochs Completed          | 20       |\n"
  "| Training Time             | 0.00 min |\n"
  "|                           |          |\n"
  "| Test Accuracy             | 53.91%   |\n"
  "| Precision                 | 55.02%   |\n"
  "| Recall                    | 53.91%   |\n"
  "| F1 Score                  | 54.07%   |\n"
  "|                           |          |\n"
  "| Model Parameters          | 1,379    |\n"
  "| Model Size                | 0.01 MB  |\n"
  "+---------------------------+----------+\n";

static const char host_utf8[] =
  "                            Training Results\n"
  "┌───────────────────────────┬───────────────────────────────────────────┐\n"
  "│ Metric                    │ Value                                     │\n"
  "├───────────────────────────┼───────────────────────────────────────────┤\n"
  "│ Final Training Accuracy   │ 81.25%                                    │\n"
  "│ Final Validation Accuracy │ 80.00%                                    │\n"
  "│ Final Training Loss       │ 0.4124                                    │\n"
  "│ Final Validation Loss     │ 0.5000                                    │\n"
  "│ Epochs Completed          │ 50                                        │\n"
  "│ Training Time             │ 12.35 min                                 │\n"
  "│                           │                                           │\n"
  "│ Test Accuracy             │ 78.00%                                    │\n"
  "│ Precision                 │ 77.12%                                    │\n"
  "│ Recall                    │ 78.00%                                    │\n"
  "│ F1 Score                  │ 77.55%                                    │\n"
  "│                           │                                           │\n"
  "│ Model Parameters          │ 308,641                                   │\n"
  "│ Model Size                │ 1.18 MB                                   │\n"
  "│                           │                                           │\n"
  "│ GPU                       │ NVIDIA GeForce RTX 3090 (85% utilization) │\n"
  "└───────────────────────────┴───────────────────────────────────────────┘\n";

static const char data_load_utf8[] =
  "        Data Load Results\n"
  "┌──────────────────┬─────────────┐\n"
  "│ Field            │ Value       │\n"
  "├──────────────────┼─────────────┤\n"
  "│ Status           │ success     │\n"
  "│ Bars fetched     │ 2,924       │\n"
  "│ Cached before    │ yes         │\n"
  "│ Segments fetched │ 1           │\n"
  "│ Gaps analyzed    │ 1           │\n"
  "│ IB requests      │ 1           │\n"
  "│ Execution time   │ 0.00 s      │\n"
  "│ Merged file      │ AAPL_1h.csv │\n"
  "└──────────────────┴─────────────┘\n";

static const char data_load_ascii[] =
  "        Data Load Results\n"
  "+------------------+-------------+\n"
  "| Field            | Value       |\n"
  "+------------------+-------------+\n"
  "| Status           | success     |\n"
  "| Bars fetched     | 2,924       |\n"
  "| Cached before    | yes         |\n"
  "| Segments fetched | 1           |\n"
  "| Gaps analyzed    | 1           |\n"
  "| IB requests      | 1           |\n"
  "| Execution time   | 0.00 s      |\n"
  "| Merged file      | AAPL_1h.csv |\n"
  "+------------------+-------------+\n";

/* ---- cases ------------------------------------------------------------------ */

enum kind { TRAINING, DATA_LOAD };

struct table_case {
  const char *what;
  enum kind kind;
  const char *json;       /* single-quoted JSON, NULL for a NULL pointer */
  bool utf8;
  const char *want;
};

static const struct table_case table_cases[] = {
  { "§5 body", TRAINING, PERFORMANCE_BODY, true, section5_utf8 },
  { "§5 body, ASCII", TRAINING, PERFORMANCE_BODY, false, section5_ascii },
  { "§3.7 local result_summary", TRAINING, LOCAL_SUMMARY, true, section5_utf8 },
  { "§3.7 local result_summary, ASCII", TRAINING, LOCAL_SUMMARY, false, section5_ascii },
  { "host result_summary with GPU", TRAINING, HOST_SUMMARY, true, host_utf8 },
  { "GPU without name or utilisation", TRAINING,
    "{'model_info': {'parameters_count': 1000000, 'model_size_bytes': 10485760},"
    " 'resource_usage': {'gpu_used': true, 'gpu_name': null}}", false,
    "        Training Results\n"
    "+------------------+-----------+\n"
    "| Metric           | Value     |\n"
    "+------------------+-----------+\n"
    "| Model Parameters | 1,000,000 |\n"
    "| Model Size       | 10.00 MB  |\n"
    "|                  |           |\n"
    "| GPU              | yes       |\n"
    "+------------------+-----------+\n" },
  { "null and missing values inside a present section", TRAINING,
    "{'training_metrics': {'final_train_accuracy': null, 'final_train_loss': null,"
    " 'epochs_completed': null}, 'test_metrics': null}", false,
    "          Training Results\n"
    "+---------------------------+-------+\n"
    "| Metric                    | Value |\n"
    "+---------------------------+-------+\n"
    "| Final Training Accuracy   | N/A   |\n"
    "| Final Validation Accuracy | N/A   |\n"
    "| Final Training Loss       | N/A   |\n"
    "| Final Validation Loss     | N/A   |\n"
    "| Epochs Completed          | N/A   |\n"
    "| Training Time             | N/A   |\n"
    "+---------------------------+-------+\n" },
  { "wrong types are N/A, empty sections skipped", TRAINING,
    "{'training_metrics': {}, 'test_metrics': {'test_accuracy': '0.5', 'precision': true,"
    " 'recall': 1, 'f1_score': 0.0}, 'model_info': {'parameters_count': 999,"
    " 'model_size_bytes': 'big'}}", false,
    "       Training Results\n"
    "+------------------+---------+\n"
    "| Metric           | Value   |\n"
    "+------------------+---------+\n"
    "| Test Accuracy    | N/A     |\n"
    "| Precision        | N/A     |\n"
    "| Recall           | 100.00% |\n"
    "| F1 Score         | 0.00%   |\n"
    "|                  |         |\n"
    "| Model Parameters | 999     |\n"
    "| Model Size       | N/A     |\n"
    "+------------------+---------+\n" },
  { "all sections null (a performance body before results)", TRAINING,
    "{'success': true, 'task_id': 'x', 'status': 'running', 'training_metrics': null,"
    " 'test_metrics': null, 'model_info': null}", true,
    "Training Results: no metrics available\n" },
  { "empty object", TRAINING, "{}", true, "Training Results: no metrics available\n" },
  { "NULL", TRAINING, NULL, true, "Training Results: no metrics available\n" },
  { "not an object", TRAINING, "[1, 2]", true, "Training Results: no metrics available\n" },
  { "§6.3 summary", DATA_LOAD, DATA_LOAD_SUMMARY, true, data_load_utf8 },
  { "§6.3 summary, ASCII", DATA_LOAD, DATA_LOAD_SUMMARY, false, data_load_ascii },
  { "§6.3 cancelled form", DATA_LOAD,
    "{'status': 'cancelled', 'fetched_bars': 0, 'message': 'Data load cancelled for AAPL 1h'}",
    true,
    "       Data Load Results\n"
    "┌──────────────────┬───────────┐\n"
    "│ Field            │ Value     │\n"
    "├──────────────────┼───────────┤\n"
    "│ Status           │ cancelled │\n"
    "│ Bars fetched     │ 0         │\n"
    "│ Cached before    │ N/A       │\n"
    "│ Segments fetched │ N/A       │\n"
    "│ Gaps analyzed    │ N/A       │\n"
    "│ IB requests      │ N/A       │\n"
    "│ Execution time   │ N/A       │\n"
    "│ Merged file      │ N/A       │\n"
    "└──────────────────┴───────────┘\n"
    "🛑 Data load was cancelled: Data load cancelled for AAPL 1h\n" },
  { "partial, message preferred to error_message", DATA_LOAD,
    "{'status': 'partial', 'fetched_bars': 1500, 'cached_before': false,"
    " 'merged_file': 'MSFT_1d.csv', 'gaps_analyzed': 3, 'segments_fetched': 2,"
    " 'ib_requests_made': 2, 'execution_time_seconds': 4.256,"
    " 'message': 'IB pacing limit reached', 'error_message': 'ignored'}", false,
    "        Data Load Results\n"
    "+------------------+-------------+\n"
    "| Field            | Value       |\n"
    "+------------------+-------------+\n"
    "| Status           | partial     |\n"
    "| Bars fetched     | 1,500       |\n"
    "| Cached before    | no          |\n"
    "| Segments fetched | 2           |\n"
    "| Gaps analyzed    | 3           |\n"
    "| IB requests      | 2           |\n"
    "| Execution time   | 4.26 s      |\n"
    "| Merged file      | MSFT_1d.csv |\n"
    "+------------------+-------------+\n"
    "! Data load was only partially successful: IB pacing limit reached\n" },
  { "failed with error_message", DATA_LOAD,
    "{'status': 'failed', 'fetched_bars': 0, 'error_message': 'No data for ZZZZ 1h'}", false,
    "      Data Load Results\n"
    "+------------------+--------+\n"
    "| Field            | Value  |\n"
    "+------------------+--------+\n"
    "| Status           | failed |\n"
    "| Bars fetched     | 0      |\n"
    "| Cached before    | N/A    |\n"
    "| Segments fetched | N/A    |\n"
    "| Gaps analyzed    | N/A    |\n"
    "| IB requests      | N/A    |\n"
    "| Execution time   | N/A    |\n"
    "| Merged file      | N/A    |\n"
    "+------------------+--------+\n"
    "error: Data load failed: No data for ZZZZ 1h\n" },
  { "failed without a message, nulls", DATA_LOAD,
    "{'status': 'failed', 'fetched_bars': null, 'message': null, 'merged_file': ''}", true,
    "      Data Load Results\n"
    "┌──────────────────┬────────┐\n"
    "│ Field            │ Value  │\n"
    "├──────────────────┼────────┤\n"
    "│ Status           │ failed │\n"
    "│ Bars fetched     │ N/A    │\n"
    "│ Cached before    │ N/A    │\n"
    "│ Segments fetched │ N/A    │\n"
    "│ Gaps analyzed    │ N/A    │\n"
    "│ IB requests      │ N/A    │\n"
    "│ Execution time   │ N/A    │\n"
    "│ Merged file      │ N/A    │\n"
    "└──────────────────┴────────┘\n"
    "❌ Data load failed\n" },
  { "NULL summary", DATA_LOAD, NULL, true, "Data Load Results: no result summary\n" },
  { "non-object summary", DATA_LOAD, "'done'", false, "Data Load Results: no result summary\n" },
};

ParameterizedTestParameters(results_table, golden)
{
  return tl_index_params(TL_N(table_cases));
}

static void render(enum kind kind, const json_t *j, const struct out *o)
{
  if (kind == TRAINING)
    results_table_training(j, o);
  else
    results_table_data_load(j, o);
}

ParameterizedTest(size_t *i, results_table, golden)
{
  const struct table_case *c = &table_cases[*i];
  struct tl_capture out, err;
  struct out o = { .utf8 = c->utf8 };
  json_t *j = sq_json(c->json);

  o.out = tl_capture_open(&out);
  o.err = tl_capture_open(&err);
  render(c->kind, j, &o);
  cr_expect_str_eq(tl_capture_text(&out), c->want, "%s:\n%s", c->what, tl_capture_text(&out));
  cr_expect_str_eq(tl_capture_text(&err), "", "%s: stderr", c->what);
  tl_capture_close(&out);
  tl_capture_close(&err);
  json_decref(j);
}

/* ASCII mode never emits a byte >= 0x80, and server text cannot carry
 * escape sequences to the terminal. */
Test(results_table, ascii_is_ascii)
{
  static const struct { enum kind kind; const char *json; } cases[] = {
    { TRAINING, HOST_SUMMARY },
    { TRAINING, "{'resource_usage': {'gpu_used': true, 'gpu_name': 'GPU \u00e9\u2122\\u001b[2J'}}" },
    { DATA_LOAD, "{'status': 'partial', 'merged_file': '\u00c9T\u00c9_1h.csv',"
                 " 'message': 'r\u00e9seau \\u001b]0;x\\u0007'}" },
    { DATA_LOAD, "{'status': 'cancelled', 'message': 'stop'}" },
  };
  struct tl_capture out;
  struct out o = { .utf8 = false };
  const unsigned char *c;
  json_t *j;
  size_t i;

  for (i = 0; i < TL_N(cases); i++) {
    o.out = tl_capture_open(&out);
    j = sq_json(cases[i].json);
    render(cases[i].kind, j, &o);
    for (c = (const unsigned char *)tl_capture_text(&out); *c; c++)
      cr_expect(*c < 0x80 && *c != 0x1b && *c != 0x07, "case %zu: byte 0x%02x in\n%s", i, *c,
                tl_capture_text(&out));
    tl_capture_close(&out);
    json_decref(j);
  }
}

Test(results_table, utf8_server_text_is_measured_by_columns)
{
  struct tl_capture out;
  struct out o = { .utf8 = true };
  json_t *j = sq_json("{'status': 'success', 'merged_file': '\u65e5\u672c_1h.csv'}");

  o.out = tl_capture_open(&out);
  results_table_data_load(j, &o);
  /* 日本 is 4 columns wide: the cell is padded like "ABCD_1h.csv". */
  cr_expect(strstr(tl_capture_text(&out), "│ Merged file      │ \u65e5\u672c_1h.csv │\n"), "%s",
            tl_capture_text(&out));
  cr_expect(strstr(tl_capture_text(&out), "│ Status           │ success     │\n"), "%s",
            tl_capture_text(&out));
  tl_capture_close(&out);
  json_decref(j);
}

Test(results_table, colours)
{
  struct tl_capture out;
  struct out o = { .utf8 = true, .color_out = true };
  json_t *j = sq_json("{'status': 'failed', 'error_message': 'boom'}");

  o.out = tl_capture_open(&out);
  results_table_data_load(j, &o);
  cr_expect(strstr(tl_capture_text(&out), "\033[1mData Load Results\033[0m\n"), "%s",
            tl_capture_text(&out));
  cr_expect(strstr(tl_capture_text(&out), "\033[31m❌ Data load failed: boom\033[0m\n"), "%s",
            tl_capture_text(&out));
  tl_capture_close(&out);
  json_decref(j);
}

/* A long server string is cut at 60 columns, never widening the table more. */
Test(results_table, long_text_is_cut)
{
  struct tl_capture out;
  struct out o = { .utf8 = false };
  json_t *j = json_pack("{s:s, s:s}", "status", "success", "merged_file",
                        "a_very_long_directory_name/that_keeps_going/and_going/AAPL_1h_full.csv");
  const char *line;

  o.out = tl_capture_open(&out);
  results_table_data_load(j, &o);
  line = strstr(tl_capture_text(&out), "| Merged file ");
  cr_assert_not_null(line);
  cr_expect_eq(strcspn(line, "\n"), strlen("| Merged file      | ") + 60 + 2, "%s",
               tl_capture_text(&out));
  cr_expect(strstr(line, "..."));
  tl_capture_close(&out);
  json_decref(j);
}

Test(results_table, absurd_counts_are_printed_not_undefined)
{
  struct tl_capture out;
  struct out o = { .utf8 = true };
  json_t *m = json_loads("{\"model_info\":{\"parameters_count\":1e30,\"model_size_bytes\":-1e25}}",
                         0, NULL);

  o.out = tl_capture_open(&out);
  o.err = o.out;
  results_table_training(m, &o);
  cr_expect(strstr(tl_capture_text(&out), "1e+30"), "%s",
            tl_capture_text(&out));
  json_decref(m);
  tl_capture_close(&out);
}
