/*
 * routes: the mock server's endpoints and the table the router walks.
 *
 * One file per group of endpoints: routes_dummy.c (POST /dummy/start),
 * routes_training.c (start, performance), routes_data.c (data load,
 * acquire/download), routes_operations.c (list, get, cancel, results),
 * routes_misc.c (symbols, health), routes_admin.c (/__admin: journal,
 * faults, fail, reset, clock) and routes_admin_scenarios.c (scenarios,
 * selection). Start endpoints go through launch.h. Every handler has the
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
#include "timeline.h"

struct store;
struct faults;
struct clock;
struct catalog;

struct routes_ctx {
  struct store *store;
  struct mock_journal *journal;
  struct faults *faults;
  struct clock *clock;
  struct catalog *catalog;
};

/* POST /__admin/reset in process: operations, journal, faults, selections
 * and start counters forgotten, clock back to 0. */
void routes_reset(const struct routes_ctx *ctx);

/* Every endpoint, API and admin. */
extern const struct route routes_table[];
extern const size_t routes_count;

/* The path prefix of the admin API: loopback only, never journaled or faulted. */
#define ROUTES_ADMIN_PREFIX "/__admin/"

/* 404 {"detail":"Operation not found: <id>"}. */
void routes_operation_not_found(struct http_reply *reply, const char *id);

/* Counts a request about operation `id` and applies its scenario's fault
 * for the `kind`-th such request (timeline.h): true when the fault is the
 * whole answer (the reply is set); false to answer normally, the reply then
 * perhaps carrying a delay, a cut or a drop. An unknown id is not faulted. */
bool routes_fault(const struct routes_ctx *ctx, const char *id, enum timeline_request kind,
                  struct http_reply *reply);

/* An admin request's body as JSON (NULL when empty, else a new
 * reference); -1 with a 400 reply for malformed JSON. */
int routes_admin_json(const struct request *req, struct http_reply *reply, json_t **out);

/* "OperationStatus.COMPLETED", Python 3.11's str() of the status enum. */
void routes_status_enum(enum op_status st, char *buf, size_t size);

int routes_dummy_start(const struct routes_ctx *ctx, struct request *req,
                       struct http_reply *reply, struct err *err);

int routes_training_start(const struct routes_ctx *ctx, struct request *req,
                          struct http_reply *reply, struct err *err);
int routes_training_performance(const struct routes_ctx *ctx, struct request *req,
                                struct http_reply *reply, struct err *err);

int routes_data_load(const struct routes_ctx *ctx, struct request *req,
                     struct http_reply *reply, struct err *err);
int routes_data_acquire(const struct routes_ctx *ctx, struct request *req,
                        struct http_reply *reply, struct err *err);

int routes_operations_list(const struct routes_ctx *ctx, struct request *req,
                           struct http_reply *reply, struct err *err);
int routes_operations_get(const struct routes_ctx *ctx, struct request *req,
                          struct http_reply *reply, struct err *err);
int routes_operations_cancel(const struct routes_ctx *ctx, struct request *req,
                             struct http_reply *reply, struct err *err);
int routes_operations_results(const struct routes_ctx *ctx, struct request *req,
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
int routes_admin_reset(const struct routes_ctx *ctx, struct request *req,
                       struct http_reply *reply, struct err *err);
int routes_admin_scenarios(const struct routes_ctx *ctx, struct request *req,
                           struct http_reply *reply, struct err *err);
int routes_admin_select(const struct routes_ctx *ctx, struct request *req,
                        struct http_reply *reply, struct err *err);
int routes_admin_unselect(const struct routes_ctx *ctx, struct request *req,
                          struct http_reply *reply, struct err *err);
int routes_admin_clock(const struct routes_ctx *ctx, struct request *req,
                       struct http_reply *reply, struct err *err);
int routes_admin_clock_advance(const struct routes_ctx *ctx, struct request *req,
                               struct http_reply *reply, struct err *err);

#endif
