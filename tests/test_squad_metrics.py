# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""squad_metrics.py against hand-computed SQuAD scores."""

import json
import os
import re

import pytest

import squad_metrics
from tests import helpers


def _dataset(questions):
  """questions: list of (qid, [answer texts]) -> SQuAD dict."""
  return {"data": [{"paragraphs": [{
      "context": "unused",
      "qas": [{"id": qid, "question": "?",
               "answers": [{"text": t, "answer_start": 0} for t in answers],
               "is_impossible": not answers}
              for (qid, answers) in questions]}]}]}


def test_normalize_answer():
  assert squad_metrics.normalize_answer("The  Cat, sat!") == "cat sat"
  assert squad_metrics.normalize_answer("an apple a day") == "apple day"
  # Articles only as whole words.
  assert squad_metrics.normalize_answer("Theory and anthem") == "theory and anthem"
  assert squad_metrics.normalize_answer("  A  ") == ""


def test_exact_and_f1_hand_computed():
  assert squad_metrics.exact_match_score("the Cat.", "cat") == 1
  assert squad_metrics.exact_match_score("cat sat", "cat") == 0
  # pred {cat, sat, on, mat}, gold {cat, sat}: P = 1/2, R = 1, F1 = 2/3.
  assert squad_metrics.f1_score("the cat sat on mat",
                                "a cat sat") == pytest.approx(2.0 / 3.0)
  # Repeated tokens count with multiplicity: pred [x, x, y], gold [x, y, y]:
  # common = {x: 1, y: 1} = 2, P = R = 2/3.
  assert squad_metrics.f1_score("x x y", "x y y") == pytest.approx(2.0 / 3.0)
  assert squad_metrics.f1_score("dog", "cat") == 0.0
  # Empty against empty is a match (SQuAD 2.0 no-answer), otherwise 0.
  assert squad_metrics.f1_score("", "") == 1.0
  assert squad_metrics.f1_score("the", "") == 1.0
  assert squad_metrics.f1_score("cat", "") == 0.0


def test_evaluate_v1_max_over_golds_and_missing():
  data = _dataset([("a", ["Denver Broncos", "The Broncos"]),
                   ("b", ["1999"]),
                   ("c", ["blue whale"])])
  preds = {"a": "broncos", "b": "in 1999"}
  result = squad_metrics.evaluate(data, preds)
  # a: EM 1 (vs "The Broncos"); b: EM 0, F1 = 2*(1/2*1)/(1.5) = 2/3;
  # c: missing -> 0.
  assert result["exact_match"] == pytest.approx(100.0 / 3)
  assert result["f1"] == pytest.approx(100.0 * (1 + 2.0 / 3) / 3)
  assert result["total"] == 3
  assert result["missing_predictions"] == 1
  assert "HasAns_exact" not in result


def test_evaluate_v2_splits_and_threshold():
  data = _dataset([("h1", ["red"]), ("h2", ["blue sky"]),
                   ("n1", []), ("n2", [])])
  preds = {"h1": "red", "h2": "", "n1": "", "n2": "green"}
  null_odds = {"h1": -3.0, "h2": 1.0, "n1": 2.0, "n2": -1.0}
  result = squad_metrics.evaluate(data, preds, null_odds=null_odds)
  assert result["exact"] == pytest.approx(50.0)  # h1, n1
  assert result["HasAns_exact"] == pytest.approx(50.0)
  assert result["HasAns_total"] == 2
  assert result["NoAns_exact"] == pytest.approx(50.0)
  assert result["NoAns_total"] == 2
  # Official-style search (only final predictions): thresholds
  #   t < -3: all ""            -> n1, n2 right            = 2
  #   t = -3: h1 answered "red" -> 3
  #   t = -1: n2 answered       -> 2;  t = 1: h2 ("") -> 2; t = 2: n1 "" -> 2
  assert result["best_exact"] == pytest.approx(75.0)
  assert result["best_exact_thresh"] == pytest.approx(-3.0)

  # Exact search with the best non-null answers: h2 would say "blue sky".
  non_null = {"h1": "red", "h2": "blue sky", "n1": "x", "n2": "green"}
  result = squad_metrics.evaluate(data, preds, null_odds=null_odds,
                                  non_null_predictions=non_null)
  #   t = -3: 3; t = -1: 2 (n2 wrong); t = 1: 3 (h2 right); t = 2: 2.
  # The first best threshold is kept.
  assert result["best_f1"] == pytest.approx(75.0)
  assert result["best_f1_thresh"] == pytest.approx(-3.0)
  null_odds["n2"] = 5.0  # n2 now never answered.
  result = squad_metrics.evaluate(data, preds, null_odds=null_odds,
                                  non_null_predictions=non_null)
  # t = -3: h1 -> 3 (n1, n2 "" right); t = 1: h2 -> 4; t = 2: n1 -> 3.
  assert result["best_exact"] == pytest.approx(100.0)
  assert result["best_exact_thresh"] == pytest.approx(1.0)


def test_threshold_ties_move_together():
  data = _dataset([("h", ["a b"]), ("n", [])])
  # Same odds: both answered or neither. Neither: n right (1).
  # Both: h right, n wrong (1). Moving only one would report 2.
  result = squad_metrics.evaluate(
      data, {"h": "", "n": ""}, null_odds={"h": 0.5, "n": 0.5},
      non_null_predictions={"h": "a b", "n": "c"})
  assert result["best_exact"] == pytest.approx(50.0)
  assert result["best_exact_thresh"] < 0.5


def test_gold_format_errors():
  with pytest.raises(squad_metrics.GoldFormatError, match="data"):
    squad_metrics.gold_answers({"version": "1.1"})
  with pytest.raises(squad_metrics.GoldFormatError, match="paragraphs"):
    squad_metrics.gold_answers({"data": [{"title": "x"}]})
  assert not squad_metrics.has_gold_answers(
      {"data": [{"paragraphs": [{"qas": [{"id": "1", "answers": []}]}]}]})


def test_command_line(tmp_path):
  data = _dataset([("a", ["cat"]), ("n", [])])
  (tmp_path / "d.json").write_text(json.dumps(data))
  (tmp_path / "p.json").write_text(json.dumps({"a": "cat", "n": "dog"}))
  (tmp_path / "o.json").write_text(json.dumps({"a": -1.0, "n": 0.5}))
  out = helpers.run_script(
      ["squad_metrics.py", tmp_path / "d.json", tmp_path / "p.json",
       "--null_odds_file", tmp_path / "o.json"])
  assert out.returncode == 0, out.stderr
  result = json.loads(out.stdout)
  assert result["exact"] == pytest.approx(50.0)
  assert result["best_exact"] == pytest.approx(100.0)
  assert result["best_exact_thresh"] == pytest.approx(-1.0)


@pytest.mark.parametrize("case,expected", [
    ("missing", r"error: prediction_file \S+missing\.json: file not found"),
    ("directory", r"error: prediction_file \S+a_dir: cannot be read"),
    ("not_utf8", r"error: prediction_file \S+bad\.json line 2: not valid "
     r"UTF-8 \(byte 0xe9 at column 10\)"),
    ("not_json", r"error: prediction_file \S+bad\.json: not valid JSON"),
    ("a_list", r"error: prediction_file \S+bad\.json: expected a JSON "
     r"object, found list"),
])
def test_command_line_bad_file_is_one_line(tmp_path, case, expected):
  """Each unreadable file is one `error:` line, no traceback."""
  (tmp_path / "d.json").write_text(json.dumps(_dataset([("a", ["cat"])])))
  predictions = str(tmp_path / "bad.json")
  if case == "missing":
    predictions = str(tmp_path / "missing.json")
  elif case == "directory":
    predictions = str(tmp_path / "a_dir")
    os.makedirs(predictions)
  else:
    content = {"not_utf8": b'{\n"a": "caf\xe9"}', "not_json": b'{"a": ',
               "a_list": b'["cat"]'}[case]
    with open(predictions, "wb") as f:
      f.write(content)
  out = helpers.run_script(["squad_metrics.py", tmp_path / "d.json",
                            predictions])
  assert out.returncode == 1
  assert "Traceback" not in out.stderr
  assert out.stdout == ""
  lines = out.stderr.splitlines()
  assert len(lines) == 1 and re.match(expected, lines[0]), out.stderr
