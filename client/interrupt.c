#include "interrupt.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t sigint_count, sigterm_count;
static volatile sig_atomic_t wake_fd = -1;

static void on_signal(int sig)
{
  int saved = errno;
  char c = (char)sig;

  if (sig == SIGINT)
    sigint_count++;
  else
    sigterm_count++;
  if (wake_fd >= 0 && write(wake_fd, &c, 1) < 0) {
    /* pipe full: the loop has bytes to read already */
  }
  errno = saved;
}

static int set_flags(int fd)
{
  int fl = fcntl(fd, F_GETFL);

  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
    return -1;
  return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

int interrupt_install(struct interrupt *it, struct err *err)
{
  struct sigaction sa;
  int fds[2];

  memset(it, 0, sizeof(*it));
  if (pipe(fds) < 0)
    return err_set(err, ERR_IO, "cannot create the signal pipe: %s", strerror(errno));
  if (set_flags(fds[0]) < 0 || set_flags(fds[1]) < 0) {
    close(fds[0]);
    close(fds[1]);
    return err_set(err, ERR_IO, "cannot set up the signal pipe: %s", strerror(errno));
  }
  it->pipe_r = fds[0];
  it->pipe_w = fds[1];
  sigint_count = sigterm_count = 0;
  wake_fd = fds[1];
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, &it->old_int);
  sigaction(SIGTERM, &sa, &it->old_term);
  sigaction(SIGHUP, &sa, &it->old_hup);
  /* A parent may have started us with these blocked (the mask is inherited
   * across exec); Ctrl+C must get through while an operation runs. */
  sigemptyset(&sa.sa_mask);
  sigaddset(&sa.sa_mask, SIGINT);
  sigaddset(&sa.sa_mask, SIGTERM);
  sigaddset(&sa.sa_mask, SIGHUP);
  pthread_sigmask(SIG_UNBLOCK, &sa.sa_mask, &it->old_mask);
  return 0;
}

int interrupt_fd(const struct interrupt *it)
{
  return it->pipe_r;
}

void interrupt_take(struct interrupt *it, int *ints, int *terms)
{
  char drain[64];

  while (read(it->pipe_r, drain, sizeof(drain)) > 0)
    ;
  /* The handler only increments; remembering what was seen (instead of
   * resetting) loses nothing to a signal arriving on another thread. */
  long n_int = sigint_count, n_term = sigterm_count;

  *ints += (int)(n_int - it->seen_int);
  *terms += (int)(n_term - it->seen_term);
  it->seen_int = n_int;
  it->seen_term = n_term;
}

void interrupt_restore(struct interrupt *it)
{
  sigaction(SIGINT, &it->old_int, NULL);
  sigaction(SIGTERM, &it->old_term, NULL);
  sigaction(SIGHUP, &it->old_hup, NULL);
  pthread_sigmask(SIG_SETMASK, &it->old_mask, NULL);
  wake_fd = -1;
  close(it->pipe_r);
  close(it->pipe_w);
  it->pipe_r = it->pipe_w = -1;
}
