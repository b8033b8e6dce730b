/*
 * results_table: the metric tables printed when an operation has finished.
 *
 *   results_table_training(perf_body_or_result_summary, out);
 *   results_table_data_load(result_summary, out);
 *
 * Both print a two-column table (label, value) on o->out, drawn with Unicode
 * box characters when o->utf8 and with ASCII `+---+` / `|` otherwise, under
 * a centred title (bold when o->color_out). Values are formatted as the live
 * CLI formats them (API-CONTRACT §5): `57.12%`, `1,379`, `0.01 MB`. A value
 * that is null, missing or of the wrong type inside a present section shows
 * as `N/A`; a section that is missing, null or empty is left out with its
 * rows. Text from the server (file names, GPU names, messages) is made safe
 * for a terminal (no control characters, ASCII when !o->utf8) and cut at 60
 * columns.
 *
 * Pure printing: the JSON is borrowed and not kept, nothing is allocated,
 * nothing can fail. No shared state; safe from any thread for distinct
 * streams; not async-signal-safe.
 */
#ifndef KTRDR_RESULTS_TABLE_H
#define KTRDR_RESULTS_TABLE_H

#include <jansson.h>

#include "out.h"

/*
 * "Training Results", from either the body of
 * `GET /trainings/{id}/performance` (§5) or a completed training's
 * `result_summary` (§3.7): both carry the sections `training_metrics`,
 * `test_metrics` and `model_info`. Rows, in order, with blank separator rows
 * between sections:
 *   Final Training Accuracy, Final Validation Accuracy (percent, 2 decimals),
 *   Final Training Loss, Final Validation Loss (4 decimals),
 *   Epochs Completed, Training Time (`0.00 min`);
 *   Test Accuracy, Precision, Recall, F1 Score (percent);
 *   Model Parameters (`1,379`), Model Size (`0.01 MB`, bytes / 2^20);
 *   GPU (`<gpu_name>` plus ` (85% utilization)` when given), only when
 *   `resource_usage.gpu_used` is true (host-mode result_summary).
 * With no section at all it prints one line saying no metrics are available.
 */
void results_table_training(const json_t *metrics, const struct out *o);

/*
 * "Data Load Results" from a data-load `result_summary` (§6.3): Status,
 * Bars fetched, Cached before (yes/no), Segments fetched, Gaps analyzed,
 * IB requests, Execution time (`0.00 s`), Merged file. When `status` is
 * "partial", "failed" or "cancelled", a line after the table says so, with
 * the summary's `message` (else `error_message`) when present, in yellow
 * (red for failed) when colours are on. A NULL or non-object summary prints
 * one line saying there is no result summary.
 */
void results_table_data_load(const json_t *summary, const struct out *o);

#endif
