# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""An independent NumPy forward pass of BERT, the reference the tests trust.

Written from the paper's description and the checkpoint layout only; it
shares no code with modeling.py. Computes in float64 so that differences
against the TensorFlow graph are the graph's.
"""

import math

import numpy as np


def random_weights(config, seed=0, scale=0.2):
  """Random weights under the released checkpoint names.

  Args:
    config: dict with the bert_config.json keys.
    seed: int.
    scale: stddev of the values; larger than the usual 0.02 so that every
      part of the network (including GELU's curvature) matters numerically.

  Returns:
    dict of variable name -> float32 ndarray.
  """
  rng = np.random.RandomState(seed)
  h = config["hidden_size"]
  inter = config["intermediate_size"]

  def r(*shape):
    return (rng.randn(*shape) * scale).astype(np.float32)

  w = {
      "bert/embeddings/word_embeddings": r(config["vocab_size"], h),
      "bert/embeddings/token_type_embeddings": r(config["type_vocab_size"], h),
      "bert/embeddings/position_embeddings":
          r(config["max_position_embeddings"], h),
      "bert/embeddings/LayerNorm/beta": r(h),
      "bert/embeddings/LayerNorm/gamma": 1.0 + r(h),
      "bert/pooler/dense/kernel": r(h, h),
      "bert/pooler/dense/bias": r(h),
  }
  for i in range(config["num_hidden_layers"]):
    p = "bert/encoder/layer_%d/" % i
    for name in ("query", "key", "value"):
      w[p + "attention/self/%s/kernel" % name] = r(h, h)
      w[p + "attention/self/%s/bias" % name] = r(h)
    w[p + "attention/output/dense/kernel"] = r(h, h)
    w[p + "attention/output/dense/bias"] = r(h)
    w[p + "attention/output/LayerNorm/beta"] = r(h)
    w[p + "attention/output/LayerNorm/gamma"] = 1.0 + r(h)
    w[p + "intermediate/dense/kernel"] = r(h, inter)
    w[p + "intermediate/dense/bias"] = r(inter)
    w[p + "output/dense/kernel"] = r(inter, h)
    w[p + "output/dense/bias"] = r(h)
    w[p + "output/LayerNorm/beta"] = r(h)
    w[p + "output/LayerNorm/gamma"] = 1.0 + r(h)
  return w


def write_checkpoint(weights, path):
  """Saves `weights` (name -> ndarray) as a TF checkpoint under those names.

  TensorFlow is imported here only, so the reference itself stays NumPy.

  Returns:
    `path`, the checkpoint prefix.
  """
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  tf1 = tf.compat.v1
  with tf.Graph().as_default():
    variables = [tf1.get_variable(name, initializer=tf.constant(value))
                 for name, value in sorted(weights.items())]
    saver = tf1.train.Saver(variables)
    with tf1.Session() as sess:
      sess.run(tf1.global_variables_initializer())
      saver.save(sess, path)
  return path


def _layer_norm(x, beta, gamma, eps=1e-12):
  mean = x.mean(axis=-1, keepdims=True)
  var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
  return (x - mean) / np.sqrt(var + eps) * gamma + beta


def _gelu(x):
  return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) *
                                  (x + 0.044715 * x ** 3)))


_ACTIVATIONS = {
    "gelu": _gelu,
    "relu": lambda x: np.maximum(x, 0.0),
    "tanh": np.tanh,
    "linear": lambda x: x,
}


def _softmax(x):
  x = x - x.max(axis=-1, keepdims=True)
  e = np.exp(x)
  return e / e.sum(axis=-1, keepdims=True)


def forward(weights, config, input_ids, input_mask=None, token_type_ids=None):
  """Runs BERT (no dropout) in float64.

  Args:
    weights: dict of checkpoint variable name -> ndarray.
    config: dict with the bert_config.json keys.
    input_ids: int array [batch_size, seq_length].
    input_mask: (optional) int array [batch_size, seq_length].
    token_type_ids: (optional) int array [batch_size, seq_length].

  Returns:
    dict with "embedding_output" [B, S, H], "layers" (list of [B, S, H]),
    "sequence_output" [B, S, H] and "pooled_output" [B, H].
  """
  w = {k: np.asarray(v, dtype=np.float64) for k, v in weights.items()}
  input_ids = np.asarray(input_ids)
  b, s = input_ids.shape
  if input_mask is None:
    input_mask = np.ones((b, s), dtype=np.int64)
  if token_type_ids is None:
    token_type_ids = np.zeros((b, s), dtype=np.int64)
  h = config["hidden_size"]
  n = config["num_attention_heads"]
  d = h // n
  act = _ACTIVATIONS[config.get("hidden_act", "gelu")]

  x = (w["bert/embeddings/word_embeddings"][input_ids] +
       w["bert/embeddings/token_type_embeddings"][token_type_ids] +
       w["bert/embeddings/position_embeddings"][:s][None, :, :])
  x = _layer_norm(x, w["bert/embeddings/LayerNorm/beta"],
                  w["bert/embeddings/LayerNorm/gamma"])
  embedding_output = x

  # [B, 1, 1, T]: one mask row shared by every head and query position.
  adder = (1.0 - np.asarray(input_mask, np.float64))[:, None, None, :] * -10000.0

  def heads(t):  # [B, S, H] -> [B, N, S, D]
    return t.reshape(b, s, n, d).transpose(0, 2, 1, 3)

  layers = []
  for i in range(config["num_hidden_layers"]):
    p = "bert/encoder/layer_%d/" % i

    def dense(t, name):
      return t @ w[p + name + "/kernel"] + w[p + name + "/bias"]

    q = heads(dense(x, "attention/self/query"))
    k = heads(dense(x, "attention/self/key"))
    v = heads(dense(x, "attention/self/value"))
    scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(d) + adder
    ctx = (_softmax(scores) @ v).transpose(0, 2, 1, 3).reshape(b, s, h)
    attn = _layer_norm(dense(ctx, "attention/output/dense") + x,
                       w[p + "attention/output/LayerNorm/beta"],
                       w[p + "attention/output/LayerNorm/gamma"])
    inter = act(dense(attn, "intermediate/dense"))
    x = _layer_norm(dense(inter, "output/dense") + attn,
                    w[p + "output/LayerNorm/beta"],
                    w[p + "output/LayerNorm/gamma"])
    layers.append(x)

  pooled = np.tanh(x[:, 0, :] @ w["bert/pooler/dense/kernel"] +
                   w["bert/pooler/dense/bias"])
  return {"embedding_output": embedding_output, "layers": layers,
          "sequence_output": x, "pooled_output": pooled}
