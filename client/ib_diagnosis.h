/*
 * ib_diagnosis: what an IB Gateway error means and what to do about it
 * (API-CONTRACT §6.4, the live `ktrdr/cli/ib_diagnosis.py`).
 *
 * The server sometimes answers a data request with an `error` object
 * `{code, message, details}`. This module classifies it by plain text
 * matching, as the live CLI does, and prints the explanation:
 *
 *   struct ib_diagnosis d;
 *   ib_diagnose(&d, json_object_get(body, "error"));
 *   if (d.problem != IB_PROBLEM_NONE)
 *           ib_diagnosis_print(&d, error, out, verbose);   // on out->err
 *
 * The rules, first match wins:
 *   1. code contains "IB-GATEWAY-ISSUE": the server diagnosed it; the problem
 *      is details.problem_type ("unrecoverable", "recoverable",
 *      "configuration", anything else "unknown"), the clear message is
 *      error.message and the details are details.diagnosis;
 *   2. code contains "CIRCUIT" or message contains "circuit": unrecoverable,
 *      "IB GATEWAY CONNECTION ISSUE DETECTED";
 *   3. message contains "timeout" or code contains "TIMEOUT": unrecoverable,
 *      "IB GATEWAY SILENT CONNECTION DETECTED";
 *   4. message contains "connect" (so "connection"), "unreachable" or
 *      "refused": unrecoverable, "IB GATEWAY NOT ACCESSIBLE";
 *   5. code or message contains "ib-", "gateway", "tws", "interactive" or
 *      "brokers": recoverable, "IB GATEWAY ISSUE".
 * Case, exactly as the live code: the message is compared lowercased in
 * every rule; the code is compared as given in rules 1-3 (so "circuit_open"
 * does not match "CIRCUIT") and lowercased in rule 5. Lowercasing is ASCII
 * only. A missing or non-string code or message counts as "". Unlike the
 * live client, rule 1 with an empty message still diagnoses (the printer
 * says the server gave no message) rather than silently showing nothing.
 *
 * Ownership: the struct holds no memory of its own. `title`/`title_ascii`
 * are static; `code`, `message` and `details` are borrowed from the `error`
 * object and live as long as it does. Pure: no I/O except the printer, no
 * shared state, safe from any thread; not async-signal-safe.
 */
#ifndef KTRDR_IB_DIAGNOSIS_H
#define KTRDR_IB_DIAGNOSIS_H

#include <jansson.h>
#include <stdbool.h>

#include "out.h"

enum ib_problem {
  IB_PROBLEM_NONE,          /* not an IB issue: no rule matched */
  IB_PROBLEM_UNRECOVERABLE, /* restart IB Gateway */
  IB_PROBLEM_RECOVERABLE,   /* a retry may work */
  IB_PROBLEM_CONFIGURATION, /* settings */
  IB_PROBLEM_UNKNOWN,
};

struct ib_diagnosis {
  enum ib_problem problem;
  int rule;                 /* 1..5, 0 for IB_PROBLEM_NONE */
  const char *title;        /* rules 2-5: "🚨 IB GATEWAY NOT ACCESSIBLE"...; else NULL */
  const char *title_ascii;  /* the same without emoji: "[!!] IB GATEWAY NOT ACCESSIBLE" */
  const char *code;         /* error.code, "" when absent */
  const char *message;      /* error.message, "" when absent */
  const json_t *details;    /* rule 1: details.diagnosis; else error.details; may be NULL */
};

/* Classifies `error` (the body's `error` object; NULL, a non-object or an
 * empty object give IB_PROBLEM_NONE). Always fills `d`. */
void ib_diagnose(struct ib_diagnosis *d, const json_t *error);

/* "unrecoverable", "recoverable", "configuration", "unknown"; "none". Static. */
const char *ib_problem_name(enum ib_problem p);

/* The per-problem header, e.g. "❌ UNRECOVERABLE IB GATEWAY ISSUE", or
 * "[X] UNRECOVERABLE IB GATEWAY ISSUE" when !utf8; NULL for NONE. Static. */
const char *ib_problem_header(enum ib_problem p, bool utf8);

/* The clear message of the live client: the title, a blank line and the
 * explanation with its REQUIRED ACTION list (rule 5 quotes error.message;
 * rule 1 is error.message itself). New string, free() it; NULL for NONE or
 * when out of memory. Server text is copied as is (not sanitised). */
char *ib_diagnosis_clear_message(const struct ib_diagnosis *d, bool utf8);

/*
 * Prints the diagnosis on o->err: the header (in colour when allowed), the
 * clear message, the footer (once: rule 5's message already ends with it),
 * then "Original error: <message> (code: <code>)".
 * With `verbose`, also the diagnostic details as compact JSON and
 * "💡 Recovery Steps:" with numbered steps for the problem type. ASCII only
 * when !o->utf8: emoji have stand-ins and server text is made safe (no
 * control characters; non-ASCII shown as '?'). Nothing for NONE. `error` is
 * the object `d` was made from (its message and code are printed).
 */
void ib_diagnosis_print(const struct ib_diagnosis *d, const json_t *error,
                        const struct out *o, bool verbose);

#endif
