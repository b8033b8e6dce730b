#include "api.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apierror.h"
#include "http.h"
#include "retry.h"
#include "timeutil.h"
#include "url.h"

#define API_ATTEMPTS 3
#define API_TIMEOUT_MS 30000

static void nap_ms(int ms)
{
  struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

  nanosleep(&ts, NULL); /* backoff between attempts */
}

static int attempt(struct http_client *hc, const char *method, const char *url,
                   const char *body, struct http_request **out)
{
  *out = http_request_new(method, url, body, API_TIMEOUT_MS);
  if (!*out)
    return -1;
  return http_client_perform(hc, *out);
}

int api_call(const char *base_url, const char *method, const char *path,
             const json_t *payload, struct api_response *resp, struct err *err)
{
  struct http_client *hc = http_client_new();
  struct http_request *rq = NULL;
  char *url = url_join(base_url, path);
  char *body = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
  unsigned rng = (unsigned)timeutil_mono_us() | 1u;
  int rc = -1;

  memset(resp, 0, sizeof(*resp));
  if (!hc || !url || (payload && !body)) {
    err_set(err, ERR_NOMEM, "out of memory");
    goto out;
  }
  for (int i = 0; i < API_ATTEMPTS; i++) {
    http_request_free(&rq);
    if (attempt(hc, method, url, body, &rq) < 0) {
      err_set(err, ERR_NOMEM, "cannot send the request to %s", url);
      goto out;
    }
    if (retry_classify(rq->failure, rq->status) != RETRY_TRANSIENT ||
        strcmp(method, "POST") == 0 || i + 1 == API_ATTEMPTS)
      break;
    nap_ms(retry_delay_ms(i, 300, 3000, rq->retry_after_s, &rng));
  }
  if (rq->failure != HTTP_FAIL_NONE) {
    err_set(err, ERR_NET, "cannot reach the KTRDR API at %s (%s); is the server running? "
            "Set the address with --url or KTRDR_API_URL", base_url, rq->error);
    goto out;
  }
  resp->status = rq->status;
  resp->raw = rq->response;
  memset(&rq->response, 0, sizeof(rq->response)); /* moved into resp */
  resp->body = json_loads(buf_cstr(&resp->raw), 0, NULL);
  rc = 0;
out:
  http_request_free(&rq);
  http_client_free(&hc);
  free(url);
  free(body);
  return rc;
}

void api_response_release(struct api_response *resp)
{
  if (!resp)
    return;
  json_decref(resp->body);
  buf_release(&resp->raw);
  memset(resp, 0, sizeof(*resp));
}

int api_error(const struct api_response *resp, struct err *err)
{
  struct buf why = BUF_INIT;

  apierror_describe(resp->status, buf_cstr(&resp->raw), &why);
  err_set(err, resp->status == 404 ? ERR_NOTFOUND : ERR_HTTP, "%s", buf_cstr(&why));
  buf_release(&why);
  return -1;
}

int api_operation_path(const char *id, const char *suffix, struct buf *path, struct err *err)
{
  size_t n = id ? strlen(id) : 0;

  if (n == 0 || n > 200 || strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789_-.") != n)
    return err_set(err, ERR_INVALID, "'%s' is not an operation id (like "
                   "op_dummy_20251002_221314_1a2b3c4d)", id ? id : "");
  buf_appendf(path, "/operations/%s%s", id, suffix ? suffix : "");
  return 0;
}
