/*
 * apierror: a readable sentence from a KTRDR error response.
 *
 * The live API has three error shapes (API-CONTRACT §2.1): FastAPI's
 * {"detail": "text"}, FastAPI's 422 {"detail": [{"loc": [...], "msg": ...}]},
 * and ktrdr envelopes {"success": false, "error": {"code", "message"}}.
 * apierror_describe turns any of them (or a non-JSON body) into
 * "400 Bad Request: Strategy file not found: x.yaml". Pure; thread-safe.
 */
#ifndef KTRDR_APIERROR_H
#define KTRDR_APIERROR_H

#include <jansson.h>

#include "buf.h"

/* Appends the description to `out`. `body` may be NULL or not JSON. */
void apierror_describe(long status, const char *body, struct buf *out);

/* Only the server's message, or NULL when the body carries none. The
 * returned text is appended to `out`; returns 0 if found, -1 if not. */
int apierror_message(const json_t *body, struct buf *out);

const char *apierror_reason(long status);

#endif
