# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Evaluation during training, the best checkpoint, early stopping.

The original trains blind to the end and serves the last checkpoint. With
`--eval_every_steps=N` training stops every N optimizer steps (and at the
end), the task's dev evaluation runs on the checkpoint just written, and its
metrics are logged, appended to `eval_history.jsonl` in --output_dir (one
JSON object a line: step, metrics, whether it is the best so far) and
written to TensorBoard (`--output_dir/eval_during_training`). The same loop
serves TF 2.15's TPUEstimator and the graph runner: both train to a
`max_steps` and save a checkpoint there.

With `--keep_best_by=METRIC` the checkpoint with the best value so far is
copied to `--output_dir/best_checkpoint/` (outside keep_checkpoint_max's
rotation, which deletes old checkpoints), with `best.json` (its step and
metrics), and recorded in model_info.json under "best_checkpoint".
Evaluation, prediction, export and `predictor.load` then read it instead of
the newest checkpoint, saying so in one log line. Whether higher or lower
is better is known per metric (`higher_is_better`).
`--early_stopping_patience=K` stops training after K evaluations in a row
without improvement.

A killed run, started again with the same flags, resumes from its newest
checkpoint; the history file and the best checkpoint are kept, so the
best-so-far and the count of evaluations without improvement carry on.
"""

import json
import os

from absl import flags
import tensorflow as tf

import checkpoint_utils
import estimator_runtime
import script_utils
from script_utils import UsageError

tf1 = tf.compat.v1

HISTORY_FILE = "eval_history.jsonl"
BEST_DIR = "best_checkpoint"
BEST_INFO_FILE = "best.json"
SUMMARY_DIR = "eval_during_training"
MODEL_INFO_FILE = "model_info.json"  # export_utils.MODEL_INFO_FILE

# Metrics where a smaller value is better; every other known metric is
# better larger. Names are matched without an "eval_" prefix.
_LOWER_IS_BETTER = ("loss",)
_HIGHER_IS_BETTER = ("accuracy", "f1", "mcc", "pearson", "spearman",
                     "exact_match", "exact", "precision", "recall",
                     "auc")


def higher_is_better(metric):
  """Whether a larger value of `metric` is better.

  Args:
    metric: e.g. "eval_accuracy", "eval_loss", "f1", "exact_match".

  Raises:
    UsageError: a metric whose direction is not known.
  """
  name = metric[len("eval_"):] if metric.startswith("eval_") else metric
  if name in _LOWER_IS_BETTER or name.endswith("_loss"):
    return False
  if name in _HIGHER_IS_BETTER or name.endswith(("_f1", "_accuracy")):
    return True
  raise UsageError("--keep_best_by=%s: unknown metric; known are eval_loss "
                   "(lower is better) and %s (higher is better)" %
                   (metric, ", ".join(_HIGHER_IS_BETTER)))


def define_flags(flag_values=flags.FLAGS):
  """--eval_every_steps, --keep_best_by, --early_stopping_patience."""
  define = script_utils.flag_definers(flag_values)
  define.integer(
      "eval_every_steps", None,
      "With --do_train and --do_eval: evaluate on dev every this many "
      "training steps and at the end; the metrics go to the log, to "
      "eval_history.jsonl in --output_dir and to TensorBoard.")
  define.string(
      "keep_best_by", None,
      "With --eval_every_steps: keep the checkpoint with the best value of "
      "this dev metric (e.g. eval_accuracy, eval_f1, eval_mcc, eval_loss; "
      "lower is better for a loss, higher for the others) in "
      "--output_dir/best_checkpoint; evaluation, prediction, export and "
      "predictor.load then use it.")
  define.integer(
      "early_stopping_patience", None,
      "With --keep_best_by: stop training after this many evaluations in a "
      "row without improvement.")


def check_flags(settings, eval_flag="do_eval"):
  """Checks the three flags against each other; raises UsageError.

  `eval_flag`: the flag that asks for the dev evaluation (run_squad.py's
  is do_predict, on a --predict_file with answers).
  """
  every = getattr(settings, "eval_every_steps", None)
  keep_best_by = getattr(settings, "keep_best_by", None)
  patience = getattr(settings, "early_stopping_patience", None)
  if every is not None:
    if every < 1:
      raise UsageError("--eval_every_steps=%d: must be positive" % every)
    if not (settings.do_train and getattr(settings, eval_flag, False)):
      raise UsageError("--eval_every_steps needs --do_train and --%s "
                       "(it evaluates on dev while training)" % eval_flag)
  if keep_best_by:
    if every is None:
      raise UsageError("--keep_best_by=%s needs --eval_every_steps" %
                       keep_best_by)
    higher_is_better(keep_best_by)
  if patience is not None:
    if patience < 1:
      raise UsageError("--early_stopping_patience=%d: must be positive" %
                       patience)
    if not keep_best_by:
      raise UsageError("--early_stopping_patience needs --keep_best_by (the "
                       "metric that must improve)")


def _json_value(value):
  try:
    return float(value)
  except (TypeError, ValueError):
    return str(value)


def read_history(output_dir):
  """The evaluations recorded in `output_dir`'s eval_history.jsonl.

  Returns:
    list of dicts {"step": int, "metrics": {...}, "best": bool}, in the
    order written; [] when there is no file. A last line cut short by a
    kill is ignored.
  """
  path = os.path.join(output_dir, HISTORY_FILE)
  if not tf.io.gfile.exists(path):
    return []
  records = []
  for line in script_utils.read_text(path).splitlines():
    try:
      records.append(json.loads(line))
    except ValueError:
      continue
  return records


def read_best(model_dir):
  """best.json of `model_dir`'s best checkpoint as a dict, or None.

  Keys: "checkpoint" (a prefix relative to model_dir), "step", "metric",
  "value", "metrics".
  """
  path = os.path.join(model_dir, BEST_DIR, BEST_INFO_FILE)
  if not tf.io.gfile.exists(path):
    return None
  best = json.loads(script_utils.read_text(path))
  prefix = os.path.join(model_dir, best["checkpoint"])
  if not tf.io.gfile.exists(prefix + ".index"):
    return None
  return best


def best_checkpoint_path(model_dir):
  """The best checkpoint's prefix in `model_dir`, or None."""
  best = read_best(model_dir) if model_dir else None
  return os.path.join(model_dir, best["checkpoint"]) if best else None


def describe_best(model_dir, action):
  """"Predicting with the best checkpoint ...", or None without one."""
  best = read_best(model_dir) if model_dir else None
  if not best:
    return None
  latest = tf.train.latest_checkpoint(model_dir)
  newest_step = (checkpoint_utils.checkpoint_global_step(latest)
                 if latest else None)
  return ("%s with the best checkpoint %s (global step %d, %s = %.6g, "
          "--keep_best_by)%s" % (
              action, os.path.join(model_dir, best["checkpoint"]),
              best["step"], best["metric"], best["value"],
              "" if newest_step == best["step"] else
              ", not the newest one (step %s)" % newest_step))


def checkpoint_for_inference(model_dir, action):
  """The best checkpoint, logged as what `action` uses; None without one."""
  line = describe_best(model_dir, action)
  if line is None:
    return None
  tf1.logging.info("%s", line)
  return best_checkpoint_path(model_dir)


def sync_model_info(model_dir):
  """Records the best checkpoint in `model_dir`'s model_info.json."""
  best = read_best(model_dir)
  path = os.path.join(model_dir, MODEL_INFO_FILE)
  if best is None or not tf.io.gfile.exists(path):
    return
  info = json.loads(script_utils.read_text(path))
  if info.get("best_checkpoint") == best:
    return
  info["best_checkpoint"] = best
  with script_utils.atomic_output(path) as writer:
    writer.write(json.dumps(info, indent=2, sort_keys=True) + "\n")


def _copy_best(model_dir, checkpoint_path, step, metric, metrics):
  """Copies a checkpoint into best_checkpoint/, replacing the previous one.

  Written into a temporary directory first and renamed, so that a kill
  leaves either the old best or the new one whole.
  """
  final_dir = os.path.join(model_dir, BEST_DIR)
  temp_dir = final_dir + ".tmp"
  if tf.io.gfile.exists(temp_dir):
    tf.io.gfile.rmtree(temp_dir)
  tf.io.gfile.makedirs(temp_dir)
  name = os.path.basename(checkpoint_path)
  for path in tf.io.gfile.glob(checkpoint_path + ".*"):
    if path.endswith((".index",)) or ".data-" in path:
      tf.io.gfile.copy(path, os.path.join(temp_dir, os.path.basename(path)))
  with tf.io.gfile.GFile(os.path.join(temp_dir, "checkpoint"), "w") as f:
    f.write('model_checkpoint_path: "%s"\n' % name)
  best = {"checkpoint": os.path.join(BEST_DIR, name), "step": int(step),
          "metric": metric, "value": float(metrics[metric]),
          "metrics": {k: _json_value(v) for k, v in sorted(metrics.items())}}
  with tf.io.gfile.GFile(os.path.join(temp_dir, BEST_INFO_FILE), "w") as f:
    f.write(json.dumps(best, indent=2, sort_keys=True) + "\n")
  if tf.io.gfile.exists(final_dir):
    tf.io.gfile.rmtree(final_dir)
  tf.io.gfile.rename(temp_dir, final_dir)
  return best


def _recover_interrupted_copy(model_dir):
  """Finishes a replacement of best_checkpoint/ that a kill interrupted."""
  final_dir = os.path.join(model_dir, BEST_DIR)
  temp_dir = final_dir + ".tmp"
  if not tf.io.gfile.exists(temp_dir):
    return
  complete = tf.io.gfile.exists(os.path.join(temp_dir, BEST_INFO_FILE))
  if complete and not tf.io.gfile.exists(final_dir):
    tf.io.gfile.rename(temp_dir, final_dir)
  else:
    tf.io.gfile.rmtree(temp_dir)


def _write_summary(model_dir, step, metrics):
  # The v1 FileWriter needs a graph context (it refuses eager mode).
  with tf.Graph().as_default():
    writer = tf1.summary.FileWriterCache.get(os.path.join(model_dir,
                                                          SUMMARY_DIR))
    summary = tf1.Summary()
    for name, value in sorted(metrics.items()):
      if name == "global_step":
        continue
      try:
        summary.value.add(tag=name, simple_value=float(value))
      except (TypeError, ValueError):
        continue
    writer.add_summary(summary, step)
    writer.flush()


class Tracker(object):
  """The evaluations of one model directory: history, best, patience.

  Args:
    model_dir: the --output_dir.
    metric: the --keep_best_by metric, or None (history only).
    patience: --early_stopping_patience, or None.
  """

  def __init__(self, model_dir, metric=None, patience=None):
    self.model_dir = model_dir
    self.metric = metric
    self.patience = patience
    self.higher = higher_is_better(metric) if metric else None
    _recover_interrupted_copy(model_dir)
    self.history = read_history(model_dir)
    self.best = read_best(model_dir) if metric else None
    if self.best and self.best["metric"] != metric:
      raise UsageError(
          "--keep_best_by=%s: --output_dir=%s keeps its best checkpoint by "
          "%s; use that metric or a new --output_dir" %
          (metric, model_dir, self.best["metric"]))

  def evaluated_steps(self):
    return set(record["step"] for record in self.history)

  def evaluations_without_improvement(self):
    """Evaluations since the best one (all of them when there is none)."""
    if not self.best:
      return len(self.history)
    later = [r for r in self.history if r["step"] > self.best["step"]]
    return len(later)

  def should_stop(self):
    return bool(self.patience and
                self.evaluations_without_improvement() >= self.patience)

  def _improves(self, value):
    if self.best is None:
      return True
    if self.higher:
      return value > self.best["value"]
    return value < self.best["value"]

  def record(self, step, metrics, checkpoint_path):
    """Logs and records one evaluation; keeps its checkpoint if best.

    Returns:
      bool, whether it is the new best.
    """
    metrics = {k: _json_value(v) for k, v in metrics.items()}
    improved = False
    if self.metric:
      if self.metric not in metrics:
        raise UsageError("--keep_best_by=%s: the evaluation has no such "
                         "metric; it has %s" %
                         (self.metric, ", ".join(sorted(metrics))))
      improved = self._improves(metrics[self.metric])
      if improved:
        self.best = _copy_best(self.model_dir, checkpoint_path, step,
                               self.metric, metrics)
        sync_model_info(self.model_dir)
    entry = {"step": int(step), "metrics": metrics, "best": improved}
    path = os.path.join(self.model_dir, HISTORY_FILE)
    # Appended and flushed a line at a time, so a kill loses at most the
    # line being written (read_history skips it).
    with tf.io.gfile.GFile(path, "a") as f:
      f.write(json.dumps(entry, sort_keys=True) + "\n")
    self.history.append(entry)
    _write_summary(self.model_dir, step, metrics)
    shown = ", ".join("%s = %.6g" % (k, v) for k, v in sorted(metrics.items())
                      if isinstance(v, float) and k != "global_step")
    tf1.logging.info("Evaluation at step %d: %s", step, shown)
    if self.metric:
      if improved:
        tf1.logging.info("  new best %s = %.6g, kept in %s", self.metric,
                         metrics[self.metric],
                         os.path.join(self.model_dir, BEST_DIR))
      else:
        tf1.logging.info(
            "  best %s = %.6g at step %d; %d evaluation(s) without "
            "improvement", self.metric, self.best["value"],
            self.best["step"], self.evaluations_without_improvement())
    return improved


def evaluation_steps(num_train_steps, eval_every_steps):
  """The steps after which to evaluate: every N and the last one."""
  steps = list(range(eval_every_steps, num_train_steps, eval_every_steps))
  return steps + [num_train_steps]


def train_and_evaluate(estimator, settings, input_fn, num_train_steps,
                       evaluate_fn, size_line="", num_warmup_steps=0,
                       init_checkpoint=None):
  """Trains to num_train_steps, evaluating every --eval_every_steps.

  Logs the training block as `fine_tuning.train` does, then trains in
  pieces ending at each evaluation step.

  Args:
    estimator: the run's estimator (TPUEstimator or graph runner).
    settings: with output_dir, eval_every_steps, keep_best_by,
      early_stopping_patience, train_batch_size, num_accumulation_steps.
    input_fn: the training input_fn.
    num_train_steps: int, the run's optimizer steps.
    evaluate_fn: evaluate_fn(checkpoint_path) -> dict of metrics, the
      task's dev evaluation of that checkpoint.
    size_line, num_warmup_steps, init_checkpoint: for the log block.

  Returns:
    The `Tracker` (its history and best).
  """
  model_dir = settings.output_dir
  tracker = Tracker(model_dir, getattr(settings, "keep_best_by", None),
                    getattr(settings, "early_stopping_patience", None))
  sync_model_info(model_dir)
  micro_batch = settings.train_batch_size // settings.num_accumulation_steps
  tf1.logging.info("***** Running training, evaluating every %d steps *****",
                   settings.eval_every_steps)
  if size_line:
    tf1.logging.info("  %s", size_line)
  estimator_runtime.log_train_batch_size(settings.train_batch_size,
                                         settings.num_accumulation_steps)
  tf1.logging.info("  Num steps = %d", num_train_steps)
  estimator_runtime.log_learning_rate(settings.learning_rate,
                                      num_warmup_steps)
  checkpoint_utils.log_weights("Training", model_dir, init_checkpoint)
  evaluated = tracker.evaluated_steps()
  for target in evaluation_steps(num_train_steps, settings.eval_every_steps):
    if target in evaluated:
      continue
    if tracker.should_stop():
      break
    step = estimator_runtime.current_global_step(model_dir)
    if step < target:
      estimator_runtime.train_estimator(estimator, input_fn, target,
                                        micro_batch,
                                        settings.num_accumulation_steps)
    elif step > target:
      continue  # Trained past it before (e.g. without these flags).
    checkpoint_path = tf.train.latest_checkpoint(model_dir)
    step = estimator_runtime.current_global_step(model_dir)
    metrics = evaluate_fn(checkpoint_path)
    tracker.record(step, metrics, checkpoint_path)
    evaluated.add(step)
  if tracker.should_stop():
    tf1.logging.info(
        "Early stopping: %d evaluations without improvement of %s "
        "(--early_stopping_patience=%d); the best is step %d, %s = %.6g",
        tracker.evaluations_without_improvement(), tracker.metric,
        tracker.patience, tracker.best["step"], tracker.metric,
        tracker.best["value"])
  return tracker
