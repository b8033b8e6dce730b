/*
 * url: where the KTRDR API is (DESIGN.md §3, API-CONTRACT §1, §10).
 *
 * Order: the --url value, then $KTRDR_API_URL, $API_BASE_URL,
 * $KTRDR_API_CLIENT_BASE_URL, then http://localhost:8000/api/v1. Trailing
 * slashes are removed and a URL without "/api/" gets "/api/v1" appended
 * (`--url http://host:8000` works). Only http:// and https:// are accepted.
 */
#ifndef KTRDR_URL_H
#define KTRDR_URL_H

#include "err.h"

#define URL_DEFAULT "http://localhost:8000/api/v1"

/* *base is a new string the caller frees. `flag` may be NULL. ERR_INVALID
 * for an unusable URL, naming where it came from. */
int url_resolve(const char *flag, char **base, struct err *err);

/* base + path ("/operations/ID"); new string, NULL on allocation failure. */
char *url_join(const char *base, const char *path);

#endif
