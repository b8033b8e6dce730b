/*
 * adapter_dummy: the dummy operation (`ktrdr dummy start`), and the annotated
 * reference for anyone adding an operation (docs/adding-new-operations.md).
 *
 *   struct dummy_adapter d;
 *   struct adapter ad;
 *   dummy_adapter_init(&d, &ad, 5.0, 10);   // 0 = the server's default
 *
 * `d` must outlive `ad`; nothing is allocated.
 */
#ifndef KTRDR_ADAPTER_DUMMY_H
#define KTRDR_ADAPTER_DUMMY_H

#include "adapter.h"

struct dummy_adapter {
  double duration_s;  /* 0 = server default (200 s) */
  long iterations;    /* 0 = server default (100) */
};

void dummy_adapter_init(struct dummy_adapter *d, struct adapter *ad,
                        double duration_s, long iterations);

#endif
