# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""--task_name=tsv|csv: files read by their header's column names; a
multi-label run end to end (metrics, test_results.tsv, predictor, export,
conversion); class weights in eval_loss; bad input."""

import json
import os

import numpy as np
import pytest

import column_task
import convert_checkpoint
import multilabel
import predictor
import run_classifier
import script_settings
from script_utils import UsageError
from tests import classifier_testdata as data
from tests import helpers


def _write(directory, name, text):
  os.makedirs(str(directory), exist_ok=True)
  path = os.path.join(str(directory), name)
  with open(path, "w", encoding="utf-8") as f:
    f.write(text)
  return path


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def test_columns_in_any_order_labels_sorted_and_ids(tmp_path):
  _write(tmp_path, "train.tsv", "labels\ttext\tid\n"
         "b,a\tfirst text\tx1\n\tno label\tx2\nc\tthird\tx3\n")
  _write(tmp_path, "test.tsv", "text\nonly text\n")
  processor = column_task.get_processor("tsv", str(tmp_path))
  assert processor.multi_label and processor.get_labels() == ["a", "b", "c"]
  train = processor.get_train_examples(str(tmp_path))
  assert [(e.text_a, e.label, e.example_id, e.line_number) for e in train] == [
      ("first text", ("a", "b"), "x1", 2), ("no label", (), "x2", 3),
      ("third", ("c",), "x3", 4)]
  test = processor.get_test_examples(str(tmp_path))
  assert test[0].text_a == "only text" and test[0].label == ()


def test_csv_pairs_single_label_and_label_list_order(tmp_path):
  _write(tmp_path, "train.csv", 'text,text_b,label\n"a, quoted",b,yes\n'
         "c,d,no\n")
  processor = column_task.get_processor("CSV", str(tmp_path),
                                        label_list="yes,no")
  assert not processor.multi_label and processor.get_labels() == ["yes", "no"]
  first = processor.get_train_examples(str(tmp_path))[0]
  assert (first.text_a, first.text_b, first.label) == ("a, quoted", "b",
                                                        "yes")


def test_score_column_is_regression(tmp_path):
  _write(tmp_path, "train.tsv", "text\tscore\nx\t0.5\ny\t3\n")
  processor = column_task.get_processor("tsv", str(tmp_path))
  assert processor.is_regression
  assert [e.label for e in processor.get_train_examples(str(tmp_path))] == [
      0.5, 3.0]


BAD_INPUT = [
    # (file, content, message)
    ("train.tsv", "sentence\tlabel\nhello\t1\n",
     r"train.tsv line 1: the header names column 'sentence', which is not"),
    ("train.tsv", "label\ttext\n1\tgood\n0\tbad\n1\n",
     r"train.tsv line 4: 1 fields, but the header names 2"),
    ("dev.tsv", "text\tlabel\nok\t2\n",
     r"dev.tsv line 2: label '2' is not one of the labels of train.tsv"),
    ("dev.tsv", "text\tlabels\nok\t0\n",
     r"dev.tsv line 1: a labels column, but the task's other files have "
     r"label"),
    ("train.tsv", "text\ttext\tlabel\na\tb\t1\n",
     r"train.tsv line 1: the header names column 'text' twice"),
    ("train.tsv", "text_b\tlabel\na\t1\n",
     r"train.tsv line 1: the header has no column named text"),
]


@pytest.mark.parametrize("file_name,content,message", BAD_INPUT)
def test_bad_input_is_one_line_naming_file_and_line_and_no_output(
    tmp_path, file_name, content, message):
  data_dir = tmp_path / "data"
  _write(data_dir, "train.tsv", "text\tlabel\ngood\t1\nbad\t0\n")
  _write(data_dir, "dev.tsv", "text\tlabel\nfine\t1\n")
  _write(data_dir, file_name, content)
  files = data.write_model_files(tmp_path / "model")
  output_dir = tmp_path / "out"
  settings = script_settings.defaults(
      run_classifier.define_flags, task_name="tsv", do_train=True,
      do_eval=True, data_dir=str(data_dir), output_dir=str(output_dir),
      vocab_file=files["vocab_file"],
      bert_config_file=files["bert_config_file"], max_seq_length=16)
  with pytest.raises(UsageError, match=message) as error:
    run_classifier.run(settings)
  assert "\n" not in str(error.value)
  assert not output_dir.exists()


@pytest.mark.slow
def test_bad_input_from_the_command_line_exits_1_with_one_line(tmp_path):
  data_dir = tmp_path / "data"
  _write(data_dir, "train.tsv", "label\tsentence\n1\tgood\n")
  files = data.write_model_files(tmp_path / "model")
  result = helpers.run_script([
      "run_classifier.py", "--task_name=tsv", "--do_train=true",
      "--data_dir=%s" % data_dir, "--output_dir=%s" % (tmp_path / "out"),
      "--vocab_file=" + files["vocab_file"],
      "--bert_config_file=" + files["bert_config_file"],
      "--max_seq_length=16"])
  assert result.returncode == 1
  lines = result.stderr.strip().splitlines()
  assert lines[-1].startswith("error: ") and "train.tsv line 1" in lines[-1]
  assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------------


def _multilabel_rows(num, seed):
  """Texts with 'good' (label pos) and/or 'bad' (label neg) among filler."""
  rng = np.random.RandomState(seed)
  rows = ["text\tlabels"]
  for _ in range(num):
    words = list(rng.choice(data.FILLER, 3))
    labels = []
    if rng.rand() < 0.5:
      words.append("good")
      labels.append("pos")
    if rng.rand() < 0.5:
      words.append("bad")
      labels.append("neg")
    rng.shuffle(words)
    rows.append(" ".join(words) + "\t" + ",".join(labels))
  return "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def multilabel_run(tmp_path_factory):
  root = tmp_path_factory.mktemp("multilabel")
  for name, num, seed in (("train", 96, 1), ("dev", 24, 2)):
    _write(root / "data", name + ".tsv", _multilabel_rows(num, seed))
  _write(root / "data", "test.tsv", _multilabel_rows(24, 2))  # = dev
  files = data.write_model_files(root / "model")
  settings = script_settings.defaults(
      run_classifier.define_flags, task_name="tsv", do_train=True,
      do_eval=True, do_predict=True, tune_thresholds=True,
      data_dir=str(root / "data"), output_dir=str(root / "out"),
      export_dir=str(root / "export"), vocab_file=files["vocab_file"],
      bert_config_file=files["bert_config_file"], max_seq_length=16,
      train_batch_size=8, learning_rate=1e-3, num_train_epochs=16,
      tf_random_seed=1)
  run_classifier.run(settings)
  return root


@pytest.mark.slow
def test_multilabel_metrics_equal_a_recount_of_test_results(multilabel_run):
  out = multilabel_run / "out"
  results = data.read_eval_results(str(out / "eval_results.txt"))
  with open(str(out / "model_info.json")) as f:
    info = json.load(f)
  assert info["multi_label"] and info["labels"] == ["neg", "pos"]
  labels, probabilities, sets = multilabel.read_test_results(
      str(out / "test_results.tsv"))
  assert labels == ["neg", "pos"]
  # The sets are the probabilities cut at the saved thresholds.
  for p, s in zip(probabilities, sets):
    assert set(s) == {l for l, v, t in zip(labels, p, info["thresholds"])
                      if v >= t}
  processor = column_task.get_processor("tsv", str(multilabel_run / "data"))
  gold = [e.label for e in processor.get_test_examples(
      str(multilabel_run / "data"))]
  recount = multilabel.metrics(
      [[int(l in s) for l in labels] for s in sets],
      [[int(l in g) for l in labels] for g in gold], labels)
  for key in ("micro_f1", "macro_f1", "exact_match", "f1_pos", "f1_neg"):
    assert results["eval_" + key] == pytest.approx(recount[key])
  # Learned (the keywords decide the labels): well above sets drawn with
  # each label's train frequency.
  train = processor.get_train_examples(str(multilabel_run / "data"))
  baseline = multilabel.metrics(
      multilabel.frequency_baseline(
          [[int(l in e.label) for l in labels] for e in train], len(gold)),
      [[int(l in g) for l in labels] for g in gold], labels)
  assert results["eval_micro_f1"] > 0.8
  assert results["eval_micro_f1"] > baseline["micro_f1"] + 0.2


@pytest.mark.slow
def test_multilabel_predictor_export_and_conversion(multilabel_run,
                                                    tmp_path):
  texts = ["river good stone", "bad apple good", "stone river cloud"]
  outputs = []
  for model_dir in ("out", "export"):
    with predictor.load(str(multilabel_run / model_dir)) as model:
      results = model.classify(texts)
      outputs.append(results)
      for result in results:
        assert isinstance(result, predictor.MultiLabelClassification)
        assert list(result.probabilities) == ["neg", "pos"]
        assert all(result.probabilities[l] >= t for l, t in
                   zip(result.labels, model.thresholds)
                   if l in result.labels)
  assert [list(r.labels) for r in outputs[0]] == [
      list(r.labels) for r in outputs[1]]
  # The labels at or above their thresholds, with their probabilities.
  for result in outputs[0]:
    assert dict(result.labels) == {
        l: p for (l, p), t in zip(result.probabilities.items(),
                                  model.thresholds) if p >= t}
  hf_dir, back_dir = str(tmp_path / "hf"), str(tmp_path / "google")
  convert_checkpoint.google_to_hf(str(multilabel_run / "out"), hf_dir)
  with open(os.path.join(hf_dir, "config.json")) as f:
    hf_config = json.load(f)
  assert hf_config["problem_type"] == "multi_label_classification"
  assert hf_config["id2label"] == {"0": "neg", "1": "pos"}
  convert_checkpoint.hf_to_google(hf_dir, back_dir)
  assert convert_checkpoint.read_google_dir(back_dir).problem_type == (
      "multi_label_classification")


@pytest.mark.slow
def test_class_weighted_eval_loss_is_the_weighted_mean(tmp_path):
  rows = ["text\tlabel"]
  rng = np.random.RandomState(5)
  for i in range(40):
    label = "rare" if i % 8 == 0 else "common"
    word = "good" if label == "rare" else "bad"
    rows.append(" ".join(list(rng.choice(data.FILLER, 3)) + [word]) + "\t" +
                label)
  text = "\n".join(rows) + "\n"
  for name in ("train.tsv", "dev.tsv", "test.tsv"):
    _write(tmp_path / "data", name, text)
  files = data.write_model_files(tmp_path / "model")
  settings = script_settings.defaults(
      run_classifier.define_flags, task_name="tsv", do_train=True,
      do_eval=True, do_predict=True, class_weights="balanced",
      data_dir=str(tmp_path / "data"), output_dir=str(tmp_path / "out"),
      vocab_file=files["vocab_file"],
      bert_config_file=files["bert_config_file"], max_seq_length=16,
      train_batch_size=8, learning_rate=1e-3, num_train_epochs=1,
      tf_random_seed=1)
  run_classifier.run(settings)
  results = data.read_eval_results(str(tmp_path / "out" /
                                       "eval_results.txt"))
  probabilities = np.array(data.read_test_results(
      str(tmp_path / "out" / "test_results.tsv")))
  labels = ["common", "rare"]  # sorted
  gold = np.array([labels.index(r.split("\t")[1]) for r in rows[1:]])
  counts = np.bincount(gold)
  weights = (1 / counts) / np.mean(1 / counts)
  ce = -np.log(probabilities[np.arange(len(gold)), gold])
  w = weights[gold]
  assert results["eval_loss"] == pytest.approx(np.sum(w * ce) / np.sum(w),
                                                rel=1e-4)
  assert abs(results["eval_loss"] - np.mean(ce)) > 1e-4


def test_sst2_with_its_columns_swapped_is_refused_on_line_1(tmp_path):
  # Imported here: the GLUE processors, not the column-named task.
  import classifier_data  # pylint: disable=g-import-not-at-top
  _write(tmp_path, "train.tsv", "label\tsentence\n1\tgreat movie\n")
  with pytest.raises(UsageError, match=r"train.tsv line 1: the header names "
                     r"the columns label, sentence, but Sst2's train.tsv has "
                     r"them as sentence, label"):
    classifier_data.get_processor("sst-2").get_train_examples(str(tmp_path))
  # The release's order still reads, with or without its header.
  _write(tmp_path, "train.tsv", "sentence\tlabel\ngreat movie\t1\n")
  assert [e.label for e in classifier_data.get_processor(
      "sst-2").get_train_examples(str(tmp_path))] == ["1"]
  _write(tmp_path, "train.tsv", "great movie\t1\n")
  assert len(classifier_data.get_processor("sst-2").get_train_examples(
      str(tmp_path))) == 1
