#include "events.h"

void events_version(FILE *out)
{
  events_emit(out, "version", json_pack("{s:i, s:s, s:s}", "schema", EVENTS_SCHEMA,
                                        "program", "ktrdr", "version", KTRDR_VERSION));
}

void events_emit(FILE *out, const char *type, json_t *fields)
{
  json_t *line = json_pack("{s:s}", "type", type);

  if (json_is_object(fields))
    json_object_update(line, fields);
  json_decref(fields);
  json_dumpf(line, out, JSON_COMPACT | JSON_ENSURE_ASCII);
  fputc('\n', out);
  fflush(out);
  json_decref(line);
}
