# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""A pre-training run killed with SIGKILL after a checkpoint resumes from it.

The same command is started twice: the second run must restore the last
checkpoint, run only the remaining steps, stop at --num_train_steps, and its
losses must carry on from where the killed run was rather than start over.
"""

import os
import random
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import tensorflow as tf

import create_pretraining_data as cpd
import learn_vocab
import modeling
import tokenization

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLE = os.path.join(ROOT, "sample_text.txt")
SEQ = 32
PRED = 5
NUM_TRAIN_STEPS = 50
SAVE_EVERY = 10

# The script's own command line, with its loss logged at every step (the
# module constant is 100) so the curve on both sides of the kill is visible.
LAUNCHER = ("import sys; sys.argv[0] = 'run_pretraining.py'; "
            "import run_pretraining as rp, script_utils; "
            "rp.LOG_LOSS_EVERY_N_STEPS = 1; rp.define_flags(); "
            "script_utils.run(rp.main)")

LOSS_RE = re.compile(r"^INFO:tensorflow:loss = ([0-9.]+), masked_lm_loss",
                     re.M)


def _make_data(tmp):
  vocab_file = os.path.join(tmp, "vocab.txt")
  counts = learn_vocab.count_words([SAMPLE], do_lower_case=True)
  learn_vocab.write_vocab(learn_vocab.learn_vocab(counts, 200), vocab_file)
  tokenizer = tokenization.FullTokenizer(vocab_file, do_lower_case=True)
  instances = cpd.create_training_instances(
      [SAMPLE], tokenizer, SEQ, dupe_factor=1, short_seq_prob=0.1,
      masked_lm_prob=0.15, max_predictions_per_seq=PRED,
      rng=random.Random(7))
  records = os.path.join(tmp, "train.tfrecord")
  cpd.write_instance_to_example_files(instances, tokenizer, SEQ, PRED,
                                      [records])
  config = modeling.BertConfig(
      vocab_size=len(tokenizer.vocab), hidden_size=32, num_hidden_layers=2,
      num_attention_heads=2, intermediate_size=64,
      max_position_embeddings=64, type_vocab_size=2)
  config_file = os.path.join(tmp, "bert_config.json")
  with open(config_file, "w") as f:
    f.write(config.to_json_string())
  return config_file, records


def _checkpoint_steps(output_dir):
  steps = []
  for name in os.listdir(output_dir) if os.path.isdir(output_dir) else []:
    match = re.match(r"model\.ckpt-(\d+)\.index$", name)
    if match:
      steps.append(int(match.group(1)))
  return sorted(steps)


def _start(args, log_path):
  env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="")
  log = open(log_path, "w")
  try:
    return subprocess.Popen([sys.executable, "-c", LAUNCHER] + args, cwd=ROOT,
                            env=env, stdout=log, stderr=subprocess.STDOUT)
  finally:
    log.close()


def _kill(proc):
  if proc.poll() is None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def _read(path):
  with open(path, encoding="utf-8", errors="replace") as f:
    return f.read()


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
          "--learning_rate=2e-3",
          "--num_train_steps=%d" % NUM_TRAIN_STEPS,
          "--num_warmup_steps=4",
          "--save_checkpoints_steps=%d" % SAVE_EVERY,
          "--iterations_per_loop=%d" % SAVE_EVERY]

  # First run: killed as soon as the checkpoint of step 20 (or a later one)
  # is on disk, when the loss has come well down from its start.
  first_log = os.path.join(tmp, "first.log")
  proc = _start(args, first_log)
  try:
    deadline = time.time() + 300
    while not [s for s in _checkpoint_steps(output_dir) if s >= 20]:
      assert proc.poll() is None, "run ended before a checkpoint:\n" + (
          _read(first_log)[-3000:])
      assert time.time() < deadline, "no checkpoint within 300 s"
      time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
  finally:
    _kill(proc)
  assert proc.returncode == -signal.SIGKILL
  last = tf.train.latest_checkpoint(output_dir)
  assert last, os.listdir(output_dir)
  killed_at = int(last.rsplit("-", 1)[1])
  assert 20 <= killed_at < NUM_TRAIN_STEPS
  first_losses = [float(x) for x in LOSS_RE.findall(_read(first_log))]
  # The killed run got as far as its checkpoint (the last line or two of a
  # SIGKILLed process's log may never reach the file).
  assert len(first_losses) >= killed_at - 2
  first_losses = first_losses[:killed_at]

  # Second run: the very same command.
  second_log = os.path.join(tmp, "second.log")
  proc = _start(args, second_log)
  try:
    proc.wait(timeout=400)
  finally:
    _kill(proc)
  log = _read(second_log)
  assert proc.returncode == 0, log[-4000:]

  assert "Restoring parameters from %s" % last in log
  assert "starting at %d" % killed_at in log
  # It ran exactly the remaining steps (one loss line per step) ...
  second_losses = [float(x) for x in LOSS_RE.findall(log)]
  assert len(second_losses) == NUM_TRAIN_STEPS - killed_at
  # ... and ended at the same num_train_steps.
  final = tf.train.latest_checkpoint(output_dir)
  assert final.endswith("model.ckpt-%d" % NUM_TRAIN_STEPS)
  assert tf.train.load_checkpoint(final).get_tensor(
      "global_step") == NUM_TRAIN_STEPS

  # The loss curve continues: the resumed run starts where the killed run
  # was, far below a fresh start, not back at the from-scratch level
  # (batches are shuffled, so compare averages of a few steps).
  from_scratch = np.mean(first_losses[:3])
  before_kill = np.mean(first_losses[-3:])
  after_resume = np.mean(second_losses[:3])
  print("losses before the kill:", first_losses)
  print("losses after the restart:", second_losses)
  assert before_kill < from_scratch - 0.5, first_losses
  assert after_resume < from_scratch - 0.5, (first_losses, second_losses)
  assert after_resume < before_kill + 0.3, (first_losses, second_losses)
  # The remaining steps kept the level reached (a learning-rate schedule
  # restarted at a warm-up from zero, or re-initialised weights, would not).
  assert np.mean(second_losses) < from_scratch - 0.5


# ----------------------------------------------------------------------------
# Long runs say how fast they go and how long is left.
# ----------------------------------------------------------------------------


def test_progress_hook_logs_rate_and_time_left(monkeypatch):
  import script_utils  # pylint: disable=g-import-not-at-top
  clock = [1000.0]
  monkeypatch.setattr(script_utils.time, "time", lambda: clock[0])
  logged = []
  monkeypatch.setattr(script_utils.tf1.logging, "info",
                      lambda fmt, *args: logged.append(fmt % args))
  hook = script_utils.ProgressHook("Training", batch_size=8, total_steps=101,
                                   every_secs=30.0)
  hook.begin()
  for _ in range(51):  # The first step (graph set-up) is not timed.
    hook.after_run(None, None)
    clock[0] += 1.0
  # Logged once, after 30 timed steps of 1 s with 8 examples each; of the
  # 101 steps, 1 untimed + 30 are done, 70 to go at 1 s each.
  assert logged == ["Training: 8.0 examples/sec, about 1m10s left"]


def test_progress_logger_logs_rate_and_time_left(monkeypatch):
  import script_utils  # pylint: disable=g-import-not-at-top
  clock = [0.0]
  monkeypatch.setattr(script_utils.time, "time", lambda: clock[0])
  logged = []
  monkeypatch.setattr(script_utils.tf1.logging, "info",
                      lambda fmt, *args: logged.append(fmt % args))
  progress = script_utils.ProgressLogger("Writing instances", total=400,
                                         every_secs=10.0)
  for _ in range(100):
    clock[0] += 0.5
    progress.update()
  assert logged
  assert logged[-1] == ("Writing instances: 100 done, 2.0/s, 100 of 400, "
                        "about 2m30s left")
