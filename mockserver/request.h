/*
 * request: what a route handler sees of one HTTP request.
 *
 * server.c fills a `struct request` when the whole request has arrived and
 * passes it to the handler the router chose. Every pointer is borrowed and
 * lives until the handler returns. A handler records which operation the
 * request concerned in `operation_id` (for the journal), either pointing at
 * a path parameter or copying a new id into `id_buf`.
 *
 * request_arg and request_header read through libmicrohttpd; the rest is
 * plain data. Safe from the server's threads (one request, one thread).
 */
#ifndef KTRDR_MOCK_REQUEST_H
#define KTRDR_MOCK_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define REQUEST_PARAMS_MAX 2
#define REQUEST_ID_MAX 96

struct request {
  const char *method;                       /* "GET", ... */
  const char *path;                         /* unescaped, without the query */
  const char *query;                        /* raw query string, "" if none */
  const char *body;                         /* NUL-terminated; "" if none */
  size_t body_len;
  const char *params[REQUEST_PARAMS_MAX];   /* {name} path segments, in order */
  const char *operation_id;                 /* set by handlers; NULL = none */
  char id_buf[REQUEST_ID_MAX];
  void *conn;                               /* struct MHD_Connection * */
};

/* The unescaped value of query parameter `key`, or NULL when absent or
 * empty. */
const char *request_arg(const struct request *req, const char *key);

/* The value of request header `name` (case-insensitive), or NULL when
 * absent or empty. */
const char *request_header(const struct request *req, const char *name);

/* Whether the client connected from a loopback address. */
bool request_is_loopback(const struct request *req);

/* 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104. */
bool request_addr_is_loopback(const struct sockaddr *sa);

#endif
