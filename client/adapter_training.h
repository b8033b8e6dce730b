/*
 * adapter_training: model training (`ktrdr models train`), API-CONTRACT §2.2,
 * §4, §5.
 *
 *   struct training_adapter t = { .strategy = &s, .start_date = "2024-01-01",
 *                                 .end_date = "2024-06-01" };
 *   struct adapter ad;
 *   training_adapter_init(&t, &ad);
 *
 * `t` and everything it points to must outlive `ad`. With a NULL strategy
 * (operations follow) it can show progress and results but not start.
 */
#ifndef KTRDR_ADAPTER_TRAINING_H
#define KTRDR_ADAPTER_TRAINING_H

#include <stdbool.h>

#include "adapter.h"
#include "strategy.h"

struct training_adapter {
  const struct strategy *strategy;   /* validated */
  const char *start_date, *end_date;
  bool detailed_analytics;
};

void training_adapter_init(struct training_adapter *t, struct adapter *ad);

/* The progress text of §4.5: the server's current_step, or, when it is empty
 * or just "Status: running", one built from the context. */
void training_format_progress(const struct operation *op, struct buf *line);

#endif
