# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Knowledge distillation for the classifier (distillation.py).

The loss against an independent NumPy computation; the teacher's directory
checks; the transfer file; and whole run_classifier.py runs in which a tiny
teacher labels the data of a tiny student of another size.
"""

import numpy as np
import pytest
import tensorflow as tf

import distillation

tf1 = tf.compat.v1


def _np_log_softmax(x):
  x = x - x.max(axis=-1, keepdims=True)
  return x - np.log(np.exp(x).sum(axis=-1, keepdims=True))


def _np_loss(student, teacher, hard, has_label, weights, t, alpha):
  """The loss written out in NumPy, element by element."""
  student = np.asarray(student, np.float64)
  teacher = np.asarray(teacher, np.float64)
  shape = student.shape[:-1]
  per_item = np.zeros(shape)
  has_label = np.broadcast_to(has_label, shape)
  for index in np.ndindex(*shape):
    p = np.exp(_np_log_softmax(teacher[index] / t))
    log_q = _np_log_softmax(student[index] / t)
    soft = t * t * -(p * log_q).sum()
    if has_label[index]:
      per_item[index] = alpha * soft + (1 - alpha) * hard[index]
    else:
      per_item[index] = soft
  weights = np.broadcast_to(weights, shape)
  return (per_item * weights).sum() / max(weights.sum(), 1.0), per_item


def _evaluate(*tensors):
  with tf.Graph().as_default(), tf1.Session() as sess:
    return sess.run([t() for t in tensors])


@pytest.mark.parametrize("t,alpha", [(1.0, 0.5), (2.0, 0.3), (4.0, 1.0),
                                     (0.5, 0.0)])
def test_loss_matches_numpy(t, alpha):
  rng = np.random.RandomState(int(t * 10 + alpha * 100))
  student = rng.randn(6, 3).astype(np.float32) * 3
  teacher = rng.randn(6, 3).astype(np.float32) * 3
  hard = rng.rand(6).astype(np.float32) * 2
  has_label = np.array([1, 0, 1, 1, 0, 1])
  weights = np.array([1, 1, 1, 0, 1, 1], np.float32)  # one padding example
  expected, expected_items = _np_loss(student, teacher, hard, has_label,
                                      weights, t, alpha)

  def build():
    return distillation.distillation_loss(
        tf.constant(student), tf.constant(teacher), tf.constant(hard),
        tf.constant(has_label), tf.constant(weights), t, alpha)

  (loss, items), = _evaluate(build)
  np.testing.assert_allclose(items, expected_items, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(loss, expected, rtol=1e-5, atol=1e-6)


def test_soft_loss_alone_is_zero_gradient_at_the_teacher_and_scales_t2():
  logits = np.array([[2.0, -1.0, 0.5]], np.float32)

  def grad():
    student = tf.constant(logits)
    soft = distillation.soft_cross_entropy(student, tf.constant(logits), 3.0)
    return tf.gradients(soft, student)[0]

  def soft(t):
    return lambda: distillation.soft_cross_entropy(
        tf.constant(logits), tf.constant(logits), t)

  gradient, at_1, at_3 = _evaluate(grad, soft(1.0), soft(3.0))
  np.testing.assert_allclose(gradient, 0.0, atol=1e-6)
  # At the teacher, the soft loss is T^2 times the teacher's entropy at T.
  for value, t in ((at_1, 1.0), (at_3, 3.0)):
    p = np.exp(_np_log_softmax(logits / t))
    np.testing.assert_allclose(value, t * t * -(p * np.log(p)).sum(-1),
                               rtol=1e-5)


def test_unlabeled_item_ignores_an_infinite_hard_loss():
  # A transfer row's hard loss is against a placeholder label: never counted.
  def build():
    return distillation.distillation_loss(
        tf.constant([[1.0, 0.0], [0.0, 1.0]]),
        tf.constant([[0.0, 1.0], [0.0, 1.0]]),
        tf.constant([np.inf, 0.5]), tf.constant([0, 1]),
        tf.constant([1.0, 1.0]), 2.0, 0.5)[0]

  loss, = _evaluate(build)
  assert np.isfinite(loss)


def test_masked_word_pieces_for_tagging_shapes():
  # [batch 2, seq 4, labels 3], has_label [batch, 1], the first-piece mask.
  rng = np.random.RandomState(7)
  student = rng.randn(2, 4, 3).astype(np.float32)
  teacher = rng.randn(2, 4, 3).astype(np.float32)
  hard = rng.rand(2, 4).astype(np.float32)
  has_label = np.array([[1], [0]])
  mask = np.array([[1, 0, 1, 0], [1, 1, 0, 0]], np.float32)
  expected, _ = _np_loss(student, teacher, hard, has_label, mask, 2.0, 0.7)

  def build():
    return distillation.distillation_loss(
        tf.constant(student), tf.constant(teacher), tf.constant(hard),
        tf.constant(has_label), tf.constant(mask), 2.0, 0.7)[0]

  loss, = _evaluate(build)
  np.testing.assert_allclose(loss, expected, rtol=1e-5)


def test_all_padding_batch_has_zero_loss():
  def build():
    return distillation.distillation_loss(
        tf.constant([[1.0, 0.0]]), tf.constant([[0.0, 1.0]]),
        tf.constant([1.0]), tf.constant([1]), tf.constant([0.0]), 1.0, 0.5)[0]

  loss, = _evaluate(build)
  assert loss == 0.0


def test_transfer_lines(tmp_path):
  path = tmp_path / "transfer.txt"
  path.write_text("a good film\n\n  \nbad\tworse\n", encoding="utf-8")
  with pytest.raises(distillation.UsageError,
                     match=r"transfer.txt line 4: 2 tab-separated fields"):
    distillation.read_transfer_lines(str(path))
  path.write_text("a good film\n\nbad\tworse\n", encoding="utf-8")
  with pytest.raises(distillation.UsageError, match="line 1: 1 tab"):
    distillation.read_transfer_lines(str(path), num_fields=2)
  path.write_text("a good film\n\nbad film\n", encoding="utf-8")
  assert distillation.read_transfer_lines(str(path)) == [
      (1, ["a good film"]), (3, ["bad film"])]
  path.write_text("\n\n", encoding="utf-8")
  with pytest.raises(distillation.UsageError, match="no text"):
    distillation.read_transfer_lines(str(path))
  path.write_text("a b\tc\n", encoding="utf-8")
  with pytest.raises(distillation.UsageError,
                     match=r"^--transfer_file=\S*transfer.txt line 1: 2 tab"):
    distillation.read_transfer_lines(str(path))
  path.write_bytes(b"ok\n\xff\n")
  with pytest.raises(distillation.UsageError, match="line 2: not valid UTF-8"):
    distillation.read_transfer_lines(str(path))


def test_distillation_values_without_a_teacher_are_refused():
  import types  # pylint: disable=g-import-not-at-top
  base = dict(teacher_dir=None, transfer_file=None, distill_temperature=1.0,
              distill_alpha=0.5, do_train=True, output_dir="out")
  distillation.check_flags(types.SimpleNamespace(**base))  # the defaults
  for name, value in (("distill_temperature", 3.0), ("distill_alpha", 0.9)):
    settings = types.SimpleNamespace(**dict(base, **{name: value}))
    with pytest.raises(distillation.UsageError,
                       match=r"^--%s=%s: only with --teacher_dir" % (name,
                                                                     value)):
      distillation.check_flags(settings)


# ----------------------------------------------------------------------------
# Whole runs: a tiny teacher, a smaller student
# ----------------------------------------------------------------------------

import json  # pylint: disable=g-import-not-at-top,wrong-import-position
import os  # pylint: disable=g-import-not-at-top,wrong-import-position

from tests import classifier_testdata as data  # pylint: disable=g-import-not-at-top,wrong-import-position
from tests import helpers  # pylint: disable=g-import-not-at-top,wrong-import-position

_SEED = 12345


def _settings(**overrides):
  import run_classifier  # pylint: disable=g-import-not-at-top
  import script_settings  # pylint: disable=g-import-not-at-top
  return script_settings.defaults(run_classifier.define_flags, **overrides)


def _run(settings):
  import run_classifier  # pylint: disable=g-import-not-at-top
  return run_classifier.run(settings)


@pytest.fixture(scope="module")
def task(tmp_path_factory):
  """An MRPC-layout task, a fine-tuned tiny teacher and a narrower student.

  The teacher: the tests' tiny BERT (2 layers, 32 wide) fine-tuned for a
  few steps. The student: 1 layer, 16 wide, its own random checkpoint.
  """
  root = tmp_path_factory.mktemp("distill")
  files = data.write_model_files(root / "teacher_model", with_checkpoint=True)
  data_dir = data.write_mrpc_folder(root / "MRPC", data.keyword_pairs(24, 1),
                                    data.keyword_pairs(8, 2),
                                    data.keyword_pairs(5, 3))
  teacher_dir = str(root / "teacher")
  common = dict(task_name="MRPC", data_dir=data_dir, max_seq_length=32,
                train_batch_size=8, learning_rate=1e-3, num_train_epochs=1.0,
                eval_batch_size=8, predict_batch_size=8, tf_random_seed=_SEED,
                vocab_file=files["vocab_file"])
  _run(_settings(do_train=True, output_dir=teacher_dir,
                 bert_config_file=files["bert_config_file"],
                 init_checkpoint=files["init_checkpoint"], **common))
  student_config = helpers.tiny_bert_config(
      vocab_size=len(data.VOCAB), hidden_size=16, num_attention_heads=2,
      intermediate_size=32, num_hidden_layers=1, max_position_embeddings=32)
  student_dir = root / "student_model"
  os.makedirs(student_dir)
  student_checkpoint = helpers.write_encoder_checkpoint(
      student_config, str(student_dir / "bert_model.ckpt"), global_step=False)
  student_files = dict(
      bert_config_file=helpers.write_bert_config(
          str(student_dir / "bert_config.json"), student_config),
      init_checkpoint=student_checkpoint)
  transfer = root / "transfer.txt"
  transfer.write_text("".join(
      "%s\t%s\n" % (a, b) for _, a, b in data.keyword_pairs(11, 4)),
                      encoding="utf-8")
  return dict(root=root, teacher_dir=teacher_dir, common=common,
              student=student_files, transfer=str(transfer),
              teacher_files=files)


def _records(path):
  import tensorflow as tf  # pylint: disable=g-import-not-at-top,redefined-outer-name,reimported
  records = []
  for raw in tf.compat.v1.io.tf_record_iterator(path):
    example = tf.train.Example.FromString(raw)
    records.append(example.features.feature)
  return records


@pytest.mark.slow
def test_distilled_student_end_to_end(task, tmp_path):
  import predictor  # pylint: disable=g-import-not-at-top
  output_dir = str(tmp_path / "student")
  _run(_settings(do_train=True, do_eval=True, output_dir=output_dir,
                 teacher_dir=task["teacher_dir"],
                 transfer_file=task["transfer"], distill_temperature=2.0,
                 distill_alpha=0.7, **task["student"], **task["common"]))

  records = _records(os.path.join(output_dir, "train.tf_record"))
  assert len(records) == 24 + 11
  assert [r["has_label"].int64_list.value[0] for r in records] == (
      [1] * 24 + [0] * 11)
  logits = np.array([r["teacher_logits"].float_list.value for r in records])
  assert logits.shape == (35, 2)
  # The stored logits are the teacher's: softmax of them is what the
  # teacher's predictor says for the same texts.
  pairs = data.keyword_pairs(24, 1) + data.keyword_pairs(11, 4)
  with predictor.load(task["teacher_dir"]) as teacher:
    expected = teacher.classify([(a, b) for _, a, b in pairs])
  probabilities = np.exp(logits - logits.max(-1, keepdims=True))
  probabilities /= probabilities.sum(-1, keepdims=True)
  np.testing.assert_allclose(
      probabilities, [[p[l] for l in ("0", "1")] for p in
                      [r.probabilities for r in expected]], atol=1e-5)

  info = json.load(open(os.path.join(output_dir, "model_info.json")))
  assert info["distillation"] == {
      "teacher_dir": task["teacher_dir"], "temperature": 2.0, "alpha": 0.7,
      "transfer_file": task["transfer"], "transfer_examples": 11}
  # An ordinary fine-tuned model: the student's variables only, loadable.
  import tensorflow as tf  # pylint: disable=g-import-not-at-top,redefined-outer-name,reimported
  names = {name for name, _ in tf.train.list_variables(output_dir)}
  assert "output_weights" in names
  assert not any("teacher" in name for name in names)
  shapes = dict(tf.train.list_variables(output_dir))
  assert shapes["output_weights"] == [2, 16]
  with predictor.load(output_dir) as student:
    assert len(student.classify([("a b", "good great")])) == 1
  assert os.path.exists(os.path.join(output_dir, "eval_results.txt"))
  # ... and converts to Hugging Face's format as any fine-tuned classifier.
  import convert_checkpoint  # pylint: disable=g-import-not-at-top
  hf_dir = str(tmp_path / "hf")
  convert_checkpoint.google_to_hf(output_dir, hf_dir, task_name="mrpc")
  assert os.path.exists(os.path.join(hf_dir, "model.safetensors"))

  # Run again into the finished directory with other distillation flags:
  # training is skipped, so neither the teacher's pass nor the records nor
  # model_info.json may change (they describe the training that happened).
  record_bytes = open(os.path.join(output_dir, "train.tf_record"), "rb").read()
  other_transfer = tmp_path / "other_transfer.txt"
  other_transfer.write_text("a b\tgood great\n", encoding="utf-8")
  _run(_settings(do_train=True, output_dir=output_dir,
                 teacher_dir=task["teacher_dir"],
                 transfer_file=str(other_transfer), distill_temperature=4.0,
                 distill_alpha=0.1, **task["student"], **task["common"]))
  assert json.load(open(os.path.join(output_dir, "model_info.json"))) == info
  assert open(os.path.join(output_dir, "train.tf_record"),
              "rb").read() == record_bytes


def _student_settings(task, output_dir, **overrides):
  values = dict(task["common"], do_train=True, output_dir=output_dir,
                teacher_dir=task["teacher_dir"], **task["student"])
  values.update(overrides)
  return _settings(**values)


def _swapped_vocab(path):
  vocab = list(data.VOCAB)
  vocab[-1], vocab[-2] = vocab[-2], vocab[-1]
  return helpers.write_vocab(str(path), vocab)


@pytest.mark.slow
def test_mismatches_are_one_line_before_any_output(task, tmp_path):
  output_dir = str(tmp_path / "out")
  swapped = _swapped_vocab(tmp_path / "vocab.txt")
  short = helpers.write_vocab(str(tmp_path / "short.txt"), data.VOCAB[:-1])
  wrong_labels = tmp_path / "teacher_labels"
  os.makedirs(wrong_labels)
  for name in os.listdir(task["teacher_dir"]):
    source = os.path.join(task["teacher_dir"], name)
    if os.path.isfile(source):
      with open(source, "rb") as f, open(wrong_labels / name, "wb") as g:
        g.write(f.read())
  info = json.load(open(wrong_labels / "model_info.json"))
  info["labels"] = ["1", "0"]
  json.dump(info, open(wrong_labels / "model_info.json", "w"))
  # A fine-tuning directory's files around a pre-trained checkpoint.
  no_head = tmp_path / "no_head"
  os.makedirs(no_head)
  pretrained = task["teacher_files"]["init_checkpoint"]
  for source in [os.path.join(task["teacher_dir"], name) for name in (
      "model_info.json", "vocab.txt", "bert_config.json")] + [
          pretrained + ".index", pretrained + ".data-00000-of-00001"]:
    with open(source, "rb") as f, open(
        no_head / os.path.basename(source), "wb") as g:
      g.write(f.read())
  cases = [
      (dict(vocab_file=swapped), r"--teacher_dir=\S+: the teacher's "
       r"vocabulary differs from --vocab_file=\S+ \(id 49 is 'ugly' there, "
       r"'rainy' here\)"),
      (dict(vocab_file=short), r"vocabulary differs .* \(51 tokens against "
       r"50\)"),
      (dict(do_lower_case=False), r"--teacher_dir=\S+: the teacher was "
       r"fine-tuned with --do_lower_case=True, this run has "
       r"--do_lower_case=False"),
      (dict(teacher_dir=str(wrong_labels)), r"the teacher's labels \(1, 0\) "
       r"differ from this task's \(0, 1\)"),
      (dict(teacher_dir=task["teacher_files"]["vocab_file"].rsplit("/", 1)[0]),
       r"no model_info.json; not a fine-tuned model directory"),
      (dict(teacher_dir=str(no_head)), r"--teacher_dir=\S+no_head: "
       r"checkpoint \S+bert_model.ckpt has no output_weights, output_bias "
       r"\(not fine-tuned on a task\)"),
      (dict(transfer_file=str(tmp_path / "missing.txt")),
       r"--transfer_file=\S+missing.txt: file not found"),
      (dict(distill_temperature=0.0), r"--distill_temperature=0.0: must be "
       r"positive"),
      (dict(distill_alpha=1.5), r"--distill_alpha=1.5: must be between"),
      (dict(class_weights="balanced"), r"--class_weights: not with "
       r"--teacher_dir"),
      (dict(output_dir=task["teacher_dir"]), r"--teacher_dir=\S+: the "
       r"student's --output_dir=\S+ would overwrite it"),
  ]
  assert data.VOCAB[-2:] == ["ugly", "rainy"]
  for overrides, message in cases:
    overrides = dict(overrides)
    with pytest.raises(distillation.UsageError, match=message):
      _run(_student_settings(task, overrides.pop("output_dir", output_dir),
                             **overrides))
    assert not os.path.exists(output_dir), overrides
  assert os.path.exists(os.path.join(task["teacher_dir"], "model_info.json"))
  with pytest.raises(distillation.UsageError,
                     match="--transfer_file: only with --teacher_dir"):
    _run(_student_settings(task, output_dir, teacher_dir=None,
                           transfer_file=task["transfer"]))


@pytest.mark.slow
def test_bad_transfer_line_names_file_and_line(task, tmp_path):
  output_dir = str(tmp_path / "out")
  path = tmp_path / "transfer.txt"
  path.write_text("good day\tkind words\n\njust one text\n", encoding="utf-8")
  with pytest.raises(distillation.UsageError,
                     match=r"transfer.txt line 3: 1 tab-separated fields; "
                     r"this task takes a pair a line: text_a<TAB>text_b"):
    _run(_student_settings(task, output_dir, transfer_file=str(path)))
  assert not os.path.exists(output_dir)


@pytest.mark.slow
def test_command_line_mismatch_exit_1_one_line_no_output(task, tmp_path):
  swapped = _swapped_vocab(tmp_path / "vocab.txt")
  common = task["common"]
  args = ["--task_name=MRPC", "--do_train=true",
          "--data_dir=" + common["data_dir"],
          "--bert_config_file=" + task["student"]["bert_config_file"],
          "--init_checkpoint=" + task["student"]["init_checkpoint"],
          "--max_seq_length=32", "--teacher_dir=" + task["teacher_dir"]]
  cases = [
      ("run_classifier.py", args + ["--vocab_file=" + swapped,
                                    "--output_dir=%s" % (tmp_path / "a")]),
      ("run_classifier.py", args + ["--vocab_file=" + common["vocab_file"],
                                    "--do_lower_case=false",
                                    "--output_dir=%s" % (tmp_path / "b")]),
  ]
  results = helpers.run_scripts_in_one_process(cases, tmp_path)
  for result, what in zip(results, ("vocabulary differs",
                                    "--do_lower_case=False")):
    assert result["returncode"] == 1, result
    # (A lower-cased vocabulary with --do_lower_case=false also brings the
    # usual casing warning first.)
    lines = result["stderr"].strip().splitlines()
    errors = [line for line in lines if line.startswith("error:")]
    assert errors == lines[-1:], result
    assert errors[0].startswith("error: --teacher_dir=") and what in errors[0]
    assert not any("Traceback" in line for line in lines)
  assert not os.path.exists(tmp_path / "a")
  assert not os.path.exists(tmp_path / "b")


@pytest.mark.slow
def test_column_task_windows_and_the_fine_tuning_flags(task, tmp_path):
  """--task_name=tsv with a transfer TSV, windows, accumulation, bf16,
  evaluation during training with the best checkpoint, export; then the
  student's best_checkpoint/ as the teacher of another run."""
  import predictor  # pylint: disable=g-import-not-at-top
  data_dir = tmp_path / "tsv"
  os.makedirs(data_dir)
  header = [["text", "text_b", "label"]]
  data.write_tsv(str(data_dir / "train.tsv"), header + [
      [a, b + " " + b, label] for label, a, b in data.keyword_pairs(16, 5)])
  data.write_tsv(str(data_dir / "dev.tsv"), header + [
      [a, b, label] for label, a, b in data.keyword_pairs(8, 6)])
  transfer = tmp_path / "transfer.tsv"
  data.write_tsv(str(transfer), [["id", "text", "text_b"]] + [
      ["t%d" % i, a, b + " " + b] for i, (_, a, b) in enumerate(
          data.keyword_pairs(8, 7))])
  output_dir = str(tmp_path / "student")
  export_dir = str(tmp_path / "export")
  common = dict(task["common"], task_name="tsv", data_dir=str(data_dir),
                max_seq_length=14, train_batch_size=8, num_train_epochs=1.0)
  _run(_settings(do_train=True, do_eval=True, output_dir=output_dir,
                 export_dir=export_dir, teacher_dir=task["teacher_dir"],
                 transfer_file=str(transfer), doc_stride=6,
                 num_accumulation_steps=2, precision="bf16",
                 eval_every_steps=2, keep_best_by="eval_accuracy",
                 early_stopping_patience=5, **task["student"], **common))
  records = _records(os.path.join(output_dir, "train.tf_record"))
  has_label = [r["has_label"].int64_list.value[0] for r in records]
  # Windows: more records than texts, the transfer rows' windows last.
  assert len(records) > 16 + 8 and has_label == sorted(has_label,
                                                       reverse=True)
  assert 0 < has_label.count(0) < len(records)
  assert os.path.exists(os.path.join(output_dir, "eval_history.jsonl"))
  assert os.path.isdir(os.path.join(output_dir, "best_checkpoint"))
  info = json.load(open(os.path.join(output_dir, "model_info.json")))
  assert info["distillation"]["transfer_examples"] == 8
  with predictor.load(export_dir) as student:
    assert len(student.classify([("a b", "good great")])) == 1

  # The best checkpoint of that run teaches a plain MRPC student (fp16).
  second = str(tmp_path / "second")
  _run(_settings(do_train=True, output_dir=second,
                 teacher_dir=os.path.join(output_dir, "best_checkpoint"),
                 precision="fp16", distill_alpha=1.0,
                 **task["student"], **task["common"]))
  records = _records(os.path.join(second, "train.tf_record"))
  assert len(records) == 24 and all(
      r["has_label"].int64_list.value[0] == 1 for r in records)


@pytest.mark.slow
def test_column_transfer_file_with_a_label_column(task, tmp_path):
  data_dir = tmp_path / "tsv"
  os.makedirs(data_dir)
  data.write_tsv(str(data_dir / "train.tsv"), [["text", "label"]] + [
      [a + " " + b, label] for label, a, b in data.keyword_pairs(8, 5)])
  transfer = tmp_path / "transfer.tsv"
  data.write_tsv(str(transfer), [["text", "label"], ["good", "1"]])
  with pytest.raises(distillation.UsageError,
                     match=r"transfer.tsv line 1: a label column; "
                     r"--transfer_file is unlabeled text"):
    _run(_student_settings(task, str(tmp_path / "out"), task_name="tsv",
                           data_dir=str(data_dir),
                           transfer_file=str(transfer)))
  assert not os.path.exists(tmp_path / "out")


@pytest.mark.slow
def test_distillation_with_mirrored_distribution(task, tmp_path):
  output_dir = str(tmp_path / "student")
  _run(_student_settings(task, output_dir, distribution="mirrored",
                         num_cpu_devices=2, transfer_file=task["transfer"]))
  import tensorflow as tf  # pylint: disable=g-import-not-at-top,redefined-outer-name,reimported
  # 35 records, batches of 8 (4 a device): 4 steps.
  assert tf.train.latest_checkpoint(output_dir).endswith("model.ckpt-4")
