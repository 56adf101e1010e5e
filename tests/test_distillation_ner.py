# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""run_ner.py with --teacher_dir: knowledge distillation for tagging.

What is checked:
  1. the tagging loss (`ner_lib.tagging_distillation_loss`) against an
     independent NumPy computation: temperature, T^2, alpha, only the scored
     pieces, transfer windows on the soft loss alone, class weights on
     tagged windows only;
  2. the records: a run without a teacher writes the original five columns,
     byte for byte; --transfer_file in both layouts;
  3. end to end on the tiny model: a teacher trained by run_ner.py, a
     1-layer student distilled from it with transfer sentences; the
     records hold the teacher's logits (their argmax is the teacher's own
     predicted tag of each transfer word), the student is an ordinary
     run_ner.py model (same variables, predicts, exports, is refused by
     predictor.load as any tagging model is);
  4. a teacher with another vocabulary, casing, tag set or kind: one error
     line, exit status 1, nothing written.
"""

import json
import os
import re
import shutil

import numpy as np
import pytest
import tensorflow as tf

import estimator_runtime
import modeling
import ner_lib
import predictor
import run_ner
import tokenization
from tests import helpers
from tests import ner_testdata as data

LABELS = ["O", "B-LOC", "B-PER", "I-LOC", "I-PER"]


def _in_graph(build):
  """The value of `build()`'s tensor, built in a graph as model_fns are."""
  with tf.Graph().as_default():
    tensor = build()
    with tf.compat.v1.Session() as sess:
      return sess.run(tensor)


# ----------------------------------------------------------------------------
# 1. The loss against NumPy
# ----------------------------------------------------------------------------


def _log_softmax(x):
  x = x - x.max(axis=-1, keepdims=True)
  return x - np.log(np.exp(x).sum(axis=-1, keepdims=True))


def _numpy_loss(student, teacher, labels, has_label, scored, class_weights,
                temperature, alpha):
  """The specified loss, written out item by item (float64)."""
  total = weight_sum = 0.0
  batch_size, seq_length, _ = student.shape
  for b in range(batch_size):
    for t in range(seq_length):
      if not scored[b, t]:
        continue
      p_teacher = np.exp(_log_softmax(teacher[b, t] / temperature))
      soft = -temperature**2 * np.sum(
          p_teacher * _log_softmax(student[b, t] / temperature))
      if has_label[b]:
        hard = -_log_softmax(student[b, t])[labels[b, t]]
        item = alpha * soft + (1 - alpha) * hard
        weight = class_weights[labels[b, t]]
      else:
        item, weight = soft, 1.0  # No gold tag to weight by.
      total += item * weight
      weight_sum += weight
  return total / max(weight_sum, 1.0)


@pytest.mark.parametrize("temperature,alpha", [(1.0, 0.5), (2.0, 0.5),
                                               (3.5, 0.0), (0.5, 1.0),
                                               (2.0, 0.8)])
def test_tagging_loss_matches_numpy(temperature, alpha):
  rng = np.random.RandomState(int(temperature * 10 + alpha * 100))
  batch_size, seq_length, num_labels = 3, 6, 4
  student = rng.normal(0, 3, [batch_size, seq_length, num_labels])
  teacher = rng.normal(0, 3, [batch_size, seq_length, num_labels])
  labels = rng.randint(num_labels, size=[batch_size, seq_length])
  # Row 1 is a transfer window: no tags (its ids are the placeholder 0).
  has_label = np.array([1, 0, 1])
  labels[1] = 0
  scored = (rng.rand(batch_size, seq_length) < 0.6).astype(np.float32)
  scored[:, 0] = 0  # [CLS] is never scored.
  scored[1, 1] = 1
  class_weights = np.array([0.5, 2.0, 1.0, 3.0])

  label_weights = scored * class_weights[labels]

  def build():
    student_t = tf.constant(student, tf.float32)
    one_hot = tf.one_hot(labels, num_labels)
    per_token_loss = -tf.reduce_sum(
        one_hot * tf.nn.log_softmax(student_t, axis=-1), axis=-1)
    return ner_lib.tagging_distillation_loss(
        student_t,
        tf.constant(teacher.reshape([batch_size, -1]), tf.float32),
        per_token_loss, tf.constant(has_label.reshape([-1, 1])),
        tf.constant(scored), tf.constant(label_weights, tf.float32),
        temperature, alpha)

  loss = _in_graph(build)
  expected = _numpy_loss(student, teacher, labels, has_label, scored,
                         class_weights, temperature, alpha)
  assert float(loss) == pytest.approx(expected, rel=1e-5)


def test_tagging_loss_ignores_unscored_pieces_and_placeholder_tags():
  """Changing an unscored piece's logits, or a transfer window's placeholder
  tag, changes nothing; with the teacher equal to the student at T=1 and
  alpha=1, the loss is the student's own entropy over the scored pieces."""
  rng = np.random.RandomState(0)
  student = rng.normal(0, 2, [2, 4, 3]).astype(np.float32)
  teacher = rng.normal(0, 2, [2, 4, 3]).astype(np.float32)
  scored = np.array([[0, 1, 0, 1], [0, 1, 1, 0]], np.float32)
  has_label = np.array([[1], [0]])

  def loss(student, teacher, labels, alpha=0.5, temperature=2.0):
    def build():
      per_token = -tf.reduce_sum(
          tf.one_hot(labels, 3) * tf.nn.log_softmax(student, axis=-1), -1)
      return ner_lib.tagging_distillation_loss(
          tf.constant(student), tf.constant(teacher), per_token,
          tf.constant(has_label), tf.constant(scored), tf.constant(scored),
          temperature, alpha)
    return float(_in_graph(build))

  labels = np.array([[0, 2, 0, 1], [0, 0, 0, 0]])
  base = loss(student, teacher, labels)
  changed = student.copy()
  changed[:, 0] += 5.0  # [CLS]
  changed[0, 2] -= 4.0  # An unscored piece.
  other_labels = labels.copy()
  other_labels[1] = 2  # The transfer window's placeholder tags.
  assert loss(changed, teacher, other_labels) == pytest.approx(base, rel=1e-6)
  probs = np.exp(_log_softmax(student.astype(np.float64)))
  entropy = -(probs * np.log(probs)).sum(-1)
  assert loss(student, student, labels, alpha=1.0, temperature=1.0) == (
      pytest.approx((entropy * scored).sum() / scored.sum(), rel=1e-5))


def _model_fn_eval_loss(model, features, **distill):
  """The EVAL loss of the tiny tagger's model_fn (no dropout), seeded."""
  config = modeling.BertConfig.from_json_file(
      model["bert_config_file"])

  with tf.Graph().as_default():
    tf.compat.v1.set_random_seed(5)
    model_fn = ner_lib.model_fn_builder(
        config, len(LABELS), None, 1e-3, 10, 1, False, False, **distill)
    spec = model_fn({k: tf.constant(v) for k, v in features.items()}, None,
                    estimator_runtime.ModeKeys.EVAL, {})
    with tf.compat.v1.Session() as sess:
      sess.run(tf.compat.v1.global_variables_initializer())
      return float(sess.run(spec.loss))


def test_model_fn_trains_on_the_teachers_logits_when_asked(tmp_path):
  """alpha=1 with a one-hot teacher is the hard loss against its argmax;
  without --teacher_dir the same features train on the gold tags."""
  model = data.write_tiny_model(tmp_path)
  rng = np.random.RandomState(1)
  seq_length = 8
  gold = rng.randint(len(LABELS), size=[2, seq_length]).astype(np.int32)
  teacher_tags = rng.randint(len(LABELS), size=[2, seq_length])
  teacher_logits = 1e4 * np.eye(len(LABELS))[teacher_tags] - 5e3
  features = {
      "input_ids": rng.randint(5, len(data.VOCAB),
                               size=[2, seq_length]).astype(np.int32),
      "input_mask": np.ones([2, seq_length], np.int32),
      "segment_ids": np.zeros([2, seq_length], np.int32),
      "label_ids": gold,
      "label_weights": (rng.rand(2, seq_length) < 0.5).astype(np.float32),
      "teacher_logits": teacher_logits.reshape([2, -1]).astype(np.float32),
      "has_label": np.array([[1], [0]], np.int32),
  }
  hard_on_gold = _model_fn_eval_loss(model, features)
  hard_on_teacher = _model_fn_eval_loss(
      model, dict(features, label_ids=teacher_tags.astype(np.int32)))
  assert hard_on_gold != pytest.approx(hard_on_teacher, rel=1e-3)
  assert _model_fn_eval_loss(
      model, features, distill_temperature=1.0, distill_alpha=1.0) == (
          pytest.approx(hard_on_teacher, rel=1e-5))
  # alpha=0: the gold tags on the tagged window, the teacher on the other.
  mixed = dict(features, label_ids=np.stack([gold[0], teacher_tags[1]]))
  assert _model_fn_eval_loss(
      model, features, distill_temperature=1.0, distill_alpha=0.0) == (
          pytest.approx(_model_fn_eval_loss(model, mixed), rel=1e-5))


# ----------------------------------------------------------------------------
# 2. Records and transfer files
# ----------------------------------------------------------------------------


def _window(teacher_logits=None, has_label=None):
  return ner_lib.InputFeatures([2, 7, 3, 0], [1, 1, 1, 0], [0] * 4,
                               [0, 2, 0, 0], [0.0, 1.0, 0.0, 0.0], 0,
                               [(1, 0)], teacher_logits=teacher_logits,
                               has_label=has_label)


def _read_records(path):
  return [tf.train.Example.FromString(record) for record in
          tf.compat.v1.io.tf_record_iterator(path)]


def test_records_without_a_teacher_are_the_original_ones(tmp_path):
  plain = str(tmp_path / "plain.tf_record")
  ner_lib.write_features([_window()], plain)
  (example,) = _read_records(plain)
  assert sorted(example.features.feature) == [
      "input_ids", "input_mask", "label_ids", "label_weights", "segment_ids"]
  # The original layout, written here by hand, gives the same bytes.
  columns = {name: tf.train.Feature(int64_list=tf.train.Int64List(
      value=values)) for name, values in [
          ("input_ids", [2, 7, 3, 0]), ("input_mask", [1, 1, 1, 0]),
          ("segment_ids", [0] * 4), ("label_ids", [0, 2, 0, 0])]}
  columns["label_weights"] = tf.train.Feature(
      float_list=tf.train.FloatList(value=[0.0, 1.0, 0.0, 0.0]))
  by_hand = tf.train.Example(features=tf.train.Features(feature=columns))
  with open(plain, "rb") as f:
    assert by_hand.SerializeToString(deterministic=True) in f.read()

  distilled = str(tmp_path / "distilled.tf_record")
  logits = np.arange(12, dtype=np.float32).reshape([4, 3]) / 7
  ner_lib.write_features([_window(logits, 0)], distilled)
  (example,) = _read_records(distilled)
  feature = example.features.feature
  assert list(feature["has_label"].int64_list.value) == [0]
  np.testing.assert_allclose(feature["teacher_logits"].float_list.value,
                             logits.reshape(-1), rtol=1e-7)
  # And the input_fn reads them back in shape.
  input_fn = ner_lib.file_based_input_fn_builder(
      distilled, 4, is_training=False, drop_remainder=False,
      num_teacher_labels=3)
  batch = _in_graph(lambda: tf.compat.v1.data.make_one_shot_iterator(
      input_fn({"batch_size": 1})).get_next())
  assert batch["teacher_logits"].shape == (1, 12)
  assert batch["has_label"].tolist() == [[0]]


def test_transfer_file_one_sentence_a_line_or_conll(tmp_path):
  lines = tmp_path / "lines.txt"
  lines.write_text("john lives in  paris\n\n  mary met peter jones\n",
                   encoding="utf-8")
  sentences, layout = ner_lib.read_transfer_file(str(lines))
  assert layout == "lines"
  assert [s.words for s in sentences] == [
      ["john", "lives", "in", "paris"], ["mary", "met", "peter", "jones"]]
  assert all(s.tags is None for s in sentences)

  conll = tmp_path / "conll.txt"  # Tags (ignored) and a whitespace-only line.
  conll.write_text("john\tB-PER\nlives\tO\n\t\nparis\tB-LOC\nrocks\tO\n",
                   encoding="utf-8")
  sentences, layout = ner_lib.read_transfer_file(str(conll))
  assert layout == "conll"
  assert [s.words for s in sentences] == [["john", "lives"],
                                          ["paris", "rocks"]]
  untagged = tmp_path / "untagged.txt"
  untagged.write_text("-DOCSTART-\n\njohn\nlives\n", encoding="utf-8")
  assert [s.words for s in ner_lib.read_transfer_file(str(untagged))[0]] == [
      ["john", "lives"]]
  empty = tmp_path / "empty.txt"
  empty.write_text("\n \n", encoding="utf-8")
  with pytest.raises(run_ner.UsageError, match="empty.txt: no words"):
    ner_lib.read_transfer_file(str(empty))


# ----------------------------------------------------------------------------
# 3. End to end on the tiny model
# ----------------------------------------------------------------------------


def _sentences_text(sentences):
  return "".join(" ".join(word for word, _ in s) + "\n" for s in sentences)


@pytest.fixture(scope="module")
def distilled_run(tmp_path_factory):
  """A teacher fine-tuned by run_ner.py, then a 1-layer student from it."""
  tmp = tmp_path_factory.mktemp("distill_ner")
  model = data.write_tiny_model(tmp / "model")
  student_config = helpers.write_bert_config(
      str(tmp / "student_config.json"),
      helpers.tiny_bert_config(vocab_size=len(data.VOCAB),
                               num_hidden_layers=1, num_attention_heads=4,
                               max_position_embeddings=32))
  data_dir = tmp / "data"
  data_dir.mkdir()
  data.write_conll(str(data_dir / "train.txt"),
                   data.tagging_sentences(24, seed=1))
  held_out = data.tagging_sentences(12, seed=2, held_out=True)
  data.write_conll(str(data_dir / "dev.txt"), held_out)
  data.write_conll(str(data_dir / "test.txt"), held_out, tagged=False)
  transfer = data.tagging_sentences(16, seed=3)
  transfer_file = tmp / "transfer.txt"
  transfer_file.write_text(_sentences_text(transfer), encoding="utf-8")

  common = dict(data_dir=str(data_dir), max_seq_length=16,
                train_batch_size=8, learning_rate=1e-3, tf_random_seed=3,
                vocab_file=model["vocab_file"])
  teacher_dir = str(tmp / "teacher")
  run_ner.run_task(data.flags_namespace(
      do_train=True, output_dir=teacher_dir, num_train_epochs=4.0,
      bert_config_file=model["bert_config_file"], allow_random_init=True,
      **common))
  student_dir = str(tmp / "student")
  export_dir = str(tmp / "export")
  run_ner.run_task(data.flags_namespace(
      do_train=True, do_eval=True, do_predict=True, output_dir=student_dir,
      export_dir=export_dir, num_train_epochs=2.0,
      bert_config_file=student_config, allow_random_init=True,
      teacher_dir=teacher_dir, transfer_file=str(transfer_file),
      distill_temperature=2.0, distill_alpha=0.7, **common))
  # The teacher tags the transfer sentences itself, as an ordinary run.
  transfer_dir = tmp / "transfer_data"
  transfer_dir.mkdir()
  data.write_conll(str(transfer_dir / "test.txt"), transfer, tagged=False)
  teacher_tags_dir = str(tmp / "teacher_tags")
  run_ner.run_task(data.flags_namespace(
      do_predict=True, output_dir=teacher_tags_dir,
      init_checkpoint=teacher_dir,
      **dict(common, data_dir=str(transfer_dir),
             bert_config_file=model["bert_config_file"])))
  return dict(tmp=tmp, model=model, teacher_dir=teacher_dir,
              student_dir=student_dir, export_dir=export_dir,
              transfer=transfer, train_sentences=24,
              teacher_tags=data.read_predictions(
                  os.path.join(teacher_tags_dir, "test_predictions.txt")))


@pytest.mark.slow
def test_records_hold_the_teachers_logits_for_tagged_and_transfer_windows(
    distilled_run):
  run = distilled_run
  records = _read_records(os.path.join(run["student_dir"],
                                       "train.tf_record"))
  has_label = [r.features.feature["has_label"].int64_list.value[0]
               for r in records]
  # Short sentences: one window each.
  assert sorted(has_label) == [0] * 16 + [1] * 24
  assert has_label[:24] != [1] * 24  # Mixed, not tagged first.
  tokenizer = tokenization.FullTokenizer(run["model"]["vocab_file"])
  by_ids = {tuple(r.features.feature["input_ids"].int64_list.value): r
            for r, h in zip(records, has_label) if not h}
  num_checked = 0
  for sentence, tagged in zip(run["transfer"], run["teacher_tags"]):
    ids = tokenizer.convert_tokens_to_ids(
        ["[CLS]"] + tokenizer.tokenize(" ".join(w for w, _ in sentence)) +
        ["[SEP]"])
    record = by_ids[tuple(ids + [0] * (16 - len(ids)))]
    logits = np.asarray(record.features.feature["teacher_logits"]
                        .float_list.value).reshape([16, len(LABELS)])
    weights = record.features.feature["label_weights"].float_list.value
    positions = [i for i, w in enumerate(weights) if w]
    assert len(positions) == len(sentence)
    # The teacher's own prediction of each word is the argmax of the
    # logits stored at the word's first piece.
    for position, (_, predicted) in zip(positions, tagged):
      assert LABELS[int(np.argmax(logits[position]))] == predicted
      num_checked += 1
  assert num_checked > 50


@pytest.mark.slow
def test_the_student_is_an_ordinary_tagging_model(distilled_run):
  run = distilled_run
  student_dir = run["student_dir"]
  reader = tf.train.load_checkpoint(tf.train.latest_checkpoint(student_dir))
  names = set(reader.get_variable_to_shape_map())
  teacher = tf.train.load_checkpoint(
      tf.train.latest_checkpoint(run["teacher_dir"]))
  # The same variables as the teacher's, but for the layer it lacks.
  expected = set(name for name in teacher.get_variable_to_shape_map()
                 if "layer_1" not in name)
  assert names == expected
  with open(os.path.join(student_dir, "model_info.json")) as f:
    info = json.load(f)
  assert info["kind"] == "ner" and info["labels"] == LABELS
  assert info["distillation"]["temperature"] == 2.0
  assert info["distillation"]["transfer_examples"] == 16
  with open(os.path.join(student_dir, "eval_results.txt")) as f:
    results = dict(line.strip().split(" = ") for line in f)
  assert 0.0 <= float(results["eval_f1"]) <= 1.0
  assert len(data.read_predictions(os.path.join(
      student_dir, "test_predictions.txt"))) == 12
  assert os.path.isfile(os.path.join(run["export_dir"], "saved_model.pb"))
  # predictor serves classifiers and SQuAD models: it refuses the student
  # as it refuses any run_ner.py model, by name.
  for model_dir in (student_dir, run["teacher_dir"]):
    with pytest.raises(predictor.UsageError,
                       match="a run_ner.py \\(tagging\\) model"):
      predictor.load(model_dir)


@pytest.mark.slow
def test_a_student_can_teach_in_turn_and_a_teacher_without_transfer_text(
    distilled_run, tmp_path):
  """The student's directory is itself a teacher; no --transfer_file."""
  run = distilled_run
  output_dir = str(tmp_path / "third")
  run_ner.run_task(data.flags_namespace(
      do_train=True, output_dir=output_dir, num_train_epochs=1.0,
      data_dir=str(run["tmp"] / "data"), max_seq_length=16,
      train_batch_size=8, allow_random_init=True,
      teacher_dir=run["student_dir"], **run["model"]))
  records = _read_records(os.path.join(output_dir, "train.tf_record"))
  assert len(records) == 24
  assert {r.features.feature["has_label"].int64_list.value[0]
          for r in records} == {1}


# ----------------------------------------------------------------------------
# 4. Mismatched teachers: one line, nothing written
# ----------------------------------------------------------------------------


def _edited_teacher(run, name, edit_info=None, vocab=None):
  target = str(run["tmp"] / ("teacher_" + name))
  if not os.path.isdir(target):
    shutil.copytree(run["teacher_dir"], target)
    if edit_info:
      path = os.path.join(target, "model_info.json")
      with open(path) as f:
        info = json.load(f)
      edit_info(info)
      with open(path, "w") as f:
        json.dump(info, f)
    if vocab:
      helpers.write_vocab(os.path.join(target, "vocab.txt"), vocab)
  return target


MISMATCHES = [
    ("vocab", dict(vocab=data.VOCAB[:-1] + ["other"]), [],
     r"--teacher_dir=\S+: the teacher's vocabulary differs from "
     r"--vocab_file=\S+ \(id \d+ is 'other' there, 'new' here\)"),
    ("casing", dict(edit_info=lambda info: info.update(do_lower_case=False)),
     [], r"--teacher_dir=\S+: the teacher was fine-tuned with "
     r"--do_lower_case=False"),
    ("labels", {}, ["--labels=O,B-PER,I-PER,B-LOC,I-LOC"],
     r"--teacher_dir=\S+: the teacher's labels \(O, B-LOC, B-PER, I-LOC, "
     r"I-PER\) differ from this task's"),
    ("kind", dict(edit_info=lambda info: info.update(kind="classifier")), [],
     r"--teacher_dir=\S+: a classifier model, but this run fine-tunes a ner"),
]


@pytest.mark.slow
def test_a_mismatched_teacher_is_one_error_line_and_writes_nothing(
    distilled_run):
  run = distilled_run
  cases = []
  for name, edits, extra, _ in MISMATCHES:
    teacher_dir = _edited_teacher(run, name, **edits)
    cases.append(("run_ner.py", [
        "--data_dir=%s" % (run["tmp"] / "data"),
        "--output_dir=%s" % (run["tmp"] / ("out_" + name)),
        "--vocab_file=" + run["model"]["vocab_file"],
        "--bert_config_file=" + run["model"]["bert_config_file"],
        "--max_seq_length=16", "--do_train", "--allow_random_init",
        "--teacher_dir=" + teacher_dir,
        "--transfer_file=%s" % (run["tmp"] / "transfer.txt")] + extra))
  work_dir = run["tmp"] / "mismatch_runner"
  work_dir.mkdir()
  results = helpers.run_scripts_in_one_process(cases, work_dir)
  for (name, _, _, pattern), result in zip(MISMATCHES, results):
    stderr = result["stderr"]
    assert result["returncode"] == 1, (name, stderr[-3000:])
    assert "Traceback" not in stderr, stderr[-3000:]
    lines = stderr.rstrip("\n").splitlines()
    assert lines[-1].startswith("error: "), stderr[-3000:]
    assert [l for l in lines if l.startswith("error")] == lines[-1:]
    assert re.search(pattern, lines[-1]), (name, lines[-1])
    assert not os.path.exists(run["tmp"] / ("out_" + name)), name
