/*
 * netaddr: the listening address of the mock's HTTP servers (server.h and
 * the record proxy, record_proxy.h): parsed from the options, explained
 * when it cannot be bound, and printed as the base URL clients use.
 *
 *   struct sockaddr_in sa;
 *   if (netaddr_parse("127.0.0.1", 0, &sa, &err) < 0) ... ERR_INVALID ...
 *   ... daemon = MHD_start_daemon(..., &sa, ...) ...
 *   if (!daemon) netaddr_explain(&sa, &err);      // ERR_IO, says why
 *   netaddr_url(&sa, bound_port, url, sizeof(url));   // http://127.0.0.1:PORT/api/v1
 *
 * Pure functions (netaddr_explain binds a probe socket); thread-safe.
 */
#ifndef KTRDR_MOCK_NETADDR_H
#define KTRDR_MOCK_NETADDR_H

#include <netinet/in.h>
#include <stddef.h>

#include "err.h"

/* An IPv4 address (NULL: 127.0.0.1) and port. ERR_INVALID for a bad one. */
int netaddr_parse(const char *addr, unsigned short port, struct sockaddr_in *sa,
                  struct err *err);

/* Why a server could not listen on `sa` (a probe bind usually tells):
 * ERR_IO with what to do. Returns -1. */
int netaddr_explain(const struct sockaddr_in *sa, struct err *err);

/* "http://ADDR:PORT/api/v1"; 0.0.0.0 is written 127.0.0.1. */
void netaddr_url(const struct sockaddr_in *sa, unsigned short port, char *url, size_t size);

#endif
