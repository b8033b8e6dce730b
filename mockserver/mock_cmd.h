/*
 * mock_cmd: the things the ktrdr-mock binary does, for main.c.
 *
 * mock_cmd_serve  starts a server, prints its base URL as the first line of
 *                 `out` (flushed), serves until SIGINT or SIGTERM, stops.
 * mock_cmd_exec   starts a server on a free port, runs a command with
 *                 KTRDR_API_URL set to the server's URL, stops the server
 *                 when the command ends and reports its exit status.
 * mock_cmd_record starts the record proxy (record_proxy.h), prints its base
 *                 URL like serve, records until SIGINT or SIGTERM, stops
 *                 (the recordings are complete on disk).
 *
 * All block the signals they wait for before the server's threads start
 * (so only the calling thread receives them, through sigwait) and restore
 * the signal mask before returning. They must be called from the main
 * thread of a process with no other threads. Not reentrant.
 */
#ifndef KTRDR_MOCK_CMD_H
#define KTRDR_MOCK_CMD_H

#include <stdio.h>

#include "err.h"
#include "record_proxy.h"
#include "server.h"

/* 0 after a clean stop on a signal; -1 with `err` when the server cannot
 * start or `out` cannot be written. */
int mock_cmd_serve(const struct mock_config *cfg, FILE *out, struct err *err);

/* 0 after a clean stop on a signal; -1 with `err` when the proxy cannot
 * start (ERR_INVALID: a bad upstream URL or output directory) or `out`
 * cannot be written. */
int mock_cmd_record(const struct record_config *cfg, FILE *out, struct err *err);

/*
 * Runs argv[0] (searched in PATH) with argv, like system(3): while it runs
 * this process ignores SIGINT and SIGQUIT, so a Ctrl+C in the terminal
 * reaches only the command (which can still talk to the server), and
 * forwards SIGTERM and SIGHUP to it. The command gets the default
 * disposition for those signals and the caller's signal mask.
 * *status receives the command's exit status, 128 + N if it died of signal
 * N. Returns 0 when the command ran; -1 with `err` otherwise, *status being
 * 127 when the command could not be started and 1 when the server could not.
 */
int mock_cmd_exec(const struct mock_config *cfg, char *const argv[], int *status,
                  struct err *err);

#endif
