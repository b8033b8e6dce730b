#include "admin.h"

#include <string.h>
#include <time.h>

#include "timeutil.h"

static int add_arg(struct buf *u, char *sep, const char *key, const char *val)
{
  if (!val)
    return 0;
  if (buf_appendf(u, "%c%s=", *sep, key) < 0 || hreq_escape(u, val) < 0)
    return -1;
  *sep = '&';
  return 0;
}

static int journal_url(struct buf *u, const char *root, const struct admin_filter *f)
{
  char sep = '?', since[32];

  snprintf(since, sizeof(since), "%llu", (unsigned long long)f->since);
  if (buf_appendf(u, "%s/__admin/requests", root) < 0 ||
      add_arg(u, &sep, "method", f->method) < 0 || add_arg(u, &sep, "path", f->path) < 0 ||
      add_arg(u, &sep, "operation_id", f->operation_id) < 0 ||
      add_arg(u, &sep, "since", f->since ? since : NULL) < 0)
    return -1;
  return 0;
}

int admin_requests(struct hreq *h, const char *root, const struct admin_filter *f,
                   json_t **list, struct err *err)
{
  struct buf url = BUF_INIT;
  json_t *body = NULL;
  long status = 0;
  int rc;

  *list = NULL;
  if (journal_url(&url, root, f) < 0) {
    buf_release(&url);
    return err_set(err, ERR_NOMEM, "out of memory");
  }
  rc = hreq_json(h, "GET", buf_cstr(&url), NULL, &status, &body, err);
  buf_release(&url);
  if (rc == 0 && (status != 200 || !json_is_array(json_object_get(body, "requests"))))
    rc = err_set(err, ERR_HTTP, "the journal answered %ld without a requests list", status);
  if (rc == 0)
    *list = json_incref(json_object_get(body, "requests"));
  json_decref(body);
  return rc;
}

int admin_wait(struct hreq *h, const char *root, const struct admin_filter *f, size_t count,
               int timeout_ms, json_t **list, struct err *err)
{
  int64_t deadline = timeutil_mono_us() + (int64_t)timeout_ms * 1000;
  struct timespec nap = { 0, 2000000 };

  for (;;) {
    if (admin_requests(h, root, f, list, err) < 0)
      return -1;
    if (json_array_size(*list) >= count)
      return 0;
    json_decref(*list);
    *list = NULL;
    if (timeutil_mono_us() >= deadline)
      return err_set(err, ERR_STATE, "the journal did not show %zu %s request(s) within %d ms",
                     count, f->method ? f->method : "matching", timeout_ms);
    nanosleep(&nap, NULL);
  }
}

int admin_last_seq(struct hreq *h, const char *root, uint64_t *seq, struct err *err)
{
  struct admin_filter f = { 0 };
  json_t *list;
  size_t n;

  if (admin_requests(h, root, &f, &list, err) < 0)
    return -1;
  n = json_array_size(list);
  *seq = n ? admin_entry_seq(json_array_get(list, n - 1)) : 0;
  json_decref(list);
  return 0;
}

int admin_clock_advance(struct hreq *h, const char *root, double seconds, struct err *err)
{
  struct hreq_resp r = HREQ_RESP_INIT;
  struct buf url = BUF_INIT, body = BUF_INIT;
  int rc;

  buf_appendf(&url, "%s/__admin/clock/advance", root);
  buf_appendf(&body, "{\"seconds\":%.6f}", seconds);
  rc = hreq_do(h, "POST", buf_cstr(&url), buf_cstr(&body), &r, err);
  if (rc == 0 && r.status / 100 != 2)
    rc = err_set(err, ERR_HTTP, "the clock advance answered %ld", r.status);
  hreq_resp_release(&r);
  buf_release(&url);
  buf_release(&body);
  return rc;
}

int64_t admin_entry_t_us(const json_t *e)
{
  return (int64_t)json_integer_value(json_object_get(e, "t_us"));
}

uint64_t admin_entry_seq(const json_t *e)
{
  return (uint64_t)json_integer_value(json_object_get(e, "seq"));
}

const char *admin_entry_op(const json_t *e)
{
  return json_string_value(json_object_get(e, "operation_id"));
}
