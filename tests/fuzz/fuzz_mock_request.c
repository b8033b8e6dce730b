/*
 * libFuzzer: the mock server's request handling. The input is
 * "METHOD PATH?QUERY\n" followed by the body; it is sent over loopback to an
 * in-process server (started once), which must answer every request with a
 * JSON body and stay up. A crash in a server thread aborts the fuzzer.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "server.h"

static struct mock_server *srv;

static int connect_server(void)
{
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(mock_server_port(srv)),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  struct timeval tv = { 2, 0 };
  int fd = socket(AF_INET, SOCK_STREAM, 0);

  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* Keeps what is safe to put on a request line: no spaces, CR, LF or NUL. */
static void clean_line(char *s)
{
  for (; *s; s++)
    if (*s == ' ' || *s == '\r' || (unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
      *s = '_';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const uint8_t *nl = memchr(data, '\n', size);
  char line[512] = "GET", target[1024] = "/", req[2048], resp[4096];
  size_t head = nl ? (size_t)(nl - data) : size, body_len = nl ? size - head - 1 : 0;
  int fd, n;

  if (!srv) {
    struct mock_config cfg = MOCK_CONFIG_INIT;
    srv = mock_server_start(&cfg, NULL);
    if (!srv)
      abort();
  }
  if (head >= sizeof(line))
    return 0;
  memcpy(line, data, head);
  line[head] = '\0';
  if (sscanf(line, "%15s %1000s", req, target) < 1)
    return 0;
  clean_line(req);
  clean_line(target);
  if (target[0] != '/')
    return 0;
  fd = connect_server();
  if (fd < 0)
    abort(); /* the server stopped accepting */
  n = snprintf(line, sizeof(line), "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
               "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n", req, target,
               body_len);
  if (write(fd, line, (size_t)n) != n || (body_len && write(fd, nl + 1, body_len) < 0)) {
    close(fd);
    return 0;
  }
  n = (int)read(fd, resp, sizeof(resp) - 1);
  close(fd);
  if (n > 0) {
    resp[n] = '\0';
    if (strncmp(resp, "HTTP/1.1 ", 9) != 0)
      abort();
  }
  return 0;
}
