/*
 * hreq: blocking HTTP requests from a benchmark to a local server, over one
 * libcurl easy handle so the connection is kept alive between requests
 * (the scale benchmark times them; the others read the admin API).
 *
 *   struct hreq *h = hreq_new();               // NULL when libcurl fails
 *   struct hreq_resp r = HREQ_RESP_INIT;
 *   hreq_do(h, "GET", url, NULL, &r, &err);    // r.status, r.body, r.elapsed_us
 *   hreq_json(h, "POST", url, "{}", &status, &json, &err);
 *   hreq_resp_release(&r);
 *   hreq_free(&h);
 *
 * curl_global_init is the caller's (once, in main). A handle is for one
 * thread. Bodies are JSON ("Content-Type: application/json").
 */
#ifndef KTRDR_BENCH_HREQ_H
#define KTRDR_BENCH_HREQ_H

#include <jansson.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

struct hreq;

struct hreq_resp {
  long status;          /* 0 until a response arrived */
  struct buf body;
  int64_t elapsed_us;   /* CLOCK_MONOTONIC around the whole request */
};
#define HREQ_RESP_INIT { 0, BUF_INIT, 0 }

struct hreq *hreq_new(void);
void hreq_free(struct hreq **h);
void hreq_resp_release(struct hreq_resp *r);

/* One request; body may be NULL. 0 when a response arrived (any status),
 * -1 with ERR_NET when none did. `r` is reset first. */
int hreq_do(struct hreq *h, const char *method, const char *url, const char *body,
            struct hreq_resp *r, struct err *err);

/* The same, the body parsed as JSON into *out (new reference; NULL when
 * not JSON) and the status into *status. -1 when no response arrived. */
int hreq_json(struct hreq *h, const char *method, const char *url, const char *body,
              long *status, json_t **out, struct err *err);

/* "%s" with every byte outside [A-Za-z0-9._~-] percent-encoded, appended to b. */
int hreq_escape(struct buf *b, const char *s);

#endif
