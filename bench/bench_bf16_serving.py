# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Serving a fine-tuned classifier in bf16 against fp32: speed and agreement.

Takes a classifier fine-tuned by run_classifier.py on an SST-2-layout task
(its --output_dir) and the task's dev.tsv, and measures, in one run:

- speed, examples per second at --batch_size (8) and the model's
  max_seq_length (128 for the figures in bench/RESULTS.md), fp32 and bf16
  side by side: through `predictor.load` on the checkpoint directory
  (text in, probabilities out: tokenization included), through the
  SavedModel exported both ways (`run_classifier.py --export_dir
  --precision=...`, loaded by `predictor.load` too), and the encoder alone
  (`modeling.BertModel`, weights restored, pooled output fetched). Every
  round times each path's fp32 and bf16 back to back (which goes first
  alternates) on the same --timed_examples dev sentences, so a change in
  the machine's load hits both alike; reported over --rounds: the median
  and the best examples/s of each, and the median of the rounds' paired
  bf16/fp32 ratios (the figure that survives a machine shared with other
  work);
- agreement on every dev sentence: max and mean |p_bf16 - p_fp32| of the
  probability of each label, the share of sentences given the same label,
  and the accuracy both ways, for the checkpoint and for the export.

--small_model_dir adds a second fine-tuned model (e.g. a 2-layer cut of the
same model) to the speed tables (its agreement too with
--small_model_agreement).

  nice -n 10 python bench/bench_bf16_serving.py \\
    --model_dir=/work/scratch/bf16/minilm_rt \\
    --small_model_dir=/work/scratch/bf16/minilm2l_rt \\
    --data_dir=/work/data/rt --work_dir=/work/scratch/bf16/bench

bf16 is fast only on a CPU that computes it (AVX512_BF16 or AMX); the CPU's
model and those flags head the output.
"""

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

from absl import app
from absl import flags
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # pylint: disable=g-import-not-at-top,wrong-import-position

import export_utils  # pylint: disable=g-import-not-at-top,wrong-import-position
import modeling  # pylint: disable=g-import-not-at-top,wrong-import-position
import predictor  # pylint: disable=g-import-not-at-top,wrong-import-position
import run_classifier  # pylint: disable=g-import-not-at-top,wrong-import-position
import script_settings  # pylint: disable=g-import-not-at-top,wrong-import-position

tf1 = tf.compat.v1
FLAGS = flags.FLAGS

flags.DEFINE_string("model_dir", None, "run_classifier.py --output_dir of the "
                    "fine-tuned model (checkpoint, vocab.txt, bert_config.json, "
                    "model_info.json).")
flags.DEFINE_string("small_model_dir", None, "(optional) a second fine-tuned "
                    "model, e.g. a 2-layer cut of the first.")
flags.DEFINE_string("data_dir", None, "SST-2 layout folder; dev.tsv is read "
                    "(a header, then sentence<TAB>label).")
flags.DEFINE_string("work_dir", None, "Where the SavedModels are exported "
                    "(replaced) and results.json is written.")
flags.DEFINE_integer("batch_size", 8, "Examples per run of the model.")
flags.DEFINE_integer("timed_examples", 16, "Dev sentences per timed run.")
flags.DEFINE_integer("rounds", 40, "Interleaved timed rounds (medians "
                     "reported).")
flags.DEFINE_bool("encoder", True, "Time the encoder alone too.")
flags.DEFINE_bool("small_model_agreement", False, "Measure the agreement "
                  "of --small_model_dir too (not only its speed).")
flags.DEFINE_integer("dev_limit", None, "(for a quick look) only the first "
                     "this many dev sentences.")

PRECISIONS = ("fp32", "bf16")


def cpu_description():
  """The CPU model, its cores and its bf16 flags, in one line."""
  model = "?"
  try:
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True,
                           check=False).stdout
    model = [line.split(":", 1)[1].strip() for line in lscpu.splitlines()
             if line.startswith("Model name")][0]
  except (OSError, IndexError):
    pass
  with open("/proc/cpuinfo") as f:
    words = set(f.read().split())
  wanted = sorted(w for w in words
                  if w in ("avx2", "avx512f", "avx512_bf16", "avx512_vnni")
                  or w.startswith("amx"))
  return "%s, %d logical CPUs, flags: %s" % (model, os.cpu_count(),
                                             " ".join(wanted) or "none")


def read_dev(data_dir):
  """[(sentence, label)] of dev.tsv."""
  rows = []
  with open(os.path.join(data_dir, "dev.tsv"), encoding="utf-8") as f:
    next(f)  # header
    for line in f:
      sentence, label = line.rstrip("\n").rsplit("\t", 1)
      rows.append((sentence, label))
  return rows


def export(model_dir, export_dir, precision):
  """run_classifier.py --export_dir --precision, of model_dir's checkpoint."""
  if os.path.exists(export_dir):
    shutil.rmtree(export_dir)
  with open(os.path.join(model_dir, export_utils.MODEL_INFO_FILE)) as f:
    info = json.load(f)
  run_classifier.run(script_settings.defaults(
      run_classifier.define_flags, task_name=info["task_name"],
      vocab_file=os.path.join(model_dir, "vocab.txt"),
      bert_config_file=os.path.join(model_dir, "bert_config.json"),
      do_lower_case=info["do_lower_case"],
      max_seq_length=info["max_seq_length"], output_dir=model_dir,
      export_dir=export_dir, precision=precision))
  assert export_utils.saved_model_precision(export_dir) == precision
  return export_dir


class EncoderAlone(object):
  """modeling.BertModel in one precision, weights restored; run() times a
  batch of ids through it to the pooled output."""

  def __init__(self, model_dir, precision):
    config = modeling.BertConfig.from_json_file(
        os.path.join(model_dir, "bert_config.json"))
    with open(os.path.join(model_dir, export_utils.MODEL_INFO_FILE)) as f:
      self.max_seq_length = json.load(f)["max_seq_length"]
    graph = tf.Graph()
    with graph.as_default():
      self.ids = tf1.placeholder(tf.int32, [None, self.max_seq_length])
      self.mask = tf1.placeholder(tf.int32, [None, self.max_seq_length])
      model = modeling.BertModel(
          config, is_training=False, input_ids=self.ids,
          input_mask=self.mask,
          compute_type=tf.bfloat16 if precision == "bf16" else tf.float32)
      self.output = tf.cast(model.get_pooled_output(), tf.float32)
      self.sess = tf1.Session(graph=graph)
      tf1.train.Saver(tf1.global_variables()).restore(
          self.sess, tf.train.latest_checkpoint(model_dir))
    self.precision = export_utils.graph_precision(graph)
    assert self.precision == precision

  def run(self, ids, mask):
    return self.sess.run(self.output, {self.ids: ids, self.mask: mask})

  def close(self):
    self.sess.close()


def encoder_inputs(model, sentences):
  """Padded ids and masks of the sentences, as the classifier builds them."""
  ids, masks = [], []
  for sentence in sentences:
    tokens = model.tokenizer.tokenize(sentence)[:model.max_seq_length - 2]
    row = model.tokenizer.convert_tokens_to_ids(
        ["[CLS]"] + tokens + ["[SEP]"])
    pad = model.max_seq_length - len(row)
    ids.append(row + [0] * pad)
    masks.append([1] * len(row) + [0] * pad)
  return np.array(ids, np.int32), np.array(masks, np.int32)


def probabilities(model, sentences):
  results = model.classify(sentences, batch_size=FLAGS.batch_size)
  return np.array([list(r.probabilities.values()) for r in results])


def agreement(p32, p16, labels, label_names):
  """The agreement figures of two [n, num_labels] probability arrays."""
  predicted32 = [label_names[i] for i in p32.argmax(1)]
  predicted16 = [label_names[i] for i in p16.argmax(1)]
  difference = np.abs(p16 - p32)
  return {
      "max_abs_dp": float(difference.max()),
      "mean_abs_dp": float(difference.mean()),
      "same_label": float(np.mean([a == b for a, b in
                                   zip(predicted32, predicted16)])),
      "accuracy_fp32": float(np.mean([a == b for a, b in
                                      zip(predicted32, labels)])),
      "accuracy_bf16": float(np.mean([a == b for a, b in
                                      zip(predicted16, labels)])),
  }


def bench_model(name, model_dir, dev, work_dir, with_agreement=True):
  """Speed and agreement of one fine-tuned model; returns its results."""
  sentences = [s for s, _ in dev]
  labels = [l for _, l in dev]
  timed = sentences[:FLAGS.timed_examples]
  exports = {p: export(model_dir, os.path.join(work_dir, name + "_" + p), p)
             for p in PRECISIONS}
  # The configurations to time: name -> callable running `timed` once.
  models = {}
  for precision in PRECISIONS:
    models["predictor, checkpoint, " + precision] = predictor.load(
        model_dir, precision=precision)
    models["predictor, SavedModel, " + precision] = predictor.load(
        exports[precision])
  runs = {key: (lambda m=model: probabilities(m, timed))
          for key, model in models.items()}
  if FLAGS.encoder:
    ids, masks = encoder_inputs(models["predictor, checkpoint, fp32"], timed)
    for precision in PRECISIONS:
      encoder = EncoderAlone(model_dir, precision)
      models["encoder alone, " + precision] = encoder

      def run_encoder(encoder=encoder):
        for start in range(0, len(ids), FLAGS.batch_size):
          encoder.run(ids[start:start + FLAGS.batch_size],
                      masks[start:start + FLAGS.batch_size])
      runs["encoder alone, " + precision] = run_encoder
  for key, model in models.items():
    assert model.precision == key.rsplit(", ", 1)[1], key
  for run in runs.values():  # warm-up (graph optimisation, oneDNN kernels)
    run()
  seconds = {key: [] for key in runs}
  paths = sorted(set(key.rsplit(", ", 1)[0] for key in runs))
  for round_index in range(FLAGS.rounds):
    order = PRECISIONS if round_index % 2 == 0 else PRECISIONS[::-1]
    for path in paths:
      for precision in order:
        key = "%s, %s" % (path, precision)
        start = time.perf_counter()
        runs[key]()
        seconds[key].append(time.perf_counter() - start)
    if (round_index + 1) % 10 == 0:
      print("  %s round %d/%d done" % (name, round_index + 1, FLAGS.rounds),
            flush=True)
  speed = {key: len(timed) / statistics.median(s)
           for key, s in seconds.items()}
  best = {key: len(timed) / min(s) for key, s in seconds.items()}
  ratio = {path: statistics.median(
      fp32 / bf16 for fp32, bf16 in zip(seconds[path + ", fp32"],
                                        seconds[path + ", bf16"]))
           for path in paths}

  result = {"speed": speed, "best": best, "paired_ratio": ratio,
            "seconds": seconds}
  if not with_agreement:
    for model in models.values():
      model.close()
    return result
  # Agreement over the whole dev set.
  label_names = models["predictor, checkpoint, fp32"].labels
  p = {key: probabilities(models["predictor, %s" % key], sentences)
       for key in ("checkpoint, fp32", "checkpoint, bf16",
                   "SavedModel, fp32", "SavedModel, bf16")}
  for model in models.values():
    model.close()
  return dict(result, agreement={
          "checkpoint": agreement(p["checkpoint, fp32"],
                                  p["checkpoint, bf16"], labels, label_names),
          "SavedModel": agreement(p["SavedModel, fp32"],
                                  p["SavedModel, bf16"], labels, label_names),
          "SavedModel fp32 vs checkpoint fp32 (max |dp|)": float(np.abs(
              p["SavedModel, fp32"] - p["checkpoint, fp32"]).max()),
      })


def report(results):
  lines = []
  for name, result in results["models"].items():
    config = result["config"]
    lines.append("")
    lines.append("%s (%d layers, hidden %d), batch %d, sequence %d, %d dev "
                 "sentences per timed run, %d rounds:" % (
                     name, config["num_hidden_layers"], config["hidden_size"],
                     FLAGS.batch_size, result["max_seq_length"],
                     FLAGS.timed_examples, FLAGS.rounds))
    lines.append("")
    lines.append("| path | fp32 examples/s, median (best) | bf16 examples/s, "
                 "median (best) | bf16/fp32, median of paired rounds |")
    lines.append("|---|---:|---:|---:|")
    speed, best = result["speed"], result["best"]
    for path in ("predictor, checkpoint", "predictor, SavedModel",
                 "encoder alone"):
      if path + ", fp32" in speed:
        lines.append("| %s | %.1f (%.1f) | %.1f (%.1f) | %.2fx |" % (
            path, speed[path + ", fp32"], best[path + ", fp32"],
            speed[path + ", bf16"], best[path + ", bf16"],
            result["paired_ratio"][path]))
    if "agreement" not in result:
      continue
    lines.append("")
    lines.append("| agreement on %d dev sentences | max abs dp | mean abs dp "
                 "| same label | accuracy fp32 | accuracy bf16 |" %
                 result["dev_sentences"])
    lines.append("|---|---:|---:|---:|---:|---:|")
    for source in ("checkpoint", "SavedModel"):
      a = result["agreement"][source]
      lines.append("| %s | %.4f | %.5f | %.1f %% | %.3f | %.3f |" % (
          source, a["max_abs_dp"], a["mean_abs_dp"], 100 * a["same_label"],
          a["accuracy_fp32"], a["accuracy_bf16"]))
  return "\n".join(lines)


def main(_):
  for name in ("model_dir", "data_dir", "work_dir"):
    if not getattr(FLAGS, name):
      raise app.UsageError("--%s is required" % name)
  os.makedirs(FLAGS.work_dir, exist_ok=True)
  # The exports' and the predictor's INFO lines would bury the figures.
  tf1.logging.set_verbosity(tf1.logging.WARN)
  dev = read_dev(FLAGS.data_dir)[:FLAGS.dev_limit]
  results = {
      "cpu": cpu_description(),
      "runtime": "TensorFlow %s, Python %s" % (tf.__version__,
                                               platform.python_version()),
      "command": " ".join(["python"] + sys.argv),
      "models": {},
  }
  print("CPU: " + results["cpu"])
  print("Runtime: " + results["runtime"], flush=True)
  for name, model_dir in (("model", FLAGS.model_dir),
                          ("small_model", FLAGS.small_model_dir)):
    if not model_dir:
      continue
    result = bench_model(
        name, model_dir, dev, FLAGS.work_dir,
        with_agreement=name == "model" or FLAGS.small_model_agreement)
    with open(os.path.join(model_dir, "bert_config.json")) as f:
      result["config"] = json.load(f)
    with open(os.path.join(model_dir, export_utils.MODEL_INFO_FILE)) as f:
      result["max_seq_length"] = json.load(f)["max_seq_length"]
    result["model_dir"] = model_dir
    result["dev_sentences"] = len(dev)
    results["models"][os.path.basename(model_dir.rstrip("/"))] = result
  with open(os.path.join(FLAGS.work_dir, "results.json"), "w") as f:
    json.dump(results, f, indent=2)
  print(report(results))


if __name__ == "__main__":
  app.run(main)
