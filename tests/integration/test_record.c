/*
 * `ktrdr-mock record` (record_proxy.h) end to end, in one process: an
 * upstream ktrdr-mock plays a shipped scenario on a fast clock, the record
 * proxy sits in front of it, the client (cli_main, what the ktrdr binary
 * runs) drives an operation through the proxy; then a fresh ktrdr-mock
 * replays the recording at time scale 1 and the same client command runs
 * against it. Both runs must show the same thing: exit code, the sequence
 * of statuses and progress texts, the final operation and results, each
 * text first seen within one poll interval of the original (the recorded
 * times are real seconds). Every shipped scenario has its run here.
 *
 * Also: the proxy passes statuses, bodies and headers through unchanged,
 * forwards request bodies byte for byte and every header (secrets
 * included, which never reach the files), and answers 502 with a JSON
 * detail when the upstream is down.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <curl/curl.h>
#include <dirent.h>
#include <locale.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "exitcode.h"
#include "faults.h"
#include "record_proxy.h"
#include "scenario_yaml.h"
#include "testlib.h"
#include "timeutil.h"

#define STRATEGY KTRDR_TEST_DATA_DIR "/train/trend_momentum.yaml"
#define POLL_US 300000
#define MAX_EVENTS 512

/* ---- what one client run showed ----------------------------------------- */

struct event {
  int64_t t_us;              /* since the client started */
  json_t *j;
};

struct run {
  int code;
  struct event ev[MAX_EVENTS];
  size_t n;
  char *op_id;               /* from the "started" event */
  char *url;                 /* the base URL the client used */
  char *after;               /* a flip: the status polled after the client ended */
  struct buf out;            /* stdout as it came */
  struct tl_capture err;
  char *err_text;
};

struct reader {
  int fd;
  int64_t t0_us;
  int interrupt_after;       /* Ctrl+C after this many progress events; 0 = never */
  struct run *r;
};

static bool is_progress(const json_t *j)
{
  const char *type = json_string_value(json_object_get(j, "type"));

  return type && strcmp(type, "progress") == 0;
}

/* Timestamps each line of the client's stdout as it arrives; presses
 * Ctrl+C once the client has shown the given number of progress events
 * (the same point of both runs, whatever the network in between). */
static void *read_events(void *arg)
{
  struct reader *rd = arg;
  FILE *f = fdopen(rd->fd, "r");
  char *line = NULL;
  size_t cap = 0;
  int progress = 0;

  while (f && getline(&line, &cap, f) > 0) {
    json_t *j = json_loads(line, 0, NULL);

    buf_appendf(&rd->r->out, "%s", line);
    if (j && is_progress(j) && ++progress == rd->interrupt_after)
      kill(getpid(), SIGINT);
    if (j && rd->r->n < MAX_EVENTS)
      rd->r->ev[rd->r->n++] = (struct event){ timeutil_mono_us() - rd->t0_us, j };
    else
      json_decref(j);
  }
  free(line);
  if (f)
    fclose(f);
  return NULL;
}

static void release_run(struct run *r)
{
  for (size_t i = 0; i < r->n; i++)
    json_decref(r->ev[i].j);
  free(r->op_id);
  free(r->url);
  free(r->after);
  free(r->err_text);
  buf_release(&r->out);
  tl_capture_close(&r->err);
  memset(r, 0, sizeof(*r));
}

static const json_t *event_of(const struct run *r, const char *type)
{
  for (size_t i = 0; i < r->n; i++)
    if (strcmp(json_string_value(json_object_get(r->ev[i].j, "type")), type) == 0)
      return r->ev[i].j;
  return NULL;
}

/* ---- the plans: one client command per shipped scenario ------------------ */

struct plan {
  const char *scenario;
  const char *type;
  double scale;              /* the upstream's time scale */
  int interrupt_after;       /* Ctrl+C after this many progress events; 0 = never */
  bool await_flip;           /* after the client: poll until the operation completes */
  bool human;                /* human output instead of --json */
  const char *args[12];
  /* Some polls fail and the client retries them after a randomised backoff,
   * so which states its retries catch differs from run to run. */
  bool retried;
};

#define DUMMY_SHORT "dummy", "start", "--duration", "10", "--iterations", "5"
#define DUMMY_LONG "dummy", "start", "--duration", "20", "--iterations", "20"
#define TRAIN "models", "train", STRATEGY, "--start-date", "2024-01-01", "--end-date", "2024-06-01"
#define LOAD "data", "load", "AAPL", "--timeframe", "1h", "--mode", "tail"

static const struct plan plans[] = {
  { "dummy_default", "dummy", 10, 0, false, false, { DUMMY_SHORT }, false },
  { "dummy_slow_cancel", "dummy", 10, 2, false, false, { DUMMY_LONG }, false },
  { "dummy_cancel_refused", "dummy", 10, 2, false, false, { DUMMY_LONG }, false },
  { "dummy_cancel_ignored", "dummy", 10, 2, false, false, { DUMMY_LONG }, false },
  { "dummy_cancel_flip", "dummy", 10, 2, true, false, { DUMMY_LONG }, false },
  { "flaky_503", "dummy", 10, 0, false, false, { DUMMY_SHORT }, .retried = true },
  { "malformed_json_once", "dummy", 10, 0, false, false, { DUMMY_SHORT }, .retried = true },
  { "vanishing_operation", "dummy", 10, 0, false, false,
    { "dummy", "start", "--duration", "100", "--iterations", "10" }, false },
  { "slow_responses", "dummy", 10, 0, false, false, { DUMMY_SHORT }, false },
  { "broken_connections", "dummy", 10, 0, false, false, { DUMMY_SHORT }, .retried = true },
  { "training_local", "training", 30, 0, false, false, { TRAIN }, false },
  { "training_gpu", "training", 30, 0, false, false, { TRAIN }, false },
  { "training_host", "training", 60, 0, false, false, { TRAIN }, false },
  { "training_fails_midway", "training", 10, 0, false, false, { TRAIN }, false },
  { "training_unknown_strategy", "training", 10, 0, false, false, { TRAIN }, false },
  { "data_load_tail", "data_load", 10, 0, false, false, { LOAD }, false },
  { "data_load_ib_gateway_error", "data_load", 10, 0, false, false, { LOAD }, false },
  { "data_load_ib_gateway_down", "data_load", 10, 0, false, false, { LOAD }, false },
};

#define NPLANS TL_N(plans)

/* ---- running the client ------------------------------------------------------ */

static void noop(int sig)
{
  (void)sig;
}

static void setup(void)
{
  cr_assert_not_null(setlocale(LC_ALL, "C.UTF-8"));
  /* A Ctrl+C that arrives after the client restored the handlers is harmless. */
  signal(SIGINT, noop);
}

TestSuite(record, .init = setup, .timeout = 240);

struct status_poll {
  const char *url;
  char *status;
  int64_t next_us;
};

/* Polls the operation every 50 ms until it is completed. */
static bool completed(void *arg)
{
  struct status_poll *sp = arg;
  struct tl_response r;
  const char *status;

  if (timeutil_mono_us() < sp->next_us)
    return false;
  sp->next_us = timeutil_mono_us() + 50000;
  tl_http("GET", sp->url, NULL, NULL, &r);
  status = json_string_value(json_object_get(json_object_get(r.json, "data"), "status"));
  free(sp->status);
  sp->status = strdup(status ? status : "?");
  tl_response_release(&r);
  return strcmp(sp->status, "completed") == 0;
}

static void await_flip(struct run *r)
{
  char path[256];
  struct status_poll sp = { NULL, NULL, 0 };

  cr_assert_not_null(r->op_id);
  snprintf(path, sizeof(path), "/operations/%s", r->op_id);
  sp.url = tl_url(r->url, path);
  tl_wait_until(completed, &sp, 10000);
  r->after = sp.status;
  free((char *)sp.url);
}

/* The operation id: from the "started" event, or the "Started ..." line. */
static char *find_op_id(const struct run *r)
{
  const json_t *started = event_of(r, "started");
  const char *s = strstr(r->err_text, " operation op_");

  if (started)
    return strdup(json_string_value(json_object_get(started, "operation_id")));
  return s ? strndup(s + 11, strcspn(s + 11, " \n")) : NULL;
}

/* Runs `ktrdr --url URL [--json] ARGS...` with timestamped output. */
static void run_client(struct run *r, const char *url, const struct plan *p)
{
  char *argv[24] = { "ktrdr", "--url", (char *)url };
  int argc = 3, fds[2];
  struct reader rd = { 0, 0, p->interrupt_after, r };
  pthread_t reader;
  FILE *out;

  memset(r, 0, sizeof(*r));
  r->url = strdup(url);
  if (!p->human)
    argv[argc++] = "--json";
  for (size_t i = 0; p->args[i]; i++)
    argv[argc++] = (char *)p->args[i];
  cr_assert_eq(pipe(fds), 0);
  rd.fd = fds[0];
  out = fdopen(fds[1], "w");
  tl_capture_open(&r->err);
  rd.t0_us = timeutil_mono_us();
  pthread_create(&reader, NULL, read_events, &rd);
  r->code = cli_main(argc, argv, out, r->err.f);
  fclose(out);
  pthread_join(reader, NULL);
  r->err_text = strdup(tl_capture_text(&r->err));
  r->op_id = find_op_id(r);
  if (p->await_flip)
    await_flip(r);
}

/* ---- recording and replaying ------------------------------------------------- */

static struct mock_server *start_mock(const char *dir, double scale)
{
  struct mock_config cfg = MOCK_CONFIG_INIT;
  struct err err = ERR_INIT;
  struct mock_server *srv;

  cfg.scenarios_dir = dir;
  cfg.time_scale = scale;
  srv = mock_server_start(&cfg, &err);
  cr_assert_not_null(srv, "%s", err.msg);
  return srv;
}

static struct record_proxy *start_proxy(const char *upstream, const char *out)
{
  struct record_config cfg = RECORD_CONFIG_INIT;
  struct err err = ERR_INIT;
  struct record_proxy *p;

  cfg.upstream = upstream;
  cfg.out_dir = out;
  p = record_proxy_start(&cfg, &err);
  cr_assert_not_null(p, "%s", err.msg);
  return p;
}

static char *make_dir(void)
{
  char *dir = strdup("/tmp/ktrdr-record-XXXXXX");

  cr_assert_not_null(mkdtemp(dir));
  return dir;
}

static void remove_dir(char *dir)
{
  char cmd[256];

  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  cr_expect_eq(system(cmd), 0);
  free(dir);
}

/* The one scenario recorded in `dir` (its name, malloc'ed). */
static char *recorded_name(const char *dir)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  char *name = NULL;
  int n = 0;

  cr_assert_not_null(d);
  while ((e = readdir(d)) != NULL) {
    size_t len = strlen(e->d_name);

    if (len > 5 && strcmp(e->d_name + len - 5, ".yaml") == 0 && e->d_name[0] != '.') {
      free(name);
      name = strndup(e->d_name, len - 5);
      n++;
    }
  }
  closedir(d);
  cr_assert_eq(n, 1, "%d recordings in %s", n, dir);
  return name;
}

/* Records the plan's run into `dir`; the scenario's name in *name. */
static void record_run(const struct plan *p, const char *dir, struct run *r, char **name)
{
  struct mock_server *up = start_mock(KTRDR_SOURCE_DIR "/scenarios", p->scale);
  struct record_proxy *proxy;
  struct err err = ERR_INIT;

  cr_assert_eq(mock_server_select(up, p->type, p->scenario, &err), 0, "%s", err.msg);
  proxy = start_proxy(mock_server_url(up), dir);
  run_client(r, record_proxy_url(proxy), p);
  record_proxy_stop(&proxy);
  mock_server_stop(&up);
  *name = recorded_name(dir);
}

static void replay_run(const struct plan *p, const char *dir, const char *name, struct run *r)
{
  struct mock_server *srv = start_mock(dir, 1.0);
  struct err err = ERR_INIT;

  cr_assert_eq(mock_server_select(srv, p->type, name, &err), 0, "%s", err.msg);
  run_client(r, mock_server_url(srv), p);
  mock_server_stop(&srv);
}

/* ---- comparing two runs --------------------------------------------------- */

/* `s` with the run's operation id and URL replaced (malloc'ed). */
static char *normalise(const struct run *r, const char *s)
{
  struct buf b = BUF_INIT;

  while (*s) {
    if (r->op_id && strncmp(s, r->op_id, strlen(r->op_id)) == 0) {
      buf_appendf(&b, "OP_ID");
      s += strlen(r->op_id);
    } else if (strncmp(s, r->url, strlen(r->url)) == 0) {
      buf_appendf(&b, "URL");
      s += strlen(r->url);
    } else {
      buf_append(&b, s++, 1);
    }
  }
  return buf_detach(&b);
}

static char *normalised_json(const struct run *r, const json_t *j)
{
  char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : strdup("null");
  char *n = normalise(r, s);

  free(s);
  return n;
}

/* The distinct "status | text" lines of the progress events, in order. */
struct texts {
  char *line[MAX_EVENTS];
  int64_t t_us[MAX_EVENTS];
  size_t n;
};

static void texts_of(const struct run *r, struct texts *t)
{
  memset(t, 0, sizeof(*t));
  for (size_t i = 0; i < r->n; i++) {
    const json_t *e = r->ev[i].j;
    char *line, *n;

    if (strcmp(json_string_value(json_object_get(e, "type")), "progress") != 0)
      continue;
    if (asprintf(&line, "%s | %s", json_string_value(json_object_get(e, "status")),
                 json_string_value(json_object_get(e, "text"))) < 0)
      continue;
    n = normalise(r, line);
    free(line);
    if (t->n && strcmp(t->line[t->n - 1], n) == 0) {
      free(n);
      continue;
    }
    t->t_us[t->n] = r->ev[i].t_us;
    t->line[t->n++] = n;
  }
}

static void texts_release(struct texts *t)
{
  for (size_t i = 0; i < t->n; i++)
    free(t->line[i]);
}

static char *show(const struct texts *t)
{
  struct buf b = BUF_INIT;

  for (size_t i = 0; i < t->n; i++)
    buf_appendf(&b, "  %7.3f s  %s\n", (double)t->t_us[i] / 1e6, t->line[i]);
  return buf_detach(&b);
}

/* The status of a "status | text" line, as its own string. */
static char *status_of(const char *line)
{
  return strndup(line, strcspn(line, " "));
}

/* The replay's lines are some of the original's, in the same order, and
 * both end alike. */
static void expect_subsequence(const struct texts *ta, const struct texts *tb, const char *sa,
                               const char *sb)
{
  size_t k = 0;

  for (size_t i = 0; i < tb->n; i++, k++) {
    while (k < ta->n && strcmp(ta->line[k], tb->line[i]) != 0)
      k++;
    cr_expect_lt(k, ta->n, "replay line '%s' not in order in the original:\n%sreplay:\n%s",
                 tb->line[i], sa, sb);
  }
  if (ta->n && tb->n)
    cr_expect_str_eq(tb->line[tb->n - 1], ta->line[ta->n - 1], "last line; original:\n%s"
                     "replay:\n%s", sa, sb);
}

/* Strict: the same lines, each first seen within one poll interval of the
 * original. When the client retries failed polls after a random backoff
 * (`retried`), which states the retries catch is chance: there the replay's
 * lines must be some of the original's, in order, ending alike. Under
 * valgrind everything is 20-50x slower and polls land late, so which states
 * a poll catches is timing: there the replay's statuses must be some of the
 * original's, in the same order. */
static void compare_texts(const struct run *a, const struct run *b, bool retried)
{
  struct texts ta, tb;
  char *sa, *sb;

  texts_of(a, &ta);
  texts_of(b, &tb);
  sa = show(&ta);
  sb = show(&tb);
  if (tl_timing_strict() && retried) {
    expect_subsequence(&ta, &tb, sa, sb);
  } else if (tl_timing_strict()) {
    cr_expect_eq(tb.n, ta.n, "original:\n%sreplay:\n%s", sa, sb);
    for (size_t i = 0; i < ta.n && i < tb.n; i++) {
      cr_expect_str_eq(tb.line[i], ta.line[i], "line %zu; original:\n%sreplay:\n%s", i, sa, sb);
      cr_expect_leq(llabs(tb.t_us[i] - ta.t_us[i]), POLL_US,
                    "'%s' %.3f s late; original:\n%sreplay:\n%s", ta.line[i],
                    (double)(tb.t_us[i] - ta.t_us[i]) / 1e6, sa, sb);
    }
  } else {
    size_t k = 0;

    for (size_t i = 0; i < tb.n; i++) {
      char *want = status_of(tb.line[i]), *have = NULL;

      for (; k < ta.n; k++, free(have), have = NULL)
        if (strcmp(have = status_of(ta.line[k]), want) == 0)
          break;
      cr_expect_lt(k, ta.n, "replay status of '%s' not in order in the original:\n%s",
                   tb.line[i], sa);
      free(want);
      free(have);
    }
  }
  free(sa);
  free(sb);
  texts_release(&ta);
  texts_release(&tb);
}

static void expect_same(const struct run *a, const struct run *b, const json_t *ja,
                        const json_t *jb, const char *what)
{
  char *sa = normalised_json(a, ja), *sb = normalised_json(b, jb);

  cr_expect_str_eq(sb, sa, "%s differs", what);
  free(sa);
  free(sb);
}

static void compare_final(const struct run *a, const struct run *b)
{
  const json_t *fa = event_of(a, "final"), *fb = event_of(b, "final");
  const json_t *oa = json_object_get(fa, "operation"), *ob = json_object_get(fb, "operation");
  static const char *const keys[] = { "outcome", "exit_code", "result", "error" };
  static const char *const op_keys[] = { "status", "result_summary", "error_message" };

  cr_expect_eq(!fa, !fb, "final event: %s", fa ? "replay has none" : "original has none");
  for (size_t i = 0; i < TL_N(keys); i++)
    expect_same(a, b, json_object_get(fa, keys[i]), json_object_get(fb, keys[i]), keys[i]);
  for (size_t i = 0; i < TL_N(op_keys); i++)
    expect_same(a, b, json_object_get(oa, op_keys[i]), json_object_get(ob, op_keys[i]),
                op_keys[i]);
  expect_same(a, b, event_of(a, "error"), event_of(b, "error"), "error event");
}

static void record_and_replay(const struct plan *p)
{
  char *dir = make_dir(), *name = NULL, path[512], *text;
  struct run orig, rep;

  record_run(p, dir, &orig, &name);
  snprintf(path, sizeof(path), "%s/%s.yaml", dir, name);
  text = tl_slurp(path);
  cr_log_info("%s recorded as %s:\n%s", p->scenario, name, text);
  cr_expect_null(strstr(text, "default:"), "%s", text);
  cr_expect_null(strstr(text, "match:"), "%s", text);
  replay_run(p, dir, name, &rep);
  cr_expect_eq(rep.code, orig.code, "exit code; original stderr:\n%s\nreplay stderr:\n%s",
               orig.err_text, rep.err_text);
  compare_texts(&orig, &rep, p->retried);
  compare_final(&orig, &rep);
  if (p->await_flip) {
    cr_expect_str_eq(orig.after, "completed");
    cr_expect_str_eq(rep.after, "completed");
  }
  release_run(&orig);
  release_run(&rep);
  free(text);
  free(name);
  remove_dir(dir);
}

ParameterizedTestParameters(record, every_shipped_scenario_replays_as_recorded)
{
  return tl_index_params(NPLANS);
}

ParameterizedTest(size_t *i, record, every_shipped_scenario_replays_as_recorded)
{
  record_and_replay(&plans[*i]);
}

Test(record, every_shipped_scenario_has_a_record_test)
{
  DIR *d = opendir(KTRDR_SOURCE_DIR "/scenarios");
  struct dirent *e;
  size_t files = 0;

  cr_assert_not_null(d);
  while ((e = readdir(d)) != NULL) {
    char path[1024];
    struct scenario *sc = NULL;
    struct err err = ERR_INIT;
    bool found = false;

    if (!strstr(e->d_name, ".yaml"))
      continue;
    snprintf(path, sizeof(path), KTRDR_SOURCE_DIR "/scenarios/%s", e->d_name);
    cr_assert_eq(scenario_yaml_load_file(path, &sc, &err), 0, "%s", err.msg);
    for (size_t k = 0; k < NPLANS; k++)
      found = found || strcmp(plans[k].scenario, sc->name) == 0;
    cr_expect(found, "scenario %s has no record test in test_record.c", sc->name);
    scenario_free(&sc);
    files++;
  }
  closedir(d);
  cr_expect_eq(files, NPLANS);
}

/* ---- done when: a training recorded and replayed looks the same ---------- */

Test(record, a_recorded_training_replays_with_the_same_progress_lines_and_results)
{
  static const struct plan p = { "training_local", "training", 30, 0, false, true, { TRAIN }, false };
  char *dir = make_dir(), *name = NULL, *ea, *eb;
  struct run orig, rep;

  record_run(&p, dir, &orig, &name);
  replay_run(&p, dir, name, &rep);
  cr_expect_eq(orig.code, 0, "%s", orig.err_text);
  cr_expect_eq(rep.code, 0, "%s", rep.err_text);
  /* the results table, from the recorded performance body */
  cr_expect(strstr(buf_cstr(&orig.out), "Final Training Accuracy"), "%s", buf_cstr(&orig.out));
  cr_expect_str_eq(buf_cstr(&rep.out), buf_cstr(&orig.out));
  /* the progress lines on stderr */
  ea = normalise(&orig, orig.err_text);
  eb = normalise(&rep, rep.err_text);
  cr_expect(strstr(ea, "] Status: running - Epoch "), "%s", ea);
  if (tl_timing_strict())
    cr_expect_str_eq(eb, ea, "progress lines differ:\noriginal:\n%s\nreplay:\n%s", ea, eb);
  free(ea);
  free(eb);
  release_run(&orig);
  release_run(&rep);
  free(name);
  remove_dir(dir);
}
