#include "hreq.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "timeutil.h"

struct hreq {
  CURL *easy;
  struct curl_slist *json_hdrs;
};

struct hreq *hreq_new(void)
{
  struct hreq *h = calloc(1, sizeof(*h));

  if (!h)
    return NULL;
  h->easy = curl_easy_init();
  h->json_hdrs = curl_slist_append(NULL, "Content-Type: application/json");
  if (!h->easy || !h->json_hdrs) {
    hreq_free(&h);
    return NULL;
  }
  return h;
}

void hreq_free(struct hreq **hp)
{
  struct hreq *h = hp ? *hp : NULL;

  if (!h)
    return;
  if (h->easy)
    curl_easy_cleanup(h->easy);
  curl_slist_free_all(h->json_hdrs);
  free(h);
  *hp = NULL;
}

void hreq_resp_release(struct hreq_resp *r)
{
  buf_release(&r->body);
  r->status = 0;
  r->elapsed_us = 0;
}

static size_t on_body(char *ptr, size_t size, size_t n, void *userdata)
{
  return buf_append(userdata, ptr, size * n) < 0 ? 0 : size * n;
}

static void set_request(struct hreq *h, const char *method, const char *url, const char *body,
                        struct hreq_resp *r)
{
  CURL *e = h->easy;

  curl_easy_reset(e);
  curl_easy_setopt(e, CURLOPT_URL, url);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 10000L);
  if (body || strcmp(method, "POST") == 0) {
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body ? body : "");
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h->json_hdrs);
  }
  if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &r->body);
}

int hreq_do(struct hreq *h, const char *method, const char *url, const char *body,
            struct hreq_resp *r, struct err *err)
{
  int64_t t0;
  CURLcode rc;

  hreq_resp_release(r);
  set_request(h, method, url, body, r);
  t0 = timeutil_mono_us();
  rc = curl_easy_perform(h->easy);
  r->elapsed_us = timeutil_mono_us() - t0;
  if (rc != CURLE_OK)
    return err_set(err, ERR_NET, "%s %s failed: %s", method, url, curl_easy_strerror(rc));
  curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &r->status);
  return 0;
}

int hreq_json(struct hreq *h, const char *method, const char *url, const char *body,
              long *status, json_t **out, struct err *err)
{
  struct hreq_resp r = HREQ_RESP_INIT;
  int rc = hreq_do(h, method, url, body, &r, err);

  *out = rc == 0 ? json_loadb(buf_cstr(&r.body), r.body.len, 0, NULL) : NULL;
  if (status)
    *status = r.status;
  hreq_resp_release(&r);
  return rc;
}

int hreq_escape(struct buf *b, const char *s)
{
  static const char hex[] = "0123456789ABCDEF";
  int rc = 0;

  for (const unsigned char *p = (const unsigned char *)s; *p && rc == 0; p++) {
    if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
        strchr("._~-", *p))
      rc = buf_append(b, p, 1);
    else
      rc = buf_appendf(b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
  }
  return rc;
}
