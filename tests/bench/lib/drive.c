#include "drive.h"

#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "timeutil.h"

#define ARGS_MAX 32
#define NAP_US 2000   /* between journal reads, the pty is read meanwhile */

static const char *const pty_env[] = {
  "TERM=xterm-256color", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "COLUMNS=80", "LINES=24", NULL,
};

int drive_start(struct drive *d, const char *ktrdr, const char *url, const char *const *args,
                struct err *err)
{
  struct child_opts o = CHILD_OPTS_INIT;
  char *argv[ARGS_MAX];
  size_t n = 0;
  struct drive z = DRIVE_INIT;

  *d = z;
  argv[n++] = (char *)ktrdr;
  argv[n++] = "--url";
  argv[n++] = (char *)url;
  for (size_t i = 0; args[i] && n + 1 < ARGS_MAX; i++)
    argv[n++] = (char *)args[i];
  argv[n] = NULL;
  o.io = CHILD_IO_PTY;
  o.env = pty_env;
  if (child_spawn(&d->proc, argv, &o, err) < 0)
    return -1;
  term_init(&d->term, d->proc.fd);
  return 0;
}

/* The first entry matching f, waiting up to timeout_ms while reading the pty. */
static int wait_entry(struct drive *d, struct hreq *h, const char *root,
                      const struct admin_filter *f, int timeout_ms, json_t **entry,
                      struct err *err)
{
  int64_t deadline = timeutil_mono_us() + (int64_t)timeout_ms * 1000;
  json_t *list;

  for (;;) {
    if (admin_requests(h, root, f, &list, err) < 0)
      return -1;
    if (json_array_size(list) > 0) {
      *entry = json_incref(json_array_get(list, 0));
      json_decref(list);
      return 0;
    }
    json_decref(list);
    if (timeutil_mono_us() >= deadline || child_reap(&d->proc) != 0)
      return err_set(err, ERR_STATE, "no %s request from the client within %d ms%s",
                     f->method, timeout_ms, d->proc.reaped ? " (it exited)" : "");
    term_pump(&d->term, timeutil_mono_us() + NAP_US);
  }
}

int drive_wait_started(struct drive *d, struct hreq *h, const char *root, uint64_t since,
                       int timeout_ms, struct err *err)
{
  struct admin_filter f = { .method = "POST", .since = since };
  json_t *e;

  if (wait_entry(d, h, root, &f, timeout_ms, &e, err) < 0)
    return -1;
  snprintf(d->op_id, sizeof(d->op_id), "%s", admin_entry_op(e) ? admin_entry_op(e) : "");
  d->post_seq = admin_entry_seq(e);
  d->post_t_us = admin_entry_t_us(e);
  json_decref(e);
  if (!d->op_id[0])
    return err_set(err, ERR_STATE, "the start request got no operation id");
  return 0;
}

int drive_wait_polled(struct drive *d, struct hreq *h, const char *root, int timeout_ms,
                      struct err *err)
{
  struct admin_filter f = { .method = "GET", .operation_id = d->op_id };
  json_t *e;

  if (wait_entry(d, h, root, &f, timeout_ms, &e, err) < 0)
    return -1;
  d->first_get_t_us = admin_entry_t_us(e);
  json_decref(e);
  return 0;
}

int drive_finish(struct drive *d, int timeout_ms, struct err *err)
{
  int64_t deadline = timeutil_mono_us() + (int64_t)timeout_ms * 1000;

  while (child_reap(&d->proc) == 0) {
    if (timeutil_mono_us() >= deadline)
      return err_set(err, ERR_STATE, "the client did not exit within %d ms", timeout_ms);
    term_pump(&d->term, timeutil_mono_us() + (d->term.eof ? 200 : 5000));
  }
  term_pump(&d->term, timeutil_mono_us());  /* what is left in the pty */
  return 0;
}

void drive_release(struct drive *d)
{
  child_stop(&d->proc, 2000);
  term_release(&d->term);
}
