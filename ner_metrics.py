# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Entity-level precision, recall and F1 as the CoNLL shared tasks score them.

The CoNLL-2000/2002/2003 shared tasks scored chunkers and named-entity
taggers with the Perl script `conlleval`; the BERT paper's CoNLL-2003 figures
(test F1 92.4 for BERT-Base, 92.8 for BERT-Large) are conlleval figures. This
module computes the same numbers from tag sequences, so no Perl is needed:

- A tag is "O" or a prefix, a hyphen and an entity type ("B-PER",
  "I-MISC"); the type is everything after the first hyphen, and a tag with
  no hyphen ("B", "I") has the empty type.
- Entities are found with conlleval's start-of-chunk and end-of-chunk rules,
  which read IOB1 (the original CoNLL-2003 files: I- everywhere, B- only
  between two adjacent entities of the same type) and IOB2 / BIO (every
  entity starts with B-) alike: B- always starts an entity; I- starts one
  after O or after a tag of another type (in IOB2 data that is an ill-formed
  entity, which conlleval counts all the same); a change of type ends one.
  So a tag sequence has the same entities whichever of the two schemes it
  was written in, and the sentence boundary ends every entity.
- An entity is correct only when the prediction has an entity of the same
  type with the same first and last token.
- Precision = correct / predicted entities, recall = correct / gold
  entities, F1 their harmonic mean; each is 0 when its denominator is 0
  (conlleval prints 0.00 then). Overall figures are micro-averaged over
  the types; per-type figures are given for every type found in the gold
  or the predicted tags.
- Token accuracy is the share of tokens whose predicted tag equals the gold
  tag exactly (B-PER and I-PER differ), "O" tokens included.

conlleval prints percentages; here every figure is a fraction in [0, 1].
"""

import collections

# The tag prefixes conlleval's rules read for the IOB1 and IOB2 schemes.
IOB_PREFIXES = ("B", "I")
OUTSIDE = "O"

Entity = collections.namedtuple("Entity", ["type", "start", "end"])
"""One entity: its type and its first and last token (inclusive, 0-based)."""


def split_tag(tag):
  """("B", "PER") for "B-PER", ("O", "") for "O", ("B", "") for "B".

  As conlleval since 2004: the prefix is what precedes the first hyphen and
  the type all that follows it, so types may contain hyphens.
  """
  prefix, hyphen, entity_type = tag.partition("-")
  if not hyphen:
    return tag, ""
  return prefix, entity_type


def is_iob_tag(tag):
  """Whether `tag` is "O", "B", "I", "B-<type>" or "I-<type>"."""
  prefix, entity_type = split_tag(tag)
  if prefix == OUTSIDE:
    return not entity_type and tag == OUTSIDE
  return prefix in IOB_PREFIXES and ("-" not in tag or bool(entity_type))


def _starts_entity(previous, current):
  """conlleval's startOfChunk for B/I/O tags: does `current` open one?"""
  previous_prefix, previous_type = split_tag(previous)
  prefix, entity_type = split_tag(current)
  if prefix == OUTSIDE:
    return False
  if prefix == "B":
    return True
  # An I- continues an entity of its own type and starts one otherwise.
  return previous_prefix == OUTSIDE or previous_type != entity_type


def _ends_entity(previous, current):
  """conlleval's endOfChunk for B/I/O tags: does `previous` close one?"""
  previous_prefix, previous_type = split_tag(previous)
  prefix, entity_type = split_tag(current)
  if previous_prefix == OUTSIDE:
    return False
  return prefix in (OUTSIDE, "B") or previous_type != entity_type


def get_entities(tags):
  """The entities of one sentence's tags, in order.

  Args:
    tags: list of tag strings, one per token of a sentence.

  Returns:
    list of `Entity(type, start, end)`, token indices inclusive.

  Raises:
    ValueError: for a tag that is not "O", B- or I- (see `is_iob_tag`).
  """
  entities = []
  start = None
  previous = OUTSIDE
  # An "O" after the last token closes an entity ending the sentence.
  for index, tag in enumerate(list(tags) + [OUTSIDE]):
    if not is_iob_tag(tag):
      raise ValueError("tag %r is not O, B-<type> or I-<type>" % tag)
    if start is not None and _ends_entity(previous, tag):
      entities.append(Entity(split_tag(previous)[1], start, index - 1))
      start = None
    if _starts_entity(previous, tag):
      start = index
    previous = tag
  return entities


def _ratio(numerator, denominator):
  return numerator / denominator if denominator else 0.0


def _scores(num_correct, num_predicted, num_gold):
  """(precision, recall, f1) from the three counts."""
  precision = _ratio(num_correct, num_predicted)
  recall = _ratio(num_correct, num_gold)
  f1 = _ratio(2.0 * precision * recall, precision + recall)
  return precision, recall, f1


class EntityScores(object):
  """Counts entities and tokens over sentences; the scores come from them.

  Usage: call `add(gold_tags, predicted_tags)` once per sentence, then read
  `result()`. Attributes (all ints): `num_correct`, `num_predicted`,
  `num_gold` (Counters by type), `num_tokens`, `num_correct_tags`.
  """

  def __init__(self):
    self.num_correct = collections.Counter()
    self.num_predicted = collections.Counter()
    self.num_gold = collections.Counter()
    self.num_tokens = 0
    self.num_correct_tags = 0

  def add(self, gold_tags, predicted_tags):
    """Counts one sentence.

    Args:
      gold_tags: list of gold tag strings.
      predicted_tags: list of predicted tag strings, as long as gold_tags.

    Raises:
      ValueError: when the lengths differ or a tag is not IOB.
    """
    if len(gold_tags) != len(predicted_tags):
      raise ValueError("%d gold tags but %d predicted tags" %
                       (len(gold_tags), len(predicted_tags)))
    gold = set(get_entities(gold_tags))
    predicted = set(get_entities(predicted_tags))
    for entity in gold:
      self.num_gold[entity.type] += 1
    for entity in predicted:
      self.num_predicted[entity.type] += 1
    for entity in gold & predicted:
      self.num_correct[entity.type] += 1
    self.num_tokens += len(gold_tags)
    self.num_correct_tags += sum(
        1 for g, p in zip(gold_tags, predicted_tags) if g == p)

  def result(self):
    """The scores as a dict of floats in [0, 1].

    Keys: `precision`, `recall`, `f1` (micro-averaged over all entities),
    `accuracy` (token accuracy), and `precision_<type>`, `recall_<type>`,
    `f1_<type>` for every type in the gold or predicted tags (an untyped
    "B"/"I" entity has the type "" and the keys "precision_" etc.).
    """
    result = {}
    (result["precision"], result["recall"], result["f1"]) = _scores(
        sum(self.num_correct.values()), sum(self.num_predicted.values()),
        sum(self.num_gold.values()))
    for entity_type in sorted(set(self.num_gold) | set(self.num_predicted)):
      scores = _scores(self.num_correct[entity_type],
                       self.num_predicted[entity_type],
                       self.num_gold[entity_type])
      for name, value in zip(("precision", "recall", "f1"), scores):
        result["%s_%s" % (name, entity_type)] = value
    result["accuracy"] = _ratio(self.num_correct_tags, self.num_tokens)
    return result


def evaluate(gold_sentences, predicted_sentences):
  """conlleval's figures for parallel lists of tagged sentences.

  Args:
    gold_sentences: list of lists of gold tags, one list per sentence.
    predicted_sentences: list of lists of predicted tags, in the same shape.

  Returns:
    dict as `EntityScores.result()`.

  Raises:
    ValueError: when the shapes differ or a tag is not IOB.
  """
  if len(gold_sentences) != len(predicted_sentences):
    raise ValueError("%d gold sentences but %d predicted sentences" %
                     (len(gold_sentences), len(predicted_sentences)))
  scores = EntityScores()
  for gold, predicted in zip(gold_sentences, predicted_sentences):
    scores.add(gold, predicted)
  return scores.result()


def count_scheme_violations(tags, tag_scheme):
  """How many entities of one sentence do not open as `tag_scheme` has them.

  In IOB2 every entity opens with B-; in IOB1 an entity opens with I-, and
  with B- only right after an entity of the same type. conlleval reads both
  alike, so a violation changes no score, but many of them suggest the data
  is in the other scheme.

  Args:
    tags: list of tag strings, one sentence.
    tag_scheme: "iob1" or "iob2".

  Returns:
    int.
  """
  count = 0
  previous = OUTSIDE
  for tag in tags:
    if _starts_entity(previous, tag):
      prefix, entity_type = split_tag(tag)
      previous_prefix, previous_type = split_tag(previous)
      if tag_scheme == "iob2":
        count += prefix != "B"
      else:
        after_same_type = (previous_prefix != OUTSIDE and
                           previous_type == entity_type)
        count += prefix == "B" and not after_same_type
    previous = tag
  return count
