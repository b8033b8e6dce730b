/*
 * bare_client: the floor for the client's start-up, memory and CPU. The
 * least a libcurl + jansson program can do to run a dummy operation the way
 * ktrdr does: POST /dummy/start, then GET /operations/{id} on a 300 ms grid
 * (curl_multi_poll for the waits, one keep-alive connection), the status
 * line redrawn with "\r" on every poll, until the operation ends. No project
 * code, no options file, no progress bar, no signal handling, no retries.
 * bench_startup and bench_cadence run it beside ktrdr, so the difference
 * between the two is what ktrdr's own code costs; what is left is the price
 * of Debian's libcurl (its 30-odd libraries loaded and relocated at exec)
 * and of the machine.
 *
 *   bare_client --url URL [--detach] [dummy start] [--duration S] [--iterations N]
 *
 * The arguments mirror ktrdr's so that the benchmarks can run either.
 * Exit 0 when the operation was started (--detach) or has ended, 1 on any
 * failure.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define POLL_MS 300

struct body {
  char *text;
  size_t len;
};

static size_t on_data(char *data, size_t size, size_t n, void *user)
{
  struct body *b = user;
  char *grown = realloc(b->text, b->len + size * n + 1);

  if (!grown)
    return 0;
  memcpy(grown + b->len, data, size * n);
  b->text = grown;
  b->len += size * n;
  b->text[b->len] = '\0';
  return size * n;
}

static long now_ms(void)
{
  struct timespec t;

  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* One transfer through the multi handle, as ktrdr's executor makes them. */
static json_t *transfer(CURLM *multi, CURL *easy, struct body *b)
{
  int running = 1;

  b->len = 0;
  curl_multi_add_handle(multi, easy);
  while (running && curl_multi_perform(multi, &running) == CURLM_OK)
    if (running)
      curl_multi_poll(multi, NULL, 0, 1000, NULL);
  curl_multi_remove_handle(multi, easy);
  return b->text ? json_loads(b->text, 0, NULL) : NULL;
}

static bool ended(const char *status)
{
  return status && (!strcmp(status, "completed") || !strcmp(status, "failed") ||
                    !strcmp(status, "cancelled"));
}

static int follow(CURLM *multi, CURL *easy, struct body *b, const char *url, const char *id)
{
  char op_url[1024];
  long t0 = now_ms(), k = 0;

  snprintf(op_url, sizeof(op_url), "%s/operations/%s", url, id);
  curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(easy, CURLOPT_URL, op_url);
  for (;;) {
    json_t *doc = transfer(multi, easy, b), *data = json_object_get(doc, "data");
    const char *status = json_string_value(json_object_get(data, "status"));
    const char *step = json_string_value(
        json_object_get(json_object_get(data, "progress"), "current_step"));
    bool done = ended(status);
    long wait;

    printf("\r%s - %s\033[K", status ? status : "?", step ? step : "");
    fflush(stdout);
    json_decref(doc);
    if (done || !status)
      break;
    wait = t0 + ++k * POLL_MS - now_ms();
    if (wait > 0)
      curl_multi_poll(multi, NULL, 0, (int)wait, NULL);
  }
  printf("\n");
  return 0;
}

int main(int argc, char **argv)
{
  const char *url = NULL, *duration = NULL, *iterations = NULL;
  char start_url[1024], payload[128];
  struct curl_slist *headers;
  struct body b = { NULL, 0 };
  bool detach = false;
  json_t *doc;
  const char *id;
  CURLM *multi;
  CURL *easy;
  int rc = 1;

  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--url") && i + 1 < argc)
      url = argv[++i];
    else if (!strcmp(argv[i], "--duration") && i + 1 < argc)
      duration = argv[++i];
    else if (!strcmp(argv[i], "--iterations") && i + 1 < argc)
      iterations = argv[++i];
    else if (!strcmp(argv[i], "--detach"))
      detach = true;
  }
  if (!url) {
    fprintf(stderr, "usage: bare_client --url URL [--detach] [--duration S] [--iterations N]\n");
    return 1;
  }
  snprintf(payload, sizeof(payload), "{\"duration\":%s,\"iterations\":%s}",
           duration ? duration : "200", iterations ? iterations : "100");
  snprintf(start_url, sizeof(start_url), "%s/dummy/start", url);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  easy = curl_easy_init();
  multi = curl_multi_init();
  headers = curl_slist_append(NULL, "Content-Type: application/json");
  curl_easy_setopt(easy, CURLOPT_URL, start_url);
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, payload);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &b);
  doc = transfer(multi, easy, &b);
  id = json_string_value(json_object_get(json_object_get(doc, "data"), "operation_id"));
  if (id) {
    printf("%s\n", id);
    rc = detach ? 0 : follow(multi, easy, &b, url, id);
  }
  json_decref(doc);
  curl_slist_free_all(headers);
  curl_multi_cleanup(multi);
  curl_easy_cleanup(easy);
  curl_global_cleanup();
  free(b.text);
  return rc;
}
