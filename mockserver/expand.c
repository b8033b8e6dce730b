#include "expand.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"

bool expand_needed(const char *s)
{
  return s && strstr(s, "${") != NULL;
}

/* A scalar as Python's str() would print it. */
static bool append_scalar(struct buf *b, const json_t *v)
{
  if (json_is_string(v))
    return buf_appendf(b, "%s", json_string_value(v)) == 0;
  if (json_is_integer(v))
    return buf_appendf(b, "%lld", (long long)json_integer_value(v)) == 0;
  if (json_is_real(v))
    return buf_appendf(b, "%g", json_real_value(v)) == 0;
  if (json_is_boolean(v))
    return buf_appendf(b, "%s", json_is_true(v) ? "True" : "False") == 0;
  return false;
}

bool expand_var(struct buf *b, const char *name, const json_t *vars, const char *op_id)
{
  const json_t *v;
  size_t i;
  json_t *item;

  if (strcmp(name, "operation_id") == 0 && op_id)
    return buf_appendf(b, "%s", op_id) == 0;
  v = json_object_get(vars, name);
  if (!json_is_array(v))
    return v && append_scalar(b, v);
  json_array_foreach(v, i, item) {
    if (i)
      buf_appendf(b, ", ");
    append_scalar(b, item);
  }
  return true;
}

/* Appends `s` with placeholders replaced. */
static void expand_into(struct buf *b, const char *s, const json_t *vars, const char *op_id)
{
  const char *open;

  while ((open = strstr(s, "${")) != NULL) {
    const char *close = strchr(open + 2, '}');
    char name[64];
    size_t n;

    buf_append(b, s, (size_t)(open - s));
    n = close ? (size_t)(close - open - 2) : 0;
    if (!close || n == 0 || n >= sizeof(name)) {
      buf_append(b, "${", 2);
      s = open + 2;
      continue;
    }
    memcpy(name, open + 2, n);
    name[n] = '\0';
    if (!expand_var(b, name, vars, op_id))
      buf_append(b, open, n + 3);
    s = close + 1;
  }
  buf_append(b, s, strlen(s));
}

char *expand_text(const char *tmpl, const json_t *vars, const char *op_id)
{
  struct buf b = BUF_INIT;

  if (!tmpl)
    return NULL;
  if (!expand_needed(tmpl))
    return strdup(tmpl);
  expand_into(&b, tmpl, vars, op_id);
  if (!b.data)
    return strdup("");
  return buf_detach(&b);
}

static json_t *expand_string(const json_t *s, const json_t *vars, const char *op_id)
{
  char *text;
  json_t *out;

  if (!expand_needed(json_string_value(s)))
    return json_incref((json_t *)s);
  text = expand_text(json_string_value(s), vars, op_id);
  out = text ? json_string(text) : NULL;
  free(text);
  return out;
}

json_t *expand_json(const json_t *tmpl, const json_t *vars, const char *op_id)
{
  json_t *out, *v;
  const char *key;
  size_t i;

  if (json_is_string(tmpl))
    return expand_string(tmpl, vars, op_id);
  if (json_is_object(tmpl)) {
    out = json_object();
    json_object_foreach((json_t *)tmpl, key, v)
      json_object_set_new(out, key, expand_json(v, vars, op_id));
    return out;
  }
  if (json_is_array(tmpl)) {
    out = json_array();
    json_array_foreach(tmpl, i, v)
      json_array_append_new(out, expand_json(v, vars, op_id));
    return out;
  }
  return tmpl ? json_deep_copy(tmpl) : NULL;
}
