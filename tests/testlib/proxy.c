#define _GNU_SOURCE
#include "proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_PAIRS 64

struct tl_proxy {
  pthread_t thread;
  pthread_mutex_t lock;
  unsigned short port, target;
  int listener;              /* -1 while down */
  int ctl[2];                /* wakes the relay thread */
  int pairs[MAX_PAIRS][2];   /* client fd, server fd; -1 = free */
  int stop;
};

static void hard_close(int fd)
{
  struct linger l = { 1, 0 }; /* RST, like a process that died */

  if (fd < 0)
    return;
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
  close(fd);
}

static int listen_on(unsigned short port, unsigned short *bound)
{
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  socklen_t len = sizeof(sa);
  int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 64) < 0) {
    close(fd);
    return -1;
  }
  getsockname(fd, (struct sockaddr *)&sa, &len);
  *bound = ntohs(sa.sin_port);
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); /* accept never blocks the relay */
  return fd;
}

static int connect_to(unsigned short port)
{
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  int fd = socket(AF_INET, SOCK_STREAM, 0);

  if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static void close_pair(struct tl_proxy *p, int i)
{
  hard_close(p->pairs[i][0]);
  hard_close(p->pairs[i][1]);
  p->pairs[i][0] = p->pairs[i][1] = -1;
}

static void accept_one(struct tl_proxy *p)
{
  int c = accept(p->listener, NULL, NULL), s;

  if (c < 0)
    return;
  s = connect_to(p->target);
  for (int i = 0; s >= 0 && i < MAX_PAIRS; i++) {
    if (p->pairs[i][0] < 0) {
      p->pairs[i][0] = c;
      p->pairs[i][1] = s;
      return;
    }
  }
  hard_close(c);
  hard_close(s);
}

/* Copies what is readable on one side to the other; false when closed. */
static bool relay(int from, int to)
{
  char buf[16384];
  ssize_t n = read(from, buf, sizeof(buf));

  return n > 0 && write(to, buf, (size_t)n) == n;
}

static void *relay_main(void *arg)
{
  struct tl_proxy *p = arg;
  struct pollfd fds[2 + 2 * MAX_PAIRS];

  for (;;) {
    int n = 0;

    pthread_mutex_lock(&p->lock);
    if (p->stop) {
      pthread_mutex_unlock(&p->lock);
      return NULL;
    }
    fds[n++] = (struct pollfd){ .fd = p->ctl[0], .events = POLLIN };
    fds[n++] = (struct pollfd){ .fd = p->listener, .events = POLLIN };
    for (int i = 0; i < MAX_PAIRS; i++) {
      fds[n++] = (struct pollfd){ .fd = p->pairs[i][0], .events = POLLIN };
      fds[n++] = (struct pollfd){ .fd = p->pairs[i][1], .events = POLLIN };
    }
    pthread_mutex_unlock(&p->lock);
    if (poll(fds, (nfds_t)n, 1000) <= 0)
      continue;
    pthread_mutex_lock(&p->lock);
    if (fds[0].revents) {
      char c;
      if (read(p->ctl[0], &c, 1) < 0) { /* drained: the state is re-read */ }
    } else {
      if (fds[1].revents && p->listener >= 0)
        accept_one(p);
      for (int i = 0; i < MAX_PAIRS; i++) {
        struct pollfd *a = &fds[2 + 2 * i], *b = a + 1;
        if (p->pairs[i][0] < 0 || a->fd != p->pairs[i][0])
          continue;
        if ((a->revents && !relay(a->fd, b->fd)) || (b->revents && !relay(b->fd, a->fd)))
          close_pair(p, i);
      }
    }
    pthread_mutex_unlock(&p->lock);
  }
}

static void wake(struct tl_proxy *p)
{
  if (write(p->ctl[1], "x", 1) < 0) { /* the thread wakes on its timeout anyway */ }
}

struct tl_proxy *tl_proxy_start(unsigned short target_port)
{
  struct tl_proxy *p = calloc(1, sizeof(*p));

  if (!p || pipe(p->ctl) < 0) {
    free(p);
    return NULL;
  }
  pthread_mutex_init(&p->lock, NULL);
  p->target = target_port;
  memset(p->pairs, -1, sizeof(p->pairs));
  p->listener = listen_on(0, &p->port);
  pthread_create(&p->thread, NULL, relay_main, p);
  return p;
}

unsigned short tl_proxy_port(const struct tl_proxy *p)
{
  return p->port;
}

void tl_proxy_reset(struct tl_proxy *p)
{
  pthread_mutex_lock(&p->lock);
  for (int i = 0; i < MAX_PAIRS; i++)
    if (p->pairs[i][0] >= 0)
      close_pair(p, i);
  pthread_mutex_unlock(&p->lock);
  wake(p);
}

void tl_proxy_down(struct tl_proxy *p)
{
  tl_proxy_reset(p);
  pthread_mutex_lock(&p->lock);
  if (p->listener >= 0)
    close(p->listener);
  p->listener = -1;
  pthread_mutex_unlock(&p->lock);
  wake(p);
}

void tl_proxy_up(struct tl_proxy *p)
{
  unsigned short port;

  pthread_mutex_lock(&p->lock);
  if (p->listener < 0)
    p->listener = listen_on(p->port, &port);
  pthread_mutex_unlock(&p->lock);
  wake(p);
}

void tl_proxy_stop(struct tl_proxy **pp)
{
  struct tl_proxy *p = pp ? *pp : NULL;

  if (!p)
    return;
  tl_proxy_down(p);
  pthread_mutex_lock(&p->lock);
  p->stop = 1;
  pthread_mutex_unlock(&p->lock);
  wake(p);
  pthread_join(p->thread, NULL);
  close(p->ctl[0]);
  close(p->ctl[1]);
  pthread_mutex_destroy(&p->lock);
  free(p);
  *pp = NULL;
}
