# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Progress lines: items or examples per second and the time left.

`ProgressLogger` for loops in Python (feature conversion, data generation),
`ProgressHook` for an estimator's training, evaluation and prediction; both
log at most every `every_secs` seconds.
"""

import time

import tensorflow as tf

tf1 = tf.compat.v1


class ProgressLogger(object):
  """Logs items/second and an estimate of the time left, at most every N s.

  For loops in Python (feature conversion, data generation); training and
  evaluation use `ProgressHook`.
  """

  def __init__(self, what, total=None, every_secs=30.0):
    self._what = what
    self._total = total
    self._every_secs = every_secs
    self._start = time.time()
    self._last_log = self._start
    self.count = 0

  def update(self, n=1):
    self.count += n
    now = time.time()
    if now - self._last_log >= self._every_secs:
      self._last_log = now
      tf1.logging.info("%s", self.status(now))

  def status(self, now=None):
    now = now or time.time()
    elapsed = max(now - self._start, 1e-9)
    rate = self.count / elapsed
    text = "%s: %d done, %.1f/s" % (self._what, self.count, rate)
    if self._total and rate > 0:
      left = max(self._total - self.count, 0) / rate
      text += ", %d of %d, about %s left" % (self.count, self._total,
                                              _format_seconds(left))
    return text


def _format_seconds(seconds):
  seconds = int(round(seconds))
  if seconds >= 3600:
    return "%dh%02dm" % (seconds // 3600, (seconds % 3600) // 60)
  if seconds >= 60:
    return "%dm%02ds" % (seconds // 60, seconds % 60)
  return "%ds" % seconds


class ProgressHook(tf1.train.SessionRunHook):
  """Logs examples/second and time left during train/evaluate/predict."""

  def __init__(self, what, batch_size, total_steps=None, every_secs=30.0):
    self._what = what
    self._batch_size = batch_size
    self._total_steps = total_steps
    self._every_secs = every_secs

  def begin(self):
    self._steps = 0
    self._start = None
    self._last_log = None

  def after_run(self, run_context, run_values):
    now = time.time()
    if self._start is None:
      # The first step includes graph compilation; time from its end.
      self._start = now
      self._last_log = now
      return
    self._steps += 1
    if now - self._last_log < self._every_secs:
      return
    self._last_log = now
    elapsed = now - self._start
    rate = self._steps * self._batch_size / elapsed
    text = "%s: %.1f examples/sec" % (self._what, rate)
    if self._total_steps:
      left_steps = max(self._total_steps - self._steps - 1, 0)
      text += ", about %s left" % _format_seconds(
          left_steps * elapsed / self._steps)
    tf1.logging.info("%s", text)
