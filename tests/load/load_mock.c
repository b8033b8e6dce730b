/*
 * load_mock: a bounded load test of ktrdr-mock over loopback.
 *
 *   load_mock PATH/TO/ktrdr-mock [CONNECTIONS] [SECONDS]
 *
 * Starts the mock on a free port, starts one dummy operation, then keeps
 * CONNECTIONS keep-alive connections busy (libcurl multi) for SECONDS on
 * GET /api/v1/operations/{id}, then for SECONDS/3 on POST /api/v1/dummy/start.
 * Every valid request must succeed (2xx, JSON body) and the server's RSS
 * must stay steady under the GET load (growth at most 10 % plus 1 MiB
 * between the first and the last quarter). Prints the figures; exits 1 on
 * any failure. Loopback only; bounded in time and connections.
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct conn {
  CURL *easy;
  char buf[65536];
  size_t len;
};

struct stats {
  long ok, failed, bad_body;
};

static double now_s(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
  struct conn *c = ud;
  size_t len = size * n, room = sizeof(c->buf) - 1 - c->len;

  memcpy(c->buf + c->len, p, len < room ? len : room);
  c->len += len < room ? len : room;
  return len;
}

static long rss_kb(pid_t pid)
{
  char path[64], line[256];
  long kb = -1;
  FILE *f;

  snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
  f = fopen(path, "r");
  while (f && fgets(line, sizeof(line), f))
    if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
      break;
  if (f)
    fclose(f);
  return kb;
}

static pid_t start_mock(const char *bin, char *url, size_t size)
{
  int fds[2];
  pid_t pid;
  FILE *f;

  if (pipe(fds) < 0 || (pid = fork()) < 0)
    return -1;
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    execl(bin, bin, "--port", "0", (char *)NULL);
    _exit(127);
  }
  close(fds[1]);
  f = fdopen(fds[0], "r");
  if (!f || !fgets(url, (int)size, f))
    return -1;
  url[strcspn(url, "\n")] = '\0';
  fclose(f);
  return pid;
}

static void prepare(struct conn *c, const char *url, bool post)
{
  c->len = 0;
  curl_easy_reset(c->easy);
  curl_easy_setopt(c->easy, CURLOPT_URL, url);
  curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, c);
  curl_easy_setopt(c->easy, CURLOPT_PRIVATE, (char *)c);
  curl_easy_setopt(c->easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c->easy, CURLOPT_TIMEOUT_MS, 10000L);
  if (post)
    curl_easy_setopt(c->easy, CURLOPT_POSTFIELDS, "{\"duration\":60,\"iterations\":10}");
}

static void account(CURLMsg *m, struct stats *st)
{
  struct conn *c = NULL;
  long status = 0;

  curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&c);
  curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &status);
  c->buf[c->len] = '\0';
  if (m->data.result != CURLE_OK || status / 100 != 2) {
    if (st->failed++ < 5)
      fprintf(stderr, "load_mock: failed: %s, status %ld\n", curl_easy_strerror(m->data.result),
              status);
  } else if (c->len == 0 || c->buf[0] != '{') {
    st->bad_body++;
  } else {
    st->ok++;
  }
}

/* Runs `n` connections for `seconds`; samples RSS at a quarter and at the end. */
static void phase(CURLM *multi, struct conn *conns, int n, const char *url, bool post,
                  double seconds, pid_t pid, long rss[2], struct stats *st)
{
  double start = now_s(), end = start + seconds;
  int running = 0, left;
  bool sampled = false;
  CURLMsg *m;

  for (int i = 0; i < n; i++) {
    prepare(&conns[i], url, post);
    curl_multi_add_handle(multi, conns[i].easy);
  }
  do {
    curl_multi_perform(multi, &running);
    while ((m = curl_multi_info_read(multi, &left))) {
      struct conn *c = NULL;
      curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&c);
      account(m, st);
      curl_multi_remove_handle(multi, m->easy_handle);
      if (now_s() < end) {
        prepare(c, url, post);
        curl_multi_add_handle(multi, c->easy);
      }
    }
    if (!sampled && now_s() > start + seconds / 4) {
      rss[0] = rss_kb(pid);
      sampled = true;
    }
    curl_multi_poll(multi, NULL, 0, 100, NULL);
  } while (running > 0 || now_s() < end);
  rss[1] = rss_kb(pid);
}

static int first_operation(const char *base, char *id, size_t size)
{
  char url[512];
  struct conn c = { .easy = curl_easy_init() };
  json_t *j;
  const char *v;

  snprintf(url, sizeof(url), "%s/dummy/start", base);
  prepare(&c, url, true);
  if (curl_easy_perform(c.easy) != CURLE_OK)
    return -1;
  curl_easy_cleanup(c.easy);
  j = json_loadb(c.buf, c.len, 0, NULL);
  v = json_string_value(json_object_get(json_object_get(j, "data"), "operation_id"));
  if (v)
    snprintf(id, size, "%s", v);
  json_decref(j);
  return v ? 0 : -1;
}

int main(int argc, char **argv)
{
  int n = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 256;
  double seconds = argc > 3 ? strtod(argv[3], NULL) : 10;
  char base[256], id[128], url[512];
  struct stats get = { 0 }, post = { 0 };
  long rss_get[2], rss_post[2];
  struct conn *conns;
  CURLM *multi;
  pid_t pid;
  int status, rc = 0;

  if (argc < 2 || n < 1 || n > 1024 || seconds <= 0 || seconds > 120) {
    fprintf(stderr, "usage: load_mock PATH/TO/ktrdr-mock [CONNECTIONS<=1024] [SECONDS<=120]\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  pid = start_mock(argv[1], base, sizeof(base));
  if (pid < 0 || first_operation(base, id, sizeof(id)) < 0) {
    fprintf(stderr, "load_mock: cannot start %s or its first operation\n", argv[1]);
    return 1;
  }
  multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long)n);
  conns = calloc((size_t)n, sizeof(*conns));
  for (int i = 0; i < n; i++)
    conns[i].easy = curl_easy_init();
  snprintf(url, sizeof(url), "%s/operations/%s", base, id);
  phase(multi, conns, n, url, false, seconds, pid, rss_get, &get);
  snprintf(url, sizeof(url), "%s/dummy/start", base);
  phase(multi, conns, n, url, true, seconds / 3, pid, rss_post, &post);
  printf("load_mock: %d connections\n", n);
  printf("  GET  /operations/{id}: %ld ok, %ld failed, %ld bad bodies, %.0f req/s; RSS %ld -> %ld kB\n",
         get.ok, get.failed, get.bad_body, (double)get.ok / seconds, rss_get[0], rss_get[1]);
  printf("  POST /dummy/start:     %ld ok, %ld failed, %ld bad bodies, %.0f req/s; RSS %ld -> %ld kB"
         " (%ld new operations)\n", post.ok, post.failed, post.bad_body,
         (double)post.ok / (seconds / 3), rss_post[0], rss_post[1], post.ok);
  if (get.failed || get.bad_body || post.failed || post.bad_body || get.ok == 0 || post.ok == 0)
    rc = 1, fprintf(stderr, "load_mock: FAILED: valid requests failed\n");
  if (rss_get[1] > rss_get[0] + rss_get[0] / 10 + 1024)
    rc = 1, fprintf(stderr, "load_mock: FAILED: memory grew under a read-only load\n");
  for (int i = 0; i < n; i++)
    curl_easy_cleanup(conns[i].easy);
  free(conns);
  curl_multi_cleanup(multi);
  kill(pid, SIGTERM);
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    rc = 1, fprintf(stderr, "load_mock: FAILED: the server did not stop cleanly\n");
  curl_global_cleanup();
  return rc;
}
