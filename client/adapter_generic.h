/*
 * adapter_generic: the adapter `ktrdr operations follow` uses for an
 * operation type that has no adapter of its own (backtesting, ...): the
 * server's progress line, and the result_summary printed as "key: value"
 * lines. It cannot start anything (its start functions fail).
 */
#ifndef KTRDR_ADAPTER_GENERIC_H
#define KTRDR_ADAPTER_GENERIC_H

#include "adapter.h"

void generic_adapter_init(struct adapter *ad);

/* Prints a JSON object as indented "key: value" lines (nested objects as
 * sections), on `f`. Used by other adapters for their extra details too. */
void generic_print_object(FILE *f, const json_t *obj, int indent);

#endif
