/*
 * routes: the mock server's endpoints and the table the router walks.
 *
 * One file per group of endpoints: routes_dummy.c (POST /dummy/start),
 * routes_operations.c (list, get, cancel), routes_misc.c (symbols, health),
 * routes_admin.c (/__admin: journal, faults, fail). Every handler has the
 * route_fn signature (router.h): it reads the request, fills the reply with
 * the live status and body, and sets req->operation_id when the request
 * concerns an operation. Handlers run concurrently on the server's threads;
 * the shared state behind `ctx` is thread-safe.
 */
#ifndef KTRDR_MOCK_ROUTES_H
#define KTRDR_MOCK_ROUTES_H

#include <stddef.h>

#include "err.h"
#include "http_reply.h"
#include "journal.h"
#include "operation.h"
#include "request.h"
#include "router.h"

struct store;
struct faults;

struct routes_ctx {
  struct store *store;
  struct mock_journal *journal;
  struct faults *faults;
};

/* Every endpoint, API and admin. */
extern const struct route routes_table[];
extern const size_t routes_count;

/* The path prefix of the admin API: loopback only, never journaled or faulted. */
#define ROUTES_ADMIN_PREFIX "/__admin/"

/* 404 {"detail":"Operation not found: <id>"}. */
void routes_operation_not_found(struct http_reply *reply, const char *id);

/* "OperationStatus.COMPLETED", Python 3.11's str() of the status enum. */
void routes_status_enum(enum op_status st, char *buf, size_t size);

int routes_dummy_start(const struct routes_ctx *ctx, struct request *req,
                       struct http_reply *reply, struct err *err);

int routes_operations_list(const struct routes_ctx *ctx, struct request *req,
                           struct http_reply *reply, struct err *err);
int routes_operations_get(const struct routes_ctx *ctx, struct request *req,
                          struct http_reply *reply, struct err *err);
int routes_operations_cancel(const struct routes_ctx *ctx, struct request *req,
                             struct http_reply *reply, struct err *err);

int routes_symbols(const struct routes_ctx *ctx, struct request *req,
                   struct http_reply *reply, struct err *err);
int routes_health(const struct routes_ctx *ctx, struct request *req,
                  struct http_reply *reply, struct err *err);

int routes_admin_requests(const struct routes_ctx *ctx, struct request *req,
                          struct http_reply *reply, struct err *err);
int routes_admin_requests_clear(const struct routes_ctx *ctx, struct request *req,
                                struct http_reply *reply, struct err *err);
int routes_admin_faults_add(const struct routes_ctx *ctx, struct request *req,
                            struct http_reply *reply, struct err *err);
int routes_admin_faults_clear(const struct routes_ctx *ctx, struct request *req,
                              struct http_reply *reply, struct err *err);
int routes_admin_fail(const struct routes_ctx *ctx, struct request *req,
                      struct http_reply *reply, struct err *err);

#endif
