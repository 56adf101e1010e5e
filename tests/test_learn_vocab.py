# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""learn_vocab.py: the learned vocabulary covers the corpus, compresses it
better than characters, loads in FullTokenizer, and the merge bookkeeping
agrees with a naive re-counting implementation."""

import collections
import os
import random

import pytest

import learn_vocab
import script_utils
import tokenization
from tests import helpers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "learn_vocab.py")
SAMPLE = os.path.join(ROOT, "sample_text.txt")
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def _sample_words(do_lower_case):
  basic = tokenization.BasicTokenizer(do_lower_case=do_lower_case)
  words = []
  with open(SAMPLE, encoding="utf-8") as f:
    for line in f:
      words.extend(basic.tokenize(line))
  return words


def _pieces_and_unks(vocab_file, do_lower_case):
  tokenizer = tokenization.FullTokenizer(vocab_file, do_lower_case)
  pieces = []
  with open(SAMPLE, encoding="utf-8") as f:
    for line in f:
      pieces.extend(tokenizer.tokenize(line))
  return len(pieces), pieces.count("[UNK]")


@pytest.fixture(scope="module")
def sample_vocab(tmp_path_factory):
  path = str(tmp_path_factory.mktemp("vocab") / "vocab.txt")
  counts = learn_vocab.count_words([SAMPLE], do_lower_case=True)
  vocab = learn_vocab.learn_vocab(counts, vocab_size=800, min_frequency=2)
  learn_vocab.write_vocab(vocab, path)
  return path, vocab


def test_learned_vocab_covers_and_compresses_the_sample(sample_vocab,
                                                        tmp_path):
  path, vocab = sample_vocab
  words = _sample_words(do_lower_case=True)
  num_pieces, num_unk = _pieces_and_unks(path, do_lower_case=True)
  assert num_unk / num_pieces < 0.005

  # The baseline: a vocabulary of the characters alone, built here from the
  # corpus directly.
  chars = sorted(set("".join(words)))
  char_vocab = helpers.write_vocab(tmp_path / "chars.txt",
                                   SPECIALS + chars + ["##" + c for c in chars])
  char_pieces, char_unk = _pieces_and_unks(char_vocab, do_lower_case=True)
  assert char_unk == 0
  assert char_pieces == sum(len(w) for w in words)
  assert num_pieces / len(words) < 0.6 * char_pieces / len(words)


def test_vocab_layout_and_fulltokenizer_loads_it(sample_vocab):
  path, vocab = sample_vocab
  assert vocab[:5] == SPECIALS
  assert len(vocab) == len(set(vocab)) == 800
  tokenizer = tokenization.FullTokenizer(path, do_lower_case=True)
  assert list(tokenizer.vocab.keys()) == vocab
  assert tokenizer.convert_tokens_to_ids(SPECIALS) == [0, 1, 2, 3, 4]
  words = _sample_words(do_lower_case=True)
  for c in set("".join(words)):
    assert c in tokenizer.vocab and "##" + c in tokenizer.vocab
  # Lower-cased: no capitals anywhere.
  assert not [t for t in vocab[5:] if t != t.lower()]
  # Frequent words became whole tokens.
  for word in ("the", "and", "of", "to"):
    assert word in tokenizer.vocab
  # A word never seen is still covered, by pieces.
  assert "[UNK]" not in tokenizer.tokenize("Unbreakable lighthouses")


def test_cased_vocab_keeps_capitals():
  counts = learn_vocab.count_words([SAMPLE], do_lower_case=False)
  vocab = learn_vocab.learn_vocab(counts, vocab_size=400)
  assert "The" in vocab and "M" in vocab and "##M" in vocab


def _naive_merges(word_counts, vocab_size, min_frequency):
  """Reference BPE: recount every pair after every merge."""
  words = {w: [w[0]] + ["##" + c for c in w[1:]] for w in word_counts}
  chars = sorted(set("".join(word_counts)))
  vocab = SPECIALS + chars + ["##" + c for c in chars]
  while len(vocab) < vocab_size:
    pairs = collections.Counter()
    for w, symbols in words.items():
      for pair in zip(symbols, symbols[1:]):
        pairs[pair] += word_counts[w]
    if not pairs:
      break
    best = min(pairs, key=lambda p: (-pairs[p], p))
    if pairs[best] < min_frequency:
      break
    merged = best[0] + best[1][2:]
    for w, symbols in words.items():
      out = []
      i = 0
      while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == best:
          out.append(merged)
          i += 2
        else:
          out.append(symbols[i])
          i += 1
      words[w] = out
    if merged not in vocab:
      vocab.append(merged)
  return vocab


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_incremental_merges_match_naive_recount(seed):
  rng = random.Random(seed)
  letters = "abcde"
  counts = collections.Counter()
  for _ in range(400):
    word = "".join(rng.choice(letters) for _ in range(rng.randint(1, 7)))
    counts[word] += rng.randint(1, 5)
  expected = _naive_merges(counts, 120, 2)
  assert learn_vocab.learn_vocab(counts, 120, 2) == expected
  # Repeated letters ("aaaa") are where overlapping pairs go wrong.
  counts = collections.Counter({"aaaa": 5, "aaab": 3, "baaa": 2, "ab": 1})
  assert learn_vocab.learn_vocab(counts, 40, 1) == _naive_merges(counts, 40, 1)


def test_min_frequency_stops_learning():
  counts = collections.Counter({"abc": 1, "abd": 1})
  vocab = learn_vocab.learn_vocab(counts, 100, min_frequency=2)
  # "a"+"##b" occurs twice: merged. Nothing else does.
  assert vocab[len(SPECIALS) + 8:] == ["ab"]
  assert learn_vocab.learn_vocab(counts, 100, min_frequency=3)[-1] == "##d"


def test_vocab_size_too_small_for_the_alphabet():
  counts = collections.Counter({"abcdef": 3})
  with pytest.raises(script_utils.UsageError, match="--vocab_size=10"):
    learn_vocab.learn_vocab(counts, 10)


@pytest.mark.slow
def test_script_writes_vocab_and_reports_bad_input(tmp_path):
  corpus = tmp_path / "corpus.txt"
  corpus.write_text("Hello world.\nThe world says hello back.\n\n"
                    "Another document, hello again.\n")
  out = str(tmp_path / "vocab.txt")
  good = helpers.start_script(
      [SCRIPT, "--input_file=%s" % str(tmp_path / "*.txt"),
       "--output_file=%s" % out, "--vocab_size=60", "--do_lower_case=True"])
  bad_out = str(tmp_path / "bad_vocab.txt")
  bad = helpers.start_script(
      [SCRIPT, "--input_file=%s" % str(corpus), "--output_file=%s" % bad_out,
       "--vocab_size=12"])
  _, stderr = good.communicate(timeout=300)
  assert good.returncode == 0, stderr[-2000:]
  with open(out) as f:
    tokens = f.read().splitlines()
  assert tokens[:5] == SPECIALS
  assert "hello" in tokens and "world" in tokens
  assert len(tokens) <= 60

  _, stderr = bad.communicate(timeout=300)
  assert bad.returncode == 1
  errors = [l for l in stderr.splitlines() if l.startswith("error: ")]
  assert len(errors) == 1 and "--vocab_size=12 is too small" in errors[0]
  assert not os.path.exists(bad_out)
  assert not [f for f in os.listdir(str(tmp_path)) if ".tmp-" in f]
