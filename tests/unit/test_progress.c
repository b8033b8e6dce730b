/* progress: the stateful display, driven with explicit times into a
 * capture stream. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "progress.h"
#include "progress_format.h"
#include "testlib.h"

#define MS 1000
#define SEC (1000 * MS)

static struct tl_capture cap;

static void setup(void)
{
  cr_assert_not_null(tl_capture_open(&cap));
}

static void teardown(void)
{
  tl_capture_close(&cap);
}

TestSuite(progress, .init = setup, .fini = teardown, .timeout = 10);

static struct progress *start(enum progress_mode mode, int width, bool utf8)
{
  struct progress_opts o = { .stream = cap.f, .mode = mode, .width = width, .utf8 = utf8 };
  struct progress *p = progress_new(&o, 0);

  cr_assert_not_null(p);
  return p;
}

static const char *text(void)
{
  return tl_capture_text(&cap);
}

static size_t count(const char *hay, const char *needle)
{
  size_t n = 0;

  for (hay = strstr(hay, needle); hay; hay = strstr(hay + 1, needle))
    n++;
  return n;
}

/* A frame is "\r" ["\033[1A"] bar "\033[K\n" text "\033[K"; an erase is
 * "\r\033[K\033[1A\r\033[K"; progress_stop ends with "\n\033[?25h". */
static size_t draws(const char *s)
{
  const char *p;
  size_t n = 0;

  for (p = strstr(s, "\033[K\n"); p; p = strstr(p + 1, "\033[K\n"))
    n += strstr(p + 4, "\033[K") != NULL; /* not the final newline of stop */
  return n;
}

/* The bar line and the text line of the last frame drawn. */
static void last_frame(char *bar, char *txt, size_t size)
{
  const char *s = text(), *sep = NULL, *p, *b, *end;

  for (p = strstr(s, "\033[K\n"); p; p = strstr(p + 1, "\033[K\n"))
    if (strstr(p + 4, "\033[K"))
      sep = p;
  cr_assert_not_null(sep, "nothing drawn");
  for (b = sep; b > s && b[-1] != '\r'; b--)
    ;
  if (strncmp(b, "\033[1A", 4) == 0)
    b += 4;
  cr_assert_lt((size_t)(sep - b), size);
  memcpy(bar, b, (size_t)(sep - b));
  bar[sep - b] = '\0';
  end = strstr(sep + 4, "\033[K");
  cr_assert_lt((size_t)(end - (sep + 4)), size);
  memcpy(txt, sep + 4, (size_t)(end - (sep + 4)));
  txt[end - (sep + 4)] = '\0';
}

/* The bar line of the last frame. */
static const char *last_line(char *buf, size_t size)
{
  char txt[1024];

  last_frame(buf, txt, size);
  return buf;
}

/* The text line of the last frame. */
static const char *last_text(char *buf, size_t size)
{
  char bar[1024];

  last_frame(bar, buf, size);
  return buf;
}

/* ---- TTY -------------------------------------------------------------- */

Test(progress, tty_hides_cursor_and_draws_at_once)
{
  struct progress *p = start(PROGRESS_TTY, 80, true);

  cr_expect_str_eq(text(), "\033[?25l\r⠋   0% ──────────────────── 0:00 ETA -:--\033[K\n\033[K");
  progress_stop(&p, 0);
}

Test(progress, tty_redraws_at_most_every_100ms)
{
  struct progress *p = start(PROGRESS_TTY, 80, true);
  int64_t t, last_draw = 0;
  size_t n = draws(text()), now_n;

  for (t = 10 * MS; t <= 2 * SEC; t += 10 * MS) {
    progress_update(p, (double)t / (20 * MS), "Epoch 1/10", t);
    progress_tick(p, t);
    now_n = draws(text());
    cr_assert_leq(now_n, n + 1, "two draws at %lld us", (long long)t);
    if (now_n > n)
      cr_assert_geq(t - last_draw, 100 * MS, "draws %lld us apart", (long long)(t - last_draw));
    if (now_n > n)
      last_draw = t;
    n = now_n;
  }
  cr_expect_eq(n, 21, "%zu draws in 2 s", n);
  progress_stop(&p, 2 * SEC);
}

Test(progress, tty_update_too_early_is_drawn_by_tick)
{
  struct progress *p = start(PROGRESS_TTY, 80, true);
  char line[512];

  progress_update(p, 50, "half way", 10 * MS);
  cr_expect_eq(draws(text()), 1);
  cr_expect_eq(progress_next_ms(p, 10 * MS), 90);
  progress_tick(p, 50 * MS);
  cr_expect_eq(draws(text()), 1);
  cr_expect_eq(progress_next_ms(p, 50 * MS), 50);
  progress_tick(p, 100 * MS);
  cr_expect_eq(draws(text()), 2);
  cr_expect_str_eq(last_line(line, sizeof(line)),
                   "⠙  50% ━━━━━━━━━━────────── 0:00 ETA -:--");
  cr_expect_str_eq(last_text(line, sizeof(line)), "half way");
  progress_stop(&p, 100 * MS);
}

Test(progress, tty_next_ms)
{
  struct progress *p = start(PROGRESS_TTY, 80, true);

  /* unchanged: a frame a second (elapsed time, spinner) */
  cr_expect_eq(progress_next_ms(p, 0), 1000);
  cr_expect_eq(progress_next_ms(p, 1), 1000, "rounded up");
  cr_expect_eq(progress_next_ms(p, 999 * MS + 1), 1);
  cr_expect_eq(progress_next_ms(p, 1000 * MS), 0);
  /* changed too soon after a frame: as soon as the 100 ms spacing allows */
  progress_update(p, 10, "new", 10 * MS);
  cr_expect_eq(progress_next_ms(p, 10 * MS), 90);
  progress_tick(p, 5 * SEC);
  cr_expect_eq(progress_next_ms(p, 5 * SEC), 1000, "a TTY always has a next frame");
  progress_stop(&p, 5 * SEC);
}

Test(progress, tty_ticks_move_spinner_and_elapsed)
{
  struct progress *p = start(PROGRESS_TTY, 80, true);
  char line[512];

  progress_tick(p, 100 * MS);
  cr_expect_eq(draws(text()), 1, "an unchanged frame is not redrawn before a second");
  progress_tick(p, 1 * SEC);
  cr_expect_eq(strncmp(last_line(line, sizeof(line)), "⠙", strlen("⠙")), 0, "%s", line);
  progress_tick(p, 2 * SEC);
  cr_expect_eq(strncmp(last_line(line, sizeof(line)), "⠹", strlen("⠹")), 0, "%s", line);
  progress_update(p, 37, NULL, 74 * SEC);
  cr_expect(strstr(last_line(line, sizeof(line)), " 1:14 ETA 2:06") != NULL, "%s", line);
  progress_stop(&p, 74 * SEC);
}

Test(progress, tty_stop_draws_final_frame_and_restores_cursor)
{
  struct progress *p = start(PROGRESS_TTY, 80, true);
  char line[512];
  const char *s;

  progress_update(p, 40, "Epoch 4/10", 200 * MS);
  progress_update(p, 100, "Status: completed", 210 * MS);  /* too early to draw */
  cr_expect_eq(strstr(text(), "100%"), NULL);
  progress_stop(&p, 220 * MS);
  cr_expect_null(p);
  cr_expect(strstr(last_line(line, sizeof(line)), "100%") != NULL, "%s", line);
  cr_expect_str_eq(last_text(line, sizeof(line)), "Status: completed");
  s = text();
  cr_expect_eq(count(s, "\033[?25l"), 1);
  cr_expect_eq(count(s, "\033[?25h"), 1);
  cr_expect_lt(strstr(s, "\033[?25l"), strstr(s, "\033[?25h"));
  cr_expect_eq(strcmp(s + strlen(s) - strlen("\033[K\n\033[?25h"), "\033[K\n\033[?25h"), 0);
}

Test(progress, tty_change_is_drawn_at_once)
{
  struct progress *p = start(PROGRESS_TTY, 80, true);
  char line[512];

  progress_update(p, 0, "Epoch 1/10", 500 * MS); /* a poll brings a new state */
  cr_expect_eq(draws(text()), 2);
  cr_expect_str_eq(last_text(line, sizeof(line)), "Epoch 1/10");
  progress_update(p, 0.4, "Epoch 1/10", 800 * MS); /* same whole percentage and text */
  cr_expect_eq(draws(text()), 2);
  progress_stop(&p, 900 * MS);
}

Test(progress, tty_message_goes_above_the_bar)
{
  struct progress *p = start(PROGRESS_TTY, 80, true);
  const char *s, *m;

  progress_update(p, 30, "x", 150 * MS);
  progress_message(p, "Cancelling… (Ctrl+C again to stop waiting)");
  s = text();
  m = strstr(s, "\r\033[K\033[1A\r\033[KCancelling… (Ctrl+C again to stop waiting)\n\r⠹  30%");
  cr_expect_not_null(m, "%s", s);
  progress_stop(&p, 200 * MS);
}

Test(progress, tty_clear_then_redraw_on_next_tick)
{
  struct progress *p = start(PROGRESS_TTY, 80, true);

  progress_clear(p);
  cr_expect_eq(strcmp(text() + strlen(text()) - 12, "\r\033[K\033[1A\r\033[K"), 0, "%s", text());
  cr_expect_eq(progress_next_ms(p, 10 * MS), 0);
  progress_tick(p, 10 * MS);
  cr_expect_eq(draws(text()), 2);
  progress_stop(&p, 10 * MS);
}

Test(progress, tty_fits_the_width)
{
  struct progress *p = start(PROGRESS_TTY, 40, true);
  char line[512];

  progress_update(p, 37, "Status: running - Epoch 5/10 · Batch 120/500 🖥️ RTX 3090: 85%", 0);
  progress_tick(p, 74 * SEC);
  cr_expect_leq(pf_text_width(last_line(line, sizeof(line))), 39, "%s", line);
  cr_expect_eq(pf_text_width(last_text(line, sizeof(line))), 39, "%s", line);
  cr_expect_str_eq(line, "Status: running - Epoch 5/10 · Batch 1…");
  progress_stop(&p, 74 * SEC);
}

Test(progress, tty_memstream_width_falls_back_to_80)
{
  struct progress *p = start(PROGRESS_TTY, 0, true);
  char line[512];

  progress_update(p, 37, "a very long status line, much longer than any terminal is wide, "
                  "going on and on past the eightieth column", 0);
  progress_tick(p, 74 * SEC);
  cr_expect_eq(pf_text_width(last_text(line, sizeof(line))), 79, "%s", line);
  progress_stop(&p, 74 * SEC);
}

Test(progress, tty_server_text_cannot_inject_escapes)
{
  struct progress *p = start(PROGRESS_TTY, 80, true);

  progress_update(p, 10, "\033[2J\033[H\033]0;pwned\007", 0);
  progress_tick(p, SEC);
  cr_expect_eq(strstr(text(), "\033[2J"), NULL);
  cr_expect_eq(strstr(text(), "\033]0"), NULL);
  cr_expect_eq(strchr(text(), '\007'), NULL);
  progress_stop(&p, SEC);
}

Test(progress, tty_ascii)
{
  struct progress *p = start(PROGRESS_TTY, 80, false);
  const unsigned char *u;

  progress_update(p, 50, "日本 🖥️ ok", 0);
  progress_tick(p, SEC);
  progress_stop(&p, SEC);
  for (u = (const unsigned char *)text(); *u; u++)
    cr_assert_lt(*u, 0x80, "non-ASCII byte in \"%s\"", text());
  cr_expect_not_null(strstr(text(), "-  50% [#########---------] 0:01 ETA 0:01\033[K\n?? ? ok"),
                     "%s", text());
}

/* ---- PLAIN ------------------------------------------------------------ */

Test(progress, plain_one_line_per_change)
{
  struct progress *p = start(PROGRESS_PLAIN, 0, true);

  progress_update(p, 10, "a", 0);
  progress_update(p, 10.5, "a", 2 * SEC);   /* same whole percentage */
  progress_update(p, 11, "a", 4 * SEC);
  progress_update(p, 11, "b", 6 * SEC);
  progress_update(p, 11.9, "b", 8 * SEC);
  progress_tick(p, 10 * SEC);
  progress_stop(&p, 12 * SEC);
  cr_expect_str_eq(text(), "[ 10%] a\n[ 11%] a\n[ 11%] b\n");
}

Test(progress, plain_rate_limit_pending_printed_by_tick)
{
  struct progress *p = start(PROGRESS_PLAIN, 0, true);

  progress_update(p, 10, "a", 0);
  progress_update(p, 20, "a", 100 * MS);
  progress_update(p, 30, "a", 200 * MS);
  cr_expect_str_eq(text(), "[ 10%] a\n");
  cr_expect_eq(progress_next_ms(p, 200 * MS), 800);
  progress_tick(p, 999 * MS);
  cr_expect_str_eq(text(), "[ 10%] a\n");
  progress_tick(p, SEC);
  cr_expect_str_eq(text(), "[ 10%] a\n[ 30%] a\n");
  cr_expect_eq(progress_next_ms(p, SEC), -1);
  progress_stop(&p, 2 * SEC);
  cr_expect_str_eq(text(), "[ 10%] a\n[ 30%] a\n");
}

Test(progress, plain_pending_printed_by_stop)
{
  struct progress *p = start(PROGRESS_PLAIN, 0, true);

  progress_update(p, 10, "a", 0);
  progress_update(p, 100, "done", 100 * MS);
  progress_stop(&p, 200 * MS);
  cr_expect_null(p);
  cr_expect_str_eq(text(), "[ 10%] a\n[100%] done\n");
}

Test(progress, plain_unchanged_prints_nothing)
{
  struct progress *p = start(PROGRESS_PLAIN, 0, true);
  int64_t t;

  for (t = 0; t <= 10 * SEC; t += 300 * MS) {
    progress_update(p, 42, "same", t);
    progress_tick(p, t);
  }
  cr_expect_eq(progress_next_ms(p, 10 * SEC), -1);
  progress_stop(&p, 11 * SEC);
  cr_expect_str_eq(text(), "[ 42%] same\n");
}

Test(progress, plain_change_reverted_within_interval_prints_nothing)
{
  struct progress *p = start(PROGRESS_PLAIN, 0, true);

  progress_update(p, 10, "a", 0);
  progress_update(p, 20, "a", 100 * MS);
  progress_update(p, 10, "a", 200 * MS);
  cr_expect_eq(progress_next_ms(p, 200 * MS), -1);
  progress_tick(p, 2 * SEC);
  progress_stop(&p, 3 * SEC);
  cr_expect_str_eq(text(), "[ 10%] a\n");
}

Test(progress, plain_interval_option)
{
  struct progress_opts o = { .stream = cap.f, .mode = PROGRESS_PLAIN, .plain_interval_ms = 50 };
  struct progress *p = progress_new(&o, 0);

  progress_update(p, 1, NULL, 0);
  progress_update(p, 2, NULL, 49 * MS);
  progress_update(p, 3, NULL, 50 * MS);
  progress_stop(&p, 60 * MS);
  cr_expect_str_eq(text(), "[  1%]\n[  3%]\n");
}

Test(progress, plain_never_writes_escapes)
{
  struct progress *p = start(PROGRESS_PLAIN, 0, true);
  int64_t t;

  for (t = 0; t <= 5 * SEC; t += 100 * MS) {
    progress_update(p, (double)t / (50 * MS), "Epoch \033[31mred\033[0m", t);
    progress_tick(p, t);
  }
  progress_message(p, "Cancelling…");
  progress_clear(p);
  progress_stop(&p, 6 * SEC);
  cr_expect_eq(strchr(text(), '\033'), NULL, "%s", text());
  cr_expect_eq(strchr(text(), '\r'), NULL);
  cr_expect_not_null(strstr(text(), "Cancelling…\n"));
  cr_expect_eq(count(text(), "\n"), 7, "%s", text());  /* 0..5 s: 6 lines, and the message */
}

Test(progress, plain_message)
{
  struct progress *p = start(PROGRESS_PLAIN, 0, true);

  progress_message(p, "hello");
  progress_stop(&p, 0);
  cr_expect_str_eq(text(), "hello\n");
}

Test(progress, plain_stop_without_update_prints_nothing)
{
  struct progress *p = start(PROGRESS_PLAIN, 0, true);

  cr_expect_eq(progress_next_ms(p, 0), -1);
  progress_stop(&p, SEC);
  cr_expect_str_eq(text(), "");
}

/* ---- NONE and NULL ---------------------------------------------------- */

Test(progress, none_is_null_and_null_is_quiet)
{
  struct progress_opts o = { .stream = cap.f, .mode = PROGRESS_NONE };
  struct progress *p = progress_new(&o, 0);

  cr_assert_null(p);
  progress_update(p, 50, "x", 0);
  progress_tick(p, SEC);
  cr_expect_eq(progress_next_ms(p, SEC), -1);
  progress_message(p, "not shown");
  progress_clear(p);
  progress_stop(&p, SEC);
  progress_stop(NULL, SEC);
  cr_expect_str_eq(text(), "");
}

Test(progress, new_rejects_missing_stream)
{
  struct progress_opts o = { .stream = NULL, .mode = PROGRESS_TTY };

  cr_expect_null(progress_new(&o, 0));
  cr_expect_null(progress_new(NULL, 0));
}
