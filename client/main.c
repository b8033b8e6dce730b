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

  setlocale(LC_ALL, "");
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
