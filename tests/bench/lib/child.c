#include "child.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "timeutil.h"

extern char **environ;

#define GUARDED_MAX 16

/* The children not yet reaped, for child_guard's handler (0 = free slot). */
static volatile sig_atomic_t guarded[GUARDED_MAX];

static void guard_add(pid_t pid)
{
  for (int i = 0; i < GUARDED_MAX; i++)
    if (guarded[i] == 0) {
      guarded[i] = pid;
      return;
    }
}

static void guard_remove(pid_t pid)
{
  for (int i = 0; i < GUARDED_MAX; i++)
    if (guarded[i] == pid)
      guarded[i] = 0;
}

static void on_fatal_signal(int sig)
{
  for (int i = 0; i < GUARDED_MAX; i++)
    if (guarded[i] > 0)
      kill((pid_t)guarded[i], SIGTERM);
  signal(sig, SIG_DFL);
  raise(sig);
}

int child_guard(void)
{
  struct sigaction sa;

  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_fatal_signal;
  sigemptyset(&sa.sa_mask);
  return sigaction(SIGINT, &sa, NULL) == 0 && sigaction(SIGTERM, &sa, NULL) == 0 &&
         sigaction(SIGHUP, &sa, NULL) == 0 ? 0 : -1;
}

static bool same_key(const char *a, const char *b)
{
  const char *ea = strchr(a, '='), *eb = strchr(b, '=');
  size_t la = ea ? (size_t)(ea - a) : strlen(a), lb = eb ? (size_t)(eb - b) : strlen(b);

  return la == lb && strncmp(a, b, la) == 0;
}

static bool overridden(const char *entry, const char *const *extra)
{
  for (size_t i = 0; extra && extra[i]; i++)
    if (same_key(entry, extra[i]))
      return true;
  return false;
}

/* environ without the keys `extra` sets, then `extra`: built before fork. */
static char **build_env(const char *const *extra)
{
  size_t n = 0, k = 0, m = 0;
  char **env;

  while (environ[n])
    n++;
  while (extra && extra[m])
    m++;
  env = calloc(n + m + 1, sizeof(*env));
  if (!env)
    return NULL;
  for (size_t i = 0; i < n; i++)
    if (!overridden(environ[i], extra))
      env[k++] = environ[i];
  for (size_t i = 0; i < m; i++)
    env[k++] = (char *)extra[i];
  return env;
}

static void pin(int cpu)
{
  cpu_set_t set;

  if (cpu < 0)
    return;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  sched_setaffinity(0, sizeof(set), &set);
}

/* In the child: only async-signal-safe calls until exec. */
static void exec_child(char *const argv[], char **env, int cpu)
{
  pin(cpu);
  signal(SIGPIPE, SIG_DFL);
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  signal(SIGHUP, SIG_DFL);
  if (strchr(argv[0], '/'))
    execve(argv[0], argv, env);
  else
    execvpe(argv[0], argv, env);
  _exit(127);
}

static void redirect_null(bool out_too)
{
  int fd = open("/dev/null", O_RDWR);

  if (fd < 0)
    return;
  dup2(fd, 0);
  if (out_too) {
    dup2(fd, 1);
    dup2(fd, 2);
  }
  if (fd > 2)
    close(fd);
}

static pid_t fork_pipe(int *fd, bool quiet)
{
  int p[2];
  pid_t pid;

  if (pipe2(p, O_CLOEXEC) < 0)
    return -1;
  pid = fork();
  if (pid == 0) {
    redirect_null(quiet);
    dup2(p[1], 1);
    return 0;
  }
  close(p[1]);
  if (pid < 0)
    close(p[0]);
  else
    *fd = p[0];
  return pid;
}

static pid_t fork_io(enum child_io io, bool quiet, int *fd)
{
  struct winsize ws = { .ws_row = 24, .ws_col = 80 };
  pid_t pid;

  switch (io) {
  case CHILD_IO_PTY:
    pid = forkpty(fd, NULL, NULL, &ws);
    if (pid > 0)
      fcntl(*fd, F_SETFD, FD_CLOEXEC);
    return pid;
  case CHILD_IO_PIPE:
    return fork_pipe(fd, quiet);
  default:
    pid = fork();
    if (pid == 0)
      redirect_null(true);
    return pid;
  }
}

int child_spawn(struct child *c, char *const argv[], const struct child_opts *o,
                struct err *err)
{
  char **env = build_env(o->env);

  memset(c, 0, sizeof(*c));
  c->pid = -1;
  c->fd = -1;
  if (!env)
    return err_set(err, ERR_NOMEM, "cannot build the environment of '%s'", argv[0]);
  c->spawn_us = timeutil_mono_us();
  c->pid = fork_io(o->io, o->quiet, &c->fd);
  if (c->pid == 0)
    exec_child(argv, env, o->cpu);
  free(env);
  if (c->pid > 0)
    guard_add(c->pid);
  if (c->pid < 0)
    return err_set(err, ERR_IO, "cannot start '%s': %s", argv[0], strerror(errno));
  return 0;
}

int child_reap(struct child *c)
{
  pid_t r;

  if (c->reaped)
    return 1;
  if (c->pid <= 0)
    return -1;
  r = wait4(c->pid, &c->status, WNOHANG, &c->ru);
  if (r == 0)
    return 0;
  if (r < 0 && errno != ECHILD)
    return -1;
  c->reaped = true;
  c->exit_us = timeutil_mono_us();
  guard_remove(c->pid);
  return 1;
}

int child_wait(struct child *c, int timeout_ms)
{
  int64_t deadline = timeutil_mono_us() + (int64_t)timeout_ms * 1000;
  struct timespec nap = { 0, 200000 };  /* 0.2 ms: the exit time is measured */

  for (;;) {
    int r = child_reap(c);

    if (r != 0)
      return r > 0 ? 0 : -1;
    if (timeutil_mono_us() >= deadline)
      return -1;
    nanosleep(&nap, NULL);
  }
}

int child_exit_code(const struct child *c)
{
  if (!c->reaped)
    return -1;
  if (WIFEXITED(c->status))
    return WEXITSTATUS(c->status);
  return WIFSIGNALED(c->status) ? 128 + WTERMSIG(c->status) : -1;
}

void child_stop(struct child *c, int grace_ms)
{
  if (c->pid > 0 && !c->reaped) {
    kill(c->pid, SIGTERM);
    if (child_wait(c, grace_ms) < 0) {
      kill(c->pid, SIGKILL);
      child_wait(c, 5000);
    }
  }
  if (c->fd >= 0)
    close(c->fd);
  c->fd = -1;
}

long child_status_kib(pid_t pid, const char *field)
{
  char path[64], line[256];
  size_t flen = strlen(field);
  long v = -1;
  FILE *f;

  snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
  if (!(f = fopen(path, "r")))
    return -1;
  while (fgets(line, sizeof(line), f))
    if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
      v = strtol(line + flen + 1, NULL, 10);
      break;
    }
  fclose(f);
  return v;
}

/* utime + stime of /proc/PID/stat, in clock ticks (10 ms). */
static double stat_cpu_ms(pid_t pid)
{
  char path[64], text[1024], *p;
  unsigned long long ut, st;
  FILE *f;
  size_t n;

  snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
  if (!(f = fopen(path, "r")))
    return -1;
  n = fread(text, 1, sizeof(text) - 1, f);
  fclose(f);
  text[n] = '\0';
  /* Fields 14 and 15 follow the command name, which may hold spaces. */
  if (!(p = strrchr(text, ')')) ||
      sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
    return -1;
  return (double)(ut + st) * 1000.0 / (double)sysconf(_SC_CLK_TCK);
}

/* The first field of /proc/PID/task/TID/schedstat: nanoseconds on a CPU. */
static double task_ns(pid_t pid, const char *tid)
{
  char path[320];
  unsigned long long ns = 0;
  FILE *f;

  snprintf(path, sizeof(path), "/proc/%d/task/%s/schedstat", (int)pid, tid);
  if (!(f = fopen(path, "r")))
    return -1;
  if (fscanf(f, "%llu", &ns) != 1)
    ns = 0;
  fclose(f);
  return (double)ns;
}

/* Nanosecond precision from the threads' schedstat (the live threads only:
 * the servers' threads live as long as they do), else the tick count. */
double child_cpu_ms(pid_t pid)
{
  char path[64];
  double sum = 0, ns;
  struct dirent *e;
  DIR *d;

  snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
  if (!(d = opendir(path)))
    return stat_cpu_ms(pid);
  while ((e = readdir(d)))
    if (e->d_name[0] != '.' && (ns = task_ns(pid, e->d_name)) >= 0)
      sum += ns;
  closedir(d);
  return sum > 0 ? sum / 1e6 : stat_cpu_ms(pid);
}
