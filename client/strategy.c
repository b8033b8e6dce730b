/* The strategy YAML helper. This is the client's only libyaml user: the
 * library's 1/0 returns are turned into int + struct err here and nowhere
 * else. */
#include "strategy.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "progress_format.h"

/* What a load works on: the parsed document and where messages point. */
struct loader {
  yaml_document_t doc;
  yaml_node_t *root;
  const char *path;
  struct err *err;
};

/* The spellings of one list: `symbols:` directly, or inside a mapping
 * `symbol:` (mode single) / `symbols:` or `list:` (other modes). */
struct list_keys {
  const char *key;        /* "symbols" */
  const char *single;     /* "symbol" */
};

static const struct list_keys symbol_keys = { "symbols", "symbol" };
static const struct list_keys timeframe_keys = { "timeframes", "timeframe" };

/* ---- libyaml: the 1/0 convention ends here ----------------------------- */

static int syntax_error(const yaml_parser_t *p, const char *path, struct err *err)
{
  const char *problem = p->problem ? p->problem : "syntax error";

  if (p->error == YAML_READER_ERROR)
    return err_set(err, ERR_PARSE, "cannot read '%s' as YAML text: %s at byte %zu",
                   path, problem, p->problem_offset);
  if (p->context)
    return err_set(err, ERR_PARSE, "invalid YAML in '%s' line %zu, column %zu: %s (%s at line %zu)",
                   path, p->problem_mark.line + 1, p->problem_mark.column + 1, problem,
                   p->context, p->context_mark.line + 1);
  return err_set(err, ERR_PARSE, "invalid YAML in '%s' line %zu, column %zu: %s", path,
                 p->problem_mark.line + 1, p->problem_mark.column + 1, problem);
}

/* Parses the first document of an open file into ld->doc. */
static int parse_file(struct loader *ld, FILE *f)
{
  yaml_parser_t parser;
  int rc = -1;

  if (!yaml_parser_initialize(&parser))
    return err_set(ld->err, ERR_NOMEM, "out of memory reading '%s'", ld->path);
  yaml_parser_set_input_file(&parser, f);
  if (!yaml_parser_load(&parser, &ld->doc)) {
    if (ferror(f))
      err_set(ld->err, ERR_IO, "cannot read strategy file '%s': %s", ld->path, strerror(errno));
    else
      syntax_error(&parser, ld->path, ld->err);
    goto done;
  }
  rc = 0;
done:
  yaml_parser_delete(&parser);
  return rc;
}

static int load_document(struct loader *ld)
{
  FILE *f = fopen(ld->path, "rb");
  int rc;

  if (!f)
    return err_set(ld->err, ERR_IO, "cannot open strategy file '%s': %s", ld->path,
                   strerror(errno));
  rc = parse_file(ld, f);
  fclose(f);
  if (rc < 0)
    return rc;
  ld->root = yaml_document_get_root_node(&ld->doc);
  if (!ld->root) {
    yaml_document_delete(&ld->doc);
    return err_set(ld->err, ERR_PARSE, "strategy file '%s' is empty; expected a YAML mapping "
                   "with name, training_data (or data), model, ...", ld->path);
  }
  return 0;
}

/* ---- node access ------------------------------------------------------- */

static bool scalar_is(const yaml_node_t *n, const char *s)
{
  size_t len = strlen(s);

  return n && n->type == YAML_SCALAR_NODE && n->data.scalar.length == len &&
         memcmp(n->data.scalar.value, s, len) == 0;
}

/* YAML's plain null spellings; a quoted "" stays an (empty) string. */
static bool is_null(const yaml_node_t *n)
{
  return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
         (n->data.scalar.length == 0 || scalar_is(n, "~") || scalar_is(n, "null") ||
          scalar_is(n, "Null") || scalar_is(n, "NULL"));
}

/* The value at `key` in a mapping node, null or not; NULL when absent or
 * `map` is not a mapping. The last duplicate wins, as in PyYAML. */
static yaml_node_t *map_find(struct loader *ld, const yaml_node_t *map, const char *key)
{
  yaml_node_pair_t *p;
  yaml_node_t *found = NULL;

  if (!map || map->type != YAML_MAPPING_NODE)
    return NULL;
  for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++)
    if (scalar_is(yaml_document_get_node(&ld->doc, p->key), key))
      found = yaml_document_get_node(&ld->doc, p->value);
  return found;
}

/* map_find, with a null value counted as absent. */
static yaml_node_t *map_get(struct loader *ld, const yaml_node_t *map, const char *key)
{
  yaml_node_t *n = map_find(ld, map, key);

  return n && !is_null(n) ? n : NULL;
}

/* map_get along a NULL-terminated key path from the root. */
__attribute__((sentinel))
static yaml_node_t *dig(struct loader *ld, ...)
{
  yaml_node_t *n = ld->root;
  const char *key;
  va_list ap;

  va_start(ap, ld);
  while (n && (key = va_arg(ap, const char *)))
    n = map_get(ld, n, key);
  va_end(ap);
  return n;
}

/* A scalar's text as a new string; NULL (with err set) for anything else. */
static char *scalar_dup(struct loader *ld, const yaml_node_t *n, const char *where)
{
  const char *v = n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
  char *copy;

  if (!v || strlen(v) != n->data.scalar.length) { /* a mapping, a list, or "\0" inside */
    err_set(ld->err, ERR_PARSE, "'%s': %s must be a string or a list of strings", ld->path, where);
    return NULL;
  }
  copy = strdup(v);
  if (!copy)
    err_set(ld->err, ERR_NOMEM, "out of memory reading '%s'", ld->path);
  return copy;
}

/* ---- lists --------------------------------------------------------------- */

static void list_free(char **items, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++)
    free(items[i]);
  free(items);
}

/* Appends `item` (taken over, freed on failure). -1 only when out of memory. */
static int list_push(char ***items, size_t *n, char *item)
{
  char **grown = realloc(*items, (*n + 1) * sizeof(*grown));

  if (!grown) {
    free(item);
    return -1;
  }
  grown[(*n)++] = item;
  *items = grown;
  return 0;
}

static int take_one(struct loader *ld, const yaml_node_t *n, const char *where,
                    char ***items, size_t *count)
{
  char *v = scalar_dup(ld, n, where);

  if (!v)
    return -1;
  if (list_push(items, count, v) < 0)
    return err_set(ld->err, ERR_NOMEM, "out of memory reading '%s'", ld->path);
  return 0;
}

/* A sequence of scalars, or one scalar, appended to the list; null items
 * are skipped. */
static int take_items(struct loader *ld, const yaml_node_t *n, const char *where,
                      char ***items, size_t *count)
{
  yaml_node_item_t *it;

  if (n->type != YAML_SEQUENCE_NODE)
    return take_one(ld, n, where, items, count);
  for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
    const yaml_node_t *item = yaml_document_get_node(&ld->doc, *it);

    if (!is_null(item) && take_one(ld, item, where, items, count) < 0)
      return -1;
  }
  return 0;
}

/* In a `{mode, symbol, symbols|list}` mapping, the node holding the items:
 * the mode's own spelling first, then the others (lenient, like the fixed
 * live loader). Writes the key used into `key`. */
static yaml_node_t *pick_items(struct loader *ld, const yaml_node_t *section,
                               const struct list_keys *k, const char **key)
{
  bool single = scalar_is(map_get(ld, section, "mode"), "single");
  const char *order[3] = { k->key, "list", k->single };
  yaml_node_t *n;
  size_t i;

  if (single) {
    order[0] = k->single;
    order[2] = k->key;
  }
  for (i = 0; i < 3; i++)
    if ((n = map_get(ld, section, order[i]))) {
      *key = order[i];
      return n;
    }
  return NULL;
}

/* training_data.<key>, else data.<key>; empty when neither has items. */
static int load_list(struct loader *ld, const struct list_keys *k, char ***items, size_t *count)
{
  static const char *const sections[] = { "training_data", "data" };
  const yaml_node_t *node = NULL;
  const char *section = NULL, *key = NULL;
  char where[96];
  size_t i;

  for (i = 0; i < 2 && !node; i++) {
    section = sections[i];
    node = dig(ld, section, k->key, (const char *)NULL);
  }
  if (!node)
    return 0;
  if (node->type == YAML_MAPPING_NODE && !(node = pick_items(ld, node, k, &key)))
    return 0;
  if (key)
    snprintf(where, sizeof(where), "%s.%s.%s", section, k->key, key);
  else
    snprintf(where, sizeof(where), "%s.%s", section, k->key);
  return take_items(ld, node, where, items, count);
}

/* ---- the other fields ------------------------------------------------------ */

static int load_name(struct loader *ld, struct strategy *s)
{
  const yaml_node_t *n = dig(ld, "name", (const char *)NULL);

  if (!n)
    return 0;
  s->name = scalar_dup(ld, n, "name");
  return s->name ? 0 : -1;
}

/* model.training.epochs (v1/v2), else training.epochs (v3), else 1. */
static int load_epochs(struct loader *ld, struct strategy *s)
{
  const yaml_node_t *n = dig(ld, "model", "training", "epochs", (const char *)NULL);
  const char *where = "model.training.epochs", *v;
  char *end;

  if (!n) {
    n = dig(ld, "training", "epochs", (const char *)NULL);
    where = "training.epochs";
  }
  s->epochs = 1;
  if (!n)
    return 0;
  v = n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : "";
  errno = 0;
  s->epochs = strtol(v, &end, 10);
  if (errno || end == v || *end || s->epochs < 1)
    return err_set(ld->err, ERR_INVALID, "'%s': %s must be a positive whole number, got '%s'",
                   ld->path, where, n->type == YAML_SCALAR_NODE ? v : "(not a number)");
  return 0;
}

/* Path("dir/x.yaml") → "x"; only .yaml and .yml are taken off, since the
 * server looks for <stem>.yaml. */
static char *file_stem(const char *path)
{
  const char *base = strrchr(path, '/');
  size_t len;

  base = base ? base + 1 : path;
  len = strlen(base);
  if (len >= 5 && strcmp(base + len - 5, ".yaml") == 0)
    len -= 5;
  else if (len >= 4 && strcmp(base + len - 4, ".yml") == 0)
    len -= 4;
  return strndup(base, len);
}

/* Key presence, as the live loader's `key in config`: `scope: ~` counts. */
static bool is_v2(struct loader *ld)
{
  return map_find(ld, ld->root, "scope") || map_find(ld, ld->root, "training_data") ||
         map_find(ld, ld->root, "deployment");
}

/* A v1 file without `data:` gets the live loader's defaults. */
static int v1_defaults(struct strategy *s)
{
  char *sym = strdup("AAPL"), *tf = strdup("1h");

  if (!sym || !tf) {
    free(sym);
    free(tf);
    return -1;
  }
  if (list_push(&s->symbols, &s->n_symbols, sym) < 0) {
    free(tf);
    return -1;
  }
  return list_push(&s->timeframes, &s->n_timeframes, tf);
}

static int read_fields(struct loader *ld, struct strategy *s)
{
  if (ld->root->type != YAML_MAPPING_NODE)
    return err_set(ld->err, ERR_PARSE, "'%s' is not a strategy: its top level is a %s, "
                   "expected a mapping of keys (name, training_data, model, ...)", ld->path,
                   ld->root->type == YAML_SEQUENCE_NODE ? "list" : "single value");
  s->version = is_v2(ld) ? 2 : 1;
  if (load_name(ld, s) < 0 || load_epochs(ld, s) < 0)
    return -1;
  if (s->version == 1 && !map_find(ld, ld->root, "data")) {
    if (v1_defaults(s) < 0)
      return err_set(ld->err, ERR_NOMEM, "out of memory reading '%s'", ld->path);
    return 0;
  }
  if (load_list(ld, &symbol_keys, &s->symbols, &s->n_symbols) < 0 ||
      load_list(ld, &timeframe_keys, &s->timeframes, &s->n_timeframes) < 0)
    return -1;
  return 0;
}

int strategy_load(struct strategy *s, const char *path, struct err *err)
{
  struct loader ld = { .path = path, .err = err };
  int rc;

  *s = (struct strategy)STRATEGY_INIT;
  s->path = strdup(path);
  s->stem = file_stem(path);
  if (!s->path || !s->stem) {
    rc = err_set(err, ERR_NOMEM, "out of memory reading '%s'", path);
    goto fail;
  }
  rc = load_document(&ld);
  if (rc < 0)
    goto fail;
  rc = read_fields(&ld, s);
  yaml_document_delete(&ld.doc);
  if (rc < 0)
    goto fail;
  return 0;
fail:
  strategy_release(s);
  return rc;
}

/* ---- overrides ------------------------------------------------------------- */

static int replace_list(char ***items, size_t *n, const char *value)
{
  char *copy = strdup(value);

  if (!copy)
    return -1;
  list_free(*items, *n);
  *items = NULL;
  *n = 0;
  return list_push(items, n, copy);
}

int strategy_apply_overrides(struct strategy *s, const char *symbol, const char *timeframe,
                             struct err *err)
{
  if (symbol) {
    if (replace_list(&s->symbols, &s->n_symbols, symbol) < 0)
      return err_set(err, ERR_NOMEM, "out of memory");
    s->symbols_from_cli = true;
  }
  if (timeframe) {
    if (replace_list(&s->timeframes, &s->n_timeframes, timeframe) < 0)
      return err_set(err, ERR_NOMEM, "out of memory");
    s->timeframes_from_cli = true;
  }
  return 0;
}

/* ---- validation ------------------------------------------------------------ */

static bool ascii_digit(char c) { return c >= '0' && c <= '9'; }

static bool ascii_alnum(char c)
{
  return ascii_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool strategy_symbol_ok(const char *s)
{
  size_t i, len = strlen(s);

  for (i = 0; i < len; i++)
    if (!ascii_alnum(s[i]) && s[i] != '.' && s[i] != '-')
      return false;
  return len >= 1 && len <= 10;
}

bool strategy_timeframe_ok(const char *s)
{
  size_t i, len = strlen(s);

  if (len < 2 || len > 5 || !strchr("dhm", s[len - 1]))
    return false;
  for (i = 0; i + 1 < len; i++)
    if (!ascii_digit(s[i]))
      return false;
  return true;
}

/* The server's ^[A-Za-z0-9][A-Za-z0-9_-]*$. */
static bool name_ok(const char *s)
{
  size_t i;

  if (!ascii_alnum(s[0]))
    return false;
  for (i = 1; s[i]; i++)
    if (!ascii_alnum(s[i]) && s[i] != '_' && s[i] != '-')
      return false;
  return true;
}

/* File text in a message: no control characters, not endless. */
static const char *shown(const char *s, char *buf, size_t size)
{
  pf_fit(s, 40, true, buf, size);
  return buf;
}

static int check_symbols(const struct strategy *s, struct err *err)
{
  char where[300], v[160];
  size_t i;

  if (s->n_symbols == 0)
    return err_set(err, ERR_INVALID, "no symbols in '%s' (looked for training_data.symbols and "
                   "data.symbols); give one as SYMBOL", s->path);
  snprintf(where, sizeof(where), s->symbols_from_cli ? "given as SYMBOL" : "in '%s'", s->path);
  for (i = 0; i < s->n_symbols; i++)
    if (!strategy_symbol_ok(s->symbols[i]))
      return err_set(err, ERR_INVALID, "invalid symbol '%s' %s: a symbol is 1 to 10 letters, "
                     "digits, '.' or '-'", shown(s->symbols[i], v, sizeof(v)), where);
  return 0;
}

static int check_timeframes(const struct strategy *s, struct err *err)
{
  char where[300], v[160];
  size_t i;

  if (s->n_timeframes == 0)
    return err_set(err, ERR_INVALID, "no timeframes in '%s' (looked for training_data.timeframes "
                   "and data.timeframes); give one as TIMEFRAME", s->path);
  snprintf(where, sizeof(where), s->timeframes_from_cli ? "given as TIMEFRAME" : "in '%s'",
           s->path);
  for (i = 0; i < s->n_timeframes; i++)
    if (!strategy_timeframe_ok(s->timeframes[i]))
      return err_set(err, ERR_INVALID, "invalid timeframe '%s' %s: use minutes, hours or days "
                     "such as 5m, 1h, 4h, 1d (weeks and months, 1w and 1M, are not accepted "
                     "for training)", shown(s->timeframes[i], v, sizeof(v)), where);
  return 0;
}

int strategy_validate(const struct strategy *s, struct err *err)
{
  char v[160];

  if (check_symbols(s, err) < 0 || check_timeframes(s, err) < 0)
    return -1;
  if (!name_ok(s->stem))
    return err_set(err, ERR_INVALID, "invalid strategy name '%s' (the file name of '%s'): the "
                   "server accepts only letters, digits, '-' and '_', starting with a letter or "
                   "digit; rename the file", shown(s->stem, v, sizeof(v)), s->path);
  return 0;
}

/* ---- JSON and release ------------------------------------------------------ */

static json_t *string_array(char *const *items, size_t n)
{
  json_t *a = json_array();
  size_t i;

  for (i = 0; a && i < n; i++)
    if (json_array_append_new(a, json_string(items[i])) < 0) {
      json_decref(a);
      return NULL;
    }
  return a;
}

json_t *strategy_symbols_json(const struct strategy *s)
{
  return string_array(s->symbols, s->n_symbols);
}

json_t *strategy_timeframes_json(const struct strategy *s)
{
  return string_array(s->timeframes, s->n_timeframes);
}

void strategy_release(struct strategy *s)
{
  if (!s)
    return;
  free(s->path);
  free(s->name);
  free(s->stem);
  list_free(s->symbols, s->n_symbols);
  list_free(s->timeframes, s->n_timeframes);
  *s = (struct strategy)STRATEGY_INIT;
}
