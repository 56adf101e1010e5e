# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""optimization.py against a NumPy AdamW + schedule + clipping reference.

The reference below is written from the published algorithm (warm-up, linear
decay, Adam without bias correction, decoupled weight decay skipped for
LayerNorm/layer_norm/bias, global-norm clipping at 1.0) and hand-derived
gradients, in float64; TensorFlow runs in float32.
"""

import numpy as np
import pytest
import tensorflow as tf

import estimator_runtime
import optimization

tf1 = tf.compat.v1

BETA_1, BETA_2, EPSILON, DECAY = 0.9, 0.999, 1e-6, 0.01


# --------------------------------------------------------------------------
# NumPy reference.


def np_learning_rate(step, init_lr, num_train_steps, num_warmup_steps):
  if num_warmup_steps and step < num_warmup_steps:
    return init_lr * step / num_warmup_steps
  return init_lr * (1.0 - min(step, num_train_steps) / num_train_steps)


def np_decayed(name):
  return not any(p in name for p in ("LayerNorm", "layer_norm", "bias"))


class NumpyAdamW(object):
  """Reference training step over a dict name -> float64 array."""

  def __init__(self, params, init_lr, num_train_steps, num_warmup_steps):
    self.params = {k: np.array(v, np.float64) for k, v in params.items()}
    self.m = {k: np.zeros_like(v) for k, v in self.params.items()}
    self.v = {k: np.zeros_like(v) for k, v in self.params.items()}
    self.schedule = (init_lr, num_train_steps, num_warmup_steps)
    self.step = 0
    self.norms = []

  def apply(self, grads):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    self.norms.append(norm)
    scale = 1.0 / max(norm, 1.0)
    lr = np_learning_rate(self.step, *self.schedule)
    for name, grad in grads.items():
      g = grad * scale
      self.m[name] = BETA_1 * self.m[name] + (1 - BETA_1) * g
      self.v[name] = BETA_2 * self.v[name] + (1 - BETA_2) * g * g
      update = self.m[name] / (np.sqrt(self.v[name]) + EPSILON)
      if np_decayed(name):
        update = update + DECAY * self.params[name]
      self.params[name] = self.params[name] - lr * update
    self.step += 1


# --------------------------------------------------------------------------
# Helpers.


def _variable(name, value):
  value = np.asarray(value, np.float32)
  return tf1.get_variable(name, shape=value.shape, dtype=tf.float32,
                          initializer=tf1.constant_initializer(value))


def _session(graph):
  session = tf1.Session(graph=graph)
  with graph.as_default():
    session.run([tf1.global_variables_initializer(),
                 tf1.local_variables_initializer()])
  return session


def _values(session, graph, names):
  with graph.as_default():
    by_name = {v.op.name: v for v in tf1.global_variables()}
  return session.run({n: by_name[n] for n in names})


# --------------------------------------------------------------------------
# create_optimizer on a small affine + scale/shift model.

AFFINE_INIT = {
    "dense/kernel": [[0.5, -0.3], [0.2, 0.8], [-0.7, 0.1]],
    "dense/bias": [0.1, -0.2],
    "LayerNorm/gamma": [1.2, 0.9],
    "layer_norm/beta": [0.05, -0.1],
}
# Loss multipliers per step: some push the global norm far above 1.0, so the
# clipping is exercised, and some leave it below.
LOSS_SCALES = [20.0, 0.05, 8.0, 0.02, 15.0]


def _affine_data(step):
  rng = np.random.RandomState(100 + step)
  return rng.randn(4, 3), rng.randn(4, 2)


def _np_affine_grads(params, x, t, scale):
  h = x @ params["dense/kernel"] + params["dense/bias"]
  y = h * params["LayerNorm/gamma"] + params["layer_norm/beta"]
  d = scale * 2.0 * (y - t) / y.size
  dh = d * params["LayerNorm/gamma"]
  return {
      "dense/kernel": x.T @ dh,
      "dense/bias": dh.sum(0),
      "LayerNorm/gamma": (d * h).sum(0),
      "layer_norm/beta": d.sum(0),
  }


def test_create_optimizer_matches_numpy_adamw_schedule_and_clipping():
  init_lr, num_train_steps, num_warmup_steps = 0.1, 5, 2
  graph = tf.Graph()
  with graph.as_default():
    x = tf1.placeholder(tf.float32, [None, 3])
    t = tf1.placeholder(tf.float32, [None, 2])
    scale = tf1.placeholder(tf.float32, [])
    w = {n: _variable(n, v) for n, v in AFFINE_INIT.items()}
    h = tf.matmul(x, w["dense/kernel"]) + w["dense/bias"]
    y = h * w["LayerNorm/gamma"] + w["layer_norm/beta"]
    loss = scale * tf.reduce_mean(tf.square(y - t))
    train_op = optimization.create_optimizer(
        loss, init_lr, num_train_steps, num_warmup_steps, use_tpu=False)
    global_step = tf1.train.get_global_step()
    lr = graph.get_tensor_by_name("learning_rate:0")
    global_names = sorted(v.op.name for v in tf1.global_variables())
    slot_trainable = [v.op.name for v in tf1.trainable_variables()
                      if "adam_" in v.op.name]

  expected_names = sorted(
      ["global_step"] + list(AFFINE_INIT) +
      [n + "/adam_m" for n in AFFINE_INIT] +
      [n + "/adam_v" for n in AFFINE_INIT])
  assert global_names == expected_names
  assert slot_trainable == []

  ref = NumpyAdamW(AFFINE_INIT, init_lr, num_train_steps, num_warmup_steps)
  session = _session(graph)
  lrs = []
  for step, s in enumerate(LOSS_SCALES):
    xs, ts = _affine_data(step)
    assert session.run(global_step) == step
    lrs.append(session.run(lr))
    session.run(train_op, {x: xs, t: ts, scale: s})
    ref.apply(_np_affine_grads(ref.params, xs, ts, s))
    assert session.run(global_step) == step + 1

    got = _values(session, graph,
                  [n for n in expected_names if n != "global_step"])
    for name in AFFINE_INIT:
      np.testing.assert_allclose(got[name], ref.params[name], rtol=0,
                                 atol=1e-6, err_msg="%s step %d" % (name, step))
      np.testing.assert_allclose(got[name + "/adam_m"], ref.m[name], rtol=0,
                                 atol=1e-6)
      np.testing.assert_allclose(got[name + "/adam_v"], ref.v[name], rtol=0,
                                 atol=1e-6)
  lrs.append(session.run(lr))

  # Both sides of the clipping threshold were exercised.
  assert max(ref.norms) > 2.0 and min(ref.norms) < 0.5
  # Step 0 (warm-up starts at 0), mid warm-up, end of warm-up (the decayed
  # value, not init_lr), decay, and the end of the schedule.
  np.testing.assert_allclose(lrs, [0.0, 0.05, 0.06, 0.04, 0.02, 0.0],
                             rtol=0, atol=1e-8)
  for step, value in enumerate(lrs):
    assert value == pytest.approx(
        np_learning_rate(step, init_lr, num_train_steps, num_warmup_steps),
        abs=1e-8)
  session.close()


def test_learning_rate_schedule_over_a_long_run():
  graph = tf.Graph()
  with graph.as_default():
    step = tf1.placeholder(tf.int64, [])
    lr = optimization.learning_rate_schedule(step, 2e-5, 1000, 100)
    lr_no_warmup = optimization.learning_rate_schedule(step, 2e-5, 1000, 0)
  with tf1.Session(graph=graph) as session:
    for s in (0, 1, 50, 99, 100, 101, 500, 999, 1000, 1500):
      got, got_nw = session.run([lr, lr_no_warmup], {step: s})
      # float32: 1 - 999/1000 carries ~1e-4 relative error near the end.
      assert got == pytest.approx(np_learning_rate(s, 2e-5, 1000, 100),
                                  rel=1e-6, abs=1e-11)
      assert got_nw == pytest.approx(np_learning_rate(s, 2e-5, 1000, 0),
                                     rel=1e-6, abs=1e-11)


@pytest.mark.parametrize("name, decayed", [
    ("bert/encoder/layer_0/output/LayerNorm/gamma", False),
    ("my/layer_norm/beta", False),
    ("bert/pooler/dense/bias", False),
    ("bert/pooler/dense/kernel", True),
    ("bert/embeddings/word_embeddings", True),
])
def test_weight_decay_exclusion(name, decayed):
  opt = optimization.AdamWeightDecayOptimizer(
      0.1, weight_decay_rate=0.01,
      exclude_from_weight_decay=["LayerNorm", "layer_norm", "bias"])
  assert opt._use_weight_decay(name) is decayed
  assert np_decayed(name) is decayed


def test_optimizer_defaults_and_no_global_step_change():
  graph = tf.Graph()
  with graph.as_default():
    opt = optimization.AdamWeightDecayOptimizer(learning_rate=0.5)
    assert isinstance(opt, tf1.train.Optimizer)
    assert (opt.weight_decay_rate, opt.beta_1, opt.beta_2, opt.epsilon) == (
        0.0, 0.9, 0.999, 1e-6)
    assert opt.get_name() == "AdamWeightDecayOptimizer"
    p = _variable("w", [1.0, -2.0])
    global_step = tf1.train.get_or_create_global_step()
    op = opt.apply_gradients([(tf.constant([0.5, 0.25]), p), (None, p)],
                             global_step=global_step)
  with _session(graph) as session:
    session.run(op)
    # m = 0.1 g, v = 0.001 g^2 -> update = 0.1|g| / (0.0316|g| + eps).
    g = np.array([0.5, 0.25])
    expected = np.array([1.0, -2.0]) - 0.5 * (0.1 * g) / (
        np.sqrt(0.001 * g * g) + 1e-6)
    np.testing.assert_allclose(session.run(p), expected, rtol=0, atol=1e-6)
    assert session.run(global_step) == 0


# --------------------------------------------------------------------------
# Embedding lookups: the gradient arrives as IndexedSlices.

EMB_INIT = np.arange(18, dtype=np.float64).reshape(6, 3) / 10.0 - 0.8
IDS = np.array([1, 3, 1, 4])


def test_indexed_slices_gradient_matches_dense_reference():
  init_lr, num_train_steps, num_warmup_steps = 0.05, 4, 1
  targets = np.random.RandomState(7).randn(4, 3)
  graph = tf.Graph()
  with graph.as_default():
    emb = _variable("embeddings/word_embeddings", EMB_INIT)
    bias = _variable("cls/bias", [0.1, 0.2, 0.3])
    y = tf.gather(emb, IDS) + bias
    loss = 10.0 * tf.reduce_mean(tf.square(y - targets.astype(np.float32)))
    assert isinstance(tf1.gradients(loss, [emb])[0], tf.IndexedSlices)
    train_op = optimization.create_optimizer(
        loss, init_lr, num_train_steps, num_warmup_steps, use_tpu=False)

  ref = NumpyAdamW({"embeddings/word_embeddings": EMB_INIT,
                    "cls/bias": [0.1, 0.2, 0.3]},
                   init_lr, num_train_steps, num_warmup_steps)
  with _session(graph) as session:
    for _ in range(3):
      session.run(train_op)
      p = ref.params
      d = 10.0 * 2.0 * (p["embeddings/word_embeddings"][IDS] + p["cls/bias"] -
                        targets) / targets.size
      g_emb = np.zeros_like(p["embeddings/word_embeddings"])
      np.add.at(g_emb, IDS, d)  # id 1 appears twice: its rows add up
      ref.apply({"embeddings/word_embeddings": g_emb, "cls/bias": d.sum(0)})
    got = _values(session, graph, ["embeddings/word_embeddings", "cls/bias"])
  for name, value in got.items():
    np.testing.assert_allclose(value, ref.params[name], rtol=0, atol=1e-6)
  # Rows never looked up still decay, because the gradient is made dense.
  untouched = [0, 2, 5]
  assert np.all(np.abs(got["embeddings/word_embeddings"][untouched]) <
                np.abs(EMB_INIT[untouched]) + 1e-12)
  assert max(ref.norms) > 1.0


# --------------------------------------------------------------------------
# Gradient accumulation.

BATCH, VOCAB = 16, 10
ACC_LR, ACC_TRAIN_STEPS, ACC_WARMUP = 0.02, 4, 1


def _mlp_init():
  rng = np.random.RandomState(3)
  return {
      "emb/word_embeddings": rng.randn(VOCAB, 3) * 0.5,
      "mlp/dense/kernel": rng.randn(7, 5) * 0.5,
      "mlp/dense/bias": rng.randn(5) * 0.1,
      "mlp/LayerNorm/gamma": 1.0 + rng.randn(5) * 0.1,
      "mlp/out/kernel": rng.randn(5, 1) * 0.5,
      "mlp/out/bias": np.zeros(1),
  }


# Per-batch loss weights: the first batch's gradient norm is far above the
# clipping threshold, the others' between 1/k and 1, where an update from the
# SUM of micro-batch gradients would be clipped and one from their mean is not.
# (Adam is otherwise blind to the gradient scale.)
BATCH_WEIGHTS = (1.0, 0.04, 0.03)


def _mlp_batches():
  rng = np.random.RandomState(11)
  return [{"ids": rng.randint(0, VOCAB, (BATCH, 2)).astype(np.int32),
           "x": rng.randn(BATCH, 4).astype(np.float32),
           "t": rng.randn(BATCH, 1).astype(np.float32) * 3.0,
           "w": np.full((BATCH, 1), weight, np.float32)}
          for weight in BATCH_WEIGHTS]


def _mlp_loss(features):
  """Mean squared error of a small MLP; [batch, ...] features -> scalar."""
  init = _mlp_init()
  w = {n: _variable(n, v) for n, v in init.items()}
  e = tf.reduce_mean(tf.gather(w["emb/word_embeddings"], features["ids"]),
                     axis=1)
  h = tf.tanh(tf.matmul(tf.concat([features["x"], e], axis=1),
                        w["mlp/dense/kernel"]) + w["mlp/dense/bias"])
  h = h * w["mlp/LayerNorm/gamma"]
  y = tf.matmul(h, w["mlp/out/kernel"]) + w["mlp/out/bias"]
  return 4.0 * tf.reduce_mean(features["w"] * tf.square(y - features["t"]))


def _build_mlp(num_accumulation_steps):
  graph = tf.Graph()
  with graph.as_default():
    features = {"ids": tf1.placeholder(tf.int32, [None, 2]),
                "x": tf1.placeholder(tf.float32, [None, 4]),
                "t": tf1.placeholder(tf.float32, [None, 1]),
                "w": tf1.placeholder(tf.float32, [None, 1])}
    loss = _mlp_loss(features)
    gnorm = tf.linalg.global_norm(
        tf1.gradients(loss, tf1.trainable_variables()))
    train_op = optimization.create_optimizer(
        loss, ACC_LR, ACC_TRAIN_STEPS, ACC_WARMUP, use_tpu=False,
        num_accumulation_steps=num_accumulation_steps)
  return graph, features, train_op, gnorm


def _full_batch_reference(batches):
  """3 plain updates on whole batches: trained values of every variable."""
  graph, features, train_op, gnorm = _build_mlp(1)
  with _session(graph) as session:
    norms = []
    for batch in batches:
      feed = {features[k]: v for k, v in batch.items()}
      norms.append(session.run(gnorm, feed))
      session.run(train_op, feed)
    with graph.as_default():
      names = [v.op.name for v in tf1.global_variables()]
    values = _values(session, graph, names)
  return values, norms


def test_gradient_accumulation_equals_full_batch_steps():
  k = 4
  batches = _mlp_batches()
  expected, norms = _full_batch_reference(batches)
  assert expected["global_step"] == 3
  # Clipping acts on the accumulated mean (see BATCH_WEIGHTS).
  assert norms[0] > 1.0
  assert all(1.0 / k < n < 1.0 for n in norms[1:]), norms

  graph, features, train_op, _ = _build_mlp(k)
  with graph.as_default():
    global_step = tf1.train.get_global_step()
    lr = graph.get_tensor_by_name("learning_rate:0")
    global_names = sorted(v.op.name for v in tf1.global_variables())
    local_names = sorted(v.op.name for v in tf1.local_variables())
    trainable = {v.op.name for v in tf1.trainable_variables()}
  # Accumulators are local: checkpoints hold the same variables either way.
  assert global_names == sorted(expected)
  assert local_names == sorted(
      ["grad_accum_counter"] + [n + "/grad_accum" for n in _mlp_init()])
  assert not trainable & set(local_names)

  init = _mlp_init()
  with _session(graph) as session:
    runs = 0
    for batch in batches:
      for j in range(k):
        micro = {features[n]: v[j * (BATCH // k):(j + 1) * (BATCH // k)]
                 for n, v in batch.items()}
        assert session.run(lr) == pytest.approx(
            np_learning_rate(runs // k, ACC_LR, ACC_TRAIN_STEPS, ACC_WARMUP),
            abs=1e-9)
        session.run(train_op, micro)
        runs += 1
        assert session.run(global_step) == runs // k
        if runs < k:  # only accumulating: parameters untouched so far
          kernel = _values(session, graph, ["mlp/dense/kernel"])
          np.testing.assert_array_equal(kernel["mlp/dense/kernel"],
                                        init["mlp/dense/kernel"].astype(
                                            np.float32))
    got = _values(session, graph, sorted(expected))
    assert session.run(lr) == pytest.approx(
        np_learning_rate(3, ACC_LR, ACC_TRAIN_STEPS, ACC_WARMUP), abs=1e-9)
    # Accumulators are empty again after the last update.
    with graph.as_default():
      accums = [v for v in tf1.local_variables()
                if v.op.name.endswith("/grad_accum")]
    assert len(accums) == len(init)
    for value in session.run(accums):
      assert not np.any(value)

  for name, value in expected.items():
    np.testing.assert_allclose(got[name], value, rtol=0, atol=1e-5,
                               err_msg=name)
  # The run did train: parameters moved well beyond the tolerance.
  assert np.max(np.abs(expected["mlp/dense/kernel"] -
                       init["mlp/dense/kernel"])) > 1e-2


@pytest.mark.parametrize("runner", estimator_runtime.AVAILABLE_RUNNERS)
def test_gradient_accumulation_in_estimator_counts_updates(tmp_path, runner):
  """Each runtime's estimator: max_steps counts updates; 4 micro-batches each."""
  k = 4
  batches = _mlp_batches()
  expected, _ = _full_batch_reference(batches)
  # Examples in the order the micro-batches are read.
  stream = {n: np.concatenate([b[n] for b in batches]) for n in batches[0]}

  def input_fn(params):
    data = tf.data.Dataset.from_tensor_slices(stream)
    return data.batch(params["batch_size"], drop_remainder=True).repeat()

  def model_fn(features, labels, mode, params):
    del labels, params
    loss = _mlp_loss(features)
    train_op = optimization.create_optimizer(
        loss, ACC_LR, ACC_TRAIN_STEPS, ACC_WARMUP, use_tpu=False,
        num_accumulation_steps=k)
    return estimator_runtime.TPUEstimatorSpec(mode=mode, loss=loss,
                                              train_op=train_op)

  config = estimator_runtime.make_run_config(
      str(tmp_path), save_checkpoints_steps=1000, log_step_count_steps=1000,
      iterations_per_loop=1, runner=runner)
  estimator = estimator_runtime.make_estimator(
      model_fn, config, use_tpu=False, train_batch_size=BATCH // k)
  estimator.train(input_fn=input_fn, max_steps=3)

  checkpoint = tf.train.latest_checkpoint(str(tmp_path))
  saved = dict(tf.train.list_variables(checkpoint))
  assert not [n for n in saved if "grad_accum" in n]
  assert set(expected) <= set(saved)
  assert tf.train.load_variable(checkpoint, "global_step") == 3
  for name, value in expected.items():
    np.testing.assert_allclose(tf.train.load_variable(checkpoint, name), value,
                               rtol=0, atol=1e-5, err_msg=name)


def test_bad_arguments_raise_clear_errors():
  graph = tf.Graph()
  with graph.as_default():
    loss = tf.reduce_sum(tf.square(_variable("w", [1.0])))
    with pytest.raises(ValueError, match="num_accumulation_steps"):
      optimization.create_optimizer(loss, 0.1, 10, 1, False,
                                    num_accumulation_steps=0)
    with pytest.raises(ValueError, match="num_train_steps"):
      optimization.create_optimizer(loss, 0.1, 0, 1, False)


def test_use_tpu_sums_gradients_across_shards():
  """Only the graph is checked: running CrossReplicaSum needs a TPU."""
  graph = tf.Graph()
  with graph.as_default():
    loss = tf.reduce_sum(tf.square(_variable("w", [1.0, 2.0])))
    optimization.create_optimizer(loss, 0.1, 10, 1, use_tpu=True)
    op_types = {op.type for op in graph.get_operations()}
    names = sorted(v.op.name for v in tf1.global_variables())
  assert "CrossReplicaSum" in op_types
  assert names == ["global_step", "w", "w/adam_m", "w/adam_v"]
