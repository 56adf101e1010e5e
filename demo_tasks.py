# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Builds a small sentence-pair classification task from plain text.

The fine-tuning demo needs a labelled task without downloading GLUE. This
makes one out of any pre-training style text (one sentence per line,
documents separated by blank lines, like `sample_text.txt`): "is sentence B
the sentence that follows sentence A?". Label 1 pairs are consecutive
sentences of one document; label 0 pairs put a random sentence, preferably
from another document, after A. The folder is written in the MRPC layout, so
`run_classifier.py --task_name=mrpc` reads it unchanged:

  python demo_tasks.py --task=next_sentence --input_file=sample_text.txt \
      --output_dir=demo_output/next_sentence

It also makes a single-sentence task, "is this sentence in its original word
order, or scrambled?", in the CoLA layout (`--task_name=cola`). A model needs
word-order statistics to solve it, which is exactly what masked-LM
pre-training teaches: the demo's pre-trained model learns it in seconds while
the same model from random weights stays at chance.

  python demo_tasks.py --task=word_order --input_file=sample_text.txt \
      --output_dir=demo_output/word_order
"""

import os
import random

# First of all: it imports TensorFlow keeping its own messages out of the
# default log (shown with -v 1).
import tf_quiet  # pylint: disable=unused-import,g-bad-import-order
from absl import flags
import tensorflow as tf

import script_settings
import script_utils
from script_utils import UsageError

FLAGS = flags.FLAGS

_MRPC_HEADER = ("Quality", "#1 ID", "#2 ID", "#1 String", "#2 String")
_MRPC_TEST_HEADER = ("index", "#1 ID", "#2 ID", "#1 String", "#2 String")


def read_documents(input_file):
  """Reads documents: lists of sentences, split at blank lines.

  Tabs become spaces (the output is tab-separated) and surrounding
  whitespace is dropped.

  Returns:
    list of documents, each a non-empty list of sentence strings.
  """
  script_utils.require_file(input_file, "input_file")
  documents = [[]]
  with tf.io.gfile.GFile(input_file, "r") as reader:
    for line in reader:
      sentence = " ".join(line.replace("\t", " ").split())
      if sentence:
        documents[-1].append(sentence)
      elif documents[-1]:
        documents.append([])
  return [document for document in documents if document]


def make_next_sentence_pairs(documents, rng):
  """One positive and (when possible) one negative pair per sentence pair.

  Args:
    documents: list of lists of sentences.
    rng: random.Random.

  Returns:
    list of (label, id_a, id_b, sentence_a, sentence_b); label is "1" when
    sentence_b follows sentence_a in its document, "0" otherwise. Ids are
    the sentences' positions in the whole text.
  """
  sentences = []  # (document index, sentence)
  for doc_index, document in enumerate(documents):
    for sentence in document:
      sentences.append((doc_index, sentence))

  pairs = []
  position = 0
  for doc_index, document in enumerate(documents):
    for i in range(len(document) - 1):
      id_a, id_b = position + i, position + i + 1
      pairs.append(("1", id_a, id_b, document[i], document[i + 1]))
      negative = _random_other_sentence(sentences, doc_index, id_a, id_b, rng)
      if negative is not None:
        pairs.append(("0", id_a, negative, document[i],
                      sentences[negative][1]))
    position += len(document)
  return pairs


def _random_other_sentence(sentences, doc_index, id_a, id_next, rng):
  """Id of a sentence that does not follow id_a, or None if there is none.

  Preferably from another document: a sentence of the same document is on
  topic, which makes the task much harder for a small demo model.
  """
  for _ in range(100):
    i = rng.randrange(len(sentences))
    if sentences[i][0] != doc_index:
      return i
  # (Nearly) all the text is this one document.
  candidates = [
      i for i in range(len(sentences))
      if i not in (id_a, id_next) and sentences[i][1] != sentences[id_next][1]
  ]
  return rng.choice(candidates) if candidates else None


def _check_fractions(dev_fraction, test_fraction):
  """Raises UsageError unless both shares are in (0, 1) and leave training."""
  if not 0 < dev_fraction < 1 or not 0 < test_fraction < 1 or (
      dev_fraction + test_fraction >= 1):
    raise UsageError("dev_fraction and test_fraction must be in (0, 1) and "
                     "leave room for training data")


def split_pairs(pairs, dev_fraction, test_fraction, rng):
  """Shuffles and splits pairs into non-empty train, dev and test lists."""
  if len(pairs) < 3:
    raise UsageError(
        "the text yields %d sentence pair(s); at least 3 are needed (one each "
        "for train, dev and test): give more sentences, one per line" %
        len(pairs))
  pairs = list(pairs)
  rng.shuffle(pairs)
  num_test = max(1, int(round(len(pairs) * test_fraction)))
  num_dev = max(1, int(round(len(pairs) * dev_fraction)))
  num_train = max(1, len(pairs) - num_dev - num_test)
  num_dev = min(num_dev, len(pairs) - num_train - 1)
  train = pairs[:num_train]
  dev = pairs[num_train:num_train + num_dev]
  test = pairs[num_train + num_dev:]
  return train, dev, test


def _write_tsv(path, header, rows):
  with script_utils.atomic_output(path) as writer:
    writer.write("\t".join(header) + "\n")
    for row in rows:
      writer.write("\t".join(str(x) for x in row) + "\n")


def write_next_sentence_task(input_file, output_dir, dev_fraction=0.1,
                             test_fraction=0.1, seed=12345):
  """Writes train.tsv, dev.tsv and test.tsv (MRPC layout) into output_dir.

  The test file has no labels, as in GLUE; `test_labels.tsv` holds them (one
  per line, in test order) for anyone who wants to score test_results.tsv.

  Args:
    input_file: text, one sentence per line, blank lines between documents.
    output_dir: directory to create or fill.
    dev_fraction, test_fraction: shares of the pairs held out.
    seed: int, for the negative sentences and the split.

  Returns:
    dict with the number of "train", "dev" and "test" pairs.
  """
  _check_fractions(dev_fraction, test_fraction)
  rng = random.Random(seed)
  documents = read_documents(input_file)
  pairs = make_next_sentence_pairs(documents, rng)
  train, dev, test = split_pairs(pairs, dev_fraction, test_fraction, rng)
  script_utils.prepare_output_dir(output_dir)
  _write_tsv(os.path.join(output_dir, "train.tsv"), _MRPC_HEADER, train)
  _write_tsv(os.path.join(output_dir, "dev.tsv"), _MRPC_HEADER, dev)
  _write_tsv(os.path.join(output_dir, "test.tsv"), _MRPC_TEST_HEADER,
             [(i,) + tuple(pair[1:]) for i, pair in enumerate(test)])
  with script_utils.atomic_output(os.path.join(output_dir,
                                               "test_labels.tsv")) as writer:
    writer.write("".join(pair[0] + "\n" for pair in test))
  return {"train": len(train), "dev": len(dev), "test": len(test)}


def make_word_order_groups(documents, rng):
  """Each sentence with a scrambled copy of itself.

  Args:
    documents: list of lists of sentences.
    rng: random.Random.

  Returns:
    list of groups, one per distinct sentence of at least two distinct words:
    [("1", sentence), ("0", the same words in another order)].
  """
  groups = []
  seen = set()
  for document in documents:
    for sentence in document:
      # A repeated sentence could otherwise land in train and in dev.
      if sentence in seen:
        continue
      seen.add(sentence)
      words = sentence.split()
      for _ in range(20):
        shuffled = list(words)
        rng.shuffle(shuffled)
        if shuffled != words:
          groups.append([("1", sentence), ("0", " ".join(shuffled))])
          break
  return groups


def write_word_order_task(input_file, output_dir, dev_fraction=0.1,
                          test_fraction=0.1, seed=12345):
  """Writes an "original or scrambled word order?" task in the CoLA layout.

  A sentence and its scrambled copy always land in the same split, so the
  dev and test sentences are never seen in training in either form. train.tsv
  and dev.tsv have no header (source, label, mark, sentence); test.tsv has
  the header `index, sentence`, as in the CoLA release; `test_labels.tsv`
  holds the test labels in order.

  Args:
    input_file: text, one sentence per line, blank lines between documents.
    output_dir: directory to create or fill.
    dev_fraction, test_fraction: shares of the sentences held out.
    seed: int, for the scrambling and the split.

  Returns:
    dict with the number of "train", "dev" and "test" examples.
  """
  _check_fractions(dev_fraction, test_fraction)
  rng = random.Random(seed)
  groups = make_word_order_groups(read_documents(input_file), rng)
  splits = split_pairs(groups, dev_fraction, test_fraction, rng)
  train, dev, test = [[example for group in split for example in group]
                      for split in splits]
  for split in (train, dev, test):
    rng.shuffle(split)
  script_utils.prepare_output_dir(output_dir)

  def write_labelled(path, examples):
    with script_utils.atomic_output(path) as writer:
      for label, sentence in examples:
        writer.write("demo\t%s\t\t%s\n" % (label, sentence))

  write_labelled(os.path.join(output_dir, "train.tsv"), train)
  write_labelled(os.path.join(output_dir, "dev.tsv"), dev)
  _write_tsv(os.path.join(output_dir, "test.tsv"), ("index", "sentence"),
             [(i, sentence) for i, (_, sentence) in enumerate(test)])
  with script_utils.atomic_output(os.path.join(output_dir,
                                               "test_labels.tsv")) as writer:
    writer.write("".join(label + "\n" for label, _ in test))
  return {"train": len(train), "dev": len(dev), "test": len(test)}


TASKS = {
    "next_sentence": (write_next_sentence_task, "MRPC"),
    "word_order": (write_word_order_task, "CoLA"),
}


def define_flags(flag_values=flags.FLAGS):
  """Defines the script's flags on `flag_values` (only when run as a
  script, or by `script_settings.defaults`)."""
  define = script_utils.flag_definers(flag_values)
  # The demo's task is the default: the one a pre-trained model can learn
  # and a random one cannot (see demo.sh).
  define.enum("task", "word_order", sorted(TASKS),
              "Which task to make (see the module docstring).")
  define.string(
      "input_file", None,
      "Text with one sentence per line and blank lines between documents.")
  define.string("output_dir", None,
                "Folder to write train.tsv, dev.tsv, test.tsv into.")
  define.float("dev_fraction", 0.1, "Share of the pairs for dev.tsv.")
  define.float("test_fraction", 0.1, "Share of the pairs for test.tsv.")
  define.integer("random_seed", 12345,
                 "Seed for the negative pairs and the split.")


def run(settings):
  """Writes the task's files: `settings` has one value per flag (see
  `script_settings`)."""
  script_utils.require_flags(settings, ["input_file", "output_dir"])
  write_task, layout = TASKS[settings.task]
  counts = write_task(settings.input_file, settings.output_dir,
                      settings.dev_fraction, settings.test_fraction,
                      settings.random_seed)
  print("Wrote %d train, %d dev and %d test examples (%s layout) to %s" %
        (counts["train"], counts["dev"], counts["test"], layout,
         settings.output_dir))


def main(_):
  run(script_settings.from_flags(FLAGS))


if __name__ == "__main__":
  define_flags()
  script_utils.run(main)
