#include "http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "timeutil.h"

struct http_client {
  CURLM *multi;
  int in_flight;  /* requests sent and not yet handed out by next_done/abort */
};

int http_global_init(void)
{
  return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void http_global_cleanup(void)
{
  curl_global_cleanup();
}

struct http_client *http_client_new(void)
{
  struct http_client *hc = calloc(1, sizeof(*hc));

  if (!hc || !(hc->multi = curl_multi_init())) {
    free(hc);
    return NULL;
  }
  /* One connection is plenty: one request in flight, plus a cancel. */
  curl_multi_setopt(hc->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 4L);
  return hc;
}

void http_client_free(struct http_client **hc)
{
  if (!hc || !*hc)
    return;
  curl_multi_cleanup((*hc)->multi);
  free(*hc);
  *hc = NULL;
}

static size_t on_body(char *ptr, size_t size, size_t n, void *userdata)
{
  struct http_request *rq = userdata;

  return buf_append(&rq->response, ptr, size * n) < 0 ? 0 : size * n;
}

/* Retry-After: delta-seconds only (the HTTP-date form is treated as absent). */
static size_t on_header(char *ptr, size_t size, size_t n, void *userdata)
{
  struct http_request *rq = userdata;
  size_t len = size * n;
  static const char name[] = "retry-after:";
  char val[32], *end;
  size_t vlen;
  double secs;

  if (len > sizeof(name) - 1 && strncasecmp(ptr, name, sizeof(name) - 1) == 0) {
    vlen = len - (sizeof(name) - 1);
    if (vlen >= sizeof(val))
      vlen = sizeof(val) - 1;
    memcpy(val, ptr + sizeof(name) - 1, vlen);
    val[vlen] = '\0';
    secs = strtod(val, &end);
    if (end != val && secs >= 0)
      rq->retry_after_s = secs;
  }
  return len;
}

struct http_request *http_request_new(const char *method, const char *url,
                                      const char *body, int timeout_ms)
{
  struct http_request *rq = calloc(1, sizeof(*rq));

  if (!rq)
    return NULL;
  snprintf(rq->method, sizeof(rq->method), "%s", method);
  rq->url = strdup(url);
  rq->body = body ? strdup(body) : NULL;
  rq->timeout_ms = timeout_ms;
  rq->retry_after_s = -1;
  if (!rq->url || (body && !rq->body))
    http_request_free(&rq);
  return rq;
}

static void release_handle(struct http_request *rq)
{
  curl_slist_free_all(rq->headers);
  rq->headers = NULL;
  if (rq->handle)
    curl_easy_cleanup(rq->handle);
  rq->handle = NULL;
}

void http_request_free(struct http_request **rq)
{
  if (!rq || !*rq)
    return;
  release_handle(*rq);
  free((*rq)->url);
  free((*rq)->body);
  buf_release(&(*rq)->response);
  free(*rq);
  *rq = NULL;
}

static CURL *make_handle(struct http_request *rq)
{
  CURL *easy = curl_easy_init();
  struct curl_slist *hdrs = NULL;

  if (!easy)
    return NULL;
  hdrs = curl_slist_append(hdrs, "Accept: application/json");
  if (rq->body)
    hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
  curl_easy_setopt(easy, CURLOPT_URL, rq->url);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, rq->method);
  if (strcmp(rq->method, "POST") == 0 || rq->body)
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, hdrs);
  curl_easy_setopt(easy, CURLOPT_PRIVATE, (char *)rq);
  rq->headers = hdrs;
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)rq->timeout_ms);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, (long)rq->timeout_ms);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, rq);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, rq);
  curl_easy_setopt(easy, CURLOPT_USERAGENT, "ktrdr/" KTRDR_VERSION);
  curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
  return easy;
}

int http_client_send(struct http_client *hc, struct http_request *rq)
{
  release_handle(rq);
  buf_reset(&rq->response);
  rq->done = false;
  rq->failure = HTTP_FAIL_NONE;
  rq->status = 0;
  rq->error[0] = '\0';
  rq->retry_after_s = -1;
  rq->handle = make_handle(rq);
  if (!rq->handle)
    return -1;
  rq->sent_us = timeutil_mono_us();
  if (curl_multi_add_handle(hc->multi, rq->handle) != CURLM_OK) {
    release_handle(rq);
    return -1;
  }
  hc->in_flight++;
  return 0;
}

void http_client_abort(struct http_client *hc, struct http_request *rq)
{
  if (!rq || !rq->handle || rq->done)
    return;
  curl_multi_remove_handle(hc->multi, rq->handle);
  release_handle(rq);
  hc->in_flight--;
}

static enum http_failure classify(CURLcode rc)
{
  switch (rc) {
  case CURLE_OK:
    return HTTP_FAIL_NONE;
  case CURLE_COULDNT_CONNECT:
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY:
    return HTTP_FAIL_CONNECT;
  case CURLE_OPERATION_TIMEDOUT:
    return HTTP_FAIL_TIMEOUT;
  case CURLE_GOT_NOTHING:
  case CURLE_RECV_ERROR:
  case CURLE_SEND_ERROR:
  case CURLE_PARTIAL_FILE:
    return HTTP_FAIL_RESET;
  default:
    return HTTP_FAIL_OTHER;
  }
}

/* Records the outcome and gives the easy handle back (its connection stays
 * in the multi handle's pool for the next request). */
static void finish(struct http_client *hc, struct http_request *rq, CURLcode rc)
{
  curl_multi_remove_handle(hc->multi, rq->handle);
  hc->in_flight--;
  rq->done = true;
  rq->done_us = timeutil_mono_us();
  rq->failure = classify(rc);
  if (rc == CURLE_OK)
    curl_easy_getinfo(rq->handle, CURLINFO_RESPONSE_CODE, &rq->status);
  else
    snprintf(rq->error, sizeof(rq->error), "%s", curl_easy_strerror(rc));
  release_handle(rq);
}

int http_client_wait(struct http_client *hc, int extra_fd, int timeout_ms, bool *fd_ready)
{
  struct curl_waitfd wfd = { .fd = extra_fd, .events = CURL_WAIT_POLLIN };
  int running = 0, numfds = 0;

  if (fd_ready)
    *fd_ready = false;
  if (curl_multi_perform(hc->multi, &running) != CURLM_OK)
    return -1;
  /* A transfer that this perform completed is waiting in the message queue:
   * don't sleep on the sockets, the caller has work. */
  if (running < hc->in_flight)
    return 0;
  if (curl_multi_poll(hc->multi, extra_fd >= 0 ? &wfd : NULL, extra_fd >= 0 ? 1 : 0,
                      timeout_ms < 0 ? 0 : timeout_ms, &numfds) != CURLM_OK)
    return -1;
  if (fd_ready && extra_fd >= 0)
    *fd_ready = (wfd.revents & CURL_WAIT_POLLIN) != 0;
  return curl_multi_perform(hc->multi, &running) == CURLM_OK ? 0 : -1;
}

struct http_request *http_client_next_done(struct http_client *hc)
{
  CURLMsg *msg;
  int left;

  while ((msg = curl_multi_info_read(hc->multi, &left))) {
    struct http_request *rq = NULL;

    if (msg->msg != CURLMSG_DONE)
      continue;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&rq);
    finish(hc, rq, msg->data.result);
    return rq;
  }
  return NULL;
}

int http_client_perform(struct http_client *hc, struct http_request *rq)
{
  if (http_client_send(hc, rq) < 0)
    return -1;
  while (!rq->done) {
    if (http_client_wait(hc, -1, 1000, NULL) < 0)
      return -1;
    while (http_client_next_done(hc))
      ;
  }
  return 0;
}
