# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Multi-label loss, metrics and thresholds, and the class-weighted losses,
each against an independent NumPy computation."""

import itertools
import os
import types

import numpy as np
import pytest
import tensorflow as tf

import class_weights
import classifier_lib
import estimator_runtime
import multilabel
import ner_lib
from script_utils import UsageError
from tests import classifier_testdata

tf1 = tf.compat.v1

LABELS = ["a", "b", "c"]


def _sets_to_bits(sets, labels=LABELS):
  return np.array([[1 if l in s else 0 for l in labels] for s in sets])


# ---------------------------------------------------------------------------
# Multi-label loss
# ---------------------------------------------------------------------------


def test_sigmoid_cross_entropy_is_the_mean_over_labels():
  rng = np.random.RandomState(0)
  logits = rng.normal(size=(5, 4)).astype(np.float32) * 3
  targets = rng.randint(0, 2, size=(5, 4))
  with tf.Graph().as_default(), tf1.Session() as sess:
    per_example = sess.run(multilabel.sigmoid_cross_entropy(
        tf.constant(logits), tf.constant(targets)))
  p = 1 / (1 + np.exp(-logits.astype(np.float64)))
  expected = np.mean(-(targets * np.log(p) + (1 - targets) * np.log(1 - p)),
                     axis=1)
  np.testing.assert_allclose(per_example, expected, rtol=1e-5)
  np.testing.assert_allclose(
      multilabel.mean_binary_cross_entropy(p, targets), expected.mean(),
      rtol=1e-6)


# ---------------------------------------------------------------------------
# Metrics
# ---------------------------------------------------------------------------


def _reference_metrics(predicted_sets, true_sets, labels):
  """Counts by going through the examples one label at a time."""
  tp = {l: 0 for l in labels}
  fp = dict(tp)
  fn = dict(tp)
  for guess, truth in zip(predicted_sets, true_sets):
    for l in labels:
      if l in guess and l in truth:
        tp[l] += 1
      elif l in guess:
        fp[l] += 1
      elif l in truth:
        fn[l] += 1

  def f1(t, p, n):
    precision = t / (t + p) if t + p else 0.0
    recall = t / (t + n) if t + n else 0.0
    return (2 * precision * recall / (precision + recall)
            if precision + recall else 0.0)

  per_label = {l: f1(tp[l], fp[l], fn[l]) for l in labels}
  return {
      "micro_f1": f1(sum(tp.values()), sum(fp.values()), sum(fn.values())),
      "macro_f1": sum(per_label.values()) / len(labels),
      "exact_match": sum(set(g) == set(t) for g, t in
                         zip(predicted_sets, true_sets)) / len(true_sets),
      "per_label": per_label,
      "precision_b": tp["b"] / (tp["b"] + fp["b"]) if tp["b"] + fp["b"]
                     else 0.0,
      "recall_b": tp["b"] / (tp["b"] + fn["b"]) if tp["b"] + fn["b"] else 0.0,
  }


def test_metrics_match_a_count_example_by_example():
  rng = np.random.RandomState(1)
  subsets = [set(c) for r in range(4) for c in itertools.combinations(
      LABELS, r)]
  true_sets = [subsets[i] for i in rng.randint(0, len(subsets), 40)]
  predicted_sets = [subsets[i] for i in rng.randint(0, len(subsets), 40)]
  # Some exact hits, so exact match is not 0.
  predicted_sets[:10] = true_sets[:10]
  result = multilabel.metrics(_sets_to_bits(predicted_sets),
                              _sets_to_bits(true_sets), LABELS)
  expected = _reference_metrics(predicted_sets, true_sets, LABELS)
  assert result["micro_f1"] == pytest.approx(expected["micro_f1"])
  assert result["macro_f1"] == pytest.approx(expected["macro_f1"])
  assert result["exact_match"] == pytest.approx(expected["exact_match"])
  for l in LABELS:
    assert result["f1_" + l] == pytest.approx(expected["per_label"][l])
  assert result["precision_b"] == pytest.approx(expected["precision_b"])
  assert result["recall_b"] == pytest.approx(expected["recall_b"])
  assert result["support_a"] == sum("a" in s for s in true_sets)


def test_metrics_of_a_hand_counted_case():
  true_sets = [{"a"}, {"a", "b"}, set(), {"c"}]
  predicted_sets = [{"a"}, {"a"}, {"b"}, {"c"}]
  result = multilabel.metrics(_sets_to_bits(predicted_sets),
                              _sets_to_bits(true_sets), LABELS)
  # tp: a=2, c=1; fp: b=1; fn: b=1. micro F1 = 2*3 / (2*3 + 1 + 1).
  assert result["micro_f1"] == pytest.approx(6 / 8)
  assert result["macro_f1"] == pytest.approx((1 + 0 + 1) / 3)
  assert result["exact_match"] == pytest.approx(2 / 4)


# ---------------------------------------------------------------------------
# Threshold tuning
# ---------------------------------------------------------------------------


def _f1_at(p, y, t):
  guess = p >= t
  tp = np.sum(guess & (y == 1))
  fp = np.sum(guess & (y == 0))
  fn = np.sum(~guess & (y == 1))
  return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0


def test_tuned_thresholds_beat_every_threshold_on_a_fine_grid():
  rng = np.random.RandomState(2)
  targets = rng.randint(0, 2, size=(60, 3))
  targets[:, 2] = (rng.rand(60) < 0.15)  # a rare label
  # Probabilities that carry the label, shifted so that 0.5 is a poor cut.
  probabilities = np.clip(
      0.25 + 0.3 * targets + rng.normal(scale=0.12, size=targets.shape),
      0.001, 0.999)
  thresholds = multilabel.tune_thresholds(probabilities, targets)
  grid = np.linspace(0, 1, 2001)
  for j in range(3):
    best_on_grid = max(_f1_at(probabilities[:, j], targets[:, j], t)
                       for t in grid)
    tuned = _f1_at(probabilities[:, j], targets[:, j], thresholds[j])
    assert tuned >= best_on_grid - 1e-12
    assert tuned >= _f1_at(probabilities[:, j], targets[:, j], 0.5)
  assert thresholds[0] < 0.5  # the shift: the best cut is lower


def test_a_label_never_present_keeps_the_default_threshold():
  probabilities = np.array([[0.9, 0.2], [0.1, 0.7]])
  targets = np.array([[1, 0], [0, 0]])
  assert multilabel.tune_thresholds(probabilities, targets)[1] == 0.5


def test_test_results_round_trip(tmp_path):
  path = str(tmp_path / "test_results.tsv")
  probabilities = np.array([[0.9, 0.2, 0.6], [0.1, 0.4, 0.3]])
  multilabel.write_test_results(path, probabilities, [0.5, 0.3, 0.7],
                                LABELS)
  labels, read, sets = multilabel.read_test_results(path)
  assert labels == LABELS
  np.testing.assert_allclose(read, probabilities)
  assert sets == [("a",), ("b",)]


# ---------------------------------------------------------------------------
# Class weights
# ---------------------------------------------------------------------------


def test_balanced_weights_are_inverse_frequency_with_mean_one():
  weights = class_weights.resolve("balanced", ["x", "y", "z"],
                                  ["x"] * 6 + ["y"] * 3 + ["z"])
  inverse = np.array([1 / 6, 1 / 3, 1 / 1])
  np.testing.assert_allclose(weights, inverse / inverse.mean())
  assert np.mean(weights) == pytest.approx(1.0)


def test_explicit_weights_and_their_errors():
  assert class_weights.resolve("y=4, x=0.5", ["x", "y", "z"], []) == [
      0.5, 4.0, 1.0]
  assert class_weights.resolve(None, ["x"], []) is None
  for spec, message in (("w=2", "'w' is not one of the classes"),
                        ("x=-1", "must be a positive number"),
                        ("x=abc", "must be a positive number"),
                        ("x", "expected 'balanced' or name=weight")):
    with pytest.raises(UsageError, match=message):
      class_weights.resolve(spec, ["x", "y"], [])
  with pytest.raises(UsageError, match="'y' does not occur in train"):
    class_weights.resolve("balanced", ["x", "y"], ["x"])


def _spec_tensors(spec, names):
  return dict(zip(names, spec.eval_metrics[1]))


@pytest.mark.slow
def test_classifier_weighted_loss_in_training_and_eval_matches_numpy():
  config = classifier_testdata.bert_config()
  rng = np.random.RandomState(3)
  batch, seq = 6, 8
  features = {
      "input_ids": rng.randint(5, config["vocab_size"], (batch, seq)),
      "input_mask": np.ones((batch, seq)),
      "segment_ids": np.zeros((batch, seq)),
      "label_ids": np.array([0, 1, 2, 2, 0, 2]),
      "is_real_example": np.array([1, 1, 1, 1, 1, 0]),
  }
  weights = [0.5, 2.0, 1.25]
  import modeling  # pylint: disable=g-import-not-at-top
  with tf.Graph().as_default(), tf1.Session() as sess:
    # A fixed initialization: with an unseeded one the weighted and plain
    # means come within the 1e-3 below about one run in four.
    tf1.set_random_seed(0)
    model_fn = classifier_lib.model_fn_builder(
        modeling.BertConfig.from_dict(config), num_labels=3,
        init_checkpoint=None, learning_rate=1e-3, num_train_steps=1,
        num_warmup_steps=0, use_tpu=False, use_one_hot_embeddings=False,
        class_weights=weights)
    spec = model_fn({k: tf.constant(v, tf.int32) for k, v in
                     features.items()}, None, estimator_runtime.ModeKeys.EVAL,
                    {})
    tensors = _spec_tensors(spec, ["per_example_loss", "label_ids", "logits",
                                   "is_real_example", "loss_weights"])
    metric_fn = spec.eval_metrics[0]
    eval_loss, update = metric_fn(*spec.eval_metrics[1])["eval_loss"]
    sess.run([tf1.global_variables_initializer(),
              tf1.local_variables_initializer()])
    loss, logits, _ = sess.run([spec.loss, tensors["logits"], update])
    reported = sess.run(eval_loss)
  logits = logits.astype(np.float64)
  log_probs = logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
  ce = -log_probs[np.arange(batch), features["label_ids"]]
  w = np.array(weights)[features["label_ids"]] * features["is_real_example"]
  expected = np.sum(w * ce) / np.sum(w)
  assert loss == pytest.approx(expected, rel=1e-5)
  assert reported == pytest.approx(expected, rel=1e-5)
  # Without weights the two would differ: the test can fail.
  assert abs(np.mean(ce[:5]) - expected) > 1e-3


def test_tagging_weighted_loss_matches_numpy():
  config = classifier_testdata.bert_config()
  rng = np.random.RandomState(4)
  batch, seq, num_labels = 3, 8, 4
  label_ids = rng.randint(0, num_labels, (batch, seq))
  label_weights = (rng.rand(batch, seq) < 0.6).astype(np.float32)
  features = {
      "input_ids": rng.randint(5, config["vocab_size"], (batch, seq)),
      "input_mask": np.ones((batch, seq)),
      "segment_ids": np.zeros((batch, seq)),
      "label_ids": label_ids,
  }
  weights = [0.1, 3.0, 1.5, 0.7]
  import modeling  # pylint: disable=g-import-not-at-top
  model_fn = ner_lib.model_fn_builder(
      modeling.BertConfig.from_dict(config), num_labels, None, 1e-3, 1, 0,
      False, False, class_weights=weights)

  def run(mode, fetch):
    # The same graph-level seed and the same variables in the same order:
    # the same initial weights in both graphs.
    with tf.Graph().as_default(), tf1.Session() as sess:
      tf1.set_random_seed(7)
      inputs = {k: tf.constant(v, tf.int32) for k, v in features.items()}
      inputs["label_weights"] = tf.constant(label_weights)
      spec = model_fn(inputs, None, mode, {})
      sess.run(tf1.global_variables_initializer())
      return sess.run(fetch(spec))

  loss = run(estimator_runtime.ModeKeys.EVAL, lambda spec: spec.loss)
  probabilities = run(estimator_runtime.ModeKeys.PREDICT,
                      lambda spec: spec.predictions["probabilities"])
  p = probabilities.astype(np.float64)
  ce = -np.log(np.take_along_axis(p, label_ids[..., None], axis=-1)[..., 0])
  w = label_weights * np.array(weights)[label_ids]
  expected = np.sum(w * ce) / max(np.sum(w), 1.0)
  assert loss == pytest.approx(expected, rel=1e-4)
  assert abs(np.sum(label_weights * ce) / np.sum(label_weights) -
             expected) > 1e-3


@pytest.mark.slow
def test_run_ner_with_class_weights_reports_the_weighted_eval_loss(tmp_path):
  # Imported here: only this test runs the tagging script.
  import run_ner  # pylint: disable=g-import-not-at-top
  from tests import ner_testdata  # pylint: disable=g-import-not-at-top
  data_dir = tmp_path / "data"
  os.makedirs(str(data_dir))
  sentences = ner_testdata.tagging_sentences(24, seed=1)
  for name in ("train.txt", "dev.txt"):
    ner_testdata.write_conll(str(data_dir / name), sentences)
  model = ner_testdata.write_tiny_model(tmp_path / "model")
  results = {}
  for spec in (None, "balanced"):
    output_dir = tmp_path / ("out_%s" % spec)
    settings = ner_testdata.flags_namespace(
        do_train=True, do_eval=True, data_dir=str(data_dir),
        output_dir=str(output_dir), max_seq_length=32, train_batch_size=8,
        learning_rate=1e-3, num_train_epochs=1, tf_random_seed=1,
        class_weights=spec, **model)
    run_ner.run(settings)
    results[spec] = classifier_testdata.read_eval_results(
        str(output_dir / "eval_results.txt"))
  # Same seed, same data: only the loss weights differ, so the training and
  # the reported loss both change.
  assert results[None]["eval_loss"] != pytest.approx(
      results["balanced"]["eval_loss"], rel=1e-3)


@pytest.mark.parametrize("name", ["doc_stride", "eval_every_steps",
                                  "keep_best_by", "early_stopping_patience"])
def test_flags_the_multi_label_run_lacks_are_refused(name):
  # Before anything is read or written: the processor and files are unused.
  settings = types.SimpleNamespace(class_weights=None, **{name: 2})
  with pytest.raises(UsageError, match="--%s: " % name):
    multilabel.run(settings, None, None, None, None, None)
