#include "catalog.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtins.h"
#include "scenario_yaml.h"

#define NTYPES 3
#define BUILTIN_FILE "(built-in)"

struct catalog {
  pthread_mutex_t lock;          /* guards `selected` */
  struct scenario **all;         /* in name order */
  size_t n;
  char *selected[NTYPES];        /* by index in scenario_types */
};

static int type_index(const char *type)
{
  for (int i = 0; type && scenario_types[i]; i++)
    if (strcmp(type, scenario_types[i]) == 0)
      return i;
  return -1;
}

struct catalog *catalog_new(void)
{
  struct catalog *c = calloc(1, sizeof(*c));

  if (c && pthread_mutex_init(&c->lock, NULL) != 0) {
    free(c);
    return NULL;
  }
  return c;
}

static void clear_selected(struct catalog *c)
{
  for (int i = 0; i < NTYPES; i++) {
    free(c->selected[i]);
    c->selected[i] = NULL;
  }
}

void catalog_free(struct catalog **cp)
{
  struct catalog *c = cp ? *cp : NULL;

  if (!c)
    return;
  for (size_t i = 0; i < c->n; i++)
    scenario_free(&c->all[i]);
  free(c->all);
  clear_selected(c);
  pthread_mutex_destroy(&c->lock);
  free(c);
  *cp = NULL;
}

static bool is_builtin(const struct scenario *sc)
{
  return strcmp(sc->file, BUILTIN_FILE) == 0;
}

static int by_name(const void *a, const void *b)
{
  return strcmp((*(struct scenario *const *)a)->name, (*(struct scenario *const *)b)->name);
}

/* Adds `sc` (taken over, even on failure), replacing a built-in of the
 * same name; two loaded scenarios with one name are an error. */
static int add(struct catalog *c, struct scenario *sc, struct err *err)
{
  struct scenario **all, *old = catalog_find(c, sc->name);
  int rc;

  if (old && !is_builtin(old)) {
    rc = err_set(err, ERR_PARSE, "%s: scenario name '%s' is already used by %s: rename one",
                 sc->file, sc->name, old->file);
    scenario_free(&sc);
    return rc;
  }
  for (size_t i = 0; old && i < c->n; i++)
    if (c->all[i] == old)
      c->all[i] = c->all[--c->n];
  scenario_free(&old);
  all = realloc(c->all, (c->n + 1) * sizeof(*all));
  if (!all) {
    scenario_free(&sc);
    return err_set(err, ERR_NOMEM, "cannot load the scenarios");
  }
  c->all = all;
  c->all[c->n++] = sc;
  qsort(c->all, c->n, sizeof(*c->all), by_name);
  return 0;
}

int catalog_load_builtins(struct catalog *c, struct err *err)
{
  for (size_t i = 0; i < builtins_count; i++) {
    struct scenario *sc = NULL;

    if (scenario_yaml_load_string(BUILTIN_FILE, builtins[i], &sc, err) < 0 ||
        add(c, sc, err) < 0)
      return -1;
  }
  return 0;
}

static bool is_yaml(const char *name)
{
  size_t n = strlen(name);

  return name[0] != '.' && ((n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
                            (n > 4 && strcmp(name + n - 4, ".yml") == 0));
}

static int by_string(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void names_free(char **names, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
}

/* The YAML file names of `dir`, sorted. */
static int list_dir(const char *dir, char ***out, size_t *n, struct err *err)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  char **names = NULL, **grown;

  *n = 0;
  if (!d)
    return err_set(err, ERR_INVALID, "cannot read the scenarios directory '%s': %s", dir,
                   strerror(errno));
  while ((e = readdir(d)) != NULL) {
    if (!is_yaml(e->d_name))
      continue;
    grown = realloc(names, (*n + 1) * sizeof(*names));
    if (!grown || !(grown[*n] = strdup(e->d_name))) {
      names_free(grown ? grown : names, *n);
      closedir(d);
      return err_set(err, ERR_NOMEM, "cannot list '%s'", dir);
    }
    names = grown;
    (*n)++;
  }
  closedir(d);
  if (*n)
    qsort(names, *n, sizeof(*names), by_string);
  *out = names;
  return 0;
}

/* One default per operation type among the files. */
static int check_defaults(const struct catalog *c, struct err *err)
{
  for (int t = 0; t < NTYPES; t++) {
    const struct scenario *first = NULL;

    for (size_t i = 0; i < c->n; i++) {
      const struct scenario *sc = c->all[i];

      if (is_builtin(sc) || !sc->is_default || type_index(sc->operation_type) != t)
        continue;
      if (first)
        return err_set(err, ERR_PARSE,
                       "%s: '%s' is a second default for %s operations (the first is '%s' in "
                       "%s): keep 'default: true' in one of them",
                       sc->file, sc->name, scenario_types[t], first->name, first->file);
      first = sc;
    }
  }
  return 0;
}

int catalog_load_dir(struct catalog *c, const char *dir, struct err *err)
{
  char **names = NULL, path[4096];
  size_t n = 0;
  int rc = 0;

  if (list_dir(dir, &names, &n, err) < 0)
    return -1;
  for (size_t i = 0; rc == 0 && i < n; i++) {
    struct scenario *sc = NULL;

    snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
    rc = scenario_yaml_load_file(path, &sc, err);
    if (rc == 0)
      rc = add(c, sc, err);
  }
  names_free(names, n);
  return rc < 0 ? -1 : check_defaults(c, err);
}

size_t catalog_count(const struct catalog *c)
{
  return c->n;
}

struct scenario *catalog_at(const struct catalog *c, size_t i)
{
  return i < c->n ? c->all[i] : NULL;
}

struct scenario *catalog_find(const struct catalog *c, const char *name)
{
  for (size_t i = 0; name && i < c->n; i++)
    if (strcmp(c->all[i]->name, name) == 0)
      return c->all[i];
  return NULL;
}

struct scenario *catalog_default(const struct catalog *c, const char *type)
{
  struct scenario *builtin = NULL;

  for (size_t i = 0; i < c->n; i++) {
    struct scenario *sc = c->all[i];

    if (!sc->is_default || strcmp(sc->operation_type, type) != 0)
      continue;
    if (!is_builtin(sc))
      return sc;
    builtin = sc;
  }
  return builtin;
}

/* A scenario of `type` by name, for a selection or a header. */
static int find_typed(const struct catalog *c, const char *type, const char *name,
                      const char *what, struct scenario **out, struct err *err)
{
  struct scenario *sc = catalog_find(c, name);

  *out = NULL;
  if (!sc)
    return err_set(err, ERR_NOTFOUND,
                   "unknown scenario '%s'%s: GET /__admin/scenarios lists the loaded ones", name,
                   what);
  if (strcmp(sc->operation_type, type) != 0)
    return err_set(err, ERR_INVALID, "scenario '%s'%s is for %s operations, not %s", name, what,
                   sc->operation_type, type);
  *out = sc;
  return 0;
}

int catalog_select(struct catalog *c, const char *type, const char *name, struct err *err)
{
  int t = type_index(type);
  struct scenario *sc = NULL;
  char *copy = NULL;

  if (t < 0)
    return err_set(err, ERR_INVALID,
                   "unknown operation_type '%s': expected dummy, training or data_load",
                   type ? type : "");
  if (name && find_typed(c, type, name, "", &sc, err) < 0)
    return -1;
  if (name && !(copy = strdup(name)))
    return err_set(err, ERR_NOMEM, "cannot select '%s'", name);
  pthread_mutex_lock(&c->lock);
  free(c->selected[t]);
  c->selected[t] = copy;
  pthread_mutex_unlock(&c->lock);
  return 0;
}

static struct scenario *first_match(const struct catalog *c, const char *type,
                                    const json_t *payload)
{
  for (size_t i = 0; i < c->n; i++)
    if (strcmp(c->all[i]->operation_type, type) == 0 && scenario_matches(c->all[i], payload))
      return c->all[i];
  return NULL;
}

static struct scenario *selected(struct catalog *c, int t)
{
  struct scenario *sc;

  pthread_mutex_lock(&c->lock);
  sc = catalog_find(c, c->selected[t]);
  pthread_mutex_unlock(&c->lock);
  return sc;
}

int catalog_pick(struct catalog *c, const char *type, const char *header, const json_t *payload,
                 struct scenario **out, enum catalog_why *why, struct err *err)
{
  int t = type_index(type);

  *why = CATALOG_HEADER;
  if (header)
    return find_typed(c, type, header, " (X-Mock-Scenario)", out, err);
  *why = CATALOG_MATCH;
  if ((*out = first_match(c, type, payload)) != NULL)
    return 0;
  *why = CATALOG_SELECTED;
  if (t >= 0 && (*out = selected(c, t)) != NULL)
    return 0;
  *why = CATALOG_DEFAULT;
  if ((*out = catalog_default(c, type)) != NULL)
    return 0;
  return err_set(err, ERR_STATE, "no scenario for %s operations", type);
}

void catalog_reset(struct catalog *c)
{
  pthread_mutex_lock(&c->lock);
  clear_selected(c);
  pthread_mutex_unlock(&c->lock);
  for (size_t i = 0; i < c->n; i++)
    scenario_reset_counts(c->all[i]);
}

static json_t *scenario_json(const struct scenario *sc, const char *selected_name)
{
  return json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:I}", "name", sc->name, "operation_type",
                   sc->operation_type, "description", sc->description, "file", sc->file,
                   "default", sc->is_default, "selected",
                   selected_name && strcmp(selected_name, sc->name) == 0, "starts",
                   (json_int_t)atomic_load(&((struct scenario *)sc)->starts));
}

json_t *catalog_to_json(struct catalog *c)
{
  json_t *list = json_array(), *sel = json_object();

  pthread_mutex_lock(&c->lock);
  for (size_t i = 0; i < c->n; i++)
    json_array_append_new(
        list, scenario_json(c->all[i], c->selected[type_index(c->all[i]->operation_type)]));
  for (int t = 0; t < NTYPES; t++)
    json_object_set_new(sel, scenario_types[t],
                        c->selected[t] ? json_string(c->selected[t]) : json_null());
  pthread_mutex_unlock(&c->lock);
  return json_pack("{s:o, s:o}", "scenarios", list, "selected", sel);
}
