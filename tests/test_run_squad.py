# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""run_squad.py: its flags and settings, the run, the metrics, the original's
names, end to end. The library under it is tested in test_squad_lib.py."""

import json
import os
import types

import pytest

import doc_windows
import run_squad
import script_settings
import script_utils
import squad_answers
import squad_lib
import squad_reader
from tests import helpers
from tests import squad_data


MAX_SEQ_LENGTH = 48
DOC_STRIDE = 16
MAX_QUERY_LENGTH = 12
# The end-to-end runs train a from-scratch model briefly and look at what it
# predicts; seeded, they train the same model every time.
SEED = 4321


# ----------------------------------------------------------------------------
# The original's names
# ----------------------------------------------------------------------------


def test_the_library_keeps_the_originals_names_here():
  # Code written against the original imports these from run_squad; they
  # are the library's own (tests/test_original_api.py calls them the
  # original's way).
  for name in ("InputFeatures", "convert_examples_to_features",
               "FeatureWriter", "input_fn_builder", "create_model",
               "model_fn_builder", "_improve_answer_span"):
    assert getattr(run_squad, name) is getattr(squad_lib, name), name
  assert run_squad.SquadExample is squad_reader.SquadExample
  for name in ("RawResult", "_get_best_indexes", "_compute_softmax"):
    assert getattr(run_squad, name) is getattr(squad_answers, name), name
  # The windows, where run_ner.py and notebooks found them.
  assert run_squad._check_is_max_context is doc_windows.check_is_max_context
  assert run_squad._doc_spans is doc_windows.doc_spans
  assert run_squad._DocSpan is doc_windows.DocSpan


# ----------------------------------------------------------------------------
# Flags and end to end
# ----------------------------------------------------------------------------


def _flags(**overrides):
  values = dict(do_train=True, do_predict=False, train_file="t.json",
                predict_file=None, max_seq_length=64, max_query_length=12,
                doc_stride=16, n_best_size=20, max_answer_length=30,
                train_batch_size=8, predict_batch_size=8,
                num_accumulation_steps=1, export_dir=None,
                do_lower_case=True, init_checkpoint=None)
  values.update(overrides)
  return types.SimpleNamespace(**values)


_BAD_FLAGS = [
    (dict(do_train=False), "at least one of --do_train, --do_predict, "
     "--export_dir"),
    (dict(train_file=None), "--train_file"),
    (dict(do_predict=True), "--predict_file"),
    (dict(max_seq_length=65), "max_position_embeddings"),
    (dict(max_query_length=61), "--max_query_length"),
    (dict(doc_stride=0), "--doc_stride"),
    (dict(init_checkpoint="/m/cased_L-12_H-768_A-12/bert_model.ckpt"),
     "--do_lower_case=True does not match"),
]


@pytest.mark.parametrize("overrides,message", _BAD_FLAGS)
def test_validate_flags_or_throw(monkeypatch, overrides, message):
  import modeling
  config = modeling.BertConfig(vocab_size=10, max_position_embeddings=64)
  monkeypatch.setattr(run_squad, "FLAGS", _flags())
  run_squad.validate_flags_or_throw(config)
  monkeypatch.setattr(run_squad, "FLAGS", _flags(**overrides))
  with pytest.raises(script_utils.UsageError, match=message):
    run_squad.validate_flags_or_throw(config)


@pytest.mark.parametrize("overrides,message", _BAD_FLAGS)
def test_validate_flags_or_throw_checks_the_flags_it_is_given(
    monkeypatch, overrides, message):
  # main passes its flags; the global FLAGS (here: the opposite settings)
  # must not stand in for any of them.
  import modeling
  config = modeling.BertConfig(vocab_size=10, max_position_embeddings=64)
  monkeypatch.setattr(run_squad, "FLAGS", _flags(**overrides))
  run_squad.validate_flags_or_throw(config, _flags())
  monkeypatch.setattr(run_squad, "FLAGS", _flags())
  with pytest.raises(script_utils.UsageError, match=message):
    run_squad.validate_flags_or_throw(config, _flags(**overrides))


@pytest.mark.parametrize("overrides,message", [
    (dict(do_train=False, export_dir=None), "nothing to do"),
    (dict(train_file=None), "--train_file"),
    (dict(max_query_length=61), "--max_query_length"),
    (dict(doc_stride=0), "--doc_stride"),
    (dict(n_best_size=0), "--n_best_size"),
    (dict(train_batch_size=6, num_accumulation_steps=4),
     "--train_batch_size=6 is not a multiple of --num_accumulation_steps=4"),
    (dict(predict_batch_size=0), "--predict_batch_size=0: must be positive"),
    (dict(max_seq_length=65), "--max_seq_length=65 is longer than "
     "max_position_embeddings=64"),
])
def test_run_refuses_bad_settings_before_writing(tmp_path, overrides,
                                                 message):
  vocab, config = _setup_model_files(tmp_path)
  out = tmp_path / "out"
  settings = _settings(vocab, config, out, train_file=squad_data.write_dataset(
      tmp_path / "train.json"), do_train=True, max_seq_length=64)
  with pytest.raises(script_utils.UsageError, match=message):
    run_squad.run(settings.replace(**overrides))
  assert not out.exists()


def _settings(vocab, config, out, **overrides):
  """run_squad's settings as the command line's defaults give them."""
  values = dict(bert_config_file=config, vocab_file=vocab,
                output_dir=str(out), max_seq_length=MAX_SEQ_LENGTH,
                doc_stride=DOC_STRIDE, max_query_length=MAX_QUERY_LENGTH,
                train_batch_size=4, predict_batch_size=4, n_best_size=5)
  values.update(overrides)
  return script_settings.defaults(run_squad.define_flags, **values)


def test_flag_defaults_are_squads():
  settings = script_settings.defaults(run_squad.define_flags)
  assert (settings.max_seq_length, settings.doc_stride,
          settings.max_query_length, settings.n_best_size,
          settings.max_answer_length, settings.train_batch_size,
          settings.predict_batch_size, settings.learning_rate,
          settings.version_2_with_negative,
          settings.null_score_diff_threshold) == (
              384, 128, 64, 20, 30, 32, 8, 5e-5, False, 0.0)
  assert "do_eval" not in settings


@pytest.mark.parametrize("content,problem", [
    ('{"version": "1.1", "paragraphs": []}', "\"data\" list"),
    # Malformed gold answers are caught before training, not when scoring.
    ('{"data": [{"paragraphs": [{"context": "a b", "qas": [{"id": "1", '
     '"question": "q", "answers": [{"answer_start": 0}]}]}]}]}',
     "question 1: an answer has no \"text\""),
])
def test_run_reports_bad_predict_file_up_front(tmp_path, content, problem):
  vocab, config = _setup_model_files(tmp_path)
  bad = tmp_path / "bad.json"
  bad.write_text(content)
  out = tmp_path / "out"
  with pytest.raises(script_utils.UsageError) as info:
    run_squad.run(_settings(vocab, config, out, train_file=str(bad),
                            predict_file=str(bad), do_predict=True))
  message = str(info.value)
  assert str(bad) in message and problem in message
  # Nothing half-written.
  assert not os.path.exists(str(out / "eval.tf_record"))
  assert not os.path.exists(str(out / "predictions.json"))


def _setup_model_files(tmp_path):
  vocab = squad_data.write_vocab(tmp_path / "vocab.txt")
  config_file = helpers.write_bert_config(
      tmp_path / "bert_config.json",
      helpers.tiny_bert_config(vocab_size=len(squad_data.vocab_tokens()),
                               intermediate_size=37))
  return vocab, config_file


def _run_script(args):
  return helpers.run_script(["run_squad.py"] + args, timeout=300)


@pytest.mark.slow
def test_end_to_end_v2_train_predict_and_threshold(tmp_path):
  vocab, config = _setup_model_files(tmp_path)
  data = squad_data.write_dataset(tmp_path / "squad2.json", version_2=True)
  out = tmp_path / "out"
  common = [
      "--vocab_file=" + vocab, "--bert_config_file=" + config,
      "--output_dir=" + str(out), "--predict_file=" + data,
      "--max_seq_length=%d" % MAX_SEQ_LENGTH, "--doc_stride=%d" % DOC_STRIDE,
      "--max_query_length=%d" % MAX_QUERY_LENGTH, "--predict_batch_size=8",
      "--version_2_with_negative", "--n_best_size=5",
      "--tf_random_seed=%d" % SEED]
  proc = _run_script(common + [
      "--do_train", "--do_predict", "--train_file=" + data,
      "--train_batch_size=4", "--num_train_epochs=2", "--learning_rate=1e-3"])
  assert proc.returncode == 0, proc.stderr[-3000:]

  names = set(os.listdir(str(out)))
  for name in ("train.tf_record", "eval.tf_record", "predictions.json",
               "nbest_predictions.json", "null_odds.json", "squad_metrics.json",
               "checkpoint"):
    assert name in names
  assert not [n for n in names if ".tmp" in n]
  num_questions = len(squad_data.gold())
  predictions = json.load(open(str(out / "predictions.json")))
  nbest = json.load(open(str(out / "nbest_predictions.json")))
  null_odds = json.load(open(str(out / "null_odds.json")))
  metrics = json.load(open(str(out / "squad_metrics.json")))
  assert set(predictions) == set(nbest) == set(null_odds) == set(
      squad_data.gold())
  for entries in nbest.values():
    assert sum(e["probability"] for e in entries) == pytest.approx(1.0)
  for key in ("exact", "f1", "HasAns_exact", "HasAns_f1", "NoAns_exact",
              "NoAns_f1", "best_exact", "best_exact_thresh", "best_f1",
              "best_f1_thresh"):
    assert isinstance(metrics[key], float), key
  assert metrics["total"] == num_questions
  assert metrics["HasAns_total"] == len(squad_data.ANSWERABLE)
  # The metrics are printed once, as a block, without the duplicate `exact`.
  assert "  best_f1_thresh = " in proc.stderr
  assert "  exact_match = " in proc.stderr
  assert "  exact = " not in proc.stderr
  assert '"best_f1_thresh"' not in proc.stdout
  # Training ran the requested steps: 7 answerable + 2 impossible = 9
  # questions / batch 4 * 2 epochs = 4 steps.
  assert "model.ckpt-4.index" in names

  # The README's tuning step: predict again with the reported threshold.
  proc = _run_script(common + [
      "--do_predict",
      "--null_score_diff_threshold=%r" % metrics["best_f1_thresh"]])
  assert proc.returncode == 0, proc.stderr[-3000:]
  tuned = json.load(open(str(out / "squad_metrics.json")))
  assert tuned["f1"] == pytest.approx(metrics["best_f1"])
  assert tuned["null_score_diff_threshold"] == metrics["best_f1_thresh"]


@pytest.mark.slow
def test_end_to_end_v1_with_accumulation(tmp_path):
  vocab, config = _setup_model_files(tmp_path)
  data = squad_data.write_dataset(tmp_path / "squad1.json", with_not_found=True)
  out = tmp_path / "out"
  proc = _run_script([
      "--vocab_file=" + vocab, "--bert_config_file=" + config,
      "--output_dir=" + str(out), "--train_file=" + data,
      "--predict_file=" + data, "--do_train", "--do_predict",
      "--max_seq_length=%d" % MAX_SEQ_LENGTH, "--doc_stride=%d" % DOC_STRIDE,
      "--max_query_length=%d" % MAX_QUERY_LENGTH, "--train_batch_size=4",
      "--num_accumulation_steps=2", "--num_train_epochs=2",
      "--tf_random_seed=%d" % SEED])
  assert proc.returncode == 0, proc.stderr[-3000:]
  names = set(os.listdir(str(out)))
  assert {"predictions.json", "nbest_predictions.json", "squad_metrics.json",
          "train.tf_record", "eval.tf_record"} <= names
  assert "null_odds.json" not in names
  # 7 usable questions / batch 4 * 2 epochs = 3 updates of 2 micro-batches;
  # the global step counts updates.
  assert "model.ckpt-3.index" in names
  assert "Skipping question q_missing" in proc.stderr
  predictions = json.load(open(str(out / "predictions.json")))
  assert len(predictions) == len(squad_data.ANSWERABLE) + 1
  # A question whose window has no valid span among the best starts and ends
  # gets "" (possible for a model this briefly trained), but most get text
  # (7 or 8 of the 8 over 12 seeds).
  assert all(isinstance(v, str) for v in predictions.values())
  assert sum(1 for v in predictions.values() if v) > len(predictions) / 2, (
      predictions)
  metrics = json.load(open(str(out / "squad_metrics.json")))
  assert set(metrics) >= {"exact_match", "f1", "total"}
  assert "best_f1_thresh" not in metrics
