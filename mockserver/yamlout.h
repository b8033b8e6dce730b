/*
 * yamlout: JSON values written as block YAML that people read and the
 * scenario loader (yamldoc.h) reads back as the same values. The recorder
 * (record_scenario.h) writes its scenario files with it.
 *
 *   struct buf b = BUF_INIT;
 *   yamlout_comment(&b, 0, "Recorded by ...");        // "# Recorded by ..."
 *   yamlout_entry(&b, 0, "name", name);               // "name: rec_op_..."
 *   yamlout_key(&b, 0, "timeline");                   // "timeline:"
 *   yamlout_item(&b, 2, keyframe);                    // "  - at: 0.45" ...
 *   ... b.data ...
 *   buf_release(&b);
 *
 * Mappings are written in block style (one "key: value" line per member,
 * nested ones two columns further in), lists of scalars in flow style
 * ("[2-4, 8-10]"), empty ones as {} and []. A text is written plain when
 * that is unambiguous (it starts with a letter or '_', holds only letters,
 * digits, spaces and "_.-/()+%", and is no YAML keyword such as null, true
 * or no; or it is a request range such as 3-5); any other text, emoji, ": ", "#", quotes and line breaks
 * included, is double-quoted with escapes for the characters YAML does not
 * allow raw. Reals are written with the fewest digits that read back the
 * same (pyjson.h), so 0.45 stays 0.45. Keys are texts like any other,
 * except that YAML 1.1's yes/no/on/off stay plain there (on: get), as the
 * YAML 1.2 scenario loader reads them and the shipped scenarios write them.
 *
 * Values are borrowed. Every function returns 0, or -1 when out of memory
 * (the buffer then holds a partial text). Pure: safe from any thread for
 * distinct buffers.
 */
#ifndef KTRDR_MOCK_YAMLOUT_H
#define KTRDR_MOCK_YAMLOUT_H

#include <jansson.h>

#include "buf.h"

/* "# text" at `indent` columns, one line per line of `text`; characters
 * YAML does not allow in a file (control characters, invalid UTF-8) are
 * written as '?'. */
int yamlout_comment(struct buf *b, int indent, const char *text);

/* "key: value" at `indent` columns; a non-empty mapping, or a list that
 * holds mappings or lists, goes on the lines below, indented by 2. */
int yamlout_entry(struct buf *b, int indent, const char *key, const json_t *value);

/* "key:" alone, for a block the caller writes below (yamlout_item). */
int yamlout_key(struct buf *b, int indent, const char *key);

/* "- value" at `indent` columns; a mapping's first member goes on the dash
 * line, the others below it, aligned with it. */
int yamlout_item(struct buf *b, int indent, const json_t *value);

/* One scalar (text, number, true/false, null) as YAML, no line break. */
int yamlout_scalar(struct buf *b, const json_t *value);

#endif
