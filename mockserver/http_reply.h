/*
 * http_reply: one HTTP response, built by a handler, sent by the server.
 *
 * The module that talks to libmicrohttpd's response API (the record proxy,
 * record_proxy.c, builds its pass-through answers itself). A handler
 * fills a `struct http_reply` with a status and a JSON body (or, for a fault,
 * a raw body); server.c sends it with http_reply_queue, which adds the
 * headers every live response carries: `Content-Type: application/json` and
 * `X-Process-Time: 0.42ms` (time since the request arrived).
 *
 *   struct http_reply r = HTTP_REPLY_INIT;
 *   http_reply_json(&r, 200, json_pack(...));   // steals the reference
 *   http_reply_queue(conn, &r, arrival_us);
 *   http_reply_release(&r);
 *
 * A reply can also carry a fault (faults.h): a delay before it is sent (the
 * server suspends the connection meanwhile), a truncated body (the
 * Content-Length promises more than is sent, then the connection closes) or
 * no answer at all (the connection is dropped).
 *
 * Setting a body twice replaces (and frees) the first one. Not thread-safe
 * for one reply; no shared state.
 */
#ifndef KTRDR_MOCK_HTTP_REPLY_H
#define KTRDR_MOCK_HTTP_REPLY_H

#include <jansson.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "faults.h"

struct MHD_Connection;

struct http_reply {
  int status;          /* 0 until a body is set */
  json_t *json;        /* owned; serialised compactly */
  char *raw;           /* owned; sent verbatim instead of `json` when set */
  size_t raw_len;
  int retry_after;     /* seconds for a Retry-After header; -1 = none */
  char allow[64];      /* Allow header (405), "" = none */
  double delay_s;      /* real seconds before it is sent */
  bool drop;           /* close the connection instead of answering */
  bool truncate;       /* send part of the body, then close the connection */
};

#define HTTP_REPLY_INIT { 0, NULL, NULL, 0, -1, "", 0.0, false, false }

/* Sets the status and the body; `json` is stolen (NULL sends "null"). */
void http_reply_json(struct http_reply *r, int status, json_t *json);

/* {"detail": "<text>"}, FastAPI's HTTPException body. */
void http_reply_detail(struct http_reply *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A body already serialised (taken over: malloc'ed, `len` bytes). */
void http_reply_text(struct http_reply *r, int status, char *text, size_t len);

/* A raw body (copied), sent as is: faults use it for malformed JSON. */
void http_reply_raw(struct http_reply *r, int status, const char *body);

/* Applies a fault: FAULT_REPLY sets the status, Retry-After and body (the
 * hit's raw body, or {"detail":"<reason phrase>"}); the other actions set
 * the flags and leave the answer to the handler. The delay adds up. */
void http_reply_fault(struct http_reply *r, const struct fault_hit *hit);

/* "Service Unavailable" for 503, ... ("Unknown" for codes MHD doesn't name). */
const char *http_reply_reason(int status);

/* Queues the reply on `conn` with the standard headers. `arrival_us` is the
 * request's CLOCK_MONOTONIC arrival time, for X-Process-Time. Consumes the
 * body (the reply may still be released). 0, or -1 if MHD refused. */
int http_reply_queue(struct MHD_Connection *conn, struct http_reply *r,
                     int64_t arrival_us);

void http_reply_release(struct http_reply *r);

/* A truncated answer: MHD announces `declared` bytes (-1: unknown, chunked)
 * and sends only the first `keep` of `body` (malloc'ed, taken even on
 * failure), then closes the connection. NULL when out of memory. */
struct MHD_Response;
struct MHD_Response *http_reply_cut_response(char *body, size_t keep, int64_t declared);

#endif
