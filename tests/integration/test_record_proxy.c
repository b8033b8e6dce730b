/*
 * The record proxy adds no behaviour of its own (record_proxy.h): statuses,
 * bodies and headers come back as the upstream sent them (404s, 4xx JSON,
 * 405 with Allow, Retry-After, cut and dropped answers), request bodies and
 * headers go on byte for byte (secrets included, which never reach the
 * recorded files), a slow upstream answer holds up no other client, and an
 * upstream that is down is a 502 with a JSON detail.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <dirent.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "faults.h"
#include "record_proxy.h"
#include "testlib.h"
#include "timeutil.h"

static struct record_proxy *proxy;
static char *out_dir;

static void start_proxy(const char *upstream)
{
  struct record_config cfg = RECORD_CONFIG_INIT;
  struct err err = ERR_INIT;

  out_dir = strdup("/tmp/ktrdr-record-proxy-XXXXXX");
  cr_assert_not_null(mkdtemp(out_dir));
  cfg.upstream = upstream;
  cfg.out_dir = out_dir;
  proxy = record_proxy_start(&cfg, &err);
  cr_assert_not_null(proxy, "%s", err.msg);
}

static void stop_proxy(void)
{
  char cmd[256];

  record_proxy_stop(&proxy);
  if (out_dir) {
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", out_dir);
    cr_expect_eq(system(cmd), 0);
  }
  free(out_dir);
  out_dir = NULL;
}

static void teardown(void)
{
  stop_proxy();
  tl_mock_stop();
}

static void setup(void)
{
  tl_mock_start(1.0);
  start_proxy(tl_mock_url());
}

TestSuite(record_proxy, .init = setup, .fini = teardown, .timeout = 60);

/* ---- pass-through ------------------------------------------------------------- */

/* The value of header `name` in raw header lines ("" when absent). */
static char *header(const char *raw, const char *name)
{
  size_t n = strlen(name);

  for (const char *p = raw; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
    if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
      p += n + 1 + strspn(p + n + 1, " ");
      return strndup(p, strcspn(p, "\r\n"));
    }
  }
  return strdup("");
}

struct pass_case {
  const char *method, *path, *body;
  bool fault;                /* a queued 503 with Retry-After for each request */
  int status;
};

static const struct pass_case pass_cases[] = {
  { "GET", "/health", NULL, false, 200 },
  { "GET", "/operations/op_dummy_nope", NULL, false, 404 },
  { "GET", "/no/such/path", NULL, false, 404 },
  { "DELETE", "/health", NULL, false, 405 },
  { "POST", "/trainings/start", "{\"symbols\":[],\"timeframes\":[\"1h\"]}", false, 422 },
  { "GET", "/operations?limit=0", NULL, false, 422 },
  { "POST", "/dummy/start", "{\"duration\": 1", false, 422 },
  { "GET", "/symbols", NULL, true, 503 },
};

static void queue_fault(void)
{
  struct fault_spec f = FAULT_SPEC_INIT;

  f.path_prefix = "/api/v1/symbols";
  f.retry_after = 7;
  f.body = "{\"detail\":\"busy\",\"where\":[1,2]}";
  cr_assert_eq(mock_server_add_fault(tl_mock, &f, NULL), 0);
}

Test(record_proxy, statuses_bodies_and_headers_pass_through)
{
  static const char *const names[] = { "Content-Type", "Retry-After", "Allow", "Content-Length" };

  for (size_t i = 0; i < TL_N(pass_cases); i++) {
    const struct pass_case *c = &pass_cases[i];
    char *direct = tl_url(tl_mock_url(), c->path), *via = tl_url(record_proxy_url(proxy), c->path);
    struct tl_response a, b;

    if (c->fault)
      queue_fault();
    cr_assert_eq(tl_http(c->method, direct, c->body, NULL, &a), 0);
    if (c->fault)
      queue_fault();
    cr_assert_eq(tl_http(c->method, via, c->body, NULL, &b), 0, "%s %s", c->method, c->path);
    cr_expect_eq(a.status, c->status, "%s %s", c->method, c->path);
    cr_expect_eq(b.status, a.status, "%s %s", c->method, c->path);
    cr_expect_str_eq(b.body, a.body, "%s %s", c->method, c->path);
    for (size_t k = 0; k < TL_N(names); k++) {
      char *ha = header(a.headers, names[k]), *hb = header(b.headers, names[k]);

      cr_expect_str_eq(hb, ha, "%s %s: %s", c->method, c->path, names[k]);
      free(ha);
      free(hb);
    }
    cr_expect(strcasestr(b.headers, "\nX-Process-Time:"), "%s", b.headers);
    cr_expect_null(strcasestr(b.headers, "\nVia:"), "%s", b.headers);
    tl_response_release(&a);
    tl_response_release(&b);
    free(direct);
    free(via);
  }
}

Test(record_proxy, request_bodies_go_on_byte_for_byte)
{
  static const char body[] = "{ \"duration\" : 1.50,\n\t\"iterations\":3 , \"note\":\"caf\xc3\xa9\" }";
  struct journal_filter f = { .method = "POST" };
  struct journal_entry *e = NULL;
  char *url = tl_url(record_proxy_url(proxy), "/dummy/start?x=a%20b&y=%2F");
  struct tl_response r;
  size_t n;

  cr_assert_eq(tl_http("POST", url, body, NULL, &r), 0);
  cr_expect_eq(r.status, 200, "%s", r.body);
  n = journal_snapshot(mock_server_journal(tl_mock), &f, &e, NULL);
  cr_assert_eq(n, 1);
  cr_expect_str_eq(e[0].body, body);
  cr_expect_str_eq(e[0].path, "/api/v1/dummy/start");
  cr_expect_str_eq(e[0].query, "x=a%20b&y=%2F");
  journal_entries_free(e, n);
  tl_response_release(&r);
  free(url);
}

Test(record_proxy, cut_and_dropped_answers_are_cut_and_dropped)
{
  struct fault_spec f = FAULT_SPEC_INIT;
  char *direct = tl_url(tl_mock_url(), "/health"), *via = tl_url(record_proxy_url(proxy), "/health");
  struct tl_response a, b;

  f.path_prefix = "/api/v1/health";
  f.action = FAULT_TRUNCATE;
  f.count = 2;
  cr_assert_eq(mock_server_add_fault(tl_mock, &f, NULL), 0);
  cr_expect_eq(tl_http("GET", direct, NULL, NULL, &a), -1, "a cut answer is an error");
  cr_expect_eq(tl_http("GET", via, NULL, NULL, &b), -1, "a cut answer is an error");
  cr_expect_gt(a.len, 0);
  cr_expect_str_eq(b.body, a.body);
  tl_response_release(&a);
  tl_response_release(&b);
  f.action = FAULT_DROP;
  f.count = 1;
  cr_assert_eq(mock_server_add_fault(tl_mock, &f, NULL), 0);
  cr_expect_eq(tl_http("GET", via, NULL, NULL, &b), -1, "no answer");
  cr_expect_eq(b.status, 0);
  cr_expect_eq(b.len, 0);
  tl_response_release(&b);
  free(direct);
  free(via);
}

struct slow_call {
  char *url;
  _Atomic int64_t started_us;
  int64_t took_us;
};

static void *slow_call_main(void *arg)
{
  struct slow_call *c = arg;
  struct tl_response r;
  int64_t t0 = timeutil_mono_us();

  c->started_us = t0;
  tl_http("GET", c->url, NULL, NULL, &r);
  c->took_us = timeutil_mono_us() - t0;
  tl_response_release(&r);
  return NULL;
}

/* The slow request has been on its way for a while: it is upstream now. */
static bool in_flight(void *arg)
{
  struct slow_call *c = arg;

  return c->started_us && timeutil_mono_us() - c->started_us >= 200000;
}

Test(record_proxy, a_slow_answer_holds_up_no_other_client)
{
  struct fault_spec f = FAULT_SPEC_INIT;
  struct slow_call slow = { tl_url(record_proxy_url(proxy), "/symbols"), 0, 0 };
  char *health = tl_url(record_proxy_url(proxy), "/health");
  struct tl_response r;
  pthread_t t;
  int64_t t0;

  f.path_prefix = "/api/v1/symbols";
  f.action = FAULT_PASS;
  f.delay_s = 1.5;
  cr_assert_eq(mock_server_add_fault(tl_mock, &f, NULL), 0);
  pthread_create(&t, NULL, slow_call_main, &slow);
  cr_assert(tl_wait_until(in_flight, &slow, 5000));
  t0 = timeutil_mono_us();
  cr_assert_eq(tl_http("GET", health, NULL, NULL, &r), 0);
  cr_expect_eq(r.status, 200);
  if (tl_timing_strict())
    cr_expect_lt(timeutil_mono_us() - t0, 500000, "the quick request waited for the slow one");
  pthread_join(t, NULL);
  cr_expect_geq(slow.took_us, 1400000);
  tl_response_release(&r);
  free(slow.url);
  free(health);
}

Test(record_proxy, an_upstream_that_is_down_is_a_502_with_a_detail)
{
  char *url;
  struct tl_response r;
  const char *detail;

  stop_proxy();
  start_proxy("http://127.0.0.1:1/api/v1");
  url = tl_url(record_proxy_url(proxy), "/operations");
  cr_assert_eq(tl_http("GET", url, NULL, NULL, &r), 0);
  cr_expect_eq(r.status, 502);
  cr_expect(strcasestr(r.headers, "\nContent-Type: application/json"), "%s", r.headers);
  detail = json_string_value(json_object_get(r.json, "detail"));
  cr_assert_not_null(detail, "%s", r.body);
  cr_expect(strstr(detail, "Upstream http://127.0.0.1:1/api/v1 is unreachable: "), "%s", detail);
  cr_expect(strstr(detail, "Check that the KTRDR API is running"), "%s", detail);
  tl_response_release(&r);
  free(url);
}

/* ---- headers: all forwarded, no secret written ------------------------------ */

/* A tiny upstream that remembers every request's headers and plays one
 * operation: started, then a 503 with Retry-After and a Set-Cookie, then
 * completed. */
static struct {
  pthread_mutex_t lock;
  struct buf seen;           /* "Name: value\n" of every request */
  int gets;
} echo = { PTHREAD_MUTEX_INITIALIZER, BUF_INIT, 0 };

static enum MHD_Result remember(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
  (void)cls;
  (void)kind;
  buf_appendf(&echo.seen, "%s: %s\n", key, value ? value : "");
  return MHD_YES;
}

static enum MHD_Result echo_answer(void *cls, struct MHD_Connection *conn, const char *url,
                                   const char *method, const char *version, const char *upload,
                                   size_t *upload_size, void **req_cls)
{
  static const char started[] = "{\"success\":true,\"data\":{\"operation_id\":\"op_dummy_echo\"}}";
  static const char done[] = "{\"success\":true,\"data\":{\"operation_id\":\"op_dummy_echo\","
                             "\"status\":\"completed\",\"progress\":{\"percentage\":100.0},"
                             "\"result_summary\":{\"ok\":true}}}";
  const char *body = strcmp(method, "POST") == 0 ? started : done;
  struct MHD_Response *resp;
  enum MHD_Result rc;
  int status = 200, get;

  (void)cls;
  (void)url;
  (void)version;
  (void)upload;
  if (!*req_cls) {
    *req_cls = &echo;
    return MHD_YES;
  }
  if (*upload_size) {
    *upload_size = 0;
    return MHD_YES;
  }
  pthread_mutex_lock(&echo.lock);
  MHD_get_connection_values(conn, MHD_HEADER_KIND, remember, NULL);
  get = strcmp(method, "GET") == 0 ? ++echo.gets : 0;
  pthread_mutex_unlock(&echo.lock);
  if (get == 1) {
    status = 503;
    body = "{\"detail\":\"Service Unavailable\"}";
  }
  resp = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
  MHD_add_response_header(resp, "Content-Type", "application/json");
  MHD_add_response_header(resp, "Set-Cookie", "session=set-cookie-secret-0001");
  if (status == 503)
    MHD_add_response_header(resp, "Retry-After", "7");
  rc = MHD_queue_response(conn, (unsigned)status, resp);
  MHD_destroy_response(resp);
  return rc;
}

/* Every file of the output directory, hidden ones too, concatenated. */
static char *all_files(void)
{
  DIR *d = opendir(out_dir);
  struct dirent *e;
  struct buf b = BUF_INIT;
  char path[512], chunk[4096];
  size_t n;

  cr_assert_not_null(d);
  while ((e = readdir(d)) != NULL) {
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", out_dir, e->d_name);
    if (e->d_name[0] == '.' && (!e->d_name[1] || strcmp(e->d_name, "..") == 0))
      continue;
    if (!(f = fopen(path, "r")))
      continue;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
      buf_append(&b, chunk, n);
    fclose(f);
  }
  closedir(d);
  return buf_detach(&b);
}

static size_t discard(char *data, size_t size, size_t n, void *cls)
{
  (void)data;
  (void)cls;
  return size * n;
}

static int send_with_secrets(const char *method, const char *url)
{
  static const char *const secrets[] = {
    "Authorization: Bearer authorization-secret-0001", "Cookie: session=cookie-secret-0001",
    "X-Api-Key: api-key-secret-0001", "Proxy-Authorization: Basic proxy-secret-0001",
  };
  struct curl_slist *h = NULL;
  CURL *c = curl_easy_init();
  long status = 0;

  for (size_t i = 0; i < TL_N(secrets); i++)
    h = curl_slist_append(h, secrets[i]);
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
  if (strcmp(method, "POST") == 0)
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, "{}");
  curl_easy_perform(c);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(c);
  curl_slist_free_all(h);
  return (int)status;
}

Test(record_proxy, every_header_goes_on_and_no_secret_is_written)
{
  struct MHD_Daemon *up = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, 0,
                                           NULL, NULL, echo_answer, NULL, MHD_OPTION_END);
  const union MHD_DaemonInfo *info;
  char upstream[128], *start, *get, *files;

  cr_assert_not_null(up);
  info = MHD_get_daemon_info(up, MHD_DAEMON_INFO_BIND_PORT);
  /* the URL's user, password and query are not written either */
  snprintf(upstream, sizeof(upstream),
           "http://user:url-secret-0001@127.0.0.1:%u/api/v1?token=url-secret-0002", info->port);
  stop_proxy();
  start_proxy(upstream);
  start = tl_url(record_proxy_url(proxy), "/dummy/start");
  get = tl_url(record_proxy_url(proxy), "/operations/op_dummy_echo");
  cr_expect_eq(send_with_secrets("POST", start), 200);
  cr_expect_eq(send_with_secrets("GET", get), 503);
  cr_expect_eq(send_with_secrets("GET", get), 200);
  record_proxy_stop(&proxy);
  MHD_stop_daemon(up);
  /* forwarded: the end-to-end headers; not the proxy's own (hop by hop) */
  cr_expect(strstr(buf_cstr(&echo.seen), "Authorization: Bearer authorization-secret-0001"),
            "%s", buf_cstr(&echo.seen));
  cr_expect(strstr(buf_cstr(&echo.seen), "Cookie: session=cookie-secret-0001"));
  cr_expect(strstr(buf_cstr(&echo.seen), "X-Api-Key: api-key-secret-0001"));
  cr_expect_null(strstr(buf_cstr(&echo.seen), "proxy-secret"));
  /* recorded: the operation, its Retry-After, and not one secret */
  files = all_files();
  cr_expect(strstr(files, "name: rec_op_dummy_echo"), "%s", files);
  cr_expect(strstr(files, "retry_after: 7"), "%s", files);
  cr_expect(strstr(files, "# from http://127.0.0.1:"), "%s", files);
  cr_expect_null(strstr(files, "secret"), "%s", files);
  cr_expect_null(strcasestr(files, "authorization"), "%s", files);
  cr_expect_null(strcasestr(files, "cookie"), "%s", files);
  free(files);
  free(start);
  free(get);
  buf_release(&echo.seen);
}
