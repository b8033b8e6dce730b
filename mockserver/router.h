/*
 * router: picks the handler for a method and a path from a route table.
 *
 * A pattern is a path whose segments are literal or "{name}" (any non-empty
 * segment): "/api/v1/operations/{id}/cancel". router_match walks the table
 * in order and reports, like Starlette:
 *   ROUTER_OK                a route matches method and path; its {name}
 *                            segments are in m->params, in order
 *   ROUTER_METHOD_NOT_ALLOWED  the path matches only under other methods;
 *                            m->allow lists them ("GET, DELETE")
 *   ROUTER_NOT_FOUND         no pattern matches the path
 * Captured segments are copied into the match (at most ROUTER_PARAM_BUF
 * bytes in all; longer ones do not match). Pure: safe from any thread.
 */
#ifndef KTRDR_MOCK_ROUTER_H
#define KTRDR_MOCK_ROUTER_H

#include <stddef.h>

#include "err.h"

#define ROUTER_PARAMS_MAX 2
#define ROUTER_PARAM_BUF 256

struct request;
struct http_reply;
struct routes_ctx;

/* Fills `reply`. Returns 0, or -1 with `err` for an internal failure (the
 * server then answers 500). */
typedef int (*route_fn)(const struct routes_ctx *ctx, struct request *req,
                        struct http_reply *reply, struct err *err);

struct route {
  const char *method;
  const char *pattern;
  route_fn fn;
};

enum router_status { ROUTER_OK, ROUTER_NOT_FOUND, ROUTER_METHOD_NOT_ALLOWED };

struct router_match {
  const struct route *route;               /* ROUTER_OK */
  const char *params[ROUTER_PARAMS_MAX];   /* into buf */
  size_t nparams;
  char buf[ROUTER_PARAM_BUF];
  char allow[64];                          /* ROUTER_METHOD_NOT_ALLOWED */
};

enum router_status router_match(const struct route *table, size_t n, const char *method,
                                const char *path, struct router_match *m);

#endif
