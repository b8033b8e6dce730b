/* libFuzzer: strategy YAML loading (the file is an in-memory memfd). */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "strategy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct strategy s = STRATEGY_INIT;
  char path[64];
  int fd = memfd_create("strategy.yaml", 0);

  if (fd < 0)
    return 0;
  if (write(fd, data, size) == (ssize_t)size) {
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    if (strategy_load(&s, path, NULL) == 0) {
      strategy_apply_overrides(&s, size > 3 ? "AAPL" : NULL, NULL, NULL);
      if (strategy_validate(&s, NULL) == 0) {
        json_decref(strategy_symbols_json(&s));
        json_decref(strategy_timeframes_json(&s));
      }
    }
  }
  strategy_release(&s);
  close(fd);
  return 0;
}
