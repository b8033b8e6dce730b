/*
 * bench_scale: 10,000 live operations (DESIGN.md §6: status cost
 * independent of their number; "thousands of concurrent operations cost
 * memory, not CPU").
 *
 * Two ktrdr-mock processes side by side, pinned to one CPU (this program to
 * the other): one holding 10 running operations, one holding 10,000 (dummy,
 * 1 h long, so all stay running). Both journals are filled to their bound
 * (10,000 entries: the first server gets GET /health requests), so the
 * memory difference is the operations': memory per operation =
 * (VmRSS(10,000) - VmRSS(10)) / 9,990, read once the operations are
 * created and again once each has been read (the mock keeps an operation's
 * JSON text until its state changes). Status latency: GET
 * /operations/{random live id} over a keep-alive connection, timed here,
 * in alternating batches (10 ops, 10,000 ops, ...) so that load changes on
 * the machine hit both alike. Every operation is read once before the timed
 * requests, on both servers: otherwise nearly every timed request on the
 * 10,000 side would be an operation's first read (its text rendered) and
 * nearly none on the 10 side, a difference of cache state, not of the
 * number of operations. Also: the idle CPU of the 10,000-operation
 * server over 2 s, and that all 10,000 are active (GET /operations).
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "main.h"
#include "child.h"
#include "hreq.h"
#include "srvproc.h"
#include "stats.h"
#include "timeutil.h"

#define MANY 10000
#define FEW 10
#define JOURNAL_FILL 10000
#define DEFAULT_REQUESTS 2000
#define BATCH 200

static const char usage[] =
    "usage: bench_scale [--runs N] [--out FILE] [--mock PATH]\n"
    "Memory per operation and status latency with 10 and 10,000 live operations;\n"
    "N status requests per server (default 2000).\n";

static const char op_body[] = "{\"duration\":3600,\"iterations\":100}";

struct side {
  struct srvproc srv;
  struct hreq *h;
  char (*ids)[128];
  size_t nids;
  double *lat_us;
  size_t nlat;
  long rss_kib, rss_created_kib;
  double create_s;             /* time taken to create the operations */
};

static int pick_cpus(int *server, int *self)
{
  cpu_set_t set, mine;
  int found = 0;

  *server = *self = -1;
  if (sched_getaffinity(0, sizeof(set), &set) < 0)
    return 0;
  for (int c = 0; c < CPU_SETSIZE && found < 2; c++)
    if (CPU_ISSET(c, &set))
      *(found++ == 0 ? server : self) = c;
  if (found < 2) {
    *server = *self = -1;
    return 0;
  }
  CPU_ZERO(&mine);
  CPU_SET(*self, &mine);
  return sched_setaffinity(0, sizeof(mine), &mine);
}

static int create_ops(struct side *s, size_t n, struct err *err)
{
  char url[SRVPROC_URL_MAX + 32];

  snprintf(url, sizeof(url), "%s/dummy/start", s->srv.url);
  for (size_t i = 0; i < n; i++) {
    json_t *resp;
    long st;
    const char *id;

    if (hreq_json(s->h, "POST", url, op_body, &st, &resp, err) < 0)
      return -1;
    id = json_string_value(json_object_get(json_object_get(resp, "data"), "operation_id"));
    if (st != 200 || !id) {
      json_decref(resp);
      return err_set(err, ERR_HTTP, "starting operation %zu answered %ld", i + 1, st);
    }
    snprintf(s->ids[s->nids++], sizeof(s->ids[0]), "%s", id);
    json_decref(resp);
  }
  return 0;
}

static int fill_journal(struct side *s, size_t n, struct err *err)
{
  struct hreq_resp r = HREQ_RESP_INIT;
  char url[SRVPROC_URL_MAX + 16];
  int rc = 0;

  snprintf(url, sizeof(url), "%s/health", s->srv.url);
  for (size_t i = 0; i < n && rc == 0; i++)
    rc = hreq_do(s->h, "GET", url, NULL, &r, err);
  hreq_resp_release(&r);
  return rc;
}

static long active_count(struct side *s)
{
  char url[SRVPROC_URL_MAX + 48];
  json_t *resp = NULL;
  long n;

  snprintf(url, sizeof(url), "%s/operations?active_only=true&limit=1", s->srv.url);
  hreq_json(s->h, "GET", url, NULL, NULL, &resp, NULL);
  n = (long)json_integer_value(json_object_get(resp, "active_count"));
  json_decref(resp);
  return n;
}

static int status_batch(struct side *s, uint64_t *rng, size_t n, struct err *err)
{
  struct hreq_resp r = HREQ_RESP_INIT;
  char url[SRVPROC_URL_MAX + 160];
  int rc = 0;

  for (size_t i = 0; i < n && rc == 0; i++) {
    size_t k = (size_t)(bench_uniform(rng) * (double)s->nids);

    snprintf(url, sizeof(url), "%s/operations/%s", s->srv.url, s->ids[k]);
    rc = hreq_do(s->h, "GET", url, NULL, &r, err);
    if (rc == 0 && r.status != 200)
      rc = err_set(err, ERR_HTTP, "GET %s answered %ld", url, r.status);
    s->lat_us[s->nlat++] = (double)r.elapsed_us;
  }
  hreq_resp_release(&r);
  return rc;
}

/* Reads each operation once (untimed). */
static int read_all(struct side *s, struct err *err)
{
  struct hreq_resp r = HREQ_RESP_INIT;
  char url[SRVPROC_URL_MAX + 160];
  int rc = 0;

  for (size_t i = 0; i < s->nids && rc == 0; i++) {
    snprintf(url, sizeof(url), "%s/operations/%s", s->srv.url, s->ids[i]);
    rc = hreq_do(s->h, "GET", url, NULL, &r, err);
  }
  hreq_resp_release(&r);
  return rc;
}

static int setup(struct side *s, const char *mock, int cpu, size_t ops, size_t cap,
                 size_t requests, struct err *err)
{
  static const char *const args[] = { "--time-scale", "1", NULL };
  int64_t t0;

  s->h = hreq_new();
  s->ids = calloc(cap, sizeof(*s->ids));
  s->lat_us = calloc(requests, sizeof(*s->lat_us));
  if (!s->h || !s->ids || !s->lat_us)
    return err_set(err, ERR_NOMEM, "out of memory");
  if (srvproc_start(&s->srv, mock, args, cpu, 0, err) < 0)
    return -1;
  t0 = timeutil_mono_us();
  if (create_ops(s, ops, err) < 0)
    return -1;
  s->create_s = (double)(timeutil_mono_us() - t0) / 1e6;
  if (ops < JOURNAL_FILL && fill_journal(s, JOURNAL_FILL - ops, err) < 0)
    return -1;
  s->rss_created_kib = child_status_kib(s->srv.proc.pid, "VmRSS");
  return read_all(s, err);
}

static void release_side(struct side *s)
{
  srvproc_stop(&s->srv);
  hreq_free(&s->h);
  free(s->ids);
  free(s->lat_us);
}

static json_t *side_json(const struct side *s, long active)
{
  struct stats st;

  stats_compute(s->lat_us, s->nlat, &st);
  return json_pack("{s:I, s:i, s:I, s:o}", "operations", (json_int_t)s->nids, "active",
                   (int)active, "rss_kib", (json_int_t)s->rss_kib, "status_latency_us",
                   stats_json(&st));
}

static double p(const json_t *side, const char *k)
{
  return json_number_value(json_object_get(json_object_get(side, "status_latency_us"), k));
}

static void print(const json_t *f)
{
  const json_t *few = json_object_get(f, "few"), *many = json_object_get(f, "many");

  printf("scale: 10 vs 10,000 live operations (mock on CPU %lld):\n",
         json_integer_value(json_object_get(f, "server_cpu")));
  printf("  memory per operation %.0f B created, %.0f B once read (VmRSS %lld KiB vs %lld KiB);"
         " %lld of 10,000 active; idle CPU %.3f ms/s; created at %.0f ops/s\n",
         json_number_value(json_object_get(f, "bytes_per_operation")),
         json_number_value(json_object_get(f, "bytes_per_operation_read")),
         json_integer_value(json_object_get(many, "rss_kib")),
         json_integer_value(json_object_get(few, "rss_kib")),
         json_integer_value(json_object_get(many, "active")),
         json_number_value(json_object_get(f, "idle_cpu_ms_per_s")),
         json_number_value(json_object_get(f, "create_ops_per_s")));
  bench_print_dist("status latency, 10 ops", json_object_get(few, "status_latency_us"), "us");
  bench_print_dist("status latency, 10,000 ops", json_object_get(many, "status_latency_us"), "us");
  printf("  ratio 10,000 / 10: p50 %.3f, p99 %.3f\n", p(many, "p50") / p(few, "p50"),
         p(many, "p99") / p(few, "p99"));
}

static double idle_cpu(const struct side *s)
{
  double c0 = child_cpu_ms(s->srv.proc.pid);
  struct timespec two = { 2, 0 };

  nanosleep(&two, NULL);  /* measuring idleness: nothing to wait for */
  return (child_cpu_ms(s->srv.proc.pid) - c0) / 2.0;
}

static int run_scale(const struct bench_opts *o, struct side *few, struct side *many,
                     struct err *err)
{
  size_t requests = o->runs > 0 ? (size_t)o->runs : DEFAULT_REQUESTS;
  int server_cpu, self_cpu;
  uint64_t rng = o->rng;
  json_t *frag;

  pick_cpus(&server_cpu, &self_cpu);
  if (setup(few, o->mock, server_cpu, FEW, FEW, requests, err) < 0)
    return -1;
  if (setup(many, o->mock, server_cpu, MANY, MANY, requests, err) < 0)
    return -1;
  for (size_t done = 0; done < requests; done += BATCH) {
    size_t n = requests - done < BATCH ? requests - done : BATCH;

    if (status_batch(few, &rng, n, err) < 0 || status_batch(many, &rng, n, err) < 0)
      return -1;
  }
  few->rss_kib = child_status_kib(few->srv.proc.pid, "VmRSS");
  many->rss_kib = child_status_kib(many->srv.proc.pid, "VmRSS");
  frag = json_pack("{s:s, s:i, s:f, s:f, s:f, s:f, s:o, s:o}", "bench", "scale", "server_cpu",
                   server_cpu, "bytes_per_operation",
                   (double)(many->rss_created_kib - few->rss_created_kib) * 1024.0 / (MANY - FEW),
                   "bytes_per_operation_read",
                   (double)(many->rss_kib - few->rss_kib) * 1024.0 / (MANY - FEW),
                   "idle_cpu_ms_per_s", idle_cpu(many), "create_ops_per_s",
                   MANY / many->create_s, "few", side_json(few, active_count(few)),
                   "many", side_json(many, active_count(many)));
  if (frag) {
    json_object_set_new(frag, "p50_ratio", json_real(p(json_object_get(frag, "many"), "p50") /
                                                     p(json_object_get(frag, "few"), "p50")));
    json_object_set_new(frag, "p99_ratio", json_real(p(json_object_get(frag, "many"), "p99") /
                                                     p(json_object_get(frag, "few"), "p99")));
    print(frag);
  }
  return bench_write(o->out, frag, err);
}

struct sides {
  struct side few, many;
};

static int run(struct bench_opts *o, void *arg, struct err *err)
{
  struct sides *s = arg;

  return run_scale(o, &s->few, &s->many, err);
}

static void release(void *arg)
{
  struct sides *s = arg;

  release_side(&s->few);
  release_side(&s->many);
}

int main(int argc, char **argv)
{
  struct sides s = { .few = { .srv = SRVPROC_INIT }, .many = { .srv = SRVPROC_INIT } };

  return bench_main(argc, argv, "bench_scale", usage, run, release, &s);
}
