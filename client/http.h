/*
 * http: the client's HTTP transport, the one file that speaks libcurl.
 *
 * Requests run on a libcurl multi handle so the executor can wait, in one
 * call, for responses, timers and its signal self-pipe:
 *
 *   struct http_client *hc = http_client_new();
 *   struct http_request *rq = http_request_new("GET", url, NULL, 30000);
 *   http_client_send(hc, rq);
 *   while (!rq->done)
 *           http_client_wait(hc, sigfd, 100, &fd_ready);   // drives transfers
 *   ... rq->status, rq->body, rq->failure ...
 *   http_request_free(&rq);
 *   http_client_free(&hc);
 *
 * A request belongs to its creator; while sent it is also referenced by the
 * client, so free it only once done or after http_client_abort. libcurl
 * codes never leave this file: failures become `enum http_failure` plus a
 * message. CURLOPT_NOSIGNAL is set on every handle. Not thread-safe: one
 * client per thread. Call curl_global_init once in main() (http_global_init).
 */
#ifndef KTRDR_HTTP_H
#define KTRDR_HTTP_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"

enum http_failure {
  HTTP_FAIL_NONE,     /* a response arrived (any status) */
  HTTP_FAIL_CONNECT,  /* refused, unreachable, DNS: nothing was sent */
  HTTP_FAIL_TIMEOUT,
  HTTP_FAIL_RESET,    /* connection reset, empty reply, truncated body */
  HTTP_FAIL_OTHER,
};

struct http_request {
  char method[8];
  char *url;
  char *body;               /* request body or NULL */
  int timeout_ms;
  /* Filled when done: */
  bool done;
  enum http_failure failure;
  char error[256];          /* transport error text when failure != NONE */
  long status;              /* HTTP status, 0 when no response */
  struct buf response;      /* response body */
  double retry_after_s;     /* Retry-After in seconds, -1 when absent */
  int64_t sent_us, done_us; /* monotonic */
  void *handle;             /* the CURL easy handle while in flight (opaque) */
  void *headers;            /* its header list (opaque) */
};

int http_global_init(void);
void http_global_cleanup(void);

struct http_client *http_client_new(void);
void http_client_free(struct http_client **hc);

/* `body` (may be NULL) is copied; a JSON content type is sent with it. */
struct http_request *http_request_new(const char *method, const char *url,
                                      const char *body, int timeout_ms);
void http_request_free(struct http_request **rq);

/* Starts the transfer. 0, or -1 when libcurl refused it (out of memory). */
int http_client_send(struct http_client *hc, struct http_request *rq);

/* Stops a request in flight (it stays !done) and releases its connection. */
void http_client_abort(struct http_client *hc, struct http_request *rq);

/* Runs transfers and waits up to timeout_ms for network activity or for
 * `extra_fd` (>= 0) to become readable (*fd_ready set). Requests that
 * finished meanwhile have `done` set; their order is returned by
 * http_client_next_done. */
int http_client_wait(struct http_client *hc, int extra_fd, int timeout_ms, bool *fd_ready);

/* A request that finished since the last call, or NULL. Each once. */
struct http_request *http_client_next_done(struct http_client *hc);

/* Sends `rq` and waits for it (for one-shot calls outside the poll loop). */
int http_client_perform(struct http_client *hc, struct http_request *rq);

#endif
