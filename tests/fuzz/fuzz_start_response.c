/* libFuzzer: start-response parsing and error-body description. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "apierror.h"
#include "ib_diagnosis.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *text = malloc(size + 1);
  json_t *body;
  char *id = NULL;
  struct buf why = BUF_INIT;
  struct ib_diagnosis diag;

  if (!text)
    return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  apierror_describe(size ? data[0] * 2 : 500, text, &why);
  body = json_loads(text, 0, NULL);
  if (body) {
    if (adapter_parse_operation_id(body, &id, NULL) == 0)
      free(id);
    ib_diagnose(&diag, json_object_get(body, "error"));
    free(ib_diagnosis_clear_message(&diag, size % 2));
  }
  json_decref(body);
  buf_release(&why);
  free(text);
  return 0;
}
