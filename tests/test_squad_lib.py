# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""SQuAD's library: reading (squad_reader), windows (doc_windows), features,
records and the model (squad_lib), and answers decoded from the scores
(squad_answers)."""

import json
import os
import random
import unicodedata

import numpy as np
import pytest
import tensorflow as tf

import doc_windows
import script_utils
import squad_answers
import squad_lib
import squad_metrics
import squad_reader
import tokenization
from tests import squad_data

tf1 = tf.compat.v1

MAX_SEQ_LENGTH = 48
DOC_STRIDE = 16
MAX_QUERY_LENGTH = 12


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory):
  vocab = squad_data.write_vocab(tmp_path_factory.mktemp("vocab") / "vocab.txt")
  return tokenization.FullTokenizer(vocab, do_lower_case=True)


def _features(examples, tokenizer, is_training, max_seq_length=MAX_SEQ_LENGTH,
              doc_stride=DOC_STRIDE):
  features = []
  count = squad_lib.convert_examples_to_features(
      examples, tokenizer, max_seq_length, doc_stride, MAX_QUERY_LENGTH,
      is_training, features.append)
  assert count == len(features)
  return features


def _read(tmp_path, is_training, **kwargs):
  path = squad_data.write_dataset(
      tmp_path / "data.json",
      **{k: v for k, v in kwargs.items() if k != "version_2_with_negative"})
  return squad_reader.read_squad_examples(
      path, is_training=is_training,
      version_2_with_negative=kwargs.get("version_2_with_negative", False))


def _detok(tokens):
  return " ".join(tokens).replace(" ##", "")


# ----------------------------------------------------------------------------
# Reading
# ----------------------------------------------------------------------------


def test_read_training_examples_locates_answers_and_skips_missing(tmp_path):
  examples = _read(tmp_path, is_training=True, with_not_found=True)
  by_id = {e.qas_id: e for e in examples}
  # The answer that is not where its offset says is skipped, not fatal.
  assert "q_missing" not in by_id
  assert len(examples) == len(squad_data.ANSWERABLE)
  words = squad_data.LONG_CONTEXT.split()
  assert by_id["q_smith"].doc_tokens == words
  # Word spans: "Steve Smith's" -> words 0..1; "1895" lies inside the word
  # "(1895-1943).".
  assert (by_id["q_smith"].start_position, by_id["q_smith"].end_position) == (0, 1)
  born = words.index("(1895-1943).")
  assert (by_id["q_born"].start_position, by_id["q_born"].end_position) == (born, born)
  built = words.index("red")
  assert (by_id["q_built"].start_position,
          by_id["q_built"].end_position) == (built, built + 4)
  # Repeated whitespace and a tab do not create empty words.
  assert by_id["q_mary"].doc_tokens == ["Mary", "Jones,", "playing", "chess,",
                                        "won", "the", "prize", "in", "Paris."]
  assert (by_id["q_mary"].start_position, by_id["q_mary"].end_position) == (0, 1)
  assert not any(e.is_impossible for e in examples)


def test_read_v2_impossible(tmp_path):
  examples = _read(tmp_path, is_training=True, version_2=True,
                   version_2_with_negative=True)
  impossible = [e for e in examples if e.is_impossible]
  assert sorted(e.qas_id for e in impossible) == ["q_lost", "q_paint"]
  for e in impossible:
    assert (e.start_position, e.end_position, e.orig_answer_text) == (-1, -1, "")
  # Prediction reads every question and no positions.
  examples = _read(tmp_path, is_training=False, version_2=True,
                   version_2_with_negative=True)
  assert len(examples) == len(squad_data.ANSWERABLE) + len(squad_data.IMPOSSIBLE)
  assert all(e.start_position is None for e in examples)


def test_v2_training_file_without_flag_is_a_clear_error(tmp_path):
  with pytest.raises(script_utils.UsageError,
                     match="q_paint.*--version_2_with_negative"):
    _read(tmp_path, is_training=True, version_2=True)


@pytest.mark.parametrize("content,message", [
    ("not json", "not valid JSON"),
    ('{"version": "1.1"}', "not in SQuAD format: expected a JSON object with "
     "a \"data\" list"),
    ('{"data": [{"paragraphs": [{"context": 3, "qas": []}]}]}',
     "\"context\""),
    ('{"data": [{"paragraphs": [{"context": "a b", "qas": [{"id": "x", '
     '"question": "q", "answers": [{"text": "a"}]}]}]}]}', "answer_start"),
])
def test_bad_squad_file_names_file_and_problem(tmp_path, content, message):
  path = tmp_path / "bad.json"
  path.write_text(content)
  with pytest.raises(script_utils.UsageError) as info:
    squad_reader.read_squad_examples(str(path), is_training=True)
  assert str(path) in str(info.value)
  assert message in str(info.value)


def test_duplicate_prediction_ids_rejected(tmp_path):
  data = squad_data.dataset()
  qas = data["data"][0]["paragraphs"][0]["qas"]
  qas.append(dict(qas[0]))
  path = tmp_path / "dup.json"
  path.write_text(json.dumps(data))
  with pytest.raises(script_utils.UsageError, match="q_smith appears twice"):
    squad_reader.read_squad_examples(str(path), is_training=False)


# ----------------------------------------------------------------------------
# Windows, max context, training positions
# ----------------------------------------------------------------------------


def test_check_is_max_context_hand_computed():
  # 20 tokens, windows of 10 every 4: [0-9], [4-13], [8-17], [12-19].
  spans = doc_windows.doc_spans(20, 10, 4)
  span = doc_windows.DocSpan
  assert spans == [span(0, 10), span(4, 10), span(8, 10), span(12, 8)]

  def owner(position):
    owners = [i for i in range(len(spans))
              if doc_windows.check_is_max_context(spans, i, position)]
    assert len(owners) == 1
    return owners[0]

  # Token 6: window 0 has min(6, 3) = 3, window 1 min(2, 7) = 2.
  assert owner(6) == 0
  # Token 9: windows 0, 1, 2 give 0, 4, 1 -> window 1.
  assert owner(9) == 1
  # Token 15: window 2 min(7, 2) = 2 (+0.10), window 3 min(3, 4) = 3 -> 3.
  assert owner(15) == 3
  # Token 10: window 1 min(6,3)=3 +0.1, window 2 min(2,7)=2 -> 1.
  assert owner(10) == 1
  # Token 8: window 0 min(8,1)=1+.1, window 1 min(4,5)=4+.1, window 2 min(0,9).
  assert owner(8) == 1
  assert owner(0) == 0 and owner(19) == 3


def test_doc_spans_edges():
  span = doc_windows.DocSpan
  # An empty document still gets one (empty) window.
  assert doc_windows.doc_spans(0, 10, 4) == [span(0, 0)]
  # A stride longer than a window skips no token.
  assert doc_windows.doc_spans(7, 3, 5) == [span(0, 3), span(3, 3),
                                            span(6, 1)]
  assert doc_windows.doc_spans(10, 10, 4) == [span(0, 10)]


def test_windows_cover_long_context_with_stride(tmp_path, tokenizer):
  examples = _read(tmp_path, is_training=False)
  features = _features(examples, tokenizer, is_training=False)
  assert features[0].unique_id == 1000000000
  assert [f.unique_id for f in features] == list(
      range(1000000000, 1000000000 + len(features)))

  for example_index, example in enumerate(examples):
    doc_tokens = []
    for word in example.doc_tokens:
      doc_tokens.extend(tokenizer.tokenize(word))
    query = tokenizer.tokenize(example.question_text)[:MAX_QUERY_LENGTH]
    window = MAX_SEQ_LENGTH - len(query) - 3
    # Expected window starts: every DOC_STRIDE tokens until one reaches the end.
    starts = [0]
    while starts[-1] + window < len(doc_tokens):
      starts.append(starts[-1] + DOC_STRIDE)
    mine = [f for f in features if f.example_index == example_index]
    assert [f.doc_span_index for f in mine] == list(range(len(starts)))
    if example.doc_tokens[0] == "Steve":
      assert len(mine) >= 3, "the long context must need several windows"

    owners = {}
    for feature, start in zip(mine, starts):
      n = min(window, len(doc_tokens) - start)
      assert feature.tokens == (["[CLS]"] + query + ["[SEP]"] +
                                doc_tokens[start:start + n] + ["[SEP]"])
      assert len(feature.input_ids) == MAX_SEQ_LENGTH
      assert feature.input_mask == [1] * len(feature.tokens) + [0] * (
          MAX_SEQ_LENGTH - len(feature.tokens))
      assert feature.segment_ids[:len(query) + 2] == [0] * (len(query) + 2)
      assert feature.segment_ids[len(query) + 2:len(feature.tokens)] == [1] * (
          n + 1)
      assert feature.input_ids[:len(feature.tokens)] == \
          tokenizer.convert_tokens_to_ids(feature.tokens)
      offset = len(query) + 2
      assert sorted(feature.token_to_orig_map) == list(range(offset, offset + n))
      for i in range(n):
        position = start + i
        word = feature.token_to_orig_map[offset + i]
        # The sub-token comes from that word.
        assert doc_tokens[position] in tokenizer.tokenize(
            example.doc_tokens[word])
        # Max context: the window with the best min(left, right) context,
        # computed here from the window list directly.
        if feature.token_is_max_context[offset + i]:
          assert position not in owners
          owners[position] = feature.doc_span_index
    # Every token is owned by exactly one window, the best-centred one.
    assert sorted(owners) == list(range(len(doc_tokens)))
    for position, owner in owners.items():
      scores = []
      for start in starts:
        n = min(window, len(doc_tokens) - start)
        if start <= position < start + n:
          scores.append(min(position - start, start + n - 1 - position) +
                        0.01 * n)
        else:
          scores.append(-1)
      assert owner == int(np.argmax(scores))


def test_training_positions_map_back_to_answer(tmp_path, tokenizer):
  examples = _read(tmp_path, is_training=True, version_2=True,
                   version_2_with_negative=True)
  features = _features(examples, tokenizer, is_training=True)
  outside = inside = 0
  for feature in features:
    example = examples[feature.example_index]
    if example.is_impossible:
      assert (feature.start_position, feature.end_position) == (0, 0)
      continue
    answer_tokens = tokenizer.tokenize(example.orig_answer_text)
    doc_part = [i for i in feature.token_to_orig_map]
    window_text = _detok([feature.tokens[i] for i in doc_part])
    if feature.start_position == 0:
      outside += 1
      assert feature.end_position == 0
      # The whole answer is not in this window.
      tokens = [feature.tokens[i] for i in doc_part]
      assert not any(tokens[i:i + len(answer_tokens)] == answer_tokens
                     for i in range(len(tokens)))
      continue
    inside += 1
    s, e = feature.start_position, feature.end_position
    assert s in feature.token_to_orig_map and e in feature.token_to_orig_map
    # The tightened token span is exactly the tokenised answer...
    assert feature.tokens[s:e + 1] == answer_tokens, window_text
    # ...and maps back to the answer text through the original words.
    words = example.doc_tokens[feature.token_to_orig_map[s]:
                               feature.token_to_orig_map[e] + 1]
    text = squad_answers.get_final_text(_detok(feature.tokens[s:e + 1]),
                                    " ".join(words), True)
    assert text == " ".join(example.orig_answer_text.split())
  assert inside >= len(squad_data.ANSWERABLE)
  assert outside > 0


def test_improve_answer_span(tokenizer):
  doc = tokenizer.tokenize("founded by john harper (1895-1943). in")
  start = doc.index("(")
  end = doc.index("in") - 1
  assert squad_lib._improve_answer_span(doc, start, end, tokenizer, "1895") == (
      start + 1, start + 1)
  # No exact sub-span: the input span is kept.
  assert squad_lib._improve_answer_span(doc, start, end, tokenizer,
                                        "1895 river") == (start, end)


def test_feature_writer_is_atomic_and_round_trips(tmp_path, tokenizer):
  examples = _read(tmp_path, is_training=True)
  path = str(tmp_path / "train.tf_record")
  writer = squad_lib.FeatureWriter(path, is_training=True)
  features = _features(examples, tokenizer, True)
  for feature in features:
    writer.process_feature(feature)
  assert not os.path.exists(path)  # Nothing under the final name yet.
  writer.close()
  assert writer.num_features == len(features)
  assert not [p for p in os.listdir(str(tmp_path)) if ".tmp" in p]

  input_fn = squad_lib.input_fn_builder(path, MAX_SEQ_LENGTH, is_training=False,
                                        drop_remainder=False)
  # Reading as prediction records: same file, extra keys ignored.
  batches = list(input_fn({"batch_size": 4}))
  ids = np.concatenate([b["unique_ids"].numpy() for b in batches])
  input_ids = np.concatenate([b["input_ids"].numpy() for b in batches])
  assert batches[0]["input_ids"].dtype == tf.int32
  assert ids.tolist() == [f.unique_id for f in features]
  assert input_ids.tolist() == [f.input_ids for f in features]
  train_fn = squad_lib.input_fn_builder(path, MAX_SEQ_LENGTH, is_training=True,
                                        drop_remainder=True)
  batch = next(iter(train_fn({"batch_size": 3})))
  by_id = {f.unique_id: f for f in features}
  for uid, s, e in zip(batch["unique_ids"].numpy(),
                       batch["start_positions"].numpy(),
                       batch["end_positions"].numpy()):
    assert (s, e) == (by_id[uid].start_position, by_id[uid].end_position)

  aborted = str(tmp_path / "aborted.tf_record")
  with pytest.raises(KeyError):
    with squad_lib.FeatureWriter(aborted, is_training=False) as writer:
      writer.process_feature(features[0])
      raise KeyError("interrupted")
  assert sorted(os.listdir(str(tmp_path))) == ["data.json", "train.tf_record"]


# ----------------------------------------------------------------------------
# Model
# ----------------------------------------------------------------------------


def test_create_model_head_and_loss():
  import modeling
  config = modeling.BertConfig(vocab_size=30, hidden_size=32,
                               num_hidden_layers=1, num_attention_heads=2,
                               intermediate_size=37,
                               max_position_embeddings=16)
  with tf.Graph().as_default():
    ids = tf.constant(np.arange(2 * 10).reshape(2, 10) % 30, tf.int32)
    start, end = squad_lib.create_model(config, False, ids, tf.ones_like(ids),
                                        tf.zeros_like(ids), False)
    assert start.shape.as_list() == [2, 10] and end.shape.as_list() == [2, 10]
    shapes = {v.name: v.shape.as_list() for v in tf1.global_variables()}
    assert shapes["cls/squad/output_weights:0"] == [2, 32]
    assert shapes["cls/squad/output_bias:0"] == [2]

    logits = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]], np.float32)
    loss = squad_lib._position_loss(tf.constant(logits),
                                    tf.constant([1, 2]), 3)
    with tf1.Session() as sess:
      value = sess.run(loss)
  log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
  assert value == pytest.approx(-(log_probs[0, 1] + log_probs[1, 2]) / 2,
                                rel=1e-5)


# ----------------------------------------------------------------------------
# Predictions
# ----------------------------------------------------------------------------


def test_get_final_text():
  assert squad_answers.get_final_text("steve smith", "Steve Smith's", True) == \
      "Steve Smith"
  assert squad_answers.get_final_text("1895", "(1895-1943).", True) == "1895"
  assert squad_answers.get_final_text("Jones", "Jones,", False) == "Jones"
  # Projection impossible: the original words come back.
  assert squad_answers.get_final_text("xyz", "Steve Smith's", True) == \
      "Steve Smith's"


def test_softmax_and_best_indexes():
  scores = [1.0, 3.0, -2.0, 3.0]
  expected = np.exp(scores) / np.exp(scores).sum()
  assert squad_answers._compute_softmax(scores) == pytest.approx(expected.tolist())
  assert squad_answers._compute_softmax([1000.0, 1000.0]) == [0.5, 0.5]
  assert squad_answers._compute_softmax([]) == []
  assert squad_answers._get_best_indexes([0.1, 5.0, -1.0, 2.0], 2) == [1, 3]
  assert squad_answers._get_best_indexes(np.array([1.0, 3.0, 3.0, 0.0],
                                              np.float32), 3) == [1, 2, 0]


def _oracle_results(train_features, seed=0, noise=0.0, peak=8.0,
                    null_jitter=0.0):
  """Logits peaking on the training target of every window ([CLS] when the
  window has no answer); optionally with noise on the real tokens and a
  random shift of the [CLS] logits, padding scored low."""
  rng = np.random.RandomState(seed)
  results = []
  for f in train_features:
    logits = []
    for position in (f.start_position, f.end_position):
      row = np.full(MAX_SEQ_LENGTH, -10.0)
      row[:len(f.tokens)] = rng.normal(0.0, noise, len(f.tokens)) if noise \
          else 0.0
      row[0] += rng.uniform(-null_jitter, null_jitter) if null_jitter else 0.0
      row[position] += peak
      logits.append(row.tolist())
    results.append(squad_answers.RawResult(f.unique_id, logits[0], logits[1]))
  return results


def _write(tmp_path, examples, features, results, version_2, threshold=0.0,
           n_best_size=5):
  out = tmp_path / ("out_%s" % threshold)
  out.mkdir(exist_ok=True)
  files = [str(out / name) for name in
           ("predictions.json", "nbest_predictions.json", "null_odds.json")]
  returned = squad_answers.write_predictions(
      examples, features, results, n_best_size, 30, True, *files,
      version_2_with_negative=version_2, null_score_diff_threshold=threshold)
  loaded = [json.load(open(p)) if os.path.exists(p) else None for p in files]
  assert not [p for p in os.listdir(str(out)) if ".tmp" in p]
  # Decoding alone gives the same values, and writes nothing.
  decoded = squad_answers.decode_predictions(
      examples, features, results, n_best_size, 30, True,
      version_2_with_negative=version_2, null_score_diff_threshold=threshold)
  assert decoded == returned
  assert [decoded.predictions, decoded.nbest] == loaded[:2]
  assert loaded[2] == (decoded.null_odds if version_2 else None)
  return returned, loaded


@pytest.mark.parametrize("version_2", [False, True])
def test_oracle_round_trip(tmp_path, tokenizer, version_2):
  examples = _read(tmp_path, is_training=False, version_2=version_2,
                   version_2_with_negative=version_2)
  # The same windows, labelled: training conversion of the same questions.
  labelled = _read(tmp_path, is_training=True, version_2=version_2,
                   version_2_with_negative=version_2)
  assert [e.qas_id for e in labelled] == [e.qas_id for e in examples]
  train_features = _features(labelled, tokenizer, is_training=True)
  features = _features(examples, tokenizer, is_training=False)
  assert [f.unique_id for f in features] == [f.unique_id for f in train_features]

  _, (predictions, nbest, null_odds) = _write(
      tmp_path, examples, features, _oracle_results(train_features), version_2)

  expected = {qid: " ".join(text.split())
              for qid, text in squad_data.gold().items()
              if version_2 or text}
  assert predictions == expected
  for qid, entries in nbest.items():
    assert sum(e["probability"] for e in entries) == pytest.approx(1.0)
    assert entries == sorted(entries, key=lambda e: -(e["start_logit"] +
                                                       e["end_logit"]))
    assert len({e["text"] for e in entries}) == len(entries)
  metrics = squad_metrics.evaluate(
      squad_data.dataset(version_2=version_2), predictions)
  assert metrics["exact_match"] == 100.0 and metrics["f1"] == 100.0
  if version_2:
    assert set(null_odds) == set(expected)
    for qid, text in expected.items():
      assert (null_odds[qid] > 0) == (text == "")
      assert any(e["text"] == "" for e in nbest[qid])
  else:
    assert null_odds is None
    assert all(e["text"] for entries in nbest.values() for e in entries)


def test_threshold_flips_answers(tmp_path, tokenizer):
  examples = _read(tmp_path, is_training=False, version_2=True,
                   version_2_with_negative=True)
  labelled = _read(tmp_path, is_training=True, version_2=True,
                   version_2_with_negative=True)
  train_features = _features(labelled, tokenizer, is_training=True)
  features = _features(examples, tokenizer, is_training=False)
  # Weak, noisy peaks and shifted [CLS] scores so that the null odds spread
  # over both signs.
  results = _oracle_results(train_features, seed=3, noise=0.5, peak=3.0,
                            null_jitter=4.0)

  base, (predictions, nbest, null_odds) = _write(
      tmp_path, examples, features, results, True, threshold=0.0)
  odds = sorted(null_odds.values())
  assert odds[0] < 0 < odds[-1]
  for qid, diff in null_odds.items():
    best_text = next(e["text"] for e in nbest[qid] if e["text"])
    best = next(e for e in nbest[qid] if e["text"])
    null = next(e for e in nbest[qid] if not e["text"])
    # null_odds is the null score minus the best non-null score...
    assert diff == pytest.approx(null["start_logit"] + null["end_logit"] -
                                 best["start_logit"] - best["end_logit"])
    # ...and the answer is "" exactly when it exceeds the threshold.
    assert predictions[qid] == ("" if diff > 0.0 else best_text)

  for threshold in (odds[0] - 1.0, odds[len(odds) // 2], odds[-1] + 1.0):
    _, (flipped, _, _) = _write(tmp_path, examples, features, results, True,
                                threshold=threshold)
    for qid, diff in null_odds.items():
      if diff > threshold:
        assert flipped[qid] == ""
      else:
        assert flipped[qid] == base.non_null_predictions[qid] != ""

  # The best threshold reported by the metrics reproduces its score.
  data = squad_data.dataset(version_2=True)
  metrics = squad_metrics.evaluate(data, predictions, null_odds=null_odds,
                                   non_null_predictions=base.non_null_predictions)
  _, (tuned, _, _) = _write(tmp_path, examples, features, results, True,
                            threshold=metrics["best_f1_thresh"])
  assert squad_metrics.evaluate(data, tuned)["f1"] == pytest.approx(
      metrics["best_f1"])
  assert metrics["best_f1"] >= metrics["f1"]


def test_every_question_gets_a_prediction(tmp_path, tokenizer):
  # Paragraphs with nothing to tokenize, and a question whose features the
  # caller lost: each question id still gets an answer ("").
  data = squad_data.dataset(version_2=True)
  data["data"][0]["paragraphs"] += [
      {"context": "", "qas": [{"id": "q_empty", "question": "Who won?",
                               "answers": []}]},
      {"context": u" \u200b\x07 ", "qas": [
          {"id": "q_invisible", "question": "Who won?", "answers": []}]},
  ]
  path = tmp_path / "data.json"
  path.write_text(json.dumps(data))
  ids = [qa["id"] for paragraph in data["data"][0]["paragraphs"]
         for qa in paragraph["qas"]]
  examples = squad_reader.read_squad_examples(str(path), is_training=False,
                                           version_2_with_negative=True)
  assert [e.qas_id for e in examples] == ids
  features = _features(examples, tokenizer, is_training=False)
  assert set(f.example_index for f in features) == set(range(len(ids)))
  lost = ids.index("q_mary")
  kept = [f for f in features if f.example_index != lost]
  rng = np.random.RandomState(0)
  results = [squad_answers.RawResult(f.unique_id,
                                 rng.normal(size=MAX_SEQ_LENGTH).tolist(),
                                 rng.normal(size=MAX_SEQ_LENGTH).tolist())
             for f in kept]
  for version_2 in (False, True):
    returned, (predictions, nbest, null_odds) = _write(
        tmp_path, examples, kept, results, version_2)
    assert list(predictions) == ids == list(nbest)
    for qid in ("q_empty", "q_invisible", "q_mary"):
      assert predictions[qid] == ""
    if version_2:
      assert list(null_odds) == ids


def test_write_predictions_refuses_repeated_question_ids(tmp_path, tokenizer):
  examples = _read(tmp_path, is_training=False)
  features = _features(examples, tokenizer, is_training=False)
  results = [squad_answers.RawResult(f.unique_id, [0.0] * MAX_SEQ_LENGTH,
                                 [0.0] * MAX_SEQ_LENGTH) for f in features]
  examples[1].qas_id = examples[0].qas_id
  # One of the two answers would silently overwrite the other.
  with pytest.raises(ValueError, match="q_smith appears twice"):
    _write(tmp_path, examples, features, results, False)


# ----------------------------------------------------------------------------
# Unicode normalization forms
# ----------------------------------------------------------------------------

# (paragraph form, answer text form, form the answer offsets were counted
# in); None = the paragraph's form.
UNICODE_CASES = [
    ("NFC", None, None),
    # Consistently decomposed, as text from macOS often is.
    ("NFD", None, None),
    # Annotated in NFC, the paragraph decomposed afterwards.
    ("NFD", "NFC", "NFC"),
    # The whole file decomposed after annotation: stale offsets.
    ("NFD", None, "NFC"),
    ("NFKC", None, None),
    ("NFKC", "NFC", "NFC"),
    ("NFKD", None, "NFC"),
    # Some words decomposed, some composed.
    ("mixed", None, None),
    ("mixed", "NFC", "NFC"),
    # Decomposed answers in a composed paragraph.
    ("NFC", "NFD", "NFD"),
]


def _case_id(case):
  return "-".join(form or "same" for form in case)


@pytest.fixture(scope="module", params=[True, False],
                ids=["uncased", "cased"])
def unicode_tokenizer(request, tmp_path_factory):
  vocab = squad_data.write_unicode_vocab(
      tmp_path_factory.mktemp("vocab") / "vocab.txt", request.param)
  return tokenization.FullTokenizer(vocab, do_lower_case=request.param)


@pytest.mark.parametrize("forms", UNICODE_CASES, ids=_case_id)
def test_unicode_answers_found_and_predicted_exactly(tmp_path,
                                                     unicode_tokenizer, forms):
  path = squad_data.write_unicode_dataset(tmp_path / "data.json", *forms)
  context = squad_data.in_form(squad_data.UNICODE_CONTEXT, forms[0])
  expected = {qid: squad_data.spelling_in(context, answer)
              for (qid, _, answer) in squad_data.UNICODE_QUESTIONS}
  do_lower_case = unicode_tokenizer.basic_tokenizer.do_lower_case

  labelled = squad_reader.read_squad_examples(path, is_training=True)
  # No answer is skipped: every one is in its paragraph.
  assert [e.qas_id for e in labelled] == list(expected)
  for example in labelled:
    words = " ".join(example.doc_tokens[example.start_position:
                                        example.end_position + 1])
    assert expected[example.qas_id] in words
    assert unicodedata.normalize("NFC", example.orig_answer_text) == \
        unicodedata.normalize("NFC", expected[example.qas_id])

  train_features = _features(labelled, unicode_tokenizer, is_training=True)
  for feature in train_features:
    if feature.start_position:
      # The training target is exactly the answer's tokens.
      example = labelled[feature.example_index]
      assert feature.tokens[feature.start_position:
                            feature.end_position + 1] == \
          unicode_tokenizer.tokenize(expected[example.qas_id])
  assert {labelled[f.example_index].qas_id for f in train_features
          if f.start_position} == set(expected)

  examples = squad_reader.read_squad_examples(path, is_training=False)
  features = _features(examples, unicode_tokenizer, is_training=False)
  out = tmp_path / "out"
  out.mkdir()
  returned = squad_answers.write_predictions(
      examples, features, _oracle_results(train_features), 5, 30,
      do_lower_case, str(out / "p.json"), str(out / "n.json"),
      str(out / "o.json"), version_2_with_negative=False)
  # Logits at the answer give the answer as the paragraph writes it: not
  # "Zürich-based" or "(Việt Nam).".
  assert dict(returned.predictions) == expected


@pytest.mark.parametrize("do_lower_case", [True, False])
@pytest.mark.parametrize("form", ["NFC", "NFD", "NFKC", "NFKD"])
def test_get_final_text_any_normalization_form(form, do_lower_case):
  basic = tokenization.BasicTokenizer(do_lower_case=do_lower_case)
  for (words, answer) in [(u"Z\u00fcrich-based", u"Z\u00fcrich"),
                          (u"(Vi\u1ec7t Nam).", u"Vi\u1ec7t Nam"),
                          (u"\ufb01rst,", u"\ufb01rst"),
                          (u"12 m\u00b2,", u"m\u00b2")]:
    orig_text = unicodedata.normalize(form, words)
    answer = unicodedata.normalize(form, answer)
    pred_text = " ".join(basic.tokenize(answer))
    assert squad_answers.get_final_text(pred_text, orig_text,
                                    do_lower_case) == answer


def test_get_final_text_unknown_and_dropped_characters():
  nfd_viet = unicodedata.normalize("NFD", u"(Vi\u1ec7t Nam).")
  # A word the vocabulary cannot cover is one [UNK] token.
  assert squad_answers.get_final_text("[UNK] Nam", nfd_viet, False) == \
      nfd_viet[1:-2]
  assert squad_answers.get_final_text("[UNK] -", u"Zu\u0308rich-based",
                                  False) == u"Zu\u0308rich-"
  # Characters the tokenizer drops (soft hyphen, zero-width space, control)
  # or turns into spaces (no-break space) stay where they were inside the
  # answer, and are not added at its ends.
  assert squad_answers.get_final_text(
      "zurich", u"\x07Zu\u0308r\u00adi\u200bch\x07-based", True) == \
      u"Zu\u0308r\u00adi\u200bch"
  assert squad_answers.get_final_text("12 km", u"(12\u00a0km)", True) == \
      u"12\u00a0km"
  # A capital sigma lower-cases by context (final "\u03c2").
  assert squad_answers.get_final_text(u"\u03bf\u03b4\u03bf\u03c2",
                                  u"\u039f\u0394\u039f\u03a3.", True) == \
      u"\u039f\u0394\u039f\u03a3"


def test_get_final_text_maps_every_token_span_back():
  # Random words from characters that change length under lower-casing,
  # NFD, accent stripping and cleaning; every span of basic tokens found at
  # its own place must come back as original text that tokenizes to it.
  pieces = list(u"abcAB \u00fc-.(),'") + [
      u"u\u0308", u"e\u0323\u0302", u"\u00ad", u"\u200b", u"\u00a0",
      u"\u0130", u"\u03a3", u"\ufb01", u"\u00b2", u"\ud55c",
      u"\u1112\u1161\u11ab", u"\u4e2d", u"\x07", u"\u0301", u"\u00df",
      u"\u0f71"]
  rng = random.Random(0)
  checked = 0
  for _ in range(1500):
    orig_text = " ".join("".join(rng.choice(pieces)
                                 for _ in range(rng.randint(1, 6)))
                         for _ in range(rng.randint(1, 4)))
    orig_text = " ".join(unicodedata.normalize(
        rng.choice(["NFC", "NFD", "NFKC", "NFKD"]), orig_text).split())
    do_lower_case = rng.random() < 0.5
    basic = tokenization.BasicTokenizer(do_lower_case=do_lower_case)
    tokens = basic.tokenize(orig_text)
    if not tokens:
      continue
    i = rng.randrange(len(tokens))
    j = rng.randrange(i, len(tokens))
    pred_text = " ".join(tokens[i:j + 1])
    result = squad_answers.get_final_text(pred_text, orig_text, do_lower_case)
    assert result in orig_text
    if " ".join(tokens).find(pred_text) == len(" ".join(tokens[:i] + [""])):
      checked += 1
      # Case-folded: a lone final sigma lower-cases differently.
      assert [t.casefold() for t in basic.tokenize(result)] == \
          [t.casefold() for t in tokens[i:j + 1]], (orig_text, pred_text)
  assert checked > 1000


def test_improve_answer_span_across_normalization_forms(tmp_path):
  # A cased vocabulary with both spellings: the decomposed paragraph and the
  # composed answer have different tokens, which spell the same text.
  vocab = tmp_path / "vocab.txt"
  vocab.write_text(u"\n".join(
      ["[UNK]", "Z", "##u", u"##\u0308", "##rich", u"Z\u00fcrich", "-",
       "based", "in"]) + u"\n", encoding="utf-8")
  cased = tokenization.FullTokenizer(str(vocab), do_lower_case=False)
  doc = cased.tokenize(u"in Zu\u0308rich-based")
  assert doc == ["in", "Z", "##u", u"##\u0308", "##rich", "-", "based"]
  assert cased.tokenize(u"Z\u00fcrich") == [u"Z\u00fcrich"]
  assert squad_lib._improve_answer_span(doc, 1, 6, cased, u"Z\u00fcrich") == \
      (1, 4)
  # Still nothing that is not the answer: the word span stays.
  assert squad_lib._improve_answer_span(doc, 1, 6, cased, u"Zurich") == (1, 6)
