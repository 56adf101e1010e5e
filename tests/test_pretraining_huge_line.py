# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""A document that is one huge line (a dump with no sentence breaks).

Pair truncation used to delete from the front of a list one token at a time,
quadratic in the segment's length; it now counts the removals and cuts once.
Checked here: the same random draws give the same tokens as the
one-at-a-time rule (so records of ordinary text do not change; the records
themselves are compared byte for byte by test_deterministic_records.py), and
a three-document corpus whose middle document is one line of 300,000 tokens
gives, in both modes, at most dupe_factor instances with segment A from that
line, while the first and last documents still appear.
"""

import random
import time

import pytest

import create_pretraining_data as cpd
import pretraining_data
import pretraining_data_streaming as pds
from tests.test_create_pretraining_data import _document_of
from tests.test_create_pretraining_data import _original_tokens
from tests.test_create_pretraining_data import _split_pair
from tests.test_create_pretraining_data import _SplitTokenizer
from tests.test_create_pretraining_data import _write_tagged_corpus

HUGE = 300000
DUPE_FACTOR = 5


def _truncate_one_at_a_time(tokens_a, tokens_b, max_num_tokens, rng):
  """The rule as first written: one deletion per random draw."""
  while len(tokens_a) + len(tokens_b) > max_num_tokens:
    trunc_tokens = tokens_a if len(tokens_a) > len(tokens_b) else tokens_b
    if rng.random() < 0.5:
      del trunc_tokens[0]
    else:
      trunc_tokens.pop()


def test_truncation_matches_one_token_at_a_time():
  lengths = random.Random(0)
  for case in range(2000):
    len_a = lengths.randint(0, 60)
    len_b = lengths.randint(0 if len_a else 1, 60)
    budget = lengths.randint(1, 70)
    if len_a + len_b < 1:
      continue
    pairs = []
    for truncate in (_truncate_one_at_a_time,
                     pretraining_data.truncate_seq_pair):
      a, b = list(range(len_a)), list(range(100, 100 + len_b))
      rng = random.Random(case)
      truncate(a, b, budget, rng)
      pairs.append((a, b, rng.random()))  # the next draw: same state
    assert pairs[0] == pairs[1], (len_a, len_b, budget)


def _corpus(path):
  """Document 0 and 2: 30 ordinary sentences; document 1: one huge line."""
  ordinary = lambda d: [["d%ds%dt%d" % (d, s, t) for t in range(12)]
                        for s in range(30)]
  huge = [["d1s0t%d" % t for t in range(HUGE)]]
  return _write_tagged_corpus(str(path), [ordinary(0), huge, ordinary(2)])


def _check(instances):
  a_documents = []
  for instance in instances:
    tokens_a, tokens_b = _split_pair(_original_tokens(instance))
    assert len(tokens_a) + len(tokens_b) <= 32 - 3
    a_documents.append({_document_of(t) for t in tokens_a}.pop())
  assert a_documents.count(1) <= DUPE_FACTOR
  assert a_documents.count(0) > DUPE_FACTOR
  assert a_documents.count(2) > DUPE_FACTOR


@pytest.mark.slow
def test_huge_line_in_memory_and_streaming(tmp_path):
  path = _corpus(tmp_path / "corpus.txt")
  args = dict(max_seq_length=32, short_seq_prob=0.1, masked_lm_prob=0.15,
              max_predictions_per_seq=3)
  start = time.time()
  _check(cpd.create_training_instances(
      [path], _SplitTokenizer(), dupe_factor=DUPE_FACTOR,
      rng=random.Random(1), **args))
  documents = pretraining_data.read_documents([path], _SplitTokenizer())
  _check(list(pds.create_streaming_instances(
      iter(documents), max_documents_in_memory=10, dupe_factor=DUPE_FACTOR,
      rng=random.Random(1), vocab_words=list(_SplitTokenizer.vocab),
      **args)))
  # One-at-a-time deletion took minutes here; counting takes seconds.
  assert time.time() - start < 120


def test_truncating_a_million_tokens_takes_linear_time():
  # One at a time this took about a minute (quadratic: 5.5 s for 300,000
  # tokens, when this takes well under one).
  tokens_a, tokens_b = list(range(1000000)), list(range(10))
  start = time.time()
  pretraining_data.truncate_seq_pair(tokens_a, tokens_b, 125,
                                     random.Random(0))
  assert time.time() - start < 10
  assert len(tokens_a) == 115 and tokens_b == list(range(10))
