/* Model training: start payload, epoch/batch/GPU progress, metrics table. */
#include "adapter_training.h"

#include <string.h>

#include "results_table.h"

static const char *start_path(const void *self)
{
  (void)self;
  return "/trainings/start";
}

/* §2.2, in the live CLI's key order; validation_split is not sent (live). */
static json_t *start_payload(const void *self)
{
  const struct training_adapter *t = self;

  return json_pack("{s:s, s:o, s:o, s:b, s:s?, s:s?}",
                   "strategy_name", t->strategy->stem,
                   "symbols", strategy_symbols_json(t->strategy),
                   "timeframes", strategy_timeframes_json(t->strategy),
                   "detailed_analytics", t->detailed_analytics,
                   "start_date", t->start_date, "end_date", t->end_date);
}

static int parse_start(const void *self, const json_t *resp, char **id, struct err *err)
{
  (void)self;
  return adapter_parse_operation_id(resp, id, err); /* flat `task_id` */
}

/* " 🖥️ NAME: 85%" when the context reports a GPU in use. */
static void gpu_suffix(const json_t *ctx, struct buf *line)
{
  const json_t *ru = json_object_get(ctx, "resource_usage");
  const char *name = json_str_or(ru, "gpu_name", "");

  if (json_is_true(json_object_get(ru, "gpu_used")) && json_has_num(ru, "gpu_utilization_percent"))
    buf_appendf(line, " 🖥️ %s: %.0f%%", *name ? name : "GPU",
                json_num_or(ru, "gpu_utilization_percent", 0));
}

void training_format_progress(const struct operation *op, struct buf *line)
{
  const json_t *ctx = op->progress.context;
  const char *step = op->progress.current_step;
  double epoch = json_num_or(ctx, "epoch_index", 0), batch = json_num_or(ctx, "batch_number", 0);
  double per_epoch = json_num_or(ctx, "batch_total_per_epoch", 0);
  double params_epochs = json_num_or(json_object_get(op->metadata, "parameters"), "epochs", 100);

  if (step && *step && strcmp(step, "Status: running") != 0) {
    adapter_default_progress(op, line);
    return;
  }
  buf_appendf(line, "Status: %s", op->status_text);
  if (epoch > 0) {
    buf_appendf(line, " (Epoch: %.0f/%.0f", epoch, json_num_or(ctx, "total_epochs", params_epochs));
    if (batch > 0 && per_epoch > 0)
      buf_appendf(line, ", Batch: %.0f/%.0f", batch, per_epoch);
    buf_appendf(line, ")");
  }
  gpu_suffix(ctx, line);
}

static void format_progress(const void *self, const struct operation *op, struct buf *line)
{
  (void)self;
  training_format_progress(op, line);
}

/* The full URL is built by the executor (the live CLI's relative-URL bug, §7.3). */
static int result_path(const void *self, const struct operation *op, struct buf *path)
{
  (void)self;
  buf_appendf(path, "/trainings/%s/performance", op->id);
  return 0;
}

static int show_result(void *self, const struct operation *op, const json_t *result,
                       const struct out *o, struct err *err)
{
  bool use_perf = json_is_object(result) && !json_is_false(json_object_get(result, "success"));

  (void)self, (void)err;
  fprintf(o->out, "%s%s Training completed successfully!%s\n\n", out_green(o, false),
          out_sym(o, "✅", "OK"), out_reset(o, false));
  results_table_training(use_perf ? result : op->result_summary, o);
  if (!use_perf && o->verbose)
    fprintf(o->err, "(metrics from the final status: the performance endpoint gave none)\n");
  return 0;
}

static const struct adapter_ops training_ops = {
  .name = "training",
  .start_path = start_path,
  .start_payload = start_payload,
  .parse_start = parse_start,
  .show_result = show_result,
  .format_progress = format_progress,
  .result_path = result_path,
};

void training_adapter_init(struct training_adapter *t, struct adapter *ad)
{
  ad->ops = &training_ops;
  ad->self = t;
}
