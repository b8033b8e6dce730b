/*
 * strategy: what `ktrdr models train STRATEGY.yaml [SYMBOL] [TIMEFRAME]`
 * needs from a strategy file (API-CONTRACT §7.3, §8).
 *
 * The client reads only a few keys; the server re-reads its own copy by name
 * (the file stem). Lifecycle:
 *
 *   struct strategy s = STRATEGY_INIT;
 *   if (strategy_load(&s, path, &err) < 0 ||                // file → struct
 *       strategy_apply_overrides(&s, symbol, tf, &err) < 0 ||  // positional args
 *       strategy_validate(&s, &err) < 0)                    // §7.3 client rules
 *           goto fail;                                      // err.msg says why
 *   json_t *syms = strategy_symbols_json(&s);               // for the payload
 *   strategy_release(&s);
 *
 * What is read:
 *   - format: "v2" when any top-level key is `scope`, `training_data` or
 *     `deployment`, else "v1" (`version` 2 or 1 below; v3 files are v2 here);
 *   - symbols: `training_data.symbols`, else `data.symbols`. A mapping gives
 *     `symbol` for `mode: single` and `symbols` or its alias `list` for any
 *     other mode (the fixed live loader's `validation_alias="list"`); every
 *     spelling is tried when the preferred one is absent, so a missing `mode`
 *     works too. A list or a plain string directly under the key is taken as
 *     is (v1 shape), and a string where a list is expected counts as one item;
 *   - timeframes: likewise with `timeframe` / `timeframes` / `list`;
 *   - a v1 file without a `data` key defaults to AAPL / 1h, as the live loader
 *     does; any other file without symbols (or timeframes) loads with an empty
 *     list, because a positional SYMBOL may still supply one: validation then
 *     reports it;
 *   - `name` (may be absent), `model.training.epochs`, else the v3 top-level
 *     `training.epochs`, else 1;
 *   - the stem: the file's basename without `.yaml` / `.yml`, which is the
 *     `strategy_name` the server resolves.
 * YAML null (`~`, `null`, empty) counts as absent. Other keys are ignored.
 *
 * Errors (struct err): ERR_IO when the file cannot be opened or read,
 * ERR_PARSE for YAML syntax errors (the message names the file, the 1-based
 * line and column, and libyaml's problem text), an empty file, a top level
 * that is not a mapping, and a key of the wrong shape; ERR_INVALID from
 * strategy_validate and for a non-positive or non-integer epochs value.
 *
 * Ownership: every pointer in the struct is owned by it and freed by
 * strategy_release. Callers read the fields and must not free them.
 * No shared state: safe from any thread for distinct structs.
 */
#ifndef KTRDR_STRATEGY_H
#define KTRDR_STRATEGY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct strategy {
  char *path;               /* as given to strategy_load */
  char *name;               /* the `name` key, NULL when absent */
  char *stem;               /* basename without .yaml/.yml: the strategy_name */
  char **symbols;           /* n_symbols strings (may be 0 before validation) */
  size_t n_symbols;
  char **timeframes;
  size_t n_timeframes;
  long epochs;              /* model.training.epochs or training.epochs, default 1 */
  int version;              /* 1 (legacy) or 2 (training_data/scope/deployment) */
  bool symbols_from_cli;    /* set by strategy_apply_overrides, for messages */
  bool timeframes_from_cli;
};

#define STRATEGY_INIT { 0 }

/*
 * Reads `path` into `s`, which must be fresh (STRATEGY_INIT) or released.
 * On failure `s` is left released and `err` says what and where, e.g.
 * "invalid YAML in 'x.yaml' line 4, column 3: mapping values are not allowed
 * in this context". Only the first YAML document is read.
 */
int strategy_load(struct strategy *s, const char *path, struct err *err);

/* Replaces the whole symbol list with [symbol] and/or the timeframe list with
 * [timeframe]; NULL leaves a list as loaded. No splitting on commas. */
int strategy_apply_overrides(struct strategy *s, const char *symbol, const char *timeframe,
                             struct err *err);

/*
 * The client-side checks of §7.3 plus the server's name rule, so bad input
 * fails before any request: at least one symbol and one timeframe; each
 * symbol 1..10 characters of [A-Za-z0-9.-]; each timeframe 1..5 characters
 * matching ^[0-9]+[dhm]$ (1w and 1M are refused, as by the live CLI); the
 * stem matching ^[A-Za-z0-9][A-Za-z0-9_-]*$. ERR_INVALID on the first failure.
 */
int strategy_validate(const struct strategy *s, struct err *err);

/* The single-item rules, also used by `ktrdr data load`: a symbol is
 * ^[A-Za-z0-9.-]+$ of 1..10 characters, a timeframe ^[0-9]+[dhm]$ of 1..5. */
bool strategy_symbol_ok(const char *symbol);
bool strategy_timeframe_ok(const char *timeframe);

/* The lists as JSON arrays of strings, for the training start payload.
 * New references (json_decref); NULL when out of memory or, before
 * strategy_validate has passed, when an item is not valid UTF-8. */
json_t *strategy_symbols_json(const struct strategy *s);
json_t *strategy_timeframes_json(const struct strategy *s);

/* Frees every field and resets `s` to STRATEGY_INIT. NULL is accepted. */
void strategy_release(struct strategy *s);

#endif
