# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""SavedModel export: served outputs equal estimator.predict's.

A tiny classifier and a tiny SQuAD-style model (both built on BertModel, with
the heads and variable names of run_classifier / run_squad) are trained for a
few steps, exported, loaded with tf.saved_model.load in a fresh eager TF2
process, and called through their serving_default signature.
"""

import json
import os

import numpy as np
import pytest
import tensorflow as tf

import checkpoint_utils
import estimator_runtime
import export_utils
import modeling
import script_utils
from tests import helpers
from tests import numpy_bert
from tests.helpers import tiny_bert_config

tf1 = tf.compat.v1

CONFIG = tiny_bert_config(vocab_size=50, num_attention_heads=4,
                          intermediate_size=48, max_position_embeddings=16)
SEQ = 12
NUM_LABELS = 3


def _inputs(batch, seed):
  rng = np.random.RandomState(seed)
  ids = rng.randint(1, CONFIG["vocab_size"], size=(batch, SEQ)).astype(np.int32)
  lengths = rng.randint(3, SEQ + 1, size=batch)
  mask = (np.arange(SEQ)[None, :] < lengths[:, None]).astype(np.int32)
  ids *= mask
  segments = ((np.arange(SEQ)[None, :] >= lengths[:, None] // 2) &
              (mask == 1)).astype(np.int32)
  return ids, mask, segments


def _classifier_model_fn(bert_config, init_checkpoint):
  """Like run_classifier's: pooled output -> output_weights/output_bias."""

  def model_fn(features, labels, mode, params):  # pylint: disable=unused-argument
    is_training = mode == estimator_runtime.ModeKeys.TRAIN
    model = modeling.BertModel(
        config=bert_config, is_training=is_training,
        input_ids=features["input_ids"], input_mask=features["input_mask"],
        token_type_ids=features["segment_ids"])
    pooled = model.get_pooled_output()
    hidden = pooled.shape[-1]
    output_weights = tf1.get_variable(
        "output_weights", [NUM_LABELS, hidden],
        initializer=tf1.truncated_normal_initializer(stddev=0.02))
    output_bias = tf1.get_variable("output_bias", [NUM_LABELS],
                                   initializer=tf1.zeros_initializer())
    logits = tf.matmul(pooled, output_weights, transpose_b=True) + output_bias
    probabilities = tf.nn.softmax(logits, axis=-1)
    # Reads label_ids in every mode, as the original does: export has to
    # synthesise it.
    one_hot = tf.one_hot(features["label_ids"], NUM_LABELS)
    loss = -tf.reduce_mean(tf.reduce_sum(
        one_hot * tf.nn.log_softmax(logits, axis=-1), axis=-1))
    checkpoint_utils.init_from_checkpoint(init_checkpoint, use_tpu=False)
    if mode == estimator_runtime.ModeKeys.TRAIN:
      train_op = tf1.train.GradientDescentOptimizer(0.5).minimize(
          loss, global_step=tf1.train.get_or_create_global_step())
      return estimator_runtime.TPUEstimatorSpec(mode=mode, loss=loss,
                                                train_op=train_op)
    return estimator_runtime.TPUEstimatorSpec(
        mode=mode, predictions={"probabilities": probabilities,
                                "logits": logits})

  return model_fn


def _squad_model_fn(bert_config, init_checkpoint):
  """Like run_squad's: sequence output -> cls/squad/output_weights."""

  def model_fn(features, labels, mode, params):  # pylint: disable=unused-argument
    is_training = mode == estimator_runtime.ModeKeys.TRAIN
    model = modeling.BertModel(
        config=bert_config, is_training=is_training,
        input_ids=features["input_ids"], input_mask=features["input_mask"],
        token_type_ids=features["segment_ids"])
    sequence = model.get_sequence_output()
    shape = modeling.get_shape_list(sequence, expected_rank=3)
    output_weights = tf1.get_variable(
        "cls/squad/output_weights", [2, shape[2]],
        initializer=tf1.truncated_normal_initializer(stddev=0.02))
    output_bias = tf1.get_variable("cls/squad/output_bias", [2],
                                   initializer=tf1.zeros_initializer())
    logits = tf.matmul(tf.reshape(sequence, [-1, shape[2]]), output_weights,
                       transpose_b=True) + output_bias
    logits = tf.transpose(tf.reshape(logits, [shape[0], shape[1], 2]),
                          [2, 0, 1])
    start_logits, end_logits = logits[0], logits[1]
    checkpoint_utils.init_from_checkpoint(init_checkpoint, use_tpu=False)
    if mode == estimator_runtime.ModeKeys.TRAIN:
      loss = (tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
          labels=features["start_positions"], logits=start_logits)) +
              tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
                  labels=features["end_positions"], logits=end_logits)))
      train_op = tf1.train.GradientDescentOptimizer(0.5).minimize(
          loss, global_step=tf1.train.get_or_create_global_step())
      return estimator_runtime.TPUEstimatorSpec(mode=mode, loss=loss,
                                                train_op=train_op)
    return estimator_runtime.TPUEstimatorSpec(
        mode=mode, predictions={"unique_ids": features["unique_ids"],
                                "start_logits": start_logits,
                                "end_logits": end_logits})

  return model_fn


def _input_fn(arrays, is_training):
  def input_fn(params):
    d = tf.data.Dataset.from_tensor_slices(
        {k: tf.constant(v) for k, v in arrays.items()})
    if is_training:
      d = d.repeat()
    return d.batch(params["batch_size"], drop_remainder=is_training)
  return input_fn


_write_checkpoint = numpy_bert.write_checkpoint


@pytest.fixture(scope="module")
def pretrained(tmp_path_factory):
  path = str(tmp_path_factory.mktemp("pretrained") / "bert_model.ckpt")
  return _write_checkpoint(numpy_bert.random_weights(CONFIG, seed=3), path)


def _estimator(model_fn, model_dir):
  run_config = estimator_runtime.make_run_config(model_dir,
                                                 save_checkpoints_steps=100)
  return estimator_runtime.make_estimator(model_fn,
                                          run_config,
                                          use_tpu=False,
                                          train_batch_size=4,
                                          predict_batch_size=4)


def _fine_tune_and_predict(model_fn, model_dir, train_arrays, predict_arrays):
  estimator = _estimator(model_fn, model_dir)
  estimator.train(_input_fn(train_arrays, True), max_steps=3)
  results = list(estimator.predict(_input_fn(predict_arrays, False),
                                   yield_single_examples=False))
  return {k: np.concatenate([r[k] for r in results]) for k in results[0]}


_LOAD_AND_CALL = r"""
import json, sys
import numpy as np
import tensorflow as tf
assert tf.executing_eagerly()
report = {}
for name, export_dir, npz, out in json.loads(sys.argv[1]):
  inputs = dict(np.load(npz))
  model = tf.saved_model.load(export_dir)
  fn = model.signatures["serving_default"]
  spec = fn.structured_input_signature[1]
  report[name] = {
      "inputs": {k: [v.dtype.name, v.shape.as_list()] for k, v in spec.items()},
      "outputs": sorted(fn.structured_outputs),
  }
  result = fn(**{k: tf.constant(v) for k, v in inputs.items()})
  np.savez(out, **{k: v.numpy() for k, v in result.items()})
print(json.dumps(report))
"""


def _serve_in_eager_process(jobs):
  proc = helpers.run_script(["-c", _LOAD_AND_CALL, json.dumps(jobs)],
                            env=helpers.script_env(TF_CPP_MIN_LOG_LEVEL="3"),
                            timeout=120)
  assert proc.returncode == 0, proc.stderr[-3000:]
  return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_exported_models_serve_what_estimator_predicts(pretrained, tmp_path):
  bert_config = modeling.BertConfig.from_dict(CONFIG)
  predict_ids, predict_mask, predict_segments = _inputs(5, seed=11)
  serve_inputs = {"input_ids": predict_ids, "input_mask": predict_mask,
                  "segment_ids": predict_segments}
  train_ids, train_mask, train_segments = _inputs(8, seed=12)
  rng = np.random.RandomState(13)

  # Classifier.
  cls_fn = _classifier_model_fn(bert_config, pretrained)
  cls_expected = _fine_tune_and_predict(
      cls_fn, str(tmp_path / "cls_model"),
      dict(input_ids=train_ids, input_mask=train_mask,
           segment_ids=train_segments,
           label_ids=rng.randint(0, NUM_LABELS, 8).astype(np.int32)),
      dict(serve_inputs, label_ids=np.zeros(5, np.int32)))
  cls_ckpt = export_utils.checkpoint_for_export(str(tmp_path / "cls_model"),
                                                pretrained)
  assert cls_ckpt.endswith("model.ckpt-3")
  cls_export = str(tmp_path / "exports" / "classifier")
  export_utils.export_saved_model(cls_fn, cls_export, SEQ, cls_ckpt,
                                  output_keys=["probabilities"])

  # SQuAD.
  squad_fn = _squad_model_fn(bert_config, pretrained)
  squad_expected = _fine_tune_and_predict(
      squad_fn, str(tmp_path / "squad_model"),
      dict(input_ids=train_ids, input_mask=train_mask,
           segment_ids=train_segments,
           start_positions=rng.randint(0, 3, 8).astype(np.int32),
           end_positions=rng.randint(3, 6, 8).astype(np.int32)),
      dict(serve_inputs, unique_ids=np.arange(5, dtype=np.int32)))
  squad_export = str(tmp_path / "exports" / "squad")
  export_utils.export_saved_model(
      squad_fn, squad_export, SEQ,
      export_utils.checkpoint_for_export(str(tmp_path / "squad_model"),
                                         pretrained),
      output_keys=["start_logits", "end_logits"])

  # The SavedModel sits directly in export_dir; nothing else is left over.
  assert tf.io.gfile.exists(os.path.join(cls_export, "saved_model.pb"))
  assert sorted(os.listdir(tmp_path / "exports")) == ["classifier", "squad"]

  np.savez(tmp_path / "inputs.npz", **serve_inputs)
  report = _serve_in_eager_process([
      ["classifier", cls_export, str(tmp_path / "inputs.npz"),
       str(tmp_path / "cls_out.npz")],
      ["squad", squad_export, str(tmp_path / "inputs.npz"),
       str(tmp_path / "squad_out.npz")],
  ])
  signature_inputs = {name: ["int32", [None, SEQ]]
                      for name in ("input_ids", "input_mask", "segment_ids")}
  assert report["classifier"]["inputs"] == signature_inputs
  assert report["squad"]["inputs"] == signature_inputs
  assert report["classifier"]["outputs"] == ["probabilities"]
  assert report["squad"]["outputs"] == ["end_logits", "start_logits"]

  cls_served = np.load(tmp_path / "cls_out.npz")
  np.testing.assert_allclose(cls_served["probabilities"],
                             cls_expected["probabilities"], atol=1e-5)
  squad_served = np.load(tmp_path / "squad_out.npz")
  for key in ("start_logits", "end_logits"):
    np.testing.assert_allclose(squad_served[key], squad_expected[key],
                               atol=1e-5)

  # Fine-tuning moved the weights, so the export did not just re-serve the
  # pre-trained checkpoint: the encoder differs from it.
  reader = tf.train.load_checkpoint(cls_ckpt)
  before = tf.train.load_checkpoint(pretrained)
  name = "bert/pooler/dense/kernel"
  assert np.abs(reader.get_tensor(name) - before.get_tensor(name)).max() > 1e-4


def test_refuses_non_empty_export_dir_and_keeps_it(pretrained, tmp_path):
  export_dir = tmp_path / "taken"
  export_dir.mkdir()
  (export_dir / "keep.txt").write_text("mine")
  model_fn = _classifier_model_fn(modeling.BertConfig.from_dict(CONFIG), None)
  with pytest.raises(script_utils.UsageError, match="not empty"):
    export_utils.export_saved_model(model_fn, str(export_dir), SEQ, pretrained)
  assert os.listdir(export_dir) == ["keep.txt"]
  with pytest.raises(script_utils.UsageError, match="not a directory"):
    export_utils.check_export_dir(str(export_dir / "keep.txt"))


def test_refuses_checkpoint_without_the_head(pretrained, tmp_path):
  # A pre-trained checkpoint has no classifier head: exporting it would serve
  # random outputs, so it is refused by name and nothing is written, not
  # even the directories made for it.
  model_fn = _classifier_model_fn(modeling.BertConfig.from_dict(CONFIG), None)
  export_dir = tmp_path / "out" / "new" / "model"
  with pytest.raises(script_utils.UsageError, match="output_bias"):
    export_utils.export_saved_model(model_fn, str(export_dir), SEQ, pretrained)
  assert not (tmp_path / "out").exists()


def test_export_of_init_checkpoint_in_empty_dir_with_unknown_output(
    pretrained, tmp_path):
  # Not training: the export falls back to init_checkpoint, here one that
  # already holds the head (like a fine-tuned checkpoint would).
  weights = numpy_bert.random_weights(CONFIG, seed=3)
  head_rng = np.random.RandomState(4)
  weights["output_weights"] = head_rng.randn(NUM_LABELS, 32).astype(np.float32)
  weights["output_bias"] = head_rng.randn(NUM_LABELS).astype(np.float32)
  fine_tuned = _write_checkpoint(weights, str(tmp_path / "ft" / "model.ckpt"))
  empty_model_dir = tmp_path / "model_dir"
  empty_model_dir.mkdir()
  assert export_utils.checkpoint_for_export(str(empty_model_dir),
                                            fine_tuned) == fine_tuned
  with pytest.raises(script_utils.UsageError, match="nothing to export"):
    export_utils.checkpoint_for_export(str(empty_model_dir), None)

  model_fn = _classifier_model_fn(modeling.BertConfig.from_dict(CONFIG), None)
  with pytest.raises(ValueError, match="no prediction.*start_logits"):
    export_utils.export_saved_model(model_fn, str(tmp_path / "x"), SEQ,
                                    fine_tuned, output_keys=["start_logits"])
  assert not (tmp_path / "x").exists()

  # An existing empty directory is fine; the signature still works in
  # graph mode through the TF1 loader.
  export_dir = tmp_path / "empty"
  export_dir.mkdir()
  export_utils.export_saved_model(model_fn, str(export_dir), SEQ, fine_tuned,
                                  output_keys=["probabilities"])
  ids, mask, segments = _inputs(2, seed=5)
  with tf.Graph().as_default(), tf1.Session() as sess:
    meta = tf1.saved_model.loader.load(
        sess, [tf1.saved_model.tag_constants.SERVING], str(export_dir))
    sig = meta.signature_def["serving_default"]
    feeds = {sig.inputs[k].name: v for k, v in
             (("input_ids", ids), ("input_mask", mask),
              ("segment_ids", segments))}
    probs = sess.run(sig.outputs["probabilities"].name, feed_dict=feeds)
  # Independent check: NumPy BERT pooled output through the head.
  pooled = numpy_bert.forward(weights, CONFIG, ids, mask, segments)[
      "pooled_output"]
  logits = (pooled @ weights["output_weights"].T.astype(np.float64) +
            weights["output_bias"])
  expected = np.exp(logits - logits.max(-1, keepdims=True))
  expected /= expected.sum(-1, keepdims=True)
  np.testing.assert_allclose(probs, expected, atol=1e-5)
