# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""The fine-tuning scripts' two choices beyond the original's training.

--optimizer=adamw_bias_corrected: BERT's AdamW with Adam's bias correction,
checked against a NumPy Adam written from Kingma & Ba's algorithm (with
decoupled weight decay, the BERT schedule and clipping), over several
updates, with and without gradient accumulation.

--train_shuffle=epoch: every epoch of training records is a permutation of
all of them, where the original's buffer of 100 moves a record only about
100 places.

And each script's defaults: the original's tasks keep the original's
training (adamw, buffer); run_ner.py's are the measured choice.
"""

import os

import numpy as np
import pytest
import tensorflow as tf

import optimization
import record_utils
import run_classifier
import run_ner
import run_squad
import script_settings
from tests import ner_testdata

tf1 = tf.compat.v1

BETA_1, BETA_2, EPSILON, DECAY = 0.9, 0.999, 1e-6, 0.01


# --------------------------------------------------------------------------
# Adam with bias correction against NumPy.


def _np_learning_rate(step, init_lr, num_train_steps, num_warmup_steps):
  if step < num_warmup_steps:
    return init_lr * step / num_warmup_steps
  return init_lr * (1.0 - step / num_train_steps)


class _NumpyAdam(object):
  """Adam (bias-corrected moments), decoupled decay, global-norm clipping."""

  def __init__(self, params, schedule):
    self.params = {k: np.array(v, np.float64) for k, v in params.items()}
    self.m = {k: np.zeros_like(v) for k, v in self.params.items()}
    self.v = {k: np.zeros_like(v) for k, v in self.params.items()}
    self.schedule = schedule
    self.t = 0

  def apply(self, grads):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    lr = _np_learning_rate(self.t, *self.schedule)
    self.t += 1
    for name, grad in grads.items():
      g = grad / max(norm, 1.0)
      self.m[name] = BETA_1 * self.m[name] + (1 - BETA_1) * g
      self.v[name] = BETA_2 * self.v[name] + (1 - BETA_2) * g * g
      m_hat = self.m[name] / (1 - BETA_1 ** self.t)
      v_hat = self.v[name] / (1 - BETA_2 ** self.t)
      update = m_hat / (np.sqrt(v_hat) + EPSILON)
      if "bias" not in name:
        update = update + DECAY * self.params[name]
      self.params[name] = self.params[name] - lr * update


INIT = {"dense/kernel": [[0.5, -0.3], [0.2, 0.8], [-0.7, 0.1]],
        "dense/bias": [0.1, -0.2]}
# Loss multipliers: some updates are clipped, some not.
SCALES = [20.0, 0.05, 8.0, 0.02, 15.0, 0.5]


def _batch(step):
  rng = np.random.RandomState(7 + step)
  return rng.randn(4, 3), rng.randn(4, 2)


def _np_grads(params, x, t, scale):
  y = x @ params["dense/kernel"] + params["dense/bias"]
  d = scale * 2.0 * (y - t) / y.size
  return {"dense/kernel": x.T @ d, "dense/bias": d.sum(0)}


@pytest.mark.parametrize("num_accumulation_steps", [1, 2])
def test_bias_corrected_adamw_matches_numpy_adam(num_accumulation_steps):
  init_lr, num_train_steps, num_warmup_steps = 0.1, 6, 2
  k = num_accumulation_steps
  graph = tf.Graph()
  with graph.as_default():
    x = tf1.placeholder(tf.float32, [None, 3])
    t = tf1.placeholder(tf.float32, [None, 2])
    scale = tf1.placeholder(tf.float32, [])
    w = {name: tf1.get_variable(
        name, initializer=tf.constant(value, tf.float32))
         for name, value in INIT.items()}
    y = tf.matmul(x, w["dense/kernel"]) + w["dense/bias"]
    loss = scale * tf.reduce_mean(tf.square(y - t))
    train_op = optimization.create_optimizer(
        loss, init_lr, num_train_steps, num_warmup_steps, use_tpu=False,
        num_accumulation_steps=k, optimizer="adamw_bias_corrected")
    init = [tf1.global_variables_initializer(),
            tf1.local_variables_initializer()]
  reference = _NumpyAdam(INIT, (init_lr, num_train_steps, num_warmup_steps))
  with tf1.Session(graph=graph) as session:
    session.run(init)
    for step, s in enumerate(SCALES):
      grads = []
      for micro in range(k):
        xs, ts = _batch(step * k + micro)
        session.run(train_op, {x: xs, t: ts, scale: s})
        grads.append(_np_grads(reference.params, xs, ts, s))
      reference.apply({name: np.mean([g[name] for g in grads], axis=0)
                       for name in INIT})
      got = session.run(w)
      for name in INIT:
        np.testing.assert_allclose(got[name], reference.params[name],
                                   rtol=0, atol=2e-6,
                                   err_msg="%s after update %d" % (name, step))


def test_bias_correction_is_what_differs_from_adamw():
  """One update from zero moments: Adam's step is lr * sign(g) (for |g| much
  larger than epsilon); BERT's AdamW takes sqrt(1000) / 10 = 3.16 times it."""
  steps = {}
  for optimizer in ("adamw", "adamw_bias_corrected"):
    graph = tf.Graph()
    with graph.as_default():
      bias = tf1.get_variable("bias", initializer=tf.constant([0.0, 0.0]))
      loss = tf.reduce_sum(bias * tf.constant([0.3, -0.2]))
      train_op = optimization.create_optimizer(loss, 0.01, 10, 0,
                                               use_tpu=False,
                                               optimizer=optimizer)
      with tf1.Session() as session:
        session.run(tf1.global_variables_initializer())
        session.run(train_op)
        steps[optimizer] = session.run(bias)
  adam_step = np.array([-0.01, 0.01])
  # (epsilon = 1e-6 against sqrt(v) of about 1e-2 moves the last digits)
  np.testing.assert_allclose(steps["adamw_bias_corrected"], adam_step,
                             rtol=1e-3)
  np.testing.assert_allclose(steps["adamw"], adam_step * np.sqrt(1000) / 10,
                             rtol=1e-3)


# --------------------------------------------------------------------------
# The training order.

NUM_RECORDS = 300


def _write_records(path):
  with tf.io.TFRecordWriter(path) as writer:
    for i in range(NUM_RECORDS):
      writer.write(tf.train.Example(features=tf.train.Features(feature={
          "id": record_utils.create_int_feature([i])})).SerializeToString())


def _training_ids(path, num_epochs, shuffle=None, scope=None):
  """The record ids of the first `num_epochs` epochs of training batches."""
  input_fn = record_utils.record_input_fn_builder(
      path, {"id": tf.io.FixedLenFeature([1], tf.int64)}, is_training=True,
      drop_remainder=True, shuffle=shuffle)
  if scope:
    input_fn = record_utils.with_shuffle(input_fn, scope)
  graph = tf.Graph()
  with graph.as_default():
    tf1.set_random_seed(3)
    batch = tf1.data.make_one_shot_iterator(
        input_fn({"batch_size": 20})).get_next()["id"]
    with tf1.Session() as session:
      return np.concatenate([
          session.run(batch)[:, 0]
          for _ in range(num_epochs * NUM_RECORDS // 20)])


@pytest.mark.parametrize("how", ["argument", "scope"])
def test_epoch_order_is_a_permutation_every_epoch(tmp_path, how):
  path = str(tmp_path / "train.tf_record")
  _write_records(path)
  if how == "argument":
    ids = _training_ids(path, 3, shuffle="epoch")
  else:
    ids = _training_ids(path, 3, scope="epoch")
  epochs = ids.reshape(3, NUM_RECORDS)
  for epoch in epochs:
    assert sorted(epoch) == list(range(NUM_RECORDS))
  # Each epoch its own order, and drawn from the whole file from the start.
  assert not np.array_equal(epochs[0], epochs[1])
  assert not np.array_equal(epochs[1], epochs[2])
  assert epochs[0][:20].max() > 150


def test_buffer_order_stays_near_the_file_order(tmp_path):
  """The original's order: the first batch comes from the first 100 + 20
  records, and an epoch's worth of batches is not a permutation."""
  path = str(tmp_path / "train.tf_record")
  _write_records(path)
  ids = _training_ids(path, 1)
  assert ids[:20].max() < 120
  assert sorted(ids) != list(range(NUM_RECORDS))
  # The scope of the original's order, or none, gives the same.
  np.testing.assert_array_equal(ids, _training_ids(path, 1, scope="buffer"))


def test_bad_order_raises():
  with pytest.raises(ValueError, match="shuffle must be one of"):
    record_utils.with_shuffle(lambda params: None, "sorted")
  with pytest.raises(ValueError, match="shuffle must be one of"):
    record_utils.record_input_fn_builder("x", {}, True, True,
                                         shuffle="sorted")


# --------------------------------------------------------------------------
# Each script's defaults.


@pytest.mark.parametrize("script", [run_classifier, run_squad])
def test_the_original_tasks_train_as_the_original(script):
  settings = script_settings.defaults(script.define_flags)
  assert settings.optimizer == "adamw"
  assert settings.train_shuffle == "buffer"


def test_run_ner_defaults():
  settings = script_settings.defaults(run_ner.define_flags)
  assert settings.optimizer == run_ner.DEFAULT_OPTIMIZER
  assert settings.train_shuffle == run_ner.DEFAULT_TRAIN_SHUFFLE


@pytest.mark.slow
def test_run_ner_trains_with_the_other_choices(tmp_path):
  """Both choices through a script: the run trains, predicts every word and
  writes the same checkpoint variables as the default (slots included)."""
  model = ner_testdata.write_tiny_model(tmp_path / "model")
  data_dir = tmp_path / "data"
  data_dir.mkdir()
  sentences = ner_testdata.tagging_sentences(24, seed=0)
  for name in ("train.txt", "test.txt"):
    ner_testdata.write_conll(str(data_dir / name), sentences)
  variables = {}
  for optimizer, shuffle in (("adamw", "buffer"),
                             ("adamw_bias_corrected", "epoch")):
    output_dir = str(tmp_path / optimizer)
    run_ner.run_task(ner_testdata.flags_namespace(
        do_train=True, do_predict=True, data_dir=str(data_dir),
        output_dir=output_dir, max_seq_length=16, train_batch_size=4,
        num_train_epochs=2.0, learning_rate=1e-3, tf_random_seed=1,
        optimizer=optimizer, train_shuffle=shuffle, **model))
    predictions = ner_testdata.read_predictions(
        os.path.join(output_dir, "test_predictions.txt"))
    assert [len(s) for s in predictions] == [len(s) for s in sentences]
    variables[optimizer] = sorted(
        name for name, _ in tf.train.list_variables(output_dir))
  assert variables["adamw"] == variables["adamw_bias_corrected"]
