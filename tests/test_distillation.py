# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Knowledge distillation for the classifier (distillation.py).

The loss against an independent NumPy computation; the teacher's directory
checks; the transfer file; and whole run_classifier.py runs in which a tiny
teacher labels the data of a tiny student of another size.
"""

import numpy as np
import pytest
import tensorflow as tf

import distillation

tf1 = tf.compat.v1


def _np_log_softmax(x):
  x = x - x.max(axis=-1, keepdims=True)
  return x - np.log(np.exp(x).sum(axis=-1, keepdims=True))


def _np_loss(student, teacher, hard, has_label, weights, t, alpha):
  """The loss written out in NumPy, element by element."""
  student = np.asarray(student, np.float64)
  teacher = np.asarray(teacher, np.float64)
  shape = student.shape[:-1]
  per_item = np.zeros(shape)
  has_label = np.broadcast_to(has_label, shape)
  for index in np.ndindex(*shape):
    p = np.exp(_np_log_softmax(teacher[index] / t))
    log_q = _np_log_softmax(student[index] / t)
    soft = t * t * -(p * log_q).sum()
    if has_label[index]:
      per_item[index] = alpha * soft + (1 - alpha) * hard[index]
    else:
      per_item[index] = soft
  weights = np.broadcast_to(weights, shape)
  return (per_item * weights).sum() / max(weights.sum(), 1.0), per_item


def _run(*tensors):
  with tf.Graph().as_default(), tf1.Session() as sess:
    return sess.run([t() for t in tensors])


@pytest.mark.parametrize("t,alpha", [(1.0, 0.5), (2.0, 0.3), (4.0, 1.0),
                                     (0.5, 0.0)])
def test_loss_matches_numpy(t, alpha):
  rng = np.random.RandomState(int(t * 10 + alpha * 100))
  student = rng.randn(6, 3).astype(np.float32) * 3
  teacher = rng.randn(6, 3).astype(np.float32) * 3
  hard = rng.rand(6).astype(np.float32) * 2
  has_label = np.array([1, 0, 1, 1, 0, 1])
  weights = np.array([1, 1, 1, 0, 1, 1], np.float32)  # one padding example
  expected, expected_items = _np_loss(student, teacher, hard, has_label,
                                      weights, t, alpha)

  def build():
    return distillation.distillation_loss(
        tf.constant(student), tf.constant(teacher), tf.constant(hard),
        tf.constant(has_label), tf.constant(weights), t, alpha)

  (loss, items), = _run(build)
  np.testing.assert_allclose(items, expected_items, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(loss, expected, rtol=1e-5, atol=1e-6)


def test_soft_loss_alone_is_zero_gradient_at_the_teacher_and_scales_t2():
  logits = np.array([[2.0, -1.0, 0.5]], np.float32)

  def grad():
    student = tf.constant(logits)
    soft = distillation.soft_cross_entropy(student, tf.constant(logits), 3.0)
    return tf.gradients(soft, student)[0]

  def soft(t):
    return lambda: distillation.soft_cross_entropy(
        tf.constant(logits), tf.constant(logits), t)

  gradient, at_1, at_3 = _run(grad, soft(1.0), soft(3.0))
  np.testing.assert_allclose(gradient, 0.0, atol=1e-6)
  # At the teacher, the soft loss is T^2 times the teacher's entropy at T.
  for value, t in ((at_1, 1.0), (at_3, 3.0)):
    p = np.exp(_np_log_softmax(logits / t))
    np.testing.assert_allclose(value, t * t * -(p * np.log(p)).sum(-1),
                               rtol=1e-5)


def test_unlabeled_item_ignores_an_infinite_hard_loss():
  # A transfer row's hard loss is against a placeholder label: never counted.
  def build():
    return distillation.distillation_loss(
        tf.constant([[1.0, 0.0], [0.0, 1.0]]),
        tf.constant([[0.0, 1.0], [0.0, 1.0]]),
        tf.constant([np.inf, 0.5]), tf.constant([0, 1]),
        tf.constant([1.0, 1.0]), 2.0, 0.5)[0]

  loss, = _run(build)
  assert np.isfinite(loss)


def test_masked_word_pieces_for_tagging_shapes():
  # [batch 2, seq 4, labels 3], has_label [batch, 1], the first-piece mask.
  rng = np.random.RandomState(7)
  student = rng.randn(2, 4, 3).astype(np.float32)
  teacher = rng.randn(2, 4, 3).astype(np.float32)
  hard = rng.rand(2, 4).astype(np.float32)
  has_label = np.array([[1], [0]])
  mask = np.array([[1, 0, 1, 0], [1, 1, 0, 0]], np.float32)
  expected, _ = _np_loss(student, teacher, hard, has_label, mask, 2.0, 0.7)

  def build():
    return distillation.distillation_loss(
        tf.constant(student), tf.constant(teacher), tf.constant(hard),
        tf.constant(has_label), tf.constant(mask), 2.0, 0.7)[0]

  loss, = _run(build)
  np.testing.assert_allclose(loss, expected, rtol=1e-5)


def test_all_padding_batch_has_zero_loss():
  def build():
    return distillation.distillation_loss(
        tf.constant([[1.0, 0.0]]), tf.constant([[0.0, 1.0]]),
        tf.constant([1.0]), tf.constant([1]), tf.constant([0.0]), 1.0, 0.5)[0]

  loss, = _run(build)
  assert loss == 0.0


def test_transfer_lines(tmp_path):
  path = tmp_path / "transfer.txt"
  path.write_text("a good film\n\n  \nbad\tworse\n", encoding="utf-8")
  with pytest.raises(distillation.UsageError,
                     match=r"transfer.txt line 4: 2 tab-separated fields"):
    distillation.read_transfer_lines(str(path))
  path.write_text("a good film\n\nbad\tworse\n", encoding="utf-8")
  with pytest.raises(distillation.UsageError, match="line 1: 1 tab"):
    distillation.read_transfer_lines(str(path), num_fields=2)
  path.write_text("a good film\n\nbad film\n", encoding="utf-8")
  assert distillation.read_transfer_lines(str(path)) == [
      (1, ["a good film"]), (3, ["bad film"])]
  path.write_text("\n\n", encoding="utf-8")
  with pytest.raises(distillation.UsageError, match="no text"):
    distillation.read_transfer_lines(str(path))
  path.write_bytes(b"ok\n\xff\n")
  with pytest.raises(distillation.UsageError, match="line 2: not valid UTF-8"):
    distillation.read_transfer_lines(str(path))
