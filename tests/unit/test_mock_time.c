/*
 * Time in the mock server: the simulated clock (clock.h), the timer thread
 * that resumes delayed answers (timers.h) and Python-style dates (pydate.h).
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <string.h>

#include "clock.h"
#include "pydate.h"
#include "testlib.h"
#include "timers.h"
#include "timeutil.h"

TestSuite(clock, .timeout = 10);
TestSuite(timers, .timeout = 10);
TestSuite(pydate, .timeout = 10);

Test(clock, manual_moves_only_when_advanced)
{
  struct clock *c = clock_new(CLOCK_MODE_MANUAL, 50.0);
  struct err err = ERR_INIT;
  int64_t base = clock_wall_us(c, 0);

  cr_assert_not_null(c);
  cr_expect_eq(clock_mode(c), CLOCK_MODE_MANUAL);
  cr_expect_float_eq(clock_now(c), 0.0, 1e-12);
  cr_expect_eq(clock_advance(c, 2.5, &err), 0);
  cr_expect_eq(clock_advance(c, 0, &err), 0);
  cr_expect_float_eq(clock_now(c), 2.5, 1e-12);
  /* Timestamps: base wall time + simulated offset, whatever the scale. */
  cr_expect_eq(clock_wall_us(c, 2.5) - base, 2500000);
  cr_expect_eq(clock_advance(c, -1, &err), -1);
  cr_expect_eq(err.code, ERR_INVALID);
  clock_reset(c);
  cr_expect_float_eq(clock_now(c), 0.0, 1e-12);
  clock_free(&c);
  cr_expect_null(c);
  clock_free(&c);
}

struct scaled {
  struct clock *c;
  double t0;
  int64_t m0;
};

static bool two_seconds_later(void *arg)
{
  struct scaled *s = arg;

  return clock_now(s->c) - s->t0 >= 2.0;
}

Test(clock, scaled_follows_real_time)
{
  struct clock *c = clock_new(CLOCK_MODE_REAL, 100.0);
  struct err err = ERR_INIT;
  struct scaled s = { c, clock_now(c), timeutil_mono_us() };
  int64_t w0 = clock_wall_us(c, s.t0);

  cr_assert(tl_wait_until(two_seconds_later, &s, 2000));
  /* 2 simulated seconds took at least 20 ms of real time. */
  cr_expect_geq(timeutil_mono_us() - s.m0, 19000);
  /* Wall times are real: 2 s simulated = 20 ms on the timestamps. */
  cr_expect_eq(clock_wall_us(c, s.t0 + 2.0) - w0, 20000);
  cr_expect_eq(clock_advance(c, 1, &err), -1);
  cr_expect_eq(err.code, ERR_STATE);
  cr_expect(strstr(err.msg, "--clock manual") != NULL, "%s", err.msg);
  clock_free(&c);
}

/* ---- timers ------------------------------------------------------------ */

struct fired {
  pthread_mutex_t lock;
  int order[8];
  int n;
  int64_t at_us[8];
};

struct shot {
  struct fired *f;
  int id;
};

static void fire(void *arg)
{
  struct shot *s = arg;

  pthread_mutex_lock(&s->f->lock);
  s->f->at_us[s->f->n] = timeutil_mono_us();
  s->f->order[s->f->n++] = s->id;
  pthread_mutex_unlock(&s->f->lock);
}

static bool all_fired(void *arg)
{
  struct fired *f = arg;
  bool done;

  pthread_mutex_lock(&f->lock);
  done = f->n == 3;
  pthread_mutex_unlock(&f->lock);
  return done;
}

Test(timers, fire_in_due_order)
{
  struct fired f = { .lock = PTHREAD_MUTEX_INITIALIZER };
  struct shot a = { &f, 1 }, b = { &f, 2 }, c = { &f, 3 };
  struct timers *t = timers_new();
  int64_t now = timeutil_mono_us();

  cr_assert_not_null(t);
  timers_add(t, now + 60000, fire, &c);
  timers_add(t, now + 20000, fire, &a);
  timers_add(t, now + 40000, fire, &b);
  cr_assert(tl_wait_until(all_fired, &f, 2000));
  cr_expect_eq(f.order[0], 1);
  cr_expect_eq(f.order[1], 2);
  cr_expect_eq(f.order[2], 3);
  cr_expect_geq(f.at_us[0], now + 20000, "not before its time");
  timers_free(&t);
  cr_expect_null(t);
}

Test(timers, close_fires_everything_at_once)
{
  struct fired f = { .lock = PTHREAD_MUTEX_INITIALIZER };
  struct shot a = { &f, 1 }, b = { &f, 2 }, c = { &f, 3 };
  struct timers *t = timers_new();
  int64_t now = timeutil_mono_us();

  timers_add(t, now + 60 * 1000000LL, fire, &a);
  timers_add(t, now + 30 * 1000000LL, fire, &b);
  timers_close(t);
  cr_expect_eq(f.n, 2, "pending ones fired on close");
  timers_add(t, now + 60 * 1000000LL, fire, &c);
  cr_expect_eq(f.n, 3, "later ones fire at once");
  cr_expect_lt(timeutil_mono_us() - now, 1000000);
  timers_free(&t);
}

/* ---- pydate ------------------------------------------------------------ */

Test(pydate, python_isoformat)
{
  static const struct { const char *in, *out; } ok[] = {
    { "2024-01-01", "2024-01-01T00:00:00" },
    { "2024-01-01T09:30", "2024-01-01T09:30:00" },
    { "2024-01-01 09:30:05.5", "2024-01-01T09:30:05.500000" },
    { "2024-02-29T23:59:59Z", "2024-02-29T23:59:59+00:00" },
    { "2024-06-01T10:00:00-05:30", "2024-06-01T10:00:00-05:30" },
  };
  static const char *const bad[] = { "", "2024", "2024-13-01", "2023-02-29", "2024-01-01T25:00",
                                     "01/02/2024", "2024-01-01x", "2024-01-01T09:30:00." };
  struct pydate d;
  char buf[48];

  for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
    cr_assert_eq(pydate_parse(ok[i].in, &d), 0, "%s", ok[i].in);
    pydate_isoformat(&d, buf, sizeof(buf));
    cr_expect_str_eq(buf, ok[i].out);
  }
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    cr_expect_eq(pydate_parse(bad[i], &d), -1, "'%s' parsed", bad[i]);
}

Test(pydate, comparisons_honour_offsets)
{
  struct pydate a, b;

  cr_assert_eq(pydate_parse("2024-01-01T12:00:00+02:00", &a), 0);
  cr_assert_eq(pydate_parse("2024-01-01T11:00:00", &b), 0);
  cr_expect_lt(pydate_epoch_us(&a), pydate_epoch_us(&b));
}
