# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Your own labels on real data: multi-label and class weights on WNUT17.

  python bench/bench_own_labels.py prepare OUT_DIR   # writes the data sets
  python bench/bench_own_labels.py multilabel OUT_DIR RUN_DIR
  python bench/bench_own_labels.py single OUT_DIR RUN_DIR_PREFIX

`prepare` splits /work/shared/data/wnut17/train.conll (3,394 sentences; the
shuffle has seed 0) into train (2,400), dev (500) and a held-out part (494),
and writes:

  ml/{train,dev,test}.tsv   text<TAB>labels: the entity types a sentence
                            contains (person, location, corporation, product,
                            creative-work, group; 0 to 6 of them);
  ml_heldout/               train.tsv, and dev.tsv = test.tsv = the held-out
                            part, to score it with the thresholds tuned on dev;
  sl/{train,dev,test}.tsv   text<TAB>label: person (a person is named) or
                            other, the person sentences subsampled to 10%;
  nerdata/{train,dev}.txt   the CoNLL lines of train and of the held-out part.

Commands (MiniLM converted with convert_checkpoint.py to $M; $M3: the same
with num_hidden_layers=3 in bert_config.json):

  run_classifier.py --task_name=tsv --do_train --do_eval --tune_thresholds
    --data_dir=OUT/ml --max_seq_length=64 --train_batch_size=32
    --learning_rate=1e-4 --num_train_epochs=4 --tf_random_seed=1 (model $M)
  then --do_eval --do_predict on OUT/ml_heldout with the same --output_dir;
  run_classifier.py --task_name=tsv --do_train --do_eval [--class_weights=
    balanced] --data_dir=OUT/sl --max_seq_length=48 --train_batch_size=32
    --learning_rate=5e-5 --num_train_epochs=2 --tf_random_seed=1|2|3 ($M3),
  then --do_predict;
  run_ner.py --do_train --do_eval [--class_weights=balanced]
    --data_dir=OUT/nerdata --max_seq_length=64 --train_batch_size=32
    --learning_rate=1e-4 --num_train_epochs=3 --tf_random_seed=1 ($M3).

`multilabel` recounts eval_results.txt from test_results.tsv and the gold sets
and scores the frequency baseline; `single` prints macro-F1 per seed from the
runs' test_results.tsv. Measured (TF 2.15, CPU):

  multi-label, held-out part (494): micro-F1 0.296, macro-F1 0.273, exact
  match 0.595 (equal to the recount); frequency baseline micro-F1 0.096
  (5 draws 0.067-0.117), macro-F1 0.070. On dev (where the thresholds were
  tuned): micro-F1 0.360.
  single-label, 10% person (470 held out), macro-F1 none / balanced:
  seed 1 0.800 / 0.870, seed 2 0.474 / 0.870 (unweighted predicts no
  person), seed 3 0.851 / 0.831; mean 0.708 / 0.857.
  NER (494 held-out sentences), entity F1 none / balanced: 0.350 / 0.229
  (precision 0.368 / 0.144, recall 0.335 / 0.560): balanced gives O a
  weight of 0.003 and over-predicts entities.
"""

import os
import random
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

WNUT17 = "/work/shared/data/wnut17/train.conll"
TYPES = ["person", "location", "corporation", "product", "creative-work",
         "group"]


def read_sentences(path=WNUT17):
  sentences, current = [], []
  for line in open(path, encoding="utf-8"):
    line = line.rstrip("\n")
    if not line.strip():
      if current:
        sentences.append(current)
        current = []
      continue
    token, tag = line.split("\t")
    current.append((token, tag))
  if current:
    sentences.append(current)
  return sentences


def _clean(token):
  # The tsv task reads quotes as text; the csv reader would not, so the
  # same files stay usable as csv after a delimiter change.
  return token.replace("\t", " ").replace('"', "'")


def _write(path, lines):
  os.makedirs(os.path.dirname(path), exist_ok=True)
  with open(path, "w", encoding="utf-8") as f:
    f.write("\n".join(lines) + "\n")


def prepare(out):
  sentences = read_sentences()
  order = list(range(len(sentences)))
  random.Random(0).shuffle(order)
  parts = {"train": order[:2400], "dev": order[2400:2900],
           "test": order[2900:]}

  def text(i):
    return " ".join(_clean(t) for t, _ in sentences[i])

  def ml_rows(ids):
    rows = ["text\tlabels"]
    for i in ids:
      types = sorted({tag[2:] for _, tag in sentences[i] if tag != "O"},
                     key=TYPES.index)
      rows.append(text(i) + "\t" + ",".join(types))
    return rows

  for name, ids in parts.items():
    _write(os.path.join(out, "ml", name + ".tsv"), ml_rows(ids))
  _write(os.path.join(out, "ml_heldout", "train.tsv"), ml_rows(parts["train"]))
  for name in ("dev", "test"):
    _write(os.path.join(out, "ml_heldout", name + ".tsv"),
           ml_rows(parts["test"]))

  def person(i):
    return any(tag.endswith("-person") for _, tag in sentences[i])

  rng = random.Random(1)
  for name, ids in parts.items():
    positives = [i for i in ids if person(i)]
    negatives = [i for i in ids if not person(i)]
    positives = rng.sample(positives, min(max(1, round(len(negatives) / 9)),
                                          len(positives)))
    keep = positives + negatives
    rng.shuffle(keep)
    _write(os.path.join(out, "sl", name + ".tsv"), ["text\tlabel"] + [
        text(i) + "\t" + ("person" if person(i) else "other") for i in keep])
  for name, part in (("train.txt", "train"), ("dev.txt", "test")):
    lines = []
    for i in parts[part]:
      lines += ["%s\t%s" % (t, tag) for t, tag in sentences[i]] + [""]
    _write(os.path.join(out, "nerdata", name), lines[:-1])


def score_multilabel(out, run_dir):
  import column_task  # pylint: disable=g-import-not-at-top
  import multilabel  # pylint: disable=g-import-not-at-top
  data = os.path.join(out, "ml_heldout")
  labels, _, sets = multilabel.read_test_results(
      os.path.join(run_dir, "test_results.tsv"))
  processor = column_task.get_processor("tsv", data)
  gold = np.array([[int(l in e.label) for l in labels]
                   for e in processor.get_test_examples(data)])
  predicted = np.array([[int(l in s) for l in labels] for s in sets])
  recount = multilabel.metrics(predicted, gold, labels)
  reported = {}
  for line in open(os.path.join(run_dir, "eval_results.txt")):
    key, value = line.split(" = ")
    reported[key] = float(value)
  for key in ("micro_f1", "macro_f1", "exact_match"):
    print("%s: reported %.6f, recounted %.6f" % (key, reported["eval_" + key],
                                                 recount[key]))
  train = np.array([[int(l in e.label) for l in labels]
                    for e in processor.get_train_examples(data)])
  for seed in range(5):
    baseline = multilabel.metrics(
        multilabel.frequency_baseline(train, len(gold), seed), gold, labels)
    print("frequency baseline (draw %d): micro-F1 %.4f, macro-F1 %.4f" %
          (seed, baseline["micro_f1"], baseline["macro_f1"]))


def score_single(out, prefix):
  gold_names = [line.rstrip("\n").split("\t")[1] for line in
                open(os.path.join(out, "sl", "test.tsv"))][1:]
  labels = ["other", "person"]
  gold = np.array([labels.index(n) for n in gold_names])

  def f1(p, c):
    tp = np.sum((p == c) & (gold == c))
    wrong = np.sum((p == c) & (gold != c)) + np.sum((p != c) & (gold == c))
    return 2 * tp / (2 * tp + wrong) if tp + wrong else 0.0

  for weights in ("none", "balanced"):
    for seed in (1, 2, 3):
      path = "%s_%s_%d/test_results.tsv" % (prefix, weights, seed)
      if not os.path.exists(path):
        continue
      predicted = np.loadtxt(path, ndmin=2).argmax(axis=1)
      print("%-8s seed %d: macro-F1 %.4f" % (
          weights, seed, (f1(predicted, 0) + f1(predicted, 1)) / 2))


if __name__ == "__main__":
  command = sys.argv[1]
  if command == "prepare":
    prepare(sys.argv[2])
  elif command == "multilabel":
    score_multilabel(sys.argv[2], sys.argv[3])
  else:
    score_single(sys.argv[2], sys.argv[3])
