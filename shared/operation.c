#include "operation.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_names[] = {
  [OP_STATUS_PENDING] = "pending",     [OP_STATUS_RUNNING] = "running",
  [OP_STATUS_COMPLETED] = "completed", [OP_STATUS_FAILED] = "failed",
  [OP_STATUS_CANCELLED] = "cancelled", [OP_STATUS_OTHER] = "unknown",
};

enum op_status op_status_parse(const char *s)
{
  for (int i = 0; s && i < OP_STATUS_OTHER; i++)
    if (strcmp(s, status_names[i]) == 0)
      return (enum op_status)i;
  return OP_STATUS_OTHER;
}

const char *op_status_name(enum op_status st)
{
  if ((unsigned)st > OP_STATUS_OTHER)
    st = OP_STATUS_OTHER;
  return status_names[st];
}

bool op_status_is_terminal(enum op_status st)
{
  return st == OP_STATUS_COMPLETED || st == OP_STATUS_FAILED ||
         st == OP_STATUS_CANCELLED;
}

void operation_set_str(char **field, const char *s)
{
  free(*field);
  *field = s ? strdup(s) : NULL;
}

const char *json_str_or(const json_t *obj, const char *key, const char *def)
{
  const json_t *v = json_object_get(obj, key);

  return json_is_string(v) ? json_string_value(v) : def;
}

double json_num_or(const json_t *obj, const char *key, double def)
{
  const json_t *v = json_object_get(obj, key);

  return json_is_number(v) ? json_number_value(v) : def;
}

long json_long_or(const json_t *obj, const char *key, long def)
{
  const json_t *v = json_object_get(obj, key);
  double d;

  if (json_is_integer(v))
    return (long)json_integer_value(v); /* json_int_t is long long: same width here */
  if (!json_is_real(v))
    return def;
  d = json_real_value(v);
  if (d != d)
    return def;
  if (d >= (double)LONG_MAX)
    return LONG_MAX;
  if (d <= (double)LONG_MIN)
    return LONG_MIN;
  return (long)d;
}

bool json_has_num(const json_t *obj, const char *key)
{
  return json_is_number(json_object_get(obj, key));
}

/* A borrowed member, copied into a new reference when it has the wanted type. */
static json_t *copy_typed(const json_t *obj, const char *key, json_type type)
{
  json_t *v = json_object_get(obj, key);

  return v && json_typeof(v) == type ? json_deep_copy(v) : NULL;
}

static long num_long(const json_t *obj, const char *key, long def)
{
  return json_long_or(obj, key, def);
}

static void progress_from_json(struct op_progress *p, const json_t *j)
{
  p->percentage = json_num_or(j, "percentage", 0.0);
  operation_set_str(&p->current_step, json_str_or(j, "current_step", NULL));
  p->steps_completed = num_long(j, "steps_completed", 0);
  p->steps_total = num_long(j, "steps_total", 0);
  p->items_processed = num_long(j, "items_processed", 0);
  p->items_total = num_long(j, "items_total", -1);
  operation_set_str(&p->current_item, json_str_or(j, "current_item", NULL));
  p->context = copy_typed(j, "context", JSON_OBJECT);
  if (!p->context)
    p->context = json_object();
}

int operation_from_json(struct operation *op, const json_t *data, struct err *err)
{
  const char *id = json_str_or(data, "operation_id", NULL);
  const char *status = json_str_or(data, "status", NULL);

  if (!json_is_object(data))
    return err_set(err, ERR_PARSE, "operation is not a JSON object");
  if (!id || !status)
    return err_set(err, ERR_PARSE, "operation has no '%s' string",
                   id ? "status" : "operation_id");
  memset(op, 0, sizeof(*op));
  op->id = strdup(id);
  op->type = strdup(json_str_or(data, "operation_type", "unknown"));
  op->status = op_status_parse(status);
  op->status_text = strdup(status);
  operation_set_str(&op->created_at, json_str_or(data, "created_at", NULL));
  operation_set_str(&op->started_at, json_str_or(data, "started_at", NULL));
  operation_set_str(&op->completed_at, json_str_or(data, "completed_at", NULL));
  progress_from_json(&op->progress, json_object_get(data, "progress"));
  op->metadata = copy_typed(data, "metadata", JSON_OBJECT);
  operation_set_str(&op->error_message, json_str_or(data, "error_message", NULL));
  op->warnings = copy_typed(data, "warnings", JSON_ARRAY);
  op->errors = copy_typed(data, "errors", JSON_ARRAY);
  op->result_summary = copy_typed(data, "result_summary", JSON_OBJECT);
  return 0;
}

/* The message of a `{"success":false,"error":{...}}` envelope. */
static const char *envelope_error(const json_t *body)
{
  const json_t *e = json_object_get(body, "error");
  const char *msg = json_str_or(e, "message", NULL);

  return msg ? msg : json_str_or(body, "message", "no error message");
}

int operation_from_envelope(struct operation *op, const json_t *body, struct err *err)
{
  const json_t *success = json_object_get(body, "success");
  const json_t *data = json_object_get(body, "data");

  if (!json_is_object(body))
    return err_set(err, ERR_PARSE, "response is not a JSON object");
  if (json_is_false(success))
    return err_set(err, ERR_HTTP, "server reported failure: %s", envelope_error(body));
  if (!json_is_object(data))
    return err_set(err, ERR_PARSE, "response has no 'data' object");
  return operation_from_json(op, data, err);
}

static json_t *str_or_null(const char *s)
{
  return s ? json_string(s) : json_null();
}

static json_t *ref_or(const json_t *v, json_t *def)
{
  if (!v)
    return def;
  json_decref(def);
  return json_deep_copy(v);
}

static json_t *progress_to_json(const struct op_progress *p)
{
  return json_pack("{s:f, s:o, s:I, s:I, s:I, s:o, s:o, s:o}",
                   "percentage", p->percentage,
                   "current_step", str_or_null(p->current_step),
                   "steps_completed", (json_int_t)p->steps_completed,
                   "steps_total", (json_int_t)p->steps_total,
                   "items_processed", (json_int_t)p->items_processed,
                   "items_total", p->items_total < 0 ? json_null()
                                                     : json_integer(p->items_total),
                   "current_item", str_or_null(p->current_item),
                   "context", ref_or(p->context, json_object()));
}

json_t *operation_to_json(const struct operation *op)
{
  const char *status = op->status == OP_STATUS_OTHER && op->status_text
                           ? op->status_text
                           : op_status_name(op->status);

  return json_pack("{s:s?, s:s?, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
                   "operation_id", op->id,
                   "operation_type", op->type,
                   "status", status,
                   "created_at", str_or_null(op->created_at),
                   "started_at", str_or_null(op->started_at),
                   "completed_at", str_or_null(op->completed_at),
                   "progress", progress_to_json(&op->progress),
                   "metadata", ref_or(op->metadata, json_null()),
                   "error_message", str_or_null(op->error_message),
                   "warnings", ref_or(op->warnings, json_array()),
                   "errors", ref_or(op->errors, json_array()),
                   "result_summary", ref_or(op->result_summary, json_null()));
}

int operation_copy(struct operation *dst, const struct operation *src)
{
  json_t *j = operation_to_json(src);
  int rc;

  if (!j)
    return -1;
  rc = operation_from_json(dst, j, NULL);
  json_decref(j);
  return rc;
}

void operation_release(struct operation *op)
{
  if (!op)
    return;
  free(op->id);
  free(op->type);
  free(op->status_text);
  free(op->created_at);
  free(op->started_at);
  free(op->completed_at);
  free(op->progress.current_step);
  free(op->progress.current_item);
  json_decref(op->progress.context);
  json_decref(op->metadata);
  free(op->error_message);
  json_decref(op->warnings);
  json_decref(op->errors);
  json_decref(op->result_summary);
  memset(op, 0, sizeof(*op));
  op->progress.items_total = -1;
}
