# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Fine-tunes BERT for extractive question answering (SQuAD 1.1 and 2.0).

The model scores every token of `[CLS] question [SEP] paragraph [SEP]` as the
start and as the end of the answer. This script is the command line around
the library modules that do the work:

- `squad_lib`: reading SQuAD files, the windows over long paragraphs
  (`doc_windows`), features, records and the model;
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
import checkpoint_utils
import tensorflow as tf

import doc_windows
import export_utils
import estimator_runtime
import script_utils
import squad_answers
import squad_lib
import squad_metrics
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
from squad_lib import SquadExample
from squad_lib import _improve_answer_span
from squad_lib import _position_loss
from squad_lib import convert_examples_to_features
from squad_lib import create_model
from squad_lib import input_fn_builder
from squad_lib import model_fn_builder
from squad_lib import split_paragraph
# pylint: enable=unused-import,g-bad-import-order

# The windows under the names run_ner.py (and notebooks) used.
_DocSpan = doc_windows.DocSpan
_doc_spans = doc_windows.doc_spans
_check_is_max_context = doc_windows.check_is_max_context

tf1 = tf.compat.v1

FLAGS = flags.FLAGS

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
  """`squad_lib.read_squad_examples`, called the original's way.

  `version_2_with_negative`, when not given, is --version_2_with_negative
  if that flag is defined (as the original read it), else False.
  """
  return squad_lib.read_squad_examples(
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




def define_flags():
  """Defines the command-line flags (called only when run as a script, so
  this module can be imported next to the other scripts)."""
  flags.DEFINE_string(
      "bert_config_file", None,
      "The config json file corresponding to the pre-trained BERT model. "
      "This specifies the model architecture.")
  flags.DEFINE_string("vocab_file", None,
                      "The vocabulary file that the BERT model was trained on.")
  flags.DEFINE_string(
      "output_dir", None,
      "The output directory where the model checkpoints, records and "
      "predictions will be written.")
  flags.DEFINE_string("train_file", None,
                      "SQuAD json for training. E.g., train-v1.1.json")
  flags.DEFINE_string(
      "predict_file", None,
      "SQuAD json for predictions. E.g., dev-v1.1.json or test-v1.1.json. "
      "When it has answers, exact match and F1 are computed too.")
  flags.DEFINE_string(
      "init_checkpoint", None,
      "Initial checkpoint (usually from a pre-trained BERT model).")
  flags.DEFINE_bool(
      "do_lower_case", True,
      "Whether to lower case the input text. Should be True for uncased "
      "models and False for cased models.")
  flags.DEFINE_integer(
      "max_seq_length", 384,
      "The maximum total input sequence length after WordPiece tokenization. "
      "Sequences longer than this will be truncated, and sequences shorter "
      "than this will be padded.")
  flags.DEFINE_integer(
      "doc_stride", 128,
      "When splitting up a long document into chunks, how much stride to "
      "take between chunks.")
  flags.DEFINE_integer(
      "max_query_length", 64,
      "The maximum number of tokens for the question. Questions longer than "
      "this will be truncated to this length.")
  flags.DEFINE_bool("do_train", False, "Whether to run training.")
  flags.DEFINE_bool("do_predict", False,
                    "Whether to run prediction on --predict_file.")
  flags.DEFINE_integer("train_batch_size", 32, "Total batch size for training.")
  flags.DEFINE_integer("predict_batch_size", 8,
                       "Total batch size for predictions.")
  flags.DEFINE_float("learning_rate", 5e-5,
                     "The initial learning rate for Adam.")
  flags.DEFINE_float("num_train_epochs", 3.0,
                     "Total number of training epochs to perform.")
  flags.DEFINE_float(
      "warmup_proportion", 0.1,
      "Proportion of training to perform linear learning rate warmup for. "
      "E.g., 0.1 = 10% of training.")
  flags.DEFINE_integer("save_checkpoints_steps", 1000,
                       "How often to save the model checkpoint.")
  flags.DEFINE_integer("iterations_per_loop", 1000,
                       "How many steps to make in each estimator call.")
  flags.DEFINE_integer(
      "n_best_size", 20,
      "The total number of n-best predictions to generate in the "
      "nbest_predictions.json output file.")
  flags.DEFINE_integer(
      "max_answer_length", 30,
      "The maximum length of an answer that can be generated. This is needed "
      "because the start and end predictions are not conditioned on one "
      "another.")
  checkpoint_utils.define_allow_random_init_flag()
  estimator_runtime.define_tpu_flags()
  estimator_runtime.define_performance_flags()
  export_utils.define_export_flags()
  flags.DEFINE_bool(
      "verbose_logging", False,
      "If true, all of the warnings related to data processing will be "
      "printed. A number of warnings are expected for a normal SQuAD "
      "evaluation.")
  flags.DEFINE_bool(
      "version_2_with_negative", False,
      "If true, the SQuAD examples contain some that do not have an answer.")
  flags.DEFINE_float(
      "null_score_diff_threshold", 0.0,
      "If null_score - best_non_null is greater than the threshold predict "
      "null. squad_metrics.json reports the best value as best_f1_thresh.")
  flags.DEFINE_integer(
      "num_accumulation_steps", 1,
      "Accumulate gradients over this many micro-batches of "
      "train_batch_size / num_accumulation_steps examples before each update, "
      "for a large effective batch on a small accelerator.")


# ----------------------------------------------------------------------------
# Script
# ----------------------------------------------------------------------------


def validate_flags_or_throw(bert_config, flags_obj=None):
  """Checks the flags against each other and the model config.

  Like the original, this includes the check that --do_lower_case suits a
  released --init_checkpoint.

  Args:
    bert_config: `modeling.BertConfig` of the model.
    flags_obj: the script's flags; default the global FLAGS, which the
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
        "At least one of --do_train, --do_predict or --export_dir must be "
        "set.")
  if flags_obj.do_train and not flags_obj.train_file:
    raise script_utils.UsageError(
        "If --do_train is True, then --train_file must be specified.")
  if flags_obj.do_predict and not flags_obj.predict_file:
    raise script_utils.UsageError(
        "If --do_predict is True, then --predict_file must be specified.")
  if flags_obj.max_seq_length > bert_config.max_position_embeddings:
    raise script_utils.UsageError(
        "Cannot use sequence length %d because the BERT model was only "
        "trained up to sequence length %d (--max_seq_length vs "
        "max_position_embeddings)" %
        (flags_obj.max_seq_length, bert_config.max_position_embeddings))
  if flags_obj.max_seq_length <= flags_obj.max_query_length + 3:
    raise script_utils.UsageError(
        "The --max_seq_length (%d) must be greater than --max_query_length "
        "(%d) + 3" % (flags_obj.max_seq_length, flags_obj.max_query_length))
  for name in ("doc_stride", "max_query_length", "n_best_size",
               "max_answer_length", "train_batch_size", "predict_batch_size",
               "num_accumulation_steps"):
    if getattr(flags_obj, name) < 1:
      raise script_utils.UsageError("--%s must be at least 1, got %d" %
                                    (name, getattr(flags_obj, name)))
  if flags_obj.do_train and flags_obj.num_accumulation_steps > 1:
    if flags_obj.train_batch_size % flags_obj.num_accumulation_steps != 0:
      raise script_utils.UsageError(
          "--train_batch_size (%d) must be divisible by "
          "--num_accumulation_steps (%d)" %
          (flags_obj.train_batch_size, flags_obj.num_accumulation_steps))


def _train(estimator, tokenizer, train_examples, num_train_steps,
           micro_batch_size, flags_obj):
  """Writes train.tf_record and fine-tunes on it.

  `flags_obj` is the script's FLAGS (or a namespace with the same names).
  """
  train_record = os.path.join(flags_obj.output_dir, "train.tf_record")
  with FeatureWriter(filename=train_record, is_training=True) as writer:
    convert_examples_to_features(
        examples=train_examples,
        tokenizer=tokenizer,
        max_seq_length=flags_obj.max_seq_length,
        doc_stride=flags_obj.doc_stride,
        max_query_length=flags_obj.max_query_length,
        is_training=True,
        output_fn=writer.process_feature)
  tf1.logging.info("***** Running training *****")
  tf1.logging.info("  Num orig examples = %d", len(train_examples))
  tf1.logging.info("  Num split examples = %d", writer.num_features)
  estimator_runtime.log_train_batch_size(flags_obj.train_batch_size,
                                         flags_obj.num_accumulation_steps)
  tf1.logging.info("  Num steps = %d", num_train_steps)
  estimator_runtime.log_learning_rate(
      flags_obj.learning_rate,
      int(num_train_steps * flags_obj.warmup_proportion))
  checkpoint_utils.log_weights("Training", flags_obj.output_dir,
                               flags_obj.init_checkpoint)
  train_input_fn = input_fn_builder(
      input_file=train_record,
      seq_length=flags_obj.max_seq_length,
      is_training=True,
      drop_remainder=True)
  estimator_runtime.train_estimator(estimator, train_input_fn, num_train_steps,
                                    micro_batch_size,
                                    flags_obj.num_accumulation_steps)


def _read_predict_examples(predict_file, version_2_with_negative):
  """The questions of --predict_file and, when it has answers, the parsed file
  for scoring (checked now, so scoring cannot fail after a long run)."""
  eval_examples = read_squad_examples(
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
    raise squad_lib.format_error(predict_file, str(e))
  return eval_examples, dataset


def _predict(estimator, tokenizer, eval_examples, gold_dataset, flags_obj):
  """Writes predictions.json (and the others) for `eval_examples`.

  Also squad_metrics.json when `gold_dataset` has answers. `flags_obj` is the
  script's FLAGS (or a namespace with the same names).
  """
  eval_features = []
  eval_record = os.path.join(flags_obj.output_dir, "eval.tf_record")
  with FeatureWriter(filename=eval_record, is_training=False) as writer:

    def append_feature(feature):
      eval_features.append(feature)
      writer.process_feature(feature)

    convert_examples_to_features(
        examples=eval_examples,
        tokenizer=tokenizer,
        max_seq_length=flags_obj.max_seq_length,
        doc_stride=flags_obj.doc_stride,
        max_query_length=flags_obj.max_query_length,
        is_training=False,
        output_fn=append_feature)

  tf1.logging.info("***** Running predictions *****")
  tf1.logging.info("  Num orig examples = %d", len(eval_examples))
  tf1.logging.info("  Num split examples = %d", len(eval_features))
  tf1.logging.info("  Batch size = %d", flags_obj.predict_batch_size)

  predict_input_fn = input_fn_builder(
      input_file=eval_record,
      seq_length=flags_obj.max_seq_length,
      is_training=False,
      drop_remainder=False)
  all_results = []
  checkpoint_utils.log_weights("Predicting", flags_obj.output_dir,
                               flags_obj.init_checkpoint)
  progress = script_utils.ProgressLogger("predict", len(eval_features))
  for result in estimator.predict(predict_input_fn,
                                  yield_single_examples=True):
    # float32 arrays, not lists of Python floats: a SQuAD dev set gives
    # millions of logits.
    all_results.append(
        RawResult(
            unique_id=int(result["unique_ids"]),
            start_logits=np.array(result["start_logits"], np.float32),
            end_logits=np.array(result["end_logits"], np.float32)))
    progress.update()

  output_dir = flags_obj.output_dir
  predictions = squad_answers.write_predictions(
      eval_examples, eval_features, all_results, flags_obj.n_best_size,
      flags_obj.max_answer_length, flags_obj.do_lower_case,
      os.path.join(output_dir, "predictions.json"),
      os.path.join(output_dir, "nbest_predictions.json"),
      os.path.join(output_dir, "null_odds.json"),
      version_2_with_negative=flags_obj.version_2_with_negative,
      null_score_diff_threshold=flags_obj.null_score_diff_threshold,
      verbose_logging=flags_obj.verbose_logging)
  if gold_dataset is not None:
    _write_metrics(predictions, gold_dataset, output_dir,
                   flags_obj.version_2_with_negative,
                   flags_obj.null_score_diff_threshold)


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


def main(_):
  script_utils.configure_logging()

  bert_config = script_utils.load_bert_config(FLAGS.bert_config_file)
  validate_flags_or_throw(bert_config, FLAGS)
  # A checkpoint prefix, also when the flag names a directory or a file.
  init_checkpoint = checkpoint_utils.check_init_checkpoint(
      FLAGS.init_checkpoint)
  # Read now (a missing, non-UTF-8 or incomplete vocabulary is a one-line
  # error) so that bad input stops the run before it writes anything.
  tokenizer = script_utils.load_tokenizer(FLAGS.vocab_file,
                                          FLAGS.do_lower_case, init_checkpoint)
  if FLAGS.do_train:
    script_utils.require_file(FLAGS.train_file, "train_file")
  if FLAGS.do_predict:
    script_utils.require_file(FLAGS.predict_file, "predict_file")
  checkpoint_utils.check_checkpoint_fits_config(init_checkpoint, bert_config)
  if FLAGS.export_dir:
    # Checked now so a bad --export_dir fails before training, not after.
    export_utils.check_export_dir(FLAGS.export_dir)

  script_utils.check_vocab_fits_config(len(tokenizer.vocab), bert_config,
                                       FLAGS.vocab_file)

  train_examples = None
  num_train_steps = None
  num_warmup_steps = None
  micro_batch_size = FLAGS.train_batch_size // FLAGS.num_accumulation_steps
  if FLAGS.do_train:
    train_examples = read_squad_examples(
        FLAGS.train_file, is_training=True,
        version_2_with_negative=FLAGS.version_2_with_negative)
    num_train_steps = int(
        len(train_examples) / FLAGS.train_batch_size * FLAGS.num_train_epochs)
    if num_train_steps < 1:
      raise script_utils.UsageError(
          "--train_file=%s has %d usable question(s): fewer than one "
          "--train_batch_size=%d batch in --num_train_epochs=%g" %
          (FLAGS.train_file, len(train_examples), FLAGS.train_batch_size,
           FLAGS.num_train_epochs))
    num_warmup_steps = int(num_train_steps * FLAGS.warmup_proportion)
    # Shuffled once here, since the record reader only shuffles within a
    # small buffer and SQuAD questions come grouped by paragraph.
    random.Random(12345).shuffle(train_examples)

  eval_examples = gold_dataset = None
  if FLAGS.do_predict:
    # Read before training, so a bad file is reported in seconds, not after
    # hours of fine-tuning.
    eval_examples, gold_dataset = _read_predict_examples(
        FLAGS.predict_file, FLAGS.version_2_with_negative)
  if not FLAGS.do_train:
    # Without training, prediction and export read weights that must already
    # exist; an export never takes random ones.
    actions = [flag for flag, wanted in (("--do_predict", FLAGS.do_predict),
                                         ("--export_dir", FLAGS.export_dir))
               if wanted]
    checkpoint_utils.checkpoint_for_inference(
        FLAGS.output_dir, init_checkpoint, " ".join(actions),
        HEAD_VARIABLES,
        FLAGS.allow_random_init and not FLAGS.export_dir)
  # Created only now, when the input has passed every check.
  script_utils.prepare_output_dir(FLAGS.output_dir)

  model_fn = model_fn_builder(
      bert_config=bert_config,
      init_checkpoint=init_checkpoint,
      learning_rate=FLAGS.learning_rate,
      num_train_steps=num_train_steps,
      num_warmup_steps=num_warmup_steps,
      use_tpu=FLAGS.use_tpu,
      use_one_hot_embeddings=FLAGS.use_tpu,
      num_accumulation_steps=FLAGS.num_accumulation_steps,
      compute_type=estimator_runtime.compute_type_for_precision(
          FLAGS.precision))
  run_config = estimator_runtime.run_config_from_flags(FLAGS)
  estimator = estimator_runtime.make_estimator(
      model_fn, run_config, FLAGS.use_tpu,
      train_batch_size=micro_batch_size,
      predict_batch_size=FLAGS.predict_batch_size)

  # What predictor.load needs besides the weights: written next to the
  # checkpoints and into an exported SavedModel.
  model_info = export_utils.model_info(
      export_utils.SQUAD, FLAGS.vocab_file, FLAGS.do_lower_case,
      FLAGS.max_seq_length, doc_stride=FLAGS.doc_stride,
      max_query_length=FLAGS.max_query_length, n_best_size=FLAGS.n_best_size,
      max_answer_length=FLAGS.max_answer_length,
      version_2_with_negative=FLAGS.version_2_with_negative,
      null_score_diff_threshold=FLAGS.null_score_diff_threshold)
  if FLAGS.do_train:
    export_utils.write_model_files(FLAGS.output_dir, bert_config, model_info)
    _train(estimator, tokenizer, train_examples, num_train_steps,
           micro_batch_size, FLAGS)
  if FLAGS.do_predict:
    _predict(estimator, tokenizer, eval_examples, gold_dataset, FLAGS)
  if FLAGS.export_dir:
    export_utils.export_saved_model(
        model_fn, FLAGS.export_dir, FLAGS.max_seq_length,
        checkpoint_path=export_utils.checkpoint_for_export(
            FLAGS.output_dir, init_checkpoint),
        output_keys=["start_logits", "end_logits"], model_info=model_info)


if __name__ == "__main__":
  define_flags()
  script_utils.run(main)
