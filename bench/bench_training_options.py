# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""--optimizer, --train_shuffle and --head_initializer, both ways, for the three kinds of task.

No GLUE or SQuAD data ships with the project, so the classification and
question-answering figures come from tasks made out of the same real text as
the NER one, the WNUT17 training split (../shared/data/wnut17/train.conll),
split as bench_ner_vs_transformers.py splits it (--split_seed, 1,000 training
sentences, the next --dev_sentences for dev):

  ner       the tagging task itself, run_ner.py (entity F1);
  sst-2     single-sentence classification in SST-2's layout for
            run_classifier.py --task_name=sst-2: is a named entity in the
            tweet? (label 1 for about half of them; accuracy);
  squad     SQuAD 1.1 for run_squad.py: the tweet is the context, and for
            each entity type it names, "Which <type> is mentioned?" is a
            question whose answer is the first such entity (F1 and exact
            match of squad_metrics.json).

Each (task, --optimizer, --train_shuffle, --head_initializer, seed) is one run of the script under
this interpreter, on the MiniLM dev package's weights (converted with
convert_checkpoint.py), with the settings of bench_ner_vs_transformers.py
(batch 16, learning rate 5e-5, 10 % warm-up); epochs per task as the table
of the report: 3 for NER, 1 for SST-2, 2 for SQuAD. Prints one line per run
and a Markdown table (mean over the seeds); --append_results adds it to
bench/RESULTS.md.

Usage (from the repository root):
  .venv/bin/python bench/bench_training_options.py --tasks=sst-2,squad \\
      --seeds=1,2 --work_dir=/tmp/options_bench
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_ner_vs_transformers as ner_bench  # pylint: disable=g-import-not-at-top

ROOT = ner_bench.ROOT
TASKS = ("ner", "sst-2", "squad")
EPOCHS = {"ner": 3, "sst-2": 1, "squad": 2}
METRIC = {"ner": "entity F1", "sst-2": "accuracy", "squad": "F1"}


def entity_spans(tags):
  """[(type, first word, last word)] of an IOB2 sentence (B- or I- opens)."""
  spans, current = [], None
  for index, tag in enumerate(tags + ["O"]):
    prefix, _, kind = tag.partition("-")
    if current and (prefix != "I" or kind != current[0]):
      spans.append(tuple(current))
      current = None
    if prefix == "B" or (prefix == "I" and current is None):
      current = [kind, index, index]
    elif prefix == "I":
      current[2] = index
  return spans


def write_classification(path, sentences):
  with open(path, "w", encoding="utf-8") as writer:
    writer.write("sentence\tlabel\n")
    for words, tags in sentences:
      text = " ".join(words).replace("\t", " ")
      writer.write("%s\t%d\n" % (text, int(any(t != "O" for t in tags))))


def write_squad(path, sentences, prefix):
  """SQuAD 1.1 JSON: one paragraph per tweet with an entity."""
  paragraphs = []
  for index, (words, tags) in enumerate(sentences):
    spans = entity_spans(tags)
    if not spans:
      continue
    starts, offset = [], 0
    for word in words:
      starts.append(offset)
      offset += len(word) + 1
    context = " ".join(words)
    questions, seen = [], set()
    for kind, first, last in spans:
      if kind in seen:
        continue
      seen.add(kind)
      text = " ".join(words[first:last + 1])
      assert context[starts[first]:starts[first] + len(text)] == text
      questions.append({
          "id": "%s-%d-%s" % (prefix, index, kind),
          "question": "Which %s is mentioned?" % kind.replace("-", " "),
          "answers": [{"text": text, "answer_start": starts[first]}]})
    paragraphs.append({"context": context, "qas": questions})
  with open(path, "w", encoding="utf-8") as writer:
    json.dump({"version": "1.1", "data": [{"title": prefix,
                                           "paragraphs": paragraphs}]},
              writer)
  return sum(len(p["qas"]) for p in paragraphs)


def prepare(args):
  ner_dir, labels, _ = ner_bench.prepare_data(args)
  data_dir = ner_dir
  train = ner_bench.read_conll(os.path.join(ner_dir, "train.txt"))
  dev = ner_bench.read_conll(os.path.join(ner_dir, "dev.txt"))
  sst_dir = os.path.join(data_dir, "sst-2")
  os.makedirs(sst_dir, exist_ok=True)
  write_classification(os.path.join(sst_dir, "train.tsv"), train)
  write_classification(os.path.join(sst_dir, "dev.tsv"), dev)
  squad_dir = os.path.join(data_dir, "squad")
  os.makedirs(squad_dir, exist_ok=True)
  counts = (write_squad(os.path.join(squad_dir, "train.json"), train, "train"),
            write_squad(os.path.join(squad_dir, "dev.json"), dev, "dev"))
  return {"ner": ner_dir, "sst-2": sst_dir, "squad": squad_dir,
          "labels": labels, "squad_questions": counts}


def run_one(args, task, optimizer, shuffle, seed, data, google_dir,
            head="default"):
  """One training and evaluation; returns (metric, seconds)."""
  output_dir = os.path.join(args.work_dir, "%s_%s_%s_%s_seed%d" %
                            (task, optimizer, shuffle, head, seed))
  shutil.rmtree(output_dir, ignore_errors=True)
  common = [
      "--output_dir=" + output_dir,
      "--bert_config_file=" + os.path.join(google_dir, "bert_config.json"),
      "--vocab_file=" + os.path.join(google_dir, "vocab.txt"),
      "--init_checkpoint=" + os.path.join(google_dir, "bert_model.ckpt"),
      "--do_lower_case=true", "--do_train",
      "--train_batch_size=%d" % ner_bench.BATCH_SIZE,
      "--learning_rate=%g" % ner_bench.LEARNING_RATE,
      "--num_train_epochs=%d" % EPOCHS[task],
      "--warmup_proportion=%g" % ner_bench.WARMUP,
      "--save_checkpoints_steps=100000", "--tf_random_seed=%d" % seed,
      "--max_seq_length=%d" % args.max_seq_length]
  if optimizer != "default":
    common.append("--optimizer=" + optimizer)
  if shuffle != "default":
    common.append("--train_shuffle=" + shuffle)
  if head != "default":
    common.append("--head_initializer=" + head)
  if task == "ner":
    command = ["run_ner.py", "--do_predict", "--data_dir=" + data["ner"],
               "--labels=" + ",".join(data["labels"]),
               "--predict_batch_size=32"]
  elif task == "sst-2":
    command = ["run_classifier.py", "--task_name=sst-2", "--do_eval",
               "--data_dir=" + data["sst-2"], "--eval_batch_size=32"]
  else:
    command = ["run_squad.py", "--do_predict",
               "--train_file=" + os.path.join(data["squad"], "train.json"),
               "--predict_file=" + os.path.join(data["squad"], "dev.json"),
               "--doc_stride=32", "--max_query_length=16",
               "--predict_batch_size=32"]
  command = [sys.executable, os.path.join(args.ours_root, command[0])] + (
      command[1:] + common)
  start = time.time()
  completed = subprocess.run(command, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
  seconds = time.time() - start
  if completed.returncode:
    sys.exit("%s failed (exit %d):\n%s" % (command[1], completed.returncode,
                                           completed.stdout[-3000:]))
  if task == "ner":
    dev = ner_bench.read_conll(os.path.join(data["ner"], "dev.txt"))
    predicted = [tags for _, tags in ner_bench._read_predictions(  # pylint: disable=protected-access
        os.path.join(output_dir, "test_predictions.txt"))]
    metric = ner_bench.score(dev, predicted)["f1"]
  elif task == "sst-2":
    with open(os.path.join(output_dir, "eval_results.txt")) as reader:
      results = dict(line.split(" = ") for line in reader if " = " in line)
    metric = float(results["eval_accuracy"])
  else:
    with open(os.path.join(output_dir, "squad_metrics.json")) as reader:
      metric = json.load(reader)["f1"]
  if not args.keep_outputs:
    shutil.rmtree(output_dir, ignore_errors=True)
  return metric, seconds


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--work_dir", default="/tmp/options_bench")
  parser.add_argument("--data", default=ner_bench.DEFAULT_DATA)
  parser.add_argument("--tasks", default="ner,sst-2,squad")
  parser.add_argument("--seeds", default="1,2")
  parser.add_argument(
      "--configs",
      default="default:default,adamw_bias_corrected:default,default:epoch",
      help="comma-separated OPTIMIZER:SHUFFLE[:HEAD] values of --optimizer, "
      "--train_shuffle and --head_initializer; default: the script's own")
  parser.add_argument("--split_seed", type=int, default=0)
  parser.add_argument("--train_sentences", type=int, default=1000)
  parser.add_argument("--dev_sentences", type=int, default=1000)
  parser.add_argument("--max_seq_length", type=int, default=128)
  parser.add_argument("--ours_root", default=ROOT)
  parser.add_argument("--keep_outputs", action="store_true")
  parser.add_argument("--append_results", action="store_true")
  args = parser.parse_args()
  os.makedirs(args.work_dir, exist_ok=True)
  data = prepare(args)
  print("SQuAD questions: %d train, %d dev" % data["squad_questions"])
  google_dir = ner_bench.convert_weights(args, ner_bench.package_model_dir())
  rows = []
  for task in args.tasks.split(","):
    for config in args.configs.split(","):
      optimizer, shuffle, head = (config.split(":") + ["default"])[:3]
      values = []
      for seed in [int(s) for s in args.seeds.split(",")]:
        metric, seconds = run_one(args, task, optimizer, shuffle, seed,
                                  data, google_dir, head)
        values.append(metric)
        print("%-6s --optimizer=%s --train_shuffle=%s --head_initializer=%s "
              "seed %d: %s %.4f (%.0f s)" % (
                  task, optimizer, shuffle, head, seed, METRIC[task], metric,
                  seconds), flush=True)
      rows.append((task, optimizer, shuffle, head, values))
  lines = ["| task (%s) | --optimizer | --train_shuffle | --head_initializer "
           "| per seed | mean |" % "metric", "|---|---|---|---|---|---:|"]
  for task, optimizer, shuffle, head, values in rows:
    lines.append("| %s (%s) | %s | %s | %s | %s | %.4f |" % (
        task, METRIC[task], optimizer, shuffle, head,
        ", ".join("%.4f" % v for v in values), statistics.mean(values)))
  print("\n".join(lines))
  if args.append_results:
    with open(ner_bench.RESULTS, "a") as writer:
      writer.write("\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
  main()
