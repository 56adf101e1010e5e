# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Class weights: a rare class counts more in the loss.

`--class_weights=balanced` gives class c the weight 1 / n_c (n_c: its
count in train; for tagging, its count among the scored tokens), scaled so
that the weights' mean over the classes is 1; `--class_weights=name=w,...`
gives them explicitly (a class not named keeps 1). Each example (each
scored token) then counts with its true class's weight, and the loss is the
weighted mean sum(w * loss) / sum(w), in training and in the evaluation's
`eval_loss` alike.

Use it when one class is rare and it matters to find it (macro-F1, recall
of the rare class): unweighted, the model can score well by rarely
predicting it. It trades precision of the rare class for recall, and
accuracy usually drops a little.
"""

import collections

import numpy as np
import tensorflow as tf

from user_errors import UsageError

BALANCED = "balanced"


def define_flag(define):
  """Defines --class_weights with a `script_utils.flag_definers` value."""
  define.string(
      "class_weights", None,
      "Loss weights of the classes (labels; for run_ner.py the tags): "
      "'balanced' (inverse frequency in train, mean 1) or name=weight "
      "pairs separated by commas (others keep 1). Not for regression or "
      "multi-label tasks.")


def balanced(counts):
  """Inverse-frequency weights with mean 1.

  Args:
    counts: list of per-class counts (all > 0).

  Returns:
    list of floats, w_c = (1 / n_c) / mean_k(1 / n_k).
  """
  inverse = 1.0 / np.asarray(counts, np.float64)
  return (inverse / inverse.mean()).tolist()


def resolve(spec, label_list, train_labels, flag="--class_weights"):
  """The per-class weights a --class_weights value asks for.

  Args:
    spec: the flag's value: None/"" (no weights), "balanced", or
      "name=weight,...".
    label_list: the class names, in output order.
    train_labels: iterable of the train examples' (or scored tokens')
      class names; only read for "balanced".
    flag: the flag's name, for messages.

  Returns:
    None, or a list of len(label_list) positive floats.

  Raises:
    UsageError: an unknown class name, a weight that is not a positive
      number, or (balanced) a class absent from train.
  """
  if not spec:
    return None
  if spec.strip().lower() == BALANCED:
    counts = collections.Counter(train_labels)
    missing = [label for label in label_list if not counts[label]]
    if missing:
      raise UsageError("%s=balanced: class %r does not occur in train; give "
                       "the weights as name=weight pairs" % (flag, missing[0]))
    return balanced([counts[label] for label in label_list])
  weights = {label: 1.0 for label in label_list}
  for pair in spec.split(","):
    if not pair.strip():
      continue
    name, sep, value = pair.rpartition("=")
    name = name.strip()
    if not sep or not name:
      raise UsageError("%s=%s: expected 'balanced' or name=weight pairs "
                       "separated by commas" % (flag, spec))
    if name not in weights:
      raise UsageError("%s: %r is not one of the classes (%s)" %
                       (flag, name, ", ".join(label_list)))
    try:
      weight = float(value)
    except ValueError:
      weight = -1.0
    if not weight > 0 or not np.isfinite(weight):
      raise UsageError("%s: the weight of %r must be a positive number, not "
                       "%r" % (flag, name, value))
    weights[name] = weight
  return [weights[label] for label in label_list]


def loss_weights(label_ids, class_weights, base_weights):
  """The weight each example (or token) has in the loss.

  Args:
    label_ids: int [...] class ids.
    class_weights: None or list of num_classes floats.
    base_weights: float32 [...] (same shape): 1 where the example counts, 0
      for padding.

  Returns:
    float32 [...]: base_weights times the weight of the true class.
  """
  base_weights = tf.cast(base_weights, tf.float32)
  if class_weights is None:
    return base_weights
  table = tf.constant(class_weights, tf.float32)
  return base_weights * tf.gather(table, tf.cast(label_ids, tf.int32))


def weighted_mean(values, weights):
  """sum(values * weights) / sum(weights); 0 when nothing is weighted."""
  weights = tf.cast(weights, tf.float32)
  return tf.reduce_sum(values * weights) / tf.maximum(
      tf.reduce_sum(weights), 1e-12)
