# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Code written against the original BERT scripts, called the original's way.

Notebooks and forks call the original's functions with its positional
arguments after its set-up: flags defined (importing the original script
defined them; here `define_flags()` does) and parsed, e.g.
`FLAGS(["prog", "--version_2_with_negative=true"])`. Where the original read
a setting from FLAGS inside a function, this project takes a keyword
argument; the rule tested here is: an explicit keyword argument wins,
else the flag's value when the flag is defined, else the default.

Every test restores the flags it touches (values, definitions and the parsed
state), so nothing leaks into other tests.
"""

import importlib
import json
import os
import random

from absl import flags
from absl.testing import flagsaver
import numpy as np
import pytest
import tensorflow as tf

import estimator_runtime
import modeling
import run_squad
import squad_metrics
import tokenization
from tests import squad_data

tf1 = tf.compat.v1

FLAGS = flags.FLAGS

MAX_SEQ_LENGTH = 48
DOC_STRIDE = 16
MAX_QUERY_LENGTH = 12


@pytest.fixture
def original_flags():
  """run_squad's flags, defined as importing the original script did.

  Yields absl's global FLAGS. Afterwards the values are restored, the flags
  this fixture defined are removed and, if FLAGS was not parsed before, it is
  unparsed again.
  """
  was_parsed = FLAGS.is_parsed()
  before = set(FLAGS)
  if "version_2_with_negative" not in FLAGS:
    run_squad.define_flags()
  added = set(FLAGS) - before
  try:
    with flagsaver.flagsaver():
      yield FLAGS
  finally:
    for name in added:
      delattr(FLAGS, name)
    if not was_parsed:
      FLAGS.unparse_flags()


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory):
  vocab = squad_data.write_vocab(tmp_path_factory.mktemp("vocab") / "vocab.txt")
  return tokenization.FullTokenizer(vocab, do_lower_case=True)


def _convert(examples, tokenizer, is_training,
             max_query_length=MAX_QUERY_LENGTH):
  features = []
  # The original's positional order: examples, tokenizer, max_seq_length,
  # doc_stride, max_query_length, is_training, output_fn.
  run_squad.convert_examples_to_features(examples, tokenizer, MAX_SEQ_LENGTH,
                                         DOC_STRIDE, max_query_length,
                                         is_training, features.append)
  return features


def _oracle_results(train_features):
  """Start/end logits peaked at each window's training target ([CLS] when
  the window has no answer, as for an unanswerable question)."""
  results = []
  for feature in train_features:
    rows = []
    for position in (feature.start_position, feature.end_position):
      row = np.full(MAX_SEQ_LENGTH, -10.0)
      row[:len(feature.tokens)] = 0.0
      row[position] = 8.0
      rows.append(row.tolist())
    results.append(run_squad.RawResult(feature.unique_id, rows[0], rows[1]))
  return results


@pytest.fixture
def squad2(tmp_path, tokenizer):
  """A SQuAD 2.0 file (answerable and unanswerable questions), its
  prediction examples and features, and oracle results."""
  path = squad_data.write_dataset(tmp_path / "dev-v2.0.json", version_2=True)
  examples = run_squad.read_squad_examples(path, False, True)
  labelled = run_squad.read_squad_examples(path, True, True)
  train_features = _convert(labelled, tokenizer, True)
  features = _convert(examples, tokenizer, False)
  assert [f.unique_id for f in features] == [
      f.unique_id for f in train_features]
  return dict(path=path, examples=examples, features=features,
              results=_oracle_results(train_features),
              dataset=squad_data.dataset(version_2=True))


def _write_original_way(data, out_dir, **kwargs):
  """write_predictions with the original's nine positional arguments (and
  optional keyword arguments); returns the three files' contents."""
  os.makedirs(str(out_dir), exist_ok=True)
  files = [os.path.join(str(out_dir), name) for name in
           ("predictions.json", "nbest_predictions.json", "null_odds.json")]
  run_squad.write_predictions(data["examples"], data["features"],
                              data["results"], 20, 30, True, *files, **kwargs)
  return [json.load(open(path)) if os.path.exists(path) else None
          for path in files]


# ----------------------------------------------------------------------------
# run_squad
# ----------------------------------------------------------------------------


def test_write_predictions_takes_squad2_settings_from_flags(
    original_flags, squad2, tmp_path):
  original_flags(["prog", "--version_2_with_negative=true"])
  predictions, nbest, null_odds = _write_original_way(squad2, tmp_path / "o")
  metrics = squad_metrics.evaluate(squad2["dataset"], predictions,
                                   null_odds=null_odds)
  # SQuAD 1.1-style answers to the unanswerable questions scored 77.8 here.
  assert metrics["f1"] >= 99.0
  assert metrics["NoAns_f1"] == 100.0 and metrics["HasAns_f1"] == 100.0
  assert set(null_odds) == set(squad_data.gold())
  for (qid, _, _) in squad_data.IMPOSSIBLE:
    assert predictions[qid] == ""
    assert any(entry["text"] == "" for entry in nbest[qid])


def test_write_predictions_takes_threshold_from_flags(original_flags, squad2,
                                                      tmp_path):
  # The oracle's null odds are +16 for unanswerable questions; a threshold
  # above that answers them all.
  original_flags(["prog", "--version_2_with_negative=true",
                  "--null_score_diff_threshold=20.0"])
  predictions, _, null_odds = _write_original_way(squad2, tmp_path / "o")
  for (qid, _, _) in squad_data.IMPOSSIBLE:
    assert 0 < null_odds[qid] < 20.0
    assert predictions[qid] != ""


def test_explicit_keyword_arguments_win_over_flags(original_flags, squad2,
                                                   tmp_path):
  original_flags(["prog", "--version_2_with_negative=true",
                  "--null_score_diff_threshold=20.0"])
  predictions, nbest, null_odds = _write_original_way(
      squad2, tmp_path / "v1", version_2_with_negative=False)
  assert null_odds is None  # No null_odds.json for SQuAD 1.1.
  assert all(predictions.values())
  assert all(entry["text"] for entries in nbest.values() for entry in entries)

  predictions, _, _ = _write_original_way(squad2, tmp_path / "threshold",
                                          null_score_diff_threshold=0.0)
  metrics = squad_metrics.evaluate(squad2["dataset"], predictions)
  assert metrics["f1"] == 100.0


def test_without_flags_the_defaults_apply(monkeypatch, squad2, tmp_path):
  # Flags not defined (a fresh flag registry): SQuAD 1.1, threshold 0.
  monkeypatch.setattr(run_squad, "FLAGS", flags.FlagValues())
  predictions, _, null_odds = _write_original_way(squad2, tmp_path / "o")
  assert null_odds is None
  assert all(predictions.values())


def test_flag_set_by_assignment_applies(original_flags, squad2, tmp_path):
  # Setting a flag without parsing (common in notebooks) counts too.
  original_flags.version_2_with_negative = True
  predictions, _, _ = _write_original_way(squad2, tmp_path / "o")
  assert squad_metrics.evaluate(squad2["dataset"], predictions)["f1"] == 100.0


def test_get_final_text_takes_verbose_logging_from_flags(original_flags,
                                                         monkeypatch):
  messages = []
  monkeypatch.setattr(run_squad.tf1.logging, "info",
                      lambda fmt, *args: messages.append(fmt % args))
  original_flags(["prog", "--verbose_logging=true"])
  # The original's three positional arguments.
  assert run_squad.get_final_text("xyz", "Steve Smith's", True) == \
      "Steve Smith's"
  assert any("Unable to find text" in m for m in messages)
  del messages[:]
  run_squad.get_final_text("xyz", "Steve Smith's", True,
                           verbose_logging=False)
  assert not messages


def test_read_squad_examples_takes_version_2_from_flags(original_flags,
                                                        tmp_path):
  path = squad_data.write_dataset(tmp_path / "train-v2.0.json",
                                  version_2=True)
  original_flags(["prog", "--version_2_with_negative=true"])
  examples = run_squad.read_squad_examples(path, True)
  impossible = sorted(e.qas_id for e in examples if e.is_impossible)
  assert impossible == sorted(qid for (qid, _, _) in squad_data.IMPOSSIBLE)
  # Explicitly SQuAD 1.1: an unanswerable training question is refused.
  with pytest.raises(ValueError, match="--version_2_with_negative"):
    run_squad.read_squad_examples(path, True, version_2_with_negative=False)


def test_convert_examples_accepts_max_query_length_near_max_seq_length(
    tmp_path, tokenizer):
  examples = run_squad.read_squad_examples(
      squad_data.write_dataset(tmp_path / "dev.json"), False, False)
  # The questions are at most 12 tokens, so a limit of 48 (>= 48 - 3) never
  # applies: the same windows as with 12.
  assert max(len(tokenizer.tokenize(e.question_text)) for e in examples) <= 12
  wide = _convert(examples, tokenizer, False, max_query_length=MAX_SEQ_LENGTH)
  narrow = _convert(examples, tokenizer, False)
  assert [(f.tokens, f.input_ids) for f in wide] == [
      (f.tokens, f.input_ids) for f in narrow]

  # A question that really leaves no room is refused, by its id.
  examples[2].question_text = " ".join(["team"] * 45)
  with pytest.raises(ValueError, match="question %s: its 45 question tokens"
                     % examples[2].qas_id):
    _convert(examples, tokenizer, False, max_query_length=MAX_SEQ_LENGTH)


def test_validate_flags_or_throw_the_original_way(original_flags):
  config = modeling.BertConfig(vocab_size=30, max_position_embeddings=64)
  original_flags(["prog", "--do_train", "--train_file=train.json",
                  "--max_seq_length=64", "--max_query_length=12"])
  run_squad.validate_flags_or_throw(config)
  # The script refuses a max_query_length with no room left (a ValueError,
  # as in the original)...
  original_flags.max_query_length = 61
  with pytest.raises(ValueError, match="--max_query_length"):
    run_squad.validate_flags_or_throw(config)
  # ...and, as the original's did, a casing that contradicts a released
  # checkpoint.
  original_flags.max_query_length = 12
  original_flags.init_checkpoint = "/m/cased_L-12_H-768_A-12/bert_model.ckpt"
  with pytest.raises(ValueError, match="--do_lower_case=True does not match"):
    run_squad.validate_flags_or_throw(config)


def test_the_other_public_names_with_the_original_positional_arguments(
    tmp_path, tokenizer):
  example = run_squad.SquadExample("q1", "Who won?", ["Mary", "won."],
                                   "Mary", 0, 0, False)
  assert (example.orig_answer_text, example.start_position,
          example.end_position) == ("Mary", 0, 0)
  features = _convert([example], tokenizer, True)
  feature = features[0]
  copy = run_squad.InputFeatures(
      feature.unique_id, feature.example_index, feature.doc_span_index,
      feature.tokens, feature.token_to_orig_map, feature.token_is_max_context,
      feature.input_ids, feature.input_mask, feature.segment_ids,
      feature.start_position, feature.end_position, feature.is_impossible)
  assert copy.start_position == feature.tokens.index("mary")
  result = run_squad.RawResult(feature.unique_id, [0.0], [0.0])
  assert result.unique_id == 1000000000

  path = str(tmp_path / "train.tf_record")
  writer = run_squad.FeatureWriter(path, True)
  writer.process_feature(copy)
  writer.close()
  assert writer.num_features == 1
  input_fn = run_squad.input_fn_builder(path, MAX_SEQ_LENGTH, False, False)
  batch = next(iter(input_fn({"batch_size": 1})))
  assert batch["input_ids"].numpy()[0].tolist() == feature.input_ids

  config = modeling.BertConfig(vocab_size=len(tokenizer.vocab),
                               hidden_size=16, num_hidden_layers=1,
                               num_attention_heads=2, intermediate_size=32,
                               max_position_embeddings=MAX_SEQ_LENGTH)
  # model_fn_builder(bert_config, init_checkpoint, learning_rate,
  #   num_train_steps, num_warmup_steps, use_tpu, use_one_hot_embeddings)
  model_fn = run_squad.model_fn_builder(config, None, 1e-3, 10, 1, False,
                                        False)
  with tf.Graph().as_default():
    ids = tf.constant([feature.input_ids], tf.int32)
    spec = model_fn({"unique_ids": tf.constant([1], tf.int32),
                     "input_ids": ids, "input_mask": tf.ones_like(ids),
                     "segment_ids": tf.zeros_like(ids)}, None,
                    estimator_runtime.ModeKeys.PREDICT, {})
    assert sorted(spec.predictions) == ["end_logits", "start_logits",
                                        "unique_ids"]
    assert spec.predictions["start_logits"].shape.as_list() == [
        1, MAX_SEQ_LENGTH]


# ----------------------------------------------------------------------------
# run_classifier, extract_features, run_pretraining: module-level helpers
# that notebooks import (run_classifier._truncate_seq_pair,
# extract_features._truncate_seq_pair, run_pretraining._decode_record).
# Their tests go here.
# ----------------------------------------------------------------------------


def _original_truncate_seq_pair(tokens_a, tokens_b, max_length):
  """The original's rule, restated: pop from the longer; on a tie, from b."""
  while len(tokens_a) + len(tokens_b) > max_length:
    (tokens_a if len(tokens_a) > len(tokens_b) else tokens_b).pop()


@pytest.mark.parametrize("module_name", ["run_classifier", "extract_features"])
def test_truncate_seq_pair_is_importable_where_the_original_had_it(
    module_name):
  module = importlib.import_module(module_name)
  rng = random.Random(0)
  for _ in range(200):
    a = list(range(rng.randint(0, 12)))
    b = list(range(100, 100 + rng.randint(0, 12)))
    budget = rng.randint(0, 20)
    expected_a, expected_b = list(a), list(b)
    _original_truncate_seq_pair(expected_a, expected_b, budget)
    assert module._truncate_seq_pair(a, b, budget) is None  # In place.
    assert (a, b) == (expected_a, expected_b)


def test_run_pretraining_decode_record_casts_int64_to_int32():
  import run_pretraining  # pylint: disable=g-import-not-at-top
  example = tf.train.Example(features=tf.train.Features(feature={
      "input_ids": tf.train.Feature(
          int64_list=tf.train.Int64List(value=[101, 7, 102, 0])),
      "masked_lm_weights": tf.train.Feature(
          float_list=tf.train.FloatList(value=[1.0, 0.0])),
  }))
  name_to_features = {
      "input_ids": tf.io.FixedLenFeature([4], tf.int64),
      "masked_lm_weights": tf.io.FixedLenFeature([2], tf.float32),
  }
  with tf.Graph().as_default():
    decoded = run_pretraining._decode_record(
        tf.constant(example.SerializeToString()), name_to_features)
    assert decoded["input_ids"].dtype == tf.int32
    assert decoded["masked_lm_weights"].dtype == tf.float32
    with tf.compat.v1.Session() as sess:
      values = sess.run(decoded)
  assert values["input_ids"].tolist() == [101, 7, 102, 0]
  assert values["masked_lm_weights"].tolist() == [1.0, 0.0]


def test_classifier_pipeline_called_the_original_way(tmp_path):
  """Processor -> FullTokenizer -> file_based_convert_examples_to_features
  -> file_based_input_fn_builder, positional arguments as the original's
  main passed them; the records read back are what convert_single_example
  computes."""
  import run_classifier  # pylint: disable=g-import-not-at-top
  import tokenization  # pylint: disable=g-import-not-at-top
  from tests import classifier_testdata as data  # pylint: disable=g-import-not-at-top
  model = data.write_model_files(str(tmp_path / "model"))
  pairs = data.keyword_pairs(5, seed=3)
  data_dir = data.write_mrpc_folder(str(tmp_path / "mrpc"), pairs, pairs, pairs)
  processor = run_classifier.MrpcProcessor()
  label_list = processor.get_labels()
  examples = processor.get_dev_examples(data_dir)
  assert [e.label for e in examples] == [p[0] for p in pairs]
  tokenizer = tokenization.FullTokenizer(vocab_file=model["vocab_file"],
                                         do_lower_case=True)
  record_file = str(tmp_path / "eval.tf_record")
  run_classifier.file_based_convert_examples_to_features(
      examples, label_list, 16, tokenizer, record_file)
  features = run_classifier.convert_examples_to_features(
      examples, label_list, 16, tokenizer)
  expected = [run_classifier.convert_single_example(i, e, label_list, 16,
                                                    tokenizer)
              for i, e in enumerate(examples)]
  for got, want in zip(features, expected):
    assert (got.input_ids, got.segment_ids, got.label_id) == (
        want.input_ids, want.segment_ids, want.label_id)
  input_fn = run_classifier.file_based_input_fn_builder(
      input_file=record_file, seq_length=16, is_training=False,
      drop_remainder=False)
  with tf.Graph().as_default():
    batch = tf.compat.v1.data.make_one_shot_iterator(
        input_fn({"batch_size": 8})).get_next()
    with tf.compat.v1.Session() as sess:
      values = sess.run(batch)
  assert values["input_ids"].tolist() == [f.input_ids for f in expected]
  assert values["label_ids"].tolist() == [f.label_id for f in expected]
