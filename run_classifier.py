# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Fine-tunes BERT on sentence and sentence-pair classification (and STS-B).

One script for every GLUE task, XNLI and any task written as a small
`DataProcessor` subclass. The steps, each switched on by a flag:

  --do_train    read train examples, write `train.tf_record`, fine-tune;
  --do_eval     read dev examples, write `eval.tf_record`, evaluate and
                write `eval_results.txt`;
  --do_predict  read test examples, write `predict.tf_record`, write one
                line of class probabilities per example to `test_results.tsv`.

Examples become `[CLS] a [SEP]` or `[CLS] a [SEP] b [SEP]`; the classifier is
one dense layer (`output_weights`, `output_bias`) on the pooled [CLS] vector.
A regression task (STS-B) has one output trained with mean squared error.

On TensorFlow 2.15 everything runs through TPUEstimator, so the same command
runs on CPU, GPU and Cloud TPU (`--use_tpu --tpu_name=...`); on TensorFlow
2.16+ the same model_fn runs on the graph runner (CPU, GPU).

This file is the script: its flags, and `run(settings)`, which a notebook
or a test calls in-process with the command line's defaults:

  run_classifier.run(script_settings.defaults(
      run_classifier.define_flags, task_name="mrpc", do_train=True, ...))

The examples and task processors are in classifier_data.py, the features,
records and model in classifier_lib.py, the steps every fine-tuning script
shares in fine_tuning.py; their public names stay importable from here.
"""

import math
import os

# First of all: it imports TensorFlow keeping its own messages out of the
# default log (shown with -v 1).
import tf_quiet  # pylint: disable=unused-import,g-bad-import-order
from absl import flags
import tensorflow as tf

import best_checkpoint
import checkpoint_utils
import class_weights as class_weights_lib
import classifier_metrics
import classifier_windows
import column_task
import distillation
import export_utils
import fine_tuning
import multilabel
import script_settings
import script_utils
from script_utils import UsageError

# The original's names (and those forks use) live in classifier_data.py
# (examples and the task processors, re-exported by classifier_lib.py),
# classifier_lib.py (features, records, model) and fine_tuning.py; they stay
# importable from here.
# pylint: disable=unused-import,g-bad-import-order
from classifier_lib import (
    ColaProcessor, DataProcessor, HEAD_VARIABLES, InputExample, InputFeatures,
    MnliMismatchedProcessor, MnliProcessor, MrpcProcessor, PROCESSORS,
    PaddingInputExample, QnliProcessor, QqpProcessor, REGRESSION_LABELS,
    RteProcessor, Sst2Processor, StsbProcessor, WnliProcessor, XnliProcessor,
    _truncate_seq_pair, convert_examples_to_features, convert_single_example,
    create_model, file_based_convert_examples_to_features,
    file_based_input_fn_builder, get_processor, input_fn_builder,
    is_regression_label_list, model_fn_builder, write_distillation_records,
    write_test_predictions, write_test_results)
from fine_tuning import (
    check_weights_and_output, load_model_files, make_fine_tuning_estimator,
    train, training_steps)
# pylint: enable=unused-import,g-bad-import-order

tf1 = tf.compat.v1

FLAGS = flags.FLAGS

# The metrics beyond accuracy live in classifier_metrics.py; they keep their
# names here, where they were first defined.
f1_metric = classifier_metrics.f1_metric
matthews_corrcoef_metric = classifier_metrics.matthews_corrcoef_metric
pearson_correlation = classifier_metrics.pearson_correlation
average_ranks = classifier_metrics.average_ranks
spearman_correlation = classifier_metrics.spearman_correlation


def define_flags(flag_values=flags.FLAGS):
  """Defines the command-line flags on `flag_values`.

  Called only when the module runs as a script (or by a wrapper script that
  registers its own task, see PROCESSORS), or on a fresh FlagValues by
  `script_settings.defaults`, so that the module can be imported next to
  the other scripts: absl refuses a flag name defined twice.
  """
  define = script_utils.flag_definers(flag_values)
  define.string("task_name", None,
                "Name of the task (case-insensitive), e.g. mrpc, cola, sts-b.")
  define.string("label_list", None,
                "Only for task tsv/csv: the label names in output order, "
                "comma-separated (default: the sorted names in train).")
  define.bool("tune_thresholds", False,
              "Only for a multi-label tsv/csv task: pick each label's "
              "threshold on dev for its best F1 (else 0.5) and save them "
              "with the model.")
  class_weights_lib.define_flag(define)
  define.string("xnli_language", "zh",
                "Only for task xnli: language of the machine-translated "
                "training set and of the dev/test rows to keep.")
  fine_tuning.define_fine_tuning_flags(
      flag_values,
      data_dir_help="Directory with the task's data files (e.g. train.tsv, "
      "dev.tsv and test.tsv for the GLUE tasks).",
      do_predict_help="Predict on test and write test_results.tsv.")
  classifier_windows.define_window_flags(flag_values)
  best_checkpoint.define_flags(flag_values)
  distillation.define_distillation_flags(flag_values)


def validate_flags(settings, task_flags=("task_name",)):
  """Checks the settings that need no file access; raises UsageError."""
  fine_tuning.validate_flags(settings, task_flags)
  classifier_windows.check_flags(settings)
  if getattr(settings, "doc_stride", None) and settings.use_tpu:
    raise UsageError("--doc_stride: windows are not supported with --use_tpu "
                     "(a text's windows do not fill fixed-size batches)")
  best_checkpoint.check_flags(settings)
  distillation.check_flags(settings)


def main(_):
  run(script_settings.from_flags(FLAGS))


def _task_scoring(processor):
  """(is_regression, task_metric, positive_label_id) of a task's processor.

  Raises:
    ValueError: a processor whose attributes contradict its labels (a bug
      in the task's code, not in the user's flags).
  """
  label_list = processor.get_labels()
  is_regression = bool(processor.is_regression)
  if is_regression and not is_regression_label_list(label_list):
    raise ValueError("%s: a regression task's get_labels() must return "
                     "REGRESSION_LABELS" % processor.__class__.__name__)
  task_metric = None if is_regression else processor.task_metric
  positive_label_id = 1
  if task_metric:
    if len(label_list) != 2:
      raise ValueError("%s: task_metric %r needs exactly two labels" %
                       (processor.__class__.__name__, task_metric))
    if processor.positive_label is not None:
      positive_label_id = label_list.index(processor.positive_label)
  return is_regression, task_metric, positive_label_id


def run(settings):
  """Runs the steps the settings ask for.

  Args:
    settings: `script_settings.Settings` of `define_flags` (or absl FLAGS,
      or any object with those attributes).

  Raises:
    UsageError: bad flags or input, before anything is written.
  """
  validate_flags(settings)
  if column_task.is_column_task(settings.task_name):
    processor = column_task.get_processor(
        settings.task_name, settings.data_dir,
        getattr(settings, "label_list", None))
  else:
    if getattr(settings, "label_list", None):
      raise UsageError("--label_list: only for --task_name=tsv or csv (a "
                       "registered task's processor names its labels)")
    processor = get_processor(settings.task_name, settings.xnli_language)
  init_checkpoint, bert_config, tokenizer = fine_tuning.load_model_files(
      settings)

  task_name = settings.task_name.lower()
  distilling = distillation.is_distilling(settings)
  if distilling and (getattr(processor, "multi_label", False) or
                     processor.is_regression):
    raise UsageError("--teacher_dir: distillation takes a single-label "
                     "classification task, not a %s one" % (
                         "multi-label" if getattr(processor, "multi_label",
                                                  False) else "regression"))
  if distilling and getattr(settings, "class_weights", None):
    raise UsageError("--class_weights: not with --teacher_dir (the "
                     "teacher's soft targets have no class to weight)")
  if getattr(processor, "multi_label", False):
    return multilabel.run(
        settings, processor, init_checkpoint, bert_config, tokenizer,
        lambda set_type: _read_examples(processor, task_name,
                                        settings.data_dir, set_type))
  if getattr(settings, "tune_thresholds", False):
    raise UsageError("--tune_thresholds: only for a multi-label task (a "
                     "tsv/csv task with a labels column)")
  label_list = processor.get_labels()
  is_regression, task_metric, positive_label_id = _task_scoring(processor)

  # Read everything the run needs up front, so that a missing file or a bad
  # label in dev or test is reported before hours of training.
  data_dir = settings.data_dir
  train_examples = eval_examples = predict_examples = None
  if settings.do_train:
    train_examples = _read_examples(processor, task_name, data_dir, "train")
  if settings.do_eval:
    eval_examples = _read_examples(processor, task_name, data_dir, "dev")
  if settings.do_predict:
    predict_examples = _read_examples(processor, task_name, data_dir, "test")

  # Distillation: the teacher checked (one line naming --teacher_dir) and
  # the transfer text read before anything is written.
  teacher = None
  transfer_examples = []
  if distilling:
    teacher = distillation.load_teacher(
        settings.teacher_dir, settings.vocab_file, settings.do_lower_case,
        distillation.CLASSIFIER, student_labels=label_list,
        student_max_seq_length=settings.max_seq_length)
    if getattr(settings, "transfer_file", None):
      transfer_examples = _read_transfer_examples(
          processor, settings.transfer_file, train_examples, label_list)

  num_train_steps = num_warmup_steps = None
  train_windows = transfer_windows = None
  if train_examples and getattr(settings, "doc_stride", None):
    # Long texts as windows; an epoch is a pass over the windows.
    train_windows = classifier_windows.training_windows(
        train_examples, label_list, settings.max_seq_length, tokenizer,
        settings.doc_stride)
    transfer_windows = []
    if transfer_examples:
      transfer_windows = classifier_windows.training_windows(
          transfer_examples, label_list, settings.max_seq_length, tokenizer,
          settings.doc_stride)
    num_train_steps, num_warmup_steps = fine_tuning.training_steps(
        settings, len(train_windows) + len(transfer_windows),
        "training windows")
  elif train_examples:
    num_train_steps, num_warmup_steps = fine_tuning.training_steps(
        settings, len(train_examples) + len(transfer_examples))
  class_weights = _class_weights(settings, label_list, is_regression,
                                 train_examples)

  output_dir = settings.output_dir
  max_seq_length = settings.max_seq_length
  fine_tuning.check_weights_and_output(
      settings, init_checkpoint, HEAD_VARIABLES,
      bool(train_examples or eval_examples or predict_examples))
  use_tpu = settings.use_tpu

  model_fn = model_fn_builder(
      bert_config=bert_config,
      num_labels=len(label_list),
      init_checkpoint=init_checkpoint,
      learning_rate=settings.learning_rate,
      num_train_steps=num_train_steps,
      num_warmup_steps=num_warmup_steps,
      use_tpu=use_tpu,
      use_one_hot_embeddings=use_tpu,
      is_regression=is_regression,
      task_metric=task_metric,
      positive_label_id=positive_label_id,
      num_accumulation_steps=settings.num_accumulation_steps,
      compute_type=fine_tuning.compute_type(settings),
      class_weights=class_weights,
      **_distillation_loss_settings(settings))
  estimator = fine_tuning.make_fine_tuning_estimator(model_fn, settings,
                                                     num_train_steps)

  # What predictor.load needs besides the weights: written next to the
  # checkpoints and into an exported SavedModel.
  model_info = fine_tuning.model_info(
      fine_tuning.CLASSIFIER, settings, task_name=task_name,
      labels=list(label_list), is_regression=is_regression)
  if getattr(settings, "doc_stride", None):
    # predictor.load reads long texts as the model was trained and scored.
    model_info.update(doc_stride=settings.doc_stride,
                      window_pooling=settings.window_pooling)
  if teacher is not None:
    model_info.update(distillation.model_info_settings(
        settings, len(transfer_examples)))
  if train_examples:
    train_file = os.path.join(output_dir, "train.tf_record")
    size_line = "Num examples = %d" % len(train_examples)
    # A finished model keeps the files of its training (fine_tuning.train
    # says training is skipped): no teacher pass, records or model_info.
    if not fine_tuning.training_is_finished(settings, num_train_steps):
      export_utils.write_model_files(output_dir, bert_config, model_info)
      if teacher is not None:
        size_line = _write_distillation_records(
            settings, teacher, train_examples, transfer_examples,
            train_windows, transfer_windows, label_list, tokenizer,
            train_file)
      elif train_windows is not None:
        classifier_windows.write_features(train_windows, train_file)
        size_line += " (%d windows)" % len(train_windows)
      else:
        file_based_convert_examples_to_features(
            train_examples, label_list, max_seq_length, tokenizer,
            train_file)
    train_input_fn = file_based_input_fn_builder(
        input_file=train_file,
        seq_length=max_seq_length,
        is_training=True,
        drop_remainder=True,
        is_regression=is_regression,
        num_teacher_logits=len(label_list) if teacher is not None else None)
    fine_tuning.train(
        estimator, settings, train_input_fn, size_line, num_train_steps,
        num_warmup_steps, init_checkpoint,
        evaluate_fn=lambda checkpoint_path: run_evaluation(
            estimator, settings, eval_examples, label_list, tokenizer,
            is_regression, checkpoint_path, task_metric, positive_label_id))

  # The best checkpoint (--keep_best_by) when the model directory has one.
  if eval_examples:
    run_evaluation(estimator, settings, eval_examples, label_list, tokenizer,
                   is_regression, best_checkpoint.checkpoint_for_inference(
                       output_dir, "Evaluating"),
                   task_metric, positive_label_id)

  if predict_examples:
    run_prediction(estimator, settings, predict_examples, label_list,
                   tokenizer, is_regression,
                   best_checkpoint.checkpoint_for_inference(output_dir,
                                                            "Predicting"))

  if settings.export_dir:
    best_checkpoint.checkpoint_for_inference(output_dir, "Exporting")
    fine_tuning.export(model_fn, settings, init_checkpoint,
                       output_keys=["probabilities"], model_info=model_info)


# The name of `run` before the settings convention; tests and notebooks
# call it with FLAGS or a namespace.
run_task = run


def _distillation_loss_settings(settings):
  """model_fn_builder's distillation arguments ({} without --teacher_dir)."""
  if not distillation.is_distilling(settings):
    return {}
  return {"distill_temperature": settings.distill_temperature,
          "distill_alpha": settings.distill_alpha}


def _read_transfer_examples(processor, path, train_examples, label_list):
  """--transfer_file as `InputExample`s with a placeholder label.

  A column task reads it in its own format (header, no label column);
  the other tasks one text a line, or text_a<TAB>text_b when their
  training examples are pairs.
  """
  pair = any(example.text_b for example in train_examples)
  if isinstance(processor, column_task.ColumnTaskProcessor):
    return processor.get_transfer_examples(path, pair)
  return [InputExample(guid="transfer-%d" % line_number, text_a=fields[0],
                       text_b=fields[1] if pair else None,
                       label=label_list[0], line_number=line_number)
          for line_number, fields in distillation.read_transfer_lines(
              path, 2 if pair else 1)]


def _write_distillation_records(settings, teacher, train_examples,
                                transfer_examples, train_features,
                                transfer_features, label_list, tokenizer,
                                train_file):
  """The teacher's logits over train and transfer text, into train_file.

  `train_features` and `transfer_features` are the windows (--doc_stride)
  or None, in which case the examples are converted here.

  Returns:
    The training log's size line.
  """
  max_seq_length = settings.max_seq_length
  if train_features is None:
    train_features = convert_examples_to_features(
        train_examples, label_list, max_seq_length, tokenizer)
    transfer_features = convert_examples_to_features(
        transfer_examples, label_list, max_seq_length, tokenizer)
  features = list(train_features) + list(transfer_features)
  has_label = [True] * len(train_features) + [False] * len(transfer_features)
  teacher_model_fn = model_fn_builder(
      bert_config=teacher.bert_config, num_labels=len(teacher.labels),
      init_checkpoint=None, learning_rate=0.0, num_train_steps=None,
      num_warmup_steps=None, use_tpu=False, use_one_hot_embeddings=False,
      predict_logits=True)
  logits = distillation.compute_teacher_logits(
      teacher, teacher_model_fn,
      [f.input_ids for f in features], [f.input_mask for f in features],
      [f.segment_ids for f in features],
      batch_size=settings.predict_batch_size,
      what="Teacher logits")
  unit = "examples"
  if getattr(settings, "doc_stride", None):
    unit = "windows"
  distillation.log_teacher(len(features), len(transfer_features),
                           teacher.model_dir, unit)
  write_distillation_records(features, logits, has_label, train_file)
  size_line = "Num examples = %d" % len(train_examples)
  if transfer_examples:
    size_line += " (+ %d from --transfer_file)" % len(transfer_examples)
  if getattr(settings, "doc_stride", None):
    size_line += " (%d windows)" % len(features)
  return size_line


def _class_weights(settings, label_list, is_regression, train_examples):
  """--class_weights as a list of per-label weights, or None."""
  spec = getattr(settings, "class_weights", None)
  if not spec:
    return None
  if is_regression:
    raise UsageError("--class_weights: a regression task has no classes")
  if (spec.strip().lower() == class_weights_lib.BALANCED and
      not train_examples):
    raise UsageError("--class_weights=balanced counts the classes in train: "
                     "pass --do_train=true, or give name=weight pairs")
  weights = class_weights_lib.resolve(
      spec, [str(l) for l in label_list],
      [str(e.label) for e in train_examples or ()])
  tf1.logging.info("Class weights: %s", ", ".join(
      "%s=%.4g" % (l, w) for l, w in zip(label_list, weights)))
  return weights


def _pad_for_tpu(examples, batch_size):
  """Appends PaddingInputExamples up to a multiple of batch_size."""
  padded = list(examples)
  while len(padded) % batch_size:
    padded.append(PaddingInputExample())
  return padded


def _read_examples(processor, task_name, data_dir, set_type):
  getter = {
      "train": processor.get_train_examples,
      "dev": processor.get_dev_examples,
      "test": processor.get_test_examples,
  }[set_type]
  examples = getter(data_dir)
  if not examples:
    raise UsageError("--data_dir=%s: no %s examples for task %s" %
                     (data_dir, set_type, task_name))
  return examples


def _predict(estimator, input_fn, num_batches, what, batch_size,
             checkpoint_path=None):
  """estimator.predict with a progress log; yields the real examples' rows."""
  hook = script_utils.ProgressHook(what, batch_size, num_batches)
  for prediction in estimator.predict(input_fn=input_fn, hooks=[hook],
                                      checkpoint_path=checkpoint_path):
    if prediction["is_real_example"]:
      yield prediction


def _inference_input(examples, label_list, tokenizer, settings,
                     is_regression, record_name, title, batch_size,
                     pad_multiple):
  """The start evaluation and prediction share: records, log block, input_fn.

  Args:
    examples: list of `InputExample`.
    label_list, tokenizer, is_regression: as for the features.
    settings: the script's flags (output_dir, max_seq_length, use_tpu).
    record_name: file name of the records in --output_dir.
    title: "evaluation" or "prediction", for the log.
    batch_size: int, examples per batch.
    pad_multiple: int; on TPU, the examples are padded with
      `PaddingInputExample`s to a multiple of it (fixed-size batches would
      drop the last examples otherwise).

  Returns:
    (examples, num_actual, input_fn, num_batches): the examples with their
    padding, how many of them are real, the input_fn over their records,
    and the number of batches it yields.
  """
  num_actual = len(examples)
  max_seq_length = settings.max_seq_length
  if settings.use_tpu:
    examples = _pad_for_tpu(examples, pad_multiple)
  record_file = os.path.join(settings.output_dir, record_name)
  file_based_convert_examples_to_features(examples, label_list,
                                          max_seq_length, tokenizer,
                                          record_file)
  tf1.logging.info("***** Running %s *****", title)
  tf1.logging.info("  Num examples = %d (%d actual, %d padding)",
                   len(examples), num_actual, len(examples) - num_actual)
  tf1.logging.info("  Batch size = %d", batch_size)
  input_fn = file_based_input_fn_builder(
      input_file=record_file,
      seq_length=max_seq_length,
      is_training=False,
      drop_remainder=settings.use_tpu,
      is_regression=is_regression)
  num_batches = -(-len(examples) // batch_size)
  return examples, num_actual, input_fn, num_batches


def run_evaluation(estimator, settings, eval_examples, label_list, tokenizer,
                   is_regression, checkpoint_path=None, task_metric=None,
                   positive_label_id=1):
  """Evaluates on dev and writes eval_results.txt; returns the results.

  `checkpoint_path`: the weights to evaluate (default the newest in
  --output_dir); `task_metric` and `positive_label_id` as the model_fn's,
  needed by the windowed evaluation (--doc_stride), which scores texts.
  """
  output_dir = settings.output_dir
  batch_size = settings.eval_batch_size
  if getattr(settings, "doc_stride", None):
    outputs, _ = _windowed_predictions(
        estimator, settings, eval_examples, label_list, tokenizer,
        is_regression, "eval.tf_record", "evaluation", batch_size,
        checkpoint_path)
    result = classifier_windows.text_metrics(
        outputs, classifier_windows.text_labels(eval_examples, label_list,
                                                is_regression),
        is_regression, task_metric, positive_label_id)
    result["global_step"] = _checkpoint_step(checkpoint_path,
                                                   output_dir)
    script_utils.write_eval_results(output_dir, result)
    return result
  # Whole batches for evaluate; a regression task also reads the same file
  # in batches of predict_batch_size for its correlations, so the padded set
  # must divide into those as well, or TPU's fixed-size batches would drop
  # the last examples.
  pad_multiple = batch_size
  if is_regression:
    pad_multiple = math.lcm(batch_size, settings.predict_batch_size)
  eval_examples, num_actual, eval_input_fn, num_batches = _inference_input(
      eval_examples, label_list, tokenizer, settings, is_regression,
      "eval.tf_record", "evaluation", batch_size, pad_multiple)

  # On TPU the padded set divides into whole batches; elsewhere the input
  # simply runs out.
  eval_steps = None
  if settings.use_tpu:
    eval_steps = len(eval_examples) // batch_size
  if checkpoint_path is None:
    checkpoint_utils.log_weights("Evaluating", output_dir,
                                 settings.init_checkpoint)
  result = estimator.evaluate(
      input_fn=eval_input_fn, steps=eval_steps,
      checkpoint_path=checkpoint_path,
      hooks=[script_utils.ProgressHook("Evaluation", batch_size,
                                       num_batches)])
  result = {key: value for (key, value) in result.items()}

  if is_regression:
    # Spearman needs every prediction at once (ranks), so both correlations
    # are computed here from a prediction pass instead of streaming metrics.
    scores, targets = [], []
    for prediction in _predict(estimator, eval_input_fn, num_batches,
                               "Evaluation (correlations)", batch_size,
                               checkpoint_path):
      scores.append(float(prediction["probabilities"]))
      targets.append(float(prediction["label_ids"]))
    if len(scores) != num_actual:
      raise RuntimeError("the correlations saw %d of %d dev examples" %
                         (len(scores), num_actual))
    result["eval_pearson"] = pearson_correlation(scores, targets)
    result["eval_spearman"] = spearman_correlation(scores, targets)

  script_utils.write_eval_results(output_dir, result)
  return result


def _checkpoint_step(checkpoint_path, output_dir):
  """The global step of the weights an evaluation read."""
  path = checkpoint_path or tf.train.latest_checkpoint(output_dir)
  return (checkpoint_utils.checkpoint_global_step(path) or 0) if path else 0


def _windowed_predictions(estimator, settings, examples, label_list,
                          tokenizer, is_regression, record_name, title,
                          batch_size, checkpoint_path):
  """One pooled output per text from its windows (--doc_stride).

  Returns:
    (outputs, examples): `classifier_windows.pool_windows`' probabilities
    [num_texts, num_labels] (scores for regression), and the examples.
  """
  record_file = os.path.join(settings.output_dir, record_name)
  text_index = classifier_windows.write_window_records(
      examples, label_list, settings.max_seq_length, tokenizer,
      settings.doc_stride, record_file, title == "evaluation" and
      "dev texts" or "test texts")
  tf1.logging.info("***** Running %s *****", title)
  tf1.logging.info("  Num examples = %d (%d windows)", len(examples),
                   len(text_index))
  tf1.logging.info("  Batch size = %d", batch_size)
  input_fn = file_based_input_fn_builder(
      input_file=record_file, seq_length=settings.max_seq_length,
      is_training=False, drop_remainder=False, is_regression=is_regression)
  if checkpoint_path is None:
    checkpoint_utils.log_weights(title.capitalize(), settings.output_dir,
                                 settings.init_checkpoint)
  values = [prediction["probabilities"] for prediction in _predict(
      estimator, input_fn, -(-len(text_index) // batch_size),
      title.capitalize(), batch_size, checkpoint_path)]
  if len(values) != len(text_index):
    raise RuntimeError("got %d predictions for %d windows" %
                       (len(values), len(text_index)))
  outputs = classifier_windows.pool_windows(
      values, text_index, len(examples),
      getattr(settings, "window_pooling", "mean"), is_regression)
  return outputs, examples


def run_prediction(estimator, settings, predict_examples, label_list,
                   tokenizer, is_regression, checkpoint_path=None):
  """Predicts on test and writes test_results.tsv; returns its path.

  `checkpoint_path`: the weights to use (default the newest in
  --output_dir).
  """
  output_dir = settings.output_dir
  batch_size = settings.predict_batch_size
  if getattr(settings, "doc_stride", None):
    outputs, _ = _windowed_predictions(
        estimator, settings, predict_examples, label_list, tokenizer,
        is_regression, "predict.tf_record", "prediction", batch_size,
        checkpoint_path)
    predictions = [{"probabilities": output} for output in outputs]
    output_file = os.path.join(output_dir, "test_results.tsv")
    write_test_results(output_file, predictions, len(predictions))
    write_test_predictions(os.path.join(output_dir, "test_predictions.tsv"),
                           predict_examples, predictions, label_list)
    tf1.logging.info("Wrote %d predictions (one per text) to %s",
                     len(predictions), output_file)
    return output_file
  predict_examples, num_actual, predict_input_fn, num_batches = (
      _inference_input(predict_examples, label_list, tokenizer, settings,
                       is_regression, "predict.tf_record", "prediction",
                       batch_size, batch_size))
  output_file = os.path.join(output_dir, "test_results.tsv")
  if checkpoint_path is None:
    checkpoint_utils.log_weights("Predicting", output_dir,
                                 settings.init_checkpoint)
  predictions = list(
      _predict(estimator, predict_input_fn, num_batches, "Prediction",
               batch_size, checkpoint_path))
  write_test_results(output_file, predictions, num_actual)
  ids_file = os.path.join(output_dir, "test_predictions.tsv")
  write_test_predictions(ids_file, predict_examples[:num_actual],
                         predictions, label_list)
  tf1.logging.info("Wrote %d predictions to %s (with example ids: %s)",
                   num_actual, output_file, ids_file)
  return output_file


if __name__ == "__main__":
  define_flags()
  script_utils.run(main)
