# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Fine-tunes BERT on named-entity recognition and other tagging tasks.

The BERT paper's recipe for CoNLL-2003 NER (section 5.3): every word is
WordPiece-tokenized, the final hidden vector of its first piece goes through
a softmax over the tags, and the other pieces are not scored. The steps,
each switched on by a flag, as in run_classifier.py:

  --do_train    read train.txt, write `train.tf_record`, fine-tune;
  --do_eval     read dev.txt (or valid.txt), write `eval.tf_record`, tag it
                and write `eval_results.txt` (entity precision, recall and F1
                as conlleval computes them, token accuracy, loss);
  --do_predict  read test.txt, write `predict.tf_record`, tag it and write
                `test_predictions.txt` in the CoNLL layout.

Input files are in the CoNLL layout: one token a line, the token in the
first column and its tag in the last, sentences separated by blank lines,
`-DOCSTART-` lines skipped. A sentence longer than `max_seq_length - 2`
pieces is split into windows `--doc_stride` pieces apart, and each word is
scored (in the loss and in the predictions) only in the window where it has
the most context, as run_squad.py does for paragraphs.

Knowledge distillation (distillation.py): with --teacher_dir, the output
directory of another run_ner.py training run (same vocabulary, casing and
tag set; any depth or width), the teacher's logits for every training
window, and for the windows of --transfer_file's untagged sentences, are
computed once and stored in train.tf_record; the student learns the
teacher's softened distribution on each word's first piece, mixed with the
gold tag by --distill_alpha (transfer words: the teacher's alone). The
student is an ordinary run_ner.py model.

The head is one dense layer on the sequence output, `ner/output_weights`
[num_labels, hidden_size] and `ner/output_bias` [num_labels]. Reading the
files, the windows, the records and the model are in ner_lib.py (and stay
importable from here); the steps every fine-tuning script shares are in
fine_tuning.py. On TensorFlow
2.15 everything runs through TPUEstimator (CPU, GPU, Cloud TPU); on 2.16+
the same model_fn runs on the graph runner.
"""

import os

# First of all: it imports TensorFlow keeping its own messages out of the
# default log (shown with -v 1).
import tf_quiet  # pylint: disable=unused-import,g-bad-import-order
from absl import flags
import numpy as np
import tensorflow as tf

import best_checkpoint
import checkpoint_utils
import class_weights as class_weights_lib
import distillation
import estimator_runtime
import export_utils
import fine_tuning
import ner_lib
import ner_metrics
import script_settings
import script_utils
from script_utils import UsageError

tf1 = tf.compat.v1

FLAGS = flags.FLAGS

# The library's names stay importable from here, where they were defined.
# pylint: disable=unused-import,g-bad-import-order
from ner_lib import (
    HEAD_VARIABLES, InputFeatures, LABEL_LIST_FILE, OUTSIDE, Sentence,
    TAG_SCHEMES, check_tags, convert_sentence, convert_sentences,
    create_model, data_file, evaluate_predictions,
    file_based_input_fn_builder, labels_from_sentences, model_fn_builder,
    parse_labels_flag, read_conll_file, read_label_list, stitch_predictions,
    write_features, write_label_list, write_predictions)
# pylint: enable=unused-import,g-bad-import-order

PREDICTIONS_FILE = "test_predictions.txt"

# The training defaults, chosen by measurement (bench/RESULTS.md, "run_ner.py
# against Transformers"): BERT's AdamW without bias correction, whose larger
# early steps learned more in short runs than the bias-corrected one, and the
# original's shuffle buffer, which made no measurable difference.
DEFAULT_OPTIMIZER = "adamw"
DEFAULT_TRAIN_SHUFFLE = "buffer"
# The tagging head starts from an uncut normal: on WNUT17 (1,000 sentences,
# 187 updates) it reached entity F1 0.3075 +- 0.0558 over four seeds against
# 0.1919 from the original's truncated normal, and Transformers' 0.3068 from
# the same weights (bench/RESULTS.md).
DEFAULT_HEAD_INITIALIZER = "normal"


def define_flags(flag_values=flags.FLAGS):
  """Defines the command-line flags on `flag_values`.

  Called when the module runs as a script, or on a fresh FlagValues by
  `script_settings.defaults`.
  """
  fine_tuning.define_fine_tuning_flags(
      flag_values,
      data_dir_help="Directory with train.txt, dev.txt (or valid.txt) and "
      "test.txt in the CoNLL layout: a token and its tag a line, blank "
      "lines between sentences.",
      do_predict_help="Tag test.txt and write test_predictions.txt.",
      optimizer=DEFAULT_OPTIMIZER, train_shuffle=DEFAULT_TRAIN_SHUFFLE,
      head_initializer=DEFAULT_HEAD_INITIALIZER)
  define = script_utils.flag_definers(flag_values)
  define.integer(
      "doc_stride", 64,
      "A sentence longer than max_seq_length - 2 WordPiece tokens is split "
      "into windows starting this many tokens apart; each word is predicted "
      "from the window where it has the most context.")
  define.string(
      "labels", None,
      "The tag set, comma-separated (e.g. O,B-PER,I-PER); it must contain O. "
      "Default: the tags of train.txt, or for a run without --do_train the "
      "label_list.txt a training run wrote into --output_dir.")
  define.enum(
      "tag_scheme", "iob2", TAG_SCHEMES,
      "iob2 (BIO: every entity starts with B-) or iob1 (CoNLL-2003's "
      "original files: B- only between two entities of the same type): "
      "entity scores as conlleval computes them, which reads both alike; "
      "none: tags without entities (e.g. part of speech), token accuracy "
      "only.")
  class_weights_lib.define_flag(define)
  best_checkpoint.define_flags(flag_values)
  distillation.define_distillation_flags(flag_values)


# ----------------------------------------------------------------------------
# The script
# ----------------------------------------------------------------------------


def validate_flags(settings):
  """Checks the flags that need no file access; raises UsageError."""
  fine_tuning.validate_flags(settings)
  best_checkpoint.check_flags(settings)
  distillation.check_flags(settings)
  if settings.doc_stride < 1:
    raise UsageError("--doc_stride=%d: must be positive" %
                     settings.doc_stride)
  if settings.tag_scheme not in TAG_SCHEMES:
    raise UsageError("--tag_scheme=%s: must be one of %s" %
                     (settings.tag_scheme, ", ".join(TAG_SCHEMES)))


class _DataSet(object):
  """A file's sentences and their windows."""

  def __init__(self, path, sentences):
    self.path = path
    self.sentences = sentences
    self.features = None
    self.pieceless = None


def _read_data(data_dir, set_type, tags_required=True):
  path = data_file(data_dir, set_type)
  return _DataSet(path, read_conll_file(path, tags_required))


def _label_list(settings, train_data, init_checkpoint):
  """The run's tag set, in output order.

  From --labels; else from train.txt when training; else the label_list.txt
  of the training run, in --output_dir or beside the --init_checkpoint.
  A label_list.txt in --output_dir must agree: its checkpoints have an
  output layer of that size and order.

  Raises:
    UsageError: when there is no tag set, or two that differ.
  """
  saved = None
  if tf.io.gfile.isdir(settings.output_dir):
    saved = read_label_list(settings.output_dir)
  if settings.labels:
    label_list = parse_labels_flag(settings.labels)
  elif train_data:
    label_list = labels_from_sentences(train_data.sentences)
  else:
    label_list = saved or read_label_list(
        os.path.dirname(init_checkpoint or ""))
    if not label_list:
      raise UsageError(
          "no tag set: neither --output_dir=%s nor the --init_checkpoint "
          "directory has the %s of a training run; pass --labels=O,B-PER,... "
          "(the tags the model was trained with, in that order)" %
          (settings.output_dir, LABEL_LIST_FILE))
  if saved and saved != label_list:
    raise UsageError(
        "--output_dir=%s: its %s (%s) is not the tag set of this run (%s); "
        "use another --output_dir" % (settings.output_dir, LABEL_LIST_FILE,
                                      ", ".join(saved), ", ".join(label_list)))
  return label_list


def main(_):
  run(script_settings.from_flags(FLAGS))


def run(settings):
  """Trains, evaluates, tags and exports as `settings` ask.

  `settings` holds the values of this script's `define_flags`
  (`script_settings.Settings`, FLAGS, or a namespace). Bad flags or input
  raise UsageError before anything is written.
  """
  validate_flags(settings)
  init_checkpoint, bert_config, tokenizer = fine_tuning.load_model_files(
      settings)
  max_seq_length = settings.max_seq_length

  # Read and check everything up front, so that a bad line in dev or test
  # is reported before hours of training, and nothing is written before.
  data_dir = settings.data_dir
  train_data = eval_data = predict_data = None
  if settings.do_train:
    train_data = _read_data(data_dir, "train")
  if settings.do_eval:
    eval_data = _read_data(data_dir, "dev")
  if settings.do_predict:
    predict_data = _read_data(data_dir, "test", tags_required=False)
  label_list = _label_list(settings, train_data, init_checkpoint)
  output_dir = settings.output_dir
  for data in (train_data, eval_data, predict_data):
    if data:
      check_tags(data.sentences, label_list, data.path, settings.tag_scheme)
      data.features, data.pieceless = convert_sentences(
          data.sentences, label_list, max_seq_length,
          settings.doc_stride, tokenizer)
  if eval_data and settings.tag_scheme != "none":
    _warn_about_scheme(eval_data, settings.tag_scheme)
  teacher, transfer_data = _teacher_and_transfer(settings, label_list,
                                                 tokenizer)
  num_transfer_windows = len(transfer_data.features) if transfer_data else 0

  num_train_steps = num_warmup_steps = None
  if train_data:
    num_train_steps, num_warmup_steps = fine_tuning.training_steps(
        settings, len(train_data.features) + num_transfer_windows,
        "training windows")
  fine_tuning.check_weights_and_output(
      settings, init_checkpoint, HEAD_VARIABLES,
      bool(train_data or eval_data or predict_data))
  class_weights = _class_weights(settings, label_list, train_data)

  model_fn = model_fn_builder(
      bert_config, len(label_list), init_checkpoint, settings.learning_rate,
      num_train_steps, num_warmup_steps, settings.use_tpu,
      use_one_hot_embeddings=settings.use_tpu,
      num_accumulation_steps=settings.num_accumulation_steps,
      compute_type=fine_tuning.compute_type(settings),
      class_weights=class_weights,
      distill_temperature=settings.distill_temperature if teacher else None,
      distill_alpha=settings.distill_alpha if teacher else None)
  estimator = fine_tuning.make_fine_tuning_estimator(model_fn, settings,
                                                     num_train_steps)

  if train_data:
    train_file = os.path.join(output_dir, "train.tf_record")
    # A finished model keeps the files of its training (fine_tuning.train
    # says training is skipped): no teacher pass, records or model_info.
    if not fine_tuning.training_is_finished(settings, num_train_steps):
      train_features = train_data.features
      if teacher:
        # Before anything is written: a teacher checkpoint that does not fit
        # is still an error without output.
        train_features = _with_teacher_logits(teacher, settings, train_data,
                                              transfer_data)
      write_label_list(output_dir, label_list)
      info = ner_lib.model_info(settings, label_list)
      if teacher:
        info.update(distillation.model_info_settings(
            settings, len(transfer_data.sentences) if transfer_data else 0))
      # What makes the directory usable as a --teacher_dir of another run.
      export_utils.write_model_files(output_dir, bert_config, info)
      write_features(train_features, train_file)
    train_input_fn = file_based_input_fn_builder(
        train_file, max_seq_length, is_training=True, drop_remainder=True,
        num_teacher_labels=len(label_list) if teacher else None)
    size_line = "Num sentences = %d, windows = %d" % (
        len(train_data.sentences), len(train_data.features))
    if transfer_data:
      size_line += " (+ %d transfer sentences, %d windows)" % (
          len(transfer_data.sentences), num_transfer_windows)
    fine_tuning.train(
        estimator, settings, train_input_fn, size_line, num_train_steps,
        num_warmup_steps, init_checkpoint,
        evaluate_fn=lambda checkpoint_path: _evaluate(
            estimator, settings, eval_data, label_list, class_weights,
            checkpoint_path))

  # The best checkpoint (--keep_best_by) when the model directory has one.
  if eval_data:
    _evaluate(estimator, settings, eval_data, label_list, class_weights,
              best_checkpoint.checkpoint_for_inference(output_dir,
                                                       "Evaluating"))

  if predict_data:
    tags, _ = _tag(estimator, settings, predict_data, label_list,
                   "predict.tf_record", settings.predict_batch_size,
                   "Prediction", "Predicting",
                   checkpoint_path=best_checkpoint.checkpoint_for_inference(
                       output_dir, "Predicting"))
    output_file = os.path.join(output_dir, PREDICTIONS_FILE)
    write_predictions(output_file, predict_data.sentences, tags)
    tf1.logging.info("Wrote the tags of %d tokens in %d sentences to %s",
                     sum(len(s.words) for s in predict_data.sentences),
                     len(predict_data.sentences), output_file)

  if settings.export_dir:
    best_checkpoint.checkpoint_for_inference(output_dir, "Exporting")
    fine_tuning.export(model_fn, settings, init_checkpoint,
                       output_keys=["probabilities"], synthesized_features={})


# The name of `run` before the settings convention; tests call it with a
# namespace.
run_task = run


def _teacher_and_transfer(settings, label_list, tokenizer):
  """The --teacher_dir and the --transfer_file windows, read and checked.

  Returns:
    (teacher, transfer_data): a `distillation.Teacher` or None; a `_DataSet`
    of the transfer sentences (untagged, their windows made as the training
    ones) or None.

  Raises:
    UsageError: a teacher of another kind, vocabulary, casing or tag set, or
      an unreadable --transfer_file.
  """
  if not distillation.is_distilling(settings):
    return None, None
  teacher = distillation.load_teacher(
      settings.teacher_dir, settings.vocab_file, settings.do_lower_case,
      distillation.NER, student_labels=label_list,
      student_max_seq_length=settings.max_seq_length)
  if not settings.transfer_file:
    return teacher, None
  sentences, layout = ner_lib.read_transfer_file(settings.transfer_file)
  tf1.logging.info("--transfer_file=%s: %d sentences (%s)",
                   settings.transfer_file, len(sentences),
                   "CoNLL layout, first column" if layout == "conll" else
                   "one a line")
  transfer_data = _DataSet(settings.transfer_file, sentences)
  transfer_data.features, transfer_data.pieceless = convert_sentences(
      sentences, label_list, settings.max_seq_length, settings.doc_stride,
      tokenizer)
  return teacher, transfer_data


# The order of the tagged and the transfer windows in a distillation run's
# training records: mixed once, by a fixed seed, since the original's
# shuffle buffer (100 records) would otherwise feed all the tagged windows
# before any transfer one.
TRANSFER_MIX_SEED = 12345


def _with_teacher_logits(teacher, settings, train_data, transfer_data):
  """The training windows (tagged and transfer) with the teacher's logits.

  Returns:
    list of `InputFeatures` with `teacher_logits` and `has_label`, the
    tagged and the transfer windows mixed in a fixed pseudo-random order.
  """
  transfer_features = transfer_data.features if transfer_data else []
  windows = list(train_data.features) + list(transfer_features)
  logits = ner_lib.compute_teacher_logits(teacher, windows,
                                          batch_size=32)
  distillation.log_teacher(
      len(windows), len(transfer_features), settings.teacher_dir,
      unit="windows")
  features = []
  for index, (window, window_logits) in enumerate(zip(windows, logits)):
    has_label = 1 if index < len(train_data.features) else 0
    features.append(InputFeatures(
        window.input_ids, window.input_mask, window.segment_ids,
        window.label_ids, window.label_weights, window.sentence_index,
        window.scored_words, teacher_logits=window_logits,
        has_label=has_label))
  if transfer_features:
    order = np.random.RandomState(TRANSFER_MIX_SEED).permutation(
        len(features))
    features = [features[i] for i in order]
  return features


def _warn_about_scheme(data, tag_scheme):
  """Warns when the dev tags look written in the other IOB scheme."""
  count = sum(ner_metrics.count_scheme_violations(sentence.tags, tag_scheme)
              for sentence in data.sentences)
  if count:
    tf1.logging.warning(
        "%s: %d entities do not start as --tag_scheme=%s has them start (is "
        "the file in the other scheme?); conlleval reads both alike, so the "
        "scores are unchanged", data.path, count, tag_scheme)


def _class_weights(settings, label_list, train_data):
  """--class_weights as one weight per tag, or None.

  "balanced" counts the tags of the scored words (first pieces) in train.
  """
  spec = getattr(settings, "class_weights", None)
  if not spec:
    return None
  train_tags = []
  if spec.strip().lower() == class_weights_lib.BALANCED:
    if not train_data:
      raise UsageError("--class_weights=balanced counts the tags in train: "
                       "pass --do_train=true, or give name=weight pairs")
    for feature in train_data.features:
      train_tags.extend(label_list[label_id] for label_id, weight in
                        zip(feature.label_ids, feature.label_weights) if weight)
  weights = class_weights_lib.resolve(spec, label_list, train_tags)
  tf1.logging.info("Class weights: %s", ", ".join(
      "%s=%.4g" % (l, w) for l, w in zip(label_list, weights)))
  return weights


def _evaluate(estimator, settings, eval_data, label_list, class_weights,
              checkpoint_path=None):
  """Tags dev, scores it and writes eval_results.txt; returns the result.

  `checkpoint_path`: the weights (default the newest in --output_dir).
  """
  tags, eval_loss = _tag(estimator, settings, eval_data, label_list,
                         "eval.tf_record", settings.eval_batch_size,
                         "Evaluation", "Evaluating", class_weights,
                         checkpoint_path)
  result = evaluate_predictions(eval_data.sentences, tags,
                                settings.tag_scheme)
  result["eval_loss"] = eval_loss
  if checkpoint_path:
    result["global_step"] = checkpoint_utils.checkpoint_global_step(
        checkpoint_path) or 0
  else:
    result["global_step"] = estimator_runtime.current_global_step(
        settings.output_dir)
  script_utils.write_eval_results(settings.output_dir, result)
  return result


def _tag(estimator, settings, data, label_list, file_name, batch_size, what,
         action, class_weights=None, checkpoint_path=None):
  """Writes the records of `data`, predicts them, stitches the windows.

  Returns:
    (tags, loss): the predicted tags per sentence, and the mean
    cross-entropy over the scored words (those with pieces; 0 without gold
    tags), weighted by their gold tags' `class_weights` when given, as in
    training.
  """
  features = list(data.features)
  max_seq_length = settings.max_seq_length
  if settings.use_tpu:
    # TPUs need full batches: pad with windows that score nothing.
    while len(features) % batch_size:
      features.append(ner_lib.padding_feature(max_seq_length))
  record_file = os.path.join(settings.output_dir, file_name)
  write_features(features, record_file)
  tf1.logging.info("***** Running %s *****", what.lower())
  tf1.logging.info("  Num sentences = %d, windows = %d (%d padding)",
                   len(data.sentences), len(features),
                   len(features) - len(data.features))
  tf1.logging.info("  Batch size = %d", batch_size)
  input_fn = file_based_input_fn_builder(
      record_file, max_seq_length, is_training=False,
      drop_remainder=settings.use_tpu)
  if checkpoint_path is None:
    checkpoint_utils.log_weights(action, settings.output_dir,
                                 settings.init_checkpoint)
  hook = script_utils.ProgressHook(what, batch_size,
                                   -(-len(features) // batch_size))
  predicted_ids = []
  loss_sum = weight_sum = 0.0
  # Predictions come in record order; padding windows come last.
  for feature, prediction in zip(data.features, estimator.predict(
      input_fn=input_fn, hooks=[hook], checkpoint_path=checkpoint_path)):
    predicted_ids.append(prediction["predictions"])
    weights = np.asarray(feature.label_weights, np.float64)
    if class_weights is not None:
      weights = weights * np.asarray(class_weights)[
          np.asarray(feature.label_ids)]
    loss_sum += float(np.sum(prediction["per_token_loss"] * weights))
    weight_sum += float(np.sum(weights))
  tags = stitch_predictions(data.sentences, data.features, data.pieceless,
                            predicted_ids, label_list)
  return tags, loss_sum / max(weight_sum, 1.0)


if __name__ == "__main__":
  define_flags()
  script_utils.run(main)
