# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Your own classification task, read by the names in its header row.

`--task_name=tsv` reads `train.tsv`, `dev.tsv` and `test.tsv` (tab-separated,
quote characters are ordinary text); `--task_name=csv` reads `train.csv`,
`dev.csv` and `test.csv` (comma-separated, with the usual double quotes).
Line 1 of each file names its columns, in any order:

  text      the text (required);
  text_b    the second text of a pair (optional; all files or none);
  id        an id shown next to each prediction (optional);
  and one of
  label     one label name per row: single-label classification;
  labels    comma-separated label names, possibly none: multi-label;
  score     a number: regression.

Train and dev files carry the label column; in the test file it is
optional (a test file with it can be scored against its predictions). The
label set is the sorted set of names in train (or `--label_list`, in the
order given). Every error names the file and the line.
"""

import csv
import os

import tensorflow as tf

import classifier_data
import file_utils
import tokenization
from user_errors import UsageError

tf1 = tf.compat.v1

SINGLE_LABEL = "label"
MULTI_LABEL = "labels"
REGRESSION = "score"
LABEL_COLUMNS = (SINGLE_LABEL, MULTI_LABEL, REGRESSION)
TEXT_COLUMNS = ("text", "text_b")
KNOWN_COLUMNS = TEXT_COLUMNS + ("id",) + LABEL_COLUMNS

# Task names: the file extension the task reads.
TASK_NAMES = ("tsv", "csv")


def split_label_set(value):
  """The label names of a `labels` cell: comma-separated, blanks dropped."""
  return tuple(name.strip() for name in value.split(",") if name.strip())


def parse_label_list(value):
  """`--label_list`: comma-separated names, in output order; None if empty.

  Raises:
    UsageError: a name given twice.
  """
  if not value:
    return None
  names = [name.strip() for name in value.split(",") if name.strip()]
  duplicates = sorted({name for name in names if names.count(name) > 1})
  if duplicates:
    raise UsageError("--label_list: %s given more than once" %
                     ", ".join(duplicates))
  return names


class _Table(object):
  """A data file's header and rows (1-based line numbers kept)."""

  def __init__(self, path, columns, rows):
    self.path = path
    self.columns = columns  # {name: index}
    self.rows = rows  # [(line_number, fields)]

  @property
  def label_kind(self):
    kinds = [name for name in LABEL_COLUMNS if name in self.columns]
    return kinds[0] if kinds else None


def read_table(path, file_format):
  """Reads a header-named data file.

  Args:
    path: the file.
    file_format: "tsv" or "csv".

  Returns:
    `_Table`.

  Raises:
    UsageError: one line naming the file, the line and what is wrong: a
      header naming an unknown column, a column twice, no `text` column or
      more than one label column; a row whose number of fields differs from
      the header's; a file without a header.
  """
  lines = file_utils.read_text_lines(path)
  if file_format == "csv":
    reader = csv.reader(lines)
  else:
    reader = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
  header = None
  rows = []
  try:
    for fields in reader:
      line_number = reader.line_num
      if not any(field.strip() for field in fields):
        continue
      if header is None:
        header = _parse_header(path, line_number, fields)
        continue
      if len(fields) != len(header):
        raise UsageError(
            "%s line %d: %d fields, but the header names %d (%s)%s" %
            (path, line_number, len(fields), len(header),
             ", ".join(sorted(header, key=header.get)),
             "; a tab inside a text?" if file_format == "tsv" else ""))
      rows.append((line_number, fields))
  except csv.Error as e:  # A NUL byte or an unterminated quote.
    raise UsageError("%s line %d: %s" % (path, reader.line_num, e))
  if header is None:
    raise UsageError("%s: empty file; line 1 must name the columns (text, "
                     "and label, labels or score)" % path)
  return _Table(path, header, rows)


def _parse_header(path, line_number, fields):
  names = [tokenization.convert_to_unicode(f).strip().lower() for f in fields]
  unknown = [name for name in names if name not in KNOWN_COLUMNS]
  if unknown:
    raise UsageError(
        "%s line %d: the header names column %r, which is not one of %s "
        "(line 1 must name the columns)" %
        (path, line_number, unknown[0], ", ".join(KNOWN_COLUMNS)))
  twice = sorted({name for name in names if names.count(name) > 1})
  if twice:
    raise UsageError("%s line %d: the header names column %r twice" %
                     (path, line_number, twice[0]))
  if "text" not in names:
    raise UsageError("%s line %d: the header has no column named text" %
                     (path, line_number))
  kinds = [name for name in names if name in LABEL_COLUMNS]
  if len(kinds) > 1:
    raise UsageError("%s line %d: the header names both %s and %s; a task "
                     "has one of label, labels, score" %
                     (path, line_number, kinds[0], kinds[1]))
  return {name: index for (index, name) in enumerate(names)}


class ColumnTaskProcessor(classifier_data.SplitFileProcessor):
  """A task whose files name their columns; see the module docstring.

  Attributes:
    kind: "label", "labels" (multi-label) or "score" (regression).
    multi_label: kind == "labels".
    is_regression: kind == "score".
  """

  task_metric = None
  positive_label = None

  def __init__(self, data_dir, label_list=None, file_format="tsv"):
    """Reads the task's kind and label set.

    Args:
      data_dir: the directory with the data files.
      label_list: (optional) the label names in output order; else the
        sorted names found in train.
      file_format: "tsv" or "csv".

    Raises:
      UsageError: no train or dev file to take the kind from, or a train
        label missing from label_list.
    """
    if file_format not in TASK_NAMES:
      raise ValueError("file_format must be one of %s" % (TASK_NAMES,))
    self.data_dir = data_dir
    self.file_format = file_format
    self._tables = {}
    kind_source = None
    for set_type in ("train", "dev"):
      path = self._path(data_dir, set_type)
      if tf.io.gfile.exists(path):
        table = self._table(data_dir, set_type)
        if table.label_kind is None:
          raise UsageError(
              "%s line 1: the header names no label column (label, labels "
              "or score)" % path)
        kind_source = kind_source or table
        break
    if kind_source is None:
      raise UsageError(
          "%s: file not found; the %s task takes its labels from train.%s "
          "(or dev.%s)" % (self._path(data_dir, "train"), file_format,
                           file_format, file_format))
    self.kind = kind_source.label_kind
    self.multi_label = self.kind == MULTI_LABEL
    self.is_regression = self.kind == REGRESSION
    if self.is_regression:
      self._labels = list(classifier_data.REGRESSION_LABELS)
      return
    found = sorted(set(
        name for (_, _, names) in self._label_cells(kind_source)
        for name in names))
    if label_list:
      missing = [n for n in found if n not in label_list]
      if missing:
        line, _, _ = next(cell for cell in self._label_cells(kind_source)
                          if missing[0] in cell[2])
        raise UsageError("%s line %d: label %r is not in --label_list (%s)" %
                         (kind_source.path, line, missing[0],
                          ", ".join(label_list)))
      self._labels = list(label_list)
    else:
      self._labels = found
    if not self._labels:
      raise UsageError("%s: no labels in the %s column" %
                       (kind_source.path, self.kind))
    if not self.multi_label and len(self._labels) < 2:
      raise UsageError("%s: only one label (%s); a classifier needs two or "
                       "more" % (kind_source.path, self._labels[0]))

  def _path(self, data_dir, set_type):
    return os.path.join(data_dir, "%s.%s" % (set_type, self.file_format))

  def _table(self, data_dir, set_type):
    key = (data_dir, set_type)
    if key not in self._tables:
      path = self._path(data_dir, set_type)
      if not tf.io.gfile.exists(path):
        raise UsageError("%s: file not found (the %s task reads %s.%s from "
                         "--data_dir)" % (path, self.file_format, set_type,
                                          self.file_format))
      self._tables[key] = read_table(path, self.file_format)
    return self._tables[key]

  def _label_cells(self, table):
    """Yields (line_number, raw cell, label names) of a table's rows."""
    column = table.columns[table.label_kind]
    for line_number, fields in table.rows:
      cell = tokenization.convert_to_unicode(fields[column]).strip()
      if table.label_kind == MULTI_LABEL:
        names = split_label_set(cell)
      else:
        names = (cell,)
      yield line_number, cell, names

  def get_labels(self):
    return list(self._labels)

  def placeholder_label(self):
    if self.is_regression:
      return 0.0
    if self.multi_label:
      return ()
    return self._labels[0]

  def _create_examples(self, data_dir, set_type):
    table = self._table(data_dir, set_type)
    kind = table.label_kind
    if kind is None and set_type != "test":
      raise UsageError("%s line 1: the header names no %s column" %
                       (table.path, self.kind))
    if kind is not None and kind != self.kind:
      raise UsageError("%s line 1: a %s column, but the task's other files "
                       "have %s" % (table.path, kind, self.kind))
    text_b_column = table.columns.get("text_b")
    id_column = table.columns.get("id")
    text_column = table.columns["text"]
    labels = set(self._labels)
    examples = []
    for line_number, fields in table.rows:
      if kind is None:
        label = self.placeholder_label()
      else:
        cell = tokenization.convert_to_unicode(fields[table.columns[kind]])
        label = self._parse_label(table.path, line_number, cell.strip(),
                                  labels)
      guid = "%s-%d" % (set_type, line_number)
      example_id = guid
      if id_column is not None:
        example_id = tokenization.convert_to_unicode(
            fields[id_column]).strip()
      examples.append(classifier_data.InputExample(
          guid=guid,
          text_a=tokenization.convert_to_unicode(fields[text_column]),
          text_b=(None if text_b_column is None else
                  tokenization.convert_to_unicode(fields[text_b_column])),
          label=label, example_id=example_id, line_number=line_number))
    return examples

  def get_transfer_examples(self, path, pair, flag_name="transfer_file"):
    """The rows of an unlabeled file in the task's format (--transfer_file).

    Its header names `text` (and `text_b` exactly when the task's files
    have it), optionally `id`, and no label column. Each row becomes an
    `InputExample` with the placeholder label (`placeholder_label`).

    Args:
      path: the file, tab- or comma-separated as the task's files.
      pair: bool, whether the task's texts are pairs (text_b).
      flag_name: the flag named in errors.

    Raises:
      UsageError: naming the file and line: a label column, a text_b column
        the task lacks (or the reverse), a bad row; a file without rows.
    """
    table = read_table(path, self.file_format)
    if table.label_kind is not None:
      raise UsageError("%s line 1: a %s column; --%s is unlabeled text (add "
                       "labeled rows to train.%s instead)" %
                       (path, table.label_kind, flag_name, self.file_format))
    if ("text_b" in table.columns) != bool(pair):
      raise UsageError("%s line 1: %s, but the task's train.%s %s" % (
          path, "a text_b column" if not pair else "no text_b column",
          self.file_format, "has none" if not pair else "has one"))
    if not table.rows:
      raise UsageError("--%s=%s: no rows below the header" % (flag_name,
                                                              path))
    text_b_column = table.columns.get("text_b")
    id_column = table.columns.get("id")
    examples = []
    for line_number, fields in table.rows:
      guid = "transfer-%d" % line_number
      examples.append(classifier_data.InputExample(
          guid=guid,
          text_a=tokenization.convert_to_unicode(
              fields[table.columns["text"]]),
          text_b=(None if text_b_column is None else
                  tokenization.convert_to_unicode(fields[text_b_column])),
          label=self.placeholder_label(),
          example_id=(guid if id_column is None else
                      tokenization.convert_to_unicode(
                          fields[id_column]).strip()),
          line_number=line_number))
    return examples

  def _parse_label(self, path, line_number, cell, labels):
    if self.is_regression:
      try:
        return float(cell)
      except ValueError:
        raise UsageError("%s line %d: score %r is not a number" %
                         (path, line_number, cell))
    names = split_label_set(cell) if self.multi_label else (cell,)
    for name in names:
      if name not in labels:
        raise UsageError(
            "%s line %d: label %r is not one of the labels of train.%s "
            "(%s)" % (path, line_number, name, self.file_format,
                      ", ".join(self._labels)))
    if self.multi_label:
      return tuple(sorted(set(names), key=self._labels.index))
    return names[0]


def is_column_task(task_name):
  return bool(task_name) and task_name.lower() in TASK_NAMES


def get_processor(task_name, data_dir, label_list=None):
  """The `ColumnTaskProcessor` of `--task_name=tsv|csv`."""
  return ColumnTaskProcessor(data_dir, parse_label_list(label_list),
                             task_name.lower())
