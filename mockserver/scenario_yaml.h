/*
 * scenario_yaml: reads one scenario file (docs/scenario-format.md) into a
 * struct scenario, checking everything a scenario can get wrong: unknown
 * keys, types and ranges, steps out of order, outcome fields that do not fit
 * the outcome, faults without an action, and each generator's parameters.
 * Every error names the file, line and column and says what to write
 * instead: "scenarios/x.yaml:12:5: unknown key 'epoch' in training: expected
 * one of epochs, ...".
 *
 *   struct scenario *sc = NULL;
 *   if (scenario_yaml_load_file("scenarios/training_gpu.yaml", &sc, &err) < 0)
 *     die(err.msg);                       // ERR_PARSE (or ERR_IO, ERR_NOMEM)
 *   ... scenario_free(&sc);
 *
 * The scenario is the caller's (scenario_free). Reentrant; no shared state.
 */
#ifndef KTRDR_MOCK_SCENARIO_YAML_H
#define KTRDR_MOCK_SCENARIO_YAML_H

#include <stddef.h>

#include "err.h"
#include "scenario.h"

/* A file; the scenario's name defaults to the file name without ".yaml". */
int scenario_yaml_load_file(const char *path, struct scenario **out, struct err *err);

/* Text (the built-in scenarios); `file` names it in messages and in the
 * scenario's `file`; the text must have a `name`. */
int scenario_yaml_load_string(const char *file, const char *text, struct scenario **out,
                              struct err *err);

/* The `faults:` list of a scenario (scenario_yaml_faults.c; used by the
 * loader above). */
struct yamldoc;
struct ynode;
int scenario_yaml_read_faults(const struct yamldoc *d, const struct ynode *root,
                              struct scenario *sc, struct err *err);

#endif
