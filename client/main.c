/* ktrdr: the KTRDR operations client. All the work is in libktrdr_client. */
#include <locale.h>
#include <signal.h>
#include <stdio.h>

#include "cli.h"
#include "exitcode.h"
#include "http.h"

int main(int argc, char **argv)
{
  int code;

  /* The character set only (UTF-8 or not: bars, emoji, widths). Numbers stay
   * in the C locale, so a decimal comma never reaches --json output, and the
   * other categories are not loaded at all (a dozen files fewer at start-up). */
  setlocale(LC_CTYPE, "");
  signal(SIGPIPE, SIG_IGN);
  if (http_global_init() < 0) {
    fprintf(stderr, "ktrdr: cannot initialise libcurl\n");
    return EXITCODE_API;
  }
  code = cli_main(argc, argv, stdout, stderr);
  http_global_cleanup();
  if (fclose(stdout) != 0 && code == EXITCODE_OK) {
    perror("ktrdr: cannot write the results");
    code = EXITCODE_API;
  }
  return code;
}
