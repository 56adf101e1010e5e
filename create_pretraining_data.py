# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Turns raw text into masked-LM / next-sentence pre-training records.

Input: plain text files, one sentence per line, documents separated by blank
lines. Output: TFRecord files of `tf.train.Example`s in the schema that
`run_pretraining.py` reads.

The recipe is the BERT paper's and its reference implementation's, in
`pretraining_data` (whose public functions this module re-exports): every
document in memory, `dupe_factor` passes, instances shuffled and written
round-robin. The same seed and input give byte-identical output files.

`--streaming=true` makes the same instances with the same functions from
documents read one at a time, in memory bounded by flags: random next
segments come from a pool of other documents and records are shuffled
within a buffer; the input is cut into one part per output file, and
`--num_workers` processes make the parts in parallel (see
`pretraining_data_streaming`).

Example:

  python create_pretraining_data.py \
    --input_file=sample_text.txt --output_file=/tmp/tf_examples.tfrecord \
    --vocab_file=vocab.txt --do_lower_case=True --max_seq_length=128 \
    --max_predictions_per_seq=20 --masked_lm_prob=0.15 --dupe_factor=5
"""

import os
import random
import string

# First of all: it imports TensorFlow keeping its own messages out of the
# default log (shown with -v 1).
import tf_quiet  # pylint: disable=unused-import,g-bad-import-order
from absl import flags
import tensorflow as tf

# The recipe, importable from here as from the original script.
from pretraining_data import (  # pylint: disable=unused-import
    CLS_TOKEN, FEATURE_NAMES, MASK_TOKEN, NUM_LOGGED_INSTANCES, PER_DOCUMENT,
    PER_INSTANCE, REQUIRED_TOKENS, SEP_TOKEN, SHORT_SEQ_DRAWS, UNK_TOKEN,
    TrainingInstance, create_float_feature, create_instances_from_document,
    create_int_feature, create_masked_lm_predictions,
    create_training_instances, documents_from_lines, instance_to_example,
    read_documents, truncate_seq_pair, write_instance_to_example_files)
import pretraining_data_streaming
import script_settings
import script_utils

tf1 = tf.compat.v1
FLAGS = flags.FLAGS


def define_flags(flag_values=flags.FLAGS):
  """Defines the script's flags on `flag_values`.

  Called only when run as a script (or by `script_settings.defaults`), so
  that the library functions can be imported next to other scripts'
  modules, which define flags with the same names.
  """
  define = script_utils.flag_definers(flag_values)
  define.string(
      "input_file", None,
      "Raw text to learn from: files or globs, comma-separated. One sentence "
      "per line; a blank line (or the end of a file) ends a document. At "
      "least two documents: random next sentences come from another one.")
  define.string(
      "output_file", None,
      "TFRecord file(s) to write, comma-separated; or, with "
      "--num_output_shards, one name with the fields {shard} and optionally "
      "{num_shards}, e.g. out-{shard:05d}-of-{num_shards:05d}.tfrecord. "
      "In-memory mode deals instances out to the files in turn; streaming "
      "mode writes each file from its own part of the input.")
  define.integer(
      "num_output_shards", 0,
      "Number of output files named by the --output_file pattern; 0: "
      "--output_file lists the files.")
  define.bool(
      "streaming", False,
      "Read documents lazily and write records as they are made, in memory "
      "bounded by --max_documents_in_memory and --shuffle_buffer_size "
      "rather than by the corpus. Random next sentences come from a pool of "
      "documents instead of the whole corpus, and records are shuffled "
      "within a buffer (see docs/pre-training.md). False: the original "
      "in-memory algorithm, whose output for a seed is unchanged.")
  define.integer(
      "max_documents_in_memory", 1000,
      "Streaming: size of the pool of documents random next sentences are "
      "drawn from (a uniform sample of the documents read so far).")
  define.integer(
      "shuffle_buffer_size", 20000,
      "Streaming: records shuffled together before they are written.")
  define.integer(
      "num_workers", 1,
      "Streaming: processes making records in parallel, each a part of the "
      "input (one per output file, so at most that many). The output for a "
      "seed does not depend on it.")
  define.string("vocab_file", None,
                "vocab.txt of the model the data is for.")
  define.bool(
      "do_lower_case", True,
      "Lower-case and strip accents (uncased models); False keeps the text "
      "as is (cased models).")
  define.bool(
      "do_whole_word_mask", False,
      "Choose whole words for masking, a word together with all of its ## "
      "pieces, rather than single pieces.")
  define.integer(
      "max_seq_length", 128,
      "Length of every instance in tokens, [CLS] and both [SEP]s included.")
  define.integer("max_predictions_per_seq", 20,
                 "Upper limit on masked positions in one instance.")
  define.integer(
      "random_seed", 12345,
      "Seed of every random choice; the same seed and input give "
      "byte-identical output.")
  define.integer(
      "dupe_factor", 10,
      "Passes over the input, each with new sentence pairs and masks.")
  define.float("masked_lm_prob", 0.15,
               "Fraction of each instance's tokens to mask.")
  define.float(
      "short_seq_prob", 0.1,
      "Probability of aiming for a random length below max_seq_length, so "
      "the model also sees short inputs; drawn per document or per instance "
      "(--short_seq_draw).")
  define.enum(
      "short_seq_draw", "per_document", list(SHORT_SEQ_DRAWS),
      "per_document (the original's): one draw per document and pass, so a "
      "document that draws a short length is cut entirely into short "
      "instances. per_instance: one draw per instance, so the share of short "
      "instances is close to short_seq_prob; fewer, longer instances from "
      "the same text (5% fewer on bench/bench_pretraining_data.py's corpus).")


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


def run(settings):
  """Writes the records: `settings` has one value per flag (see
  `script_settings`); --streaming picks the mode.

  Raises:
    script_utils.UsageError: a bad flag value or input.
  """
  validate_flags(settings)
  validate_streaming_flags(settings)

  # A vocabulary the tokenizer cannot read (not UTF-8, empty) or one without
  # the special tokens is a one-line error, not a traceback.
  tokenizer = script_utils.load_tokenizer(settings.vocab_file,
                                          settings.do_lower_case,
                                          required_tokens=REQUIRED_TOKENS)

  input_files = script_utils.expand_file_patterns(settings.input_file,
                                                  "input_file")
  output_files = _output_paths(settings.output_file,
                               settings.num_output_shards)
  if settings.num_workers > len(output_files):
    raise script_utils.UsageError(
        "--num_workers=%d needs at least as many output files, has %d: each "
        "worker writes whole files (set --num_output_shards)" %
        (settings.num_workers, len(output_files)))

  tf1.logging.info("*** Reading from input files ***")
  for input_file in input_files:
    tf1.logging.info("  %s", input_file)

  if settings.streaming:
    _write_streaming(settings, tokenizer, input_files, output_files)
    return

  instances = create_training_instances(
      input_files, tokenizer, settings.max_seq_length, settings.dupe_factor,
      settings.short_seq_prob, settings.masked_lm_prob,
      settings.max_predictions_per_seq, random.Random(settings.random_seed),
      do_whole_word_mask=settings.do_whole_word_mask,
      short_seq_draw=settings.short_seq_draw)
  if not instances:
    raise _no_text_error(settings.input_file)

  _make_output_dirs(output_files)
  write_instance_to_example_files(instances, tokenizer,
                                  settings.max_seq_length,
                                  settings.max_predictions_per_seq,
                                  output_files)


def _write_streaming(settings, tokenizer, input_files, output_files):
  """The streaming mode of `run`."""
  created_dirs = _make_output_dirs(output_files)
  streaming_settings = pretraining_data_streaming.StreamingSettings(**{
      name: getattr(settings, name)
      for name in pretraining_data_streaming.StreamingSettings._fields})
  try:
    counts = pretraining_data_streaming.write_streaming_records(
        input_files, output_files, streaming_settings, tokenizer,
        settings.num_workers)
  except BaseException:
    # The input is read as it is used, so bad input can surface now; the
    # run leaves nothing behind, as when it is caught up front.
    _remove_if_empty(created_dirs)
    raise
  if not sum(counts):
    raise _no_text_error(settings.input_file)


def _no_text_error(input_file):
  return script_utils.UsageError(
      "--input_file=%s contains no text: expected one sentence per line, "
      "documents separated by blank lines" % input_file)


def main(_):
  run(script_settings.from_flags(FLAGS))


if __name__ == "__main__":
  define_flags()
  script_utils.run(main)
