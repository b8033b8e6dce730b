/* Data loading: payload of §6.1, two start endpoints, the load summary and
 * the IB gateway diagnosis of §6.4. */
#include "adapter_data_load.h"

#include <string.h>

#include "ib_diagnosis.h"
#include "results_table.h"

static const char *start_path(const void *self)
{
  (void)self;
  return "/data/load?async_mode=true";
}

static const char *fallback_path(const void *self)
{
  (void)self;
  return "/data/acquire/download"; /* the later flat shape, §10 */
}

/* §6.1 key order; dates and filters only when given, as the live CLI. */
static json_t *start_payload(const void *self)
{
  const struct data_load_adapter *d = self;
  json_t *filters = NULL;

  if (d->trading_hours || d->include_extended)
    filters = json_pack("{s:b, s:b}", "trading_hours_only", d->trading_hours,
                        "include_extended", d->include_extended);
  return json_pack("{s:s, s:s, s:s, s:s*, s:s*, s:o*}", "symbol", d->symbol,
                   "timeframe", d->timeframe, "mode", d->mode, "start_date", d->start_date,
                   "end_date", d->end_date, "filters", filters);
}

/* data.operation_id (envelope) or operation_id (flat): the shared parser. */
static int parse_start(const void *self, const json_t *resp, char **id, struct err *err)
{
  (void)self;
  return adapter_parse_operation_id(resp, id, err);
}

static int show_result(void *self, const struct operation *op, const json_t *result,
                       const struct out *o, struct err *err)
{
  const struct data_load_adapter *d = self;
  const char *status = json_str_or(op->result_summary, "status", "success");
  bool ok = strcmp(status, "success") == 0;

  (void)result, (void)err;
  fprintf(o->out, "%s%s Data load", ok ? out_green(o, false) : out_yellow(o, false),
          out_sym(o, ok ? "✅" : "⚠️ ", ok ? "OK" : "!"));
  if (d->symbol) /* NULL when following an operation started elsewhere */
    fprintf(o->out, " for %s %s (%s mode)", d->symbol, d->timeframe, d->mode);
  fprintf(o->out, ": %s%s\n\n", status, out_reset(o, false));
  results_table_data_load(op->result_summary, o);
  return 0;
}

/* IB gateway trouble gets the live client's diagnosis and, with -v, the
 * recovery steps; other errors need nothing more than the one-line message. */
static void explain_error(const void *self, const json_t *error, const struct out *o)
{
  struct ib_diagnosis diag;

  (void)self;
  ib_diagnose(&diag, error);
  if (diag.problem != IB_PROBLEM_NONE)
    ib_diagnosis_print(&diag, error, o, o->verbose);
}

static const struct adapter_ops data_load_ops = {
  .name = "data_load",
  .start_path = start_path,
  .start_payload = start_payload,
  .parse_start = parse_start,
  .show_result = show_result,
  .fallback_path = fallback_path,
  .explain_error = explain_error,
};

void data_load_adapter_init(struct data_load_adapter *d, struct adapter *ad)
{
  ad->ops = &data_load_ops;
  ad->self = d;
}
