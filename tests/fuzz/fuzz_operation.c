/* libFuzzer: operation-status JSON parsing (GET /operations/{id} bodies). */
#include <stddef.h>
#include <stdint.h>

#include "adapter.h"
#include "operation.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  json_t *body = json_loadb((const char *)data, size, 0, NULL);
  struct operation op = OPERATION_INIT, copy = OPERATION_INIT;
  struct buf line = BUF_INIT;
  json_t *again;

  if (!body)
    return 0;
  if (operation_from_envelope(&op, body, NULL) == 0) {
    again = operation_to_json(&op);
    json_decref(again);
    adapter_default_progress(&op, &line);
    operation_copy(&copy, &op);
    operation_release(&copy);
  }
  buf_release(&line);
  operation_release(&op);
  json_decref(body);
  return 0;
}
