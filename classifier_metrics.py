# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""The sentence-classification metrics beyond accuracy, as GLUE reports them.

- F1 of the positive class (MRPC, QQP) and Matthews correlation (CoLA): as
  streaming tf.compat.v1 metrics, `(value, update_op)`, inside the
  evaluation graph, weighted so that TPU padding examples count 0.
- Pearson and Spearman correlation (STS-B): in NumPy, on the host, from all
  predictions at once (Spearman needs the ranks of the whole set).

`run_classifier` imports them under the same names.
"""

import numpy as np
import tensorflow as tf

tf1 = tf.compat.v1


# ----------------------------------------------------------------------------
# Streaming metrics of a binary task (evaluated in the graph)
# ----------------------------------------------------------------------------


def _binary_counts(label_ids, predictions, weights, positive_id):
  """Streaming true/false positive/negative counts, as float64 metrics."""
  labels = tf.equal(label_ids, positive_id)
  predicted = tf.equal(predictions, positive_id)
  counts = [
      tf1.metrics.true_positives(labels, predicted, weights=weights),
      tf1.metrics.false_positives(labels, predicted, weights=weights),
      tf1.metrics.false_negatives(labels, predicted, weights=weights),
      tf1.metrics.true_negatives(labels, predicted, weights=weights),
  ]
  values = [tf.cast(value, tf.float64) for (value, _) in counts]
  update_op = tf.group(*[update for (_, update) in counts])
  return values, update_op


def _safe_divide(numerator, denominator):
  return tf.where(denominator > 0, numerator / tf.maximum(denominator, 1e-12),
                  tf.zeros_like(numerator))


def f1_metric(label_ids, predictions, weights, positive_id=1):
  """Streaming F1 of the class `positive_id`, as (value, update_op)."""
  (tp, fp, fn, _), update_op = _binary_counts(label_ids, predictions, weights,
                                              positive_id)
  return _safe_divide(2.0 * tp, 2.0 * tp + fp + fn), update_op


def matthews_corrcoef_metric(label_ids, predictions, weights, positive_id=1):
  """Streaming Matthews correlation of two classes, as (value, update_op).

  0 when a row or column of the confusion matrix is empty, as in
  scikit-learn.
  """
  (tp, fp, fn, tn), update_op = _binary_counts(label_ids, predictions,
                                               weights, positive_id)
  denominator = tf.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
  return _safe_divide(tp * tn - fp * fn, denominator), update_op


# ----------------------------------------------------------------------------
# Correlations for regression (computed on the host from predictions)
# ----------------------------------------------------------------------------


def pearson_correlation(x, y):
  """Pearson correlation of two equal-length sequences (0 if one is flat)."""
  x = np.asarray(x, dtype=np.float64)
  y = np.asarray(y, dtype=np.float64)
  dx = x - x.mean()
  dy = y - y.mean()
  denominator = np.sqrt(np.sum(dx * dx) * np.sum(dy * dy))
  if denominator == 0:
    return 0.0
  return float(np.sum(dx * dy) / denominator)


def average_ranks(values):
  """1-based ranks of `values`, ties sharing the mean of their ranks."""
  values = np.asarray(values, dtype=np.float64)
  order = np.argsort(values, kind="mergesort")
  sorted_values = values[order]
  ranks = np.empty(len(values), dtype=np.float64)
  start = 0
  while start < len(values):
    end = start
    while end + 1 < len(values) and sorted_values[end + 1] == sorted_values[
        start]:
      end += 1
    # Positions start..end (0-based) hold ranks start+1..end+1.
    ranks[order[start:end + 1]] = (start + end) / 2.0 + 1.0
    start = end + 1
  return ranks


def spearman_correlation(x, y):
  """Spearman rank correlation: Pearson correlation of the average ranks."""
  return pearson_correlation(average_ranks(x), average_ranks(y))
