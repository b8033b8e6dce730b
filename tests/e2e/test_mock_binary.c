/* The built ktrdr-mock binary: URL line, signals, exec, usage errors. */
#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "testlib.h"
#include "timeutil.h"

#define MOCK KTRDR_BIN_DIR "/ktrdr-mock"

extern char **environ;

TestSuite(mock_binary, .timeout = 60);

struct proc {
  pid_t pid;
  int out, err;            /* read ends of the child's stdout and stderr */
};

static void proc_spawn(struct proc *p, char *const argv[])
{
  posix_spawn_file_actions_t fa;
  int o[2], e[2];

  cr_assert_eq(pipe(o), 0);
  cr_assert_eq(pipe(e), 0);
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, o[1], 1);
  posix_spawn_file_actions_adddup2(&fa, e[1], 2);
  posix_spawn_file_actions_addclose(&fa, o[0]);
  posix_spawn_file_actions_addclose(&fa, e[0]);
  cr_assert_eq(posix_spawn(&p->pid, argv[0], &fa, NULL, argv, environ), 0, "cannot run %s", argv[0]);
  posix_spawn_file_actions_destroy(&fa);
  close(o[1]);
  close(e[1]);
  p->out = o[0];
  p->err = e[0];
}

/* Reads from fd into b until a newline or EOF, bounded by timeout_ms. */
static bool read_line(int fd, struct buf *b, int timeout_ms)
{
  int64_t deadline = timeutil_mono_us() + (int64_t)timeout_ms * 1000;
  struct pollfd pfd = { fd, POLLIN, 0 };
  char c;

  while (!strchr(buf_cstr(b), '\n')) {
    int left = (int)((deadline - timeutil_mono_us()) / 1000);

    if (left <= 0 || poll(&pfd, 1, left) <= 0 || read(fd, &c, 1) != 1)
      return false;
    buf_append(b, &c, 1);
  }
  return true;
}

/* Drains fd to EOF into b (the child has exited or is exiting). */
static void read_all(int fd, struct buf *b)
{
  char chunk[4096];
  ssize_t n;

  while ((n = read(fd, chunk, sizeof(chunk))) > 0 || (n < 0 && errno == EINTR))
    if (n > 0)
      buf_append(b, chunk, (size_t)n);
}

static int proc_wait(struct proc *p, struct buf *out, struct buf *err)
{
  int st = 0;

  read_all(p->out, out);
  read_all(p->err, err);
  close(p->out);
  close(p->err);
  cr_assert_eq(waitpid(p->pid, &st, 0), p->pid);
  if (WIFSIGNALED(st))
    return 128 + WTERMSIG(st);
  return WEXITSTATUS(st);
}

/* Runs argv to completion: exit status, stdout and stderr. */
static int run(char *const argv[], struct buf *out, struct buf *err)
{
  struct proc p;

  proc_spawn(&p, argv);
  return proc_wait(&p, out, err);
}

/* Starts a server, returns its URL line (without the newline). */
static void start_server(struct proc *p, char *const argv[], struct buf *url)
{
  proc_spawn(p, argv);
  cr_assert(read_line(p->out, url, 10000), "no URL line from ktrdr-mock");
  url->data[--url->len] = '\0';
}

static void expect_stops_on(int sig)
{
  char *argv[] = { MOCK, "--port", "0", NULL };
  struct buf url = BUF_INIT, out = BUF_INIT, err = BUF_INIT;
  struct tl_response r;
  char *health;
  struct proc p;

  start_server(&p, argv, &url);
  cr_expect(strncmp(buf_cstr(&url), "http://127.0.0.1:", 17) == 0, "url %s", buf_cstr(&url));
  cr_expect(strstr(buf_cstr(&url), "/api/v1") != NULL, "url %s", buf_cstr(&url));
  health = tl_url(buf_cstr(&url), "/health");
  cr_assert_eq(tl_http("GET", health, NULL, NULL, &r), 0);
  cr_expect_eq(r.status, 200);
  cr_expect_str_eq(json_string_value(json_object_get(r.json, "version")), "1.0.7.2");
  tl_response_release(&r);
  kill(p.pid, sig);
  cr_expect_eq(proc_wait(&p, &out, &err), 0, "stderr: %s", buf_cstr(&err));
  cr_expect_str_eq(buf_cstr(&out), "", "only the URL on stdout");
  cr_expect_str_eq(buf_cstr(&err), "", "quiet without --verbose");
  free(health);
  buf_release(&url);
  buf_release(&out);
  buf_release(&err);
}

Test(mock_binary, prints_its_url_serves_and_stops_on_sigterm)
{
  expect_stops_on(SIGTERM);
}

Test(mock_binary, stops_on_sigint)
{
  expect_stops_on(SIGINT);
}

Test(mock_binary, verbose_logs_requests_on_stderr)
{
  char *argv[] = { MOCK, "--verbose", "--time-scale", "10", NULL };
  struct buf url = BUF_INIT, out = BUF_INIT, err = BUF_INIT;
  struct tl_response r;
  char *sym;
  struct proc p;

  start_server(&p, argv, &url);
  sym = tl_url(buf_cstr(&url), "/symbols");
  cr_assert_eq(tl_http("GET", sym, NULL, NULL, &r), 0);
  tl_response_release(&r);
  kill(p.pid, SIGTERM);
  cr_expect_eq(proc_wait(&p, &out, &err), 0);
  cr_expect(strstr(buf_cstr(&err), "GET /api/v1/symbols -> 200") != NULL, "stderr: %s",
            buf_cstr(&err));
  free(sym);
  buf_release(&url);
  buf_release(&out);
  buf_release(&err);
}

Test(mock_binary, port_in_use_is_a_runtime_failure)
{
  char *argv[] = { MOCK, NULL };
  struct buf url = BUF_INIT, out = BUF_INIT, err = BUF_INIT, o2 = BUF_INIT, e2 = BUF_INIT;
  const char *port;
  struct proc p;

  start_server(&p, argv, &url);
  port = strrchr(buf_cstr(&url), ':') + 1;
  {
    char portbuf[16];
    char *again[] = { MOCK, "--port", portbuf, NULL };

    snprintf(portbuf, sizeof(portbuf), "%.*s", (int)strcspn(port, "/"), port);
    cr_expect_eq(run(again, &o2, &e2), 1);
    cr_expect(strstr(buf_cstr(&e2), "Address already in use") != NULL, "stderr: %s", buf_cstr(&e2));
    cr_expect_str_eq(buf_cstr(&o2), "");
  }
  kill(p.pid, SIGTERM);
  cr_expect_eq(proc_wait(&p, &out, &err), 0);
  buf_release(&url);
  buf_release(&out);
  buf_release(&err);
  buf_release(&o2);
  buf_release(&e2);
}

/* Runs ktrdr-mock with `args` and returns the exit status; stderr in *err. */
static int mock(char *const args[], struct buf *out, struct buf *err)
{
  char *argv[16] = { MOCK };
  size_t n = 1;

  while (args[n - 1] && n < 15) {
    argv[n] = args[n - 1];
    n++;
  }
  argv[n] = NULL;
  return run(argv, out, err);
}

#define MOCK_RUN(out, err, ...) mock((char *[]){ __VA_ARGS__, NULL }, out, err)

Test(mock_binary, exec_runs_the_command_against_the_server)
{
  struct buf out = BUF_INIT, err = BUF_INIT;

  cr_expect_eq(MOCK_RUN(&out, &err, "exec", "--", "sh", "-c",
                        "test -n \"$KTRDR_API_URL\" && echo \"$KTRDR_API_URL\" && exit 7"), 7,
               "stderr: %s", buf_cstr(&err));
  cr_expect(strncmp(buf_cstr(&out), "http://127.0.0.1:", 17) == 0, "stdout: %s", buf_cstr(&out));
  buf_release(&out);
  buf_release(&err);
}

Test(mock_binary, exec_accepts_options_and_no_separator)
{
  struct buf out = BUF_INIT, err = BUF_INIT;

  cr_expect_eq(MOCK_RUN(&out, &err, "exec", "--time-scale", "50", "true"), 0);
  cr_expect_eq(MOCK_RUN(&out, &err, "--time-scale", "50", "exec", "false"), 1);
  buf_release(&out);
  buf_release(&err);
}

Test(mock_binary, exec_command_reaches_the_server)
{
  struct buf out = BUF_INIT, err = BUF_INIT;

  if (system("command -v curl >/dev/null 2>&1") != 0)
    cr_skip_test("the curl program is not installed");
  cr_expect_eq(MOCK_RUN(&out, &err, "exec", "--", "sh", "-c",
                        "curl -sf \"$KTRDR_API_URL/health\""), 0, "stderr: %s", buf_cstr(&err));
  cr_expect_str_eq(buf_cstr(&out), "{\"status\":\"ok\",\"version\":\"1.0.7.2\"}");
  buf_release(&out);
  buf_release(&err);
}

Test(mock_binary, exec_ignores_sigint_while_the_command_runs)
{
  struct buf out = BUF_INIT, err = BUF_INIT;

  /* The command interrupts its parent; ktrdr-mock must survive to report 3. */
  cr_expect_eq(MOCK_RUN(&out, &err, "exec", "--", "sh", "-c",
                        "kill -INT $PPID; kill -QUIT $PPID; sleep 0.2; exit 3"), 3);
  buf_release(&out);
  buf_release(&err);
}

Test(mock_binary, exec_reports_death_by_signal)
{
  struct buf out = BUF_INIT, err = BUF_INIT;

  cr_expect_eq(MOCK_RUN(&out, &err, "exec", "--", "sh", "-c", "kill -TERM $$"), 128 + SIGTERM);
  buf_release(&out);
  buf_release(&err);
}

Test(mock_binary, exec_of_a_missing_command_is_127)
{
  struct buf out = BUF_INIT, err = BUF_INIT;

  cr_expect_eq(MOCK_RUN(&out, &err, "exec", "--", "/nonexistent/ktrdr-nothing"), 127);
  cr_expect(strstr(buf_cstr(&err), "cannot run '/nonexistent/ktrdr-nothing'") != NULL,
            "stderr: %s", buf_cstr(&err));
  buf_release(&out);
  buf_release(&err);
}

struct usage_case {
  char args[3][24];
  char mention[24];
};

static struct usage_case usage_cases[] = {
  { { "--time-scale", "abc" }, "--time-scale" },
  { { "--time-scale", "0" }, "--time-scale" },
  { { "--port", "70000" }, "--port" },
  { { "--port", "x1" }, "--port" },
  { { "--bind", "localhost:1" }, "--bind" },
  { { "--bogus" }, "--bogus" },
  { { "--port" }, "--port" },
  { { "serve" }, "serve" },
  { { "exec" }, "exec needs a command" },
  { { "exec", "--" }, "exec needs a command" },
  { { "exec", "--port", "abc" }, "--port" },
  { { "record" }, "record needs --upstream" },
  { { "record", "--time-scale", "2" }, "is for the server" },
  { { "--upstream", "http://h/api/v1" }, "is for record" },
  { { "record", "stray" }, "argument 'stray'" },
};

Test(mock_binary, usage_errors_exit_2_with_a_message)
{
  for (size_t i = 0; i < sizeof(usage_cases) / sizeof(usage_cases[0]); i++) {
    struct usage_case *c = &usage_cases[i];
    char *args[4] = { NULL };
    struct buf out = BUF_INIT, err = BUF_INIT;

    for (size_t k = 0; k < 3 && c->args[k][0]; k++)
      args[k] = c->args[k];
    cr_expect_eq(mock(args, &out, &err), 2, "case %zu (%s)", i, c->args[0]);
    cr_expect(strstr(buf_cstr(&err), c->mention) != NULL, "case %zu: stderr %s", i, buf_cstr(&err));
    cr_expect(strstr(buf_cstr(&err), "--help") != NULL, "case %zu: stderr %s", i, buf_cstr(&err));
    cr_expect_str_eq(buf_cstr(&out), "");
    buf_release(&out);
    buf_release(&err);
  }
}

/* Errors that only show when record starts: exit 2, with what to change. */
Test(mock_binary, record_with_a_bad_upstream_or_out_exits_2)
{
  static const struct { const char *upstream, *out, *mention; } cases[] = {
    { "ftp://host/api/v1", "/tmp", "invalid upstream URL 'ftp://host/api/v1': expected the "
                                   "KTRDR API's base URL, http(s)://HOST[:PORT]/api/v1" },
    { "localhost:8000", "/tmp", "invalid upstream URL 'localhost:8000'" },
    { "http://127.0.0.1:1/api/v1", "/proc/no/such/dir", "cannot create the output directory "
                                                        "'/proc/no/such/dir'" },
    { "http://127.0.0.1:1/api/v1", "/dev/null", "the output directory '/dev/null' is not a "
                                                "directory; choose another with --out" },
  };

  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct buf out = BUF_INIT, err = BUF_INIT;

    cr_expect_eq(MOCK_RUN(&out, &err, "record", "--upstream", (char *)cases[i].upstream,
                          "--out", (char *)cases[i].out), 2, "case %zu: %s", i, buf_cstr(&err));
    cr_expect(strstr(buf_cstr(&err), cases[i].mention), "case %zu: stderr %s", i,
              buf_cstr(&err));
    cr_expect_str_eq(buf_cstr(&out), "", "no URL line");
    buf_release(&out);
    buf_release(&err);
  }
}

/* The binaries end to end: an upstream, the recorder in front of it, the
 * client through it; SIGTERM ends the recorder (exit 0, files complete);
 * the recording replays with ktrdr-mock exec. */
Test(mock_binary, record_writes_a_scenario_that_exec_replays)
{
  char dir[] = "/tmp/ktrdr-record-e2e-XXXXXX", cmd[512], name[256] = "";
  char *up_argv[] = { MOCK, "--time-scale", "20", NULL };
  struct buf up_url = BUF_INIT, px_url = BUF_INIT, out = BUF_INIT, err = BUF_INIT;
  struct proc up, px;
  FILE *ls;

  cr_assert_not_null(mkdtemp(dir));
  start_server(&up, up_argv, &up_url);
  {
    char *px_argv[] = { MOCK, "record", "--upstream", up_url.data, "--out", dir, NULL };

    start_server(&px, px_argv, &px_url);
  }
  {
    char *client[] = { KTRDR_BIN_DIR "/ktrdr", "--url", px_url.data, "dummy", "start",
                       "--duration", "10", "--iterations", "4", NULL };

    cr_expect_eq(run(client, &out, &err), 0, "%s", buf_cstr(&err));
  }
  cr_expect(strstr(buf_cstr(&out), "Iterations: 4/4"), "%s", buf_cstr(&out));
  kill(px.pid, SIGTERM);
  buf_reset(&out);
  buf_reset(&err);
  cr_expect_eq(proc_wait(&px, &out, &err), 0, "recorder: %s", buf_cstr(&err));
  kill(up.pid, SIGTERM);
  proc_wait(&up, &out, &err);
  snprintf(cmd, sizeof(cmd), "cd '%s' && ls rec_*.yaml", dir);
  cr_assert_not_null(ls = popen(cmd, "r"));
  cr_expect_eq(fscanf(ls, "%255[^.].yaml", name), 1);
  pclose(ls);
  snprintf(cmd, sizeof(cmd), "dummy=%s", name);
  buf_reset(&out);
  cr_expect_eq(MOCK_RUN(&out, &err, "exec", "--scenarios", dir, "--select", cmd, "--",
                        KTRDR_BIN_DIR "/ktrdr", "dummy", "start", "--duration", "10",
                        "--iterations", "4"), 0, "%s", buf_cstr(&err));
  cr_expect(strstr(buf_cstr(&out), "Iterations: 4/4"), "%s", buf_cstr(&out));
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  cr_expect_eq(system(cmd), 0);
  buf_release(&up_url);
  buf_release(&px_url);
  buf_release(&out);
  buf_release(&err);
}

Test(mock_binary, help_documents_options_and_exit_codes)
{
  struct buf out = BUF_INIT, err = BUF_INIT;
  static const char *const needles[] = { "--port", "--bind", "--time-scale", "--verbose",
                                         "exec", "KTRDR_API_URL", "exit status", "127" };

  cr_expect_eq(MOCK_RUN(&out, &err, "--help"), 0);
  for (size_t i = 0; i < sizeof(needles) / sizeof(needles[0]); i++)
    cr_expect(strstr(buf_cstr(&out), needles[i]) != NULL, "help lacks %s", needles[i]);
  cr_expect_str_eq(buf_cstr(&err), "");
  buf_reset(&out);
  cr_expect_eq(MOCK_RUN(&out, &err, "--version"), 0);
  cr_expect(strncmp(buf_cstr(&out), "ktrdr-mock ", 11) == 0, "%s", buf_cstr(&out));
  buf_release(&out);
  buf_release(&err);
}
