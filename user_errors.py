# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Bad input, told apart from bugs.

`UsageError` is how code says "the input is wrong": a flag, a file or its
contents. `script_utils.run` prints it as one `error: ...` line (with exit
status 1) where a bug keeps its traceback; `error_line` is that line.
"""

import re

import tensorflow as tf


class UsageError(ValueError):
  """Bad input from the user: a flag, a file or its contents.

  The message should name the flag or file and say what is wrong; `run`
  prints it on one line instead of a traceback.
  """


# The frame TensorFlow puts around an error raised while a graph runs
# ("Graph execution error:", where the op was defined, its node); the cause
# ("corrupted record at 634208") is the line left.
_OP_ERROR_FRAME = re.compile(
    r"^(Graph execution error:|Detected at node |File \"|Node: |"
    r"\[\[\{\{node |Original stack trace for )")


def error_line(exception):
  """The first meaningful line of an exception's message."""
  if isinstance(exception, tf.errors.OpError):
    text = exception.message
  else:
    text = str(exception)
  lines = [line.strip() for line in text.splitlines() if line.strip()]
  if isinstance(exception, tf.errors.OpError):
    lines = [line for line in lines if not _OP_ERROR_FRAME.match(line)] or lines
  return lines[0] if lines else exception.__class__.__name__
