#include "gen.h"

#include <math.h>
#include <string.h>

static const struct gen_ops *const all[] = { &gen_dummy_ops, &gen_training_ops,
                                             &gen_data_load_ops };

const struct gen_ops *gen_find(const char *name)
{
  for (size_t i = 0; name && i < sizeof(all) / sizeof(all[0]); i++)
    if (strcmp(all[i]->name, name) == 0)
      return all[i];
  return NULL;
}

void gen_set_str(char **field, const char *s)
{
  operation_set_str(field, s);
}

void gen_merge_context(struct operation *op, json_t *add)
{
  if (!op->progress.context)
    op->progress.context = json_object();
  if (add)
    json_object_update(op->progress.context, add);
  json_decref(add);
}

json_t *gen_round(double v, int digits)
{
  double f = pow(10.0, digits);

  return json_real(round(v * f) / f);
}

double gen_next_tick(double u, double step)
{
  double k = floor(u / step + 1e-9) + 1;

  /* Early by a millionth of a step: an early expiry only costs a refill. */
  return (k - 1e-6) * step > u ? (k - 1e-6) * step : u + step * 1e-6;
}
