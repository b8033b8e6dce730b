/*
 * err: error details carried beside an int return code.
 *
 * Every fallible function returns int (0 = success, negative = failure) and,
 * on failure, fills a caller-provided `struct err` with a category and a
 * message (like jansson's json_error_t). The message follows the house style:
 * lowercase, no final full stop, what went wrong first, then what to do.
 *
 *   struct err err = ERR_INIT;
 *   if (thing_do(&thing, &err) < 0)
 *           log_error("%s", err.msg);
 *
 * A NULL `struct err *` is accepted everywhere and means "don't care".
 * Safe from any thread (no shared state); not async-signal-safe.
 */
#ifndef KTRDR_ERR_H
#define KTRDR_ERR_H

enum err_code {
  ERR_OK = 0,
  ERR_INVALID,   /* bad input from the user or a caller */
  ERR_IO,        /* file or pipe I/O */
  ERR_NOMEM,
  ERR_PARSE,     /* malformed JSON/YAML or a field of the wrong type */
  ERR_NET,       /* transport: refused, reset, timed out, DNS */
  ERR_HTTP,      /* the server answered with an error status */
  ERR_NOTFOUND,
  ERR_STATE,     /* the operation is in a state that forbids the request */
  ERR_INTERNAL,
};

#define ERR_MSG_MAX 512

struct err {
  enum err_code code;
  char msg[ERR_MSG_MAX];
};

#define ERR_INIT { ERR_OK, { 0 } }

/* Fills `e` (if not NULL) and returns -1, so callers can `return err_set(...)`. */
int err_set(struct err *e, enum err_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes the existing message with more context: "ctx: old message". Returns -1. */
int err_wrap(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void err_clear(struct err *e);

/* A short name for the code ("network", "http", ...), for logs and JSON. */
const char *err_code_name(enum err_code code);

#endif
