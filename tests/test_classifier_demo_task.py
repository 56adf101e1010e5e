# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""demo_tasks: the next-sentence classification task built from plain text."""

import os
import random

import pytest

import demo_tasks
import run_classifier
from script_utils import UsageError

TEXT = """First document, sentence one.
First document, sentence two.\twith a tab
   First document, sentence three.   


Second document only sentence.

Third document, one.
Third document, two.
Third document, three.
Third document, four.
"""


def _write(tmp_path, text, name="text.txt"):
  path = str(tmp_path / name)
  with open(path, "w", encoding="utf-8") as f:
    f.write(text)
  return path


def test_read_documents_splits_on_blank_lines(tmp_path):
  documents = demo_tasks.read_documents(_write(tmp_path, "\n\n" + TEXT))
  assert documents == [
      ["First document, sentence one.",
       "First document, sentence two. with a tab",
       "First document, sentence three."],
      ["Second document only sentence."],
      ["Third document, one.", "Third document, two.",
       "Third document, three.", "Third document, four."],
  ]


def test_pairs_are_true_next_sentences_or_not(tmp_path):
  documents = demo_tasks.read_documents(_write(tmp_path, TEXT))
  sentences = [s for d in documents for s in d]
  pairs = demo_tasks.make_next_sentence_pairs(documents, random.Random(1))
  positives = [p for p in pairs if p[0] == "1"]
  negatives = [p for p in pairs if p[0] == "0"]
  # 2 + 0 + 3 consecutive pairs, each with one negative.
  assert len(positives) == 5 and len(negatives) == 5
  doc_of = {}
  for d, document in enumerate(documents):
    for s in document:
      doc_of[s] = d
  for _, id_a, id_b, a, b in positives:
    assert (sentences[id_a], sentences[id_b]) == (a, b)
    assert id_b == id_a + 1 and doc_of[a] == doc_of[b]
  for _, id_a, id_b, a, b in negatives:
    assert (sentences[id_a], sentences[id_b]) == (a, b)
    assert doc_of[a] != doc_of[b]  # Other documents exist, so from there.


def test_single_document_negatives_are_not_the_next_sentence(tmp_path):
  text = "\n".join("Sentence number %d." % i for i in range(6)) + "\n"
  documents = demo_tasks.read_documents(_write(tmp_path, text))
  assert len(documents) == 1
  pairs = demo_tasks.make_next_sentence_pairs(documents, random.Random(2))
  assert sum(p[0] == "1" for p in pairs) == 5
  for label, id_a, id_b, _, _ in pairs:
    assert (id_b == id_a + 1) == (label == "1")


def test_folder_reads_as_mrpc(tmp_path):
  output_dir = str(tmp_path / "task")
  text = "\n".join([TEXT] * 3)  # Nine documents.
  counts = demo_tasks.write_next_sentence_task(
      _write(tmp_path, text), output_dir, dev_fraction=0.2,
      test_fraction=0.2, seed=7)
  assert counts["dev"] >= 1 and counts["test"] >= 1
  processor = run_classifier.get_processor("mrpc")
  train = processor.get_train_examples(output_dir)
  dev = processor.get_dev_examples(output_dir)
  test = processor.get_test_examples(output_dir)
  assert (len(train), len(dev), len(test)) == (
      counts["train"], counts["dev"], counts["test"])
  # 3 * 5 consecutive pairs, each with a negative.
  assert sum(counts.values()) == 30
  assert {e.label for e in train + dev} == {"0", "1"}
  with open(os.path.join(output_dir, "test_labels.tsv")) as f:
    assert len(f.read().split()) == len(test)
  # Deterministic for a seed.
  again = str(tmp_path / "again")
  demo_tasks.write_next_sentence_task(
      _write(tmp_path, text), again, dev_fraction=0.2, test_fraction=0.2,
      seed=7)
  for name in ("train.tsv", "dev.tsv", "test.tsv"):
    with open(os.path.join(output_dir, name)) as a, open(
        os.path.join(again, name)) as b:
      assert a.read() == b.read()


def test_sample_text_makes_a_sizeable_task(tmp_path):
  sample = os.path.join(os.path.dirname(os.path.dirname(__file__)),
                        "sample_text.txt")
  if not os.path.exists(sample):
    pytest.skip("no sample_text.txt")
  counts = demo_tasks.write_next_sentence_task(sample, str(tmp_path / "t"))
  assert counts["train"] >= 100 and counts["dev"] >= 20


def test_too_little_text_is_a_clear_error(tmp_path):
  with pytest.raises(UsageError, match="at least 3"):
    demo_tasks.write_next_sentence_task(
        _write(tmp_path, "Only one.\n\nAnd another.\n"), str(tmp_path / "o"))
  assert not os.path.exists(str(tmp_path / "o"))


def test_word_order_task_reads_as_cola_without_leaks(tmp_path):
  output_dir = str(tmp_path / "word_order")
  text = "\n".join([TEXT] * 3)
  counts = demo_tasks.write_word_order_task(
      _write(tmp_path, text), output_dir, dev_fraction=0.2,
      test_fraction=0.2, seed=3)
  processor = run_classifier.get_processor("cola")
  train = processor.get_train_examples(output_dir)
  dev = processor.get_dev_examples(output_dir)
  test = processor.get_test_examples(output_dir)
  assert (len(train), len(dev), len(test)) == (
      counts["train"], counts["dev"], counts["test"])
  # TEXT's 8 distinct sentences (repeats dropped), each kept and scrambled.
  assert sum(counts.values()) == 2 * 8
  originals = {" ".join(line.split()) for line in text.splitlines()
               if line.strip()}
  for examples in (train, dev):
    labels = [e.label for e in examples]
    assert labels.count("1") == labels.count("0")
    for example in examples:
      if example.label == "1":
        assert example.text_a in originals
      else:
        assert example.text_a not in originals
  with open(os.path.join(output_dir, "test_labels.tsv")) as f:
    test_labels = f.read().split()
  assert len(test_labels) == len(test)
  # Every scrambled sentence is a permutation of an original in its split,
  # and an original sentence never appears in two splits.
  def word_bags(examples):
    return {tuple(sorted(e.text_a.split())) for e in examples}
  splits = [train, dev, test]
  for i, split in enumerate(splits):
    for j, other in enumerate(splits):
      if i < j:
        assert not word_bags(split) & word_bags(other)
  for example in train:
    assert tuple(sorted(example.text_a.split())) in word_bags(
        [e for e in train if e.label == "1"])


def test_word_order_task_on_sample_text(tmp_path):
  sample = os.path.join(os.path.dirname(os.path.dirname(
      os.path.abspath(__file__))), "sample_text.txt")
  counts = demo_tasks.write_word_order_task(sample, str(tmp_path / "t"))
  assert counts["train"] >= 400 and counts["dev"] >= 40
