/* ib_diagnosis: the five rules of §6.4 in order, and the printed text. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "ib_diagnosis.h"
#include "testlib.h"

TestSuite(ib_diagnosis, .timeout = 20);

static json_t *parse(const char *text)
{
  json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);

  cr_assert_not_null(j, "bad test JSON: %s", text);
  return j;
}

/* ---- classification ---------------------------------------------------- */

struct rule_case {
  const char *error;        /* JSON text of the error object */
  enum ib_problem problem;
  int rule;
  const char *details;      /* compact JSON of d.details, or NULL */
};

static const struct rule_case rule_cases[] = {
  /* 1: the server's own diagnosis */
  { "{\"code\":\"IB-GATEWAY-ISSUE\",\"message\":\"IB Gateway is not accepting API clients\","
    "\"details\":{\"problem_type\":\"configuration\",\"diagnosis\":{\"port\":4002}}}",
    IB_PROBLEM_CONFIGURATION, 1, "{\"port\":4002}" },
  { "{\"code\":\"DATA-IB-GATEWAY-ISSUE\",\"message\":\"m\",\"details\":{\"problem_type\":\"recoverable\"}}",
    IB_PROBLEM_RECOVERABLE, 1, NULL },
  { "{\"code\":\"IB-GATEWAY-ISSUE\",\"message\":\"m\",\"details\":{\"problem_type\":\"unrecoverable\"}}",
    IB_PROBLEM_UNRECOVERABLE, 1, NULL },
  { "{\"code\":\"IB-GATEWAY-ISSUE\",\"message\":\"m\",\"details\":{\"problem_type\":\"odd\"}}",
    IB_PROBLEM_UNKNOWN, 1, NULL },
  { "{\"code\":\"IB-GATEWAY-ISSUE\",\"message\":\"circuit timeout connection\"}",
    IB_PROBLEM_UNKNOWN, 1, NULL },                       /* rule 1 wins over 2-4 */
  { "{\"code\":\"IB-GATEWAY-ISSUE\"}", IB_PROBLEM_UNKNOWN, 1, NULL },
  /* 2: circuit breaker */
  { "{\"code\":\"IB-CIRCUIT-OPEN\",\"message\":\"x\"}", IB_PROBLEM_UNRECOVERABLE, 2, NULL },
  { "{\"code\":\"DATA-LoadError\",\"message\":\"CIRCUIT breaker open\",\"details\":{\"n\":3}}",
    IB_PROBLEM_UNRECOVERABLE, 2, "{\"n\":3}" },
  { "{\"message\":\"Circuit open; timeout; connection refused\"}",
    IB_PROBLEM_UNRECOVERABLE, 2, NULL },                 /* 2 before 3 and 4 */
  /* 3: timeouts */
  { "{\"code\":\"DATA-LoadError\",\"message\":\"Request TimeOut after 30s\"}",
    IB_PROBLEM_UNRECOVERABLE, 3, NULL },
  { "{\"code\":\"IB-TIMEOUT\",\"message\":\"no reply\"}", IB_PROBLEM_UNRECOVERABLE, 3, NULL },
  { "{\"message\":\"Gateway timeout: connection refused\"}",
    IB_PROBLEM_UNRECOVERABLE, 3, NULL },                 /* 3 before 4 and 5 */
  /* 4: cannot connect */
  { "{\"message\":\"Connection refused\"}", IB_PROBLEM_UNRECOVERABLE, 4, NULL },
  { "{\"message\":\"Could not CONNECT to 127.0.0.1:4002\"}", IB_PROBLEM_UNRECOVERABLE, 4, NULL },
  { "{\"message\":\"host unreachable\"}", IB_PROBLEM_UNRECOVERABLE, 4, NULL },
  { "{\"code\":\"DATA-X\",\"message\":\"request refused by gateway\"}",
    IB_PROBLEM_UNRECOVERABLE, 4, NULL },                 /* 4 before 5 */
  /* 5: anything IB-flavoured */
  { "{\"code\":\"DATA-IB-Error\",\"message\":\"no data\"}", IB_PROBLEM_RECOVERABLE, 5, NULL },
  { "{\"code\":\"ib-pacing\",\"message\":\"no data\"}", IB_PROBLEM_RECOVERABLE, 5, NULL },
  { "{\"message\":\"TWS is not logged in\"}", IB_PROBLEM_RECOVERABLE, 5, NULL },
  { "{\"message\":\"Interactive Brokers pacing violation\"}", IB_PROBLEM_RECOVERABLE, 5, NULL },
  { "{\"code\":\"GATEWAY\",\"message\":\"\"}", IB_PROBLEM_RECOVERABLE, 5, NULL },
  { "{\"code\":42,\"message\":\"brokers said no\"}", IB_PROBLEM_RECOVERABLE, 5, NULL },
  /* the code is case-sensitive in rules 2 and 3, as in the live code */
  { "{\"code\":\"circuit_open\",\"message\":\"x\"}", IB_PROBLEM_NONE, 0, NULL },
  { "{\"code\":\"data-timeout\",\"message\":\"x\"}", IB_PROBLEM_NONE, 0, NULL },
  /* no match, missing fields, not an object */
  { "{\"code\":\"DATA-InvalidSymbol\",\"message\":\"Symbol cannot be empty\"}",
    IB_PROBLEM_NONE, 0, NULL },
  { "{}", IB_PROBLEM_NONE, 0, NULL },
  { "{\"details\":{\"problem_type\":\"unrecoverable\"}}", IB_PROBLEM_NONE, 0, NULL },
  { "{\"code\":null,\"message\":null}", IB_PROBLEM_NONE, 0, NULL },
  { "null", IB_PROBLEM_NONE, 0, NULL },
  { "[\"IB gateway down\"]", IB_PROBLEM_NONE, 0, NULL },
  { "\"IB gateway connection refused\"", IB_PROBLEM_NONE, 0, NULL },
};

ParameterizedTestParameters(ib_diagnosis, rules)
{
  return tl_index_params(TL_N(rule_cases));
}

ParameterizedTest(size_t *i, ib_diagnosis, rules)
{
  const struct rule_case *c = &rule_cases[*i];
  json_t *error = parse(c->error);
  struct ib_diagnosis d;
  char *details;

  ib_diagnose(&d, error);
  cr_expect_eq(d.problem, c->problem, "%s: %s", c->error, ib_problem_name(d.problem));
  cr_expect_eq(d.rule, c->rule, "%s: rule %d", c->error, d.rule);
  cr_expect_eq(d.title != NULL, c->rule >= 2, "%s", c->error);
  cr_expect_not_null(d.code);
  cr_expect_not_null(d.message);
  if (c->details) {
    details = json_dumps(d.details, JSON_COMPACT);
    cr_expect_str_eq(details, c->details);
    free(details);
  } else {
    cr_expect_null(d.details, "%s", c->error);
  }
  json_decref(error);
}

Test(ib_diagnosis, null_error)
{
  struct ib_diagnosis d;

  ib_diagnose(&d, NULL);
  cr_expect_eq(d.problem, IB_PROBLEM_NONE);
  cr_expect_str_eq(d.code, "");
  cr_expect_str_eq(d.message, "");
}

Test(ib_diagnosis, titles_headers_names)
{
  static const char *const titles[] = {
    [2] = "🚨 IB GATEWAY CONNECTION ISSUE DETECTED", [3] = "🚨 IB GATEWAY SILENT CONNECTION DETECTED",
    [4] = "🚨 IB GATEWAY NOT ACCESSIBLE", [5] = "⚠️ IB GATEWAY ISSUE",
  };
  static const char *const errors[] = {
    [2] = "{\"message\":\"circuit\"}", [3] = "{\"message\":\"timeout\"}",
    [4] = "{\"message\":\"refused\"}", [5] = "{\"message\":\"tws\"}",
  };
  struct ib_diagnosis d;
  json_t *e;
  int r;

  for (r = 2; r <= 5; r++) {
    e = parse(errors[r]);
    ib_diagnose(&d, e);
    cr_expect_str_eq(d.title, titles[r]);
    cr_expect_str_eq(d.title_ascii + strcspn(d.title_ascii, " ") + 1,
                     titles[r] + strcspn(titles[r], " ") + 1);
    json_decref(e);
  }
  cr_expect_str_eq(ib_problem_header(IB_PROBLEM_UNRECOVERABLE, true), "❌ UNRECOVERABLE IB GATEWAY ISSUE");
  cr_expect_str_eq(ib_problem_header(IB_PROBLEM_RECOVERABLE, true), "⚠️ TEMPORARY IB ISSUE");
  cr_expect_str_eq(ib_problem_header(IB_PROBLEM_CONFIGURATION, true), "🔧 IB CONFIGURATION ISSUE");
  cr_expect_str_eq(ib_problem_header(IB_PROBLEM_UNKNOWN, true), "❓ IB CONNECTION ISSUE");
  cr_expect_str_eq(ib_problem_header(IB_PROBLEM_UNKNOWN, false), "[?] IB CONNECTION ISSUE");
  cr_expect_null(ib_problem_header(IB_PROBLEM_NONE, true));
  cr_expect_str_eq(ib_problem_name(IB_PROBLEM_RECOVERABLE), "recoverable");
  cr_expect_str_eq(ib_problem_name(IB_PROBLEM_NONE), "none");
}

Test(ib_diagnosis, clear_message)
{
  json_t *e = parse("{\"code\":\"IB-X\",\"message\":\"Pacing violation\"}");
  struct ib_diagnosis d;
  char *m;

  ib_diagnose(&d, e);
  m = ib_diagnosis_clear_message(&d, true);
  cr_expect_str_eq(m, "⚠️ IB GATEWAY ISSUE\n\nPacing violation\n\n"
                      "This may be a temporary IB connectivity issue.\n"
                      "The system will retry automatically. If problem persists, check IB Gateway.");
  free(m);
  json_decref(e);
  e = parse("{\"code\":\"IB-GATEWAY-ISSUE\",\"message\":\"Gateway says hi\"}");
  ib_diagnose(&d, e);
  m = ib_diagnosis_clear_message(&d, false);
  cr_expect_str_eq(m, "Gateway says hi");
  free(m);
  json_decref(e);
  e = parse("{\"code\":\"X\"}");
  ib_diagnose(&d, e);
  cr_expect_null(ib_diagnosis_clear_message(&d, true));
  json_decref(e);
}

/* ---- printing ------------------------------------------------------------ */

struct printed {
  struct tl_capture out, err;
  struct out o;
};

static void print_case(struct printed *p, const char *error_json, bool utf8, bool verbose)
{
  json_t *e = parse(error_json);
  struct ib_diagnosis d;

  memset(&p->o, 0, sizeof(p->o));
  p->o.out = tl_capture_open(&p->out);
  p->o.err = tl_capture_open(&p->err);
  p->o.utf8 = utf8;
  ib_diagnose(&d, e);
  ib_diagnosis_print(&d, e, &p->o, verbose);
  cr_expect_str_eq(tl_capture_text(&p->out), "", "nothing on stdout");
  json_decref(e);
}

static void printed_release(struct printed *p)
{
  tl_capture_close(&p->out);
  tl_capture_close(&p->err);
}

#define CIRCUIT_ERROR \
  "{\"code\":\"DATA-LoadError\",\"message\":\"Circuit breaker open for IB data\"}"

static const char circuit_text[] =
  "❌ UNRECOVERABLE IB GATEWAY ISSUE\n"
  "\n"
  "🚨 IB GATEWAY CONNECTION ISSUE DETECTED\n"
  "\n"
  "The system has detected repeated IB Gateway failures and has temporarily\n"
  "disabled IB operations to prevent system overload.\n"
  "\n"
  "REQUIRED ACTION:\n"
  "1. Check that IB Gateway/TWS is running and connected\n"
  "2. Verify API settings are enabled in IB Gateway\n"
  "3. Restart IB Gateway to refresh connections\n"
  "4. Wait a moment, then retry your operation\n"
  "\n"
  "This error will persist until you fix the IB Gateway connection.\n"
  "All IB operations are currently disabled to prevent system overload.\n"
  "\n"
  "Original error: Circuit breaker open for IB data (code: DATA-LoadError)\n";

Test(ib_diagnosis, print_plain)
{
  struct printed p;

  print_case(&p, CIRCUIT_ERROR, true, false);
  cr_expect_str_eq(tl_capture_text(&p.err), circuit_text);
  printed_release(&p);
}

Test(ib_diagnosis, print_verbose)
{
  static const char want[] =
    "🔧 IB CONFIGURATION ISSUE\n"
    "\n"
    "API connections are disabled in IB Gateway\n"
    "\n"
    "Please verify your IB Gateway settings and configuration.\n"
    "\n"
    "Original error: API connections are disabled in IB Gateway (code: IB-GATEWAY-ISSUE)\n"
    "Diagnostic details: {\"port\":4002,\"api_enabled\":false}\n"
    "\n"
    "💡 Recovery Steps:\n"
    "1. Open IB Gateway/TWS settings\n"
    "2. Go to API > Settings\n"
    "3. Enable 'Enable ActiveX and Socket Clients'\n"
    "4. Set the correct port (4002 for paper, 4001 for live)\n"
    "5. Restart IB Gateway after changes\n";
  struct printed p;

  print_case(&p, "{\"code\":\"IB-GATEWAY-ISSUE\",\"message\":\"API connections are disabled in "
                 "IB Gateway\",\"details\":{\"problem_type\":\"configuration\",\"diagnosis\":"
                 "{\"port\":4002,\"api_enabled\":false}}}", true, true);
  cr_expect_str_eq(tl_capture_text(&p.err), want);
  printed_release(&p);
}

Test(ib_diagnosis, print_verbose_adds_steps_to_plain)
{
  struct printed p;
  const char *text;

  print_case(&p, CIRCUIT_ERROR, true, true);
  text = tl_capture_text(&p.err);
  cr_assert(strncmp(text, circuit_text, strlen(circuit_text)) == 0, "%s", text);
  cr_expect_str_eq(text + strlen(circuit_text),
                   "\n"
                   "💡 Recovery Steps:\n"
                   "1. Check that IB Gateway/TWS is running and logged in\n"
                   "2. Restart IB Gateway/TWS and wait for it to connect to the IB servers\n"
                   "3. Verify that API access is enabled on the port the server uses (4002 paper, 4001 live)\n"
                   "4. Wait for the circuit breaker to re-enable IB operations, then retry\n"
                   "5. If still failing, check network connectivity and firewalls\n");
  printed_release(&p);
}

/* Rule 5's clear message already ends with the recoverable footer: the live
 * client prints it twice, this one once. */
Test(ib_diagnosis, print_rule5_footer_once)
{
  struct printed p;

  print_case(&p, "{\"message\":\"TWS pacing violation\"}", true, false);
  cr_expect_str_eq(tl_capture_text(&p.err),
                   "⚠️ TEMPORARY IB ISSUE\n\n"
                   "⚠️ IB GATEWAY ISSUE\n\n"
                   "TWS pacing violation\n\n"
                   "This may be a temporary IB connectivity issue.\n"
                   "The system will retry automatically. If problem persists, check IB Gateway.\n\n"
                   "Original error: TWS pacing violation\n");
  printed_release(&p);
}

/* Every rule, verbose, in ASCII: not one byte >= 0x80, and server text made
 * safe (non-ASCII and ESC become '?'). */
Test(ib_diagnosis, print_ascii)
{
  static const char *const errors[] = {
    "{\"code\":\"IB-GATEWAY-ISSUE\",\"message\":\"Passerelle IB injoignable \u2014 r\u00e9essayez\","
    "\"details\":{\"problem_type\":\"unrecoverable\",\"diagnosis\":{\"h\\u00f4te\":\"\u00e9\"}}}",
    "{\"code\":\"IB-GATEWAY-ISSUE\",\"message\":\"m\",\"details\":{\"problem_type\":\"recoverable\"}}",
    "{\"code\":\"IB-GATEWAY-ISSUE\",\"message\":\"m\",\"details\":{\"problem_type\":\"configuration\"}}",
    "{\"code\":\"IB-GATEWAY-ISSUE\",\"message\":\"\"}",
    CIRCUIT_ERROR,
    "{\"message\":\"timeout \u00e9\\u001b[31m\"}",
    "{\"message\":\"connection refused\"}",
    "{\"code\":\"IB-\u00fc\",\"message\":\"gateway \u00fc\"}",
  };
  struct printed p;
  const unsigned char *c;
  size_t i;

  for (i = 0; i < TL_N(errors); i++) {
    print_case(&p, errors[i], false, true);
    for (c = (const unsigned char *)tl_capture_text(&p.err); *c; c++)
      cr_expect(*c < 0x80 && *c != 0x1b, "case %zu: byte 0x%02x in:\n%s", i, *c,
                tl_capture_text(&p.err));
    cr_expect(strstr(tl_capture_text(&p.err), "[i] Recovery Steps:\n1. "), "case %zu", i);
    printed_release(&p);
  }
  print_case(&p, errors[0], false, false);
  cr_expect(strstr(tl_capture_text(&p.err), "[X] UNRECOVERABLE IB GATEWAY ISSUE\n\n"
                                            "Passerelle IB injoignable ? r?essayez\n"),
            "%s", tl_capture_text(&p.err));
  printed_release(&p);
  print_case(&p, errors[3], false, false);
  cr_expect(strstr(tl_capture_text(&p.err), "[?] IB CONNECTION ISSUE\n\nThe server reported an IB "
                                            "Gateway issue without a message.\n"),
            "%s", tl_capture_text(&p.err));
  cr_expect(strstr(tl_capture_text(&p.err), "Original error: (no message) (code: IB-GATEWAY-ISSUE)\n"));
  printed_release(&p);
}

Test(ib_diagnosis, print_colour_and_none)
{
  struct printed p;
  json_t *e = parse(CIRCUIT_ERROR);
  struct ib_diagnosis d;

  print_case(&p, "{\"code\":\"DATA-InvalidSymbol\",\"message\":\"bad\"}", true, true);
  cr_expect_str_eq(tl_capture_text(&p.err), "");
  printed_release(&p);

  memset(&p.o, 0, sizeof(p.o));
  p.o.out = tl_capture_open(&p.out);
  p.o.err = tl_capture_open(&p.err);
  p.o.utf8 = true;
  p.o.color_err = true;
  ib_diagnose(&d, e);
  ib_diagnosis_print(&d, e, &p.o, false);
#define RED_HEADER "\033[1m\033[31m❌ UNRECOVERABLE IB GATEWAY ISSUE\033[0m\n"
  cr_expect(strncmp(tl_capture_text(&p.err), RED_HEADER, sizeof(RED_HEADER) - 1) == 0,
            "%s", tl_capture_text(&p.err));
  printed_release(&p);
  json_decref(e);
}
