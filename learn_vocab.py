# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Learns a WordPiece vocabulary (`vocab.txt`) from raw text.

The original BERT release ships vocabularies but no way to make one. This
script fills that gap, so a model can be pre-trained from scratch on any
text. The output loads as is in `tokenization.FullTokenizer`:

- the special tokens first: [PAD] [UNK] [CLS] [SEP] [MASK];
- every character seen in the corpus, both as a word start (`c`) and as a
  continuation (`##c`), so that any word made of seen characters can be
  tokenized and [UNK] is only produced for characters never seen;
- then word pieces learned by repeatedly merging the most frequent pair of
  adjacent pieces (byte-pair-encoding style, counted over the words that
  `tokenization.BasicTokenizer` produces), until `--vocab_size` tokens or no
  pair occurs at least `--min_frequency` times.

Example:

  python learn_vocab.py --input_file=sample_text.txt \
    --output_file=vocab.txt --vocab_size=1000 --do_lower_case=True
"""

import collections
import heapq
import os

# First of all: it imports TensorFlow keeping its own messages out of the
# default log (shown with -v 1).
import tf_quiet  # pylint: disable=unused-import,g-bad-import-order
from absl import flags
import tensorflow as tf

import script_settings
import script_utils
import tokenization

tf1 = tf.compat.v1
FLAGS = flags.FLAGS

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
CONTINUATION = "##"

# WordpieceTokenizer turns longer words into [UNK] whole; they teach nothing.
MAX_WORD_CHARS = 200


def define_flags(flag_values=flags.FLAGS):
  """Defines the script's flags on `flag_values` (only when run as a
  script, or by `script_settings.defaults`)."""
  define = script_utils.flag_definers(flag_values)
  define.string(
      "input_file", None,
      "Raw text file(s) to learn from: a comma-separated list of files or "
      "globs. Any layout works; the same files as for "
      "create_pretraining_data.py are the natural choice.")
  define.string("output_file", None,
                "Where to write the vocabulary, one token per line.")
  define.integer(
      "vocab_size", 30000,
      "Upper bound on the number of tokens, special tokens and characters "
      "included.")
  define.bool(
      "do_lower_case", True,
      "Lower-case and strip accents before learning (must match the "
      "--do_lower_case used later with this vocabulary).")
  define.integer(
      "min_frequency", 2,
      "A pair of pieces is merged only if it occurs at least this many times.")


# ----------------------------------------------------------------------------
# Counting words
# ----------------------------------------------------------------------------


def count_words(input_files, do_lower_case):
  """Counts the words `BasicTokenizer` splits the corpus into.

  Args:
    input_files: list of text file paths.
    do_lower_case: bool, passed to the BasicTokenizer.

  Returns:
    collections.Counter of word -> occurrences.
  """
  basic_tokenizer = tokenization.BasicTokenizer(do_lower_case=do_lower_case)
  counts = collections.Counter()
  progress = script_utils.ProgressLogger("Counting words (lines)")
  for input_file in input_files:
    for line in script_utils.read_text_lines(input_file):
      counts.update(basic_tokenizer.tokenize(line))
      progress.update()
  return counts


def word_to_symbols(word):
  """Splits a word into single-character pieces: `c`, `##c`, `##c`, ..."""
  return [word[0]] + [CONTINUATION + c for c in word[1:]]


def merge_symbols(left, right):
  """The piece that two adjacent pieces become (`ab` + `##c` -> `abc`)."""
  return left + right[len(CONTINUATION):]


def alphabet_tokens(word_counts):
  """Every character seen, as a word start and as a continuation.

  Both forms for every character, so greedy longest-match tokenization can
  always fall back to single characters wherever a character appears.
  """
  chars = set()
  for word in word_counts:
    chars.update(word)
  chars = sorted(chars)
  return chars + [CONTINUATION + c for c in chars]


# ----------------------------------------------------------------------------
# Learning merges
# ----------------------------------------------------------------------------


class _PairCounter(object):
  """Weighted counts of adjacent piece pairs, updated incrementally.

  Only the words that contain the merged pair are re-counted after a merge,
  and the most frequent pair is kept in a heap with stale entries skipped,
  so learning 30k pieces over a large corpus stays fast.
  """

  def __init__(self, words, freqs):
    self.words = words
    self.freqs = freqs
    self.counts = collections.defaultdict(int)
    self.where = collections.defaultdict(set)
    for (word_index, symbols) in enumerate(words):
      self._add(word_index, symbols, 1)
    self.heap = [(-count, pair) for (pair, count) in self.counts.items()]
    heapq.heapify(self.heap)

  def _add(self, word_index, symbols, sign):
    freq = self.freqs[word_index] * sign
    for pair in zip(symbols, symbols[1:]):
      self.counts[pair] += freq
      if sign > 0:
        self.where[pair].add(word_index)

  def best(self, min_frequency):
    """The most frequent pair (ties: the smallest), or None."""
    while self.heap:
      neg_count, pair = self.heap[0]
      count = self.counts.get(pair, 0)
      if -neg_count != count:
        # Stale entry: the count changed since it was pushed.
        heapq.heappop(self.heap)
        if count > 0:
          heapq.heappush(self.heap, (-count, pair))
        continue
      if count < min_frequency:
        return None
      return pair
    return None

  def merge(self, pair):
    """Replaces every occurrence of `pair` by its merged piece."""
    merged = merge_symbols(*pair)
    touched = set()
    for word_index in self.where.pop(pair, ()):
      symbols = self.words[word_index]
      new_symbols = []
      i = 0
      while i < len(symbols):
        if (i + 1 < len(symbols) and symbols[i] == pair[0] and
            symbols[i + 1] == pair[1]):
          new_symbols.append(merged)
          i += 2
        else:
          new_symbols.append(symbols[i])
          i += 1
      if len(new_symbols) == len(symbols):
        continue
      self._add(word_index, symbols, -1)
      self._add(word_index, new_symbols, 1)
      self.words[word_index] = new_symbols
      touched.update(zip(new_symbols, new_symbols[1:]))
    self.counts.pop(pair, None)
    for other in touched:
      count = self.counts.get(other, 0)
      if count > 0:
        heapq.heappush(self.heap, (-count, other))
    return merged


def learn_vocab(word_counts, vocab_size, min_frequency=2):
  """Learns a WordPiece vocabulary from word counts.

  Args:
    word_counts: dict of word -> occurrences (words as BasicTokenizer gives
      them, already lower-cased if wanted).
    vocab_size: int, upper bound on the vocabulary size.
    min_frequency: int, the least number of occurrences of a pair to merge.

  Returns:
    list of tokens: special tokens, the alphabet, then learned pieces in the
    order they were learned.

  Raises:
    script_utils.UsageError: if the special tokens and the alphabet alone do
      not fit in `vocab_size`.
  """
  words = sorted(w for w in word_counts if 0 < len(w) <= MAX_WORD_CHARS)
  alphabet = alphabet_tokens(words)
  vocab = list(SPECIAL_TOKENS) + alphabet
  if len(vocab) > vocab_size:
    raise script_utils.UsageError(
        "--vocab_size=%d is too small: the corpus has %d distinct characters, "
        "which with their ## forms and the %d special tokens need %d entries" %
        (vocab_size, len(alphabet) // 2, len(SPECIAL_TOKENS), len(vocab)))
  seen = set(vocab)

  counter = _PairCounter([word_to_symbols(w) for w in words],
                         [word_counts[w] for w in words])
  progress = script_utils.ProgressLogger("Learning pieces",
                                         total=vocab_size - len(vocab))
  while len(vocab) < vocab_size:
    pair = counter.best(min_frequency)
    if pair is None:
      break
    merged = counter.merge(pair)
    # Different merges can spell the same piece ("a"+"##bc", "ab"+"##c").
    if merged not in seen:
      seen.add(merged)
      vocab.append(merged)
      progress.update()
  return vocab


def write_vocab(vocab, output_file):
  """Writes one token per line, atomically."""
  with script_utils.atomic_output(output_file) as writer:
    writer.write("".join(token + "\n" for token in vocab))


# ----------------------------------------------------------------------------
# Script
# ----------------------------------------------------------------------------


def run(settings):
  """Learns and writes the vocabulary: `settings` has one value per flag
  (see `script_settings`)."""
  script_utils.require_flags(settings, ["input_file", "output_file"])
  if settings.min_frequency < 1:
    raise script_utils.UsageError("--min_frequency must be >= 1")
  input_files = script_utils.expand_file_patterns(settings.input_file,
                                                  "input_file")
  script_utils.check_output_file(settings.output_file)

  word_counts = count_words(input_files, settings.do_lower_case)
  if not word_counts:
    raise script_utils.UsageError("--input_file=%s contains no words" %
                                  settings.input_file)
  tf1.logging.info("%d distinct words, %d in total", len(word_counts),
                   sum(word_counts.values()))

  vocab = learn_vocab(word_counts, settings.vocab_size, settings.min_frequency)
  output_parent = os.path.dirname(settings.output_file)
  if output_parent:
    tf.io.gfile.makedirs(output_parent)
  write_vocab(vocab, settings.output_file)
  tf1.logging.info("Wrote %d tokens to %s", len(vocab), settings.output_file)


def main(_):
  run(script_settings.from_flags(FLAGS))


if __name__ == "__main__":
  define_flags()
  script_utils.run(main)
