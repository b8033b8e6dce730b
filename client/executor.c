#include "executor.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "apierror.h"
#include "events.h"
#include "exitcode.h"
#include "http.h"
#include "interrupt.h"
#include "log.h"
#include "retry.h"
#include "timeutil.h"
#include "url.h"

enum phase { PH_START, PH_POLL, PH_CANCEL, PH_DONE };

struct exec {
  const struct executor_config *cfg;
  const struct adapter *ad;
  struct exec_result *res;
  struct http_client *hc;
  struct progress *prog;
  struct interrupt intr;
  enum phase phase;
  struct http_request *start_rq, *poll_rq, *cancel_rq;
  char *poll_url;
  int64_t t0_us;           /* origin of the poll grid */
  int64_t next_poll_us;    /* when the next GET may go; 0 = not scheduled */
  int64_t start_retry_us, cancel_retry_us; /* 0 = nothing to retry */
  int64_t last_ok_us;      /* last good poll answer (or the start) */
  int64_t deadline_us;     /* --timeout; 0 = none */
  int64_t cancel_deadline_us;
  int start_tries, poll_failures, cancel_tries;
  int sigints, sigterms;
  bool cancel_requested;   /* Ctrl+C seen; DELETE sent or pending */
  unsigned rng;
  struct buf emitted;      /* --json: the last progress event sent */
  bool on_fallback;        /* the start goes to the adapter's fallback_path */
  char *cancel_refused;    /* the server's 400 to our DELETE, until a GET explains it */
  json_t *error_detail;    /* an `error` object for the adapter's explain_error */
  size_t warnings_seen, errors_seen;
};

static const char *const outcome_names[] = {
  [EXEC_COMPLETED] = "completed", [EXEC_FAILED] = "failed",
  [EXEC_CANCELLED] = "cancelled", [EXEC_CANCELLED_REMOTE] = "cancelled_remote",
  [EXEC_TIMEOUT] = "timeout", [EXEC_DETACHED] = "detached",
  [EXEC_INTERRUPTED] = "interrupted",
  [EXEC_STOPPED] = "stopped", [EXEC_API_ERROR] = "api_error",
  [EXEC_NOT_FOUND] = "not_found",
};

const char *exec_outcome_name(enum exec_outcome o)
{
  return (unsigned)o <= EXEC_NOT_FOUND ? outcome_names[o] : "unknown";
}

/* ---- output ------------------------------------------------------------ */

/* A message for the user, skipped when quiet. */
static void __attribute__((format(printf, 2, 3))) inform(struct exec *ex, const char *fmt, ...)
{
  char msg[1024];
  va_list ap;

  if (ex->cfg->out.quiet)
    return;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  if (ex->prog)
    progress_message(ex->prog, msg);
  else
    fprintf(ex->cfg->out.err, "%s\n", msg);
}

/* An error: always shown, above the bar. */
static void __attribute__((format(printf, 2, 3))) alert(struct exec *ex, const char *fmt, ...)
{
  const struct out *o = &ex->cfg->out;
  va_list ap;

  progress_clear(ex->prog);
  fprintf(o->err, "%s%s ", out_red(o, true), out_sym(o, "❌", "error:"));
  va_start(ap, fmt);
  vfprintf(o->err, fmt, ap);
  va_end(ap);
  fprintf(o->err, "%s\n", out_reset(o, true));
  fflush(o->err);
}

/* -v: one line per answered request. */
static void trace(struct exec *ex, const struct http_request *rq)
{
  if (!ex->cfg->out.verbose)
    return;
  progress_clear(ex->prog);
  if (rq->failure == HTTP_FAIL_NONE)
    fprintf(ex->cfg->out.err, "ktrdr: %s %s -> %ld (%.1f ms)\n", rq->method, rq->url,
            rq->status, (double)(rq->done_us - rq->sent_us) / 1000.0);
  else
    fprintf(ex->cfg->out.err, "ktrdr: %s %s -> %s (%.1f ms)\n", rq->method, rq->url,
            rq->error, (double)(rq->done_us - rq->sent_us) / 1000.0);
}

static const char *op_id(const struct exec *ex)
{
  return ex->res->op_id ? ex->res->op_id : "(none)";
}

static void finish(struct exec *ex, enum exec_outcome outcome)
{
  ex->res->outcome = outcome;
  ex->phase = PH_DONE;
}

static void fail(struct exec *ex, enum exec_outcome outcome, enum err_code code,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void fail(struct exec *ex, enum exec_outcome outcome, enum err_code code,
                 const char *fmt, ...)
{
  va_list ap;

  ex->res->err.code = code;
  va_start(ap, fmt);
  vsnprintf(ex->res->err.msg, sizeof(ex->res->err.msg), fmt, ap);
  va_end(ap);
  finish(ex, outcome);
}

/* The server's description of a failed request: "503 Service Unavailable:
 * ..." or the transport error. */
static void describe(const struct http_request *rq, struct buf *out)
{
  if (rq->failure != HTTP_FAIL_NONE)
    buf_appendf(out, "%s", rq->error);
  else
    apierror_describe(rq->status, buf_cstr(&rq->response), out);
}

/* ---- requests ---------------------------------------------------------- */

static struct http_request *send(struct exec *ex, const char *method, const char *url,
                                 const char *body)
{
  struct http_request *rq = http_request_new(method, url, body, ex->cfg->request_timeout_ms);

  if (!rq || http_client_send(ex->hc, rq) < 0) {
    http_request_free(&rq);
    fail(ex, EXEC_API_ERROR, ERR_NOMEM, "cannot send the %s request: out of memory", method);
    return NULL;
  }
  return rq;
}

static void send_start(struct exec *ex)
{
  json_t *payload = adapter_start_payload(ex->ad);
  char *body = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
  char *url = url_join(ex->cfg->base_url, ex->on_fallback ? ex->ad->ops->fallback_path(ex->ad->self)
                                                           : adapter_start_path(ex->ad));

  json_decref(payload);
  ex->start_tries++;
  ex->start_retry_us = 0;
  if (body && url)
    ex->start_rq = send(ex, "POST", url, body);
  else
    fail(ex, EXEC_API_ERROR, ERR_NOMEM, "cannot build the start request");
  free(body);
  free(url);
}

/* Fixed-rate schedule: at most one GET per grid slot, never drifting. */
static void schedule_after_send(struct exec *ex, int64_t now)
{
  int64_t interval = (int64_t)ex->cfg->poll_interval_ms * 1000;
  int64_t slot = (now - ex->t0_us) / interval;

  ex->next_poll_us = ex->t0_us + (slot + 1) * interval;
}

static void send_poll(struct exec *ex, int64_t now)
{
  ex->poll_rq = send(ex, "GET", ex->poll_url, NULL);
  schedule_after_send(ex, now);
}

static void send_cancel(struct exec *ex)
{
  http_client_abort(ex->hc, ex->poll_rq);
  http_request_free(&ex->poll_rq);
  ex->cancel_tries++;
  ex->cancel_retry_us = 0;
  ex->cancel_rq = send(ex, "DELETE", ex->poll_url, NULL);
}

/* ---- outcomes ---------------------------------------------------------- */

static void on_terminal(struct exec *ex)
{
  const struct operation *op = &ex->res->final;

  switch (op->status) {
  case OP_STATUS_COMPLETED:
    finish(ex, EXEC_COMPLETED);
    break;
  case OP_STATUS_FAILED:
    fail(ex, EXEC_FAILED, ERR_STATE, "operation %s failed: %s", op->id,
         op->error_message ? op->error_message : "no error message");
    break;
  default:
    ex->res->cancel_confirmed = ex->cancel_requested;
    if (ex->cancel_requested)
      finish(ex, EXEC_CANCELLED);
    else
      fail(ex, EXEC_CANCELLED_REMOTE, ERR_STATE, "operation %s was cancelled on the server: %s",
           op->id, op->error_message ? op->error_message : "no reason given");
    break;
  }
}

/* --json: a progress event when the status, the percentage or the text changed. */
static void emit_progress(struct exec *ex, const struct operation *op, const char *text)
{
  json_t *ev = json_pack("{s:s, s:s, s:f, s:s?, s:s}", "operation_id", op->id,
                         "status", op->status_text, "percentage", op->progress.percentage,
                         "current_step", op->progress.current_step, "text", text);
  char *key = json_dumps(ev, JSON_COMPACT);

  if (key && strcmp(key, buf_cstr(&ex->emitted)) != 0) {
    buf_reset(&ex->emitted);
    buf_appendf(&ex->emitted, "%s", key);
    events_emit(ex->cfg->out.out, "progress", json_incref(ev));
  }
  free(key);
  json_decref(ev);
}

/* Warnings and errors the operation accumulates, each shown once. */
static void show_list_news(struct exec *ex, const json_t *list, size_t *seen, const char *mark)
{
  for (; *seen < json_array_size(list); (*seen)++) {
    const json_t *item = json_array_get(list, *seen);
    if (json_is_string(item))
      inform(ex, "%s %s", mark, json_string_value(item));
  }
}

static void show_news(struct exec *ex)
{
  const struct out *o = &ex->cfg->out;

  show_list_news(ex, ex->res->final.warnings, &ex->warnings_seen, out_sym(o, "⚠️ ", "warning:"));
  show_list_news(ex, ex->res->final.errors, &ex->errors_seen, out_sym(o, "❌", "error:"));
}

static void show_state(struct exec *ex, int64_t now)
{
  struct buf line = BUF_INIT;

  adapter_format_progress(ex->ad, &ex->res->final, &line);
  progress_update(ex->prog, ex->res->final.progress.percentage, buf_cstr(&line), now);
  if (ex->cfg->json)
    emit_progress(ex, &ex->res->final, buf_cstr(&line));
  buf_release(&line);
}

/* ---- responses --------------------------------------------------------- */

static void begin_polling(struct exec *ex, int64_t now)
{
  struct buf path = BUF_INIT;

  buf_appendf(&path, "/operations/%s", ex->res->op_id);
  ex->poll_url = url_join(ex->cfg->base_url, buf_cstr(&path));
  buf_release(&path);
  if (!ex->poll_url) {
    fail(ex, EXEC_API_ERROR, ERR_NOMEM, "out of memory");
    return;
  }
  ex->t0_us = ex->last_ok_us = now;
  ex->next_poll_us = now;
  ex->phase = PH_POLL;
  if (ex->cfg->timeout_s > 0)
    ex->deadline_us = now + (int64_t)(ex->cfg->timeout_s * 1e6);
}

/* Keeps the `error` object (or the FastAPI detail) of a refused start for
 * the adapter's explain_error. */
static void keep_error_detail(struct exec *ex, const json_t *body)
{
  const json_t *e = json_object_get(body, "error");

  json_decref(ex->error_detail);
  ex->error_detail = NULL;
  if (json_is_object(e))
    ex->error_detail = json_deep_copy(e);
  else if (json_is_string(json_object_get(body, "detail")))
    ex->error_detail = json_pack("{s:O}", "message", json_object_get(body, "detail"));
}

static void on_start_failed(struct exec *ex, const struct http_request *rq, int64_t now)
{
  struct buf why = BUF_INIT;
  json_t *body;

  if (ex->cancel_requested) {
    finish(ex, EXEC_CANCELLED);
    return;
  }
  if (rq->failure == HTTP_FAIL_NONE && (rq->status == 404 || rq->status == 405) &&
      ex->ad->ops->fallback_path && !ex->on_fallback) {
    ex->on_fallback = true;  /* sent by send_due, outside this dispatch */
    ex->start_tries = 0;
    ex->start_retry_us = now;
    return;
  }
  body = json_loads(buf_cstr(&rq->response), 0, NULL);
  keep_error_detail(ex, body);
  json_decref(body);
  if (retry_safe_for_post(rq->failure, rq->status) && ex->start_tries < ex->cfg->start_attempts) {
    ex->start_retry_us = now + 1000LL * retry_delay_ms(ex->start_tries - 1, 250, 2000,
                                                       rq->retry_after_s, &ex->rng);
    return;
  }
  describe(rq, &why);
  if (rq->failure == HTTP_FAIL_CONNECT)
    fail(ex, EXEC_API_ERROR, ERR_NET,
         "cannot reach the KTRDR API at %s (%s); is the server running? "
         "Set the address with --url or KTRDR_API_URL", ex->cfg->base_url, buf_cstr(&why));
  else if (rq->failure != HTTP_FAIL_NONE)
    fail(ex, EXEC_API_ERROR, ERR_NET, "the %s start request to %s failed: %s",
         ex->ad->ops->name, ex->cfg->base_url, buf_cstr(&why));
  else
    fail(ex, EXEC_API_ERROR, ERR_HTTP, "the server refused to start the %s operation: %s",
         ex->ad->ops->name, buf_cstr(&why));
  buf_release(&why);
}

static void on_start_done(struct exec *ex, struct http_request *rq, int64_t now)
{
  struct err err = ERR_INIT;
  json_t *body;

  if (retry_classify(rq->failure, rq->status) != RETRY_SUCCESS) {
    on_start_failed(ex, rq, now);
    return;
  }
  body = json_loads(buf_cstr(&rq->response), 0, NULL);
  if (!body || adapter_parse_start(ex->ad, body, &ex->res->op_id, &err) < 0) {
    keep_error_detail(ex, body);
    fail(ex, EXEC_API_ERROR, err.code ? err.code : ERR_PARSE, "%s",
         body ? err.msg : "the start response is not JSON");
    json_decref(body);
    return;
  }
  json_decref(body);
  if (ex->cfg->json)
    events_emit(ex->cfg->out.out, "started",
                json_pack("{s:s, s:s}", "operation_id", ex->res->op_id,
                          "operation_type", ex->ad->ops->name));
  if (ex->cfg->detach) {
    finish(ex, EXEC_DETACHED);
    return;
  }
  inform(ex, "Started %s operation %s", ex->ad->ops->name, ex->res->op_id);
  begin_polling(ex, now);
  if (ex->cancel_requested && ex->phase == PH_POLL) {
    ex->phase = PH_CANCEL;
    send_cancel(ex);
  }
}

/* A poll that did not give a usable state: retry, or give up. */
static void on_poll_trouble(struct exec *ex, const struct http_request *rq,
                            const char *why, int64_t now)
{
  int delay;

  if (rq->status == 404) {
    fail(ex, EXEC_NOT_FOUND, ERR_NOTFOUND,
         "operation %s no longer exists on the server (%s)", op_id(ex), why);
    return;
  }
  if (retry_classify(rq->failure, rq->status) == RETRY_FATAL) {
    fail(ex, EXEC_API_ERROR, ERR_HTTP, "polling operation %s failed: %s", op_id(ex), why);
    return;
  }
  if (now - ex->last_ok_us >= (int64_t)ex->cfg->outage_ms * 1000) {
    fail(ex, EXEC_API_ERROR, ERR_NET,
         "no usable answer from %s for %d s while following operation %s (last: %s); "
         "the operation may still be running. Check it: ktrdr operations status %s",
         ex->cfg->base_url, ex->cfg->outage_ms / 1000, op_id(ex), why, op_id(ex));
    return;
  }
  if (ex->poll_failures++ == 0)
    inform(ex, "Connection trouble (%s); retrying...", why);
  delay = retry_delay_ms(ex->poll_failures - 1, ex->cfg->poll_interval_ms, 5000,
                         rq->retry_after_s, &ex->rng);
  if (ex->next_poll_us < now + delay * 1000LL)
    ex->next_poll_us = now + delay * 1000LL;
}

/* Replaces bytes that are not UTF-8 with '?' (in place). */
static void scrub_utf8(unsigned char *p, size_t n)
{
  for (size_t i = 0; i < n;) {
    size_t len = p[i] < 0x80 ? 1 : (p[i] >> 5) == 6 ? 2 : (p[i] >> 4) == 14 ? 3
                 : (p[i] >> 3) == 30 ? 4 : 0;
    size_t k = 1;

    while (len && k < len && i + k < n && (p[i + k] & 0xC0) == 0x80)
      k++;
    if (!len || k < len || (len == 2 && p[i] < 0xC2)) {
      p[i++] = '?';
      continue;
    }
    i += len;
  }
}

/* The body as JSON; a server that put non-UTF-8 bytes in a string (jansson
 * refuses those) still gets read, with the bad bytes as '?'. */
static json_t *parse_lenient(struct buf *body)
{
  json_error_t jerr;
  json_t *j = json_loadb(buf_cstr(body), body->len, 0, &jerr);

  if (j || json_error_code(&jerr) != json_error_invalid_utf8)
    return j;
  scrub_utf8((unsigned char *)body->data, body->len);
  return json_loadb(buf_cstr(body), body->len, 0, NULL);
}

static void on_poll_done(struct exec *ex, struct http_request *rq, int64_t now)
{
  struct operation op = OPERATION_INIT;
  struct err err = ERR_INIT;
  struct buf why = BUF_INIT;
  json_t *body = NULL;

  if (retry_classify(rq->failure, rq->status) != RETRY_SUCCESS) {
    describe(rq, &why);
  } else if (!(body = parse_lenient(&rq->response))) {
    buf_appendf(&why, "the status response is not valid JSON");
  } else if (operation_from_envelope(&op, body, &err) < 0) {
    buf_appendf(&why, "%s", err.msg);
  }
  json_decref(body);
  if (why.len) {
    on_poll_trouble(ex, rq, buf_cstr(&why), now);
    buf_release(&why);
    return;
  }
  if (ex->poll_failures && !ex->cfg->out.quiet)
    inform(ex, "Connection restored");
  ex->poll_failures = 0;
  ex->last_ok_us = now;
  ex->res->polls++;
  operation_release(&ex->res->final);
  ex->res->final = op;
  show_news(ex);
  show_state(ex, now);
  if (op_status_is_terminal(ex->res->final.status))
    on_terminal(ex);
  else if (ex->cancel_refused)
    fail(ex, EXEC_API_ERROR, ERR_HTTP, "the server refused to cancel operation %s (%s); it is "
         "still running. Check it: ktrdr operations status %s", op_id(ex), ex->cancel_refused,
         op_id(ex));
}

static void on_cancel_done(struct exec *ex, struct http_request *rq, int64_t now)
{
  struct buf why = BUF_INIT;
  enum retry_class rc = retry_classify(rq->failure, rq->status);

  describe(rq, &why);
  if (rc == RETRY_SUCCESS || rq->status == 400) {
    /* Accepted, or refused because it already finished (or for a reason of
     * the server's own): the next GET tells which. */
    ex->res->cancel_sent = rc == RETRY_SUCCESS;
    if (rq->status == 400)
      ex->cancel_refused = buf_detach(&why);
    ex->next_poll_us = now;
    buf_release(&why);
    return;
  }
  if (rq->status == 404)
    fail(ex, EXEC_NOT_FOUND, ERR_NOTFOUND, "operation %s no longer exists on the server (%s)",
         op_id(ex), buf_cstr(&why));
  else if (rc == RETRY_TRANSIENT)
    ex->cancel_retry_us = now + 1000LL * retry_delay_ms(ex->cancel_tries - 1, 100, 2000,
                                                        rq->retry_after_s, &ex->rng);
  else
    fail(ex, EXEC_API_ERROR, ERR_HTTP,
         "could not cancel operation %s: %s; it may still be running. Check it: "
         "ktrdr operations status %s", op_id(ex), buf_cstr(&why), op_id(ex));
  buf_release(&why);
}

static void dispatch(struct exec *ex, struct http_request *rq, int64_t now)
{
  trace(ex, rq);
  if (rq == ex->start_rq) {
    on_start_done(ex, rq, now);
    http_request_free(&ex->start_rq);
  } else if (rq == ex->poll_rq) {
    on_poll_done(ex, rq, now);
    http_request_free(&ex->poll_rq);
  } else if (rq == ex->cancel_rq) {
    on_cancel_done(ex, rq, now);
    http_request_free(&ex->cancel_rq);
  }
}

/* ---- signals and deadlines --------------------------------------------- */

static void request_cancel(struct exec *ex, int64_t now)
{
  const struct out *o = &ex->cfg->out;

  ex->cancel_requested = true;
  ex->cancel_deadline_us = now + (int64_t)ex->cfg->cancel_wait_ms * 1000;
  if (ex->cfg->json)
    events_emit(o->out, "cancelling", json_pack("{s:s?}", "operation_id", ex->res->op_id));
  if (!o->quiet) {
    progress_clear(ex->prog);
    fprintf(o->err, "%s%s Cancelling operation %s... (Ctrl+C again to stop waiting)%s\n",
            out_yellow(o, true), out_sym(o, "⚠️ ", "!"), op_id(ex), out_reset(o, true));
    fflush(o->err);
  }
  if (ex->phase == PH_POLL) {
    ex->phase = PH_CANCEL;
    send_cancel(ex);
  } else if (ex->phase == PH_START && !ex->start_rq) {
    finish(ex, EXEC_CANCELLED); /* between start retries: nothing started */
  }
}

static void on_signals(struct exec *ex, int64_t now)
{
  int ints = 0, terms = 0;

  interrupt_take(&ex->intr, &ints, &terms);
  if (terms) {
    fail(ex, EXEC_STOPPED, ERR_STATE, "stopped by a signal; operation %s was not cancelled. "
         "Follow it: ktrdr operations follow %s", op_id(ex), op_id(ex));
    return;
  }
  if (!ints)
    return;
  if (ex->cfg->follow_id) {
    fail(ex, EXEC_INTERRUPTED, ERR_STATE,
         "stopped following operation %s; it keeps running. Re-attach: ktrdr operations "
         "follow %s; cancel it: ktrdr operations cancel %s", op_id(ex), op_id(ex), op_id(ex));
    return;
  }
  ex->sigints += ints;
  if (!ex->cancel_requested)
    request_cancel(ex, now);
  if (ex->sigints >= 2)
    fail(ex, EXEC_CANCELLED, ERR_STATE,
         "stopped waiting; the cancellation of operation %s was %s but not confirmed. "
         "Check it: ktrdr operations status %s", op_id(ex),
         ex->res->cancel_sent ? "accepted" : "requested", op_id(ex));
}

static void check_deadlines(struct exec *ex, int64_t now)
{
  if (ex->phase == PH_POLL && ex->deadline_us && now >= ex->deadline_us)
    fail(ex, EXEC_TIMEOUT, ERR_STATE,
         "stopped waiting after %g s; operation %s is still running. Follow it: "
         "ktrdr operations follow %s", ex->cfg->timeout_s, op_id(ex), op_id(ex));
  else if (ex->phase == PH_CANCEL && now >= ex->cancel_deadline_us)
    fail(ex, EXEC_CANCELLED, ERR_STATE,
         "the server did not confirm the cancellation of operation %s within %d s; "
         "it may still be running. Check it: ktrdr operations status %s", op_id(ex),
         ex->cfg->cancel_wait_ms / 1000, op_id(ex));
}

static void send_due(struct exec *ex, int64_t now)
{
  if (ex->phase == PH_START && ex->start_retry_us && now >= ex->start_retry_us)
    send_start(ex);
  if (ex->phase == PH_CANCEL && ex->cancel_retry_us && now >= ex->cancel_retry_us)
    send_cancel(ex);
  if ((ex->phase == PH_POLL || (ex->phase == PH_CANCEL && !ex->cancel_rq && !ex->cancel_retry_us)) &&
      !ex->poll_rq && ex->next_poll_us && now >= ex->next_poll_us)
    send_poll(ex, now);
}

static int64_t earliest(int64_t a, int64_t b)
{
  if (!a)
    return b;
  if (!b)
    return a;
  return a < b ? a : b;
}

/* How long the loop may sleep: until the next thing that is due. */
static int wait_ms(const struct exec *ex, int64_t now)
{
  int64_t t = 0;
  int pm = progress_next_ms(ex->prog, now);

  if (!ex->poll_rq && (ex->phase == PH_POLL || ex->phase == PH_CANCEL))
    t = earliest(t, ex->next_poll_us);
  t = earliest(t, ex->start_retry_us);
  t = earliest(t, ex->cancel_retry_us);
  if (ex->phase == PH_POLL)
    t = earliest(t, ex->deadline_us);
  if (ex->phase == PH_CANCEL)
    t = earliest(t, ex->cancel_deadline_us);
  if (pm >= 0)
    t = earliest(t, now + pm * 1000LL);
  if (!t || t - now > 1000000)
    return 1000;
  return t <= now ? 0 : (int)((t - now + 999) / 1000);
}

/* ---- the loop ---------------------------------------------------------- */

static void run_loop(struct exec *ex)
{
  struct http_request *rq;
  bool sig;
  int64_t now;

  while (ex->phase != PH_DONE) {
    now = timeutil_mono_us();
    check_deadlines(ex, now);
    if (ex->phase == PH_DONE)
      break;
    send_due(ex, now);
    if (ex->phase == PH_DONE)
      break;
    if (http_client_wait(ex->hc, interrupt_fd(&ex->intr), wait_ms(ex, now), &sig) < 0) {
      fail(ex, EXEC_API_ERROR, ERR_INTERNAL, "the HTTP layer failed");
      break;
    }
    now = timeutil_mono_us();
    if (sig)
      on_signals(ex, now);
    while (ex->phase != PH_DONE && (rq = http_client_next_done(ex->hc)))
      dispatch(ex, rq, now);
    progress_tick(ex->prog, now);
  }
}

/* The adapter's extra result body (e.g. a training's performance), if any. */
static void fetch_result(struct exec *ex)
{
  struct api_response r = API_RESPONSE_INIT;
  struct buf path = BUF_INIT;
  struct err err = ERR_INIT;

  if (!ex->ad->ops->result_path || ex->ad->ops->result_path(ex->ad->self, &ex->res->final,
                                                            &path) < 0)
    goto out;
  if (api_call(ex->cfg->base_url, "GET", buf_cstr(&path), NULL, &r, &err) < 0 ||
      r.status / 100 != 2 || !r.body) {
    if (r.status && !err.msg[0])
      api_error(&r, &err);
    if (ex->cfg->out.verbose)
      fprintf(ex->cfg->out.err, "ktrdr: cannot fetch %s: %s; showing the final status instead\n",
              buf_cstr(&path), err.msg);
    goto out;
  }
  ex->res->result = json_incref(r.body);
out:
  api_response_release(&r);
  buf_release(&path);
}

static void report_json(struct exec *ex)
{
  struct exec_result *res = ex->res;
  json_t *ev = json_pack("{s:s, s:i, s:s?, s:o, s:O?}", "outcome",
                         exec_outcome_name(res->outcome), "exit_code",
                         exitcode_for(res->outcome), "operation_id", res->op_id,
                         "operation", res->final.id ? operation_to_json(&res->final) : json_null(),
                         "result", res->result);

  if (res->err.msg[0])
    json_object_set_new(ev, "error", json_pack("{s:s, s:s, s:O*}", "kind",
                                               err_code_name(res->err.code), "message",
                                               res->err.msg, "server_error", ex->error_detail));
  events_emit(ex->cfg->out.out, "final", ev);
}

static void report_cancelled(struct exec *ex)
{
  const struct out *o = &ex->cfg->out;

  if (ex->res->cancel_confirmed) {
    if (!o->quiet)
      fprintf(o->err, "%s Operation %s cancelled\n", out_sym(o, "✓", "*"), op_id(ex));
    if (!o->quiet && ex->ad->ops->show_cancelled)
      ex->ad->ops->show_cancelled(ex->ad->self, &ex->res->final, o);
  } else if (ex->res->err.msg[0]) {
    alert(ex, "%s", ex->res->err.msg);
  } else if (!o->quiet) {
    fprintf(o->err, "Cancelled before the operation started\n");
  }
}

/* The adapter's own account of a refused start or a failed operation. */
static void explain(struct exec *ex)
{
  json_t *e = ex->error_detail;

  if (!ex->ad->ops->explain_error)
    return;
  if (!e && ex->res->outcome == EXEC_FAILED && ex->res->final.error_message)
    e = ex->error_detail = json_pack("{s:s}", "message", ex->res->final.error_message);
  if (e)
    ex->ad->ops->explain_error(ex->ad->self, e, &ex->cfg->out);
}

static void report(struct exec *ex)
{
  struct exec_result *res = ex->res;
  const struct out *o = &ex->cfg->out;
  struct err err = ERR_INIT;

  progress_stop(&ex->prog, timeutil_mono_us());
  if (res->outcome == EXEC_COMPLETED)
    fetch_result(ex);
  if (ex->cfg->json) {
    report_json(ex);
    return;
  }
  switch (res->outcome) {
  case EXEC_COMPLETED:
    if (ex->ad->ops->show_result(ex->ad->self, &res->final, res->result, o, &err) < 0)
      alert(ex, "cannot show the results of operation %s: %s", op_id(ex), err.msg);
    break;
  case EXEC_CANCELLED:
    report_cancelled(ex);
    break;
  case EXEC_DETACHED:
    fprintf(o->out, "%s\n", op_id(ex));
    if (!o->quiet)
      fprintf(o->err, "Operation %s keeps running.\n  Follow it: ktrdr operations follow %s\n"
              "  Cancel it: ktrdr operations cancel %s\n", op_id(ex), op_id(ex), op_id(ex));
    break;
  case EXEC_INTERRUPTED:
    if (!o->quiet)
      fprintf(o->err, "%s\n", res->err.msg);
    break;
  default:
    alert(ex, "%s", res->err.msg);
    explain(ex);
    break;
  }
  fflush(o->out);
  fflush(o->err);
}

static int setup(struct exec *ex, const struct executor_config *cfg, const struct adapter *ad,
                 struct exec_result *res)
{
  struct progress_opts popts = { .stream = cfg->out.err, .mode = cfg->progress,
                                 .utf8 = cfg->out.utf8 };

  memset(ex, 0, sizeof(*ex));
  ex->cfg = cfg;
  ex->ad = ad;
  ex->res = res;
  ex->rng = (unsigned)timeutil_mono_us() | 1u;
  ex->intr.pipe_r = ex->intr.pipe_w = -1;
  ex->hc = http_client_new();
  if (!ex->hc)
    return err_set(&res->err, ERR_NOMEM, "cannot initialise libcurl");
  if (interrupt_install(&ex->intr, &res->err) < 0)
    return -1;
  if (!cfg->detach)
    ex->prog = progress_new(&popts, timeutil_mono_us());
  return 0;
}

static void teardown(struct exec *ex)
{
  progress_stop(&ex->prog, timeutil_mono_us());
  http_client_abort(ex->hc, ex->start_rq);
  http_client_abort(ex->hc, ex->poll_rq);
  http_client_abort(ex->hc, ex->cancel_rq);
  http_request_free(&ex->start_rq);
  http_request_free(&ex->poll_rq);
  http_request_free(&ex->cancel_rq);
  http_client_free(&ex->hc);
  if (ex->intr.pipe_r >= 0)
    interrupt_restore(&ex->intr);
  free(ex->poll_url);
  buf_release(&ex->emitted);
  json_decref(ex->error_detail);
  free(ex->cancel_refused);
}

int executor_run(const struct executor_config *cfg, const struct adapter *ad,
                 struct exec_result *res)
{
  struct exec ex;
  int rc = 0;

  memset(res, 0, sizeof(*res));
  res->final.progress.items_total = -1;
  if (setup(&ex, cfg, ad, res) < 0) {
    res->outcome = EXEC_API_ERROR;
    rc = -1;
    goto out;
  }
  if (cfg->follow_id) {
    res->op_id = strdup(cfg->follow_id);
    begin_polling(&ex, timeutil_mono_us());
  } else {
    if (!cfg->out.quiet && ad->ops->show_banner)
      ad->ops->show_banner(ad->self, &cfg->out);
    send_start(&ex);
  }
  run_loop(&ex);
  report(&ex);
out:
  teardown(&ex);
  return rc;
}

void exec_result_release(struct exec_result *res)
{
  if (!res)
    return;
  free(res->op_id);
  res->op_id = NULL;
  operation_release(&res->final);
  json_decref(res->result);
  res->result = NULL;
}
