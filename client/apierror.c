#include "apierror.h"

#include <string.h>

#include "operation.h"

const char *apierror_reason(long status)
{
  switch (status) {
  case 400: return "Bad Request";
  case 401: return "Unauthorized";
  case 403: return "Forbidden";
  case 404: return "Not Found";
  case 405: return "Method Not Allowed";
  case 408: return "Request Timeout";
  case 409: return "Conflict";
  case 413: return "Payload Too Large";
  case 422: return "Unprocessable Entity";
  case 429: return "Too Many Requests";
  case 500: return "Internal Server Error";
  case 502: return "Bad Gateway";
  case 503: return "Service Unavailable";
  case 504: return "Gateway Timeout";
  default: return "HTTP error";
  }
}

/* "body.symbols: At least one symbol must be specified; ..." */
static void describe_422(const json_t *list, struct buf *out)
{
  size_t i, k;
  const json_t *item, *loc, *part;

  json_array_foreach(list, i, item) {
    if (i)
      buf_appendf(out, "; ");
    loc = json_object_get(item, "loc");
    json_array_foreach(loc, k, part) {
      if (json_is_string(part))
        buf_appendf(out, "%s%s", k ? "." : "", json_string_value(part));
      else if (json_is_integer(part))
        buf_appendf(out, "[%lld]", (long long)json_integer_value(part));
    }
    buf_appendf(out, "%s%s", json_array_size(loc) ? ": " : "",
                json_str_or(item, "msg", "invalid value"));
  }
}

int apierror_message(const json_t *body, struct buf *out)
{
  const json_t *detail = json_object_get(body, "detail");
  const json_t *error = json_object_get(body, "error");
  const char *msg;

  if (json_is_string(detail)) {
    buf_appendf(out, "%s", json_string_value(detail));
    return 0;
  }
  if (json_is_array(detail) && json_array_size(detail)) {
    describe_422(detail, out);
    return 0;
  }
  msg = json_str_or(error, "message", json_str_or(body, "message", NULL));
  if (!msg)
    return -1;
  buf_appendf(out, "%s", msg);
  return 0;
}

void apierror_describe(long status, const char *body, struct buf *out)
{
  json_t *j = body ? json_loads(body, 0, NULL) : NULL;

  buf_appendf(out, "%ld %s", status, apierror_reason(status));
  if (j) {
    buf_appendf(out, ": ");
    if (apierror_message(j, out) < 0)
      out->len -= 2, out->data[out->len] = '\0';
  } else if (body && *body) {
    buf_appendf(out, " (response is not JSON: %.80s)", body);
  }
  json_decref(j);
}
