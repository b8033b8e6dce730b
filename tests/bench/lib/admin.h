/*
 * admin: the mock server's admin API as the benchmarks use it
 * (docs/mock-server.md): the request journal, whose `t_us` arrival times
 * are CLOCK_MONOTONIC microseconds comparable with timeutil_mono_us() here,
 * and the manual clock.
 *
 *   struct admin_filter f = { .method = "DELETE", .operation_id = id };
 *   json_t *list;                                  // the "requests" array
 *   admin_requests(h, srv.root, &f, &list, &err);  // new reference
 *   admin_wait(h, srv.root, &f, 1, 5000, &list, &err);
 *   admin_entry_t_us(json_array_get(list, 0));
 *   admin_clock_advance(h, srv.root, 1.0, &err);   // ERR_HTTP when unsupported
 *
 * `root` is "http://127.0.0.1:PORT". Same threading rules as hreq.
 */
#ifndef KTRDR_BENCH_ADMIN_H
#define KTRDR_BENCH_ADMIN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "hreq.h"

struct admin_filter {
  const char *method;        /* NULL = any */
  const char *path;          /* a prefix; NULL = any */
  const char *operation_id;  /* NULL = any */
  uint64_t since;            /* entries with seq > since */
};

int admin_requests(struct hreq *h, const char *root, const struct admin_filter *f,
                   json_t **list, struct err *err);

/* Polls the journal (every 2 ms) until `count` entries match or timeout_ms
 * passes: ERR_STATE then. *list as admin_requests. */
int admin_wait(struct hreq *h, const char *root, const struct admin_filter *f, size_t count,
               int timeout_ms, json_t **list, struct err *err);

/* The highest seq in the journal so far (0 when empty). */
int admin_last_seq(struct hreq *h, const char *root, uint64_t *seq, struct err *err);

/* POST /__admin/clock/advance {"seconds": s}; ERR_HTTP unless 2xx. */
int admin_clock_advance(struct hreq *h, const char *root, double seconds, struct err *err);

int64_t admin_entry_t_us(const json_t *entry);
uint64_t admin_entry_seq(const json_t *entry);
const char *admin_entry_op(const json_t *entry);   /* borrowed; NULL when none */

#endif
