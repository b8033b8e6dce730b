#include "intern.h"

#include <pthread.h>
#include <stdlib.h>

/* Few slots: the values worth sharing repeat back to back (the same client
 * starting the same kind of operation); a miss costs a few json_equal calls. */
#define INTERN_SLOTS 8

struct intern {
  pthread_mutex_t lock;
  json_t *slot[INTERN_SLOTS];
  size_t next;               /* the slot replaced on a miss: round robin */
};

struct intern *intern_new(void)
{
  struct intern *in = calloc(1, sizeof(*in));

  if (in && pthread_mutex_init(&in->lock, NULL) != 0) {
    free(in);
    return NULL;
  }
  return in;
}

void intern_free(struct intern **inp)
{
  struct intern *in = inp ? *inp : NULL;

  if (!in)
    return;
  for (size_t i = 0; i < INTERN_SLOTS; i++)
    json_decref(in->slot[i]);
  pthread_mutex_destroy(&in->lock);
  free(in);
  *inp = NULL;
}

json_t *intern_json(struct intern *in, json_t *v)
{
  json_t *out = v;

  if (!in || !v)
    return v;
  pthread_mutex_lock(&in->lock);
  for (size_t i = 0; i < INTERN_SLOTS && out == v; i++)
    if (in->slot[i] && json_equal(in->slot[i], v))
      out = json_incref(in->slot[i]);
  if (out == v) {
    json_decref(in->slot[in->next]);
    in->slot[in->next] = json_incref(v);
    in->next = (in->next + 1) % INTERN_SLOTS;
  }
  pthread_mutex_unlock(&in->lock);
  if (out != v)
    json_decref(v);
  return out;
}
