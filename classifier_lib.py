# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""A classifier's features, records and model, from its examples.

The library under run_classifier.py (and predictor.py): an `InputExample`
(classifier_data.py, re-exported here with the task processors) becomes
`InputFeatures` laid out as `[CLS] a [SEP]` or `[CLS] a [SEP] b [SEP]`,
padded to max_seq_length; the features are written as TFRecords and read
back by an input_fn; `create_model` puts one dense layer (`output_weights`,
`output_bias`) on the pooled [CLS] vector, and `model_fn_builder` trains,
evaluates and predicts with it. A regression task (STS-B) has one output
trained with mean squared error. `write_test_results` and
`write_test_predictions` write a prediction run's files.
"""

import os

import numpy as np
import tensorflow as tf

import checkpoint_utils
import class_weights as class_weights_lib
import classifier_metrics
# The examples and task processors; their names are part of this module's.
from classifier_data import (  # pylint: disable=unused-import
    ColaProcessor, DataProcessor, InputExample, MnliMismatchedProcessor,
    MnliProcessor, MrpcProcessor, PROCESSORS, QnliProcessor, QqpProcessor,
    REGRESSION_LABELS, RteProcessor, Sst2Processor, StsbProcessor,
    WnliProcessor, XnliProcessor, get_processor, is_regression_label_list)
import distillation
import estimator_runtime
import fine_tuning
import modeling
import record_utils
import script_utils
import tokenization
from script_utils import UsageError

tf1 = tf.compat.v1


class PaddingInputExample(object):
  """A stand-in example that fills the last batch up to full size.

  TPUs need every batch to have the same static size, so the eval and predict
  sets are padded to a multiple of the batch size instead of dropping the
  remainder (which would change the metrics). A padding example becomes
  all-zero features with is_real_example=0, which the metrics give zero
  weight and `test_results.tsv` skips.
  """


class InputFeatures(object):
  """The model's inputs for one example, padded to max_seq_length."""

  def __init__(self,
               input_ids,
               input_mask,
               segment_ids,
               label_id,
               is_real_example=True):
    self.input_ids = input_ids
    self.input_mask = input_mask
    self.segment_ids = segment_ids
    self.label_id = label_id
    self.is_real_example = is_real_example



# ----------------------------------------------------------------------------
# Feature conversion
# ----------------------------------------------------------------------------


# The original defined this in run_classifier.py (which re-exports it);
# notebooks and forks import it from there. It is the shared implementation.
_truncate_seq_pair = tokenization.truncate_seq_pair


def _pad(values, length):
  return values + [0] * (length - len(values))


def convert_single_example(ex_index, example, label_list, max_seq_length,
                           tokenizer):
  """Turns one `InputExample` into `InputFeatures`.

  Layout: `[CLS] a [SEP]` (segment 0) followed, for a pair, by `b [SEP]`
  (segment 1); mask 1 on real tokens; everything padded with 0 to
  max_seq_length. A pair too long for the budget loses tokens from the end
  of its longer side first.

  Args:
    ex_index: position of the example, used to log the first few.
    example: `InputExample` or `PaddingInputExample`.
    label_list: get_labels() of the task (REGRESSION_LABELS for regression).
    max_seq_length: int.
    tokenizer: `tokenization.FullTokenizer`.

  Returns:
    `InputFeatures` whose lists have max_seq_length entries.
  """
  regression = is_regression_label_list(label_list)
  if isinstance(example, PaddingInputExample):
    return InputFeatures(
        input_ids=[0] * max_seq_length,
        input_mask=[0] * max_seq_length,
        segment_ids=[0] * max_seq_length,
        label_id=0.0 if regression else 0,
        is_real_example=False)

  if regression:
    label_id = float(example.label)
  else:
    label_map = {label: i for (i, label) in enumerate(label_list)}
    if example.label not in label_map:
      raise UsageError("example %s: label %r is not one of the task's labels "
                       "(%s)" % (example.guid, example.label,
                                 ", ".join(str(l) for l in label_list)))
    label_id = label_map[example.label]

  tokens_a = tokenizer.tokenize(example.text_a)
  tokens_b = tokenizer.tokenize(example.text_b) if example.text_b else []
  if tokens_b:
    # Room for [CLS] and two [SEP]s.
    tokenization.truncate_seq_pair(tokens_a, tokens_b, max_seq_length - 3)
  else:
    # Room for [CLS] and [SEP].
    tokens_a = tokens_a[:max_seq_length - 2]

  tokens = ["[CLS]"] + tokens_a + ["[SEP]"]
  segment_ids = [0] * len(tokens)
  if tokens_b:
    tokens += tokens_b + ["[SEP]"]
    segment_ids += [1] * (len(tokens_b) + 1)

  input_ids = tokenizer.convert_tokens_to_ids(tokens)
  input_mask = [1] * len(input_ids)
  input_ids = _pad(input_ids, max_seq_length)
  input_mask = _pad(input_mask, max_seq_length)
  segment_ids = _pad(segment_ids, max_seq_length)

  if ex_index < 5:
    # The first examples as the model sees them, in the verbose log (-v 1).
    tf1.logging.debug("*** Example ***")
    tf1.logging.debug("guid: %s", example.guid)
    tf1.logging.debug("tokens: %s", " ".join(
        tokenization.printable_text(t) for t in tokens))
    tf1.logging.debug("input_ids: %s", " ".join(str(x) for x in input_ids))
    tf1.logging.debug("input_mask: %s", " ".join(str(x) for x in input_mask))
    tf1.logging.debug("segment_ids: %s", " ".join(str(x) for x in segment_ids))
    tf1.logging.debug("label: %s (id = %s)", example.label, label_id)

  return InputFeatures(
      input_ids=input_ids,
      input_mask=input_mask,
      segment_ids=segment_ids,
      label_id=label_id,
      is_real_example=True)


def _features_to_example(feature, label_ids=None):
  """An `InputFeatures` as a tf.train.Example in the record schema.

  label_ids: (optional) a list of ints stored as `label_ids` in place of
  feature.label_id (multilabel.py's multi-hot label sets).
  """
  if label_ids is not None:
    label_feature = record_utils.create_int_feature(label_ids)
  elif isinstance(feature.label_id, float):
    label_feature = record_utils.create_float_feature([feature.label_id])
  else:
    label_feature = record_utils.create_int_feature([feature.label_id])
  return tf.train.Example(features=tf.train.Features(feature={
      "input_ids": record_utils.create_int_feature(feature.input_ids),
      "input_mask": record_utils.create_int_feature(feature.input_mask),
      "segment_ids": record_utils.create_int_feature(feature.segment_ids),
      "label_ids": label_feature,
      "is_real_example": record_utils.create_int_feature(
          [int(feature.is_real_example)]),
  }))


def file_based_convert_examples_to_features(examples, label_list,
                                            max_seq_length, tokenizer,
                                            output_file):
  """Converts examples and writes them to a TFRecord file, atomically.

  Record schema: `input_ids`, `input_mask`, `segment_ids` int64
  [max_seq_length]; `label_ids` int64 [1] (float for regression);
  `is_real_example` int64 [1].

  Returns:
    The number of records written.
  """
  return write_example_records(
      examples, output_file,
      lambda ex_index, example: _features_to_example(convert_single_example(
          ex_index, example, label_list, max_seq_length, tokenizer)))


def write_example_records(examples, output_file, to_record):
  """Writes one record an example to a TFRecord file, atomically.

  Args:
    examples: list of examples.
    output_file: the TFRecord file; written whole or not at all.
    to_record: to_record(ex_index, example) -> tf.train.Example.

  Returns:
    The number of records written.
  """
  progress = script_utils.ProgressLogger(
      "Writing %s" % os.path.basename(output_file), total=len(examples))
  with record_utils.atomic_record_writers([output_file]) as writers:
    for (ex_index, example) in enumerate(examples):
      # deterministic=True: protobuf 7 (TF 2.21) orders map entries (the
      # features map) randomly per process otherwise.
      writers[0].write(to_record(ex_index, example).SerializeToString(
          deterministic=True))
      progress.update()
  return len(examples)


def write_distillation_records(features, teacher_logits, has_label,
                               output_file):
  """Writes training records carrying the teacher's logits, atomically.

  The layout of `file_based_convert_examples_to_features` plus
  `teacher_logits` float [num_labels] and `has_label` int64 [1] (0 for a
  row of --transfer_file, whose `label_ids` is a placeholder); read back by
  `file_based_input_fn_builder(..., num_teacher_logits=num_labels)`.

  Args:
    features: list of `InputFeatures` (examples or windows).
    teacher_logits: float array [len(features), num_labels].
    has_label: list of bools, one per feature.
    output_file: the TFRecord file; written whole or not at all.

  Returns:
    The number of records written.
  """
  if not len(features) == len(teacher_logits) == len(has_label):
    raise ValueError("%d features, %d teacher logits, %d has_label" %
                     (len(features), len(teacher_logits), len(has_label)))

  def to_record(index, feature):
    record = _features_to_example(feature)
    fields = record.features.feature
    fields[distillation.TEACHER_LOGITS].CopyFrom(
        record_utils.create_float_feature(
            [float(v) for v in teacher_logits[index]]))
    fields[distillation.HAS_LABEL].CopyFrom(
        record_utils.create_int_feature([int(bool(has_label[index]))]))
    return record

  return write_example_records(features, output_file, to_record)


def convert_examples_to_features(examples, label_list, max_seq_length,
                                 tokenizer):
  """Converts examples to a list of `InputFeatures` (kept in memory)."""
  return [
      convert_single_example(ex_index, example, label_list, max_seq_length,
                             tokenizer)
      for (ex_index, example) in enumerate(examples)
  ]


def _name_to_features(seq_length, is_regression, num_teacher_logits=None):
  if num_teacher_logits:
    return dict(_name_to_features(seq_length, is_regression), **{
        distillation.TEACHER_LOGITS: tf.io.FixedLenFeature(
            [num_teacher_logits], tf.float32),
        distillation.HAS_LABEL: tf.io.FixedLenFeature([], tf.int64),
    })
  return {
      "input_ids": tf.io.FixedLenFeature([seq_length], tf.int64),
      "input_mask": tf.io.FixedLenFeature([seq_length], tf.int64),
      "segment_ids": tf.io.FixedLenFeature([seq_length], tf.int64),
      "label_ids": tf.io.FixedLenFeature(
          [], tf.float32 if is_regression else tf.int64),
      "is_real_example": tf.io.FixedLenFeature([], tf.int64),
  }


def file_based_input_fn_builder(input_file, seq_length, is_training,
                                drop_remainder, is_regression=False,
                                num_teacher_logits=None):
  """An input_fn reading the records of `file_based_convert_...`.

  Args:
    input_file: TFRecord path.
    seq_length: int, the max_seq_length the file was written with.
    is_training: bool; training repeats and shuffles.
    drop_remainder: bool; True on TPU, which needs full batches.
    is_regression: bool; the labels are floats.
    num_teacher_logits: (optional) int, the number of labels of records
      written by `write_distillation_records`: the features then also hold
      "teacher_logits" float32 [batch_size, num_labels] and "has_label".

  Returns:
    input_fn(params) -> dataset of feature dicts (int32 ids, batch
    params["batch_size"]).
  """
  return record_utils.record_input_fn_builder(
      input_file, _name_to_features(seq_length, is_regression,
                                    num_teacher_logits),
      is_training, drop_remainder)


def input_fn_builder(features, seq_length, is_training, drop_remainder):
  """An input_fn over a list of `InputFeatures` held in memory.

  Meant for small data sets and notebooks: the whole set becomes constants
  in the graph, which does not scale. Use file_based_input_fn_builder for
  real training.
  """
  is_regression = any(isinstance(f.label_id, float) for f in features)
  num_examples = len(features)

  def column(name, dtype):
    return np.array([getattr(f, name) for f in features], dtype=dtype)

  def input_fn(params):
    batch_size = params["batch_size"]
    d = tf.data.Dataset.from_tensor_slices({
        "input_ids": tf.constant(column("input_ids", np.int32),
                                 shape=[num_examples, seq_length]),
        "input_mask": tf.constant(column("input_mask", np.int32),
                                  shape=[num_examples, seq_length]),
        "segment_ids": tf.constant(column("segment_ids", np.int32),
                                   shape=[num_examples, seq_length]),
        "label_ids": tf.constant(
            column("label_id", np.float32 if is_regression else np.int32),
            shape=[num_examples]),
        "is_real_example": tf.constant(
            column("is_real_example", np.int32), shape=[num_examples]),
    })
    if is_training:
      d = d.repeat()
      d = d.shuffle(buffer_size=100)
    return d.batch(batch_size=batch_size, drop_remainder=drop_remainder)

  return input_fn


# ----------------------------------------------------------------------------
# Model
# ----------------------------------------------------------------------------


# The task's output layer: a pre-trained checkpoint does not have it.
HEAD_VARIABLES = fine_tuning.HEAD_VARIABLES[fine_tuning.CLASSIFIER]


def create_model(bert_config, is_training, input_ids, input_mask, segment_ids,
                 labels, num_labels, use_one_hot_embeddings,
                 is_regression=False, example_weights=None,
                 compute_type=tf.float32):
  """BERT with one dense layer on the pooled [CLS] vector.

  Args:
    bert_config: `modeling.BertConfig`.
    is_training: bool; enables dropout.
    input_ids, input_mask, segment_ids: int32 [batch_size, seq_length].
    labels: int32 [batch_size] class ids, or float32 [batch_size] targets
      when is_regression.
    num_labels: int, number of classes (1 for regression).
    use_one_hot_embeddings: bool; one-hot matmul embeddings (faster on TPU).
    is_regression: bool; one output trained with mean squared error.
    example_weights: (optional) float [batch_size]; 0 for padding examples,
      which then do not count in the mean loss.
    compute_type: dtype of the encoder's matrix products; the head and the
      loss are float32 whatever it is.

  Returns:
    (loss scalar, per_example_loss [batch_size], logits [batch_size,
    num_labels], probabilities) where probabilities is the softmax
    [batch_size, num_labels], or the predicted score [batch_size] for
    regression.
  """
  model = modeling.BertModel(
      bert_config, is_training, input_ids, input_mask, segment_ids,
      use_one_hot_embeddings, compute_type=compute_type)

  # [batch_size, hidden_size]
  output_layer = model.get_pooled_output()
  hidden_size = output_layer.shape[-1]

  output_weights = tf1.get_variable(
      "output_weights", [num_labels, hidden_size],
      initializer=fine_tuning.head_initializer(stddev=0.02))
  output_bias = tf1.get_variable(
      "output_bias", [num_labels], initializer=tf1.zeros_initializer())

  with tf1.variable_scope("loss"):
    if is_training:
      output_layer = modeling.dropout(output_layer, 0.1)

    # [batch_size, num_labels]
    logits = tf.matmul(output_layer, output_weights, transpose_b=True)
    logits = tf.nn.bias_add(logits, output_bias)

    if is_regression:
      # [batch_size]
      probabilities = tf.squeeze(logits, axis=[-1])
      per_example_loss = tf.square(probabilities - tf.cast(labels, tf.float32))
    else:
      probabilities = tf.nn.softmax(logits, axis=-1)
      log_probs = tf.nn.log_softmax(logits, axis=-1)
      one_hot_labels = tf.one_hot(labels, depth=num_labels, dtype=tf.float32)
      per_example_loss = -tf.reduce_sum(one_hot_labels * log_probs, axis=-1)

    if example_weights is None:
      loss = tf.reduce_mean(per_example_loss)
    else:
      weights = tf.cast(example_weights, tf.float32)
      # max(.., 1) keeps an all-padding batch at loss 0 instead of NaN.
      loss = tf.reduce_sum(per_example_loss * weights) / tf.maximum(
          tf.reduce_sum(weights), 1.0)

  return (loss, per_example_loss, logits, probabilities)


def model_fn_builder(bert_config, num_labels, init_checkpoint, learning_rate,
                     num_train_steps, num_warmup_steps, use_tpu,
                     use_one_hot_embeddings, is_regression=False,
                     task_metric=None, positive_label_id=1,
                     num_accumulation_steps=1, compute_type=tf.float32,
                     class_weights=None, distill_temperature=None,
                     distill_alpha=None, predict_logits=False):
  """The TPUEstimator model_fn for classification (or regression).

  Args:
    bert_config: `modeling.BertConfig`.
    num_labels: int, number of classes (1 for regression).
    init_checkpoint: checkpoint to warm-start from, or None.
    learning_rate: float, peak learning rate.
    num_train_steps, num_warmup_steps: int, for the learning-rate schedule.
    use_tpu: bool.
    use_one_hot_embeddings: bool.
    is_regression: bool; mean squared error on one output.
    task_metric: None, "f1" or "mcc": an extra eval metric (two classes).
    positive_label_id: class id counted as positive by the F1.
    num_accumulation_steps: int; micro-batches per optimizer update.
    compute_type: dtype of the encoder's matrix products (tf.float16 also
      turns on dynamic loss scaling).
    class_weights: (optional) num_labels floats (class_weights.py); the
      training loss and eval_loss are then the class-weighted mean.
    distill_temperature, distill_alpha: (optional) floats; set both to
      train on records of `write_distillation_records`: the training loss is
      then `distillation.distillation_loss` against their teacher logits
      (evaluation, which reads records without them, keeps the task's loss).
    predict_logits: bool; PREDICT also returns "logits" [batch_size,
      num_labels] (a teacher's pass, `distillation.compute_teacher_logits`).

  Returns:
    model_fn(features, labels, mode, params).
  """

  def model_fn(features, labels, mode, params):  # pylint: disable=unused-argument
    """Builds the graph for one of train, eval and predict."""
    estimator_runtime.log_features(features)

    input_ids = features["input_ids"]
    input_mask = features["input_mask"]
    segment_ids = features["segment_ids"]
    label_ids = features["label_ids"]
    is_real_example = real_example_weights(features)

    is_training = (mode == estimator_runtime.ModeKeys.TRAIN)
    (total_loss, per_example_loss, logits, probabilities) = create_model(
        bert_config, is_training, input_ids, input_mask, segment_ids,
        label_ids, num_labels, use_one_hot_embeddings,
        is_regression=is_regression, example_weights=is_real_example,
        compute_type=compute_type)

    # Each example's weight in the loss: 0 for padding, else its class's
    # weight (1 without class weights).
    loss_weights = is_real_example
    if class_weights is not None and not is_regression:
      loss_weights = class_weights_lib.loss_weights(
          label_ids, class_weights, is_real_example)
      total_loss = class_weights_lib.weighted_mean(per_example_loss,
                                                   loss_weights)
    if (distill_temperature is not None and
        distillation.TEACHER_LOGITS in features):
      total_loss, _ = distillation.distillation_loss(
          logits, features[distillation.TEACHER_LOGITS], per_example_loss,
          features[distillation.HAS_LABEL], is_real_example,
          distill_temperature, distill_alpha)

    scaffold_fn, train_spec = warm_start_and_training_spec(
        mode, total_loss, init_checkpoint, learning_rate, num_train_steps,
        num_warmup_steps, use_tpu, num_accumulation_steps, compute_type)
    if train_spec is not None:
      return train_spec

    if mode == estimator_runtime.ModeKeys.EVAL:

      def metric_fn(per_example_loss, label_ids, logits, is_real_example,
                    loss_weights):
        """Runs on the CPU host; padding examples have weight 0."""
        metrics = {
            "eval_loss": tf1.metrics.mean(values=per_example_loss,
                                          weights=loss_weights),
        }
        if is_regression:
          return metrics
        predictions = tf.argmax(logits, axis=-1, output_type=tf.int32)
        metrics["eval_accuracy"] = tf1.metrics.accuracy(
            labels=label_ids, predictions=predictions,
            weights=is_real_example)
        if task_metric == "f1":
          metrics["eval_f1"] = classifier_metrics.f1_metric(
              label_ids, predictions, is_real_example, positive_label_id)
        elif task_metric == "mcc":
          metrics["eval_mcc"] = classifier_metrics.matthews_corrcoef_metric(
              label_ids, predictions, is_real_example, positive_label_id)
        return metrics

      eval_metrics = (metric_fn,
                      [per_example_loss, label_ids, logits, is_real_example,
                       loss_weights])
      return estimator_runtime.TPUEstimatorSpec(
          mode=mode, loss=total_loss, eval_metrics=eval_metrics,
          scaffold_fn=scaffold_fn)

    if predict_logits:
      return prediction_spec(mode, scaffold_fn, probabilities, label_ids,
                             is_real_example, logits=logits)
    return prediction_spec(mode, scaffold_fn, probabilities, label_ids,
                           is_real_example)

  return model_fn


def real_example_weights(features):
  """Each example's weight: 0.0 for a padding example, else 1.0.

  Args:
    features: a model_fn's features; "is_real_example" [batch_size] int
      (absent in a serving graph, where every example is real) and
      "input_ids" [batch_size, seq_length].

  Returns:
    float32 [batch_size].
  """
  if "is_real_example" in features:
    return tf.cast(features["is_real_example"], tf.float32)
  return tf.ones(tf.shape(features["input_ids"])[:1], dtype=tf.float32)


def warm_start_and_training_spec(mode, total_loss, init_checkpoint,
                                 learning_rate, num_train_steps,
                                 num_warmup_steps, use_tpu,
                                 num_accumulation_steps, compute_type):
  """Warm-starts from init_checkpoint and, when training, builds the spec.

  Every mode loads init_checkpoint (eval and predict read it too when the
  model directory has no checkpoint yet).

  Returns:
    (scaffold_fn, the TRAIN mode's TPUEstimatorSpec, or None in the others).
  """
  scaffold_fn, _ = checkpoint_utils.init_from_checkpoint(
      init_checkpoint, use_tpu)
  if mode != estimator_runtime.ModeKeys.TRAIN:
    return scaffold_fn, None
  return scaffold_fn, estimator_runtime.training_spec(
      total_loss, learning_rate, num_train_steps, num_warmup_steps,
      use_tpu, num_accumulation_steps, compute_type, scaffold_fn)


def prediction_spec(mode, scaffold_fn, probabilities, label_ids,
                    is_real_example, **more_predictions):
  """The PREDICT mode's TPUEstimatorSpec of a classifier.

  Its predictions are "probabilities", "label_ids", "is_real_example" and
  any `more_predictions` (name=tensor), each with batch_size rows.
  """
  predictions = {
      "probabilities": probabilities,
      "label_ids": label_ids,
      "is_real_example": is_real_example,
  }
  predictions.update(more_predictions)
  return estimator_runtime.TPUEstimatorSpec(
      mode=mode, predictions=predictions, scaffold_fn=scaffold_fn)



def write_test_predictions(output_file, examples, predictions, label_list):
  """Writes test_predictions.tsv: each prediction next to its example's id.

  test_results.tsv keeps the original's layout (probabilities only, paired
  with the test rows by position); this companion file says which example
  each line is for, so pairing never depends on counting lines. One
  header line, then one line per example in file order:

    id  line  prediction  P(label 1) ... P(label n)    (classification)
    id  line  prediction                               (regression)

  `id` is the example's id (GLUE test files: the index/id column), `line`
  its 1-based line in the data file, `prediction` the most probable label
  (or the predicted score).

  Args:
    output_file: path of test_predictions.tsv.
    examples: the real (unpadded) test `InputExample`s, in order.
    predictions: list of prediction dicts, one per example, in order.
    label_list: the task's labels (`REGRESSION_LABELS` for regression).

  Raises:
    RuntimeError: when the counts differ (no file is written then).
  """
  if len(examples) != len(predictions):
    raise RuntimeError("got %d predictions for %d test examples" %
                       (len(predictions), len(examples)))
  regression = is_regression_label_list(label_list)
  header = ["id", "line", "prediction"]
  if not regression:
    header += ["P(%s)" % label for label in label_list]
  with script_utils.atomic_output(output_file) as writer:
    writer.write("\t".join(header) + "\n")
    for example, prediction in zip(examples, predictions):
      values = np.atleast_1d(prediction["probabilities"])
      if regression:
        predicted = repr(float(values[0]))
        fields = []
      else:
        predicted = label_list[int(np.argmax(values))]
        fields = [repr(float(v)) for v in values]
      line = "" if example.line_number is None else str(example.line_number)
      writer.write("\t".join([str(example.example_id), line, predicted] +
                             fields) + "\n")


def write_test_results(output_file, predictions, num_examples):
  """Writes one tab-separated line per prediction, atomically.

  Args:
    output_file: path of test_results.tsv.
    predictions: iterable of prediction dicts of the real test examples.
    num_examples: how many lines there must be.
  """
  num_written = 0
  with script_utils.atomic_output(output_file) as writer:
    for prediction in predictions:
      values = np.atleast_1d(prediction["probabilities"])
      writer.write("\t".join(repr(float(v)) for v in values) + "\n")
      num_written += 1
    if num_written != num_examples:
      # An exception here discards the temporary file: no partial output.
      raise RuntimeError("got %d predictions for %d test examples" %
                         (num_written, num_examples))

