#include "netaddr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int netaddr_parse(const char *addr, unsigned short port, struct sockaddr_in *sa,
                  struct err *err)
{
  addr = addr ? addr : "127.0.0.1";
  memset(sa, 0, sizeof(*sa));
  sa->sin_family = AF_INET;
  sa->sin_port = htons(port);
  if (inet_pton(AF_INET, addr, &sa->sin_addr) != 1)
    return err_set(err, ERR_INVALID,
                   "invalid bind address '%s': expected an IPv4 address such as 127.0.0.1",
                   addr);
  return 0;
}

int netaddr_explain(const struct sockaddr_in *sa, struct err *err)
{
  char addr[INET_ADDRSTRLEN] = "?";
  int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1, e = 0;

  inet_ntop(AF_INET, &sa->sin_addr, addr, sizeof(addr));
  if (fd >= 0) {
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    e = bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0 ? errno : 0;
    close(fd);
  }
  if (e)
    return err_set(err, ERR_IO,
                   "cannot listen on %s:%u: %s; choose another port (0 picks a free one)", addr,
                   ntohs(sa->sin_port), strerror(e));
  return err_set(err, ERR_IO, "cannot start the HTTP server on %s:%u", addr,
                 ntohs(sa->sin_port));
}

void netaddr_url(const struct sockaddr_in *sa, unsigned short port, char *url, size_t size)
{
  char addr[INET_ADDRSTRLEN] = "127.0.0.1";

  if (sa->sin_addr.s_addr != htonl(INADDR_ANY))
    inet_ntop(AF_INET, &sa->sin_addr, addr, sizeof(addr));
  snprintf(url, size, "http://%s:%u/api/v1", addr, port);
}
