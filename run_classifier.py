# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Fine-tunes BERT on sentence and sentence-pair classification (and STS-B).

One script for every GLUE task, XNLI and any task written as a small
`DataProcessor` subclass. The steps, each switched on by a flag:

  --do_train    read train examples, write `train.tf_record`, fine-tune;
  --do_eval     read dev examples, write `eval.tf_record`, evaluate and
                write `eval_results.txt`;
  --do_predict  read test examples, write `predict.tf_record`, write one
                line of class probabilities per example to `test_results.tsv`.

Examples become `[CLS] a [SEP]` or `[CLS] a [SEP] b [SEP]`; the classifier is
one dense layer (`output_weights`, `output_bias`) on the pooled [CLS] vector.
A regression task (STS-B) has one output trained with mean squared error.

On TensorFlow 2.15 everything runs through TPUEstimator, so the same command
runs on CPU, GPU and Cloud TPU (`--use_tpu --tpu_name=...`); on TensorFlow
2.16+ the same model_fn runs on the graph runner (CPU, GPU).
"""

import collections
import csv
import math
import os

# First of all: it imports TensorFlow keeping its own messages out of the
# default log (shown with -v 1).
import tf_quiet  # pylint: disable=unused-import,g-bad-import-order
from absl import flags
import numpy as np
import tensorflow as tf

import checkpoint_utils
import classifier_metrics
import estimator_runtime
import export_utils
import modeling
import record_utils
import script_utils
import tokenization
from script_utils import UsageError

tf1 = tf.compat.v1

FLAGS = flags.FLAGS

# The metrics beyond accuracy live in classifier_metrics.py; they keep their
# names here, where they were first defined.
f1_metric = classifier_metrics.f1_metric
matthews_corrcoef_metric = classifier_metrics.matthews_corrcoef_metric
pearson_correlation = classifier_metrics.pearson_correlation
average_ranks = classifier_metrics.average_ranks
spearman_correlation = classifier_metrics.spearman_correlation


def define_flags():
  """Defines the command-line flags.

  Called only when the module runs as a script (or by a wrapper script that
  registers its own task, see PROCESSORS), so that the module can be imported
  next to the other scripts: absl refuses a flag name defined twice.
  """
  flags.DEFINE_string(
      "task_name", None,
      "Name of the task (case-insensitive), e.g. mrpc, cola, sts-b.")
  flags.DEFINE_string(
      "xnli_language", "zh",
      "Only for task xnli: language of the machine-translated training set "
      "and of the dev/test rows to keep.")
  define_fine_tuning_flags(
      data_dir_help="Directory with the task's data files (e.g. train.tsv, "
      "dev.tsv and test.tsv for the GLUE tasks).",
      do_predict_help="Predict on test and write test_results.tsv.")


def define_fine_tuning_flags(data_dir_help, do_predict_help):
  """Defines the flags this script shares with run_ner.py.

  The model and data files, the steps, batch sizes, optimizer, accumulation,
  TPU, precision/XLA/distribution and export flags, with one definition.

  Args:
    data_dir_help: the help of --data_dir (which files the script reads).
    do_predict_help: the help of --do_predict (which file it writes).
  """
  # Required.
  flags.DEFINE_string("data_dir", None, data_dir_help)
  flags.DEFINE_string(
      "bert_config_file", None,
      "bert_config.json of the pre-trained model: the architecture to build.")
  flags.DEFINE_string("vocab_file", None,
                      "vocab.txt the pre-trained model was trained with.")
  flags.DEFINE_string(
      "output_dir", None,
      "Where checkpoints, the TFRecord files and the results are written.")

  # Optional.
  flags.DEFINE_string(
      "init_checkpoint", None,
      "Checkpoint to start from, usually the pre-trained bert_model.ckpt.")
  flags.DEFINE_bool(
      "do_lower_case", True,
      "Lower-case the input; True for uncased models, False for cased ones.")
  flags.DEFINE_integer(
      "max_seq_length", 128,
      "Length in WordPiece tokens, [CLS] and [SEP]s included, every example "
      "is truncated or padded to.")
  flags.DEFINE_bool("do_train", False, "Fine-tune on train.")
  flags.DEFINE_bool("do_eval", False,
                    "Evaluate on dev and write eval_results.txt.")
  flags.DEFINE_bool("do_predict", False, do_predict_help)
  flags.DEFINE_integer("train_batch_size", 32, "Examples per training step.")
  flags.DEFINE_integer("eval_batch_size", 8, "Examples per evaluation batch.")
  flags.DEFINE_integer("predict_batch_size", 8,
                       "Examples per prediction batch.")
  flags.DEFINE_float("learning_rate", 5e-5, "Peak learning rate for Adam.")
  flags.DEFINE_float("num_train_epochs", 3.0,
                     "Passes over the training data.")
  flags.DEFINE_float(
      "warmup_proportion", 0.1,
      "Fraction of the training steps over which the learning rate warms up "
      "linearly from 0.")
  flags.DEFINE_integer("save_checkpoints_steps", 1000,
                       "Steps between checkpoints.")
  flags.DEFINE_integer("iterations_per_loop", 1000,
                       "Steps per TPU host round-trip.")
  flags.DEFINE_integer(
      "num_accumulation_steps", 1,
      "Accumulate gradients over this many micro-batches of "
      "train_batch_size / num_accumulation_steps examples before each "
      "update, to fit a large batch into little memory.")
  checkpoint_utils.define_allow_random_init_flag()
  estimator_runtime.define_tpu_flags()
  estimator_runtime.define_performance_flags()
  export_utils.define_export_flags()


# ----------------------------------------------------------------------------
# Examples and features
# ----------------------------------------------------------------------------


class InputExample(object):
  """One example as read from the data files."""

  def __init__(self, guid, text_a, text_b=None, label=None, example_id=None,
               line_number=None):
    """Builds an example.

    Args:
      guid: unique id, e.g. "dev-12"; shows up in the logs and error messages.
      text_a: string, the first (or only) sequence, not yet tokenized.
      text_b: (optional) string, the second sequence of a pair.
      label: (optional) the label string (a float for a regression task);
        test examples carry a placeholder.
      example_id: (optional) the id the data file gives the example (GLUE
        test files: the `index`/`id` column); `test_predictions.tsv` shows
        it next to each prediction. Defaults to guid.
      line_number: (optional) 1-based line of the data file it came from.
    """
    self.guid = guid
    self.text_a = text_a
    self.text_b = text_b
    self.label = label
    self.example_id = guid if example_id is None else example_id
    self.line_number = line_number

  def __repr__(self):
    return "InputExample(guid=%r, text_a=%r, text_b=%r, label=%r)" % (
        self.guid, self.text_a, self.text_b, self.label)


class PaddingInputExample(object):
  """A stand-in example that fills the last batch up to full size.

  TPUs need every batch to have the same static size, so the eval and predict
  sets are padded to a multiple of the batch size instead of dropping the
  remainder (which would change the metrics). A padding example becomes
  all-zero features with is_real_example=0, which the metrics give zero
  weight and `test_results.tsv` skips.
  """


class InputFeatures(object):
  """The model's inputs for one example, padded to max_seq_length."""

  def __init__(self,
               input_ids,
               input_mask,
               segment_ids,
               label_id,
               is_real_example=True):
    self.input_ids = input_ids
    self.input_mask = input_mask
    self.segment_ids = segment_ids
    self.label_id = label_id
    self.is_real_example = is_real_example


# ----------------------------------------------------------------------------
# Data processors
# ----------------------------------------------------------------------------

def _is_integer(text):
  try:
    int(tokenization.convert_to_unicode(text).strip())
    return True
  except ValueError:
    return False


# A row of a data file with the place it came from, for error messages.
# `index` is the 0-based line index; people read 1-based line numbers.
_Row = collections.namedtuple("_Row", ["path", "index", "columns"])

# `get_labels()` of a regression task: one output, the label is a number.
REGRESSION_LABELS = [None]


def is_regression_label_list(label_list):
  """True when `label_list` is `REGRESSION_LABELS` (one numeric output)."""
  return len(label_list) == 1 and label_list[0] is None


class DataProcessor(object):
  """Reads one task's examples; subclass it to add a task.

  A subclass implements the three `get_*_examples(data_dir)` methods and
  `get_labels()`. Class attributes say how the task is scored:

    is_regression: True for a real-valued target (get_labels() returns
      REGRESSION_LABELS); trained with mean squared error and scored with
      Pearson and Spearman correlation.
    task_metric: None, "f1" or "mcc" (Matthews correlation), reported in
      eval_results.txt next to the accuracy; both need two labels.
    positive_label: the label counted as positive by "f1".
  """

  is_regression = False
  task_metric = None
  positive_label = None

  def get_train_examples(self, data_dir):
    """Returns the training `InputExample`s."""
    raise NotImplementedError()

  def get_dev_examples(self, data_dir):
    """Returns the dev `InputExample`s."""
    raise NotImplementedError()

  def get_test_examples(self, data_dir):
    """Returns the test `InputExample`s (labels are placeholders)."""
    raise NotImplementedError()

  def get_labels(self):
    """Returns the list of label strings, in output order."""
    raise NotImplementedError()

  @classmethod
  def _read_tsv(cls, input_file, quotechar=None):
    """Reads a tab-separated file into a list of lists of strings.

    With quotechar=None quote characters are ordinary text: several GLUE
    files contain unbalanced quotes, which csv quoting would glue across
    lines. Blank lines come back as empty lists.
    """
    lines = script_utils.read_text_lines(input_file)
    if quotechar is None:
      rows = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    else:
      rows = csv.reader(lines, delimiter="\t", quotechar=quotechar)
    try:
      return [row for row in rows]
    except csv.Error as e:  # E.g. a NUL byte or an unterminated quote.
      raise UsageError("%s line %d: %s" % (input_file, rows.line_num, e))

  # Helpers for subclasses: find a file, read its rows, check its labels,
  # all with errors that name the file and line.

  def _data_file(self, data_dir, file_name):
    """The path of a data file, which must exist."""
    path = os.path.join(data_dir, file_name)
    if not tf.io.gfile.exists(path):
      raise UsageError(
          "%s: file not found (the %s task reads %s from --data_dir)" %
          (path, self.__class__.__name__.replace("Processor", ""), file_name))
    return path

  def _read_rows(self, data_dir, file_name, min_columns, has_header=False,
                 is_header=None, skip_short_rows=False):
    """Reads the non-blank rows of a data file as `_Row`s.

    No row of a dev or test file is ever dropped: the metrics must score every
    dev example, and test predictions are paired with test rows.

    Args:
      data_dir: the --data_dir.
      file_name: file name (or relative path) inside data_dir.
      min_columns: rows with fewer tab-separated columns are an error.
      has_header: whether the task's release starts this file with a header
        line. Without `is_header`, line 1 is dropped when this is True.
      is_header: (optional) function(columns) -> bool, deciding from line 1
        itself whether it is a header, so a file written without its header
        (or with one the release lacks) loses no example. A decision that
        differs from `has_header` is logged.
      skip_short_rows: drop rows with too few columns (with a warning naming
        their lines) instead of failing; for training files of releases
        known to have a few broken lines. Never for dev and test files.

    Returns:
      list of `_Row`.

    Raises:
      UsageError: a missing file, an unreadable line or a short row.
    """
    path = self._data_file(data_dir, file_name)
    rows = []
    skipped = []
    for index, columns in enumerate(self._read_tsv(path)):
      if index == 0:
        header = has_header if is_header is None else is_header(columns)
        if header != has_header:
          tf1.logging.warning(
              "%s line 1 %s, so it is read as %s", path,
              "looks like a header" if header else
              "looks like an example, not the header line this task's "
              "files have", "the header" if header else "an example")
        if header:
          continue
      if not any(column.strip() for column in columns):
        continue
      if len(columns) < min_columns:
        if skip_short_rows:
          skipped.append(index + 1)
          continue
        raise UsageError(
            "%s line %d: expected at least %d tab-separated columns, found "
            "%d" % (path, index + 1, min_columns, len(columns)))
      rows.append(_Row(path, index, columns))
    if skipped:
      tf1.logging.warning(
          "%s: skipped %d line(s) with fewer than %d columns: %s%s", path,
          len(skipped), min_columns, ", ".join(map(str, skipped[:10])),
          " ..." if len(skipped) > 10 else "")
    return rows

  def _is_label(self, value):
    """Whether the string `value` is one of this task's labels."""
    value = tokenization.convert_to_unicode(value).strip()
    if self.is_regression:
      try:
        float(value)
        return True
      except ValueError:
        return False
    return value in self.get_labels()

  def _label(self, row, column):
    """The label in `row.columns[column]`, checked against get_labels()."""
    value = tokenization.convert_to_unicode(row.columns[column]).strip()
    return self._check_label(value, row)

  def _check_label(self, value, row):
    labels = self.get_labels()
    if value not in labels:
      raise UsageError(
          "%s line %d: label %r is not one of this task's labels (%s)" %
          (row.path, row.index + 1, value, ", ".join(labels)))
    return value

  def _score(self, row, column):
    """A regression target in `row.columns[column]`, as a float."""
    value = row.columns[column].strip()
    try:
      return float(value)
    except ValueError:
      raise UsageError("%s line %d: score %r is not a number" %
                       (row.path, row.index + 1, value))

  @staticmethod
  def _text(row, column):
    return tokenization.convert_to_unicode(row.columns[column])


class _PairTaskProcessor(DataProcessor):
  """A task whose three files share one layout, described by attributes.

  Most GLUE tasks differ only in file names and columns; they are written
  as a table of those instead of three nearly identical methods each.

  Attributes (class level):
    labels: get_labels().
    file_names: {"train": ..., "dev": ..., "test": ...}.
    columns: {set_type: (text_a, text_b or None, label or None)}; label None
      means the file has no labels (the first label is used as placeholder).
    min_columns: {set_type: int}.
    has_header: whether the release's files start with a header line. Line
      1 is checked all the same (`_is_header`): a file written without its
      header keeps its first example.
    test_id_column: the column of the test file holding the example's id
      (GLUE: `index` or `id`, column 0), or None.
    skip_short_rows: skip (with a warning) training rows with too few
      columns; dev and test rows are never skipped.
  """

  labels = None
  file_names = {"train": "train.tsv", "dev": "dev.tsv", "test": "test.tsv"}
  columns = None
  min_columns = None
  has_header = True
  test_id_column = 0
  skip_short_rows = False

  def get_train_examples(self, data_dir):
    return self._create_examples(data_dir, "train")

  def get_dev_examples(self, data_dir):
    return self._create_examples(data_dir, "dev")

  def get_test_examples(self, data_dir):
    return self._create_examples(data_dir, "test")

  def get_labels(self):
    return list(self.labels)

  def _guid(self, set_type, row):
    return "%s-%d" % (set_type, row.index)

  def _has_header(self, set_type):  # pylint: disable=unused-argument
    return self.has_header

  def _placeholder_label(self):
    return 0.0 if self.is_regression else self.get_labels()[0]

  def _is_header(self, set_type, columns):
    """Whether line 1 of a `set_type` file, split into `columns`, is a header.

    A labelled file's header has no valid label in the label column (GLUE:
    "label", "Quality", "gold_label", "score", ...); a test file's header
    has no integer in the id column ("index", "id"). Where neither column
    exists the task's `has_header` decides.
    """
    label_column = self.columns[set_type][2]
    if label_column is not None:
      if len(columns) > label_column >= -len(columns):
        return not self._is_label(columns[label_column])
    elif self.test_id_column is not None and set_type == "test":
      if len(columns) > self.test_id_column:
        return not _is_integer(columns[self.test_id_column])
    return self._has_header(set_type)

  def _example_id(self, set_type, row):
    if set_type == "test" and self.test_id_column is not None:
      return tokenization.convert_to_unicode(
          row.columns[self.test_id_column]).strip()
    return self._guid(set_type, row)

  def _create_examples(self, data_dir, set_type):
    text_a_column, text_b_column, label_column = self.columns[set_type]
    rows = self._read_rows(
        data_dir, self.file_names[set_type], self.min_columns[set_type],
        has_header=self._has_header(set_type),
        is_header=lambda columns: self._is_header(set_type, columns),
        skip_short_rows=self.skip_short_rows and set_type == "train")
    examples = []
    for row in rows:
      text_b = None
      if text_b_column is not None:
        text_b = self._text(row, text_b_column)
      if label_column is None:
        label = self._placeholder_label()
      elif self.is_regression:
        label = self._score(row, label_column)
      else:
        label = self._label(row, label_column)
      examples.append(
          InputExample(
              guid=self._guid(set_type, row),
              text_a=self._text(row, text_a_column),
              text_b=text_b,
              label=label,
              example_id=self._example_id(set_type, row),
              line_number=row.index + 1))
    return examples


class MrpcProcessor(_PairTaskProcessor):
  """MRPC (GLUE): are two news sentences paraphrases? Scored by F1.

  train.tsv/dev.tsv: Quality, #1 ID, #2 ID, #1 String, #2 String.
  test.tsv: index, #1 ID, #2 ID, #1 String, #2 String.
  """

  labels = ["0", "1"]
  task_metric = "f1"
  positive_label = "1"
  columns = {"train": (3, 4, 0), "dev": (3, 4, 0), "test": (3, 4, None)}
  min_columns = {"train": 5, "dev": 5, "test": 5}


class ColaProcessor(_PairTaskProcessor):
  """CoLA (GLUE): is a sentence grammatical? Scored by Matthews correlation.

  train.tsv/dev.tsv, no header: source, label, original mark, sentence.
  test.tsv, with header: index, sentence.
  """

  labels = ["0", "1"]
  task_metric = "mcc"
  columns = {"train": (3, None, 1), "dev": (3, None, 1), "test": (1, None,
                                                                  None)}
  min_columns = {"train": 4, "dev": 4, "test": 2}

  def _has_header(self, set_type):
    # Only the test file has a header line.
    return set_type == "test"


class MnliProcessor(_PairTaskProcessor):
  """MultiNLI (GLUE), matched dev and test sets.

  Header; column 0 is the pair id, 8 and 9 the two sentences and the last
  column the gold label (train/dev only).
  """

  labels = ["contradiction", "entailment", "neutral"]
  file_names = {
      "train": "train.tsv",
      "dev": "dev_matched.tsv",
      "test": "test_matched.tsv"
  }
  columns = {"train": (8, 9, -1), "dev": (8, 9, -1), "test": (8, 9, None)}
  min_columns = {"train": 11, "dev": 11, "test": 10}

  def _guid(self, set_type, row):
    return "%s-%s" % (set_type, tokenization.convert_to_unicode(
        row.columns[0]))


class MnliMismatchedProcessor(MnliProcessor):
  """MultiNLI with the mismatched (other genres) dev and test sets."""

  file_names = {
      "train": "train.tsv",
      "dev": "dev_mismatched.tsv",
      "test": "test_mismatched.tsv"
  }


class XnliProcessor(DataProcessor):
  """XNLI: natural language inference in one of 15 languages.

  Train is the machine-translated MultiNLI of the XNLI-MT release,
  `multinli/multinli.train.<language>.tsv` (header; premise, hypo, label);
  dev and test are `xnli.dev.tsv` and `xnli.test.tsv` of the XNLI release
  (header; language in column 0, gold label in 1, sentences in 6 and 7),
  keeping the rows of the chosen language.
  """

  labels = ["contradiction", "entailment", "neutral"]

  def __init__(self, language="zh"):
    self.language = language

  def get_labels(self):
    return list(self.labels)

  @staticmethod
  def _train_label(value):
    label = tokenization.convert_to_unicode(value).strip()
    # The translated training set spells one label differently.
    return "contradiction" if label == "contradictory" else label

  def get_train_examples(self, data_dir):
    file_name = os.path.join("multinli",
                             "multinli.train.%s.tsv" % self.language)
    examples = []

    def is_header(columns):
      return len(columns) < 3 or not self._is_label(
          self._train_label(columns[2]))

    for row in self._read_rows(data_dir, file_name, 3, has_header=True,
                               is_header=is_header):
      label = self._train_label(row.columns[2])
      examples.append(
          InputExample(
              guid="train-%d" % row.index,
              text_a=self._text(row, 0),
              text_b=self._text(row, 1),
              label=self._check_label(label, row),
              line_number=row.index + 1))
    return examples

  def get_dev_examples(self, data_dir):
    return self._evaluation_examples(data_dir, "xnli.dev.tsv", "dev")

  def get_test_examples(self, data_dir):
    return self._evaluation_examples(data_dir, "xnli.test.tsv", "test")

  def _evaluation_examples(self, data_dir, file_name, set_type):
    examples = []

    def is_header(columns):
      return len(columns) < 2 or not self._is_label(columns[1])

    # Rows of other languages are left out by design; each kept example
    # carries its line number, which test_predictions.tsv shows.
    for row in self._read_rows(data_dir, file_name, 8, has_header=True,
                               is_header=is_header):
      if tokenization.convert_to_unicode(row.columns[0]) != self.language:
        continue
      examples.append(
          InputExample(
              guid="%s-%d" % (set_type, row.index),
              text_a=self._text(row, 6),
              text_b=self._text(row, 7),
              label=self._label(row, 1),
              line_number=row.index + 1))
    if not examples:
      raise UsageError("%s: no rows for language %r (see --xnli_language)" %
                       (os.path.join(data_dir, file_name), self.language))
    return examples


class Sst2Processor(_PairTaskProcessor):
  """SST-2 (GLUE): sentiment of a movie-review sentence.

  train.tsv/dev.tsv: sentence, label. test.tsv: index, sentence.
  """

  labels = ["0", "1"]
  columns = {"train": (0, None, 1), "dev": (0, None, 1), "test": (1, None,
                                                                  None)}
  min_columns = {"train": 2, "dev": 2, "test": 2}


class QqpProcessor(_PairTaskProcessor):
  """QQP (GLUE): are two Quora questions duplicates? Scored by F1.

  train.tsv/dev.tsv: id, qid1, qid2, question1, question2, is_duplicate.
  test.tsv: id, question1, question2. Training rows with missing columns
  (the release has a few) are skipped with a warning naming their lines; a
  dev or test row with missing columns is an error, since skipping it would
  change the score or shift every later prediction.
  """

  labels = ["0", "1"]
  task_metric = "f1"
  positive_label = "1"
  columns = {"train": (3, 4, 5), "dev": (3, 4, 5), "test": (1, 2, None)}
  min_columns = {"train": 6, "dev": 6, "test": 3}
  skip_short_rows = True


class QnliProcessor(_PairTaskProcessor):
  """QNLI (GLUE): does the sentence answer the question?

  train.tsv/dev.tsv: index, question, sentence, label.
  test.tsv: index, question, sentence.
  """

  labels = ["entailment", "not_entailment"]
  columns = {"train": (1, 2, 3), "dev": (1, 2, 3), "test": (1, 2, None)}
  min_columns = {"train": 4, "dev": 4, "test": 3}


class RteProcessor(QnliProcessor):
  """RTE (GLUE): recognising textual entailment.

  train.tsv/dev.tsv: index, sentence1, sentence2, label.
  test.tsv: index, sentence1, sentence2.
  """


class WnliProcessor(QnliProcessor):
  """WNLI (GLUE): Winograd schemas recast as entailment, labels 0/1.

  train.tsv/dev.tsv: index, sentence1, sentence2, label.
  test.tsv: index, sentence1, sentence2.
  """

  labels = ["0", "1"]


class StsbProcessor(_PairTaskProcessor):
  """STS-B (GLUE): similarity of two sentences from 0 to 5 (regression).

  train.tsv/dev.tsv: index, genre, filename, year, old_index, source1,
  source2, sentence1, sentence2, score. test.tsv has no score column.
  """

  is_regression = True
  labels = REGRESSION_LABELS
  columns = {"train": (7, 8, 9), "dev": (7, 8, 9), "test": (7, 8, None)}
  min_columns = {"train": 10, "dev": 10, "test": 9}


# Task name (lower case) -> processor class. Register a new task by adding
# its class here (see the README); XNLI-like classes take the language.
PROCESSORS = {
    "cola": ColaProcessor,
    "mnli": MnliProcessor,
    "mnli-mm": MnliMismatchedProcessor,
    "mrpc": MrpcProcessor,
    "xnli": XnliProcessor,
    "sst-2": Sst2Processor,
    "qqp": QqpProcessor,
    "qnli": QnliProcessor,
    "rte": RteProcessor,
    "wnli": WnliProcessor,
    "sts-b": StsbProcessor,
}


def get_processor(task_name, xnli_language="zh"):
  """The processor for `task_name` (case-insensitive); UsageError if unknown."""
  if not task_name:
    raise UsageError("--task_name is required (one of: %s)" %
                     ", ".join(sorted(PROCESSORS)))
  name = task_name.lower()
  if name not in PROCESSORS:
    raise UsageError("--task_name=%s: unknown task; known tasks: %s" %
                     (task_name, ", ".join(sorted(PROCESSORS))))
  processor_class = PROCESSORS[name]
  if issubclass(processor_class, XnliProcessor):
    return processor_class(language=xnli_language)
  return processor_class()


# ----------------------------------------------------------------------------
# Feature conversion
# ----------------------------------------------------------------------------


# The original defined these here; notebooks and forks import them from this
# module. They are the shared implementations.
_truncate_seq_pair = tokenization.truncate_seq_pair


def _pad(values, length):
  return values + [0] * (length - len(values))


def convert_single_example(ex_index, example, label_list, max_seq_length,
                           tokenizer):
  """Turns one `InputExample` into `InputFeatures`.

  Layout: `[CLS] a [SEP]` (segment 0) followed, for a pair, by `b [SEP]`
  (segment 1); mask 1 on real tokens; everything padded with 0 to
  max_seq_length. A pair too long for the budget loses tokens from the end
  of its longer side first.

  Args:
    ex_index: position of the example, used to log the first few.
    example: `InputExample` or `PaddingInputExample`.
    label_list: get_labels() of the task (REGRESSION_LABELS for regression).
    max_seq_length: int.
    tokenizer: `tokenization.FullTokenizer`.

  Returns:
    `InputFeatures` whose lists have max_seq_length entries.
  """
  regression = is_regression_label_list(label_list)
  if isinstance(example, PaddingInputExample):
    return InputFeatures(
        input_ids=[0] * max_seq_length,
        input_mask=[0] * max_seq_length,
        segment_ids=[0] * max_seq_length,
        label_id=0.0 if regression else 0,
        is_real_example=False)

  if regression:
    label_id = float(example.label)
  else:
    label_map = {label: i for (i, label) in enumerate(label_list)}
    if example.label not in label_map:
      raise UsageError("example %s: label %r is not one of the task's labels "
                       "(%s)" % (example.guid, example.label,
                                 ", ".join(str(l) for l in label_list)))
    label_id = label_map[example.label]

  tokens_a = tokenizer.tokenize(example.text_a)
  tokens_b = tokenizer.tokenize(example.text_b) if example.text_b else []
  if tokens_b:
    # Room for [CLS] and two [SEP]s.
    tokenization.truncate_seq_pair(tokens_a, tokens_b, max_seq_length - 3)
  else:
    # Room for [CLS] and [SEP].
    tokens_a = tokens_a[:max_seq_length - 2]

  tokens = ["[CLS]"] + tokens_a + ["[SEP]"]
  segment_ids = [0] * len(tokens)
  if tokens_b:
    tokens += tokens_b + ["[SEP]"]
    segment_ids += [1] * (len(tokens_b) + 1)

  input_ids = tokenizer.convert_tokens_to_ids(tokens)
  input_mask = [1] * len(input_ids)
  input_ids = _pad(input_ids, max_seq_length)
  input_mask = _pad(input_mask, max_seq_length)
  segment_ids = _pad(segment_ids, max_seq_length)

  if ex_index < 5:
    # The first examples as the model sees them, in the verbose log (-v 1).
    tf1.logging.debug("*** Example ***")
    tf1.logging.debug("guid: %s", example.guid)
    tf1.logging.debug("tokens: %s", " ".join(
        tokenization.printable_text(t) for t in tokens))
    tf1.logging.debug("input_ids: %s", " ".join(str(x) for x in input_ids))
    tf1.logging.debug("input_mask: %s", " ".join(str(x) for x in input_mask))
    tf1.logging.debug("segment_ids: %s", " ".join(str(x) for x in segment_ids))
    tf1.logging.debug("label: %s (id = %s)", example.label, label_id)

  return InputFeatures(
      input_ids=input_ids,
      input_mask=input_mask,
      segment_ids=segment_ids,
      label_id=label_id,
      is_real_example=True)


def _features_to_example(feature):
  """An `InputFeatures` as a tf.train.Example in the record schema."""
  if isinstance(feature.label_id, float):
    label_feature = record_utils.create_float_feature([feature.label_id])
  else:
    label_feature = record_utils.create_int_feature([feature.label_id])
  return tf.train.Example(features=tf.train.Features(feature={
      "input_ids": record_utils.create_int_feature(feature.input_ids),
      "input_mask": record_utils.create_int_feature(feature.input_mask),
      "segment_ids": record_utils.create_int_feature(feature.segment_ids),
      "label_ids": label_feature,
      "is_real_example": record_utils.create_int_feature(
          [int(feature.is_real_example)]),
  }))


def file_based_convert_examples_to_features(examples, label_list,
                                            max_seq_length, tokenizer,
                                            output_file):
  """Converts examples and writes them to a TFRecord file, atomically.

  Record schema: `input_ids`, `input_mask`, `segment_ids` int64
  [max_seq_length]; `label_ids` int64 [1] (float for regression);
  `is_real_example` int64 [1].

  Returns:
    The number of records written.
  """
  progress = script_utils.ProgressLogger(
      "Writing %s" % os.path.basename(output_file), total=len(examples))
  with record_utils.atomic_record_writers([output_file]) as writers:
    for (ex_index, example) in enumerate(examples):
      feature = convert_single_example(ex_index, example, label_list,
                                       max_seq_length, tokenizer)
      # deterministic=True: protobuf 7 (TF 2.21) orders map entries (the
      # features map) randomly per process otherwise.
      writers[0].write(
          _features_to_example(feature).SerializeToString(deterministic=True))
      progress.update()
  return len(examples)


def convert_examples_to_features(examples, label_list, max_seq_length,
                                 tokenizer):
  """Converts examples to a list of `InputFeatures` (kept in memory)."""
  return [
      convert_single_example(ex_index, example, label_list, max_seq_length,
                             tokenizer)
      for (ex_index, example) in enumerate(examples)
  ]


def _name_to_features(seq_length, is_regression):
  return {
      "input_ids": tf.io.FixedLenFeature([seq_length], tf.int64),
      "input_mask": tf.io.FixedLenFeature([seq_length], tf.int64),
      "segment_ids": tf.io.FixedLenFeature([seq_length], tf.int64),
      "label_ids": tf.io.FixedLenFeature(
          [], tf.float32 if is_regression else tf.int64),
      "is_real_example": tf.io.FixedLenFeature([], tf.int64),
  }


def file_based_input_fn_builder(input_file, seq_length, is_training,
                                drop_remainder, is_regression=False):
  """An input_fn reading the records of `file_based_convert_...`.

  Args:
    input_file: TFRecord path.
    seq_length: int, the max_seq_length the file was written with.
    is_training: bool; training repeats and shuffles.
    drop_remainder: bool; True on TPU, which needs full batches.
    is_regression: bool; the labels are floats.

  Returns:
    input_fn(params) -> dataset of feature dicts (int32 ids, batch
    params["batch_size"]).
  """
  return record_utils.record_input_fn_builder(
      input_file, _name_to_features(seq_length, is_regression), is_training,
      drop_remainder)


def input_fn_builder(features, seq_length, is_training, drop_remainder):
  """An input_fn over a list of `InputFeatures` held in memory.

  Meant for small data sets and notebooks: the whole set becomes constants
  in the graph, which does not scale. Use file_based_input_fn_builder for
  real training.
  """
  is_regression = any(isinstance(f.label_id, float) for f in features)
  num_examples = len(features)

  def column(name, dtype):
    return np.array([getattr(f, name) for f in features], dtype=dtype)

  def input_fn(params):
    batch_size = params["batch_size"]
    d = tf.data.Dataset.from_tensor_slices({
        "input_ids": tf.constant(column("input_ids", np.int32),
                                 shape=[num_examples, seq_length]),
        "input_mask": tf.constant(column("input_mask", np.int32),
                                  shape=[num_examples, seq_length]),
        "segment_ids": tf.constant(column("segment_ids", np.int32),
                                   shape=[num_examples, seq_length]),
        "label_ids": tf.constant(
            column("label_id", np.float32 if is_regression else np.int32),
            shape=[num_examples]),
        "is_real_example": tf.constant(
            column("is_real_example", np.int32), shape=[num_examples]),
    })
    if is_training:
      d = d.repeat()
      d = d.shuffle(buffer_size=100)
    return d.batch(batch_size=batch_size, drop_remainder=drop_remainder)

  return input_fn


# ----------------------------------------------------------------------------
# Model
# ----------------------------------------------------------------------------


# The task's output layer: a pre-trained checkpoint does not have it.
HEAD_VARIABLES = ("output_weights", "output_bias")


def create_model(bert_config, is_training, input_ids, input_mask, segment_ids,
                 labels, num_labels, use_one_hot_embeddings,
                 is_regression=False, example_weights=None,
                 compute_type=tf.float32):
  """BERT with one dense layer on the pooled [CLS] vector.

  Args:
    bert_config: `modeling.BertConfig`.
    is_training: bool; enables dropout.
    input_ids, input_mask, segment_ids: int32 [batch_size, seq_length].
    labels: int32 [batch_size] class ids, or float32 [batch_size] targets
      when is_regression.
    num_labels: int, number of classes (1 for regression).
    use_one_hot_embeddings: bool; one-hot matmul embeddings (faster on TPU).
    is_regression: bool; one output trained with mean squared error.
    example_weights: (optional) float [batch_size]; 0 for padding examples,
      which then do not count in the mean loss.
    compute_type: dtype of the encoder's matrix products; the head and the
      loss are float32 whatever it is.

  Returns:
    (loss scalar, per_example_loss [batch_size], logits [batch_size,
    num_labels], probabilities) where probabilities is the softmax
    [batch_size, num_labels], or the predicted score [batch_size] for
    regression.
  """
  model = modeling.BertModel(
      bert_config, is_training, input_ids, input_mask, segment_ids,
      use_one_hot_embeddings, compute_type=compute_type)

  # [batch_size, hidden_size]
  output_layer = model.get_pooled_output()
  hidden_size = output_layer.shape[-1]

  output_weights = tf1.get_variable(
      "output_weights", [num_labels, hidden_size],
      initializer=tf1.truncated_normal_initializer(stddev=0.02))
  output_bias = tf1.get_variable(
      "output_bias", [num_labels], initializer=tf1.zeros_initializer())

  with tf1.variable_scope("loss"):
    if is_training:
      output_layer = modeling.dropout(output_layer, 0.1)

    # [batch_size, num_labels]
    logits = tf.matmul(output_layer, output_weights, transpose_b=True)
    logits = tf.nn.bias_add(logits, output_bias)

    if is_regression:
      # [batch_size]
      probabilities = tf.squeeze(logits, axis=[-1])
      per_example_loss = tf.square(probabilities - tf.cast(labels, tf.float32))
    else:
      probabilities = tf.nn.softmax(logits, axis=-1)
      log_probs = tf.nn.log_softmax(logits, axis=-1)
      one_hot_labels = tf.one_hot(labels, depth=num_labels, dtype=tf.float32)
      per_example_loss = -tf.reduce_sum(one_hot_labels * log_probs, axis=-1)

    if example_weights is None:
      loss = tf.reduce_mean(per_example_loss)
    else:
      weights = tf.cast(example_weights, tf.float32)
      # max(.., 1) keeps an all-padding batch at loss 0 instead of NaN.
      loss = tf.reduce_sum(per_example_loss * weights) / tf.maximum(
          tf.reduce_sum(weights), 1.0)

  return (loss, per_example_loss, logits, probabilities)


def model_fn_builder(bert_config, num_labels, init_checkpoint, learning_rate,
                     num_train_steps, num_warmup_steps, use_tpu,
                     use_one_hot_embeddings, is_regression=False,
                     task_metric=None, positive_label_id=1,
                     num_accumulation_steps=1, compute_type=tf.float32):
  """The TPUEstimator model_fn for classification (or regression).

  Args:
    bert_config: `modeling.BertConfig`.
    num_labels: int, number of classes (1 for regression).
    init_checkpoint: checkpoint to warm-start from, or None.
    learning_rate: float, peak learning rate.
    num_train_steps, num_warmup_steps: int, for the learning-rate schedule.
    use_tpu: bool.
    use_one_hot_embeddings: bool.
    is_regression: bool; mean squared error on one output.
    task_metric: None, "f1" or "mcc": an extra eval metric (two classes).
    positive_label_id: class id counted as positive by the F1.
    num_accumulation_steps: int; micro-batches per optimizer update.
    compute_type: dtype of the encoder's matrix products (tf.float16 also
      turns on dynamic loss scaling).

  Returns:
    model_fn(features, labels, mode, params).
  """

  def model_fn(features, labels, mode, params):  # pylint: disable=unused-argument
    """Builds the graph for one of train, eval and predict."""
    estimator_runtime.log_features(features)

    input_ids = features["input_ids"]
    input_mask = features["input_mask"]
    segment_ids = features["segment_ids"]
    label_ids = features["label_ids"]
    if "is_real_example" in features:
      is_real_example = tf.cast(features["is_real_example"], tf.float32)
    else:
      is_real_example = tf.ones(tf.shape(label_ids), dtype=tf.float32)

    is_training = (mode == estimator_runtime.ModeKeys.TRAIN)
    (total_loss, per_example_loss, logits, probabilities) = create_model(
        bert_config, is_training, input_ids, input_mask, segment_ids,
        label_ids, num_labels, use_one_hot_embeddings,
        is_regression=is_regression, example_weights=is_real_example,
        compute_type=compute_type)

    scaffold_fn, _ = checkpoint_utils.init_from_checkpoint(
        init_checkpoint, use_tpu)

    if mode == estimator_runtime.ModeKeys.TRAIN:
      return estimator_runtime.training_spec(
          total_loss, learning_rate, num_train_steps, num_warmup_steps,
          use_tpu, num_accumulation_steps, compute_type, scaffold_fn)

    if mode == estimator_runtime.ModeKeys.EVAL:

      def metric_fn(per_example_loss, label_ids, logits, is_real_example):
        """Runs on the CPU host; padding examples have weight 0."""
        metrics = {
            "eval_loss": tf1.metrics.mean(values=per_example_loss,
                                          weights=is_real_example),
        }
        if is_regression:
          return metrics
        predictions = tf.argmax(logits, axis=-1, output_type=tf.int32)
        metrics["eval_accuracy"] = tf1.metrics.accuracy(
            labels=label_ids, predictions=predictions,
            weights=is_real_example)
        if task_metric == "f1":
          metrics["eval_f1"] = f1_metric(label_ids, predictions,
                                         is_real_example, positive_label_id)
        elif task_metric == "mcc":
          metrics["eval_mcc"] = matthews_corrcoef_metric(
              label_ids, predictions, is_real_example, positive_label_id)
        return metrics

      eval_metrics = (metric_fn,
                      [per_example_loss, label_ids, logits, is_real_example])
      return estimator_runtime.TPUEstimatorSpec(
          mode=mode, loss=total_loss, eval_metrics=eval_metrics,
          scaffold_fn=scaffold_fn)

    return estimator_runtime.TPUEstimatorSpec(
        mode=mode,
        predictions={
            "probabilities": probabilities,
            "label_ids": label_ids,
            "is_real_example": is_real_example,
        },
        scaffold_fn=scaffold_fn)

  return model_fn


# ----------------------------------------------------------------------------
# The script
# ----------------------------------------------------------------------------


def validate_flags(flags_obj, task_flags=("task_name",)):
  """Checks the flags that need no file access; raises UsageError.

  `task_flags` are the required flags naming the task (run_ner.py, which
  has none, passes ()).
  """
  if not (flags_obj.do_train or flags_obj.do_eval or flags_obj.do_predict or
          flags_obj.export_dir):
    raise UsageError(
        "nothing to do: set at least one of --do_train, --do_eval, "
        "--do_predict, --export_dir")
  reads_data = flags_obj.do_train or flags_obj.do_eval or flags_obj.do_predict
  # An export alone reads no data, as in run_squad.py.
  script_utils.require_flags(
      flags_obj, list(task_flags) + (["data_dir"] if reads_data else []) +
      ["vocab_file", "bert_config_file", "output_dir"])
  if flags_obj.max_seq_length < 3:
    raise UsageError("--max_seq_length=%d: must be at least 3 ([CLS] and two "
                     "[SEP])" % flags_obj.max_seq_length)
  for name in ("train_batch_size", "eval_batch_size", "predict_batch_size",
               "num_accumulation_steps"):
    if getattr(flags_obj, name) < 1:
      raise UsageError("--%s=%d: must be positive" %
                       (name, getattr(flags_obj, name)))
  if flags_obj.do_train:
    if flags_obj.num_train_epochs <= 0:
      raise UsageError("--num_train_epochs=%s: must be positive" %
                       flags_obj.num_train_epochs)
    if not 0.0 <= flags_obj.warmup_proportion <= 1.0:
      raise UsageError("--warmup_proportion=%s: must be between 0 and 1" %
                       flags_obj.warmup_proportion)
    if flags_obj.train_batch_size % flags_obj.num_accumulation_steps:
      raise UsageError(
          "--train_batch_size=%d is not a multiple of "
          "--num_accumulation_steps=%d" %
          (flags_obj.train_batch_size, flags_obj.num_accumulation_steps))
  if reads_data and not tf.io.gfile.isdir(flags_obj.data_dir):
    raise UsageError("--data_dir=%s: not a directory" % flags_obj.data_dir)


def _pad_for_tpu(examples, batch_size):
  """Appends PaddingInputExamples up to a multiple of batch_size."""
  padded = list(examples)
  while len(padded) % batch_size:
    padded.append(PaddingInputExample())
  return padded


def _read_examples(processor, task_name, data_dir, set_type):
  getter = {
      "train": processor.get_train_examples,
      "dev": processor.get_dev_examples,
      "test": processor.get_test_examples,
  }[set_type]
  examples = getter(data_dir)
  if not examples:
    raise UsageError("--data_dir=%s: no %s examples for task %s" %
                     (data_dir, set_type, task_name))
  return examples


def _predict(estimator, input_fn, num_batches, what, batch_size):
  """estimator.predict with a progress log; yields the real examples' rows."""
  hook = script_utils.ProgressHook(what, batch_size, num_batches)
  for prediction in estimator.predict(input_fn=input_fn, hooks=[hook]):
    if prediction["is_real_example"]:
      yield prediction


def write_test_predictions(output_file, examples, predictions, label_list):
  """Writes test_predictions.tsv: each prediction next to its example's id.

  test_results.tsv keeps the original's layout (probabilities only, paired
  with the test rows by position); this companion file says which example
  each line is for, so pairing never depends on counting lines. One
  header line, then one line per example in file order:

    id  line  prediction  P(label 1) ... P(label n)    (classification)
    id  line  prediction                               (regression)

  `id` is the example's id (GLUE test files: the index/id column), `line`
  its 1-based line in the data file, `prediction` the most probable label
  (or the predicted score).

  Args:
    output_file: path of test_predictions.tsv.
    examples: the real (unpadded) test `InputExample`s, in order.
    predictions: list of prediction dicts, one per example, in order.
    label_list: the task's labels (`REGRESSION_LABELS` for regression).

  Raises:
    RuntimeError: when the counts differ (no file is written then).
  """
  if len(examples) != len(predictions):
    raise RuntimeError("got %d predictions for %d test examples" %
                       (len(predictions), len(examples)))
  regression = is_regression_label_list(label_list)
  header = ["id", "line", "prediction"]
  if not regression:
    header += ["P(%s)" % label for label in label_list]
  with script_utils.atomic_output(output_file) as writer:
    writer.write("\t".join(header) + "\n")
    for example, prediction in zip(examples, predictions):
      values = np.atleast_1d(prediction["probabilities"])
      if regression:
        predicted = repr(float(values[0]))
        fields = []
      else:
        predicted = label_list[int(np.argmax(values))]
        fields = [repr(float(v)) for v in values]
      line = "" if example.line_number is None else str(example.line_number)
      writer.write("\t".join([str(example.example_id), line, predicted] +
                             fields) + "\n")


def write_test_results(output_file, predictions, num_examples):
  """Writes one tab-separated line per prediction, atomically.

  Args:
    output_file: path of test_results.tsv.
    predictions: iterable of prediction dicts of the real test examples.
    num_examples: how many lines there must be.
  """
  num_written = 0
  with script_utils.atomic_output(output_file) as writer:
    for prediction in predictions:
      values = np.atleast_1d(prediction["probabilities"])
      writer.write("\t".join(repr(float(v)) for v in values) + "\n")
      num_written += 1
    if num_written != num_examples:
      # An exception here discards the temporary file: no partial output.
      raise RuntimeError("got %d predictions for %d test examples" %
                         (num_written, num_examples))


def main(_):
  script_utils.configure_logging()
  run_task(FLAGS)


# The steps every fine-tuning script takes the same way (run_ner.py too).


def load_model_files(flags_obj):
  """Reads and checks --init_checkpoint, --bert_config_file, --vocab_file.

  Returns:
    (init_checkpoint, bert_config, tokenizer): a checkpoint prefix (also
    when the flag names a directory or one of its files) or None, the
    `modeling.BertConfig` and the `tokenization.FullTokenizer`.

  Raises:
    UsageError: a missing or unreadable file, a config that does not fit
      --max_seq_length, a vocabulary larger than the config's, or a
      checkpoint whose shapes differ from the config's.
  """
  init_checkpoint = checkpoint_utils.check_init_checkpoint(
      flags_obj.init_checkpoint)
  bert_config = script_utils.load_bert_config(flags_obj.bert_config_file,
                                              flags_obj.max_seq_length)
  tokenizer = script_utils.load_tokenizer(flags_obj.vocab_file,
                                          flags_obj.do_lower_case,
                                          init_checkpoint)
  script_utils.check_vocab_fits_config(len(tokenizer.vocab), bert_config,
                                       flags_obj.vocab_file)
  checkpoint_utils.check_checkpoint_fits_config(init_checkpoint, bert_config)
  return init_checkpoint, bert_config, tokenizer


def training_steps(flags_obj, num_examples, what="training examples"):
  """(num_train_steps, num_warmup_steps) for `num_examples` an epoch.

  Raises:
    UsageError: when the batch size and epochs make zero steps.
  """
  num_train_steps = int(num_examples / flags_obj.train_batch_size *
                        flags_obj.num_train_epochs)
  if num_train_steps < 1:
    raise UsageError(
        "%d %s with --train_batch_size=%d and --num_train_epochs=%s make "
        "zero training steps" % (num_examples, what,
                                 flags_obj.train_batch_size,
                                 flags_obj.num_train_epochs))
  return num_train_steps, int(num_train_steps * flags_obj.warmup_proportion)


def check_weights_and_output(flags_obj, init_checkpoint, head_variables,
                             writes_output):
  """Checks what a run reads and writes before it starts.

  Without --do_train, evaluation, prediction and export read weights that
  must already exist, with the task's `head_variables`; an export
  never takes random weights. A bad --export_dir fails now, not after
  training. --output_dir is created when the run writes there
  (`writes_output`; an export alone writes nothing there).

  Raises:
    UsageError: naming the flag to set or fix.
  """
  export_dir = flags_obj.export_dir
  if not flags_obj.do_train:
    actions = [flag for flag, wanted in (("--do_eval", flags_obj.do_eval),
                                         ("--do_predict", flags_obj.do_predict),
                                         ("--export_dir", export_dir))
               if wanted]
    checkpoint_utils.checkpoint_for_inference(
        flags_obj.output_dir, init_checkpoint, " ".join(actions),
        head_variables, flags_obj.allow_random_init and not export_dir)
  if export_dir:
    export_utils.check_export_dir(export_dir)
  if writes_output:
    script_utils.prepare_output_dir(flags_obj.output_dir)


def make_fine_tuning_estimator(model_fn, flags_obj):
  """The run's estimator; with gradient accumulation each training step
  reads a micro-batch of train_batch_size / num_accumulation_steps (the
  update still averages train_batch_size examples)."""
  num_accumulation_steps = flags_obj.num_accumulation_steps
  return estimator_runtime.make_estimator(
      model_fn,
      estimator_runtime.run_config_from_flags(flags_obj),
      flags_obj.use_tpu,
      train_batch_size=flags_obj.train_batch_size // num_accumulation_steps,
      eval_batch_size=flags_obj.eval_batch_size,
      predict_batch_size=flags_obj.predict_batch_size)


def train(estimator, flags_obj, input_fn, size_line, num_train_steps,
          num_warmup_steps, init_checkpoint):
  """Logs the training block and trains to `num_train_steps` updates.

  Args:
    estimator: from `make_fine_tuning_estimator`.
    flags_obj: the script's flags.
    input_fn: the training input_fn.
    size_line: the log line saying how much data, e.g. "Num examples = 8".
    num_train_steps, num_warmup_steps: from `training_steps`.
    init_checkpoint: the checked --init_checkpoint, for the log.
  """
  num_accumulation_steps = flags_obj.num_accumulation_steps
  tf1.logging.info("***** Running training *****")
  tf1.logging.info("  %s", size_line)
  estimator_runtime.log_train_batch_size(flags_obj.train_batch_size,
                                         num_accumulation_steps)
  tf1.logging.info("  Num steps = %d", num_train_steps)
  estimator_runtime.log_learning_rate(flags_obj.learning_rate,
                                      num_warmup_steps)
  checkpoint_utils.log_weights("Training", flags_obj.output_dir,
                               init_checkpoint)
  estimator_runtime.train_estimator(
      estimator, input_fn, num_train_steps,
      flags_obj.train_batch_size // num_accumulation_steps,
      num_accumulation_steps)


def run_task(flags_obj):
  """Runs the steps the flags ask for. `flags_obj` is FLAGS or alike."""
  validate_flags(flags_obj)
  processor = get_processor(flags_obj.task_name,
                            flags_obj.xnli_language)
  init_checkpoint, bert_config, tokenizer = load_model_files(flags_obj)

  task_name = flags_obj.task_name.lower()
  label_list = processor.get_labels()
  is_regression = bool(processor.is_regression)
  if is_regression and not is_regression_label_list(label_list):
    raise ValueError("%s: a regression task's get_labels() must return "
                     "REGRESSION_LABELS" % processor.__class__.__name__)
  task_metric = None if is_regression else processor.task_metric
  positive_label_id = 1
  if task_metric:
    if len(label_list) != 2:
      raise ValueError("%s: task_metric %r needs exactly two labels" %
                       (processor.__class__.__name__, task_metric))
    if processor.positive_label is not None:
      positive_label_id = label_list.index(processor.positive_label)

  # Read everything the run needs up front, so that a missing file or a bad
  # label in dev or test is reported before hours of training.
  data_dir = flags_obj.data_dir
  train_examples = eval_examples = predict_examples = None
  if flags_obj.do_train:
    train_examples = _read_examples(processor, task_name, data_dir, "train")
  if flags_obj.do_eval:
    eval_examples = _read_examples(processor, task_name, data_dir, "dev")
  if flags_obj.do_predict:
    predict_examples = _read_examples(processor, task_name, data_dir, "test")

  num_train_steps = num_warmup_steps = None
  if train_examples:
    num_train_steps, num_warmup_steps = training_steps(flags_obj,
                                                       len(train_examples))

  output_dir = flags_obj.output_dir
  export_dir = flags_obj.export_dir
  check_weights_and_output(
      flags_obj, init_checkpoint, HEAD_VARIABLES,
      bool(train_examples or eval_examples or predict_examples))
  use_tpu = flags_obj.use_tpu

  model_fn = model_fn_builder(
      bert_config=bert_config,
      num_labels=len(label_list),
      init_checkpoint=init_checkpoint,
      learning_rate=flags_obj.learning_rate,
      num_train_steps=num_train_steps,
      num_warmup_steps=num_warmup_steps,
      use_tpu=use_tpu,
      use_one_hot_embeddings=use_tpu,
      is_regression=is_regression,
      task_metric=task_metric,
      positive_label_id=positive_label_id,
      num_accumulation_steps=flags_obj.num_accumulation_steps,
      compute_type=estimator_runtime.compute_type_for_precision(
          flags_obj.precision))
  estimator = make_fine_tuning_estimator(model_fn, flags_obj)

  # What predictor.load needs besides the weights: written next to the
  # checkpoints and into an exported SavedModel.
  model_info = export_utils.model_info(
      export_utils.CLASSIFIER, flags_obj.vocab_file, flags_obj.do_lower_case,
      flags_obj.max_seq_length, task_name=task_name, labels=list(label_list),
      is_regression=is_regression)
  if train_examples:
    export_utils.write_model_files(output_dir, bert_config, model_info)
    train_file = os.path.join(output_dir, "train.tf_record")
    file_based_convert_examples_to_features(
        train_examples, label_list, flags_obj.max_seq_length, tokenizer,
        train_file)
    train_input_fn = file_based_input_fn_builder(
        input_file=train_file,
        seq_length=flags_obj.max_seq_length,
        is_training=True,
        drop_remainder=True,
        is_regression=is_regression)
    train(estimator, flags_obj, train_input_fn,
          "Num examples = %d" % len(train_examples), num_train_steps,
          num_warmup_steps, init_checkpoint)

  if eval_examples:
    run_evaluation(estimator, flags_obj, eval_examples, label_list, tokenizer,
                   is_regression)

  if predict_examples:
    run_prediction(estimator, flags_obj, predict_examples, label_list,
                   tokenizer, is_regression)

  if export_dir:
    export_utils.export_saved_model(
        model_fn, export_dir, flags_obj.max_seq_length,
        checkpoint_path=export_utils.checkpoint_for_export(
            output_dir, init_checkpoint),
        output_keys=["probabilities"], model_info=model_info)


def _inference_input(examples, label_list, tokenizer, flags_obj,
                     is_regression, record_name, title, batch_size,
                     pad_multiple):
  """The start evaluation and prediction share: records, log block, input_fn.

  Args:
    examples: list of `InputExample`.
    label_list, tokenizer, is_regression: as for the features.
    flags_obj: the script's flags (output_dir, max_seq_length, use_tpu).
    record_name: file name of the records in --output_dir.
    title: "evaluation" or "prediction", for the log.
    batch_size: int, examples per batch.
    pad_multiple: int; on TPU, the examples are padded with
      `PaddingInputExample`s to a multiple of it (fixed-size batches would
      drop the last examples otherwise).

  Returns:
    (examples, num_actual, input_fn, num_batches): the examples with their
    padding, how many of them are real, the input_fn over their records,
    and the number of batches it yields.
  """
  num_actual = len(examples)
  if flags_obj.use_tpu:
    examples = _pad_for_tpu(examples, pad_multiple)
  record_file = os.path.join(flags_obj.output_dir, record_name)
  file_based_convert_examples_to_features(examples, label_list,
                                          flags_obj.max_seq_length, tokenizer,
                                          record_file)
  tf1.logging.info("***** Running %s *****", title)
  tf1.logging.info("  Num examples = %d (%d actual, %d padding)",
                   len(examples), num_actual, len(examples) - num_actual)
  tf1.logging.info("  Batch size = %d", batch_size)
  input_fn = file_based_input_fn_builder(
      input_file=record_file,
      seq_length=flags_obj.max_seq_length,
      is_training=False,
      drop_remainder=flags_obj.use_tpu,
      is_regression=is_regression)
  num_batches = -(-len(examples) // batch_size)
  return examples, num_actual, input_fn, num_batches


def run_evaluation(estimator, flags_obj, eval_examples, label_list, tokenizer,
                   is_regression):
  """Evaluates on dev and writes eval_results.txt; returns the results."""
  output_dir = flags_obj.output_dir
  batch_size = flags_obj.eval_batch_size
  # Whole batches for evaluate; a regression task also reads the same file
  # in batches of predict_batch_size for its correlations, so the padded set
  # must divide into those as well, or TPU's fixed-size batches would drop
  # the last examples.
  pad_multiple = batch_size
  if is_regression:
    pad_multiple = math.lcm(batch_size, flags_obj.predict_batch_size)
  eval_examples, num_actual, eval_input_fn, num_batches = _inference_input(
      eval_examples, label_list, tokenizer, flags_obj, is_regression,
      "eval.tf_record", "evaluation", batch_size, pad_multiple)

  # On TPU the padded set divides into whole batches; elsewhere the input
  # simply runs out.
  eval_steps = None
  if flags_obj.use_tpu:
    eval_steps = len(eval_examples) // batch_size
  checkpoint_utils.log_weights("Evaluating", output_dir,
                               flags_obj.init_checkpoint)
  result = estimator.evaluate(
      input_fn=eval_input_fn, steps=eval_steps,
      hooks=[script_utils.ProgressHook("Evaluation", batch_size,
                                       num_batches)])
  result = {key: value for (key, value) in result.items()}

  if is_regression:
    # Spearman needs every prediction at once (ranks), so both correlations
    # are computed here from a prediction pass instead of streaming metrics.
    scores, targets = [], []
    for prediction in _predict(estimator, eval_input_fn, num_batches,
                               "Evaluation (correlations)", batch_size):
      scores.append(float(prediction["probabilities"]))
      targets.append(float(prediction["label_ids"]))
    if len(scores) != num_actual:
      raise RuntimeError("the correlations saw %d of %d dev examples" %
                         (len(scores), num_actual))
    result["eval_pearson"] = pearson_correlation(scores, targets)
    result["eval_spearman"] = spearman_correlation(scores, targets)

  script_utils.write_eval_results(output_dir, result)
  return result


def run_prediction(estimator, flags_obj, predict_examples, label_list,
                   tokenizer, is_regression):
  """Predicts on test and writes test_results.tsv; returns its path."""
  output_dir = flags_obj.output_dir
  batch_size = flags_obj.predict_batch_size
  predict_examples, num_actual, predict_input_fn, num_batches = (
      _inference_input(predict_examples, label_list, tokenizer, flags_obj,
                       is_regression, "predict.tf_record", "prediction",
                       batch_size, batch_size))
  output_file = os.path.join(output_dir, "test_results.tsv")
  checkpoint_utils.log_weights("Predicting", output_dir,
                               flags_obj.init_checkpoint)
  predictions = list(
      _predict(estimator, predict_input_fn, num_batches, "Prediction",
               batch_size))
  write_test_results(output_file, predictions, num_actual)
  ids_file = os.path.join(output_dir, "test_predictions.tsv")
  write_test_predictions(ids_file, predict_examples[:num_actual],
                         predictions, label_list)
  tf1.logging.info("Wrote %d predictions to %s (with example ids: %s)",
                   num_actual, output_file, ids_file)
  return output_file


if __name__ == "__main__":
  define_flags()
  script_utils.run(main)
