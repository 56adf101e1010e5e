# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""ner_metrics against hand-worked cases and a transcription of conlleval.

The recount below is a literal transcription of conlleval's streaming
counter (startOfChunk, endOfChunk and the inCorrect bookkeeping, one token at
a time with a boundary token between sentences), written independently of
the module's span sets.
"""

import numpy as np
import pytest

import ner_metrics


def _scores(gold, predicted):
  return ner_metrics.evaluate(gold, predicted)


def _close(result, **expected):
  for key, value in expected.items():
    assert result[key] == pytest.approx(value, abs=1e-12), key


# ----------------------------------------------------------------------------
# Hand-worked cases
# ----------------------------------------------------------------------------


def test_entities_of_iob1_and_iob2_are_the_same():
  iob1 = ["I-PER", "I-PER", "B-PER", "O", "I-LOC", "I-LOC", "B-LOC"]
  iob2 = ["B-PER", "I-PER", "B-PER", "O", "B-LOC", "I-LOC", "B-LOC"]
  expected = [("PER", 0, 1), ("PER", 2, 2), ("LOC", 4, 5), ("LOC", 6, 6)]
  assert ner_metrics.get_entities(iob1) == expected
  assert ner_metrics.get_entities(iob2) == expected
  # Scored against each other: every entity right, but 2 of 7 tags differ.
  result = _scores([iob2], [iob1])
  _close(result, precision=1.0, recall=1.0, f1=1.0, accuracy=5 / 7)
  assert ner_metrics.count_scheme_violations(iob1, "iob2") == 2
  assert ner_metrics.count_scheme_violations(iob1, "iob1") == 0
  assert ner_metrics.count_scheme_violations(iob2, "iob2") == 0
  assert ner_metrics.count_scheme_violations(iob2, "iob1") == 2


def test_an_i_tag_after_o_or_another_type_starts_an_entity():
  # conlleval's reading of ill-formed IOB2.
  tags = ["O", "I-PER", "I-LOC", "B-LOC", "I-PER", "I-PER"]
  assert ner_metrics.get_entities(tags) == [
      ("PER", 1, 1), ("LOC", 2, 2), ("LOC", 3, 3), ("PER", 4, 5)]


def test_entity_split_by_a_wrong_tag():
  # Gold: PER 0-1 and LOC 3. Predicted: PER 0, PER 1 (split by a B-), LOC 3.
  gold = [["B-PER", "I-PER", "O", "B-LOC"]]
  predicted = [["B-PER", "B-PER", "O", "B-LOC"]]
  result = _scores(gold, predicted)
  # 1 correct of 3 predicted and 2 gold; F1 = 2 (1/3)(1/2) / (5/6) = 0.4.
  _close(result, precision=1 / 3, recall=1 / 2, f1=0.4, accuracy=3 / 4,
         precision_PER=0.0, recall_PER=0.0, f1_PER=0.0,
         precision_LOC=1.0, recall_LOC=1.0, f1_LOC=1.0)
  # A wrong I- of another type in the middle: three entities, none right.
  result = _scores([["B-PER", "I-PER", "I-PER"]],
                   [["B-PER", "I-LOC", "I-PER"]])
  _close(result, precision=0.0, recall=0.0, f1=0.0, accuracy=2 / 3)


def test_type_and_boundaries_must_both_match():
  result = _scores([["B-PER", "I-PER", "O"]], [["B-ORG", "I-ORG", "O"]])
  _close(result, precision=0.0, recall=0.0, f1=0.0, accuracy=1 / 3,
         precision_ORG=0.0, recall_ORG=0.0, precision_PER=0.0, recall_PER=0.0)
  # Right type, one token short; right type, one token too long.
  result = _scores([["B-PER", "I-PER", "O"], ["O", "B-LOC", "O"]],
                   [["B-PER", "O", "O"], ["O", "B-LOC", "I-LOC"]])
  _close(result, precision=0.0, recall=0.0, f1=0.0, accuracy=4 / 6)


def test_entity_at_the_sentence_end_and_sentence_boundaries():
  gold = [["O", "B-LOC", "I-LOC"], ["I-LOC", "O"]]
  # The I-LOC opening sentence 2 is a new entity, not a continuation.
  assert ner_metrics.get_entities(gold[0]) == [("LOC", 1, 2)]
  result = _scores(gold, gold)
  _close(result, precision=1.0, recall=1.0, f1=1.0, accuracy=1.0)
  scores = ner_metrics.EntityScores()
  for sentence in gold:
    scores.add(sentence, sentence)
  assert scores.num_gold == {"LOC": 2}
  # Predicting the first entity one token short at the end.
  result = _scores(gold, [["O", "B-LOC", "O"], ["I-LOC", "O"]])
  _close(result, precision=0.5, recall=0.5, f1=0.5, accuracy=4 / 5)


def test_no_entities_at_all():
  # conlleval prints 0.00 for precision, recall and F1 then.
  result = _scores([["O", "O"], ["O"]], [["O", "O"], ["O"]])
  assert result == {"precision": 0.0, "recall": 0.0, "f1": 0.0,
                    "accuracy": 1.0}
  # Entities predicted where there are none: precision 0, recall 0.
  result = _scores([["O", "O"]], [["B-PER", "O"]])
  _close(result, precision=0.0, recall=0.0, f1=0.0, accuracy=0.5,
         precision_PER=0.0, recall_PER=0.0, f1_PER=0.0)


def test_tags_without_a_type_and_types_with_hyphens():
  assert ner_metrics.split_tag("B-MISC-X") == ("B", "MISC-X")
  assert ner_metrics.get_entities(["B", "I", "O", "I"]) == [
      ("", 0, 1), ("", 3, 3)]
  assert ner_metrics.get_entities(["B-A-B", "I-A-B", "I-A"]) == [
      ("A-B", 0, 1), ("A", 2, 2)]
  with pytest.raises(ValueError, match="NN"):
    ner_metrics.get_entities(["NN"])
  assert not ner_metrics.is_iob_tag("B-")
  assert not ner_metrics.is_iob_tag("O-PER")


def test_length_mismatch_is_an_error():
  with pytest.raises(ValueError):
    _scores([["O", "O"]], [["O"]])
  with pytest.raises(ValueError):
    _scores([["O"]], [])


# ----------------------------------------------------------------------------
# Independent recount: conlleval's streaming counter
# ----------------------------------------------------------------------------


def _conlleval_split(tag):
  if "-" in tag:
    prefix, rest = tag.split("-", 1)
    return prefix, rest
  return tag, ""


# conlleval's endOfChunk and startOfChunk, rule by rule: the (previous tag,
# tag) pairs that end or start a chunk, then the type and bracket rules.
_ENDING_PAIRS = {("B", "B"), ("B", "O"), ("I", "B"), ("I", "O"), ("E", "E"),
                 ("E", "I"), ("E", "O")}
_STARTING_PAIRS = {("B", "B"), ("I", "B"), ("O", "B"), ("O", "I"),
                   ("E", "E"), ("E", "I"), ("O", "E")}


def _end_of_chunk(prev_tag, tag, prev_type, type_):
  return ((prev_tag, tag) in _ENDING_PAIRS or
          (prev_tag not in ("O", ".") and prev_type != type_) or
          prev_tag in ("[", "]"))


def _start_of_chunk(prev_tag, tag, prev_type, type_):
  return ((prev_tag, tag) in _STARTING_PAIRS or
          (tag not in ("O", ".") and prev_type != type_) or
          tag in ("[", "]"))


def conlleval_counts(gold_sentences, predicted_sentences):
  """(correct, found_guessed, found_correct, correct_tags, tokens) by type.

  Line by line as conlleval.pl: a sentence boundary is a token tagged O
  that is not counted as a token.
  """
  stream = []
  for gold, predicted in zip(gold_sentences, predicted_sentences):
    stream += [(g, p, False) for g, p in zip(gold, predicted)]
    stream.append(("O", "O", True))
  correct_chunk, found_guessed, found_correct = {}, {}, {}
  correct_tags = tokens = 0
  last_correct, last_correct_type = "O", ""
  last_guessed, last_guessed_type = "O", ""
  in_correct = False
  for correct_tag, guessed_tag, boundary in stream:
    correct, correct_type = _conlleval_split(correct_tag)
    guessed, guessed_type = _conlleval_split(guessed_tag)
    if in_correct:
      correct_ends = _end_of_chunk(last_correct, correct, last_correct_type,
                                   correct_type)
      guessed_ends = _end_of_chunk(last_guessed, guessed, last_guessed_type,
                                   guessed_type)
      if correct_ends and guessed_ends and last_guessed_type == last_correct_type:
        in_correct = False
        correct_chunk[last_correct_type] = correct_chunk.get(
            last_correct_type, 0) + 1
      elif correct_ends != guessed_ends or guessed_type != correct_type:
        in_correct = False
    correct_starts = _start_of_chunk(last_correct, correct, last_correct_type,
                                     correct_type)
    guessed_starts = _start_of_chunk(last_guessed, guessed, last_guessed_type,
                                     guessed_type)
    if correct_starts and guessed_starts and guessed_type == correct_type:
      in_correct = True
    if correct_starts:
      found_correct[correct_type] = found_correct.get(correct_type, 0) + 1
    if guessed_starts:
      found_guessed[guessed_type] = found_guessed.get(guessed_type, 0) + 1
    if not boundary:
      if correct == guessed and guessed_type == correct_type:
        correct_tags += 1
      tokens += 1
    last_guessed, last_correct = guessed, correct
    last_guessed_type, last_correct_type = guessed_type, correct_type
  return correct_chunk, found_guessed, found_correct, correct_tags, tokens


def _conlleval_percentages(correct, found_guessed, found_correct):
  """conlleval's printout formulas, in percent."""
  precision = 100 * correct / found_guessed if found_guessed > 0 else 0
  recall = 100 * correct / found_correct if found_correct > 0 else 0
  fb1 = (2 * precision * recall / (precision + recall)
         if precision + recall > 0 else 0)
  return precision / 100, recall / 100, fb1 / 100


@pytest.mark.parametrize("seed", range(4))
def test_random_taggings_match_the_conlleval_transcription(seed):
  rng = np.random.RandomState(seed)
  tag_set = ["O", "O", "O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-MISC",
             "I-MISC", "B", "I"]
  gold, predicted = [], []
  for _ in range(200):
    length = rng.randint(1, 12)
    gold.append([tag_set[i] for i in rng.randint(len(tag_set), size=length)])
    # Mostly right, so that many entities are correct.
    sentence = list(gold[-1])
    for i in range(length):
      if rng.rand() < 0.25:
        sentence[i] = tag_set[rng.randint(len(tag_set))]
    predicted.append(sentence)

  correct, guessed, found, correct_tags, tokens = conlleval_counts(
      gold, predicted)
  scores = ner_metrics.EntityScores()
  for g, p in zip(gold, predicted):
    scores.add(g, p)
  assert dict(scores.num_correct) == correct
  assert dict(scores.num_predicted) == guessed
  assert dict(scores.num_gold) == found
  assert (scores.num_correct_tags, scores.num_tokens) == (correct_tags,
                                                          tokens)
  assert sum(correct.values()) > 50  # The case is not trivial.

  result = scores.result()
  _close(result, accuracy=correct_tags / tokens)
  expected = _conlleval_percentages(sum(correct.values()),
                                    sum(guessed.values()),
                                    sum(found.values()))
  _close(result, precision=expected[0], recall=expected[1], f1=expected[2])
  for entity_type in set(guessed) | set(found):
    expected = _conlleval_percentages(correct.get(entity_type, 0),
                                      guessed.get(entity_type, 0),
                                      found.get(entity_type, 0))
    _close(result, **{"precision_" + entity_type: expected[0],
                      "recall_" + entity_type: expected[1],
                      "f1_" + entity_type: expected[2]})
