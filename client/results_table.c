/* Result tables. Rows are formatted into fixed cells first, then drawn, so
 * the column widths are known before the first line is printed. */
#include "results_table.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "operation.h"
#include "progress_format.h"

#define MAX_ROWS 24
#define CELL 256           /* 60 columns of 4-byte characters, with room to spare */
#define CELL_COLS 60

struct row {
  const char *label;       /* NULL: a blank separator row */
  char value[CELL];
};

struct table {
  struct row rows[MAX_ROWS];
  size_t n;
};

/* The box characters of one style. */
struct box {
  const char *h, *v;                       /* horizontal, vertical */
  const char *tl, *tm, *tr;                /* top: left, middle, right */
  const char *ml, *mm, *mr;                /* under the header */
  const char *bl, *bm, *br;                /* bottom */
};

static const struct box box_utf8 = { "─", "│", "┌", "┬", "┐", "├", "┼", "┤", "└", "┴", "┘" };
static const struct box box_ascii = { "-", "|", "+", "+", "+", "+", "+", "+", "+", "+", "+" };

/* ---- rows ---------------------------------------------------------------- */

/* A new row (the table is sized for every row these functions add). */
static char *add(struct table *t, const char *label)
{
  struct row *r = &t->rows[t->n < MAX_ROWS - 1 ? t->n++ : MAX_ROWS - 1];

  r->label = label;
  snprintf(r->value, sizeof(r->value), "N/A");
  return r->value;
}

/* A blank row between sections, never first and never two in a row. */
static void add_blank(struct table *t)
{
  if (t->n > 0 && t->rows[t->n - 1].label)
    add(t, NULL)[0] = '\0';
}

/* The object at `key` when it has at least one member, else NULL. */
static const json_t *section(const json_t *obj, const char *key)
{
  const json_t *s = json_object_get(obj, key);

  return json_is_object(s) && json_object_size(s) > 0 ? s : NULL;
}

/* ---- value formats ---------------------------------------------------------- */

/* Python's `{:.2%}`. */
static void percent(char *cell, const json_t *obj, const char *key)
{
  if (json_has_num(obj, key))
    snprintf(cell, CELL, "%.2f%%", json_num_or(obj, key, 0) * 100.0);
}

/* `{:.Nf}` plus a unit: "0.8123", "0.00 min". */
static void fixed(char *cell, const json_t *obj, const char *key, int decimals, const char *unit)
{
  if (json_has_num(obj, key))
    snprintf(cell, CELL, "%.*f%s", decimals, json_num_or(obj, key, 0), unit);
}

/* Python's `{:,}` for a whole number: 1379 → "1,379". */
static void commas(char *cell, double v)
{
  unsigned long long mag;
  char digits[32];
  size_t n, i, at = 0;

  if (!(fabs(v) < 1e18)) { /* beyond an integer type (or not finite): as is */
    snprintf(cell, CELL, "%.0f", v);
    return;
  }
  mag = (unsigned long long)fabs(v);
  n = (size_t)snprintf(digits, sizeof(digits), "%llu", mag);

  if (v < 0)
    cell[at++] = '-';
  for (i = 0; i < n; i++) {
    if (i > 0 && (n - i) % 3 == 0)
      cell[at++] = ',';
    cell[at++] = digits[i];
  }
  cell[at] = '\0';
}

/* A count: "1,379"; a fractional value (never sent) shows as is. */
static void count(char *cell, const json_t *obj, const char *key)
{
  double v = json_num_or(obj, key, NAN);

  if (isnan(v))
    return;
  if (v == floor(v) && fabs(v) < 9.0e18)
    commas(cell, v);
  else
    snprintf(cell, CELL, "%g", v);
}

static void yes_no(char *cell, const json_t *obj, const char *key)
{
  const json_t *v = json_object_get(obj, key);

  if (json_is_boolean(v))
    snprintf(cell, CELL, "%s", json_is_true(v) ? "yes" : "no");
}

/* Server text, safe and bounded; N/A for null, missing and "". */
static void text(char *cell, const json_t *obj, const char *key, bool utf8)
{
  const char *s = json_str_or(obj, key, "");

  if (*s)
    pf_fit(s, CELL_COLS, utf8, cell, CELL);
}

/* ---- drawing ---------------------------------------------------------------- */

static void repeat(FILE *f, const char *s, size_t n)
{
  while (n--)
    fputs(s, f);
}

static void rule(FILE *f, const struct box *b, const char *l, const char *m, const char *r,
                 const size_t w[2])
{
  fputs(l, f);
  repeat(f, b->h, w[0] + 2);
  fputs(m, f);
  repeat(f, b->h, w[1] + 2);
  fprintf(f, "%s\n", r);
}

static void line(FILE *f, const struct box *b, const char *a, const char *v, const size_t w[2])
{
  fprintf(f, "%s %s", b->v, a);
  repeat(f, " ", w[0] - pf_text_width(a));
  fprintf(f, " %s %s", b->v, v);
  repeat(f, " ", w[1] - pf_text_width(v));
  fprintf(f, " %s\n", b->v);
}

static void widths(const struct table *t, const char *const head[2], size_t w[2])
{
  size_t i, lw, vw;

  w[0] = pf_text_width(head[0]);
  w[1] = pf_text_width(head[1]);
  for (i = 0; i < t->n; i++) {
    lw = pf_text_width(t->rows[i].label);
    vw = pf_text_width(t->rows[i].value);
    w[0] = lw > w[0] ? lw : w[0];
    w[1] = vw > w[1] ? vw : w[1];
  }
}

static void draw(const struct table *t, const char *title, const char *const head[2],
                 const struct out *o)
{
  const struct box *b = o->utf8 ? &box_utf8 : &box_ascii;
  size_t w[2], total, i, tw = strlen(title);

  widths(t, head, w);
  total = w[0] + w[1] + 7;
  repeat(o->out, " ", total > tw ? (total - tw) / 2 : 0);
  fprintf(o->out, "%s%s%s\n", out_bold(o, false), title, out_reset(o, false));
  rule(o->out, b, b->tl, b->tm, b->tr, w);
  line(o->out, b, head[0], head[1], w);
  rule(o->out, b, b->ml, b->mm, b->mr, w);
  for (i = 0; i < t->n; i++)
    line(o->out, b, t->rows[i].label ? t->rows[i].label : "", t->rows[i].value, w);
  rule(o->out, b, b->bl, b->bm, b->br, w);
}

/* ---- training ------------------------------------------------------------------ */

static void training_rows(struct table *t, const json_t *m)
{
  if (!m)
    return;
  percent(add(t, "Final Training Accuracy"), m, "final_train_accuracy");
  percent(add(t, "Final Validation Accuracy"), m, "final_val_accuracy");
  fixed(add(t, "Final Training Loss"), m, "final_train_loss", 4, "");
  fixed(add(t, "Final Validation Loss"), m, "final_val_loss", 4, "");
  count(add(t, "Epochs Completed"), m, "epochs_completed");
  fixed(add(t, "Training Time"), m, "training_time_minutes", 2, " min");
}

static void test_rows(struct table *t, const json_t *m)
{
  if (!m)
    return;
  add_blank(t);
  percent(add(t, "Test Accuracy"), m, "test_accuracy");
  percent(add(t, "Precision"), m, "precision");
  percent(add(t, "Recall"), m, "recall");
  percent(add(t, "F1 Score"), m, "f1_score");
}

static void model_rows(struct table *t, const json_t *m)
{
  char *cell;

  if (!m)
    return;
  add_blank(t);
  count(add(t, "Model Parameters"), m, "parameters_count");
  cell = add(t, "Model Size");
  if (json_has_num(m, "model_size_bytes"))
    snprintf(cell, CELL, "%.2f MB", json_num_or(m, "model_size_bytes", 0) / 1048576.0);
}

/* Host mode only: which GPU did the work. */
static void gpu_rows(struct table *t, const json_t *ru, bool utf8)
{
  char *cell;
  size_t len;

  if (!json_is_true(json_object_get(ru, "gpu_used")))
    return;
  add_blank(t);
  cell = add(t, "GPU");
  if (*json_str_or(ru, "gpu_name", ""))
    text(cell, ru, "gpu_name", utf8);
  else
    snprintf(cell, CELL, "yes");
  len = strlen(cell);
  if (json_has_num(ru, "gpu_utilization_percent"))
    snprintf(cell + len, CELL - len, " (%g%% utilization)",
             json_num_or(ru, "gpu_utilization_percent", 0));
}

void results_table_training(const json_t *metrics, const struct out *o)
{
  static const char *const head[2] = { "Metric", "Value" };
  struct table t = { .n = 0 };

  training_rows(&t, section(metrics, "training_metrics"));
  test_rows(&t, section(metrics, "test_metrics"));
  model_rows(&t, section(metrics, "model_info"));
  gpu_rows(&t, section(metrics, "resource_usage"), o->utf8);
  if (t.n == 0) {
    fprintf(o->out, "Training Results: no metrics available\n");
    return;
  }
  draw(&t, "Training Results", head, o);
}

/* ---- data load -------------------------------------------------------------- */

static void data_load_rows(struct table *t, const json_t *s, bool utf8)
{
  text(add(t, "Status"), s, "status", utf8);
  count(add(t, "Bars fetched"), s, "fetched_bars");
  yes_no(add(t, "Cached before"), s, "cached_before");
  count(add(t, "Segments fetched"), s, "segments_fetched");
  count(add(t, "Gaps analyzed"), s, "gaps_analyzed");
  count(add(t, "IB requests"), s, "ib_requests_made");
  fixed(add(t, "Execution time"), s, "execution_time_seconds", 2, " s");
  text(add(t, "Merged file"), s, "merged_file", utf8);
}

/* "partial", "failed", "cancelled": say so in words, with the reason. */
static void data_load_outcome(const json_t *s, const struct out *o)
{
  const char *status = json_str_or(s, "status", "");
  const char *why = json_str_or(s, "message", json_str_or(s, "error_message", ""));
  const char *sym, *what, *colour = out_yellow(o, false);
  char reason[512];

  if (strcmp(status, "partial") == 0) {
    sym = out_sym(o, "⚠️ ", "!");
    what = "Data load was only partially successful";
  } else if (strcmp(status, "failed") == 0) {
    sym = out_sym(o, "❌", "error:");
    what = "Data load failed";
    colour = out_red(o, false);
  } else if (strcmp(status, "cancelled") == 0) {
    sym = out_sym(o, "🛑", "!");
    what = "Data load was cancelled";
  } else {
    return;
  }
  pf_fit(why, 400, o->utf8, reason, sizeof(reason));
  fprintf(o->out, "%s%s %s%s%s%s\n", colour, sym, what, *reason ? ": " : "", reason,
          out_reset(o, false));
}

void results_table_data_load(const json_t *summary, const struct out *o)
{
  static const char *const head[2] = { "Field", "Value" };
  struct table t = { .n = 0 };

  if (!json_is_object(summary)) {
    fprintf(o->out, "Data Load Results: no result summary\n");
    return;
  }
  data_load_rows(&t, summary, o->utf8);
  draw(&t, "Data Load Results", head, o);
  data_load_outcome(summary, o);
}
