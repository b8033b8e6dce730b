#include "adapters.h"

#include <string.h>

#include "adapter_generic.h"

void adapters_for_type(const char *type, struct adapter_slot *slot, struct adapter *ad)
{
  memset(slot, 0, sizeof(*slot));
  if (type && strcmp(type, "dummy") == 0)
    dummy_adapter_init(&slot->u.dummy, ad, 0, 0);
  else if (type && strcmp(type, "training") == 0)
    training_adapter_init(&slot->u.training, ad);
  else if (type && strcmp(type, "data_load") == 0)
    data_load_adapter_init(&slot->u.data_load, ad);
  else
    generic_adapter_init(ad);
}
