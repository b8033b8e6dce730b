#include "request.h"

#include <microhttpd.h>
#include <netinet/in.h>
#include <string.h>

const char *request_arg(const struct request *req, const char *key)
{
  const char *v = req->conn ? MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key)
                            : NULL;

  return v && *v ? v : NULL;
}

const char *request_header(const struct request *req, const char *name)
{
  const char *v = req->conn ? MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name)
                            : NULL;

  return v && *v ? v : NULL;
}

bool request_is_loopback(const struct request *req)
{
  const union MHD_ConnectionInfo *ci =
      req->conn ? MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS)
                : NULL;

  return ci && request_addr_is_loopback(ci->client_addr);
}

static bool v6_is_loopback(const struct in6_addr *a)
{
  static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

  if (IN6_IS_ADDR_LOOPBACK(a))
    return true;
  return memcmp(a->s6_addr, mapped, sizeof(mapped)) == 0 && a->s6_addr[12] == 127;
}

bool request_addr_is_loopback(const struct sockaddr *sa)
{
  if (!sa)
    return false;
  if (sa->sa_family == AF_INET)
    return (ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr) >> 24) == 127;
  if (sa->sa_family == AF_INET6)
    return v6_is_loopback(&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr);
  return false;
}
