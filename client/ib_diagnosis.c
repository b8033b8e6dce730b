/* IB error classification. The texts follow ktrdr/cli/ib_diagnosis.py so a
 * user sees the same advice from both clients. */
#include "ib_diagnosis.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "operation.h"
#include "progress_format.h"

/* What rules 2-5 say; rule 1 uses the server's own message. */
struct rule_text {
  const char *title, *title_ascii;
  const char *body;
};

static const struct rule_text rule_texts[] = {
  [2] = { "🚨 IB GATEWAY CONNECTION ISSUE DETECTED", "[!!] IB GATEWAY CONNECTION ISSUE DETECTED",
          "The system has detected repeated IB Gateway failures and has temporarily\n"
          "disabled IB operations to prevent system overload.\n\n"
          "REQUIRED ACTION:\n"
          "1. Check that IB Gateway/TWS is running and connected\n"
          "2. Verify API settings are enabled in IB Gateway\n"
          "3. Restart IB Gateway to refresh connections\n"
          "4. Wait a moment, then retry your operation" },
  [3] = { "🚨 IB GATEWAY SILENT CONNECTION DETECTED", "[!!] IB GATEWAY SILENT CONNECTION DETECTED",
          "TCP connection to IB Gateway works but operations timeout.\n"
          "This indicates a port forwarding or API configuration issue.\n\n"
          "REQUIRED ACTION:\n"
          "1. Check IB Gateway API settings (Enable API, correct port)\n"
          "2. If using Docker: verify host.docker.internal resolution\n"
          "3. Restart IB Gateway to refresh API connections\n"
          "4. Check firewall/network blocking data transmission" },
  [4] = { "🚨 IB GATEWAY NOT ACCESSIBLE", "[!!] IB GATEWAY NOT ACCESSIBLE",
          "Cannot establish connection to IB Gateway.\n\n"
          "REQUIRED ACTION:\n"
          "1. Start IB Gateway/TWS and ensure it's running\n"
          "2. Verify the correct port is configured\n"
          "3. Check that API access is enabled in IB Gateway settings\n"
          "4. Ensure no firewall is blocking the connection" },
  [5] = { "⚠️ IB GATEWAY ISSUE", "[!] IB GATEWAY ISSUE",
          "This may be a temporary IB connectivity issue.\n"
          "The system will retry automatically. If problem persists, check IB Gateway." },
};

/* How each problem type is announced and what to do about it. */
struct problem_text {
  const char *name;
  const char *header, *header_ascii;
  const char *footer;
  const char *const *steps;   /* NULL-terminated */
};

static const char *const unrecoverable_steps[] = {
  "Check that IB Gateway/TWS is running and logged in",
  "Restart IB Gateway/TWS and wait for it to connect to the IB servers",
  "Verify that API access is enabled on the port the server uses (4002 paper, 4001 live)",
  "Wait for the circuit breaker to re-enable IB operations, then retry",
  "If still failing, check network connectivity and firewalls",
  NULL,
};

static const char *const recoverable_steps[] = {
  "Wait a moment and try again",
  "If the problem persists, restart IB Gateway/TWS",
  "Check IB server status at interactivebrokers.com",
  NULL,
};

static const char *const configuration_steps[] = {
  "Open IB Gateway/TWS settings",
  "Go to API > Settings",
  "Enable 'Enable ActiveX and Socket Clients'",
  "Set the correct port (4002 for paper, 4001 for live)",
  "Restart IB Gateway after changes",
  NULL,
};

static const char *const unknown_steps[] = {
  "Check IB Gateway/TWS is running and connected",
  "Verify API settings are enabled",
  "Restart IB Gateway if needed",
  "Check network connectivity",
  NULL,
};

static const struct problem_text problem_texts[] = {
  [IB_PROBLEM_NONE] = { "none", NULL, NULL, NULL, NULL },
  [IB_PROBLEM_UNRECOVERABLE] = {
    "unrecoverable", "❌ UNRECOVERABLE IB GATEWAY ISSUE", "[X] UNRECOVERABLE IB GATEWAY ISSUE",
    "This error will persist until you fix the IB Gateway connection.\n"
    "All IB operations are currently disabled to prevent system overload.",
    unrecoverable_steps },
  [IB_PROBLEM_RECOVERABLE] = {
    "recoverable", "⚠️ TEMPORARY IB ISSUE", "[!] TEMPORARY IB ISSUE",
    "The system will retry automatically. If problem persists, check IB Gateway.",
    recoverable_steps },
  [IB_PROBLEM_CONFIGURATION] = {
    "configuration", "🔧 IB CONFIGURATION ISSUE", "[*] IB CONFIGURATION ISSUE",
    "Please verify your IB Gateway settings and configuration.", configuration_steps },
  [IB_PROBLEM_UNKNOWN] = {
    "unknown", "❓ IB CONNECTION ISSUE", "[?] IB CONNECTION ISSUE",
    "Please check your IB Gateway connection.", unknown_steps },
};

static const struct problem_text *problem_text(enum ib_problem p)
{
  return &problem_texts[(unsigned)p <= IB_PROBLEM_UNKNOWN ? p : IB_PROBLEM_UNKNOWN];
}

const char *ib_problem_name(enum ib_problem p)
{
  return problem_text(p)->name;
}

const char *ib_problem_header(enum ib_problem p, bool utf8)
{
  return utf8 ? problem_text(p)->header : problem_text(p)->header_ascii;
}

/* ---- classification ---------------------------------------------------- */

static char ascii_lower(char c)
{
  return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Python's `needle in hay.lower()` for an ASCII, lowercase needle. */
static bool contains_ci(const char *hay, const char *needle)
{
  size_t i, n = strlen(needle);

  for (; *hay; hay++) {
    for (i = 0; i < n && hay[i] && ascii_lower(hay[i]) == needle[i]; i++)
      ;
    if (i == n)
      return true;
  }
  return n == 0;
}

static bool contains_any_ci(const char *hay, const char *const *needles)
{
  for (; *needles; needles++)
    if (contains_ci(hay, *needles))
      return true;
  return false;
}

static enum ib_problem problem_parse(const char *s)
{
  if (s && strcmp(s, "unrecoverable") == 0)
    return IB_PROBLEM_UNRECOVERABLE;
  if (s && strcmp(s, "recoverable") == 0)
    return IB_PROBLEM_RECOVERABLE;
  if (s && strcmp(s, "configuration") == 0)
    return IB_PROBLEM_CONFIGURATION;
  return IB_PROBLEM_UNKNOWN;
}

/* The first matching rule (1..5), or 0. */
static int match_rule(const char *code, const char *msg)
{
  static const char *const connect_words[] = { "connect", "unreachable", "refused", NULL };
  static const char *const ib_words[] = { "ib-", "gateway", "tws", "interactive", "brokers",
                                          NULL };

  if (strstr(code, "IB-GATEWAY-ISSUE"))
    return 1;
  if (strstr(code, "CIRCUIT") || contains_ci(msg, "circuit"))
    return 2;
  if (contains_ci(msg, "timeout") || strstr(code, "TIMEOUT"))
    return 3;
  if (contains_any_ci(msg, connect_words))
    return 4;
  if (contains_any_ci(code, ib_words) || contains_any_ci(msg, ib_words))
    return 5;
  return 0;
}

void ib_diagnose(struct ib_diagnosis *d, const json_t *error)
{
  const json_t *details = json_object_get(error, "details");
  const json_t *diagnosis;

  memset(d, 0, sizeof(*d));
  d->code = json_str_or(error, "code", "");
  d->message = json_str_or(error, "message", "");
  if (!json_is_object(error) || json_object_size(error) == 0)
    return;
  d->rule = match_rule(d->code, d->message);
  if (d->rule == 1) {
    diagnosis = json_object_get(details, "diagnosis");
    d->problem = problem_parse(json_str_or(details, "problem_type", NULL));
    d->details = json_is_object(diagnosis) ? diagnosis : NULL;
  } else if (d->rule > 1) {
    d->problem = d->rule == 5 ? IB_PROBLEM_RECOVERABLE : IB_PROBLEM_UNRECOVERABLE;
    d->details = json_is_object(details) ? details : NULL;
    d->title = rule_texts[d->rule].title;
    d->title_ascii = rule_texts[d->rule].title_ascii;
  }
}

/* ---- text -------------------------------------------------------------- */

char *ib_diagnosis_clear_message(const struct ib_diagnosis *d, bool utf8)
{
  struct buf b = BUF_INIT;
  int rc;

  if (d->problem == IB_PROBLEM_NONE)
    return NULL;
  if (d->rule == 1)
    rc = buf_appendf(&b, "%s", *d->message ? d->message
                                           : "The server reported an IB Gateway issue "
                                             "without a message.");
  else if (d->rule == 5)
    rc = buf_appendf(&b, "%s\n\n%s\n\n%s", utf8 ? d->title : d->title_ascii, d->message,
                     rule_texts[5].body);
  else
    rc = buf_appendf(&b, "%s\n\n%s", utf8 ? d->title : d->title_ascii,
                     rule_texts[d->rule].body);
  if (rc < 0) {
    buf_release(&b);
    return NULL;
  }
  return buf_detach(&b);
}

/* One line of server text, safe for a terminal (and ASCII when !utf8). */
static void put_line(FILE *f, const char *s, size_t len, bool utf8)
{
  char *line = strndup(s, len);
  char *safe = malloc(len + 8);   /* pf_fit never writes more than it reads */

  if (line && safe) {
    pf_fit(line, (size_t)-1, utf8, safe, len + 8);
    fputs(safe, f);
  }
  fputc('\n', f);
  free(line);
  free(safe);
}

static void put_text(FILE *f, const char *text, bool utf8)
{
  const char *nl;

  while ((nl = strchr(text, '\n'))) {
    put_line(f, text, (size_t)(nl - text), utf8);
    text = nl + 1;
  }
  put_line(f, text, strlen(text), utf8);
}

static void print_original(const json_t *error, const struct ib_diagnosis *d, const struct out *o)
{
  const char *msg = json_str_or(error, "message", d->message);
  const char *code = json_str_or(error, "code", d->code);
  struct buf b = BUF_INIT;

  if (buf_appendf(&b, "Original error: %s", *msg ? msg : "(no message)") == 0 &&
      (!*code || buf_appendf(&b, " (code: %s)", code) == 0))
    put_text(o->err, buf_cstr(&b), o->utf8);
  buf_release(&b);
}

static void print_details(const struct ib_diagnosis *d, const struct out *o)
{
  size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER | (o->utf8 ? 0 : JSON_ENSURE_ASCII);
  char *text;

  if (!d->details || json_object_size(d->details) == 0)
    return;
  text = json_dumps(d->details, flags);
  if (!text)
    return;
  fputs("Diagnostic details: ", o->err);
  put_text(o->err, text, o->utf8);
  free(text);
}

static void print_steps(const struct problem_text *t, const struct out *o)
{
  size_t i;

  fprintf(o->err, "\n%s Recovery Steps:\n", out_sym(o, "💡", "[i]"));
  for (i = 0; t->steps[i]; i++)
    fprintf(o->err, "%zu. %s\n", i + 1, t->steps[i]);
}

void ib_diagnosis_print(const struct ib_diagnosis *d, const json_t *error,
                        const struct out *o, bool verbose)
{
  const struct problem_text *t = problem_text(d->problem);
  const char *colour = d->problem == IB_PROBLEM_UNRECOVERABLE ? out_red(o, true)
                                                               : out_yellow(o, true);
  char *clear;

  if (d->problem == IB_PROBLEM_NONE)
    return;
  fprintf(o->err, "%s%s%s%s\n\n", out_bold(o, true), colour,
          ib_problem_header(d->problem, o->utf8), out_reset(o, true));
  clear = ib_diagnosis_clear_message(d, o->utf8);
  if (clear)
    put_text(o->err, clear, o->utf8);
  if (!clear || !strstr(clear, t->footer)) /* rule 5 already says it */
    fprintf(o->err, "\n%s\n", t->footer);
  fputc('\n', o->err);
  free(clear);
  print_original(error, d, o);
  if (!verbose)
    return;
  print_details(d, o);
  print_steps(t, o);
}
