/*
 * srvproc: a server process the benchmarks talk to (ktrdr-mock, bare_mhd),
 * started with "--port 0" and known by the URL it prints as the first line
 * on stdout.
 *
 *   struct srvproc s = SRVPROC_INIT;
 *   const char *args[] = { "--time-scale", "2", NULL };
 *   srvproc_start(&s, KTRDR_MOCK_BIN, args, cpu, 0, &err);  // cpu -1 = not pinned
 *   s.url   "http://127.0.0.1:41385/api/v1"   (as printed)
 *   s.root  "http://127.0.0.1:41385"          (scheme, host and port)
 *   s.proc.pid
 *   srvproc_stop(&s);                          // SIGTERM by PID, reaped
 *
 * A server that exits before printing a URL (an option it does not know)
 * is an ERR_INVALID with its exit status in the message, so callers can
 * fall back; SRVPROC_QUIET sends its stderr to /dev/null for such probes.
 * Not thread-safe.
 */
#ifndef KTRDR_BENCH_SRVPROC_H
#define KTRDR_BENCH_SRVPROC_H

#include "child.h"
#include "err.h"

#define SRVPROC_URL_MAX 160

struct srvproc {
  struct child proc;
  char url[SRVPROC_URL_MAX];
  char root[SRVPROC_URL_MAX];
};
#define SRVPROC_INIT { CHILD_INIT, "", "" }

#define SRVPROC_QUIET 1

/* `args` (NULL-terminated, may be NULL) come after "--port 0". */
int srvproc_start(struct srvproc *s, const char *bin, const char *const *args, int cpu,
                  int flags, struct err *err);
void srvproc_stop(struct srvproc *s);

#endif
