#include "pyjson.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The shortest %.Ng that reads back as `v`, like Python's repr. %g drops
 * trailing zeros, so when the shortest form has at most 15 digits %.15g
 * is it (a double is within 1.2e-16 of its shortest decimal); else 16 or
 * 17 digits. */
static int shortest(double v, char *buf, size_t size)
{
  int n = 0;

  for (int prec = 15; prec <= 17; prec++) {
    n = snprintf(buf, size, "%.*g", prec, v);
    if (strtod(buf, NULL) == v)
      break;
  }
  /* Python writes 1e6 as 1000000.0: no exponent below 1e16. */
  if (strchr(buf, 'e') && fabs(v) >= 1 && fabs(v) < 1e16)
    n = snprintf(buf, size, "%.0f", v);
  if (!strpbrk(buf, ".eEn") && n + 2 < (int)size) { /* "100" → "100.0" (not inf/nan) */
    memcpy(buf + n, ".0", 3);
    n += 2;
  }
  return n;
}

/* The length of the number token at `s` and whether it is a real. */
static size_t number_len(const char *s, bool *real)
{
  size_t n = strspn(s, "-+0123456789.eE");

  *real = memchr(s, '.', n) || memchr(s, 'e', n) || memchr(s, 'E', n);
  return n;
}

/* Copies the string token at text[*in] (quotes included) to text[*out]. */
static void copy_string(char *text, size_t *in, size_t *out)
{
  text[(*out)++] = text[(*in)++];
  while (text[*in] && text[*in] != '"') {
    if (text[*in] == '\\' && text[*in + 1])
      text[(*out)++] = text[(*in)++];
    text[(*out)++] = text[(*in)++];
  }
  if (text[*in])
    text[(*out)++] = text[(*in)++];
}

size_t pyjson_shorten_reals(char *text)
{
  size_t in = 0, out = 0;
  char num[64];

  while (text[in]) {
    bool real;
    size_t n;

    if (text[in] == '"') {
      copy_string(text, &in, &out);
      continue;
    }
    if (!strchr("-0123456789", text[in])) {
      text[out++] = text[in++];
      continue;
    }
    n = number_len(text + in, &real);
    if (real && n < sizeof(num)) {
      memcpy(num, text + in, n);
      num[n] = '\0';
      n = (size_t)shortest(strtod(num, NULL), num, sizeof(num));
      memcpy(text + out, num, n);
      in += number_len(text + in, &real);
    } else {
      memmove(text + out, text + in, n);
      in += n;
    }
    out += n;
  }
  text[out] = '\0';
  return out;
}
