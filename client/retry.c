#include "retry.h"

enum retry_class retry_classify(enum http_failure failure, long status)
{
  switch (failure) {
  case HTTP_FAIL_CONNECT:
  case HTTP_FAIL_TIMEOUT:
  case HTTP_FAIL_RESET:
    return RETRY_TRANSIENT;
  case HTTP_FAIL_OTHER:
    return RETRY_FATAL;
  case HTTP_FAIL_NONE:
    break;
  }
  if (status >= 200 && status < 300)
    return RETRY_SUCCESS;
  if (status == 429 || status == 500 || status == 502 || status == 503 || status == 504)
    return RETRY_TRANSIENT;
  return RETRY_FATAL;
}

bool retry_safe_for_post(enum http_failure failure, long status)
{
  if (failure == HTTP_FAIL_CONNECT)
    return true;
  return failure == HTTP_FAIL_NONE && (status == 429 || status == 503);
}

static unsigned xorshift(unsigned *s)
{
  unsigned x = *s ? *s : 2463534242u;

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *s = x;
}

int retry_delay_ms(int attempt, int base_ms, int cap_ms, double retry_after_s,
                   unsigned *rng)
{
  long hi = base_ms, lo = base_ms / 2, d;

  for (int i = 0; i < attempt && hi < cap_ms; i++)
    hi *= 2;
  if (hi > cap_ms)
    hi = cap_ms;
  if (lo > hi)
    lo = hi;
  d = lo + (long)(xorshift(rng) % (unsigned)(hi - lo + 1));
  if (retry_after_s >= 0) {
    long ra = retry_after_s * 1000.0 > cap_ms ? cap_ms : (long)(retry_after_s * 1000.0);
    if (ra > d)
      d = ra;
  }
  return (int)d;
}
