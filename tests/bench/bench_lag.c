/*
 * bench_lag: server state change → the new state on the screen
 * (DESIGN.md §6: ≤ poll interval + 20 ms, i.e. ≤ 320 ms).
 *
 * `ktrdr dummy start` runs on an 80x24 pty; a change is visible when the text
 * "Working hard on iteration i!" first arrives on the pty (the TTY display
 * redraws two lines; the status line carries it). Two ways to know when the
 * server changed state, the first one preferred:
 *
 *   manual_clock  ktrdr-mock --clock manual: the operation (1 simulated
 *                 second per iteration) moves only when the benchmark posts
 *                 /__admin/clock/advance {"seconds":1}, at a random phase of
 *                 the poll period; the change time is read just before that
 *                 request is sent (so the lag is over-estimated by its
 *                 transfer, ~0.1 ms).
 *   time_scale    when the server has no manual clock: iteration i appears
 *                 at start + i × duration / iterations / time_scale, with
 *                 the start taken as the start request's arrival (journal);
 *                 the period, 431 ms, is not a multiple of the poll interval
 *                 so the changes fall at every phase of it.
 *
 * Each lag is split at the first poll that arrived after the change (from the
 * journal): waiting for that poll (0..300 ms by design) and the rest, poll
 * round trip plus drawing, which the 20 ms of the target are for. A poll
 * that arrived while the advance request was being handled may have seen
 * either state: such a sample ("raced") counts in the lag, not in the split.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "bench.h"
#include "main.h"
#include "child.h"
#include "drive.h"
#include "srvproc.h"
#include "stats.h"
#include "timeutil.h"

#define DEFAULT_CHANGES 40
#define POLL_US 300000
#define PERIOD_US 431000     /* time_scale method: real time per iteration */

static const char usage[] =
    "usage: bench_lag [--runs N] [--out FILE] [--ktrdr PATH] [--mock PATH] [--seed N]\n"
    "State change -> new line on the pty, N changes (default 40); manual clock when\n"
    "the mock has one, else known change times at a time scale.\n";

struct lag {
  struct bench_opts *o;
  struct srvproc srv;
  struct hreq *h;
  bool manual;
  long n;
  int64_t *change_us, *seen_us;   /* [1..n]; seen 0 = never shown */
  int64_t *applied_us;            /* [1..n]: by then the change was surely made */
};

static int start_server(struct lag *l, struct err *err)
{
  static const char *const manual[] = { "--clock", "manual", NULL };
  char scale[32];
  const char *scaled[] = { "--time-scale", scale, NULL };

  if (srvproc_start(&l->srv, l->o->mock, manual, -1, SRVPROC_QUIET, err) == 0) {
    if (admin_clock_advance(l->h, l->srv.root, 0, err) == 0) {
      l->manual = true;
      return 0;
    }
    srvproc_stop(&l->srv);
  }
  printf("bench_lag: this ktrdr-mock has no manual clock (--clock manual); using the time-scale"
         " method\n");
  err_clear(err);
  snprintf(scale, sizeof(scale), "%.9f", 1e6 / PERIOD_US);
  return srvproc_start(&l->srv, l->o->mock, scaled, -1, 0, err);
}

static void needle(long i, char *buf, size_t size)
{
  snprintf(buf, size, "Working hard on iteration %ld!", i);
}

/* Advances the manual clock at a random phase and waits for each iteration. */
static int run_manual(struct lag *l, struct drive *d, struct err *err)
{
  size_t from = 0, pos;
  char text[64];

  for (long i = 1; i <= l->n; i++) {
    term_pump(&d->term, timeutil_mono_us() + (int64_t)(bench_uniform(&l->o->rng) * POLL_US));
    l->change_us[i] = timeutil_mono_us();
    if (admin_clock_advance(l->h, l->srv.root, 1.0, err) < 0)
      return -1;
    l->applied_us[i] = timeutil_mono_us();
    needle(i, text, sizeof(text));
    if (!term_wait_for(&d->term, text, from, timeutil_mono_us() + 2000000, &pos,
                       &l->seen_us[i]))
      return err_set(err, ERR_STATE, "'%s' never appeared on the pty", text);
    from = pos;
  }
  kill(d->proc.pid, SIGINT);
  return drive_finish(d, 10000, err);
}

/* Reads the screen through the whole operation, noting each iteration's arrival. */
static int run_scaled(struct lag *l, struct drive *d, struct err *err)
{
  size_t from = 0, pos;
  char text[64];

  for (long i = 1; i <= l->n; i++) {
    l->change_us[i] = l->applied_us[i] = d->post_t_us + i * (int64_t)PERIOD_US;
    needle(i, text, sizeof(text));
    if (term_wait_for(&d->term, text, from, l->change_us[i] + 2 * POLL_US, &pos,
                      &l->seen_us[i]))
      from = pos;
  }
  return drive_finish(d, 10000, err);
}

static int drive_run(struct lag *l, struct drive *d, struct err *err)
{
  char n[32];
  /* 1 simulated second per iteration, and a day of them (the client's --duration limit). */
  const char *manual_args[] = { "dummy", "start", "--duration", "86400", "--iterations",
                                "86400", NULL };
  const char *scaled_args[] = { "dummy", "start", "--duration", n, "--iterations", n, NULL };

  /* One more iteration than measured: the last one is reported as "completed". */
  snprintf(n, sizeof(n), "%ld", l->n + 1);
  if (drive_start(d, l->o->ktrdr, l->srv.url, l->manual ? manual_args : scaled_args, err) < 0 ||
      drive_wait_started(d, l->h, l->srv.root, 0, 5000, err) < 0 ||
      drive_wait_polled(d, l->h, l->srv.root, 5000, err) < 0)
    return -1;
  return l->manual ? run_manual(l, d, err) : run_scaled(l, d, err);
}

/* The first poll of the operation that arrived at or after t. */
static int64_t next_poll(const json_t *polls, int64_t t)
{
  for (size_t k = 0; k < json_array_size(polls); k++)
    if (admin_entry_t_us(json_array_get(polls, k)) >= t)
      return admin_entry_t_us(json_array_get(polls, k));
  return 0;
}

static json_t *summary(const struct lag *l, const json_t *polls)
{
  double *lag = calloc((size_t)l->n, sizeof(double)), *wait = calloc((size_t)l->n, sizeof(double));
  double *draw = calloc((size_t)l->n, sizeof(double));
  struct stats sl, sw, sd;
  size_t k = 0, m = 0, raced = 0;

  for (long i = 1; lag && wait && draw && i <= l->n; i++) {
    int64_t p = next_poll(polls, l->change_us[i]);

    if (!l->seen_us[i] || !p)
      continue;
    lag[k++] = (double)(l->seen_us[i] - l->change_us[i]) / 1000.0;
    if (p < l->applied_us[i]) {  /* the poll raced the advance: which state it saw is unknown */
      raced++;
      continue;
    }
    wait[m] = (double)(p - l->change_us[i]) / 1000.0;
    draw[m++] = (double)(l->seen_us[i] - p) / 1000.0;
  }
  stats_compute(lag, k, &sl);
  stats_compute(wait, m, &sw);
  stats_compute(draw, m, &sd);
  free(lag);
  free(wait);
  free(draw);
  return json_pack("{s:s, s:s, s:i, s:I, s:I, s:f, s:o, s:o, s:o}", "bench", "lag", "method",
                   l->manual ? "manual_clock" : "time_scale", "changes", (int)l->n,
                   "shown", (json_int_t)k, "raced", (json_int_t)raced,
                   "poll_interval_ms", POLL_US / 1000.0,
                   "lag_ms", stats_json(&sl), "wait_for_poll_ms", stats_json(&sw),
                   "poll_to_screen_ms", stats_json(&sd));
}

static void print(const json_t *frag)
{
  printf("progress lag (state change -> new line on the pty), method %s, %lld/%lld shown"
         " (%lld raced a poll):\n", json_string_value(json_object_get(frag, "method")),
         json_integer_value(json_object_get(frag, "shown")),
         json_integer_value(json_object_get(frag, "changes")),
         json_integer_value(json_object_get(frag, "raced")));
  bench_print_dist("lag", json_object_get(frag, "lag_ms"), "ms");
  bench_print_dist("of which: wait for the poll", json_object_get(frag, "wait_for_poll_ms"), "ms");
  bench_print_dist("          poll to screen", json_object_get(frag, "poll_to_screen_ms"), "ms");
}

static int run_lag(struct lag *l, struct err *err)
{
  struct drive d = DRIVE_INIT;
  struct admin_filter f = { .method = "GET" };
  json_t *polls = NULL, *frag;
  int rc = -1;

  if (drive_run(l, &d, err) < 0)
    goto out;
  f.operation_id = d.op_id;
  if (admin_requests(l->h, l->srv.root, &f, &polls, err) < 0)
    goto out;
  frag = summary(l, polls);
  if (frag)
    print(frag);
  rc = bench_write(l->o->out, frag, err);
out:
  json_decref(polls);
  drive_release(&d);
  return rc;
}

static int run(struct bench_opts *o, void *arg, struct err *err)
{
  struct lag *l = arg;

  l->o = o;
  l->n = o->runs > 0 ? o->runs : DEFAULT_CHANGES;
  l->change_us = calloc((size_t)l->n + 1, sizeof(int64_t));
  l->seen_us = calloc((size_t)l->n + 1, sizeof(int64_t));
  l->applied_us = calloc((size_t)l->n + 1, sizeof(int64_t));
  l->h = hreq_new();
  if (!l->h || !l->change_us || !l->seen_us || !l->applied_us)
    return err_set(err, ERR_NOMEM, "out of memory");
  return start_server(l, err) < 0 ? -1 : run_lag(l, err);
}

static void release(void *arg)
{
  struct lag *l = arg;

  srvproc_stop(&l->srv);
  hreq_free(&l->h);
  free(l->change_us);
  free(l->seen_us);
  free(l->applied_us);
}

int main(int argc, char **argv)
{
  struct lag l = { .srv = SRVPROC_INIT };

  return bench_main(argc, argv, "bench_lag", usage, run, release, &l);
}
