/*
 * retry: which failures are worth another try, and how long to wait.
 *
 * Pure functions (the random source is passed in), tested against tables in
 * tests/unit/test_retry.c. The executor applies them:
 *   - polls (GET, idempotent): every transient failure is retried until an
 *     outage bound; other 4xx fail at once with the server's detail;
 *   - starts (POST, not idempotent): only failures where the server surely
 *     did not act (nothing connected, 429, 503) are retried, a few times.
 */
#ifndef KTRDR_RETRY_H
#define KTRDR_RETRY_H

#include <stdbool.h>

#include "http.h"

enum retry_class {
  RETRY_SUCCESS,    /* 2xx */
  RETRY_TRANSIENT,  /* connection refused/reset, timeout, 429, 500, 502, 503, 504 */
  RETRY_FATAL,      /* any other status or transport failure */
};

enum retry_class retry_classify(enum http_failure failure, long status);

/* True when a non-idempotent request may be repeated: the server cannot have
 * acted on it (nothing connected, or 429/503 said "not now"). */
bool retry_safe_for_post(enum http_failure failure, long status);

/*
 * Delay before retry number `attempt` (0 = first retry): "full jitter"
 * exponential backoff, uniformly random in [base/2, min(cap, base * 2^attempt)],
 * and never less than the server's Retry-After (seconds, < 0 = none),
 * itself capped at `cap_ms`. `rng` is a xorshift state the caller keeps.
 */
int retry_delay_ms(int attempt, int base_ms, int cap_ms, double retry_after_s,
                   unsigned *rng);

#endif
