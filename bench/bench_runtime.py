# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Graph runner vs TPUEstimator, and TensorFlow 2.21 vs 2.15: the same job.

The job is `run_classifier`'s: the real `run_classifier.model_fn_builder`
model_fn (random initialisation, no init_checkpoint; AdamW with warm-up and
clipping; dropout on in training), fed by `run_classifier.input_fn_builder`
over a fixed set of random in-memory examples (variable-length masks, two
segments, two classes). Each runner is built the way the scripts build it:
`estimator_runtime.make_run_config(model_dir, runner=..., ...)` with
checkpoint and log intervals too large to trigger (one checkpoint kept),
then `estimator_runtime.make_estimator(...)`.

Entries. Each entry is one runner under one interpreter, in its own child
process (this script in --json mode) with its own model directory:

  TPUEstimator and graph runner under this interpreter (which must be
  TensorFlow 2.15, the one that has both): the runner comparison;
  graph runner under this interpreter and under --other_python (a TF 2.21
  environment by default): the TensorFlow comparison.

Interleaving. The machine may be shared, and its load changes within
seconds, so the entries take turns step by step: this process hands a token
round the children, and a child runs only while it holds it. A child takes
the token when a call starts and gives it back at the start of every session
run after the first (so a turn is exactly one step: the session run, every
hook, the Python loop and, for predict, handing the batch's examples to the
caller), and again when its round ends. Waiting for the token is not counted.
The order of the ring is reversed every other round.

What is timed. Every `train` or `predict` call builds a new graph and
session (and `train` restores the newest checkpoint and saves one at its
start and its end), so a call's time mixes a fixed cost with the steady
per-step cost. Per call:

  step time    the median of the steps' own times, leaving out the first
               --skip steps (the first runs of a graph also optimise it);
  set-up       from the call to its first session run (graph build, session
               creation, checkpoint restore, the save at the start);
  fixed cost   the call's own time minus steps x step time (set-up, the
               first steps' extra, the final save and closing).

A round is one train call of --train_steps steps then one predict call over
--predict_batches batches per entry, after one untimed warm-up call of each
kind. Tables: medians over rounds (for set-up and fixed cost also the
smallest, the least disturbed by other work); ratios are the median of the
per-round ratios (two entries measured in the same round), with their range.
Model directories go to /dev/shm when the checkpoints fit in a quarter of it,
so that checkpoint writes do not wait on a disk shared with other work.

  .venv/bin/python bench/bench_runtime.py                  # tiny model
  .venv/bin/python bench/bench_runtime.py --model=base     # BERT-Base shape
  .venv/bin/python bench/bench_runtime.py --model=base --layers=4 \
      --train_steps=10 --predict_batches=10 --rounds=4     # shrunk, busy box
  .venv/bin/python bench/bench_runtime.py --parts=runners  # TF 2.15 only
  .venv/bin/python bench/bench_runtime.py --other_python=/path/to/python3.12
"""

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

from absl import app
from absl import flags
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # pylint: disable=g-import-not-at-top,wrong-import-position

import estimator_runtime  # pylint: disable=g-import-not-at-top,wrong-import-position
import modeling  # pylint: disable=g-import-not-at-top,wrong-import-position
import run_classifier  # pylint: disable=g-import-not-at-top,wrong-import-position

tf1 = tf.compat.v1
FLAGS = flags.FLAGS

# layers, hidden, seq, batch of the two model sizes.
PRESETS = {
    "tiny": {"layers": 2, "hidden": 128, "seq": 64, "batch": 16},
    "base": {"layers": 12, "hidden": 768, "seq": 128, "batch": 8},
}

flags.DEFINE_enum("model", "tiny", sorted(PRESETS), "Size preset; the flags "
                  "below override its fields.")
flags.DEFINE_integer("layers", None, "Transformer layers (default: preset).")
flags.DEFINE_integer("hidden", None, "Hidden size (default: preset).")
flags.DEFINE_integer("heads", None, "Attention heads (default: hidden / 64).")
flags.DEFINE_integer("intermediate", None,
                     "Feed-forward size (default: 4 x hidden).")
flags.DEFINE_integer("vocab", 30522, "Vocabulary size.")
flags.DEFINE_integer("seq", None, "Sequence length (default: preset).")
flags.DEFINE_integer("batch", None, "Examples per step (default: preset).")
flags.DEFINE_integer("train_steps", 40, "Training steps per timed call.")
flags.DEFINE_integer("predict_batches", 40, "Prediction batches per timed "
                     "call.")
flags.DEFINE_integer("skip", 2, "Steps at the start of each call left out of "
                     "the step time.")
flags.DEFINE_integer("rounds", 8, "Interleaved rounds over the entries.")
flags.DEFINE_list("parts", ["runners", "versions"],
                  "runners: TPUEstimator vs graph runner under this "
                  "interpreter; versions: the graph runner under this "
                  "interpreter vs --other_python.")
flags.DEFINE_string("other_python", None,
                    "Interpreter of the other TensorFlow for --parts=versions "
                    "(default: the first of .venv-py3.12, .venv-py3.13, .venv "
                    "in the repository that is not this one's environment).")
flags.DEFINE_string("work_dir", None, "Where the model directories go "
                    "(default: a temporary directory, removed at the end, in "
                    "/dev/shm when the checkpoints fit in a quarter of it).")
flags.DEFINE_bool("json", False, "Child mode (started by this script): time "
                  "--runner, taking turns through stdin/stdout; see the "
                  "module docstring.")
flags.DEFINE_enum("runner", "graph", ["graph", "tpu_estimator"],
                  "The runner of --json mode.")

# Lines a child writes for its parent start with this; others are ignored.
_PREFIX = "BENCH "
_NUM_LABELS = 2
_TRAIN_EXAMPLES = 256


def shape():
  """The model's dimensions: the preset with the flags' overrides."""
  dims = dict(PRESETS[FLAGS.model])
  for name in ("layers", "hidden", "seq", "batch"):
    if getattr(FLAGS, name) is not None:
      dims[name] = getattr(FLAGS, name)
  dims["heads"] = FLAGS.heads or max(dims["hidden"] // 64, 1)
  dims["intermediate"] = FLAGS.intermediate or 4 * dims["hidden"]
  dims["vocab"] = FLAGS.vocab
  return dims


def describe_shape(dims):
  return ("layers=%(layers)d hidden=%(hidden)d heads=%(heads)d "
          "intermediate=%(intermediate)d vocab=%(vocab)d seq=%(seq)d "
          "batch=%(batch)d" % dims)


def random_features(num_examples, dims, seed):
  """`run_classifier.InputFeatures` of random ids, lengths and labels."""
  rng = np.random.RandomState(seed)
  seq = dims["seq"]
  features = []
  for _ in range(num_examples):
    length = rng.randint(seq // 2, seq + 1)
    first = rng.randint(1, length)
    input_ids = [0] * seq
    input_ids[:length] = rng.randint(1, dims["vocab"], size=length).tolist()
    input_mask = [1] * length + [0] * (seq - length)
    segment_ids = [0] * first + [1] * (length - first) + [0] * (seq - length)
    features.append(run_classifier.InputFeatures(
        input_ids=input_ids, input_mask=input_mask, segment_ids=segment_ids,
        label_id=int(rng.randint(_NUM_LABELS))))
  return features


def checkpoint_bytes(dims):
  """About the size of one checkpoint: weights and two AdamW slots."""
  h, inner = dims["hidden"], dims["intermediate"]
  per_layer = 4 * h * h + 2 * h * inner + inner + 9 * h
  weights = (dims["vocab"] + 512 + 2) * h + dims["layers"] * per_layer + h * h
  return 3 * 4 * weights


def make_work_dir(dims, num_model_dirs):
  """A temporary directory, in memory if the checkpoints fit easily.

  Every train call saves a checkpoint at its start and its end; on a disk
  shared with other work those writes (and their write-back during later
  steps) add noise that has nothing to do with the runners.
  """
  needed = 2 * num_model_dirs * checkpoint_bytes(dims)
  try:
    shm = os.statvfs("/dev/shm")
    if needed < shm.f_bavail * shm.f_frsize // 4:
      return tempfile.mkdtemp(prefix="bench_runtime_", dir="/dev/shm")
  except OSError:
    pass
  return tempfile.mkdtemp(prefix="bench_runtime_")


# ----------------------------------------------------------------------------
# Child: one runner, timed call by call while holding the token
# ----------------------------------------------------------------------------


class FreeTurn(object):
  """No other entry to wait for (the warm-up)."""
  waited = 0.0

  def pass_and_wait(self):
    return time.perf_counter()


class PipeTurn(object):
  """The token, passed through the parent: "yield" out, "go" in."""

  def __init__(self):
    self.waited = 0.0

  def pass_and_wait(self):
    """Gives the token back, waits for it; returns when it came back."""
    start = time.perf_counter()
    send("yield")
    if not wait_for_go():
      raise SystemExit("the parent closed the pipe in the middle of a round")
    now = time.perf_counter()
    self.waited += now - start
    return now


def send(kind, payload=None):
  line = _PREFIX + kind
  if payload is not None:
    line += " " + json.dumps(payload)
  sys.stdout.write(line + "\n")
  sys.stdout.flush()


def wait_for_go():
  """Blocks until the parent says "go"; False at end of input."""
  line = sys.stdin.readline()
  if not line:
    return False
  if line.strip() != "go":
    raise ValueError("expected 'go' from the parent, got %r" % line)
  return True


class StepTimes(tf1.train.SessionRunHook):
  """Takes turns at every session run after the first; records the times.

  The time between getting the token at run i and giving it back at run i+1
  is step i's own time.
  """

  def __init__(self, turn):
    self._turn = turn
    self.released = []
    self.acquired = []
    self.steps = 0

  def before_run(self, run_context):
    del run_context
    self.released.append(time.perf_counter())
    if len(self.released) == 1:  # The call's first run: keep the token.
      self.acquired.append(self.released[-1])
    else:
      self.acquired.append(self._turn.pass_and_wait())

  def after_run(self, run_context, run_values):
    del run_context, run_values
    self.steps += 1


def summarize_call(call_start, call_end, hook, turn, skip):
  """Step time, set-up and fixed cost of one train or predict call.

  Args:
    call_start, call_end: perf_counter() around the call.
    hook: its `StepTimes`.
    turn: the call's turn object (its `waited` is the call's waiting).
    skip: steps at the start left out of the step time.

  Returns:
    dict of steps, step_s, setup_s, fixed_s and own_s (the call's time less
    its waiting).
  """
  own_steps = np.array(hook.released[1:]) - np.array(hook.acquired[:-1])
  if len(own_steps) <= skip:
    raise ValueError("%d steps recorded; need more than --skip + 1 = %d" %
                     (hook.steps, skip + 1))
  step_s = float(np.median(own_steps[skip:]))
  own_s = call_end - call_start - turn.waited
  return {
      "steps": hook.steps,
      "step_s": step_s,
      "setup_s": hook.released[0] - call_start,
      "own_s": own_s,
      "fixed_s": own_s - hook.steps * step_s,
  }


class RunnerBench(object):
  """One runner with its own model directory, timed call by call."""

  def __init__(self, runner, dims, model_dir):
    self.runner = runner
    self.dims = dims
    self.global_step = 0
    bert_config = modeling.BertConfig(
        vocab_size=dims["vocab"], hidden_size=dims["hidden"],
        num_hidden_layers=dims["layers"],
        num_attention_heads=dims["heads"],
        intermediate_size=dims["intermediate"], max_position_embeddings=512)
    model_fn = run_classifier.model_fn_builder(
        bert_config=bert_config, num_labels=_NUM_LABELS, init_checkpoint=None,
        learning_rate=2e-5, num_train_steps=1000000, num_warmup_steps=10,
        use_tpu=False, use_one_hot_embeddings=False)
    run_config = estimator_runtime.make_run_config(
        model_dir, runner=runner, save_checkpoints_steps=10**9,
        log_step_count_steps=10**9, keep_checkpoint_max=1, tf_random_seed=1)
    self.estimator = estimator_runtime.make_estimator(
        model_fn, run_config, use_tpu=False, train_batch_size=dims["batch"],
        predict_batch_size=dims["batch"])
    self._train_input_fn = run_classifier.input_fn_builder(
        random_features(_TRAIN_EXAMPLES, dims, seed=1), dims["seq"],
        is_training=True, drop_remainder=True)
    self._predict_features = random_features(
        FLAGS.predict_batches * dims["batch"], dims, seed=2)

  def train(self, steps, turn):
    hook = StepTimes(turn)
    turn.waited = 0.0
    self.global_step += steps
    start = time.perf_counter()
    self.estimator.train(self._train_input_fn, max_steps=self.global_step,
                         hooks=[hook])
    result = summarize_call(start, time.perf_counter(), hook, turn,
                            FLAGS.skip)
    if result["steps"] != steps:
      raise RuntimeError("%s ran %d training steps, expected %d" %
                         (self.runner, result["steps"], steps))
    return result

  def predict(self, batches, turn):
    hook = StepTimes(turn)
    turn.waited = 0.0
    input_fn = run_classifier.input_fn_builder(
        self._predict_features[:batches * self.dims["batch"]],
        self.dims["seq"], is_training=False, drop_remainder=False)
    start = time.perf_counter()
    count = sum(1 for _ in self.estimator.predict(input_fn, hooks=[hook]))
    result = summarize_call(start, time.perf_counter(), hook, turn,
                            FLAGS.skip)
    if count != batches * self.dims["batch"]:
      raise RuntimeError("%s predicted %d examples, expected %d" %
                         (self.runner, count, batches * self.dims["batch"]))
    return result

  def warm_up(self):
    self.train(FLAGS.skip + 2, FreeTurn())
    self.predict(min(FLAGS.skip + 2, FLAGS.predict_batches), FreeTurn())

  def run_round(self, turn):
    return {"train": self.train(FLAGS.train_steps, turn),
            "predict": self.predict(FLAGS.predict_batches, turn)}


def child_main(dims, model_dir):
  """--json mode: warm up, say "ready", then one round per "go" at rest."""
  bench = RunnerBench(FLAGS.runner, dims, model_dir)
  bench.warm_up()
  send("ready", {"tf": tf.__version__, "python": platform.python_version()})
  while wait_for_go():  # The round starts holding the token...
    send("result", bench.run_round(PipeTurn()))  # ... and ends giving it up.


# ----------------------------------------------------------------------------
# Parent: the children and the token
# ----------------------------------------------------------------------------


class Child(object):
  """One entry: this script in --json mode under `python`."""

  def __init__(self, python, runner, work_dir, tag):
    self.python = python
    self.runner = runner
    self.versions = None
    self.label = "%s, %s" % (runner, python)
    self._log_path = os.path.join(work_dir, tag + ".log")
    self._log = open(self._log_path, "w")
    names = ("model", "layers", "hidden", "heads", "intermediate", "vocab",
             "seq", "batch", "train_steps", "predict_batches", "skip")
    child_flags = ["--%s=%s" % (name, getattr(FLAGS, name)) for name in names
                   if getattr(FLAGS, name) is not None]
    self._process = subprocess.Popen(
        [python, os.path.abspath(__file__), "--json", "--runner=" + runner,
         "--work_dir=" + os.path.join(work_dir, tag)] + child_flags,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log,
        universal_newlines=True, cwd=ROOT)

  def read(self):
    """The child's next message: (kind, payload or None)."""
    while True:
      line = self._process.stdout.readline()
      if not line:
        self._log.flush()
        with open(self._log_path) as log:
          tail = log.read()[-3000:]
        raise RuntimeError("%s stopped; its log ends:\n%s" % (self.label,
                                                              tail))
      if line.startswith(_PREFIX):
        kind, _, payload = line[len(_PREFIX):].strip().partition(" ")
        return kind, json.loads(payload) if payload else None

  def wait_ready(self):
    kind, self.versions = self.read()
    if kind != "ready":
      raise RuntimeError("%s said %r before 'ready'" % (self.label, kind))
    self.label = "%s, TF %s (Python %s)" % (
        "TPUEstimator" if self.runner == "tpu_estimator" else "graph runner",
        self.versions["tf"], self.versions["python"])

  def go(self):
    self._process.stdin.write("go\n")
    self._process.stdin.flush()

  def close(self):
    if self._process.poll() is None:
      self._process.stdin.close()
      self._process.wait()
    self._log.close()


def run_round(ring):
  """Passes the token round the ring until each child has sent its result."""
  results = {}
  active = list(ring)
  while active:
    for child in list(active):
      child.go()
      kind, payload = child.read()
      if kind == "result":
        results[child.label] = payload
        active.remove(child)
      elif kind != "yield":
        raise RuntimeError("%s said %r during a round" % (child.label, kind))
  return results


def default_other_python():
  """The first of the repository's other environments, or None."""
  here = os.path.realpath(sys.prefix)
  for name in (".venv-py3.12", ".venv-py3.13", ".venv"):
    venv = os.path.join(ROOT, name)
    python = os.path.join(venv, "bin", "python")
    if os.path.exists(python) and os.path.realpath(venv) != here:
      return python
  return None


def start_children(work_dir):
  """(runner children, version children): the entries --parts asks for."""
  this = Child(sys.executable, "graph", work_dir, "graph_this")
  runners, versions = [], []
  if "runners" in FLAGS.parts:
    if estimator_runtime.HAS_TPU_ESTIMATOR:
      runners = [Child(sys.executable, "tpu_estimator", work_dir,
                       "tpu_estimator_this"), this]
    else:
      print("--parts=runners needs TensorFlow 2.15 (TPUEstimator); this is "
            "TensorFlow %s: skipped." % tf.__version__, flush=True)
  if "versions" in FLAGS.parts:
    other = FLAGS.other_python or default_other_python()
    if other:
      versions = [this, Child(other, "graph", work_dir, "graph_other")]
    else:
      print("--parts=versions: no other interpreter (give --other_python): "
            "skipped.", flush=True)
  if not runners and not versions:
    this.close()
  return runners, versions


# ----------------------------------------------------------------------------
# Report
# ----------------------------------------------------------------------------


def _median(values):
  return float(np.median(values))


def _ratio_cell(numerators, denominators):
  """Median per-round ratio of rates, with the range over rounds."""
  ratios = [n / d for n, d in zip(numerators, denominators)]
  return "%.3fx (%.2f-%.2f)" % (_median(ratios), min(ratios), max(ratios))


def _fixed_cell(calls):
  """Set-up / fixed cost: the median over rounds, then the smallest."""
  setup = [call["setup_s"] for call in calls]
  fixed = [call["fixed_s"] for call in calls]
  return "%.2f / %.2f (%.2f / %.2f)" % (_median(setup), _median(fixed),
                                        min(setup), min(fixed))


def _rates(rounds, batch):
  """Per-round training steps/s, training and prediction examples/s."""
  train_steps = [1.0 / r["train"]["step_s"] for r in rounds]
  return {
      "train_steps": train_steps,
      "train_examples": [s * batch for s in train_steps],
      "predict_examples": [batch / r["predict"]["step_s"] for r in rounds],
  }


def table(title, children, results, batch, ratio_label):
  """A markdown table: medians over rounds, then children[0] / children[1]."""
  lines = [
      "| %s | training steps/s | training examples/s | prediction "
      "examples/s | train call: set-up / fixed s (best) | predict call: "
      "set-up / fixed s (best) |" % title,
      "|---|---:|---:|---:|---:|---:|",
  ]
  for child in children:
    rounds = [result[child.label] for result in results]
    rates = _rates(rounds, batch)
    lines.append("| %s | %.2f | %.1f | %.1f | %s | %s |" % (
        child.label, _median(rates["train_steps"]),
        _median(rates["train_examples"]), _median(rates["predict_examples"]),
        _fixed_cell([r["train"] for r in rounds]),
        _fixed_cell([r["predict"] for r in rounds])))
  top, bottom = [_rates([result[child.label] for result in results], batch)
                 for child in children]
  lines.append("| **%s** | %s | %s | %s | | |" % (
      ratio_label, _ratio_cell(top["train_steps"], bottom["train_steps"]),
      _ratio_cell(top["train_examples"], bottom["train_examples"]),
      _ratio_cell(top["predict_examples"], bottom["predict_examples"])))
  return "\n".join(lines)


def machine_lines():
  """The CPU model, its bf16/AMX flags, the load."""
  lines = []
  try:
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True,
                           check=False).stdout
    model = [l.split(":", 1)[1].strip() for l in lscpu.splitlines()
             if l.startswith("Model name")]
    lines.append("CPU: %s, %d logical CPUs" % (model[0] if model else "?",
                                               os.cpu_count()))
  except OSError:
    lines.append("CPU: ? (no lscpu), %d logical CPUs" % os.cpu_count())
  try:
    with open("/proc/cpuinfo") as cpuinfo:
      words = set(cpuinfo.read().split())
    found = sorted(w for w in words
                   if w == "avx512_bf16" or w.startswith("amx"))
    lines.append("bf16/AMX flags: %s" % (" ".join(found) or "none"))
  except OSError:
    pass
  lines.append("load average at the end: %.2f %.2f %.2f" % os.getloadavg())
  return lines


# ----------------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------------


def main(argv):
  del argv
  tf1.logging.set_verbosity(tf1.logging.ERROR)
  dims = shape()
  if FLAGS.json:
    child_main(dims, FLAGS.work_dir or make_work_dir(dims, 1))
    return
  started = time.time()
  setting = ("%s; %d train steps and %d predict batches per call, first %d "
             "of each left out; %d rounds, the entries taking turns step by "
             "step, after one warm-up call of each kind" % (
                 describe_shape(dims), FLAGS.train_steps,
                 FLAGS.predict_batches, FLAGS.skip, FLAGS.rounds))
  print("Shape:", setting, flush=True)
  work_dir = FLAGS.work_dir or make_work_dir(dims, 3)
  print("Model directories in", work_dir, flush=True)
  runners, versions = start_children(work_dir)
  ring = []
  for child in runners + versions:
    if child not in ring:
      ring.append(child)
  results = []
  try:
    # The children warm up at the same time; each then waits for "go".
    for child in ring:
      child.wait_ready()
    print("  warmed up in %.0f s: %s" % (
        time.time() - started, "; ".join(c.label for c in ring)), flush=True)
    for round_index in range(FLAGS.rounds):
      order = ring if round_index % 2 == 0 else ring[::-1]
      results.append(run_round(order))
      for child in order:
        result = results[-1][child.label]
        print("  round %d %-46s train %7.2f ex/s (set-up %5.2f s, fixed "
              "%5.2f s)  predict %7.2f ex/s (set-up %5.2f s, fixed %5.2f s)"
              % (round_index + 1, child.label,
                 dims["batch"] / result["train"]["step_s"],
                 result["train"]["setup_s"], result["train"]["fixed_s"],
                 dims["batch"] / result["predict"]["step_s"],
                 result["predict"]["setup_s"], result["predict"]["fixed_s"]),
              flush=True)
  finally:
    for child in ring:
      child.close()
    if not FLAGS.work_dir:
      shutil.rmtree(work_dir, ignore_errors=True)
  tables = []
  if runners:
    tables.append(table("runner", runners[::-1], results, dims["batch"],
                        "graph runner / TPUEstimator"))
  if versions:
    # Newer TensorFlow first, so that the ratio reads "new / old".
    versions.sort(key=lambda c: [int(p) for p in
                                 c.versions["tf"].split(".")[:2]],
                  reverse=True)
    tables.append(table("interpreter", versions, results, dims["batch"],
                        "TF %s / TF %s" % (versions[0].versions["tf"],
                                           versions[1].versions["tf"])))
  print("\n" + setting)
  print("\n".join(machine_lines()))
  print("wall time: %.0f s\n" % (time.time() - started))
  print("\n\n".join(tables))


if __name__ == "__main__":
  app.run(main)
