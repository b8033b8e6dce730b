#include "yamlout.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pyjson.h"

static int put(struct buf *b, const char *s)
{
  return buf_append(b, s, strlen(s));
}

static int pad(struct buf *b, int indent)
{
  return buf_appendf(b, "%*s", indent, "");
}

/* ---- texts --------------------------------------------------------------- */

/* The code point at `s` and its length in *len; -1 (length 1) for bytes
 * that are not UTF-8. Stops at a NUL, so `s` may be any C string. */
static long decode(const unsigned char *s, size_t *len)
{
  size_t n = s[0] < 0x80 ? 1 : (s[0] >> 5) == 6 ? 2 : (s[0] >> 4) == 14 ? 3
             : (s[0] >> 3) == 30 ? 4 : 0;
  long cp = n == 1 ? s[0] : s[0] & (0x7F >> n);

  *len = 1;
  if (!n)
    return -1;
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80)
      return -1;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
      cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return -1;
  *len = n;
  return cp;
}

/* Whether YAML takes the code point as it is inside a one-line scalar or
 * comment: printable, and not one of the characters some YAML versions
 * read as a line break or a byte order mark. */
static bool printable(long cp)
{
  return (cp >= 0x20 && cp <= 0x7E) || (cp >= 0xA0 && cp <= 0xFFFD && cp != 0x2028 &&
                                        cp != 0x2029 && cp != 0xFEFF &&
                                        (cp < 0xD800 || cp >= 0xE000)) ||
         cp >= 0x10000;
}

/* YAML 1.2's words, then YAML 1.1's (which 1.2 readers take as text). */
static const char *const keywords[] = {
  "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", NULL,
  "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n",
  "N", NULL,
};

static bool is_keyword(const char *s, bool yaml11)
{
  for (size_t i = 0, part = 0; part < (yaml11 ? 2u : 1u); i++) {
    if (!keywords[i])
      part++;
    else if (strcmp(s, keywords[i]) == 0)
      return true;
  }
  return false;
}

/* "3-5" and "3-": fault request ranges, text to every YAML reader. */
static bool is_range(const char *s)
{
  size_t n = strspn(s, "0123456789");

  return n > 0 && s[n] == '-' && strspn(s + n + 1, "0123456789") == strlen(s + n + 1);
}

/* Plain only when no YAML reader can take it for anything but this text;
 * keys may be YAML 1.1 words (on: get), which the scenario loader (YAML
 * 1.2) reads as text, as the shipped scenarios write them. */
static bool plain_ok(const char *s, size_t len, bool key)
{
  if (len && strlen(s) == len && is_range(s))
    return true;
  if (len == 0 || strlen(s) != len || !(isalpha((unsigned char)s[0]) || s[0] == '_') ||
      s[len - 1] == ' ')
    return false;
  for (size_t i = 0; i < len; i++)
    if (!isalnum((unsigned char)s[i]) && !strchr(" _.-/()+%", s[i]))
      return false;
  return !is_keyword(s, !key);
}

static int escape(struct buf *b, long cp)
{
  switch (cp) {
  case '"': return put(b, "\\\"");
  case '\\': return put(b, "\\\\");
  case '\n': return put(b, "\\n");
  case '\t': return put(b, "\\t");
  case '\r': return put(b, "\\r");
  case 0: return put(b, "\\0");
  default: break;
  }
  if (cp < 0)
    return put(b, "\\uFFFD");
  if (cp < 0x100)
    return buf_appendf(b, "\\x%02lX", cp);
  return cp < 0x10000 ? buf_appendf(b, "\\u%04lX", cp) : buf_appendf(b, "\\U%08lX", cp);
}

static int quoted(struct buf *b, const char *s, size_t len)
{
  const unsigned char *p = (const unsigned char *)s, *end = p + len;
  size_t n;

  if (put(b, "\"") < 0)
    return -1;
  for (; p < end; p += n) {
    long cp = *p ? decode(p, &n) : (n = 1, 0);
    int rc = printable(cp) && cp != '"' && cp != '\\' ? buf_append(b, p, n) : escape(b, cp);

    if (rc < 0)
      return -1;
  }
  return put(b, "\"");
}

static int text(struct buf *b, const char *s, size_t len)
{
  return plain_ok(s, len, false) ? buf_append(b, s, len) : quoted(b, s, len);
}

static int key_text(struct buf *b, const char *s)
{
  return plain_ok(s, strlen(s), true) ? put(b, s) : quoted(b, s, strlen(s));
}

/* ---- scalars and collections -------------------------------------------- */

static int real(struct buf *b, const json_t *v)
{
  char *s = json_dumps(v, JSON_ENCODE_ANY);
  int rc;

  if (!s)
    return -1;
  pyjson_shorten_reals(s);
  rc = put(b, s);
  free(s);
  return rc;
}

int yamlout_scalar(struct buf *b, const json_t *v)
{
  switch (json_typeof(v)) {
  case JSON_STRING: return text(b, json_string_value(v), json_string_length(v));
  case JSON_INTEGER: return buf_appendf(b, "%lld", (long long)json_integer_value(v));
  case JSON_REAL: return real(b, v);
  case JSON_TRUE: return put(b, "true");
  case JSON_FALSE: return put(b, "false");
  default: return put(b, "null");
  }
}

static bool is_container(const json_t *v)
{
  return json_is_object(v) || json_is_array(v);
}

/* Written on one line: scalars, empty collections, lists of scalars. */
static bool inline_value(const json_t *v)
{
  size_t i;
  json_t *item;

  if (json_is_object(v))
    return json_object_size(v) == 0;
  json_array_foreach(v, i, item)
    if (is_container(item))
      return false;
  return true;
}

static int flow(struct buf *b, const json_t *v)
{
  size_t i;
  json_t *item;

  if (json_is_object(v))
    return put(b, "{}");
  if (!json_is_array(v))
    return yamlout_scalar(b, v);
  if (put(b, "[") < 0)
    return -1;
  json_array_foreach(v, i, item)
    if ((i && put(b, ", ") < 0) || yamlout_scalar(b, item) < 0)
      return -1;
  return put(b, "]");
}

static int block(struct buf *b, int indent, const json_t *v);

/* "key: value" whose first line is already indented. */
static int member(struct buf *b, int indent, const char *key, const json_t *v)
{
  if (key_text(b, key) < 0 || put(b, ":") < 0)
    return -1;
  if (inline_value(v))
    return put(b, " ") < 0 || flow(b, v) < 0 ? -1 : put(b, "\n");
  return put(b, "\n") < 0 ? -1 : block(b, indent + 2, v);
}

/* A non-empty mapping as member lines, or a list as "- " lines. */
static int block(struct buf *b, int indent, const json_t *v)
{
  const char *key;
  json_t *item;
  size_t i;

  if (json_is_array(v)) {
    json_array_foreach(v, i, item)
      if (yamlout_item(b, indent, item) < 0)
        return -1;
    return 0;
  }
  json_object_foreach((json_t *)v, key, item)
    if (yamlout_entry(b, indent, key, item) < 0)
      return -1;
  return 0;
}

int yamlout_entry(struct buf *b, int indent, const char *key, const json_t *value)
{
  return pad(b, indent) < 0 ? -1 : member(b, indent, key, value);
}

int yamlout_key(struct buf *b, int indent, const char *key)
{
  if (pad(b, indent) < 0 || key_text(b, key) < 0)
    return -1;
  return put(b, ":\n");
}

int yamlout_item(struct buf *b, int indent, const json_t *value)
{
  const char *key;
  json_t *v;
  bool first = true;

  if (pad(b, indent) < 0 || put(b, "- ") < 0)
    return -1;
  if (inline_value(value))
    return flow(b, value) < 0 ? -1 : put(b, "\n");
  if (json_is_array(value))
    return put(b, "\n") < 0 ? -1 : block(b, indent + 2, value);
  json_object_foreach((json_t *)value, key, v) {
    if ((first ? member(b, indent + 2, key, v) : yamlout_entry(b, indent + 2, key, v)) < 0)
      return -1;
    first = false;
  }
  return 0;
}

int yamlout_comment(struct buf *b, int indent, const char *text_)
{
  const unsigned char *p = (const unsigned char *)text_;
  size_t n;

  if (pad(b, indent) < 0 || put(b, "#") < 0 || (*p && *p != '\n' && put(b, " ") < 0))
    return -1;
  for (; *p; p += n) {
    long cp = decode(p, &n);
    int rc;

    if (cp == '\n')
      rc = put(b, "\n") < 0 || pad(b, indent) < 0 ? -1 : put(b, p[1] && p[1] != '\n' ? "# " : "#");
    else
      rc = printable(cp) || cp == '\t' ? buf_append(b, p, n) : put(b, "?");
    if (rc < 0)
      return -1;
  }
  return put(b, "\n");
}
