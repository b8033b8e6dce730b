#include "exitcode.h"

int exitcode_for(enum exec_outcome outcome)
{
  switch (outcome) {
  case EXEC_COMPLETED:
  case EXEC_DETACHED:
    return EXITCODE_OK;
  case EXEC_FAILED:
    return EXITCODE_FAILED;
  case EXEC_CANCELLED:
  case EXEC_INTERRUPTED:
    return EXITCODE_INTERRUPTED;
  case EXEC_CANCELLED_REMOTE:
    return EXITCODE_CANCELLED_REMOTE;
  case EXEC_TIMEOUT:
    return EXITCODE_TIMEOUT;
  case EXEC_STOPPED:
    return EXITCODE_STOPPED;
  case EXEC_NOT_FOUND:
    return EXITCODE_NOT_FOUND;
  case EXEC_API_ERROR:
    break;
  }
  return EXITCODE_API;
}

const char exitcode_help[] =
    "Exit codes:\n"
    "  0    completed (or started, with --detach)\n"
    "  1    the operation failed on the server\n"
    "  2    usage error (bad option, argument or input file)\n"
    "  3    API unreachable, HTTP error or unusable response\n"
    "  4    the operation does not exist (any more)\n"
    "  5    --timeout passed; the operation is still running\n"
    "  6    the operation was cancelled by someone else\n"
    "  7    operations cancel: the operation had already finished\n"
    "  130  cancelled with Ctrl+C (operations follow: stopped following;\n"
    "       the operation keeps running)\n"
    "  143  stopped by SIGTERM/SIGHUP; the operation was not cancelled\n";
