/*
 * adapters: the adapter for an operation type, for commands that attach to
 * an operation they did not start (`ktrdr operations follow ID`): the same
 * progress and results display as the command that started it.
 *
 *   struct adapter_slot slot;
 *   struct adapter ad;
 *   adapters_for_type("dummy", &slot, &ad);   // ad.self points into slot
 *
 * `slot` must outlive `ad`. Unknown types get the generic adapter.
 */
#ifndef KTRDR_ADAPTERS_H
#define KTRDR_ADAPTERS_H

#include "adapter.h"
#include "adapter_data_load.h"
#include "adapter_dummy.h"
#include "adapter_training.h"

struct adapter_slot {
  union {
    struct dummy_adapter dummy;
    struct training_adapter training;
    struct data_load_adapter data_load;
  } u;
};

void adapters_for_type(const char *type, struct adapter_slot *slot, struct adapter *ad);

#endif
