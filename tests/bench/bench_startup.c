/*
 * bench_startup: the client's start-up cost without a terminal
 * (DESIGN.md §6: start-up to first request ≤ 10 ms).
 *
 * N runs (default 30) of `ktrdr --detach dummy start` (stdout and stderr on
 * /dev/null) against one ktrdr-mock: start-up is fork() to the start
 * request's arrival in the journal; the whole run, fork() to exit; plus
 * each run's CPU and ru_maxrss. Alternating with them, N runs of
 * bare_client --detach (the least a libcurl program does for the same
 * request), measured alike: the floor under ktrdr's figures. Then, when hyperfine is installed, its
 * figures for the same command (no shell, 3 warm-up runs), as a check on
 * the whole-run time. bench_cancel measures the same start-up on a pty.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "admin.h"
#include "bench.h"
#include "main.h"
#include "child.h"
#include "srvproc.h"
#include "stats.h"

#define DEFAULT_RUNS 30

static const char usage[] =
    "usage: bench_startup [--runs N] [--out FILE] [--ktrdr PATH] [--mock PATH]\n"
    "Start-up to first request of `ktrdr --detach dummy start`, N runs (default 30),\n"
    "then hyperfine on the same command when it is installed.\n";

struct sample {
  double startup_ms, wall_ms, cpu_ms, maxrss_kib;
};

static double tv_ms(struct timeval tv)
{
  return (double)tv.tv_sec * 1000.0 + (double)tv.tv_usec / 1000.0;
}

static int one_run(const char *prog, const struct srvproc *srv, struct hreq *h,
                   uint64_t *since, struct sample *s, struct err *err)
{
  char *argv[] = { (char *)prog, "--url", (char *)srv->url, "--detach", "dummy", "start",
                   NULL };
  struct child_opts co = CHILD_OPTS_INIT;
  struct admin_filter f = { .method = "POST", .since = *since };
  struct child c = CHILD_INIT;
  json_t *list = NULL, *e;
  int rc = -1;

  if (child_spawn(&c, argv, &co, err) < 0)
    return -1;
  if (child_wait(&c, 10000) < 0 || child_exit_code(&c) != 0) {
    err_set(err, ERR_STATE, "%s failed (exit %d)", prog, child_exit_code(&c));
    goto out;
  }
  if (admin_wait(h, srv->root, &f, 1, 2000, &list, err) < 0)
    goto out;
  e = json_array_get(list, 0);
  *since = admin_entry_seq(e);
  s->startup_ms = (double)(admin_entry_t_us(e) - c.spawn_us) / 1000.0;
  s->wall_ms = (double)(c.exit_us - c.spawn_us) / 1000.0;
  s->cpu_ms = tv_ms(c.ru.ru_utime) + tv_ms(c.ru.ru_stime);
  s->maxrss_kib = (double)c.ru.ru_maxrss;
  rc = 0;
out:
  json_decref(list);
  child_stop(&c, 1000);
  return rc;
}

/* {"mean_ms":..,"stddev_ms":..,"median_ms":..,"min_ms":..,"max_ms":..,"runs":..} or null. */
static json_t *hyperfine(const struct bench_opts *o, const struct srvproc *srv)
{
  char path[] = "/tmp/bench_startup_XXXXXX", cmd[1024];
  char *argv[] = { "hyperfine", "-N", "--warmup", "3", "--runs", "30", "--style", "none",
                   "--export-json", path, cmd, NULL };
  struct child_opts co = CHILD_OPTS_INIT;
  struct child c = CHILD_INIT;
  json_t *doc, *r, *out = NULL;
  int fd = mkstemp(path);

  if (fd < 0)
    return json_null();
  close(fd);
  snprintf(cmd, sizeof(cmd), "%s --url %s --detach dummy start", o->ktrdr, srv->url);
  if (child_spawn(&c, argv, &co, NULL) == 0 && child_wait(&c, 60000) == 0 &&
      child_exit_code(&c) == 0 && (doc = json_load_file(path, 0, NULL))) {
    r = json_array_get(json_object_get(doc, "results"), 0);
    out = json_pack("{s:f, s:f, s:f, s:f, s:f, s:I}",
                    "mean_ms", 1000 * json_number_value(json_object_get(r, "mean")),
                    "stddev_ms", 1000 * json_number_value(json_object_get(r, "stddev")),
                    "median_ms", 1000 * json_number_value(json_object_get(r, "median")),
                    "min_ms", 1000 * json_number_value(json_object_get(r, "min")),
                    "max_ms", 1000 * json_number_value(json_object_get(r, "max")),
                    "runs", (json_int_t)json_array_size(json_object_get(r, "times")));
    json_decref(doc);
  }
  child_stop(&c, 1000);
  unlink(path);
  return out ? out : json_null();
}

static json_t *column_stats(const struct sample *s, size_t n, size_t offset)
{
  double *v = calloc(n ? n : 1, sizeof(*v));
  struct stats st;

  for (size_t i = 0; v && i < n; i++)
    v[i] = *(const double *)((const char *)&s[i] + offset);
  stats_compute(v, n, &st);
  free(v);
  return stats_json(&st);
}

static json_t *samples_json(const struct sample *s, size_t n)
{
  return json_pack("{s:o, s:o, s:o, s:o}",
                   "startup_ms", column_stats(s, n, offsetof(struct sample, startup_ms)),
                   "wall_ms", column_stats(s, n, offsetof(struct sample, wall_ms)),
                   "cpu_ms", column_stats(s, n, offsetof(struct sample, cpu_ms)),
                   "maxrss_kib", column_stats(s, n, offsetof(struct sample, maxrss_kib)));
}

static void print(const json_t *frag)
{
  const json_t *hf = json_object_get(frag, "hyperfine"), *bare = json_object_get(frag, "bare");

  printf("client start-up, `ktrdr --detach dummy start` (no terminal), %lld runs:\n",
         json_integer_value(json_object_get(frag, "ok")));
  bench_print_dist("start-up to first request", json_object_get(frag, "startup_ms"), "ms");
  bench_print_dist("whole run (fork to exit)", json_object_get(frag, "wall_ms"), "ms");
  bench_print_dist("CPU per run", json_object_get(frag, "cpu_ms"), "ms");
  bench_print_dist("ru_maxrss per run", json_object_get(frag, "maxrss_kib"), "KiB");
  if (json_is_object(hf))
    printf("  hyperfine whole run: mean %.2f ms ± %.2f, median %.2f, min %.2f, max %.2f"
           " (%lld runs)\n",
           json_number_value(json_object_get(hf, "mean_ms")),
           json_number_value(json_object_get(hf, "stddev_ms")),
           json_number_value(json_object_get(hf, "median_ms")),
           json_number_value(json_object_get(hf, "min_ms")),
           json_number_value(json_object_get(hf, "max_ms")),
           json_integer_value(json_object_get(hf, "runs")));
  else
    printf("  hyperfine: not installed or failed (ci/setup bench installs it)\n");
  printf("the floor: bare_client --detach (libcurl + jansson, no project code), %lld runs:\n",
         json_integer_value(json_object_get(bare, "ok")));
  bench_print_dist("start-up to first request", json_object_get(bare, "startup_ms"), "ms");
  bench_print_dist("CPU per run", json_object_get(bare, "cpu_ms"), "ms");
}

static int run(struct bench_opts *o, const struct srvproc *srv, struct hreq *h,
               struct err *err)
{
  long n = o->runs > 0 ? o->runs : DEFAULT_RUNS, ok = 0, bare_ok = 0;
  struct sample *s = calloc((size_t)n, sizeof(*s)), *b = calloc((size_t)n, sizeof(*b));
  uint64_t since = 0;
  json_t *frag = NULL, *bare;

  if (!s || !b) {
    free(s);
    free(b);
    return err_set(err, ERR_NOMEM, "out of memory");
  }
  for (long i = 0; i < n; i++) {
    struct err e = ERR_INIT;

    if (one_run(o->ktrdr, srv, h, &since, &s[ok], &e) == 0)
      ok++;
    else
      fprintf(stderr, "bench_startup: run %ld: %s\n", i + 1, e.msg);
    if (one_run(o->bare_client, srv, h, &since, &b[bare_ok], &e) == 0)
      bare_ok++;
    else
      fprintf(stderr, "bench_startup: bare run %ld: %s\n", i + 1, e.msg);
  }
  bare = samples_json(b, (size_t)bare_ok);
  if (bare && json_object_set_new(bare, "ok", json_integer(bare_ok)) == 0)
    frag = samples_json(s, (size_t)ok);
  if (frag)
    json_object_update_new(frag, json_pack("{s:s, s:i, s:i, s:o, s:O}", "bench", "startup",
                                           "runs", (int)n, "ok", (int)ok,
                                           "hyperfine", hyperfine(o, srv), "bare", bare));
  json_decref(bare);
  free(s);
  free(b);
  if (frag)
    print(frag);
  if (bench_write(o->out, frag, err) < 0)
    return -1;
  return ok == n && bare_ok == n ? 0 : err_set(err, ERR_STATE, "%ld of %ld runs failed",
                                               2 * n - ok - bare_ok, 2 * n);
}

int main(int argc, char **argv)
{
  return bench_main_with_mock(argc, argv, "bench_startup", usage, run);
}
