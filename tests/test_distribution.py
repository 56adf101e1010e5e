# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Training over several devices and processes (--distribution).

* mirrored over 2 logical CPU devices gives the parameters a single device
  reaches on the same global batch (gradients are averaged over replicas,
  not applied once per replica);
* run_classifier.py trains with --distribution=mirrored and with two local
  worker processes (TF_CONFIG), and the checkpoints load in single-device
  evaluation;
* bad combinations are one-line usage errors.
"""

import json
import os
import socket
import subprocess
import sys
import types

import numpy as np
import pytest
import tensorflow as tf

import distribute_utils
import estimator_runtime
import graph_runner
import optimization
import run_classifier
import script_utils
from tests import classifier_testdata as data

tf1 = tf.compat.v1

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# ----------------------------------------------------------------------------
# Same parameters as one device
# ----------------------------------------------------------------------------

NUM_EXAMPLES = 48
VOCAB = 20
WIDTH = 4
NUM_CLASSES = 3


def _toy_data():
  rng = np.random.RandomState(7)
  return {
      "ids": rng.randint(0, VOCAB, size=(NUM_EXAMPLES, 3)).astype(np.int32),
      "x": rng.randn(NUM_EXAMPLES, WIDTH).astype(np.float32),
      "label": rng.randint(0, NUM_CLASSES, size=NUM_EXAMPLES).astype(
          np.int32),
  }


def _toy_input_fn(params):
  """Examples in a fixed order; no shuffling, so batches are comparable."""
  d = tf.data.Dataset.from_tensor_slices(_toy_data()).repeat()
  return d.batch(params["batch_size"], drop_remainder=True)


def _toy_model_fn(features, labels, mode, params):
  """Embedding lookup (IndexedSlices gradient), a 'LayerNorm' scale (not
  decayed), a dense layer with bias; softmax cross-entropy, mean over batch.

  features: ids [batch_size, 3] int32, x [batch_size, 4], label [batch_size].
  """
  del labels, params
  rng = np.random.RandomState(3)
  table = tf1.get_variable(
      "embeddings/word_embeddings", [VOCAB, WIDTH],
      initializer=tf1.constant_initializer(rng.randn(VOCAB, WIDTH)))
  gamma = tf1.get_variable("LayerNorm/gamma", [WIDTH],
                           initializer=tf1.ones_initializer())
  kernel = tf1.get_variable(
      "dense/kernel", [WIDTH, NUM_CLASSES],
      initializer=tf1.constant_initializer(rng.randn(WIDTH, NUM_CLASSES)))
  bias = tf1.get_variable("dense/bias", [NUM_CLASSES],
                          initializer=tf1.zeros_initializer())
  hidden = (tf.reduce_sum(tf.gather(table, features["ids"]), axis=1) +
            features["x"]) * gamma
  logits = tf.matmul(hidden, kernel) + bias
  # Scaled down so that the gradient's global norm stays under the clipping
  # threshold: clipping (and Adam's scale invariance) would otherwise hide a
  # sum over replicas where a mean belongs; the Adam moments do not.
  loss = 0.05 * tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
      labels=features["label"], logits=logits))
  train_op = optimization.create_optimizer(
      loss, init_lr=0.05, num_train_steps=10, num_warmup_steps=None,
      use_tpu=False)
  return estimator_runtime.TPUEstimatorSpec(mode, loss=loss,
                                            train_op=train_op)


def _train_toy(output_dir, strategy, steps=3, batch_size=16):
  run_config = estimator_runtime.make_run_config(
      str(output_dir),
      num_cpu_devices=2 if strategy else None,
      train_distribute=strategy)
  estimator = estimator_runtime.make_estimator(_toy_model_fn,
                                               run_config,
                                               use_tpu=False,
                                               train_batch_size=batch_size)
  estimator.train(_toy_input_fn, max_steps=steps)
  reader = tf.train.load_checkpoint(str(output_dir))
  return estimator, {name: reader.get_tensor(name)
                     for name in reader.get_variable_to_shape_map()}


@pytest.mark.slow
def test_mirrored_over_two_cpus_equals_one_device(tmp_path):
  strategy = distribute_utils.make_distribution_strategy("mirrored", 2)
  estimator, mirrored = _train_toy(tmp_path / "mirrored", strategy)
  assert isinstance(estimator, graph_runner.GraphRunner)
  assert estimator.num_replicas == 2
  assert estimator.per_replica_batch_size == 8
  _, single = _train_toy(tmp_path / "single", None)

  # Same variables, the API names (no per-replica copies saved).
  assert sorted(mirrored) == sorted(single)
  assert "dense/kernel/adam_m" in single
  assert not [name for name in mirrored if "replica" in name]
  assert mirrored["global_step"] == 3
  for name in single:
    np.testing.assert_allclose(mirrored[name], single[name], rtol=0,
                               atol=1e-5, err_msg=name)
  # The steps did move the parameters (a vacuous comparison would not).
  rng = np.random.RandomState(3)
  assert np.abs(single["embeddings/word_embeddings"] -
                rng.randn(VOCAB, WIDTH)).max() > 1e-2


def test_global_batch_must_split_evenly(tmp_path):
  strategy = distribute_utils.make_distribution_strategy("mirrored", 2)
  run_config = estimator_runtime.make_run_config(str(tmp_path),
                                                 num_cpu_devices=2,
                                                 train_distribute=strategy)
  with pytest.raises(script_utils.UsageError, match="train_batch_size=15"):
    estimator_runtime.make_estimator(_toy_model_fn,
                                     run_config,
                                     use_tpu=False,
                                     train_batch_size=15)


# ----------------------------------------------------------------------------
# Flag checks
# ----------------------------------------------------------------------------


def _flags(tmp_path, **overrides):
  values = dict(output_dir=str(tmp_path), use_tpu=False,
                distribution="mirrored", num_cpu_devices=2,
                num_accumulation_steps=1, precision="fp32", use_xla=False)
  values.update(overrides)
  return types.SimpleNamespace(**values)


@pytest.mark.parametrize("overrides,message", [
    (dict(use_tpu=True), "--use_tpu"),
    (dict(num_accumulation_steps=2), "--num_accumulation_steps"),
    (dict(precision="fp16"), "--precision=fp16"),
    (dict(distribution="multi_worker"), "TF_CONFIG"),
])
def test_bad_combinations_are_usage_errors(tmp_path, monkeypatch, overrides,
                                           message):
  monkeypatch.delenv("TF_CONFIG", raising=False)
  with pytest.raises(script_utils.UsageError, match=message):
    estimator_runtime.run_config_from_flags(_flags(tmp_path, **overrides))


def test_tf_config_without_workers_is_a_usage_error(tmp_path, monkeypatch):
  monkeypatch.setenv("TF_CONFIG", json.dumps(
      {"cluster": {"ps": ["127.0.0.1:1"]}, "task": {"type": "ps",
                                                     "index": 0}}))
  with pytest.raises(script_utils.UsageError, match="worker"):
    estimator_runtime.run_config_from_flags(
        _flags(tmp_path, distribution="multi_worker"))


def test_no_distribution_keeps_the_runtimes_estimator(tmp_path):
  run_config = estimator_runtime.run_config_from_flags(
      _flags(tmp_path, distribution="none", num_cpu_devices=None))
  assert run_config.train_distribute is None
  estimator = estimator_runtime.make_estimator(_toy_model_fn,
                                               run_config,
                                               False,
                                               train_batch_size=16)
  if estimator_runtime.HAS_TPU_ESTIMATOR:
    # TF 2.15: TPUEstimator, as the original code ran.
    assert type(estimator).__name__ == "TPUEstimator"
  else:
    assert isinstance(estimator, graph_runner.GraphRunner)


# ----------------------------------------------------------------------------
# run_classifier.py end to end
# ----------------------------------------------------------------------------

TRAIN_EXAMPLES = 64
BATCH = 16


@pytest.fixture(scope="module")
def task(tmp_path_factory):
  root = tmp_path_factory.mktemp("task")
  files = data.write_model_files(str(root / "model"))
  mrpc = data.write_mrpc_folder(
      str(root / "mrpc"), data.keyword_pairs(TRAIN_EXAMPLES, 1),
      data.keyword_pairs(16, 2), data.keyword_pairs(8, 3))
  return dict(files, data_dir=mrpc)


def _classifier_flags(task, output_dir, **overrides):
  flags_obj = data.flags_namespace(
      data_dir=task["data_dir"], task_name="mrpc",
      vocab_file=task["vocab_file"],
      bert_config_file=task["bert_config_file"], output_dir=str(output_dir),
      max_seq_length=32, train_batch_size=BATCH, num_train_epochs=1.0)
  flags_obj.distribution = "none"
  flags_obj.num_cpu_devices = None
  for key, value in overrides.items():
    setattr(flags_obj, key, value)
  return flags_obj


def _evaluate_on_one_device(task, output_dir):
  """Single-device evaluation of the newest checkpoint in output_dir."""
  run_classifier.run_task(_classifier_flags(task, output_dir, do_eval=True))
  return data.read_eval_results(os.path.join(str(output_dir),
                                             "eval_results.txt"))


@pytest.mark.slow
def test_run_classifier_mirrored_checkpoint_loads_on_one_device(task,
                                                                 tmp_path):
  output_dir = tmp_path / "out"
  run_classifier.run_task(_classifier_flags(
      task, output_dir, do_train=True, distribution="mirrored",
      num_cpu_devices=2))
  checkpoint = tf.train.latest_checkpoint(str(output_dir))
  assert checkpoint.endswith("model.ckpt-%d" % (TRAIN_EXAMPLES // BATCH))

  results = _evaluate_on_one_device(task, output_dir)
  assert results["global_step"] == TRAIN_EXAMPLES // BATCH
  assert 0.0 <= results["eval_accuracy"] <= 1.0


def _free_port():
  with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    return s.getsockname()[1]


@pytest.mark.slow
def test_two_local_workers_train_and_chief_checkpoint_loads(task, tmp_path):
  cluster = {"worker": ["127.0.0.1:%d" % _free_port(),
                        "127.0.0.1:%d" % _free_port()]}
  output_dir = tmp_path / "shared"
  processes = []
  logs = []
  try:
    for index in range(2):
      env = dict(os.environ)
      env["TF_CONFIG"] = json.dumps(
          {"cluster": cluster, "task": {"type": "worker", "index": index}})
      env["CUDA_VISIBLE_DEVICES"] = ""
      log = open(str(tmp_path / ("worker%d.log" % index)), "w+")
      logs.append(log)
      processes.append(subprocess.Popen(
          [sys.executable, os.path.join(ROOT, "run_classifier.py"),
           "--task_name=mrpc", "--data_dir=" + task["data_dir"],
           "--vocab_file=" + task["vocab_file"],
           "--bert_config_file=" + task["bert_config_file"],
           # One output directory for all, as on shared storage.
           "--output_dir=" + str(output_dir),
           "--max_seq_length=32", "--do_train",
           "--train_batch_size=%d" % BATCH, "--num_train_epochs=1",
           "--distribution=multi_worker"],
          cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
    for process in processes:
      process.wait(timeout=150)
  finally:
    for process in processes:
      if process.poll() is None:
        process.kill()
        process.wait()
    outputs = []
    for log in logs:
      log.seek(0)
      outputs.append(log.read())
      log.close()
  for process, output in zip(processes, outputs):
    assert process.returncode == 0, output[-3000:]
  assert "over 2 replicas (global batch 16, 8 per replica)" in outputs[0]

  checkpoint = tf.train.latest_checkpoint(str(output_dir))
  assert checkpoint.endswith("model.ckpt-%d" % (TRAIN_EXAMPLES // BATCH))
  # The non-chief worker keeps its own copy in a subdirectory; the same
  # values prove the gradients were averaged across the two processes.
  other = tf.train.latest_checkpoint(str(output_dir / "tmp_worker_1"))
  chief_reader = tf.train.load_checkpoint(checkpoint)
  other_reader = tf.train.load_checkpoint(other)
  names = sorted(chief_reader.get_variable_to_shape_map())
  assert names == sorted(other_reader.get_variable_to_shape_map())
  for name in names:
    np.testing.assert_allclose(other_reader.get_tensor(name),
                               chief_reader.get_tensor(name), rtol=0,
                               atol=1e-6, err_msg=name)

  results = _evaluate_on_one_device(task, output_dir)
  assert results["global_step"] == TRAIN_EXAMPLES // BATCH
