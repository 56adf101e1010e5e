# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Fine-tunes BERT for extractive question answering (SQuAD 1.1 and 2.0).

The model scores every token of `[CLS] question [SEP] paragraph [SEP]` as the
start and as the end of the answer. This script is the command line around
the library modules that do the work:

- `squad_reader`: reading SQuAD files into questions;
- `squad_lib`: the windows over long paragraphs (`doc_windows`), features,
  records and the model;
- `squad_answers`: the model's scores back to answer texts, and the JSON
  files;
- `squad_metrics`: exact match and F1.

The original's public names (`read_squad_examples`, `write_predictions`,
`FeatureWriter`, ...) stay importable from here; the three functions that
read a flag in the original (`read_squad_examples`, `write_predictions`,
`get_final_text`) still do, when called through this module without the
keyword argument.

Outputs in --output_dir: `train.tf_record`, `eval.tf_record`, checkpoints,
`predictions.json`, `nbest_predictions.json`, `null_odds.json` (2.0) and, when
--predict_file carries gold answers, `squad_metrics.json` with exact match and
F1 (for 2.0 also the HasAns/NoAns split and the best threshold for
--null_score_diff_threshold).
"""

import json
import os
import random

# First of all: it imports TensorFlow keeping its own messages out of the
# default log (shown with -v 1).
import tf_quiet  # pylint: disable=unused-import,g-bad-import-order
from absl import flags
import numpy as np
import tensorflow as tf

import checkpoint_utils
import doc_windows
import best_checkpoint
import export_utils
import fine_tuning
import script_settings
import script_utils
import squad_answers
import squad_lib
import squad_metrics
import squad_reader
import tokenization

# The original's public names, where code written against it imports them.
# pylint: disable=unused-import,g-bad-import-order
from squad_answers import RawResult
from squad_answers import SquadPredictions
from squad_answers import _compute_softmax
from squad_answers import _get_best_indexes
from squad_lib import FIRST_UNIQUE_ID
from squad_lib import FeatureWriter
from squad_lib import HEAD_VARIABLES
from squad_lib import InputFeatures
from squad_lib import _improve_answer_span
from squad_lib import _position_loss
from squad_lib import convert_examples_to_features
from squad_lib import create_model
from squad_lib import input_fn_builder
from squad_lib import model_fn_builder
from squad_reader import SquadExample
from squad_reader import split_paragraph
# pylint: enable=unused-import,g-bad-import-order

# The windows under the original's private names, kept for code written
# against them.
_DocSpan = doc_windows.DocSpan
_doc_spans = doc_windows.doc_spans
_check_is_max_context = doc_windows.check_is_max_context

tf1 = tf.compat.v1

FLAGS = flags.FLAGS


# ----------------------------------------------------------------------------
# The original's functions that read flags
# ----------------------------------------------------------------------------


def _flag_or_default(name, value, default):
  """The value of a setting the original functions read from FLAGS.

  The original `write_predictions`, `get_final_text` and
  `read_squad_examples` took `version_2_with_negative`,
  `null_score_diff_threshold` and `verbose_logging` from the flags; here
  they are keyword arguments, and code written the original way (flags set,
  arguments left out) must still get the original's answers.

  Args:
    name: str, the flag's name.
    value: the keyword argument as passed; None means "not given".
    default: what applies when neither the argument nor the flag does.

  Returns:
    `value` when given; else the flag's value when the flag is defined and
    was parsed or set (`FLAGS.x = ...`); else `default`.
  """
  if value is not None:
    return value
  if name in FLAGS:
    flag = FLAGS[name]
    if FLAGS.is_parsed() or flag.present or not flag.using_default_value:
      return flag.value
  return default


def read_squad_examples(input_file, is_training,
                        version_2_with_negative=None):
  """`squad_reader.read_squad_examples`, called the original's way.

  `version_2_with_negative`, when not given, is --version_2_with_negative
  if that flag is defined (as the original read it), else False.
  """
  return squad_reader.read_squad_examples(
      input_file, is_training,
      _flag_or_default("version_2_with_negative", version_2_with_negative,
                       False))


def write_predictions(all_examples, all_features, all_results, n_best_size,
                      max_answer_length, do_lower_case,
                      output_prediction_file, output_nbest_file,
                      output_null_log_odds_file,
                      version_2_with_negative=None,
                      null_score_diff_threshold=None,
                      verbose_logging=None):
  """`squad_answers.write_predictions`, called the original's way.

  The last three, when not given, are taken from the flags of the same
  names if they are defined (the original read them from FLAGS), else
  False, 0.0 and False.

  Returns:
    `SquadPredictions`, as the files hold them.
  """
  return squad_answers.write_predictions(
      all_examples, all_features, all_results, n_best_size,
      max_answer_length, do_lower_case, output_prediction_file,
      output_nbest_file, output_null_log_odds_file,
      version_2_with_negative=_flag_or_default(
          "version_2_with_negative", version_2_with_negative, False),
      null_score_diff_threshold=_flag_or_default(
          "null_score_diff_threshold", null_score_diff_threshold, 0.0),
      verbose_logging=_flag_or_default("verbose_logging", verbose_logging,
                                       False))


def get_final_text(pred_text, orig_text, do_lower_case, verbose_logging=None):
  """`squad_answers.get_final_text`, called the original's way.

  `verbose_logging`, when not given, is --verbose_logging if that flag is
  defined (as the original read it), else False.
  """
  return squad_answers.get_final_text(
      pred_text, orig_text, do_lower_case,
      _flag_or_default("verbose_logging", verbose_logging, False))


# ----------------------------------------------------------------------------
# Flags
# ----------------------------------------------------------------------------


def define_flags(flag_values=flags.FLAGS):
  """Defines the command-line flags on `flag_values`.

  Called when the module runs as a script, or on a fresh FlagValues by
  `script_settings.defaults`, so that the module can be imported next to
  the other scripts (absl refuses a flag name defined twice). The flags
  every fine-tuning script has come from `fine_tuning`, with SQuAD's longer
  --max_seq_length; the others are SQuAD's own.
  """
  def string(name, text):
    flags.DEFINE_string(name, None, text, flag_values=flag_values)

  def integer(name, default, text):
    flags.DEFINE_integer(name, default, text, flag_values=flag_values)

  fine_tuning.define_fine_tuning_flags(
      flag_values,
      do_predict_help="Answer the questions of --predict_file: "
      "predictions.json, nbest_predictions.json (and null_odds.json), and "
      "squad_metrics.json when the file has answers.",
      max_seq_length=384, evaluates=False)
  string("train_file", "SQuAD json for training, e.g. train-v1.1.json.")
  string("predict_file",
         "SQuAD json to answer, e.g. dev-v1.1.json; when it has answers, "
         "exact match and F1 are computed too.")
  integer("doc_stride", 128,
          "Tokens between the starts of the windows a long paragraph is "
          "read in.")
  integer("max_query_length", 64,
          "Question tokens kept; a longer question is cut to this length.")
  integer("n_best_size", 20,
          "Start and end positions considered per window, and answers kept "
          "in nbest_predictions.json.")
  integer("max_answer_length", 30,
          "Longest answer in WordPiece tokens (start and end are predicted "
          "independently, so this bounds their distance).")
  flags.DEFINE_bool(
      "verbose_logging", False,
      "Log every answer that could not be mapped back onto the paragraph "
      "(a few are expected on SQuAD).", flag_values=flag_values)
  flags.DEFINE_bool(
      "version_2_with_negative", False,
      "SQuAD 2.0: some questions have no answer in their paragraph.",
      flag_values=flag_values)
  flags.DEFINE_float(
      "null_score_diff_threshold", 0.0,
      "SQuAD 2.0: answer \"\" when the no-answer score exceeds the best "
      "span's by more than this; squad_metrics.json reports the best value "
      "as best_f1_thresh.", flag_values=flag_values)
  # The dev evaluation during training answers --predict_file, which must
  # have answers: --keep_best_by=exact_match or f1.
  best_checkpoint.define_flags(flag_values)


# ----------------------------------------------------------------------------
# Script
# ----------------------------------------------------------------------------


def validate_flags_or_throw(bert_config, flags_obj=None):
  """The original's checks of the flags against each other and the config.

  Also, as in the original, that --do_lower_case suits a released
  --init_checkpoint. The script itself checks its settings with
  `fine_tuning` and `_check_squad_settings` (and the config when it loads
  it); this is the original's entry point for code that calls it.

  Args:
    bert_config: `modeling.BertConfig` of the model.
    flags_obj: the flags to check; default the global FLAGS, which the
      original read (the compatibility fallback, as in `_flag_or_default`).

  Raises:
    script_utils.UsageError: naming the flag and what is wrong (a
      ValueError, as the original raised).
  """
  if flags_obj is None:
    flags_obj = FLAGS
  try:
    tokenization.validate_case_matches_checkpoint(flags_obj.do_lower_case,
                                                  flags_obj.init_checkpoint)
  except ValueError as e:
    raise script_utils.UsageError(str(e))
  if not (flags_obj.do_train or flags_obj.do_predict or flags_obj.export_dir):
    raise script_utils.UsageError(
        "nothing to do: set at least one of --do_train, --do_predict, "
        "--export_dir")
  if flags_obj.max_seq_length > bert_config.max_position_embeddings:
    raise script_utils.UsageError(
        "--max_seq_length=%d is longer than max_position_embeddings=%d" %
        (flags_obj.max_seq_length, bert_config.max_position_embeddings))
  _check_squad_settings(flags_obj)


def _check_squad_settings(settings):
  """SQuAD's own checks that need no file; raises UsageError."""
  if settings.do_train and not settings.train_file:
    raise script_utils.UsageError(
        "If --do_train is True, then --train_file must be specified.")
  if settings.do_predict and not settings.predict_file:
    raise script_utils.UsageError(
        "If --do_predict is True, then --predict_file must be specified.")
  best_checkpoint.check_flags(settings, eval_flag="do_predict")
  if settings.max_seq_length <= settings.max_query_length + 3:
    raise script_utils.UsageError(
        "The --max_seq_length (%d) must be greater than --max_query_length "
        "(%d) + 3" % (settings.max_seq_length, settings.max_query_length))
  for name in ("doc_stride", "max_query_length", "n_best_size",
               "max_answer_length"):
    if getattr(settings, name) < 1:
      raise script_utils.UsageError("--%s=%d: must be positive" %
                                    (name, getattr(settings, name)))


def main(_):
  script_utils.configure_logging()
  run(script_settings.from_flags(FLAGS))


def run(settings):
  """Trains, answers and exports as the settings ask.

  Args:
    settings: `script_settings.Settings` of `define_flags` (or any object
      with those attributes).

  Raises:
    UsageError: bad flags or input, before anything is written.
  """
  fine_tuning.validate_flags(settings, data_flags=())
  _check_squad_settings(settings)
  init_checkpoint, bert_config, tokenizer = fine_tuning.load_model_files(
      settings)
  # Read before training, so a bad file is reported in seconds, not after
  # hours of fine-tuning.
  train_examples = eval_examples = gold_dataset = None
  num_train_steps = num_warmup_steps = None
  if settings.do_train:
    script_utils.require_file(settings.train_file, "train_file")
    train_examples = squad_reader.read_squad_examples(
        settings.train_file, is_training=True,
        version_2_with_negative=settings.version_2_with_negative)
    num_train_steps, num_warmup_steps = fine_tuning.training_steps(
        settings, len(train_examples),
        "usable questions in --train_file=%s" % settings.train_file)
    # Shuffled once here, since the record reader only shuffles within a
    # small buffer and SQuAD questions come grouped by paragraph.
    random.Random(12345).shuffle(train_examples)
  if settings.do_predict:
    script_utils.require_file(settings.predict_file, "predict_file")
    eval_examples, gold_dataset = _read_predict_examples(
        settings.predict_file, settings.version_2_with_negative)
    if getattr(settings, "eval_every_steps", None) and gold_dataset is None:
      raise script_utils.UsageError(
          "--eval_every_steps: --predict_file=%s has no answers to score" %
          settings.predict_file)
  fine_tuning.check_weights_and_output(
      settings, init_checkpoint, HEAD_VARIABLES,
      writes_output=bool(settings.do_train or settings.do_predict))

  # One-hot embedding lookups are the faster ones on a TPU.
  model_fn = model_fn_builder(
      bert_config, init_checkpoint, settings.learning_rate, num_train_steps,
      num_warmup_steps, settings.use_tpu,
      use_one_hot_embeddings=settings.use_tpu,
      num_accumulation_steps=settings.num_accumulation_steps,
      compute_type=fine_tuning.compute_type(settings))
  estimator = fine_tuning.make_fine_tuning_estimator(model_fn, settings,
                                                     num_train_steps)

  # What predictor.load needs besides the weights: written next to the
  # checkpoints and into an exported SavedModel.
  model_info = fine_tuning.model_info(
      fine_tuning.SQUAD, settings,
      **{name: getattr(settings, name) for name in squad_lib.MODEL_SETTINGS})
  if train_examples:
    export_utils.write_model_files(settings.output_dir, bert_config,
                                   model_info)
    evaluate_fn = None
    if getattr(settings, "eval_every_steps", None):
      evaluate_fn = lambda checkpoint_path: _predict(  # pylint: disable=g-long-lambda
          estimator, settings, tokenizer, eval_examples, gold_dataset,
          init_checkpoint, checkpoint_path)
    _train(estimator, settings, tokenizer, train_examples, num_train_steps,
           num_warmup_steps, init_checkpoint, evaluate_fn)
  # The best checkpoint (--keep_best_by) when the model directory has one.
  if eval_examples:
    _predict(estimator, settings, tokenizer, eval_examples, gold_dataset,
             init_checkpoint, best_checkpoint.checkpoint_for_inference(
                 settings.output_dir, "Predicting"))
  if settings.export_dir:
    best_checkpoint.checkpoint_for_inference(settings.output_dir,
                                             "Exporting")
    fine_tuning.export(model_fn, settings, init_checkpoint,
                       output_keys=["start_logits", "end_logits"],
                       model_info=model_info)


def _train(estimator, settings, tokenizer, train_examples, num_train_steps,
           num_warmup_steps, init_checkpoint, evaluate_fn=None):
  """Writes train.tf_record (one record per window) and fine-tunes on it.

  With `evaluate_fn` (checkpoint path -> metrics), evaluates every
  --eval_every_steps (`fine_tuning.train`).
  """
  train_record = os.path.join(settings.output_dir, "train.tf_record")
  with FeatureWriter(filename=train_record, is_training=True) as writer:
    convert_examples_to_features(
        examples=train_examples,
        tokenizer=tokenizer,
        max_seq_length=settings.max_seq_length,
        doc_stride=settings.doc_stride,
        max_query_length=settings.max_query_length,
        is_training=True,
        output_fn=writer.process_feature)
  train_input_fn = input_fn_builder(
      input_file=train_record,
      seq_length=settings.max_seq_length,
      is_training=True,
      drop_remainder=True)
  size_line = "Num examples = %d questions in %d windows" % (
      len(train_examples), writer.num_features)
  fine_tuning.train(estimator, settings, train_input_fn, size_line,
                    num_train_steps, num_warmup_steps, init_checkpoint,
                    evaluate_fn=evaluate_fn)


def _read_predict_examples(predict_file, version_2_with_negative):
  """The questions of --predict_file and, when it has answers, the parsed file
  for scoring (checked now, so scoring cannot fail after a long run)."""
  eval_examples = squad_reader.read_squad_examples(
      predict_file, is_training=False,
      version_2_with_negative=version_2_with_negative)
  if not eval_examples:
    raise script_utils.UsageError("--predict_file=%s has no questions" %
                                  predict_file)
  with tf.io.gfile.GFile(predict_file, "r") as reader:
    dataset = json.load(reader)
  if not squad_metrics.has_gold_answers(dataset):
    tf1.logging.info("%s has no answers; metrics will not be computed",
                     predict_file)
    return eval_examples, None
  try:
    squad_metrics.gold_answers(dataset)
  except squad_metrics.GoldFormatError as e:
    raise squad_reader.format_error(predict_file, str(e))
  return eval_examples, dataset


def _predict(estimator, settings, tokenizer, eval_examples, gold_dataset,
             init_checkpoint, checkpoint_path=None):
  """Writes predictions.json (and the others) for `eval_examples`.

  Also squad_metrics.json when `gold_dataset` has answers, whose metrics
  are returned (else None). `checkpoint_path`: the weights (default the
  newest in --output_dir).
  """
  eval_features = []
  eval_record = os.path.join(settings.output_dir, "eval.tf_record")
  with FeatureWriter(filename=eval_record, is_training=False) as writer:

    def append_feature(feature):
      eval_features.append(feature)
      writer.process_feature(feature)

    convert_examples_to_features(
        examples=eval_examples,
        tokenizer=tokenizer,
        max_seq_length=settings.max_seq_length,
        doc_stride=settings.doc_stride,
        max_query_length=settings.max_query_length,
        is_training=False,
        output_fn=append_feature)

  tf1.logging.info("***** Running predictions *****")
  tf1.logging.info("  Num examples = %d questions in %d windows",
                   len(eval_examples), len(eval_features))
  tf1.logging.info("  Batch size = %d", settings.predict_batch_size)

  predict_input_fn = input_fn_builder(
      input_file=eval_record,
      seq_length=settings.max_seq_length,
      is_training=False,
      drop_remainder=False)
  all_results = []
  if checkpoint_path is None:
    checkpoint_utils.log_weights("Predicting", settings.output_dir,
                                 init_checkpoint)
  progress = script_utils.ProgressLogger("predict", len(eval_features))
  for result in estimator.predict(predict_input_fn,
                                  yield_single_examples=True,
                                  checkpoint_path=checkpoint_path):
    # float32 arrays, not lists of Python floats: a SQuAD dev set gives
    # millions of logits.
    all_results.append(
        RawResult(
            unique_id=int(result["unique_ids"]),
            start_logits=np.array(result["start_logits"], np.float32),
            end_logits=np.array(result["end_logits"], np.float32)))
    progress.update()

  output_dir = settings.output_dir
  predictions = squad_answers.write_predictions(
      eval_examples, eval_features, all_results, settings.n_best_size,
      settings.max_answer_length, settings.do_lower_case,
      os.path.join(output_dir, "predictions.json"),
      os.path.join(output_dir, "nbest_predictions.json"),
      os.path.join(output_dir, "null_odds.json"),
      version_2_with_negative=settings.version_2_with_negative,
      null_score_diff_threshold=settings.null_score_diff_threshold,
      verbose_logging=settings.verbose_logging)
  if gold_dataset is not None:
    return _write_metrics(predictions, gold_dataset, output_dir,
                          settings.version_2_with_negative,
                          settings.null_score_diff_threshold)
  return None


def _write_metrics(predictions, gold_dataset, output_dir,
                   version_2_with_negative, null_score_diff_threshold):
  """Scores predictions against the answers in --predict_file and writes
  squad_metrics.json."""
  null_odds = None
  non_null = None
  if version_2_with_negative:
    null_odds = predictions.null_odds
    non_null = predictions.non_null_predictions
  metrics = squad_metrics.evaluate(gold_dataset, predictions.predictions,
                                   null_odds=null_odds,
                                   non_null_predictions=non_null)
  if version_2_with_negative:
    # The threshold these answers were cut with, next to the best one; a
    # SQuAD 1.1 run has no "no answer" and no threshold.
    metrics["null_score_diff_threshold"] = null_score_diff_threshold
  path = os.path.join(output_dir, "squad_metrics.json")
  text = json.dumps(metrics, indent=2)
  with script_utils.atomic_output(path) as writer:
    writer.write(text + "\n")
  # Logged once, as a block like the other scripts' results (the JSON was
  # also printed); `exact`, the official v2.0 script's name for
  # `exact_match`, only in the file.
  tf1.logging.info("***** SQuAD metrics (written to %s) *****", path)
  for key, value in metrics.items():
    if key != "exact":
      tf1.logging.info("  %s = %s", key, value)
  return metrics


if __name__ == "__main__":
  define_flags()
  script_utils.run(main)
