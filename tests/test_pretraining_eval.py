# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Pre-training evaluation scores every record exactly once.

13 records and a checkpoint of known weights: `run_pretraining.py --do_eval`
must give the same metrics for every --eval_batch_size (13, 8, 5, 1, and 20,
more than there are records), equal to a NumPy computation over all 13;
--max_eval_steps caps the work and the log says how many were scored. The
evaluation input (also the TPU one, which pads without end, and a pod's
per-host shares) is checked batch by batch.
"""

import os
import types

import numpy as np
import pytest
import tensorflow as tf

import estimator_runtime
import modeling
import run_pretraining
from tests import helpers
from tests import numpy_bert

tf1 = tf.compat.v1

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "run_pretraining.py")

SEQ = 32
PRED = 8
NUM_RECORDS = 13
GLOBAL_STEP = 7
METRICS = ("masked_lm_accuracy", "masked_lm_loss", "next_sentence_accuracy",
           "next_sentence_loss")
# Batch sizes that divide 13 records evenly, unevenly, one by one, and into
# a single batch larger than the data.
BATCH_SIZES = (13, 8, 5, 1, 20)


def _head_weights(config, seed):
  """Random values for the cls/ heads, under their checkpoint names."""
  rng = np.random.RandomState(seed)
  h = config["hidden_size"]

  def r(*shape):
    return (rng.randn(*shape) * 0.2).astype(np.float32)

  return {
      "cls/predictions/transform/dense/kernel": r(h, h),
      "cls/predictions/transform/dense/bias": r(h),
      "cls/predictions/transform/LayerNorm/beta": r(h),
      "cls/predictions/transform/LayerNorm/gamma": 1.0 + r(h),
      "cls/predictions/output_bias": r(config["vocab_size"]),
      "cls/seq_relationship/output_weights": r(2, h) * 10,
      "cls/seq_relationship/output_bias": r(2),
  }


def _read_records(path):
  """The records of `path` as a dict of name -> int64/float32 array [N, ...]."""
  columns = {}
  for raw in tf.data.TFRecordDataset([path]):
    feature = tf.train.Example.FromString(raw.numpy()).features.feature
    for name, value in feature.items():
      values = (value.float_list.value if value.float_list.value else
                value.int64_list.value)
      columns.setdefault(name, []).append(list(values))
  return {name: np.array(rows) for name, rows in columns.items()}


def _log_softmax(x):
  x = x - x.max(axis=-1, keepdims=True)
  return x - np.log(np.exp(x).sum(axis=-1, keepdims=True))


def _numpy_scores(weights, config, records):
  """Per-example losses and hits of both heads, in float64.

  Returns:
    namespace of mlm_loss, mlm_hit, mlm_weight (each [N, PRED]), ns_loss,
    ns_hit ([N]), and the smallest gap between the best and second-best
    log-probability of any scored prediction (an argmax that float32
    rounding could flip would make accuracies unreliable).
  """
  w = {k: np.asarray(v, np.float64) for k, v in weights.items()}
  out = numpy_bert.forward(weights, config, records["input_ids"],
                           records["input_mask"], records["segment_ids"])
  seq = out["sequence_output"]
  n = seq.shape[0]
  x = seq[np.arange(n)[:, None], records["masked_lm_positions"]]
  x = x @ w["cls/predictions/transform/dense/kernel"] + w[
      "cls/predictions/transform/dense/bias"]
  x = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))
  mean = x.mean(-1, keepdims=True)
  var = ((x - mean)**2).mean(-1, keepdims=True)
  x = ((x - mean) / np.sqrt(var + 1e-12) *
       w["cls/predictions/transform/LayerNorm/gamma"] +
       w["cls/predictions/transform/LayerNorm/beta"])
  mlm = _log_softmax(x @ w["bert/embeddings/word_embeddings"].T +
                     w["cls/predictions/output_bias"])
  ids = records["masked_lm_ids"]
  mlm_weight = records["masked_lm_weights"].astype(np.float64)
  mlm_loss = -np.take_along_axis(mlm, ids[..., None], -1)[..., 0]
  mlm_hit = (mlm.argmax(-1) == ids).astype(np.float64)

  ns = _log_softmax(out["pooled_output"] @
                    w["cls/seq_relationship/output_weights"].T +
                    w["cls/seq_relationship/output_bias"])
  labels = records["next_sentence_labels"][:, 0]
  ns_loss = -ns[np.arange(n), labels]
  ns_hit = (ns.argmax(-1) == labels).astype(np.float64)

  top2 = np.sort(mlm, -1)[..., -2:]
  gaps = list((top2[..., 1] - top2[..., 0])[mlm_weight > 0])
  gaps += list(np.abs(ns[:, 1] - ns[:, 0]))
  return types.SimpleNamespace(mlm_loss=mlm_loss, mlm_hit=mlm_hit,
                               mlm_weight=mlm_weight, ns_loss=ns_loss,
                               ns_hit=ns_hit, min_gap=min(gaps))


def _expected(scores, num_records):
  """The metrics over the first num_records records (the hand computation)."""
  wt = scores.mlm_weight[:num_records]
  expected = {
      "masked_lm_loss": (wt * scores.mlm_loss[:num_records]).sum() / wt.sum(),
      "masked_lm_accuracy":
          (wt * scores.mlm_hit[:num_records]).sum() / wt.sum(),
      "next_sentence_loss": scores.ns_loss[:num_records].mean(),
      "next_sentence_accuracy": scores.ns_hit[:num_records].mean(),
  }
  expected["loss"] = expected["masked_lm_loss"] + expected["next_sentence_loss"]
  return expected


def _write_model(data, output_dir):
  """Puts the checkpoint of data.weights at step GLOBAL_STEP in output_dir."""
  os.makedirs(output_dir)
  weights = dict(data.weights, global_step=np.int64(GLOBAL_STEP))
  numpy_bert.write_checkpoint(
      weights, os.path.join(output_dir, "model.ckpt-%d" % GLOBAL_STEP))
  return output_dir


@pytest.fixture(scope="module")
def data(tmp_path_factory):
  """13 records, a config, weights for it and their NumPy scores."""
  tmp = tmp_path_factory.mktemp("pretraining_eval")
  written = helpers.write_pretraining_data(
      tmp, SEQ, PRED, vocab_size=300, dupe_factor=1, seed=5,
      num_records=NUM_RECORDS, records_name="eval.tfrecord")
  records, config = written.records, written.config
  config_file = written.config_file
  weights = numpy_bert.random_weights(config, seed=12)
  weights.update(_head_weights(config, seed=13))
  arrays = _read_records(records)
  # Random weights guess no masked token; favouring the two most frequent
  # answers makes some guesses right, so that masked_lm_accuracy is a real
  # count (not 0) that skipped or padded predictions would change.
  answers = arrays["masked_lm_ids"][arrays["masked_lm_weights"] > 0]
  ids, counts = np.unique(answers, return_counts=True)
  frequent = ids[np.argsort(-counts, kind="stable")[:2]]
  weights["cls/predictions/output_bias"][frequent] += [6.0, 4.0]
  scores = _numpy_scores(weights, config, arrays)
  # Both next-sentence labels occur, and padding of the masked predictions
  # too, so that every weighting is exercised.
  assert len(arrays["input_ids"]) == NUM_RECORDS
  assert set(arrays["next_sentence_labels"][:, 0]) == {0, 1}
  assert (arrays["masked_lm_weights"] == 0).any()
  assert scores.min_gap > 1e-3
  hits = scores.mlm_hit[scores.mlm_weight > 0]
  assert 0 < hits.mean() < 1
  assert 0 < scores.ns_hit.mean() < 1
  return types.SimpleNamespace(tmp=tmp, records=records, config=config,
                               config_file=config_file, weights=weights,
                               arrays=arrays, scores=scores)


def _args(data, output_dir, **overrides):
  flags = {
      "bert_config_file": data.config_file,
      "input_file": data.records,
      "output_dir": output_dir,
      "max_seq_length": SEQ,
      "max_predictions_per_seq": PRED,
      "do_eval": True,
  }
  flags.update(overrides)
  return ["--%s=%s" % (k, v) for k, v in flags.items()]


def _read_results(output_dir):
  results = {}
  with open(os.path.join(output_dir, "eval_results.txt")) as f:
    for line in f:
      key, value = line.strip().split(" = ")
      results[key] = float(value)
  return results


@pytest.fixture(scope="module")
def runs(data):
  """One evaluation per batch size, and one capped by --max_eval_steps."""
  cases = {"batch_%d" % b: {"eval_batch_size": b} for b in BATCH_SIZES}
  # 1 step of 5: the first 5 records only.
  cases["capped"] = {"eval_batch_size": 5, "max_eval_steps": 1}
  procs = {}
  for name, flags in cases.items():
    output_dir = _write_model(data, str(data.tmp / name))
    procs[name] = (output_dir, helpers.start_script(
        [SCRIPT] + _args(data, output_dir, **flags)))
  finished = {}
  for name, (output_dir, proc) in procs.items():
    stdout, stderr = proc.communicate(timeout=600)
    finished[name] = types.SimpleNamespace(
        returncode=proc.returncode, log=stdout + stderr,
        results=_read_results(output_dir) if proc.returncode == 0 else None)
  return finished


def _finished(run):
  """The run's results, after checking that it succeeded."""
  assert run.returncode == 0, run.log[-4000:]
  return run.results


# ----------------------------------------------------------------------------
# The script, end to end
# ----------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("batch_size", BATCH_SIZES)
def test_every_batch_size_scores_all_records_like_numpy(runs, data,
                                                        batch_size):
  run = runs["batch_%d" % batch_size]
  results = _finished(run)
  assert results["global_step"] == GLOBAL_STEP
  _assert_results_match(results, _expected(data.scores, NUM_RECORDS))
  assert "Scored 13 of 13 examples" in run.log
  assert "Num examples = 13 (every record of --input_file)" in run.log


def _assert_results_match(results, expected):
  """eval_results.txt values against the NumPy computation."""
  # Accuracies are counts over the scored records (and their real
  # predictions): exact up to the 8 digits float32 prints.
  for key in ("masked_lm_accuracy", "next_sentence_accuracy"):
    assert results[key] == pytest.approx(expected[key], abs=1e-6), key
  for key in ("masked_lm_loss", "next_sentence_loss", "loss"):
    assert results[key] == pytest.approx(expected[key], rel=1e-4), key


@pytest.mark.slow
def test_metrics_do_not_depend_on_the_batch_size(runs):
  reference = _finished(runs["batch_13"])
  for batch_size in BATCH_SIZES:
    results = _finished(runs["batch_%d" % batch_size])
    for key in METRICS + ("loss",):
      # Only the float32 summation order differs.
      assert results[key] == pytest.approx(reference[key], rel=2e-6), (
          batch_size, key)


@pytest.mark.slow
def test_max_eval_steps_caps_the_work_and_says_so(runs, data):
  run = runs["capped"]
  results = _finished(run)
  _assert_results_match(results, _expected(data.scores, 5))
  assert "Scored 5 examples; --input_file holds more" in run.log
  assert ("Num examples = 5, the first of more than 5 in --input_file "
          "(--max_eval_steps=1 batches of 5)") in run.log
  assert "Scored 5 of" not in run.log


# ----------------------------------------------------------------------------
# The evaluation input
# ----------------------------------------------------------------------------


def _eval_batches(data, batch_size, count=None, params=None, **kwargs):
  input_fn = run_pretraining.input_fn_builder([data.records], SEQ, PRED,
                                              is_training=False, **kwargs)
  dataset = input_fn(dict(params or {}, batch_size=batch_size))
  if count is not None:
    dataset = dataset.take(count)
  return dataset, [{k: v.numpy() for k, v in batch.items()}
                   for batch in dataset]


def _real_rows(batches, name):
  """The rows of feature `name` of the real examples, in order."""
  rows = []
  for batch in batches:
    rows.extend(batch[name][batch["is_real_example"] == 1.0])
  return np.array(rows)


@pytest.mark.parametrize("batch_size", [5, 13, 20])
def test_eval_input_pads_the_last_batch(data, batch_size):
  dataset, batches = _eval_batches(data, batch_size)
  # Static shapes, as TPUs need.
  for name, spec in dataset.element_spec.items():
    assert spec.shape[0] == batch_size, name
    assert spec.shape.is_fully_defined(), name
  assert len(batches) == -(-NUM_RECORDS // batch_size)
  weights = np.concatenate([b["is_real_example"] for b in batches])
  assert weights.dtype == np.float32
  np.testing.assert_array_equal(
      weights, [1.0] * NUM_RECORDS +
      [0.0] * (len(batches) * batch_size - NUM_RECORDS))
  # Every record once, in order; the padding is all zeros.
  for name in ("input_ids", "masked_lm_weights", "next_sentence_labels"):
    np.testing.assert_array_equal(_real_rows(batches, name),
                                  data.arrays[name])
    padding = np.concatenate([b[name] for b in batches])[NUM_RECORDS:]
    assert not padding.any(), name
  assert batches[0]["input_ids"].dtype == np.int32


@pytest.mark.parametrize("keyword", ["endless_eval_padding",
                                     "repeat_eval_data"])
def test_tpu_eval_input_pads_without_end_never_repeats(data, keyword):
  # A TPU runs a fixed number of steps; past the records it must see
  # padding, not the records again (which scored them twice).
  _, batches = _eval_batches(data, 5, count=8, **{keyword: True})
  assert len(batches) == 8
  np.testing.assert_array_equal(_real_rows(batches, "input_ids"),
                                data.arrays["input_ids"])
  for batch in batches[3:]:
    assert not batch["is_real_example"].any()
    assert not batch["masked_lm_weights"].any()


class _FakeHostContext(object):
  """What TPUEstimator passes as params["context"] to a host's input_fn."""

  def __init__(self, index, count):
    self._index = index
    self._count = count

  def current_input_fn_deployment(self):
    return ("/job:worker/task:%d/device:CPU:0" % self._index, self._index,
            self._count, 8)


@pytest.mark.parametrize("num_hosts", [1, 3])
def test_tpu_pod_hosts_each_score_their_own_records(data, num_hosts):
  rows = []
  for index in range(num_hosts):
    _, batches = _eval_batches(
        data, 2, params={"context": _FakeHostContext(index, num_hosts)})
    rows.extend(map(tuple, _real_rows(batches, "input_ids")))
  assert sorted(rows) == sorted(map(tuple, data.arrays["input_ids"]))


def test_count_records_and_plan_evaluation(data):
  assert run_pretraining.count_records([data.records], 100) == NUM_RECORDS
  assert run_pretraining.count_records([data.records, data.records],
                                       100) == 2 * NUM_RECORDS
  assert run_pretraining.count_records([data.records], 6) == 6
  plan = run_pretraining.plan_evaluation
  # (records counted, batch size, max steps) -> (scored, steps, capped)
  assert plan(13, 8, 100) == (13, 2, False)
  assert plan(13, 13, 1) == (13, 1, False)
  assert plan(13, 20, 1) == (13, 1, False)
  assert plan(13, 5, 1) == (5, 1, True)
  assert plan(16, 8, 2) == (16, 2, False)
  assert plan(17, 8, 2) == (16, 2, True)


# ----------------------------------------------------------------------------
# Metrics and padding in the graph
# ----------------------------------------------------------------------------


def test_metric_fn_gives_padding_examples_no_weight():
  # Example 0 is real, example 1 padding whose scores would all count if
  # weighted: right answers, a huge loss, a real-looking prediction weight.
  log_probs = np.log(np.array([
      [0.7, 0.2, 0.1], [0.1, 0.8, 0.1],
      [0.9, 0.05, 0.05], [0.9, 0.05, 0.05],
  ], np.float32))
  ids = np.array([[0, 2], [0, 0]], np.int32)
  weights = np.array([[1, 1], [1, 1]], np.float32)
  example_loss = np.array([1.0, 3.0, 100.0, 100.0], np.float32)
  ns_log_probs = np.log(np.array([[0.4, 0.6], [0.9, 0.1]], np.float32))
  ns_labels = np.array([[0], [0]], np.int32)
  ns_loss = np.array([0.5, 100.0], np.float32)
  is_real = np.array([1.0, 0.0], np.float32)
  with tf.Graph().as_default():
    metrics = run_pretraining.metric_fn(
        tf.constant(example_loss), tf.constant(log_probs), tf.constant(ids),
        tf.constant(weights), tf.constant(ns_loss), tf.constant(ns_log_probs),
        tf.constant(ns_labels), tf.constant(is_real))
    with tf1.Session() as sess:
      sess.run(tf1.local_variables_initializer())
      sess.run({k: v[1] for k, v in metrics.items()})
      values = sess.run({k: v[0] for k, v in metrics.items()})
  assert values["masked_lm_accuracy"] == pytest.approx(0.5)
  assert values["masked_lm_loss"] == pytest.approx(2.0)
  assert values["next_sentence_accuracy"] == pytest.approx(0.0)
  assert values["next_sentence_loss"] == pytest.approx(0.5)


@pytest.mark.slow
def test_padding_only_batches_change_nothing(data, tmp_path):
  # The TPU input run on CPU for more steps than the records fill: the
  # extra batches are padding only and must not move any metric.
  output_dir = _write_model(data, str(tmp_path / "model"))
  model_fn = run_pretraining.model_fn_builder(
      modeling.BertConfig.from_dict(data.config), init_checkpoint=None,
      learning_rate=1e-3, num_train_steps=10, num_warmup_steps=1,
      use_tpu=False, use_one_hot_embeddings=False)
  estimator = estimator_runtime.make_estimator(
      model_fn, estimator_runtime.make_run_config(output_dir),
      use_tpu=False, train_batch_size=4, eval_batch_size=5)
  input_fn = run_pretraining.input_fn_builder(
      [data.records], SEQ, PRED, is_training=False, endless_eval_padding=True)
  results = estimator.evaluate(input_fn, steps=3 + 4)
  expected = _expected(data.scores, NUM_RECORDS)
  for key in ("masked_lm_accuracy", "next_sentence_accuracy"):
    assert results[key] == pytest.approx(expected[key], abs=1e-6), key
  for key in ("masked_lm_loss", "next_sentence_loss"):
    assert results[key] == pytest.approx(expected[key], rel=1e-4), key
