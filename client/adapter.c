#include "adapter.h"

#include <stdlib.h>
#include <string.h>

static int take_id(const json_t *v, char **op_id)
{
  if (!json_is_string(v) || !*json_string_value(v))
    return -1;
  *op_id = strdup(json_string_value(v));
  return *op_id ? 0 : -1;
}

int adapter_parse_operation_id(const json_t *resp, char **op_id, struct err *err)
{
  const json_t *data = json_object_get(resp, "data");
  const json_t *error = json_object_get(resp, "error");

  *op_id = NULL;
  if (!json_is_object(resp))
    return err_set(err, ERR_PARSE, "start response is not a JSON object");
  if (json_is_false(json_object_get(resp, "success")))
    return err_set(err, ERR_HTTP, "server refused to start the operation: %s",
                   json_str_or(error, "message",
                               json_str_or(resp, "message", "no error message")));
  if (take_id(json_object_get(resp, "task_id"), op_id) == 0 ||
      take_id(json_object_get(data, "operation_id"), op_id) == 0 ||
      take_id(json_object_get(resp, "operation_id"), op_id) == 0)
    return 0;
  return err_set(err, ERR_PARSE,
                 "start response has no operation id (looked for 'task_id', "
                 "'data.operation_id' and 'operation_id')");
}

void adapter_default_progress(const struct operation *op, struct buf *line)
{
  const char *status = op->status_text ? op->status_text : op_status_name(op->status);

  buf_appendf(line, "Status: %s", status);
  if (op->progress.current_step && *op->progress.current_step)
    buf_appendf(line, " - %s", op->progress.current_step);
}

void adapter_format_progress(const struct adapter *a, const struct operation *op,
                             struct buf *line)
{
  if (a->ops->format_progress)
    a->ops->format_progress(a->self, op, line);
  else
    adapter_default_progress(op, line);
}
