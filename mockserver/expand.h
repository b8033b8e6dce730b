/*
 * expand: ${name} placeholders in scenario texts.
 *
 * Scenario texts (error messages, progress lines, start responses, result
 * summaries) may name request values: "No data available for ${symbol}
 * (${timeframe})". ${operation_id} is the operation's id; any other name is
 * looked up in the operation's request variables (a JSON object: strings
 * as they are, numbers as Python prints them, lists joined with ", ").
 * Unknown names stay as written, so a typo shows in the output.
 *
 * Pure functions, safe from any thread.
 */
#ifndef KTRDR_MOCK_EXPAND_H
#define KTRDR_MOCK_EXPAND_H

#include <jansson.h>
#include <stdbool.h>

/* Whether `s` has a placeholder at all (the fast path skips the rest). */
bool expand_needed(const char *s);

/* `tmpl` with its placeholders replaced; malloc'ed (free), NULL for a NULL
 * template or when out of memory. `vars` and `op_id` may be NULL. */
char *expand_text(const char *tmpl, const json_t *vars, const char *op_id);

/* A deep copy of `tmpl` whose strings are expanded. New reference. */
json_t *expand_json(const json_t *tmpl, const json_t *vars, const char *op_id);

/* One variable as text, appended to `b` (struct buf *); false if unknown. */
struct buf;
bool expand_var(struct buf *b, const char *name, const json_t *vars, const char *op_id);

#endif
