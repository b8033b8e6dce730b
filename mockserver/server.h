/*
 * server: the mock KTRDR operations server (libktrdr_mock).
 *
 * Serves the live API contract (../shared/API-CONTRACT.md) on libmicrohttpd,
 * from internal threads, so a test can run the server and the client in one
 * process:
 *
 *   struct mock_config cfg = MOCK_CONFIG_INIT;   // 127.0.0.1, port 0
 *   struct err err = ERR_INIT;
 *   struct mock_server *srv = mock_server_start(&cfg, &err);
 *   if (!srv) die(err.msg);
 *   printf("%s\n", mock_server_url(srv));        // http://127.0.0.1:PORT/api/v1
 *   ... clients talk to it; mock_server_journal(srv) shows what they sent ...
 *   mock_server_stop(&srv);                      // joins the threads, frees all, NULLs srv
 *
 * An operation's state is computed when it is asked for, from the elapsed
 * time multiplied by `time_scale`: there is no thread or timer per operation.
 * Every function here is thread-safe except start/stop, which the owner calls.
 */
#ifndef KTRDR_MOCK_SERVER_H
#define KTRDR_MOCK_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "journal.h"

struct mock_config {
  const char *bind_addr;  /* IPv4 address to bind; default "127.0.0.1" */
  unsigned short port;    /* 0 = let the kernel pick a free port */
  double time_scale;      /* simulated seconds per real second; default 1.0 */
  size_t journal_max;     /* entries kept before the oldest are dropped */
  bool quiet;             /* no per-request log lines on stderr */
};

#define MOCK_CONFIG_INIT { "127.0.0.1", 0, 1.0, 10000, true }

struct mock_server;

/* Starts listening and serving. NULL on failure (err says why: bad address,
 * port in use, ...). The returned handle is freed by mock_server_stop. */
struct mock_server *mock_server_start(const struct mock_config *cfg, struct err *err);

/* The bound port (the real one when cfg.port was 0). */
unsigned short mock_server_port(const struct mock_server *srv);

/* "http://ADDR:PORT/api/v1", borrowed, valid until mock_server_stop. */
const char *mock_server_url(const struct mock_server *srv);

/* The request journal, borrowed, valid until mock_server_stop. */
struct mock_journal *mock_server_journal(struct mock_server *srv);

/* Stops serving, waits for in-flight requests, frees everything and sets
 * *srv to NULL. NULL and *srv == NULL are accepted. */
void mock_server_stop(struct mock_server **srv);

#endif
