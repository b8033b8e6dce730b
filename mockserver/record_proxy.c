#include "record_proxy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http_reply.h"
#include "log.h"
#include "netaddr.h"
#include "record_forward.h"
#include "record_log.h"
#include "timeutil.h"

#define API_PREFIX "/api/v1"
#define BODY_LIMIT (64 * 1024 * 1024)
#define IDLE_TIMEOUT_S 30

struct record_proxy {
  struct MHD_Daemon *daemon;
  struct record_log *log;
  char *base, *origin;       /* the upstream: API base URL, and scheme://host:port */
  atomic_bool stopping;      /* upstream requests in flight give up */
  bool quiet, curl_ready;
  long timeout_ms;
  unsigned short port;
  char url[96];
};

/* Per-request state, MHD's *req_cls: from the request line to completion. */
struct pending {
  bool started;
  bool too_large;
  char *uri;                 /* as received: path and query, not unescaped */
  struct buf body;
};

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
  struct pending *q = calloc(1, sizeof(*q));

  (void)cls;
  (void)conn;
  if (!q)
    return NULL;
  q->body.limit = BODY_LIMIT;
  if (!(q->uri = strdup(uri))) {
    free(q);
    return NULL;
  }
  return q;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
  struct pending *q = *req_cls;

  (void)cls;
  (void)conn;
  (void)toe;
  if (!q)
    return;
  buf_release(&q->body);
  free(q->uri);
  free(q);
  *req_cls = NULL;
}

/* ---- headers --------------------------------------------------------------- */

/* Whether `name` is one of the comma-separated tokens of `list`. */
static bool listed(const char *list, const char *name)
{
  size_t n = strlen(name);

  for (const char *p = list; p && *p;) {
    p += strspn(p, " \t,");
    if (strncasecmp(p, name, n) == 0 && strchr(" \t,", p[n]))
      return true;
    p += strcspn(p, ",");
  }
  return false;
}

/* Headers that concern one connection, not the request (RFC 9110 §7.6.1);
 * for requests also those the upstream connection sets itself, and
 * Accept-Encoding (the recorder reads the bodies). */
static bool hop_by_hop(const char *name, const char *connection, bool request)
{
  static const char *const both[] = { "Connection", "Keep-Alive", "Transfer-Encoding", "TE",
                                       "Trailer", "Upgrade", "Content-Length", NULL };
  static const char *const requests[] = { "Host", "Expect", "Accept-Encoding", NULL };

  if (strncasecmp(name, "Proxy-", 6) == 0 || listed(connection, name))
    return true;
  for (size_t i = 0; both[i]; i++)
    if (strcasecmp(name, both[i]) == 0)
      return true;
  for (size_t i = 0; request && requests[i]; i++)
    if (strcasecmp(name, requests[i]) == 0)
      return true;
  return false;
}

struct header_list {
  char **v;                  /* "Name: value", NULL-terminated */
  size_t n;
  const char *connection;    /* the request's Connection header */
  bool failed;
};

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
  struct header_list *h = cls;
  char **v;
  size_t len;

  (void)kind;
  if (hop_by_hop(key, h->connection, true))
    return MHD_YES;
  v = realloc(h->v, (h->n + 2) * sizeof(*v));
  len = strlen(key) + (value ? strlen(value) : 0) + 3;
  if (!v || !(v[h->n] = malloc(len))) {
    h->v = v ? v : h->v;
    h->failed = true;
    return MHD_NO;
  }
  h->v = v;
  /* libcurl sends "Name;" as an empty header ("Name:" would remove it) */
  if (value && *value)
    snprintf(v[h->n], len, "%s: %s", key, value);
  else
    snprintf(v[h->n], len, "%s;", key);
  v[++h->n] = NULL;
  return MHD_YES;
}

static void free_list(char **v)
{
  for (size_t i = 0; v && v[i]; i++)
    free(v[i]);
  free(v);
}

/* The client's headers to send on, or NULL when out of memory. */
static char **request_headers(struct MHD_Connection *conn)
{
  struct header_list h = { NULL, 0, NULL, false };

  h.connection = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Connection");
  h.v = calloc(1, sizeof(*h.v));
  if (!h.v)
    return NULL;
  MHD_get_connection_values(conn, MHD_HEADER_KIND, collect, &h);
  if (h.failed) {
    free_list(h.v);
    return NULL;
  }
  return h.v;
}

static void add_answer_headers(struct MHD_Response *resp, const struct forward_answer *an)
{
  const char *connection = forward_header(an, "Connection");

  for (size_t i = 0; i < an->nheaders; i++)
    if (!hop_by_hop(an->headers[i].name, connection, false))
      MHD_add_response_header(resp, an->headers[i].name, an->headers[i].value);
}

/* ---- answers ------------------------------------------------------------- */

/* What the client got, for the recorder. */
struct sent {
  int status;
  enum record_transfer transfer;
  char *body;                /* owned */
  size_t len;
};

/* The upstream's answer, as it came (a cut body cut as short). */
static enum MHD_Result pass_back(struct MHD_Connection *conn, struct forward_answer *an,
                                 struct sent *s)
{
  size_t len = an->body.len;
  char *body = buf_detach(&an->body), *copy = malloc(len + 1);
  struct MHD_Response *resp;
  enum MHD_Result rc = MHD_NO;

  if (copy) {
    memcpy(copy, body, len);
    copy[len] = '\0';
  }
  *s = (struct sent){ an->status, an->result == FORWARD_TRUNCATED ? RECORD_TRUNCATED
                                                                  : RECORD_COMPLETE,
                      copy, copy ? len : 0 };
  if (an->result == FORWARD_TRUNCATED) {
    resp = http_reply_cut_response(body, len, an->declared > (int64_t)len ? an->declared : -1);
  } else if (!(resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE))) {
    free(body);
  }
  if (!resp)
    return MHD_NO;
  add_answer_headers(resp, an);
  rc = MHD_queue_response(conn, (unsigned)an->status, resp);
  MHD_destroy_response(resp);
  return rc;
}

/* 502 or 504 with a FastAPI-style detail, sent and kept for the recorder. */
static enum MHD_Result fail_upstream(const struct record_proxy *p, struct MHD_Connection *conn,
                                     const struct forward_answer *an, int64_t arrival_us,
                                     struct sent *s)
{
  struct http_reply r = HTTP_REPLY_INIT;
  char detail[1024];
  json_t *j;
  int rc;

  if (an->result == FORWARD_TIMEOUT)
    snprintf(detail, sizeof(detail), "Upstream %s did not answer within %ld s: %s. The KTRDR "
             "API may be overloaded; try again", p->base, p->timeout_ms / 1000, an->error);
  else
    snprintf(detail, sizeof(detail), "Upstream %s is unreachable: %s. Check that the KTRDR "
             "API is running and that --upstream points at it", p->base, an->error);
  j = json_pack("{s:s}", "detail", detail);
  *s = (struct sent){ an->result == FORWARD_TIMEOUT ? 504 : 502, RECORD_COMPLETE,
                      j ? json_dumps(j, JSON_COMPACT) : NULL, 0 };
  json_decref(j);
  if (!s->body)
    return MHD_NO;
  s->len = strlen(s->body);
  http_reply_text(&r, s->status, strdup(s->body), s->len);
  rc = r.raw ? http_reply_queue(conn, &r, arrival_us) : -1;
  http_reply_release(&r);
  return rc == 0 ? MHD_YES : MHD_NO;
}

static enum MHD_Result answer(const struct record_proxy *p, struct MHD_Connection *conn,
                              struct forward_answer *an, int64_t arrival_us, struct sent *s)
{
  switch (an->result) {
  case FORWARD_OK:
  case FORWARD_TRUNCATED:
    return pass_back(conn, an, s);
  case FORWARD_UNREACHABLE:
  case FORWARD_TIMEOUT:
    return fail_upstream(p, conn, an, arrival_us, s);
  case FORWARD_DROPPED:
  default:
    *s = (struct sent){ 0, RECORD_DROPPED, NULL, 0 };
    return MHD_NO; /* no answer: MHD closes the client's connection */
  }
}

/* ---- forwarding and recording ------------------------------------------ */

/* The upstream URL for a request URI; *api_path (malloc'ed) is the path
 * under the API base without the query, NULL for other paths. */
static char *upstream_url(const struct record_proxy *p, const char *uri, char **api_path)
{
  size_t plen = strcspn(uri, "?"), n = strlen(API_PREFIX);
  bool api = strncmp(uri, API_PREFIX, n) == 0 && (plen == n || uri[n] == '/');
  struct buf b = BUF_INIT;

  *api_path = api ? strndup(uri + n, plen - n) : NULL;
  buf_appendf(&b, "%s%s", api ? p->base : p->origin, api ? uri + n : uri);
  return buf_detach(&b);
}

/* "ADDRESS User-Agent": who sent the request, for folding retried starts. */
static void client_key(struct MHD_Connection *conn, char *out, size_t size)
{
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  const char *ua = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "User-Agent");
  char addr[INET6_ADDRSTRLEN] = "?";
  const struct sockaddr *sa = ci ? ci->client_addr : NULL;

  if (sa && sa->sa_family == AF_INET)
    inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, addr,
              sizeof(addr));
  else if (sa && sa->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, addr,
              sizeof(addr));
  snprintf(out, size, "%s %s", addr, ua ? ua : "");
}

static int retry_after(const struct forward_answer *an)
{
  const char *v = forward_header(an, "Retry-After");
  char *end;
  long n;

  if (!v)
    return -1;
  errno = 0;
  n = strtol(v, &end, 10);
  return errno || end == v || *end || n < 0 || n > 86400 ? -1 : (int)n;
}

static void record(struct record_proxy *p, struct MHD_Connection *conn, const char *method,
                   const struct pending *q, const char *api_path,
                   const struct forward_answer *an, int64_t wall_us, const struct sent *s)
{
  char client[512], *full = strndup(q->uri, strcspn(q->uri, "?"));
  struct err err = ERR_INIT;
  struct record_exchange x = {
    .method = method, .path = api_path, .full_path = full, .client = client,
    .sent_us = an->sent_us, .done_us = an->done_us, .wall_us = wall_us,
    .status = s->status, .transfer = s->transfer, .body = s->body, .body_len = s->len,
    .retry_after = an->result == FORWARD_OK || an->result == FORWARD_TRUNCATED
                       ? retry_after(an) : -1,
  };

  client_key(conn, client, sizeof(client));
  if (full && record_log_add(p->log, &x, &err) < 0)
    log_warn("%s", err.msg);
  free(full);
}

static void log_request(const struct record_proxy *p, const char *method, const char *uri,
                        const struct forward_answer *an, const struct sent *s)
{
  if (p->quiet)
    return;
  if (s->transfer == RECORD_DROPPED)
    log_info("%s %s -> no answer, connection closed (%s; %.2f ms)", method, uri, an->error,
             (double)(an->done_us - an->sent_us) / 1000.0);
  else
    log_info("%s %s -> %d%s (%.2f ms upstream)", method, uri, s->status,
             s->transfer == RECORD_TRUNCATED ? ", body cut short" : "",
             (double)(an->done_us - an->sent_us) / 1000.0);
}

static enum MHD_Result forward(struct record_proxy *p, struct MHD_Connection *conn,
                               struct pending *q, const char *method, int64_t arrival_us)
{
  char *api_path = NULL, *url = upstream_url(p, q->uri, &api_path), **headers;
  struct forward_answer an = FORWARD_ANSWER_INIT;
  struct sent s = { 0, RECORD_DROPPED, NULL, 0 };
  int64_t wall_us = timeutil_real_us();
  enum MHD_Result rc = MHD_NO;

  headers = request_headers(conn);
  if (url && headers) {
    struct forward_request rq = { method, url, (const char *const *)headers, buf_cstr(&q->body),
                                  q->body.len, p->timeout_ms, &p->stopping };

    forward_send(&rq, &an);
    rc = answer(p, conn, &an, arrival_us, &s);
    if (api_path)
      record(p, conn, method, q, api_path, &an, wall_us, &s);
    log_request(p, method, q->uri, &an, &s);
  }
  free(s.body);
  forward_answer_release(&an);
  free_list(headers);
  free(api_path);
  free(url);
  return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **req_cls)
{
  struct pending *q = *req_cls;
  struct http_reply r = HTTP_REPLY_INIT;
  int64_t now = timeutil_mono_us();
  int rc;

  (void)url;
  (void)version;
  if (!q)
    return MHD_NO;
  if (!q->started) {
    q->started = true;
    return MHD_YES;
  }
  if (*upload_size) {
    q->too_large = q->too_large || buf_append(&q->body, upload, *upload_size) < 0;
    *upload_size = 0;
    return MHD_YES;
  }
  if (!q->too_large)
    return forward(cls, conn, q, method, now);
  http_reply_detail(&r, 413, "Request body too large for the record proxy (limit %d bytes)",
                    BODY_LIMIT);
  rc = http_reply_queue(conn, &r, now);
  http_reply_release(&r);
  return rc == 0 ? MHD_YES : MHD_NO;
}

/* ---- start and stop --------------------------------------------------------- */

/* mkdir -p. */
static int make_dirs(const char *dir)
{
  char path[4096];
  size_t n = strlen(dir);

  if (n == 0 || n >= sizeof(path))
    return errno = ENAMETOOLONG, -1;
  memcpy(path, dir, n + 1);
  for (char *s = path + 1; *s; s++) {
    if (*s != '/')
      continue;
    *s = '\0';
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
      return -1;
    *s = '/';
  }
  return mkdir(path, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

/* The output directory exists (or is made) and takes files. */
static int prepare_dir(const char *dir, struct err *err)
{
  char probe[4200];
  struct stat st;
  int fd;

  if (make_dirs(dir) < 0 || stat(dir, &st) != 0)
    return err_set(err, ERR_INVALID, "cannot create the output directory '%s': %s; choose "
                   "another with --out", dir, strerror(errno));
  if (!S_ISDIR(st.st_mode))
    return err_set(err, ERR_INVALID, "the output directory '%s' is not a directory; choose "
                   "another with --out", dir);
  snprintf(probe, sizeof(probe), "%s/.ktrdr-mock-record-%ld", dir, (long)getpid());
  fd = open(probe, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0)
    return err_set(err, ERR_INVALID, "cannot write to the output directory '%s': %s; choose "
                   "another with --out", dir, strerror(errno));
  close(fd);
  unlink(probe);
  return 0;
}

static struct MHD_Daemon *start_daemon(struct record_proxy *p, const struct sockaddr_in *sa)
{
  unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;

  if (!p->quiet)
    flags |= MHD_USE_ERROR_LOG;
  return MHD_start_daemon(flags, 0, NULL, NULL, on_request, p,
                          MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)sa,
                          MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)IDLE_TIMEOUT_S,
                          MHD_OPTION_URI_LOG_CALLBACK, on_uri, (void *)p,
                          MHD_OPTION_NOTIFY_COMPLETED, on_completed, (void *)p,
                          MHD_OPTION_END);
}

static int open_log(struct record_proxy *p, const struct record_config *cfg, struct err *err)
{
  struct record_log_config lc = { cfg->out_dir ? cfg->out_dir : "recordings", p->base,
                                  "ktrdr-mock " KTRDR_VERSION };

  if (prepare_dir(lc.dir, err) < 0)
    return -1;
  p->log = record_log_new(&lc, err);
  return p->log ? 0 : -1;
}

struct record_proxy *record_proxy_start(const struct record_config *cfg, struct err *err)
{
  struct record_proxy *p = calloc(1, sizeof(*p));
  const union MHD_DaemonInfo *info;
  struct sockaddr_in sa;

  if (!p) {
    err_set(err, ERR_NOMEM, "cannot allocate the record proxy");
    return NULL;
  }
  atomic_init(&p->stopping, false);
  p->quiet = cfg->quiet;
  p->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 120000;
  if (!cfg->upstream) {
    err_set(err, ERR_INVALID, "record needs --upstream URL, the KTRDR API to record "
            "(e.g. http://localhost:8000/api/v1)");
    goto fail;
  }
  if (netaddr_parse(cfg->bind_addr, cfg->port, &sa, err) < 0 ||
      forward_parse_upstream(cfg->upstream, &p->base, &p->origin, err) < 0 ||
      open_log(p, cfg, err) < 0 || forward_global_init(err) < 0)
    goto fail;
  p->curl_ready = true;
  if (!(p->daemon = start_daemon(p, &sa))) {
    netaddr_explain(&sa, err);
    goto fail;
  }
  info = MHD_get_daemon_info(p->daemon, MHD_DAEMON_INFO_BIND_PORT);
  p->port = info ? info->port : cfg->port;
  netaddr_url(&sa, p->port, p->url, sizeof(p->url));
  return p;
fail:
  record_proxy_stop(&p);
  return NULL;
}

const char *record_proxy_url(const struct record_proxy *p)
{
  return p->url;
}

unsigned short record_proxy_port(const struct record_proxy *p)
{
  return p->port;
}

void record_proxy_stop(struct record_proxy **pp)
{
  struct record_proxy *p = pp ? *pp : NULL;

  if (!p)
    return;
  atomic_store(&p->stopping, true);
  if (p->daemon)
    MHD_stop_daemon(p->daemon);
  if (p->curl_ready)
    forward_global_cleanup();
  record_log_free(&p->log);
  free(p->base);
  free(p->origin);
  free(p);
  *pp = NULL;
}
