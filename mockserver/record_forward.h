/*
 * record_forward: one request passed on to the upstream API, for the
 * record proxy (record_proxy.h). The mock's only libcurl user: libcurl's
 * codes become `enum forward_result` here and go no further.
 *
 *   struct forward_request rq = { "GET", url, headers, NULL, 0, 60000, &stopping };
 *   struct forward_answer an = FORWARD_ANSWER_INIT;
 *   forward_send(&rq, &an);                  // blocks until done
 *   ... an.result, an.status, an.headers, an.body ...
 *   forward_answer_release(&an);
 *
 * The request goes out as the client sent it: the method, the body byte for
 * byte, the given headers and no others (libcurl's own Accept, Content-Type
 * and Expect are suppressed when the client did not send them). Each
 * request has a connection of its own, so libcurl never silently resends a
 * request whose connection broke: what the upstream did to it is what the
 * client sees. Redirects are not followed; bodies are not decoded.
 *
 * Thread-safe (a libcurl handle per call); forward_global_init must have
 * been called once before.
 */
#ifndef KTRDR_MOCK_RECORD_FORWARD_H
#define KTRDR_MOCK_RECORD_FORWARD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

enum forward_result {
  FORWARD_OK,           /* a whole answer */
  FORWARD_UNREACHABLE,  /* nothing was sent: connection refused, unknown host, ... */
  FORWARD_TIMEOUT,      /* no answer within the timeout */
  FORWARD_DROPPED,      /* the connection closed without an answer */
  FORWARD_TRUNCATED,    /* an answer whose body was cut short */
};

struct forward_request {
  const char *method;
  const char *url;
  const char *const *headers;  /* "Name: value", NULL-terminated; may be NULL */
  const char *body;            /* may be NULL */
  size_t body_len;
  long timeout_ms;             /* the whole exchange */
  const atomic_bool *abort;    /* when it becomes true the transfer stops (DROPPED) */
};

struct forward_header {
  char *name, *value;
};

struct forward_answer {
  enum forward_result result;
  char error[256];             /* what went wrong, when not FORWARD_OK */
  int status;                  /* 0 when no answer arrived */
  struct forward_header *headers;   /* of the final answer, in order */
  size_t nheaders;
  struct buf body;             /* what arrived of the body */
  int64_t declared;            /* the Content-Length promised; -1 unknown */
  int64_t sent_us, done_us;    /* CLOCK_MONOTONIC */
};

#define FORWARD_ANSWER_INIT { FORWARD_OK, "", 0, NULL, 0, BUF_INIT, -1, 0, 0 }

/* libcurl's global set-up and clean-up: once per process, before any
 * thread uses forward_send / after the last. 0, or -1 with `err`. */
int forward_global_init(struct err *err);
void forward_global_cleanup(void);

/* Sends the request and waits for the answer (or the failure) in *an. */
void forward_send(const struct forward_request *rq, struct forward_answer *an);

/* The first header named `name` (any case), or NULL. */
const char *forward_header(const struct forward_answer *an, const char *name);

void forward_answer_release(struct forward_answer *an);

/*
 * Checks an upstream URL (http or https, with a host) and splits it:
 * `base` gets scheme://host[:port]/path without user, query or fragment
 * (with /api/v1 appended when the path has no /api/, as the client does),
 * `origin` the same without the path. Both malloc'ed. ERR_INVALID with a
 * message saying what is expected.
 */
int forward_parse_upstream(const char *url, char **base, char **origin, struct err *err);

#endif
