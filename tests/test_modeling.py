# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""modeling.py against an independent NumPy BERT and the released checkpoints'
variable names."""

import json
import math
import re

import numpy as np
import pytest
import tensorflow as tf

import modeling
from tests import numpy_bert
from tests.helpers import tiny_bert_config

tf1 = tf.compat.v1

CONFIG = tiny_bert_config(vocab_size=60, num_attention_heads=4,
                          intermediate_size=48, max_position_embeddings=24,
                          type_vocab_size=3)

def _inputs(batch=3, seq=10, seed=1):
  rng = np.random.RandomState(seed)
  ids = rng.randint(0, CONFIG["vocab_size"], size=(batch, seq)).astype(np.int32)
  mask = np.ones((batch, seq), np.int32)
  mask[1, 7:] = 0
  if batch > 2:
    mask[2, 4:] = 0
  types = np.zeros((batch, seq), np.int32)
  types[:, 5:] = 1
  types[0, 8:] = 2
  return ids, mask, types


_write_checkpoint = numpy_bert.write_checkpoint


def _run_model(ids, mask, types, init_checkpoint=None, weights=None,
               config=CONFIG, batch_dim=None, **model_kwargs):
  """Builds BertModel in a fresh graph, loads weights, returns its outputs."""
  with tf.Graph().as_default():
    input_ids = tf1.placeholder(tf.int32, [batch_dim, ids.shape[1]])
    input_mask = tf1.placeholder(tf.int32, [batch_dim, ids.shape[1]])
    token_type_ids = tf1.placeholder(tf.int32, [batch_dim, ids.shape[1]])
    model = modeling.BertModel(
        config=modeling.BertConfig.from_dict(config), is_training=False,
        input_ids=input_ids, input_mask=input_mask,
        token_type_ids=token_type_ids, **model_kwargs)
    tvars = tf1.trainable_variables()
    initialized = {}
    if init_checkpoint:
      assignment_map, initialized = (
          modeling.get_assignment_map_from_checkpoint(tvars, init_checkpoint))
      tf1.train.init_from_checkpoint(init_checkpoint, assignment_map)
    fetches = {
        "embedding_output": model.get_embedding_output(),
        "layers": model.get_all_encoder_layers(),
        "sequence_output": model.get_sequence_output(),
        "pooled_output": model.get_pooled_output(),
        "embedding_table": model.get_embedding_table(),
    }
    with tf1.Session() as sess:
      sess.run(tf1.global_variables_initializer())
      if weights is not None:
        for var in tvars:
          var.load(weights[var.name[:-2]], sess)
      out = sess.run(fetches, {input_ids: ids, input_mask: mask,
                               token_type_ids: types})
    out["tvars"] = [(v.name, v.shape.as_list()) for v in tvars]
    out["initialized"] = initialized
    return out


@pytest.fixture(scope="module")
def weights():
  return numpy_bert.random_weights(CONFIG, seed=0)


@pytest.fixture(scope="module")
def checkpoint(weights, tmp_path_factory):
  path = str(tmp_path_factory.mktemp("ckpt") / "bert_model.ckpt")
  return _write_checkpoint(weights, path)


def test_checkpoint_loads_and_matches_numpy(weights, checkpoint):
  ids, mask, types = _inputs()
  out = _run_model(ids, mask, types, init_checkpoint=checkpoint)

  # Every model variable came from the checkpoint, under its own name.
  for name, _ in out["tvars"]:
    assert name in out["initialized"], name
    assert name[:-2] in out["initialized"], name
  np.testing.assert_array_equal(out["embedding_table"],
                                weights["bert/embeddings/word_embeddings"])

  ref = numpy_bert.forward(weights, CONFIG, ids, mask, types)
  np.testing.assert_allclose(out["embedding_output"], ref["embedding_output"],
                             atol=1e-5, rtol=0)
  assert len(out["layers"]) == CONFIG["num_hidden_layers"]
  for got, want in zip(out["layers"], ref["layers"]):
    np.testing.assert_allclose(got, want, atol=1e-5, rtol=0)
  np.testing.assert_allclose(out["sequence_output"], ref["sequence_output"],
                             atol=1e-5, rtol=0)
  np.testing.assert_allclose(out["pooled_output"], ref["pooled_output"],
                             atol=1e-5, rtol=0)
  # The reference is not trivially close to anything: layers differ.
  assert np.abs(ref["layers"][0] - ref["layers"][1]).max() > 0.1


def test_padding_does_not_change_real_positions(weights):
  ids, _, types = _inputs(batch=2, seq=8)
  mask = np.ones_like(ids)
  short = _run_model(ids, mask, types, weights=weights)

  pad = 5
  rng = np.random.RandomState(7)
  ids_p = np.concatenate(
      [ids, rng.randint(0, CONFIG["vocab_size"], (2, pad)).astype(np.int32)], 1)
  mask_p = np.concatenate([mask, np.zeros((2, pad), np.int32)], 1)
  types_p = np.concatenate([types, np.ones((2, pad), np.int32)], 1)
  padded = _run_model(ids_p, mask_p, types_p, weights=weights)

  for a, b in zip(short["layers"], padded["layers"]):
    np.testing.assert_allclose(a, b[:, :8], atol=1e-5, rtol=0)
  np.testing.assert_allclose(short["pooled_output"], padded["pooled_output"],
                             atol=1e-5, rtol=0)


def test_one_hot_embeddings_match_gather(weights):
  ids, mask, types = _inputs()
  gather = _run_model(ids, mask, types, weights=weights)
  one_hot = _run_model(ids, mask, types, weights=weights,
                       use_one_hot_embeddings=True)
  np.testing.assert_allclose(gather["sequence_output"],
                             one_hot["sequence_output"], atol=1e-5, rtol=0)
  np.testing.assert_allclose(gather["pooled_output"],
                             one_hot["pooled_output"], atol=1e-5, rtol=0)


def test_unknown_batch_size_placeholder(weights):
  ids, mask, types = _inputs(batch=3)
  out = _run_model(ids, mask, types, weights=weights, batch_dim=None)
  ref = numpy_bert.forward(weights, CONFIG, ids, mask, types)
  np.testing.assert_allclose(out["pooled_output"], ref["pooled_output"],
                             atol=1e-5, rtol=0)
  # A different batch size through the same kind of graph.
  ids1, mask1, types1 = ids[:1], mask[:1], types[:1]
  out1 = _run_model(ids1, mask1, types1, weights=weights, batch_dim=None)
  np.testing.assert_allclose(out1["pooled_output"], ref["pooled_output"][:1],
                             atol=1e-5, rtol=0)


def test_default_mask_and_token_types(weights):
  ids, _, _ = _inputs()
  with tf.Graph().as_default():
    model = modeling.BertModel(modeling.BertConfig.from_dict(CONFIG), False,
                               tf.constant(ids))
    with tf1.Session() as sess:
      sess.run(tf1.global_variables_initializer())
      for var in tf1.trainable_variables():
        var.load(weights[var.name[:-2]], sess)
      pooled = sess.run(model.get_pooled_output())
  ref = numpy_bert.forward(weights, CONFIG, ids)
  np.testing.assert_allclose(pooled, ref["pooled_output"], atol=1e-5, rtol=0)


def test_dropout_only_when_training():
  ids, mask, types = _inputs()
  config = modeling.BertConfig.from_dict(dict(CONFIG, hidden_dropout_prob=0.5))
  results = {}
  for is_training in (False, True):
    with tf.Graph().as_default():
      tf1.set_random_seed(3)
      model = modeling.BertModel(config, is_training, tf.constant(ids),
                                 tf.constant(mask), tf.constant(types))
      with tf1.Session() as sess:
        sess.run(tf1.global_variables_initializer())
        out = model.get_sequence_output()
        results[is_training] = (sess.run(out), sess.run(out))
  inference = results[False]
  np.testing.assert_array_equal(inference[0], inference[1])
  training = results[True]
  assert np.abs(training[0] - training[1]).max() > 1e-3


def test_sequence_longer_than_positions_raises():
  config = modeling.BertConfig.from_dict(CONFIG)
  with tf.Graph().as_default():
    ids = tf.zeros([2, CONFIG["max_position_embeddings"] + 1], tf.int32)
    with pytest.raises(ValueError, match="max_position_embeddings"):
      modeling.BertModel(config, False, ids)


def test_hidden_size_not_divisible_by_heads_raises():
  config = modeling.BertConfig.from_dict(dict(CONFIG, num_attention_heads=5))
  with tf.Graph().as_default():
    with pytest.raises(ValueError, match="multiple of num_attention_heads"):
      modeling.BertModel(config, False, tf.zeros([2, 8], tf.int32))


def test_wrong_input_rank_raises():
  config = modeling.BertConfig.from_dict(CONFIG)
  with tf.Graph().as_default():
    with pytest.raises(ValueError, match="rank"):
      modeling.BertModel(config, False, tf.zeros([2, 8, 3, 1], tf.int32))


def test_get_activation():
  assert modeling.get_activation("gelu") is modeling.gelu
  assert modeling.get_activation("GELU") is modeling.gelu
  assert modeling.get_activation("gelu_exact") is modeling.gelu_exact
  assert modeling.get_activation("relu") is tf.nn.relu
  assert modeling.get_activation("tanh") is tf.tanh
  assert modeling.get_activation("linear") is None
  assert modeling.get_activation(None) is None
  assert modeling.get_activation("") is None
  fn = lambda x: x  # pylint: disable=unnecessary-lambda-assignment
  assert modeling.get_activation(fn) is fn
  with pytest.raises(ValueError, match="swish"):
    modeling.get_activation("swish")


def test_gelu_matches_tanh_formula():
  x = np.linspace(-6, 6, 101).astype(np.float32)
  with tf.Graph().as_default(), tf1.Session() as sess:
    got = sess.run(modeling.gelu(tf.constant(x)))
  x64 = x.astype(np.float64)
  want = 0.5 * x64 * (1 + np.tanh(math.sqrt(2 / math.pi) *
                                  (x64 + 0.044715 * x64 ** 3)))
  np.testing.assert_allclose(got, want, atol=1e-6, rtol=1e-6)


def test_gelu_exact_matches_erf_formula():
  # math.erf in float64 is the reference (SciPy is not a dependency). The
  # range covers the tails, where erf saturates, and the two forms differ by
  # up to ~5e-4 near |x| = 2, far above the tolerance, so "gelu" could not
  # pass for "gelu_exact".
  x = np.linspace(-8, 8, 161).astype(np.float32)
  with tf.Graph().as_default(), tf1.Session() as sess:
    got, tanh_form = sess.run([modeling.gelu_exact(tf.constant(x)),
                               modeling.gelu(tf.constant(x))])
  want = np.array([0.5 * v * (1.0 + math.erf(v / math.sqrt(2.0)))
                   for v in x.astype(np.float64)])
  np.testing.assert_allclose(got, want, atol=1e-6, rtol=1e-6)
  assert np.abs(tanh_form - want).max() > 1e-4
  config = modeling.BertConfig.from_dict(dict(CONFIG, hidden_act="gelu_exact"))
  config.validate()


def test_config_json_round_trip(tmp_path):
  config = modeling.BertConfig(vocab_size=99, hidden_size=64,
                               num_hidden_layers=3, num_attention_heads=8,
                               intermediate_size=128, hidden_act="relu",
                               hidden_dropout_prob=0.2,
                               attention_probs_dropout_prob=0.3,
                               max_position_embeddings=256, type_vocab_size=4,
                               initializer_range=0.05)
  text = config.to_json_string()
  data = json.loads(text)
  assert sorted(data) == sorted(modeling.CONFIG_KEYS)
  # Sorted keys, two-space indentation.
  assert list(data) == sorted(data)
  assert '\n  "attention_probs_dropout_prob": 0.3' in text
  path = tmp_path / "bert_config.json"
  path.write_text(text)
  again = modeling.BertConfig.from_json_file(str(path))
  assert again.to_dict() == config.to_dict()
  assert modeling.BertConfig.from_dict(data).to_json_string() == text
  # from_dict keeps defaults for keys it is not given.
  partial = modeling.BertConfig.from_dict({"vocab_size": 5})
  assert partial.hidden_size == 768 and partial.type_vocab_size == 16


@pytest.mark.parametrize("content, message", [
    ("{not json", "not valid JSON"),
    ('{"vocab_size": 10}', "missing key"),
    (None, "hidden_size must be positive"),
])
def test_config_file_errors(tmp_path, content, message):
  if content is None:
    content = json.dumps(dict(CONFIG, hidden_size=-32))
  path = tmp_path / "bert_config.json"
  path.write_text(content)
  with pytest.raises(ValueError, match=message) as info:
    modeling.BertConfig.from_json_file(str(path))
  assert str(path) in str(info.value)
  with pytest.raises(ValueError, match="file not found"):
    modeling.BertConfig.from_json_file(str(tmp_path / "missing.json"))


def test_checkpoint_shape_mismatch_names_variable(weights, tmp_path):
  bad = dict(weights)
  bad["bert/pooler/dense/bias"] = np.zeros([7], np.float32)
  path = _write_checkpoint(bad, str(tmp_path / "bad.ckpt"))
  ids, mask, types = _inputs()
  with pytest.raises(ValueError) as info:
    _run_model(ids, mask, types, init_checkpoint=path)
  assert "bert/pooler/dense/bias" in str(info.value)
  assert "[7]" in str(info.value) and "[32]" in str(info.value)


def test_shape_helpers():
  with tf.Graph().as_default():
    x = tf1.placeholder(tf.float32, [None, 5, 6])
    shape = modeling.get_shape_list(x, expected_rank=3)
    assert isinstance(shape[0], tf.Tensor) and shape[1:] == [5, 6]
    m = modeling.reshape_to_matrix(x)
    assert m.shape.as_list() == [None, 6]
    back = modeling.reshape_from_matrix(m, shape)
    with pytest.raises(ValueError, match="expected rank"):
      modeling.assert_rank(x, 2)
    modeling.assert_rank(x, [2, 3])
    with tf1.Session() as sess:
      value = np.arange(60, dtype=np.float32).reshape(2, 5, 6)
      np.testing.assert_array_equal(sess.run(back, {x: value}), value)


def test_attention_mask_from_input_mask():
  with tf.Graph().as_default(), tf1.Session() as sess:
    mask = np.array([[1, 1, 0], [1, 0, 0]], np.int32)
    got = sess.run(modeling.create_attention_mask_from_input_mask(
        tf.zeros([2, 4], tf.int32), tf.constant(mask)))
  assert got.shape == (2, 4, 3) and got.dtype == np.float32
  np.testing.assert_array_equal(got, np.broadcast_to(mask[:, None, :],
                                                     (2, 4, 3)))


def test_layer_norm_variables_and_values():
  x = np.random.RandomState(0).randn(3, 8).astype(np.float32) * 5 + 2
  with tf.Graph().as_default(), tf1.Session() as sess:
    out = modeling.layer_norm(tf.constant(x))
    named = modeling.layer_norm(tf.constant(x), name="custom")
    sess.run(tf1.global_variables_initializer())
    got = sess.run(out)
    names = sorted(v.name for v in tf1.global_variables())
    assert names == ["LayerNorm/beta:0", "LayerNorm/gamma:0",
                     "custom/beta:0", "custom/gamma:0"]
    sess.run(named)
  want = (x - x.mean(-1, keepdims=True)) / np.sqrt(
      x.var(-1, keepdims=True) + 1e-12)
  np.testing.assert_allclose(got, want, atol=1e-5)


# -- Variable names and shapes against the contract -------------------------

# The `bert/` variables of a released Google checkpoint (bert_model.ckpt),
# for V=vocab_size, H=hidden_size, I=intermediate_size.
EXPECTED_TABLE = """
bert/embeddings/word_embeddings                         [V, H]
bert/embeddings/token_type_embeddings                   [type_vocab_size, H]
bert/embeddings/position_embeddings                     [max_position_embeddings, H]
bert/embeddings/LayerNorm/{beta,gamma}                  [H]
bert/encoder/layer_{i}/attention/self/{query,key,value}/{kernel [H,H], bias [H]}
bert/encoder/layer_{i}/attention/output/dense/{kernel [H,H], bias [H]}
bert/encoder/layer_{i}/attention/output/LayerNorm/{beta,gamma}
bert/encoder/layer_{i}/intermediate/dense/{kernel [H,I], bias [I]}
bert/encoder/layer_{i}/output/dense/{kernel [I,H], bias [H]}
bert/encoder/layer_{i}/output/LayerNorm/{beta,gamma}
bert/pooler/dense/{kernel [H,H], bias [H]}              (tanh on the first token)
"""


def _split_top_level(text):
  parts, depth, current = [], 0, ""
  for ch in text:
    if ch == "," and depth == 0:
      parts.append(current.strip())
      current = ""
      continue
    depth += {"{": 1, "}": -1, "[": 1, "]": -1}.get(ch, 0)
    current += ch
  parts.append(current.strip())
  return parts


def _expand(pattern):
  """Expands `a/{b,c}/{d [X], e [Y]}` into ['a/b/d [X]', ...]."""
  m = re.search(r"\{([^{}]*)\}", pattern)
  if not m:
    return [pattern]
  out = []
  for alt in _split_top_level(m.group(1)):
    out.extend(_expand(pattern[:m.start()] + alt + pattern[m.end():]))
  return out


def _table_to_shapes(table, dims, num_layers):
  expected = {}
  for line in table.splitlines():
    line = re.sub(r"\s+\(.*\)\s*$", "", line.strip())
    if not line.startswith("bert/"):
      continue
    # A shape column after the name applies to every expansion of the name.
    m = re.match(r"^(\S+)\s+(\[[^\]]*\])$", line)
    column_shape = None
    if m:
      line, column_shape = m.group(1), m.group(2)
    # `{i}` is the layer index, not a set of alternatives.
    line = line.replace("{i}", "<i>")
    for item in _expand(line):
      parts = item.split()
      name = parts[0]
      shape_text = parts[1] if len(parts) > 1 else column_shape
      if shape_text is None:  # LayerNorm beta/gamma
        shape_text = "[H]"
      shape = [dims[d.strip()] for d in shape_text.strip("[]").split(",")]
      for i in range(num_layers):
        expected[name.replace("<i>", str(i))] = shape
  return expected


def _model_variable_shapes():
  with tf.Graph().as_default():
    modeling.BertModel(modeling.BertConfig.from_dict(CONFIG), True,
                       tf.zeros([2, 8], tf.int32))
    return {v.name[:-2]: v.shape.as_list()
            for v in tf1.trainable_variables()}


DIMS = {"V": CONFIG["vocab_size"], "H": CONFIG["hidden_size"],
        "I": CONFIG["intermediate_size"],
        "type_vocab_size": CONFIG["type_vocab_size"],
        "max_position_embeddings": CONFIG["max_position_embeddings"]}


def test_variable_names_and_shapes_match_contract():
  expected = _table_to_shapes(EXPECTED_TABLE, DIMS, CONFIG["num_hidden_layers"])
  # 5 embedding variables + 16 per layer + 2 pooler.
  assert len(expected) == 5 + 16 * CONFIG["num_hidden_layers"] + 2
  assert _model_variable_shapes() == expected
