# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Checkpoints a script starts from: warm start, paths, and which weights run.

- `init_from_checkpoint`: inside a model_fn, initialise the variables a
  checkpoint has (the `*INIT_FROM_CKPT*` list in the log), also on Cloud TPU.
- `check_init_checkpoint` / `resolve_checkpoint`: what an --init_checkpoint
  value means (a prefix, one of its files, or a directory), checked before
  any work; `check_checkpoint_fits_config` compares its shapes with
  --bert_config_file.
- `checkpoint_for_inference`, `describe_weights`, `log_weights`: which
  weights evaluation and prediction use, with random ones refused unless
  --allow_random_init.
"""

import collections
import os
import re

from absl import flags
import tensorflow as tf

import modeling
import script_utils

tf1 = tf.compat.v1


def init_from_checkpoint(init_checkpoint, use_tpu, tvars=None):
  """Warm-starts the graph's variables from a checkpoint and logs which.

  Must be called inside a model_fn. On TPU the restore has to happen inside
  the Scaffold that TPUEstimator builds on the host, so it is returned as a
  scaffold_fn instead of being done immediately.

  Args:
    init_checkpoint: checkpoint path prefix, or None/"" for no warm start.
    use_tpu: bool.
    tvars: (optional) variables to consider; default all trainable ones.

  Returns:
    (scaffold_fn, initialized_variable_names); scaffold_fn is None unless
    use_tpu and init_checkpoint are both set.
  """
  if tvars is None:
    tvars = tf1.trainable_variables()
  initialized_variable_names = {}
  scaffold_fn = None
  if init_checkpoint:
    (assignment_map, initialized_variable_names
    ) = modeling.get_assignment_map_from_checkpoint(tvars, init_checkpoint)
    if use_tpu:

      def tpu_scaffold():
        tf1.train.init_from_checkpoint(init_checkpoint, assignment_map)
        return tf1.train.Scaffold()

      scaffold_fn = tpu_scaffold
    else:
      tf1.train.init_from_checkpoint(init_checkpoint, assignment_map)

  # One line says what came from --init_checkpoint: once per run in the
  # default log (the first graph built; evaluation and prediction build the
  # same one again). The list of every variable is a detail, logged at DEBUG
  # (absl's -v 1) each time a graph is built.
  global _variables_summarised
  if init_checkpoint and not _variables_summarised:
    _variables_summarised = True
    tf1.logging.info("%s", summarize_variables(tvars,
                                               initialized_variable_names))
  tf1.logging.debug("**** Trainable Variables ****")
  for var in tvars:
    init_string = ""
    if var.name in initialized_variable_names:
      init_string = ", *INIT_FROM_CKPT*"
    tf1.logging.debug("  name = %s, shape = %s%s", var.name, var.shape,
                      init_string)
  return scaffold_fn, initialized_variable_names


# Whether init_from_checkpoint has logged its one line at INFO level.
_variables_summarised = False

# New variables named in the one line up to this many (a classifier's head
# has 2); more are counted by scope (the pre-training heads' 7: cls/predictions
# 5, cls/seq_relationship 2).
_NEW_VARIABLES_NAMED = 4


def summarize_variables(tvars, initialized_variable_names):
  """One line: how many variables came from the checkpoint, and which are new.

  Args:
    tvars: the trainable variables.
    initialized_variable_names: the names (with ":0" and without) the
      checkpoint initialised, as `init_from_checkpoint` returns them.

  Returns:
    str such as "Trainable variables: 199 of 201 from --init_checkpoint
    (*INIT_FROM_CKPT*); new, initialised randomly: output_weights,
    output_bias (-v 1 lists them all)".
  """
  new = [var.name[:-2] if var.name.endswith(":0") else var.name
         for var in tvars if var.name not in initialized_variable_names]
  line = "Trainable variables: %d of %d from --init_checkpoint " \
      "(*INIT_FROM_CKPT*)" % (len(tvars) - len(new), len(tvars))
  if not new:
    line += ", none new"
  elif len(new) <= _NEW_VARIABLES_NAMED:
    line += "; new, initialised randomly: %s" % ", ".join(new)
  else:
    by_scope = collections.OrderedDict()
    for name in new:
      scope = "/".join(name.split("/")[:2])
      by_scope[scope] = by_scope.get(scope, 0) + 1
    line += "; %d new, initialised randomly: %s" % (len(new), ", ".join(
        "%s %d" % item for item in by_scope.items()))
  return line + " (-v 1 lists them all)"


# The file names of one checkpoint: `prefix.index`, `prefix.data-00000-of-00001`
# (one or more shards) and, from an estimator, `prefix.meta`.
_CHECKPOINT_FILE_SUFFIX = re.compile(
    r"\.(index|meta|data-\d{5}-of-\d{5})$")


def resolve_checkpoint(path, flag_name="init_checkpoint"):
  """The checkpoint prefix that `path` means, as TensorFlow wants it.

  Accepted besides a prefix: one of the checkpoint's own files
  (`bert_model.ckpt.index`, `bert_model.ckpt.data-00000-of-00001`), and a
  directory: a model directory's newest checkpoint (its `checkpoint` file),
  or the one checkpoint a released model's directory holds
  (`bert_model.ckpt`).

  Args:
    path: the flag's value (local or gs://); None or "" is returned as is.
    flag_name: the flag, for the message.

  Returns:
    The checkpoint prefix, or `path` unchanged when it is none of these (a
    missing file is reported by `check_init_checkpoint`).

  Raises:
    UsageError: a directory without a checkpoint, or with several and no
      `checkpoint` file to choose; the message lists the prefixes.
  """
  if not path:
    return path
  path = _CHECKPOINT_FILE_SUFFIX.sub("", path)
  if not tf.io.gfile.isdir(path):
    return path
  latest = tf.train.latest_checkpoint(path)
  if latest:
    return latest
  prefixes = sorted(name[:-len(".index")]
                    for name in tf.io.gfile.listdir(path)
                    if name.endswith(".index"))
  if len(prefixes) == 1:
    return os.path.join(path, prefixes[0])
  if not prefixes:
    raise script_utils.UsageError(
        "--%s=%s: the directory holds no checkpoint (no "
        "*.index file)" % (flag_name, path))
  raise script_utils.UsageError(
      "--%s=%s: the directory holds %d checkpoints (%s); pass one of them, "
      "e.g. --%s=%s" % (flag_name, path, len(prefixes), ", ".join(prefixes),
                        flag_name, os.path.join(path, prefixes[-1])))


def check_init_checkpoint(init_checkpoint, flag_name="init_checkpoint"):
  """The checkpoint prefix `init_checkpoint` means, checked to be readable.

  Args:
    init_checkpoint: a prefix, a checkpoint file or a directory (see
      `resolve_checkpoint`), or None/"" for none.
    flag_name: the flag, for the message.

  Returns:
    The checkpoint prefix (None or "" when none was given); scripts use it
    in place of the flag's value.

  Raises:
    UsageError: when it is not a readable checkpoint.
  """
  if not init_checkpoint:
    return init_checkpoint
  prefix = resolve_checkpoint(init_checkpoint, flag_name)
  try:
    tf.train.load_checkpoint(prefix)
  except (tf.errors.OpError, ValueError) as e:
    raise script_utils.UsageError(
        "--%s=%s: not a readable checkpoint (%s)" %
        (flag_name, init_checkpoint, script_utils.error_line(e)))
  return prefix


# ----------------------------------------------------------------------------
# Which weights evaluation and prediction use
# ----------------------------------------------------------------------------


def define_allow_random_init_flag(flag_values=flags.FLAGS):
  """Defines --allow_random_init for a script that evaluates or predicts."""
  flags.DEFINE_bool(
      "allow_random_init", False,
      "Evaluate or predict even when there are no trained weights (no "
      "--init_checkpoint, no checkpoint in --output_dir, or a checkpoint "
      "without the task's output layer), i.e. with random ones: only for "
      "smoke tests. Without it such a run stops with an error.",
      flag_values=flag_values)


def _weights_source(output_dir, init_checkpoint):
  """Where the estimator takes its weights from, as it decides it.

  The newest checkpoint in the model directory wins (resume); else
  --init_checkpoint; else random initialisation.

  Returns:
    (path, flag_name): flag_name "output_dir" or "init_checkpoint"; or
    (None, None) for random weights.
  """
  if output_dir and tf.io.gfile.isdir(output_dir):
    latest = tf.train.latest_checkpoint(output_dir)
    if latest:
      return latest, "output_dir"
  if init_checkpoint:
    return init_checkpoint, "init_checkpoint"
  return None, None


def checkpoint_for_inference(output_dir, init_checkpoint, action,
                             required_variables=(), allow_random_init=False):
  """The checkpoint evaluation or prediction will read; random weights refused.

  The estimator restores the newest checkpoint in its model directory when
  there is one, and otherwise initialises the variables, from
  `init_checkpoint` where it has them and randomly elsewhere. Without
  training in the same run, "randomly" means results that look like any
  others but mean nothing, so that is refused unless asked for.

  Args:
    output_dir: the --output_dir (the model directory); may not exist yet,
      or be None for a script that has none.
    init_checkpoint: the --init_checkpoint (a checkpoint prefix) or None.
    action: what the run does with the weights, for the message, e.g.
      "--do_predict".
    required_variables: names of variables (without ":0") the model reads
      that a checkpoint without them would leave random, e.g. the task's
      output layer, which a pre-trained checkpoint lacks.
    allow_random_init: bool, the --allow_random_init flag: warn instead.

  Returns:
    (checkpoint_path, flag_name): the checkpoint prefix and the flag it
    comes from ("output_dir" or "init_checkpoint"), or (None, None) for
    random weights when allow_random_init is set.

  Raises:
    UsageError: naming the flag to set, when there is no checkpoint or it
      lacks some of `required_variables`.
  """
  path, flag_name = _weights_source(output_dir, init_checkpoint)
  if path is None:
    nothing = "there is no --init_checkpoint"
    if output_dir:
      nothing += " and no checkpoint in --output_dir=%s" % output_dir
    message = (
        "%s without trained weights: %s, so the model would be random; set "
        "--init_checkpoint to the trained model (or --allow_random_init for "
        "a smoke test)" % (action, nothing))
    if not allow_random_init:
      raise script_utils.UsageError(message)
    tf1.logging.warning("%s with random weights (--allow_random_init)", action)
    return None, None
  if required_variables:
    try:
      names = tf.train.load_checkpoint(path).get_variable_to_shape_map()
    except (tf.errors.OpError, ValueError) as e:
      raise script_utils.UsageError(
          "--%s: %s is not a readable checkpoint (%s)" %
          (flag_name, path, script_utils.error_line(e)))
    missing = [name for name in required_variables if name not in names]
    if missing:
      message = (
          "--%s: checkpoint %s has no %s (is it trained for this task?), so "
          "%s would use random values for them; set --init_checkpoint to "
          "the trained model (or --allow_random_init for a smoke test)" %
          (flag_name, path, ", ".join(missing), action))
      if not allow_random_init:
        raise script_utils.UsageError(message)
      tf1.logging.warning("%s with random %s (--allow_random_init)", action,
                          ", ".join(missing))
  return path, flag_name


def checkpoint_global_step(checkpoint_path):
  """The global step stored in a checkpoint, or None if it has none."""
  try:
    reader = tf.train.load_checkpoint(checkpoint_path)
    if reader.has_tensor(tf1.GraphKeys.GLOBAL_STEP):
      return int(reader.get_tensor(tf1.GraphKeys.GLOBAL_STEP))
  except (tf.errors.OpError, ValueError):
    pass
  return None


def describe_weights(action, output_dir, init_checkpoint):
  """One line saying which weights `action` starts from, and why those.

  The estimator restores the newest checkpoint in --output_dir when there is
  one (resuming, or evaluating what was trained), else initialises from
  --init_checkpoint, else randomly; its own log names no file.

  Args:
    action: e.g. "Training", "Evaluating", "Predicting".
    output_dir: the model directory, or None where the script has none.
    init_checkpoint: the --init_checkpoint, or None.

  Returns:
    str such as "Predicting with /out/model.ckpt-343 (global step 343) from
    --init_checkpoint".
  """
  path, flag_name = _weights_source(output_dir, init_checkpoint)
  if flag_name == "output_dir":
    origin = "the newest checkpoint in --output_dir"
    if action == "Training":
      origin += ", resuming"
    if init_checkpoint:
      origin += "; --init_checkpoint is not used"
  elif flag_name == "init_checkpoint":
    path = resolve_checkpoint(path)
    origin = "from --init_checkpoint"
  else:
    return "%s with randomly initialised weights (no --init_checkpoint%s)" % (
        action, ", no checkpoint in --output_dir" if output_dir else "")
  step = checkpoint_global_step(path)
  return "%s with %s (%s), %s" % (
      action, path, "no global step" if step is None else
      "global step %d" % step, origin)


def log_weights(action, output_dir, init_checkpoint):
  """Logs `describe_weights`; call it right before the estimator runs."""
  tf1.logging.info("%s", describe_weights(action, output_dir, init_checkpoint))


def check_checkpoint_fits_config(init_checkpoint, bert_config,
                                 flag_name="init_checkpoint"):
  """Refuses an init_checkpoint whose encoder shapes differ from the config.

  Without this the mismatch surfaces only when the model_fn is built, after
  feature files have already been written to the output directory. Builds
  the encoder in a throwaway graph (variables only, nothing is run) and
  compares it with the checkpoint.

  Raises:
    UsageError: naming the variable and both shapes.
  """
  if not init_checkpoint:
    return
  with tf.Graph().as_default():
    modeling.BertModel(config=bert_config, is_training=False,
                       input_ids=tf.zeros([1, 2], tf.int32))
    model_shapes = {var.op.name: var.shape.as_list()
                    for var in tf1.trainable_variables()}
  # The comparison get_assignment_map_from_checkpoint makes, said once with
  # the flags' names (its own message carries a hint of its own).
  for name, shape in tf.train.list_variables(init_checkpoint):
    if name in model_shapes and list(shape) != model_shapes[name]:
      raise script_utils.UsageError(
          "--%s: %s: variable %s has shape %s in the checkpoint but %s in the "
          "model of --bert_config_file (does the checkpoint belong to this "
          "config?)" % (flag_name, init_checkpoint, name, list(shape),
                        model_shapes[name]))
