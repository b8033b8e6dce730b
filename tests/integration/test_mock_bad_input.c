/*
 * The mock server under hostile input, over raw sockets: very long paths
 * and headers, unknown methods, wrong types, huge bodies, and idle
 * half-sent requests. Each gets a clear answer or a closed connection,
 * nothing crashes, and other clients are served meanwhile.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "testlib.h"

static void setup(void) { tl_mock_start(1.0); }
static void teardown(void) { tl_mock_stop(); }

TestSuite(mock_bad_input, .init = setup, .fini = teardown, .timeout = 30);

static int connect_mock(void)
{
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(mock_server_port(tl_mock)),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  struct timeval tv = { 5, 0 };
  int fd = socket(AF_INET, SOCK_STREAM, 0);

  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
  return fd;
}

/* Sends `req` (len bytes) and reads the answer until the server closes or
 * 5 s pass. Returns the HTTP status, 0 when the connection was closed with
 * no answer. */
static int raw(const char *req, size_t len, char *resp, size_t size)
{
  int fd = connect_mock(), status = 0;
  size_t got = 0;
  ssize_t n;

  for (size_t sent = 0; sent < len; sent += (size_t)n) {
    n = send(fd, req + sent, len - sent, MSG_NOSIGNAL);
    if (n <= 0)
      break; /* the server may close early on an oversized request */
  }
  while (got + 1 < size && (n = recv(fd, resp + got, size - 1 - got, 0)) > 0)
    got += (size_t)n;
  resp[got] = '\0';
  close(fd);
  if (sscanf(resp, "HTTP/1.1 %d", &status) != 1)
    status = 0;
  return status;
}

static bool server_alive(void)
{
  struct tl_response r;
  char *url = tl_url(tl_mock_url(), "/health");
  bool ok = tl_http("GET", url, NULL, NULL, &r) == 0 && r.status == 200;

  tl_response_release(&r);
  free(url);
  return ok;
}

Test(mock_bad_input, very_long_path)
{
  size_t n = 200000;
  char *req = malloc(n + 100), resp[8192];
  int status;

  memcpy(req, "GET /api/v1/operations/", 23);
  memset(req + 23, 'a', n);
  memcpy(req + 23 + n, " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 42);
  status = raw(req, 23 + n + 42, resp, sizeof(resp));
  cr_expect(status == 0 || status == 404 || status == 414 || status == 431, "status %d: %.200s",
            status, resp);
  cr_expect(server_alive());
  free(req);
}

Test(mock_bad_input, very_long_header)
{
  size_t n = 100000;
  char *req = malloc(n + 200), resp[8192];
  int status, k;

  k = snprintf(req, 200, "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Long: ");
  memset(req + k, 'b', n);
  memcpy(req + k + n, "\r\nConnection: close\r\n\r\n", 23);
  status = raw(req, (size_t)k + n + 23, resp, sizeof(resp));
  cr_expect(status == 0 || status == 431 || status == 413 || status == 400, "status %d: %.200s",
            status, resp);
  cr_expect(server_alive());
  free(req);
}

Test(mock_bad_input, unknown_method_is_405_json)
{
  static const char req[] = "BREW /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  char resp[8192];

  cr_expect_eq(raw(req, sizeof(req) - 1, resp, sizeof(resp)), 405, "%s", resp);
  cr_expect(strstr(resp, "{\"detail\":\"Method Not Allowed\"}") ||
            strstr(resp, "{\"detail\": \"Method Not Allowed\"}"), "%s", resp);
}

Test(mock_bad_input, wrong_types_and_bad_json_are_422)
{
  static const char *const bodies[] = {
    "{\"duration\": \"soon\"}", "{\"iterations\": -3}", "[1,2,3]", "{\"duration\": ", "\xff\xfe",
  };
  char req[512], resp[8192];

  for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
    int n = snprintf(req, sizeof(req), "POST /api/v1/dummy/start HTTP/1.1\r\nHost: x\r\n"
                     "Content-Type: application/json\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n%s", strlen(bodies[i]), bodies[i]);
    cr_expect_eq(raw(req, (size_t)n, resp, sizeof(resp)), 422, "body %zu: %s", i, resp);
    cr_expect(strstr(resp, "\"detail\""), "body %zu: %s", i, resp);
  }
  cr_expect(server_alive());
}

Test(mock_bad_input, idle_half_sent_requests_do_not_block_others)
{
  int idle[20];
  char resp[8192];
  static const char health[] = "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

  for (int i = 0; i < 20; i++) {
    idle[i] = connect_mock();
    cr_assert_eq(send(idle[i], "GET /api/v1/hea", 15, MSG_NOSIGNAL), 15); /* and nothing more */
  }
  cr_expect_eq(raw(health, sizeof(health) - 1, resp, sizeof(resp)), 200, "%s", resp);
  cr_expect(server_alive());
  for (int i = 0; i < 20; i++)
    close(idle[i]);
}
