/*
 * timeutil: the two clocks the project uses.
 *
 * - Monotonic time (CLOCK_MONOTONIC) in microseconds, for schedules,
 *   latencies and the mock server's journal: the same clock in every process
 *   on the machine, so a test can compare its own readings with the server's.
 * - Wall-clock UTC rendered the way the live API does:
 *   "2025-10-02T22:13:14.123456Z" (microseconds, Z suffix).
 * All functions are thread-safe; timeutil_mono_us is async-signal-safe.
 */
#ifndef KTRDR_TIMEUTIL_H
#define KTRDR_TIMEUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TIME_ISO_MAX 80

int64_t timeutil_mono_us(void);
/* Wall clock, microseconds since the epoch. */
int64_t timeutil_real_us(void);

/* Writes `real_us` as "YYYY-MM-DDTHH:MM:SS.uuuuuuZ". Returns buf. */
char *timeutil_iso(int64_t real_us, char buf[TIME_ISO_MAX]);
/* The same with "+00:00" instead of "Z", as Python's isoformat() (cancelled_at). */
char *timeutil_iso_offset(int64_t real_us, char buf[TIME_ISO_MAX]);
/* "YYYYMMDD_HHMMSS" in UTC, for operation ids. */
char *timeutil_id_stamp(int64_t real_us, char buf[TIME_ISO_MAX]);

/* Parses the live timestamp forms (with or without fraction, "Z", "+00:00"
 * or naive) into microseconds since the epoch (naive = UTC). 0 or -1. */
int timeutil_parse_iso(const char *s, int64_t *real_us);

/* True when the date part of an ISO string is a real calendar day
 * (2024-02-30 is not). */
bool timeutil_is_calendar_date(const char *s);

/* "1:14" below an hour, "1:02:03" above; negative → "-:--". */
char *timeutil_hms(double seconds, char *buf, size_t size);

#endif
