/* The `faults:` list of a scenario file (docs/scenario-format.md, "Faults"). */
#include "scenario_yaml.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "yamldoc.h"

/* What a body that is not JSON looks like when `malformed: true`. */
#define MALFORMED_BODY "{\"success\": true, \"data\": {\"operation_id\": "

static const char *const fault_keys[] = { "on", "requests", "from", "until", "status",
                                          "retry_after", "detail", "body", "raw", "malformed",
                                          "truncate", "drop", "delay", NULL };

static int read_on(const struct yamldoc *d, const struct ynode *n, struct scenario_fault *f,
                   struct err *err)
{
  static const char *const names[] = { "start", "get", "cancel", "results", "any" };
  const struct ynode *v = ynode_get(n, "on");

  if (!v)
    return yamldoc_error(d, n, err,
                         "a fault needs 'on': start, get, cancel, results or any");
  for (size_t i = 0; ynode_is_scalar(v) && i < sizeof(names) / sizeof(names[0]); i++) {
    if (strcmp(v->text, names[i]) == 0) {
      f->on = (enum scenario_on)i;
      return 0;
    }
  }
  return yamldoc_error(d, v, err, "fault 'on' must be start, get, cancel, results or any");
}

static int parse_index(const char *s, char **end, long *out)
{
  errno = 0;
  *out = strtol(s, end, 10);
  return errno || *end == s || *out < 1 ? -1 : 0;
}

/* "3", "3-5" or "3-" (3 and every later one). */
static int parse_range(const struct ynode *v, struct scenario_range *r)
{
  const char *s = v->text;
  char *end;

  if (!ynode_is_scalar(v) || parse_index(s, &end, &r->from) < 0)
    return -1;
  r->to = r->from;
  if (*end == '\0')
    return 0;
  if (*end != '-')
    return -1;
  if (end[1] == '\0') {
    r->to = LONG_MAX;
    return 0;
  }
  if (parse_index(end + 1, &end, &r->to) < 0 || *end || r->to < r->from)
    return -1;
  return 0;
}

static int read_requests(const struct yamldoc *d, const struct ynode *n,
                         struct scenario_fault *f, struct err *err)
{
  const struct ynode *v = ynode_get(n, "requests");
  size_t count;

  if (!v)
    return 0;
  count = ynode_is_seq(v) ? v->n : 1;
  f->ranges = calloc(count ? count : 1, sizeof(*f->ranges));
  if (!f->ranges)
    return err_set(err, ERR_NOMEM, "%s: out of memory", d->file);
  for (size_t i = 0; i < count; i++) {
    const struct ynode *item = ynode_is_seq(v) ? v->items[i] : v;

    if (parse_range(item, &f->ranges[f->nranges++]) < 0)
      return yamldoc_error(d, item, err,
                           "'requests' must be request numbers from 1: 3, 3-5, 3- or a list "
                           "of them");
  }
  return 0;
}

static int read_window(const struct yamldoc *d, const struct ynode *n,
                       struct scenario_fault *f, struct err *err)
{
  int a, b;

  f->from_s = 0;
  f->until_s = 1e18;
  if ((a = yamldoc_number(d, n, "from", 0, 1e9, &f->from_s, err)) < 0 ||
      (b = yamldoc_number(d, n, "until", 0, 1e9, &f->until_s, err)) < 0)
    return -1;
  f->has_window = a || b;
  if (f->has_window && f->until_s <= f->from_s)
    return yamldoc_error(d, ynode_get(n, "until"), err, "'until' must be after 'from'");
  if (f->has_window && f->on == SCENARIO_ON_START)
    return yamldoc_error(d, n, err,
                         "'from' and 'until' are for requests about a running operation, "
                         "not 'on: start': use 'requests'");
  return 0;
}

/* The reply body: `detail` → {"detail": ...}, `body` → its JSON, `raw`. */
static int read_body(const struct yamldoc *d, const struct ynode *n, struct fault_hit *h,
                     struct err *err)
{
  char *detail = NULL;
  const struct ynode *body = ynode_get(n, "body");
  json_t *j = NULL;
  int has_detail = yamldoc_text(d, n, "detail", &detail, err);

  if (has_detail < 0 || yamldoc_text(d, n, "raw", &h->body, err) < 0)
    goto fail;
  if ((has_detail > 0) + (body != NULL) + (h->body != NULL) > 1) {
    yamldoc_error(d, n, err, "give one of 'detail', 'body' and 'raw'");
    goto fail;
  }
  if (has_detail > 0)
    j = json_pack("{s:s}", "detail", detail);
  else if (body)
    j = ynode_to_json(body);
  if (j)
    h->body = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
  json_decref(j);
  free(detail);
  return 0;
fail:
  free(detail);
  return -1;
}

static int flag(const struct yamldoc *d, const struct ynode *n, const char *key, bool *on,
                struct err *err)
{
  *on = false;
  return yamldoc_bool(d, n, key, on, err) < 0 ? -1 : 0;
}

/* Exactly one action among a reply (status, raw, malformed), truncate and
 * drop; none, with a delay, is a slow normal answer. */
static int read_action(const struct yamldoc *d, const struct ynode *n, struct fault_hit *h,
                       struct err *err)
{
  bool malformed, truncate, drop, reply;
  long status = 0;

  if (flag(d, n, "malformed", &malformed, err) < 0 || flag(d, n, "truncate", &truncate, err) < 0 ||
      flag(d, n, "drop", &drop, err) < 0 ||
      yamldoc_long(d, n, "status", 100, 599, &status, err) < 0 || read_body(d, n, h, err) < 0)
    return -1;
  if (malformed && !h->body && !(h->body = strdup(MALFORMED_BODY)))
    return err_set(err, ERR_NOMEM, "%s: out of memory", d->file);
  reply = status || h->body;
  if (reply + truncate + drop > 1)
    return yamldoc_error(d, n, err, "a fault does one thing: a reply (status, raw or "
                                    "malformed), truncate or drop");
  h->action = reply ? FAULT_REPLY : truncate ? FAULT_TRUNCATE : drop ? FAULT_DROP : FAULT_PASS;
  h->status = status ? (int)status : 200;
  if (h->action == FAULT_PASS && !ynode_get(n, "delay"))
    return yamldoc_error(d, n, err, "a fault needs an action: status, raw, malformed, "
                                    "truncate, drop or delay");
  return 0;
}

static int read_retry_after(const struct yamldoc *d, const struct ynode *n, struct fault_hit *h,
                            struct err *err)
{
  long v;
  int rc = yamldoc_long(d, n, "retry_after", 0, 86400, &v, err);

  if (rc < 0)
    return -1;
  h->retry_after = rc ? (int)v : -1;
  if (rc && h->action != FAULT_REPLY)
    return yamldoc_error(d, ynode_get(n, "retry_after"), err,
                         "'retry_after' goes with a reply (status)");
  return 0;
}

static int read_fault(const struct yamldoc *d, const struct ynode *n, struct scenario_fault *f,
                      struct err *err)
{
  if (!ynode_is_map(n))
    return yamldoc_error(d, n, err, "a fault must be a mapping (on, requests, status, ...)");
  f->line = n->line;
  f->hit = (struct fault_hit)FAULT_HIT_INIT;
  if (yamldoc_check_keys(d, n, fault_keys, "a fault", err) < 0 || read_on(d, n, f, err) < 0 ||
      read_requests(d, n, f, err) < 0 || read_window(d, n, f, err) < 0 ||
      read_action(d, n, &f->hit, err) < 0 || read_retry_after(d, n, &f->hit, err) < 0 ||
      yamldoc_number(d, n, "delay", 0, FAULT_MAX_DELAY_S, &f->hit.delay_s, err) < 0)
    return -1;
  return 0;
}

int scenario_yaml_read_faults(const struct yamldoc *d, const struct ynode *root,
                              struct scenario *sc, struct err *err)
{
  const struct ynode *list = ynode_get(root, "faults");

  if (!list)
    return 0;
  if (!ynode_is_seq(list))
    return yamldoc_error(d, list, err, "'faults' must be a list (lines starting with '- ')");
  sc->faults = calloc(list->n ? list->n : 1, sizeof(*sc->faults));
  if (!sc->faults)
    return err_set(err, ERR_NOMEM, "%s: out of memory", d->file);
  for (size_t i = 0; i < list->n; i++)
    if (read_fault(d, list->items[i], &sc->faults[sc->nfaults++], err) < 0)
      return -1;
  return 0;
}
