/* The training result_summary (API-CONTRACT §3.7), local or host form. */
#include "gen_training.h"

#include <stdio.h>

#include "gen.h"

static json_t *training_metrics(const struct gen_training *t)
{
  double minutes = t->host ? (double)t->epochs * t->epoch_s / 60.0 : 0.0;

  return json_pack("{s:o, s:o, s:o, s:o, s:I, s:b, s:o, s:n, s:n}",
                   "final_train_loss", gen_round(t->train_loss.end, 4),
                   "final_val_loss", gen_round(t->val_loss.end, 4),
                   "final_train_accuracy", gen_round(t->train_accuracy.end, 4),
                   "final_val_accuracy", gen_round(t->val_accuracy.end, 4),
                   "epochs_completed", (json_int_t)t->epochs, "early_stopped", 0,
                   "training_time_minutes", gen_round(minutes, 2), "best_epoch",
                   "final_learning_rate");
}

static json_t *resource_usage(const struct gen_training *t)
{
  if (!t->host)
    return json_pack("{s:b, s:n, s:s}", "gpu_used", t->gpu_name != NULL, "peak_memory_mb",
                     "training_mode", "local");
  return json_pack("{s:b, s:s, s:o, s:I, s:s}", "gpu_used", 1, "gpu_name",
                   t->gpu_name && *t->gpu_name ? t->gpu_name : "GPU",
                   "gpu_utilization_percent",
                   t->gpu_name ? json_real(t->gpu_util_hi) : json_null(),
                   "peak_memory_mb", (json_int_t)t->gpu_memory_mb, "training_mode", "host");
}

/* {"AAPL": value, ...} over the request's symbols. */
static json_t *per_symbol(const json_t *vars, json_t *value)
{
  json_t *out = json_object(), *sym;
  size_t i;

  json_array_foreach(json_object_get(vars, "symbols"), i, sym)
    if (json_is_string(sym))
      json_object_set(out, json_string_value(sym), value);
  json_decref(value);
  return out;
}

static const char *first(const json_t *vars, const char *key, const char *def)
{
  const char *s = json_string_value(json_array_get(json_object_get(vars, key), 0));

  return s ? s : def;
}

static json_t *artifacts(const struct gen_training *t, const json_t *vars)
{
  char path[256], url[256];
  json_t *a;

  snprintf(path, sizeof(path), "models/%s/%s_%s_v1",
           json_str_or(vars, "strategy_name", "strategy"), first(vars, "symbols", "AAPL"),
           first(vars, "timeframes", "1h"));
  a = json_pack("{s:s, s:n, s:[], s:{s:f}, s:o}", "model_path", path, "analytics_dir",
                "checkpoints", "feature_importance", "rsi_oversold", 0.12,
                "per_symbol_metrics",
                per_symbol(vars, json_pack("{s:o}", "accuracy",
                                           gen_round(t->val_accuracy.end, 4))));
  if (a && t->host) {
    snprintf(url, sizeof(url), "http://localhost:5002/sessions/%s/model",
             json_str_or(vars, "session_id", ""));
    json_object_set_new(a, "download_url", json_string(url));
  }
  return a;
}

static json_t *vars_or_null(const json_t *vars, const char *key)
{
  const json_t *v = json_object_get(vars, key);

  return v ? json_deep_copy(v) : json_null();
}

static json_t *data_summary(const struct gen_training *t, const json_t *vars)
{
  return json_pack("{s:o, s:o, s:o, s:o, s:I, s:i, s:o}",
                   "symbols", vars_or_null(vars, "symbols"),
                   "timeframes", vars_or_null(vars, "timeframes"),
                   "start_date", vars_or_null(vars, "start_date"),
                   "end_date", vars_or_null(vars, "end_date"),
                   "total_samples", (json_int_t)t->bars, "feature_count", 6,
                   "symbol_distribution", per_symbol(vars, json_integer(t->bars)));
}

static json_t *session_info(const struct gen_training *t, const json_t *vars, const char *op_id)
{
  json_t *s = json_pack("{s:s?, s:o, s:o, s:o, s:s, s:b, s:o, s:o, s:o}",
                        "operation_id", op_id,
                        "strategy_name", vars_or_null(vars, "strategy_name"),
                        "symbols", vars_or_null(vars, "symbols"),
                        "timeframes", vars_or_null(vars, "timeframes"),
                        "training_mode", t->host ? "host" : "local",
                        "use_host_service", t->host,
                        "start_date", vars_or_null(vars, "start_date"),
                        "end_date", vars_or_null(vars, "end_date"),
                        "data_summary", data_summary(t, vars));

  if (s && t->host) {
    json_object_set_new(s, "session_id", vars_or_null(vars, "session_id"));
    json_object_set_new(s, "host_status", json_string("completed"));
  }
  return s;
}

static json_t *model_info(const struct gen_training *t, const json_t *vars)
{
  size_t n = json_array_size(json_object_get(vars, "symbols"));
  char arch[64];

  snprintf(arch, sizeof(arch), "multi_symbol_%s_%zusymbols",
           t->model_type ? t->model_type : "mlp", n ? n : 1);
  return json_pack("{s:I, s:I, s:I, s:s, s:i}", "model_size_bytes",
                   (json_int_t)(t->parameters * 4), "parameters_count",
                   (json_int_t)t->parameters, "trainable_parameters",
                   (json_int_t)t->parameters, "architecture", arch, "symbol_embedding_dim", 16);
}

json_t *gen_training_result(const struct gen_training *t, const json_t *vars, const char *op_id)
{
  return json_pack("{s:o, s:{s:o, s:o}, s:o, s:o, s:o, s:o, s:o}",
                   "training_metrics", training_metrics(t),
                   "validation_metrics", "val_loss", gen_round(t->val_loss.end, 4),
                   "val_accuracy", gen_round(t->val_accuracy.end, 4),
                   "test_metrics", json_deep_copy(t->test_metrics),
                   "resource_usage", resource_usage(t),
                   "artifacts", artifacts(t, vars),
                   "session_info", session_info(t, vars, op_id),
                   "model_info", model_info(t, vars));
}
