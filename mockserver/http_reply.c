#include "http_reply.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyjson.h"
#include "timeutil.h"

static void clear_body(struct http_reply *r)
{
  json_decref(r->json);
  free(r->raw);
  r->json = NULL;
  r->raw = NULL;
  r->raw_len = 0;
}

void http_reply_json(struct http_reply *r, int status, json_t *json)
{
  clear_body(r);
  r->status = status;
  r->json = json;
}

void http_reply_detail(struct http_reply *r, int status, const char *fmt, ...)
{
  char text[1024];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  http_reply_json(r, status, json_pack("{s:s}", "detail", text));
}

void http_reply_text(struct http_reply *r, int status, char *text, size_t len)
{
  clear_body(r);
  r->status = status;
  r->raw = text;
  r->raw_len = text ? len : 0;
}

void http_reply_raw(struct http_reply *r, int status, const char *body)
{
  clear_body(r);
  r->status = status;
  r->raw = strdup(body ? body : "");
  r->raw_len = r->raw ? strlen(r->raw) : 0;
}

void http_reply_fault(struct http_reply *r, const struct fault_hit *hit)
{
  r->delay_s += hit->delay_s;
  switch (hit->action) {
  case FAULT_REPLY:
    if (hit->body)
      http_reply_raw(r, hit->status, hit->body);
    else
      http_reply_detail(r, hit->status, "%s", http_reply_reason(hit->status));
    r->retry_after = hit->retry_after;
    break;
  case FAULT_TRUNCATE:
    r->truncate = true;
    break;
  case FAULT_DROP:
    r->drop = true;
    break;
  case FAULT_PASS:
  default:
    break;
  }
}

const char *http_reply_reason(int status)
{
  const char *s = status > 0 ? MHD_get_reason_phrase_for((unsigned)status) : NULL;

  return s && *s ? s : "Unknown";
}

/* The body as a malloc'ed buffer that MHD frees (MHD_RESPMEM_MUST_FREE). */
static char *take_body(struct http_reply *r, size_t *len)
{
  char *body = r->raw;

  if (body) {
    *len = r->raw_len;
    r->raw = NULL;
    r->raw_len = 0;
    return body;
  }
  body = r->json ? json_dumps(r->json, JSON_COMPACT | JSON_ENCODE_ANY)
                 : strdup("null");
  *len = body ? pyjson_shorten_reals(body) : 0;
  return body;
}

static int add_headers(struct MHD_Response *resp, const struct http_reply *r,
                       int64_t arrival_us)
{
  char pt[32], ra[16];
  int ok;

  snprintf(pt, sizeof(pt), "%.2fms", (double)(timeutil_mono_us() - arrival_us) / 1000.0);
  ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json") &&
       MHD_add_response_header(resp, "X-Process-Time", pt);
  if (ok && r->retry_after >= 0) {
    snprintf(ra, sizeof(ra), "%d", r->retry_after);
    ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
  }
  if (ok && r->allow[0])
    ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
  return ok ? 0 : -1;
}

/* A truncated body: MHD is told more bytes than it gets, then an error,
 * so it closes the connection mid-body. */
struct cut {
  char *body;
  size_t keep;
};

static ssize_t cut_read(void *cls, uint64_t pos, char *out, size_t max)
{
  struct cut *c = cls;
  size_t n;

  if (pos >= c->keep)
    return MHD_CONTENT_READER_END_WITH_ERROR;
  n = c->keep - (size_t)pos < max ? c->keep - (size_t)pos : max;
  memcpy(out, c->body + pos, n);
  return (ssize_t)n;
}

static void cut_free(void *cls)
{
  struct cut *c = cls;

  free(c->body);
  free(c);
}

struct MHD_Response *http_reply_cut_response(char *body, size_t keep, int64_t declared)
{
  struct MHD_Response *resp;
  struct cut *c = calloc(1, sizeof(*c));

  if (!c) {
    free(body);
    return NULL;
  }
  c->body = body;
  c->keep = keep;
  resp = MHD_create_response_from_callback(declared < 0 ? MHD_SIZE_UNKNOWN : (uint64_t)declared,
                                           4096, cut_read, c, cut_free);
  if (!resp)
    cut_free(c);
  return resp;
}

/* Takes `body` (even on failure). */
static struct MHD_Response *make_response(char *body, size_t len, bool truncate)
{
  struct MHD_Response *resp;

  if (truncate && len >= 2)
    return http_reply_cut_response(body, len / 2, (int64_t)len);
  resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
  if (!resp)
    free(body);
  return resp;
}

int http_reply_queue(struct MHD_Connection *conn, struct http_reply *r,
                     int64_t arrival_us)
{
  struct MHD_Response *resp;
  size_t len = 0;
  char *body = take_body(r, &len);
  int rc = -1;

  if (!body)
    return -1;
  resp = make_response(body, len, r->truncate);
  if (!resp)
    return -1;
  if (add_headers(resp, r, arrival_us) == 0 &&
      MHD_queue_response(conn, (unsigned)r->status, resp) == MHD_YES)
    rc = 0;
  MHD_destroy_response(resp);
  return rc;
}

void http_reply_release(struct http_reply *r)
{
  if (!r)
    return;
  clear_body(r);
}
