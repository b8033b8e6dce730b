/*
 * api: one-shot requests to the KTRDR API, for commands that are not a
 * long-running operation (operations list, status, cancel, the first look
 * of `follow`, a training's performance). Long-running operations go
 * through the executor instead.
 *
 *   struct api_response r = API_RESPONSE_INIT;
 *   if (api_call(base, "GET", "/operations?limit=5", NULL, &r, &err) < 0)
 *           ... transport failure (err: ERR_NET, names the URL) ...
 *   ... r.status, r.body (parsed JSON or NULL), r.raw ...
 *   api_response_release(&r);
 *
 * Transient failures (refused, reset, timeout, 429, 5xx) are retried a few
 * times with backoff unless the method is POST. Not thread-safe (one call at
 * a time per thread); never from a signal handler.
 */
#ifndef KTRDR_API_H
#define KTRDR_API_H

#include <jansson.h>

#include "buf.h"
#include "err.h"

struct api_response {
  long status;     /* HTTP status of the last attempt */
  json_t *body;    /* parsed body, NULL when not JSON */
  struct buf raw;  /* the body as received */
};

#define API_RESPONSE_INIT { 0, NULL, BUF_INIT }

/* `payload` (may be NULL) is sent as JSON. Returns 0 when a response
 * arrived (any status), -1 with err (ERR_NET) when none did. */
int api_call(const char *base_url, const char *method, const char *path,
             const json_t *payload, struct api_response *resp, struct err *err);

void api_response_release(struct api_response *resp);

/* An ERR_HTTP/ERR_NOTFOUND in err describing a non-2xx response: "404 Not
 * Found: Operation not found: op_x". Returns -1. */
int api_error(const struct api_response *resp, struct err *err);

/* "/operations/" + id, with the id checked: letters, digits, '_', '-', '.'
 * only (ERR_INVALID otherwise, so a typo can't reach another path). */
int api_operation_path(const char *id, const char *suffix, struct buf *path, struct err *err);

#endif
