# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""tokenization.py: every behaviour of the original's tokenizer, on all paths.

Each behaviour is checked on the three implementations of FullTokenizer
(fast with cache, fast without cache, character-by-character reference), and
the fast path is checked against the reference on arbitrary Unicode. The
character classes are checked over all of Unicode against predicates written
here from the specification, not taken from the module.
"""

import unicodedata

from hypothesis import given
from hypothesis import HealthCheck
from hypothesis import settings
from hypothesis import strategies as st
import pytest

import tokenization
from tests import helpers

VOCAB_TOKENS = [
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
    "john", "johan", "##son", "'", "s", "house", "the", "a", "is",
    "un", "##aff", "##able", "runn", "##ing", "want", "##want", "##ed", "##s",
    ",", ".", "?", "!", "$", "5", "##0", "#", "hello", "world", "cafe",
    "café", "Café", "naive", "中", "国", "e", "##e", "t", "don",
]

# FullTokenizer keyword arguments for each implementation. "tiny_cache"
# forces the cache through many generations within one test.
PATHS = {
    "fast_cached": {},
    "fast_uncached": {"cache_size": 0},
    "tiny_cache": {"cache_size": 3},
    "reference": {"fast": False},
}


@pytest.fixture(scope="module")
def vocab_file(tmp_path_factory):
  return helpers.write_vocab(tmp_path_factory.mktemp("vocab") / "vocab.txt",
                             VOCAB_TOKENS)


@pytest.fixture(params=sorted(PATHS))
def make_tokenizer(request, vocab_file):
  def make(do_lower_case=True):
    return tokenization.FullTokenizer(vocab_file, do_lower_case=do_lower_case,
                                      **PATHS[request.param])
  return make


@pytest.fixture(params=[True, False], ids=["fast", "reference"])
def basic_fast(request):
  return request.param


def basic(text, do_lower_case, fast=True):
  return tokenization.BasicTokenizer(do_lower_case=do_lower_case,
                                     fast=fast).tokenize(text)


# ----------------------------------------------------------------------------
# The README recipe and the FullTokenizer interface
# ----------------------------------------------------------------------------


def test_word_alignment_recipe(make_tokenizer):
  tokenizer = make_tokenizer(do_lower_case=True)
  orig_tokens = ["John", "Johanson", "'s", "house"]
  bert_tokens = ["[CLS]"]
  orig_to_tok_map = []
  for orig_token in orig_tokens:
    orig_to_tok_map.append(len(bert_tokens))
    bert_tokens.extend(tokenizer.tokenize(orig_token))
  bert_tokens.append("[SEP]")
  assert bert_tokens == ["[CLS]", "john", "johan", "##son", "'", "s", "house",
                         "[SEP]"]
  assert orig_to_tok_map == [1, 2, 4, 6]
  assert tokenizer.tokenize("John Johanson's house") == [
      "john", "johan", "##son", "'", "s", "house"]


def test_full_tokenizer_interface(make_tokenizer):
  tokenizer = make_tokenizer(do_lower_case=True)
  assert list(tokenizer.vocab) == VOCAB_TOKENS
  assert tokenizer.vocab["john"] == VOCAB_TOKENS.index("john")
  assert tokenizer.inv_vocab[VOCAB_TOKENS.index("house")] == "house"
  assert isinstance(tokenizer.basic_tokenizer, tokenization.BasicTokenizer)
  assert tokenizer.basic_tokenizer.do_lower_case
  assert isinstance(tokenizer.wordpiece_tokenizer,
                    tokenization.WordpieceTokenizer)
  assert tokenizer.wordpiece_tokenizer.unk_token == "[UNK]"
  assert tokenizer.wordpiece_tokenizer.max_input_chars_per_word == 200
  tokens = tokenizer.tokenize(u"UNwant\u00e9d, running")
  assert tokens == ["un", "##want", "##ed", ",", "runn", "##ing"]
  ids = tokenizer.convert_tokens_to_ids(tokens)
  assert ids == [VOCAB_TOKENS.index(t) for t in tokens]
  assert tokenizer.convert_ids_to_tokens(ids) == tokens
  assert tokenization.convert_tokens_to_ids(tokenizer.vocab, tokens) == ids
  assert tokenization.convert_ids_to_tokens(tokenizer.inv_vocab,
                                            ids) == tokens
  # Bytes are UTF-8 text.
  assert tokenizer.tokenize(u"Café house".encode("utf-8")) == ["cafe", "house"]
  assert tokenizer.tokenize("") == []
  assert tokenizer.tokenize(" \t\n ") == []


def test_cased_full_tokenizer(make_tokenizer):
  tokenizer = make_tokenizer(do_lower_case=False)
  assert not tokenizer.basic_tokenizer.do_lower_case
  assert tokenizer.tokenize(u"Café cafe CAFE") == ["Café", "cafe", "[UNK]"]


def test_unknown_token_lookup_is_a_one_line_error(make_tokenizer):
  tokenizer = make_tokenizer()
  with pytest.raises(KeyError):
    tokenizer.convert_tokens_to_ids(["house", "not-a-token"])
  with pytest.raises(ValueError) as info:
    tokenizer.convert_ids_to_tokens([0, 10 ** 6])
  assert str(info.value) == ("1000000 is not in the vocabulary (%d entries)" %
                             len(VOCAB_TOKENS))


# ----------------------------------------------------------------------------
# BasicTokenizer behaviour
# ----------------------------------------------------------------------------


def test_accents_stripped_only_when_lower_casing(basic_fast):
  text = u"Café NAÏVE Ångström e\u0301a"
  assert basic(text, True, basic_fast) == ["cafe", "naive", "angstrom", "ea"]
  # Cased keeps every character as written (no NFC/NFD change either).
  assert basic(text, False, basic_fast) == [
      u"Café", u"NAÏVE", u"Ångström", u"e\u0301a"]
  assert basic(u"HeLLo WoRLD", False, basic_fast) == ["HeLLo", "WoRLD"]
  assert basic(u"HeLLo WoRLD", True, basic_fast) == ["hello", "world"]


def test_cjk_ideographs_split_but_not_hangul_or_kana(basic_fast):
  assert basic(u"ab中文cd", True, basic_fast) == ["ab", u"中", u"文", "cd"]
  assert basic(u"한국어 문장", False, basic_fast) == [u"한국어", u"문장"]
  # Lower-casing NFD-decomposes Hangul syllables into jamo (not marks, so
  # they stay), exactly as the uncased multilingual model was trained.
  assert basic(u"한국어", True, basic_fast) == [
      unicodedata.normalize("NFD", u"한국어")]
  assert basic(u"ひらがなカタカナ", False, basic_fast) == [u"ひらがなカタカナ"]
  edges = [0x4E00, 0x9FFF, 0x3400, 0x4DBF, 0x20000, 0x2A6DF, 0x2A700,
           0x2B73F, 0x2B740, 0x2B81F, 0x2B820, 0x2CEAF, 0xF900, 0xFAFF,
           0x2F800, 0x2FA1F]
  for cp in edges:
    assert basic(u"x%sy" % chr(cp), False, basic_fast) == ["x", chr(cp), "y"]
  # Letters next to the blocks (Yi, Hangul, Kana, Bopomofo) are not split.
  for cp in [0xA000, 0xAC00, 0x30A2, 0x3105, 0x2CEB0]:
    assert basic(u"x%sy" % chr(cp), False, basic_fast) == [
        u"x%sy" % chr(cp)], hex(cp)


def test_control_characters_and_replacement_char_dropped(basic_fast):
  # Dropped characters vanish without splitting the word, including the
  # controls that str.split() would take for whitespace (VT, FF, \x1c-\x1f,
  # NEL) and format characters (Cf) such as zero-width space.
  text = u"ab\x00cd\ufffdef\x01gh\u200bij\x7fkl\x0bmn\x0co\x1cp\x1fq\x85r"
  assert basic(text, True, basic_fast) == ["abcdefghijklmnopqr"]
  assert basic(text, False, basic_fast) == ["abcdefghijklmnopqr"]
  assert basic(u"\x00\ufffd\u200d", True, basic_fast) == []


def test_all_whitespace_kinds_separate_words(basic_fast):
  separators = [u" ", u"\t", u"\n", u"\r", u"\r\n", u"\u00a0", u"\u1680",
                u"\u2000", u"\u2003", u"\u200a", u"\u202f", u"\u205f",
                u"\u3000", u"  \t "]
  for sep in separators:
    assert basic(u"a%sb%s" % (sep, sep), True, basic_fast) == ["a", "b"], (
        repr(sep))
  # Line and paragraph separators (Zl, Zp) are kept by the cleaning step
  # but, like the original's str.split(), still end a word.
  assert basic(u"a\u2028b\u2029c", False, basic_fast) == ["a", "b", "c"]


def test_punctuation_split(basic_fast):
  assert basic(u"$5 #tag don't", True, basic_fast) == [
      "$", "5", "#", "tag", "don", "'", "t"]
  # ASCII symbols that are not Unicode punctuation still split.
  assert basic(u"a^b`c~d|e<f=g>h+i", False, basic_fast) == list(
      u"a^b`c~d|e<f=g>h+i")
  # Unicode punctuation (P*) splits; other symbols (S*) do not.
  assert basic(u"¿Qué? «x» a—b c…d 你好。", True, basic_fast) == [
      u"¿", u"que", u"?", u"«", u"x", u"»", u"a", u"—", u"b", u"c", u"…",
      u"d", u"你", u"好", u"。"]
  assert basic(u"€5 a©b 3½", False, basic_fast) == [u"€5", u"a©b", u"3½"]
  assert basic(u"...!!", False, basic_fast) == [".", ".", ".", "!", "!"]


def test_whitespace_tokenize():
  assert tokenization.whitespace_tokenize(u"  a b\t c\n") == ["a", "b", "c"]
  assert tokenization.whitespace_tokenize(u"") == []
  assert tokenization.whitespace_tokenize(u" \n ") == []


# ----------------------------------------------------------------------------
# WordpieceTokenizer behaviour
# ----------------------------------------------------------------------------


@pytest.fixture(params=[{}, {"cache_size": 0}, {"fast": False}],
                ids=["cached", "uncached", "reference"])
def wordpiece_kwargs(request):
  return request.param


def test_wordpiece_greedy_longest_match(wordpiece_kwargs):
  vocab = {t: i for i, t in enumerate(
      ["[UNK]", "un", "##aff", "##able", "johan", "johans", "##son", "##on",
       "##s", "a", "##a"])}
  wordpiece = tokenization.WordpieceTokenizer(vocab, **wordpiece_kwargs)
  assert wordpiece.tokenize(u"unaffable") == ["un", "##aff", "##able"]
  # Longest first: "johans" wins over "johan", leaving "##on".
  assert wordpiece.tokenize(u"johanson") == ["johans", "##on"]
  # A word with an uncoverable stretch becomes one unknown token, not a
  # partial split.
  assert wordpiece.tokenize(u"unaffablex") == ["[UNK]"]
  assert wordpiece.tokenize(u"xyzzy") == ["[UNK]"]
  assert wordpiece.tokenize(u"unaffable johan xyzzy") == [
      "un", "##aff", "##able", "johan", "[UNK]"]
  assert wordpiece.tokenize(u"") == []


def test_wordpiece_200_character_limit(wordpiece_kwargs):
  vocab = {"[UNK]": 0, "a": 1, "##a": 2, u"é": 3, u"##é": 4}
  wordpiece = tokenization.WordpieceTokenizer(vocab, **wordpiece_kwargs)
  assert wordpiece.tokenize("a" * 200) == ["a"] + ["##a"] * 199
  assert wordpiece.tokenize("a" * 201) == ["[UNK]"]
  # The limit counts characters, not bytes.
  assert len(wordpiece.tokenize(u"é" * 200)) == 200
  assert wordpiece.tokenize(u"é" * 201) == ["[UNK]"]
  short = tokenization.WordpieceTokenizer(vocab, max_input_chars_per_word=3,
                                          **wordpiece_kwargs)
  assert short.tokenize("aaa aaaa") == ["a", "##a", "##a", "[UNK]"]


def test_full_tokenizer_word_limit_and_unknowns(make_tokenizer):
  tokenizer = make_tokenizer()
  long_word = "e" * 200
  assert tokenizer.tokenize(long_word) == ["e"] + ["##e"] * 199
  assert tokenizer.tokenize(long_word + "e house") == ["[UNK]", "house"]
  assert tokenizer.tokenize(u"zebra house qqq") == ["[UNK]", "house", "[UNK]"]


def test_missing_unknown_token_raises_clear_error(wordpiece_kwargs):
  wordpiece = tokenization.WordpieceTokenizer({"a": 0, "##b": 1},
                                              **wordpiece_kwargs)
  assert wordpiece.tokenize("ab a") == ["a", "##b", "a"]
  with pytest.raises(ValueError, match="'zzz' needs the unknown token "
                     r"'\[UNK\]', which is not in the vocabulary"):
    wordpiece.tokenize("a zzz")


# ----------------------------------------------------------------------------
# validate_case_matches_checkpoint
# ----------------------------------------------------------------------------

UNCASED_MODELS = ["uncased_L-12_H-768_A-12", "uncased_L-24_H-1024_A-16",
                  "multilingual_L-12_H-768_A-12", "chinese_L-12_H-768_A-12"]
CASED_MODELS = ["cased_L-12_H-768_A-12", "cased_L-24_H-1024_A-16",
                "multi_cased_L-12_H-768_A-12"]


@pytest.mark.parametrize("model", UNCASED_MODELS)
def test_uncased_checkpoint_needs_lower_casing(model):
  for path in ["/models/%s/bert_model.ckpt" % model,
               "gs://bucket/x/%s/bert_model.ckpt-1000" % model]:
    tokenization.validate_case_matches_checkpoint(True, path)
    with pytest.raises(ValueError) as info:
      tokenization.validate_case_matches_checkpoint(False, path)
    message = str(info.value)
    assert model in message and "--do_lower_case=True" in message
    assert "is an uncased (lower-cased) model" in message
    assert "\n" not in message


@pytest.mark.parametrize("model", CASED_MODELS)
def test_cased_checkpoint_forbids_lower_casing(model):
  path = "/models/%s/bert_model.ckpt" % model
  tokenization.validate_case_matches_checkpoint(False, path)
  with pytest.raises(ValueError) as info:
    tokenization.validate_case_matches_checkpoint(True, path)
  assert model in str(info.value)
  assert "--do_lower_case=False" in str(info.value)
  assert "is a cased model" in str(info.value)


@pytest.mark.parametrize("path", [
    "", None, "/tmp/model.ckpt", "/tmp/my_model/bert_model.ckpt",
    "/tmp/uncased_L-12_H-768_A-12/model.ckpt",
    "/tmp/wwm_uncased_L-24_H-1024_A-16/bert_model.ckpt"])
def test_case_check_ignores_unknown_checkpoints(path):
  tokenization.validate_case_matches_checkpoint(True, path)
  tokenization.validate_case_matches_checkpoint(False, path)


# ----------------------------------------------------------------------------
# Text conversion and vocabulary files
# ----------------------------------------------------------------------------


def test_convert_to_unicode_and_printable_text():
  for convert in (tokenization.convert_to_unicode,
                  tokenization.printable_text):
    assert convert(u"café") == u"café"
    assert convert(u"café".encode("utf-8")) == u"café"
    # Undecodable bytes are dropped.
    assert convert(b"caf\xc3\xa9\xff!") == u"café!"
    with pytest.raises(ValueError, match="Unsupported string type"):
      convert(17)


def test_load_vocab_order_ids_and_stripping(tmp_path):
  path = tmp_path / "vocab.txt"
  path.write_bytes(u"\ufeff[PAD]\r\n  [UNK] \nhello\n\nwörld".encode("utf-8"))
  vocab = tokenization.load_vocab(str(path))
  assert list(vocab.items()) == [("[PAD]", 0), ("[UNK]", 1), ("hello", 2),
                                 ("", 3), (u"wörld", 4)]


def test_load_vocab_through_gfile():
  # TensorFlow's in-memory file system stands in for gs://: a plain open()
  # could not read it.
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  path = "ram://test_tokenization/vocab.txt"
  with tf.io.gfile.GFile(path, "w") as f:
    f.write("[UNK]\nhello\n")
  assert tokenization.load_vocab(path) == {"[UNK]": 0, "hello": 1}
  tokenizer = tokenization.FullTokenizer(path)
  assert tokenizer.tokenize("Hello there") == ["hello", "[UNK]"]


@pytest.mark.parametrize("content,expected", [
    (None, "not found"),
    (b"", "is empty"),
    (b"a\nb\n\xff\xfe\n", "line 3 is not valid UTF-8"),
])
def test_load_vocab_errors_name_the_file(tmp_path, content, expected):
  path = str(tmp_path / "vocab.txt")
  if content is not None:
    with open(path, "wb") as f:
      f.write(content)
  with pytest.raises(ValueError) as info:
    tokenization.FullTokenizer(path)
  message = str(info.value)
  assert path in message and expected in message and "\n" not in message


def test_load_vocab_rejects_directory(tmp_path):
  with pytest.raises(ValueError, match="is a directory"):
    tokenization.load_vocab(str(tmp_path))


def test_import_does_not_load_tensorflow():
  code = ("import sys, tokenization; "
          "print('tensorflow' in sys.modules)")
  run = helpers.run_script(["-c", code])
  assert run.returncode == 0, run.stderr
  assert run.stdout.strip() == "False"


# ----------------------------------------------------------------------------
# Character classes over all of Unicode, against the specification
# ----------------------------------------------------------------------------

_SPEC_CJK = [(0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF),
             (0x2A700, 0x2B73F), (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF),
             (0xF900, 0xFAFF), (0x2F800, 0x2FA1F)]


def _spec_clean_kind(char):
  """What the original's cleaning step does with `char`."""
  cp = ord(char)
  category = unicodedata.category(char)
  if char in u"\t\n\r" or category == "Zs":
    return "space"
  if cp in (0, 0xFFFD) or category in ("Cc", "Cf"):
    return "drop"
  if any(low <= cp <= high for low, high in _SPEC_CJK):
    return "cjk"
  return "keep"


def _spec_is_punctuation(char):
  cp = ord(char)
  return (33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or
          123 <= cp <= 126 or unicodedata.category(char).startswith("P"))


def _spec_basic_tokenize(text, do_lower_case):
  """BasicTokenizer written directly from the original's steps, one at a time."""
  cleaned = u""
  for char in text:
    kind = _spec_clean_kind(char)
    if kind == "space":
      cleaned += u" "
    elif kind == "cjk":
      cleaned += u" %s " % char
    elif kind == "keep":
      cleaned += char
  tokens = []
  for word in cleaned.split():  # like the original, str.split() semantics
    if do_lower_case:
      word = u"".join(c for c in unicodedata.normalize("NFD", word.lower())
                      if unicodedata.category(c) != "Mn")
    current = u""
    for char in word:
      if _spec_is_punctuation(char):
        tokens.extend([current, char])
        current = u""
      else:
        current += char
    tokens.append(current)
  return u" ".join(tokens).split()


def _sweep_chars():
  """All of the BMP and every assigned character above it, except that the
  large supplementary CJK blocks are sampled (every 61st, plus both sides of
  each range edge) to keep the test fast."""
  edges = set()
  for low, high in _SPEC_CJK:
    edges.update((low - 1, low, high, high + 1))
  cps = list(range(0xD800)) + list(range(0xE000, 0x10000))
  for cp in range(0x10000, 0x31350):
    if cp >= 0x20000:
      if cp % 61 == 0 or cp in edges:
        cps.append(cp)
    elif unicodedata.category(chr(cp)) != "Cn":
      cps.append(cp)
  cps.extend(range(0xE0000, 0xE01F0))  # tags (Cf), variation selectors (Mn)
  cps.extend([0xF0000, 0xFFFFD, 0x100000, 0x10FFFD])  # private use
  return [chr(cp) for cp in cps]


def test_code_points_cased():
  chars = _sweep_chars()
  expected = []
  for char in chars:
    kind = _spec_clean_kind(char)
    if kind == "drop":
      expected.append("xy")
    elif kind == "space" or char.isspace():
      # Zl and Zp are kept by cleaning, but str.split() ends a word there.
      expected.extend(("x", "y"))
    elif kind == "cjk" or _spec_is_punctuation(char):
      expected.extend(("x", char, "y"))
    else:
      expected.append("x%sy" % char)
  text = u" ".join(u"x%sy" % char for char in chars)
  assert basic(text, do_lower_case=False) == expected


def test_code_points_uncased():
  words = [u"X%sy" % char for char in _sweep_chars()]
  expected = []
  for word in words:
    expected.extend(_spec_basic_tokenize(word, True))
  assert basic(u" ".join(words), do_lower_case=True) == expected


# ----------------------------------------------------------------------------
# Properties and the cache
# ----------------------------------------------------------------------------

# Characters that exercise every rule, mixed into arbitrary Unicode.
_TRICKY = (u"aAzZ09 \t\n\r.,'$^`~#-_\x00\x01\x0b\x0c\x1c\x1f\x7f\x85\xa0"
           u"\u2000\u2028\u2029\u3000\ufffd\u200b\ufeffé\u0301\u0308İıΣσς"
           u"\u1fef\u037eﬁ\u212a中文\U00020000\uf900한あア¿«»—…€©²\U0001f600")
_TEXT = st.text(alphabet=st.one_of(st.characters(blacklist_categories=("Cs",)),
                                   st.sampled_from(_TRICKY)), max_size=60)
_WORD = st.sampled_from([u"john", u"Johanson's", u"house.", u"unaffable",
                         u"Café", u"中国", u"running", u"$50"])


@pytest.fixture(scope="module")
def all_tokenizers(vocab_file):
  return {(lower, name): tokenization.FullTokenizer(
      vocab_file, do_lower_case=lower, **kwargs)
          for lower in (True, False) for name, kwargs in PATHS.items()}


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(pieces=st.lists(st.one_of(_TEXT, _WORD), max_size=6),
       separator=st.sampled_from([u"", u" ", u"\n"]))
def test_arbitrary_unicode(all_tokenizers, pieces, separator):
  text = separator.join(pieces)
  for lower in (True, False):
    reference = all_tokenizers[(lower, "reference")].tokenize(text)
    for name in PATHS:
      tokenizer = all_tokenizers[(lower, name)]
      tokens = tokenizer.tokenize(text)
      assert tokens == reference, name
      assert all(token in tokenizer.vocab for token in tokens)
      tokenizer.convert_tokens_to_ids(tokens)
    words = basic(text, lower)
    assert words == _spec_basic_tokenize(text, lower)
    assert words == basic(text, lower, fast=False)
    assert all(word and not any(c.isspace() for c in word) for word in words)


@settings(max_examples=200, deadline=None)
@given(vocab=st.lists(st.text(alphabet=u"ab#é", min_size=1, max_size=5),
                      max_size=25),
       text=st.text(alphabet=u"ab#é ", max_size=40),
       limit=st.integers(min_value=1, max_value=12))
def test_wordpiece_fast_matches_reference_on_random_vocabularies(vocab, text,
                                                                  limit):
  vocab = {token: i for i, token in enumerate(["[UNK]"] + vocab)}
  fast = tokenization.WordpieceTokenizer(vocab, max_input_chars_per_word=limit)
  uncached = tokenization.WordpieceTokenizer(
      vocab, max_input_chars_per_word=limit, cache_size=0)
  reference = tokenization.WordpieceTokenizer(
      vocab, max_input_chars_per_word=limit, fast=False)
  expected = reference.tokenize(text)
  assert fast.tokenize(text) == expected
  assert fast.tokenize(text) == expected  # now from the cache
  assert uncached.tokenize(text) == expected


def _varied_text():
  """Lines of mixed scripts, casing, punctuation and numbers."""
  words = (u"The the THE house houses John Johanson's unaffable running "
           u"wanted café Café naïve Zürich 中国人 한국어 ひらがな Σοφία "
           u"$50 3.14 1,000 (a) \"quoted\" don't well-known e-mail "
           u"x\u00a0y tab\there new\nline ¿qué? «oui» zebra qqq").split(u" ")
  lines = []
  for i in range(400):
    line = u" ".join(words[(i * 7 + j * j) % len(words)]
                     for j in range(i % 17 + 1))
    lines.append(line)
  return lines


def test_cached_output_identical_to_uncached(vocab_file):
  lines = _varied_text()
  for lower in (True, False):
    uncached = tokenization.FullTokenizer(vocab_file, lower, cache_size=0)
    reference = tokenization.FullTokenizer(vocab_file, lower, fast=False)
    expected = [reference.tokenize(line) for line in lines]
    assert [uncached.tokenize(line) for line in lines] == expected
    for cache_size in (tokenization.DEFAULT_CACHE_SIZE, 5):
      cached = tokenization.FullTokenizer(vocab_file, lower,
                                          cache_size=cache_size)
      for _ in range(2):  # second round mostly from the cache
        assert [cached.tokenize(line) for line in lines] == expected


def test_cache_is_bounded(vocab_file):
  tokenizer = tokenization.FullTokenizer(vocab_file, cache_size=4)
  for i in range(50):
    tokenizer.tokenize(u"word%d house." % i)
  # pylint: disable=protected-access
  for cache in (tokenizer._chunk_cache,
                tokenizer.wordpiece_tokenizer.split_word):
    assert len(cache) <= 4 and len(cache._previous) <= 4


def test_settings_changed_after_construction_take_effect(vocab_file):
  tokenizer = tokenization.FullTokenizer(vocab_file, do_lower_case=True)
  assert tokenizer.tokenize(u"Café John") == ["cafe", "john"]
  tokenizer.basic_tokenizer.do_lower_case = False
  assert tokenizer.tokenize(u"Café John") == [u"Café", "[UNK]"]
  tokenizer.basic_tokenizer.do_lower_case = True
  tokenizer.wordpiece_tokenizer.max_input_chars_per_word = 3
  assert tokenizer.tokenize(u"Café John") == ["[UNK]", "[UNK]"]
  tokenizer.wordpiece_tokenizer.unk_token = "[MASK]"
  assert tokenizer.tokenize(u"Café") == ["[MASK]"]
