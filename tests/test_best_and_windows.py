# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Windows over long texts for classification; evaluation during training,
the best checkpoint and early stopping (classifier_windows.py,
best_checkpoint.py and their use in run_classifier.py)."""

import json
import os

import numpy as np
import pytest
import tensorflow as tf

import best_checkpoint
import classifier_lib
import classifier_windows
import run_classifier
import script_settings
import tokenization
from script_utils import UsageError
from tests import classifier_testdata as data
from tests import helpers

WORDS = data.FILLER


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory):
  path = tmp_path_factory.mktemp("vocab") / "vocab.txt"
  helpers.write_vocab(str(path), data.VOCAB)
  return tokenization.FullTokenizer(str(path), do_lower_case=True)


def _example(n_a, n_b=0, label="1"):
  return classifier_lib.InputExample(
      guid="x", text_a=" ".join(WORDS[i % len(WORDS)] for i in range(n_a)),
      text_b=(" ".join(WORDS[i % len(WORDS)] for i in range(n_b)) or None),
      label=label)


def _tokens(feature, tokenizer):
  ids = [i for i, m in zip(feature.input_ids, feature.input_mask) if m]
  return tokenizer.convert_ids_to_tokens(ids)


# ---------------------------------------------------------------------------
# Windows


def test_a_text_of_exactly_max_seq_length_is_one_unchanged_input(tokenizer):
  example = _example(8)  # [CLS] + 8 + [SEP] = 10
  windows = classifier_windows.example_windows(0, example, ["0", "1"], 10,
                                               tokenizer, 4)
  whole = classifier_lib.convert_single_example(0, example, ["0", "1"], 10,
                                                tokenizer)
  assert len(windows) == 1
  assert windows[0].input_ids == whole.input_ids
  assert windows[0].segment_ids == whole.segment_ids


def test_one_token_over_makes_two_windows_covering_every_token(tokenizer):
  example = _example(9)
  windows = classifier_windows.example_windows(0, example, ["0", "1"], 10,
                                               tokenizer, 4)
  assert len(windows) == 2
  first, second = (_tokens(w, tokenizer) for w in windows)
  assert first == ["[CLS]"] + WORDS[:8] + ["[SEP]"]
  # The second window starts one stride later and reaches the last token.
  assert second == ["[CLS]"] + WORDS[4:9] + ["[SEP]"]
  assert all(w.label_id == 1 for w in windows)
  assert all(len(w.input_ids) == 10 for w in windows)


def test_pairs_window_the_second_text(tokenizer):
  example = _example(3, 12)
  windows = classifier_windows.example_windows(0, example, ["0", "1"], 12,
                                               tokenizer, 3)
  # Room for b: 12 - 3 - 3 = 6 tokens a window, starts 3 apart: 0, 3, 6.
  assert len(windows) == 3
  for start, window in zip((0, 3, 6), windows):
    tokens = _tokens(window, tokenizer)
    assert tokens[:5] == ["[CLS]"] + WORDS[:3] + ["[SEP]"]
    assert tokens[5:-1] == WORDS[start:start + 6]
    segments = window.segment_ids[:len(tokens)]
    assert segments == [0] * 5 + [1] * (len(tokens) - 5)
  # A first text longer than half the room is cut to half of it.
  long_a = classifier_windows.example_windows(0, _example(20, 12), ["0", "1"],
                                              12, tokenizer, 3)
  assert _tokens(long_a[0], tokenizer)[:6] == ["[CLS]"] + WORDS[:4] + [
      "[SEP]"]


def test_pooling_mean_and_max_per_text():
  probabilities = np.array([[0.9, 0.1], [0.5, 0.5], [0.2, 0.8], [0.4, 0.6]])
  text_index = [0, 0, 1, 1]
  mean = classifier_windows.pool_windows(probabilities, text_index, 2)
  # Mean log-probabilities: softmax of the mean logits.
  expected = np.exp(np.log(probabilities[:2]).mean(axis=0))
  np.testing.assert_allclose(mean[0], expected / expected.sum())
  np.testing.assert_allclose(mean.sum(axis=-1), [1.0, 1.0])
  maximum = classifier_windows.pool_windows(probabilities, text_index, 2,
                                            "max")
  np.testing.assert_allclose(maximum[1], np.array([0.4, 0.8]) / 1.2)
  scores = classifier_windows.pool_windows([1.0, 3.0, 2.0], [0, 0, 1], 2,
                                           is_regression=True)
  np.testing.assert_allclose(scores, [2.0, 2.0])
  with pytest.raises(ValueError):
    classifier_windows.pool_windows(probabilities, [0, 0, 0, 0], 2)


def test_metrics_count_texts():
  outputs = np.array([[0.2, 0.8], [0.7, 0.3], [0.4, 0.6]])
  result = classifier_windows.text_metrics(outputs, [1, 1, 0],
                                           task_metric="f1")
  assert result["eval_accuracy"] == pytest.approx(1 / 3)
  assert result["eval_f1"] == pytest.approx(0.5)
  assert result["eval_loss"] == pytest.approx(
      -np.mean(np.log([0.8, 0.3, 0.4])))


def test_records_are_unchanged_without_windows(tmp_path, tokenizer):
  examples = [_example(4), _example(30), _example(3, 5)]
  plain = str(tmp_path / "plain.tf_record")
  windows = str(tmp_path / "windows.tf_record")
  classifier_lib.file_based_convert_examples_to_features(
      examples[:1] + examples[2:], ["0", "1"], 12, tokenizer, plain)
  # Texts that fit give byte-identical records through the window path.
  index = classifier_windows.write_window_records(
      examples[:1] + examples[2:], ["0", "1"], 12, tokenizer, 4, windows,
      "texts")
  assert index == [0, 1]
  with open(plain, "rb") as a, open(windows, "rb") as b:
    assert a.read() == b.read()


# ---------------------------------------------------------------------------
# Best checkpoint, history, early stopping


def test_direction_is_known_per_metric():
  assert not best_checkpoint.higher_is_better("eval_loss")
  for metric in ("eval_accuracy", "eval_f1", "eval_mcc", "eval_pearson",
                 "eval_spearman", "exact_match", "f1"):
    assert best_checkpoint.higher_is_better(metric)
  with pytest.raises(UsageError, match="--keep_best_by=eval_bleu"):
    best_checkpoint.higher_is_better("eval_bleu")


def _save_checkpoint(model_dir, step, value):
  with tf.Graph().as_default():
    variable = tf.compat.v1.get_variable("v", initializer=float(value))
    global_step = tf.compat.v1.train.get_or_create_global_step()
    saver = tf.compat.v1.train.Saver(max_to_keep=2)
    with tf.compat.v1.Session() as sess:
      sess.run(tf.compat.v1.global_variables_initializer())
      sess.run(global_step.assign(step))
      del variable
      return saver.save(sess, os.path.join(model_dir, "model.ckpt"),
                        global_step=step)


def test_tracker_keeps_the_peak_and_stops_after_patience(tmp_path):
  model_dir = str(tmp_path)
  with open(os.path.join(model_dir, "model_info.json"), "w") as f:
    json.dump({"kind": "classifier"}, f)
  tracker = best_checkpoint.Tracker(model_dir, "eval_accuracy", patience=2)
  accuracies = {10: 0.6, 20: 0.8, 30: 0.7, 40: 0.75, 50: 0.9}
  stopped_at = None
  for step in sorted(accuracies):
    if tracker.should_stop():
      stopped_at = step
      break
    path = _save_checkpoint(model_dir, step, accuracies[step])
    tracker.record(step, {"eval_accuracy": accuracies[step],
                          "eval_loss": 1.0}, path)
  # Two evaluations (30, 40) without improving on step 20: stop before 50.
  assert stopped_at == 50
  best = best_checkpoint.read_best(model_dir)
  assert best["step"] == 20 and best["value"] == pytest.approx(0.8)
  prefix = best_checkpoint.best_checkpoint_path(model_dir)
  # Kept outside keep_checkpoint_max's rotation, which deletes step 20's
  # own files.
  for name in os.listdir(model_dir):
    if name.startswith("model.ckpt-20."):
      os.remove(os.path.join(model_dir, name))
  assert tf.train.load_checkpoint(prefix).get_tensor("v") == pytest.approx(
      0.8)
  with open(os.path.join(model_dir, "model_info.json")) as f:
    assert json.load(f)["best_checkpoint"]["step"] == 20
  history = best_checkpoint.read_history(model_dir)
  assert [r["step"] for r in history] == [10, 20, 30, 40]
  assert [r["best"] for r in history] == [True, True, False, False]
  # Resumed (a new process): the best and the patience count carry on.
  resumed = best_checkpoint.Tracker(model_dir, "eval_accuracy", patience=2)
  assert resumed.best["step"] == 20 and resumed.should_stop()
  with pytest.raises(UsageError, match="keeps its best checkpoint by"):
    best_checkpoint.Tracker(model_dir, "eval_loss")


def test_lower_is_better_for_a_loss_and_a_cut_history_line(tmp_path):
  model_dir = str(tmp_path)
  tracker = best_checkpoint.Tracker(model_dir, "eval_loss")
  for step, loss in ((1, 0.5), (2, 0.3), (3, 0.4)):
    tracker.record(step, {"eval_loss": loss},
                   _save_checkpoint(model_dir, step, loss))
  assert tracker.best["step"] == 2
  with open(os.path.join(model_dir, best_checkpoint.HISTORY_FILE), "a") as f:
    f.write('{"step": 4, "metr')  # killed mid-line
  assert len(best_checkpoint.read_history(model_dir)) == 3


def test_flag_checks():
  def settings(**kw):
    return script_settings.defaults(run_classifier.define_flags,
                                    do_train=True, do_eval=True, **kw)
  best_checkpoint.check_flags(settings(eval_every_steps=5,
                                       keep_best_by="eval_f1",
                                       early_stopping_patience=2))
  for kw, message in (
      (dict(keep_best_by="eval_f1"), "needs --eval_every_steps"),
      (dict(eval_every_steps=0), "--eval_every_steps=0"),
      (dict(eval_every_steps=5, early_stopping_patience=2),
       "needs --keep_best_by"),
      (dict(eval_every_steps=5, keep_best_by="bleu"), "unknown metric")):
    with pytest.raises(UsageError, match=message):
      best_checkpoint.check_flags(settings(**kw))
  with pytest.raises(UsageError, match="--doc_stride=0"):
    classifier_windows.check_flags(settings(doc_stride=0))
  assert best_checkpoint.evaluation_steps(10, 4) == [4, 8, 10]
  assert best_checkpoint.evaluation_steps(8, 4) == [4, 8]


# ---------------------------------------------------------------------------
# End to end on the tiny model (both runtimes)


def _flipped(pairs):
  return [("1" if label == "0" else "0", a, b) for (label, a, b) in pairs]


@pytest.fixture
def peaking_task(tmp_path):
  """A task whose dev loss is lowest early: dev has train's rule, flipped.

  The better the model learns train, the worse it does on dev, so the dev
  metric peaks at the first evaluations and the last checkpoint is not the
  best one.
  """
  files = data.write_model_files(tmp_path / "model")
  dev = _flipped(data.keyword_pairs(16, seed=2))
  data_dir = data.write_mrpc_folder(tmp_path / "data",
                                    data.keyword_pairs(48, seed=1), dev,
                                    data.keyword_pairs(4, seed=3))
  args = dict(task_name="mrpc", data_dir=data_dir, do_train=True,
              do_eval=True, vocab_file=files["vocab_file"],
              bert_config_file=files["bert_config_file"], max_seq_length=16,
              train_batch_size=8, learning_rate=1e-3, num_train_epochs=4.0,
              eval_every_steps=3, keep_best_by="eval_loss", tf_random_seed=1)
  return args, dev


def _settings(**kw):
  return script_settings.defaults(run_classifier.define_flags, **kw)


def _dev_loss(model_dir, dev):
  import predictor  # pylint: disable=g-import-not-at-top
  with predictor.load(model_dir) as model:
    results = model.classify([(a, b) for (_, a, b) in dev])
  return float(np.mean([-np.log(r.probabilities[label])
                        for r, (label, _, _) in zip(results, dev)]))


@pytest.mark.slow
def test_the_peak_is_kept_and_served(tmp_path, peaking_task):
  args, dev = peaking_task
  output_dir = str(tmp_path / "out")
  export_dir = str(tmp_path / "export")
  run_classifier.run(_settings(output_dir=output_dir, export_dir=export_dir,
                               **args))
  history = best_checkpoint.read_history(output_dir)
  steps = [r["step"] for r in history]
  assert steps == [3, 6, 9, 12, 15, 18, 21, 24]
  losses = [r["metrics"]["eval_loss"] for r in history]
  best = best_checkpoint.read_best(output_dir)
  assert best["value"] == pytest.approx(min(losses))
  assert best["step"] == steps[int(np.argmin(losses))] < steps[-1]
  with open(os.path.join(output_dir, "model_info.json")) as f:
    assert json.load(f)["best_checkpoint"]["step"] == best["step"]
  # The final evaluation, the exported model and predictor.load on the
  # output directory all serve the peak.
  final = data.read_eval_results(os.path.join(output_dir,
                                               "eval_results.txt"))
  assert final["global_step"] == best["step"]
  assert final["eval_loss"] == pytest.approx(best["value"], abs=1e-4)
  assert _dev_loss(export_dir, dev) == pytest.approx(best["value"], abs=1e-4)
  assert _dev_loss(output_dir, dev) == pytest.approx(best["value"], abs=1e-4)


@pytest.mark.slow
def test_early_stopping_and_a_killed_run_resumed(tmp_path, peaking_task):
  args, _ = peaking_task
  output_dir = str(tmp_path / "out")
  flags = ["run_classifier.py"] + ["--%s=%s" % (k, v) for k, v in dict(
      args, output_dir=output_dir, early_stopping_patience=3).items()]
  # Killed as soon as two evaluations are recorded ...
  process = helpers.start_script(flags)
  history_file = os.path.join(output_dir, best_checkpoint.HISTORY_FILE)
  import time  # pylint: disable=g-import-not-at-top
  deadline = time.time() + 300
  while time.time() < deadline and process.poll() is None:
    if (os.path.exists(history_file) and
        len(best_checkpoint.read_history(output_dir)) >= 2):
      break
    time.sleep(0.2)
  process.kill()
  process.communicate()
  before = best_checkpoint.read_history(output_dir)
  assert len(before) >= 2
  best_before = best_checkpoint.read_best(output_dir)
  # ... and started again: it resumes, the best so far carries on.
  run_classifier.run(_settings(output_dir=output_dir,
                               early_stopping_patience=3, **args))
  history = best_checkpoint.read_history(output_dir)
  steps = [r["step"] for r in history]
  assert steps[:len(before)] == [r["step"] for r in before]
  assert steps == sorted(set(steps))
  best = best_checkpoint.read_best(output_dir)
  losses = [r["metrics"]["eval_loss"] for r in history]
  assert best["value"] == pytest.approx(min(losses))
  assert best["value"] <= best_before["value"]
  # Stopped at the third evaluation without improvement, before the end.
  best_index = steps.index(best["step"])
  assert len(steps) == best_index + 4
  assert steps[-1] < 24
  assert tf.train.latest_checkpoint(output_dir).endswith(
      "model.ckpt-%d" % steps[-1])


@pytest.mark.slow
def test_ner_keeps_its_best_entity_f1(tmp_path):
  import run_ner  # pylint: disable=g-import-not-at-top
  from tests import ner_testdata  # pylint: disable=g-import-not-at-top
  data_dir = tmp_path / "data"
  data_dir.mkdir()
  ner_testdata.write_conll(str(data_dir / "train.txt"),
                           ner_testdata.tagging_sentences(24, seed=1))
  ner_testdata.write_conll(str(data_dir / "dev.txt"),
                           ner_testdata.tagging_sentences(8, seed=2))
  model = ner_testdata.write_tiny_model(tmp_path / "model")
  output_dir = str(tmp_path / "out")
  run_ner.run_task(ner_testdata.flags_namespace(
      data_dir=str(data_dir), output_dir=output_dir, do_train=True,
      do_eval=True, max_seq_length=16, train_batch_size=4,
      num_train_epochs=2.0, learning_rate=1e-3, tf_random_seed=1,
      eval_every_steps=4, keep_best_by="eval_f1", **model))
  history = best_checkpoint.read_history(output_dir)
  assert [r["step"] for r in history] == [4, 8, 12]
  best = best_checkpoint.read_best(output_dir)
  assert best["value"] == pytest.approx(
      max(r["metrics"]["eval_f1"] for r in history))
  final = data.read_eval_results(os.path.join(output_dir,
                                               "eval_results.txt"))
  assert final["global_step"] == best["step"]
  assert final["eval_f1"] == pytest.approx(best["value"])


@pytest.mark.slow
def test_squad_keeps_its_best_f1(tmp_path):
  import run_squad  # pylint: disable=g-import-not-at-top
  from tests import squad_data  # pylint: disable=g-import-not-at-top
  vocab = squad_data.write_vocab(tmp_path / "vocab.txt")
  config = helpers.write_bert_config(
      tmp_path / "bert_config.json",
      helpers.tiny_bert_config(vocab_size=len(squad_data.vocab_tokens()),
                               intermediate_size=37))
  data_file = squad_data.write_dataset(tmp_path / "squad.json")
  output_dir = str(tmp_path / "out")
  settings = script_settings.defaults(
      run_squad.define_flags, vocab_file=vocab, bert_config_file=config,
      output_dir=output_dir, do_train=True, train_file=data_file,
      do_predict=True, predict_file=data_file, max_seq_length=48,
      doc_stride=16, max_query_length=12, train_batch_size=4,
      predict_batch_size=8, n_best_size=5, learning_rate=1e-3,
      num_train_epochs=3.0, tf_random_seed=1, eval_every_steps=2,
      keep_best_by="f1")
  run_squad.run(settings)
  history = best_checkpoint.read_history(output_dir)
  assert len(history) >= 2
  best = best_checkpoint.read_best(output_dir)
  assert best["value"] == pytest.approx(
      max(r["metrics"]["f1"] for r in history))
  with open(os.path.join(output_dir, "squad_metrics.json")) as f:
    assert json.load(f)["f1"] == pytest.approx(best["value"])
  with pytest.raises(UsageError, match="needs --do_train and --do_predict"):
    run_squad.run(settings.replace(do_train=False))


@pytest.mark.slow
def test_windowed_run_scores_each_text_once(tmp_path, caplog):
  files = data.write_model_files(tmp_path / "model")
  rng = np.random.RandomState(0)

  def long_pairs(n):
    # The label word comes after 20 filler words: beyond a 16-token input.
    pairs = []
    for i in range(n):
      label = i % 2
      words = list(rng.choice(data.FILLER, 20)) + [
          rng.choice(data.POSITIVE if label else data.NEGATIVE)]
      pairs.append((str(label), "apple river", " ".join(words)))
    return pairs

  data_dir = data.write_mrpc_folder(tmp_path / "data", long_pairs(32),
                                    long_pairs(8), long_pairs(5))
  output_dir = str(tmp_path / "out")
  caplog.set_level("INFO")
  result = run_classifier.run(_settings(
      task_name="mrpc", data_dir=data_dir, do_train=True, do_eval=True,
      do_predict=True, output_dir=output_dir, doc_stride=4,
      window_pooling="max", max_seq_length=16, train_batch_size=8,
      learning_rate=1e-3, num_train_epochs=1.0, tf_random_seed=1, **{
          k: v for k, v in files.items() if k != "init_checkpoint"}))
  del result
  log = caplog.text
  # 3 + 20 + 1 words of b, 16 - 3 - 2 = 11 a window, starts 4 apart: 4.
  assert ("Windows: 8 of 8 dev texts are longer than --max_seq_length=16 "
          "and were read as windows (--doc_stride=4): 32 windows" in log)
  assert "Num examples = 32 (128 windows)" in log
  rows = data.read_test_results(os.path.join(output_dir, "test_results.tsv"))
  assert len(rows) == 5
  assert all(sum(row) == pytest.approx(1.0) for row in rows)
  results = data.read_eval_results(os.path.join(output_dir,
                                                "eval_results.txt"))
  # predictor.load reads long texts the same way.
  import predictor  # pylint: disable=g-import-not-at-top
  with open(os.path.join(data_dir, "test.tsv")) as f:
    pairs = [tuple(line.rstrip("\n").split("\t")[3:5])
             for line in f.readlines()[1:]]
  with predictor.load(output_dir) as model:
    assert model.doc_stride == 4
    served = [list(r.probabilities.values()) for r in model.classify(pairs)]
  np.testing.assert_allclose(served, rows, atol=1e-5)
  # Accuracy over 8 texts: a multiple of 1/8.
  assert (results["eval_accuracy"] * 8) == pytest.approx(
      round(results["eval_accuracy"] * 8))


def test_the_log_line_names_the_best_checkpoint(tmp_path):
  model_dir = str(tmp_path)
  tracker = best_checkpoint.Tracker(model_dir, "eval_accuracy")
  for step, accuracy in ((1, 0.7), (2, 0.6)):
    tracker.record(step, {"eval_accuracy": accuracy},
                   _save_checkpoint(model_dir, step, accuracy))
    with open(os.path.join(model_dir, "checkpoint"), "w") as f:
      f.write('model_checkpoint_path: "model.ckpt-%d"\n' % step)
  line = best_checkpoint.describe_best(model_dir, "Predicting")
  assert line.startswith("Predicting with the best checkpoint ")
  assert "model.ckpt-1 (global step 1, eval_accuracy = 0.7" in line
  assert line.endswith("not the newest one (step 2)")
  assert best_checkpoint.describe_best(str(tmp_path / "none"), "x") is None
