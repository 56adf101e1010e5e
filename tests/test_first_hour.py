# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""The first hour of a new user (#18): which weights a run uses, and traps.

- every run says which checkpoint it starts from, its global step, and
  whether it came from --output_dir or --init_checkpoint;
- the traps of the issue each end in a clear error or warning.
"""

import os

import tensorflow as tf

import script_utils

tf1 = tf.compat.v1


def _save_checkpoint(prefix, global_step=None):
  """A one-variable checkpoint at `prefix`, with a global step if given."""
  os.makedirs(os.path.dirname(prefix), exist_ok=True)
  with tf.Graph().as_default():
    tf1.get_variable("w", [2], initializer=tf1.zeros_initializer())
    if global_step is not None:
      step = tf1.train.get_or_create_global_step()
    with tf1.Session() as sess:
      sess.run(tf1.global_variables_initializer())
      if global_step is not None:
        sess.run(step.assign(global_step))
      return tf1.train.Saver().save(
          sess, prefix, global_step=global_step,
          write_meta_graph=False)


# ----------------------------------------------------------------------------
# Which weights (item 2)
# ----------------------------------------------------------------------------


def test_weights_from_init_checkpoint_name_file_and_step(tmp_path):
  released = _save_checkpoint(str(tmp_path / "model" / "bert_model.ckpt"))
  line = script_utils.describe_weights("Predicting", str(tmp_path / "out"),
                                       released)
  assert line == ("Predicting with %s (no global step), from "
                  "--init_checkpoint" % released)
  # A fine-tuning output directory: its newest checkpoint, named.
  fine_tuned = _save_checkpoint(str(tmp_path / "ft" / "model.ckpt"), 343)
  line = script_utils.describe_weights("Predicting", str(tmp_path / "out"),
                                       str(tmp_path / "ft"))
  assert line == ("Predicting with %s (global step 343), from "
                  "--init_checkpoint" % fine_tuned)
  assert fine_tuned.endswith("model.ckpt-343")


def test_weights_from_output_dir_win_and_say_so(tmp_path):
  released = _save_checkpoint(str(tmp_path / "model" / "bert_model.ckpt"))
  output_dir = str(tmp_path / "out")
  _save_checkpoint(os.path.join(output_dir, "model.ckpt"), 7)
  newest = _save_checkpoint(os.path.join(output_dir, "model.ckpt"), 12)
  assert script_utils.describe_weights("Training", output_dir, released) == (
      "Training with %s (global step 12), the newest checkpoint in "
      "--output_dir, resuming; --init_checkpoint is not used" % newest)
  assert script_utils.describe_weights("Evaluating", output_dir, None) == (
      "Evaluating with %s (global step 12), the newest checkpoint in "
      "--output_dir" % newest)


def test_weights_random_when_there_is_no_checkpoint(tmp_path):
  assert script_utils.describe_weights(
      "Training", str(tmp_path / "out"), None) == (
          "Training with randomly initialised weights (no "
          "--init_checkpoint, no checkpoint in --output_dir)")
  assert script_utils.describe_weights("Extracting features", None, None) == (
      "Extracting features with randomly initialised weights (no "
      "--init_checkpoint)")
