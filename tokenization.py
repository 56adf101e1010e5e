# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Text -> WordPiece tokens, the way the released BERT checkpoints expect.

`FullTokenizer` runs two stages:

1. `BasicTokenizer`: drops U+0000, U+FFFD and control characters, turns every
   kind of whitespace into a space, puts spaces around CJK ideographs,
   optionally lower-cases and strips accents, and cuts punctuation into
   tokens of its own.
2. `WordpieceTokenizer`: splits each of those words greedily into the longest
   vocabulary entries, marking non-initial pieces with "##".

Two implementations of the same algorithm live here:

- the fast one (default), which does the character work in a few C-level
  passes over the whole string (regular expressions for ASCII text;
  `str.translate` with lazily filled per-character tables,
  `unicodedata.normalize` and `str.lower` for the rest) and keeps bounded
  caches so that a repeated word is split only once;
- the reference one (`fast=False`), a plain character-by-character rendering
  of the algorithm with no cache. It is the baseline of
  `bench/bench_tokenizer.py` and the oracle the tests compare against.

Both produce identical output. The tokenizers read their settings when they
run, except that the caches assume the vocabulary is not mutated in place
after construction; build a new tokenizer (or pass `cache_size=0`) if you do.

`import tokenization` does not import TensorFlow; `load_vocab` imports it on
first use so that `gs://` vocabularies work through `tf.io.gfile`.
"""

import collections
import itertools
import re
import unicodedata

# Entries per cache generation (one cache for whitespace-separated chunks of
# text, one for words; see _BoundedCache). A few MB of English hold some
# 50,000 distinct chunks, so the frequent ones stay resident; worst case the
# two caches hold a few tens of MB.
DEFAULT_CACHE_SIZE = 1 << 16

# Longer whitespace chunks (URLs, unspaced CJK sentences) rarely repeat, so
# caching them would only push out the words that do.
_MAX_CACHED_CHUNK_CHARS = 64

# The released checkpoints whose case handling is known from their names.
_UNCASED_MODELS = frozenset([
    "uncased_L-24_H-1024_A-16",
    "uncased_L-12_H-768_A-12",
    "multilingual_L-12_H-768_A-12",
    "chinese_L-12_H-768_A-12",
])
_CASED_MODELS = frozenset([
    "cased_L-12_H-768_A-12",
    "cased_L-24_H-1024_A-16",
    "multi_cased_L-12_H-768_A-12",
])
_CHECKPOINT_NAME_RE = re.compile(r"^.*?([A-Za-z0-9_-]+)/bert_model.ckpt")


def validate_case_matches_checkpoint(do_lower_case, init_checkpoint):
  """Raises ValueError if `do_lower_case` contradicts a released checkpoint.

  Only the directory names of Google's released models are recognised (e.g.
  `.../uncased_L-12_H-768_A-12/bert_model.ckpt`); any other path, or an empty
  one, is accepted without comment because its casing cannot be inferred.

  Args:
    do_lower_case: bool, the `--do_lower_case` setting.
    init_checkpoint: str, the `--init_checkpoint` path (may be empty/None).

  Raises:
    ValueError: the checkpoint is a known uncased model and do_lower_case is
      False, or a known cased model and do_lower_case is True.
  """
  if not init_checkpoint:
    return
  match = _CHECKPOINT_NAME_RE.match(init_checkpoint)
  if match is None:
    return
  model_name = match.group(1)
  if model_name in _UNCASED_MODELS and not do_lower_case:
    expected, kind = True, "uncased (lower-cased)"
  elif model_name in _CASED_MODELS and do_lower_case:
    expected, kind = False, "cased"
  else:
    return
  raise ValueError(
      "--do_lower_case=%s does not match --init_checkpoint=%s: `%s` is %s %s "
      "model, so pass --do_lower_case=%s to tokenize the way it was "
      "pre-trained." % (do_lower_case, init_checkpoint, model_name,
                        "an" if kind.startswith("uncased") else "a", kind,
                        expected))


def convert_to_unicode(text):
  """Returns `text` as str; bytes are decoded as UTF-8, bad bytes dropped."""
  if isinstance(text, str):
    return text
  if isinstance(text, bytes):
    return text.decode("utf-8", "ignore")
  raise ValueError("Unsupported string type: %s" % type(text))


def printable_text(text):
  """Returns `text` as a str suitable for logging and printing.

  On Python 3 this is the same as `convert_to_unicode`; the name survives
  because code written for the original library calls it.
  """
  return convert_to_unicode(text)


def _gfile():
  # TensorFlow is imported here, not at module level, so that tools which
  # only tokenize (or test tokenization) do not pay for importing it.
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  return tf.io.gfile


def load_vocab(vocab_file):
  """Reads a vocabulary file: one token per line, id = line number.

  Lines are stripped of surrounding whitespace. A repeated token keeps its
  first position in the ordering and the id of its last line (as the
  original reader did). A UTF-8 byte-order mark at the start is ignored.

  Args:
    vocab_file: local or `gs://` path.

  Returns:
    collections.OrderedDict mapping token (str) -> id (int).

  Raises:
    ValueError: the file is missing, is a directory, is empty or is not
      UTF-8; the message names the file.
  """
  gfile = _gfile()
  if not vocab_file:
    raise ValueError("no vocab file given")
  if not gfile.exists(vocab_file):
    raise ValueError("vocab file %s: not found" % vocab_file)
  if gfile.isdir(vocab_file):
    raise ValueError("vocab file %s: is a directory, expected a file" %
                     vocab_file)
  with gfile.GFile(vocab_file, "rb") as reader:
    data = reader.read()
  try:
    text = data.decode("utf-8")
  except UnicodeDecodeError as e:
    raise ValueError("vocab file %s: line %d is not valid UTF-8" %
                     (vocab_file, data.count(b"\n", 0, e.start) + 1))
  if text.startswith(u"\ufeff"):
    text = text[1:]
  # Split on "\n" only: str.splitlines() would also break on characters
  # such as U+2028 or U+001C, which are legitimate inside a token line.
  lines = text.split("\n")
  if lines[-1] == "":
    lines.pop()
  if not lines:
    raise ValueError("vocab file %s: is empty" % vocab_file)
  vocab = collections.OrderedDict()
  for index, line in enumerate(lines):
    vocab[line.strip()] = index
  return vocab


class VocabLookupError(KeyError, ValueError):
  """A token (or id) is not in the vocabulary.

  A KeyError, as with a plain dict lookup, so existing `except KeyError`
  code keeps working; also a ValueError, so the scripts report it as one
  line of bad input instead of a traceback.
  """

  def __str__(self):
    return self.args[0] if self.args else "not in the vocabulary"


def convert_by_vocab(vocab, items):
  """Maps each item through `vocab` (tokens -> ids or ids -> tokens)."""
  try:
    return [vocab[item] for item in items]
  except KeyError:
    missing = next(item for item in items if item not in vocab)
    raise VocabLookupError("%r is not in the vocabulary (%d entries)" %
                           (missing, len(vocab)))


def convert_tokens_to_ids(vocab, tokens):
  return convert_by_vocab(vocab, tokens)


def convert_ids_to_tokens(inv_vocab, ids):
  return convert_by_vocab(inv_vocab, ids)


def whitespace_tokenize(text):
  """Splits on runs of whitespace; no empty tokens."""
  return text.split()


# ----------------------------------------------------------------------------
# Character classes, as the released vocabularies were built with.
# ----------------------------------------------------------------------------

# CJK Unified Ideographs (base, extensions A-E) and the compatibility blocks.
# Hangul, Hiragana and Katakana are deliberately absent: those scripts use
# spaces and multi-character words.
_CJK_RANGES = (
    (0x4E00, 0x9FFF),
    (0x3400, 0x4DBF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2B73F),
    (0x2B740, 0x2B81F),
    (0x2B820, 0x2CEAF),
    (0xF900, 0xFAFF),
    (0x2F800, 0x2FA1F),
)


def _is_cjk_codepoint(cp):
  for low, high in _CJK_RANGES:
    if low <= cp <= high:
      return True
  return False


def _is_whitespace(char):
  # \t \n \r are category Cc, but they separate words rather than vanish.
  if char in " \t\n\r":
    return True
  return unicodedata.category(char) == "Zs"


def _is_control(char):
  if char in "\t\n\r":
    return False
  return unicodedata.category(char) in ("Cc", "Cf")


def _is_punctuation(char):
  cp = ord(char)
  # ASCII symbols such as $ ^ ` + < = > | ~ are categories S*, not P*, but
  # the vocabularies treat them as punctuation too.
  if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
    return True
  return unicodedata.category(char).startswith("P")


def _is_dropped(char):
  cp = ord(char)
  return cp == 0 or cp == 0xFFFD or _is_control(char)


# ----------------------------------------------------------------------------
# Lazily filled translation tables for the fast path. Each maps a code point
# to what the BasicTokenizer turns it into; `str.translate` consults them from
# C, so the per-character cost is a dict hit once a character has been seen.
# ----------------------------------------------------------------------------

# Past this many remembered code points a table keeps answering but stops
# growing, so adversarial input cannot make it hold all of Unicode.
_MAX_TABLE_ENTRIES = 1 << 18


class _CharTable(dict):
  """dict code point -> replacement, computing missing entries on demand."""

  def __init__(self, rule):
    super(_CharTable, self).__init__()
    self._rule = rule
    for cp in range(128):
      self[cp] = rule(chr(cp))

  def __missing__(self, cp):
    value = self._rule(chr(cp))
    if len(self) < _MAX_TABLE_ENTRIES:
      self[cp] = value
    return value


def _clean_rule(char):
  """Cleaning plus CJK spacing: None (drop), " ", " X " or the char."""
  if _is_dropped(char):
    return None
  if _is_whitespace(char):
    return " "
  if _is_cjk_codepoint(ord(char)):
    return " %s " % char
  return char


def _punct_rule(char):
  return " %s " % char if _is_punctuation(char) else char


def _clean_punct_rule(char):
  # Valid as one table because no character is both punctuation and dropped,
  # whitespace or CJK.
  if _is_punctuation(char):
    return " %s " % char
  return _clean_rule(char)


def _strip_mark_rule(char):
  return None if unicodedata.category(char) == "Mn" else char


_CLEAN_TABLE = _CharTable(_clean_rule)
_PUNCT_TABLE = _CharTable(_punct_rule)
_CLEAN_PUNCT_TABLE = _CharTable(_clean_punct_rule)
_STRIP_MARK_TABLE = _CharTable(_strip_mark_rule)

# Control characters that str.split() treats as separators although the
# tokenizer deletes them (so they must not split a word): VT, FF, the four
# information separators and NEL. Deleting them up front makes str.split()
# cut exactly where the BasicTokenizer would.
_SPLITTING_CONTROLS_RE = re.compile(r"[\x0b\x0c\x1c-\x1f\x85]")


# ASCII text needs no tables: drop the control characters (all but \t \n \r),
# then words are runs of anything but whitespace and ASCII punctuation.
_ASCII_CONTROLS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ASCII_WORDS_RE = re.compile(r"[^\s!-/:-@\[-`{-~]+|[!-/:-@\[-`{-~]")

# Whitespace-delimited chunks holding a non-ASCII character (the capturing
# group keeps them in re.split's output, at odd positions). The look-behind
# anchors a match at a chunk start, which keeps the search linear in the
# chunk length.
_NON_ASCII_CHUNKS_RE = re.compile(r"((?<!\S)\S*[^\x00-\x7f]\S*)")


def _ascii_basic_tokenize(text, do_lower_case):
  if _ASCII_CONTROLS_RE.search(text):
    text = _ASCII_CONTROLS_RE.sub("", text)
  if do_lower_case:
    text = text.lower()
  return _ASCII_WORDS_RE.findall(text)


def _table_basic_tokenize(text, do_lower_case):
  if not do_lower_case:
    return text.translate(_CLEAN_PUNCT_TABLE).split()
  text = text.translate(_CLEAN_TABLE).lower()
  if not text.isascii():
    text = unicodedata.normalize("NFD", text).translate(_STRIP_MARK_TABLE)
  return text.translate(_PUNCT_TABLE).split()


def _fast_basic_tokenize(text, do_lower_case):
  """BasicTokenizer on str `text`, in a few whole-string passes.

  Equal to the word-by-word reference because every step is a
  per-character map or (lower-casing, NFD) independent across the spaces
  between words, so the text may be cut at whitespace and its pieces
  tokenized separately: ASCII stretches by regular expression, chunks with
  other characters through the translation tables (which, being a dict
  lookup per character, are the slower of the two).
  """
  if text.isascii():
    return _ascii_basic_tokenize(text, do_lower_case)
  # Once these are gone, regex \s and str.split() cut only where the
  # tokenizer itself would put a space.
  if _SPLITTING_CONTROLS_RE.search(text):
    text = _SPLITTING_CONTROLS_RE.sub("", text)
  parts = _NON_ASCII_CHUNKS_RE.split(text)
  tokens = _ascii_basic_tokenize(parts[0], do_lower_case)
  for i in range(1, len(parts), 2):
    tokens.extend(_table_basic_tokenize(parts[i], do_lower_case))
    if parts[i + 1]:
      tokens.extend(_ascii_basic_tokenize(parts[i + 1], do_lower_case))
  return tokens


# ----------------------------------------------------------------------------
# Reference path: the algorithm character by character, no tables or caches.
# ----------------------------------------------------------------------------


def _reference_clean(text):
  out = []
  for char in text:
    if _is_dropped(char):
      continue
    if _is_whitespace(char):
      out.append(" ")
    elif _is_cjk_codepoint(ord(char)):
      out.append(" ")
      out.append(char)
      out.append(" ")
    else:
      out.append(char)
  return "".join(out)


def _reference_strip_accents(word):
  return "".join(char for char in unicodedata.normalize("NFD", word)
                 if unicodedata.category(char) != "Mn")


def _reference_split_punctuation(word):
  pieces = []
  current = []
  for char in word:
    if _is_punctuation(char):
      if current:
        pieces.append("".join(current))
        current = []
      pieces.append(char)
    else:
      current.append(char)
  if current:
    pieces.append("".join(current))
  return pieces


def _reference_basic_tokenize(text, do_lower_case):
  words = []
  for word in whitespace_tokenize(_reference_clean(text)):
    if do_lower_case:
      word = _reference_strip_accents(word.lower())
    words.extend(_reference_split_punctuation(word))
  # Lower-casing or NFD could in principle yield whitespace; re-split.
  return whitespace_tokenize(" ".join(words))


class BasicTokenizer(object):
  """Cleaning, CJK spacing, optional lower-casing/accent removal, punctuation.

  Attributes:
    do_lower_case: lower-case, NFD-normalise and drop combining marks (Mn).
      Cased models must keep this False so accents survive.
  """

  def __init__(self, do_lower_case=True, fast=True):
    """Constructs the tokenizer.

    Args:
      do_lower_case: bool, see the class docstring.
      fast: False selects the character-by-character reference path.
    """
    self.do_lower_case = do_lower_case
    self.fast = fast

  def tokenize(self, text):
    """Returns the list of words and punctuation marks in `text`."""
    text = convert_to_unicode(text)
    if self.fast:
      return _fast_basic_tokenize(text, self.do_lower_case)
    return _reference_basic_tokenize(text, self.do_lower_case)


class _BoundedCache(dict):
  """dict key -> compute(key) that fills itself on lookup, within a bound.

  A miss is answered by `__missing__`, so `cache[key]` (and `map` over
  `cache.__getitem__`) stays in C for hits. When `max_entries` is reached
  the entries move to a "previous" generation and the cache starts empty;
  a key found there is copied back instead of recomputed. Frequent keys
  thus survive the turnover without per-hit LRU bookkeeping, and at most
  2 * max_entries entries are held.
  """

  def __init__(self, compute, max_entries, max_key_chars=None):
    super(_BoundedCache, self).__init__()
    self._compute = compute
    self._max_entries = max_entries
    self._max_key_chars = max_key_chars
    self._previous = {}

  def __missing__(self, key):
    value = self._previous.get(key)
    if value is None:
      value = self._compute(key)
    if self._max_entries > 0 and (self._max_key_chars is None or
                                  len(key) <= self._max_key_chars):
      if len(self) >= self._max_entries:
        self._previous = dict(self)
        self.clear()
      self[key] = value
    return value


class WordpieceTokenizer(object):
  """Greedy longest-match-first split of words into vocabulary pieces.

  "unaffable" with pieces {un, ##aff, ##able} gives ["un", "##aff", "##able"].
  A word longer than `max_input_chars_per_word` characters, or one that has a
  stretch no piece covers, becomes the single token `unk_token`.

  If the vocabulary has no `unk_token` and a word needs it, `tokenize` raises
  ValueError naming the word, rather than emit a token that has no id.
  """

  def __init__(self, vocab, unk_token="[UNK]", max_input_chars_per_word=200,
               cache_size=DEFAULT_CACHE_SIZE, fast=True):
    """Constructs the tokenizer.

    Args:
      vocab: token -> id mapping (anything supporting `in` and iteration).
      unk_token: token for words that cannot be split.
      max_input_chars_per_word: longer words become `unk_token`.
      cache_size: words whose pieces are remembered (fast path); 0 disables.
      fast: False selects the reference path (no cache, no length bound).
    """
    self._vocab = vocab
    self._unk_token = unk_token
    self._max_input_chars_per_word = max_input_chars_per_word
    self._cache_size = cache_size
    self.fast = fast
    self.version = 0
    self._reset()

  # Changing any of these invalidates remembered splits; `version` lets
  # FullTokenizer's own cache notice.
  @property
  def vocab(self):
    return self._vocab

  @vocab.setter
  def vocab(self, value):
    self._vocab = value
    self._reset()

  @property
  def unk_token(self):
    return self._unk_token

  @unk_token.setter
  def unk_token(self, value):
    self._unk_token = value
    self._reset()

  @property
  def max_input_chars_per_word(self):
    return self._max_input_chars_per_word

  @max_input_chars_per_word.setter
  def max_input_chars_per_word(self, value):
    self._max_input_chars_per_word = value
    self._reset()

  @property
  def cache_size(self):
    return self._cache_size

  @cache_size.setter
  def cache_size(self, value):
    self._cache_size = value
    self._reset()

  def _reset(self):
    self.version += 1
    # Pieces of one word; words never contain whitespace, so a word is its
    # own cache key.
    self.split_word = _BoundedCache(self._fast_split, self._cache_size)
    # Bodies of the "##" pieces, so a candidate continuation can be looked up
    # without first building the "##"-prefixed string.
    self._continuations = set()
    # Longest vocabulary entry starting with each two-character prefix, for
    # word-initial pieces and for "##" pieces (measured without the "##").
    # A piece of 2+ characters at some position must start with the two
    # characters there, so the greedy search can begin at that length
    # instead of trying every longer substring.
    self._initial_bound = {}
    self._continuation_bound = {}
    for token in self._vocab:
      if not isinstance(token, str) or not token:
        continue
      self._raise_bound(self._initial_bound, token)
      if token.startswith("##") and len(token) > 2:
        self._continuations.add(token[2:])
        self._raise_bound(self._continuation_bound, token[2:])

  @staticmethod
  def _raise_bound(bounds, piece):
    key = piece[:2]
    if bounds.get(key, 0) < len(piece):
      bounds[key] = len(piece)

  def tokenize(self, text):
    """Splits each whitespace-separated word of `text` into pieces.

    Args:
      text: str or UTF-8 bytes, normally one word from BasicTokenizer.

    Returns:
      list of str pieces, each in the vocabulary.
    """
    text = convert_to_unicode(text)
    if not self.fast:
      output = []
      for word in whitespace_tokenize(text):
        output.extend(self._reference_split(word))
      return output
    return list(itertools.chain.from_iterable(
        map(self.split_word.__getitem__, text.split())))

  def _unknown(self, word):
    if self._unk_token not in self._vocab:
      raise ValueError(
          "word %r needs the unknown token %r, which is not in the "
          "vocabulary" % (word, self._unk_token))
    return (self._unk_token,)

  def _fast_split(self, word):
    """Pieces of `word` (no whitespace) as a tuple; the uncached fast path."""
    length = len(word)
    if length > self._max_input_chars_per_word:
      return self._unknown(word)
    vocab = self._vocab
    if word in vocab:
      return (word,)
    # Single characters are always tried; longer pieces only up to the
    # longest entry sharing their first two characters (bounds are >= 1).
    end = self._initial_bound.get(word[:2], 1)
    if end > length:
      end = length
    while end > 0:
      if word[:end] in vocab:
        break
      end -= 1
    else:
      return self._unknown(word)
    pieces = [word[:end]]
    start = end
    continuations = self._continuations
    bounds = self._continuation_bound
    while start < length:
      end = start + bounds.get(word[start:start + 2], 1)
      if end > length:
        end = length
      while end > start:
        if word[start:end] in continuations:
          break
        end -= 1
      else:
        return self._unknown(word)
      pieces.append("##" + word[start:end])
      start = end
    return tuple(pieces)

  def _reference_split(self, word):
    chars = list(word)
    if len(chars) > self._max_input_chars_per_word:
      return list(self._unknown(word))
    pieces = []
    start = 0
    while start < len(chars):
      end = len(chars)
      found = None
      while start < end:
        candidate = "".join(chars[start:end])
        if start > 0:
          candidate = "##" + candidate
        if candidate in self._vocab:
          found = candidate
          break
        end -= 1
      if found is None:
        return list(self._unknown(word))
      pieces.append(found)
      start = end
    return pieces


class FullTokenizer(object):
  """BasicTokenizer followed by WordpieceTokenizer, plus id conversion.

  On the fast path with caching on, a bounded cache maps each
  whitespace-separated chunk of the input (e.g. "house." or "Johanson's") to
  its final pieces, so a repeated chunk costs one dict lookup; chunks seen
  for the first time still reuse the per-word cache of the
  WordpieceTokenizer.
  """

  def __init__(self, vocab_file, do_lower_case=True,
               cache_size=DEFAULT_CACHE_SIZE, fast=True):
    """Constructs the tokenizer.

    Args:
      vocab_file: vocabulary file (local or gs://), one token per line.
      do_lower_case: must match how the checkpoint was pre-trained.
      cache_size: entries per cache on the fast path; 0 disables caching.
      fast: False selects the reference (character by character) path.
    """
    self.vocab = load_vocab(vocab_file)
    self.inv_vocab = {v: k for k, v in self.vocab.items()}
    self.basic_tokenizer = BasicTokenizer(do_lower_case=do_lower_case,
                                          fast=fast)
    self.wordpiece_tokenizer = WordpieceTokenizer(
        vocab=self.vocab, cache_size=cache_size, fast=fast)
    self.cache_size = cache_size
    self._chunk_cache = None
    self._chunk_cache_state = None

  def tokenize(self, text):
    """Returns the WordPiece tokens of `text` (str or UTF-8 bytes)."""
    basic = self.basic_tokenizer
    wordpiece = self.wordpiece_tokenizer
    # Sub-tokenizers replaced by other classes get the plain composition.
    if (type(basic) is BasicTokenizer and
        type(wordpiece) is WordpieceTokenizer and basic.fast and
        wordpiece.fast):
      text = convert_to_unicode(text)
      if self.cache_size > 0:
        return self._tokenize_chunks(text, basic, wordpiece)
      # Words from the BasicTokenizer hold no whitespace, so each goes to
      # the word splitter directly.
      return list(itertools.chain.from_iterable(
          map(wordpiece.split_word.__getitem__,
              _fast_basic_tokenize(text, basic.do_lower_case))))
    split_tokens = []
    for token in basic.tokenize(text):
      split_tokens.extend(wordpiece.tokenize(token))
    return split_tokens

  def _tokenize_chunks(self, text, basic, wordpiece):
    state = (basic, basic.do_lower_case, wordpiece, wordpiece.version,
             self.cache_size)
    if state != self._chunk_cache_state:
      do_lower_case = basic.do_lower_case
      split_word = wordpiece.split_word

      def split_chunk(chunk):
        # Most chunks are plain ASCII words, which need no regex.
        if chunk.isascii() and chunk.isalnum():
          return split_word[chunk.lower() if do_lower_case else chunk]
        words = _fast_basic_tokenize(chunk, do_lower_case)
        if len(words) == 1:
          return split_word[words[0]]
        return tuple(itertools.chain.from_iterable(map(split_word.__getitem__,
                                                       words)))

      self._chunk_cache = _BoundedCache(split_chunk, self.cache_size,
                                        _MAX_CACHED_CHUNK_CHARS)
      self._chunk_cache_state = state
    if _SPLITTING_CONTROLS_RE.search(text):
      text = _SPLITTING_CONTROLS_RE.sub("", text)
    # str.split() now cuts exactly where the BasicTokenizer puts a space
    # (\t \n \r, Zs, and U+2028/U+2029, which it keeps but splits on), and
    # tokenization is independent across those cuts.
    return list(itertools.chain.from_iterable(
        map(self._chunk_cache.__getitem__, text.split())))

  def convert_tokens_to_ids(self, tokens):
    return convert_by_vocab(self.vocab, tokens)

  def convert_ids_to_tokens(self, ids):
    return convert_by_vocab(self.inv_vocab, ids)


# ----------------------------------------------------------------------------
# Sentence pairs
# ----------------------------------------------------------------------------


def truncate_seq_pair(tokens_a, tokens_b, max_length):
  """Shortens a token pair in place to at most `max_length` tokens in total.

  One token at a time comes off the end of the longer list: a short sentence
  holds proportionally more information per token than a long one, so it is
  better kept whole.

  Args:
    tokens_a: list of tokens (modified in place).
    tokens_b: list of tokens (modified in place).
    max_length: int, the budget for both together.
  """
  while len(tokens_a) + len(tokens_b) > max_length:
    if len(tokens_a) > len(tokens_b):
      tokens_a.pop()
    else:
      tokens_b.pop()
