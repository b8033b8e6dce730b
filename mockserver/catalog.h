/*
 * catalog: the scenarios a server plays, and which one a start request gets.
 *
 * Holds the built-in defaults (one per operation type, builtins.h) and the
 * *.yaml files of a scenarios directory, read once at start-up. A file whose
 * scenario has a built-in's name replaces it; a file marked `default: true`
 * becomes its type's default. Scenarios are kept in name order.
 *
 * A start request of operation type T gets, in this order:
 *   1. the scenario its X-Mock-Scenario header names (it must exist and be
 *      for T),
 *   2. the first scenario for T (in name order) whose match rules all hold
 *      for the request payload,
 *   3. the scenario selected for T through the admin API,
 *   4. T's default.
 *
 *   struct catalog *c = catalog_new();
 *   catalog_load_builtins(c, &err);
 *   catalog_load_dir(c, "scenarios", &err);        // optional
 *   catalog_pick(c, "training", header, payload, &sc, &why, &err);
 *   catalog_free(&c);
 *
 * Scenarios live until catalog_free (timelines borrow them). Thread-safe
 * once loaded: the selections are guarded by a mutex, scenarios are
 * immutable (but for their atomic start counters). Loading is not
 * thread-safe and happens before the server starts.
 */
#ifndef KTRDR_MOCK_CATALOG_H
#define KTRDR_MOCK_CATALOG_H

#include <jansson.h>
#include <stddef.h>

#include "err.h"
#include "scenario.h"

struct catalog;

struct catalog *catalog_new(void);
void catalog_free(struct catalog **c);

/* The built-in defaults (dummy_default, training_default, data_load_default). */
int catalog_load_builtins(struct catalog *c, struct err *err);

/* Every *.yaml / *.yml file of `dir`, in name order. ERR_INVALID when the
 * directory cannot be read; the loader's ERR_PARSE "FILE:LINE:COL: reason"
 * for a bad file; ERR_PARSE for two scenarios with one name or two
 * defaults for one type (naming both files). */
int catalog_load_dir(struct catalog *c, const char *dir, struct err *err);

size_t catalog_count(const struct catalog *c);
/* The i-th scenario in name order; borrowed. */
struct scenario *catalog_at(const struct catalog *c, size_t i);
/* By name; NULL when unknown. Borrowed. */
struct scenario *catalog_find(const struct catalog *c, const char *name);
/* The default for a type; NULL when there is none. Borrowed. */
struct scenario *catalog_default(const struct catalog *c, const char *type);

/* Selects `name` for `type` (NULL clears). ERR_INVALID for an unknown type
 * or a scenario of another type, ERR_NOTFOUND for an unknown scenario. */
int catalog_select(struct catalog *c, const char *type, const char *name, struct err *err);

/* Why a scenario was picked. */
enum catalog_why { CATALOG_HEADER, CATALOG_MATCH, CATALOG_SELECTED, CATALOG_DEFAULT };

/* The scenario for a start of `type` (see above). `header` is the
 * X-Mock-Scenario value or NULL. ERR_NOTFOUND when the header names no
 * scenario, ERR_INVALID when it names one of another type, ERR_STATE when
 * the type has no scenario at all. */
int catalog_pick(struct catalog *c, const char *type, const char *header, const json_t *payload,
                 struct scenario **out, enum catalog_why *why, struct err *err);

/* Clears the selections and every scenario's start counter. */
void catalog_reset(struct catalog *c);

/* GET /__admin/scenarios: {"scenarios":[{"name","operation_type",
 * "description","file","default","selected","starts"}],
 * "selected":{"training":..}}; `starts` counts the start requests that
 * chose the scenario. 
 * New reference. */
json_t *catalog_to_json(struct catalog *c);

#endif
