# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""SQuAD exact match and F1, so no separate evaluation script is needed.

The scoring follows the published SQuAD evaluation:

- answers are normalised by lower-casing, dropping ASCII punctuation,
  dropping the articles "a", "an" and "the", and collapsing whitespace;
- exact match is 1 when the normalised strings are equal;
- F1 is the harmonic mean of precision and recall over the bag of
  normalised whitespace tokens;
- a question scores the best value over its gold answers.

For SQuAD 2.0 an unanswerable question has the single gold answer "" (so only
an empty prediction scores on it), the scores are also reported separately for
answerable ("HasAns") and unanswerable ("NoAns") questions, and, given each
question's null odds (`null_odds.json` from run_squad.py), the threshold on
them that maximises EM and F1 is searched.

The threshold search can be done two ways. With only the final predictions
(as the official v2.0 script does) a question already answered "" stays wrong
for every threshold. With the best non-empty answer of each question as well
(run_squad.py keeps it), the search is exact: at threshold t a question is
answered "" when its null odds exceed t and with its best span otherwise,
which is precisely what `run_squad.py --null_score_diff_threshold=t` predicts.

Command line (same inputs as the official scripts):

  python squad_metrics.py dev-v2.0.json predictions.json \
      [--null_odds_file=null_odds.json]
"""

import argparse
import collections
import json
import re
import string
import sys

_ARTICLES = re.compile(r"\b(a|an|the)\b", re.UNICODE)
_PUNCTUATION = frozenset(string.punctuation)


def normalize_answer(text):
  """Lower-cases and strips punctuation, articles and extra whitespace."""
  text = text.lower()
  text = "".join(ch for ch in text if ch not in _PUNCTUATION)
  text = _ARTICLES.sub(" ", text)
  return " ".join(text.split())


def _normalized_tokens(text):
  if not text:
    return []
  return normalize_answer(text).split()


def exact_match_score(prediction, gold):
  """1 if the normalised answers are identical, else 0."""
  return int(normalize_answer(prediction) == normalize_answer(gold))


def f1_score(prediction, gold):
  """Token-level F1 between two answers, in [0, 1].

  When either side normalises to nothing, the only way to score is for both
  to be empty (that is how "no answer" is credited in SQuAD 2.0).
  """
  pred_tokens = _normalized_tokens(prediction)
  gold_tokens = _normalized_tokens(gold)
  if not pred_tokens or not gold_tokens:
    return float(pred_tokens == gold_tokens)
  common = (collections.Counter(pred_tokens) &
            collections.Counter(gold_tokens))
  num_same = sum(common.values())
  if num_same == 0:
    return 0.0
  precision = num_same / len(pred_tokens)
  recall = num_same / len(gold_tokens)
  return 2.0 * precision * recall / (precision + recall)


def _best_over_golds(metric, prediction, golds):
  return max(metric(prediction, gold) for gold in golds)


class GoldFormatError(ValueError):
  """The gold file is not in SQuAD format."""


def gold_answers(dataset):
  """Maps every question id to its list of gold answer texts.

  Args:
    dataset: parsed SQuAD JSON (the whole file, or its "data" list).

  Returns:
    OrderedDict qas_id (str) -> list of str. Answers that normalise to nothing
    are left out; a question left with no answer (an unanswerable SQuAD 2.0
    question) gets [""].

  Raises:
    GoldFormatError: when the structure is not SQuAD's.
  """
  articles = dataset.get("data") if isinstance(dataset, dict) else dataset
  if not isinstance(articles, list):
    raise GoldFormatError("expected a JSON object with a \"data\" list")
  golds = collections.OrderedDict()
  for article in articles:
    paragraphs = None
    if isinstance(article, dict):
      paragraphs = article.get("paragraphs")
    if not isinstance(paragraphs, list):
      raise GoldFormatError("an article has no \"paragraphs\" list")
    for paragraph in paragraphs:
      qas = paragraph.get("qas") if isinstance(paragraph, dict) else None
      if not isinstance(qas, list):
        raise GoldFormatError("a paragraph has no \"qas\" list")
      for qa in qas:
        if not isinstance(qa, dict) or "id" not in qa:
          raise GoldFormatError("a question has no \"id\"")
        answers = qa.get("answers") or []
        if not isinstance(answers, list):
          raise GoldFormatError("question %s: \"answers\" is not a list" %
                                qa["id"])
        texts = []
        for answer in answers:
          text = answer.get("text") if isinstance(answer, dict) else None
          if not isinstance(text, str):
            raise GoldFormatError("question %s: an answer has no \"text\"" %
                                  qa["id"])
          if normalize_answer(text):
            texts.append(text)
        golds[str(qa["id"])] = texts or [""]
  return golds


def has_gold_answers(dataset):
  """True when the file can be scored: some question carries an answer or is
  marked unanswerable (a test file without answers cannot)."""
  try:
    articles = dataset["data"]
    for article in articles:
      for paragraph in article["paragraphs"]:
        for qa in paragraph["qas"]:
          if qa.get("answers") or qa.get("is_impossible"):
            return True
  except (KeyError, TypeError):
    return False
  return False


def _raw_scores(golds, predictions):
  """Per-question EM and F1 (0/1 and [0, 1]); a missing prediction is "" ."""
  exact, f1 = {}, {}
  for qid, answers in golds.items():
    prediction = predictions.get(qid, "")
    exact[qid] = _best_over_golds(exact_match_score, prediction, answers)
    f1[qid] = _best_over_golds(f1_score, prediction, answers)
  return exact, f1


def _mean_percent(scores, qids):
  if not qids:
    return 0.0
  return 100.0 * sum(scores[qid] for qid in qids) / len(qids)


def _best_threshold(golds, scores, null_odds, non_null_scores):
  """Finds the null-odds threshold that maximises the summed score.

  At threshold t a question is answered "" when null_odds > t. An answerable
  question then scores 0 and an unanswerable one 1; otherwise it keeps its
  non-null score. Questions are swept in increasing null odds, moving one
  group of equal odds at a time from "" to answered, so the reported
  threshold reproduces the reported score exactly.

  Args:
    golds: qid -> gold answers ([""] for unanswerable).
    scores: qid -> score of the final prediction (used when non_null_scores
      is None, as the official script does).
    null_odds: qid -> float.
    non_null_scores: (optional) qid -> score of the best non-empty answer.

  Returns:
    (best score in percent, best threshold).
  """
  qids = list(golds)
  no_answer = {qid: golds[qid] == [""] for qid in qids}
  answered_score = non_null_scores if non_null_scores is not None else scores
  odds = {qid: float(null_odds.get(qid, float("inf"))) for qid in qids}
  finite = [value for value in odds.values() if value != float("inf")]
  # Everything answered "": each unanswerable question scores 1.
  current = float(sum(no_answer.values()))
  best = current
  best_threshold = (min(finite) - 1.0) if finite else 0.0
  order = sorted((qid for qid in qids if odds[qid] != float("inf")),
                 key=lambda qid: odds[qid])
  i = 0
  while i < len(order):
    group_odds = odds[order[i]]
    while i < len(order) and odds[order[i]] == group_odds:
      qid = order[i]
      current += answered_score[qid] - (1.0 if no_answer[qid] else 0.0)
      i += 1
    if current > best:
      best = current
      best_threshold = group_odds
  return 100.0 * best / max(len(qids), 1), best_threshold


def evaluate(dataset, predictions, null_odds=None, non_null_predictions=None):
  """Scores predictions against a SQuAD file.

  Args:
    dataset: parsed SQuAD JSON.
    predictions: dict qas_id -> answer text ("" for no answer).
    null_odds: (optional, SQuAD 2.0) dict qas_id -> null score minus best
      non-null score, as in null_odds.json.
    non_null_predictions: (optional, with null_odds) dict qas_id -> best
      non-empty answer; makes the threshold search exact (module docstring).

  Returns:
    OrderedDict. Always "exact_match" and "f1" (percent) and "total". When the
    file has unanswerable questions or null_odds is given (SQuAD 2.0), also
    "exact" (same as exact_match, the official v2.0 name), "HasAns_exact",
    "HasAns_f1", "HasAns_total", "NoAns_exact", "NoAns_f1", "NoAns_total"
    (splits only for non-empty groups), and with null_odds "best_exact",
    "best_exact_thresh", "best_f1", "best_f1_thresh".
  """
  golds = gold_answers(dataset)
  predictions = {str(k): v for k, v in predictions.items()}
  exact, f1 = _raw_scores(golds, predictions)
  qids = list(golds)
  result = collections.OrderedDict()
  result["exact_match"] = _mean_percent(exact, qids)
  result["f1"] = _mean_percent(f1, qids)
  result["total"] = len(qids)
  missing = [qid for qid in qids if qid not in predictions]
  if missing:
    result["missing_predictions"] = len(missing)

  has_ans = [qid for qid in qids if golds[qid] != [""]]
  no_ans = [qid for qid in qids if golds[qid] == [""]]
  if no_ans or null_odds is not None:
    result["exact"] = result["exact_match"]
    for name, group in (("HasAns", has_ans), ("NoAns", no_ans)):
      if group:
        result[name + "_exact"] = _mean_percent(exact, group)
        result[name + "_f1"] = _mean_percent(f1, group)
        result[name + "_total"] = len(group)
  if null_odds is not None:
    null_odds = {str(k): v for k, v in null_odds.items()}
    non_null_exact = non_null_f1 = None
    if non_null_predictions is not None:
      non_null_predictions = {
          str(k): v for k, v in non_null_predictions.items()}
      non_null_exact, non_null_f1 = _raw_scores(golds, non_null_predictions)
    (result["best_exact"], result["best_exact_thresh"]) = _best_threshold(
        golds, exact, null_odds, non_null_exact)
    (result["best_f1"], result["best_f1_thresh"]) = _best_threshold(
        golds, f1, null_odds, non_null_f1)
  return result


def _load_json(path, what):
  """The JSON object in `path`; bad input ends in one `error:` line.

  Raises:
    SystemExit: naming the argument and the file when it cannot be read,
      is not UTF-8 JSON, or holds something other than a JSON object.
  """
  try:
    with open(path, "rb") as f:
      data = f.read()
  except FileNotFoundError:
    raise SystemExit("error: %s %s: file not found" % (what, path))
  except OSError as e:
    raise SystemExit("error: %s %s: cannot be read (%s)" %
                     (what, path, e.strerror or e))
  try:
    text = data.decode("utf-8")
  except UnicodeDecodeError as e:
    line_start = data.rfind(b"\n", 0, e.start) + 1
    raise SystemExit(
        "error: %s %s line %d: not valid UTF-8 (byte 0x%02x at column %d)" %
        (what, path, data.count(b"\n", 0, e.start) + 1, data[e.start],
         e.start - line_start + 1))
  try:
    value = json.loads(text)
  except ValueError as e:
    raise SystemExit("error: %s %s: not valid JSON (%s)" % (what, path, e))
  if not isinstance(value, dict):
    raise SystemExit("error: %s %s: expected a JSON object, found %s" %
                     (what, path, type(value).__name__))
  return value


def main(argv=None):
  parser = argparse.ArgumentParser(
      description="SQuAD 1.1 / 2.0 exact match and F1.")
  parser.add_argument("data_file", help="SQuAD JSON with gold answers.")
  parser.add_argument("prediction_file", help="predictions.json.")
  parser.add_argument("--null_odds_file", default=None,
                      help="null_odds.json (SQuAD 2.0): adds the best "
                      "threshold search.")
  args = parser.parse_args(argv)
  dataset = _load_json(args.data_file, "data_file")
  predictions = _load_json(args.prediction_file, "prediction_file")
  null_odds = None
  if args.null_odds_file:
    null_odds = _load_json(args.null_odds_file, "null_odds_file")
  try:
    result = evaluate(dataset, predictions, null_odds=null_odds)
  except GoldFormatError as e:
    raise SystemExit("error: data_file %s: %s" % (args.data_file, e))
  print(json.dumps(result, indent=2))


if __name__ == "__main__":
  main(sys.argv[1:])
