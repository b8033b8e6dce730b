#define _GNU_SOURCE
#include "testlib.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <valgrind/valgrind.h>

#include "buf.h"
#include "timeutil.h"

struct mock_server *tl_mock;

static size_t collect(char *ptr, size_t size, size_t n, void *userdata)
{
  return buf_append(userdata, ptr, size * n) < 0 ? 0 : size * n;
}

int tl_http(const char *method, const char *url, const char *body,
            const char *extra_header, struct tl_response *resp)
{
  struct buf b = BUF_INIT, h = BUF_INIT;
  struct curl_slist *hdrs = NULL;
  CURL *c = curl_easy_init();
  CURLcode rc;

  memset(resp, 0, sizeof(*resp));
  if (!c)
    return -1;
  hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
  if (extra_header)
    hdrs = curl_slist_append(hdrs, extra_header);
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
  if (body)
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
  rc = curl_easy_perform(c);
  if (rc == CURLE_OK)
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
  curl_easy_cleanup(c);
  curl_slist_free_all(hdrs);
  resp->len = b.len;
  resp->body = buf_detach(&b);
  resp->headers = buf_detach(&h);
  resp->json = json_loads(resp->body, 0, NULL);
  return rc == CURLE_OK ? 0 : -1;
}

void tl_response_release(struct tl_response *resp)
{
  free(resp->body);
  free(resp->headers);
  json_decref(resp->json);
  memset(resp, 0, sizeof(*resp));
}

char *tl_url(const char *base, const char *path)
{
  char *s = NULL;

  if (asprintf(&s, "%s%s", base, path) < 0)
    return NULL;
  return s;
}

FILE *tl_capture_open(struct tl_capture *c)
{
  memset(c, 0, sizeof(*c));
  c->f = open_memstream(&c->data, &c->len);
  return c->f;
}

const char *tl_capture_text(struct tl_capture *c)
{
  fflush(c->f);
  return c->data ? c->data : "";
}

void tl_capture_close(struct tl_capture *c)
{
  if (c->f)
    fclose(c->f);
  free(c->data);
  memset(c, 0, sizeof(*c));
}

struct criterion_test_params tl_index_params(size_t n)
{
  static size_t idx[256];
  size_t i;

  for (i = 0; i < n && i < TL_N(idx); i++)
    idx[i] = i;
  return cr_make_param_array(size_t, idx, i);
}

static void *sigint_main(void *arg)
{
  struct tl_sigint *s = arg;

  if (journal_wait(mock_server_journal(tl_mock), &s->filter, s->count, 10000) < s->count)
    return NULL;
  if (s->before)
    s->before();
  kill(getpid(), SIGINT);
  return NULL;
}

void tl_sigint_start(struct tl_sigint *s)
{
  cr_assert_eq(pthread_create(&s->thread, NULL, sigint_main, s), 0);
}

void tl_sigint_join(struct tl_sigint *s)
{
  pthread_join(s->thread, NULL);
}

char *tl_slurp(const char *path)
{
  FILE *f = fopen(path, "r");
  char *data = NULL;
  size_t len = 0;

  cr_assert_not_null(f, "cannot open %s", path);
  cr_assert_geq(getdelim(&data, &len, '\0', f), 0);
  fclose(f);
  return data;
}

bool tl_wait_until(bool (*cond)(void *arg), void *arg, int timeout_ms)
{
  int64_t deadline = timeutil_mono_us() + (int64_t)timeout_ms * 1000;
  struct timespec nap = { 0, 2 * 1000 * 1000 };

  while (!cond(arg)) {
    if (timeutil_mono_us() >= deadline)
      return cond(arg);
    nanosleep(&nap, NULL);
  }
  return true;
}

void tl_mock_start(double time_scale)
{
  struct mock_config cfg = MOCK_CONFIG_INIT;
  struct err err = ERR_INIT;

  cfg.time_scale = time_scale;
  tl_mock = mock_server_start(&cfg, &err);
  cr_assert_not_null(tl_mock, "mock server did not start: %s", err.msg);
}

void tl_mock_stop(void)
{
  mock_server_stop(&tl_mock);
}

const char *tl_mock_url(void)
{
  return mock_server_url(tl_mock);
}

static void exec_child(char *const argv[], char *const env[])
{
  sigset_t none;

  for (size_t i = 0; env && env[i]; i++)
    putenv(env[i]);
  /* A fresh process, as a shell would start it: Criterion's workers may
   * block or ignore signals, and both are inherited across exec. */
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  execv(argv[0], argv);
  fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
  _exit(127);
}

int tl_spawn_pty(struct tl_proc *p, char *const argv[], char *const env[])
{
  struct winsize ws = { .ws_row = 24, .ws_col = 80 };
  int fd = -1;
  pid_t pid;

  memset(p, 0, sizeof(*p));
  p->fd = -1;
  pid = forkpty(&fd, NULL, NULL, &ws);
  if (pid < 0)
    return -1;
  if (pid == 0)
    exec_child(argv, env);
  p->pid = pid;
  p->fd = fd;
  return 0;
}

int tl_spawn(struct tl_proc *p, char *const argv[], char *const env[])
{
  int fds[2];
  pid_t pid;

  memset(p, 0, sizeof(*p));
  p->fd = -1;
  if (pipe(fds) < 0)
    return -1;
  pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    setpgid(0, 0); /* its own group: a test's signals are aimed, not broadcast */
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    close(fds[0]);
    close(fds[1]);
    exec_child(argv, env);
  }
  close(fds[1]);
  p->pid = pid;
  p->fd = fds[0];
  return 0;
}

/* Reads what is available within `ms`; false at EOF or error. */
static bool read_some(struct tl_proc *p, int ms)
{
  struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
  char chunk[4096];
  ssize_t n;

  if (p->fd < 0 || poll(&pfd, 1, ms) <= 0)
    return p->fd >= 0;
  n = read(p->fd, chunk, sizeof(chunk));
  if (n <= 0) {
    close(p->fd); /* EOF (or EIO on a pty whose child exited) */
    p->fd = -1;
    return false;
  }
  if (p->text.len + (size_t)n + 1 > p->text.cap) {
    p->text.cap = (p->text.len + (size_t)n + 1) * 2;
    p->text.data = realloc(p->text.data, p->text.cap);
  }
  memcpy(p->text.data + p->text.len, chunk, (size_t)n);
  p->text.len += (size_t)n;
  p->text.data[p->text.len] = '\0';
  return true;
}

bool tl_proc_read_until(struct tl_proc *p, const char *needle, int timeout_ms)
{
  int64_t deadline = timeutil_mono_us() + (int64_t)timeout_ms * 1000;

  for (;;) {
    if (needle && p->text.data && strstr(p->text.data, needle))
      return true;
    int left = (int)((deadline - timeutil_mono_us()) / 1000);
    if (left <= 0 || !read_some(p, left))
      return needle ? (p->text.data && strstr(p->text.data, needle)) : p->fd < 0;
  }
}

int tl_proc_wait(struct tl_proc *p, int timeout_ms)
{
  int64_t deadline = timeutil_mono_us() + (int64_t)timeout_ms * 1000;
  int status;

  for (;;) {
    pid_t r = waitpid(p->pid, &status, WNOHANG);
    if (r == p->pid) {
      while (read_some(p, 0))
        ;
      p->pid = 0;
      if (WIFEXITED(status))
        return WEXITSTATUS(status);
      return 128 + WTERMSIG(status);
    }
    if (timeutil_mono_us() >= deadline) {
      kill(p->pid, SIGKILL);
      waitpid(p->pid, &status, 0);
      p->pid = 0;
      return -1;
    }
    if (!read_some(p, 10)) {
      struct timespec nap = { 0, 5 * 1000 * 1000 };
      nanosleep(&nap, NULL); /* EOF already: only the exit is left to wait for */
    }
  }
}

void tl_proc_release(struct tl_proc *p)
{
  int status;

  if (p->pid > 0) {
    kill(p->pid, SIGKILL);
    waitpid(p->pid, &status, 0);
  }
  if (p->fd >= 0)
    close(p->fd);
  free(p->text.data);
  memset(p, 0, sizeof(*p));
  p->fd = -1;
}

bool tl_timing_strict(void)
{
  return !RUNNING_ON_VALGRIND;
}
