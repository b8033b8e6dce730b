/* progress_format: width, fitting, bar, ETA and lines against tables. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "progress_format.h"
#include "testlib.h"

#define TRAINING "Status: running - Epoch 5/10 · Batch 120/500 🖥️ RTX 3090: 85%"
#define TRAINING_HEAD "Status: running - Epoch 5/10 · Batch 120/500 "  /* 45 columns */

TestSuite(pf, .timeout = 20);

/* ---- pf_text_width ---------------------------------------------------- */

struct width_case {
  const char *in;
  size_t cols;
};

static const struct width_case text_width_cases[] = {
  { "", 0 },
  { "abc", 3 },
  { "·", 1 },                           /* U+00B7, the status separator */
  { "日本語", 6 },
  { "한국어", 6 },
  { "\u3000", 2 },                      /* ideographic space */
  { "ｱ", 1 },                           /* halfwidth katakana */
  { "ＡＢ", 4 },                        /* fullwidth latin */
  { "e\u0301", 1 },                     /* combining acute */
  { "a\u200Db", 2 },                    /* ZWJ */
  { "a\u200Bb", 2 },                    /* zero width space */
  { "x\u20DD", 1 },                     /* combining enclosing circle */
  { "🖥️", 2 },                          /* U+1F5A5 U+FE0F */
  { "🖥", 1 },                          /* U+1F5A5 alone: text presentation */
  { "\uFE0F", 0 },                      /* selector with no base */
  { "#\uFE0F\u20E3", 2 },               /* keycap */
  { "😀", 2 },
  { "🚀", 2 },
  { "🤖", 2 },
  { "🫠", 2 },
  { "✅", 2 },
  { "⚡", 2 },
  { "👨‍👩‍👧", 6 },                         /* ZWJ sequence: the safe upper bound */
  { "𠀀", 2 },                          /* U+20000 */
  { TRAINING, 61 },
  { "\x1b[31m", 5 },                    /* ESC shows as '?' */
  { "\t\n\r", 3 },
  { "\x7f", 1 },
  { "\xC2\x85", 1 },                    /* C1 NEL */
  { "\u2028", 1 },                      /* line separator */
  { "\u202E", 1 },                      /* bidi override */
  { "\x80", 1 },                        /* stray continuation */
  { "\xFF\xFE", 2 },
  { "\xC3", 1 },                        /* truncated at the end */
  { "\xC3(", 2 },                       /* truncated mid-string */
  { "\xE2\x82", 2 },
  { "\xF0\x9F\x96", 3 },
  { "\xC0\x80", 2 },                    /* overlong NUL */
  { "\xE0\x80\xAF", 3 },                /* overlong '/' */
  { "\xED\xA0\x80", 3 },                /* surrogate */
  { "\xF4\x90\x80\x80", 4 },            /* above U+10FFFF */
  { "\xF5\x80\x80\x80", 4 },
  { "\x01\u0301", 1 },                  /* mark after a replaced character */
};

ParameterizedTestParameters(pf, text_width)
{
  return tl_index_params(TL_N(text_width_cases));
}

ParameterizedTest(size_t *i, pf, text_width)
{
  const struct width_case *c = &text_width_cases[*i];
  cr_expect_eq(pf_text_width(c->in), c->cols, "width of \"%s\": %zu, expected %zu",
               c->in, pf_text_width(c->in), c->cols);
}

Test(pf, text_width_null)
{
  cr_expect_eq(pf_text_width(NULL), 0);
}

/* ---- pf_fit ----------------------------------------------------------- */

struct fit_case {
  const char *in;
  size_t max_cols;
  bool utf8;
  size_t out_size;
  const char *want;
  size_t cols;
};

static const struct fit_case fit_cases[] = {
  /* ASCII text, both modes */
  { "hello", 10, true, 64, "hello", 5 },
  { "hello", 5, true, 64, "hello", 5 },
  { "hello world", 5, true, 64, "hell…", 5 },
  { "hello world", 5, false, 64, "he...", 5 },
  { "hello world", 3, false, 64, "...", 3 },
  { "hello world", 2, false, 64, "..", 2 },
  { "hello world", 1, true, 64, "…", 1 },
  { "hello", 0, true, 64, "", 0 },
  { "", 10, true, 64, "", 0 },
  /* wide characters: never half a character */
  { "日本語", 6, true, 64, "日本語", 6 },
  { "日本語", 5, true, 64, "日本…", 5 },
  { "日本語", 4, true, 64, "日…", 3 },
  { "日本語テキスト", 6, true, 64, "日本…", 5 },
  { "日本語", 10, false, 64, "???", 3 },
  { "a日本語", 4, false, 64, "a???", 4 },
  { "a日本語", 3, false, 64, "...", 3 },
  { "a日本語", 3, true, 64, "a…", 2 },
  /* emoji with VS16: base and selector stay together */
  { "🖥️ GPU", 6, true, 64, "🖥️ GPU", 6 },
  { "🖥️ GPU", 3, true, 64, "🖥️…", 3 },
  { "🖥️ GPU", 2, true, 64, "…", 1 },
  { "a🖥️b", 3, true, 64, "a…", 2 },
  { "a🖥️b", 4, true, 64, "a🖥️b", 4 },
  { "🖥️ GPU", 10, false, 64, "? GPU", 5 },
  { "e\u0301t\u0301e\u0301", 2, true, 64, "e\u0301…", 2 },
  { "e\u0301", 5, false, 64, "e", 1 },
  { "\uFE0Fabc", 5, true, 64, "abc", 3 },
  /* the training line */
  { TRAINING, 80, true, 256, TRAINING, 61 },
  { TRAINING, 61, true, 256, TRAINING, 61 },
  { TRAINING, 60, true, 256, TRAINING_HEAD "🖥️ RTX 3090: 8…", 60 },
  { TRAINING, 48, true, 256, TRAINING_HEAD "🖥️…", 48 },
  { TRAINING, 47, true, 256, TRAINING_HEAD "…", 46 },
  { TRAINING, 46, true, 256, TRAINING_HEAD "…", 46 },
  { TRAINING, 30, true, 256, "Status: running - Epoch 5/10 …", 30 },
  { TRAINING, 80, false, 256, "Status: running - Epoch 5/10 ? Batch 120/500 ? RTX 3090: 85%", 60 },
  { TRAINING, 20, false, 256, "Status: running -...", 20 },
  /* escape sequences and controls from the server */
  { "\x1b[2J\x1b[HEvil", 80, true, 64, "?[2J?[HEvil", 11 },
  { "\x1b]0;title\x07", 80, true, 64, "?]0;title?", 10 },
  { "line1\nline2\r", 80, true, 64, "line1?line2?", 12 },
  { "\xC2\x9B" "31m", 80, true, 64, "?31m", 4 },      /* C1 CSI */
  { "a\u202Eb", 80, true, 64, "a?b", 3 },
  { "\x01\u0301x", 80, true, 64, "?x", 2 },
  /* invalid UTF-8 */
  { "ok\xff\xfe!", 80, true, 64, "ok?" "?!", 5 },
  { "\xC3", 80, true, 64, "?", 1 },
  { "\xE2\x82", 80, true, 64, "??", 2 },
  { "\xC0\x80", 80, true, 64, "??", 2 },
  { "\xED\xA0\x80", 80, true, 64, "???", 3 },
  { "\xF4\x90\x80\x80", 80, true, 64, "????", 4 },
  { "ab\xff\xfe\xfd", 4, true, 64, "ab?…", 4 },
  /* tiny output buffers */
  { "hello world", 80, true, 1, "", 0 },
  { "hello world", 80, true, 2, ".", 1 },
  { "hello world", 80, true, 4, "…", 1 },
  { "hello world", 80, true, 6, "he…", 3 },
  { "hello", 80, true, 6, "hello", 5 },
  { "日本語", 80, true, 7, "日…", 3 },
  { "日本語", 80, true, 10, "日本語", 6 },
  { "🖥️x", 80, true, 8, "…", 1 },
  { "hello world", 80, false, 6, "he...", 5 },
};

ParameterizedTestParameters(pf, fit)
{
  return tl_index_params(TL_N(fit_cases));
}

ParameterizedTest(size_t *i, pf, fit)
{
  const struct fit_case *c = &fit_cases[*i];
  char out[300];
  size_t cols;

  memset(out, 'X', sizeof(out));
  cols = pf_fit(c->in, c->max_cols, c->utf8, out, c->out_size);
  cr_expect_str_eq(out, c->want, "fit(\"%s\", %zu, %s, %zu) = \"%s\", expected \"%s\"",
                   c->in, c->max_cols, c->utf8 ? "utf8" : "ascii", c->out_size, out, c->want);
  cr_expect_eq(cols, c->cols, "fit(\"%s\", %zu) returned %zu columns, expected %zu",
               c->in, c->max_cols, cols, c->cols);
  cr_expect_eq(out[c->out_size], 'X', "wrote past out_size");
}

Test(pf, fit_null_and_zero_size)
{
  char out[4] = "abc";

  cr_expect_eq(pf_fit(NULL, 10, true, out, sizeof(out)), 0);
  cr_expect_str_eq(out, "");
  out[0] = 'Z';
  cr_expect_eq(pf_fit("hello", 10, true, out, 0), 0);
  cr_expect_eq(out[0], 'Z');
  cr_expect_eq(pf_fit("hello", 10, true, NULL, 10), 0);
}

static const char *const nasty[] = {
  "",
  "plain ascii status line that is fairly long, longer than most terminals",
  TRAINING,
  "日本語のテキストと한국어와 emoji 😀🚀🤖 mixed",
  "🖥️🖥️🖥️🖥️🖥️🖥️🖥️🖥️🖥️🖥️🖥️🖥️",
  "\x1b[2J\x1b[H\x1b]0;pwned\x07 evil \r\n\t",
  "bad \xff\xfe \xC3 \xE2\x82 \xED\xA0\x80 \xF4\x90\x80\x80 bytes",
  "e\u0301\u0302\u0303\u0304 marks \uFE0F\u200D",
};

/* Loops below check tens of thousands of cases: only failures reach
 * Criterion. */
#define CHECK(cond, ...)            \
  do {                              \
    if (!(cond))                    \
      cr_assert_fail(__VA_ARGS__);  \
  } while (0)

/* Output is itself clean: no control or (ASCII mode) non-ASCII byte, and
 * fitting it again changes nothing. */
static void expect_clean(const char *out, bool utf8)
{
  static char again[4096];
  const unsigned char *u;

  for (u = (const unsigned char *)out; *u; u++)
    CHECK(*u >= 0x20 && *u != 0x7f && (utf8 || *u < 0x80), "byte 0x%02x in \"%s\"", *u, out);
  pf_fit(out, 10000, utf8, again, sizeof(again));
  CHECK(strcmp(again, out) == 0, "output \"%s\" is not clean", out);
}

Test(pf, fit_never_overflows_and_measures_right)
{
  char out[300];
  size_t i, cols, size, w;
  int mode;

  for (mode = 0; mode < 2; mode++)
    for (i = 0; i < TL_N(nasty); i++)
      for (cols = 0; cols <= 80; cols++)
        for (size = 1; size <= 120; size += 7) {
          memset(out, 'X', sizeof(out));
          w = pf_fit(nasty[i], cols, mode, out, size);
          CHECK(out[size] == 'X' && strlen(out) < size, "overflow at size %zu", size);
          CHECK(w <= cols, "%zu > %zu for \"%s\"", w, cols, nasty[i]);
          CHECK(pf_text_width(out) == w, "\"%s\" measured %zu, returned %zu",
                out, pf_text_width(out), w);
          expect_clean(out, mode);
        }
}

/* ---- pf_bar ----------------------------------------------------------- */

struct bar_case {
  double pct;
  int width;
  bool utf8;
  const char *want;
};

static const struct bar_case bar_cases[] = {
  { 0, 10, true, "──────────" },
  { 50, 10, true, "━━━━━─────" },
  { 100, 10, true, "━━━━━━━━━━" },
  { 99.9, 10, true, "━━━━━━━━━─" },
  { 37, 20, true, "━━━━━━━─────────────" },
  { 150, 4, true, "━━━━" },
  { -5, 4, true, "────" },
  { NAN, 4, true, "────" },
  { 50, 1, true, "─" },
  { 50, 0, true, "" },
  { 50, -3, true, "" },
  { 0, 10, false, "[--------]" },
  { 50, 10, false, "[####----]" },
  { 100, 10, false, "[########]" },
  { 37, 20, false, "[######------------]" },
  { NAN, 5, false, "[---]" },
  { 100, 3, false, "[#]" },
  { 100, 2, false, "##" },
  { 0, 1, false, "-" },
};

ParameterizedTestParameters(pf, bar)
{
  return tl_index_params(TL_N(bar_cases));
}

ParameterizedTest(size_t *i, pf, bar)
{
  const struct bar_case *c = &bar_cases[*i];
  char out[128];

  pf_bar(c->pct, c->width, c->utf8, out, sizeof(out));
  cr_expect_str_eq(out, c->want, "bar(%g, %d) = \"%s\", expected \"%s\"",
                   c->pct, c->width, out, c->want);
}

Test(pf, bar_is_exactly_width)
{
  static const double pcts[] = { 0, 0.1, 12.5, 33.3, 50, 66.7, 99.99, 100 };
  char out[1024];
  size_t i;
  int width, mode;

  for (mode = 0; mode < 2; mode++)
    for (i = 0; i < TL_N(pcts); i++)
      for (width = 0; width <= 300; width++) {
        pf_bar(pcts[i], width, mode, out, sizeof(out));
        CHECK(pf_text_width(out) == (size_t)width, "bar(%g, %d, %d) is \"%s\"",
              pcts[i], width, mode, out);
      }
}

Test(pf, bar_small_buffer)
{
  char out[8];

  memset(out, 'X', sizeof(out));
  pf_bar(50, 10, true, out, 7);  /* two cells of three bytes fit */
  cr_expect_str_eq(out, "━━");
  cr_expect_eq(out[7], 'X');
  pf_bar(50, 10, true, NULL, 0);
}

/* ---- pf_eta ----------------------------------------------------------- */

struct eta_case {
  double elapsed;
  double pct;
  const char *want;
};

static const struct eta_case eta_cases[] = {
  { 10, 0, "ETA -:--" },
  { 10, -1, "ETA -:--" },
  { 0.5, 50, "ETA -:--" },
  { 10, 50, "ETA 0:10" },
  { 60, 25, "ETA 3:00" },
  { 74, 37, "ETA 2:06" },
  { 3600, 50, "ETA 1:00:00" },
  { 74, 100, "ETA 0:00" },
  { 0, 100, "ETA 0:00" },
  { 10, 120, "ETA 0:00" },
  { NAN, 50, "ETA -:--" },
  { 10, NAN, "ETA -:--" },
  { INFINITY, 50, "ETA -:--" },
  { 1e9, 1, "ETA -:--" },
};

ParameterizedTestParameters(pf, eta)
{
  return tl_index_params(TL_N(eta_cases));
}

ParameterizedTest(size_t *i, pf, eta)
{
  const struct eta_case *c = &eta_cases[*i];
  char out[32];

  pf_eta(c->elapsed, c->pct, out, sizeof(out));
  cr_expect_str_eq(out, c->want, "eta(%g, %g) = \"%s\", expected \"%s\"",
                   c->elapsed, c->pct, out, c->want);
}

/* ---- pf_line ---------------------------------------------------------- */

struct line_case {
  double pct;
  double elapsed;
  const char *text;
  unsigned spinner;
  int width;
  bool utf8;
  const char *want;
};

static const struct line_case line_cases[] = {
  { 37, 74, "Status: ok", 0, 80, true,
    "⠋  37% ━━━━━━━───────────── 1:14 ETA 2:06  Status: ok" },
  { 37, 74, "Status: ok", 0, 80, false,
    "|  37% [######------------] 1:14 ETA 2:06  Status: ok" },
  { 37, 74, "Status: ok", 0, 41, true, "⠋  37% ━━━━━━━───────────── 1:14 ETA 2:06" },
  { 37, 74, "Status: ok", 0, 40, true, "⠋  37% ━━━━━━━───────────── 1:14  Statu…" },
  { 37, 74, "Status: ok", 0, 37, true, "⠋  37% ━━━━━━━───────────── 1:14" },
  { 37, 74, "Status: ok", 0, 27, true, "⠋  37% ━━━━━━━─────────────" },
  { 37, 74, "Status: ok", 0, 20, true, "⠋  37% ━━━━─────────" },
  { 37, 74, "Status: ok", 0, 12, true, "⠋  37% ━────" },
  { 37, 74, "Status: ok", 0, 11, true, "⠋  37%" },
  { 37, 74, "Status: ok", 0, 6, true, "⠋  37%" },
  { 37, 74, "Status: ok", 0, 5, true, " 37%" },
  { 37, 74, "Status: ok", 0, 4, true, " 37%" },
  { 37, 74, "Status: ok", 0, 3, true, "" },
  { 100, 4000, NULL, 0, 80, true, "⠋ 100% ━━━━━━━━━━━━━━━━━━━━ 1:06:40 ETA 0:00" },
  { 99.9, 0.4, "", 0, 80, true, "⠋  99% ━━━━━━━━━━━━━━━━━━━─ 0:00 ETA -:--" },
  { NAN, NAN, NULL, 0, 80, true, "⠋   0% ──────────────────── 0:00 ETA -:--" },
  { -10, -5, NULL, 0, 80, true, "⠋   0% ──────────────────── 0:00 ETA -:--" },
  { 0, 0, NULL, 1, 6, true, "⠙   0%" },
  { 0, 0, NULL, 9, 6, true, "⠏   0%" },
  { 0, 0, NULL, 10, 6, true, "⠋   0%" },
  { 0, 0, NULL, 1, 6, false, "/   0%" },
  { 0, 0, NULL, 3, 6, false, "\\   0%" },
  { 0, 0, NULL, 4, 6, false, "|   0%" },
  { 50, 10, "\x1b[2Jx", 0, 80, true, "⠋  50% ━━━━━━━━━━────────── 0:10 ETA 0:10  ?[2Jx" },
  { 50, 10, TRAINING, 0, 80, true,
    "⠋  50% ━━━━━━━━━━────────── 0:10 ETA 0:10  Status: running - Epoch 5/10 · Batch…" },
  { 50, 10, TRAINING, 0, 120, true,
    "⠋  50% ━━━━━━━━━━────────── 0:10 ETA 0:10  " TRAINING },
  { 50, 10, TRAINING, 0, 120, false,
    "|  50% [#########---------] 0:10 ETA 0:10  "
    "Status: running - Epoch 5/10 ? Batch 120/500 ? RTX 3090: 85%" },
};

ParameterizedTestParameters(pf, line)
{
  return tl_index_params(TL_N(line_cases));
}

ParameterizedTest(size_t *i, pf, line)
{
  const struct line_case *c = &line_cases[*i];
  struct pf_frame f = { c->pct, c->elapsed, c->text, c->spinner };
  char out[512];

  pf_line(&f, c->width, c->utf8, out, sizeof(out));
  cr_expect_str_eq(out, c->want, "line(%g, width %d) = \"%s\", expected \"%s\"",
                   c->pct, c->width, out, c->want);
}

Test(pf, line_never_wider_than_width)
{
  static const double pcts[] = { 0, 7.5, 37, 99.99, 100 };
  static const double times[] = { 0, 74, 4000, 400000 };
  char out[2048];
  size_t t, i;
  int width, mode;

  for (mode = 0; mode < 2; mode++)
    for (t = 0; t < TL_N(nasty); t++)
      for (i = 0; i < TL_N(pcts); i++)
        for (width = 1; width <= 300; width++) {
          struct pf_frame f = { pcts[i], times[i % TL_N(times)], nasty[t], (unsigned)width };

          pf_line(&f, width, mode, out, sizeof(out));
          CHECK(pf_text_width(out) <= (size_t)width, "width %d: \"%s\" is %zu columns",
                width, out, pf_text_width(out));
          expect_clean(out, mode);
        }
}

Test(pf, line_fills_wide_terminals)
{
  struct pf_frame f = { 37, 74, TRAINING, 0 };
  char out[512];

  pf_line(&f, 200, true, out, sizeof(out));
  cr_expect(strstr(out, TRAINING) != NULL, "\"%s\"", out);
  cr_expect_eq(pf_text_width(out), 41 + 2 + 61);
}

Test(pf, line_small_buffer)
{
  struct pf_frame f = { 37, 74, TRAINING, 0 };
  char out[64];
  size_t size;

  for (size = 0; size < sizeof(out) - 1; size++) {
    memset(out, 'X', sizeof(out));
    pf_line(&f, 200, true, out, size);
    CHECK(out[size] == 'X', "overflow at size %zu", size);
    CHECK(size == 0 || strlen(out) < size, "unterminated at size %zu", size);
  }
  pf_line(NULL, 80, true, out, sizeof(out));
  cr_expect_str_eq(out, "");
}

/* ---- pf_plain_line ---------------------------------------------------- */

struct plain_case {
  double pct;
  const char *text;
  bool utf8;
  const char *want;
};

static const struct plain_case plain_line_cases[] = {
  { 37, "text", true, "[ 37%] text" },
  { 37.9, NULL, true, "[ 37%]" },
  { 100, "", true, "[100%]" },
  { 99.99, "x", true, "[ 99%] x" },
  { NAN, "x", true, "[  0%] x" },
  { -3, NULL, true, "[  0%]" },
  { 250, NULL, true, "[100%]" },
  { 50, "\x1b[2Jevil\n", true, "[ 50%] ?[2Jevil?" },
  { 50, "日本", false, "[ 50%] ??" },
  { 50, TRAINING, true, "[ 50%] " TRAINING },
  { 50, TRAINING, false,
    "[ 50%] Status: running - Epoch 5/10 ? Batch 120/500 ? RTX 3090: 85%" },
};

ParameterizedTestParameters(pf, plain_line)
{
  return tl_index_params(TL_N(plain_line_cases));
}

ParameterizedTest(size_t *i, pf, plain_line)
{
  const struct plain_case *c = &plain_line_cases[*i];
  char out[256];

  pf_plain_line(c->pct, c->text, c->utf8, out, sizeof(out));
  cr_expect_str_eq(out, c->want, "plain(%g) = \"%s\", expected \"%s\"", c->pct, out, c->want);
}

Test(pf, plain_line_long_text_is_cut)
{
  static char text[20000];
  static char out[16384];

  memset(text, 'a', sizeof(text) - 1);
  pf_plain_line(5, text, true, out, sizeof(out));
  cr_expect_eq(pf_text_width(out), 7 + 4096);
  cr_expect_eq(strcmp(out + strlen(out) - 3, "…"), 0);
}
