/*
 * pydate: dates and times as the live (Python) server reads and prints them.
 *
 * pydate_parse accepts what the server's parsers accept from a client:
 * "2024-01-01", "2024-01-01T09:30", "2024-01-01 09:30:00.5",
 * "2024-01-01T09:30:00Z", "...+02:00". pydate_isoformat prints Python's
 * datetime.isoformat(): "2024-01-01T00:00:00", microseconds only when not
 * zero, "+HH:MM" only for an aware time (naive values print without, as
 * training metadata does, §3.3).
 *
 * Pure functions, safe from any thread.
 */
#ifndef KTRDR_MOCK_PYDATE_H
#define KTRDR_MOCK_PYDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pydate {
  int year, month, day, hour, minute, second, micro;
  bool aware;
  int offset_min;   /* aware: minutes east of UTC */
};

/* 0, or -1 when `s` is not a date or date-time. */
int pydate_parse(const char *s, struct pydate *out);

/* Python's isoformat(); buf of at least 40 bytes. */
void pydate_isoformat(const struct pydate *d, char *buf, size_t size);

/* Microseconds since the epoch (naive = UTC), for comparisons. */
int64_t pydate_epoch_us(const struct pydate *d);

#endif
