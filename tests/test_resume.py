# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""A pre-training run killed with SIGKILL after a checkpoint resumes from it.

The same seeded command is started twice. The first run is held a few steps
past its checkpoint of step 20 and killed there. The second run must start
from exactly the weights (and optimizer state) of that checkpoint, carry on
with the global step and the learning-rate schedule where they were, run only
the remaining steps, and keep the loss at the level the first run reached.
"""

import os
import pickle
import re
import signal
import subprocess
import time

import numpy as np
import pytest
import tensorflow as tf

from tests import helpers

tf1 = tf.compat.v1

SEQ = 32
PRED = 5
SEED = 3
LEARNING_RATE = 2e-3
NUM_TRAIN_STEPS = 50
NUM_WARMUP_STEPS = 4
SAVE_EVERY = 10
# The first run is killed after this many steps: past its checkpoint of step
# 20, so the steps after that checkpoint are lost and must be redone.
KILLED_AT_STEP = 25
LAST_CHECKPOINT = 20

# Environment variables read by the probe the launcher adds to the run.
VARIABLES_FILE_ENV = "RESUME_TEST_VARIABLES_FILE"
HOLD_AT_STEP_ENV = "RESUME_TEST_HOLD_AT_STEP"
HOLDING_FILE_ENV = "RESUME_TEST_HOLDING_FILE"

# The script's own command line, with its losses logged at every step (the
# module constant is 100) so the curve on both sides of the kill is visible,
# and with the probe below among its training hooks.
LAUNCHER = ("import sys; sys.argv[0] = 'run_pretraining.py'; "
            "import run_pretraining as rp, script_utils; "
            "from tests import test_resume; "
            "rp.LOG_LOSS_EVERY_N_STEPS = 1; "
            "rp.model_fn_builder = test_resume.with_probe("
            "rp.model_fn_builder); "
            "rp.define_flags(); script_utils.run(rp.main)")

FLOAT = r"([0-9.eE+-]+)"
STEP_RE = re.compile(r"^INFO:tensorflow:learning_rate = %s, loss = %s, "
                     r"masked_lm_loss" % (FLOAT, FLOAT), re.M)


class _Probe(tf1.train.SessionRunHook):
  """Saves every variable as training starts; can hold the run at a step.

  The values are read once the session exists, that is after the estimator
  restored the newest checkpoint (if any) and before the first step: what
  the run really trains on. Holding the run (sleeping in a hook) lets the
  test kill it at a known step instead of racing a run of ~10 ms a step.
  """

  def __init__(self, variables_file, hold_at_step, holding_file):
    self._variables_file = variables_file
    self._hold_at_step = hold_at_step
    self._holding_file = holding_file

  def begin(self):
    self._variables = {v.op.name: v for v in tf1.global_variables()}
    self._step = None

  def after_create_session(self, session, coord):
    values = session.run(self._variables)
    with open(self._variables_file, "wb") as f:
      pickle.dump(values, f)
    self._step = int(values["global_step"])

  def after_run(self, run_context, run_values):
    self._step += 1  # One optimizer update per session run here.
    if self._hold_at_step and self._step >= self._hold_at_step:
      with open(self._holding_file, "w") as f:
        f.write("%d\n" % self._step)
      time.sleep(600)  # Until the test kills the process.


def with_probe(model_fn_builder):
  """Wraps run_pretraining.model_fn_builder to add a `_Probe` to training.

  Runs in the launched script's process, configured by its environment.
  """

  def builder(*args, **kwargs):
    model_fn = model_fn_builder(*args, **kwargs)

    def probed_model_fn(features, labels, mode, params):
      spec = model_fn(features, labels, mode, params)
      if spec.train_op is None:  # Not training.
        return spec
      probe = _Probe(os.environ[VARIABLES_FILE_ENV],
                     int(os.environ.get(HOLD_AT_STEP_ENV) or 0),
                     os.environ.get(HOLDING_FILE_ENV))
      return spec._replace(
          training_hooks=tuple(spec.training_hooks or ()) + (probe,))

    return probed_model_fn

  return builder


def learning_rate_at(step):
  """The learning rate at global step `step`, worked out from the flags.

  The schedule of optimization.py: a linear warm-up from 0 over
  NUM_WARMUP_STEPS, then a linear decay from LEARNING_RATE at step 0 to 0 at
  NUM_TRAIN_STEPS (not blended: the rate drops at the end of warm-up).
  """
  if step < NUM_WARMUP_STEPS:
    return LEARNING_RATE * step / NUM_WARMUP_STEPS
  return LEARNING_RATE * (1.0 - min(step, NUM_TRAIN_STEPS) / NUM_TRAIN_STEPS)


def _make_data(tmp):
  data = helpers.write_pretraining_data(tmp, SEQ, PRED, vocab_size=200,
                                        dupe_factor=1, seed=7)
  return data.config_file, data.records


def _start(args, log_path, variables_file, hold_at_step=None,
           holding_file=None):
  env = helpers.script_env(**{VARIABLES_FILE_ENV: variables_file,
                              HOLD_AT_STEP_ENV: str(hold_at_step or ""),
                              HOLDING_FILE_ENV: holding_file or ""})
  log = open(log_path, "w")
  try:
    return helpers.start_script(["-c", LAUNCHER] + args, env=env, stdout=log,
                                stderr=subprocess.STDOUT)
  finally:
    log.close()


def _kill(proc):
  if proc.poll() is None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def _read(path):
  with open(path, encoding="utf-8", errors="replace") as f:
    return f.read()


def _load(path):
  with open(path, "rb") as f:
    return pickle.load(f)


def _steps(log):
  """(learning rates, losses) of the logged steps, in order."""
  pairs = [(float(lr), float(loss)) for lr, loss in STEP_RE.findall(log)]
  return [p[0] for p in pairs], [p[1] for p in pairs]


@pytest.mark.slow
def test_killed_training_resumes_from_last_checkpoint(tmp_path):
  tmp = str(tmp_path)
  config_file, records = _make_data(tmp)
  output_dir = os.path.join(tmp, "model")
  args = ["--bert_config_file=%s" % config_file,
          "--input_file=%s" % records,
          "--output_dir=%s" % output_dir,
          "--do_train",
          "--max_seq_length=%d" % SEQ,
          "--max_predictions_per_seq=%d" % PRED,
          "--train_batch_size=8",
          "--learning_rate=%r" % LEARNING_RATE,
          "--num_train_steps=%d" % NUM_TRAIN_STEPS,
          "--num_warmup_steps=%d" % NUM_WARMUP_STEPS,
          "--save_checkpoints_steps=%d" % SAVE_EVERY,
          "--iterations_per_loop=%d" % SAVE_EVERY,
          # Seeded: the same initial weights, dropout masks and order of
          # batches in every run of the test, and in both runs of one.
          "--tf_random_seed=%d" % SEED]

  # First run: held after KILLED_AT_STEP steps, then killed.
  first_log = os.path.join(tmp, "first.log")
  holding_file = os.path.join(tmp, "holding")
  first_variables = os.path.join(tmp, "first_variables.pkl")
  proc = _start(args, first_log, first_variables,
                hold_at_step=KILLED_AT_STEP, holding_file=holding_file)
  try:
    deadline = time.time() + 300
    while not os.path.exists(holding_file):
      assert proc.poll() is None, "run ended before the kill:\n" + (
          _read(first_log)[-3000:])
      assert time.time() < deadline, "step %d not reached within 300 s" % (
          KILLED_AT_STEP)
      time.sleep(0.1)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
  finally:
    _kill(proc)
  assert proc.returncode == -signal.SIGKILL
  last = tf.train.latest_checkpoint(output_dir)
  assert last == os.path.join(output_dir, "model.ckpt-%d" % LAST_CHECKPOINT)
  first_rates, first_losses = _steps(_read(first_log))
  assert len(first_losses) == KILLED_AT_STEP

  # Second run: the very same command.
  second_log = os.path.join(tmp, "second.log")
  second_variables = os.path.join(tmp, "second_variables.pkl")
  proc = _start(args, second_log, second_variables)
  try:
    proc.wait(timeout=400)
  finally:
    _kill(proc)
  log = _read(second_log)
  assert proc.returncode == 0, log[-4000:]

  # The restored weights are the checkpoint's: every variable the resumed
  # run trained from (model, Adam moments, global step) holds exactly the
  # value saved at step 20 ...
  assert "Restoring parameters from %s" % last in log
  checkpoint = tf.train.load_checkpoint(last)
  saved = checkpoint.get_variable_to_shape_map()
  resumed_from = _load(second_variables)
  assert sorted(resumed_from) == sorted(saved)
  for name in saved:
    np.testing.assert_array_equal(resumed_from[name],
                                  checkpoint.get_tensor(name), err_msg=name)
  # ... which a fresh start would not have given: none of them still holds
  # its seeded initial value, the one the first run started from.
  fresh = _load(first_variables)
  assert sorted(fresh) == sorted(saved)
  for name in saved:
    assert not np.array_equal(fresh[name], checkpoint.get_tensor(name)), name
  assert fresh["global_step"] == 0

  # The global step went on from the checkpoint, and the run did exactly the
  # remaining steps (one logged step each) up to --num_train_steps.
  assert resumed_from["global_step"] == LAST_CHECKPOINT
  assert "starting at %d" % LAST_CHECKPOINT in log
  second_rates, second_losses = _steps(log)
  assert len(second_losses) == NUM_TRAIN_STEPS - LAST_CHECKPOINT
  final = tf.train.latest_checkpoint(output_dir)
  assert final.endswith("model.ckpt-%d" % NUM_TRAIN_STEPS)
  assert tf.train.load_checkpoint(final).get_tensor(
      "global_step") == NUM_TRAIN_STEPS

  # The learning-rate schedule went on too: the logged rate of every step is
  # the schedule's at that step's global step, the first resumed one
  # included (a restarted schedule would log 0 there, a warm-up again).
  assert first_rates == pytest.approx(
      [learning_rate_at(step) for step in range(KILLED_AT_STEP)], rel=1e-5)
  assert second_rates[0] == pytest.approx(learning_rate_at(LAST_CHECKPOINT),
                                          rel=1e-5)
  assert second_rates == pytest.approx(
      [learning_rate_at(step)
       for step in range(LAST_CHECKPOINT, NUM_TRAIN_STEPS)], rel=1e-5)

  # The loss stays at the level reached instead of going back up to a fresh
  # start's. Single batches differ a lot in difficulty, so stretches of 10
  # or more steps are compared. Seeded, the resumed run reads the batches
  # (and draws the dropout masks) in the same order as the first run did
  # from step 0, since its input pipeline starts over: its first 10 steps
  # are the first run's first 10, on the restored weights. Measured over
  # 12 seeds (1-11 and 1234) on the pre-training data of the per-document
  # short-sequence draw: from scratch - reached 0.25..0.62; from
  # scratch - resumed on the same batches 0.58..0.79 (a fresh start would
  # repeat the first run's losses: 0); resumed (all 30 steps) - reached
  # -0.33..+0.10. Seed 3, used here, gives 0.58, 0.74 and -0.05 (seed 1234,
  # used before, came within 0.06 of the first limit on this data).
  from_scratch = np.mean(first_losses[:10])
  reached = np.mean(first_losses[LAST_CHECKPOINT - 10:LAST_CHECKPOINT])
  resumed_same_batches = np.mean(second_losses[:10])
  resumed = np.mean(second_losses)
  print("losses before the kill:", first_losses)
  print("losses after the restart:", second_losses)
  print("loss from scratch %.4f, reached %.4f, resumed on the same batches "
        "%.4f, resumed %.4f" % (from_scratch, reached, resumed_same_batches,
                                resumed))
  assert reached < from_scratch - 0.2, first_losses
  assert resumed_same_batches < from_scratch - 0.2, (first_losses,
                                                     second_losses)
  assert resumed < reached + 0.15, (first_losses, second_losses)


# ----------------------------------------------------------------------------
# Long runs say how fast they go and how long is left.
# ----------------------------------------------------------------------------


def test_progress_hook_logs_rate_and_time_left(monkeypatch):
  import progress  # pylint: disable=g-import-not-at-top
  clock = [1000.0]
  monkeypatch.setattr(progress.time, "time", lambda: clock[0])
  logged = []
  monkeypatch.setattr(progress.tf1.logging, "info",
                      lambda fmt, *args: logged.append(fmt % args))
  hook = progress.ProgressHook("Training", batch_size=8, total_steps=101,
                               every_secs=30.0)
  hook.begin()
  for _ in range(51):  # The first step (graph set-up) is not timed.
    hook.after_run(None, None)
    clock[0] += 1.0
  # Logged once, after 30 timed steps of 1 s with 8 examples each; of the
  # 101 steps, 1 untimed + 30 are done, 70 to go at 1 s each.
  assert logged == ["Training: 8.0 examples/sec, about 1m10s left"]


def test_progress_logger_logs_rate_and_time_left(monkeypatch):
  import progress  # pylint: disable=g-import-not-at-top
  clock = [0.0]
  monkeypatch.setattr(progress.time, "time", lambda: clock[0])
  logged = []
  monkeypatch.setattr(progress.tf1.logging, "info",
                      lambda fmt, *args: logged.append(fmt % args))
  logger = progress.ProgressLogger("Writing instances", total=400,
                                  every_secs=10.0)
  for _ in range(100):
    clock[0] += 0.5
    logger.update()
  assert logged
  assert logged[-1] == ("Writing instances: 100 done, 2.0/s, 100 of 400, "
                        "about 2m30s left")
