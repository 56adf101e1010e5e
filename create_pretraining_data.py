# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Turns raw text into masked-LM / next-sentence pre-training records.

Input: plain text files, one sentence per line, documents separated by blank
lines. Output: TFRecord files of `tf.train.Example`s in the schema that
`run_pretraining.py` reads.

The recipe follows the BERT paper and its reference implementation:

1. Read every document of every input file and shuffle the documents.
   Unlike the reference code, a single document is refused: a random next
   segment must come from another document, and the reference silently took
   it from the same one.
2. Make `dupe_factor` passes over them; each pass cuts every document into
   training instances, so every pass sees the same text with a fresh choice
   of segment boundaries, random next sentences and masks. How many tokens
   an instance aims for is drawn once per document and pass, as in the
   reference code: with probability `short_seq_prob` the whole document is
   cut to one random shorter length. `--short_seq_draw=per_instance` draws
   it for every instance instead, which gives fewer, longer instances (see
   `create_instances_from_document`).
3. Shuffle all instances and write them round-robin to the output files.

Everything random is drawn from one `random.Random(random_seed)`, so the same
seed and input give byte-identical output files.

All of this holds every document and instance in memory, as the reference
code does. `--streaming=true` makes the same instances with the same
functions from documents read one at a time, in memory bounded by flags:
random next segments come from a pool of other documents and records are
shuffled within a buffer; the input is cut into one part per output file,
and `--num_workers` processes make the parts in parallel (see
`write_streaming_records`).

Example:

  python create_pretraining_data.py \
    --input_file=sample_text.txt --output_file=/tmp/tf_examples.tfrecord \
    --vocab_file=vocab.txt --do_lower_case=True --max_seq_length=128 \
    --max_predictions_per_seq=20 --masked_lm_prob=0.15 --dupe_factor=5
"""

import collections
import itertools
import multiprocessing
import multiprocessing.connection
import os
import pickle
import random
import string
import sys
import threading
import time
import traceback

# First of all: it imports TensorFlow keeping its own messages out of the
# default log (shown with -v 1).
import tf_quiet  # pylint: disable=unused-import,g-bad-import-order
from absl import flags
import tensorflow as tf

import record_utils
import script_utils
import tokenization

tf1 = tf.compat.v1
FLAGS = flags.FLAGS

# The record features are shared with every other script that writes records.
create_int_feature = record_utils.create_int_feature
create_float_feature = record_utils.create_float_feature

# Tokens the instances are built from; the vocabulary must contain them.
CLS_TOKEN = "[CLS]"
SEP_TOKEN = "[SEP]"
MASK_TOKEN = "[MASK]"
UNK_TOKEN = "[UNK]"
REQUIRED_TOKENS = (CLS_TOKEN, SEP_TOKEN, MASK_TOKEN, UNK_TOKEN)

# The record features, in the order they are logged.
FEATURE_NAMES = ("input_ids", "input_mask", "segment_ids",
                 "masked_lm_positions", "masked_lm_ids", "masked_lm_weights",
                 "next_sentence_labels")

# How many instances are logged in full while writing, as a sanity check.
NUM_LOGGED_INSTANCES = 20

# When the target length of instances is drawn (see
# create_instances_from_document); the first is the reference code's.
PER_DOCUMENT = "per_document"
PER_INSTANCE = "per_instance"
SHORT_SEQ_DRAWS = (PER_DOCUMENT, PER_INSTANCE)


def define_flags():
  """Defines the command-line flags (only when run as a script).

  Kept out of import time so that the library functions can be imported next
  to other scripts' modules, which define flags with the same names.
  """
  flags.DEFINE_string(
      "input_file", None,
      "Raw text to learn from: files or globs, comma-separated. One sentence "
      "per line; a blank line (or the end of a file) ends a document. At "
      "least two documents: random next sentences come from another one.")
  flags.DEFINE_string(
      "output_file", None,
      "TFRecord file(s) to write, comma-separated; or, with "
      "--num_output_shards, one name with the fields {shard} and optionally "
      "{num_shards}, e.g. out-{shard:05d}-of-{num_shards:05d}.tfrecord. "
      "In-memory mode deals instances out to the files in turn; streaming "
      "mode writes each file from its own part of the input.")
  flags.DEFINE_integer(
      "num_output_shards", 0,
      "Number of output files named by the --output_file pattern; 0: "
      "--output_file lists the files.")
  flags.DEFINE_bool(
      "streaming", False,
      "Read documents lazily and write records as they are made, in memory "
      "bounded by --max_documents_in_memory and --shuffle_buffer_size "
      "rather than by the corpus. Random next sentences come from a pool of "
      "documents instead of the whole corpus, and records are shuffled "
      "within a buffer (see the README). False: the original in-memory "
      "algorithm, whose output for a seed is unchanged.")
  flags.DEFINE_integer(
      "max_documents_in_memory", 1000,
      "Streaming: size of the pool of documents random next sentences are "
      "drawn from (a uniform sample of the documents read so far).")
  flags.DEFINE_integer(
      "shuffle_buffer_size", 20000,
      "Streaming: records shuffled together before they are written.")
  flags.DEFINE_integer(
      "num_workers", 1,
      "Streaming: processes making records in parallel, each a part of the "
      "input (one per output file, so at most that many). The output for a "
      "seed does not depend on it.")
  flags.DEFINE_string("vocab_file", None,
                      "vocab.txt of the model the data is for.")
  flags.DEFINE_bool(
      "do_lower_case", True,
      "Lower-case and strip accents (uncased models); False keeps the text "
      "as is (cased models).")
  flags.DEFINE_bool(
      "do_whole_word_mask", False,
      "Choose whole words for masking, a word together with all of its ## "
      "pieces, rather than single pieces.")
  flags.DEFINE_integer(
      "max_seq_length", 128,
      "Length of every instance in tokens, [CLS] and both [SEP]s included.")
  flags.DEFINE_integer("max_predictions_per_seq", 20,
                       "Upper limit on masked positions in one instance.")
  flags.DEFINE_integer(
      "random_seed", 12345,
      "Seed of every random choice; the same seed and input give "
      "byte-identical output.")
  flags.DEFINE_integer(
      "dupe_factor", 10,
      "Passes over the input, each with new sentence pairs and masks.")
  flags.DEFINE_float("masked_lm_prob", 0.15,
                     "Fraction of each instance's tokens to mask.")
  flags.DEFINE_float(
      "short_seq_prob", 0.1,
      "Probability of aiming for a random length below max_seq_length, so "
      "the model also sees short inputs; drawn per document or per instance "
      "(--short_seq_draw).")
  flags.DEFINE_enum(
      "short_seq_draw", "per_document", list(SHORT_SEQ_DRAWS),
      "per_document (the original's): one draw per document and pass, so a "
      "document that draws a short length is cut entirely into short "
      "instances. per_instance: one draw per instance, so the share of short "
      "instances is close to short_seq_prob; fewer, longer instances from "
      "the same text (5% fewer on bench/bench_pretraining_data.py's corpus).")


class TrainingInstance(object):
  """One pre-training example: a sentence pair with its masked positions.

  Attributes:
    tokens: list of WordPiece strings, `[CLS] A [SEP] B [SEP]`, with the
      masked positions already replaced.
    segment_ids: list of ints, 0 for `[CLS] A [SEP]` and 1 for `B [SEP]`.
    masked_lm_positions: sorted list of the masked token indexes.
    masked_lm_labels: list of the original tokens at those positions.
    is_random_next: bool, True when B was taken from another document.
  """

  def __init__(self, tokens, segment_ids, masked_lm_positions,
               masked_lm_labels, is_random_next):
    self.tokens = tokens
    self.segment_ids = segment_ids
    self.is_random_next = is_random_next
    self.masked_lm_positions = masked_lm_positions
    self.masked_lm_labels = masked_lm_labels

  def __str__(self):
    printable = tokenization.printable_text
    lines = [
        "tokens: %s" % " ".join(printable(t) for t in self.tokens),
        "segment_ids: %s" % " ".join(str(s) for s in self.segment_ids),
        "is_random_next: %s" % self.is_random_next,
        "masked_lm_positions: %s" %
        " ".join(str(p) for p in self.masked_lm_positions),
        "masked_lm_labels: %s" %
        " ".join(printable(t) for t in self.masked_lm_labels),
    ]
    return "\n".join(lines) + "\n"

  def __repr__(self):
    return self.__str__()


# ----------------------------------------------------------------------------
# Reading documents
# ----------------------------------------------------------------------------


def read_documents(input_files, tokenizer):
  """Reads and tokenizes every document of every input file.

  Args:
    input_files: list of text file paths (local or gs://).
    tokenizer: anything with `tokenize(text)` -> list of tokens.

  Returns:
    list of documents; a document is a list of sentences and a sentence a
    non-empty list of tokens. Documents without any tokens are dropped.
  """
  progress = script_utils.ProgressLogger("Reading input lines")
  all_documents = []
  for input_file in input_files:
    all_documents.extend(documents_from_lines(
        _counted(script_utils.read_text_lines(input_file), progress),
        tokenizer))
  return all_documents


def _counted(items, progress):
  for item in items:
    progress.update()
    yield item


def documents_from_lines(lines, tokenizer):
  """Yields the tokenized documents of one file's lines, one at a time.

  A blank line ends a document, and so does the end of the lines (a file
  boundary), even without a trailing blank line.

  Args:
    lines: iterable of str, the lines of one text file.
    tokenizer: anything with `tokenize(text)` -> list of tokens.

  Yields:
    A document: a non-empty list of sentences, each a non-empty list of
    tokens. Documents without any tokens are skipped.
  """
  document = []
  for raw_line in lines:
    line = raw_line.strip()
    if not line:
      if document:
        yield document
      document = []
      continue
    tokens = tokenizer.tokenize(line)
    if tokens:
      document.append(tokens)
  if document:
    yield document


def create_training_instances(input_files, tokenizer, max_seq_length,
                              dupe_factor, short_seq_prob, masked_lm_prob,
                              max_predictions_per_seq, rng,
                              do_whole_word_mask=False,
                              short_seq_draw=PER_DOCUMENT):
  """Builds the shuffled list of `TrainingInstance`s from raw text files.

  Args:
    input_files: list of text file paths.
    tokenizer: `tokenization.FullTokenizer` (or anything with `tokenize` and
      a `vocab` dict).
    max_seq_length: int, length of every instance including [CLS]/[SEP].
    dupe_factor: int, passes over the data, each with fresh random choices.
    short_seq_prob: float, probability of a shorter-than-maximum target.
    masked_lm_prob: float, fraction of tokens to mask.
    max_predictions_per_seq: int, cap on masked positions per instance.
    rng: `random.Random`, the only source of randomness.
    do_whole_word_mask: bool, mask a word and all its ## pieces together.
    short_seq_draw: "per_document" (the reference code's) or
      "per_instance", see `create_instances_from_document`.

  Returns:
    list of `TrainingInstance` (empty when the files hold no text).

  Raises:
    ValueError: `short_seq_draw` is neither of the two.
    script_utils.UsageError: the files hold a single document, so no
      instance could have a random next segment from another document. The
      reference code went on and labelled segments of that same document
      "random next".
  """
  # Checked before the (possibly long) reading of the input.
  _check_short_seq_draw(short_seq_draw)
  all_documents = read_documents(input_files, tokenizer)
  if len(all_documents) == 1:
    raise script_utils.UsageError(
        "--input_file=%s holds a single document; random next sentences "
        "need at least two (documents are separated by blank lines)" %
        ",".join(input_files))
  rng.shuffle(all_documents)

  # In id order (load_vocab keeps the file order), so the random replacement
  # tokens are reproducible for a given seed.
  vocab_words = list(tokenizer.vocab.keys())
  instances = []
  progress = script_utils.ProgressLogger(
      "Creating instances (documents)",
      total=dupe_factor * len(all_documents))
  for _ in range(dupe_factor):
    for document_index in range(len(all_documents)):
      instances.extend(
          create_instances_from_document(
              all_documents, document_index, max_seq_length, short_seq_prob,
              masked_lm_prob, max_predictions_per_seq, vocab_words, rng,
              do_whole_word_mask=do_whole_word_mask,
              short_seq_draw=short_seq_draw))
      progress.update()

  rng.shuffle(instances)
  return instances


# ----------------------------------------------------------------------------
# Cutting a document into sentence pairs
# ----------------------------------------------------------------------------


def choose_target_length(max_num_tokens, short_seq_prob, rng):
  """Draws how many tokens instances should try to fill.

  Usually the full `max_num_tokens`, so no compute is wasted on padding; but
  fine-tuning and inference mostly see short sequences, so a fraction
  `short_seq_prob` of targets is drawn uniformly from [2, max_num_tokens] to
  keep pre-training and later use from differing too much. The draws are
  the reference code's, in its order (a float, then the length only when
  it is short), so a seed gives its choices.
  """
  if rng.random() < short_seq_prob:
    return rng.randint(2, max_num_tokens)
  return max_num_tokens


def _check_short_seq_draw(short_seq_draw):
  if short_seq_draw not in SHORT_SEQ_DRAWS:
    raise ValueError("short_seq_draw must be one of %s, not %r" %
                     (", ".join(SHORT_SEQ_DRAWS), short_seq_draw))


def _random_other_document(all_documents, document_index, rng):
  """Index of another document with text, drawn uniformly, for a random B.

  The reference implementation draws a document index up to 10 times until
  it differs from the current one and, if all 10 draws hit it, silently uses
  the current document: B is then labelled "random next" although it comes
  from A's own document, and may even be A's true continuation. That happens
  on every draw with one document, and on 1 draw in 1024 with two.

  Here the same first draws are made, so the output is unchanged wherever the
  reference found another document; only when they all fail is the document
  drawn directly among the others. Both ways give every other document with
  text the same chance, and never the current one. Empty documents are
  skipped (the reference code would fail on them); `read_documents` drops
  them anyway.

  Raises:
    ValueError: no other document has text, so there is no random B.
  """
  for _ in range(10):
    index = rng.randint(0, len(all_documents) - 1)
    if index != document_index and all_documents[index]:
      return index
  others = [index for (index, document) in enumerate(all_documents)
            if index != document_index and document]
  if not others:
    raise ValueError(
        "a random next sentence for document %d needs another document with "
        "text, and the other %d document(s) have none" %
        (document_index, len(all_documents) - 1))
  return rng.choice(others)


def create_instances_from_document(all_documents, document_index,
                                   max_seq_length, short_seq_prob,
                                   masked_lm_prob, max_predictions_per_seq,
                                   vocab_words, rng, do_whole_word_mask=False,
                                   short_seq_draw=PER_DOCUMENT):
  """Cuts one document into `TrainingInstance`s.

  The reference implementation's algorithm: each instance takes whole
  sentences until they reach a target length (see `choose_target_length`)
  or the document ends. A random number of these leading sentences becomes
  segment A. Half the time, and always when there is only one sentence,
  segment B is a random stretch of another document (never this one, see
  `_random_other_document`) and the sentences after A are left for the
  next instance, so no text is wasted; otherwise B is the sentences after
  A: the actual continuation.

  The target length is drawn, by default, once for the whole document
  before it is cut, as the reference code does ("per_document"): a document
  that draws a short target is cut into many short instances, so more than
  `short_seq_prob` of the instances are short and the same text gives more
  instances. "per_instance" draws a target for every instance instead,
  which makes the share of short instances about `short_seq_prob` (this
  project's only way before --short_seq_draw existed).

  Args:
    all_documents: list of documents (lists of sentences, each a list of
      tokens).
    document_index: int, the document to cut.
    max_seq_length: int, length including [CLS] and two [SEP].
    short_seq_prob: float, see `choose_target_length`.
    masked_lm_prob: float, fraction of tokens to mask.
    max_predictions_per_seq: int, cap on masked positions.
    vocab_words: list of vocabulary tokens for random replacement.
    rng: `random.Random`.
    do_whole_word_mask: bool.
    short_seq_draw: "per_document" or "per_instance", see above.

  Returns:
    list of `TrainingInstance`.

  Raises:
    ValueError: a random next segment is needed and no other document of
      `all_documents` has text, or `short_seq_draw` is neither of the two.
  """
  _check_short_seq_draw(short_seq_draw)
  document = all_documents[document_index]
  # [CLS] and the two [SEP]s take three of the max_seq_length slots.
  max_num_tokens = max_seq_length - 3
  if short_seq_draw == PER_DOCUMENT:
    # Drawn before the document is cut, where the reference code draws it,
    # so a seed gives the reference code's random choices from here on.
    target_length = choose_target_length(max_num_tokens, short_seq_prob, rng)

  instances = []
  start = 0
  while start < len(document):
    if short_seq_draw == PER_INSTANCE:
      target_length = choose_target_length(max_num_tokens, short_seq_prob,
                                           rng)
    chunk = document[start:_chunk_end(document, start, target_length)]
    tokens_a, tokens_b, is_random_next, num_used = _sentence_pair(
        chunk, target_length, all_documents, document_index, rng)
    start += num_used

    truncate_seq_pair(tokens_a, tokens_b, max_num_tokens, rng)
    assert tokens_a and tokens_b

    tokens, segment_ids = _join_pair(tokens_a, tokens_b)
    (tokens, masked_lm_positions,
     masked_lm_labels) = create_masked_lm_predictions(
         tokens, masked_lm_prob, max_predictions_per_seq, vocab_words, rng,
         do_whole_word_mask=do_whole_word_mask)
    instances.append(
        TrainingInstance(
            tokens=tokens,
            segment_ids=segment_ids,
            masked_lm_positions=masked_lm_positions,
            masked_lm_labels=masked_lm_labels,
            is_random_next=is_random_next))
  return instances


def _chunk_end(document, start, target_length):
  """End (exclusive) of the sentences from `start` that reach the target.

  Whole sentences are taken until their tokens number at least
  `target_length` or the document ends; the pair is truncated later.
  """
  length = 0
  end = start
  while end < len(document):
    length += len(document[end])
    end += 1
    if length >= target_length:
      break
  return end


def _flatten(sentences):
  return [token for sentence in sentences for token in sentence]


def _sentence_pair(chunk, target_length, all_documents, document_index, rng):
  """Splits a chunk into segments A and B.

  Args:
    chunk: non-empty list of consecutive sentences of the document.
    target_length: int, tokens A and B should fill together.
    all_documents: list of all documents, for random next sentences.
    document_index: int, the chunk's document.
    rng: `random.Random`.

  Returns:
    (tokens_a, tokens_b, is_random_next, num_used): `num_used` is how many
    of the chunk's sentences this pair consumed. A random B leaves the
    chunk's sentences after A unused, so the next instance starts with them.
  """
  a_end = 1
  if len(chunk) >= 2:
    a_end = rng.randint(1, len(chunk) - 1)
  tokens_a = _flatten(chunk[:a_end])

  # A single sentence has no actual next sentence to pair with.
  if len(chunk) == 1 or rng.random() < 0.5:
    tokens_b = _random_segment(all_documents, document_index,
                               target_length - len(tokens_a), rng)
    return tokens_a, tokens_b, True, a_end
  return tokens_a, _flatten(chunk[a_end:]), False, len(chunk)


def _random_segment(all_documents, document_index, target_length, rng):
  """Consecutive sentences from a random point of another document.

  Sentences are taken until they hold at least `target_length` tokens (at
  least one sentence) or that document ends.
  """
  other = all_documents[_random_other_document(all_documents, document_index,
                                               rng)]
  tokens = []
  for sentence in other[rng.randint(0, len(other) - 1):]:
    tokens.extend(sentence)
    if len(tokens) >= target_length:
      break
  return tokens


def _join_pair(tokens_a, tokens_b):
  """`[CLS] A [SEP] B [SEP]` and its segment ids (0 for A's part, 1 for B's)."""
  tokens = [CLS_TOKEN] + tokens_a + [SEP_TOKEN] + tokens_b + [SEP_TOKEN]
  segment_ids = [0] * (len(tokens_a) + 2) + [1] * (len(tokens_b) + 1)
  return tokens, segment_ids


def truncate_seq_pair(tokens_a, tokens_b, max_num_tokens, rng):
  """Shortens a pair in place to at most `max_num_tokens` tokens together.

  One token at a time is removed from the longer segment, from its front or
  its back at random: always cutting the end would teach the model that
  segments never start mid-sentence, which they do in real input.

  Args:
    tokens_a: list of tokens (modified in place).
    tokens_b: list of tokens (modified in place).
    max_num_tokens: int, budget for both together.
    rng: `random.Random`.
  """
  while len(tokens_a) + len(tokens_b) > max_num_tokens:
    trunc_tokens = tokens_a if len(tokens_a) > len(tokens_b) else tokens_b
    assert len(trunc_tokens) >= 1
    if rng.random() < 0.5:
      del trunc_tokens[0]
    else:
      trunc_tokens.pop()


# ----------------------------------------------------------------------------
# Masking
# ----------------------------------------------------------------------------

def _candidate_groups(tokens, do_whole_word_mask):
  """Groups of token indexes that are masked together.

  Without whole-word masking every token is its own group. With it, a `##`
  piece joins the group of the word it continues. [CLS] and [SEP] are never
  candidates, and they also end a word: a `##` piece right after one (left
  there by truncation) has no head in its segment and forms its own group.

  Returns:
    list of lists of indexes, in token order.
  """
  groups = []
  previous_is_word = False
  for (i, token) in enumerate(tokens):
    if token == CLS_TOKEN or token == SEP_TOKEN:
      previous_is_word = False
      continue
    if do_whole_word_mask and previous_is_word and token.startswith("##"):
      groups[-1].append(i)
    else:
      groups.append([i])
    previous_is_word = True
  return groups


def num_masked_positions(num_tokens, masked_lm_prob, max_predictions_per_seq):
  """How many tokens to mask in a sequence of `num_tokens` (at least one)."""
  return min(max_predictions_per_seq,
             max(1, int(round(num_tokens * masked_lm_prob))))


def create_masked_lm_predictions(tokens, masked_lm_prob,
                                 max_predictions_per_seq, vocab_words, rng,
                                 do_whole_word_mask=False):
  """Chooses positions to predict and corrupts the tokens there.

  A chosen token becomes [MASK] 80% of the time, stays unchanged 10% of the
  time and becomes a random vocabulary word 10% of the time: the model never
  sees [MASK] at fine-tuning time, so it must not learn that only [MASK]
  positions matter, and the unchanged/random cases keep it honest about
  every input token.

  Args:
    tokens: list of token strings, `[CLS] A [SEP] B [SEP]` (not modified).
    masked_lm_prob: float, fraction of the sequence to mask.
    max_predictions_per_seq: int, cap on the number of positions.
    vocab_words: list of vocabulary tokens for random replacement.
    rng: `random.Random`.
    do_whole_word_mask: bool, choose whole words (with all their ## pieces).
      A word that does not fit in the remaining budget is skipped, so fewer
      positions than the budget may be masked.

  Returns:
    (output_tokens, masked_lm_positions, masked_lm_labels): the corrupted
    copy of `tokens`, the sorted masked indexes and the original tokens there.
  """
  groups = _candidate_groups(tokens, do_whole_word_mask)
  rng.shuffle(groups)
  budget = num_masked_positions(len(tokens), masked_lm_prob,
                                max_predictions_per_seq)

  output_tokens = list(tokens)
  chosen = []
  for group in groups:
    if len(chosen) >= budget:
      break
    # A whole word that would overshoot the budget is skipped, not cut.
    if len(chosen) + len(group) > budget:
      continue
    for index in group:
      output_tokens[index] = _corrupt(tokens[index], vocab_words, rng)
      chosen.append(index)

  chosen.sort()
  return (output_tokens, chosen, [tokens[index] for index in chosen])


def _corrupt(token, vocab_words, rng):
  """[MASK] 80% of the time, `token` itself 10%, a random word 10%."""
  if rng.random() < 0.8:
    return MASK_TOKEN
  if rng.random() < 0.5:
    return token
  return vocab_words[rng.randint(0, len(vocab_words) - 1)]


# ----------------------------------------------------------------------------
# Writing records
# ----------------------------------------------------------------------------


def instance_to_example(instance, tokenizer, max_seq_length,
                        max_predictions_per_seq):
  """Converts one instance to a padded `tf.train.Example`.

  Args:
    instance: `TrainingInstance`.
    tokenizer: `tokenization.FullTokenizer`.
    max_seq_length: int, padded length of the token features.
    max_predictions_per_seq: int, padded length of the masked-LM features.

  Returns:
    `tf.train.Example` with the pre-training record schema (README,
    "Pre-training from scratch", step 3).
  """
  input_ids = tokenizer.convert_tokens_to_ids(instance.tokens)
  input_mask = [1] * len(input_ids)
  segment_ids = list(instance.segment_ids)
  assert len(input_ids) <= max_seq_length

  padding = [0] * (max_seq_length - len(input_ids))
  input_ids = list(input_ids) + padding
  input_mask += padding
  segment_ids += padding

  masked_lm_positions = list(instance.masked_lm_positions)
  masked_lm_ids = list(tokenizer.convert_tokens_to_ids(
      instance.masked_lm_labels))
  # Padded predictions get weight 0, so they do not count in the loss.
  masked_lm_weights = [1.0] * len(masked_lm_ids)
  assert len(masked_lm_positions) <= max_predictions_per_seq
  prediction_padding = max_predictions_per_seq - len(masked_lm_positions)
  masked_lm_positions += [0] * prediction_padding
  masked_lm_ids += [0] * prediction_padding
  masked_lm_weights += [0.0] * prediction_padding

  next_sentence_label = 1 if instance.is_random_next else 0

  features = collections.OrderedDict()
  features["input_ids"] = create_int_feature(input_ids)
  features["input_mask"] = create_int_feature(input_mask)
  features["segment_ids"] = create_int_feature(segment_ids)
  features["masked_lm_positions"] = create_int_feature(masked_lm_positions)
  features["masked_lm_ids"] = create_int_feature(masked_lm_ids)
  features["masked_lm_weights"] = create_float_feature(masked_lm_weights)
  features["next_sentence_labels"] = create_int_feature([next_sentence_label])
  return tf.train.Example(features=tf.train.Features(feature=features))


def _log_example(instance, example):
  """Logs an instance and its record features, for eyeballing the output.

  At DEBUG level: shown with -v 1, out of the default log."""
  tf1.logging.debug("*** Example ***")
  tf1.logging.debug("tokens: %s", " ".join(
      tokenization.printable_text(x) for x in instance.tokens))
  for name in FEATURE_NAMES:
    feature = example.features.feature[name]
    if feature.int64_list.value:
      values = feature.int64_list.value
    else:
      values = ["%g" % x for x in feature.float_list.value]
    tf1.logging.debug("%s: %s", name, " ".join(str(x) for x in values))


def write_instance_to_example_files(instances, tokenizer, max_seq_length,
                                    max_predictions_per_seq, output_files):
  """Writes instances as `tf.train.Example` records, round-robin over files.

  The files appear only once they are complete (see
  `record_utils.atomic_record_writers`).

  Args:
    instances: list of `TrainingInstance`.
    tokenizer: `tokenization.FullTokenizer`.
    max_seq_length: int.
    max_predictions_per_seq: int.
    output_files: list of output paths.

  Returns:
    int, the number of records written.
  """
  total_written = 0
  progress = script_utils.ProgressLogger("Writing instances",
                                         total=len(instances))
  with record_utils.atomic_record_writers(output_files) as writers:
    writer_index = 0
    for (inst_index, instance) in enumerate(instances):
      example = instance_to_example(instance, tokenizer, max_seq_length,
                                    max_predictions_per_seq)
      # deterministic=True: protobuf 7 (TF 2.21) orders map entries (the
      # features map) randomly per process otherwise.
      writers[writer_index].write(
          example.SerializeToString(deterministic=True))
      writer_index = (writer_index + 1) % len(writers)
      total_written += 1
      progress.update()
      if inst_index < NUM_LOGGED_INSTANCES:
        _log_example(instance, example)

  tf1.logging.info("Wrote %d total instances", total_written)
  return total_written


# ----------------------------------------------------------------------------
# Streaming: bounded memory, parts of the input in parallel
# ----------------------------------------------------------------------------

# Records a part sends to the writer at a time (and between progress counts).
_CHUNK_SIZE = 256

# Seconds between progress lines of a streaming run.
_PROGRESS_EVERY_SECS = 30.0


class StreamingSettings(collections.namedtuple("StreamingSettings", [
    "vocab_file", "do_lower_case", "max_seq_length", "max_predictions_per_seq",
    "dupe_factor", "short_seq_prob", "masked_lm_prob", "do_whole_word_mask",
    "short_seq_draw", "max_documents_in_memory", "shuffle_buffer_size",
    "random_seed"])):
  """Everything a part of a streaming run needs, picklable for workers.

  The flags of the same names; `random_seed` is the run's, each part derives
  its own from it (see `part_rng`).
  """


def part_rng(random_seed, part_index):
  """The `random.Random` of one part of a streaming run.

  Derived from the run's seed and the part's index only, so a part's
  records do not depend on which worker makes them, nor on how many there
  are: the output is the same for any --num_workers.
  """
  return random.Random("%d/%d" % (random_seed, part_index))


def create_streaming_instances(documents, max_documents_in_memory,
                               dupe_factor, rng, source="the input",
                               **instance_args):
  """Yields `TrainingInstance`s from a stream of documents, in bounded memory.

  The in-memory algorithm (`create_training_instances`) draws random next
  segments from the whole corpus; here they come from a pool of at most
  `max_documents_in_memory` other documents. The pool is first filled with
  the first documents of the stream, which are then cut as the in-memory
  algorithm cuts them, with the pool as the corpus. After that each document
  is cut with the pool (which never holds it) as the other documents and
  then offered to the pool by reservoir sampling (Vitter's algorithm R): the
  pool stays a uniform sample of the documents read so far. Each document is
  cut `dupe_factor` times in a row, while it is in memory, instead of once
  per pass over the corpus.

  Args:
    documents: iterable of documents (lists of sentences, each a list of
      tokens), read lazily.
    max_documents_in_memory: int >= 1, size of the pool.
    dupe_factor: int, times each document is cut.
    rng: `random.Random`, the only source of randomness.
    source: str, what the documents are, for the error message.
    **instance_args: the remaining arguments of
      `create_instances_from_document` (max_seq_length, short_seq_prob,
      masked_lm_prob, max_predictions_per_seq, vocab_words,
      do_whole_word_mask, short_seq_draw).

  Yields:
    `TrainingInstance`, in the order they are made (not shuffled).

  Raises:
    script_utils.UsageError: the stream holds a single document.
  """
  documents = iter(documents)
  pool = list(itertools.islice(documents, max_documents_in_memory))
  if len(pool) == 1:
    raise script_utils.UsageError(
        "%s holds a single document; random next sentences need at least "
        "two (documents are separated by blank lines)" % source)
  for document_index in range(len(pool)):
    for _ in range(dupe_factor):
      for instance in create_instances_from_document(
          pool, document_index, rng=rng, **instance_args):
        yield instance

  num_seen = len(pool)
  for document in documents:
    # The current document goes at the end of the pool only while it is cut,
    # so that random next segments come from the others.
    pool.append(document)
    for _ in range(dupe_factor):
      for instance in create_instances_from_document(
          pool, len(pool) - 1, rng=rng, **instance_args):
        yield instance
    pool.pop()
    num_seen += 1
    slot = rng.randrange(num_seen)
    if slot < len(pool):
      pool[slot] = document


def shuffle_buffer(items, buffer_size, rng):
  """Yields `items` shuffled within a buffer of `buffer_size` of them.

  Each item waits in the buffer until a random later arrival replaces it
  (as in `tf.data.Dataset.shuffle`), so an item moves by up to about
  `buffer_size` places; the buffer's remainder is shuffled at the end.
  """
  buffer = []
  for item in items:
    if len(buffer) < buffer_size:
      buffer.append(item)
      continue
    slot = rng.randrange(buffer_size)
    yield buffer[slot]
    buffer[slot] = item
  rng.shuffle(buffer)
  for item in buffer:
    yield item


def next_document_start(path, offset):
  """The first byte offset after `offset` at which a document starts.

  That is the offset after the first blank line that starts after `offset`
  (or the file size): cutting a file there splits no document, so parts
  read separately hold the same documents as the whole file.

  Args:
    path: text file path (local or gs://).
    offset: int, byte offset in the file.

  Returns:
    int, a byte offset > `offset`, or the file size.
  """
  with tf.io.gfile.GFile(path, "rb") as reader:
    reader.seek(offset)
    position = offset
    # The rest of the line `offset` falls in: a line starting before
    # `offset`, or at it, is not after it.
    partial = reader.readline()
    position += len(partial)
    while True:
      raw_line = reader.readline()
      if not raw_line:
        return position
      position += len(raw_line)
      if not raw_line.decode("utf-8", "replace").strip():
        return position


def plan_input_parts(input_files, file_sizes, num_parts,
                     find_document_start=next_document_start):
  """Cuts the input into `num_parts` parts of about the same size in bytes.

  The files are taken as one sequence of bytes, in the given order, cut at
  equal distances, and each cut moved forward to the next document start, so
  a part is a list of whole documents: whole files, or ranges of documents
  of a file larger than a part.

  Args:
    input_files: list of paths, in reading order.
    file_sizes: list of their sizes in bytes.
    num_parts: int >= 1.
    find_document_start: function (path, offset) -> offset, see
      `next_document_start`.

  Returns:
    list of `num_parts` parts; a part is a list of (path, start, end) byte
    ranges. A part may be empty when the documents are fewer than the parts.
  """
  file_starts = [0]
  for size in file_sizes:
    file_starts.append(file_starts[-1] + size)
  total = file_starts[-1]
  cuts = [0]
  for k in range(1, num_parts):
    cut = max(total * k // num_parts, cuts[-1])
    file_index = 0
    while file_index < len(input_files) and file_starts[file_index + 1] <= cut:
      file_index += 1
    if file_index < len(input_files) and cut > file_starts[file_index]:
      local = find_document_start(input_files[file_index],
                                  cut - file_starts[file_index])
      cut = file_starts[file_index] + min(local, file_sizes[file_index])
    cuts.append(cut)
  cuts.append(total)

  parts = []
  for begin, end in zip(cuts[:-1], cuts[1:]):
    part = []
    for path, file_start, size in zip(input_files, file_starts, file_sizes):
      start = max(begin, file_start) - file_start
      stop = min(end, file_start + size) - file_start
      if start < stop:
        part.append((path, start, stop))
    parts.append(part)
  return parts


def read_lines_in_range(path, start, end, counts):
  """Yields the UTF-8 lines of bytes [start, end) of a text file.

  Args:
    path: text file path (local or gs://).
    start: int, byte offset of a line start.
    end: int, offset where reading stops (after the line it falls in).
    counts: dict whose "bytes" entry is increased by each line's bytes.

  Yields:
    str, one line at a time, with its line ending.

  Raises:
    script_utils.UsageError: naming the file and byte offset of the first
      byte that is not UTF-8.
  """
  with tf.io.gfile.GFile(path, "rb") as reader:
    reader.seek(start)
    position = start
    while position < end:
      raw_line = reader.readline()
      if not raw_line:
        return
      try:
        line = raw_line.decode("utf-8")
      except UnicodeDecodeError as e:
        raise script_utils.UsageError(
            "%s byte %d: not valid UTF-8 (byte 0x%02x); convert the file to "
            "UTF-8" % (path, position + e.start, raw_line[e.start]))
      position += len(raw_line)
      counts["bytes"] += len(raw_line)
      yield line


def _documents_of_part(part, tokenizer, counts):
  for (path, start, end) in part:
    for document in documents_from_lines(
        read_lines_in_range(path, start, end, counts), tokenizer):
      counts["documents"] += 1
      yield document


def stream_part_records(part, part_index, settings, tokenizer):
  """Makes the serialized records of one part of the input, streaming.

  Documents are read lazily (see `create_streaming_instances`), each
  instance is serialized at once, and the records pass through a shuffle
  buffer of `settings.shuffle_buffer_size`. Memory is bounded by
  `max_documents_in_memory` documents and `shuffle_buffer_size` records,
  whatever the size of the part.

  Args:
    part: list of (path, start, end) byte ranges, see `plan_input_parts`.
    part_index: int, the part's index (it seeds the part's randomness).
    settings: `StreamingSettings`.
    tokenizer: `tokenization.FullTokenizer`.

  Yields:
    (records, num_documents, num_bytes): a list of at most `_CHUNK_SIZE`
    serialized `tf.train.Example`s, and the documents and bytes of input
    read since the previous chunk. The last chunk may have no records.
  """
  rng = part_rng(settings.random_seed, part_index)
  counts = {"documents": 0, "bytes": 0}
  instances = create_streaming_instances(
      _documents_of_part(part, tokenizer, counts),
      settings.max_documents_in_memory, settings.dupe_factor, rng,
      source="part %d of the input (%s; one part per output file)" % (
          part_index, ", ".join("%s bytes %d-%d" % r for r in part)),
      max_seq_length=settings.max_seq_length,
      short_seq_prob=settings.short_seq_prob,
      masked_lm_prob=settings.masked_lm_prob,
      max_predictions_per_seq=settings.max_predictions_per_seq,
      vocab_words=list(tokenizer.vocab.keys()),
      do_whole_word_mask=settings.do_whole_word_mask,
      short_seq_draw=settings.short_seq_draw)

  def serialized():
    for index, instance in enumerate(instances):
      example = instance_to_example(instance, tokenizer,
                                    settings.max_seq_length,
                                    settings.max_predictions_per_seq)
      if part_index == 0 and index < NUM_LOGGED_INSTANCES:
        _log_example(instance, example)
      yield example.SerializeToString(deterministic=True)

  records = []
  reported = {"documents": 0, "bytes": 0}
  for record in shuffle_buffer(serialized(), settings.shuffle_buffer_size,
                               rng):
    records.append(record)
    if len(records) == _CHUNK_SIZE:
      yield (records, counts["documents"] - reported["documents"],
             counts["bytes"] - reported["bytes"])
      reported = dict(counts)
      records = []
  yield (records, counts["documents"] - reported["documents"],
         counts["bytes"] - reported["bytes"])


def _exit_when_orphaned(parent_pid):
  """Ends this worker once its parent is gone.

  A parent killed outright (SIGKILL, out of memory) runs no clean-up, and
  its workers would wait forever: on a full queue, or for their next part
  (the task queue's pipe stays open in the other workers).
  """
  while os.getppid() == parent_pid:
    time.sleep(1.0)
  os._exit(1)  # pylint: disable=protected-access


class _WorkerFailure(object):
  """A worker's exception, sent to the parent in place of a chunk."""

  def __init__(self, exception, traceback_text):
    try:
      pickle.dumps(exception)
    except Exception:  # pylint: disable=broad-except
      # Some exceptions (e.g. with unpicklable arguments) cannot travel.
      exception = RuntimeError("%s: %s" % (type(exception).__name__,
                                           exception))
    self.exception = exception
    self.traceback_text = traceback_text


class _RemoteTraceback(Exception):
  """The worker's traceback, as the cause of the exception re-raised here."""

  def __str__(self):
    return "\n" + self.args[0]


def _worker_main(settings, task_queue, connection):
  """A worker process: parts from `task_queue` until None; their chunks, and
  None at the end of each part, through its own pipe to the parent."""
  tokenizer = tokenization.FullTokenizer(settings.vocab_file,
                                        settings.do_lower_case)
  threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),),
                   daemon=True).start()
  while True:
    task = task_queue.get()
    if task is None:
      connection.close()
      return
    part, part_index = task
    try:
      for chunk in stream_part_records(part, part_index, settings,
                                       tokenizer):
        connection.send((part_index, chunk))
    except BaseException as e:  # pylint: disable=broad-except
      connection.send((part_index,
                       _WorkerFailure(e, traceback.format_exc())))
      connection.close()
      sys.exit(1)
    # The end of the part.
    connection.send((part_index, None))


def _part_chunks_in_workers(parts, settings, num_workers):
  """Yields (part_index, chunk) from `num_workers` processes, or None at the
  end of a part.

  A worker's exception is raised here with its traceback as the cause. Each
  worker writes to a pipe of its own, so one that dies without a word
  (killed, out of memory) closes it, even in the middle of a message, and
  the run ends with an error instead of waiting forever for its part.
  """
  # TensorFlow is imported, and forking a process that has imported it is
  # unsafe: the workers start fresh.
  context = multiprocessing.get_context("spawn")
  task_queue = context.Queue()
  for index, part in enumerate(parts):
    task_queue.put((part, index))
  for _ in range(num_workers):
    task_queue.put(None)
  workers = {}
  try:
    for _ in range(num_workers):
      # A pipe holds about one chunk, so memory stays bounded if writing
      # falls behind: a worker waits in send().
      reader, writer = context.Pipe(duplex=False)
      worker = context.Process(target=_worker_main,
                               args=(settings, task_queue, writer),
                               daemon=True)
      worker.start()
      # The worker's end now lives in the worker only: its exit closes it.
      writer.close()
      workers[reader] = worker
    parts_left = len(parts)
    while parts_left:
      if not workers:
        raise RuntimeError("the workers ended with %d part(s) left" %
                           parts_left)
      for reader in multiprocessing.connection.wait(list(workers)):
        try:
          part_index, chunk = reader.recv()
        except (EOFError, OSError) as e:
          # The worker's end of the pipe closed: EOFError between messages,
          # OSError ("got end of file during message") when it died while
          # sending one.
          worker = workers.pop(reader)
          worker.join()
          if worker.exitcode != 0:
            raise script_utils.UsageError(
                "a worker process ended with exit code %d before its part "
                "was done (killed, or out of memory: lower --num_workers, "
                "--max_documents_in_memory or --shuffle_buffer_size)" %
                worker.exitcode)
          if not isinstance(e, EOFError):
            raise
          continue
        if isinstance(chunk, _WorkerFailure):
          raise chunk.exception from _RemoteTraceback(chunk.traceback_text)
        if chunk is None:
          parts_left -= 1
        yield part_index, chunk
  finally:
    for worker in workers.values():
      if worker.is_alive():
        worker.terminate()
    for worker in workers.values():
      worker.join()


def _part_chunks_in_process(parts, settings, tokenizer):
  for part_index, part in enumerate(parts):
    for chunk in stream_part_records(part, part_index, settings, tokenizer):
      yield part_index, chunk
    yield part_index, None


class _StreamingProgress(object):
  """Logs documents and instances done, instances/s, the bytes of input read
  and an estimate of the time left (from the bytes), every few seconds."""

  def __init__(self, total_bytes, every_secs=_PROGRESS_EVERY_SECS):
    self._every_secs = every_secs
    self._last_log = time.time()
    self.documents = 0
    # Counted and formatted by ProgressLogger, logged here in one line.
    self.instances = script_utils.ProgressLogger("instances",
                                                 every_secs=float("inf"))
    self.input_bytes = script_utils.ProgressLogger(
        "bytes of input read", total=total_bytes, every_secs=float("inf"))

  def update(self, num_instances, num_documents, num_bytes):
    self.documents += num_documents
    self.instances.update(num_instances)
    self.input_bytes.update(num_bytes)
    now = time.time()
    if now - self._last_log >= self._every_secs:
      self._last_log = now
      tf1.logging.info("%s", self.status(now))

  def status(self, now=None):
    return "Streaming: %d documents; %s; %s" % (
        self.documents, self.instances.status(now),
        self.input_bytes.status(now))


def write_streaming_records(input_files, output_files, settings, tokenizer,
                            num_workers=1):
  """Streaming mode: records from the input in bounded memory, in parallel.

  The input files, in an order shuffled with `settings.random_seed`, are
  cut into one part per output file, balanced in bytes (see
  `plan_input_parts`); each part's documents become records in the part's
  own output file (see `stream_part_records`). With `num_workers` > 1 the
  parts are made by that many processes, and the records sent to this one
  to be written. All files appear only once every part is complete.

  Args:
    input_files: list of text file paths.
    output_files: list of output paths, one per part.
    settings: `StreamingSettings`.
    tokenizer: `tokenization.FullTokenizer` of `settings.vocab_file`.
    num_workers: int, processes making the parts (1: this one).

  Returns:
    list of int, the records written to each output file.

  Raises:
    script_utils.UsageError: a part of the input holds a single document.
  """
  input_files = list(input_files)
  random.Random(settings.random_seed).shuffle(input_files)
  file_sizes = [tf.io.gfile.stat(path).length for path in input_files]
  parts = plan_input_parts(input_files, file_sizes, len(output_files))
  tf1.logging.info(
      "Streaming %.1f MB of input from %d file(s) into %d part(s) with %d "
      "worker(s)", sum(file_sizes) / 1e6, len(input_files), len(parts),
      num_workers)

  if num_workers > 1:
    chunks = _part_chunks_in_workers(parts, settings, num_workers)
  else:
    chunks = _part_chunks_in_process(parts, settings, tokenizer)
  progress = _StreamingProgress(sum(file_sizes))
  counts = [0] * len(parts)
  with record_utils.atomic_record_writers(output_files) as writers:
    for part_index, chunk in chunks:
      if chunk is None:
        continue
      records, num_documents, num_bytes = chunk
      for record in records:
        writers[part_index].write(record)
      counts[part_index] += len(records)
      progress.update(len(records), num_documents, num_bytes)
  tf1.logging.info("%s", progress.status())
  tf1.logging.info("Wrote %d total instances", sum(counts))
  return counts


# ----------------------------------------------------------------------------
# Script
# ----------------------------------------------------------------------------


def validate_flags(flags_obj):
  """Raises UsageError for flag values the algorithm cannot work with."""
  script_utils.require_flags(flags_obj,
                             ["input_file", "output_file", "vocab_file"])
  script_utils.require_file(flags_obj.vocab_file, "vocab_file")
  if flags_obj.max_seq_length < 5:
    raise script_utils.UsageError(
        "--max_seq_length=%d is too small: [CLS] A [SEP] B [SEP] needs at "
        "least 5 tokens" % flags_obj.max_seq_length)
  if flags_obj.max_predictions_per_seq < 1:
    raise script_utils.UsageError("--max_predictions_per_seq must be >= 1")
  if flags_obj.dupe_factor < 1:
    raise script_utils.UsageError("--dupe_factor must be >= 1")
  if not 0.0 < flags_obj.masked_lm_prob <= 1.0:
    raise script_utils.UsageError("--masked_lm_prob must be in (0, 1]")
  if not 0.0 <= flags_obj.short_seq_prob <= 1.0:
    raise script_utils.UsageError("--short_seq_prob must be in [0, 1]")


def validate_streaming_flags(flags_obj):
  """Raises UsageError for bad values of the streaming and worker flags."""
  for name in ("num_workers", "max_documents_in_memory",
               "shuffle_buffer_size"):
    if getattr(flags_obj, name) < 1:
      raise script_utils.UsageError("--%s must be >= 1" % name)
  if flags_obj.num_workers > 1 and not flags_obj.streaming:
    raise script_utils.UsageError(
        "--num_workers=%d needs --streaming=true (the in-memory algorithm "
        "runs in one process)" % flags_obj.num_workers)


def check_vocab_has_special_tokens(vocab, vocab_file):
  """The instances use [CLS]/[SEP]/[MASK]/[UNK]; a vocab without them fails
  only when writing, with a KeyError, so check up front."""
  missing = [token for token in REQUIRED_TOKENS if token not in vocab]
  if missing:
    raise script_utils.UsageError(
        "--vocab_file=%s lacks the special token(s) %s" %
        (vocab_file, ", ".join(missing)))


def _sharded_paths(pattern, num_shards):
  """The `num_shards` file names of an --output_file pattern."""
  try:
    fields = {field for (_, field, _, _) in string.Formatter().parse(pattern)
              if field is not None}
    unknown = fields - {"shard", "num_shards"}
    if unknown or "shard" not in fields:
      raise ValueError("expected the field {shard} and optionally "
                       "{num_shards}, found {%s}" % "}, {".join(
                           sorted(fields)))
    return [pattern.format(shard=shard, num_shards=num_shards)
            for shard in range(num_shards)]
  except (ValueError, IndexError) as e:
    raise script_utils.UsageError(
        "--output_file=%s is not a pattern for --num_output_shards=%d: %s "
        "(e.g. out-{shard:05d}-of-{num_shards:05d}.tfrecord)" %
        (pattern, num_shards, e))


def _output_paths(output_file_flag, num_output_shards=0):
  """The output file paths of --output_file and --num_output_shards."""
  if num_output_shards < 0:
    raise script_utils.UsageError("--num_output_shards must be >= 0")
  if num_output_shards:
    paths = _sharded_paths(output_file_flag.strip(), num_output_shards)
  else:
    if "{shard" in output_file_flag:
      raise script_utils.UsageError(
          "--output_file=%s is a pattern: set --num_output_shards" %
          output_file_flag)
    paths = [p.strip() for p in output_file_flag.split(",") if p.strip()]
  if not paths:
    raise script_utils.UsageError("--output_file is empty")
  if len(set(paths)) != len(paths):
    raise script_utils.UsageError("--output_file names the same file twice")
  for path in paths:
    script_utils.check_output_file(path)
  return paths


def _make_output_dirs(output_files):
  """Creates the output files' directories and removes the temporary files
  an interrupted run left next to them (`<output file>.tmp-<hex>`).

  Returns:
    The directories it created, deepest first (see `_remove_if_empty`).
  """
  tf1.logging.info("*** Writing to output files ***")
  created = []
  for output_file in output_files:
    tf1.logging.info("  %s", output_file)
    parent = os.path.dirname(output_file)
    missing = []
    while parent and not tf.io.gfile.exists(parent):
      missing.append(parent)
      parent = os.path.dirname(parent)
    created.extend(missing)
    if missing:
      tf.io.gfile.makedirs(missing[0])
    for leftover in tf.io.gfile.glob(output_file + ".tmp-*"):
      tf1.logging.info("Removing %s, left by an interrupted run", leftover)
      tf.io.gfile.remove(leftover)
  return created


def _remove_if_empty(directories):
  """Removes the directories (deepest first) that a failed run left empty."""
  for directory in directories:
    if tf.io.gfile.isdir(directory) and not tf.io.gfile.listdir(directory):
      tf.io.gfile.rmtree(directory)


def main(_):
  validate_flags(FLAGS)
  validate_streaming_flags(FLAGS)

  # A vocabulary the tokenizer cannot read (not UTF-8, empty) or one without
  # the special tokens is a one-line error, not a traceback.
  tokenizer = script_utils.load_tokenizer(FLAGS.vocab_file,
                                          FLAGS.do_lower_case,
                                          required_tokens=REQUIRED_TOKENS)

  input_files = script_utils.expand_file_patterns(FLAGS.input_file,
                                                  "input_file")
  output_files = _output_paths(FLAGS.output_file, FLAGS.num_output_shards)
  if FLAGS.num_workers > len(output_files):
    raise script_utils.UsageError(
        "--num_workers=%d needs at least as many output files, has %d: each "
        "worker writes whole files (set --num_output_shards)" %
        (FLAGS.num_workers, len(output_files)))

  tf1.logging.info("*** Reading from input files ***")
  for input_file in input_files:
    tf1.logging.info("  %s", input_file)

  if FLAGS.streaming:
    created_dirs = _make_output_dirs(output_files)
    settings = StreamingSettings(
        vocab_file=FLAGS.vocab_file, do_lower_case=FLAGS.do_lower_case,
        max_seq_length=FLAGS.max_seq_length,
        max_predictions_per_seq=FLAGS.max_predictions_per_seq,
        dupe_factor=FLAGS.dupe_factor, short_seq_prob=FLAGS.short_seq_prob,
        masked_lm_prob=FLAGS.masked_lm_prob,
        do_whole_word_mask=FLAGS.do_whole_word_mask,
        short_seq_draw=FLAGS.short_seq_draw,
        max_documents_in_memory=FLAGS.max_documents_in_memory,
        shuffle_buffer_size=FLAGS.shuffle_buffer_size,
        random_seed=FLAGS.random_seed)
    try:
      counts = write_streaming_records(input_files, output_files, settings,
                                       tokenizer, FLAGS.num_workers)
    except BaseException:
      # The input is read as it is used, so bad input can surface now; the
      # run leaves nothing behind, as when it is caught up front.
      _remove_if_empty(created_dirs)
      raise
    if not sum(counts):
      raise script_utils.UsageError(
          "--input_file=%s contains no text: expected one sentence per line, "
          "documents separated by blank lines" % FLAGS.input_file)
    return

  rng = random.Random(FLAGS.random_seed)
  instances = create_training_instances(
      input_files, tokenizer, FLAGS.max_seq_length, FLAGS.dupe_factor,
      FLAGS.short_seq_prob, FLAGS.masked_lm_prob,
      FLAGS.max_predictions_per_seq, rng,
      do_whole_word_mask=FLAGS.do_whole_word_mask,
      short_seq_draw=FLAGS.short_seq_draw)
  if not instances:
    raise script_utils.UsageError(
        "--input_file=%s contains no text: expected one sentence per line, "
        "documents separated by blank lines" % FLAGS.input_file)

  _make_output_dirs(output_files)
  write_instance_to_example_files(instances, tokenizer, FLAGS.max_seq_length,
                                  FLAGS.max_predictions_per_seq, output_files)


if __name__ == "__main__":
  define_flags()
  script_utils.run(main)
