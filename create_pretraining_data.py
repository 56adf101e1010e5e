# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Turns raw text into masked-LM / next-sentence pre-training records.

Input: plain text files, one sentence per line, documents separated by blank
lines. Output: TFRecord files of `tf.train.Example`s in the schema that
`run_pretraining.py` reads.

The recipe follows the BERT paper and its reference implementation:

1. Read every document of every input file and shuffle the documents.
2. Make `dupe_factor` passes over them; each pass cuts every document into
   training instances, so every pass sees the same text with a fresh choice
   of segment boundaries, random next sentences and masks.
3. Shuffle all instances and write them round-robin to the output files.

Everything random is drawn from one `random.Random(random_seed)`, so the same
seed and input give byte-identical output files.

Example:

  python create_pretraining_data.py \
    --input_file=sample_text.txt --output_file=/tmp/tf_examples.tfrecord \
    --vocab_file=vocab.txt --do_lower_case=True --max_seq_length=128 \
    --max_predictions_per_seq=20 --masked_lm_prob=0.15 --dupe_factor=5
"""

import collections
import os
import random

from absl import flags
import tensorflow as tf

import script_utils
import tokenization

tf1 = tf.compat.v1
FLAGS = flags.FLAGS

# The record features are shared with every other script that writes records.
create_int_feature = script_utils.create_int_feature
create_float_feature = script_utils.create_float_feature

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


def define_flags():
  """Defines the command-line flags (only when run as a script).

  Kept out of import time so that the library functions can be imported next
  to other scripts' modules, which define flags with the same names.
  """
  flags.DEFINE_string(
      "input_file", None,
      "Input raw text file(s): a comma-separated list of files or globs. One "
      "sentence per line, documents separated by blank lines.")
  flags.DEFINE_string(
      "output_file", None,
      "Output TFRecord file(s), comma-separated; instances are distributed "
      "round-robin over them.")
  flags.DEFINE_string("vocab_file", None,
                      "The vocabulary file the BERT model was trained on.")
  flags.DEFINE_bool(
      "do_lower_case", True,
      "Whether to lower case the input text. True for uncased models, False "
      "for cased models.")
  flags.DEFINE_bool(
      "do_whole_word_mask", False,
      "Whether to mask whole words (a word and all of its ## pieces) instead "
      "of single WordPiece tokens.")
  flags.DEFINE_integer("max_seq_length", 128, "Maximum sequence length.")
  flags.DEFINE_integer("max_predictions_per_seq", 20,
                       "Maximum number of masked LM predictions per sequence.")
  flags.DEFINE_integer("random_seed", 12345, "Random seed for data generation.")
  flags.DEFINE_integer(
      "dupe_factor", 10,
      "Number of times to duplicate the input data (with different masks).")
  flags.DEFINE_float("masked_lm_prob", 0.15, "Masked LM probability.")
  flags.DEFINE_float(
      "short_seq_prob", 0.1,
      "Probability of creating sequences which are shorter than the maximum "
      "length.")


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
  all_documents = [[]]
  progress = script_utils.ProgressLogger("Reading input lines")
  for input_file in input_files:
    with tf.io.gfile.GFile(input_file, "r") as reader:
      for raw_line in reader:
        line = tokenization.convert_to_unicode(raw_line).strip()
        progress.update()
        if not line:
          # A blank line ends a document.
          all_documents.append([])
          continue
        tokens = tokenizer.tokenize(line)
        if tokens:
          all_documents[-1].append(tokens)
    # A file boundary ends a document too, even without a trailing blank line.
    all_documents.append([])
  return [document for document in all_documents if document]


def create_training_instances(input_files, tokenizer, max_seq_length,
                              dupe_factor, short_seq_prob, masked_lm_prob,
                              max_predictions_per_seq, rng,
                              do_whole_word_mask=False):
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

  Returns:
    list of `TrainingInstance`.
  """
  all_documents = read_documents(input_files, tokenizer)
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
              do_whole_word_mask=do_whole_word_mask))
      progress.update()

  rng.shuffle(instances)
  return instances


# ----------------------------------------------------------------------------
# Cutting a document into sentence pairs
# ----------------------------------------------------------------------------


def choose_target_length(max_num_tokens, short_seq_prob, rng):
  """Draws how many tokens the next instance should try to fill.

  Usually the full `max_num_tokens`, so no compute is wasted on padding; but
  fine-tuning and inference mostly see short sequences, so a fraction
  `short_seq_prob` of targets is drawn uniformly from [2, max_num_tokens] to
  keep pre-training and later use from differing too much.
  """
  if rng.random() < short_seq_prob:
    return rng.randint(2, max_num_tokens)
  return max_num_tokens


def _random_other_document(num_documents, document_index, rng):
  """Index of a document to draw a random B segment from.

  A few tries to avoid the current document; with a single document (or
  bad luck) the current one is used, as in the reference implementation.
  """
  random_document_index = document_index
  for _ in range(10):
    random_document_index = rng.randint(0, num_documents - 1)
    if random_document_index != document_index:
      break
  return random_document_index


def create_instances_from_document(all_documents, document_index,
                                   max_seq_length, short_seq_prob,
                                   masked_lm_prob, max_predictions_per_seq,
                                   vocab_words, rng, do_whole_word_mask=False):
  """Cuts one document into `TrainingInstance`s.

  Sentences are accumulated into a chunk until the target length is reached
  (or the document ends). Every instance draws its own target length, as the
  paper describes; the reference code drew one per document, which makes a
  document that drew a short target produce many short instances. A random number of the chunk's leading sentences
  becomes segment A. Half the time (and always when the chunk has a single
  sentence) segment B is a random stretch of another document; the chunk's
  unused sentences are then put back so that no text is wasted. Otherwise B
  is the rest of the chunk: the actual next sentences.

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

  Returns:
    list of `TrainingInstance`.
  """
  document = all_documents[document_index]

  # [CLS], [SEP], [SEP]
  max_num_tokens = max_seq_length - 3
  target_seq_length = choose_target_length(max_num_tokens, short_seq_prob, rng)

  instances = []
  current_chunk = []
  current_length = 0
  i = 0
  while i < len(document):
    segment = document[i]
    current_chunk.append(segment)
    current_length += len(segment)
    if i == len(document) - 1 or current_length >= target_seq_length:
      if current_chunk:
        a_end = 1
        if len(current_chunk) >= 2:
          a_end = rng.randint(1, len(current_chunk) - 1)
        tokens_a = []
        for sentence in current_chunk[:a_end]:
          tokens_a.extend(sentence)

        tokens_b = []
        if len(current_chunk) == 1 or rng.random() < 0.5:
          is_random_next = True
          target_b_length = target_seq_length - len(tokens_a)
          random_document = all_documents[
              _random_other_document(len(all_documents), document_index, rng)]
          random_start = rng.randint(0, len(random_document) - 1)
          for sentence in random_document[random_start:]:
            tokens_b.extend(sentence)
            if len(tokens_b) >= target_b_length:
              break
          # Put the chunk's unused sentences back for the next instance.
          num_unused_segments = len(current_chunk) - a_end
          i -= num_unused_segments
        else:
          is_random_next = False
          for sentence in current_chunk[a_end:]:
            tokens_b.extend(sentence)

        truncate_seq_pair(tokens_a, tokens_b, max_num_tokens, rng)
        assert len(tokens_a) >= 1
        assert len(tokens_b) >= 1

        tokens, segment_ids = _join_pair(tokens_a, tokens_b)
        (tokens, masked_lm_positions,
         masked_lm_labels) = create_masked_lm_predictions(
             tokens, masked_lm_prob, max_predictions_per_seq, vocab_words,
             rng, do_whole_word_mask=do_whole_word_mask)
        instances.append(
            TrainingInstance(
                tokens=tokens,
                segment_ids=segment_ids,
                is_random_next=is_random_next,
                masked_lm_positions=masked_lm_positions,
                masked_lm_labels=masked_lm_labels))
      current_chunk = []
      current_length = 0
      # Each instance draws its own target length.
      target_seq_length = choose_target_length(max_num_tokens, short_seq_prob,
                                               rng)
    i += 1

  return instances


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

MaskedLmInstance = collections.namedtuple("MaskedLmInstance",
                                          ["index", "label"])


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
  cand_indexes = _candidate_groups(tokens, do_whole_word_mask)
  rng.shuffle(cand_indexes)

  output_tokens = list(tokens)
  num_to_predict = num_masked_positions(len(tokens), masked_lm_prob,
                                        max_predictions_per_seq)

  masked_lms = []
  for index_set in cand_indexes:
    if len(masked_lms) >= num_to_predict:
      break
    # A whole word that would overshoot the budget is skipped, not cut.
    if len(masked_lms) + len(index_set) > num_to_predict:
      continue
    for index in index_set:
      if rng.random() < 0.8:
        masked_token = MASK_TOKEN
      elif rng.random() < 0.5:
        masked_token = tokens[index]
      else:
        masked_token = vocab_words[rng.randint(0, len(vocab_words) - 1)]
      output_tokens[index] = masked_token
      masked_lms.append(MaskedLmInstance(index=index, label=tokens[index]))

  masked_lms.sort(key=lambda x: x.index)
  masked_lm_positions = [p.index for p in masked_lms]
  masked_lm_labels = [p.label for p in masked_lms]
  return (output_tokens, masked_lm_positions, masked_lm_labels)


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
    `tf.train.Example` with the API.md pre-training schema.
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
  """Logs an instance and its record features, for eyeballing the output."""
  tf1.logging.info("*** Example ***")
  tf1.logging.info("tokens: %s", " ".join(
      tokenization.printable_text(x) for x in instance.tokens))
  for name in FEATURE_NAMES:
    feature = example.features.feature[name]
    if feature.int64_list.value:
      values = feature.int64_list.value
    else:
      values = ["%g" % x for x in feature.float_list.value]
    tf1.logging.info("%s: %s", name, " ".join(str(x) for x in values))


def write_instance_to_example_files(instances, tokenizer, max_seq_length,
                                    max_predictions_per_seq, output_files):
  """Writes instances as `tf.train.Example` records, round-robin over files.

  The files appear only once they are complete (see
  `script_utils.atomic_record_writers`).

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
  with script_utils.atomic_record_writers(output_files) as writers:
    writer_index = 0
    for (inst_index, instance) in enumerate(instances):
      example = instance_to_example(instance, tokenizer, max_seq_length,
                                    max_predictions_per_seq)
      writers[writer_index].write(example.SerializeToString())
      writer_index = (writer_index + 1) % len(writers)
      total_written += 1
      progress.update()
      if inst_index < NUM_LOGGED_INSTANCES:
        _log_example(instance, example)

  tf1.logging.info("Wrote %d total instances", total_written)
  return total_written


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


def check_vocab_has_special_tokens(vocab, vocab_file):
  """The instances use [CLS]/[SEP]/[MASK]/[UNK]; a vocab without them fails
  only when writing, with a KeyError, so check up front."""
  missing = [token for token in REQUIRED_TOKENS if token not in vocab]
  if missing:
    raise script_utils.UsageError(
        "--vocab_file=%s lacks the special token(s) %s" %
        (vocab_file, ", ".join(missing)))


def _output_paths(output_file_flag):
  paths = [p.strip() for p in output_file_flag.split(",") if p.strip()]
  if not paths:
    raise script_utils.UsageError("--output_file is empty")
  if len(set(paths)) != len(paths):
    raise script_utils.UsageError("--output_file names the same file twice")
  for path in paths:
    if tf.io.gfile.isdir(path):
      raise script_utils.UsageError(
          "--output_file=%s is a directory, expected a file path" % path)
  return paths


def main(_):
  tf1.logging.set_verbosity(tf1.logging.INFO)
  validate_flags(FLAGS)

  tokenizer = tokenization.FullTokenizer(
      vocab_file=FLAGS.vocab_file, do_lower_case=FLAGS.do_lower_case)
  check_vocab_has_special_tokens(tokenizer.vocab, FLAGS.vocab_file)

  input_files = script_utils.expand_file_patterns(FLAGS.input_file,
                                                  "input_file")
  output_files = _output_paths(FLAGS.output_file)

  tf1.logging.info("*** Reading from input files ***")
  for input_file in input_files:
    tf1.logging.info("  %s", input_file)

  rng = random.Random(FLAGS.random_seed)
  instances = create_training_instances(
      input_files, tokenizer, FLAGS.max_seq_length, FLAGS.dupe_factor,
      FLAGS.short_seq_prob, FLAGS.masked_lm_prob,
      FLAGS.max_predictions_per_seq, rng,
      do_whole_word_mask=FLAGS.do_whole_word_mask)
  if not instances:
    raise script_utils.UsageError(
        "--input_file=%s contains no text: expected one sentence per line, "
        "documents separated by blank lines" % FLAGS.input_file)

  tf1.logging.info("*** Writing to output files ***")
  for output_file in output_files:
    tf1.logging.info("  %s", output_file)
    parent = os.path.dirname(output_file)
    if parent:
      tf.io.gfile.makedirs(parent)

  write_instance_to_example_files(instances, tokenizer, FLAGS.max_seq_length,
                                  FLAGS.max_predictions_per_seq, output_files)


if __name__ == "__main__":
  define_flags()
  script_utils.run(main)
