/* libFuzzer: server text through the display's width fitting (untrusted
 * bytes must never produce control sequences or overflow). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "progress_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *text = malloc(size + 1), out[512];
  struct pf_frame f = { .percentage = size ? data[0] : 0, .elapsed_s = (double)size };

  if (!text)
    return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  f.text = text;
  for (int width = 0; width < 120; width += 7) {
    pf_fit(text, (size_t)width, width % 2, out, sizeof(out));
    if (strchr(out, '\033'))
      abort();
    pf_line(&f, width, width % 2, out, sizeof(out));
    if (pf_text_width(out) > (size_t)(width > 0 ? width : 0))
      abort();
  }
  pf_plain_line(f.percentage, text, true, out, sizeof(out));
  free(text);
  return 0;
}
