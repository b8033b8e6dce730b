/*
 * log: diagnostics on stderr, never stdout (stdout carries results only).
 *
 * One process-wide level, set once by main() before any thread starts
 * (log_set_level is not thread-safe; the log_* calls are, as far as stdio is).
 * Lines look like "ktrdr: error: cannot reach ..." for errors and warnings,
 * and "ktrdr: debug: ..." for info/debug; the program name is set with
 * log_set_prog. Not async-signal-safe.
 */
#ifndef KTRDR_LOG_H
#define KTRDR_LOG_H

#include <stdio.h>

enum log_level { LOG_QUIET = -1, LOG_ERROR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
void log_set_prog(const char *prog);
/* Where lines go; default stderr. Tests point it at a capture stream. */
void log_set_stream(FILE *f);

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
