#include "builtins.h"

static const char dummy_default[] =
    "name: dummy_default\n"
    "operation_type: dummy\n"
    "default: true\n"
    "description: The live DummyService, 100 iterations over 200 s, or the request's\n"
    "  duration and iterations\n"
    "timeline:\n"
    "  - dummy: {}\n";

static const char training_default[] =
    "name: training_default\n"
    "operation_type: training\n"
    "default: true\n"
    "description: A local training of 20 epochs x 46 batches (3 s per epoch) that completes\n"
    "timeline:\n"
    "  - training:\n"
    "      epochs: 20\n"
    "      preamble: 1\n";

static const char data_load_default[] =
    "name: data_load_default\n"
    "operation_type: data_load\n"
    "default: true\n"
    "description: A data load of 3 IB segments of 500 bars (local mode reads the cache)\n"
    "timeline:\n"
    "  - data_load: {}\n";

const char *const builtins[] = { dummy_default, training_default, data_load_default };
const size_t builtins_count = sizeof(builtins) / sizeof(builtins[0]);
