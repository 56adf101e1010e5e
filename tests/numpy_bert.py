# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""An independent NumPy forward pass of BERT, the reference the tests trust.

Written from the paper's description and the checkpoint layout only; it
shares no code with modeling.py. Computes in float64 so that differences
against the TensorFlow graph are the graph's.

`forward` reads weights under the Google checkpoint names; `forward_hf` reads
a Hugging Face state dict as it is stored (PyTorch `Linear` weights [out, in],
applied as x W^T + b; the source's own activation names), so a converted
checkpoint can be checked against the original file without trusting the
converter's name table or transpositions.
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


_erf = np.frompyfunc(math.erf, 1, 1)


def _gelu_exact(x):
  # math.erf, element by element: SciPy is not a dependency.
  return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)).astype(np.float64))


_ACTIVATIONS = {
    "gelu": _gelu,
    "gelu_exact": _gelu_exact,
    "relu": lambda x: np.maximum(x, 0.0),
    "tanh": np.tanh,
    "linear": lambda x: x,
}

# Hugging Face's names for the same functions: there "gelu" is the exact erf
# form and "gelu_new" / "gelu_pytorch_tanh" the tanh approximation.
HF_ACTIVATIONS = {
    "gelu": _gelu_exact,
    "gelu_new": _gelu,
    "gelu_pytorch_tanh": _gelu,
    "relu": _ACTIVATIONS["relu"],
    "tanh": np.tanh,
    "linear": _ACTIVATIONS["linear"],
}


def _softmax(x):
  x = x - x.max(axis=-1, keepdims=True)
  e = np.exp(x)
  return e / e.sum(axis=-1, keepdims=True)


class _GoogleParams(object):
  """Parameters under the checkpoint names (dense kernels [in, out])."""

  def __init__(self, weights):
    self._w = {k: np.asarray(v, dtype=np.float64) for k, v in weights.items()}

  def table(self, name):
    return self._w["bert/embeddings/" + name]

  def dense(self, scope):
    return self._w["bert/%s/kernel" % scope], self._w["bert/%s/bias" % scope]

  def norm(self, scope):
    return self._w["bert/%s/beta" % scope], self._w["bert/%s/gamma" % scope]

  def has_pooler(self):
    return "bert/pooler/dense/kernel" in self._w


class _HfParams(object):
  """Parameters of a Hugging Face BERT state dict, as stored.

  Keys are `[bert.]embeddings.word_embeddings.weight`,
  `[bert.]encoder.layer.3.attention.self.query.weight`, ...; a Linear weight
  is [out, in] and computes x W^T + b; a LayerNorm has weight (scale) and
  bias (shift).
  """

  def __init__(self, tensors):
    self._w = {k: np.asarray(v, dtype=np.float64) for k, v in tensors.items()
               if np.issubdtype(np.asarray(v).dtype, np.floating)}
    self._prefix = ("bert." if any(k.startswith("bert.") for k in self._w)
                    else "")

  def _key(self, scope, leaf):
    # "encoder/layer_3/attention/self/query" -> "encoder.layer.3.attention..."
    return "%s%s.%s" % (self._prefix,
                        scope.replace("layer_", "layer.").replace("/", "."),
                        leaf)

  def table(self, name):
    return self._w[self._key("embeddings/" + name, "weight")]

  def dense(self, scope):
    return self._w[self._key(scope, "weight")].T, self._w[self._key(scope,
                                                                    "bias")]

  def norm(self, scope):
    return self._w[self._key(scope, "bias")], self._w[self._key(scope,
                                                                "weight")]

  def has_pooler(self):
    return self._key("pooler/dense", "weight") in self._w


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
  return _encode(_GoogleParams(weights), config,
                 _ACTIVATIONS[config.get("hidden_act", "gelu")], 1e-12,
                 input_ids, input_mask, token_type_ids)


def forward_hf(tensors, hf_config, input_ids, input_mask=None,
               token_type_ids=None):
  """Runs a Hugging Face BERT state dict (no dropout) in float64.

  Args:
    tensors: dict of state-dict key -> ndarray, with or without the "bert."
      prefix (buffers such as position_ids are ignored).
    hf_config: dict, the model's config.json; "hidden_act" takes Hugging
      Face's meaning (HF_ACTIVATIONS), "layer_norm_eps" is honoured.
    input_ids, input_mask, token_type_ids: as in `forward`.

  Returns:
    As `forward`; "pooled_output" is None for a model without a pooler.

  Raises:
    KeyError: for an activation HF_ACTIVATIONS does not know.
  """
  return _encode(_HfParams(tensors), hf_config,
                 HF_ACTIVATIONS[hf_config.get("hidden_act", "gelu")],
                 hf_config.get("layer_norm_eps", 1e-12),
                 input_ids, input_mask, token_type_ids)


def _encode(params, config, act, eps, input_ids, input_mask, token_type_ids):
  """The encoder over a parameter source (`_GoogleParams` or `_HfParams`)."""
  input_ids = np.asarray(input_ids)
  b, s = input_ids.shape
  if input_mask is None:
    input_mask = np.ones((b, s), dtype=np.int64)
  if token_type_ids is None:
    token_type_ids = np.zeros((b, s), dtype=np.int64)
  h = config["hidden_size"]
  n = config["num_attention_heads"]
  d = h // n

  x = (params.table("word_embeddings")[input_ids] +
       params.table("token_type_embeddings")[token_type_ids] +
       params.table("position_embeddings")[:s][None, :, :])
  x = _layer_norm(x, *params.norm("embeddings/LayerNorm"), eps=eps)
  embedding_output = x

  # [B, 1, 1, T]: one mask row shared by every head and query position.
  adder = (1.0 - np.asarray(input_mask, np.float64))[:, None, None, :] * -10000.0

  def heads(t):  # [B, S, H] -> [B, N, S, D]
    return t.reshape(b, s, n, d).transpose(0, 2, 1, 3)

  layers = []
  for i in range(config["num_hidden_layers"]):
    p = "encoder/layer_%d/" % i

    def dense(t, name):
      kernel, bias = params.dense(p + name)
      return t @ kernel + bias

    def norm(t, name):
      return _layer_norm(t, *params.norm(p + name), eps=eps)

    q = heads(dense(x, "attention/self/query"))
    k = heads(dense(x, "attention/self/key"))
    v = heads(dense(x, "attention/self/value"))
    scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(d) + adder
    ctx = (_softmax(scores) @ v).transpose(0, 2, 1, 3).reshape(b, s, h)
    attn = norm(dense(ctx, "attention/output/dense") + x,
                "attention/output/LayerNorm")
    inter = act(dense(attn, "intermediate/dense"))
    x = norm(dense(inter, "output/dense") + attn, "output/LayerNorm")
    layers.append(x)

  pooled = None
  if params.has_pooler():
    kernel, bias = params.dense("pooler/dense")
    pooled = np.tanh(x[:, 0, :] @ kernel + bias)
  return {"embedding_output": embedding_output, "layers": layers,
          "sequence_output": x, "pooled_output": pooled}
