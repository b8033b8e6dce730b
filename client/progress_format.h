/*
 * progress_format: pure functions behind the progress display.
 *
 * No I/O, no clocks, no globals: everything they need comes in as arguments,
 * so they are tested against tables (tests/unit/test_progress_format.c).
 * Text from the server is untrusted: control characters (ESC included) and
 * invalid UTF-8 are replaced, so a status line can never move the cursor.
 */
#ifndef KTRDR_PROGRESS_FORMAT_H
#define KTRDR_PROGRESS_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

/* Display columns of a UTF-8 string as a terminal shows it: wide (CJK,
 * emoji) = 2, combining marks, ZWJ and variation selectors = 0 (an emoji
 * followed by VS16 U+FE0F counts 2), control characters and each invalid
 * byte = 1 (they are shown as one '?'). Decoded by hand: the result does not
 * depend on the locale. "Control" means C0, DEL, C1, U+2028/2029 and the
 * bidi controls U+202A-202E, U+2066-2069; an invalid byte is a bad lead, a
 * truncated, overlong or surrogate sequence, or one above U+10FFFF (each of
 * its bytes is one '?'). Where terminals disagree the larger width is taken,
 * so a fitted line may come out short but never wraps. NULL counts 0. */
size_t pf_text_width(const char *s);

/*
 * Copies `in` into `out` (size `out_size`, always NUL-terminated), made safe
 * and at most `max_cols` wide: control characters and invalid bytes become
 * '?', and when `utf8` is false every non-ASCII character becomes '?'.
 * Zero-width characters stay with the character before them; they are
 * dropped when it is replaced, when there is none, and in ASCII mode.
 * A string that does not fit (in `max_cols`, or in `out_size` bytes) is cut
 * between characters, never between a character and its combining marks or
 * selector, and ends with "…" (utf8, 1 column) or "..." (ASCII, 3 columns),
 * counted in `max_cols`; fewer dots when even the ellipsis does not fit.
 * max_cols 0 gives "". NULL `in` gives "". Returns the display width written.
 */
size_t pf_fit(const char *in, size_t max_cols, bool utf8, char *out, size_t out_size);

/* A bar of exactly `width` columns for `pct` (clamped to 0..100, NaN = 0),
 * done cells rounded down so it is full only at 100%:
 * utf8 "━━━━────" (done U+2501 heavy, todo U+2500 light: readable without
 * colour) or ASCII "[####----]" (brackets included in `width`, left out
 * when `width` < 3). `width` <= 0 gives "". */
void pf_bar(double pct, int width, bool utf8, char *out, size_t out_size);

/* "ETA 1:23", or "ETA -:--" when it cannot be estimated (pct <= 0 or
 * elapsed < 1 s, NaN in either); 100% gives "ETA 0:00". Linear estimate:
 * elapsed * (100 - pct) / pct. */
void pf_eta(double elapsed_s, double pct, char *out, size_t out_size);

/* One frame of the terminal display. */
struct pf_frame {
  double percentage;
  double elapsed_s;
  const char *text;      /* "Status: running - Epoch 5/10 · Batch 120/500", may be NULL */
  unsigned spinner;      /* frame counter for the spinner glyph */
};

/*
 * The whole terminal line, fitted to `width` columns (never wider; minimum
 * useful width is about 10). Layout:
 *   "⠋  37% ━━━━━━━───────────── 1:14 ETA 2:06  Status: running - Epoch…"
 *   spinner, " ", "%3.0f%%" of the percentage rounded down, " " + bar (20
 *   columns), " " + elapsed, " ETA " + estimate, "  " + text.
 * As the width shrinks the ETA goes first, then the elapsed time, then the
 * bar shrinks (to 5 columns) and goes, then the spinner, then the
 * percentage. The text gets what the other parts leave, fitted with pf_fit,
 * and is left out below 4 columns. Spinner frames: "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏" (utf8) or
 * "|/-\\" (ASCII). No control sequences are emitted; the caller adds "\r"
 * and "\033[K".
 */
void pf_line(const struct pf_frame *f, int width, bool utf8, char *out, size_t out_size);

/* The plain (non-terminal) line: "[ 37%] text", the percentage rounded
 * down, the text made safe with pf_fit (up to 4096 columns); "[ 37%]" when
 * `text` is NULL or empty. */
void pf_plain_line(double pct, const char *text, bool utf8, char *out, size_t out_size);

#endif
