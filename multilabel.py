# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Multi-label classification: any number of labels per text, 0 to all.

The head is the classifier's (`output_weights`, `output_bias` on the pooled
[CLS] vector, so checkpoints and conversion are unchanged) read as one
sigmoid per label instead of one softmax: label j is predicted when its
probability reaches its threshold (0.5 unless tuned on dev). The loss is
the binary cross-entropy averaged over labels and examples.

Here: the multi-hot records, the model_fn, the metrics (micro and macro F1,
exact-match ratio, per-label precision / recall / F1), per-label threshold
tuning, and test_results.tsv. Everything below the model_fn is NumPy.
"""

import json
import os

import numpy as np
import tensorflow as tf

import checkpoint_utils
import classifier_lib
import estimator_runtime
import export_utils
import fine_tuning
import record_utils
import script_utils

tf1 = tf.compat.v1

DEFAULT_THRESHOLD = 0.5


# ----------------------------------------------------------------------------
# Records
# ----------------------------------------------------------------------------


def multi_hot(label_names, label_list):
  """[len(label_list)] list of 0/1: 1 where the label is among label_names."""
  names = set(label_names)
  return [1 if label in names else 0 for label in label_list]


def _name_to_features(seq_length, num_labels):
  return {
      "input_ids": tf.io.FixedLenFeature([seq_length], tf.int64),
      "input_mask": tf.io.FixedLenFeature([seq_length], tf.int64),
      "segment_ids": tf.io.FixedLenFeature([seq_length], tf.int64),
      "label_ids": tf.io.FixedLenFeature([num_labels], tf.int64),
      "is_real_example": tf.io.FixedLenFeature([], tf.int64),
  }


def write_records(examples, label_list, max_seq_length, tokenizer,
                  output_file):
  """Writes the examples' features with multi-hot `label_ids`, atomically.

  Record schema: as the classifier's, except `label_ids` int64
  [len(label_list)]. A `classifier_lib.PaddingInputExample` becomes all
  zeros with is_real_example=0.

  Returns:
    The number of records written.
  """

  def to_record(ex_index, example):
    if isinstance(example, classifier_lib.PaddingInputExample):
      feature = classifier_lib.convert_single_example(
          ex_index, example, label_list, max_seq_length, tokenizer)
      label_ids = [0] * len(label_list)
    else:
      # The classifier's layout of the texts; the label is ours.
      stand_in = classifier_lib.InputExample(
          example.guid, example.text_a, example.text_b, label_list[0])
      feature = classifier_lib.convert_single_example(
          ex_index, stand_in, label_list, max_seq_length, tokenizer)
      label_ids = multi_hot(example.label, label_list)
    return classifier_lib._features_to_example(feature, label_ids)  # pylint: disable=protected-access

  return classifier_lib.write_example_records(examples, output_file,
                                              to_record)


def input_fn_builder(input_file, seq_length, num_labels, is_training,
                     drop_remainder):
  """An input_fn over the records of `write_records`."""
  return record_utils.record_input_fn_builder(
      input_file, _name_to_features(seq_length, num_labels), is_training,
      drop_remainder)


# ----------------------------------------------------------------------------
# Model
# ----------------------------------------------------------------------------


def sigmoid_cross_entropy(logits, labels):
  """Per-example binary cross-entropy, averaged over the labels.

  Args:
    logits: float32 [batch_size, num_labels].
    labels: 0/1 [batch_size, num_labels].

  Returns:
    float32 [batch_size]: mean over j of
    -(y_j log sigmoid(z_j) + (1 - y_j) log(1 - sigmoid(z_j))).
  """
  per_label = tf.nn.sigmoid_cross_entropy_with_logits(
      labels=tf.cast(labels, tf.float32), logits=logits)
  return tf.reduce_mean(per_label, axis=-1)


def model_fn_builder(bert_config, num_labels, init_checkpoint, learning_rate,
                     num_train_steps, num_warmup_steps, use_tpu,
                     use_one_hot_embeddings, thresholds=None,
                     num_accumulation_steps=1, compute_type=tf.float32):
  """The TPUEstimator model_fn of a multi-label classifier.

  Args:
    bert_config, num_labels, init_checkpoint, learning_rate,
    num_train_steps, num_warmup_steps, use_tpu, use_one_hot_embeddings,
    num_accumulation_steps, compute_type: as `classifier_lib.model_fn_builder`.
    thresholds: (optional) [num_labels] floats; the `predicted` output is 1
      where the probability reaches the label's threshold (default 0.5).

  Returns:
    model_fn(features, labels, mode, params). Predictions:
    `probabilities` float32 [batch_size, num_labels] (sigmoids),
    `predicted` int32 [batch_size, num_labels], `label_ids`,
    `is_real_example`. Evaluation: `eval_loss` (the mean binary
    cross-entropy) and `eval_exact_match` at the thresholds.
  """
  if thresholds is None:
    thresholds = [DEFAULT_THRESHOLD] * num_labels

  def model_fn(features, labels, mode, params):  # pylint: disable=unused-argument
    estimator_runtime.log_features(features)
    input_ids = features["input_ids"]
    label_ids = features["label_ids"]
    is_real_example = classifier_lib.real_example_weights(features)
    is_training = (mode == estimator_runtime.ModeKeys.TRAIN)
    # The classifier's encoder and head; its softmax loss goes unused (a
    # stand-in label of 0), the logits are read as sigmoids.
    _, _, logits, _ = classifier_lib.create_model(
        bert_config, is_training, input_ids, features["input_mask"],
        features["segment_ids"], tf.zeros(tf.shape(input_ids)[:1], tf.int32),
        num_labels, use_one_hot_embeddings, compute_type=compute_type)
    if label_ids.shape.rank == 1:
      # A serving graph's made-up [batch_size] label (export_utils): no
      # label sets there, the loss is unused.
      label_ids = tf.zeros_like(logits, dtype=tf.int32)
    with tf1.variable_scope("multilabel_loss"):
      # [batch_size]
      per_example_loss = sigmoid_cross_entropy(logits, label_ids)
      # max(.., 1) keeps an all-padding batch at loss 0 instead of NaN.
      total_loss = tf.reduce_sum(per_example_loss * is_real_example) / (
          tf.maximum(tf.reduce_sum(is_real_example), 1.0))
      probabilities = tf.sigmoid(logits)
      predicted = tf.cast(
          probabilities >= tf.constant(thresholds, tf.float32), tf.int32)

    scaffold_fn, train_spec = classifier_lib.warm_start_and_training_spec(
        mode, total_loss, init_checkpoint, learning_rate, num_train_steps,
        num_warmup_steps, use_tpu, num_accumulation_steps, compute_type)
    if train_spec is not None:
      return train_spec

    if mode == estimator_runtime.ModeKeys.EVAL:

      def metric_fn(per_example_loss, label_ids, predicted, is_real_example):
        exact = tf.cast(tf.reduce_all(
            tf.equal(predicted, tf.cast(label_ids, tf.int32)), axis=-1),
                        tf.float32)
        return {
            "eval_loss": tf1.metrics.mean(values=per_example_loss,
                                          weights=is_real_example),
            "eval_exact_match": tf1.metrics.mean(values=exact,
                                                 weights=is_real_example),
        }

      return estimator_runtime.TPUEstimatorSpec(
          mode=mode, loss=total_loss,
          eval_metrics=(metric_fn, [per_example_loss, label_ids, predicted,
                                    is_real_example]),
          scaffold_fn=scaffold_fn)

    return classifier_lib.prediction_spec(mode, scaffold_fn, probabilities,
                                          label_ids, is_real_example,
                                          predicted=predicted)

  return model_fn


# ----------------------------------------------------------------------------
# Metrics and thresholds (NumPy)
# ----------------------------------------------------------------------------


def mean_binary_cross_entropy(probabilities, targets, epsilon=1e-7):
  """The loss from probabilities: mean over examples and labels."""
  p = np.clip(np.asarray(probabilities, np.float64), epsilon, 1 - epsilon)
  y = np.asarray(targets, np.float64)
  return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))


def predict_sets(probabilities, thresholds):
  """0/1 [num_examples, num_labels]: probability >= the label's threshold."""
  return (np.asarray(probabilities) >=
          np.asarray(thresholds)[None, :]).astype(np.int64)


def _f1(tp, fp, fn):
  # F1 = 2tp / (2tp + fp + fn); 0 when the label is neither predicted nor
  # present (no tp, fp or fn), which is how scikit-learn counts it too.
  denominator = 2 * tp + fp + fn
  return 2.0 * tp / denominator if denominator else 0.0


def metrics(predicted, targets, label_list):
  """Multi-label scores of predicted sets against the true sets.

  Args:
    predicted: 0/1 [num_examples, num_labels].
    targets: 0/1 [num_examples, num_labels].
    label_list: the label names, in column order.

  Returns:
    dict: `micro_f1` (over all label decisions pooled), `macro_f1` (the
    mean of the per-label F1s), `exact_match` (fraction of examples whose
    whole set is right), and per label `precision_<name>`,
    `recall_<name>`, `f1_<name>`, `support_<name>` (true count).
  """
  predicted = np.asarray(predicted, np.int64)
  targets = np.asarray(targets, np.int64)
  tp = np.sum((predicted == 1) & (targets == 1), axis=0)
  fp = np.sum((predicted == 1) & (targets == 0), axis=0)
  fn = np.sum((predicted == 0) & (targets == 1), axis=0)
  result = {
      "micro_f1": _f1(tp.sum(), fp.sum(), fn.sum()),
      "exact_match": float(np.mean(np.all(predicted == targets, axis=1)))
                     if len(targets) else 0.0,
  }
  f1s = []
  for j, label in enumerate(label_list):
    f1s.append(_f1(tp[j], fp[j], fn[j]))
    result["precision_%s" % label] = (
        float(tp[j] / (tp[j] + fp[j])) if tp[j] + fp[j] else 0.0)
    result["recall_%s" % label] = (
        float(tp[j] / (tp[j] + fn[j])) if tp[j] + fn[j] else 0.0)
    result["f1_%s" % label] = f1s[-1]
    result["support_%s" % label] = int(tp[j] + fn[j])
  result["macro_f1"] = float(np.mean(f1s)) if f1s else 0.0
  return result


def tune_thresholds(probabilities, targets):
  """Each label's threshold maximising its F1 on these examples.

  The candidates are the label's observed probabilities (predicting the
  label from that probability up) and 0.5; among equal F1s the one nearest
  0.5 wins. A label never present keeps 0.5 (no threshold can give it a
  true positive).

  Args:
    probabilities: float [num_examples, num_labels].
    targets: 0/1 [num_examples, num_labels].

  Returns:
    list of num_labels floats.
  """
  probabilities = np.asarray(probabilities, np.float64)
  targets = np.asarray(targets, np.int64)
  thresholds = []
  for j in range(probabilities.shape[1]):
    p, y = probabilities[:, j], targets[:, j]
    if not y.any():
      thresholds.append(DEFAULT_THRESHOLD)
      continue
    best = None
    for t in sorted(set(p.tolist()) | {DEFAULT_THRESHOLD}):
      guess = p >= t
      f1 = _f1(np.sum(guess & (y == 1)), np.sum(guess & (y == 0)),
               np.sum(~guess & (y == 1)))
      key = (f1, -abs(t - DEFAULT_THRESHOLD))
      if best is None or key > best[0]:
        best = (key, t)
    thresholds.append(float(best[1]))
  return thresholds


def frequency_baseline(train_targets, num_examples, seed=0):
  """Sets drawn with each label's train frequency: the chance baseline.

  Returns:
    0/1 [num_examples, num_labels]; label j is on with probability equal to
    its share of the train examples, independently.
  """
  frequencies = np.mean(np.asarray(train_targets, np.float64), axis=0)
  rng = np.random.RandomState(seed)
  return (rng.random_sample((num_examples, len(frequencies))) <
          frequencies[None, :]).astype(np.int64)


# ----------------------------------------------------------------------------
# Result files
# ----------------------------------------------------------------------------


def format_label_set(names):
  return ",".join(names)


def write_test_results(output_file, probabilities, thresholds, label_list):
  """Writes test_results.tsv: a header, then per example the probabilities
  of each label and the predicted set.

    P(label 1) ... P(label n)  labels
    0.91 ... 0.02              label 1,label 4

  `labels` is comma-separated, empty for no label.
  """
  predicted = predict_sets(probabilities, thresholds)
  with script_utils.atomic_output(output_file) as writer:
    writer.write("\t".join(["P(%s)" % l for l in label_list] + ["labels"]) +
                 "\n")
    for values, on in zip(probabilities, predicted):
      names = [label for label, bit in zip(label_list, on) if bit]
      writer.write("\t".join([repr(float(v)) for v in values] +
                             [format_label_set(names)]) + "\n")


def read_test_results(path):
  """(label_list, probabilities, predicted sets) of a test_results.tsv."""
  with open(path, encoding="utf-8") as reader:
    lines = [line.rstrip("\n") for line in reader]
  header = lines[0].split("\t")
  label_list = [name[2:-1] for name in header[:-1]]
  probabilities, sets = [], []
  for line in lines[1:]:
    fields = line.split("\t")
    probabilities.append([float(v) for v in fields[:-1]])
    sets.append(tuple(n for n in fields[-1].split(",") if n))
  return label_list, np.array(probabilities), sets


# ----------------------------------------------------------------------------
# The run (run_classifier.py hands a multi-label task to `run`)
# ----------------------------------------------------------------------------


def _padded(examples, settings, multiple):
  """On TPU: padding examples up to a multiple of the batch size."""
  padded = list(examples)
  if settings.use_tpu:
    while len(padded) % multiple:
      padded.append(classifier_lib.PaddingInputExample())
  return padded


def _probabilities(estimator, settings, examples, label_list, tokenizer,
                   record_name, what, verb):
  """(probabilities [n, num_labels], targets [n, num_labels]) of examples.

  `what` ("Evaluation") names the run in the log and the progress lines,
  `verb` ("Evaluating") the line saying which weights it reads.
  """
  tf1.logging.info("***** Running %s *****", what.lower())
  tf1.logging.info("  Num examples = %d", len(examples))
  checkpoint_utils.log_weights(verb, settings.output_dir,
                               settings.init_checkpoint)
  batch_size = settings.predict_batch_size
  padded = _padded(examples, settings, batch_size)
  record_file = os.path.join(settings.output_dir, record_name)
  write_records(padded, label_list, settings.max_seq_length,
                tokenizer, record_file)
  input_fn = input_fn_builder(record_file, settings.max_seq_length,
                              len(label_list), is_training=False,
                              drop_remainder=settings.use_tpu)
  hook = script_utils.ProgressHook(what, batch_size,
                                   -(-len(padded) // batch_size))
  probabilities, targets = [], []
  for prediction in estimator.predict(input_fn=input_fn, hooks=[hook]):
    if prediction["is_real_example"]:
      probabilities.append(prediction["probabilities"])
      targets.append(prediction["label_ids"])
  if len(probabilities) != len(examples):
    raise RuntimeError("got %d predictions for %d examples" %
                       (len(probabilities), len(examples)))
  return np.array(probabilities), np.array(targets)


def _saved_thresholds(output_dir, label_list):
  """The thresholds of a model_info.json in output_dir, if it has them."""
  path = os.path.join(output_dir, "model_info.json")
  if not tf.io.gfile.exists(path):
    return None
  info = json.loads(script_utils.read_text(path))
  if info.get("labels") == list(label_list) and info.get("thresholds"):
    return [float(t) for t in info["thresholds"]]
  return None


def evaluation_result(eval_loss, probabilities, targets, thresholds,
                      label_list):
  """eval_results.txt's values: the loss and `metrics` at the thresholds."""
  result = {"eval_loss": float(eval_loss)}
  scores = metrics(predict_sets(probabilities, thresholds), targets,
                   label_list)
  result.update(("eval_" + key, value) for key, value in scores.items())
  return result


def run(settings, processor, init_checkpoint, bert_config, tokenizer,
        read_examples):
  """Trains, evaluates and predicts a multi-label task (see run_classifier).

  Args:
    settings: run_classifier's settings.
    processor: a processor with `multi_label` true (column_task.py).
    init_checkpoint, bert_config, tokenizer: `fine_tuning.load_model_files`.
    read_examples: function(set_type) -> examples, raising UsageError.

  Raises:
    UsageError: bad flags or input, before anything is written.
  """
  if getattr(settings, "class_weights", None):
    raise script_utils.UsageError(
        "--class_weights: not for a multi-label task (each label is its own "
        "yes/no; --tune_thresholds moves each label's threshold instead)")
  # Not wired into the multi-label run yet: refused, never silently ignored.
  for name, what in (("doc_stride", "windows over long texts"),
                     ("eval_every_steps", "evaluation during training"),
                     ("keep_best_by", "the best checkpoint"),
                     ("early_stopping_patience", "early stopping")):
    if getattr(settings, name, None):
      raise script_utils.UsageError(
          "--%s: %s is not supported for a multi-label task yet" %
          (name, what))
  label_list = processor.get_labels()
  train_examples = eval_examples = predict_examples = None
  if settings.do_train:
    train_examples = read_examples("train")
  if settings.do_eval:
    eval_examples = read_examples("dev")
  if settings.do_predict:
    predict_examples = read_examples("test")
  if getattr(settings, "tune_thresholds", False) and not eval_examples:
    raise script_utils.UsageError("--tune_thresholds: tunes on dev; pass "
                                  "--do_eval=true")
  num_train_steps = num_warmup_steps = None
  if train_examples:
    num_train_steps, num_warmup_steps = fine_tuning.training_steps(
        settings, len(train_examples))
  output_dir = settings.output_dir
  fine_tuning.check_weights_and_output(
      settings, init_checkpoint, classifier_lib.HEAD_VARIABLES,
      bool(train_examples or eval_examples or predict_examples))

  thresholds = None
  if not train_examples:
    thresholds = _saved_thresholds(output_dir, label_list)
  thresholds = thresholds or [DEFAULT_THRESHOLD] * len(label_list)

  def build_model_fn(thresholds):
    return model_fn_builder(
        bert_config=bert_config, num_labels=len(label_list),
        init_checkpoint=init_checkpoint, learning_rate=settings.learning_rate,
        num_train_steps=num_train_steps, num_warmup_steps=num_warmup_steps,
        use_tpu=settings.use_tpu, use_one_hot_embeddings=settings.use_tpu,
        thresholds=thresholds,
        num_accumulation_steps=settings.num_accumulation_steps,
        compute_type=fine_tuning.compute_type(settings))

  model_fn = build_model_fn(thresholds)
  estimator = fine_tuning.make_fine_tuning_estimator(model_fn, settings,
                                                     num_train_steps)

  def info(thresholds):
    return fine_tuning.model_info(
        fine_tuning.CLASSIFIER, settings, task_name=settings.task_name.lower(),
        labels=list(label_list), is_regression=False, multi_label=True,
        thresholds=[float(t) for t in thresholds])

  if train_examples:
    export_utils.write_model_files(output_dir, bert_config, info(thresholds))
    train_file = os.path.join(output_dir, "train.tf_record")
    write_records(train_examples, label_list, settings.max_seq_length,
                  tokenizer, train_file)
    train_input_fn = input_fn_builder(train_file, settings.max_seq_length,
                                      len(label_list), is_training=True,
                                      drop_remainder=True)
    fine_tuning.train(estimator, settings, train_input_fn,
                      "Num examples = %d" % len(train_examples),
                      num_train_steps, num_warmup_steps, init_checkpoint)

  if eval_examples:
    probabilities, targets = _probabilities(
        estimator, settings, eval_examples, label_list, tokenizer,
        "eval.tf_record", "Evaluation", "Evaluating")
    if getattr(settings, "tune_thresholds", False):
      thresholds = tune_thresholds(probabilities, targets)
      tf1.logging.info("Thresholds tuned on dev: %s", ", ".join(
          "%s=%.4g" % (l, t) for l, t in zip(label_list, thresholds)))
      if tf.io.gfile.exists(os.path.join(output_dir, "model_info.json")):
        export_utils.write_model_files(output_dir, bert_config,
                                       info(thresholds))
    # The loss from the probabilities (NumPy), as the training loss is the
    # same mean binary cross-entropy.
    result = evaluation_result(
        mean_binary_cross_entropy(probabilities, targets), probabilities,
        targets, thresholds, label_list)
    result.update(("eval_threshold_%s" % label, float(t))
                  for label, t in zip(label_list, thresholds))
    script_utils.write_eval_results(output_dir, result)

  if predict_examples:
    probabilities, _ = _probabilities(
        estimator, settings, predict_examples, label_list, tokenizer,
        "predict.tf_record", "Prediction", "Predicting")
    output_file = os.path.join(output_dir, "test_results.tsv")
    write_test_results(output_file, probabilities, thresholds, label_list)
    tf1.logging.info("Wrote %d predictions to %s", len(predict_examples),
                     output_file)

  if settings.export_dir:
    fine_tuning.export(build_model_fn(thresholds), settings, init_checkpoint,
                       output_keys=["probabilities", "predicted"],
                       model_info=info(thresholds))
