/* libFuzzer: scenario YAML loading, then the loaded timeline played at a
 * few instants (what the mock does for every GET). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_timeline.h"
#include "scenario_yaml.h"

static void play(const struct scenario *sc)
{
  static const double at[] = { 0, 0.5, 3, 60, 1e6 };
  struct timeline t = { 0 };

  if (scenario_timeline_new(sc, json_pack("{s:s, s:i}", "symbol", "AAPL", "iterations", 3), &t,
                            NULL) < 0)
    return;
  for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
    struct operation op = OPERATION_INIT;
    double end = INFINITY;

    op.id = strdup("op_fuzz");
    op.type = strdup("dummy");
    timeline_state_at(&t, at[i], &op, &end, NULL);
    json_decref(operation_to_json(&op));
    operation_release(&op);
  }
  timeline_release(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *text = malloc(size + 1);
  struct scenario *sc = NULL;

  if (!text)
    return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  if (scenario_yaml_load_string("fuzz.yaml", text, &sc, NULL) == 0)
    play(sc);
  scenario_free(&sc);
  free(text);
  return 0;
}
