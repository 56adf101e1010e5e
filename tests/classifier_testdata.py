# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Tiny vocabularies, configs, checkpoints and GLUE-layout folders for tests.

The synthetic tasks are built to be learnable by a 2-layer, 32-wide model in
a few dozen steps from scratch:

- pair task (MRPC layout): text_a is random filler; text_b is made of
  "positive" words for label 1 and of "negative" words for label 0, so that
  every token of b carries the label;
- regression (STS-B layout): text_b has five words, the score (0 to 5) is
  how many of them are "positive".
"""

import os
import types

import numpy as np

from tests import helpers
from tests.helpers import tiny_bert_config

FILLER = ("apple river stone cloud music paper table green quick slow "
          "window garden silver orange mountain letter bridge candle "
          "forest rabbit winter summer yellow purple engine pocket basket "
          "ladder meadow pencil").split()
POSITIVE = "good great happy bright warm kind lovely sunny".split()
NEGATIVE = "bad awful sad dark cold cruel ugly rainy".split()
VOCAB = (["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + FILLER + POSITIVE +
         NEGATIVE)

MRPC_HEADER = ["Quality", "#1 ID", "#2 ID", "#1 String", "#2 String"]
MRPC_TEST_HEADER = ["index", "#1 ID", "#2 ID", "#1 String", "#2 String"]
STSB_HEADER = ["index", "genre", "filename", "year", "old_index", "source1",
               "source2", "sentence1", "sentence2", "score"]


def flags_namespace(**overrides):
  """run_classifier.py's flags with their defaults, as a plain namespace.

  The defaults are the flag definitions' (`script_settings.defaults`); the
  namespace, unlike `Settings`, can be changed after it is made.
  """
  # Imported here: the writers of this module need no TensorFlow.
  import run_classifier  # pylint: disable=g-import-not-at-top
  import script_settings  # pylint: disable=g-import-not-at-top
  return types.SimpleNamespace(**script_settings.defaults(
      run_classifier.define_flags, **overrides).as_dict())


def bert_config(max_position_embeddings=32, vocab_size=None):
  """The tiny BERT with 4 heads, sized for VOCAB (or `vocab_size`)."""
  return tiny_bert_config(vocab_size=vocab_size or len(VOCAB),
                          num_attention_heads=4,
                          max_position_embeddings=max_position_embeddings)


def write_model_files(directory, max_position_embeddings=32,
                      with_checkpoint=False):
  """Writes vocab.txt, bert_config.json (and bert_model.ckpt) into directory.

  Returns:
    dict with the paths: vocab_file, bert_config_file, init_checkpoint
    (None unless with_checkpoint).
  """
  directory = str(directory)
  os.makedirs(directory, exist_ok=True)
  config = bert_config(max_position_embeddings)
  init_checkpoint = None
  if with_checkpoint:
    init_checkpoint = helpers.write_encoder_checkpoint(
        config, os.path.join(directory, "bert_model.ckpt"), global_step=False)
  return {"vocab_file": helpers.write_vocab(
              os.path.join(directory, "vocab.txt"), VOCAB),
          "bert_config_file": helpers.write_bert_config(
              os.path.join(directory, "bert_config.json"), config),
          "init_checkpoint": init_checkpoint}


def _words(rng, n, words=FILLER):
  return [words[i] for i in rng.randint(0, len(words), size=n)]


def keyword_pairs(num_examples, seed):
  """[(label "0"/"1", text_a, text_b)], balanced; b's words give the label."""
  rng = np.random.RandomState(seed)
  pairs = []
  for i in range(num_examples):
    label = i % 2
    text_a = _words(rng, rng.randint(3, 7))
    text_b = _words(rng, rng.randint(3, 7), POSITIVE if label else NEGATIVE)
    pairs.append((str(label), " ".join(text_a), " ".join(text_b)))
  order = rng.permutation(len(pairs))
  return [pairs[i] for i in order]


def positive_share_pairs(num_examples, seed):
  """[(score, text_a, text_b)]: score = positive words among b's five."""
  rng = np.random.RandomState(seed)
  pairs = []
  for i in range(num_examples):
    count = i % 6
    text_b = (_words(rng, count, POSITIVE) +
              _words(rng, 5 - count, NEGATIVE))
    rng.shuffle(text_b)
    pairs.append((float(count), " ".join(_words(rng, 4)), " ".join(text_b)))
  order = rng.permutation(len(pairs))
  return [pairs[i] for i in order]


def write_tsv(path, rows):
  with open(path, "w", encoding="utf-8") as f:
    for row in rows:
      f.write("\t".join(str(x) for x in row) + "\n")


def write_mrpc_folder(directory, train, dev, test):
  """MRPC layout from lists of (label, text_a, text_b)."""
  directory = str(directory)
  os.makedirs(directory, exist_ok=True)
  for name, pairs in (("train.tsv", train), ("dev.tsv", dev)):
    write_tsv(os.path.join(directory, name), [MRPC_HEADER] + [
        [label, 1000 + i, 2000 + i, a, b]
        for i, (label, a, b) in enumerate(pairs)
    ])
  write_tsv(os.path.join(directory, "test.tsv"), [MRPC_TEST_HEADER] + [
      [i, 1000 + i, 2000 + i, a, b] for i, (_, a, b) in enumerate(test)
  ])
  return directory


def write_stsb_folder(directory, train, dev, test):
  """STS-B layout from lists of (score, text_a, text_b)."""
  directory = str(directory)
  os.makedirs(directory, exist_ok=True)

  def row(i, a, b):
    return [i, "main-captions", "MSRvid", "2012test", "%04d" % i, "none",
            "none", a, b]

  for name, pairs in (("train.tsv", train), ("dev.tsv", dev)):
    write_tsv(os.path.join(directory, name), [STSB_HEADER] + [
        row(i, a, b) + ["%.3f" % score]
        for i, (score, a, b) in enumerate(pairs)
    ])
  write_tsv(os.path.join(directory, "test.tsv"), [STSB_HEADER[:9]] + [
      row(i, a, b) for i, (_, a, b) in enumerate(test)
  ])
  return directory


def mrpc_fine_tuning_args(directory, max_seq_length, tf_random_seed):
  """Writes the tiny model and an MRPC folder (48 train, 8 dev and 11 test
  keyword pairs) under `directory`.

  Returns:
    (args, test): run_classifier.py arguments that fine-tune on it and
    predict on test.tsv (--output_dir and the rest are the caller's), and
    the test rows (label, a, b).
  """
  files = write_model_files(directory / "model")
  test = keyword_pairs(11, seed=3)
  data_dir = write_mrpc_folder(directory / "data", keyword_pairs(48, seed=1),
                               keyword_pairs(8, seed=2), test)
  return ["run_classifier.py", "--task_name=mrpc", "--do_train=true",
          "--do_predict=true", "--data_dir=" + data_dir,
          "--vocab_file=" + files["vocab_file"],
          "--bert_config_file=" + files["bert_config_file"],
          "--max_seq_length=%d" % max_seq_length, "--train_batch_size=8",
          "--learning_rate=1e-3", "--num_train_epochs=3",
          "--predict_batch_size=4",
          "--tf_random_seed=%d" % tf_random_seed], test


def read_eval_results(path):
  results = {}
  with open(path) as f:
    for line in f:
      key, value = line.split(" = ")
      results[key] = float(value)
  return results


def read_test_results(path):
  with open(path) as f:
    return [[float(x) for x in line.rstrip("\n").split("\t")] for line in f]
