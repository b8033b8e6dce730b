#include "fastapi.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"

void fastapi_error(json_t *list, const char *type, const char *where,
                   const char *field, const char *msg, json_t *input, json_t *ctx)
{
  json_t *loc = field ? json_pack("[s,s]", where, field) : json_pack("[s]", where);
  json_t *e = json_pack("{s:s, s:o, s:s, s:o}", "type", type, "loc", loc, "msg", msg,
                        "input", input ? input : json_null());

  if (e && ctx)
    json_object_set_new(e, "ctx", ctx);
  else
    json_decref(ctx);
  json_array_append_new(list, e);
}

void fastapi_error_loc(json_t *list, const char *type, json_t *loc, const char *msg,
                       json_t *input, json_t *ctx)
{
  json_t *e = json_pack("{s:s, s:o, s:s, s:o}", "type", type, "loc", loc ? loc : json_array(),
                        "msg", msg, "input", input ? input : json_null());

  if (e && ctx)
    json_object_set_new(e, "ctx", ctx);
  else
    json_decref(ctx);
  json_array_append_new(list, e);
}

void fastapi_value_error(json_t *list, json_t *loc, const char *msg, json_t *input)
{
  struct buf text = BUF_INIT;

  buf_appendf(&text, "Value error, %s", msg);
  fastapi_error_loc(list, "value_error", loc, buf_cstr(&text), input,
                    json_pack("{s:{}}", "error"));
  buf_release(&text);
}

void fastapi_missing(json_t *list, const char *field, const json_t *body)
{
  fastapi_error(list, "missing", "body", field, "Field required",
                body ? json_deep_copy(body) : json_null(), NULL);
}

void fastapi_json_invalid(json_t *list, int position, const char *reason)
{
  json_t *e = json_pack("{s:s, s:[s,i], s:s, s:{}, s:{s:s}}", "type", "json_invalid",
                        "loc", "body", position, "msg", "JSON decode error",
                        "input", "ctx", "error", reason);

  json_array_append_new(list, e);
}

/* "'a', 'b' or 'c'", pydantic's wording for the allowed values. */
static void expected_values(struct buf *b, const char *const *values, size_t n)
{
  for (size_t i = 0; i < n; i++)
    buf_appendf(b, "%s'%s'", i == 0 ? "" : i + 1 == n ? " or " : ", ", values[i]);
}

static void choice_error(json_t *list, const char *type, const char *where, const char *field,
                         json_t *input, const char *const *values, size_t n)
{
  struct buf expected = BUF_INIT, msg = BUF_INIT;

  expected_values(&expected, values, n);
  buf_appendf(&msg, "Input should be %s", buf_cstr(&expected));
  fastapi_error(list, type, where, field, buf_cstr(&msg), input,
                json_pack("{s:s}", "expected", buf_cstr(&expected)));
  buf_release(&expected);
  buf_release(&msg);
}

void fastapi_enum_error(json_t *list, const char *where, const char *field,
                        const char *input, const char *const *values, size_t n)
{
  choice_error(list, "enum", where, field, json_string(input), values, n);
}

void fastapi_literal_error(json_t *list, const char *where, const char *field,
                           const json_t *input, const char *const *values, size_t n)
{
  choice_error(list, "literal_error", where, field, json_deep_copy(input), values, n);
}

json_t *fastapi_body(json_t *list)
{
  return json_pack("{s:o}", "detail", list);
}

int fastapi_parse_bool(const char *s, bool *out)
{
  static const char *const yes[] = { "1", "true", "yes", "on", "t", "y" };
  static const char *const no[] = { "0", "false", "no", "off", "f", "n" };

  for (size_t i = 0; s && i < sizeof(yes) / sizeof(yes[0]); i++) {
    if (strcasecmp(s, yes[i]) == 0 || strcasecmp(s, no[i]) == 0) {
      *out = strcasecmp(s, yes[i]) == 0;
      return 0;
    }
  }
  return -1;
}

int fastapi_parse_int(const char *s, long *out)
{
  char *end;
  long v;

  if (!s)
    return -1;
  while (isspace((unsigned char)*s))
    s++;
  if (!*s)
    return -1;
  errno = 0;
  v = strtol(s, &end, 10);
  while (isspace((unsigned char)*end))
    end++;
  if (errno || *end || end == s)
    return -1;
  *out = v;
  return 0;
}

int fastapi_load_body(const char *body, size_t len, json_t *errors, json_t **out)
{
  json_error_t jerr;
  json_t *j;

  *out = NULL;
  if (!body || len == 0)
    return 0;
  j = json_loadb(body, len, JSON_DECODE_ANY, &jerr);
  if (!j) {
    fastapi_json_invalid(errors, jerr.position, jerr.text);
    return -1;
  }
  if (json_is_null(j))
    json_decref(j);
  else
    *out = j;
  return 0;
}

int fastapi_require_object(const json_t *body, json_t *errors)
{
  if (!body || json_is_object(body))
    return 0;
  fastapi_error(errors, "model_attributes_type", "body", NULL,
                "Input should be a valid dictionary or object to extract fields from",
                json_deep_copy(body), NULL);
  return -1;
}
