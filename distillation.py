# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Knowledge distillation: a student fine-tuned on a teacher's predictions.

A fine-tuned teacher (any size, same vocabulary and casing) labels the
student's training data, and optionally unlabeled "transfer" text, with its
logits. The student then learns from the teacher's softened distribution
(Hinton et al. 2015, "Distilling the Knowledge in a Neural Network"; the
compact BERT models of Turc et al. 2019, "Well-Read Students Learn
Better", are meant to be fine-tuned this way), mixed with the hard labels
where there are any.

The teacher runs once, before the student trains: its logits are written
into the student's training records ("teacher_logits", "has_label"), so the
student's training costs what an ordinary fine-tuning run costs, and the
student is an ordinary fine-tuned model (no extra variables).

Loss per item (an example for classification, a scored word piece for
tagging), with temperature T and mixing weight alpha:

  soft = T^2 * sum_k softmax(teacher / T)_k * -log_softmax(student / T)_k
  item = alpha * soft + (1 - alpha) * hard    the item has a label
  item = soft                                 it has none (transfer text)
  loss = sum(item * weight) / max(sum(weight), 1)

The T^2 keeps the soft gradients' scale independent of T (they shrink as
1/T^2 otherwise), so alpha means the same at every temperature.

This module is task-agnostic: the task's library builds the teacher's
model_fn and the records; here are the flags, the loss, the teacher's
model directory and the one pass computing its logits.
"""

import collections
import json
import os

from absl import flags
import numpy as np
import tensorflow as tf

import best_checkpoint
import checkpoint_utils
import export_utils
import file_utils
import fine_tuning
import model_files
import progress
import script_utils
import tokenization
from user_errors import UsageError

tf1 = tf.compat.v1

# Record features added to the training records of a distillation run.
TEACHER_LOGITS = "teacher_logits"
HAS_LABEL = "has_label"

# Model kinds a teacher can be (model_info.json's "kind").
CLASSIFIER = fine_tuning.CLASSIFIER
NER = fine_tuning.NER


def define_distillation_flags(flag_values=flags.FLAGS):
  """Defines --teacher_dir, --transfer_file, --distill_temperature/_alpha."""
  define = script_utils.flag_definers(flag_values)
  define.string(
      "teacher_dir", None,
      "Knowledge distillation: a fine-tuned teacher model directory (the "
      "--output_dir of a run of this script, or its best_checkpoint/), with "
      "the same vocabulary, casing and labels as this run; it may have other "
      "layers and width; its best checkpoint when it kept one, else its "
      "newest. Its logits over the training data (and --transfer_file) are "
      "computed once before training, in batches of --predict_batch_size, "
      "and stored in train.tf_record as the soft targets of the loss. "
      "Unset: ordinary fine-tuning.")
  define.string(
      "transfer_file", None,
      "Only with --teacher_dir: unlabeled text the teacher labels for the "
      "student, added to the training data. One text per line (text_a<TAB>"
      "text_b for a sentence-pair task; for --task_name=tsv/csv a file in "
      "the task's format with a header naming its text columns and no label "
      "column; for run_ner.py one sentence per line, words separated by "
      "spaces, or a CoNLL file whose tags are ignored). Blank lines are "
      "skipped. An epoch is a pass over the training data and these rows.")
  define.float(
      "distill_temperature", 1.0,
      "Only with --teacher_dir: the softmax temperature T of the teacher's "
      "and the student's distributions in the soft loss (> 0; higher gives "
      "the teacher's less likely classes more weight). The soft loss is "
      "multiplied by T^2, so its scale does not change with T.")
  define.float(
      "distill_alpha", 0.5,
      "Only with --teacher_dir: the weight of the soft (teacher) loss, in "
      "[0, 1]; 1 - alpha goes to the hard labels. Rows without a label "
      "(--transfer_file) learn from the teacher alone.")


def is_distilling(settings):
  """Whether the settings ask for distillation (--teacher_dir set)."""
  return bool(getattr(settings, "teacher_dir", None))


def check_flags(settings):
  """Checks the distillation flags that need no file; raises UsageError."""
  temperature = getattr(settings, "distill_temperature", 1.0)
  alpha = getattr(settings, "distill_alpha", 0.5)
  if not is_distilling(settings):
    if getattr(settings, "transfer_file", None):
      raise UsageError("--transfer_file: only with --teacher_dir (the "
                       "teacher labels the transfer text)")
    # A value other than the default without a teacher would be ignored
    # silently, and the run taken for a distillation.
    for name, default in (("distill_temperature", 1.0),
                          ("distill_alpha", 0.5)):
      value = getattr(settings, name, default)
      if value is not None and value != default:
        raise UsageError("--%s=%s: only with --teacher_dir (there is no "
                         "teacher to distill from)" % (name, value))
    return
  if not settings.do_train:
    raise UsageError("--teacher_dir: the teacher's targets are for "
                     "training; add --do_train (or drop --teacher_dir)")
  if not temperature > 0:
    raise UsageError("--distill_temperature=%s: must be positive" %
                     temperature)
  if not 0.0 <= alpha <= 1.0:
    raise UsageError("--distill_alpha=%s: must be between 0 and 1" % alpha)
  output_dir = getattr(settings, "output_dir", None)
  if output_dir and os.path.abspath(output_dir) in (
      os.path.abspath(settings.teacher_dir),
      os.path.dirname(os.path.abspath(settings.teacher_dir))):
    raise UsageError("--teacher_dir=%s: the student's --output_dir=%s would "
                     "overwrite it; give the student a directory of its own" %
                     (settings.teacher_dir, output_dir))
  if getattr(settings, "transfer_file", None):
    file_utils.require_file(settings.transfer_file, "transfer_file")


# ----------------------------------------------------------------------------
# The loss
# ----------------------------------------------------------------------------


def soft_cross_entropy(student_logits, teacher_logits, temperature):
  """T^2 times the cross-entropy of the student against the soft teacher.

  Args:
    student_logits: float [..., num_labels].
    teacher_logits: float [..., num_labels], same shape.
    temperature: python float T > 0.

  Returns:
    float32 [...]: T^2 * sum_k softmax(teacher/T)_k * -log_softmax(student/T)_k.
  """
  temperature = float(temperature)
  student = tf.cast(student_logits, tf.float32) / temperature
  teacher = tf.cast(teacher_logits, tf.float32) / temperature
  # The teacher's targets are constants of the student's training.
  targets = tf.stop_gradient(tf.nn.softmax(teacher, axis=-1))
  log_probs = tf.nn.log_softmax(student, axis=-1)
  return -(temperature ** 2) * tf.reduce_sum(targets * log_probs, axis=-1)


def distillation_loss(student_logits, teacher_logits, hard_per_item_loss,
                      has_label, weights, temperature, alpha):
  """The soft loss mixed with the hard one, averaged over the weighted items.

  Args:
    student_logits: float [..., num_labels] (e.g. [batch_size, num_labels],
      or [batch_size, seq_length, num_labels] for tagging).
    teacher_logits: float, same shape.
    hard_per_item_loss: float [...], the task's own loss per item (its
      value on items without a label is ignored).
    has_label: [...] (or broadcastable to it, e.g. [batch_size, 1] for
      tagging), 1 where the item has a label, 0 for transfer text.
    weights: float [...], each item's weight in the mean (0 for padding
      examples, the first-piece mask for tagging).
    temperature: python float T > 0.
    alpha: python float in [0, 1], the soft loss's weight on labeled items.

  Returns:
    (loss, per_item): the float32 scalar
    sum(per_item * weights) / max(sum(weights), 1), and per_item [...].
  """
  soft = soft_cross_entropy(student_logits, teacher_logits, temperature)
  hard = tf.cast(hard_per_item_loss, tf.float32)
  has_label = tf.cast(has_label, tf.float32) * tf.ones_like(soft)
  alpha = float(alpha)
  labeled = alpha * soft + (1.0 - alpha) * hard
  # tf.where rather than a product: the hard loss of an unlabeled item
  # (against a placeholder label) must not leak in, even as 0 * inf.
  per_item = tf.where(has_label > 0, labeled, soft)
  weights = tf.cast(weights, tf.float32) * tf.ones_like(soft)
  # max(.., 1) keeps an all-padding batch at loss 0 instead of NaN.
  loss = tf.reduce_sum(per_item * weights) / tf.maximum(
      tf.reduce_sum(weights), 1.0)
  return loss, per_item


# ----------------------------------------------------------------------------
# The teacher
# ----------------------------------------------------------------------------


class Teacher(collections.namedtuple(
    "Teacher", ["model_dir", "bert_config", "checkpoint", "labels",
                "max_seq_length", "model_info"])):
  """A fine-tuned teacher model directory, read and checked.

  Attributes:
    model_dir: the directory holding model_info.json.
    bert_config: `modeling.BertConfig` of the teacher.
    checkpoint: checkpoint prefix of its weights (the best one when it kept
      one, else the newest).
    labels: list of its label names, in output order.
    max_seq_length: int, the length it was fine-tuned with.
    model_info: dict, its model_info.json.
  """


def _teacher_files_dir(teacher_dir):
  """The directory with model_info.json: teacher_dir or, for its
  best_checkpoint/, the run's directory above it."""
  if tf.io.gfile.exists(os.path.join(teacher_dir,
                                     export_utils.MODEL_INFO_FILE)):
    return teacher_dir
  parent = os.path.dirname(os.path.normpath(teacher_dir))
  if (os.path.basename(os.path.normpath(teacher_dir)) ==
      best_checkpoint.BEST_DIR and
      tf.io.gfile.exists(os.path.join(parent, export_utils.MODEL_INFO_FILE))):
    return parent
  return None


def _teacher_checkpoint(teacher_dir, files_dir, flag):
  """The teacher's checkpoint prefix: best, newest, or the only one."""
  best = best_checkpoint.best_checkpoint_path(files_dir)
  if best and files_dir == teacher_dir:
    return best
  checkpoint = tf.train.latest_checkpoint(teacher_dir)
  if checkpoint:
    return checkpoint
  prefixes = sorted(p[:-len(".index")] for p in tf.io.gfile.glob(
      os.path.join(teacher_dir, "*.index")))
  if len(prefixes) == 1:
    return prefixes[0]
  if best:
    return best
  raise UsageError("%s=%s: %s" % (
      flag, teacher_dir, "%d checkpoints and no `checkpoint` file saying "
      "which is the newest" % len(prefixes) if prefixes else
      "no checkpoint; give the --output_dir of a fine-tuning run"))


def _read_vocab_tokens(path, flag_value):
  try:
    return list(tokenization.load_vocab(path).keys())
  except (IOError, OSError, tf.errors.OpError) as e:
    raise UsageError("%s: cannot read the vocabulary (%s)" % (flag_value, e))


def load_teacher(teacher_dir, student_vocab_file, student_do_lower_case,
                 kind, student_labels=None, student_max_seq_length=None,
                 flag_name="teacher_dir"):
  """Reads and checks a fine-tuned teacher model directory.

  Args:
    teacher_dir: the teacher's fine-tuning --output_dir (or its
      best_checkpoint/): model_info.json, vocab.txt, bert_config.json and a
      checkpoint with the task's head.
    student_vocab_file: the student's --vocab_file.
    student_do_lower_case: the student's --do_lower_case.
    kind: CLASSIFIER or NER, the student's task kind.
    student_labels: (optional) the student's label names in output order;
      the teacher's must be the same.
    student_max_seq_length: (optional) int; the teacher's position
      embeddings must reach it (it reads the student's features).
    flag_name: the flag named in errors.

  Returns:
    `Teacher`.

  Raises:
    UsageError: one line naming --teacher_dir and what is wrong: not a
      directory, no model_info.json (not a fine-tuned model), another kind
      of model (or a multi-label or regression one), other labels, another
      vocabulary or casing, a config or checkpoint that does not fit.
  """
  flag = "--" + flag_name
  if not teacher_dir or not tf.io.gfile.isdir(teacher_dir):
    raise UsageError("%s=%s: not a directory (give the --output_dir of the "
                     "teacher's fine-tuning run)" % (flag, teacher_dir))
  files_dir = _teacher_files_dir(teacher_dir)
  if files_dir is None:
    raise UsageError("%s=%s: no %s; not a fine-tuned model directory (give "
                     "the --output_dir of the teacher's fine-tuning run)" %
                     (flag, teacher_dir, export_utils.MODEL_INFO_FILE))
  info_path = os.path.join(files_dir, export_utils.MODEL_INFO_FILE)
  try:
    info = json.loads(file_utils.read_text(info_path))
  except ValueError as e:
    raise UsageError("%s=%s: %s is not valid JSON (%s)" %
                     (flag, teacher_dir, info_path, e))
  if not isinstance(info, dict):
    raise UsageError("%s=%s: %s is not a model_info.json" %
                     (flag, teacher_dir, info_path))
  teacher_kind = info.get("kind", "unknown kind of")
  if teacher_kind != kind:
    raise UsageError("%s=%s: a %s model, but this run fine-tunes a %s" %
                     (flag, teacher_dir, teacher_kind, kind))
  if info.get("multi_label") or info.get("is_regression"):
    raise UsageError("%s=%s: a %s model; distillation takes a single-label "
                     "classifier" % (flag, teacher_dir, "multi-label" if
                                     info.get("multi_label") else
                                     "regression"))

  # Same word pieces: the teacher reads the student's token ids as they are.
  teacher_vocab = os.path.join(files_dir, export_utils.VOCAB_FILE)
  if not tf.io.gfile.exists(teacher_vocab):
    raise UsageError("%s=%s: no %s next to its model_info.json" %
                     (flag, teacher_dir, export_utils.VOCAB_FILE))
  teacher_tokens = _read_vocab_tokens(teacher_vocab, teacher_vocab)
  student_tokens = _read_vocab_tokens(student_vocab_file, student_vocab_file)
  if teacher_tokens != student_tokens:
    if len(teacher_tokens) != len(student_tokens):
      what = "%d tokens against %d" % (len(teacher_tokens),
                                       len(student_tokens))
    else:
      index = next(i for i, (a, b) in enumerate(zip(teacher_tokens,
                                                    student_tokens)) if a != b)
      what = "id %d is %r there, %r here" % (index, teacher_tokens[index],
                                             student_tokens[index])
    raise UsageError("%s=%s: the teacher's vocabulary differs from "
                     "--vocab_file=%s (%s); teacher and student must share "
                     "one vocabulary" % (flag, teacher_dir,
                                         student_vocab_file, what))
  teacher_lower = info.get("do_lower_case")
  if teacher_lower is None or bool(teacher_lower) != bool(
      student_do_lower_case):
    raise UsageError("%s=%s: the teacher was fine-tuned with "
                     "--do_lower_case=%s, this run has --do_lower_case=%s; "
                     "teacher and student must read text the same way" %
                     (flag, teacher_dir, teacher_lower,
                      bool(student_do_lower_case)))
  labels = info.get("labels")
  if student_labels is not None:
    if labels is None or [str(l) for l in labels] != [
        str(l) for l in student_labels]:
      raise UsageError("%s=%s: the teacher's labels (%s) differ from this "
                       "task's (%s); they must be the same, in the same "
                       "order" % (flag, teacher_dir,
                                  ", ".join(str(l) for l in labels or []),
                                  ", ".join(str(l) for l in student_labels)))

  config_path = os.path.join(files_dir, export_utils.BERT_CONFIG_FILE)
  if not tf.io.gfile.exists(config_path):
    raise UsageError("%s=%s: no %s next to its model_info.json" %
                     (flag, teacher_dir, export_utils.BERT_CONFIG_FILE))
  try:
    bert_config = model_files.load_bert_config(config_path,
                                               student_max_seq_length)
  except UsageError as e:
    raise UsageError("%s=%s: %s" % (flag, teacher_dir, e))
  if bert_config.vocab_size < len(teacher_tokens):
    raise UsageError("%s=%s: its bert_config.json has vocab_size %d, fewer "
                     "than the vocabulary's %d tokens" %
                     (flag, teacher_dir, bert_config.vocab_size,
                      len(teacher_tokens)))
  teacher_length = info.get("max_seq_length")
  if (student_max_seq_length and teacher_length and
      student_max_seq_length > teacher_length):
    tf1.logging.warning(
        "%s=%s was fine-tuned with --max_seq_length=%d and reads this run's "
        "longer inputs (%d tokens): its logits on the longest texts may be "
        "less reliable", flag, teacher_dir, teacher_length,
        student_max_seq_length)
  checkpoint = _teacher_checkpoint(teacher_dir, files_dir, flag)
  try:
    checkpoint_utils.check_checkpoint_fits_config(checkpoint, bert_config)
  except UsageError as e:
    raise UsageError("%s=%s: %s" % (flag, teacher_dir, e))
  head = fine_tuning.HEAD_VARIABLES[kind]
  if not tf.train.load_checkpoint(checkpoint).has_tensor(head[0]):
    raise UsageError("%s=%s: checkpoint %s has no %s (not fine-tuned on a "
                     "task)" % (flag, teacher_dir, checkpoint,
                                ", ".join(head)))
  return Teacher(model_dir=files_dir, bert_config=bert_config,
                 checkpoint=checkpoint, labels=labels,
                 max_seq_length=info.get("max_seq_length"), model_info=info)


def model_info_settings(settings, num_transfer=0):
  """What a distilled model's model_info.json records of its distillation."""
  return {"distillation": {
      "teacher_dir": settings.teacher_dir,
      "temperature": float(settings.distill_temperature),
      "alpha": float(settings.distill_alpha),
      "transfer_file": getattr(settings, "transfer_file", None),
      "transfer_examples": int(num_transfer),
  }}


# ----------------------------------------------------------------------------
# Transfer text
# ----------------------------------------------------------------------------


def read_transfer_lines(path, num_fields=1, flag_name="transfer_file"):
  """The texts of a plain --transfer_file, one per line.

  Args:
    path: the file (UTF-8).
    num_fields: 1 (one text a line) or 2 (text_a<TAB>text_b).
    flag_name: the flag named in errors.

  Returns:
    list of (line_number, fields): 1-based line numbers, `num_fields`
    strings each (blank lines skipped, line endings stripped).

  Raises:
    UsageError: a line with another number of tab-separated fields, or an
      empty field, naming the file and the line; a file without text.
  """
  file_utils.require_file(path, flag_name)
  rows = []
  num_blank = 0
  for line_number, line in enumerate(file_utils.read_text_lines(path), 1):
    line = line.rstrip("\r\n")
    if not line.strip():
      num_blank += 1
      continue
    fields = line.split("\t")
    if len(fields) != num_fields:
      raise UsageError(
          "--%s=%s line %d: %d tab-separated fields; this task takes %s" %
          (flag_name, path, line_number, len(fields),
           "one text a line (no tab)" if num_fields == 1 else
           "a pair a line: text_a<TAB>text_b"))
    if any(not field.strip() for field in fields):
      raise UsageError("--%s=%s line %d: an empty text" %
                       (flag_name, path, line_number))
    rows.append((line_number, fields))
  if not rows:
    raise UsageError("--%s=%s: no text (every line is blank)" %
                     (flag_name, path))
  if num_blank:
    # Said, so that a count below the file's line count is explained.
    tf1.logging.info("--%s=%s: %d blank line%s skipped", flag_name, path,
                     num_blank, "" if num_blank == 1 else "s")
  return rows


# ----------------------------------------------------------------------------
# The teacher's logits
# ----------------------------------------------------------------------------


def compute_teacher_logits(teacher, model_fn, input_ids, input_mask,
                           segment_ids, batch_size=32, output_key="logits",
                           what=None):
  """Runs the teacher once over the student's features.

  Args:
    teacher: `Teacher`.
    model_fn: the teacher's model_fn (built with teacher.bert_config and its
      number of labels, no init_checkpoint); its PREDICT spec has
      `output_key`.
    input_ids, input_mask, segment_ids: int arrays [num_items, seq_length],
      the student's features.
    batch_size: int, items per teacher batch.
    output_key: the prediction holding the logits.
    what: (optional) text for the progress log.

  Returns:
    float32 NumPy array [num_items, ...] (the logits of each item).

  Raises:
    UsageError: a teacher checkpoint lacking one of the model's variables.
  """
  input_ids = np.asarray(input_ids, dtype=np.int32)
  input_mask = np.asarray(input_mask, dtype=np.int32)
  segment_ids = np.asarray(segment_ids, dtype=np.int32)
  num_items, seq_length = input_ids.shape
  sess, receivers, outputs = export_utils.serving_session(
      model_fn, seq_length, teacher.checkpoint, [output_key],
      what="--teacher_dir=%s" % teacher.model_dir)
  logger = progress.ProgressLogger(what or "Teacher logits", total=num_items)
  values = []
  try:
    for start in range(0, num_items, batch_size):
      end = min(start + batch_size, num_items)
      values.append(sess.run(outputs[output_key], feed_dict={
          receivers["input_ids"]: input_ids[start:end],
          receivers["input_mask"]: input_mask[start:end],
          receivers["segment_ids"]: segment_ids[start:end],
      }))
      logger.update(end - start)
  finally:
    sess.close()
  if not values:
    return np.zeros([0], dtype=np.float32)
  return np.concatenate(values, axis=0).astype(np.float32)


def log_teacher(num_items, num_transfer, teacher_dir, unit="examples"):
  """The one line saying what the teacher labelled."""
  tf1.logging.info("Teacher logits: %d %s (%d from --transfer_file) from %s",
                   num_items, unit, num_transfer, teacher_dir)
