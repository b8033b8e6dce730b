/*
 * record_proxy: `ktrdr-mock record`, a reverse proxy in front of a live
 * KTRDR API that records every operation started through it as a
 * replayable scenario (docs/recording.md).
 *
 * Clients (ktrdr, the live Python CLI, curl) talk to the proxy as to the
 * API. A request for /api/v1/REST?Q goes to UPSTREAM/REST?Q (UPSTREAM as in
 * KTRDR_API_URL, e.g. http://host:8000/api/v1); any other path to the
 * upstream's origin + path. The method, the body byte for byte and the
 * headers go on, except the hop-by-hop ones (Connection, Keep-Alive,
 * Transfer-Encoding, TE, Trailer, Upgrade, Proxy-*, Host, Content-Length,
 * Expect) and Accept-Encoding (so that the recorder can read the bodies;
 * the client gets them unencoded). The status, the body and the headers of
 * the answer come back (less the hop-by-hop ones and Content-Length), so
 * the proxy adds no behaviour of its own, except:
 *   - an upstream that cannot be reached: 502 {"detail": "Upstream ... is
 *     unreachable: <why>. Check that the KTRDR API is running ..."};
 *   - no answer within the timeout: 504 with a detail;
 *   - an upstream that closes the connection without an answer: the
 *     client's connection is closed too; one whose body is cut short: the
 *     client gets the same bytes and its connection is cut as short.
 * Each connection has a thread of its own, so a slow upstream answer holds
 * up no other client. What the answers show is recorded by record_log.h
 * into <out_dir>/rec_<operation id>.yaml, rewritten as the operation goes.
 *
 *   struct record_config cfg = RECORD_CONFIG_INIT;
 *   cfg.upstream = "http://ktrdr:8000/api/v1";
 *   struct record_proxy *p = record_proxy_start(&cfg, &err);
 *   printf("%s\n", record_proxy_url(p));        // http://127.0.0.1:PORT/api/v1
 *   ...
 *   record_proxy_stop(&p);                      // waits for requests in flight
 *
 * Start and stop are for the owner's thread; the rest is thread-safe.
 */
#ifndef KTRDR_MOCK_RECORD_PROXY_H
#define KTRDR_MOCK_RECORD_PROXY_H

#include <stdbool.h>

#include "err.h"

struct record_config {
  const char *upstream;      /* the live API's base URL (required) */
  const char *out_dir;       /* where the scenarios go; created when missing */
  const char *bind_addr;     /* IPv4 address to listen on */
  unsigned short port;       /* 0 = a free port */
  bool quiet;                /* no per-request log lines on stderr */
  long timeout_ms;           /* for one upstream answer */
};

#define RECORD_CONFIG_INIT { NULL, "recordings", "127.0.0.1", 0, true, 120000 }

struct record_proxy;

/* Starts listening. NULL with `err`: ERR_INVALID for a bad upstream URL,
 * bind address or an output directory that cannot be created or written
 * (the message says which and why), ERR_IO when the port cannot be bound.
 * Freed by record_proxy_stop. */
struct record_proxy *record_proxy_start(const struct record_config *cfg, struct err *err);

/* "http://ADDR:PORT/api/v1", borrowed until record_proxy_stop. */
const char *record_proxy_url(const struct record_proxy *p);
unsigned short record_proxy_port(const struct record_proxy *p);

/* Stops listening, aborts the upstream requests in flight (their clients'
 * connections close), lets the recordings be written, frees everything and
 * sets *p to NULL. NULL and *p == NULL are accepted. */
void record_proxy_stop(struct record_proxy **p);

#endif
