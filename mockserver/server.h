/*
 * server: the mock KTRDR operations server (libktrdr_mock).
 *
 * Serves the live API contract (../shared/API-CONTRACT.md) on libmicrohttpd,
 * from internal threads, so a test can run the server and the client in one
 * process:
 *
 *   struct mock_config cfg = MOCK_CONFIG_INIT;   // 127.0.0.1, port 0
 *   cfg.scenarios_dir = KTRDR_SOURCE_DIR "/scenarios";   // optional
 *   cfg.clock = MOCK_CLOCK_MANUAL;                       // optional
 *   struct err err = ERR_INIT;
 *   struct mock_server *srv = mock_server_start(&cfg, &err);
 *   if (!srv) die(err.msg);
 *   printf("%s\n", mock_server_url(srv));        // http://127.0.0.1:PORT/api/v1
 *   ... clients talk to it; mock_server_journal(srv) shows what they sent ...
 *   mock_server_advance(srv, 10, &err);          // manual clock: 10 s pass
 *   mock_server_stop(&srv);                      // joins the threads, frees all, NULLs srv
 *
 * Which scenario (scenario.h, docs/scenario-format.md) an operation plays is
 * chosen when it starts: the X-Mock-Scenario header, else the scenarios'
 * match rules on the payload, else the admin selection for its operation
 * type, else that type's default. Scenarios are read once, at start: a bad
 * file makes mock_server_start fail with ERR_PARSE and a message naming the
 * file, line and column. Without a scenarios directory the built-in defaults
 * (dummy, training, data_load) are served.
 *
 * An operation's state is computed when it is asked for, from the simulated
 * time since its start (clock.h): there is no thread or timer per
 * operation. Every function here is thread-safe except start/stop, which
 * the owner calls.
 */
#ifndef KTRDR_MOCK_SERVER_H
#define KTRDR_MOCK_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "journal.h"

enum mock_clock { MOCK_CLOCK_SCALED, MOCK_CLOCK_MANUAL };

struct mock_config {
  const char *bind_addr;  /* IPv4 address to bind; default "127.0.0.1" */
  unsigned short port;    /* 0 = let the kernel pick a free port */
  double time_scale;      /* simulated seconds per real second; default 1.0 */
  size_t journal_max;     /* entries kept before the oldest are dropped */
  bool quiet;             /* no per-request log lines on stderr */
  const char *scenarios_dir;   /* *.yaml scenarios to load; NULL = built-ins only */
  enum mock_clock clock;       /* SCALED (time_scale) or MANUAL (advanced by hand) */
  const char *const *select;   /* "TYPE=SCENARIO" admin selections to start
                                * with, NULL-terminated; NULL = none */
};

#define MOCK_CONFIG_INIT { "127.0.0.1", 0, 1.0, 10000, true, NULL, MOCK_CLOCK_SCALED, NULL }

struct mock_server;

/* Starts listening and serving. NULL on failure, err says why: ERR_PARSE
 * for a bad scenario file ("FILE:LINE:COL: reason"), ERR_INVALID for a bad
 * configuration (address, time scale, scenarios directory, selection),
 * ERR_IO when the port cannot be bound. The returned handle is freed by
 * mock_server_stop. */
struct mock_server *mock_server_start(const struct mock_config *cfg, struct err *err);

/* The bound port (the real one when cfg.port was 0). */
unsigned short mock_server_port(const struct mock_server *srv);

/* "http://ADDR:PORT/api/v1", borrowed, valid until mock_server_stop. */
const char *mock_server_url(const struct mock_server *srv);

/* The request journal, borrowed, valid until mock_server_stop. */
struct mock_journal *mock_server_journal(struct mock_server *srv);

/* Like POST /__admin/clock/advance: a manual clock moves `seconds` forward.
 * ERR_STATE when the clock is not manual, ERR_INVALID for a bad amount. */
int mock_server_advance(struct mock_server *srv, double seconds, struct err *err);

/* The simulated time now, in seconds since the start (or the last reset). */
double mock_server_now(struct mock_server *srv);

/* Like PUT /__admin/scenarios/select: operations of `type` ("dummy",
 * "training", "data_load") started from now on play `scenario` unless a
 * header or match rule says otherwise; NULL clears the selection.
 * ERR_NOTFOUND for an unknown scenario, ERR_INVALID when it is for another
 * operation type. */
int mock_server_select(struct mock_server *srv, const char *type, const char *scenario,
                       struct err *err);

/* Like POST /__admin/reset: forgets every operation, the journal, the
 * queued faults and the selections, and sets the clock back to 0. */
void mock_server_reset(struct mock_server *srv);

/* Stops serving, waits for in-flight requests (delayed answers are sent at
 * once), frees everything and sets *srv to NULL. NULL and *srv == NULL are
 * accepted. */
void mock_server_stop(struct mock_server **srv);

#endif
