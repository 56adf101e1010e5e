# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Generated CoNLL-layout files and a tiny model for the run_ner.py tests.

The synthetic task: sentences from templates of filler words with a person
(one or two names, B-PER I-PER) and a place (one or two words, B-LOC I-LOC)
put into slots. Training and held-out sentences use different templates, and
the held-out ones different names and places, so the held-out score says
whether the model learned what a name and a place are rather than which
positions or which exact pairs to tag.
"""

import json
import os
import types

import numpy as np

from tests import classifier_testdata
from tests import helpers

# Training names/places and held-out ones; all are single WordPiece tokens
# of the uncased BERT vocabulary (the MiniLM weights use it).
FIRST_NAMES = ("john mary peter susan david linda james anna robert laura "
               "michael sarah thomas emma george alice").split()
LAST_NAMES = "smith jones brown wilson taylor clark".split()
PLACES = ("paris london berlin madrid rome tokyo moscow vienna chicago boston "
          "texas canada india brazil egypt china").split()
PLACE_SECOND = ("city", "york")  # "new york", "mexico city"-like pairs.
HELD_OUT_FIRST_NAMES = "william elizabeth charles helen daniel karen".split()
HELD_OUT_PLACES = "dublin athens prague cairo sydney toronto".split()

TRAIN_TEMPLATES = [
    "yesterday {PER} flew to {LOC} for a meeting",
    "{PER} lives in {LOC} with a dog",
    "the letter from {LOC} was written by {PER}",
    "we saw {PER} near the station in {LOC}",
    "in {LOC} the weather was cold when {PER} arrived",
    "{PER} said that {LOC} is far away",
    "a friend of {PER} moved to {LOC} last year",
    "after the game {PER} stayed in {LOC}",
]
HELD_OUT_TEMPLATES = [
    "last week {PER} visited {LOC} with a friend",
    "the train to {LOC} left before {PER} came",
    "{PER} wrote a book about {LOC}",
    "people in {LOC} know {PER} well",
]

# A vocabulary for the tiny randomly initialised model.
VOCAB = (["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + sorted(set(
    " ".join(TRAIN_TEMPLATES + HELD_OUT_TEMPLATES).replace("{PER}", "")
    .replace("{LOC}", "").split())) + FIRST_NAMES + LAST_NAMES + PLACES +
         list(PLACE_SECOND) + HELD_OUT_FIRST_NAMES + HELD_OUT_PLACES +
         ["##s", "##x", "new"])


def _entity(rng, first_words, second_words, entity_type):
  words = [first_words[rng.randint(len(first_words))]]
  if rng.rand() < 0.4:
    words.append(second_words[rng.randint(len(second_words))])
  return [(word, ("B-" if i == 0 else "I-") + entity_type)
          for i, word in enumerate(words)]


def tagging_sentences(num_sentences, seed, held_out=False):
  """Sentences of the synthetic task: lists of (word, tag)."""
  rng = np.random.RandomState(seed)
  templates = HELD_OUT_TEMPLATES if held_out else TRAIN_TEMPLATES
  first_names = HELD_OUT_FIRST_NAMES if held_out else FIRST_NAMES
  places = HELD_OUT_PLACES if held_out else PLACES
  sentences = []
  for _ in range(num_sentences):
    template = templates[rng.randint(len(templates))]
    sentence = []
    for word in template.split():
      if word == "{PER}":
        sentence += _entity(rng, first_names, LAST_NAMES, "PER")
      elif word == "{LOC}":
        sentence += _entity(rng, places, PLACE_SECOND, "LOC")
      else:
        sentence.append((word, "O"))
    sentences.append(sentence)
  return sentences


def write_conll(path, sentences, tagged=True, docstart=False,
                trailing_blank=True, separator="\n"):
  """Writes sentences (lists of (word, tag)) in the CoNLL layout."""
  parts = ["-DOCSTART- -X- -X- O\n\n"] if docstart else []
  for index, sentence in enumerate(sentences):
    if index:
      parts.append(separator)
    for word, tag in sentence:
      parts.append("%s %s\n" % (word, tag) if tagged else "%s\n" % word)
  if trailing_blank:
    parts.append("\n")
  with open(path, "w", encoding="utf-8") as f:
    f.write("".join(parts))


def write_tiny_model(directory, max_position_embeddings=32):
  """vocab.txt and bert_config.json of a 2-layer, 32-wide model."""
  directory = str(directory)
  os.makedirs(directory, exist_ok=True)
  vocab_file = helpers.write_vocab(os.path.join(directory, "vocab.txt"), VOCAB)
  config_file = helpers.write_bert_config(
      os.path.join(directory, "bert_config.json"),
      classifier_testdata.bert_config(max_position_embeddings,
                                      vocab_size=len(VOCAB)))
  return {"vocab_file": vocab_file, "bert_config_file": config_file}


def flags_namespace(**overrides):
  """run_ner.py's flags with their defaults, as a plain namespace.

  The defaults are the flag definitions' (`script_settings.defaults`).
  """
  # Imported here: the writers of this module need no TensorFlow.
  import run_ner  # pylint: disable=g-import-not-at-top
  import script_settings  # pylint: disable=g-import-not-at-top
  return types.SimpleNamespace(**script_settings.defaults(
      run_ner.define_flags, **overrides).as_dict())


def read_predictions(path):
  """test_predictions.txt as a list of sentences of column lists."""
  sentences, current = [], []
  with open(path, encoding="utf-8") as f:
    for line in f:
      if line.strip():
        current.append(line.split())
      elif current:
        sentences.append(current)
        current = []
  if current:
    sentences.append(current)
  return sentences


def shrink_checkpoint(google_dir, output_dir, vocab, num_layers):
  """A smaller copy of a converted BERT checkpoint: some words, some layers.

  Keeps the embedding rows of `vocab` (every entry must be in the original
  vocabulary) and the first `num_layers` Transformer layers; everything else
  the model keeps as it was trained. Fine-tuning it costs a fraction of the
  whole model's time, with the same pre-trained knowledge of those words.

  Returns:
    dict with vocab_file, bert_config_file and init_checkpoint.
  """
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  tf1 = tf.compat.v1
  with open(os.path.join(google_dir, "vocab.txt"), encoding="utf-8") as f:
    original_ids = {line.rstrip("\n"): i for i, line in enumerate(f)}
  rows = [original_ids[token] for token in vocab]
  with open(os.path.join(google_dir, "bert_config.json")) as f:
    config = json.load(f)
  config.update(vocab_size=len(vocab), num_hidden_layers=num_layers)
  reader = tf.train.load_checkpoint(os.path.join(google_dir,
                                                 "bert_model.ckpt"))
  kept_layers = tuple("bert/encoder/layer_%d/" % i for i in range(num_layers))
  os.makedirs(output_dir, exist_ok=True)
  checkpoint = os.path.join(output_dir, "bert_model.ckpt")
  with tf.Graph().as_default():
    for name in sorted(reader.get_variable_to_shape_map()):
      if name.startswith("bert/encoder/layer_") and not name.startswith(
          kept_layers):
        continue
      value = reader.get_tensor(name)
      if name == "bert/embeddings/word_embeddings":
        value = value[rows]
      tf1.get_variable(name, initializer=value)
    with tf1.Session() as sess:
      sess.run(tf1.global_variables_initializer())
      tf1.train.Saver().save(sess, checkpoint)
  paths = {"vocab_file": os.path.join(output_dir, "vocab.txt"),
           "bert_config_file": os.path.join(output_dir, "bert_config.json"),
           "init_checkpoint": checkpoint}
  helpers.write_vocab(paths["vocab_file"], vocab)
  helpers.write_bert_config(paths["bert_config_file"], config)
  return paths
