#include "yamldoc.h"

#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "buf.h"

#define MAX_DEPTH 64
#define MAX_NODES 200000
#define MAX_FILE (1024 * 1024)

struct anchor {
  char *name;
  const struct ynode *node;
};

/* One parse: libyaml's parser plus what the tree builder needs. */
struct build {
  yaml_parser_t parser;
  const char *file;
  struct anchor *anchors;
  size_t nanchors;
  size_t nodes;
  struct err *err;
};

static void node_free(struct ynode *n)
{
  if (!n)
    return;
  for (size_t i = 0; i < n->n; i++)
    node_free(n->items[i]);
  free(n->items);
  free(n->text);
  free(n);
}

void yamldoc_free(struct yamldoc **dp)
{
  struct yamldoc *d = dp ? *dp : NULL;

  if (!d)
    return;
  node_free(d->root);
  free(d->file);
  free(d);
  *dp = NULL;
}

static int verror(struct err *err, const char *file, int line, int col, const char *fmt,
                  va_list ap)
{
  char msg[ERR_MSG_MAX];

  vsnprintf(msg, sizeof(msg), fmt, ap);
  return err_set(err, ERR_PARSE, "%s:%d:%d: %s", file, line, col, msg);
}

static int at_error(struct build *b, const yaml_mark_t *m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int at_error(struct build *b, const yaml_mark_t *m, const char *fmt, ...)
{
  va_list ap;
  int rc;

  va_start(ap, fmt);
  rc = verror(b->err, b->file, (int)m->line + 1, (int)m->column + 1, fmt, ap);
  va_end(ap);
  return rc;
}

int yamldoc_error(const struct yamldoc *d, const struct ynode *n, struct err *err,
                  const char *fmt, ...)
{
  va_list ap;
  int rc;

  va_start(ap, fmt);
  rc = verror(err, d->file, n ? n->line : 1, n ? n->col : 1, fmt, ap);
  va_end(ap);
  return rc;
}

/* libyaml's 1/0 convention ends here. */
static int next_event(struct build *b, yaml_event_t *ev)
{
  if (yaml_parser_parse(&b->parser, ev))
    return 0;
  if (b->parser.error == YAML_MEMORY_ERROR)
    return err_set(b->err, ERR_NOMEM, "%s: out of memory", b->file);
  return at_error(b, &b->parser.problem_mark, "invalid YAML: %s%s%s",
                  b->parser.problem ? b->parser.problem : "syntax error",
                  b->parser.context ? " " : "", b->parser.context ? b->parser.context : "");
}

static struct ynode *node_new(struct build *b, enum ynode_kind kind, const yaml_mark_t *m)
{
  struct ynode *n;

  if (++b->nodes > MAX_NODES) {
    at_error(b, m, "document too large (more than %d nodes)", MAX_NODES);
    return NULL;
  }
  n = calloc(1, sizeof(*n));
  if (!n) {
    err_set(b->err, ERR_NOMEM, "%s: out of memory", b->file);
    return NULL;
  }
  n->kind = kind;
  n->line = (int)m->line + 1;
  n->col = (int)m->column + 1;
  return n;
}

static int add_item(struct ynode *parent, struct ynode *child)
{
  struct ynode **items = realloc(parent->items, (parent->n + 1) * sizeof(*items));

  if (!items)
    return -1;
  parent->items = items;
  parent->items[parent->n++] = child;
  return 0;
}

static struct ynode *copy_node(struct build *b, const struct ynode *src);

static int copy_items(struct build *b, struct ynode *dst, const struct ynode *src)
{
  for (size_t i = 0; i < src->n; i++) {
    struct ynode *c = copy_node(b, src->items[i]);

    if (!c || add_item(dst, c) < 0) {
      node_free(c);
      return -1;
    }
  }
  return 0;
}

/* An alias is a deep copy of its anchor's node (bounded by MAX_NODES). */
static struct ynode *copy_node(struct build *b, const struct ynode *src)
{
  yaml_mark_t m = { 0, (size_t)src->line - 1, (size_t)src->col - 1 };
  struct ynode *n = node_new(b, src->kind, &m);

  if (!n)
    return NULL;
  n->quoted = src->quoted;
  if (src->text && !(n->text = strdup(src->text)))
    goto fail;
  if (copy_items(b, n, src) < 0)
    goto fail;
  return n;
fail:
  node_free(n);
  if (b->err && b->err->code == ERR_OK)
    err_set(b->err, ERR_NOMEM, "%s: out of memory", b->file);
  return NULL;
}

static int remember_anchor(struct build *b, const yaml_char_t *name, const struct ynode *n)
{
  struct anchor *a;

  if (!name)
    return 0;
  a = realloc(b->anchors, (b->nanchors + 1) * sizeof(*a));
  if (!a)
    return err_set(b->err, ERR_NOMEM, "%s: out of memory", b->file);
  b->anchors = a;
  a[b->nanchors].name = strdup((const char *)name);
  a[b->nanchors].node = n;
  if (!a[b->nanchors].name)
    return err_set(b->err, ERR_NOMEM, "%s: out of memory", b->file);
  b->nanchors++;
  return 0;
}

static struct ynode *resolve_alias(struct build *b, const yaml_event_t *ev)
{
  const char *name = (const char *)ev->data.alias.anchor;

  for (size_t i = b->nanchors; i-- > 0;)
    if (strcmp(b->anchors[i].name, name) == 0)
      return copy_node(b, b->anchors[i].node);
  at_error(b, &ev->start_mark, "unknown alias '*%s': define the anchor '&%s' first", name,
           name);
  return NULL;
}

static struct ynode *scalar_node(struct build *b, const yaml_event_t *ev)
{
  struct ynode *n = node_new(b, YNODE_SCALAR, &ev->start_mark);

  if (!n)
    return NULL;
  n->quoted = !ev->data.scalar.plain_implicit;
  n->text = strndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
  if (!n->text || memchr(ev->data.scalar.value, '\0', ev->data.scalar.length)) {
    node_free(n);
    at_error(b, &ev->start_mark, "text with a NUL character");
    return NULL;
  }
  return n;
}

static int build_node(struct build *b, yaml_event_t *ev, int depth, struct ynode **out);

static bool same_key(const struct ynode *a, const struct ynode *b)
{
  return a->kind == YNODE_SCALAR && b->kind == YNODE_SCALAR && strcmp(a->text, b->text) == 0;
}

static int check_duplicate(struct build *b, const struct ynode *map, const struct ynode *key)
{
  for (size_t i = 0; i + 1 < map->n; i += 2) {
    if (same_key(map->items[i], key)) {
      yaml_mark_t m = { 0, (size_t)key->line - 1, (size_t)key->col - 1 };

      return at_error(b, &m, "duplicate key '%s' (first at line %d)", key->text,
                      map->items[i]->line);
    }
  }
  return 0;
}

/* Reads the items of a sequence or mapping up to its end event. */
static int build_children(struct build *b, struct ynode *n, yaml_event_type_t end, int depth)
{
  for (;;) {
    yaml_event_t ev;
    struct ynode *child = NULL;
    int rc;

    if (next_event(b, &ev) < 0)
      return -1;
    if (ev.type == end) {
      yaml_event_delete(&ev);
      return 0;
    }
    rc = build_node(b, &ev, depth + 1, &child);
    yaml_event_delete(&ev);
    if (rc == 0 && n->kind == YNODE_MAP && n->n % 2 == 0)
      rc = check_duplicate(b, n, child);
    if (rc == 0 && add_item(n, child) < 0)
      rc = err_set(b->err, ERR_NOMEM, "%s: out of memory", b->file);
    if (rc < 0) {
      node_free(child);
      return -1;
    }
  }
}

static int build_collection(struct build *b, yaml_event_t *ev, int depth, struct ynode **out)
{
  bool map = ev->type == YAML_MAPPING_START_EVENT;
  const yaml_char_t *anchor = map ? ev->data.mapping_start.anchor
                                  : ev->data.sequence_start.anchor;
  struct ynode *n;

  if (depth > MAX_DEPTH)
    return at_error(b, &ev->start_mark, "nested too deeply (more than %d levels)", MAX_DEPTH);
  n = node_new(b, map ? YNODE_MAP : YNODE_SEQ, &ev->start_mark);
  if (!n)
    return -1;
  if (build_children(b, n, map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT, depth) < 0 ||
      remember_anchor(b, anchor, n) < 0) {
    node_free(n);
    return -1;
  }
  *out = n;
  return 0;
}

static int build_node(struct build *b, yaml_event_t *ev, int depth, struct ynode **out)
{
  *out = NULL;
  switch (ev->type) {
  case YAML_SCALAR_EVENT:
    *out = scalar_node(b, ev);
    if (!*out || remember_anchor(b, ev->data.scalar.anchor, *out) < 0)
      return -1;
    return 0;
  case YAML_ALIAS_EVENT:
    *out = resolve_alias(b, ev);
    return *out ? 0 : -1;
  case YAML_MAPPING_START_EVENT:
  case YAML_SEQUENCE_START_EVENT:
    return build_collection(b, ev, depth, out);
  default:
    return at_error(b, &ev->start_mark, "unexpected YAML event");
  }
}

/* Skips events up to the first node of the first document (or the end). */
static int first_node(struct build *b, yaml_event_t *ev)
{
  for (;;) {
    if (next_event(b, ev) < 0)
      return -1;
    if (ev->type != YAML_STREAM_START_EVENT && ev->type != YAML_DOCUMENT_START_EVENT)
      return 0;
    yaml_event_delete(ev);
  }
}

/* After the root node: the document end, then the stream end. */
static int expect_end(struct build *b)
{
  yaml_event_t ev;
  int rc = 0;

  if (next_event(b, &ev) < 0)
    return -1;
  yaml_event_delete(&ev);
  if (next_event(b, &ev) < 0)
    return -1;
  if (ev.type != YAML_STREAM_END_EVENT)
    rc = at_error(b, &ev.start_mark,
                  "more than one document (---): put each scenario in its own file");
  yaml_event_delete(&ev);
  return rc;
}

static int build_root(struct build *b, struct ynode **root)
{
  yaml_event_t ev;
  int rc;

  *root = NULL;
  if (first_node(b, &ev) < 0)
    return -1;
  if (ev.type == YAML_STREAM_END_EVENT || ev.type == YAML_DOCUMENT_END_EVENT) {
    yaml_event_delete(&ev);
    return 0;
  }
  rc = build_node(b, &ev, 0, root);
  yaml_event_delete(&ev);
  if (rc == 0 && expect_end(b) < 0)
    rc = -1;
  if (rc < 0) {
    node_free(*root);
    *root = NULL;
  }
  return rc;
}

static void build_release(struct build *b)
{
  for (size_t i = 0; i < b->nanchors; i++)
    free(b->anchors[i].name);
  free(b->anchors);
  yaml_parser_delete(&b->parser);
}

int yamldoc_parse_string(const char *name, const char *text, size_t len,
                         struct yamldoc **out, struct err *err)
{
  struct build b = { .file = name, .err = err };
  struct yamldoc *d = calloc(1, sizeof(*d));
  int rc = -1;

  *out = NULL;
  if (!d || !(d->file = strdup(name)) || !yaml_parser_initialize(&b.parser)) {
    yamldoc_free(&d);
    return err_set(err, ERR_NOMEM, "%s: out of memory", name);
  }
  yaml_parser_set_input_string(&b.parser, (const unsigned char *)text, len);
  if (build_root(&b, &d->root) == 0) {
    *out = d;
    d = NULL;
    rc = 0;
  }
  build_release(&b);
  yamldoc_free(&d);
  return rc;
}

static int read_file(const char *path, struct buf *text, struct err *err)
{
  FILE *f = fopen(path, "rb");
  char chunk[8192];
  size_t n;

  if (!f)
    return err_set(err, ERR_IO, "cannot open '%s': %s", path, strerror(errno));
  text->limit = MAX_FILE;
  while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
    if (buf_append(text, chunk, n) < 0) {
      fclose(f);
      return err_set(err, ERR_IO, "'%s' is too large: the limit is %d bytes", path, MAX_FILE);
    }
  }
  if (ferror(f)) {
    fclose(f);
    return err_set(err, ERR_IO, "cannot read '%s': %s", path, strerror(errno));
  }
  fclose(f);
  return 0;
}

int yamldoc_parse_file(const char *path, struct yamldoc **out, struct err *err)
{
  struct buf text = BUF_INIT;
  int rc;

  *out = NULL;
  rc = read_file(path, &text, err);
  if (rc == 0)
    rc = yamldoc_parse_string(path, buf_cstr(&text), text.len, out, err);
  buf_release(&text);
  return rc;
}

const struct ynode *ynode_get(const struct ynode *map, const char *key)
{
  if (!ynode_is_map(map))
    return NULL;
  for (size_t i = 0; i + 1 < map->n; i += 2)
    if (ynode_is_scalar(map->items[i]) && strcmp(map->items[i]->text, key) == 0)
      return map->items[i + 1];
  return NULL;
}

static bool plain_is(const struct ynode *n, const char *const *words)
{
  if (!ynode_is_scalar(n) || n->quoted)
    return false;
  for (size_t i = 0; words[i]; i++)
    if (strcmp(n->text, words[i]) == 0)
      return true;
  return false;
}

bool ynode_is_null(const struct ynode *n)
{
  static const char *const words[] = { "", "~", "null", "Null", "NULL", NULL };

  return plain_is(n, words);
}

int ynode_bool(const struct ynode *n, bool *out)
{
  static const char *const yes[] = { "true", "True", "TRUE", NULL };
  static const char *const no[] = { "false", "False", "FALSE", NULL };

  if (plain_is(n, yes) || plain_is(n, no)) {
    *out = plain_is(n, yes);
    return 0;
  }
  return -1;
}

static bool full_match(const char *re, const char *s)
{
  regex_t rx;
  bool ok;

  if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0)
    return false;
  ok = regexec(&rx, s, 0, NULL, 0) == 0;
  regfree(&rx);
  return ok;
}

static bool looks_integer(const char *s)
{
  return full_match("^[-+]?[0-9]+$", s);
}

static bool looks_float(const char *s)
{
  return full_match("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$", s) ||
         full_match("^[-+]?\\.(inf|Inf|INF)$", s) || full_match("^\\.(nan|NaN|NAN)$", s);
}

int ynode_long(const struct ynode *n, long *out)
{
  char *end;
  long v;

  if (!ynode_is_scalar(n) || n->quoted || !looks_integer(n->text))
    return -1;
  errno = 0;
  v = strtol(n->text, &end, 10);
  if (errno || *end)
    return -1;
  *out = v;
  return 0;
}

int ynode_number(const struct ynode *n, double *out)
{
  const char *s;

  if (!ynode_is_scalar(n) || n->quoted || !looks_float(n->text))
    return -1;
  s = n->text;
  if (strstr(s, "inf") || strstr(s, "Inf") || strstr(s, "INF"))
    *out = s[0] == '-' ? -INFINITY : INFINITY;
  else if (strstr(s, "nan") || strstr(s, "NaN") || strstr(s, "NAN"))
    *out = NAN;
  else
    *out = strtod(s, NULL);
  return 0;
}

static json_t *scalar_to_json(const struct ynode *n)
{
  double d;
  long l;
  bool b;

  if (n->quoted)
    return json_string(n->text);
  if (ynode_is_null(n))
    return json_null();
  if (ynode_bool(n, &b) == 0)
    return json_boolean(b);
  if (ynode_long(n, &l) == 0)
    return json_integer(l);
  if (ynode_number(n, &d) == 0 && isfinite(d))
    return json_real(d);
  return json_string(n->text);
}

json_t *ynode_to_json(const struct ynode *n)
{
  json_t *j;

  if (!n)
    return NULL;
  if (n->kind == YNODE_SCALAR)
    return scalar_to_json(n);
  j = n->kind == YNODE_MAP ? json_object() : json_array();
  for (size_t i = 0; j && i < n->n; i += n->kind == YNODE_MAP ? 2 : 1) {
    int rc = n->kind == YNODE_MAP
                 ? json_object_set_new(j, n->items[i]->text ? n->items[i]->text : "",
                                       ynode_to_json(n->items[i + 1]))
                 : json_array_append_new(j, ynode_to_json(n->items[i]));

    if (rc < 0) {
      json_decref(j);
      return NULL;
    }
  }
  return j;
}

static bool allowed_key(const char *key, const char *const *allowed)
{
  for (size_t i = 0; allowed[i]; i++)
    if (strcmp(key, allowed[i]) == 0)
      return true;
  return false;
}

/* Edit distance, capped: enough to spot a typo. */
static size_t distance(const char *a, const char *b)
{
  size_t la = strlen(a), lb = strlen(b), row[64], prev, next;

  if (la >= 63 || lb >= 63)
    return 99;
  for (size_t j = 0; j <= lb; j++)
    row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    prev = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t sub = prev + (a[i - 1] != b[j - 1]), del = row[j] + 1, ins = row[j - 1] + 1;

      next = sub < del ? sub : del;
      prev = row[j];
      row[j] = next < ins ? next : ins;
    }
  }
  return row[lb];
}

/* The allowed key closest to `key` when it looks like a typo of it. */
static const char *suggestion(const char *key, const char *const *allowed)
{
  const char *best = NULL;
  size_t best_d = 3;

  for (size_t i = 0; allowed[i]; i++) {
    size_t d = distance(key, allowed[i]);

    if (d < best_d) {
      best_d = d;
      best = allowed[i];
    }
  }
  return best;
}

static void list_keys(struct buf *b, const char *const *allowed)
{
  for (size_t i = 0; allowed[i]; i++)
    buf_appendf(b, "%s%s", i ? ", " : "", allowed[i]);
}

int yamldoc_check_keys(const struct yamldoc *d, const struct ynode *map,
                       const char *const *allowed, const char *what, struct err *err)
{
  for (size_t i = 0; ynode_is_map(map) && i + 1 < map->n; i += 2) {
    const struct ynode *k = map->items[i];
    struct buf keys = BUF_INIT;
    int rc;

    if (!ynode_is_scalar(k))
      return yamldoc_error(d, k, err, "a key in %s must be text", what);
    if (allowed_key(k->text, allowed))
      continue;
    if (suggestion(k->text, allowed))
      buf_appendf(&keys, "did you mean '%s'? ", suggestion(k->text, allowed));
    buf_appendf(&keys, "expected one of ");
    list_keys(&keys, allowed);
    rc = yamldoc_error(d, k, err, "unknown key '%s' in %s: %s", k->text, what, buf_cstr(&keys));
    buf_release(&keys);
    return rc;
  }
  return 0;
}

const struct ynode *yamldoc_key_node(const struct ynode *map, const char *key)
{
  if (!ynode_is_map(map))
    return map;
  for (size_t i = 0; i + 1 < map->n; i += 2)
    if (ynode_is_scalar(map->items[i]) && strcmp(map->items[i]->text, key) == 0)
      return map->items[i];
  return map;
}

int yamldoc_text(const struct yamldoc *d, const struct ynode *map, const char *key,
                 char **out, struct err *err)
{
  const struct ynode *v = ynode_get(map, key);

  if (!v)
    return 0;
  if (!ynode_is_scalar(v) || ynode_is_null(v))
    return yamldoc_error(d, v, err, "'%s' must be text", key);
  free(*out);
  *out = strdup(v->text);
  if (!*out)
    return err_set(err, ERR_NOMEM, "%s: out of memory", d->file);
  return 1;
}

int yamldoc_number(const struct yamldoc *d, const struct ynode *map, const char *key,
                   double min, double max, double *out, struct err *err)
{
  const struct ynode *v = ynode_get(map, key);
  double x;

  if (!v)
    return 0;
  if (ynode_number(v, &x) < 0 || !(x >= min && x <= max))
    return yamldoc_error(d, v, err, "'%s' must be a number from %g to %g", key, min, max);
  *out = x;
  return 1;
}

int yamldoc_long(const struct yamldoc *d, const struct ynode *map, const char *key, long min,
                 long max, long *out, struct err *err)
{
  const struct ynode *v = ynode_get(map, key);
  long x;

  if (!v)
    return 0;
  if (ynode_long(v, &x) < 0 || x < min || x > max)
    return yamldoc_error(d, v, err, "'%s' must be an integer from %ld to %ld", key, min, max);
  *out = x;
  return 1;
}

int yamldoc_bool(const struct yamldoc *d, const struct ynode *map, const char *key,
                 bool *out, struct err *err)
{
  const struct ynode *v = ynode_get(map, key);

  if (!v)
    return 0;
  if (ynode_bool(v, out) < 0)
    return yamldoc_error(d, v, err, "'%s' must be true or false", key);
  return 1;
}
