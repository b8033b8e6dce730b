/*
 * builtins: the scenarios a server plays without a scenarios directory,
 * one default per operation type, as YAML text read by the same loader as
 * the files (scenario_yaml.h):
 *
 *   dummy_default      the live DummyService (duration/iterations from the request)
 *   training_default   a 20-epoch local training of the contract's example
 *   data_load_default  a data load of 3 IB segments (or local mode)
 *
 * A scenario file with the same name replaces a built-in. Constant data.
 */
#ifndef KTRDR_MOCK_BUILTINS_H
#define KTRDR_MOCK_BUILTINS_H

#include <stddef.h>

extern const char *const builtins[];
extern const size_t builtins_count;

#endif
