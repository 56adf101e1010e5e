# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Training-mode dropout draws independent masks where PyTorch's BERT does.

A fine-tuning run is only as noisy as its dropout: a mask reused across steps
or shared between layers, or a rate read wrongly, would change what a run
learns without any error. These tests read the keep masks themselves (the
`GreaterEqual` of each `tf.nn.dropout`) of a seeded model in training mode:
one per place BERT drops (the embeddings, and in each layer the attention
probabilities, the attention output and the feed-forward output), each
keeping 1 - rate of its elements, a fresh draw at every step, independent
between layers, and the same sequence of draws for the same graph-level seed.
"""

import numpy as np
import tensorflow as tf

import modeling
from tests.helpers import tiny_bert_config

tf1 = tf.compat.v1

CONFIG = tiny_bert_config(num_hidden_layers=3)
BATCH, SEQ = 4, 16


def _draw_masks(seed, steps, is_training=True):
  """[steps][masks] boolean keep masks of a seeded model, one list per run."""
  rng = np.random.RandomState(0)
  ids = rng.randint(0, CONFIG["vocab_size"], size=(BATCH, SEQ))
  with tf.Graph().as_default() as graph:
    tf1.set_random_seed(seed)
    modeling.BertModel(modeling.BertConfig.from_dict(CONFIG), is_training,
                       tf.constant(ids, tf.int32))
    masks = [op.outputs[0] for op in graph.get_operations()
             if op.type == "GreaterEqual" and "/dropout/" in op.name]
    if not masks:
      return masks, []
    with tf1.Session() as sess:
      sess.run(tf1.global_variables_initializer())
      return masks, [sess.run(masks) for _ in range(steps)]


def _agreement(a, b):
  """Fraction of positions where two masks agree (0.82 if independent)."""
  return float((a == b).mean())


def test_one_mask_per_place_bert_drops():
  masks, _ = _draw_masks(seed=1, steps=0)
  names = [mask.op.name for mask in masks]
  layers = CONFIG["num_hidden_layers"]
  assert len(names) == 1 + 3 * layers, names
  assert names[0].startswith("bert/embeddings/")
  for layer in range(layers):
    scope = "bert/encoder/layer_%d/" % layer
    in_layer = [name[len(scope):] for name in names if name.startswith(scope)]
    assert [name.split("/dropout/")[0] for name in in_layer] == [
        "attention/self", "attention/output", "output"], in_layer


def test_no_mask_in_evaluation():
  masks, _ = _draw_masks(seed=1, steps=0, is_training=False)
  assert not masks


def test_masks_keep_one_minus_rate():
  _, draws = _draw_masks(seed=1, steps=20)
  kept = np.mean([mask.mean() for draw in draws for mask in draw])
  # 1 - 0.1; over ~20 x 10 masks of 2,048-4,096 elements the sampling error
  # is below 0.001.
  assert abs(kept - 0.9) < 0.005, kept


def test_fresh_masks_every_step():
  _, draws = _draw_masks(seed=1, steps=4)
  for before, after in zip(draws, draws[1:]):
    for a, b in zip(before, after):
      assert 0.75 < _agreement(a, b) < 0.9


def test_layers_draw_independent_masks():
  _, draws = _draw_masks(seed=1, steps=1)
  same_shape = {}
  for mask in draws[0]:
    same_shape.setdefault(mask.shape, []).append(mask)
  pairs = 0
  for masks in same_shape.values():
    for i, a in enumerate(masks):
      for b in masks[i + 1:]:
        assert 0.75 < _agreement(a, b) < 0.9
        pairs += 1
  assert pairs >= 3


def test_seed_fixes_the_sequence_of_masks():
  _, first = _draw_masks(seed=5, steps=2)
  _, again = _draw_masks(seed=5, steps=2)
  _, other = _draw_masks(seed=6, steps=2)
  for step in range(2):
    for a, b, c in zip(first[step], again[step], other[step]):
      np.testing.assert_array_equal(a, b)
      assert _agreement(a, c) < 0.9
