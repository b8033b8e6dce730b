/*
 * bench_cadence: the poll cadence and the client's cost over one operation
 * (DESIGN.md §6: mean interval 300 ms ± 3 ms and no drift over 60 s; peak
 * RSS ≤ 8 MB and CPU ≤ 100 ms for a 60 s operation).
 *
 * One `ktrdr dummy start --duration 60` on a pty (the progress bar redrawn as
 * a person would see it) against a fresh ktrdr-mock. Cadence: the arrival
 * times (journal t_us) of its GET /operations/{id}. Drift: each poll's offset
 * from the grid first + k × 300 ms; drift is the median offset of the last
 * ten polls minus that of the first ten, and the number of polls is
 * compared with the number of grid slots the run spanned. Cost: user+system
 * CPU from wait4(); peak RSS as VmHWM of /proc/PID/status, sampled every
 * 100 ms, with the largest RssAnon (private memory) and RssFile (mapped
 * libraries) seen (wait4's ru_maxrss is reported too, but on Linux it also
 * counts the pages of the forked benchmark before exec: an upper bound).
 * Beside it, at the same time (so the machine's load weighs on both alike),
 * the same operation with bare_client (the least a libcurl program does for
 * it, see bare_client.c) on its own pty, measured alike: the floor under the
 * client's RSS and CPU.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "admin.h"
#include "bench.h"
#include "main.h"
#include "child.h"
#include "drive.h"
#include "srvproc.h"
#include "stats.h"
#include "timeutil.h"

#define DEFAULT_SECONDS 60.0
#define POLL_MS 300.0
#define EDGE 10       /* polls at each end for the drift */
#define SAMPLE_US 100000

static const char usage[] =
    "usage: bench_cadence [--seconds S] [--out FILE] [--ktrdr PATH] [--mock PATH]\n"
    "Poll cadence, drift, peak RSS and CPU of one `ktrdr dummy start --duration S`\n"
    "(default 60) on a pty.\n";

struct cost {
  long hwm_kib;           /* max VmHWM seen */
  long anon_kib, file_kib; /* max RssAnon, RssFile seen: private vs mapped files */
  double wall_s;
};

static double tv_ms(struct timeval tv)
{
  return (double)tv.tv_sec * 1000.0 + (double)tv.tv_usec / 1000.0;
}

/* One client followed to its end: its pty, its journal, its cost. */
struct client {
  struct drive d;
  struct cost cost;
};

/* Samples the peak RSS of a client still running; 1 once it has exited. */
static int sample(struct client *c)
{
  long hwm, anon, file;

  if (child_reap(&c->d.proc) != 0)
    return 1;
  hwm = child_status_kib(c->d.proc.pid, "VmHWM");
  anon = child_status_kib(c->d.proc.pid, "RssAnon");
  file = child_status_kib(c->d.proc.pid, "RssFile");
  c->cost.hwm_kib = hwm > c->cost.hwm_kib ? hwm : c->cost.hwm_kib;
  c->cost.anon_kib = anon > c->cost.anon_kib ? anon : c->cost.anon_kib;
  c->cost.file_kib = file > c->cost.file_kib ? file : c->cost.file_kib;
  return 0;
}

/* Reads both ptys until both clients exit, sampling their peak RSS. */
static int follow(struct client *c, size_t n, double seconds, struct err *err)
{
  int64_t deadline = timeutil_mono_us() + (int64_t)((seconds + 30) * 1e6);
  size_t done = 0;

  while (done < n) {
    done = 0;
    for (size_t i = 0; i < n; i++)
      done += (size_t)sample(&c[i]);
    if (timeutil_mono_us() >= deadline)
      return err_set(err, ERR_STATE, "a client did not finish within %.0f s", seconds + 30);
    for (size_t i = 0; i < n; i++)
      term_pump(&c[i].d.term, timeutil_mono_us() + SAMPLE_US / (int64_t)n);
  }
  for (size_t i = 0; i < n; i++)
    c[i].cost.wall_s = (double)(c[i].d.proc.exit_us - c[i].d.proc.spawn_us) / 1e6;
  return 0;
}

/* t[k] - t[0] - k × P for each poll, in ms. */
static double *grid_offsets(const double *t, size_t n)
{
  double *e = calloc(n, sizeof(*e));

  for (size_t k = 0; e && k < n; k++)
    e[k] = t[k] - t[0] - (double)k * POLL_MS;
  return e;
}

/* Least-squares slope of t[k] against k: the effective period. */
static double fitted_period(const double *t, size_t n)
{
  double sk = 0, st = 0, skk = 0, skt = 0;

  for (size_t k = 0; k < n; k++) {
    sk += (double)k;
    st += t[k];
    skk += (double)k * (double)k;
    skt += (double)k * t[k];
  }
  return ((double)n * skt - sk * st) / ((double)n * skk - sk * sk);
}

static json_t *cadence_json(const double *t, size_t n)
{
  double *iv = calloc(n, sizeof(*iv)), *e = grid_offsets(t, n), jitter = 0, drift;
  size_t edge = n >= 2 * EDGE ? EDGE : n / 2;
  struct stats s;
  long expected;
  json_t *j;

  for (size_t k = 1; k < n; k++)
    iv[k - 1] = t[k] - t[k - 1];
  stats_compute(iv, n - 1, &s);
  drift = stats_median(e + n - edge, edge) - stats_median(e, edge);
  for (size_t k = 0; k < n; k++)
    jitter = fmax(jitter, fabs(e[k] - stats_median(e, n)));
  expected = lround((t[n - 1] - t[0]) / POLL_MS) + 1;
  j = json_pack("{s:o, s:I, s:I, s:f, s:f, s:f}", "interval_ms", stats_json(&s),
                "polls", (json_int_t)n, "expected_polls", (json_int_t)expected,
                "drift_ms", drift, "fitted_period_ms", fitted_period(t, n),
                "max_offset_from_grid_ms", jitter);
  free(iv);
  free(e);
  return j;
}

static int poll_times(struct drive *d, struct hreq *h, const char *root, double **t,
                      size_t *n, struct err *err)
{
  struct admin_filter f = { .method = "GET", .operation_id = d->op_id };
  json_t *list;

  if (admin_requests(h, root, &f, &list, err) < 0)
    return -1;
  *n = json_array_size(list);
  *t = calloc(*n ? *n : 1, sizeof(**t));
  for (size_t k = 0; *t && k < *n; k++)
    (*t)[k] = (double)admin_entry_t_us(json_array_get(list, k)) / 1000.0;
  json_decref(list);
  if (*n < 3)
    return err_set(err, ERR_STATE, "only %zu polls in the journal", *n);
  return 0;
}

static json_t *cost_json(const struct drive *d, const struct cost *c)
{
  const struct rusage *ru = &d->proc.ru;
  double user = tv_ms(ru->ru_utime), sys = tv_ms(ru->ru_stime);

  return json_pack("{s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:f, s:I}", "peak_rss_kib",
                   (json_int_t)c->hwm_kib, "peak_rss_anon_kib", (json_int_t)c->anon_kib,
                   "peak_rss_file_kib", (json_int_t)c->file_kib,
                   "ru_maxrss_kib", (json_int_t)ru->ru_maxrss, "cpu_user_ms", user,
                   "cpu_sys_ms", sys, "cpu_ms", user + sys, "wall_s", c->wall_s,
                   "pty_bytes", (json_int_t)d->term.text.len);
}

static void print_cost(const char *what, const json_t *cost, long long exit_code);

static void print(const json_t *frag)
{
  const json_t *cad = json_object_get(frag, "cadence"), *cost = json_object_get(frag, "client");

  printf("poll cadence over one %.0f s operation:\n",
         json_number_value(json_object_get(frag, "duration_s")));
  bench_print_dist("interval", json_object_get(cad, "interval_ms"), "ms");
  printf("  mean %.3f ms, sd %.3f ms; polls %lld (grid slots %lld); drift %.3f ms;"
         " fitted period %.4f ms\n",
         json_number_value(json_object_get(json_object_get(cad, "interval_ms"), "mean")),
         json_number_value(json_object_get(json_object_get(cad, "interval_ms"), "sd")),
         json_integer_value(json_object_get(cad, "polls")),
         json_integer_value(json_object_get(cad, "expected_polls")),
         json_number_value(json_object_get(cad, "drift_ms")),
         json_number_value(json_object_get(cad, "fitted_period_ms")));
  print_cost("client cost", cost, json_integer_value(json_object_get(frag, "exit_code")));
  print_cost("the floor, bare_client", json_object_get(frag, "bare"),
             json_integer_value(json_object_get(frag, "bare_exit_code")));
}

static void print_cost(const char *what, const json_t *cost, long long exit_code)
{
  printf("%s: peak RSS %lld KiB (anon %lld + files %lld; ru_maxrss %lld KiB),"
         " CPU %.1f ms (user %.1f + sys %.1f) over %.1f s, exit %lld\n", what,
         json_integer_value(json_object_get(cost, "peak_rss_kib")),
         json_integer_value(json_object_get(cost, "peak_rss_anon_kib")),
         json_integer_value(json_object_get(cost, "peak_rss_file_kib")),
         json_integer_value(json_object_get(cost, "ru_maxrss_kib")),
         json_number_value(json_object_get(cost, "cpu_ms")),
         json_number_value(json_object_get(cost, "cpu_user_ms")),
         json_number_value(json_object_get(cost, "cpu_sys_ms")),
         json_number_value(json_object_get(cost, "wall_s")), exit_code);
}

/* Starts `prog` (ktrdr or bare_client) on a pty and waits for its start request. */
static int start(const char *prog, const struct srvproc *srv, struct hreq *h,
                 const char *const *args, struct drive *d, struct err *err)
{
  uint64_t since;

  /* The run's start request is the first POST after the journal's end. */
  return admin_last_seq(h, srv->root, &since, err) < 0 ||
         drive_start(d, prog, srv->url, args, err) < 0 ||
         drive_wait_started(d, h, srv->root, since, 5000, err) < 0 ? -1 : 0;
}

static int run(struct bench_opts *o, const struct srvproc *srv, struct hreq *h,
               struct err *err)
{
  double seconds = o->seconds > 0 ? o->seconds : DEFAULT_SECONDS, *t = NULL;
  char dur[32];
  const char *args[] = { "dummy", "start", "--duration", dur, "--iterations", "100", NULL };
  struct client c[2] = { { .d = DRIVE_INIT }, { .d = DRIVE_INIT } };  /* ktrdr, bare */
  size_t n = 0;
  json_t *frag;
  int rc = -1;

  /* Side by side, so that the machine's load weighs on both alike. */
  snprintf(dur, sizeof(dur), "%g", seconds);
  if (start(o->ktrdr, srv, h, args, &c[0].d, err) < 0 ||
      start(o->bare_client, srv, h, args, &c[1].d, err) < 0 ||
      follow(c, 2, seconds, err) < 0 || poll_times(&c[0].d, h, srv->root, &t, &n, err) < 0)
    goto out;
  frag = json_pack("{s:s, s:f, s:f, s:o, s:o, s:i, s:o, s:i}", "bench", "cadence",
                   "duration_s", seconds, "poll_interval_ms", POLL_MS,
                   "cadence", cadence_json(t, n), "client", cost_json(&c[0].d, &c[0].cost),
                   "exit_code", child_exit_code(&c[0].d.proc),
                   "bare", cost_json(&c[1].d, &c[1].cost),
                   "bare_exit_code", child_exit_code(&c[1].d.proc));
  if (frag)
    print(frag);
  rc = bench_write(o->out, frag, err);
out:
  free(t);
  drive_release(&c[0].d);
  drive_release(&c[1].d);
  return rc;
}

int main(int argc, char **argv)
{
  return bench_main_with_mock(argc, argv, "bench_cadence", usage, run);
}
