#include "clock.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#include "timeutil.h"

struct clock {
  pthread_mutex_t lock;
  enum clock_mode mode;
  double scale;
  int64_t base_mono_us, base_wall_us;  /* the epoch */
  double manual_s;                     /* manual mode: simulated time now */
};

static void set_epoch(struct clock *c)
{
  c->base_mono_us = timeutil_mono_us();
  c->base_wall_us = timeutil_real_us();
  c->manual_s = 0;
}

struct clock *clock_new(enum clock_mode mode, double time_scale)
{
  struct clock *c = calloc(1, sizeof(*c));

  if (!c)
    return NULL;
  if (pthread_mutex_init(&c->lock, NULL) != 0) {
    free(c);
    return NULL;
  }
  c->mode = mode;
  c->scale = time_scale > 0 && isfinite(time_scale) ? time_scale : 1.0;
  set_epoch(c);
  return c;
}

void clock_free(struct clock **cp)
{
  struct clock *c = cp ? *cp : NULL;

  if (!c)
    return;
  pthread_mutex_destroy(&c->lock);
  free(c);
  *cp = NULL;
}

enum clock_mode clock_mode(const struct clock *c)
{
  return c->mode;
}

double clock_time_scale(const struct clock *c)
{
  return c->scale;
}

double clock_now(struct clock *c)
{
  double now;

  pthread_mutex_lock(&c->lock);
  if (c->mode == CLOCK_MODE_MANUAL)
    now = c->manual_s;
  else
    now = (double)(timeutil_mono_us() - c->base_mono_us) / 1e6 * c->scale;
  pthread_mutex_unlock(&c->lock);
  return now;
}

int64_t clock_wall_us(struct clock *c, double sim_s)
{
  double offset_s;
  int64_t base;

  pthread_mutex_lock(&c->lock);
  base = c->base_wall_us;
  offset_s = c->mode == CLOCK_MODE_MANUAL ? sim_s : sim_s / c->scale;
  pthread_mutex_unlock(&c->lock);
  return base + llround(offset_s * 1e6);
}

int clock_advance(struct clock *c, double seconds, struct err *err)
{
  if (c->mode != CLOCK_MODE_MANUAL)
    return err_set(err, ERR_STATE,
                   "the clock is not manual: start the server with --clock manual to advance it");
  if (!isfinite(seconds) || seconds < 0 || seconds > 1e9)
    return err_set(err, ERR_INVALID, "invalid clock advance %g: expected 0 to 1e9 seconds",
                   seconds);
  pthread_mutex_lock(&c->lock);
  c->manual_s += seconds;
  pthread_mutex_unlock(&c->lock);
  return 0;
}

void clock_reset(struct clock *c)
{
  pthread_mutex_lock(&c->lock);
  set_epoch(c);
  pthread_mutex_unlock(&c->lock);
}
