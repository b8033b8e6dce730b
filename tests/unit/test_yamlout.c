/*
 * yamlout (the YAML writer of recorded scenarios): every value it writes
 * reads back through the scenario loader's parser (yamldoc.h) as the same
 * JSON value: awkward texts (": ", "#", quotes, emoji, line breaks,
 * keywords, number-like texts, control characters), numbers, nesting;
 * comments never break the file.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "testlib.h"
#include "yamldoc.h"
#include "yamlout.h"

TestSuite(yamlout, .timeout = 20);

/* Parses `text`; the root as JSON (new reference). */
static json_t *read_back(const char *text)
{
  struct yamldoc *d = NULL;
  struct err err = ERR_INIT;
  json_t *j;

  cr_assert_eq(yamldoc_parse_string("t.yaml", text, strlen(text), &d, &err), 0, "%s\n%s",
               err.msg, text);
  j = ynode_to_json(d->root);
  yamldoc_free(&d);
  return j;
}

static const char *const awkward[] = {
  "plain text", "key: value", "a # not a comment", "#start", "say \"hi\"", "it's",
  "emoji 🖥️ NVIDIA RTX 4090: 85%", "Epoch 5/10 \xc2\xb7 Batch 120/500", "two\nlines\n",
  "tab\there", "true", "False", "null", "~", "yes", "no", "on", "123", "-1.5", "1e3", ".inf",
  "0x1F", "", " leading", "trailing ", "[list]", "{map}", "*alias", "&anchor", "!tag",
  "%percent", "@at", "`tick", "a, b", "- dash", "? question", "| pipe", "> fold",
  "del \x7f here", "nel \xc2\x85 here", "line sep \xe2\x80\xa8 here", "bom \xef\xbb\xbf here",
  "back\\slash", "${operation_id}", "caf\xc3\xa9", "\xf0\x9f\x9a\x80 rocket",
  "Strategy file not found: x.yaml (searched: /app/strategies, strategies)",
};

ParameterizedTestParameters(yamlout, awkward_texts_read_back)
{
  return tl_index_params(TL_N(awkward));
}

ParameterizedTest(size_t *i, yamlout, awkward_texts_read_back)
{
  const char *s = awkward[*i];
  json_t *v = json_string(s), *list = json_pack("[s, s]", s, "x"), *one = json_integer(1), *got;
  struct buf b = BUF_INIT;

  /* as a value, as a key, and in a flow list */
  cr_assert_eq(yamlout_entry(&b, 0, "value", v), 0);
  cr_assert_eq(yamlout_entry(&b, 0, *s ? s : "empty", one), 0);
  cr_assert_eq(yamlout_entry(&b, 0, "list", list), 0);
  got = read_back(b.data);
  cr_expect(json_equal(json_object_get(got, "value"), v), "'%s' came back as %s from:\n%s", s,
            json_string_value(json_object_get(got, "value")), b.data);
  cr_expect(json_object_get(got, *s ? s : "empty"), "key '%s' lost in:\n%s", s, b.data);
  cr_expect(json_equal(json_object_get(got, "list"), list), "list of '%s' in:\n%s", s, b.data);
  json_decref(got);
  json_decref(v);
  json_decref(list);
  json_decref(one);
  buf_release(&b);
}

Test(yamlout, plain_texts_stay_plain)
{
  struct buf b = BUF_INIT;
  json_t *v = json_string("Starting training");

  yamlout_entry(&b, 2, "current_step", v);
  cr_expect_str_eq(b.data, "  current_step: Starting training\n");
  json_decref(v);
  buf_release(&b);
}

Test(yamlout, nested_values_read_back_the_same)
{
  json_t *doc = json_loads(
      "{\"at\":0.45,\"percentage\":100.0,\"small\":1e-05,\"big\":12345678901234,\"neg\":-3,"
      "\"t\":true,\"f\":false,\"n\":null,\"empty_map\":{},\"empty_list\":[],"
      "\"context\":{\"batch_metrics\":{\"loss\":0.8123,\"acc\":[0.1,0.2]},"
      "\"phase\":\"batch\"},\"warnings\":[\"slow disk\",\"a: b\"],"
      "\"list_of_maps\":[{\"a\":1,\"b\":{\"c\":[1,[2,3]]}},{}],\"lists\":[[1,2],[]]}",
      0, NULL), *got, *item;
  struct buf b = BUF_INIT;
  const char *key;

  cr_assert_not_null(doc);
  json_object_foreach(doc, key, item)
    cr_assert_eq(yamlout_entry(&b, 0, key, item), 0);
  got = read_back(b.data);
  cr_expect(json_equal(got, doc), "differs:\n%s", b.data);
  cr_expect(strstr(b.data, "at: 0.45\n"), "%s", b.data);
  cr_expect(strstr(b.data, "percentage: 100.0\n"), "%s", b.data);
  json_decref(got);
  json_decref(doc);
  buf_release(&b);
}

Test(yamlout, list_items_and_keys_align)
{
  json_t *kf = json_pack("{s:f, s:s, s:{s:i}}", "at", 1.5, "current_step", "x", "context",
                         "a", 1), *got;
  struct buf b = BUF_INIT;

  yamlout_key(&b, 0, "timeline");
  yamlout_item(&b, 2, kf);
  yamlout_item(&b, 2, kf);
  cr_expect_str_eq(b.data, "timeline:\n"
                           "  - at: 1.5\n    current_step: x\n    context:\n      a: 1\n"
                           "  - at: 1.5\n    current_step: x\n    context:\n      a: 1\n");
  got = read_back(b.data);
  cr_expect(json_equal(json_array_get(json_object_get(got, "timeline"), 1), kf));
  json_decref(got);
  json_decref(kf);
  buf_release(&b);
}

Test(yamlout, comments_never_break_the_file)
{
  struct buf b = BUF_INIT;
  json_t *got, *v = json_string("v");

  cr_assert_eq(yamlout_comment(&b, 0, "from http://u:p@host/api?x=1\nsecond line\n\nafter"),
               0);
  yamlout_comment(&b, 2, "bell \a, escape \x1b[31m, bad UTF-8 \xff\xfe, nel \xc2\x85, ok \xc3\xa9");
  yamlout_entry(&b, 0, "k", v);
  cr_expect(strstr(b.data, "# second line\n#\n# after\n"), "%s", b.data);
  cr_expect(strstr(b.data, "ok \xc3\xa9"), "%s", b.data);
  got = read_back(b.data);
  cr_expect_str_eq(json_string_value(json_object_get(got, "k")), "v");
  json_decref(got);
  json_decref(v);
  buf_release(&b);
}
