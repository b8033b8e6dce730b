/*
 * faults: scripted failures for the next matching requests.
 *
 * A fault says "the next `count` requests with this method whose path
 * starts with this prefix get this status (and Retry-After, and body)
 * instead of their normal answer". Faults are kept in the order they were
 * added; a request takes one use of the oldest matching one. Admin requests
 * (/__admin/...) are never faulted. Faulted requests are journaled with the
 * status they got.
 *
 * Over HTTP (loopback only):
 *   POST   /__admin/faults  {"method":"GET","path_prefix":"/api/v1/operations/",
 *                            "status":503,"count":3,"retry_after":1,"body":"..."}
 *   DELETE /__admin/faults
 * In process, through the server handle: mock_server_add_fault below.
 *
 * Besides a status, a fault can delay the answer (real seconds, never
 * holding up other clients), cut it short or drop the connection:
 *   "action": "reply"     (default) status + body instead of the normal answer
 *             "pass"      the normal answer (with "delay": a slow response)
 *             "truncate"  the normal answer, cut short: the connection closes
 *                         before the promised Content-Length is sent
 *             "drop"      the connection closes without an answer
 *   "delay":  seconds to wait before answering (or dropping), default 0
 * Scenario faults (scenario.h) produce the same `struct fault_hit`.
 * Thread-safe (one mutex).
 */
#ifndef KTRDR_MOCK_FAULTS_H
#define KTRDR_MOCK_FAULTS_H

#include <jansson.h>
#include <stdbool.h>

#include "err.h"

enum fault_action {
  FAULT_REPLY,     /* status + body instead of the normal answer */
  FAULT_PASS,      /* the normal answer (a delay only) */
  FAULT_TRUNCATE,  /* the normal answer, cut short */
  FAULT_DROP,      /* no answer: the connection is closed */
};

#define FAULT_MAX_DELAY_S 3600.0

struct fault_spec {
  const char *method;        /* exact, e.g. "GET"; NULL = any method */
  const char *path_prefix;   /* e.g. "/api/v1/operations/"; NULL = any path */
  int status;                /* 100..599 */
  int count;                 /* how many matching requests get it, >= 1 */
  int retry_after;           /* seconds for a Retry-After header, -1 = none */
  const char *body;          /* raw body; NULL = {"detail":"<reason phrase>"} */
  enum fault_action action;
  double delay_s;            /* real seconds before answering, 0..FAULT_MAX_DELAY_S */
};

#define FAULT_SPEC_INIT { NULL, NULL, 503, 1, -1, NULL, FAULT_REPLY, 0.0 }

/* What a faulted request gets. `body` is owned (fault_hit_release). */
struct fault_hit {
  enum fault_action action;
  int status;                /* FAULT_REPLY */
  int retry_after;           /* FAULT_REPLY: -1 = no Retry-After */
  char *body;                /* FAULT_REPLY: NULL = the default detail body */
  double delay_s;
};

#define FAULT_HIT_INIT { FAULT_REPLY, 0, -1, NULL, 0.0 }

/* "reply", "pass", "truncate", "drop" → the action; -1 when unknown. */
int fault_action_parse(const char *s);

struct faults;

struct faults *faults_new(void);
void faults_free(struct faults **f);

/* Queues a copy of `spec`. ERR_INVALID for a bad status, count or delay. */
int faults_add(struct faults *f, const struct fault_spec *spec, struct err *err);

/* If a queued fault matches, uses one of its `count`, fills `hit` and returns
 * true (release `hit` afterwards); false otherwise. */
bool faults_take(struct faults *f, const char *method, const char *path,
                 struct fault_hit *hit);
void fault_hit_release(struct fault_hit *hit);

void faults_clear(struct faults *f);

/* Reads the admin JSON form into `spec` (defaults from FAULT_SPEC_INIT).
 * The strings in `spec` are borrowed from `j`. ERR_INVALID with a message
 * naming the field. */
int faults_spec_from_json(const json_t *j, struct fault_spec *spec, struct err *err);

/* In-process admin API (implemented by server.c; thread-safe). */
struct mock_server;

/* Like POST /__admin/faults. */
int mock_server_add_fault(struct mock_server *srv, const struct fault_spec *spec,
                          struct err *err);

/* Like DELETE /__admin/faults. */
void mock_server_clear_faults(struct mock_server *srv);

/* Like POST /__admin/operations/{id}/fail: the running operation fails now
 * with `message` (NULL = "Operation failed"). ERR_NOTFOUND, ERR_STATE. */
int mock_server_fail_operation(struct mock_server *srv, const char *id,
                               const char *message, struct err *err);

#endif
