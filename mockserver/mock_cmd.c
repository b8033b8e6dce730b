#include "mock_cmd.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define URL_VAR "KTRDR_API_URL="

extern char **environ;

/* SIGINT and SIGTERM blocked (before any thread starts), for sigwait. */
static void block_stop_signals(sigset_t *set, sigset_t *old)
{
  sigemptyset(set);
  sigaddset(set, SIGINT);
  sigaddset(set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, set, old);
}

/* Prints the URL as the first line of `out`, then waits for a stop signal. */
static int announce_and_wait(FILE *out, const char *url, const sigset_t *set, struct err *err)
{
  int sig;

  if (fprintf(out, "%s\n", url) < 0 || fflush(out) != 0)
    return err_set(err, ERR_IO, "cannot write the server URL: %s", strerror(errno));
  while (sigwait(set, &sig) != 0)
    ;
  return 0;
}

int mock_cmd_serve(const struct mock_config *cfg, FILE *out, struct err *err)
{
  struct mock_server *srv = NULL;
  sigset_t set, old;
  int rc = -1;

  block_stop_signals(&set, &old);
  srv = mock_server_start(cfg, err);
  if (srv)
    rc = announce_and_wait(out, mock_server_url(srv), &set, err);
  mock_server_stop(&srv);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return rc;
}

int mock_cmd_record(const struct record_config *cfg, FILE *out, struct err *err)
{
  struct record_proxy *proxy = NULL;
  sigset_t set, old;
  int rc = -1;

  block_stop_signals(&set, &old);
  proxy = record_proxy_start(cfg, err);
  if (proxy)
    rc = announce_and_wait(out, record_proxy_url(proxy), &set, err);
  record_proxy_stop(&proxy);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return rc;
}

/* environ with KTRDR_API_URL replaced. env[0..n) borrowed, except the last
 * entry, *var, which the caller frees with env. */
static char **child_env(const char *url, char **var)
{
  size_t n = 0, k = 0, len = strlen(URL_VAR) + strlen(url) + 1;
  char **env;

  while (environ[n])
    n++;
  env = calloc(n + 2, sizeof(*env));
  *var = malloc(len);
  if (!env || !*var) {
    free(env);
    free(*var);
    return NULL;
  }
  snprintf(*var, len, "%s%s", URL_VAR, url);
  for (size_t i = 0; i < n; i++)
    if (strncmp(environ[i], URL_VAR, strlen(URL_VAR)) != 0)
      env[k++] = environ[i];
  env[k] = *var;
  return env;
}

/* posix_spawnp rather than fork+exec: this process has server threads, and
 * only async-signal-safe calls are allowed between fork and exec. */
static int spawn(char *const argv[], const char *url, const sigset_t *mask, pid_t *pid,
                 struct err *err)
{
  posix_spawnattr_t attr;
  sigset_t defaults;
  char *var = NULL, **env = child_env(url, &var);
  int e;

  if (!env)
    return err_set(err, ERR_NOMEM, "cannot build the environment for '%s'", argv[0]);
  /* The signals this process ignores go back to their defaults. */
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGQUIT);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setsigmask(&attr, mask);
  e = posix_spawnp(pid, argv[0], NULL, &attr, argv, env);
  posix_spawnattr_destroy(&attr);
  free(env);
  free(var);
  if (e)
    return err_set(err, ERR_INVALID, "cannot run '%s': %s", argv[0], strerror(e));
  return 0;
}

static int exit_code(int st)
{
  if (WIFEXITED(st))
    return WEXITSTATUS(st);
  if (WIFSIGNALED(st))
    return 128 + WTERMSIG(st);
  return 1;
}

/* Waits for the child, forwarding SIGTERM/SIGHUP; `set` is blocked. */
static int wait_child(pid_t pid, const sigset_t *set, int *status, struct err *err)
{
  int st = 0, sig;
  pid_t r;

  while ((r = waitpid(pid, &st, WNOHANG)) != pid) {
    if (r < 0 && errno != EINTR)
      return err_set(err, ERR_IO, "cannot wait for the command: %s", strerror(errno));
    if (sigwait(set, &sig) == 0 && sig != SIGCHLD)
      kill(pid, sig);
  }
  *status = exit_code(st);
  return 0;
}

static void ignore_interactive(struct sigaction *old_int, struct sigaction *old_quit)
{
  struct sigaction ign;

  memset(&ign, 0, sizeof(ign));
  ign.sa_handler = SIG_IGN;
  sigemptyset(&ign.sa_mask);
  sigaction(SIGINT, &ign, old_int);
  sigaction(SIGQUIT, &ign, old_quit);
}

int mock_cmd_exec(const struct mock_config *cfg, char *const argv[], int *status,
                  struct err *err)
{
  struct sigaction old_int, old_quit;
  struct mock_server *srv = NULL;
  sigset_t set, old;
  pid_t pid;
  int rc = -1;

  *status = 1;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, &old);
  srv = mock_server_start(cfg, err);
  if (!srv)
    goto cleanup;
  ignore_interactive(&old_int, &old_quit);
  if (spawn(argv, mock_server_url(srv), &old, &pid, err) < 0)
    *status = 127;
  else
    rc = wait_child(pid, &set, status, err);
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGQUIT, &old_quit, NULL);
cleanup:
  mock_server_stop(&srv);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return rc;
}
