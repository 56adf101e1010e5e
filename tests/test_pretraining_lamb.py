# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""LAMB (lamb.py through optimization.create_optimizer) against NumPy.

The NumPy side is written from the paper's Algorithm 2 and the module's
stated exclusions, not from lamb.py: bias-corrected Adam moments, decoupled
weight decay, trust ratio ||w|| / ||r|| (1 if either is 0), bias and
LayerNorm variables with neither decay nor ratio; around it BERT's step
(warm-up + linear decay, global-norm clipping to 1, mean of the
accumulated micro-batch gradients).
"""

import numpy as np
import pytest
import tensorflow as tf

import optimization

tf1 = tf.compat.v1

INIT_LR = 0.1
NUM_TRAIN_STEPS = 10
NUM_WARMUP_STEPS = 2
NUM_UPDATES = 5

# name -> initial value. "zero/kernel" starts with norm 0 (trust ratio 1).
VARIABLES = {
    "layer/kernel": np.array([[1.0, -2.0], [0.5, 3.0]], np.float32),
    "layer/bias": np.array([0.3, -0.1], np.float32),
    "layer/LayerNorm/gamma": np.array([1.0, 1.0, 1.0], np.float32),
    "zero/kernel": np.zeros([2, 3], np.float32),
}
EXCLUDED = ("layer/bias", "layer/LayerNorm/gamma")


def _targets(rng, batch):
  """name -> [batch, *shape] targets of one micro-batch, some large (so
  that clipping acts on some updates)."""
  scale = rng.choice([0.1, 5.0])
  return {name: (scale * rng.standard_normal((batch,) + value.shape)
                ).astype(np.float32) for name, value in VARIABLES.items()}


def _numpy_lamb(micro_batches, num_accumulation_steps):
  """The parameters after each update, by the paper's algorithm."""
  params = {k: v.astype(np.float64) for k, v in VARIABLES.items()}
  m = {k: np.zeros_like(v) for k, v in params.items()}
  v = {k: np.zeros_like(p) for k, p in params.items()}
  beta1, beta2, eps, decay = 0.9, 0.999, 1e-6, 0.01
  history = []
  for step in range(NUM_UPDATES):
    group = micro_batches[step * num_accumulation_steps:
                          (step + 1) * num_accumulation_steps]
    # loss = mean_b 0.5 * ||p - x_b||^2 per variable: gradient p - mean(x).
    grads = {k: np.mean([p - batch[k].mean(axis=0) for batch in group],
                        axis=0) for k, p in params.items()}
    global_norm = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    clip = 1.0 / max(global_norm, 1.0)
    if step < NUM_WARMUP_STEPS:
      lr = INIT_LR * step / NUM_WARMUP_STEPS
    else:
      lr = INIT_LR * (1.0 - step / NUM_TRAIN_STEPS)
    t = step + 1
    for k in params:
      g = grads[k] * clip
      m[k] = beta1 * m[k] + (1 - beta1) * g
      v[k] = beta2 * v[k] + (1 - beta2) * g * g
      r = (m[k] / (1 - beta1**t)) / (np.sqrt(v[k] / (1 - beta2**t)) + eps)
      ratio = 1.0
      if k not in EXCLUDED:
        r = r + decay * params[k]
        w_norm, r_norm = np.linalg.norm(params[k]), np.linalg.norm(r)
        ratio = w_norm / r_norm if w_norm > 0 and r_norm > 0 else 1.0
      params[k] = params[k] - lr * ratio * r
    history.append({k: p.copy() for k, p in params.items()})
  return history


def _tensorflow_lamb(micro_batches, num_accumulation_steps, loss_scale):
  """The same updates through optimization.create_optimizer."""
  batch = micro_batches[0]["layer/kernel"].shape[0]
  with tf.Graph().as_default():
    placeholders, losses, variables = {}, [], {}
    for name, value in VARIABLES.items():
      variables[name] = tf1.get_variable(
          name, initializer=tf1.constant_initializer(value),
          shape=value.shape, dtype=tf.float32)
      placeholders[name] = tf1.placeholder(tf.float32,
                                           (batch,) + value.shape)
      diff = variables[name][None] - placeholders[name]
      axes = list(range(1, len(value.shape) + 1))
      losses.append(tf.reduce_mean(0.5 * tf.reduce_sum(diff * diff, axes)))
    train_op = optimization.create_optimizer(
        tf.add_n(losses), INIT_LR, NUM_TRAIN_STEPS, NUM_WARMUP_STEPS,
        use_tpu=False, num_accumulation_steps=num_accumulation_steps,
        loss_scale=loss_scale, optimizer="lamb")
    slot_names = sorted(v.op.name for v in tf1.global_variables()
                        if "adam_" in v.op.name)
    history = []
    with tf1.Session() as sess:
      sess.run([tf1.global_variables_initializer(),
                tf1.local_variables_initializer()])
      for i, batch_values in enumerate(micro_batches):
        sess.run(train_op, {placeholders[k]: batch_values[k]
                            for k in VARIABLES})
        if (i + 1) % num_accumulation_steps == 0:
          history.append(sess.run(variables))
      step = sess.run(tf1.train.get_global_step())
  return history, step, slot_names


@pytest.mark.parametrize("num_accumulation_steps,loss_scale",
                         [(1, None), (3, None), (2, "dynamic")])
def test_lamb_matches_numpy(num_accumulation_steps, loss_scale):
  rng = np.random.default_rng(7)
  micro_batches = [_targets(rng, batch=4)
                   for _ in range(NUM_UPDATES * num_accumulation_steps)]
  expected = _numpy_lamb(micro_batches, num_accumulation_steps)
  got, step, slot_names = _tensorflow_lamb(
      micro_batches, num_accumulation_steps, loss_scale)
  assert step == NUM_UPDATES
  for update, (want, have) in enumerate(zip(expected, got)):
    for name in VARIABLES:
      np.testing.assert_allclose(have[name], want[name], rtol=2e-5,
                                 atol=2e-6, err_msg="%s after update %d" %
                                 (name, update + 1))
  # The zero-initialised variable moved (ratio 1, not 0).
  assert np.abs(got[-1]["zero/kernel"]).sum() > 0
  # Slots carry AdamW's names.
  assert slot_names == sorted(
      [n + "/adam_m" for n in VARIABLES] + [n + "/adam_v" for n in VARIABLES])


def test_lamb_differs_from_adamw_and_adamw_is_default():
  """The hook really switches the update (the NumPy match above cannot be
  met by AdamW), and a call naming no optimizer builds AdamW."""
  def first_update(**kwargs):
    with tf.Graph().as_default():
      var = tf1.get_variable("w/kernel", initializer=[[2.0, 0.0]])
      train_op = optimization.create_optimizer(
          tf.reduce_sum(var * [[1.0, 1e-3]]), 0.1, 10, 0, False, **kwargs)
      with tf1.Session() as sess:
        sess.run(tf1.global_variables_initializer())
        sess.run(train_op)
        return sess.run(var)
  default = first_update()
  np.testing.assert_allclose(default, first_update(optimizer="adamw"))
  assert not np.allclose(default, first_update(optimizer="lamb"))
  with pytest.raises(ValueError, match="optimizer must be one of"):
    first_update(optimizer="sgd")


@pytest.mark.slow
def test_lamb_mirrored_over_two_cpus_equals_one_device(tmp_path, monkeypatch):
  """--distribution: LAMB's update per variable copy in cross-replica
  context gives one device's result (with_optimizer picks LAMB for a
  model_fn that names no optimizer, as the fine-tuning scripts' do)."""
  import distribute_utils  # pylint: disable=g-import-not-at-top
  from tests import test_distribution  # pylint: disable=g-import-not-at-top
  adamw_model_fn = test_distribution._toy_model_fn  # pylint: disable=protected-access
  _, adamw = test_distribution._train_toy(tmp_path / "adamw", None)  # pylint: disable=protected-access
  monkeypatch.setattr(test_distribution, "_toy_model_fn",
                      optimization.with_optimizer(adamw_model_fn, "lamb"))
  strategy = distribute_utils.make_distribution_strategy("mirrored", 2)
  _, mirrored = test_distribution._train_toy(tmp_path / "mirrored", strategy)  # pylint: disable=protected-access
  _, single = test_distribution._train_toy(tmp_path / "single", None)  # pylint: disable=protected-access
  assert sorted(mirrored) == sorted(single) == sorted(adamw)
  assert mirrored["global_step"] == 3
  for name in single:
    np.testing.assert_allclose(mirrored[name], single[name], rtol=0,
                               atol=1e-5, err_msg=name)
  assert np.abs(single["dense/kernel"] - adamw["dense/kernel"]).max() > 1e-3


@pytest.mark.slow
def test_fine_tuning_script_trains_with_lamb(tmp_path):
  """--optimizer=lamb reaches a fine-tuning script's training step: the
  weights after two steps are LAMB's, not AdamW's (which --optimizer=adamw,
  the default, still gives)."""
  import run_classifier  # pylint: disable=g-import-not-at-top
  import script_settings  # pylint: disable=g-import-not-at-top
  from tests import classifier_testdata as data  # pylint: disable=g-import-not-at-top
  model_files = data.write_model_files(tmp_path / "model")
  data_dir = data.write_mrpc_folder(
      tmp_path / "MRPC", data.keyword_pairs(32, seed=1),
      data.keyword_pairs(8, seed=2), data.keyword_pairs(8, seed=3))
  kernels = {}
  for optimizer in ("adamw", "lamb", None):
    output_dir = str(tmp_path / ("out-%s" % optimizer))
    overrides = dict(task_name="MRPC", data_dir=data_dir,
                     output_dir=output_dir, do_train=True,
                     train_batch_size=16, num_train_epochs=1.0,
                     max_seq_length=32, learning_rate=1e-2,
                     tf_random_seed=5, **model_files)
    if optimizer:
      overrides["optimizer"] = optimizer
    run_classifier.run_task(script_settings.defaults(
        run_classifier.define_flags, **overrides))
    kernels[optimizer] = tf.train.load_variable(
        output_dir, "bert/encoder/layer_0/attention/self/query/kernel")
  np.testing.assert_array_equal(kernels[None], kernels["adamw"])
  assert np.abs(kernels["lamb"] - kernels["adamw"]).max() > 1e-4
