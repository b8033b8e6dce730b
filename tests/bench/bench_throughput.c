/*
 * bench_throughput: the mock server's throughput (DESIGN.md §6: GET
 * /operations/{id} of a running training, full JSON, 50 keep-alive
 * connections: ≥ 30,000 req/s here and ≥ 50 % of a bare libmicrohttpd
 * responder measured in the same run), and the same for POST /dummy/start.
 *
 * The servers (ktrdr-mock with its journal on, as always, and bare_mhd
 * answering with the very bytes the mock sends) are pinned to the first
 * CPU, wrk (-t1 -c50, tests/bench/wrk_bench.lua) to the second, so the load
 * generator does not take the servers' CPU (on a 2-core machine both would
 * otherwise fight over both cores). Each endpoint is measured in four slots
 * of S/2 seconds (default S = 10): bare, mock, mock, bare (ABBA), so a
 * load change on the machine during the run weighs on both alike; each
 * server's rate is its requests over its 2 slots. The operation is a
 * training (POST /trainings/start) when the mock has it, else a dummy one;
 * the output says which.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "main.h"
#include "child.h"
#include "hreq.h"
#include "srvproc.h"
#include "timeutil.h"

#define DEFAULT_SECONDS 10.0
#define CONNECTIONS "50"

static const char usage[] =
    "usage: bench_throughput [--seconds S] [--out FILE] [--mock PATH] [--bare PATH] [--lua PATH]\n"
    "wrk -t1 -c50 against ktrdr-mock and a bare libmicrohttpd responder, S seconds\n"
    "each (default 10) per endpoint, in ABBA slots.\n";

static const char training_body[] =
    "{\"strategy_name\":\"trend_momentum\",\"symbols\":[\"AAPL\"],\"timeframes\":[\"1h\"],"
    "\"start_date\":\"2024-01-01\",\"end_date\":\"2024-06-01\"}";
static const char dummy_body[] = "{\"duration\":200,\"iterations\":100}";

struct tp {
  const struct bench_opts *o;
  struct hreq *h;
  struct srvproc mock, bare_get, bare_post;
  int server_cpu, client_cpu;    /* -1 = not pinned */
  char op_id[128], op_type[16];
  char get_file[32], post_file[32];
};

/* A server's totals over its slots for one endpoint. */
struct tally {
  double requests, seconds, cpu_ms, errors;
  json_t *slots;
};

static void pick_cpus(struct tp *t)
{
  cpu_set_t set;
  int found = 0;

  t->server_cpu = t->client_cpu = -1;
  if (sched_getaffinity(0, sizeof(set), &set) < 0)
    return;
  for (int c = 0; c < CPU_SETSIZE && found < 2; c++)
    if (CPU_ISSET(c, &set))
      *(found++ == 0 ? &t->server_cpu : &t->client_cpu) = c;
  if (found < 2)
    t->server_cpu = t->client_cpu = -1;
}

static int save(const char *text, size_t len, char path[32], struct err *err)
{
  int fd;

  snprintf(path, 32, "/tmp/bench_tp_XXXXXX");
  fd = mkstemp(path);
  if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
    if (fd >= 0)
      close(fd);
    return err_set(err, ERR_IO, "cannot write a temporary file");
  }
  close(fd);
  return 0;
}

/* A training if the mock serves them, else a dummy operation. */
static int start_operation(struct tp *t, struct err *err)
{
  char url[SRVPROC_URL_MAX + 32];
  json_t *resp = NULL;
  const char *id;
  long status = 0;

  snprintf(url, sizeof(url), "%s/trainings/start", t->mock.url);
  if (hreq_json(t->h, "POST", url, training_body, &status, &resp, err) < 0)
    return -1;
  id = json_string_value(json_object_get(resp, "task_id"));
  snprintf(t->op_type, sizeof(t->op_type), "%s", status / 100 == 2 && id ? "training" : "dummy");
  if (strcmp(t->op_type, "dummy") == 0) {
    json_decref(resp);
    snprintf(url, sizeof(url), "%s/dummy/start", t->mock.url);
    if (hreq_json(t->h, "POST", url, dummy_body, &status, &resp, err) < 0)
      return -1;
    id = json_string_value(json_object_get(json_object_get(resp, "data"), "operation_id"));
  }
  snprintf(t->op_id, sizeof(t->op_id), "%s", id ? id : "");
  json_decref(resp);
  return t->op_id[0] ? 0 : err_set(err, ERR_STATE, "cannot start an operation on the mock");
}

/* Writes what the mock answers to `method url` into a file for bare_mhd. */
static int capture(struct tp *t, const char *method, const char *url, const char *body,
                   char path[32], size_t *bytes, struct err *err)
{
  struct hreq_resp r = HREQ_RESP_INIT;
  int rc = hreq_do(t->h, method, url, body, &r, err);

  if (rc == 0 && r.status / 100 != 2)
    rc = err_set(err, ERR_HTTP, "%s %s answered %ld", method, url, r.status);
  if (rc == 0)
    rc = save(buf_cstr(&r.body), r.body.len, path, err);
  *bytes = r.body.len;
  hreq_resp_release(&r);
  return rc;
}

static int run_wrk(const struct tp *t, const char *url, const char *method, const char *body,
                   double seconds, json_t **res, struct err *err)
{
  char dur[32], out[] = "/tmp/bench_wrk_XXXXXX", env_m[32], env_b[512], env_o[64];
  char *argv[] = { "wrk", "-t1", "-c" CONNECTIONS, "-d", dur, "--timeout", "5s", "-s",
                   (char *)t->o->lua, (char *)url, NULL };
  const char *env[] = { env_m, env_b, env_o, NULL };
  struct child_opts co = { CHILD_IO_NULL, t->client_cpu, env, false };
  struct child c = CHILD_INIT;
  int fd = mkstemp(out), rc = -1;

  if (fd < 0)
    return err_set(err, ERR_IO, "cannot create a temporary file");
  close(fd);
  snprintf(dur, sizeof(dur), "%.0fs", seconds);
  snprintf(env_m, sizeof(env_m), "WRK_METHOD=%s", method);
  snprintf(env_b, sizeof(env_b), "WRK_BODY=%s", body ? body : "");
  snprintf(env_o, sizeof(env_o), "WRK_JSON_OUT=%s", out);
  if (child_spawn(&c, argv, &co, err) == 0) {
    if (child_wait(&c, (int)(seconds * 1000) + 30000) < 0 || child_exit_code(&c) != 0)
      err_set(err, ERR_STATE, "wrk failed (exit %d); is it installed? ci/setup bench",
              child_exit_code(&c));
    else if (!(*res = json_load_file(out, 0, NULL)))
      err_set(err, ERR_PARSE, "wrk wrote no result (script %s)", t->o->lua);
    else
      rc = 0;
  }
  child_stop(&c, 1000);
  unlink(out);
  return rc;
}

static double num(const json_t *o, const char *k)
{
  return json_number_value(json_object_get(o, k));
}

static double errors_of(const json_t *w)
{
  const json_t *e = json_object_get(w, "errors");

  return num(e, "connect") + num(e, "read") + num(e, "write") + num(e, "status") +
         num(e, "timeout");
}

/* One slot: wrk against `srv` at `url`, its CPU time measured around it. */
static int slot(const struct tp *t, const struct srvproc *srv, const char *url,
                const char *method, const char *body, double seconds, struct tally *ta,
                struct err *err)
{
  double cpu0 = child_cpu_ms(srv->proc.pid), cpu;
  json_t *w = NULL;

  if (run_wrk(t, url, method, body, seconds, &w, err) < 0)
    return -1;
  cpu = child_cpu_ms(srv->proc.pid) - cpu0;
  ta->requests += num(w, "requests");
  ta->seconds += num(w, "duration_us") / 1e6;
  ta->cpu_ms += cpu;
  ta->errors += errors_of(w);
  json_object_set_new(w, "server_cpu_ms", json_real(cpu));
  json_array_append_new(ta->slots, w);
  return 0;
}

static json_t *tally_json(struct tally *ta)
{
  double rps = ta->seconds > 0 ? ta->requests / ta->seconds : 0;

  return json_pack("{s:f, s:f, s:f, s:f, s:f, s:o}", "req_per_s", rps, "requests", ta->requests,
                   "seconds", ta->seconds, "errors", ta->errors, "cpu_us_per_request",
                   ta->requests > 0 ? 1000 * ta->cpu_ms / ta->requests : 0, "slots", ta->slots);
}

static json_t *measure(const struct tp *t, const struct srvproc *bare, const char *path,
                       const char *method, const char *body, struct err *err)
{
  double s = (t->o->seconds > 0 ? t->o->seconds : DEFAULT_SECONDS) / 2;
  struct tally tm = { 0, 0, 0, 0, json_array() }, tb = { 0, 0, 0, 0, json_array() };
  char mock_url[SRVPROC_URL_MAX + 160], bare_url[SRVPROC_URL_MAX + 8];
  double ratio;

  snprintf(mock_url, sizeof(mock_url), "%s%s", t->mock.root, path);
  snprintf(bare_url, sizeof(bare_url), "%s/", bare->root);
  if (slot(t, bare, bare_url, method, body, s, &tb, err) < 0 ||
      slot(t, &t->mock, mock_url, method, body, s, &tm, err) < 0 ||
      slot(t, &t->mock, mock_url, method, body, s, &tm, err) < 0 ||
      slot(t, bare, bare_url, method, body, s, &tb, err) < 0) {
    json_decref(tm.slots);
    json_decref(tb.slots);
    return NULL;
  }
  ratio = tb.requests > 0 ? (tm.requests / tm.seconds) / (tb.requests / tb.seconds) : 0;
  return json_pack("{s:s, s:s, s:o, s:o, s:f}", "method", method, "path", path,
                   "mock", tally_json(&tm), "bare", tally_json(&tb), "ratio", ratio);
}

static int start_servers(struct tp *t, size_t *get_bytes, size_t *post_bytes, struct err *err)
{
  char get_url[SRVPROC_URL_MAX + 160], post_url[SRVPROC_URL_MAX + 32];
  const char *get_args[] = { "--body-file", t->get_file, NULL };
  const char *post_args[] = { "--body-file", t->post_file, NULL };

  if (srvproc_start(&t->mock, t->o->mock, NULL, t->server_cpu, 0, err) < 0 ||
      start_operation(t, err) < 0)
    return -1;
  snprintf(get_url, sizeof(get_url), "%s/operations/%s", t->mock.url, t->op_id);
  snprintf(post_url, sizeof(post_url), "%s/dummy/start", t->mock.url);
  if (capture(t, "GET", get_url, NULL, t->get_file, get_bytes, err) < 0 ||
      capture(t, "POST", post_url, dummy_body, t->post_file, post_bytes, err) < 0)
    return -1;
  return srvproc_start(&t->bare_get, t->o->bare, get_args, t->server_cpu, 0, err) < 0 ||
         srvproc_start(&t->bare_post, t->o->bare, post_args, t->server_cpu, 0, err) < 0 ? -1 : 0;
}

/* The operation's status once the load is over (a running one stays running). */
static json_t *final_status(struct tp *t)
{
  char url[SRVPROC_URL_MAX + 160];
  json_t *resp = NULL, *st;

  snprintf(url, sizeof(url), "%s/operations/%s", t->mock.url, t->op_id);
  hreq_json(t->h, "GET", url, NULL, NULL, &resp, NULL);
  st = json_incref(json_object_get(json_object_get(resp, "data"), "status"));
  json_decref(resp);
  return st ? st : json_null();
}

static void print_one(const char *label, const json_t *m)
{
  const json_t *mk = json_object_get(m, "mock"), *bk = json_object_get(m, "bare");

  printf("  %-34s mock %9.0f req/s  bare %9.0f req/s  ratio %5.1f %%  (errors %.0f/%.0f;"
         " CPU/req %.1f / %.1f us)\n", label, num(mk, "req_per_s"), num(bk, "req_per_s"),
         100 * num(m, "ratio"), num(mk, "errors"), num(bk, "errors"),
         num(mk, "cpu_us_per_request"), num(bk, "cpu_us_per_request"));
}

static void print(const json_t *frag)
{
  char label[64];

  printf("mock throughput, wrk -t1 -c%s, servers on CPU %lld, wrk on CPU %lld:\n", CONNECTIONS,
         json_integer_value(json_object_get(frag, "server_cpu")),
         json_integer_value(json_object_get(frag, "client_cpu")));
  snprintf(label, sizeof(label), "GET /operations/{id} (%s, %lld B)",
           json_string_value(json_object_get(frag, "operation_type")),
           json_integer_value(json_object_get(frag, "get_body_bytes")));
  print_one(label, json_object_get(frag, "get"));
  print_one("POST /dummy/start", json_object_get(frag, "post"));
}

static int run_tp(struct tp *t, struct err *err)
{
  size_t get_bytes = 0, post_bytes = 0;
  char path[160];
  json_t *get = NULL, *post = NULL, *frag;

  pick_cpus(t);
  if (start_servers(t, &get_bytes, &post_bytes, err) < 0)
    return -1;
  snprintf(path, sizeof(path), "/api/v1/operations/%s", t->op_id);
  if (!(get = measure(t, &t->bare_get, path, "GET", NULL, err)) ||
      !(post = measure(t, &t->bare_post, "/api/v1/dummy/start", "POST", dummy_body, err))) {
    json_decref(get);
    return -1;
  }
  frag = json_pack("{s:s, s:s, s:s, s:o, s:I, s:I, s:i, s:i, s:s, s:o, s:o}", "bench",
                   "throughput", "operation_type", t->op_type, "operation_id", t->op_id,
                   "operation_status_after", final_status(t), "get_body_bytes",
                   (json_int_t)get_bytes, "post_body_bytes", (json_int_t)post_bytes,
                   "server_cpu", t->server_cpu, "client_cpu", t->client_cpu,
                   "connections", CONNECTIONS, "get", get, "post", post);
  if (frag)
    print(frag);
  return bench_write(t->o->out, frag, err);
}

static int run(struct bench_opts *o, void *arg, struct err *err)
{
  struct tp *t = arg;

  t->o = o;
  if (!(t->h = hreq_new()))
    return err_set(err, ERR_NOMEM, "out of memory");
  return run_tp(t, err);
}

static void release(void *arg)
{
  struct tp *t = arg;

  srvproc_stop(&t->bare_post);
  srvproc_stop(&t->bare_get);
  srvproc_stop(&t->mock);
  if (t->get_file[0])
    unlink(t->get_file);
  if (t->post_file[0])
    unlink(t->post_file);
  hreq_free(&t->h);
}

int main(int argc, char **argv)
{
  struct tp t = { .mock = SRVPROC_INIT, .bare_get = SRVPROC_INIT, .bare_post = SRVPROC_INIT };

  return bench_main(argc, argv, "bench_throughput", usage, run, release, &t);
}
