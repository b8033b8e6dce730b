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
 * A later scenario engine generalises this (delays, dropped connections);
 * this module stays the store of pending faults. Thread-safe (one mutex).
 */
#ifndef KTRDR_MOCK_FAULTS_H
#define KTRDR_MOCK_FAULTS_H

#include <jansson.h>
#include <stdbool.h>

#include "err.h"

struct fault_spec {
  const char *method;        /* exact, e.g. "GET"; NULL = any method */
  const char *path_prefix;   /* e.g. "/api/v1/operations/"; NULL = any path */
  int status;                /* 100..599 */
  int count;                 /* how many matching requests get it, >= 1 */
  int retry_after;           /* seconds for a Retry-After header, -1 = none */
  const char *body;          /* raw body; NULL = {"detail":"<reason phrase>"} */
};

#define FAULT_SPEC_INIT { NULL, NULL, 503, 1, -1, NULL }

/* What a faulted request gets. `body` is owned (fault_hit_release). */
struct fault_hit {
  int status;
  int retry_after;
  char *body;                /* NULL = the default detail body */
};

struct faults;

struct faults *faults_new(void);
void faults_free(struct faults **f);

/* Queues a copy of `spec`. ERR_INVALID for a bad status or count. */
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
