#include "progress_format.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "timeutil.h"

#define BAD_CP UINT32_MAX   /* what utf8_decode yields for an invalid byte */
#define BAR_COLS 20
#define BAR_MIN 5
#define TEXT_MIN 4
#define TEXT_SEP "  "
#define PLAIN_TEXT_COLS 4096

struct range {
  uint32_t lo, hi;
};

/* East_Asian_Width W/F of assigned characters (Unicode 14, generated with
 * Python's unicodedata), merged with whole CJK and emoji blocks so that
 * unassigned code points there also count 2: over-estimating a width only
 * makes the line shorter, under-estimating makes the terminal wrap it. */
static const struct range wide[] = {
  { 0x1100, 0x115F }, { 0x231A, 0x231B }, { 0x2329, 0x232A }, { 0x23E9, 0x23EC },
  { 0x23F0, 0x23F0 }, { 0x23F3, 0x23F3 }, { 0x25FD, 0x25FE }, { 0x2614, 0x2615 },
  { 0x2648, 0x2653 }, { 0x267F, 0x267F }, { 0x2693, 0x2693 }, { 0x26A1, 0x26A1 },
  { 0x26AA, 0x26AB }, { 0x26BD, 0x26BE }, { 0x26C4, 0x26C5 }, { 0x26CE, 0x26CE },
  { 0x26D4, 0x26D4 }, { 0x26EA, 0x26EA }, { 0x26F2, 0x26F3 }, { 0x26F5, 0x26F5 },
  { 0x26FA, 0x26FA }, { 0x26FD, 0x26FD }, { 0x2705, 0x2705 }, { 0x270A, 0x270B },
  { 0x2728, 0x2728 }, { 0x274C, 0x274C }, { 0x274E, 0x274E }, { 0x2753, 0x2755 },
  { 0x2757, 0x2757 }, { 0x2795, 0x2797 }, { 0x27B0, 0x27B0 }, { 0x27BF, 0x27BF },
  { 0x2B1B, 0x2B1C }, { 0x2B50, 0x2B50 }, { 0x2B55, 0x2B55 }, { 0x2E80, 0x303E },
  { 0x3041, 0x4DBF }, { 0x4E00, 0xA4CF }, { 0xA960, 0xA97C }, { 0xAC00, 0xD7A3 },
  { 0xF900, 0xFAFF }, { 0xFE10, 0xFE19 }, { 0xFE30, 0xFE52 }, { 0xFE54, 0xFE66 },
  { 0xFE68, 0xFE6B }, { 0xFF00, 0xFF60 }, { 0xFFE0, 0xFFE6 }, { 0x16FE0, 0x16FE4 },
  { 0x16FF0, 0x16FF1 }, { 0x17000, 0x187F7 }, { 0x18800, 0x18CD5 }, { 0x18D00, 0x18D08 },
  { 0x1AFF0, 0x1AFF3 }, { 0x1AFF5, 0x1AFFB }, { 0x1AFFD, 0x1AFFE }, { 0x1B000, 0x1B122 },
  { 0x1B150, 0x1B152 }, { 0x1B164, 0x1B167 }, { 0x1B170, 0x1B2FB }, { 0x1F004, 0x1F004 },
  { 0x1F0CF, 0x1F0CF }, { 0x1F18E, 0x1F18E }, { 0x1F191, 0x1F19A }, { 0x1F200, 0x1F202 },
  { 0x1F210, 0x1F23B }, { 0x1F240, 0x1F248 }, { 0x1F250, 0x1F251 }, { 0x1F260, 0x1F265 },
  { 0x1F300, 0x1F320 }, { 0x1F32D, 0x1F335 }, { 0x1F337, 0x1F37C }, { 0x1F37E, 0x1F393 },
  { 0x1F3A0, 0x1F3CA }, { 0x1F3CF, 0x1F3D3 }, { 0x1F3E0, 0x1F3F0 }, { 0x1F3F4, 0x1F3F4 },
  { 0x1F3F8, 0x1F43E }, { 0x1F440, 0x1F440 }, { 0x1F442, 0x1F4FC }, { 0x1F4FF, 0x1F53D },
  { 0x1F54B, 0x1F54E }, { 0x1F550, 0x1F567 }, { 0x1F57A, 0x1F57A }, { 0x1F595, 0x1F596 },
  { 0x1F5A4, 0x1F5A4 }, { 0x1F5FB, 0x1F64F }, { 0x1F680, 0x1F6C5 }, { 0x1F6CC, 0x1F6CC },
  { 0x1F6D0, 0x1F6D2 }, { 0x1F6D5, 0x1F6D7 }, { 0x1F6DC, 0x1F6DF }, { 0x1F6EB, 0x1F6EC },
  { 0x1F6F4, 0x1F6FC }, { 0x1F7E0, 0x1F7EB }, { 0x1F7F0, 0x1F7F0 }, { 0x1F900, 0x1F9FF },
  { 0x1FA70, 0x1FAFF }, { 0x20000, 0x2FFFD }, { 0x30000, 0x3FFFD },
};

/* Marks that attach to the character before them. Other scripts' combining
 * marks count 1, which errs on the safe side. */
static const struct range zero[] = {
  { 0x0300, 0x036F }, { 0x1AB0, 0x1AFF }, { 0x1DC0, 0x1DFF }, { 0x200B, 0x200F },
  { 0x2060, 0x2064 }, { 0x20D0, 0x20FF }, { 0xFE00, 0xFE0F }, { 0xFE20, 0xFE2F },
  { 0xFEFF, 0xFEFF }, { 0xE0001, 0xE0001 }, { 0xE0020, 0xE007F }, { 0xE0100, 0xE01EF },
};

/* Besides C0, DEL and C1: line breaks and bidi controls, which can make the
 * terminal show something other than the text. */
static const struct range unsafe[] = {
  { 0x2028, 0x202E }, { 0x2066, 0x2069 },
};

enum cp_class { CP_BAD, CP_ZERO, CP_NARROW, CP_WIDE };

/* One base character with the zero-width characters after it: the unit
 * that is measured, replaced and cut, so a cut never orphans a selector. */
struct cluster {
  size_t len;        /* input bytes */
  const char *out;   /* bytes to write: the input itself, "?" or "" */
  size_t out_len;
  size_t cols;
};

/* Output that never overflows: a piece that does not fit whole is dropped
 * with everything after it, and buf stays NUL-terminated. */
struct sink {
  char *buf;
  size_t size;
  size_t len;
  bool full;
};

static bool in_table(uint32_t cp, const struct range *t, size_t n)
{
  size_t lo = 0, hi = n;

  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;

    if (cp < t[mid].lo)
      hi = mid;
    else if (cp > t[mid].hi)
      lo = mid + 1;
    else
      return true;
  }
  return false;
}

#define IN(cp, t) in_table((cp), (t), sizeof(t) / sizeof((t)[0]))

/* Decodes one character; any malformed sequence consumes exactly one byte
 * and yields BAD_CP, so each invalid byte shows as one '?'. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
  uint32_t c = s[0], min;
  size_t n, i;

  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  if (c < 0xC2 || c > 0xF4) {  /* continuation, overlong lead or > U+10FFFF */
    *cp = BAD_CP;
    return 1;
  }
  n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
  min = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
  c &= 0x7Fu >> n;
  for (i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80) {  /* also stops at the NUL */
      *cp = BAD_CP;
      return 1;
    }
    c = c << 6 | (s[i] & 0x3F);
  }
  *cp = (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) ? BAD_CP : c;
  return *cp == BAD_CP ? 1 : n;
}

static enum cp_class classify(uint32_t cp)
{
  if (cp == BAD_CP || cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || IN(cp, unsafe))
    return CP_BAD;
  if (cp < 0x300)
    return CP_NARROW;
  if (IN(cp, zero))
    return CP_ZERO;
  return IN(cp, wide) ? CP_WIDE : CP_NARROW;
}

/* Bytes of zero-width characters at `s`; notes an emoji-presentation
 * selector (VS16), which turns a narrow base into a wide emoji. */
static size_t zero_run(const unsigned char *s, bool *vs16)
{
  size_t len = 0, n;
  uint32_t cp;

  while (*s) {
    n = utf8_decode(s, &cp);
    if (classify(cp) != CP_ZERO)
      break;
    *vs16 = *vs16 || cp == 0xFE0F;
    s += n;
    len += n;
  }
  return len;
}

static bool emit(struct cluster *c, const char *out, size_t out_len, size_t cols)
{
  c->out = out;
  c->out_len = out_len;
  c->cols = cols;
  return true;
}

/* Reads the cluster at `s`; false at the end of the string. In ASCII mode
 * only an ASCII base survives, anything else is one '?'; zero-width
 * characters with no printable base before them are dropped. */
static bool next_cluster(const char *s, bool utf8, struct cluster *c)
{
  const unsigned char *u = (const unsigned char *)s;
  enum cp_class cls;
  bool vs16 = false;
  uint32_t cp;
  size_t n;

  if (!*u)
    return false;
  n = utf8_decode(u, &cp);
  cls = classify(cp);
  c->len = n + zero_run(u + n, &vs16);
  if (cls == CP_ZERO)
    return emit(c, "", 0, 0);
  if (cls == CP_BAD || (!utf8 && cp >= 0x80))
    return emit(c, "?", 1, 1);
  if (!utf8)
    return emit(c, s, 1, 1);
  return emit(c, s, c->len, (cls == CP_WIDE || vs16) ? 2 : 1);
}

size_t pf_text_width(const char *s)
{
  struct cluster c;
  size_t cols = 0;

  if (!s)
    return 0;
  for (; next_cluster(s, true, &c); s += c.len)
    cols += c.cols;
  return cols;
}

/* Copies whole clusters while they fit in `max_cols` columns and `room`
 * bytes. Returns true when all of `in` was copied. */
static bool copy_clusters(const char *in, bool utf8, size_t max_cols, char *out,
                          size_t room, size_t *cols, size_t *len)
{
  struct cluster c;

  *cols = *len = 0;
  for (; next_cluster(in, utf8, &c); in += c.len) {
    if (*cols + c.cols > max_cols || *len + c.out_len > room)
      return false;
    memcpy(out + *len, c.out, c.out_len);
    *cols += c.cols;
    *len += c.out_len;
  }
  return true;
}

/* "…" when it fits, else as many ASCII dots (up to three) as fit. */
static const char *ellipsis(bool utf8, size_t max_cols, size_t room, size_t *cols)
{
  static const char dots[] = "...";
  size_t n = max_cols < room ? max_cols : room;

  if (utf8 && max_cols >= 1 && room >= 3) {
    *cols = 1;
    return "…";
  }
  *cols = n < 3 ? n : 3;
  return dots + 3 - *cols;
}

size_t pf_fit(const char *in, size_t max_cols, bool utf8, char *out, size_t out_size)
{
  size_t cols, len, ell_cols, ell_len;
  const char *ell;

  if (!out || out_size == 0)
    return 0;
  out[0] = '\0';
  if (!in)
    return 0;
  if (copy_clusters(in, utf8, max_cols, out, out_size - 1, &cols, &len)) {
    out[len] = '\0';
    return cols;
  }
  ell = ellipsis(utf8, max_cols, out_size - 1, &ell_cols);
  ell_len = strlen(ell);
  copy_clusters(in, utf8, max_cols - ell_cols, out, out_size - 1 - ell_len, &cols, &len);
  memcpy(out + len, ell, ell_len + 1);
  return cols + ell_cols;
}

static void sink_init(struct sink *k, char *buf, size_t size)
{
  k->buf = buf;
  k->size = size;
  k->len = 0;
  k->full = !buf || size == 0;
  if (!k->full)
    buf[0] = '\0';
}

static void put(struct sink *k, const char *s)
{
  size_t n = strlen(s);

  if (k->full || n >= k->size - k->len) {
    k->full = true;
    return;
  }
  memcpy(k->buf + k->len, s, n + 1);
  k->len += n;
}

static void put_repeat(struct sink *k, const char *s, int times)
{
  while (times-- > 0)
    put(k, s);
}

/* pf_fit straight into the rest of the sink. */
static void put_fit(struct sink *k, const char *text, size_t cols, bool utf8)
{
  if (k->full)
    return;
  pf_fit(text, cols, utf8, k->buf + k->len, k->size - k->len);
  k->len += strlen(k->buf + k->len);
}

static double clamp_pct(double pct)
{
  if (!(pct > 0))  /* NaN too */
    return 0;
  return pct > 100 ? 100 : pct;
}

void pf_bar(double pct, int width, bool utf8, char *out, size_t out_size)
{
  bool brackets = !utf8 && width >= 3;
  int inner = brackets ? width - 2 : width;
  int done;
  struct sink k;

  sink_init(&k, out, out_size);
  if (width <= 0)
    return;
  done = (int)(clamp_pct(pct) * inner / 100.0);
  if (brackets)
    put(&k, "[");
  put_repeat(&k, utf8 ? "━" : "#", done);
  put_repeat(&k, utf8 ? "─" : "-", inner - done);
  if (brackets)
    put(&k, "]");
}

void pf_eta(double elapsed_s, double pct, char *out, size_t out_size)
{
  char hms[32];

  if (!out || out_size == 0)
    return;
  if (pct >= 100)
    timeutil_hms(0, hms, sizeof(hms));
  else if (!(pct > 0) || !(elapsed_s >= 1))  /* NaN too */
    snprintf(hms, sizeof(hms), "-:--");
  else
    timeutil_hms(elapsed_s * (100 - pct) / pct, hms, sizeof(hms));
  snprintf(out, out_size, "ETA %s", hms);
}

/* The parts of a line, and which of them the width leaves in. */
struct layout {
  char pct[8];        /* " 37%" */
  char elapsed[32];   /* " 1:14" */
  char eta[48];       /* " ETA 2:06" */
  bool spinner;
  bool show_pct;
  bool show_elapsed;
  bool show_eta;
  int bar;            /* columns, 0 = none */
  int used;
};

static int len_of(const char *s)
{
  return (int)strlen(s);
}

static void layout_parts(struct layout *l, const struct pf_frame *f)
{
  char hms[24], eta[40];
  double elapsed = f->elapsed_s >= 0 ? f->elapsed_s : 0;  /* NaN too */
  double pct = clamp_pct(f->percentage);

  snprintf(l->pct, sizeof(l->pct), "%3.0f%%", floor(pct));
  snprintf(l->elapsed, sizeof(l->elapsed), " %s", timeutil_hms(elapsed, hms, sizeof(hms)));
  pf_eta(elapsed, pct, eta, sizeof(eta));
  snprintf(l->eta, sizeof(l->eta), " %s", eta);
}

/* Drops parts from the right (ETA, elapsed, then the bar, shrunk first)
 * until the rest fits in `width`. */
static void layout_fit(struct layout *l, int width)
{
  l->spinner = l->show_pct = l->show_elapsed = l->show_eta = true;
  l->bar = BAR_COLS;
  l->used = 2 + len_of(l->pct) + 1 + BAR_COLS + len_of(l->elapsed) + len_of(l->eta);
  if (l->used > width) {
    l->show_eta = false;
    l->used -= len_of(l->eta);
  }
  if (l->used > width) {
    l->show_elapsed = false;
    l->used -= len_of(l->elapsed);
  }
  if (l->used > width) {
    l->bar -= l->used - width;
    l->used = width;
  }
  if (l->bar < BAR_MIN) {
    l->used = 2 + len_of(l->pct);
    l->bar = 0;
  }
  if (l->used > width) {
    l->spinner = false;
    l->used = len_of(l->pct);
  }
  if (l->used > width) {
    l->show_pct = false;
    l->used = 0;
  }
}

static const char *spinner_glyph(unsigned frame, bool utf8)
{
  static const char *const braille[] = { "⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏" };
  static const char *const ascii[] = { "|", "/", "-", "\\" };

  if (utf8)
    return braille[frame % (sizeof(braille) / sizeof(braille[0]))];
  return ascii[frame % (sizeof(ascii) / sizeof(ascii[0]))];
}

static void put_text(struct sink *k, const char *text, int room, bool utf8)
{
  room -= len_of(TEXT_SEP);
  if (!text || !*text || room < TEXT_MIN)
    return;
  put(k, TEXT_SEP);
  put_fit(k, text, (size_t)room, utf8);
}

void pf_line(const struct pf_frame *f, int width, bool utf8, char *out, size_t out_size)
{
  char bar[BAR_COLS * 3 + 1];
  struct layout l;
  struct sink k;

  sink_init(&k, out, out_size);
  if (!f || width <= 0)
    return;
  layout_parts(&l, f);
  layout_fit(&l, width);
  if (l.spinner) {
    put(&k, spinner_glyph(f->spinner, utf8));
    put(&k, " ");
  }
  if (l.show_pct)
    put(&k, l.pct);
  if (l.bar > 0) {
    pf_bar(f->percentage, l.bar, utf8, bar, sizeof(bar));
    put(&k, " ");
    put(&k, bar);
  }
  if (l.show_elapsed)
    put(&k, l.elapsed);
  if (l.show_eta)
    put(&k, l.eta);
  put_text(&k, f->text, width - l.used, utf8);
}

void pf_plain_line(double pct, const char *text, bool utf8, char *out, size_t out_size)
{
  char head[16];
  struct sink k;

  sink_init(&k, out, out_size);
  snprintf(head, sizeof(head), "[%3.0f%%]", floor(clamp_pct(pct)));
  put(&k, head);
  if (!text || !*text)
    return;
  put(&k, " ");
  put_fit(&k, text, PLAIN_TEXT_COLS, utf8);
}
