#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "faults.h"
#include "http_reply.h"
#include "log.h"
#include "request.h"
#include "router.h"
#include "routes.h"
#include "store.h"
#include "timeutil.h"

#define BODY_LIMIT (1024 * 1024)
#define THREADS 2
#define IDLE_TIMEOUT_S 30

struct mock_server {
  struct MHD_Daemon *daemon;
  struct routes_ctx ctx;
  bool quiet;
  unsigned short port;
  char url[96];
};

/* Per-request state, MHD's *req_cls: created when the request line arrives
 * (URI log callback), freed by the completion callback. */
struct pending {
  bool started;        /* the access handler has seen the headers */
  bool replied;
  bool too_large;      /* the body passed BODY_LIMIT; the rest is discarded */
  int64_t t_us;        /* arrival: first call of the access handler */
  char *query;         /* raw query string, NULL = none */
  struct buf body;
};

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
  struct pending *p = calloc(1, sizeof(*p));
  const char *q = strchr(uri, '?');

  (void)cls;
  (void)conn;
  if (!p)
    return NULL;
  p->body.limit = BODY_LIMIT;
  if (q && q[1])
    p->query = strdup(q + 1);
  return p;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
  struct pending *p = *req_cls;

  (void)cls;
  (void)conn;
  (void)toe;
  if (!p)
    return;
  buf_release(&p->body);
  free(p->query);
  free(p);
  *req_cls = NULL;
}

static bool is_admin(const char *path)
{
  return strncmp(path, ROUTES_ADMIN_PREFIX, sizeof(ROUTES_ADMIN_PREFIX) - 1) == 0;
}

static bool apply_fault(const struct mock_server *srv, const struct request *req,
                        struct http_reply *reply)
{
  struct fault_hit hit;

  if (!faults_take(srv->ctx.faults, req->method, req->path, &hit))
    return false;
  if (hit.body)
    http_reply_raw(reply, hit.status, hit.body);
  else
    http_reply_detail(reply, hit.status, "%s", http_reply_reason(hit.status));
  reply->retry_after = hit.retry_after;
  fault_hit_release(&hit);
  return true;
}

/* The ktrdr envelope for an unexpected failure (API-CONTRACT §2.1). */
static void internal_error(struct http_reply *reply, const struct err *err)
{
  http_reply_json(reply, 500,
                  json_pack("{s:b, s:{s:s, s:s, s:{s:s, s:s}}}", "success", 0, "error",
                            "code", "INTERNAL_SERVER_ERROR",
                            "message", "An unexpected error occurred", "details",
                            "type", "MockServerError", "error", err->msg));
}

static void serve(const struct mock_server *srv, enum router_status found,
                  const struct router_match *m, struct request *req, struct http_reply *reply)
{
  struct err err = ERR_INIT;

  if (found == ROUTER_NOT_FOUND) {
    http_reply_detail(reply, 404, "Not Found");
  } else if (found == ROUTER_METHOD_NOT_ALLOWED) {
    http_reply_detail(reply, 405, "Method Not Allowed");
    snprintf(reply->allow, sizeof(reply->allow), "%s", m->allow);
  } else if (m->route->fn(&srv->ctx, req, reply, &err) < 0 || reply->status == 0) {
    internal_error(reply, &err);
  }
}

/* Routes the request and fills the reply: 413, 403, a fault, or the handler's. */
static void answer(const struct mock_server *srv, struct pending *p, struct request *req,
                   struct http_reply *reply)
{
  struct router_match m;
  enum router_status found = router_match(routes_table, routes_count, req->method,
                                          req->path, &m);
  bool admin = is_admin(req->path);

  for (size_t i = 0; i < m.nparams && i < REQUEST_PARAMS_MAX; i++)
    req->params[i] = m.params[i];
  if (found == ROUTER_OK && m.nparams)
    req->operation_id = m.params[0];
  if (p->too_large)
    http_reply_detail(reply, 413, "Request body too large (limit %d bytes)", BODY_LIMIT);
  else if (admin && !request_is_loopback(req))
    http_reply_detail(reply, 403, "The admin API only answers loopback clients");
  else if (admin || !apply_fault(srv, req, reply))
    serve(srv, found, &m, req, reply);
  /* operation_id may point into `m`: copy it before `m` goes away. */
  if (req->operation_id && req->operation_id != req->id_buf)
    snprintf(req->id_buf, sizeof(req->id_buf), "%s", req->operation_id);
  if (req->operation_id)
    req->operation_id = req->id_buf;
}

static void log_request(const struct mock_server *srv, const struct request *req,
                        int status, int64_t t_us)
{
  if (srv->quiet)
    return;
  log_info("%s %s%s%s -> %d (%.2f ms)", req->method, req->path, *req->query ? "?" : "",
           req->query, status, (double)(timeutil_mono_us() - t_us) / 1000.0);
}

/* Answers a complete request, queues the reply and journals it. */
static int respond(const struct mock_server *srv, struct MHD_Connection *conn,
                   struct pending *p, const char *method, const char *url)
{
  struct request req = { .method = method, .path = url, .query = p->query ? p->query : "",
                         .body = buf_cstr(&p->body), .body_len = p->body.len, .conn = conn };
  struct http_reply reply = HTTP_REPLY_INIT;
  int rc;

  p->replied = true;
  answer(srv, p, &req, &reply);
  rc = http_reply_queue(conn, &reply, p->t_us);
  if (!is_admin(url)) {
    struct journal_request jr = {
      .t_us = p->t_us, .method = method, .path = url, .query = req.query,
      .body = req.body, .body_len = req.body_len,
      .status = rc == 0 ? reply.status : 0, .operation_id = req.operation_id,
    };
    journal_record(srv->ctx.journal, &jr);
  }
  log_request(srv, &req, reply.status, p->t_us);
  http_reply_release(&reply);
  return rc;
}

/* The declared Content-Length, 0 when absent or unreadable. */
static unsigned long long declared_length(struct MHD_Connection *conn)
{
  const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                              MHD_HTTP_HEADER_CONTENT_LENGTH);
  char *end;
  unsigned long long n;

  if (!v)
    return 0;
  errno = 0;
  n = strtoull(v, &end, 10);
  return errno || *end ? 0 : n;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **req_cls)
{
  struct pending *p = *req_cls;

  (void)version;
  if (!p)
    return MHD_NO;
  if (!p->started) {
    p->started = true;
    p->t_us = timeutil_mono_us();
    /* Refuse an announced oversized body before reading it. */
    p->too_large = declared_length(conn) > BODY_LIMIT;
    if (!p->too_large)
      return MHD_YES;
  } else if (*upload_size) {
    if (!p->too_large && buf_append(&p->body, upload, *upload_size) < 0)
      p->too_large = true;
    *upload_size = 0;
    return MHD_YES;
  }
  if (p->replied)
    return MHD_YES;
  return respond(cls, conn, p, method, url) == 0 ? MHD_YES : MHD_NO;
}

static int check_config(const struct mock_config *cfg, struct sockaddr_in *sa,
                        struct err *err)
{
  const char *addr = cfg->bind_addr ? cfg->bind_addr : "127.0.0.1";

  memset(sa, 0, sizeof(*sa));
  sa->sin_family = AF_INET;
  sa->sin_port = htons(cfg->port);
  if (inet_pton(AF_INET, addr, &sa->sin_addr) != 1)
    return err_set(err, ERR_INVALID,
                   "invalid bind address '%s': expected an IPv4 address such as 127.0.0.1",
                   addr);
  if (!isfinite(cfg->time_scale) || cfg->time_scale <= 0)
    return err_set(err, ERR_INVALID, "invalid time scale %g: expected a positive number",
                   cfg->time_scale);
  return 0;
}

/* MHD does not say why it could not start; a probe bind usually can. */
static int explain_start_failure(const struct sockaddr_in *sa, struct err *err)
{
  char addr[INET_ADDRSTRLEN] = "?";
  int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1, e = 0;

  inet_ntop(AF_INET, &sa->sin_addr, addr, sizeof(addr));
  if (fd >= 0) {
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    e = bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0 ? errno : 0;
    close(fd);
  }
  if (e)
    return err_set(err, ERR_IO,
                   "cannot listen on %s:%u: %s; choose another port (0 picks a free one)", addr,
                   ntohs(sa->sin_port), strerror(e));
  return err_set(err, ERR_IO, "cannot start the HTTP server on %s:%u", addr,
                 ntohs(sa->sin_port));
}

static struct MHD_Daemon *start_daemon(struct mock_server *srv, const struct sockaddr_in *sa)
{
  unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;

  if (!srv->quiet)
    flags |= MHD_USE_ERROR_LOG;
  return MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv,
                          MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)sa,
                          MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)THREADS,
                          MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)IDLE_TIMEOUT_S,
                          MHD_OPTION_URI_LOG_CALLBACK, on_uri, (void *)srv,
                          MHD_OPTION_NOTIFY_COMPLETED, on_completed, (void *)srv,
                          MHD_OPTION_END);
}

static void set_url(struct mock_server *srv, const struct sockaddr_in *sa)
{
  char addr[INET_ADDRSTRLEN] = "127.0.0.1";
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);

  srv->port = info ? info->port : ntohs(sa->sin_port);
  if (sa->sin_addr.s_addr != htonl(INADDR_ANY))
    inet_ntop(AF_INET, &sa->sin_addr, addr, sizeof(addr));
  snprintf(srv->url, sizeof(srv->url), "http://%s:%u/api/v1", addr, srv->port);
}

struct mock_server *mock_server_start(const struct mock_config *cfg, struct err *err)
{
  struct mock_server *srv;
  struct sockaddr_in sa;

  if (check_config(cfg, &sa, err) < 0)
    return NULL;
  srv = calloc(1, sizeof(*srv));
  if (!srv) {
    err_set(err, ERR_NOMEM, "cannot allocate the mock server");
    return NULL;
  }
  srv->quiet = cfg->quiet;
  srv->ctx.store = store_new(cfg->time_scale);
  srv->ctx.journal = journal_new(cfg->journal_max ? cfg->journal_max : 10000);
  srv->ctx.faults = faults_new();
  if (!srv->ctx.store || !srv->ctx.journal || !srv->ctx.faults) {
    err_set(err, ERR_NOMEM, "cannot allocate the mock server");
    goto fail;
  }
  srv->daemon = start_daemon(srv, &sa);
  if (!srv->daemon) {
    explain_start_failure(&sa, err);
    goto fail;
  }
  set_url(srv, &sa);
  return srv;
fail:
  mock_server_stop(&srv);
  return NULL;
}

unsigned short mock_server_port(const struct mock_server *srv)
{
  return srv->port;
}

const char *mock_server_url(const struct mock_server *srv)
{
  return srv->url;
}

struct mock_journal *mock_server_journal(struct mock_server *srv)
{
  return srv->ctx.journal;
}

void mock_server_stop(struct mock_server **sp)
{
  struct mock_server *srv = sp ? *sp : NULL;

  if (!srv)
    return;
  if (srv->daemon)
    MHD_stop_daemon(srv->daemon);
  store_free(&srv->ctx.store);
  journal_free(&srv->ctx.journal);
  faults_free(&srv->ctx.faults);
  free(srv);
  *sp = NULL;
}

int mock_server_add_fault(struct mock_server *srv, const struct fault_spec *spec,
                          struct err *err)
{
  return faults_add(srv->ctx.faults, spec, err);
}

void mock_server_clear_faults(struct mock_server *srv)
{
  faults_clear(srv->ctx.faults);
}

int mock_server_fail_operation(struct mock_server *srv, const char *id, const char *message,
                               struct err *err)
{
  struct store_end end;

  return store_end(srv->ctx.store, id, OP_STATUS_FAILED, message ? message : "Operation failed",
                   &end, err);
}
