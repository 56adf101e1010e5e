# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""create_pretraining_data.py: record schema, the instance-cutting and masking
statistics of the paper, the target length drawn per document (the reference
code's, its random choices exactly) or per instance, whole-word masking,
determinism and bad input."""

import collections
import os
import random
import types

import numpy as np
import pytest
import tensorflow as tf

import create_pretraining_data as cpd
import pretraining_data as recipe
import script_utils
import tokenization
from tests import helpers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "create_pretraining_data.py")

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
# Whole words and word pieces the small corpora below are built from. A
# word "<head><piece>..." is spelled as head + "##piece" tokens.
HEADS = ["the", "cat", "dog", "sat", "on", "a", "mat", "ran", "far", "and",
         "it", "was", "red", "big", "old", "sun", "sky", "sea", "day", "one"]
PIECES = ["ing", "s", "ed", "er", "ly", "ness"]

SCHEMA = {
    "input_ids": ("int64", "seq"),
    "input_mask": ("int64", "seq"),
    "segment_ids": ("int64", "seq"),
    "masked_lm_positions": ("int64", "pred"),
    "masked_lm_ids": ("int64", "pred"),
    "masked_lm_weights": ("float", "pred"),
    "next_sentence_labels": ("int64", 1),
}


# ----------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------


def _vocab_words():
  return SPECIALS + HEADS + ["##" + p for p in PIECES] + [".", ","]


def _write_vocab(path):
  return helpers.write_vocab(path, _vocab_words())


def _random_word(rng):
  word = rng.choice(HEADS)
  for _ in range(rng.choice([0, 0, 0, 1, 1, 2])):
    word += rng.choice(PIECES)
  return word


def _write_corpus(path, num_docs=12, seed=0):
  """Blank-line-separated documents, one sentence per line."""
  rng = random.Random(seed)
  docs = []
  for _ in range(num_docs):
    sentences = []
    for _ in range(rng.randint(3, 25)):
      words = [_random_word(rng) for _ in range(rng.randint(2, 14))]
      sentences.append(" ".join(words).capitalize() + ".")
    docs.append("\n".join(sentences))
  with open(path, "w") as f:
    f.write("\n\n".join(docs) + "\n")
  return path


def _piece_documents(num_docs, seed):
  """Tokenized documents with ## pieces, for masking statistics."""
  rng = random.Random(seed)
  documents = []
  for _ in range(num_docs):
    document = []
    for _ in range(rng.randint(10, 40)):
      sentence = []
      for _ in range(rng.randint(2, 20)):
        sentence.append(rng.choice(HEADS))
        for _ in range(rng.choice([0, 0, 1, 2])):
          sentence.append("##" + rng.choice(PIECES))
      document.append(sentence)
    documents.append(document)
  return documents


def _tagged_documents(num_docs, num_sentences):
  """Documents of one-token sentences whose token names say where they are.

  Token "d3s17" is sentence 17 of document 3, so every instance can be
  traced back to the exact text it was cut from.
  """
  return [[["d%ds%d" % (d, s)] for s in range(num_sentences)]
          for d in range(num_docs)]


def _parse_tag(token):
  d, s = token[1:].split("s")
  return int(d), int(s)


def _original_tokens(instance):
  """The tokens before masking: labels put back at the masked positions."""
  tokens = list(instance.tokens)
  for position, label in zip(instance.masked_lm_positions,
                             instance.masked_lm_labels):
    tokens[position] = label
  return tokens


def _split_pair(tokens):
  """([CLS] A [SEP] B [SEP]) -> (A, B); asserts the layout."""
  assert tokens[0] == "[CLS]"
  assert tokens[-1] == "[SEP]"
  seps = [i for i, t in enumerate(tokens) if t == "[SEP]"]
  assert len(seps) == 2, tokens
  return tokens[1:seps[0]], tokens[seps[0] + 1:-1]


def _expected_num_masked(num_tokens, masked_lm_prob, max_predictions):
  # Written out independently of the module: round half to even, as
  # Python 3's round() does.
  return min(max_predictions, max(1, int(round(num_tokens * masked_lm_prob))))


def _run_script(args, check=True):
  proc = helpers.run_script([SCRIPT] + args, timeout=300)
  if check:
    assert proc.returncode == 0, proc.stderr[-3000:]
  return proc


def _read_examples(path):
  examples = []
  for raw in tf.data.TFRecordDataset([path]):
    examples.append(tf.train.Example.FromString(raw.numpy()))
  return examples


# ----------------------------------------------------------------------------
# The script: records, logging, determinism, bad input
# ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def script_runs(tmp_path_factory):
  """Runs the script four times in parallel: seed 1 twice (the second time
  with the verbose log, -v 1), seed 2 once, and seed 1 with
  --short_seq_draw=per_instance."""
  tmp = tmp_path_factory.mktemp("cpd")
  vocab = _write_vocab(str(tmp / "vocab.txt"))
  corpus_a = _write_corpus(str(tmp / "a.txt"), seed=1)
  corpus_b = _write_corpus(str(tmp / "b.txt"), num_docs=5, seed=2)
  runs = {}
  procs = {}
  for name, seed, extra in (("first", 1, []), ("again", 1, ["-v", "1"]),
                            ("other", 2, []),
                            ("per_instance", 1,
                             ["--short_seq_draw=per_instance"])):
    out_dir = tmp / name
    outputs = [str(out_dir / "part-0.tfrecord"),
               str(out_dir / "part-1.tfrecord")]
    args = [
        "--input_file=%s,%s" % (corpus_a, str(tmp / "b*.txt")),
        "--output_file=%s" % ",".join(outputs),
        "--vocab_file=%s" % vocab,
        "--do_lower_case=True",
        "--max_seq_length=48",
        "--max_predictions_per_seq=7",
        "--masked_lm_prob=0.15",
        "--dupe_factor=3",
        "--random_seed=%d" % seed,
    ] + extra
    procs[name] = (helpers.start_script([SCRIPT] + args), outputs)
  for name, (proc, outputs) in procs.items():
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr[-3000:]
    runs[name] = types.SimpleNamespace(outputs=outputs, log=stderr)
  runs["vocab"] = _vocab_words()
  return runs


@pytest.mark.slow
def test_records_follow_the_schema(script_runs):
  vocab = script_runs["vocab"]
  ids = {w: i for i, w in enumerate(vocab)}
  seq, pred = 48, 7
  examples = []
  for path in script_runs["first"].outputs:
    examples.extend(_read_examples(path))
  assert len(examples) > 50

  labels = set()
  for example in examples:
    feature = example.features.feature
    assert set(feature.keys()) == set(SCHEMA)
    for name, (kind, length) in SCHEMA.items():
      length = {"seq": seq, "pred": pred}.get(length, length)
      values = getattr(feature[name], kind + "_list").value
      assert len(values) == length, name
      other = "float" if kind == "int64" else "int64"
      assert not getattr(feature[name], other + "_list").value

    input_ids = list(feature["input_ids"].int64_list.value)
    input_mask = list(feature["input_mask"].int64_list.value)
    segment_ids = list(feature["segment_ids"].int64_list.value)
    positions = list(feature["masked_lm_positions"].int64_list.value)
    lm_ids = list(feature["masked_lm_ids"].int64_list.value)
    weights = list(feature["masked_lm_weights"].float_list.value)
    labels.add(feature["next_sentence_labels"].int64_list.value[0])

    n = sum(input_mask)
    assert input_mask == [1] * n + [0] * (seq - n)
    assert input_ids[n:] == [0] * (seq - n)
    assert segment_ids[n:] == [0] * (seq - n)
    # Undo the masking to see the layout.
    num_pred = int(sum(weights))
    assert weights == [1.0] * num_pred + [0.0] * (pred - num_pred)
    assert positions[num_pred:] == [0] * (pred - num_pred)
    assert lm_ids[num_pred:] == [0] * (pred - num_pred)
    assert positions[:num_pred] == sorted(set(positions[:num_pred]))
    assert num_pred == _expected_num_masked(n, 0.15, pred)
    original = list(input_ids[:n])
    for p, i in zip(positions[:num_pred], lm_ids[:num_pred]):
      original[p] = i
    tokens = [vocab[i] for i in original]
    tokens_a, tokens_b = _split_pair(tokens)
    assert tokens_a and tokens_b
    first_sep = len(tokens_a) + 1
    assert segment_ids[:n] == [0] * (first_sep + 1) + [1] * (n - first_sep - 1)
    for p in positions[:num_pred]:
      assert tokens[p] not in ("[CLS]", "[SEP]")
    assert "[MASK]" not in tokens and "[PAD]" not in tokens
    assert ids["[CLS]"] == original[0]
  assert labels == {0, 1}


@pytest.mark.slow
def test_log_shows_total_and_examples_only_when_verbose(script_runs):
  log = script_runs["first"].log
  total = sum(len(_read_examples(p)) for p in script_runs["first"].outputs)
  assert "Wrote %d total instances" % total in log
  # The example dumps are details: only in the verbose log.
  assert "*** Example ***" not in log and "tokens: [CLS]" not in log
  verbose_log = script_runs["again"].log
  assert "Wrote %d total instances" % total in verbose_log
  assert verbose_log.count("*** Example ***") == 20
  assert "tokens: [CLS]" in verbose_log


@pytest.mark.slow
def test_round_robin_over_output_files(script_runs):
  sizes = [len(_read_examples(p)) for p in script_runs["first"].outputs]
  assert abs(sizes[0] - sizes[1]) <= 1


@pytest.mark.slow
def test_same_seed_gives_identical_files_and_another_seed_does_not(
    script_runs):
  for first, again, other in zip(script_runs["first"].outputs,
                                 script_runs["again"].outputs,
                                 script_runs["other"].outputs):
    with open(first, "rb") as f1, open(again, "rb") as f2, \
         open(other, "rb") as f3:
      data = f1.read()
      assert data == f2.read()
      assert data != f3.read()
  # No temporary files left behind.
  out_dir = os.path.dirname(script_runs["first"].outputs[0])
  assert sorted(os.listdir(out_dir)) == ["part-0.tfrecord", "part-1.tfrecord"]


@pytest.mark.slow
def test_short_seq_draw_flag_reaches_the_instances(script_runs):
  # The same seed with the target drawn per instance: other records, of the
  # same schema. (Which setting writes more is measured on many documents,
  # in test_per_document_draw_makes_more_and_shorter_instances; 17 are too
  # few to say.)
  records = {}
  for name in ("first", "per_instance"):
    records[name] = []
    for path in script_runs[name].outputs:
      examples = _read_examples(path)
      assert all(set(e.features.feature.keys()) == set(SCHEMA)
                 for e in examples)
      records[name].extend(e.SerializeToString(deterministic=True)
                           for e in examples)
  assert records["first"] != records["per_instance"]


@pytest.mark.slow
def test_bad_input_is_one_line_error(tmp_path):
  vocab = _write_vocab(str(tmp_path / "vocab.txt"))
  empty = tmp_path / "empty.txt"
  empty.write_text("\n\n   \n\n")
  out = str(tmp_path / "out.tfrecord")
  proc = _run_script(["--input_file=%s" % str(empty), "--output_file=%s" % out,
                      "--vocab_file=%s" % vocab], check=False)
  assert proc.returncode == 1
  error_lines = [l for l in proc.stderr.splitlines() if l.startswith("error: ")]
  assert len(error_lines) == 1, proc.stderr[-2000:]
  assert "--input_file=%s contains no text" % str(empty) in error_lines[0]
  assert "Traceback" not in proc.stderr
  assert not os.path.exists(out)
  assert not [f for f in os.listdir(str(tmp_path)) if ".tmp-" in f]


def test_flag_and_vocab_checks():
  good = dict(input_file="a", output_file="b", vocab_file=__file__,
              max_seq_length=128, max_predictions_per_seq=20, dupe_factor=1,
              masked_lm_prob=0.15, short_seq_prob=0.1)
  cpd.validate_flags(types.SimpleNamespace(**good))
  missing = dict(good, vocab_file="/nonexistent/vocab.txt")
  with pytest.raises(script_utils.UsageError,
                     match="--vocab_file=/nonexistent/vocab.txt: file not found"):
    cpd.validate_flags(types.SimpleNamespace(**missing))
  with pytest.raises(script_utils.UsageError,
                     match="--input_file: no file matches /nonexistent/x"):
    script_utils.expand_file_patterns("/nonexistent/x*.txt", "input_file")
  for name, value, message in [
      ("max_seq_length", 4, "--max_seq_length=4"),
      ("max_predictions_per_seq", 0, "--max_predictions_per_seq"),
      ("masked_lm_prob", 0.0, "--masked_lm_prob"),
      ("short_seq_prob", 1.5, "--short_seq_prob"),
      ("dupe_factor", 0, "--dupe_factor"),
      ("output_file", None, "--output_file"),
  ]:
    bad = dict(good)
    bad[name] = value
    with pytest.raises(script_utils.UsageError, match=message):
      cpd.validate_flags(types.SimpleNamespace(**bad))
  with pytest.raises(script_utils.UsageError, match=r"\[MASK\]"):
    cpd.check_vocab_has_special_tokens(
        collections.OrderedDict((w, i) for i, w in enumerate(
            ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "cat"])), "v.txt")


# ----------------------------------------------------------------------------
# Statistics over generated instances
# ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def piece_instances():
  documents = _piece_documents(num_docs=25, seed=3)
  vocab_words = _vocab_words()
  rng = random.Random(7)
  instances = []
  for _ in range(6):
    for index in range(len(documents)):
      instances.extend(cpd.create_instances_from_document(
          documents, index, max_seq_length=64, short_seq_prob=0.1,
          masked_lm_prob=0.15, max_predictions_per_seq=8,
          vocab_words=vocab_words, rng=rng))
  assert len(instances) >= 1000
  return instances


def test_number_of_masked_positions_follows_the_formula(piece_instances):
  for instance in piece_instances:
    n = len(instance.tokens)
    assert len(instance.masked_lm_positions) == _expected_num_masked(
        n, 0.15, 8)
    assert instance.masked_lm_positions == sorted(
        set(instance.masked_lm_positions))
    assert len(instance.masked_lm_labels) == len(instance.masked_lm_positions)


def test_cls_and_sep_never_masked_and_layout(piece_instances):
  for instance in piece_instances:
    tokens = _original_tokens(instance)
    tokens_a, tokens_b = _split_pair(tokens)
    assert len(tokens) <= 64
    assert instance.segment_ids == ([0] * (len(tokens_a) + 2) +
                                    [1] * (len(tokens_b) + 1))
    for label in instance.masked_lm_labels:
      assert label not in ("[CLS]", "[SEP]")
    assert 0 not in instance.masked_lm_positions
    assert len(tokens) - 1 not in instance.masked_lm_positions


def test_mask_keep_random_split_is_80_10_10(piece_instances):
  counts = collections.Counter()
  for instance in piece_instances:
    for position, label in zip(instance.masked_lm_positions,
                               instance.masked_lm_labels):
      token = instance.tokens[position]
      if token == "[MASK]":
        counts["mask"] += 1
      elif token == label:
        counts["keep"] += 1
      else:
        counts["random"] += 1
  total = sum(counts.values())
  assert total > 5000
  # A random replacement equal to the original (1 in 33 here) looks kept.
  vocab_size = len(_vocab_words())
  assert abs(counts["mask"] / total - 0.8) < 0.03
  assert abs(counts["keep"] / total - (0.1 + 0.1 / vocab_size)) < 0.03
  assert abs(counts["random"] / total - (0.1 - 0.1 / vocab_size)) < 0.03


def test_random_next_is_half_of_multi_sentence_chunks_and_tiles_documents():
  documents = _tagged_documents(num_docs=5, num_sentences=2000)
  rng = random.Random(11)
  max_seq_length = 32
  num_random = 0
  total = 0
  for _ in range(3):
    for index in range(len(documents)):
      instances = cpd.create_instances_from_document(
          documents, index, max_seq_length, short_seq_prob=0.1,
          masked_lm_prob=0.15, max_predictions_per_seq=5,
          vocab_words=["x"], rng=rng)
      next_start = 0
      for instance in instances:
        tokens_a, tokens_b = _split_pair(_original_tokens(instance))
        a = [_parse_tag(t) for t in tokens_a]
        b = [_parse_tag(t) for t in tokens_b]
        # A is a contiguous run of this document, starting where the
        # previous instance stopped (unused sentences were put back).
        assert a[0] == (index, next_start)
        assert a == [(index, next_start + k) for k in range(len(a))]
        # B is a contiguous run of one document.
        assert b == [(b[0][0], b[0][1] + k) for k in range(len(b))]
        if instance.is_random_next:
          num_random += 1
          assert b[0][0] != index
          next_start = a[-1][1] + 1
        else:
          assert b[0] == (index, a[-1][1] + 1)
          next_start = b[-1][1] + 1
        total += 1
      # Every sentence of the document was used.
      assert next_start == len(documents[index])
  assert total >= 1000
  # One-token sentences: every chunk but (rarely) a document's last one has
  # more than one sentence.
  assert abs(num_random / total - 0.5) < 0.05


@pytest.mark.parametrize("short_seq_prob", [0.1, 0.3])
def test_per_instance_draw_shortens_short_seq_prob_of_the_instances(
    short_seq_prob):
  documents = _tagged_documents(num_docs=4, num_sentences=2000)
  rng = random.Random(5)
  max_seq_length = 32
  max_num_tokens = max_seq_length - 3
  shortened = 0
  clean = 0
  for index in list(range(len(documents))) * 10:
    for instance in cpd.create_instances_from_document(
        documents, index, max_seq_length, short_seq_prob,
        masked_lm_prob=0.15, max_predictions_per_seq=5, vocab_words=["x"],
        rng=rng, short_seq_draw="per_instance"):
      tokens_a, tokens_b = _split_pair(_original_tokens(instance))
      a = [_parse_tag(t) for t in tokens_a]
      b = [_parse_tag(t) for t in tokens_b]
      # With one-token sentences a chunk holds exactly `target` tokens,
      # unless a document ran out: skip those instances.
      if a[0][1] + max_num_tokens >= len(documents[index]):
        continue
      if b[0][1] + max_num_tokens >= len(documents[b[0][0]]):
        continue
      clean += 1
      if len(a) + len(b) < max_num_tokens:
        shortened += 1
  assert clean > 2500
  # randint(2, max_num_tokens) returns the full length 1 time in 28.
  expected = short_seq_prob * (max_num_tokens - 2) / (max_num_tokens - 1)
  assert abs(shortened / clean - expected) < 0.03


# ----------------------------------------------------------------------------
# The target length: drawn per document (the reference's) or per instance
# ----------------------------------------------------------------------------


def _varied_tagged_documents(num_docs, seed):
  """Documents of 60-400 one-token sentences ("d3s17"), lengths at random."""
  rng = random.Random(seed)
  return [[["d%ds%d" % (d, s)] for s in range(rng.randint(60, 400))]
          for d in range(num_docs)]


def _observed_targets(documents, instances):
  """(length, clean) per instance of one-token-sentence documents.

  With one-token sentences an instance's A and B together hold exactly its
  target length: a chunk of actual-next sentences is the target's number
  of sentences, and a random B is asked for the target minus A. Only the
  end of a document makes a pair shorter, and then its B ends with that
  document's last sentence: such an instance is not "clean", its length at
  most the target. Nothing is truncated, as no target exceeds the maximum.
  """
  observed = []
  for instance in instances:
    tokens_a, tokens_b = _split_pair(_original_tokens(instance))
    last_b = _parse_tag(tokens_b[-1])
    clean = last_b[1] != len(documents[last_b[0]]) - 1
    observed.append((len(tokens_a) + len(tokens_b), clean))
  return observed


# The target length the statistics below are about: max_seq_length 32.
FULL_TARGET = 29


def _short_target_share(short_seq_prob):
  """How many draws give a short target: randint(2, FULL_TARGET) returns
  the full length 1 time in FULL_TARGET - 1."""
  return short_seq_prob * (FULL_TARGET - 2) / (FULL_TARGET - 1)


def _cut_every_document(num_docs, corpus_seed, short_seq_prob,
                        short_seq_draw, seed, passes=2):
  """Lists of `_observed_targets`, one per document and pass, of
  `_varied_tagged_documents(num_docs, corpus_seed)`."""
  documents = _varied_tagged_documents(num_docs, corpus_seed)
  rng = random.Random(seed)
  cuts = []
  for _ in range(passes):
    for index in range(len(documents)):
      cuts.append(_observed_targets(
          documents, cpd.create_instances_from_document(
              documents, index, FULL_TARGET + 3, short_seq_prob,
              masked_lm_prob=0.15, max_predictions_per_seq=5,
              vocab_words=["x"], rng=rng, short_seq_draw=short_seq_draw)))
  return cuts


@pytest.mark.parametrize("short_seq_prob", [0.1, 0.3])
def test_per_document_draw_gives_a_whole_document_one_target(short_seq_prob):
  cuts = _cut_every_document(1000, 19, short_seq_prob, "per_document", 8)
  assert sum(len(cut) for cut in cuts) >= 1000
  num_short = 0
  num_unseen = 0
  for cut in cuts:
    clean_lengths = {length for (length, clean) in cut if clean}
    # Every clean instance of the document has the document's one target;
    # the others (at a document's end) are no longer.
    assert len(clean_lengths) <= 1, cut
    if not clean_lengths:
      num_unseen += 1
      continue
    target = clean_lengths.pop()
    assert all(length <= target for (length, _) in cut), cut
    num_short += target < FULL_TARGET
  # A document without a clean instance hides its target: rare here.
  assert num_unseen <= 0.01 * len(cuts)
  num_seen = len(cuts) - num_unseen
  # The number of short documents is binomial: within 4 standard
  # deviations (1 in 16000 to fail by chance; this seed is fixed anyway).
  expected = _short_target_share(short_seq_prob)
  tolerance = 4 * (expected * (1 - expected) / num_seen) ** 0.5
  assert abs(num_short / num_seen - expected) < tolerance, (
      num_short, num_seen, expected, tolerance)


@pytest.mark.parametrize("short_seq_prob", [0.1, 0.3])
def test_per_instance_draw_mixes_targets_within_a_document(short_seq_prob):
  cuts = _cut_every_document(300, 19, short_seq_prob, "per_instance", 8)
  clean = [length for cut in cuts for (length, ok) in cut if ok]
  assert len(clean) >= 5000
  expected = _short_target_share(short_seq_prob)
  # 4 binomial standard deviations, and 0.01 for the instances left out
  # at documents' ends (a long B runs into one more often than a short).
  tolerance = 4 * (expected * (1 - expected) / len(clean)) ** 0.5 + 0.01
  share = sum(length < FULL_TARGET for length in clean) / len(clean)
  assert abs(share - expected) < tolerance, (share, expected, tolerance)
  # Most documents mix targets, which the per-document draw never does.
  mixed = sum(len({length for (length, ok) in cut if ok}) > 1 for cut in cuts)
  assert mixed > len(cuts) / 2


def test_per_document_draw_makes_more_and_shorter_instances():
  # The same text cut both ways: a short document target cuts the whole
  # document into short instances, so there are more instances and more
  # than short_seq_prob of them are short.
  counts = {}
  shares = {}
  for draw in cpd.SHORT_SEQ_DRAWS:
    cuts = _cut_every_document(500, 3, 0.1, draw, 4)
    lengths = [length for cut in cuts for (length, ok) in cut if ok]
    counts[draw] = sum(len(cut) for cut in cuts)
    shares[draw] = sum(length < FULL_TARGET for length in lengths) / len(
        lengths)
  assert counts["per_document"] > 1.05 * counts["per_instance"], counts
  assert shares["per_document"] > 2 * shares["per_instance"], shares


def _reference_instances(all_documents, document_index, max_seq_length,
                         short_seq_prob, masked_lm_prob,
                         max_predictions_per_seq, vocab_words, rng, draw):
  """The reference implementation's create_instances_from_document, written
  out in its own shape (a sentence index that steps back over unused
  sentences), as (tokens, segment_ids, positions, labels, is_random_next).

  draw="per_document" is the reference exactly: one target before the
  loop. draw="per_instance" draws the target when a chunk starts, as this
  project did before it had --short_seq_draw. The masking is the module's
  (checked on its own above); the rest, truncation included, is the reference's.
  """
  document = all_documents[document_index]
  max_num_tokens = max_seq_length - 3

  def draw_target():
    if rng.random() < short_seq_prob:
      return rng.randint(2, max_num_tokens)
    return max_num_tokens

  target_seq_length = draw_target() if draw == "per_document" else None
  instances = []
  current_chunk = []
  current_length = 0
  i = 0
  while i < len(document):
    if draw == "per_instance" and not current_chunk:
      target_seq_length = draw_target()
    current_chunk.append(document[i])
    current_length += len(document[i])
    if i == len(document) - 1 or current_length >= target_seq_length:
      a_end = 1
      if len(current_chunk) >= 2:
        a_end = rng.randint(1, len(current_chunk) - 1)
      tokens_a = [t for sentence in current_chunk[:a_end] for t in sentence]
      tokens_b = []
      if len(current_chunk) == 1 or rng.random() < 0.5:
        is_random_next = True
        target_b_length = target_seq_length - len(tokens_a)
        for _ in range(10):
          random_document_index = rng.randint(0, len(all_documents) - 1)
          if random_document_index != document_index:
            break
        # The corpora below never make the reference fall back to A's own
        # document, where the module (rightly) differs.
        assert random_document_index != document_index
        random_document = all_documents[random_document_index]
        random_start = rng.randint(0, len(random_document) - 1)
        for j in range(random_start, len(random_document)):
          tokens_b.extend(random_document[j])
          if len(tokens_b) >= target_b_length:
            break
        i -= len(current_chunk) - a_end
      else:
        is_random_next = False
        for sentence in current_chunk[a_end:]:
          tokens_b.extend(sentence)
      while len(tokens_a) + len(tokens_b) > max_num_tokens:
        trunc_tokens = tokens_a if len(tokens_a) > len(tokens_b) else tokens_b
        if rng.random() < 0.5:
          del trunc_tokens[0]
        else:
          trunc_tokens.pop()
      tokens = ["[CLS]"] + tokens_a + ["[SEP]"] + tokens_b + ["[SEP]"]
      segment_ids = [0] * (len(tokens_a) + 2) + [1] * (len(tokens_b) + 1)
      tokens, positions, labels = cpd.create_masked_lm_predictions(
          tokens, masked_lm_prob, max_predictions_per_seq, vocab_words, rng)
      instances.append((tokens, segment_ids, positions, labels,
                        is_random_next))
      current_chunk = []
      current_length = 0
    i += 1
  return instances


@pytest.mark.parametrize("draw", ["per_document", "per_instance"])
def test_instances_and_random_state_are_the_references(draw):
  # Same instances and the same random state afterwards, document after
  # document, so a seed gives the reference code's output (per_document)
  # and this project's earlier output (per_instance). Eight documents: the
  # reference's ten tries for another document practically never fail.
  documents = _piece_documents(num_docs=8, seed=21)
  # Some long sentences, so that pairs are truncated too.
  documents[3] = [sentence * 4 for sentence in documents[3]]
  vocab_words = _vocab_words()
  num_instances = 0
  num_short = 0
  for seed in range(6):
    rng = random.Random(seed)
    reference_rng = random.Random(seed)
    for index in list(range(len(documents))) * 3:
      expected = _reference_instances(
          documents, index, 48, 0.3, 0.15, 7, vocab_words, reference_rng,
          draw)
      kwargs = {} if draw == "per_document" else {"short_seq_draw": draw}
      instances = cpd.create_instances_from_document(
          documents, index, 48, 0.3, 0.15, 7, vocab_words, rng, **kwargs)
      assert [(i.tokens, i.segment_ids, i.masked_lm_positions,
               i.masked_lm_labels, i.is_random_next)
              for i in instances] == expected
      assert rng.getstate() == reference_rng.getstate()
      num_instances += len(instances)
      num_short += sum(len(tokens) < 48 for (tokens, _, _, _, _) in expected)
  assert num_instances > 1000 and num_short > 100, (num_instances, num_short)


def test_training_instances_default_to_the_per_document_draw(tmp_path):
  corpus = _write_corpus(str(tmp_path / "c.txt"), num_docs=10, seed=6)
  tokenizer = _SplitTokenizer()

  def make(**kwargs):
    return [str(i) for i in cpd.create_training_instances(
        [corpus], tokenizer, 40, 3, 0.3, 0.15, 6, random.Random(2),
        **kwargs)]

  default = make()
  assert default == make(short_seq_draw="per_document")
  assert default != make(short_seq_draw="per_instance")
  # An unknown choice is refused before the input is read.
  for function, args in [
      (cpd.create_training_instances,
       (["/nonexistent/x.txt"], tokenizer, 40, 3, 0.3, 0.15, 6,
        random.Random(2))),
      (cpd.create_instances_from_document,
       ([[["a"]], [["b"]]], 0, 40, 0.3, 0.15, 6, ["x"], random.Random(2)))]:
    with pytest.raises(ValueError,
                       match="short_seq_draw must be one of per_document, "
                       "per_instance, not 'per_pass'"):
      function(*args, short_seq_draw="per_pass")


def test_one_sentence_chunk_is_always_random_next():
  # Every sentence alone exceeds the target, so every chunk is one sentence.
  documents = [[["d%ds%dt%d" % (d, s, t) for t in range(40)]
                for s in range(20)] for d in range(3)]
  rng = random.Random(2)
  instances = cpd.create_instances_from_document(
      documents, 0, max_seq_length=32, short_seq_prob=0.0, masked_lm_prob=0.15,
      max_predictions_per_seq=5, vocab_words=["x"], rng=rng)
  assert len(instances) == 20
  for instance in instances:
    assert instance.is_random_next
    tokens_a, tokens_b = _split_pair(_original_tokens(instance))
    assert len(tokens_a) + len(tokens_b) == 29
    assert tokens_a and tokens_b


def test_truncate_seq_pair_takes_from_the_longer_side_front_or_back():
  fronts = 0
  removed = 0
  for seed in range(200):
    rng = random.Random(seed)
    tokens_a = ["a%d" % i for i in range(30)]
    tokens_b = ["b%d" % i for i in range(9)]
    cpd.truncate_seq_pair(tokens_a, tokens_b, 16, rng)
    # 39 -> 16 tokens: A shrinks to 9, the tie at 9 / 9 costs B one token,
    # then A loses one more: 8 / 8 (22 tokens off A, 1 off B).
    assert (len(tokens_a), len(tokens_b)) == (8, 8)
    # What is left of each side is a contiguous window.
    start = int(tokens_a[0][1:])
    assert tokens_a == ["a%d" % i for i in range(start, start + 8)]
    start_b = int(tokens_b[0][1:])
    assert tokens_b == ["b%d" % i for i in range(start_b, start_b + 8)]
    fronts += start + start_b
    removed += 23
  assert abs(fronts / removed - 0.5) < 0.05


def test_whole_word_masking_never_masks_part_of_a_word():
  documents = _piece_documents(num_docs=20, seed=9)
  rng = random.Random(3)
  instances = []
  for _ in range(5):
    for index in range(len(documents)):
      instances.extend(cpd.create_instances_from_document(
          documents, index, max_seq_length=48, short_seq_prob=0.1,
          masked_lm_prob=0.15, max_predictions_per_seq=7,
          vocab_words=_vocab_words(), rng=rng, do_whole_word_mask=True))
  assert len(instances) >= 1000
  num_masked_pieces = 0
  for instance in instances:
    tokens = _original_tokens(instance)
    masked = set(instance.masked_lm_positions)
    # Words, each segment on its own: a ## piece continues the previous
    # token unless that is [CLS]/[SEP] (a head cut off by truncation).
    words = []
    for i, token in enumerate(tokens):
      if token in ("[CLS]", "[SEP]"):
        continue
      if token.startswith("##") and tokens[i - 1] not in ("[CLS]", "[SEP]"):
        words[-1].append(i)
      else:
        words.append([i])
    for word in words:
      covered = [i in masked for i in word]
      assert all(covered) or not any(covered), (tokens, sorted(masked))
      if all(covered) and len(word) > 1:
        num_masked_pieces += 1
    assert 1 <= len(masked) <= _expected_num_masked(len(tokens), 0.15, 7)
  assert num_masked_pieces > 100


def test_whole_word_masking_does_not_join_a_piece_across_sep():
  tokens = ["[CLS]", "red", "##ness", "[SEP]", "##ing", "cat", "[SEP]"]
  seen = collections.Counter()
  for seed in range(200):
    _, positions, _ = cpd.create_masked_lm_predictions(
        tokens, masked_lm_prob=0.1, max_predictions_per_seq=1,
        vocab_words=_vocab_words(), rng=random.Random(seed),
        do_whole_word_mask=True)
    seen[tuple(positions)] += 1
  # The two-piece word never fits the budget of one; the orphan ##ing is a
  # word of its own, not a continuation of "red##ness".
  assert set(seen) == {(4,), (5,)}
  assert min(seen.values()) > 60


def test_training_instances_from_files_are_shuffled_and_deterministic(
    tmp_path):

  class _WhitespaceTokenizer(object):
    vocab = collections.OrderedDict(
        (w, i) for i, w in enumerate(_vocab_words()))

    def tokenize(self, text):
      return text.lower().replace(".", " .").split()

  corpus = _write_corpus(str(tmp_path / "c.txt"), num_docs=8, seed=4)
  # A file without a trailing blank line still ends its last document.
  with open(str(tmp_path / "d.txt"), "w") as f:
    f.write("One sun.\nTwo sky.")

  def make(seed):
    return cpd.create_training_instances(
        [corpus, str(tmp_path / "d.txt")], _WhitespaceTokenizer(),
        max_seq_length=40, dupe_factor=2, short_seq_prob=0.1,
        masked_lm_prob=0.15, max_predictions_per_seq=6,
        rng=random.Random(seed))

  first = make(1)
  assert [str(i) for i in first] == [str(i) for i in make(1)]
  assert [str(i) for i in first] != [str(i) for i in make(2)]
  documents = cpd.read_documents([corpus, str(tmp_path / "d.txt")],
                                 _WhitespaceTokenizer())
  assert len(documents) == 9
  assert documents[-1] == [["one", "sun", "."], ["two", "sky", "."]]
  assert "tokens: [CLS]" in str(first[0]) and "is_random_next" in repr(
      first[0])


def test_instance_to_example_pads_with_zeros():

  class _Tokenizer(object):
    vocab = {w: i for i, w in enumerate(_vocab_words())}

    def convert_tokens_to_ids(self, tokens):
      return [self.vocab[t] for t in tokens]

  instance = cpd.TrainingInstance(
      tokens=["[CLS]", "cat", "[MASK]", "[SEP]", "dog", "[SEP]"],
      segment_ids=[0, 0, 0, 0, 1, 1], masked_lm_positions=[2],
      masked_lm_labels=["sat"], is_random_next=True)
  example = cpd.instance_to_example(instance, _Tokenizer(), 8, 3)
  f = example.features.feature
  v = _Tokenizer.vocab
  assert list(f["input_ids"].int64_list.value) == [
      v["[CLS]"], v["cat"], v["[MASK]"], v["[SEP]"], v["dog"], v["[SEP]"], 0,
      0]
  assert list(f["input_mask"].int64_list.value) == [1] * 6 + [0, 0]
  assert list(f["segment_ids"].int64_list.value) == [0, 0, 0, 0, 1, 1, 0, 0]
  assert list(f["masked_lm_positions"].int64_list.value) == [2, 0, 0]
  assert list(f["masked_lm_ids"].int64_list.value) == [v["sat"], 0, 0]
  np.testing.assert_array_equal(f["masked_lm_weights"].float_list.value,
                                [1.0, 0.0, 0.0])
  assert list(f["next_sentence_labels"].int64_list.value) == [1]


# ----------------------------------------------------------------------------
# A random next segment comes from another document, never A's own
# ----------------------------------------------------------------------------


class _SplitTokenizer(object):
  """Whitespace tokens as they are, so tagged tokens keep their names."""
  vocab = collections.OrderedDict((w, i) for i, w in enumerate(_vocab_words()))

  def tokenize(self, text):
    return text.split()


def _write_tagged_corpus(path, documents):
  """Writes documents of tagged tokens ("d3s17t2": document 3, sentence 17,
  token 2), one sentence per line, blank lines between documents."""
  with open(path, "w") as f:
    f.write("\n\n".join("\n".join(" ".join(s) for s in d)
                        for d in documents) + "\n")
  return path


def _tagged_corpus(num_docs, sentence_counts, sentence_length):
  return [[["d%ds%dt%d" % (d, s, t) for t in range(sentence_length(d, s))]
           for s in range(sentence_counts[d])] for d in range(num_docs)]


def _document_of(token):
  return int(token[1:].split("s")[0])


def _count_pairs(instances):
  """(random-next pairs, those of them with B from A's document); asserts
  that each segment comes from one document and an actual-next B from A's."""
  num_random = 0
  num_same_document = 0
  for instance in instances:
    tokens_a, tokens_b = _split_pair(_original_tokens(instance))
    documents_a = {_document_of(t) for t in tokens_a}
    documents_b = {_document_of(t) for t in tokens_b}
    # Each segment is a stretch of one document.
    assert len(documents_a) == 1 and len(documents_b) == 1, instance
    if instance.is_random_next:
      num_random += 1
      num_same_document += documents_a == documents_b
    else:
      assert documents_a == documents_b, instance
  return num_random, num_same_document


def test_random_next_never_comes_from_the_same_document(tmp_path):
  # Random corpora of 2-7 documents, tiny ones included (one sentence of
  # one token), through the files as the script reads them. With two
  # documents the reference draw fell back to A's own document in 1 draw in
  # 1024; the one-sentence chunks of long sentences make many draws.
  num_random = collections.Counter()
  num_same_document = 0
  for seed in range(100):
    rng = random.Random(seed)
    num_docs = rng.choice([2, 2, 2, 3, 4, 7])
    counts = [rng.choice([1, 1, 3, 10, 60, 150]) for _ in range(num_docs)]
    lengths = {}

    def sentence_length(d, s, rng=rng, lengths=lengths):
      return lengths.setdefault((d, s), rng.choice([1, 3, 12, 40]))

    path = _write_tagged_corpus(
        str(tmp_path / ("corpus%d.txt" % seed)),
        _tagged_corpus(num_docs, counts, sentence_length))
    instances = cpd.create_training_instances(
        [path], _SplitTokenizer(), max_seq_length=rng.choice([8, 16, 32]),
        dupe_factor=10, short_seq_prob=0.1, masked_lm_prob=0.15,
        max_predictions_per_seq=3, rng=random.Random(seed))
    pairs = _count_pairs(instances)
    num_random[num_docs] += pairs[0]
    num_same_document += pairs[1]
  # Enough two-document draws (about 16000) that the reference draw would
  # fall back about 15 times.
  assert num_random[2] > 10000, dict(num_random)
  assert num_same_document == 0


def test_two_documents_one_of_them_tiny():
  # Document 0: 400 sentences, each longer than the target, so every chunk
  # is one sentence and every pair random next. Document 1: one token.
  documents = _tagged_corpus(2, [400, 1], lambda d, s: 40 if d == 0 else 1)
  rng = random.Random(4)
  instances = []
  for _ in range(20):
    for index in (0, 1):
      instances.extend(cpd.create_instances_from_document(
          documents, index, max_seq_length=32, short_seq_prob=0.1,
          masked_lm_prob=0.15, max_predictions_per_seq=3,
          vocab_words=_vocab_words(), rng=rng))
  assert len(instances) == 20 * 401
  for instance in instances:
    assert instance.is_random_next
    tokens_a, tokens_b = _split_pair(_original_tokens(instance))
    if _document_of(tokens_a[0]) == 0:
      # The only other document: its single token.
      assert tokens_b == ["d1s0t0"], instance
    else:
      assert tokens_a == ["d1s0t0"]
      assert {_document_of(t) for t in tokens_b} == {0}, instance


def _reference_draw(num_documents, document_index, rng):
  """The reference implementation's draw, written out: up to 10 tries, then
  (silently) the current document."""
  random_document_index = None
  for _ in range(10):
    random_document_index = rng.randint(0, num_documents - 1)
    if random_document_index != document_index:
      break
  return random_document_index


def test_draw_is_the_reference_draw_wherever_that_found_another_document():
  # Same index and the same random state afterwards, so the output of a
  # corpus on which the reference never fell back is unchanged.
  fell_back = 0
  for seed in range(3000):
    num_documents = 2 + seed % 3
    document_index = seed % num_documents
    documents = [[["x"]]] * num_documents
    reference_rng = random.Random(seed)
    expected = _reference_draw(num_documents, document_index, reference_rng)
    rng = random.Random(seed)
    drawn = recipe._random_other_document(documents, document_index, rng)
    assert drawn != document_index
    if expected == document_index:
      fell_back += 1
    else:
      assert drawn == expected
      assert rng.getstate() == reference_rng.getstate()
  # 1000 draws with two documents: 1 in 1024 fell back.
  assert fell_back <= 5


def test_draw_is_uniform_over_the_other_documents_with_text():
  # Empty documents are never drawn; with 20 of them the first ten draws
  # often miss and the direct draw among the others decides.
  documents = [[["a"]], [["b"]]] + [[]] * 20 + [[["c"]]]
  rng = random.Random(0)
  drawn = collections.Counter(
      recipe._random_other_document(documents, 0, rng) for _ in range(6000))
  assert set(drawn) == {1, 22}
  assert abs(drawn[1] / 6000 - 0.5) < 0.03
  with pytest.raises(ValueError, match="needs another document with text"):
    recipe._random_other_document([[["a"]], [], []], 0, random.Random(0))


def test_a_single_document_is_refused_in_the_library(tmp_path):
  text = "The cat sat.\nIt was red.\nThe dog ran far.\n"
  one = tmp_path / "one.txt"
  # Blank lines around a document do not make another one; nor does a
  # "document" whose lines all tokenize to nothing (control characters).
  one.write_text("\n\n" + text + "\n\n\x07\x00\n\u200b\n\n")
  tokenizer = tokenization.FullTokenizer(
      _write_vocab(str(tmp_path / "vocab.txt")), do_lower_case=True)
  with pytest.raises(script_utils.UsageError) as error:
    cpd.create_training_instances(
        [str(one)], tokenizer, max_seq_length=40, dupe_factor=20,
        short_seq_prob=0.1, masked_lm_prob=0.15, max_predictions_per_seq=5,
        rng=random.Random(1))
  assert str(error.value) == (
      "--input_file=%s holds a single document; random next sentences need "
      "at least two (documents are separated by blank lines)" % one)
  # create_instances_from_document, given one document, refuses the first
  # random next segment rather than take it from the same document.
  with pytest.raises(ValueError, match="needs another document with text"):
    for seed in range(20):
      cpd.create_instances_from_document(
          [[["the", "cat"], ["it"], ["was", "red"]]], 0, max_seq_length=40,
          short_seq_prob=0.1, masked_lm_prob=0.15, max_predictions_per_seq=5,
          vocab_words=_vocab_words(), rng=random.Random(seed))
  # Two files are two documents (a file ends its document).
  other = tmp_path / "other.txt"
  other.write_text("The sun was big.\n")
  instances = cpd.create_training_instances(
      [str(one), str(other)], tokenizer, max_seq_length=40, dupe_factor=20,
      short_seq_prob=0.1, masked_lm_prob=0.15, max_predictions_per_seq=5,
      rng=random.Random(1))
  assert any(instance.is_random_next for instance in instances)


@pytest.mark.slow
def test_a_single_document_is_refused_by_the_script(tmp_path):
  # The most common real input: a text file without blank lines.
  vocab = _write_vocab(str(tmp_path / "vocab.txt"))
  one = tmp_path / "one.txt"
  one.write_text("The cat sat.\nIt was red.\nThe dog ran far.\n")
  out = str(tmp_path / "out" / "train.tfrecord")
  proc = _run_script(["--input_file=%s" % one, "--output_file=%s" % out,
                      "--vocab_file=%s" % vocab, "--max_seq_length=40",
                      "--dupe_factor=20"], check=False)
  assert proc.returncode == 1
  error_lines = [l for l in proc.stderr.splitlines() if l.startswith("error: ")]
  assert error_lines == [
      "error: --input_file=%s holds a single document; random next "
      "sentences need at least two (documents are separated by blank lines)" %
      one], proc.stderr[-2000:]
  assert "Traceback" not in proc.stderr
  assert not os.path.exists(os.path.dirname(out))
