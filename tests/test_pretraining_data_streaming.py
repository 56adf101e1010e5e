# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""create_pretraining_data.py --streaming: the same statistics as the
in-memory algorithm, bounded pools, parts of the input that hold exactly the
whole input's documents, output patterns, determinism for any number of
workers, and no complete-looking file after a SIGKILL."""

import collections
import glob
import os
import random
import signal
import struct
import subprocess
import sys
import time
import types

import pytest
import tensorflow as tf

import create_pretraining_data as cpd
import pretraining_data
import pretraining_data_streaming as pds
import script_utils
from tests import helpers
# The in-memory tests' helpers for tagged tokens ("d3s17": document 3).
from tests.test_create_pretraining_data import _document_of
from tests.test_create_pretraining_data import _original_tokens
from tests.test_create_pretraining_data import _write_tagged_corpus

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "create_pretraining_data.py")

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
PIECES = ["##a", "##b", "##c"]
# Replacement words of the 10% random case: none is a corpus token, so a
# random replacement is always told apart from a kept token.
VOCAB_WORDS = ["v%d" % i for i in range(200)]


class _SplitTokenizer(object):
  """Whitespace tokens as they are, so tagged tokens keep their names."""
  vocab = collections.OrderedDict((w, i) for i, w in enumerate(VOCAB_WORDS))

  def tokenize(self, text):
    return text.split()


def _tagged_documents(num_docs, seed):
  """Documents of short sentences whose head tokens say where they are.

  A sentence is a tag "d3s17" (document 3, sentence 17) followed by 0-2 ##
  pieces, so a sentence is one word and whole-word masking has words of 1-3
  tokens. Sentences are short, so every chunk but (sometimes) a document's
  last has more than one sentence.
  """
  rng = random.Random(seed)
  return [[["d%ds%d" % (d, s)] + PIECES[:rng.choice([0, 0, 1, 2])]
           for s in range(rng.randint(20, 120))] for d in range(num_docs)]


def _words(tokens):
  """Index groups of whole words: a token and the ## pieces after it; [CLS]
  and [SEP] end a word (written out independently of the module)."""
  words = []
  in_word = False
  for i, token in enumerate(tokens):
    if token in ("[CLS]", "[SEP]"):
      in_word = False
    elif in_word and token.startswith("##"):
      words[-1].append(i)
    else:
      words.append([i])
      in_word = True
  return words


def _statistics(instances, max_predictions, do_whole_word_mask):
  """Checks every instance; returns the mask/keep/random shares and the
  share of random next segments."""
  corruption = collections.Counter()
  num_random = 0
  for instance in instances:
    tokens = _original_tokens(instance)
    seps = [i for i, t in enumerate(tokens) if t == "[SEP]"]
    assert tokens[0] == "[CLS]" and len(seps) == 2 and seps[1] == len(
        tokens) - 1
    tokens_a, tokens_b = tokens[1:seps[0]], tokens[seps[0] + 1:-1]
    documents_a = {_document_of(t) for t in tokens_a if t[0] == "d"}
    documents_b = {_document_of(t) for t in tokens_b if t[0] == "d"}
    assert len(documents_a) <= 1 and len(documents_b) <= 1
    if instance.is_random_next:
      num_random += 1
      # Never from A's own document.
      assert not documents_a & documents_b, instance
    else:
      assert documents_a == documents_b or not (documents_a and documents_b)

    budget = min(max_predictions, max(1, int(round(len(tokens) * 0.15))))
    masked = set(instance.masked_lm_positions)
    if do_whole_word_mask:
      assert len(masked) <= budget
      for word in _words(tokens):
        # A word is masked whole or not at all.
        assert len(masked & set(word)) in (0, len(word)), instance
    else:
      assert len(masked) == budget
    for position, label in zip(instance.masked_lm_positions,
                               instance.masked_lm_labels):
      shown = instance.tokens[position]
      corruption["mask" if shown == "[MASK]" else
                 "keep" if shown == label else "random"] += 1
  total = sum(corruption.values())
  return ({k: corruption[k] / total for k in ("mask", "keep", "random")},
          num_random / len(instances))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
  return _write_tagged_corpus(
      str(tmp_path_factory.mktemp("streaming") / "tagged.txt"),
      _tagged_documents(num_docs=120, seed=5))


@pytest.mark.parametrize("do_whole_word_mask", [False, True])
def test_streaming_has_the_statistics_of_the_in_memory_algorithm(
    corpus, do_whole_word_mask):
  args = dict(max_seq_length=24, short_seq_prob=0.1, masked_lm_prob=0.15,
              max_predictions_per_seq=3, do_whole_word_mask=do_whole_word_mask)
  in_memory = cpd.create_training_instances(
      [corpus], _SplitTokenizer(), dupe_factor=5, rng=random.Random(1),
      **args)
  with open(corpus) as f:
    documents = list(cpd.documents_from_lines(f, _SplitTokenizer()))
  # A pool much smaller than the corpus: most documents are cut while the
  # pool is a sample of the others.
  streaming = list(pds.create_streaming_instances(
      documents, max_documents_in_memory=8, dupe_factor=5,
      rng=random.Random(1), vocab_words=VOCAB_WORDS, **args))
  assert len(in_memory) > 4000 and len(streaming) > 4000
  for instances in (in_memory, streaming):
    shares, random_next = _statistics(instances, 3, do_whole_word_mask)
    assert abs(shares["mask"] - 0.8) < 0.03, shares
    assert abs(shares["keep"] - 0.1) < 0.03, shares
    assert abs(shares["random"] - 0.1) < 0.03, shares
    # Chunks of one sentence (a document's last) are always random next;
    # they are a few percent here.
    assert abs(random_next - 0.5) < 0.05, random_next
  # The same text is cut: about as many instances either way.
  assert abs(len(streaming) / len(in_memory) - 1) < 0.05


def test_random_next_comes_from_the_pool_and_the_pool_is_bounded(
    monkeypatch):
  documents = _tagged_documents(num_docs=40, seed=2)
  pool_sizes = []
  original = cpd.create_instances_from_document

  def spy(all_documents, document_index, **kwargs):
    pool_sizes.append(len(all_documents))
    others = [d for i, d in enumerate(all_documents) if i != document_index]
    # The document being cut is never also in the pool.
    assert all(d is not all_documents[document_index] for d in others)
    return original(all_documents, document_index, **kwargs)

  monkeypatch.setattr(pretraining_data, "create_instances_from_document", spy)
  instances = list(pds.create_streaming_instances(
      iter(documents), max_documents_in_memory=5, dupe_factor=2,
      rng=random.Random(3), max_seq_length=16, short_seq_prob=0.1,
      masked_lm_prob=0.15, max_predictions_per_seq=2,
      vocab_words=VOCAB_WORDS))
  # The first 5 documents are cut with the pool as the corpus, each later
  # one with the pool of 5 others and itself.
  assert pool_sizes == [5] * 10 + [6] * 70
  # Every document was cut.
  cut = {_document_of(t) for i in instances
         for t in _original_tokens(i)[1:i.tokens.index("[SEP]")]
         if t[0] == "d"}
  assert sorted(cut) == list(range(40))


def test_a_single_document_is_refused_in_streaming_mode():
  with pytest.raises(script_utils.UsageError, match="single document"):
    list(pds.create_streaming_instances(
        [[["a"], ["b"]]], max_documents_in_memory=10, dupe_factor=1,
        rng=random.Random(0), max_seq_length=16, short_seq_prob=0.1,
        masked_lm_prob=0.15, max_predictions_per_seq=2, vocab_words=["x"]))


def test_streaming_flag_checks():
  good = dict(streaming=True, num_workers=2, max_documents_in_memory=1,
              shuffle_buffer_size=1)
  cpd.validate_streaming_flags(types.SimpleNamespace(**good))
  for name, value, message in [
      ("num_workers", 0, "--num_workers must be >= 1"),
      ("max_documents_in_memory", 0, "--max_documents_in_memory must be"),
      ("shuffle_buffer_size", 0, "--shuffle_buffer_size must be >= 1"),
      ("streaming", False, "--num_workers=2 needs --streaming=true")]:
    with pytest.raises(script_utils.UsageError, match=message):
      cpd.validate_streaming_flags(types.SimpleNamespace(
          **dict(good, **{name: value})))


def test_shuffle_buffer_keeps_every_item_and_moves_them_locally():
  items = list(range(1000))
  shuffled = list(pds.shuffle_buffer(items, 50, random.Random(0)))
  assert sorted(shuffled) == items and shuffled != items
  # An item leaves the buffer no earlier than 50 places before it arrived.
  assert all(position >= item - 50 for position, item in enumerate(shuffled))
  assert list(pds.shuffle_buffer(items, 50, random.Random(0))) == shuffled


@pytest.mark.parametrize("num_parts", [1, 2, 3, 7, 40])
def test_parts_of_the_input_hold_exactly_its_documents(tmp_path, num_parts):
  rng = random.Random(num_parts)
  files = []
  for index in range(3):
    documents = _tagged_documents(num_docs=rng.choice([1, 4, 9]),
                                  seed=index)
    path = _write_tagged_corpus(str(tmp_path / ("f%d.txt" % index)), documents)
    if index == 1:
      # Extra blank lines, whitespace-only lines and no final newline.
      with open(path) as f:
        text = f.read().replace("\n\n", "\n\n \n\n", 2).rstrip("\n")
      with open(path, "w") as f:
        f.write("\n\n" + text)
    files.append(path)
  sizes = [os.path.getsize(p) for p in files]
  parts = pds.plan_input_parts(files, sizes, num_parts)
  assert len(parts) == num_parts

  def documents_of(part):
    counts = {"bytes": 0}
    documents = []
    for path, start, end in part:
      documents.extend(cpd.documents_from_lines(
          pds.read_lines_in_range(path, start, end, counts),
          _SplitTokenizer()))
    return documents, counts["bytes"]

  whole = [d for p in files for d in cpd.read_documents([p],
                                                         _SplitTokenizer())]
  pieces = [documents_of(part) for part in parts]
  assert [d for documents, _ in pieces for d in documents] == whole
  assert sum(num_bytes for _, num_bytes in pieces) == sum(sizes)
  if num_parts <= 3:
    # Cut at document starts near equal distances: balanced in bytes.
    largest = max(len(" ".join(" ".join(s) for s in d)) for d in whole)
    for _, num_bytes in pieces:
      assert abs(num_bytes - sum(sizes) / num_parts) <= 2 * largest + 10


def test_output_file_patterns():
  assert cpd._output_paths("/tmp/o/a-{shard:03d}-of-{num_shards}.tfrecord",
                           3) == ["/tmp/o/a-%03d-of-3.tfrecord" % i
                                  for i in range(3)]
  assert cpd._output_paths("/tmp/o/a,/tmp/o/b") == ["/tmp/o/a", "/tmp/o/b"]
  for pattern, shards, message in [
      ("/tmp/o/a.tfrecord", 2, "expected the field {shard}"),
      ("/tmp/o/a-{part}.tfrecord", 2, "found {part}"),
      ("/tmp/o/a-{shard:05s}.tfrecord", 2, "not a pattern"),
      ("/tmp/o/a-{shard", 2, "not a pattern"),
      ("/tmp/o/a-{shard}.tfrecord", 0, "set --num_output_shards"),
      ("/tmp/o/a-{shard}.tfrecord", -1, "must be >= 0")]:
    with pytest.raises(script_utils.UsageError, match=message) as e:
      cpd._output_paths(pattern, shards)
    assert "\n" not in str(e.value)


# ----------------------------------------------------------------------------
# The script: workers, shards, determinism, SIGKILL
# ----------------------------------------------------------------------------

WORDS = ["the", "cat", "dog", "sat", "on", "a", "mat", "ran", "far", "and",
         "it", "was", "red", "big", "old", "sun", "sky", "sea", "day", "one"]


def _write_text(path, num_docs, seed):
  rng = random.Random(seed)
  with open(path, "w") as f:
    for _ in range(num_docs):
      for _ in range(rng.randint(3, 30)):
        f.write(" ".join(rng.choice(WORDS)
                         for _ in range(rng.randint(3, 20))) + " .\n")
      f.write("\n")
  return path


def _streaming_args(tmp_path, inputs, output, extra=()):
  vocab = helpers.write_vocab(tmp_path / "vocab.txt", SPECIALS + WORDS + ["."])
  return [sys.executable, SCRIPT, "--input_file=" + ",".join(inputs),
          "--output_file=" + output, "--vocab_file=" + vocab,
          "--streaming=true", "--max_seq_length=32",
          "--max_predictions_per_seq=5"] + list(extra)


def _run(args):
  env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
  result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
  assert result.returncode == 0, result.stderr[-3000:]
  return result.stderr


def _read(path):
  return [bytes(r) for r in
          tf.compat.v1.io.tf_record_iterator(path)]


@pytest.mark.slow
def test_workers_shards_and_seeds(tmp_path):
  inputs = [_write_text(str(tmp_path / ("in%d.txt" % i)), 60, seed=i)
            for i in range(3)]
  outputs = {}
  for name, extra in [("w2", ["--num_workers=2"]), ("w1", []),
                      ("seed2", ["--random_seed=2"])]:
    pattern = str(tmp_path / name / "out-{shard:02d}-of-{num_shards:02d}")
    log = _run(_streaming_args(tmp_path, inputs, pattern,
                               ["--num_output_shards=3", "--dupe_factor=2"] +
                               extra))
    files = sorted(glob.glob(str(tmp_path / name / "*")))
    assert [os.path.basename(f) for f in files] == [
        "out-00-of-03", "out-01-of-03", "out-02-of-03"]
    outputs[name] = [_read(f) for f in files]
    total = sum(len(records) for records in outputs[name])
    assert "Wrote %d total instances" % total in log
    assert "Streaming: 180 documents" in log
  # Deterministic for a seed (two runs, byte for byte), whatever the number
  # of workers.
  assert outputs["w2"] == outputs["w1"]
  # Each part is its own third of the input: balanced shards.
  sizes = [len(records) for records in outputs["w2"]]
  assert max(sizes) < 1.3 * min(sizes), sizes
  # Another seed: other records.
  assert outputs["seed2"] != outputs["w2"]
  for a, b in zip(outputs["seed2"], outputs["w2"]):
    assert set(a) != set(b)
  example = tf.train.Example.FromString(outputs["w1"][0][0])
  assert len(example.features.feature["input_ids"].int64_list.value) == 32

  # A worker's bad input (a part of one document) is the usual one line,
  # exit status 1 and no output.
  three = _write_tagged_corpus(str(tmp_path / "three.txt"),
                               [[["cat"]] * 40, [["dog"]], [["sat"]]])
  proc = subprocess.run(
      _streaming_args(tmp_path, [three], str(tmp_path / "bad" / "o{shard}"),
                      ["--num_output_shards=2", "--num_workers=2"]),
      cwd=ROOT, capture_output=True, text=True, timeout=300)
  assert proc.returncode == 1
  lines = [l for l in proc.stderr.splitlines() if l.startswith("error:")]
  assert len(lines) == 1 and "single document" in lines[0], proc.stderr
  assert "%s bytes" % three in lines[0]
  assert "Traceback" not in proc.stderr
  # Nothing left behind: not even the output directory the run made.
  assert not (tmp_path / "bad").exists()


def _start_two_worker_run(tmp_path, out_dir, dupe_factor, stderr):
  """Starts a 2-worker streaming run on 1500 documents in a session of its
  own (so that the test can kill the whole group); returns (args, Popen)."""
  inputs = [_write_text(str(tmp_path / "big.txt"), 1500, seed=7)]
  args = _streaming_args(tmp_path, inputs,
                         str(out_dir / "part-{shard}.tfrecord"),
                         ["--num_output_shards=2", "--num_workers=2",
                          "--dupe_factor=%d" % dupe_factor])
  env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
  return args, subprocess.Popen(args, cwd=ROOT, env=env,
                                start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=stderr,
                                text=True)


@pytest.mark.slow
def test_sigkill_leaves_no_complete_looking_file_and_a_rerun_completes(
    tmp_path):
  out_dir = tmp_path / "out"
  args, proc = _start_two_worker_run(tmp_path, out_dir, dupe_factor=2,
                                     stderr=subprocess.DEVNULL)
  try:
    deadline = time.time() + 120
    # Killed once records are being written to the temporary files.
    while not any(os.path.getsize(p) > 0 for p in
                  glob.glob(str(out_dir / "*.tmp-*"))):
      assert proc.poll() is None, "finished before it could be killed"
      assert time.time() < deadline
      time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    left = os.listdir(str(out_dir))
    assert left and all(".tmp-" in name for name in left), left
    # run_pretraining's usual glob does not pick them up.
    assert not glob.glob(str(out_dir / "part-*.tfrecord"))
    # The workers notice that the parent is gone and exit.
    deadline = time.time() + 30
    while True:
      try:
        os.killpg(proc.pid, 0)
      except ProcessLookupError:
        break
      assert time.time() < deadline, "workers outlived their parent"
      time.sleep(0.2)
  finally:
    try:
      os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
      pass

  log = _run(args)
  assert "left by an interrupted run" in log
  assert sorted(os.listdir(str(out_dir))) == ["part-0.tfrecord",
                                              "part-1.tfrecord"]
  total = sum(len(_read(str(out_dir / n))) for n in os.listdir(str(out_dir)))
  assert total > 0 and "Wrote %d total instances" % total in log


def _children(pid):
  """The process ids whose parent is `pid` (Linux /proc)."""
  children = []
  for entry in os.listdir("/proc"):
    if not entry.isdigit():
      continue
    try:
      with open("/proc/%s/stat" % entry) as f:
        # The name (2nd field) is in parentheses and may hold spaces.
        fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
      continue
    if int(fields[1]) == pid:
      children.append(int(entry))
  return children


def _cmdline(pid):
  try:
    with open("/proc/%d/cmdline" % pid, "rb") as f:
      return f.read()
  except OSError:
    return b""


@pytest.mark.slow
@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs Linux /proc")
def test_a_killed_worker_ends_the_run_with_one_line(tmp_path):
  """A worker killed outright (the out-of-memory killer) sends nothing; the
  run must end with an error, not wait forever for that worker's part."""
  out_dir = tmp_path / "out"
  _, proc = _start_two_worker_run(tmp_path, out_dir, dupe_factor=10,
                                  stderr=subprocess.PIPE)
  try:
    deadline = time.time() + 120
    while True:
      # The workers are the children that run the spawn entry point (the
      # other child is multiprocessing's resource tracker); killed once
      # records are being written.
      workers = [pid for pid in _children(proc.pid)
                 if b"spawn_main" in _cmdline(pid)]
      if len(workers) == 2 and any(os.path.getsize(p) > 0 for p in
                                   glob.glob(str(out_dir / "*.tmp-*"))):
        break
      assert proc.poll() is None, "finished before a worker could be killed"
      assert time.time() < deadline
      time.sleep(0.05)
    os.kill(workers[0], signal.SIGKILL)
    _, stderr = proc.communicate(timeout=60)
  finally:
    try:
      os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
      pass
  assert proc.returncode == 1
  errors = [line for line in stderr.splitlines() if line.startswith("error:")]
  assert errors == [errors[-1]] and "worker process ended" in errors[0], (
      stderr[-2000:])
  assert "Traceback" not in stderr
  assert not glob.glob(str(out_dir / "part-*.tfrecord"))


def _dies_between_messages(settings, task_queue, connection):
  del settings, task_queue, connection
  os._exit(9)  # pylint: disable=protected-access


def _dies_while_sending(settings, task_queue, connection):
  del settings, task_queue
  # The length header of a 1 MiB message and its first bytes, then death:
  # the reader gets OSError("got end of file during message"), not EOFError.
  os.write(connection.fileno(), struct.pack("!i", 1 << 20) + b"x" * 10)
  os._exit(9)  # pylint: disable=protected-access


@pytest.mark.slow
@pytest.mark.parametrize("worker_main",
                         [_dies_between_messages, _dies_while_sending])
def test_a_worker_that_dies_at_any_point_is_one_error(monkeypatch,
                                                      worker_main):
  """Both ways a dead worker's pipe ends (the killed-worker test above meets
  one or the other depending on timing) give the same error."""
  # Spawned workers find the function by its module and name.
  monkeypatch.setattr(pds, "_worker_main", worker_main)
  chunks = pds._part_chunks_in_workers(["part"], settings=None,
                                      num_workers=1)
  with pytest.raises(script_utils.UsageError,
                     match="worker process ended with exit code 9"):
    list(chunks)


def test_a_leftover_temporary_file_is_not_read_as_input(tmp_path):
  """`train-*` also matches what a killed run left (`train-1.tfrecord.tmp-
  <hex>`): incomplete records that would be trained on without a word."""
  (tmp_path / "train-0.tfrecord").write_bytes(b"")
  leftover = tmp_path / ("train-1.tfrecord.tmp-%s" % "0123abcd")
  leftover.write_bytes(b"")
  with pytest.raises(script_utils.UsageError,
                     match=r"train-1\.tfrecord\.tmp-0123abcd is the "
                     r"unfinished output of an interrupted run"):
    script_utils.expand_file_patterns(str(tmp_path / "train-*"), "input_file")
  leftover.unlink()
  assert script_utils.expand_file_patterns(
      str(tmp_path / "train-*"), "input_file") == [
          str(tmp_path / "train-0.tfrecord")]


@pytest.mark.slow
def test_bad_input_found_while_streaming_leaves_no_directory(tmp_path):
  """Streaming reads its input as it goes: a bad byte deep in a file stops
  the run late, and the output directory it made is removed again."""
  good = _write_text(str(tmp_path / "good.txt"), 50, seed=3)
  bad = str(tmp_path / "bad.txt")
  with open(good, "rb") as f:
    text = f.read()
  with open(bad, "wb") as f:
    f.write(text + b"caf\xe9 au lait .\n")
  out_dir = tmp_path / "new" / "out"
  result = subprocess.run(
      _streaming_args(tmp_path, [bad], str(out_dir / "part-{shard}.tfrecord"),
                      ["--num_output_shards=2"]),
      cwd=ROOT, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"),
      capture_output=True, text=True, timeout=300)
  assert result.returncode == 1
  assert result.stderr.splitlines()[-1].startswith("error: %s" % bad)
  assert "not valid UTF-8" in result.stderr
  assert not (tmp_path / "new").exists()
