/*
 * bench_cancel: Ctrl+C → cancel request received by the server
 * (DESIGN.md §6: p50 ≤ 2 ms, p99 ≤ 10 ms on loopback).
 *
 * Each run starts `ktrdr dummy start` on a pty against one ktrdr-mock. Once
 * the first poll is in the server's journal (at t_g), the benchmark sends
 * SIGINT at t_g + 300 ms + U(0, 300 ms): a random phase of the second poll
 * period, so signals land anywhere between polls (and now and then during
 * one). The latency is the DELETE's arrival time in the journal (t_us,
 * CLOCK_MONOTONIC) minus the CLOCK_MONOTONIC time read just before kill().
 * The same runs give the client's start-up on a pty: fork() to the start
 * request's arrival.
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

#define DEFAULT_RUNS 100
#define POLL_US 300000

static const char usage[] =
    "usage: bench_cancel [--runs N] [--out FILE] [--ktrdr PATH] [--mock PATH] [--seed N]\n"
    "Ctrl+C -> DELETE latency over N runs (default 100) of `ktrdr dummy start` on a pty.\n";

struct run {
  double latency_ms, phase_ms;
  double startup_ms;    /* fork → the start request's arrival */
  int exit_code;
  bool confirmed;       /* the client printed the server's confirmation */
};

struct ctx {
  struct bench_opts *o;
  const struct srvproc *srv;
  struct hreq *h;
  uint64_t since;       /* journal seq before the current run */
};

static int delete_time(struct ctx *c, const char *id, int64_t *t_us, uint64_t *seq,
                       struct err *err)
{
  struct admin_filter f = { .method = "DELETE", .operation_id = id };
  json_t *list;

  if (admin_requests(c->h, c->srv->root, &f, &list, err) < 0)
    return -1;
  if (json_array_size(list) == 0) {
    json_decref(list);
    return err_set(err, ERR_STATE, "no DELETE for operation '%s' in the journal", id);
  }
  *t_us = admin_entry_t_us(json_array_get(list, 0));
  *seq = admin_entry_seq(json_array_get(list, 0));
  json_decref(list);
  return 0;
}

/* Interrupts the client at a random phase of the second poll period. */
static int64_t interrupt_client(struct ctx *c, struct drive *d)
{
  int64_t target = d->first_get_t_us + POLL_US + (int64_t)(bench_uniform(&c->o->rng) * POLL_US);
  int64_t t_sig;

  term_pump(&d->term, target);
  t_sig = timeutil_mono_us();
  kill(d->proc.pid, SIGINT);
  return t_sig;
}

static int one_run(struct ctx *c, struct run *r, struct err *err)
{
  static const char *const args[] = { "dummy", "start", NULL };
  struct drive d = DRIVE_INIT;
  int64_t t_sig, t_del = 0;
  int rc = -1;

  if (drive_start(&d, c->o->ktrdr, c->srv->url, args, err) < 0 ||
      drive_wait_started(&d, c->h, c->srv->root, c->since, 5000, err) < 0 ||
      drive_wait_polled(&d, c->h, c->srv->root, 5000, err) < 0)
    goto out;
  t_sig = interrupt_client(c, &d);
  if (drive_finish(&d, 10000, err) < 0 || delete_time(c, d.op_id, &t_del, &c->since, err) < 0)
    goto out;
  r->latency_ms = (double)(t_del - t_sig) / 1000.0;
  r->phase_ms = (double)((t_sig - d.first_get_t_us) % POLL_US) / 1000.0;
  r->startup_ms = (double)(d.post_t_us - d.proc.spawn_us) / 1000.0;
  r->exit_code = child_exit_code(&d.proc);
  r->confirmed = term_find(&d.term, "cancelled", 0, NULL, NULL);
  rc = 0;
out:
  drive_release(&d);
  return rc;
}

static json_t *summary(const struct run *runs, size_t n, long wanted, uint64_t seed)
{
  double *lat = calloc(n ? n : 1, sizeof(*lat)), *ph = calloc(n ? n : 1, sizeof(*ph));
  double *st = calloc(n ? n : 1, sizeof(*st));
  json_t *samples = json_array(), *codes = json_object();
  struct stats sl, sp, ss;
  size_t confirmed = 0;

  for (size_t i = 0; i < n; i++) {
    char key[16];

    lat[i] = runs[i].latency_ms;
    ph[i] = runs[i].phase_ms;
    st[i] = runs[i].startup_ms;
    confirmed += runs[i].confirmed;
    json_array_append_new(samples, json_real(runs[i].latency_ms));
    snprintf(key, sizeof(key), "%d", runs[i].exit_code);
    json_object_set_new(codes, key,
                        json_integer(json_integer_value(json_object_get(codes, key)) + 1));
  }
  stats_compute(lat, n, &sl);
  stats_compute(ph, n, &sp);
  stats_compute(st, n, &ss);
  free(lat);
  free(ph);
  free(st);
  return json_pack("{s:s, s:i, s:i, s:I, s:o, s:o, s:o, s:o, s:I, s:o}", "bench", "cancel",
                   "runs", (int)wanted, "ok", (int)n, "confirmed", (json_int_t)confirmed,
                   "latency_ms", stats_json(&sl), "phase_ms", stats_json(&sp),
                   "startup_ms", stats_json(&ss),
                   "exit_codes", codes, "seed", (json_int_t)seed, "samples_ms", samples);
}

static int run_all(struct ctx *c, long n, struct err *err)
{
  struct run *runs = calloc((size_t)n, sizeof(*runs));
  size_t ok = 0;
  json_t *frag;

  if (!runs)
    return err_set(err, ERR_NOMEM, "out of memory");
  for (long i = 0; i < n; i++) {
    struct err e = ERR_INIT;

    if (one_run(c, &runs[ok], &e) == 0)
      ok++;
    else
      fprintf(stderr, "bench_cancel: run %ld: %s\n", i + 1, e.msg);
  }
  frag = summary(runs, ok, n, c->o->seed);
  free(runs);
  printf("cancel latency (Ctrl+C -> DELETE at the server), %zu/%ld runs:\n", ok, n);
  bench_print_dist("latency", json_object_get(frag, "latency_ms"), "ms");
  bench_print_dist("signal phase in poll period", json_object_get(frag, "phase_ms"), "ms");
  bench_print_dist("start-up to first request", json_object_get(frag, "startup_ms"), "ms");
  if (bench_write(c->o->out, frag, err) < 0)
    return -1;
  return ok == (size_t)n ? 0 : err_set(err, ERR_STATE, "%ld of %ld runs failed", n - (long)ok, n);
}

static int run(struct bench_opts *o, const struct srvproc *srv, struct hreq *h,
               struct err *err)
{
  struct ctx c = { .o = o, .srv = srv, .h = h };

  return run_all(&c, o->runs > 0 ? o->runs : DEFAULT_RUNS, err);
}

int main(int argc, char **argv)
{
  return bench_main_with_mock(argc, argv, "bench_cancel", usage, run);
}
