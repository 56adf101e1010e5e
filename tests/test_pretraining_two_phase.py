# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""The two-phase pre-training recipe of docs/pre-training.md, end to end.

Phase 1 trains with LAMB at sequence length 32 through gradient
accumulation; phase 2 starts from phase 1's last checkpoint at sequence
length 64 with its own batch, learning rate, warm-up and steps, once with
the step counter and schedule restarted and once continued.
"""

import os
import subprocess

import numpy as np
import pytest
import tensorflow as tf

from tests import helpers

pytestmark = pytest.mark.slow

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "run_pretraining.py")
PHASE1_STEPS = 6
PHASE2_STEPS = 4


def _args(data, output_dir, seq, pred, **overrides):
  flags = {
      "bert_config_file": data.config_file, "input_file": data.records,
      "output_dir": output_dir, "max_seq_length": seq,
      "max_predictions_per_seq": pred, "do_train": True,
      "optimizer": "lamb", "tf_random_seed": 3,
      "save_checkpoints_steps": 1000,
  }
  flags.update(overrides)
  return ["--%s=%s" % (k, v) for k, v in flags.items()]


def _run(args):
  proc = helpers.start_script([SCRIPT] + args)
  stdout, stderr = proc.communicate(timeout=600)
  assert proc.returncode == 0, stderr[-4000:]
  return stdout + stderr


def test_two_phases_restart_and_continue(tmp_path):
  # The same sample, vocabulary and config; records of two lengths.
  phase1_data = helpers.write_pretraining_data(
      tmp_path / "seq32", 32, 5, vocab_size=300, dupe_factor=2, seed=1)
  phase2_data = helpers.write_pretraining_data(
      tmp_path / "seq64", 64, 10, vocab_size=300, dupe_factor=2, seed=2)
  assert phase1_data.config == phase2_data.config

  phase1_dir = str(tmp_path / "phase1")
  _run(_args(phase1_data, phase1_dir, 32, 5, train_batch_size=16,
             num_accumulation_steps=4, learning_rate=1e-2,
             num_train_steps=PHASE1_STEPS, num_warmup_steps=2))
  phase1_checkpoint = tf.train.latest_checkpoint(phase1_dir)
  assert phase1_checkpoint.endswith("-%d" % PHASE1_STEPS)

  restart_dir = str(tmp_path / "phase2_restart")
  restart_log = _run(_args(
      phase2_data, restart_dir, 64, 10, train_batch_size=8,
      num_accumulation_steps=2, learning_rate=5e-3,
      num_train_steps=PHASE2_STEPS, num_warmup_steps=1,
      init_checkpoint=phase1_checkpoint, init_schedule="restart"))
  assert ("Starting from the weights of %s (step %d); the step counter and "
          "the learning-rate schedule restart at step 0"
          % (phase1_checkpoint, PHASE1_STEPS)) in restart_log
  assert "Steps = %d (starting at 0)" % PHASE2_STEPS in restart_log
  restart_checkpoint = tf.train.latest_checkpoint(restart_dir)
  assert restart_checkpoint.endswith("-%d" % PHASE2_STEPS)

  continue_dir = str(tmp_path / "phase2_continue")
  total = PHASE1_STEPS + PHASE2_STEPS
  continue_log = _run(_args(
      phase2_data, continue_dir, 64, 10, train_batch_size=8,
      learning_rate=5e-3, num_train_steps=total, num_warmup_steps=2,
      init_checkpoint=phase1_checkpoint, init_schedule="continue"))
  assert ("Continuing from %s (step %d): weights, optimizer moments and "
          "step counter; the learning-rate schedule continues at step %d"
          % (phase1_checkpoint, PHASE1_STEPS, PHASE1_STEPS)) in continue_log
  assert "Steps = %d (starting at %d)" % (total, PHASE1_STEPS) in continue_log
  continue_checkpoint = tf.train.latest_checkpoint(continue_dir)
  # Only PHASE2_STEPS updates ran: the counter went on from phase 1's.
  assert continue_checkpoint.endswith("-%d" % total)

  # Both phase 2 runs started from phase 1's weights: a variable LAMB moves
  # little per step is still close to phase 1's, far from a fresh
  # initialisation (another seed's).
  name = "bert/encoder/layer_0/attention/self/query/kernel"
  phase1 = tf.train.load_variable(phase1_checkpoint, name)
  for checkpoint in (restart_checkpoint, continue_checkpoint):
    after = tf.train.load_variable(checkpoint, name)
    assert np.linalg.norm(after - phase1) < 0.5 * np.linalg.norm(phase1)
  # Continue carried phase 1's second moment over: after PHASE2_STEPS
  # updates v >= beta_2^PHASE2_STEPS * phase 1's v everywhere. Restart began
  # a new one, holding only phase 2's gradients, smaller somewhere.
  slot = name + "/adam_v"
  floor = 0.999**PHASE2_STEPS * tf.train.load_variable(phase1_checkpoint, slot)
  assert np.all(tf.train.load_variable(continue_checkpoint, slot) >=
                floor * (1 - 1e-5))
  assert not np.all(tf.train.load_variable(restart_checkpoint, slot) >=
                    floor * (1 - 1e-5))


def test_continue_needs_a_checkpoint_with_a_step(tmp_path):
  data = helpers.write_pretraining_data(
      tmp_path / "data", 32, 5, vocab_size=300, dupe_factor=1, seed=1)
  proc = helpers.start_script([SCRIPT] + _args(
      data, str(tmp_path / "out"), 32, 5, num_train_steps=3,
      init_schedule="continue"))
  _, stderr = proc.communicate(timeout=600)
  assert proc.returncode == 1
  assert "--init_schedule=continue needs --init_checkpoint" in stderr


@pytest.mark.parametrize("precision,use_xla", [("bf16", True),
                                               ("fp16", False)])
def test_lamb_with_low_precision_and_xla(tmp_path, precision, use_xla):
  """LAMB through accumulation with bf16 (+XLA) or fp16 loss scaling: the
  run finishes its updates and the weights stay finite."""
  data = helpers.write_pretraining_data(
      tmp_path / "data", 32, 5, vocab_size=300, dupe_factor=1, seed=1)
  output_dir = str(tmp_path / "out")
  _run(_args(data, output_dir, 32, 5, train_batch_size=8,
             num_accumulation_steps=2, learning_rate=1e-2,
             num_train_steps=3, num_warmup_steps=1, precision=precision,
             use_xla=use_xla))
  checkpoint = tf.train.latest_checkpoint(output_dir)
  assert checkpoint.endswith("-3")
  kernel = tf.train.load_variable(
      checkpoint, "bert/encoder/layer_0/attention/self/query/kernel")
  assert np.all(np.isfinite(kernel))


# The other TensorFlow runtime's interpreter (make test sets it when both are
# installed), as in test_deterministic_records.py.
OTHER_PYTHON = os.environ.get("BERT_OTHER_RUNTIME_PYTHON", "")


@pytest.mark.skipif(not OTHER_PYTHON,
                    reason="needs the other runtime's interpreter in "
                    "BERT_OTHER_RUNTIME_PYTHON")
def test_lamb_checkpoint_resumes_on_the_other_runtime(tmp_path):
  data = helpers.write_pretraining_data(
      tmp_path / "data", 32, 5, vocab_size=300, dupe_factor=1, seed=1)
  output_dir = str(tmp_path / "out")
  common = dict(train_batch_size=8, num_accumulation_steps=2,
                learning_rate=1e-2, num_warmup_steps=1)
  _run(_args(data, output_dir, 32, 5, num_train_steps=2, **common))
  first = tf.train.latest_checkpoint(output_dir)
  proc = subprocess.run(
      [OTHER_PYTHON, SCRIPT] + _args(data, output_dir, 32, 5,
                                     num_train_steps=4, **common),
      cwd=ROOT, env=helpers.script_env(), capture_output=True, text=True,
      timeout=600)
  assert proc.returncode == 0, proc.stderr[-4000:]
  assert ("Training with %s (global step 2)" % first) in proc.stderr
  assert tf.train.latest_checkpoint(output_dir).endswith("-4")
