/*
 * child: the benchmarks' child processes (the client, the servers, wrk),
 * started with fork/exec and always stopped by their PID, never by name.
 *
 *   struct child c = CHILD_INIT;
 *   struct child_opts o = CHILD_OPTS_INIT;
 *   o.io = CHILD_IO_PTY;                      // or PIPE (stdout), NULL
 *   child_spawn(&c, argv, &o, &err);          // c.spawn_us = just before fork
 *   ... read c.fd (pty master or stdout pipe) ...
 *   child_wait(&c, 5000);                     // or child_reap() in a loop
 *   child_exit_code(&c); c.ru (wait4 rusage)
 *   child_stop(&c, 2000);                     // SIGTERM, SIGKILL after 2 s, reap, close
 *
 * child_stop is idempotent and accepts a child that never started, so
 * every exit path can call it. argv[0] is a path (execve, no PATH search)
 * unless it has no '/', then PATH is searched (execvpe). The environment is
 * the caller's plus `env` ("K=V", overriding). Not thread-safe (fork).
 */
#ifndef KTRDR_BENCH_CHILD_H
#define KTRDR_BENCH_CHILD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "err.h"

enum child_io {
  CHILD_IO_NULL,  /* stdin, stdout and stderr on /dev/null */
  CHILD_IO_PIPE,  /* stdout on a pipe (c.fd), stdin /dev/null, stderr inherited */
  CHILD_IO_PTY,   /* stdin, stdout, stderr on a new 80x24 pty (c.fd = master) */
};

struct child_opts {
  enum child_io io;
  int cpu;                 /* pin to this CPU (sched_setaffinity); -1 = any */
  const char *const *env;  /* extra "K=V" entries, NULL-terminated; may be NULL */
  bool quiet;              /* CHILD_IO_PIPE: stderr on /dev/null too */
};
#define CHILD_OPTS_INIT { CHILD_IO_NULL, -1, NULL, false }

struct child {
  pid_t pid;          /* -1 = none */
  int fd;             /* pipe read end or pty master, -1 = none; owned */
  int64_t spawn_us;   /* CLOCK_MONOTONIC just before fork() */
  bool reaped;
  int status;         /* wait status, once reaped */
  int64_t exit_us;    /* CLOCK_MONOTONIC when reaped */
  struct rusage ru;   /* the child's resource usage (wait4), once reaped */
};
#define CHILD_INIT { .pid = -1, .fd = -1 }

int child_spawn(struct child *c, char *const argv[], const struct child_opts *o,
                struct err *err);

/* Without blocking: 1 = exited (reaped now or before), 0 = running, -1 = error. */
int child_reap(struct child *c);

/* Waits at most timeout_ms for the exit: 0 = exited, -1 = still running. */
int child_wait(struct child *c, int timeout_ms);

/* 0..255, 128 + signal number, or -1 when not reaped. */
int child_exit_code(const struct child *c);

/* SIGTERM, then SIGKILL after grace_ms; reaps; closes fd. */
void child_stop(struct child *c, int grace_ms);

/* From now on, when this process gets SIGINT, SIGTERM or SIGHUP, it sends
 * SIGTERM to every child it started and has not reaped (by PID), then dies
 * of that signal: an interrupted benchmark leaves no server behind. The
 * handler only calls kill(), signal() and raise(). 0, or -1. */
int child_guard(void);

/* A line of /proc/PID/status in KiB ("VmHWM", "VmRSS"); -1 when unreadable. */
long child_status_kib(pid_t pid, const char *field);

/* CPU time (user + system) of every live thread of PID in milliseconds, from
 * /proc/PID/task/TID/schedstat (ns), else /proc/PID/stat (ticks); -1 when unreadable. */
double child_cpu_ms(pid_t pid);

#endif
