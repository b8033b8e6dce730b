/*
 * exitcode: the one table of ktrdr's exit codes (docs/exit-codes.md, --help).
 */
#ifndef KTRDR_EXITCODE_H
#define KTRDR_EXITCODE_H

#include "executor.h"

enum exitcode {
  EXITCODE_OK = 0,               /* completed (or detached as asked) */
  EXITCODE_FAILED = 1,           /* the operation failed on the server */
  EXITCODE_USAGE = 2,            /* bad command line or input file */
  EXITCODE_API = 3,              /* API unreachable, HTTP error, bad response */
  EXITCODE_NOT_FOUND = 4,        /* the operation does not exist */
  EXITCODE_TIMEOUT = 5,          /* --timeout passed; the operation still runs */
  EXITCODE_CANCELLED_REMOTE = 6, /* someone else cancelled the operation */
  EXITCODE_ALREADY_FINISHED = 7, /* operations cancel: it had already finished */
  EXITCODE_INTERRUPTED = 130,    /* cancelled with Ctrl+C (128 + SIGINT) */
  EXITCODE_STOPPED = 143,        /* SIGTERM/SIGHUP: stopped waiting (128 + SIGTERM) */
};

int exitcode_for(enum exec_outcome outcome);

/* The table as printed by --help. */
extern const char exitcode_help[];

#endif
