#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "catalog.h"
#include "faults.h"
#include "http_reply.h"
#include "log.h"
#include "netaddr.h"
#include "request.h"
#include "router.h"
#include "routes.h"
#include "store.h"
#include "timers.h"
#include "timeutil.h"

#define BODY_LIMIT (1024 * 1024)
#define THREADS 2
#define IDLE_TIMEOUT_S 30

struct mock_server {
  struct MHD_Daemon *daemon;
  struct routes_ctx ctx;
  struct timers *timers;     /* resumes connections whose answer is delayed */
  atomic_bool stopping;      /* no new delays: answers go out at once */
  bool quiet;
  unsigned short port;
  char url[96];
};

/* Per-request state, MHD's *req_cls: created when the request line arrives
 * (URI log callback), freed by the completion callback. */
struct pending {
  bool started;        /* the access handler has seen the headers */
  bool answered;       /* `reply` holds the answer */
  bool delayed;        /* suspended until the answer's delay is over */
  bool too_large;      /* the body passed BODY_LIMIT; the rest is discarded */
  int64_t t_us;        /* arrival: first call of the access handler */
  char *query;         /* raw query string, NULL = none */
  struct buf body;
  struct http_reply reply;
  char op_id[REQUEST_ID_MAX];  /* the operation the request concerned, "" = none */
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
  p->reply = (struct http_reply)HTTP_REPLY_INIT;
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
  http_reply_release(&p->reply);
  free(p->query);
  free(p);
  *req_cls = NULL;
}

static bool is_admin(const char *path)
{
  return strncmp(path, ROUTES_ADMIN_PREFIX, sizeof(ROUTES_ADMIN_PREFIX) - 1) == 0;
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
  struct fault_hit hit = FAULT_HIT_INIT;
  bool faulted = false;
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
  else if (!admin && (faulted = faults_take(srv->ctx.faults, req->method, req->path, &hit)) &&
           hit.action == FAULT_REPLY)
    http_reply_fault(reply, &hit);
  else
    serve(srv, found, &m, req, reply);
  /* The other actions modify the handler's answer. */
  if (faulted && hit.action != FAULT_REPLY)
    http_reply_fault(reply, &hit);
  fault_hit_release(&hit);
  snprintf(p->op_id, sizeof(p->op_id), "%s", req->operation_id ? req->operation_id : "");
}

static void log_request(const struct mock_server *srv, const struct request *req,
                        int status, int64_t t_us)
{
  if (srv->quiet)
    return;
  log_info("%s %s%s%s -> %d (%.2f ms)", req->method, req->path, *req->query ? "?" : "",
           req->query, status, (double)(timeutil_mono_us() - t_us) / 1000.0);
}

static void journal(const struct mock_server *srv, const struct pending *p,
                    const char *method, const char *url, int status)
{
  struct journal_request jr = {
    .t_us = p->t_us, .method = method, .path = url, .query = p->query ? p->query : "",
    .body = buf_cstr(&p->body), .body_len = p->body.len, .status = status,
    .operation_id = p->op_id[0] ? p->op_id : NULL,
  };

  if (!is_admin(url))
    journal_record(srv->ctx.journal, &jr);
}

/* Sends the answer in p->reply (or drops the connection) and journals it. */
static enum MHD_Result send_answer(const struct mock_server *srv, struct MHD_Connection *conn,
                                   struct pending *p, const char *method, const char *url)
{
  struct request req = { .method = method, .path = url, .query = p->query ? p->query : "" };
  int rc = p->reply.drop ? -1 : http_reply_queue(conn, &p->reply, p->t_us);
  int status = rc == 0 ? p->reply.status : 0;

  journal(srv, p, method, url, status);
  log_request(srv, &req, status, p->t_us);
  http_reply_release(&p->reply);
  return rc == 0 ? MHD_YES : MHD_NO;
}

static void resume(void *conn)
{
  MHD_resume_connection(conn);
}

/* Suspends the connection until the answer's delay is over. */
static void delay_answer(struct mock_server *srv, struct MHD_Connection *conn,
                         struct pending *p)
{
  int64_t due = p->t_us + llround(p->reply.delay_s * 1e6);

  p->delayed = true;
  MHD_suspend_connection(conn);
  timers_add(srv->timers, due, resume, conn);
}

/* Answers a complete request: now, or later when the answer has a delay. */
static enum MHD_Result respond(struct mock_server *srv, struct MHD_Connection *conn,
                               struct pending *p, const char *method, const char *url)
{
  struct request req = { .method = method, .path = url, .query = p->query ? p->query : "",
                         .body = buf_cstr(&p->body), .body_len = p->body.len, .conn = conn };

  p->answered = true;
  answer(srv, p, &req, &p->reply);
  if (p->reply.delay_s > 0 && !atomic_load(&srv->stopping)) {
    delay_answer(srv, conn, p);
    return MHD_YES;
  }
  return send_answer(srv, conn, p, method, url);
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
  if (p->delayed) {
    p->delayed = false; /* resumed: the delay is over */
    return send_answer(cls, conn, p, method, url);
  }
  if (p->answered)
    return MHD_YES;
  return respond(cls, conn, p, method, url);
}

static int check_config(const struct mock_config *cfg, struct sockaddr_in *sa,
                        struct err *err)
{
  if (netaddr_parse(cfg->bind_addr, cfg->port, sa, err) < 0)
    return -1;
  if (!isfinite(cfg->time_scale) || cfg->time_scale <= 0)
    return err_set(err, ERR_INVALID, "invalid time scale %g: expected a positive number",
                   cfg->time_scale);
  return 0;
}

static struct MHD_Daemon *start_daemon(struct mock_server *srv, const struct sockaddr_in *sa)
{
  unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
                       MHD_ALLOW_SUSPEND_RESUME;

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
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);

  srv->port = info ? info->port : ntohs(sa->sin_port);
  netaddr_url(sa, srv->port, srv->url, sizeof(srv->url));
}

/* "training=training_gpu" → the admin selection. */
static int apply_selection(struct catalog *c, const char *spec, struct err *err)
{
  const char *eq = strchr(spec, '=');
  char type[64];

  if (!eq || eq == spec || !eq[1] || (size_t)(eq - spec) >= sizeof(type))
    return err_set(err, ERR_INVALID, "invalid selection '%s': expected TYPE=SCENARIO, e.g. "
                                     "training=training_gpu", spec);
  snprintf(type, sizeof(type), "%.*s", (int)(eq - spec), spec);
  if (catalog_select(c, type, eq + 1, err) == 0)
    return 0;
  err_wrap(err, "invalid selection '%s'", spec);
  if (err)
    err->code = ERR_INVALID; /* the caller's configuration is wrong */
  return -1;
}

/* The built-ins, the directory's files, the selections to start with. */
static int load_scenarios(struct catalog *c, const struct mock_config *cfg, struct err *err)
{
  if (catalog_load_builtins(c, err) < 0)
    return -1;
  if (cfg->scenarios_dir && catalog_load_dir(c, cfg->scenarios_dir, err) < 0)
    return -1;
  for (size_t i = 0; cfg->select && cfg->select[i]; i++)
    if (apply_selection(c, cfg->select[i], err) < 0)
      return -1;
  return 0;
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
  atomic_init(&srv->stopping, false);
  srv->ctx.clock = clock_new(cfg->clock == MOCK_CLOCK_MANUAL ? CLOCK_MODE_MANUAL
                                                             : CLOCK_MODE_REAL,
                             cfg->time_scale);
  srv->ctx.store = srv->ctx.clock ? store_new(srv->ctx.clock) : NULL;
  srv->ctx.journal = journal_new(cfg->journal_max ? cfg->journal_max : 10000);
  srv->ctx.faults = faults_new();
  srv->timers = timers_new();
  srv->ctx.catalog = catalog_new();
  if (!srv->ctx.store || !srv->ctx.journal || !srv->ctx.faults || !srv->timers ||
      !srv->ctx.catalog) {
    err_set(err, ERR_NOMEM, "cannot allocate the mock server");
    goto fail;
  }
  if (load_scenarios(srv->ctx.catalog, cfg, err) < 0)
    goto fail;
  srv->daemon = start_daemon(srv, &sa);
  if (!srv->daemon) {
    netaddr_explain(&sa, err);
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
  /* Suspended connections must be resumed before the daemon stops: no new
   * delays from now on, and the pending ones end at once. */
  atomic_store(&srv->stopping, true);
  if (srv->timers)
    timers_close(srv->timers);
  if (srv->daemon)
    MHD_stop_daemon(srv->daemon);
  timers_free(&srv->timers);
  store_free(&srv->ctx.store);
  journal_free(&srv->ctx.journal);
  faults_free(&srv->ctx.faults);
  catalog_free(&srv->ctx.catalog);
  clock_free(&srv->ctx.clock);
  free(srv);
  *sp = NULL;
}

int mock_server_advance(struct mock_server *srv, double seconds, struct err *err)
{
  return clock_advance(srv->ctx.clock, seconds, err);
}

double mock_server_now(struct mock_server *srv)
{
  return clock_now(srv->ctx.clock);
}

int mock_server_select(struct mock_server *srv, const char *type, const char *scenario,
                       struct err *err)
{
  return catalog_select(srv->ctx.catalog, type, scenario, err);
}

void mock_server_reset(struct mock_server *srv)
{
  routes_reset(&srv->ctx);
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
