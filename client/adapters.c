#include "adapters.h"

#include <string.h>

#include "adapter_generic.h"

void adapters_for_type(const char *type, struct adapter_slot *slot, struct adapter *ad)
{
  memset(slot, 0, sizeof(*slot));
  if (type && strcmp(type, "dummy") == 0)
    dummy_adapter_init(&slot->u.dummy, ad, 0, 0);
  else
    generic_adapter_init(ad);
}
