/* The reference adapter: everything the executor needs to know about the
 * dummy operation, and nothing about polling, signals, retries or display. */
#include "adapter_dummy.h"

/* 1. Where the operation starts, relative to the base URL (.../api/v1). */
static const char *start_path(const void *self)
{
  (void)self;
  return "/dummy/start";
}

/* 2. The start body. The live server reads none; the mock honours both keys.
 *    Options the user did not give are left out: the server's defaults apply. */
static json_t *start_payload(const void *self)
{
  const struct dummy_adapter *d = self;

  return json_pack("{s:o*, s:o*}", /* o* leaves a NULL value out */
                   "duration", d->duration_s > 0 ? json_real(d->duration_s) : NULL,
                   "iterations", d->iterations > 0 ? json_integer(d->iterations) : NULL);
}

/* 3. The id: the live envelope {"data":{"operation_id":...}}. The shared
 *    parser also takes the other live shapes and reports success:false. */
static int parse_start(const void *self, const json_t *resp, char **id, struct err *err)
{
  (void)self;
  return adapter_parse_operation_id(resp, id, err);
}

/* 4. The results, on stdout, from result_summary with the progress as the
 *    fallback (not the live CLI's "N/A": the numbers are in the record). */
static int show_result(void *self, const struct operation *op, const json_t *result,
                       const struct out *o, struct err *err)
{
  const json_t *rs = op->result_summary;
  double done = json_num_or(rs, "iterations_completed", (double)op->progress.steps_completed);

  (void)self, (void)result, (void)err;
  fprintf(o->out, "%s%s Dummy operation completed!%s\n", out_green(o, false),
          out_sym(o, "✅", "OK"), out_reset(o, false));
  fprintf(o->out, "Iterations: %.0f/%ld\n", done, op->progress.steps_total);
  if (json_has_num(rs, "total_duration_seconds"))
    fprintf(o->out, "Duration: %g s\n", json_num_or(rs, "total_duration_seconds", 0));
  return 0;
}

/* 5. Optional hook: how far it got, once the server confirmed a cancel. */
static void show_cancelled(void *self, const struct operation *op, const struct out *o)
{
  (void)self;
  fprintf(o->err, "Stopped after %ld/%ld iterations\n", op->progress.steps_completed,
          op->progress.steps_total);
}

/* 6. The table. format_progress is NULL, so the line is the server's own:
 *    "Status: running - Working hard on iteration 3! [3/10] (30.0%)". */
static const struct adapter_ops dummy_ops = {
  .name = "dummy",
  .start_path = start_path,
  .start_payload = start_payload,
  .parse_start = parse_start,
  .show_result = show_result,
  .show_cancelled = show_cancelled,
};

void dummy_adapter_init(struct dummy_adapter *d, struct adapter *ad,
                        double duration_s, long iterations)
{
  d->duration_s = duration_s;
  d->iterations = iterations;
  ad->ops = &dummy_ops;
  ad->self = d;
}
