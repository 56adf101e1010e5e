# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Large-batch pre-training: LAMB vs AdamW for the same number of examples.

Pre-trains one tiny BERT from scratch on the same records three ways, each
seeing the same number of examples:

  * AdamW at a small batch B (the baseline);
  * AdamW at 8 B (through --num_accumulation_steps=8, micro-batch B), with
    the learning rate scaled by sqrt(8) as the LAMB paper does;
  * LAMB at 8 B, the same sqrt(8) scaling of its own base rate.

and reports the masked-LM loss of each on held-out records, plus the wall
time per example of every run. The corpus is the repository's own English
text (sample_text.txt, README.md, docs/*.md); the vocabulary is learned from
it with learn_vocab.py.

  nice -n 10 .venv/bin/python bench/bench_lamb.py [--seeds=1,2] [--work=DIR]
"""

import argparse
import glob
import json
import os
import random
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = sys.executable

SEQ = 64
PREDS = 10
SMALL_BATCH = 8
SCALE = 8
EXAMPLES = 38400     # per run: 4800 small-batch steps, 600 large-batch ones
ADAMW_LR = 1e-3      # AdamW's base rate at the small batch
LAMB_LR = 2e-2 / 8 ** 0.5   # LAMB's base rate at the small batch (7.1e-3;
                            # sqrt(SCALE) times it, 2e-2, at the large batch)
CONFIG = {
    "vocab_size": None, "hidden_size": 64, "num_hidden_layers": 2,
    "num_attention_heads": 2, "intermediate_size": 128, "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
    "max_position_embeddings": SEQ, "type_vocab_size": 2,
    "initializer_range": 0.02}


def sh(args, **kwargs):
  """Runs a command of this repository, failing loudly."""
  result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True,
                          **kwargs)
  if result.returncode:
    sys.exit("failed: %s\n%s" % (" ".join(args), result.stderr[-3000:]))
  return result


def prepare(work):
  """Corpus split into train/held-out, vocabulary, config and records."""
  if os.path.exists(os.path.join(work, "heldout.tfrecord")):
    return
  os.makedirs(work, exist_ok=True)
  paragraphs = []
  for path in (["sample_text.txt", "README.md"] +
               sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
      block = []
      for line in f:
        line = line.strip()
        if line.startswith("```"):
          continue
        if line:
          block.append(line)
        elif block:
          paragraphs.append(block)
          block = []
      if block:
        paragraphs.append(block)
  random.Random(0).shuffle(paragraphs)
  cut = len(paragraphs) // 10
  for name, part in (("heldout", paragraphs[:cut]),
                     ("train", paragraphs[cut:])):
    with open(os.path.join(work, name + ".txt"), "w", encoding="utf-8") as f:
      f.write("\n\n".join("\n".join(p) for p in part) + "\n")
  vocab = os.path.join(work, "vocab.txt")
  sh([PYTHON, "learn_vocab.py", "--input_file=" + work + "/train.txt",
      "--output_file=" + vocab, "--vocab_size=2000"])
  config = dict(CONFIG, vocab_size=sum(1 for _ in open(vocab)))
  with open(os.path.join(work, "bert_config.json"), "w") as f:
    json.dump(config, f)
  for name, dupe in (("train", 10), ("heldout", 2)):
    sh([PYTHON, "create_pretraining_data.py",
        "--input_file=%s/%s.txt" % (work, name),
        "--output_file=%s/%s.tfrecord" % (work, name),
        "--vocab_file=" + vocab, "--max_seq_length=%d" % SEQ,
        "--max_predictions_per_seq=%d" % PREDS, "--dupe_factor=%d" % dupe,
        "--random_seed=1"])


def pretrain(work, name, seed, optimizer, batch, accumulation, lr,
             examples=EXAMPLES):
  """Trains one run and evaluates it on the held-out records."""
  out = os.path.join(work, "runs", "%s-seed%d-n%d" % (name, seed, examples))
  steps = examples // batch
  common = ["--bert_config_file=%s/bert_config.json" % work,
            "--output_dir=" + out, "--max_seq_length=%d" % SEQ,
            "--max_predictions_per_seq=%d" % PREDS,
            "--save_checkpoints_steps=100000", "--tf_random_seed=%d" % seed]
  start = time.time()
  sh([PYTHON, "run_pretraining.py", "--do_train",
      "--input_file=%s/train.tfrecord" % work,
      "--train_batch_size=%d" % batch,
      "--num_accumulation_steps=%d" % accumulation,
      "--num_train_steps=%d" % steps,
      "--num_warmup_steps=%d" % max(1, steps // 10),
      "--learning_rate=%g" % lr, "--optimizer=" + optimizer] + common)
  train_seconds = time.time() - start
  sh([PYTHON, "run_pretraining.py", "--do_eval",
      "--input_file=%s/heldout.tfrecord" % work, "--eval_batch_size=64",
      "--max_eval_steps=1000"] + common)
  results = {}
  with open(os.path.join(out, "eval_results.txt")) as f:
    for line in f:
      key, _, value = line.partition(" = ")
      results[key.strip()] = value.strip()
  return {"run": name, "seed": seed, "optimizer": optimizer, "batch": batch,
          "accumulation": accumulation, "steps": steps, "learning_rate": lr,
          "masked_lm_loss": float(results["masked_lm_loss"]),
          "masked_lm_accuracy": float(results["masked_lm_accuracy"]),
          "train_seconds": train_seconds,
          "examples": examples,
          "ms_per_example": 1000 * train_seconds / examples}


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--seeds", default="1")
  parser.add_argument("--work", default="/tmp/bench_lamb")
  parser.add_argument("--examples", type=int, default=EXAMPLES,
                      help="examples each run trains on")
  args = parser.parse_args()
  prepare(args.work)
  large = SMALL_BATCH * SCALE
  runs = [("adamw-b%d" % SMALL_BATCH, "adamw", SMALL_BATCH, 1, ADAMW_LR),
          ("adamw-b%d" % large, "adamw", large, SCALE,
           ADAMW_LR * SCALE ** 0.5),
          ("lamb-b%d" % large, "lamb", large, SCALE,
           LAMB_LR * SCALE ** 0.5)]
  rows = []
  for seed in [int(s) for s in args.seeds.split(",")]:
    for run in runs:
      row = pretrain(args.work, run[0], seed, *run[1:],
                     examples=args.examples)
      rows.append(row)
      print(json.dumps(row), flush=True)
  print("\n| run | seed | examples | batch (micro x accumulation) | steps | lr | "
        "held-out masked-LM loss | accuracy | ms/example |")
  print("|---|---:|---:|---|---:|---:|---:|---:|---:|")
  for r in rows:
    print("| %s | %d | %d | %d (%d x %d) | %d | %.2g | %.3f | %.3f | %.1f |" % (
        r["run"], r["seed"], r["examples"], r["batch"], r["batch"] // r["accumulation"],
        r["accumulation"], r["steps"], r["learning_rate"],
        r["masked_lm_loss"], r["masked_lm_accuracy"], r["ms_per_example"]))


if __name__ == "__main__":
  main()
