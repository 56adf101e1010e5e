# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Random bytes and random Unicode into every reader of user data.

The only acceptable failure is the documented one: `script_utils.UsageError`
(a ValueError) naming the file and what is wrong. Anything else (KeyError,
IndexError, UnicodeDecodeError, TypeError, ...) is a crash a user would see
as a traceback. (Random Unicode through the tokenizers' properties is in
test_tokenization.py; here the tokenizer gets raw bytes.)
"""

import json
import os
import random
import tempfile

from hypothesis import given
from hypothesis import HealthCheck
from hypothesis import settings
from hypothesis import strategies as st
import pytest

import create_pretraining_data as cpd
import run_classifier
import run_squad
import script_utils
import tokenization
from tests import helpers

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow,
                                       HealthCheck.function_scoped_fixture])

WORDS = ("the a cat dog sat on mat it was big red run ran over house "
         "bird sang song sun moon day night good bad").split()
VOCAB = (["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + WORDS +
         ["##s", "##ed", "##ing", ".", ",", "?", "!", "é", "中"])


@pytest.fixture(scope="module")
def vocab_file(tmp_path_factory):
  return helpers.write_vocab(
      tmp_path_factory.mktemp("fuzz_vocab") / "vocab.txt", VOCAB)


def _write(directory, name, content):
  path = os.path.join(directory, name)
  os.makedirs(os.path.dirname(path), exist_ok=True)
  mode = "wb" if isinstance(content, bytes) else "w"
  kwargs = {} if isinstance(content, bytes) else {"encoding": "utf-8",
                                                    "newline": ""}
  with open(path, mode, **kwargs) as f:
    f.write(content)
  return path


# Text likely to reach deep into the parsers: words of the vocabulary,
# separators, quotes, control characters and anything else.
_FIELD = st.one_of(
    st.sampled_from(WORDS + ["0", "1", "2.5", "-1", "nan", "", " ", '"',
                             "entailment", "not_entailment", "neutral",
                             "contradiction", "zh", "en"]),
    st.text(max_size=12))
_LINE = st.lists(_FIELD, max_size=12).map("\t".join)
_TEXT_FILE = st.one_of(
    st.lists(_LINE, max_size=8).map("\n".join),
    st.text(max_size=200),
    st.binary(max_size=200))


# ----------------------------------------------------------------------------
# Tokenizer: raw bytes (decoded leniently, never raising)
# ----------------------------------------------------------------------------


@FUZZ
@given(data=st.binary(max_size=200), do_lower_case=st.booleans())
def test_full_tokenizer_on_random_bytes(vocab_file, data, do_lower_case):
  tokenizer = tokenization.FullTokenizer(vocab_file,
                                         do_lower_case=do_lower_case)
  tokens = tokenizer.tokenize(data)
  assert all(token in tokenizer.vocab for token in tokens)
  ids = tokenizer.convert_tokens_to_ids(tokens)
  assert tokenizer.convert_ids_to_tokens(ids) == tokens
  basic = tokenization.BasicTokenizer(do_lower_case=do_lower_case)
  assert all(token.strip() == token and token
             for token in basic.tokenize(data))


# ----------------------------------------------------------------------------
# Classifier processors: random TSV in each task's layout
# ----------------------------------------------------------------------------


def _file_read_by(method, data_dir):
  """The path a processor method reads, from its 'file not found' error."""
  with pytest.raises(script_utils.UsageError) as e:
    method(data_dir)
  message = str(e.value)
  assert ": file not found" in message, message
  return message.split(": file not found")[0]


@FUZZ
@pytest.mark.parametrize("task", sorted(run_classifier.PROCESSORS))
@given(content=_TEXT_FILE,
       set_type=st.sampled_from(["train", "dev", "test"]))
def test_classifier_processors_on_random_tsv(task, content, set_type):
  processor = run_classifier.get_processor(task)
  method = getattr(processor, "get_%s_examples" % set_type)
  with tempfile.TemporaryDirectory() as data_dir:
    path = _file_read_by(method, data_dir)
    _write(data_dir, os.path.relpath(path, data_dir), content)
    try:
      examples = method(data_dir)
    except script_utils.UsageError as e:
      # One line naming the file.
      assert "\n" not in str(e).strip()
      assert data_dir in str(e) or "--" in str(e), str(e)
      return
  labels = processor.get_labels()
  for example in examples:
    assert isinstance(example.text_a, str)
    assert example.text_b is None or isinstance(example.text_b, str)
    if set_type != "test" and not processor.is_regression:
      assert example.label in labels


# ----------------------------------------------------------------------------
# SQuAD reader: random JSON-ish structures and random bytes
# ----------------------------------------------------------------------------

_KEYS = st.sampled_from(["data", "paragraphs", "context", "qas", "id",
                         "question", "answers", "text", "answer_start",
                         "is_impossible", "title", "version"])
_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 50) | st.floats(
        allow_nan=False) | _FIELD,
    lambda children: (st.lists(children, max_size=3) |
                      st.dictionaries(_KEYS | st.text(max_size=4), children,
                                      max_size=5)),
    max_leaves=25)


def _squad_like():
  """Nearly SQuAD: the right skeleton with random values in it."""
  answer = st.fixed_dictionaries(
      {"text": _FIELD | _JSONISH, "answer_start": st.integers(-3, 60) |
       _JSONISH})
  qa = st.fixed_dictionaries(
      {"id": _FIELD | _JSONISH, "question": _FIELD | _JSONISH,
       "answers": st.lists(answer, max_size=2) | _JSONISH},
      optional={"is_impossible": st.booleans() | _JSONISH})
  paragraph = st.fixed_dictionaries(
      {"context": st.text(max_size=60) | _JSONISH,
       "qas": st.lists(qa, max_size=3) | _JSONISH})
  article = st.fixed_dictionaries(
      {"paragraphs": st.lists(paragraph, max_size=2) | _JSONISH})
  return st.fixed_dictionaries({"data": st.lists(article, max_size=2)})


_SQUAD_FILE = st.one_of(
    _squad_like().map(json.dumps),
    _JSONISH.map(json.dumps),
    st.fixed_dictionaries({"data": _JSONISH}).map(json.dumps),
    st.text(max_size=100),
    st.binary(max_size=100))


@FUZZ
@given(content=_SQUAD_FILE, is_training=st.booleans(),
       version_2=st.booleans())
def test_read_squad_examples_on_random_input(content, is_training, version_2):
  with tempfile.TemporaryDirectory() as tmp:
    path = _write(tmp, "squad.json", content)
    try:
      examples = run_squad.read_squad_examples(
          path, is_training=is_training, version_2_with_negative=version_2)
    except script_utils.UsageError as e:
      assert "\n" not in str(e).strip()
      assert path in str(e), str(e)
      return
  for example in examples:
    assert isinstance(example.question_text, str)
    assert all(isinstance(token, str) for token in example.doc_tokens)


# ----------------------------------------------------------------------------
# Pre-training data: random text files through create_training_instances
# ----------------------------------------------------------------------------


@FUZZ
@given(files=st.lists(_TEXT_FILE, min_size=1, max_size=3),
       seed=st.integers(0, 1000), whole_word=st.booleans())
def test_create_training_instances_on_random_text(vocab_file, files, seed,
                                                  whole_word):
  tokenizer = tokenization.FullTokenizer(vocab_file, do_lower_case=True)
  with tempfile.TemporaryDirectory() as tmp:
    paths = [_write(tmp, "input%d.txt" % i, content)
             for i, content in enumerate(files)]
    try:
      instances = cpd.create_training_instances(
          paths, tokenizer, max_seq_length=16, dupe_factor=2,
          short_seq_prob=0.2, masked_lm_prob=0.15, max_predictions_per_seq=3,
          rng=random.Random(seed), do_whole_word_mask=whole_word)
    except script_utils.UsageError as e:
      # The documented errors: a file that is not UTF-8, with its line, or
      # text that is one document, which has no random next sentence.
      assert ("not valid UTF-8" in str(e) or
              "holds a single document" in str(e)), str(e)
      assert any(path in str(e) for path in paths)
      return
    for instance in instances:
      assert len(instance.tokens) <= 16
      assert instance.tokens[0] == "[CLS]"
      assert len(instance.masked_lm_positions) <= 3
      assert all(token in tokenizer.vocab for token in instance.tokens)
    if instances:
      out = os.path.join(tmp, "out.tfrecord")
      cpd.write_instance_to_example_files(instances, tokenizer, 16, 3, [out])
      assert os.path.getsize(out) > 0
