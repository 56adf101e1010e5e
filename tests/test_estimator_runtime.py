# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""What runs the model_fns: TPUEstimator on TF 2.15, the graph runner after.

* the graph runner does what the scripts need of an estimator: periodic and
  final checkpoints (keep_checkpoint_max), resumption to max_steps, loss
  summaries, evaluation with the spec's metrics plus loss and global_step on
  the checkpoint it is given (summaries under model_dir/eval), per-example
  predictions;
* on TF 2.15, where both exist, the graph runner and TPUEstimator train to
  the same parameters and evaluate and predict the same numbers;
* a model directory trained under one runtime evaluates, predicts and
  resumes under the other (when the other interpreter is given);
* only estimator_runtime.py mentions tf.estimator, and --use_tpu without
  TPUEstimator is a one-line usage error.
"""

import ast
import glob
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

import estimator_runtime
import graph_runner
import optimization
import run_classifier
import script_settings
import script_utils
from tests import classifier_testdata as data
from tests import helpers

tf1 = tf.compat.v1

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# ----------------------------------------------------------------------------
# A deterministic toy model: constant initialisers, no dropout, no shuffling,
# so that two runners given the same steps must reach the same parameters.
# ----------------------------------------------------------------------------

# 6 batches of 8 per epoch: a restart at a multiple of 6 steps reads the
# batches an uninterrupted run would have read next.
NUM_EXAMPLES = 48
WIDTH = 4
NUM_CLASSES = 3


def _toy_arrays():
  rng = np.random.RandomState(11)
  x = rng.randn(NUM_EXAMPLES, WIDTH).astype(np.float32)
  # A learnable rule: the class is the argmax of the first three inputs.
  return {"x": x, "label": np.argmax(x[:, :NUM_CLASSES], axis=1).astype(
      np.int32)}


def _toy_input_fn(is_training):
  def input_fn(params):
    d = tf.data.Dataset.from_tensor_slices(_toy_arrays())
    if is_training:
      d = d.repeat()
    return d.batch(params["batch_size"], drop_remainder=is_training)
  return input_fn


def _toy_model_fn(features, labels, mode, params):
  """Softmax regression; logits [batch_size, 3]."""
  del labels, params
  kernel = tf1.get_variable(
      "dense/kernel", [WIDTH, NUM_CLASSES],
      initializer=tf1.constant_initializer(
          np.random.RandomState(5).randn(WIDTH, NUM_CLASSES) * 0.1))
  bias = tf1.get_variable("dense/bias", [NUM_CLASSES],
                          initializer=tf1.zeros_initializer())
  logits = tf.matmul(features["x"], kernel) + bias
  per_example_loss = tf.nn.sparse_softmax_cross_entropy_with_logits(
      labels=features["label"], logits=logits)
  loss = tf.reduce_mean(per_example_loss)
  if mode == estimator_runtime.ModeKeys.TRAIN:
    train_op = optimization.create_optimizer(
        loss, init_lr=0.1, num_train_steps=30, num_warmup_steps=3,
        use_tpu=False)
    return estimator_runtime.TPUEstimatorSpec(mode=mode, loss=loss,
                                              train_op=train_op)
  predictions = tf.argmax(logits, axis=-1, output_type=tf.int32)
  if mode == estimator_runtime.ModeKeys.EVAL:

    def metric_fn(per_example_loss, label, predictions):
      return {"eval_accuracy": tf1.metrics.accuracy(label, predictions),
              "eval_loss": tf1.metrics.mean(per_example_loss)}

    return estimator_runtime.TPUEstimatorSpec(
        mode=mode, loss=loss, eval_metrics=(
            metric_fn, [per_example_loss, features["label"], predictions]))
  return estimator_runtime.TPUEstimatorSpec(
      mode=mode, predictions={"label": predictions,
                              "probabilities": tf.nn.softmax(logits)})


def _estimator(model_dir, runner, save_every=5, keep=5):
  config = estimator_runtime.make_run_config(
      str(model_dir), save_checkpoints_steps=save_every,
      keep_checkpoint_max=keep, iterations_per_loop=1, runner=runner)
  return estimator_runtime.make_estimator(
      _toy_model_fn, config, use_tpu=False, train_batch_size=8,
      eval_batch_size=8, predict_batch_size=8)


def _checkpoint_steps(model_dir):
  return sorted(int(re.search(r"ckpt-(\d+)\.index$", path).group(1))
                for path in glob.glob(os.path.join(str(model_dir),
                                                   "model.ckpt-*.index")))


def _variables(checkpoint):
  reader = tf.train.load_checkpoint(checkpoint)
  return {name: reader.get_tensor(name)
          for name in reader.get_variable_to_shape_map()}


def _event_tags(directory):
  tags = set()
  for path in glob.glob(os.path.join(str(directory), "events.out.*")):
    for event in tf1.train.summary_iterator(path):
      for value in event.summary.value:
        tags.add(value.tag)
  return tags


def test_graph_runner_trains_checkpoints_and_resumes(tmp_path):
  model_dir = tmp_path / "model"
  runner = _estimator(model_dir, "graph", save_every=5, keep=3)
  assert isinstance(runner, graph_runner.GraphRunner)
  runner.train(_toy_input_fn(True), max_steps=12)
  # Saved every 5 steps and at the end; only the newest 3 kept.
  assert _checkpoint_steps(model_dir) == [5, 10, 12]
  first = _variables(str(model_dir / "model.ckpt-12"))
  assert first["global_step"] == 12
  assert {"loss", "train/learning_rate"} <= _event_tags(model_dir)

  # A second call continues from step 12 (weights and Adam moments); at
  # max_steps already, a third call does nothing.
  runner.train(_toy_input_fn(True), max_steps=20)
  assert _checkpoint_steps(model_dir)[-1] == 20
  runner.train(_toy_input_fn(True), max_steps=20)
  assert _checkpoint_steps(model_dir)[-1] == 20

  # In one go, the same 20 steps reach the same parameters: the restart
  # restored everything and the learning-rate schedule went on.
  straight = tmp_path / "straight"
  _estimator(straight, "graph", save_every=100).train(_toy_input_fn(True),
                                                      max_steps=20)
  resumed = _variables(str(model_dir / "model.ckpt-20"))
  reference = _variables(tf.train.latest_checkpoint(str(straight)))
  assert sorted(resumed) == sorted(reference)
  for name in reference:
    np.testing.assert_allclose(resumed[name], reference[name], rtol=0,
                               atol=1e-6, err_msg=name)
  assert np.abs(resumed["dense/kernel"] - first["dense/kernel"]).max() > 1e-3


def _numpy_eval(variables):
  arrays = _toy_arrays()
  logits = arrays["x"] @ variables["dense/kernel"] + variables["dense/bias"]
  shifted = logits - logits.max(axis=1, keepdims=True)
  log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
  per_example = -log_probs[np.arange(NUM_EXAMPLES), arrays["label"]]
  accuracy = np.mean(np.argmax(logits, axis=1) == arrays["label"])
  return per_example.mean(), accuracy, np.argmax(logits, axis=1)


def test_graph_runner_evaluates_and_predicts_the_named_checkpoint(tmp_path):
  model_dir = tmp_path / "model"
  runner = _estimator(model_dir, "graph", save_every=5)
  runner.train(_toy_input_fn(True), max_steps=10)
  for step in (5, 10):
    checkpoint = str(model_dir / ("model.ckpt-%d" % step))
    variables = _variables(checkpoint)
    loss, accuracy, labels = _numpy_eval(variables)
    result = runner.evaluate(_toy_input_fn(False), checkpoint_path=checkpoint)
    assert result["global_step"] == step
    # 48 examples in 6 batches of 8: the mean of batch means is the mean.
    np.testing.assert_allclose(result["loss"], loss, rtol=1e-5)
    np.testing.assert_allclose(result["eval_loss"], loss, rtol=1e-5)
    np.testing.assert_allclose(result["eval_accuracy"], accuracy, rtol=1e-6)
    predictions = list(runner.predict(_toy_input_fn(False),
                                      checkpoint_path=checkpoint))
    assert len(predictions) == NUM_EXAMPLES
    assert sorted(predictions[0]) == ["label", "probabilities"]
    np.testing.assert_array_equal([p["label"] for p in predictions], labels)
  # Steps limit the batches read; metrics are in TensorBoard under eval/.
  assert runner.evaluate(_toy_input_fn(False), steps=1)["global_step"] == 10
  assert {"eval_accuracy", "eval_loss", "loss"} <= _event_tags(
      model_dir / "eval")


@pytest.mark.skipif(not estimator_runtime.HAS_TPU_ESTIMATOR,
                    reason="TPUEstimator exists on TF 2.15 only")
def test_graph_runner_equals_tpu_estimator(tmp_path):
  """Same steps, same parameters; same checkpoint, same numbers."""
  trained = {}
  for runner in ("tpu_estimator", "graph"):
    estimator = _estimator(tmp_path / runner, runner, save_every=100)
    estimator.train(_toy_input_fn(True), max_steps=15)
    trained[runner] = _variables(
        tf.train.latest_checkpoint(str(tmp_path / runner)))
  assert sorted(trained["graph"]) == sorted(trained["tpu_estimator"])
  for name, value in trained["tpu_estimator"].items():
    np.testing.assert_allclose(trained["graph"][name], value, rtol=0,
                               atol=1e-6, err_msg=name)

  model_dir = tmp_path / "tpu_estimator"
  results = {}
  predictions = {}
  for runner in ("tpu_estimator", "graph"):
    estimator = _estimator(model_dir, runner)
    results[runner] = estimator.evaluate(_toy_input_fn(False))
    predictions[runner] = list(estimator.predict(_toy_input_fn(False)))
  assert sorted(results["graph"]) == sorted(results["tpu_estimator"])
  for key, value in results["tpu_estimator"].items():
    np.testing.assert_allclose(results["graph"][key], value, rtol=0,
                               atol=1e-6, err_msg=key)
  for got, want in zip(predictions["graph"], predictions["tpu_estimator"]):
    np.testing.assert_allclose(got["probabilities"], want["probabilities"],
                               rtol=0, atol=1e-6)


# ----------------------------------------------------------------------------
# The runtime module is the only one that knows about `tf.estimator`.
# ----------------------------------------------------------------------------


def test_no_estimator_reference_outside_the_runtime_module():
  # Code, not prose: an attribute of the estimator module or its package
  # (whose name is split here so that this line does not match itself).
  pattern = re.compile(r"\b(tf1|tf|compat\.v1)\.estimator\.|"
                       r"\btensorflow" + r"_estimator\b")
  offenders = []
  for path in sorted(glob.glob(os.path.join(ROOT, "*.py")) +
                     glob.glob(os.path.join(ROOT, "tests", "*.py")) +
                     glob.glob(os.path.join(ROOT, "bench", "*.py"))):
    if os.path.basename(path) == "estimator_runtime.py":
      continue
    with open(path, encoding="utf-8") as f:
      for number, line in enumerate(f, start=1):
        if pattern.search(line):
          offenders.append("%s:%d: %s" % (os.path.relpath(path, ROOT), number,
                                          line.strip()))
  assert not offenders, "\n".join(offenders)


def test_log_every_steps_keeps_a_long_run_to_ten_loss_lines():
  assert estimator_runtime.log_every_steps(10) == 10
  assert estimator_runtime.log_every_steps(10, 18) == 10
  assert estimator_runtime.log_every_steps(10, 100) == 10
  assert estimator_runtime.log_every_steps(10, 101) == 20
  assert estimator_runtime.log_every_steps(10, 343) == 40
  assert estimator_runtime.log_every_steps(7, 343) == 35
  assert estimator_runtime.log_every_steps(1000, 343) == 1000


def test_save_summary_steps_reaches_the_run_config(tmp_path):
  settings = script_settings.defaults(
      run_classifier.define_flags, output_dir=str(tmp_path),
      save_summary_steps=3)
  config = estimator_runtime.run_config_from_flags(settings)
  assert config.save_summary_steps == 3
  config = estimator_runtime.run_config_from_flags(
      settings, log_step_count_steps=12)
  assert config.save_summary_steps == 3
  if isinstance(config, graph_runner.RunConfig):
    assert config.log_step_count_steps == 12
  assert script_settings.defaults(
      run_classifier.define_flags).save_summary_steps == 10


def test_no_product_module_imports_a_script():
  """The scripts (modules a user runs, with absl flags and a main) sit on
  top: what they share lives in library modules, which import no script."""
  modules = {os.path.basename(path)[:-3]: path
             for path in glob.glob(os.path.join(ROOT, "*.py"))}
  sources = {}
  for name, path in modules.items():
    with open(path, encoding="utf-8") as f:
      sources[name] = f.read()
  scripts = {name for name, source in sources.items()
             if '__name__ == "__main__"' in source and
             re.search(r"^def define_flags\(", source, re.MULTILINE)}
  assert {"run_classifier", "run_ner", "run_squad"} <= scripts
  offenders = []
  for name, source in sorted(sources.items()):
    for node in ast.walk(ast.parse(source)):
      if isinstance(node, ast.Import):
        imported = [alias.name for alias in node.names]
      elif isinstance(node, ast.ImportFrom) and node.level == 0:
        imported = [node.module]
      else:
        continue
      offenders += ["%s.py:%d imports %s" % (name, node.lineno, module)
                    for module in imported
                    if module in scripts and module != name]
  assert not offenders, "\n".join(offenders)


@pytest.mark.skipif(estimator_runtime.HAS_TPU_ESTIMATOR,
                    reason="TF 2.15 has TPUEstimator and runs --use_tpu")
def test_use_tpu_without_tpu_estimator_is_a_usage_error(tmp_path):
  # Past the flag's validator, which refuses it already when parsing.
  flags_obj = script_settings.defaults(
      run_classifier.define_flags,
      output_dir=str(tmp_path)).replace(use_tpu=True)
  with pytest.raises(script_utils.UsageError,
                     match="Cloud TPU needs the TensorFlow 2.15 runtime"):
    estimator_runtime.run_config_from_flags(flags_obj)


@pytest.mark.slow
@pytest.mark.skipif(estimator_runtime.HAS_TPU_ESTIMATOR,
                    reason="TF 2.15 has TPUEstimator and runs --use_tpu")
def test_use_tpu_command_line_is_refused_in_one_line(tmp_path):
  files = data.write_model_files(str(tmp_path / "model"))
  mrpc = data.write_mrpc_folder(str(tmp_path / "mrpc"),
                                data.keyword_pairs(8, 1),
                                data.keyword_pairs(8, 2),
                                data.keyword_pairs(8, 3))
  output_dir = tmp_path / "out"
  proc = helpers.run_script(
      ["run_classifier.py", "--task_name=mrpc", "--data_dir=" + mrpc,
       "--vocab_file=" + files["vocab_file"],
       "--bert_config_file=" + files["bert_config_file"],
       "--output_dir=" + str(output_dir), "--max_seq_length=32",
       "--do_train", "--use_tpu", "--tpu_name=my-tpu"],
      env=helpers.script_env(TF_CPP_MIN_LOG_LEVEL="3"), timeout=120)
  assert proc.returncode == 1
  errors = [line for line in proc.stderr.splitlines()
            if line.startswith("error:")]
  assert len(errors) == 1, proc.stderr[-2000:]
  assert "Cloud TPU needs the TensorFlow 2.15 runtime" in errors[0]
  assert "Traceback" not in proc.stderr
  assert not output_dir.exists() or not os.listdir(str(output_dir))


# ----------------------------------------------------------------------------
# One model directory, both runtimes.
# ----------------------------------------------------------------------------

# The interpreter of the other runtime's environment (make test sets it when
# both lanes exist, e.g. .venv-3.12/bin/python for a run on 3.11).
OTHER_PYTHON = os.environ.get("BERT_OTHER_RUNTIME_PYTHON", "")

_CROSS_RUNTIME_SCRIPT = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import tensorflow as tf
import estimator_runtime, run_classifier, script_settings
run_classifier.run(script_settings.defaults(run_classifier.define_flags,
                                            **json.loads(sys.argv[2])))
print(json.dumps({"tf": tf.__version__,
                  "tpu_estimator": estimator_runtime.HAS_TPU_ESTIMATOR}))
"""


def _run_classifier_with(python, **flag_values):
  proc = subprocess.run(
      [python, "-c", _CROSS_RUNTIME_SCRIPT, ROOT, json.dumps(flag_values)],
      cwd=ROOT, capture_output=True, text=True, timeout=300,
      env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES=""))
  assert proc.returncode == 0, proc.stderr[-4000:]
  return json.loads(proc.stdout.strip().splitlines()[-1])


def _checkpoint_signature(checkpoint):
  reader = tf.train.load_checkpoint(checkpoint)
  dtypes = reader.get_variable_to_dtype_map()
  return {name: (tuple(shape), dtypes[name].name)
          for name, shape in reader.get_variable_to_shape_map().items()}


@pytest.mark.slow
@pytest.mark.skipif(not OTHER_PYTHON,
                    reason="needs the other runtime's interpreter in "
                    "BERT_OTHER_RUNTIME_PYTHON (make test sets it when both "
                    "lanes are installed)")
def test_model_directory_moves_between_runtimes(tmp_path):
  files = data.write_model_files(str(tmp_path / "model"))
  mrpc = data.write_mrpc_folder(str(tmp_path / "mrpc"),
                                data.keyword_pairs(32, 1),
                                data.keyword_pairs(16, 2),
                                data.keyword_pairs(8, 3))
  common = dict(task_name="mrpc", data_dir=mrpc,
                vocab_file=files["vocab_file"],
                bert_config_file=files["bert_config_file"],
                max_seq_length=32, train_batch_size=8, learning_rate=1e-3,
                tf_random_seed=3)
  this = sys.executable
  runtimes = {}
  for first, second in ((this, OTHER_PYTHON), (OTHER_PYTHON, this)):
    output_dir = str(tmp_path / ("out-%d" % len(runtimes)))
    # Fine-tune 4 steps with one runtime ...
    runtimes[first] = _run_classifier_with(
        first, output_dir=output_dir, do_train=True, num_train_epochs=1.0,
        **common)
    trained = tf.train.latest_checkpoint(output_dir)
    assert trained.endswith("model.ckpt-4")
    signature = _checkpoint_signature(trained)
    # ... evaluate and predict it with both: the same numbers ...
    results = {}
    predictions = {}
    for python in (first, second):
      runtimes[python] = _run_classifier_with(
          python, output_dir=output_dir, do_eval=True, do_predict=True,
          **common)
      results[python] = data.read_eval_results(
          os.path.join(output_dir, "eval_results.txt"))
      predictions[python] = np.array(data.read_test_results(
          os.path.join(output_dir, "test_results.tsv")))
    assert results[first]["global_step"] == results[second]["global_step"] == 4
    for key in ("eval_loss", "loss", "eval_accuracy"):
      np.testing.assert_allclose(results[second][key], results[first][key],
                                 rtol=0, atol=1e-6, err_msg=key)
    np.testing.assert_allclose(predictions[second], predictions[first],
                               rtol=0, atol=1e-6)
    # ... and resume it with the other, to the end of 2 epochs, writing the
    # same variable names, shapes and dtypes.
    _run_classifier_with(second, output_dir=output_dir, do_train=True,
                         num_train_epochs=2.0, **common)
    resumed = tf.train.latest_checkpoint(output_dir)
    assert resumed.endswith("model.ckpt-8")
    assert _checkpoint_signature(resumed) == signature
  # The two interpreters really were the two runtimes.
  assert runtimes[this]["tpu_estimator"] != runtimes[OTHER_PYTHON][
      "tpu_estimator"], runtimes
