/*
 * bare_mhd: the ceiling for the mock server's throughput. A libmicrohttpd
 * responder configured as ktrdr-mock is (mockserver/server.c: internal
 * polling thread, MHD_USE_AUTO, a pool of 2 threads, 30 s idle timeout,
 * 127.0.0.1) that answers every request, any method and path, with one fixed
 * body built once: no routing, no JSON, no journal. bench_throughput gives
 * it the exact body the mock sends, so the ratio between the two is the
 * price of the mock's own work.
 *
 *   bare_mhd [--port N] [--body-file F] [--threads N]
 *
 * Prints "http://127.0.0.1:PORT" as the first line on stdout, then serves
 * until SIGINT or SIGTERM.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BODY_MAX (1024 * 1024)

struct bare {
  struct MHD_Response *resp;
  unsigned short port;
  unsigned int threads;
  const char *body_file;
};

static const char usage[] =
    "usage: bare_mhd [--port N] [--body-file F] [--threads N]\n"
    "Answers every request with one fixed JSON body (default {\"ok\":true}).\n";

/* Each request once its body (if any) is read: the same response, shared. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **req_cls)
{
  struct bare *b = cls;

  (void)url, (void)method, (void)version, (void)upload;
  if (!*req_cls) {
    *req_cls = b;     /* headers seen; the body, if any, comes next */
    return MHD_YES;
  }
  if (*upload_size) {
    *upload_size = 0;
    return MHD_YES;
  }
  return MHD_queue_response(conn, MHD_HTTP_OK, b->resp);
}

static int load_body(const char *path, char **body, size_t *len)
{
  FILE *f = fopen(path, "rb");
  size_t n;

  *body = malloc(BODY_MAX);
  if (!f || !*body) {
    fprintf(stderr, "bare_mhd: cannot read '%s': %s\n", path, strerror(errno));
    if (f)
      fclose(f);
    return -1;
  }
  n = fread(*body, 1, BODY_MAX, f);
  fclose(f);
  *len = n;
  return 0;
}

static int make_response(struct bare *b)
{
  static const char fixed[] = "{\"ok\":true}";
  char *body = NULL;
  size_t len = sizeof(fixed) - 1;

  if (b->body_file && load_body(b->body_file, &body, &len) < 0)
    return -1;
  b->resp = body ? MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_COPY)
                 : MHD_create_response_from_buffer(len, (void *)fixed, MHD_RESPMEM_PERSISTENT);
  free(body);
  if (!b->resp)
    return -1;
  MHD_add_response_header(b->resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
  return 0;
}

static int number(const char *s, long max, long *v)
{
  char *end;

  errno = 0;
  *v = strtol(s, &end, 10);
  return errno || end == s || *end || *v < 0 || *v > max ? -1 : 0;
}

static int parse(int argc, char **argv, struct bare *b)
{
  static const struct option opts[] = {
    { "port", required_argument, NULL, 'p' }, { "body-file", required_argument, NULL, 'f' },
    { "threads", required_argument, NULL, 't' }, { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  long v;
  int c;

  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    if (c == 'p' && number(optarg, 65535, &v) == 0)
      b->port = (unsigned short)v;
    else if (c == 't' && number(optarg, 64, &v) == 0 && v > 0)
      b->threads = (unsigned int)v;
    else if (c == 'f')
      b->body_file = optarg;
    else {
      fputs(usage, c == 'h' ? stdout : stderr);
      return c == 'h' ? 1 : -1;
    }
  }
  return 0;
}

static struct MHD_Daemon *start(struct bare *b)
{
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(b->port) };

  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG,
                          0, NULL, NULL, on_request, b,
                          MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&sa,
                          MHD_OPTION_THREAD_POOL_SIZE, b->threads,
                          MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
}

/* Blocks SIGINT/SIGTERM (the daemon's threads inherit the mask), then waits for one. */
static void wait_for_stop(const sigset_t *set)
{
  int sig;

  sigwait(set, &sig);
}

int main(int argc, char **argv)
{
  struct bare b = { .threads = 2 };
  struct MHD_Daemon *d;
  const union MHD_DaemonInfo *info;
  sigset_t set;
  int rc = parse(argc, argv, &b);

  if (rc != 0)
    return rc > 0 ? 0 : 2;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  if (make_response(&b) < 0 || !(d = start(&b))) {
    fprintf(stderr, "bare_mhd: cannot start the server\n");
    return 1;
  }
  info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
  printf("http://127.0.0.1:%u\n", info ? info->port : b.port);
  fflush(stdout);
  wait_for_stop(&set);
  MHD_stop_daemon(d);
  MHD_destroy_response(b.resp);
  return 0;
}
