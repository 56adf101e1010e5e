# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""predictor.py: the scripts' predictions on your own text, from Python.

A tiny classifier and a tiny SQuAD model are fine-tuned once per module by
the scripts themselves (subprocesses, as a user runs them), with
--do_predict and --export_dir. The predictor, loaded from the fine-tuning
directory and from the SavedModel, must give the script's numbers on the
same text: test_results.tsv's probabilities, predictions.json's answers and
nbest_predictions.json's scores.
"""

import csv
import io
import json
import logging
import os
import shutil

import numpy as np
import pytest
import tensorflow as tf

import export_utils
import predictor
import script_settings
from tests import classifier_testdata
from tests import helpers
from tests import squad_data

MAX_SEQ_LENGTH = 24


def _run(args, stdin=None):
  result = helpers.run_script(args, stdin=stdin)
  assert result.returncode == 0, result.stderr[-3000:]
  return result


@pytest.fixture(scope="module")
def classifier(tmp_path_factory):
  """run_classifier.py --do_train --do_predict --export_dir on MRPC-style
  data: (output_dir, export_dir, test pairs, test_results.tsv rows)."""
  tmp_path = tmp_path_factory.mktemp("classifier")
  args, test = classifier_testdata.mrpc_fine_tuning_args(
      tmp_path, MAX_SEQ_LENGTH, tf_random_seed=1)
  output_dir = str(tmp_path / "out")
  export_dir = str(tmp_path / "export")
  _run(args + ["--output_dir=" + output_dir, "--export_dir=" + export_dir])
  expected = np.array(classifier_testdata.read_test_results(
      os.path.join(output_dir, "test_results.tsv")))
  return output_dir, export_dir, [(a, b) for (_, a, b) in test], expected


@pytest.mark.slow
@pytest.mark.parametrize("source", ["checkpoint_dir", "saved_model"])
def test_classify_gives_the_probabilities_of_do_predict(classifier, source):
  output_dir, export_dir, pairs, expected = classifier
  model_dir = output_dir if source == "checkpoint_dir" else export_dir
  with predictor.load(model_dir) as model:
    assert isinstance(model, predictor.Classifier)
    assert model.labels == ["0", "1"]
    assert model.max_seq_length == MAX_SEQ_LENGTH
    # Batches of 3 where the script ran 4: the batching does not matter.
    results = model.classify(pairs, batch_size=3)
  probabilities = np.array([list(r.probabilities.values()) for r in results])
  assert expected.shape == (11, 2)
  np.testing.assert_allclose(probabilities, expected, atol=1e-5, rtol=0)
  # The inputs matter (the spread is far above the tolerance).
  assert np.ptp(expected[:, 1]) > 1e-4
  assert [r.label for r in results] == [
      ["0", "1"][int(np.argmax(row))] for row in expected]
  np.testing.assert_allclose([r.score for r in results], expected.max(axis=1),
                             atol=1e-5, rtol=0)


@pytest.mark.slow
def test_saved_model_carries_vocab_and_labels(classifier):
  output_dir, export_dir, _, _ = classifier
  extra = os.path.join(export_dir, export_utils.SAVED_MODEL_EXTRA_DIR)
  with open(os.path.join(extra, "vocab.txt")) as f:
    assert f.read().split("\n")[:-1] == classifier_testdata.VOCAB
  with open(os.path.join(extra, "model_info.json")) as f:
    info = json.load(f)
  assert info == {"format_version": 1, "kind": "classifier",
                  "task_name": "mrpc", "labels": ["0", "1"],
                  "is_regression": False, "do_lower_case": True,
                  "max_seq_length": MAX_SEQ_LENGTH}
  # The fine-tuning directory holds the same, plus the model's config.
  with open(os.path.join(output_dir, "model_info.json")) as f:
    assert json.load(f) == info
  with open(os.path.join(output_dir, "bert_config.json")) as f:
    assert json.load(f) == classifier_testdata.bert_config()


@pytest.mark.slow
def test_the_saved_model_is_self_contained(classifier, tmp_path):
  """Moved away from everything else, it still classifies."""
  _, export_dir, pairs, expected = classifier
  moved = str(tmp_path / "moved")
  shutil.copytree(export_dir, moved)
  with predictor.load(moved) as model:
    result = model.classify([pairs[0]])
  np.testing.assert_allclose(list(result[0].probabilities.values()),
                             expected[0], atol=1e-5, rtol=0)


class _Warnings(logging.Handler):

  def __init__(self):
    super(_Warnings, self).__init__(logging.WARNING)
    self.messages = []

  def emit(self, record):
    self.messages.append(record.getMessage())


@pytest.mark.slow
def test_long_texts_are_truncated_as_the_script_does(classifier):
  output_dir, _, _, _ = classifier
  words = classifier_testdata.POSITIVE * 10          # 80 tokens
  short = " ".join(classifier_testdata.FILLER[:3])
  handler = _Warnings()
  logger = logging.getLogger("tensorflow")
  logger.addHandler(handler)
  try:
    with predictor.load(output_dir) as model:
      long_results = model.classify([" ".join(words), (short, " ".join(words)),
                                     short])
      warnings = list(handler.messages)
      # What convert_single_example keeps: [CLS] a [SEP] in 24 tokens, and
      # for the pair the longer side cut down to the shorter's length.
      cut_results = model.classify([
          " ".join(words[:MAX_SEQ_LENGTH - 2]),
          (short, " ".join(words[:MAX_SEQ_LENGTH - 3 - 3]))])
  finally:
    logger.removeHandler(handler)
  assert warnings == [
      "2 of 3 text(s) were longer than max_seq_length=24 tokens and were "
      "truncated"]
  for got, want in zip(long_results[:2], cut_results):
    np.testing.assert_allclose(list(got.probabilities.values()),
                               list(want.probabilities.values()), atol=1e-6)


@pytest.mark.slow
def test_bad_input_is_a_clear_error(classifier, tmp_path):
  output_dir, _, _, _ = classifier
  with predictor.load(output_dir) as model:
    with pytest.raises(ValueError, match="empty list"):
      model.classify([])
    with pytest.raises(ValueError, match="not a single string"):
      model.classify("one sentence")
    with pytest.raises(ValueError, match=r"texts\[1\] = 3"):
      model.classify(["fine", 3])
    with pytest.raises(ValueError, match="batch_size=0"):
      model.classify(["fine"], batch_size=0)

  no_vocab = str(tmp_path / "no_vocab")
  shutil.copytree(output_dir, no_vocab)
  os.remove(os.path.join(no_vocab, "vocab.txt"))
  with pytest.raises(ValueError, match=r"no_vocab/vocab\.txt: file not "
                     r"found.*vocab_file="):
    predictor.load(no_vocab)

  with pytest.raises(ValueError, match="not a directory"):
    predictor.load(str(tmp_path / "nowhere"))
  with pytest.raises(ValueError, match="no checkpoint and no saved_model.pb"):
    predictor.load(str(tmp_path))


def _save_checkpoint(prefix, variable_name, write_state=True):
  """A checkpoint at `prefix` holding one small variable; with write_state
  False no `checkpoint` file names it (as in a released model's folder)."""
  prefix.parent.mkdir(parents=True, exist_ok=True)
  with tf.Graph().as_default():
    tf.compat.v1.get_variable(variable_name, [3, 4])
    with tf.compat.v1.Session() as sess:
      sess.run(tf.compat.v1.global_variables_initializer())
      tf.compat.v1.train.Saver().save(sess, str(prefix),
                                      write_state=write_state)


def test_a_tagging_model_is_named_as_such(tmp_path):
  """A run_ner.py directory is refused for what it is, not as a missing file
  or an untrained head."""
  ner_dir = tmp_path / "ner_out"
  _save_checkpoint(ner_dir / "model.ckpt", "ner/output_weights")
  with pytest.raises(ValueError, match=r"a run_ner\.py \(tagging\) model; "
                     r"predictor serves run_classifier\.py and run_squad\.py"):
    predictor.load(str(ner_dir))


@pytest.mark.slow
def test_a_directory_without_model_info_needs_explicit_values(classifier,
                                                               tmp_path):
  """Trained before model_info.json existed: the error says what to pass,
  and passing it works."""
  output_dir, _, pairs, expected = classifier
  old = str(tmp_path / "old")
  shutil.copytree(output_dir, old)
  os.remove(os.path.join(old, "model_info.json"))
  with pytest.raises(ValueError, match=r"has no model_info\.json recording "
                     r"do_lower_case, max_seq_length, labels.*pass "
                     r"do_lower_case=\.\.\., max_seq_length=\.\.\., "
                     r"labels=\.\.\."):
    predictor.load(old)
  with predictor.load(old, do_lower_case=True, max_seq_length=MAX_SEQ_LENGTH,
                      labels=["0", "1"]) as model:
    result = model.classify(pairs[:2])
  np.testing.assert_allclose(
      [list(r.probabilities.values()) for r in result], expected[:2],
      atol=1e-5, rtol=0)


@pytest.mark.slow
def test_shell_reads_texts_from_stdin(classifier):
  output_dir, _, pairs, expected = classifier
  stdin = "".join("%s ||| %s\n" % pair for pair in pairs[:3])
  result = _run(["-m", "predictor", "--model_dir=" + output_dir], stdin=stdin)
  rows = list(csv.reader(result.stdout.splitlines(), delimiter="\t"))
  assert rows[0] == ["prediction", "P(0)", "P(1)"]
  assert len(rows) == 4
  for row, want in zip(rows[1:], expected[:3]):
    assert row[0] == ["0", "1"][int(np.argmax(want))]
    np.testing.assert_allclose([float(x) for x in row[1:]], want, atol=1e-5)


@pytest.mark.slow
def test_shell_gives_every_input_line_its_row(classifier):
  # A blank line is an empty text: three lines in, three rows out, so that
  # row i answers line i.
  output_dir, _, _, _ = classifier
  output = io.StringIO()
  predictor.run(script_settings.defaults(predictor.define_flags,
                                         model_dir=output_dir),
                ["a lovely day\n", "\n", "rain ||| more rain\n"], output)
  rows = output.getvalue().splitlines()
  assert len(rows) == 1 + 3
  with predictor.load(output_dir) as model:
    expected = model.classify(["a lovely day", "", ("rain", "more rain")])
  assert [row.split("\t")[0] for row in rows[1:]] == [
      result.label for result in expected]


def test_read_inputs_keeps_blank_lines_or_names_them():
  lines = ["first\n", "\n", "  \r\n", "a ||| b\n"]
  assert predictor.read_inputs(lines, export_utils.CLASSIFIER) == [
      "first", "", "  ", ("a", "b")]
  with pytest.raises(ValueError, match="standard input line 2: expected "
                     "'question ||| context'"):
    predictor.read_inputs(["q ||| c\n", "\n"], export_utils.SQUAD)


def test_a_released_model_directory_has_no_task_head(tmp_path):
  """A pre-trained model as released (bert_model.ckpt.*, no `checkpoint`
  file): said for what it is, with how to fine-tune it."""
  released = tmp_path / "uncased_L-2_H-32_A-2"
  _save_checkpoint(released / "bert_model.ckpt",
                   "bert/embeddings/word_embeddings", write_state=False)
  assert not (released / "checkpoint").exists()
  with pytest.raises(ValueError, match=r"bert_model\.ckpt has no task head "
                     r"\(a pre-trained model, not fine-tuned.*"
                     r"--init_checkpoint=.*bert_model\.ckpt"):
    predictor.load(str(released))


@pytest.mark.slow
def test_shell_refuses_empty_input(classifier):
  output_dir, _, _, _ = classifier
  result = helpers.run_script(["-m", "predictor", "--model_dir=" + output_dir],
                              stdin="", timeout=300)
  assert result.returncode == 1
  assert result.stderr.strip().splitlines()[-1] == (
      "error: no input: give one text per line on standard input")
  assert result.stdout == ""


@pytest.fixture(scope="module")
def squad(tmp_path_factory):
  """run_squad.py --do_train --do_predict --export_dir on the test set:
  (output_dir, export_dir, predictions.json, nbest_predictions.json)."""
  tmp_path = tmp_path_factory.mktemp("squad")
  output_dir = str(tmp_path / "out")
  export_dir = str(tmp_path / "export")
  _run(squad_data.fine_tuning_args(tmp_path) + [
      "--n_best_size=5", "--output_dir=" + output_dir,
      "--export_dir=" + export_dir])
  with open(os.path.join(output_dir, "predictions.json")) as f:
    predictions = json.load(f)
  with open(os.path.join(output_dir, "nbest_predictions.json")) as f:
    nbest = json.load(f)
  return output_dir, export_dir, predictions, nbest


@pytest.mark.slow
@pytest.mark.parametrize("source", ["checkpoint_dir", "saved_model"])
def test_answer_gives_the_answers_of_do_predict(squad, source):
  output_dir, export_dir, predictions, nbest = squad
  model_dir = output_dir if source == "checkpoint_dir" else export_dir
  questions = [(qid, question, context)
               for (qid, context, question, _, _) in squad_data.ANSWERABLE]
  with predictor.load(model_dir) as model:
    assert isinstance(model, predictor.QuestionAnswerer)
    assert model.settings["doc_stride"] == 16
    assert model.settings["n_best_size"] == 5
    answers = model.answer_all([(q, c) for (_, q, c) in questions],
                               batch_size=3)
    single = model.answer(questions[0][1], questions[0][2])
  assert [a.text for a in answers] == [predictions[qid]
                                       for (qid, _, _) in questions]
  for (qid, _, _), answer in zip(questions, answers):
    want = next(e["probability"] for e in nbest[qid]
                if e["text"] == answer.text)
    assert answer.score == pytest.approx(want, abs=1e-5)
  assert single.text == answers[0].text
  assert single.score == pytest.approx(answers[0].score, abs=1e-6)


@pytest.mark.slow
def test_answer_bad_input(squad):
  _, export_dir, _, _ = squad
  with predictor.load(export_dir) as model:
    with pytest.raises(ValueError, match="empty list"):
      model.answer_all([])
    with pytest.raises(ValueError, match=r"\(question, context\) pair"):
      model.answer_all(["a question without its context"])
    handler = _Warnings()
    logger = logging.getLogger("tensorflow")
    logger.addHandler(handler)
    try:
      long_question = " ".join(["who"] * 30) + " won the prize?"
      answer = model.answer(long_question, squad_data.SHORT_CONTEXT)
    finally:
      logger.removeHandler(handler)
  assert isinstance(answer.text, str)
  assert ("1 of 1 question(s) were longer than max_query_length=16 tokens "
          "and were cut to it") in handler.messages
