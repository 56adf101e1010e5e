# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""run_pretraining.py: the heads against NumPy, the metrics, training and
evaluation from scratch and from a BERT-only checkpoint, resuming, and
checks on the input records."""

import math
import os
import shutil
import types

import numpy as np
import pytest
import tensorflow as tf

import modeling
import run_pretraining
import script_utils
from tests import helpers
from tests.helpers import tiny_bert_config

tf1 = tf.compat.v1

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "run_pretraining.py")

SEQ = 32
PRED = 5
EVAL_KEYS = {"global_step", "loss", "masked_lm_accuracy", "masked_lm_loss",
             "next_sentence_accuracy", "next_sentence_loss"}
# The runs are seeded, so that what is asserted of their results holds of
# the same trained model every time.
SEED = 2024


@pytest.fixture(scope="module")
def data(tmp_path_factory):
  """A vocab, a config and pre-training records made from the sample."""
  tmp = tmp_path_factory.mktemp("pretraining_data")
  data = helpers.write_pretraining_data(
      tmp, SEQ, PRED, vocab_size=300, dupe_factor=2, seed=1)
  data.tmp = tmp
  return data


def _args(data, output_dir, **overrides):
  flags = {
      "bert_config_file": data.config_file,
      "input_file": data.records,
      "output_dir": output_dir,
      "max_seq_length": SEQ,
      "max_predictions_per_seq": PRED,
      "do_train": True,
      "do_eval": True,
      "train_batch_size": 8,
      "eval_batch_size": 8,
      "learning_rate": 1e-3,
      "num_train_steps": 20,
      "num_warmup_steps": 5,
      "save_checkpoints_steps": 1000,
      "iterations_per_loop": 1000,
      "max_eval_steps": 5,
      "tf_random_seed": SEED,
  }
  flags.update(overrides)
  return ["--%s=%s" % (k, v) for k, v in flags.items() if v is not None]


def _start(args):
  return helpers.start_script([SCRIPT] + args)


def _finish(proc, expect_ok=True):
  stdout, stderr = proc.communicate(timeout=600)
  if expect_ok:
    assert proc.returncode == 0, stderr[-4000:]
  return stdout + stderr


def _read_eval_results(output_dir):
  results = {}
  with open(os.path.join(output_dir, "eval_results.txt")) as f:
    for line in f:
      key, value = line.strip().split(" = ")
      results[key] = float(value)
  return results


@pytest.fixture(scope="module")
def runs(data):
  """Runs from scratch and from a BERT-only checkpoint, in parallel."""
  scratch_dir = str(data.tmp / "scratch")
  init_dir = str(data.tmp / "from_init")
  init_checkpoint = helpers.write_encoder_checkpoint(
      tiny_bert_config(vocab_size=data.config["vocab_size"],
                       initializer_range=0.5),
      str(data.tmp / "init" / "bert_model.ckpt"), global_step=False)
  accum_dir = str(data.tmp / "accumulated")
  scratch = _start(_args(data, scratch_dir))
  from_init = _start(_args(data, init_dir, init_checkpoint=init_checkpoint,
                           learning_rate=1e-4))
  accumulated = _start(_args(data, accum_dir, do_eval=False,
                             num_train_steps=6, num_accumulation_steps=2))
  return types.SimpleNamespace(
      scratch_dir=scratch_dir, scratch_log=_finish(scratch),
      init_dir=init_dir, init_log=_finish(from_init),
      init_checkpoint=init_checkpoint, accum_dir=accum_dir,
      accum_log=_finish(accumulated))


# ----------------------------------------------------------------------------
# End to end
# ----------------------------------------------------------------------------


@pytest.mark.slow
def test_train_and_eval_from_scratch(runs):
  results = _read_eval_results(runs.scratch_dir)
  assert set(results) == EVAL_KEYS
  assert results["global_step"] == 20
  for key in EVAL_KEYS:
    assert math.isfinite(results[key])
  assert 0.0 <= results["masked_lm_accuracy"] <= 1.0
  assert 0.0 <= results["next_sentence_accuracy"] <= 1.0
  # The evaluation loss is the sum of the two task losses over the scored
  # records (float32 addition; the printed values are rounded to 8 digits).
  assert results["loss"] == pytest.approx(
      results["masked_lm_loss"] + results["next_sentence_loss"], rel=1e-6)
  assert "***** Eval results *****" in runs.scratch_log
  assert "masked_lm_loss = " in runs.scratch_log  # the training loss log
  assert "INIT_FROM_CKPT" not in runs.scratch_log
  assert tf.train.latest_checkpoint(runs.scratch_dir).endswith("-20")


@pytest.mark.slow
def test_init_checkpoint_with_only_bert_variables(runs):
  # One line says so: the encoder's variables (5 embeddings, 16 a layer, 2
  # pooler) from the checkpoint, the two pre-training heads' new; the list
  # of every variable is in the verbose log only.
  num_bert = 5 + 16 * tiny_bert_config()["num_hidden_layers"] + 2
  summary = [l for l in runs.init_log.splitlines()
             if "Trainable variables: " in l]
  assert len(summary) == 1
  assert summary[0].endswith(
      "Trainable variables: %d of %d from --init_checkpoint "
      "(*INIT_FROM_CKPT*); 7 new, initialised randomly: cls/predictions 5, "
      "cls/seq_relationship 2 (-v 1 lists them all)" % (num_bert,
                                                        num_bert + 7))
  assert ", shape = " not in runs.init_log

  results = _read_eval_results(runs.init_dir)
  assert set(results) == EVAL_KEYS and results["global_step"] == 20

  # The encoder started from the checkpoint: 20 Adam steps of 1e-4 move a
  # weight by far less than the distance to a fresh init (std 0.02 vs 0.5).
  init = tf.train.load_checkpoint(runs.init_checkpoint)
  final = tf.train.load_checkpoint(tf.train.latest_checkpoint(runs.init_dir))
  for name in ("bert/embeddings/word_embeddings",
               "bert/encoder/layer_1/attention/self/query/kernel"):
    start = init.get_tensor(name)
    assert np.std(start) > 0.2
    assert np.max(np.abs(final.get_tensor(name) - start)) < 20 * 4 * 1e-4
  names = {name for name, _ in tf.train.list_variables(
      tf.train.latest_checkpoint(runs.init_dir))}
  assert "cls/predictions/output_bias" in names
  assert "cls/seq_relationship/output_weights" in names


@pytest.mark.slow
def test_resume_with_more_steps(runs, data):
  resumed_dir = str(data.tmp / "resumed")
  shutil.copytree(runs.scratch_dir, resumed_dir)
  # Checkpoint paths in the `checkpoint` file are absolute; point them here.
  with open(os.path.join(resumed_dir, "checkpoint")) as f:
    state = f.read().replace(runs.scratch_dir, resumed_dir)
  with open(os.path.join(resumed_dir, "checkpoint"), "w") as f:
    f.write(state)
  log = _finish(_start(_args(data, resumed_dir, num_train_steps=30,
                            do_eval=False)))
  assert "starting at 20" in log
  assert "Restoring parameters from %s" % os.path.join(
      resumed_dir, "model.ckpt-20") in log
  assert tf.train.latest_checkpoint(resumed_dir).endswith("-30")
  # The global step went on from 20: the saved step counter was restored.
  final = tf.train.load_checkpoint(tf.train.latest_checkpoint(resumed_dir))
  assert final.get_tensor("global_step") == 30


@pytest.mark.slow
def test_gradient_accumulation_counts_updates(runs):
  # 8 examples per update in micro-batches of 4: 6 updates, 12 batches.
  assert "Micro-batch size = 4, accumulated over 2" in runs.accum_log
  assert tf.train.latest_checkpoint(runs.accum_dir).endswith("-6")
  assert not os.path.exists(os.path.join(runs.accum_dir, "eval_results.txt"))


@pytest.mark.slow
def test_records_of_other_settings_are_a_one_line_error(data, tmp_path):
  proc = _start(_args(data, str(tmp_path / "out"), max_predictions_per_seq=6))
  log = _finish(proc, expect_ok=False)
  assert proc.returncode == 1
  errors = [l for l in log.splitlines() if l.startswith("error: ")]
  assert len(errors) == 1, log[-2000:]
  assert ("--max_predictions_per_seq=6 does not match %s" % data.records
          in errors[0])
  assert "Traceback" not in log
  # Checked before anything was written.
  assert not os.path.exists(str(tmp_path / "out"))


# ----------------------------------------------------------------------------
# In-process checks
# ----------------------------------------------------------------------------


def test_check_input_records(data, tmp_path):
  run_pretraining.check_input_records([data.records], SEQ, PRED,
                                      data.config["vocab_size"])
  with pytest.raises(script_utils.UsageError, match="--max_seq_length=64"):
    run_pretraining.check_input_records([data.records], 64, PRED, 10**6)
  with pytest.raises(script_utils.UsageError, match="another vocabulary"):
    run_pretraining.check_input_records([data.records], SEQ, PRED, 5)
  empty = str(tmp_path / "empty.tfrecord")
  with tf.io.TFRecordWriter(empty):
    pass
  with pytest.raises(script_utils.UsageError, match="contains no records"):
    run_pretraining.check_input_records([empty], SEQ, PRED, 10**6)
  not_records = str(tmp_path / "text.tfrecord")
  with open(not_records, "w") as f:
    f.write("this is not a TFRecord file at all\n")
  with pytest.raises(script_utils.UsageError, match="not a readable"):
    run_pretraining.check_input_records([not_records], SEQ, PRED, 10**6)


def test_validate_flags():
  good = dict(do_train=True, do_eval=False, bert_config_file="c",
              input_file="i", output_dir="o", max_seq_length=128,
              max_predictions_per_seq=20, train_batch_size=32,
              eval_batch_size=8, num_accumulation_steps=4, max_eval_steps=10,
              iterations_per_loop=100, save_checkpoints_steps=100,
              num_train_steps=100, num_warmup_steps=10,
              init_checkpoint=None, init_schedule="restart")
  run_pretraining.validate_flags(types.SimpleNamespace(**good))
  for name, value, message in [
      ("do_train", False, "at least one of --do_train or --do_eval"),
      ("init_schedule", "continue",
       "--init_schedule=continue needs --init_checkpoint"),
      ("num_accumulation_steps", 3, "not divisible"),
      ("output_dir", None, "--output_dir"),
      ("train_batch_size", 0, "--train_batch_size must be >= 1"),
  ]:
    bad = dict(good)
    bad[name] = value
    with pytest.raises(script_utils.UsageError, match=message):
      run_pretraining.validate_flags(types.SimpleNamespace(**bad))


def test_input_fn_eval_reads_in_order_and_casts_to_int32(data):
  input_fn = run_pretraining.input_fn_builder([data.records], SEQ, PRED,
                                              is_training=False)
  dataset = input_fn({"batch_size": 4})
  batches = list(dataset)
  # Every record, the last batch filled with padding of weight 0 (see
  # test_pretraining_eval.py).
  assert len(batches) == -(-data.num_records // 4)
  assert batches[0]["is_real_example"].numpy().tolist() == [1.0] * 4
  first = batches[0]
  assert first["input_ids"].dtype == tf.int32
  assert first["masked_lm_weights"].dtype == tf.float32
  assert first["input_ids"].shape == (4, SEQ)
  assert first["masked_lm_positions"].shape == (4, PRED)
  assert first["next_sentence_labels"].shape == (4, 1)
  expected = []
  for raw in tf.data.TFRecordDataset([data.records]).take(4):
    example = tf.train.Example.FromString(raw.numpy())
    expected.append(list(example.features.feature["input_ids"].int64_list.value))
  np.testing.assert_array_equal(first["input_ids"].numpy(), expected)

  # On TPU evaluation runs a fixed number of steps: after the records come
  # batches of padding only, never the records again.
  tpu_eval_fn = run_pretraining.input_fn_builder(
      [data.records], SEQ, PRED, is_training=False, endless_eval_padding=True)
  padded = list(tpu_eval_fn({"batch_size": 4}).take(len(batches) + 3))
  assert len(padded) == len(batches) + 3
  assert not any(b["is_real_example"].numpy().any() for b in padded[-3:])

  train_fn = run_pretraining.input_fn_builder([data.records, data.records],
                                              SEQ, PRED, is_training=True)
  # Training repeats forever: more batches than one pass holds.
  count = 0
  for _ in train_fn({"batch_size": 8}).take(data.num_records // 8 + 5):
    count += 1
  assert count == data.num_records // 8 + 5


def _np_gelu(x):
  return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


def _np_log_softmax(x):
  x = x - x.max(axis=-1, keepdims=True)
  return x - np.log(np.exp(x).sum(axis=-1, keepdims=True))


def test_heads_match_numpy():
  rng = np.random.RandomState(0)
  batch, seq, hidden, vocab = 2, 6, 8, 11
  config = modeling.BertConfig(vocab_size=vocab, hidden_size=hidden,
                               num_hidden_layers=1, num_attention_heads=2,
                               intermediate_size=16, hidden_act="gelu")
  sequence = rng.randn(batch, seq, hidden).astype(np.float32)
  pooled = rng.randn(batch, hidden).astype(np.float32)
  table = rng.randn(vocab, hidden).astype(np.float32)
  positions = np.array([[1, 3, 0], [5, 2, 0]], np.int32)
  label_ids = np.array([[4, 7, 0], [1, 10, 0]], np.int32)
  weights = np.array([[1, 1, 0], [1, 1, 0]], np.float32)
  ns_labels = np.array([[0], [1]], np.int32)

  with tf.Graph().as_default():
    gathered = run_pretraining.gather_indexes(tf.constant(sequence),
                                              tf.constant(positions))
    mlm = run_pretraining.get_masked_lm_output(
        config, tf.constant(sequence), tf.constant(table),
        tf.constant(positions), tf.constant(label_ids), tf.constant(weights))
    nsp = run_pretraining.get_next_sentence_output(config, tf.constant(pooled),
                                                   tf.constant(ns_labels))
    variables = {v.name[:-2]: v for v in tf1.global_variables()}
    assert {name: v.shape.as_list() for name, v in variables.items()} == {
        "cls/predictions/transform/dense/kernel": [hidden, hidden],
        "cls/predictions/transform/dense/bias": [hidden],
        "cls/predictions/transform/LayerNorm/beta": [hidden],
        "cls/predictions/transform/LayerNorm/gamma": [hidden],
        "cls/predictions/output_bias": [vocab],
        "cls/seq_relationship/output_weights": [2, hidden],
        "cls/seq_relationship/output_bias": [2],
    }
    with tf1.Session() as sess:
      sess.run(tf1.global_variables_initializer())
      # Non-trivial values everywhere, including the zero-initialised ones.
      for v in variables.values():
        v.load(rng.randn(*v.shape.as_list()).astype(np.float32) * 0.5, sess)
      values = sess.run(variables)
      got_gathered, got_mlm, got_nsp = sess.run([gathered, mlm, nsp])

  flat_positions = (positions + np.arange(batch)[:, None] * seq).reshape(-1)
  x = sequence.reshape(batch * seq, hidden)[flat_positions]
  np.testing.assert_allclose(got_gathered, x, rtol=1e-6)

  h = _np_gelu(x @ values["cls/predictions/transform/dense/kernel"] +
               values["cls/predictions/transform/dense/bias"])
  mean = h.mean(-1, keepdims=True)
  var = ((h - mean)**2).mean(-1, keepdims=True)
  h = ((h - mean) / np.sqrt(var + 1e-12) *
       values["cls/predictions/transform/LayerNorm/gamma"] +
       values["cls/predictions/transform/LayerNorm/beta"])
  log_probs = _np_log_softmax(h @ table.T +
                              values["cls/predictions/output_bias"])
  per_example = -log_probs[np.arange(len(x)), label_ids.reshape(-1)]
  w = weights.reshape(-1)
  loss = (w * per_example).sum() / (w.sum() + 1e-5)
  np.testing.assert_allclose(got_mlm[2], log_probs, rtol=1e-4, atol=1e-5)
  np.testing.assert_allclose(got_mlm[1], per_example, rtol=1e-4, atol=1e-5)
  np.testing.assert_allclose(got_mlm[0], loss, rtol=1e-4)

  ns_log_probs = _np_log_softmax(
      pooled @ values["cls/seq_relationship/output_weights"].T +
      values["cls/seq_relationship/output_bias"])
  ns_per_example = -ns_log_probs[np.arange(batch), ns_labels.reshape(-1)]
  np.testing.assert_allclose(got_nsp[2], ns_log_probs, rtol=1e-4, atol=1e-5)
  np.testing.assert_allclose(got_nsp[1], ns_per_example, rtol=1e-4,
                             atol=1e-5)
  np.testing.assert_allclose(got_nsp[0], ns_per_example.mean(), rtol=1e-4)


def test_metric_fn_weights_out_padding():
  # Two sequences of three predictions; the third of each is padding.
  log_probs = np.log(np.array([
      [0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.9, 0.05, 0.05],
      [0.2, 0.2, 0.6], [0.5, 0.3, 0.2], [0.1, 0.1, 0.8],
  ], np.float32))
  ids = np.array([[0, 2, 1], [2, 1, 1]], np.int32)
  weights = np.array([[1, 1, 0], [1, 1, 0]], np.float32)
  example_loss = np.array([1.0, 2.0, 100.0, 3.0, 4.0, 100.0], np.float32)
  ns_log_probs = np.log(np.array([[0.9, 0.1], [0.3, 0.7], [0.6, 0.4]],
                                 np.float32))
  ns_labels = np.array([[0], [1], [1]], np.int32)
  ns_loss = np.array([0.5, 1.5, 2.5], np.float32)
  with tf.Graph().as_default():
    metrics = run_pretraining.metric_fn(
        tf.constant(example_loss), tf.constant(log_probs), tf.constant(ids),
        tf.constant(weights), tf.constant(ns_loss), tf.constant(ns_log_probs),
        tf.constant(ns_labels))
    with tf1.Session() as sess:
      sess.run(tf1.local_variables_initializer())
      sess.run({k: v[1] for k, v in metrics.items()})
      values = sess.run({k: v[0] for k, v in metrics.items()})
  # Predictions 0, 1, -, 2, 0, -: right, wrong, -, right, wrong, -.
  assert values["masked_lm_accuracy"] == pytest.approx(0.5)
  assert values["masked_lm_loss"] == pytest.approx((1 + 2 + 3 + 4) / 4)
  # Predictions 0, 1, 0 against 0, 1, 1.
  assert values["next_sentence_accuracy"] == pytest.approx(2 / 3)
  assert values["next_sentence_loss"] == pytest.approx(1.5)
