# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""A classification task's examples, as read from its data files.

`InputExample` is one example; a `DataProcessor` reads a task's train, dev
and test files into them. The GLUE tasks and XNLI have processors here
(`PROCESSORS`, by task name); a new task is a small `DataProcessor`
subclass registered there. Every error names the file and line.

What the model makes of an example (features, records, the model itself)
is in classifier_lib.py, which also re-exports everything here.
"""

import collections
import csv
import difflib
import os

import tensorflow as tf

import script_utils
import tokenization
from script_utils import UsageError

tf1 = tf.compat.v1

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


class SplitFileProcessor(DataProcessor):
  """A processor that reads every split with one `_create_examples`.

  A subclass implements `_create_examples(data_dir, set_type)`, set_type
  "train", "dev" or "test", and `get_labels()`.
  """

  def get_train_examples(self, data_dir):
    return self._create_examples(data_dir, "train")

  def get_dev_examples(self, data_dir):
    return self._create_examples(data_dir, "dev")

  def get_test_examples(self, data_dir):
    return self._create_examples(data_dir, "test")

  def _create_examples(self, data_dir, set_type):
    raise NotImplementedError()


class _PairTaskProcessor(SplitFileProcessor):
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
    header_names: (optional) {set_type: the release's header, lower case};
      a header line with the same names in another order is refused (the
      columns were swapped, which would otherwise be read silently and
      reported as a bad label on line 2).
  """

  labels = None
  header_names = None
  file_names = {"train": "train.tsv", "dev": "dev.tsv", "test": "test.tsv"}
  columns = None
  min_columns = None
  has_header = True
  test_id_column = 0
  skip_short_rows = False

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

  def _check_header_order(self, data_dir, set_type, columns):
    """Refuses line 1 naming the release's columns in another order."""
    expected = (self.header_names or {}).get(set_type)
    names = [tokenization.convert_to_unicode(c).strip().lower()
             for c in columns]
    if expected and sorted(names) == sorted(expected) and (
        names != list(expected)):
      raise UsageError(
          "%s line 1: the header names the columns %s, but %s's %s has them "
          "as %s; put the columns in that order" %
          (os.path.join(data_dir, self.file_names[set_type]),
           ", ".join(names), self.__class__.__name__.replace("Processor", ""),
           self.file_names[set_type], ", ".join(expected)))

  def _create_examples(self, data_dir, set_type):
    text_a_column, text_b_column, label_column = self.columns[set_type]

    def is_header(columns):
      self._check_header_order(data_dir, set_type, columns)
      return self._is_header(set_type, columns)

    rows = self._read_rows(
        data_dir, self.file_names[set_type], self.min_columns[set_type],
        has_header=self._has_header(set_type),
        is_header=is_header,
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
  header_names = {"train": ("sentence", "label"), "dev": ("sentence", "label"),
                  "test": ("index", "sentence")}


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
# its class here (see docs/fine-tuning.md, "Adding a task"); XNLI-like
# classes take the language.
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
    # "sst2" for "sst-2", "stsb" for "sts-b": name the closest tasks.
    close = difflib.get_close_matches(name, sorted(PROCESSORS), n=2,
                                      cutoff=0.6)
    raise UsageError("--task_name=%s: unknown task; %sknown tasks: %s" %
                     (task_name, "did you mean %s? " % " or ".join(close)
                      if close else "", ", ".join(sorted(PROCESSORS))))
  processor_class = PROCESSORS[name]
  if issubclass(processor_class, XnliProcessor):
    return processor_class(language=xnli_language)
  return processor_class()

