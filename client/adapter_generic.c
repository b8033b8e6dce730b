#include "adapter_generic.h"

#include <string.h>

static const char *start_path(const void *self)
{
  (void)self;
  return "/";
}

static json_t *start_payload(const void *self)
{
  (void)self;
  return json_object();
}

static int parse_start(const void *self, const json_t *resp, char **id, struct err *err)
{
  (void)self, (void)resp;
  *id = NULL;
  return err_set(err, ERR_INVALID, "this operation type cannot be started from ktrdr");
}

static void print_value(FILE *f, const json_t *v)
{
  char *s;

  if (json_is_string(v)) {
    fprintf(f, "%s\n", json_string_value(v));
    return;
  }
  s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
  fprintf(f, "%s\n", s ? s : "?");
  free(s);
}

void generic_print_object(FILE *f, const json_t *obj, int indent)
{
  const char *key;
  const json_t *v;

  json_object_foreach((json_t *)obj, key, v) {
    fprintf(f, "%*s%s:", indent, "", key);
    if (json_is_object(v) && json_object_size(v)) {
      fputc('\n', f);
      generic_print_object(f, v, indent + 2);
    } else {
      fputc(' ', f);
      print_value(f, v);
    }
  }
}

static int show_result(void *self, const struct operation *op, const json_t *result,
                       const struct out *o, struct err *err)
{
  (void)self, (void)result, (void)err;
  fprintf(o->out, "%s%s Operation %s (%s) completed%s\n", out_green(o, false),
          out_sym(o, "✅", "OK"), op->id, op->type, out_reset(o, false));
  if (json_object_size(op->result_summary))
    generic_print_object(o->out, op->result_summary, 0);
  return 0;
}

static const struct adapter_ops generic_ops = {
  .name = "operation",
  .start_path = start_path,
  .start_payload = start_payload,
  .parse_start = parse_start,
  .show_result = show_result,
};

void generic_adapter_init(struct adapter *ad)
{
  ad->ops = &generic_ops;
  ad->self = NULL;
}
