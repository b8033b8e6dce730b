/*
 * yamldoc: a YAML document as a tree of nodes that remember where they
 * were written, for loaders that must say "FILE:LINE:COL: what is wrong".
 *
 * The only module that talks to libyaml. One document per file (the first;
 * more are an error), block or flow style, anchors and aliases (an alias is
 * a copy of the anchored node), no tags beyond the standard ones.
 *
 *   struct yamldoc *d = NULL;
 *   if (yamldoc_parse_file("scenarios/x.yaml", &d, &err) < 0) ... err.msg ...
 *   const struct ynode *name = ynode_get(d->root, "name");
 *   if (!ynode_is_scalar(name))
 *     return yamldoc_error(d, name ? name : d->root, &err, "'name' must be text");
 *   json_t *j = ynode_to_json(ynode_get(d->root, "context"));  // typed scalars
 *   yamldoc_free(&d);
 *
 * Nodes belong to the document and live until yamldoc_free. Scalars keep
 * their text; ynode_to_json and the ynode_* readers type plain scalars as
 * YAML 1.2's core schema does (null ~ true false, integers, floats, .inf),
 * while quoted scalars are always text. Pure: no shared state, safe from
 * any thread for distinct documents.
 */
#ifndef KTRDR_MOCK_YAMLDOC_H
#define KTRDR_MOCK_YAMLDOC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"

enum ynode_kind { YNODE_SCALAR, YNODE_MAP, YNODE_SEQ };

struct ynode {
  enum ynode_kind kind;
  int line, col;            /* 1-based position of the node's start */
  char *text;               /* SCALAR: the value, NUL-terminated */
  bool quoted;              /* SCALAR: quoted or block literal: always text */
  struct ynode **items;     /* SEQ: the items; MAP: key, value, key, value, ... */
  size_t n;                 /* SEQ: items; MAP: 2 × pairs */
};

struct yamldoc {
  char *file;               /* the name used in messages */
  struct ynode *root;       /* NULL for an empty document */
};

/* Parses a file. ERR_IO when it cannot be read, ERR_PARSE with
 * "FILE:LINE:COL: reason" for bad YAML or a duplicate key. */
int yamldoc_parse_file(const char *path, struct yamldoc **out, struct err *err);

/* Parses `len` bytes of text; `name` is used in messages. */
int yamldoc_parse_string(const char *name, const char *text, size_t len,
                         struct yamldoc **out, struct err *err);

void yamldoc_free(struct yamldoc **d);

/* Sets ERR_PARSE "FILE:LINE:COL: <message>" at node `n` and returns -1. */
int yamldoc_error(const struct yamldoc *d, const struct ynode *n, struct err *err,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The value of `key` in a map (NULL when absent or not a map). */
const struct ynode *ynode_get(const struct ynode *map, const char *key);

static inline bool ynode_is_scalar(const struct ynode *n) { return n && n->kind == YNODE_SCALAR; }
static inline bool ynode_is_map(const struct ynode *n) { return n && n->kind == YNODE_MAP; }
static inline bool ynode_is_seq(const struct ynode *n) { return n && n->kind == YNODE_SEQ; }

/* Whether a scalar is YAML null (plain "", "~", "null", "Null", "NULL"). */
bool ynode_is_null(const struct ynode *n);

/* Typed readers: 0, or -1 when `n` is not a scalar of that type. */
int ynode_number(const struct ynode *n, double *out);   /* integers and floats */
int ynode_long(const struct ynode *n, long *out);       /* integers only */
int ynode_bool(const struct ynode *n, bool *out);

/* The node as JSON: maps → objects, sequences → arrays, scalars typed.
 * New reference; NULL when out of memory or for a NULL node. */
json_t *ynode_to_json(const struct ynode *n);

/*
 * Checks that every key of `map` is in `allowed` (NULL-terminated); on the
 * first one that is not, sets "unknown key 'K' in WHAT: expected one of a,
 * b, c" at that key and returns -1. Also rejects non-scalar keys.
 */
int yamldoc_check_keys(const struct yamldoc *d, const struct ynode *map,
                       const char *const *allowed, const char *what, struct err *err);

/*
 * Typed members of a map, with errors at the value's position ("'epochs'
 * must be an integer from 1 to 100000"). Each returns 1 when the key is
 * present (*out set), 0 when it is absent, -1 with `err` when it is of the
 * wrong type or out of range. yamldoc_text gives a malloc'ed copy of any
 * non-null scalar.
 */
int yamldoc_text(const struct yamldoc *d, const struct ynode *map, const char *key,
                 char **out, struct err *err);
int yamldoc_number(const struct yamldoc *d, const struct ynode *map, const char *key,
                   double min, double max, double *out, struct err *err);
int yamldoc_long(const struct yamldoc *d, const struct ynode *map, const char *key, long min,
                 long max, long *out, struct err *err);
int yamldoc_bool(const struct yamldoc *d, const struct ynode *map, const char *key,
                 bool *out, struct err *err);

/* The node of `key` (which must be present) for messages about it. */
const struct ynode *yamldoc_key_node(const struct ynode *map, const char *key);

#endif
