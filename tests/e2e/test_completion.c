/*
 * Bash completion and the man pages against the programs' own --help: every
 * command and option that --help lists completes and is documented in the
 * man page, completion offers no option --help does not list, option values
 * and scenario names complete, and the man pages carry the version. The
 * completion scripts run in a real bash, as `complete -F` would call them.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"

#define KTRDR KTRDR_BIN_DIR "/ktrdr"
#define MOCK KTRDR_BIN_DIR "/ktrdr-mock"
#define COMPLETION_DIR KTRDR_SOURCE_DIR "/completion/"
#define MAN_DIR KTRDR_SOURCE_DIR "/docs/man/"

TestSuite(completion, .timeout = 60);

/* ---- a set of words ---------------------------------------------------- */

#define WORDS_MAX 128

struct words {
  char *w[WORDS_MAX];
  size_t n;
};

static bool words_has(const struct words *s, const char *w)
{
  for (size_t i = 0; i < s->n; i++)
    if (strcmp(s->w[i], w) == 0)
      return true;
  return false;
}

static void words_add(struct words *s, const char *w, size_t len)
{
  char *copy = strndup(w, len);

  cr_assert_not_null(copy);
  if (words_has(s, copy) || s->n == WORDS_MAX) {
    free(copy);
    return;
  }
  s->w[s->n++] = copy;
}

static void words_release(struct words *s)
{
  for (size_t i = 0; i < s->n; i++)
    free(s->w[i]);
  s->n = 0;
}

static char *words_show(const struct words *s)
{
  static char buf[4096];
  size_t off = 0;

  buf[0] = '\0';
  for (size_t i = 0; i < s->n && off < sizeof(buf); i++)
    off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s ", s->w[i]);
  return buf;
}

/* ---- running the programs --------------------------------------------- */

/* Runs argv (argv[0] a path); returns the exit code, *text its output. */
static int run(char *const argv[], char **text)
{
  struct tl_proc p;
  int code;

  cr_assert_eq(tl_spawn(&p, argv, NULL), 0, "cannot run %s", argv[0]);
  tl_proc_read_until(&p, NULL, 20000);
  code = tl_proc_wait(&p, 20000);
  *text = strdup(p.text.data ? p.text.data : "");
  tl_proc_release(&p);
  return code;
}

/* What TAB offers for the last of `words` (the command line so far, as
 * COMP_WORDS: "=" separate, the word under the cursor last, "" for none). */
static void complete(const char *script, const char *fn, const char *const *words,
                     struct words *out)
{
  static const char driver[] =
      "source \"$1\"; fn=$2; shift 2; COMP_WORDS=(\"$@\");"
      "COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMP_LINE=\"$*\"; COMP_POINT=${#COMP_LINE};"
      "\"$fn\" 2>/dev/null; printf '%s\\n' \"${COMPREPLY[@]}\"";
  char *argv[32] = { "/bin/bash", "--norc", "--noprofile", "-c", (char *)driver, "bash",
                     (char *)script, (char *)fn };
  size_t n = 8;
  char *text;

  for (size_t i = 0; words[i] && n < 31; i++)
    argv[n++] = (char *)words[i];
  argv[n] = NULL;
  cr_assert_eq(run(argv, &text), 0, "bash failed: %s", text);
  for (const char *line = text; *line;) {
    size_t len = strcspn(line, "\n");

    if (len)
      words_add(out, line, len);
    line += len + (line[len] == '\n');
  }
  free(text);
}

/* The options of a --help text (from the line `from` on, when not NULL):
 * every --long word, and -x where the line lists it ("  -q, --quiet"). */
static void help_options(const char *text, const char *from, struct words *out)
{
  const char *p = from ? strstr(text, from) : text;

  cr_assert_not_null(p, "no '%s' in the help", from);
  for (; *p; p++) {
    bool start = p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '-');
    size_t len = 0;

    if (!start || p[0] != '-')
      continue;
    if (p[1] == '-' && isalpha((unsigned char)p[2])) {
      len = 2;
      while (isalnum((unsigned char)p[len]) || p[len] == '-')
        len++;
      words_add(out, p, len);
      p += len - 1;
    } else if (isalpha((unsigned char)p[1]) && p[2] == ',') {
      words_add(out, p, 2);
    }
  }
}

static char *read_file(const char *path)
{
  FILE *f = fopen(path, "r");
  char *text = NULL;
  size_t cap = 0;
  ssize_t n;

  cr_assert_not_null(f, "cannot open %s", path);
  n = getdelim(&text, &cap, '\0', f);
  fclose(f);
  cr_assert_gt(n, 0, "%s is empty", path);
  return text;
}

/* Whether the roff source documents option `opt` ("-" written "\-"). */
static bool man_has(const char *roff, const char *opt)
{
  char esc[128];
  size_t k = 0;

  for (const char *c = opt; *c && k + 3 < sizeof(esc); c++) {
    if (*c == '-')
      esc[k++] = '\\';
    esc[k++] = *c;
  }
  esc[k] = '\0';
  return strstr(roff, esc) != NULL;
}

/* ---- ktrdr ------------------------------------------------------------ */

static const char *const commands[][2] = {
  { "dummy", "start" },      { "dummy", "dummy" },       { "models", "train" },
  { "data", "load" },        { "operations", "list" },   { "operations", "status" },
  { "operations", "cancel" }, { "operations", "follow" },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void global_options(struct words *out)
{
  char *argv[] = { KTRDR, "--help", NULL }, *text;

  cr_assert_eq(run(argv, &text), 0, "%s", text);
  help_options(text, "Global options", out);
  free(text);
}

Test(completion, ktrdr_commands_are_those_of_the_help)
{
  char *argv[] = { KTRDR, "--help", NULL }, *text, *roff = read_file(MAN_DIR "ktrdr.1");
  const char *groups_words[] = { "ktrdr", "", NULL };
  struct words groups = { 0 };

  cr_assert_eq(run(argv, &text), 0, "%s", text);
  complete(COMPLETION_DIR "ktrdr.bash", "_ktrdr", groups_words, &groups);
  for (size_t i = 0; i < N_COMMANDS; i++) {
    const char *words[] = { "ktrdr", commands[i][0], "", NULL };
    struct words subs = { 0 };
    char name[64];

    snprintf(name, sizeof(name), "%s %s", commands[i][0], commands[i][1]);
    cr_expect(strstr(text, name), "'ktrdr --help' does not list '%s'", name);
    cr_expect(strstr(roff, name), "ktrdr.1 does not document '%s'", name);
    cr_expect(words_has(&groups, commands[i][0]), "'ktrdr <TAB>' lacks %s: %s",
              commands[i][0], words_show(&groups));
    complete(COMPLETION_DIR "ktrdr.bash", "_ktrdr", words, &subs);
    cr_expect(words_has(&subs, commands[i][1]), "'ktrdr %s <TAB>' lacks %s: %s",
              commands[i][0], commands[i][1], words_show(&subs));
    words_release(&subs);
  }
  for (size_t k = 0; k < groups.n; k++) {
    bool known = false;

    for (size_t i = 0; i < N_COMMANDS; i++)
      known = known || strcmp(groups.w[k], commands[i][0]) == 0;
    cr_expect(known, "'ktrdr <TAB>' offers '%s', which is no command group", groups.w[k]);
  }
  words_release(&groups);
  free(text);
  free(roff);
}

Test(completion, ktrdr_options_are_those_of_each_commands_help)
{
  char *roff = read_file(MAN_DIR "ktrdr.1");
  struct words global = { 0 };

  global_options(&global);
  cr_assert_geq(global.n, 10, "global options: %s", words_show(&global));
  for (size_t i = 0; i < N_COMMANDS; i++) {
    char *argv[] = { KTRDR, (char *)commands[i][0], (char *)commands[i][1], "--help", NULL };
    const char *words[] = { "ktrdr", commands[i][0], commands[i][1], "--", NULL };
    struct words help = { 0 }, offered = { 0 };
    char *text;
    int code = run(argv, &text);

    cr_expect_eq(code, 0, "'ktrdr %s %s --help' exits %d: %s", commands[i][0],
                 commands[i][1], code, text);
    cr_expect(strncmp(text, "Usage: ktrdr ", 13) == 0, "'ktrdr %s %s --help': %s",
              commands[i][0], commands[i][1], text);
    help_options(text, NULL, &help);
    complete(COMPLETION_DIR "ktrdr.bash", "_ktrdr", words, &offered);
    for (size_t k = 0; k < help.n; k++) {
      if (help.w[k][1] != '-')
        continue; /* "--<TAB>" offers the long forms */
      cr_expect(words_has(&offered, help.w[k]), "'ktrdr %s %s --<TAB>' lacks %s",
                commands[i][0], commands[i][1], help.w[k]);
      cr_expect(man_has(roff, help.w[k]), "ktrdr.1 does not document %s", help.w[k]);
    }
    for (size_t k = 0; k < offered.n; k++)
      cr_expect(words_has(&help, offered.w[k]) || words_has(&global, offered.w[k]),
                "'ktrdr %s %s --<TAB>' offers %s, which no --help lists", commands[i][0],
                commands[i][1], offered.w[k]);
    for (size_t k = 0; k < global.n; k++)
      cr_expect(global.w[k][1] != '-' || words_has(&offered, global.w[k]),
                "'ktrdr %s %s --<TAB>' lacks the global %s", commands[i][0], commands[i][1],
                global.w[k]);
    words_release(&help);
    words_release(&offered);
    free(text);
  }
  for (size_t k = 0; k < global.n; k++)
    cr_expect(man_has(roff, global.w[k]), "ktrdr.1 does not document %s", global.w[k]);
  words_release(&global);
  free(roff);
}

Test(completion, ktrdr_option_values_and_files)
{
  static const struct { const char *words[8]; const char *want; } t[] = {
    { { "ktrdr", "operations", "list", "--status", "", NULL }, "cancelled" },
    { { "ktrdr", "operations", "list", "--status", "=", "ru", NULL }, "running" },
    { { "ktrdr", "operations", "list", "--type", "", NULL }, "data_load" },
    { { "ktrdr", "data", "load", "AAPL", "--mode", "", NULL }, "backfill" },
    { { "ktrdr", "data", "load", "AAPL", "--timeframe", "", NULL }, "1h" },
    { { "ktrdr", "--timeout", "5", "operations", "", NULL }, "follow" },
    { { "ktrdr", "--url", "", NULL }, "http://localhost:8000/api/v1" },
    { { "ktrdr", "--url", "http", ":", "//lo", NULL }, "//localhost:8000/api/v1" },
    { { "ktrdr", "models", "train", KTRDR_TEST_DATA_DIR "/strategies/rsi_m", NULL },
      KTRDR_TEST_DATA_DIR "/strategies/rsi_macd_pair.yaml" },
    { { "ktrdr", "models", "train", "s.yaml", "AAPL", "", NULL }, "4h" },
  };

  for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
    struct words got = { 0 };

    complete(COMPLETION_DIR "ktrdr.bash", "_ktrdr", t[i].words, &got);
    cr_expect(words_has(&got, t[i].want), "row %zu: no '%s' in: %s", i, t[i].want,
              words_show(&got));
    words_release(&got);
  }
}

/* ---- ktrdr-mock -------------------------------------------------------- */

/* Options only `ktrdr-mock record` takes. */
static bool record_only(const char *opt)
{
  return strcmp(opt, "--upstream") == 0 || strcmp(opt, "-u") == 0 ||
         strcmp(opt, "--out") == 0 || strcmp(opt, "-o") == 0;
}

Test(completion, ktrdr_mock_options_are_those_of_its_help)
{
  char *argv[] = { MOCK, "--help", NULL }, *text, *roff = read_file(MAN_DIR "ktrdr-mock.1");
  const char *words[] = { "ktrdr-mock", "-", NULL };
  const char *exec_words[] = { "ktrdr-mock", "exec", "-", NULL };
  const char *record_words[] = { "ktrdr-mock", "record", "-", NULL };
  static const char *const record_opts[] = { "--upstream", "-u", "--out", "-o", "--port",
                                             "--bind", "--verbose" };
  struct words help = { 0 }, offered = { 0 }, after_exec = { 0 }, after_record = { 0 };

  cr_assert_eq(run(argv, &text), 0, "%s", text);
  help_options(text, NULL, &help);
  cr_assert_geq(help.n, 16, "ktrdr-mock --help options: %s", words_show(&help));
  complete(COMPLETION_DIR "ktrdr-mock.bash", "_ktrdr_mock", words, &offered);
  complete(COMPLETION_DIR "ktrdr-mock.bash", "_ktrdr_mock", exec_words, &after_exec);
  complete(COMPLETION_DIR "ktrdr-mock.bash", "_ktrdr_mock", record_words, &after_record);
  for (size_t k = 0; k < help.n; k++) {
    cr_expect(words_has(&offered, help.w[k]), "'ktrdr-mock -<TAB>' lacks %s", help.w[k]);
    cr_expect(record_only(help.w[k]) != words_has(&after_exec, help.w[k]),
              "'ktrdr-mock exec -<TAB>' %s %s", record_only(help.w[k]) ? "offers" : "lacks",
              help.w[k]);
    cr_expect(man_has(roff, help.w[k]), "ktrdr-mock.1 does not document %s", help.w[k]);
  }
  for (size_t k = 0; k < sizeof(record_opts) / sizeof(record_opts[0]); k++)
    cr_expect(words_has(&after_record, record_opts[k]), "'ktrdr-mock record -<TAB>' lacks %s",
              record_opts[k]);
  cr_expect_not(words_has(&after_record, "--time-scale"), "record takes no --time-scale");
  words_release(&after_record);
  for (size_t k = 0; k < offered.n; k++)
    cr_expect(words_has(&help, offered.w[k]), "'ktrdr-mock -<TAB>' offers %s, which "
              "--help does not list", offered.w[k]);
  words_release(&help);
  words_release(&offered);
  words_release(&after_exec);
  free(text);
  free(roff);
}

Test(completion, ktrdr_mock_scenario_names)
{
  char dir[] = "/tmp/ktrdr-completion-XXXXXX", path[128];
  FILE *f;

  cr_assert_not_null(mkdtemp(dir));
  snprintf(path, sizeof(path), "%s/gpu.yaml", dir);
  cr_assert_not_null(f = fopen(path, "w"));
  fputs("# a comment\nname: training_gpu_test\noperation_type: training\n", f);
  fclose(f);
  snprintf(path, sizeof(path), "%s/dummy_slow_test.yml", dir);
  cr_assert_not_null(f = fopen(path, "w"));
  fputs("operation_type: \"dummy\"  # named after the file\n", f);
  fclose(f);
  {
    static const char *want[] = { "training=", "training_gpu_test", "training_default",
                                  "dummy_slow_test", "dummy_default", "manual", "exec",
                                  "record", "http://localhost:8000/api/v1" };
    const char *t[][9] = {
      { "ktrdr-mock", "--select", "tr", NULL },
      { "ktrdr-mock", "--scenarios", dir, "--select", "training", "=", "", NULL },
      { "ktrdr-mock", "-s", dir, "-S", "training", "=", "", NULL },
      { "ktrdr-mock", "exec", "--scenarios", "=", dir, "-S", "dummy", "=", "", },
      { "ktrdr-mock", "--select", "dummy", "=", "", NULL },
      { "ktrdr-mock", "--clock", "", NULL },
      { "ktrdr-mock", "-v", "", NULL },
      { "ktrdr-mock", "-v", "rec", NULL },
      { "ktrdr-mock", "record", "--upstream", "", NULL },
    };

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
      struct words got = { 0 };
      const char *words[10] = { 0 };

      memcpy(words, t[i], sizeof(t[i]));
      complete(COMPLETION_DIR "ktrdr-mock.bash", "_ktrdr_mock", words, &got);
      cr_expect(words_has(&got, want[i]), "row %zu: no '%s' in: %s", i, want[i],
                words_show(&got));
      words_release(&got);
    }
  }
  snprintf(path, sizeof(path), "rm -rf '%s'", dir);
  cr_expect_eq(system(path), 0);
}

/* ---- both -------------------------------------------------------------- */

Test(completion, man_pages_carry_the_version)
{
  static const char *const progs[][2] = { { KTRDR, "ktrdr.1" }, { MOCK, "ktrdr-mock.1" } };

  for (size_t i = 0; i < 2; i++) {
    char *argv[] = { (char *)progs[i][0], "--version", NULL }, *text, *roff, path[256], want[64];
    const char *sp;

    cr_assert_eq(run(argv, &text), 0, "%s", text);
    sp = strchr(text, ' ');
    cr_assert_not_null(sp, "%s --version: %s", progs[i][0], text);
    snprintf(want, sizeof(want), "\"ktrdr-ops %.*s\"", (int)strcspn(sp + 1, "\n"), sp + 1);
    snprintf(path, sizeof(path), MAN_DIR "%s", progs[i][1]);
    roff = read_file(path);
    cr_expect(strstr(roff, want), "%s does not say %s", progs[i][1], want);
    free(roff);
    free(text);
  }
}

Test(completion, scripts_are_valid_bash)
{
  static const char *const scripts[] = { COMPLETION_DIR "ktrdr.bash",
                                         COMPLETION_DIR "ktrdr-mock.bash" };

  for (size_t i = 0; i < 2; i++) {
    char *argv[] = { "/bin/bash", "-n", (char *)scripts[i], NULL }, *text;

    cr_expect_eq(run(argv, &text), 0, "%s: %s", scripts[i], text);
    free(text);
  }
}
