/*
 * testlib: helpers shared by the Criterion suites.
 *
 * - tl_http: one blocking HTTP request with libcurl (tests only; the client
 *   proper goes through client/http.c).
 * - tl_capture: a stream whose contents a test reads back (open_memstream).
 * - tl_wait_until: poll a condition with a deadline, never a bare sleep.
 * - tl_mock_*: an in-process mock server on port 0 for a suite fixture.
 */
#ifndef KTRDR_TESTLIB_H
#define KTRDR_TESTLIB_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "journal.h"
#include "server.h"

struct tl_response {
  long status;         /* 0 when the transfer failed */
  char *body;          /* NUL-terminated, caller frees with tl_response_release */
  size_t len;
  char *headers;       /* raw response headers */
  json_t *json;        /* parsed body, or NULL */
};

/* method: "GET", "POST", ...; body may be NULL; extra_header may be NULL
 * ("X-Mock-Scenario: foo"). Returns 0 when a response arrived. */
int tl_http(const char *method, const char *url, const char *body,
            const char *extra_header, struct tl_response *resp);
void tl_response_release(struct tl_response *resp);

/* "%s%s": base URL + path, into a static-per-call buffer the caller frees. */
char *tl_url(const char *base, const char *path);

struct tl_capture {
  FILE *f;
  char *data;
  size_t len;
};
FILE *tl_capture_open(struct tl_capture *c);
/* Flushes and returns the text so far (borrowed until the next call/close). */
const char *tl_capture_text(struct tl_capture *c);
void tl_capture_close(struct tl_capture *c);

#define TL_N(a) (sizeof(a) / sizeof((a)[0]))

/* The parameters 0..n-1 (at most 256) for a ParameterizedTest over a table:
 * Criterion runs each parameter in a new process, where the runner's
 * pointers are not valid, so tests pass indices into their table. */
struct criterion_test_params tl_index_params(size_t n);

/* The whole file (asserts that it can be read); the caller frees it. */
char *tl_slurp(const char *path);

/* Calls cond(arg) every few milliseconds until true or timeout_ms passes. */
bool tl_wait_until(bool (*cond)(void *arg), void *arg, int timeout_ms);

/* False under valgrind, where everything runs 20-50x slower: tests then
 * skip their millisecond bounds (the plain and ASan runs assert them). */
bool tl_timing_strict(void);

/* The suite's server: started by tl_mock_start(time_scale), stopped by tl_mock_stop. */
extern struct mock_server *tl_mock;
void tl_mock_start(double time_scale);
void tl_mock_stop(void);
const char *tl_mock_url(void);

/* Ctrl+C for the in-process client: a thread that sends SIGINT to this
 * process once tl_mock's journal holds `count` requests matching `filter`
 * (its strings must outlive the thread), right after calling `before` (may
 * be NULL). It gives up silently after 10 s; the test's own assertions then
 * fail.
 *
 *   struct tl_sigint s = { .filter = { .method = "GET" }, .count = 3 };
 *   tl_sigint_start(&s);  ... run the client ...  tl_sigint_join(&s);
 */
struct tl_sigint {
  pthread_t thread;
  struct journal_filter filter;
  size_t count;
  void (*before)(void);
};
void tl_sigint_start(struct tl_sigint *s);
void tl_sigint_join(struct tl_sigint *s);

/* ---- child processes (end-to-end tests) ------------------------------- */

struct tl_proc {
  int pid;
  int fd;             /* pty master (tl_spawn_pty) or stdout+stderr pipe (tl_spawn) */
  struct tl_capture_buf { char *data; size_t len, cap; } text; /* all read so far */
};

/* Runs argv[0] (a path) in a new pseudo-terminal of 80x24 columns, with the
 * extra environment `env` ("K=V" strings, NULL-terminated, may be NULL). */
int tl_spawn_pty(struct tl_proc *p, char *const argv[], char *const env[]);
/* The same with stdout and stderr on one pipe (not a terminal). */
int tl_spawn(struct tl_proc *p, char *const argv[], char *const env[]);
/* Reads until `needle` has been seen (in everything read so far) or
 * timeout_ms passes; true if seen. NULL needle: read until EOF. */
bool tl_proc_read_until(struct tl_proc *p, const char *needle, int timeout_ms);
/* Waits for the process to exit, at most timeout_ms, reading its output
 * meanwhile; then kills it (SIGKILL) if still there. Returns the exit code,
 * 128+signal if killed by a signal, -1 on timeout. */
int tl_proc_wait(struct tl_proc *p, int timeout_ms);
void tl_proc_release(struct tl_proc *p);

#endif
