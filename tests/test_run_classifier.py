# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""run_classifier: features, records, the model head, metrics, whole runs."""

import os

import numpy as np
import pytest
import tensorflow as tf

import estimator_runtime
import modeling
import run_classifier
import script_settings
import tokenization
from script_utils import UsageError
from tests import classifier_testdata as data
from tests import helpers

tf1 = tf.compat.v1


def _flags(**overrides):
  """run_classifier's settings: the command line's defaults, overridden."""
  return script_settings.defaults(run_classifier.define_flags, **overrides)


@pytest.fixture(scope="module")
def model_files(tmp_path_factory):
  return data.write_model_files(tmp_path_factory.mktemp("model"))


@pytest.fixture(scope="module")
def tokenizer(model_files):
  return tokenization.FullTokenizer(model_files["vocab_file"],
                                    do_lower_case=True)


def _ids(tokens):
  return [data.VOCAB.index(t) for t in tokens]


# ----------------------------------------------------------------------------
# Features
# ----------------------------------------------------------------------------


def test_pair_layout_segments_and_mask(tokenizer):
  example = run_classifier.InputExample("dev-3", "Apple river stone",
                                        "cloud music", label="1")
  f = run_classifier.convert_single_example(0, example, ["0", "1"], 10,
                                            tokenizer)
  tokens = ["[CLS]", "apple", "river", "stone", "[SEP]", "cloud", "music",
            "[SEP]"]
  assert f.input_ids == _ids(tokens) + [0, 0]
  assert f.input_mask == [1] * 8 + [0, 0]
  assert f.segment_ids == [0] * 5 + [1] * 3 + [0, 0]
  assert f.label_id == 1
  assert f.is_real_example


def test_single_sentence_layout_and_truncation(tokenizer):
  example = run_classifier.InputExample("x", "apple river stone cloud music",
                                        label="0")
  f = run_classifier.convert_single_example(0, example, ["0", "1"], 5,
                                            tokenizer)
  assert f.input_ids == _ids(["[CLS]", "apple", "river", "stone", "[SEP]"])
  assert f.input_mask == [1] * 5
  assert f.segment_ids == [0] * 5
  assert f.label_id == 0


def test_pair_truncation_takes_from_the_longer_side(tokenizer):
  long_a = "apple river stone cloud music paper table green"
  example = run_classifier.InputExample("x", long_a, "window garden silver",
                                        label="0")
  # Budget 10 - 3 = 7 tokens: b (3) stays whole, a keeps its first 4.
  f = run_classifier.convert_single_example(0, example, ["0", "1"], 10,
                                            tokenizer)
  assert f.input_ids == _ids(["[CLS]", "apple", "river", "stone", "cloud",
                              "[SEP]", "window", "garden", "silver", "[SEP]"])
  assert f.segment_ids == [0] * 6 + [1] * 4

  # Equal lengths: both lose tokens from their ends, alternately.
  example = run_classifier.InputExample(
      "y", "apple river stone cloud music", "paper table green window garden",
      label="1")
  f = run_classifier.convert_single_example(0, example, ["0", "1"], 9,
                                            tokenizer)
  assert f.input_ids == _ids(["[CLS]", "apple", "river", "stone", "[SEP]",
                              "paper", "table", "green", "[SEP]"])


def test_padding_example_is_all_zero_and_not_real(tokenizer):
  for labels, zero in ((["0", "1"], 0), (run_classifier.REGRESSION_LABELS,
                                         0.0)):
    f = run_classifier.convert_single_example(
        0, run_classifier.PaddingInputExample(), labels, 6, tokenizer)
    assert f.input_ids == f.input_mask == f.segment_ids == [0] * 6
    assert f.label_id == zero and type(f.label_id) is type(zero)
    assert not f.is_real_example


def test_regression_label_is_a_float(tokenizer):
  example = run_classifier.InputExample("x", "apple", "river", label=3.25)
  f = run_classifier.convert_single_example(
      0, example, run_classifier.REGRESSION_LABELS, 8, tokenizer)
  assert f.label_id == 3.25


def test_label_outside_the_list_is_a_usage_error(tokenizer):
  example = run_classifier.InputExample("train-7", "apple", label="2")
  with pytest.raises(UsageError, match="train-7.*'2'"):
    run_classifier.convert_single_example(0, example, ["0", "1"], 8,
                                          tokenizer)


def _read_dataset(input_fn, batch_size):
  with tf.Graph().as_default():
    dataset = input_fn({"batch_size": batch_size})
    batch = tf1.data.make_one_shot_iterator(dataset).get_next()
    batches = []
    with tf1.Session() as sess:
      while True:
        try:
          batches.append(sess.run(batch))
        except tf.errors.OutOfRangeError:
          break
  return {k: np.concatenate([b[k] for b in batches]) for k in batches[0]}


@pytest.mark.parametrize("regression", [False, True])
def test_records_round_trip(tmp_path, tokenizer, regression):
  if regression:
    labels = run_classifier.REGRESSION_LABELS
    examples = [run_classifier.InputExample("a", "apple river", "stone", 1.5),
                run_classifier.InputExample("b", "cloud", None, 4.0)]
  else:
    labels = ["0", "1"]
    examples = [run_classifier.InputExample("a", "apple river", "stone", "1"),
                run_classifier.InputExample("b", "cloud", None, "0")]
  examples.append(run_classifier.PaddingInputExample())
  path = str(tmp_path / "eval.tf_record")
  assert run_classifier.file_based_convert_examples_to_features(
      examples, labels, 8, tokenizer, path) == 3
  assert os.listdir(str(tmp_path)) == ["eval.tf_record"]  # No temp files.
  expected = run_classifier.convert_examples_to_features(examples, labels, 8,
                                                         tokenizer)

  for got in (
      _read_dataset(run_classifier.file_based_input_fn_builder(
          path, 8, is_training=False, drop_remainder=False,
          is_regression=regression), 2),
      _read_dataset(run_classifier.input_fn_builder(
          expected, 8, is_training=False, drop_remainder=False), 2)):
    assert got["input_ids"].dtype == np.int32
    np.testing.assert_array_equal(got["input_ids"],
                                  [f.input_ids for f in expected])
    np.testing.assert_array_equal(got["input_mask"],
                                  [f.input_mask for f in expected])
    np.testing.assert_array_equal(got["segment_ids"],
                                  [f.segment_ids for f in expected])
    np.testing.assert_array_equal(got["is_real_example"], [1, 1, 0])
    np.testing.assert_allclose(got["label_ids"],
                               [f.label_id for f in expected])
    assert got["label_ids"].dtype == (np.float32 if regression else np.int32)


# ----------------------------------------------------------------------------
# Model head and metrics
# ----------------------------------------------------------------------------


def _run_head(regression, labels, weights):
  config = modeling.BertConfig.from_dict(data.bert_config())
  rng = np.random.RandomState(0)
  ids = rng.randint(5, len(data.VOCAB), size=(4, 6)).astype(np.int32)
  with tf.Graph().as_default():
    tf1.set_random_seed(1)
    outputs = run_classifier.create_model(
        config, False, tf.constant(ids), tf.ones_like(ids),
        tf.zeros_like(ids), tf.constant(labels), 1 if regression else 3,
        False, is_regression=regression,
        example_weights=tf.constant(weights, tf.float32))
    names = sorted(v.op.name for v in tf1.trainable_variables()
                   if not v.op.name.startswith("bert/"))
    with tf1.Session() as sess:
      sess.run(tf1.global_variables_initializer())
      return names, sess.run(outputs)


def test_classification_head_matches_numpy():
  labels = np.array([0, 2, 1, 2], np.int32)
  weights = np.array([1, 1, 1, 0], np.float32)  # The last row is padding.
  names, (loss, per_example, logits, probs) = _run_head(False, labels,
                                                        weights)
  assert names == ["output_bias", "output_weights"]
  assert logits.shape == probs.shape == (4, 3)
  shifted = logits - logits.max(axis=1, keepdims=True)
  expected_probs = np.exp(shifted) / np.exp(shifted).sum(axis=1,
                                                         keepdims=True)
  np.testing.assert_allclose(probs, expected_probs, rtol=1e-5, atol=1e-6)
  expected_per_example = -np.log(expected_probs[np.arange(4), labels])
  np.testing.assert_allclose(per_example, expected_per_example, rtol=1e-5)
  np.testing.assert_allclose(loss, expected_per_example[:3].mean(), rtol=1e-5)


def test_regression_head_matches_numpy():
  labels = np.array([0.5, 2.0, 4.0, 1.0], np.float32)
  weights = np.array([1, 1, 0, 0], np.float32)
  _, (loss, per_example, logits, scores) = _run_head(True, labels, weights)
  assert logits.shape == (4, 1) and scores.shape == (4,)
  np.testing.assert_allclose(scores, logits[:, 0])
  np.testing.assert_allclose(per_example, (logits[:, 0] - labels)**2,
                             rtol=1e-5)
  np.testing.assert_allclose(loss, ((logits[:2, 0] - labels[:2])**2).mean(),
                             rtol=1e-5)


def _numpy_f1_mcc(labels, predictions, weights):
  tp = np.sum(weights * ((labels == 1) & (predictions == 1)))
  tn = np.sum(weights * ((labels == 0) & (predictions == 0)))
  fp = np.sum(weights * ((labels == 0) & (predictions == 1)))
  fn = np.sum(weights * ((labels == 1) & (predictions == 0)))
  precision = tp / (tp + fp)
  recall = tp / (tp + fn)
  f1 = 2 * precision * recall / (precision + recall)
  mcc = (tp * tn - fp * fn) / np.sqrt(
      (tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
  return f1, mcc


def test_streaming_f1_and_matthews_match_numpy():
  rng = np.random.RandomState(3)
  labels = rng.randint(0, 2, size=50).astype(np.int32)
  predictions = np.where(rng.rand(50) < 0.7, labels, 1 - labels).astype(
      np.int32)
  weights = (rng.rand(50) < 0.8).astype(np.float32)
  expected_f1, expected_mcc = _numpy_f1_mcc(labels, predictions, weights)
  with tf.Graph().as_default():
    l = tf1.placeholder(tf.int32, [None])
    p = tf1.placeholder(tf.int32, [None])
    w = tf1.placeholder(tf.float32, [None])
    f1, f1_update = run_classifier.f1_metric(l, p, w)
    mcc, mcc_update = run_classifier.matthews_corrcoef_metric(l, p, w)
    with tf1.Session() as sess:
      sess.run(tf1.local_variables_initializer())
      for start in range(0, 50, 8):  # Streaming over batches.
        part = slice(start, start + 8)
        sess.run([f1_update, mcc_update],
                 {l: labels[part], p: predictions[part], w: weights[part]})
      got_f1, got_mcc = sess.run([f1, mcc])
  np.testing.assert_allclose(got_f1, expected_f1, rtol=1e-6)
  np.testing.assert_allclose(got_mcc, expected_mcc, rtol=1e-6)


def _brute_force_ranks(values):
  values = list(values)
  return [sum(v < x for v in values) + (sum(v == x for v in values) + 1) / 2.0
          for x in values]


def test_pearson_and_spearman_match_numpy():
  rng = np.random.RandomState(5)
  x = rng.randn(40)
  y = x + 0.5 * rng.randn(40)
  x[3] = x[7] = x[11]  # Ties.
  y[:5] = 1.0
  assert run_classifier.pearson_correlation(x, y) == pytest.approx(
      np.corrcoef(x, y)[0, 1], abs=1e-12)
  np.testing.assert_allclose(run_classifier.average_ranks(x),
                             _brute_force_ranks(x))
  expected = np.corrcoef(_brute_force_ranks(x), _brute_force_ranks(y))[0, 1]
  assert run_classifier.spearman_correlation(x, y) == pytest.approx(
      expected, abs=1e-12)
  assert run_classifier.spearman_correlation([1, 2, 3], [1, 8, 27]) == 1.0
  assert run_classifier.pearson_correlation([1, 1, 1], [1, 2, 3]) == 0.0


# ----------------------------------------------------------------------------
# Whole runs
# ----------------------------------------------------------------------------

_TINY = dict(max_seq_length=32, learning_rate=5e-3, warmup_proportion=0.1,
             eval_batch_size=8, predict_batch_size=8)

# The whole runs below train a from-scratch tiny model and assert on its
# scores, so they are seeded (initial weights, dropout, shuffling): the same
# run every time, instead of a score that now and then falls short.
SEED = 12345


def _estimator_for(model_dir, flags_obj, num_labels, is_regression=False,
                   task_metric=None):
  """A CPU estimator over the model already trained in model_dir."""
  config = modeling.BertConfig.from_json_file(flags_obj.bert_config_file)
  model_fn = run_classifier.model_fn_builder(
      config, num_labels, None, 1e-3, 1, 0, False, False,
      is_regression=is_regression, task_metric=task_metric)
  return estimator_runtime.make_estimator(
      model_fn,
      estimator_runtime.make_run_config(model_dir),
      False,
      train_batch_size=8,
      eval_batch_size=flags_obj.eval_batch_size,
      predict_batch_size=flags_obj.predict_batch_size)


@pytest.mark.slow
def test_learnable_pair_task_end_to_end(tmp_path, model_files, tokenizer):
  """Train, eval and predict on a synthetic MRPC-layout task.

  Seeded: unseeded, a from-scratch tiny model occasionally collapses to a
  constant prediction (about 1 run in 10 at this learning rate).
  """
  train = data.keyword_pairs(320, seed=1)
  dev = data.keyword_pairs(42, seed=2)
  test = data.keyword_pairs(13, seed=3)
  data_dir = data.write_mrpc_folder(tmp_path / "MRPC", train, dev, test)
  output_dir = str(tmp_path / "out")
  flags_obj = _flags(
      task_name="MRPC", data_dir=data_dir, output_dir=output_dir,
      do_train=True, do_eval=True, do_predict=True, train_batch_size=16,
      num_train_epochs=3.0, tf_random_seed=SEED,
      **dict(_TINY, learning_rate=1e-3, **model_files))
  run_classifier.run_task(flags_obj)

  for name in ("train.tf_record", "eval.tf_record", "predict.tf_record",
               "eval_results.txt", "test_results.tsv"):
    assert os.path.exists(os.path.join(output_dir, name)), name
  results = data.read_eval_results(os.path.join(output_dir,
                                                "eval_results.txt"))
  assert set(results) == {"eval_accuracy", "eval_loss", "global_step", "loss",
                          "eval_f1"}
  assert results["global_step"] == 60  # 320 / 16 * 3.
  # Over 25 seeds: accuracy and F1 1.0 on dev, 13 of 13 test rows right.
  assert results["eval_accuracy"] >= 0.9, results
  assert results["eval_f1"] >= 0.85, results

  rows = data.read_test_results(os.path.join(output_dir, "test_results.tsv"))
  assert len(rows) == len(test)
  for row in rows:
    assert len(row) == 2
    assert sum(row) == pytest.approx(1.0, abs=1e-5)
  predicted = [str(int(np.argmax(row))) for row in rows]
  correct = sum(p == label for p, (label, _, _) in zip(predicted, test))
  assert correct >= len(test) - 2

  # The TPU path pads dev and test to whole batches with
  # PaddingInputExamples; the padding must change neither the metrics nor
  # the lines of test_results.tsv.
  padded_dir = str(tmp_path / "padded")
  os.makedirs(padded_dir)
  # use_tpu=True only pads here (the estimator is a CPU one); set past the
  # flag's validator, which refuses it where there is no TPUEstimator.
  padded_flags = _flags(
      output_dir=padded_dir, max_seq_length=32, eval_batch_size=8,
      predict_batch_size=5, **model_files).replace(use_tpu=True)
  estimator = _estimator_for(output_dir, padded_flags, 2, task_metric="f1")
  processor = run_classifier.MrpcProcessor()
  padded = run_classifier.run_evaluation(
      estimator, padded_flags, processor.get_dev_examples(data_dir),
      ["0", "1"], tokenizer, False)
  for key in ("eval_accuracy", "eval_f1", "eval_loss"):
    assert padded[key] == pytest.approx(results[key], abs=1e-5), key
  run_classifier.run_prediction(
      estimator, padded_flags, processor.get_test_examples(data_dir),
      ["0", "1"], tokenizer, False)
  padded_rows = data.read_test_results(
      os.path.join(padded_dir, "test_results.tsv"))
  np.testing.assert_allclose(padded_rows, rows, atol=1e-6)


@pytest.mark.slow
def test_stsb_regression_with_accumulation_end_to_end(tmp_path, model_files):
  """STS-B trains and reports Pearson and Spearman."""
  data_dir = data.write_stsb_folder(
      tmp_path / "STS-B", data.positive_share_pairs(320, seed=4),
      data.positive_share_pairs(40, seed=5),
      data.positive_share_pairs(7, seed=6))
  output_dir = str(tmp_path / "out")
  # Regression from scratch is less stable than classification; a lower
  # rate keeps it from collapsing to a constant. The run also accumulates
  # gradients over two micro-batches of 8 per update of 16.
  run_classifier.run_task(_flags(
      task_name="sts-b", data_dir=data_dir, output_dir=output_dir,
      do_train=True, do_eval=True, do_predict=True, train_batch_size=16,
      num_accumulation_steps=2, num_train_epochs=2.0, tf_random_seed=SEED,
      **dict(_TINY, learning_rate=2e-3, **model_files)))
  results = data.read_eval_results(os.path.join(output_dir,
                                                "eval_results.txt"))
  assert set(results) == {"eval_loss", "global_step", "loss", "eval_pearson",
                          "eval_spearman"}
  # The global step counts updates, not micro-batches: 320 / 16 * 2.
  assert results["global_step"] == 40
  # Untrained, both are about 0; over 25 seeds, trained runs reached a
  # Pearson of 0.82-0.99 and a Spearman of 0.88-0.99.
  assert results["eval_pearson"] >= 0.6, results
  assert results["eval_spearman"] >= 0.6, results
  rows = data.read_test_results(os.path.join(output_dir, "test_results.tsv"))
  assert len(rows) == 7 and all(len(row) == 1 for row in rows)

  # The TPU path (fixed-size batches, drop_remainder) on a CPU estimator.
  # The correlations read the dev file in batches of predict_batch_size;
  # with 40 dev rows, eval batches of 40 and predict batches of 16 they saw
  # only 32 rows before the padding took both sizes into account.
  padded_dir = str(tmp_path / "padded")
  os.makedirs(padded_dir)
  padded_flags = _flags(output_dir=padded_dir, max_seq_length=32,
                        eval_batch_size=40, predict_batch_size=16,
                        **model_files).replace(use_tpu=True)
  estimator = _estimator_for(output_dir, padded_flags, 1, is_regression=True)
  padded = run_classifier.run_evaluation(
      estimator, padded_flags,
      run_classifier.StsbProcessor().get_dev_examples(data_dir),
      run_classifier.REGRESSION_LABELS, tokenization.FullTokenizer(
          model_files["vocab_file"], do_lower_case=True), True)
  for key in ("eval_pearson", "eval_spearman", "eval_loss"):
    assert padded[key] == pytest.approx(results[key], abs=1e-5), key


# ----------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------


@pytest.fixture()
def mrpc_dir(tmp_path):
  pairs = data.keyword_pairs(8, seed=0)
  return data.write_mrpc_folder(tmp_path / "MRPC", pairs, pairs, pairs)


def _error(flags_obj):
  with pytest.raises(UsageError) as e:
    run_classifier.run_task(flags_obj)
  return str(e.value)


def test_nothing_to_do(mrpc_dir, model_files, tmp_path):
  message = _error(_flags(task_name="mrpc", data_dir=mrpc_dir,
                          output_dir=str(tmp_path / "o"), **model_files))
  assert "--do_train" in message and "--do_eval" in message
  assert "--do_predict" in message


def test_max_seq_length_longer_than_the_model(mrpc_dir, model_files,
                                              tmp_path):
  message = _error(_flags(task_name="mrpc", data_dir=mrpc_dir, do_eval=True,
                          output_dir=str(tmp_path / "o"), max_seq_length=64,
                          **model_files))
  assert "--max_seq_length=64" in message
  assert "max_position_embeddings=32" in message


def test_unknown_task(mrpc_dir, model_files, tmp_path):
  message = _error(_flags(task_name="paraphrase", data_dir=mrpc_dir,
                          do_eval=True, output_dir=str(tmp_path / "o"),
                          **model_files))
  assert "paraphrase" in message and "mrpc, qnli, qqp" in message


def test_problems_in_dev_are_found_before_training(mrpc_dir, model_files,
                                                   tmp_path):
  output_dir = str(tmp_path / "o")
  flags_obj = _flags(task_name="mrpc", data_dir=mrpc_dir, do_train=True,
                     do_eval=True, output_dir=output_dir, max_seq_length=32,
                     **model_files)
  with open(os.path.join(mrpc_dir, "dev.tsv"), "a") as f:
    f.write("yes\t1\t2\tapple\triver\n")
  message = _error(flags_obj)
  assert os.path.join(mrpc_dir, "dev.tsv") + " line 10" in message
  assert "'yes'" in message
  os.remove(os.path.join(mrpc_dir, "dev.tsv"))
  message = _error(flags_obj)
  assert os.path.join(mrpc_dir, "dev.tsv") + ": file not found" in message
  assert not os.path.exists(output_dir)


def test_accumulation_must_divide_the_batch(mrpc_dir, model_files, tmp_path):
  message = _error(_flags(task_name="mrpc", data_dir=mrpc_dir, do_train=True,
                          output_dir=str(tmp_path / "o"), max_seq_length=32,
                          train_batch_size=6, num_accumulation_steps=4,
                          **model_files))
  assert "--train_batch_size=6" in message
  assert "--num_accumulation_steps=4" in message


def test_unknown_task_names_the_closest(mrpc_dir, model_files, tmp_path):
  message = _error(_flags(task_name="sst2", data_dir=mrpc_dir, do_eval=True,
                          output_dir=str(tmp_path / "o"), **model_files))
  assert "--task_name=sst2: unknown task; did you mean sst-2?" in message


# ----------------------------------------------------------------------------
# The log of a run from the command line
# ----------------------------------------------------------------------------


def _run_script(args):
  result = helpers.run_script(["run_classifier.py"] + args)
  assert result.returncode == 0, result.stderr[-3000:]
  return (result.stdout + result.stderr).splitlines()


def _loss_summary_steps(output_dir):
  """The steps of the training loss points in output_dir's event files."""
  steps = []
  for name in tf.io.gfile.listdir(output_dir):
    if not name.startswith("events.out.tfevents"):
      continue
    for record in tf.data.TFRecordDataset(os.path.join(output_dir, name)):
      event = tf1.Event.FromString(record.numpy())
      if any(value.tag.startswith("loss") for value in event.summary.value):
        steps.append(event.step)
  return sorted(steps)


@pytest.mark.slow
def test_default_log_of_a_fine_tune_and_of_a_rerun(tmp_path):
  """A fine-tune from a pre-trained checkpoint logs at most 60 lines.

  The MRPC command of the README on tiny data and a tiny checkpoint: 192
  steps, about as many as the README's MRPC run (343). The loss curve has a
  point every 10 steps (--save_summary_steps); the log shows the loss at
  most 10 times. Run again into the finished directory, the run says first
  that the model there is finished and trains no more.
  """
  files = data.write_model_files(tmp_path / "model", with_checkpoint=True)
  data_dir = data.write_mrpc_folder(
      tmp_path / "MRPC", data.keyword_pairs(48, seed=1),
      data.keyword_pairs(8, seed=2), data.keyword_pairs(11, seed=3))
  output_dir = str(tmp_path / "out")
  args = ["--task_name=MRPC", "--do_train=true", "--do_eval=true",
          "--do_predict=true", "--data_dir=" + data_dir,
          "--vocab_file=" + files["vocab_file"],
          "--bert_config_file=" + files["bert_config_file"],
          "--init_checkpoint=" + files["init_checkpoint"],
          "--max_seq_length=32", "--train_batch_size=1",
          "--learning_rate=2e-5", "--num_train_epochs=4.0",
          "--output_dir=" + output_dir]
  lines = _run_script(args)
  assert len(lines) <= 60, "\n".join(lines)
  assert "  Num steps = 192" in "\n".join(lines)
  # Both runtimes log one or two lines at each log point (the loss, steps
  # per second): between 5 and 10 points.
  log_points = [line for line in lines
                if "loss = " in line and "step = " in line or
                "global_step/sec" in line]
  assert 5 <= len(log_points) <= 20, "\n".join(lines)
  loss_steps = _loss_summary_steps(output_dir)
  assert len(loss_steps) >= 19 and loss_steps[1] - loss_steps[0] == 10, (
      loss_steps)

  rerun = _run_script(args[:3] + args[4:] + ["--learning_rate=3e-5"])
  messages = [line for line in rerun if not line.startswith(
      "INFO:tensorflow:Running on ")]
  assert messages[0].endswith(
      "--output_dir=%s holds a finished model (global step 192 of 192): "
      "training is skipped, and the model keeps the settings it was trained "
      "with, not the training flags of this run" % output_dir), messages
  assert not any("Learning rate" in line for line in rerun), rerun
  assert not any("Running training" in line for line in rerun), rerun
