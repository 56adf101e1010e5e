# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Where each character of a normalized or tokenized text came from.

SQuAD answers are character spans of a paragraph, but the paragraph is read
through transformations that change its characters: Unicode normalization
(an answer_start counted in another form than the file is in) and the basic
tokenizer (lower-casing, accent stripping, dropped control characters). To
carry a position back, every transformed character is mapped to the
original character(s) it came from, exactly, without assuming the lengths
match. `squad_lib` uses the maps to find training answers, `squad_answers`
to cut a predicted answer out of the original text.

Plain Python, no TensorFlow.
"""

import functools
import re
import unicodedata

import tokenization

# Hangul vowel and trailing jamo have combining class 0, yet NFC composes
# them with the jamo or syllable before them.
_HANGUL_COMPOSING_JAMO = ((0x1160, 0x11FF), (0xD7B0, 0xD7FF))

# The order in which a training answer's offset is re-read when it does not
# fit the paragraph as given.
NORMALIZATION_FORMS = ("NFC", "NFD", "NFKC", "NFKD")

# Answers are compared under NFKC: canonically or compatibility-equivalent
# spellings ("u" + U+0308 and "\u00fc", "\ufb01" and "fi") are the same answer.
ANSWER_KEY_FORM = "NFKC"


def _starts_cluster(char):
  """Whether `char` begins a new cluster (see `_char_clusters`)."""
  if unicodedata.combining(char) or unicodedata.category(char)[0] == "M":
    return False
  cp = ord(char)
  return not any(low <= cp <= high for (low, high) in _HANGUL_COMPOSING_JAMO)


def _char_clusters(text):
  """Splits `text` into a character + the marks that follow it, each.

  Every transformation the answers go through acts on such clusters
  independently: Unicode normalization decomposes character by character and
  reorders or composes only a starter with the non-starters after it (and
  Hangul jamo); the basic tokenizer's cleaning, lower-casing and accent
  stripping are per character. Whitespace is a cluster of its own.

  Returns:
    list of (start, end) character offsets covering `text` in order.
  """
  if text.isascii():
    return [(i, i + 1) for i in range(len(text))]
  clusters = []
  start = 0
  for i in range(1, len(text)):
    if text[i - 1].isspace() or _starts_cluster(text[i]):
      clusters.append((start, i))
      start = i
  if text:
    clusters.append((start, len(text)))
  return clusters


def _word_clusters(text):
  """Coarser clusters: runs of non-whitespace, and each whitespace char."""
  return [match.span() for match in re.finditer(r"\S+|\s", text)]


def _char_map(text, transform, transformed, clusters=None):
  """Where each character of a transformed text came from.

  Args:
    text: str, the original.
    transform: function str -> str, applied to each cluster of `text`.
    transformed: str, what `transform` gives for the whole text.
    clusters: (optional) list of (start, end), pieces of `text` that
      `transform` treats independently; `_char_clusters(text)` by default.
      Whole words are tried when these do not add up.

  Returns:
    (starts, ends), two lists of ints as long as `transformed`: its
    character j comes from text[starts[j]:ends[j]], the cluster that
    produced it. None when the clusters do not add up to `transformed`
    (then no exact map exists).
  """
  if clusters is None:
    clusters = _char_clusters(text)
  for clusters in (clusters, _word_clusters(text)):
    starts = []
    ends = []
    pieces = []
    for (start, end) in clusters:
      piece = transform(text[start:end])
      pieces.append(piece)
      starts.extend([start] * len(piece))
      ends.extend([end] * len(piece))
    joined = "".join(pieces)
    # Lower-casing a capital sigma depends on its context (a final one
    # becomes "\u03c2"), so characters may differ in case, never in number.
    if len(joined) == len(transformed) and (joined == transformed or all(
        a == b or a.casefold() == b.casefold()
        for (a, b) in zip(joined, transformed))):
      return starts, ends
  return None


def normalization_map(text, form):
  """`text` in a Unicode normalization form, with a map back.

  Returns:
    (normalized, starts, ends) as in `_char_map`, or None.
  """
  normalized = unicodedata.normalize(form, text)
  if normalized == text:
    return normalized, list(range(len(text))), list(range(1, len(text) + 1))
  char_map = _char_map(text, functools.partial(unicodedata.normalize, form),
                       normalized)
  if char_map is None:
    return None
  return (normalized,) + char_map


@functools.lru_cache(maxsize=1 << 16)
def _basic_tokenized(piece, do_lower_case):
  """What the basic tokenizer keeps of `piece`, without token separators."""
  return "".join(
      tokenization.BasicTokenizer(do_lower_case=do_lower_case).tokenize(piece))


def tokenizer_char_map(text, do_lower_case, tokenized):
  """`_char_map` for the basic tokenizer: `tokenized` is its tokens of
  `text` concatenated.

  The tokenizer works character by character (NFD only decomposes), so the
  clusters are single characters, except that with lower-casing the
  combining marks (Mn) it strips go with the character before them; the
  cased tokenizer keeps them, and may split them off (after punctuation).
  """
  if text.isascii():
    # The common case, quicker: each ASCII character is kept as one
    # character or dropped (whitespace, control characters).
    starts = [i for (i, char) in enumerate(text)
              if _basic_tokenized(char, do_lower_case)]
    if len(starts) == len(tokenized):
      return starts, [i + 1 for i in starts]
  clusters = []
  for (i, char) in enumerate(text):
    if (do_lower_case and clusters and not text[i - 1].isspace() and
        unicodedata.category(char) == "Mn"):
      clusters[-1] = (clusters[-1][0], i + 1)
    else:
      clusters.append((i, i + 1))
  return _char_map(
      text, functools.partial(_basic_tokenized, do_lower_case=do_lower_case),
      tokenized, clusters)


def find_normalized(haystack, needle):
  """`haystack`'s own spelling of `needle`, compared under NFKC, or None."""
  key = unicodedata.normalize(ANSWER_KEY_FORM, needle)
  mapped = normalization_map(haystack, ANSWER_KEY_FORM)
  if not key or mapped is None:
    return None
  (normalized, starts, ends) = mapped
  position = normalized.find(key)
  if position == -1:
    return None
  return haystack[starts[position]:ends[position + len(key) - 1]]


def spelled_key(tokens):
  """The text WordPiece tokens spell, NFKC-normalized, for comparisons."""
  text = " ".join(tokens).replace(" ##", "")
  return unicodedata.normalize(ANSWER_KEY_FORM, text)

