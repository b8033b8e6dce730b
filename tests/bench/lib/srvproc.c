#include "srvproc.h"

#include <stdio.h>
#include <string.h>

#include "term.h"
#include "timeutil.h"

#define ARGS_MAX 32
#define START_TIMEOUT_US 10000000

static int build_argv(const char *bin, const char *const *args, char **argv)
{
  size_t n = 0;

  argv[n++] = (char *)bin;
  argv[n++] = "--port";
  argv[n++] = "0";
  for (size_t i = 0; args && args[i]; i++) {
    if (n + 1 >= ARGS_MAX)
      return -1;
    argv[n++] = (char *)args[i];
  }
  argv[n] = NULL;
  return 0;
}

/* root = url up to the first '/' after "scheme://". */
static void set_urls(struct srvproc *s, const char *line, size_t len)
{
  const char *host, *slash;

  snprintf(s->url, sizeof(s->url), "%.*s", (int)len, line);
  host = strstr(s->url, "://");
  slash = host ? strchr(host + 3, '/') : NULL;
  snprintf(s->root, sizeof(s->root), "%.*s",
           (int)(slash ? (size_t)(slash - s->url) : strlen(s->url)), s->url);
}

static int read_url(struct srvproc *s, const char *bin, struct err *err)
{
  struct term t;
  size_t pos = 0;
  int rc = 0;

  term_init(&t, s->proc.fd);
  if (term_wait_for(&t, "\n", 0, timeutil_mono_us() + START_TIMEOUT_US, &pos, NULL))
    set_urls(s, buf_cstr(&t.text), pos);
  else if (child_wait(&s->proc, 1000) == 0)
    rc = err_set(err, ERR_INVALID, "'%s' exited with status %d before printing its URL",
                 bin, child_exit_code(&s->proc));
  else
    rc = err_set(err, ERR_IO, "'%s' printed no URL within %d s", bin,
                 START_TIMEOUT_US / 1000000);
  term_release(&t);
  return rc;
}

int srvproc_start(struct srvproc *s, const char *bin, const char *const *args, int cpu,
                  int flags, struct err *err)
{
  struct child_opts o = CHILD_OPTS_INIT;
  char *argv[ARGS_MAX];
  struct srvproc z = SRVPROC_INIT;

  *s = z;
  if (build_argv(bin, args, argv) < 0)
    return err_set(err, ERR_INVALID, "too many arguments for '%s'", bin);
  o.io = CHILD_IO_PIPE;
  o.cpu = cpu;
  o.quiet = (flags & SRVPROC_QUIET) != 0;
  if (child_spawn(&s->proc, argv, &o, err) < 0)
    return -1;
  if (read_url(s, bin, err) < 0) {
    srvproc_stop(s);
    return -1;
  }
  return 0;
}

void srvproc_stop(struct srvproc *s)
{
  child_stop(&s->proc, 3000);
}
