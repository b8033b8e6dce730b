#include "bench.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeutil.h"

#ifndef KTRDR_BIN
#define KTRDR_BIN "ktrdr"
#endif
#ifndef KTRDR_MOCK_BIN
#define KTRDR_MOCK_BIN "ktrdr-mock"
#endif
#ifndef BENCH_BARE_BIN
#define BENCH_BARE_BIN "bare_mhd"
#endif
#ifndef BENCH_BARE_CLIENT_BIN
#define BENCH_BARE_CLIENT_BIN "bare_client"
#endif
#ifndef BENCH_LUA
#define BENCH_LUA "wrk_bench.lua"
#endif

static const struct option long_options[] = {
  { "ktrdr", required_argument, NULL, 'k' }, { "mock", required_argument, NULL, 'm' },
  { "bare", required_argument, NULL, 'b' },  { "lua", required_argument, NULL, 'l' },
  { "out", required_argument, NULL, 'o' },   { "runs", required_argument, NULL, 'n' },
  { "seconds", required_argument, NULL, 's' }, { "seed", required_argument, NULL, 'S' },
  { "bare-client", required_argument, NULL, 'c' }, { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

static int bad(const char *what, const char *val)
{
  fprintf(stderr, "invalid %s '%s'\n", what, val);
  return -1;
}

static int number(const char *what, const char *s, double min, double *v)
{
  char *end;

  errno = 0;
  *v = strtod(s, &end);
  return errno || end == s || *end || !(*v >= min) ? bad(what, s) : 0;
}

static int apply(int c, const char *arg, struct bench_opts *o)
{
  double v;

  switch (c) {
  case 'k': o->ktrdr = arg; return 0;
  case 'm': o->mock = arg; return 0;
  case 'b': o->bare = arg; return 0;
  case 'c': o->bare_client = arg; return 0;
  case 'l': o->lua = arg; return 0;
  case 'o': o->out = arg; return 0;
  case 'n': if (number("--runs", arg, 1, &v) < 0) return -1; o->runs = (long)v; return 0;
  case 's': return number("--seconds", arg, 0.001, &o->seconds);
  case 'S': if (number("--seed", arg, 0, &v) < 0) return -1; o->seed = (uint64_t)v; return 0;
  default: return -1;
  }
}

int bench_parse(int argc, char **argv, const char *usage, struct bench_opts *o)
{
  int c;

  o->ktrdr = KTRDR_BIN;
  o->mock = KTRDR_MOCK_BIN;
  o->bare = BENCH_BARE_BIN;
  o->bare_client = BENCH_BARE_CLIENT_BIN;
  o->lua = BENCH_LUA;
  while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
    if (c == 'h') {
      fputs(usage, stdout);
      return 1;
    }
    if (apply(c, optarg, o) < 0) {
      fputs(usage, stderr);
      return -1;
    }
  }
  if (!o->seed)
    o->seed = (uint64_t)timeutil_real_us();
  o->rng = o->seed | 1;
  return 0;
}

double bench_uniform(uint64_t *rng)
{
  uint64_t x = *rng;

  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *rng = x;
  return (double)((x * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}

int bench_write(const char *path, json_t *fragment, struct err *err)
{
  const size_t flags = JSON_INDENT(2) | JSON_REAL_PRECISION(6);
  int rc;

  if (!fragment)
    return err_set(err, ERR_NOMEM, "cannot build the result");
  if (strcmp(path, "-") == 0)
    rc = json_dumpf(fragment, stdout, flags) == 0 && fputc('\n', stdout) != EOF ? 0 : -1;
  else
    rc = json_dump_file(fragment, path, flags);
  json_decref(fragment);
  return rc == 0 ? 0 : err_set(err, ERR_IO, "cannot write the result to '%s'", path);
}

void bench_print_dist(const char *label, const json_t *s, const char *unit)
{
  printf("  %-28s min %8.3f  p50 %8.3f  p99 %8.3f  max %8.3f %s  (n=%lld)\n", label,
         json_number_value(json_object_get(s, "min")),
         json_number_value(json_object_get(s, "p50")),
         json_number_value(json_object_get(s, "p99")),
         json_number_value(json_object_get(s, "max")), unit,
         (long long)json_integer_value(json_object_get(s, "n")));
}
