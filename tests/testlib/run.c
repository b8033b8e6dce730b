#include "run.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <string.h>

#include "adapter_dummy.h"
#include "cli.h"
#include "exitcode.h"
#include "timeutil.h"

void tl_run_init(struct tl_run *r, const char *base_url)
{
  memset(r, 0, sizeof(*r));
  r->cfg = (struct executor_config)EXECUTOR_CONFIG_INIT;
  r->cfg.base_url = base_url;
  r->cfg.out.out = tl_capture_open(&r->out);
  r->cfg.out.err = tl_capture_open(&r->err);
  r->cfg.out.utf8 = true;
  r->cfg.progress = PROGRESS_PLAIN;
  r->res = (struct exec_result)EXEC_RESULT_INIT;
}

void tl_run_adapter(struct tl_run *r, const struct adapter *ad)
{
  r->started_us = timeutil_mono_us();
  cr_assert_eq(executor_run(&r->cfg, ad, &r->res), 0);
  r->ended_us = timeutil_mono_us();
  r->code = exitcode_for(r->res.outcome);
}

void tl_run_dummy(struct tl_run *r, double duration, long iterations)
{
  struct dummy_adapter d;
  struct adapter ad;

  dummy_adapter_init(&d, &ad, duration, iterations);
  tl_run_adapter(r, &ad);
}

void tl_run_release(struct tl_run *r)
{
  exec_result_release(&r->res);
  tl_capture_close(&r->out);
  tl_capture_close(&r->err);
}

int tl_ktrdr(struct tl_capture *out, struct tl_capture *err, const char *url, ...)
{
  char *argv[32] = { "ktrdr", "--url", (char *)url };
  int argc = 3;
  va_list ap;

  va_start(ap, url);
  for (const char *a = va_arg(ap, const char *); a && argc < 31; a = va_arg(ap, const char *))
    argv[argc++] = (char *)a;
  va_end(ap);
  argv[argc] = NULL;
  return cli_main(argc, argv, out->f, err->f);
}
