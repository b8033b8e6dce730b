#define _DEFAULT_SOURCE /* timegm */
#include "pydate.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Exactly `n` digits at *s, advancing it. */
static int digits(const char **s, int n, int *out)
{
  int v = 0;

  for (int i = 0; i < n; i++) {
    if (!isdigit((unsigned char)(*s)[i]))
      return -1;
    v = v * 10 + ((*s)[i] - '0');
  }
  *s += n;
  *out = v;
  return 0;
}

static bool valid_day(int y, int m, int d)
{
  static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

  return m >= 1 && m <= 12 && d >= 1 && d <= days[m - 1] + (m == 2 && leap);
}

static int parse_fraction(const char **s, struct pydate *d)
{
  int n = 0, scale = 100000;

  if (**s != '.' && **s != ',')
    return 0;
  (*s)++;
  for (; isdigit((unsigned char)**s); (*s)++, n++) { /* digits past 6 are dropped */
    d->micro += (**s - '0') * scale;
    scale /= 10;
  }
  return n > 0 ? 0 : -1;
}

static int parse_offset(const char **s, struct pydate *d)
{
  int sign, h, m = 0;

  if (**s == 'Z') {
    (*s)++;
    d->aware = true;
    return 0;
  }
  if (**s != '+' && **s != '-')
    return 0;
  sign = **s == '-' ? -1 : 1;
  (*s)++;
  if (digits(s, 2, &h) < 0 || (**s == ':' && ((*s)++, digits(s, 2, &m) < 0)) || h > 23 || m > 59)
    return -1;
  d->aware = true;
  d->offset_min = sign * (h * 60 + m);
  return 0;
}

static int parse_time(const char **s, struct pydate *d)
{
  if (digits(s, 2, &d->hour) < 0)
    return -1;
  if (**s == ':' && ((*s)++, digits(s, 2, &d->minute) < 0))
    return -1;
  if (**s == ':' && ((*s)++, digits(s, 2, &d->second) < 0))
    return -1;
  if (parse_fraction(s, d) < 0 || d->hour > 23 || d->minute > 59 || d->second > 59)
    return -1;
  return parse_offset(s, d);
}

int pydate_parse(const char *s, struct pydate *out)
{
  struct pydate d;

  memset(&d, 0, sizeof(d));
  if (!s || digits(&s, 4, &d.year) < 0 || *s++ != '-' || digits(&s, 2, &d.month) < 0 ||
      *s++ != '-' || digits(&s, 2, &d.day) < 0 || !valid_day(d.year, d.month, d.day))
    return -1;
  if ((*s == 'T' || *s == ' ') && (s++, parse_time(&s, &d) < 0))
    return -1;
  if (*s)
    return -1;
  *out = d;
  return 0;
}

void pydate_isoformat(const struct pydate *d, char *buf, size_t size)
{
  int n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d", d->year, d->month, d->day,
                   d->hour, d->minute, d->second);

  if (d->micro && n > 0 && (size_t)n < size)
    n += snprintf(buf + n, size - (size_t)n, ".%06d", d->micro);
  if (d->aware && n > 0 && (size_t)n < size)
    snprintf(buf + n, size - (size_t)n, "%c%02d:%02d", d->offset_min < 0 ? '-' : '+',
             (d->offset_min < 0 ? -d->offset_min : d->offset_min) / 60,
             (d->offset_min < 0 ? -d->offset_min : d->offset_min) % 60);
}

int64_t pydate_epoch_us(const struct pydate *d)
{
  struct tm tm = { .tm_year = d->year - 1900, .tm_mon = d->month - 1, .tm_mday = d->day,
                   .tm_hour = d->hour, .tm_min = d->minute, .tm_sec = d->second };

  return ((int64_t)timegm(&tm) - (int64_t)d->offset_min * 60) * 1000000 + d->micro;
}
