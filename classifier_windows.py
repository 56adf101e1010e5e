# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Classifying texts longer than max_seq_length: overlapping windows.

Without windows a text is cut at max_seq_length tokens and its end is never
read. With `--doc_stride` a longer text becomes several model inputs, its
windows (`doc_windows.doc_spans`, as SQuAD reads long paragraphs):

  [CLS] tokens 0..61 [SEP]   [CLS] tokens 32..93 [SEP]   ...

Training sees every window with its text's label. Evaluation and prediction
score each text once, from its windows' outputs (`pool_windows`): by
default the mean of the windows' log-probabilities (whose softmax is the
softmax of the mean logits, the per-window normalisation being a constant
per class), or with "max" the largest log-probability of each class over
the windows, renormalised; a regression task pools its scores. So
test_results.tsv keeps one row per input row and the metrics count texts.

For a pair the first text is kept whole (at most half the room) and the
second one is windowed. A text that fits gets exactly the features of
`classifier_lib.convert_single_example`.

Plain Python and NumPy apart from the record writing.
"""

import numpy as np
import tensorflow as tf

import classifier_lib
import classifier_metrics
import doc_windows
import record_utils
import script_utils

tf1 = tf.compat.v1

POOLINGS = ("mean", "max")


def _window_feature(tokens_a, tokens_b, label_id, max_seq_length, tokenizer):
  """InputFeatures of `[CLS] a [SEP]` or `[CLS] a [SEP] b [SEP]`, padded."""
  tokens = ["[CLS]"] + tokens_a + ["[SEP]"]
  segment_ids = [0] * len(tokens)
  if tokens_b:
    tokens += tokens_b + ["[SEP]"]
    segment_ids += [1] * (len(tokens_b) + 1)
  input_ids = tokenizer.convert_tokens_to_ids(tokens)
  padding = [0] * (max_seq_length - len(input_ids))
  return classifier_lib.InputFeatures(
      input_ids=input_ids + padding,
      input_mask=[1] * len(input_ids) + padding,
      segment_ids=segment_ids + padding,
      label_id=label_id)


def example_windows(ex_index, example, label_list, max_seq_length, tokenizer,
                    doc_stride):
  """The features of one example: one per window.

  Args:
    ex_index: int, the example's position (the first few are logged).
    example: `InputExample` or `PaddingInputExample`.
    label_list: the task's labels.
    max_seq_length: int >= 3.
    tokenizer: `tokenization.FullTokenizer`.
    doc_stride: int >= 1, tokens between window starts.

  Returns:
    list of `InputFeatures` (max_seq_length entries each); a single one,
    equal to `convert_single_example`'s, when the text fits.
  """
  whole = classifier_lib.convert_single_example(
      ex_index, example, label_list, max_seq_length, tokenizer)
  if isinstance(example, classifier_lib.PaddingInputExample):
    return [whole]
  tokens_a = tokenizer.tokenize(example.text_a)
  tokens_b = tokenizer.tokenize(example.text_b) if example.text_b else []
  if tokens_b:
    if len(tokens_a) + len(tokens_b) <= max_seq_length - 3:
      return [whole]
    # The first text (a question, a premise) stays, cut to at most half of
    # the room when longer, so that the second one still gets windows of
    # a useful size.
    tokens_a = tokens_a[:max(1, min(len(tokens_a), (max_seq_length - 3) // 2))]
    room = max_seq_length - 3 - len(tokens_a)
    spans = doc_windows.doc_spans(len(tokens_b), room, doc_stride)
    return [_window_feature(tokens_a,
                            tokens_b[span.start:span.start + span.length],
                            whole.label_id, max_seq_length, tokenizer)
            for span in spans]
  if len(tokens_a) <= max_seq_length - 2:
    return [whole]
  spans = doc_windows.doc_spans(len(tokens_a), max_seq_length - 2, doc_stride)
  return [_window_feature(tokens_a[span.start:span.start + span.length], [],
                          whole.label_id, max_seq_length, tokenizer)
          for span in spans]


def write_window_records(examples, label_list, max_seq_length, tokenizer,
                         doc_stride, output_file, what):
  """Writes every window of every example as a classifier record.

  The records have `classifier_lib.file_based_convert_examples_to_features`'s
  schema, so its input_fn reads them; windows of a text are consecutive.

  Args:
    examples: list of `InputExample` (or `PaddingInputExample`).
    label_list, max_seq_length, tokenizer, doc_stride: as
      `example_windows`.
    output_file: the TFRecord path (written atomically).
    what: what the examples are, for the log line ("training texts").

  Returns:
    list of int, the example index of each window (records in file order).
  """
  text_index = []
  num_windowed = 0
  progress = script_utils.ProgressLogger(
      "Writing %s" % output_file.rsplit("/", 1)[-1], total=len(examples))
  with record_utils.atomic_record_writers([output_file]) as writers:
    for (ex_index, example) in enumerate(examples):
      features = example_windows(ex_index, example, label_list,
                                 max_seq_length, tokenizer, doc_stride)
      if len(features) > 1:
        num_windowed += 1
      for feature in features:
        writers[0].write(classifier_lib._features_to_example(  # pylint: disable=protected-access
            feature).SerializeToString(deterministic=True))
        text_index.append(ex_index)
      progress.update()
  tf1.logging.info(
      "Windows: %d of %d %s are longer than --max_seq_length=%d and were "
      "read as windows (--doc_stride=%d): %d windows in all", num_windowed,
      len(examples), what, max_seq_length, doc_stride, len(text_index))
  return text_index


def pool_windows(values, text_index, num_texts, pooling="mean",
                 is_regression=False):
  """One output per text from its windows' outputs.

  Args:
    values: float array [num_windows, num_labels] of the windows'
      probabilities, or [num_windows] scores for regression.
    text_index: int sequence [num_windows], the text of each window.
    num_texts: int.
    pooling: "mean" or "max".
    is_regression: bool.

  Returns:
    float array [num_texts, num_labels] of probabilities (each row sums to
    1), or [num_texts] scores.

  Raises:
    ValueError: an unknown pooling, or a text without windows.
  """
  if pooling not in POOLINGS:
    raise ValueError("pooling %r: must be one of %s" % (pooling, POOLINGS))
  values = np.asarray(values, dtype=np.float64)
  text_index = np.asarray(text_index)
  if is_regression:
    values = values.reshape(-1)
  else:
    # log-probabilities: logits minus a constant per window.
    values = np.log(np.maximum(values, 1e-30))
  pooled = []
  for text in range(num_texts):
    rows = values[text_index == text]
    if not len(rows):  # pylint: disable=g-explicit-length-test
      raise ValueError("text %d has no windows" % text)
    pooled.append(rows.mean(axis=0) if pooling == "mean" else
                  rows.max(axis=0))
  pooled = np.array(pooled)
  if is_regression:
    return pooled
  pooled -= pooled.max(axis=-1, keepdims=True)
  pooled = np.exp(pooled)
  return pooled / pooled.sum(axis=-1, keepdims=True)


def _binary_counts(labels, predictions, positive_id):
  positive = predictions == positive_id
  true = labels == positive_id
  return (np.sum(positive & true), np.sum(positive & ~true),
          np.sum(~positive & true), np.sum(~positive & ~true))


def text_metrics(outputs, labels, is_regression=False, task_metric=None,
                 positive_label_id=1):
  """The classifier's metrics counted over texts, from pooled outputs.

  Args:
    outputs: `pool_windows`' result.
    labels: [num_texts] class ids (or targets for regression).
    is_regression, task_metric ("f1", "mcc" or None), positive_label_id:
      as in `classifier_lib.model_fn_builder`.

  Returns:
    dict: eval_loss (mean cross-entropy, or squared error) and
    eval_accuracy, eval_f1, eval_mcc, or eval_pearson and eval_spearman.
  """
  labels = np.asarray(labels)
  outputs = np.asarray(outputs, dtype=np.float64)
  if is_regression:
    targets = labels.astype(np.float64)
    return {
        "eval_loss": float(np.mean(np.square(outputs - targets))),
        "eval_pearson": classifier_metrics.pearson_correlation(
            list(outputs), list(targets)),
        "eval_spearman": classifier_metrics.spearman_correlation(
            list(outputs), list(targets)),
    }
  labels = labels.astype(np.int64)
  picked = outputs[np.arange(len(labels)), labels]
  predictions = np.argmax(outputs, axis=-1)
  result = {
      "eval_loss": float(np.mean(-np.log(np.maximum(picked, 1e-30)))),
      "eval_accuracy": float(np.mean(predictions == labels)),
  }
  tp, fp, fn, tn = (float(c) for c in _binary_counts(
      labels, predictions, positive_label_id))
  if task_metric == "f1":
    result["eval_f1"] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
  elif task_metric == "mcc":
    denominator = np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    result["eval_mcc"] = float((tp * tn - fp * fn) / denominator
                               if denominator else 0.0)
  return result


def check_flags(settings):
  """Checks --doc_stride and --window_pooling; raises UsageError."""
  doc_stride = getattr(settings, "doc_stride", None)
  if doc_stride is not None and doc_stride < 1:
    raise script_utils.UsageError(
        "--doc_stride=%d: must be positive (leave it unset to truncate long "
        "texts)" % doc_stride)
  pooling = getattr(settings, "window_pooling", "mean")
  if pooling not in POOLINGS:
    raise script_utils.UsageError("--window_pooling=%s: must be one of %s" %
                                  (pooling, ", ".join(POOLINGS)))


def define_window_flags(flag_values):
  """--doc_stride and --window_pooling (windows are off by default)."""
  define = script_utils.flag_definers(flag_values)
  define.integer(
      "doc_stride", None,
      "Read a text longer than --max_seq_length as overlapping windows "
      "whose starts are this many tokens apart (e.g. half of "
      "--max_seq_length); unset, long texts are truncated as in the "
      "original.")
  define.string(
      "window_pooling", "mean",
      "With --doc_stride: how a text's windows make its prediction: mean "
      "(of their log-probabilities) or max.")


def text_labels(examples, label_list, is_regression=False):
  """The label id (or regression target) of each example, in order."""
  if is_regression:
    return [float(example.label) for example in examples]
  label_map = {label: i for (i, label) in enumerate(label_list)}
  return [label_map[example.label] for example in examples]


def training_windows(examples, label_list, max_seq_length, tokenizer,
                     doc_stride):
  """Every window of the training examples, as `InputFeatures`.

  Called before the run's step count is known (an epoch is a pass over the
  windows); `write_features` writes them once --output_dir is ready.
  """
  features = []
  num_windowed = 0
  for (ex_index, example) in enumerate(examples):
    windows = example_windows(ex_index, example, label_list, max_seq_length,
                              tokenizer, doc_stride)
    num_windowed += len(windows) > 1
    features.extend(windows)
  tf1.logging.info(
      "Windows: %d of %d training texts are longer than --max_seq_length=%d "
      "and were read as windows (--doc_stride=%d): %d windows in all",
      num_windowed, len(examples), max_seq_length, doc_stride, len(features))
  return features


def write_features(features, output_file):
  """Writes `InputFeatures` as classifier records, atomically."""
  with record_utils.atomic_record_writers([output_file]) as writers:
    for feature in features:
      writers[0].write(classifier_lib._features_to_example(  # pylint: disable=protected-access
          feature).SerializeToString(deterministic=True))
