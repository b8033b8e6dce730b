#include "main.h"

#include <curl/curl.h>
#include <stdio.h>

#include "child.h"

int bench_main(int argc, char **argv, const char *name, const char *usage, bench_run_fn run,
               void (*cleanup)(void *arg), void *arg)
{
  struct bench_opts o = BENCH_OPTS_INIT;
  struct err err = ERR_INIT;
  int rc = bench_parse(argc, argv, usage, &o);

  if (rc != 0)
    return rc > 0 ? 0 : 2;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  child_guard();
  rc = run(&o, arg, &err);
  if (rc < 0)
    fprintf(stderr, "%s: %s\n", name, err.msg[0] ? err.msg : "cannot start");
  if (cleanup)
    cleanup(arg);
  curl_global_cleanup();
  return rc < 0 ? 1 : 0;
}

struct with_mock {
  bench_mock_run_fn run;
  struct srvproc srv;
  struct hreq *h;
};

static int run_with_mock(struct bench_opts *o, void *arg, struct err *err)
{
  struct with_mock *m = arg;

  if (!(m->h = hreq_new()))
    return err_set(err, ERR_NOMEM, "out of memory");
  if (srvproc_start(&m->srv, o->mock, NULL, -1, 0, err) < 0)
    return -1;
  return m->run(o, &m->srv, m->h, err);
}

static void stop_mock(void *arg)
{
  struct with_mock *m = arg;

  srvproc_stop(&m->srv);
  hreq_free(&m->h);
}

int bench_main_with_mock(int argc, char **argv, const char *name, const char *usage,
                         bench_mock_run_fn run)
{
  struct with_mock m = { .run = run, .srv = SRVPROC_INIT };

  return bench_main(argc, argv, name, usage, run_with_mock, stop_mock, &m);
}
