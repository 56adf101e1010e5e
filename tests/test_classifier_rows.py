# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""No classifier reader drops a row it should read.

Test predictions are paired with test rows (by position in test_results.tsv,
by id in test_predictions.tsv) and dev metrics must score every dev row, so
every task's reader is checked on every file: with and without its header
line, with a short row, and with blank lines.
"""

import os

import pytest

import run_classifier
from script_utils import UsageError

SET_TYPES = ("train", "dev", "test")


def _processor(name):
  return run_classifier.get_processor(name)


def _file_name(processor, set_type):
  if isinstance(processor, run_classifier.XnliProcessor):
    return {"train": os.path.join("multinli", "multinli.train.zh.tsv"),
            "dev": "xnli.dev.tsv", "test": "xnli.test.tsv"}[set_type]
  return processor.file_names[set_type]


def _layout(processor, set_type):
  """(number of columns, text columns, label column or None, id column)."""
  if isinstance(processor, run_classifier.XnliProcessor):
    if set_type == "train":
      return 3, (0, 1), 2, None
    return 8, (6, 7), 1, None
  text_a, text_b, label = processor.columns[set_type]
  texts = (text_a,) if text_b is None else (text_a, text_b)
  id_column = processor.test_id_column if set_type == "test" else None
  width = processor.min_columns[set_type]
  if label is not None and label >= 0:
    width = max(width, label + 1)
  return width, texts, label, id_column


def _row(processor, set_type, i):
  width, texts, label, id_column = _layout(processor, set_type)
  row = ["x%d" % i] * width
  if isinstance(processor, run_classifier.XnliProcessor) and set_type != "train":
    row[0] = "zh"
  for n, column in enumerate(texts):
    row[column] = "sentence %d part %d" % (i, n)
  if label is not None:
    if processor.is_regression:
      row[label] = "%.1f" % (i % 6)
    else:
      row[label] = processor.get_labels()[i % len(processor.get_labels())]
  if id_column is not None:
    row[id_column] = str(i)
  return row


def _header(processor, set_type):
  width, texts, label, id_column = _layout(processor, set_type)
  row = ["column%d" % c for c in range(width)]
  if label is not None:
    row[label] = "label"
  if id_column is not None:
    row[id_column] = "index"
  if isinstance(processor, run_classifier.XnliProcessor) and set_type != "train":
    row[0] = "language"
  return row


def _write(path, rows, blank_after=()):
  os.makedirs(os.path.dirname(path), exist_ok=True)
  with open(path, "w", encoding="utf-8") as f:
    for i, row in enumerate(rows):
      f.write("\t".join(row) + "\n")
      if i in blank_after:
        f.write("\n")


def _examples(processor, data_dir, set_type):
  return {"train": processor.get_train_examples,
          "dev": processor.get_dev_examples,
          "test": processor.get_test_examples}[set_type](str(data_dir))


CASES = [(name, set_type) for name in sorted(run_classifier.PROCESSORS)
         for set_type in SET_TYPES]


@pytest.mark.parametrize("with_header", [True, False],
                         ids=["header", "no-header"])
@pytest.mark.parametrize("task,set_type", CASES,
                         ids=["%s-%s" % case for case in CASES])
def test_every_row_is_read_with_or_without_the_header(task, set_type,
                                                      with_header, tmp_path):
  processor = _processor(task)
  rows = [_row(processor, set_type, i) for i in range(12)]
  lines = ([_header(processor, set_type)] if with_header else []) + rows
  _write(os.path.join(str(tmp_path), _file_name(processor, set_type)), lines)
  examples = _examples(processor, tmp_path, set_type)
  assert [e.text_a for e in examples] == [
      "sentence %d part 0" % i for i in range(12)]
  first_line = 2 if with_header else 1
  assert [e.line_number for e in examples] == list(
      range(first_line, first_line + 12))
  if set_type == "test" and processor.__class__ is not (
      run_classifier.XnliProcessor):
    assert [e.example_id for e in examples] == [str(i) for i in range(12)]


@pytest.mark.parametrize("task,set_type",
                         [c for c in CASES if c[1] != "train"],
                         ids=["%s-%s" % c for c in CASES if c[1] != "train"])
def test_a_short_dev_or_test_row_is_refused_with_file_and_line(
    task, set_type, tmp_path):
  processor = _processor(task)
  rows = [_header(processor, set_type)] + [
      _row(processor, set_type, i) for i in range(4)]
  rows[2] = rows[2][:_layout(processor, set_type)[0] - 1]  # One column short.
  path = os.path.join(str(tmp_path), _file_name(processor, set_type))
  _write(path, rows)
  with pytest.raises(UsageError) as e:
    _examples(processor, tmp_path, set_type)
  assert str(e.value).startswith("%s line 3: expected at least" % path)


def test_qqp_test_row_without_question2_is_refused(tmp_path):
  """The report: header + 4 rows, the second lacking question2, gave three
  result lines and a warning; every later line was paired with the wrong
  question."""
  path = os.path.join(str(tmp_path), "test.tsv")
  _write(path, [["id", "question1", "question2"],
                ["0", "Why is the sky blue?", "What makes the sky blue?"],
                ["1", "How do magnets work?"],
                ["2", "Is tea healthy?", "Is green tea good for you?"],
                ["3", "Who wrote Hamlet?", "Hamlet's author?"]])
  with pytest.raises(UsageError) as e:
    run_classifier.QqpProcessor().get_test_examples(str(tmp_path))
  assert str(e.value) == (
      "%s line 3: expected at least 3 tab-separated columns, found 2" % path)


def test_qqp_training_rows_with_missing_columns_are_skipped_by_line(
    tmp_path, caplog):
  processor = _processor("qqp")
  rows = [_header(processor, "train")] + [
      _row(processor, "train", i) for i in range(5)]
  rows[2] = rows[2][:2]
  rows[4] = rows[4][:3]
  _write(os.path.join(str(tmp_path), "train.tsv"), rows)
  examples = processor.get_train_examples(str(tmp_path))
  assert [e.line_number for e in examples] == [2, 4, 6]
  assert "skipped 2 line(s) with fewer than 6 columns: 3, 5" in caplog.text


def test_sst2_dev_without_header_keeps_all_100_examples(tmp_path, caplog):
  """The report: 100 rows written without the header gave 99 examples."""
  _write(os.path.join(str(tmp_path), "dev.tsv"),
         [["a review number %d" % i, str(i % 2)] for i in range(100)])
  examples = run_classifier.Sst2Processor().get_dev_examples(str(tmp_path))
  assert len(examples) == 100
  assert examples[0].text_a == "a review number 0"
  assert "line 1 looks like an example" in caplog.text


def test_blank_lines_keep_line_numbers(tmp_path):
  processor = _processor("sst-2")
  rows = [_header(processor, "test")] + [
      _row(processor, "test", i) for i in range(4)]
  _write(os.path.join(str(tmp_path), "test.tsv"), rows, blank_after=(1, 2))
  examples = processor.get_test_examples(str(tmp_path))
  assert [(e.example_id, e.line_number) for e in examples] == [
      ("0", 2), ("1", 4), ("2", 6), ("3", 7)]


def test_test_predictions_pair_ids_lines_and_labels(tmp_path):
  examples = [
      run_classifier.InputExample("test-1", "a", example_id="7",
                                  line_number=2),
      run_classifier.InputExample("test-2", "b", example_id="9",
                                  line_number=4),
  ]
  predictions = [{"probabilities": [0.25, 0.75]},
                 {"probabilities": [0.5, 0.125]}]
  path = str(tmp_path / "test_predictions.tsv")
  run_classifier.write_test_predictions(path, examples, predictions,
                                        ["0", "1"])
  with open(path) as f:
    assert f.read() == ("id\tline\tprediction\tP(0)\tP(1)\n"
                        "7\t2\t1\t0.25\t0.75\n"
                        "9\t4\t0\t0.5\t0.125\n")
  run_classifier.write_test_predictions(
      path, examples, [{"probabilities": 3.5}, {"probabilities": [1.0]}],
      run_classifier.REGRESSION_LABELS)
  with open(path) as f:
    assert f.read() == "id\tline\tprediction\n7\t2\t3.5\n9\t4\t1.0\n"
  with pytest.raises(RuntimeError):
    run_classifier.write_test_predictions(str(tmp_path / "x.tsv"), examples,
                                          predictions[:1], ["0", "1"])
  assert not os.path.exists(str(tmp_path / "x.tsv"))
