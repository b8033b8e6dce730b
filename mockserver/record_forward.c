#include "record_forward.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "timeutil.h"

#define BODY_LIMIT (64 * 1024 * 1024)
#define CONNECT_TIMEOUT_MS 10000L

int forward_global_init(struct err *err)
{
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    return err_set(err, ERR_INTERNAL, "cannot initialise libcurl");
  return 0;
}

void forward_global_cleanup(void)
{
  curl_global_cleanup();
}

/* ---- the answer, as libcurl delivers it ------------------------------- */

static void clear_headers(struct forward_answer *an)
{
  for (size_t i = 0; i < an->nheaders; i++) {
    free(an->headers[i].name);
    free(an->headers[i].value);
  }
  free(an->headers);
  an->headers = NULL;
  an->nheaders = 0;
}

static int add_header(struct forward_answer *an, const char *line, size_t len)
{
  const char *colon = memchr(line, ':', len), *value;
  struct forward_header *v, *h;

  while (len && (line[len - 1] == '\r' || line[len - 1] == '\n'))
    len--;
  if (!colon || colon == line)
    return 0;
  v = realloc(an->headers, (an->nheaders + 1) * sizeof(*v));
  if (!v)
    return -1;
  an->headers = v;
  for (value = colon + 1; value < line + len && (*value == ' ' || *value == '\t');)
    value++;
  h = &v[an->nheaders++];
  h->name = strndup(line, (size_t)(colon - line));
  h->value = strndup(value, value < line + len ? (size_t)(line + len - value) : 0);
  return h->name && h->value ? 0 : -1;
}

/* Header lines; a status line starts a new answer (after a 100 Continue). */
static size_t on_header(char *line, size_t size, size_t n, void *cls)
{
  struct forward_answer *an = cls;
  size_t len = size * n;

  if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
    clear_headers(an);
    return len;
  }
  return add_header(an, line, len) < 0 ? 0 : len;
}

static size_t on_body(char *data, size_t size, size_t n, void *cls)
{
  struct forward_answer *an = cls;

  return buf_append(&an->body, data, size * n) < 0 ? 0 : size * n;
}

static int on_progress(void *cls, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
  const atomic_bool *abort = cls;

  (void)dt;
  (void)dn;
  (void)ut;
  (void)un;
  return abort && atomic_load(abort) ? 1 : 0;
}

/* ---- the request -------------------------------------------------------- */

static bool has_header(const char *const *headers, const char *name)
{
  size_t n = strlen(name);

  for (size_t i = 0; headers && headers[i]; i++)
    if (strncasecmp(headers[i], name, n) == 0 && headers[i][n] == ':')
      return true;
  return false;
}

/* The client's headers, and "Name:" to keep out what libcurl would add. */
static struct curl_slist *header_list(const struct forward_request *rq)
{
  static const char *const suppressed[] = { "Accept", "Content-Type", "Expect", NULL };
  struct curl_slist *list = NULL, *l;
  char none[32];

  for (size_t i = 0; rq->headers && rq->headers[i]; i++)
    if ((l = curl_slist_append(list, rq->headers[i])))
      list = l;
  for (size_t i = 0; suppressed[i]; i++) {
    if (has_header(rq->headers, suppressed[i]))
      continue;
    snprintf(none, sizeof(none), "%s:", suppressed[i]);
    if ((l = curl_slist_append(list, none)))
      list = l;
  }
  return list;
}

static void set_method(CURL *c, const struct forward_request *rq)
{
  bool body = rq->body_len || strcmp(rq->method, "POST") == 0 ||
              strcmp(rq->method, "PUT") == 0 || strcmp(rq->method, "PATCH") == 0;

  if (strcmp(rq->method, "HEAD") == 0) {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    return;
  }
  if (strcmp(rq->method, "GET") != 0)
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, rq->method);
  if (body) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
  }
}

static void set_options(CURL *c, const struct forward_request *rq, struct forward_answer *an,
                        struct curl_slist *headers)
{
  curl_easy_setopt(c, CURLOPT_URL, rq->url);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
  curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, rq->timeout_ms);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, an->error);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, an);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, an);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)rq->abort);
  set_method(c, rq);
}

/* libcurl's code → what the client should see. */
static enum forward_result result_of(CURLcode rc, int status)
{
  switch (rc) {
  case CURLE_OK:
    return FORWARD_OK;
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY:
  case CURLE_COULDNT_CONNECT:
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_UNSUPPORTED_PROTOCOL:
  case CURLE_URL_MALFORMAT:
    return FORWARD_UNREACHABLE;
  case CURLE_OPERATION_TIMEDOUT:
    return status ? FORWARD_TRUNCATED : FORWARD_TIMEOUT;
  default:
    return status ? FORWARD_TRUNCATED : FORWARD_DROPPED;
  }
}

void forward_send(const struct forward_request *rq, struct forward_answer *an)
{
  CURL *c = curl_easy_init();
  struct curl_slist *headers = header_list(rq);
  curl_off_t declared = -1;
  long status = 0;
  CURLcode rc;

  an->body.limit = BODY_LIMIT;
  an->sent_us = timeutil_mono_us();
  if (!c) {
    snprintf(an->error, sizeof(an->error), "out of memory");
    an->result = FORWARD_DROPPED;
    an->done_us = timeutil_mono_us();
    curl_slist_free_all(headers);
    return;
  }
  set_options(c, rq, an, headers);
  rc = curl_easy_perform(c);
  an->done_us = timeutil_mono_us();
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &declared);
  an->status = (int)status;
  an->declared = declared;
  an->result = result_of(rc, an->status);
  if (rc != CURLE_OK && !an->error[0])
    snprintf(an->error, sizeof(an->error), "%s", curl_easy_strerror(rc));
  curl_easy_cleanup(c);
  curl_slist_free_all(headers);
}

const char *forward_header(const struct forward_answer *an, const char *name)
{
  for (size_t i = 0; i < an->nheaders; i++)
    if (strcasecmp(an->headers[i].name, name) == 0)
      return an->headers[i].value;
  return NULL;
}

void forward_answer_release(struct forward_answer *an)
{
  if (!an)
    return;
  clear_headers(an);
  buf_release(&an->body);
}

/* ---- the upstream URL ---------------------------------------------------- */

static char *part(CURLU *u, CURLUPart what)
{
  char *s = NULL, *copy;

  if (curl_url_get(u, what, &s, 0) != CURLUE_OK)
    return NULL;
  copy = strdup(s);
  curl_free(s);
  return copy;
}

static int split(CURLU *u, char **base, char **origin)
{
  char *scheme = part(u, CURLUPART_SCHEME), *host = part(u, CURLUPART_HOST);
  char *port = part(u, CURLUPART_PORT), *path = part(u, CURLUPART_PATH);
  struct buf b = BUF_INIT;
  size_t n = path ? strlen(path) : 0;
  int rc = -1;

  if (scheme && host) {
    while (n && path[n - 1] == '/')
      n--;
    buf_appendf(&b, "%s://%s%s%s", scheme, host, port ? ":" : "", port ? port : "");
    *origin = strdup(buf_cstr(&b));
    buf_appendf(&b, "%.*s%s", (int)n, path ? path : "",
                path && strstr(path, "/api/") ? "" : "/api/v1");
    *base = buf_detach(&b);
    rc = *origin && *base ? 0 : -1;
  }
  buf_release(&b);
  free(scheme);
  free(host);
  free(port);
  free(path);
  return rc;
}

int forward_parse_upstream(const char *url, char **base, char **origin, struct err *err)
{
  CURLU *u = curl_url();
  char *scheme = NULL;
  int rc = -1;

  *base = *origin = NULL;
  if (!u)
    return err_set(err, ERR_NOMEM, "out of memory");
  if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
      (scheme = part(u, CURLUPART_SCHEME)) &&
      (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0))
    rc = split(u, base, origin);
  curl_url_cleanup(u);
  free(scheme);
  if (rc == 0)
    return 0;
  free(*base);
  free(*origin);
  *base = *origin = NULL;
  return err_set(err, ERR_INVALID,
                 "invalid upstream URL '%s': expected the KTRDR API's base URL, "
                 "http(s)://HOST[:PORT]/api/v1, as in KTRDR_API_URL", url);
}
