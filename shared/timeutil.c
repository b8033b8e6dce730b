#define _GNU_SOURCE /* timegm */
#include "timeutil.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t timeutil_mono_us(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t timeutil_real_us(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void split(int64_t real_us, struct tm *tm, long *usec)
{
  time_t secs = (time_t)(real_us / 1000000);
  long us = (long)(real_us % 1000000);

  if (us < 0) {
    us += 1000000;
    secs--;
  }
  gmtime_r(&secs, tm);
  *usec = us;
}

static char *iso(int64_t real_us, char buf[TIME_ISO_MAX], const char *suffix)
{
  struct tm tm;
  long us;

  split(real_us, &tm, &us);
  snprintf(buf, TIME_ISO_MAX, "%04d-%02d-%02dT%02d:%02d:%02d.%06ld%s",
           tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
           tm.tm_sec, us, suffix);
  return buf;
}

char *timeutil_iso(int64_t real_us, char buf[TIME_ISO_MAX])
{
  return iso(real_us, buf, "Z");
}

char *timeutil_iso_offset(int64_t real_us, char buf[TIME_ISO_MAX])
{
  return iso(real_us, buf, "+00:00");
}

char *timeutil_id_stamp(int64_t real_us, char buf[TIME_ISO_MAX])
{
  struct tm tm;
  long us;

  split(real_us, &tm, &us);
  snprintf(buf, TIME_ISO_MAX, "%04d%02d%02d_%02d%02d%02d", tm.tm_year + 1900,
           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

int timeutil_parse_iso(const char *s, int64_t *real_us)
{
  struct tm tm;
  int n = 0, year, mon, day, hh, mm, ss;
  long frac = 0, scale = 1000000;
  const char *p;

  memset(&tm, 0, sizeof(tm));
  if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &mon, &day, &hh, &mm,
                   &ss, &n) != 6 || n != 19)
    return -1;
  p = s + n;
  if (*p == '.') {
    for (p++; *p >= '0' && *p <= '9'; p++) {
      if (scale > 1) {
        scale /= 10;
        frac += (*p - '0') * scale;
      }
    }
  }
  if (*p && strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0)
    return -1;
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hh;
  tm.tm_min = mm;
  tm.tm_sec = ss;
  *real_us = (int64_t)timegm(&tm) * 1000000 + frac;
  return 0;
}

char *timeutil_hms(double seconds, char *buf, size_t size)
{
  long s;

  if (seconds < 0 || seconds > 359999999.0) {
    snprintf(buf, size, "-:--");
    return buf;
  }
  s = (long)(seconds + 0.5);
  if (s >= 3600)
    snprintf(buf, size, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else
    snprintf(buf, size, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

bool timeutil_is_calendar_date(const char *s)
{
  static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  int y, m, d, n = 0;
  bool leap;

  if (!s || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 || m < 1 || m > 12)
    return false;
  leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d >= 1 && d <= days[m - 1] + (m == 2 && leap);
}
