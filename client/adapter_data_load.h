/*
 * adapter_data_load: market-data loading (`ktrdr data load`), API-CONTRACT
 * §6 and §10: POST /data/load?async_mode=true, falling back to
 * POST /data/acquire/download when the server answers 404/405.
 *
 *   struct data_load_adapter d = { .symbol = "AAPL", .timeframe = "1h", .mode = "tail" };
 *   struct adapter ad;
 *   data_load_adapter_init(&d, &ad);
 *
 * `d` and its strings must outlive `ad`.
 */
#ifndef KTRDR_ADAPTER_DATA_LOAD_H
#define KTRDR_ADAPTER_DATA_LOAD_H

#include <stdbool.h>

#include "adapter.h"

struct data_load_adapter {
  const char *symbol, *timeframe, *mode;
  const char *start_date, *end_date;   /* NULL = not sent */
  bool trading_hours, include_extended;
};

void data_load_adapter_init(struct data_load_adapter *d, struct adapter *ad);

#endif
