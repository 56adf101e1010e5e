# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Record files are byte-identical across processes for a given seed.

protobuf 7 (TensorFlow 2.21) serializes map fields, such as the feature map of
a tf.train.Example, in an order that is randomized per process, so a record
writer that does not ask for deterministic serialization writes different
bytes each run. The writers of create_pretraining_data (with each
--short_seq_draw), run_classifier and run_squad each run here in two fresh
Python processes (not forks, which would share the order) on the same small
inputs and seed; their files must match byte for byte, and so must the files
the other TensorFlow runtime writes (when its interpreter is given).

Run as `python -m tests.test_deterministic_records IN_DIR OUT_DIR` (from the
repository root) it is the child: it writes every record file into OUT_DIR.
"""

import os
import random
import subprocess
import sys

import pytest
import tensorflow as tf

import create_pretraining_data as cpd
import run_classifier
import run_squad
import tokenization
from tests import classifier_testdata
from tests import squad_data

# Every test here reads the records written by child processes (slow to start).
pytestmark = pytest.mark.slow

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = 7

# File name -> what writes it. create_pretraining_data writes round-robin
# over two files, as with a comma-separated --output_file, once for each way
# of drawing the target length (--short_seq_draw).
SHORT_SEQ_DRAWS = ("per_document", "per_instance")
PRETRAINING_FILES_BY_DRAW = {
    draw: ["pretraining-%s-0.tfrecord" % draw,
           "pretraining-%s-1.tfrecord" % draw] for draw in SHORT_SEQ_DRAWS}
PRETRAINING_FILES = [name for draw in SHORT_SEQ_DRAWS
                     for name in PRETRAINING_FILES_BY_DRAW[draw]]
CLASSIFIER_FILE = "classifier.tf_record"
SQUAD_FILE = "squad.tf_record"


# ----------------------------------------------------------------------------
# Inputs (written once by the test) and the child that writes the records
# ----------------------------------------------------------------------------


def _write_inputs(in_dir):
  """A small corpus, SQuAD file and the two vocabularies into in_dir."""
  classifier_testdata.write_model_files(in_dir)  # vocab.txt
  squad_data.write_vocab(os.path.join(in_dir, "squad_vocab.txt"))
  squad_data.write_dataset(os.path.join(in_dir, "squad.json"), version_2=True)
  rng = random.Random(0)
  docs = []
  for _ in range(6):
    sentences = [
        " ".join(rng.choice(classifier_testdata.FILLER)
                 for _ in range(rng.randint(3, 10))) + "."
        for _ in range(rng.randint(2, 8))]
    docs.append("\n".join(sentences))
  with open(os.path.join(in_dir, "corpus.txt"), "w") as f:
    f.write("\n\n".join(docs) + "\n")


def write_records(in_dir, out_dir):
  """Writes every record file into out_dir with the library writers."""
  tokenizer = tokenization.FullTokenizer(
      os.path.join(in_dir, "vocab.txt"), do_lower_case=True)

  for draw in SHORT_SEQ_DRAWS:
    # short_seq_prob 0.3: on six documents 0.1 might draw no short target.
    instances = cpd.create_training_instances(
        [os.path.join(in_dir, "corpus.txt")], tokenizer, max_seq_length=32,
        dupe_factor=2, short_seq_prob=0.3, masked_lm_prob=0.15,
        max_predictions_per_seq=5, rng=random.Random(SEED),
        short_seq_draw=draw)
    cpd.write_instance_to_example_files(
        instances, tokenizer, 32, 5,
        [os.path.join(out_dir, name)
         for name in PRETRAINING_FILES_BY_DRAW[draw]])

  examples = [
      run_classifier.InputExample("train-%d" % i, text_a, text_b, label)
      for i, (label, text_a, text_b) in enumerate(
          classifier_testdata.keyword_pairs(12, seed=SEED))]
  examples.append(run_classifier.PaddingInputExample())
  run_classifier.file_based_convert_examples_to_features(
      examples, ["0", "1"], 16, tokenizer,
      os.path.join(out_dir, CLASSIFIER_FILE))

  squad_tokenizer = tokenization.FullTokenizer(
      os.path.join(in_dir, "squad_vocab.txt"), do_lower_case=True)
  squad_examples = run_squad.read_squad_examples(
      os.path.join(in_dir, "squad.json"), is_training=True,
      version_2_with_negative=True)
  with run_squad.FeatureWriter(os.path.join(out_dir, SQUAD_FILE),
                               is_training=True) as writer:
    run_squad.convert_examples_to_features(
        squad_examples, squad_tokenizer, max_seq_length=48, doc_stride=16,
        max_query_length=12, is_training=True,
        output_fn=writer.process_feature)


# ----------------------------------------------------------------------------
# Tests
# ----------------------------------------------------------------------------


# The interpreter of the other TensorFlow runtime (make test sets it when both
# are installed): its records must be the same bytes too.
OTHER_PYTHON = os.environ.get("BERT_OTHER_RUNTIME_PYTHON", "")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
  """Output folders of child processes run in parallel on one input.

  "first" and "second" use this interpreter; "other", when there is one, the
  other runtime's.
  """
  tmp = tmp_path_factory.mktemp("records")
  in_dir = str(tmp / "in")
  _write_inputs(in_dir)
  env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
  children = [("first", sys.executable), ("second", sys.executable)]
  if OTHER_PYTHON:
    children.append(("other", OTHER_PYTHON))
  procs = []
  for name, python in children:
    out_dir = str(tmp / name)
    os.makedirs(out_dir)
    procs.append((name, out_dir, subprocess.Popen(
        [python, "-m", "tests.test_deterministic_records", in_dir,
         out_dir], cwd=ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)))
  out_dirs = {}
  for name, out_dir, proc in procs:
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr[-3000:]
    out_dirs[name] = out_dir
  return out_dirs


def _assert_identical(runs, name, other="second"):
  first, second = [os.path.join(runs[run], name) for run in ("first", other)]
  records = [[r.numpy() for r in tf.data.TFRecordDataset([path])]
             for path in (first, second)]
  assert records[0], "%s has no records" % name
  assert len(records[0]) == len(records[1]), name
  for i, (a, b) in enumerate(zip(*records)):
    assert a == b, "%s: record %d differs between the processes (%s)" % (
        name, i, other)
  with open(first, "rb") as f1, open(second, "rb") as f2:
    assert f1.read() == f2.read(), name


ALL_FILES = PRETRAINING_FILES + [CLASSIFIER_FILE, SQUAD_FILE]


@pytest.mark.parametrize("name", PRETRAINING_FILES)
def test_create_pretraining_data_records(runs, name):
  _assert_identical(runs, name)


def test_the_two_target_draws_write_different_records(runs):
  # Otherwise the per-setting comparisons above would compare one setting.
  contents = []
  for draw in SHORT_SEQ_DRAWS:
    with open(os.path.join(runs["first"],
                           PRETRAINING_FILES_BY_DRAW[draw][0]), "rb") as f:
      contents.append(f.read())
  assert contents[0] != contents[1]


def test_run_classifier_records(runs):
  _assert_identical(runs, CLASSIFIER_FILE)


def test_run_squad_records(runs):
  _assert_identical(runs, SQUAD_FILE)


@pytest.mark.skipif(not OTHER_PYTHON,
                    reason="needs the other runtime's interpreter in "
                    "BERT_OTHER_RUNTIME_PYTHON (make test sets it when both "
                    "lanes are installed)")
@pytest.mark.parametrize("name", ALL_FILES)
def test_records_are_the_same_bytes_on_the_other_runtime(runs, name):
  _assert_identical(runs, name, other="other")


if __name__ == "__main__":
  write_records(sys.argv[1], sys.argv[2])
