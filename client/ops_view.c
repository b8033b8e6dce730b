#include "ops_view.h"

#include <stdlib.h>
#include <string.h>

#include "adapter_generic.h"
#include "progress_format.h"
#include "timeutil.h"

#define STEP_COLS 48
#define CELL 256

enum { C_ID, C_TYPE, C_STATUS, C_PROGRESS, C_SYMBOL, C_DURATION, C_STEP, N_COLS };

static const char *const headers[N_COLS] = {
  "OPERATION ID", "TYPE", "STATUS", "PROGRESS", "SYMBOL", "DURATION", "CURRENT STEP",
};

void ops_view_duration(double seconds, char *buf, size_t size)
{
  if (seconds < 0)
    snprintf(buf, size, "N/A");
  else
    timeutil_hms(seconds, buf, size);
}

static void cells(const json_t *s, bool utf8, char cell[N_COLS][CELL])
{
  const json_t *dur = json_object_get(s, "duration_seconds");

  pf_fit(json_str_or(s, "operation_id", "?"), CELL / 4, utf8, cell[C_ID], CELL);
  pf_fit(json_str_or(s, "operation_type", "?"), 32, utf8, cell[C_TYPE], CELL);
  pf_fit(json_str_or(s, "status", "?"), 32, utf8, cell[C_STATUS], CELL);
  snprintf(cell[C_PROGRESS], CELL, "%.0f%%", json_num_or(s, "progress_percentage", 0));
  pf_fit(json_str_or(s, "symbol", "N/A"), 16, utf8, cell[C_SYMBOL], CELL);
  ops_view_duration(json_is_number(dur) ? json_number_value(dur) : -1, cell[C_DURATION], CELL);
  pf_fit(json_str_or(s, "current_step", ""), STEP_COLS, utf8, cell[C_STEP], CELL);
}

static const char *status_colour(const struct out *o, const char *status)
{
  if (strcmp(status, "completed") == 0)
    return out_green(o, false);
  if (strcmp(status, "failed") == 0)
    return out_red(o, false);
  if (strcmp(status, "cancelled") == 0)
    return out_yellow(o, false);
  return "";
}

static void print_row(const struct out *o, char cell[N_COLS][CELL], const size_t *w, bool head)
{
  for (int c = 0; c < N_COLS; c++) {
    const char *colour = head ? out_bold(o, false) : c == C_STATUS ? status_colour(o, cell[c]) : "";
    size_t pad = w[c] - pf_text_width(cell[c]);

    fprintf(o->out, "%s%s%s", colour, cell[c], *colour ? out_reset(o, false) : "");
    if (c + 1 < N_COLS)
      fprintf(o->out, "%*s  ", (int)pad, "");
  }
  fputc('\n', o->out);
}

void ops_view_list(const json_t *body, bool active_only, const struct out *o)
{
  const json_t *data = json_object_get(body, "data"), *item;
  size_t n = json_array_size(data), i, w[N_COLS];
  char (*rows)[N_COLS][CELL] = calloc(n + 1, sizeof(*rows));

  if (!rows)
    return;
  for (int c = 0; c < N_COLS; c++) {
    snprintf(rows[0][c], CELL, "%s", headers[c]);
    w[c] = strlen(headers[c]);
  }
  json_array_foreach(data, i, item) {
    cells(item, o->utf8, rows[i + 1]);
    for (int c = 0; c < N_COLS; c++)
      if (pf_text_width(rows[i + 1][c]) > w[c])
        w[c] = pf_text_width(rows[i + 1][c]);
  }
  if (n == 0)
    fprintf(o->out, "No %soperations found\n", active_only ? "active " : "");
  for (i = 0; n && i <= n; i++)
    print_row(o, rows[i], w, i == 0);
  fprintf(o->out, "%sShowing %zu of %lld operations (%lld active)\n", n ? "\n" : "", n,
          (long long)json_long_or(body, "total_count", (long)n),
          (long long)json_long_or(body, "active_count", 0));
  free(rows);
}

/* Seconds between two live timestamps; `end` NULL = now; -1 if unknown. */
static double span(const char *start, const char *end)
{
  int64_t a, b;

  if (timeutil_parse_iso(start, &a) < 0)
    return -1;
  if (!end)
    b = timeutil_real_us();
  else if (timeutil_parse_iso(end, &b) < 0)
    return -1;
  return b >= a ? (double)(b - a) / 1e6 : -1;
}

static void field(const struct out *o, const char *name, const char *value)
{
  char safe[1024];

  pf_fit(value ? value : "-", 300, o->utf8, safe, sizeof(safe));
  fprintf(o->out, "  %-14s %s\n", name, safe);
}

static void context_summary(const struct operation *op, const struct out *o)
{
  const char *key;
  const json_t *v;
  char buf[64];

  if (!json_object_size(op->progress.context))
    return;
  fprintf(o->out, "Context\n");
  json_object_foreach((json_t *)op->progress.context, key, v) {
    if (json_is_object(v) || json_is_array(v)) {
      snprintf(buf, sizeof(buf), "(%zu %s)", json_is_object(v) ? json_object_size(v)
                                                               : json_array_size(v),
               json_is_object(v) ? "keys" : "items");
      field(o, key, buf);
    } else {
      char *s = json_is_string(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY);
      field(o, key, s ? s : json_string_value(v));
      free(s);
    }
  }
}

static void progress_section(const struct operation *op, const struct out *o)
{
  const struct op_progress *p = &op->progress;
  char buf[128];

  fprintf(o->out, "Progress\n");
  snprintf(buf, sizeof(buf), "%.1f%%", p->percentage);
  field(o, "Percentage", buf);
  field(o, "Current step", p->current_step);
  snprintf(buf, sizeof(buf), "%ld/%ld", p->steps_completed, p->steps_total);
  field(o, "Steps", buf);
  if (p->items_total >= 0)
    snprintf(buf, sizeof(buf), "%ld/%ld", p->items_processed, p->items_total);
  else
    snprintf(buf, sizeof(buf), "%ld", p->items_processed);
  field(o, "Items", buf);
  field(o, "Current item", p->current_item);
}

void ops_view_status(const struct operation *op, bool verbose, const struct out *o)
{
  char dur[32];

  fprintf(o->out, "Operation %s\n", op->id);
  field(o, "Type", op->type);
  fprintf(o->out, "  %-14s %s%s%s\n", "Status", status_colour(o, op->status_text),
          op->status_text, *status_colour(o, op->status_text) ? out_reset(o, false) : "");
  field(o, "Created", op->created_at);
  field(o, "Started", op->started_at);
  field(o, "Completed", op->completed_at);
  ops_view_duration(op->started_at ? span(op->started_at, op->completed_at) : -1, dur,
                    sizeof(dur));
  field(o, "Duration", dur);
  progress_section(op, o);
  context_summary(op, o);
  if (op->error_message)
    fprintf(o->out, "Error\n  %s\n", op->error_message);
  if (verbose && json_object_size(op->metadata)) {
    fprintf(o->out, "Metadata\n");
    generic_print_object(o->out, op->metadata, 2);
  }
  if (json_object_size(op->result_summary)) {
    fprintf(o->out, "Result summary\n");
    generic_print_object(o->out, op->result_summary, 2);
  }
}

void ops_view_cancelled(const char *id, const json_t *data, const struct out *o)
{
  const char *reason = json_str_or(data, "cancellation_reason", NULL);

  fprintf(o->out, "%s%s Cancelled operation %s%s\n", out_green(o, false), out_sym(o, "✅", "OK"),
          id, out_reset(o, false));
  field(o, "Cancelled at", json_str_or(data, "cancelled_at", NULL));
  if (reason)
    field(o, "Reason", reason);
  field(o, "Task", json_is_true(json_object_get(data, "task_cancelled"))
                       ? "the background task was cancelled"
                       : "the operation was already stopping");
}
