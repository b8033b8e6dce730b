/*
 * events: the machine-readable output of --json (docs/json-output.md).
 *
 * One JSON object per line on stdout, flushed at once, nothing else on
 * stdout. The first line is the version line; every later line has a
 * "type" ("started", "progress", "cancelling", "final", "operations",
 * "operation", "cancel", "error"). Not thread-safe; not for signal handlers.
 */
#ifndef KTRDR_EVENTS_H
#define KTRDR_EVENTS_H

#include <jansson.h>
#include <stdio.h>

#define EVENTS_SCHEMA 1

/* {"type":"version","schema":1,"program":"ktrdr","version":"0.1.0"} */
void events_version(FILE *out);

/* {"type":TYPE, ...fields}. `fields` (an object, may be NULL) is stolen. */
void events_emit(FILE *out, const char *type, json_t *fields);

#endif
