/*
 * ops_view: how `ktrdr operations list|status|cancel` show what the server
 * answered. Pure printing into `struct out` (tests capture it); no HTTP.
 * Text from the server is sanitised (progress_format's pf_fit) before it
 * reaches a terminal.
 */
#ifndef KTRDR_OPS_VIEW_H
#define KTRDR_OPS_VIEW_H

#include <jansson.h>
#include <stdbool.h>

#include "operation.h"
#include "out.h"

/* The list response body of GET /operations (§2.8): a table, newest first
 * as the server sorted it, and the totals. `active_only` picks the wording
 * of the empty case. */
void ops_view_list(const json_t *body, bool active_only, const struct out *o);

/* One operation in detail; `verbose` adds the metadata. */
void ops_view_status(const struct operation *op, bool verbose, const struct out *o);

/* A successful DELETE's `data` (§2.7). */
void ops_view_cancelled(const char *id, const json_t *data, const struct out *o);

/* "1:14", "1:02:03" from seconds; "N/A" when < 0. */
void ops_view_duration(double seconds, char *buf, size_t size);

#endif
