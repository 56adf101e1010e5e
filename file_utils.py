# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Files: checked before any work, written atomically, read as UTF-8.

- Checks of input files and patterns, the output directory and output file
  paths (`require_file`, `expand_file_patterns`, `prepare_output_dir`,
  `check_output_file`), each bad one a one-line `UsageError`.
- Outputs that appear only once complete (`atomic_output`), so an
  interrupted run leaves no truncated file; `write_eval_results`.
- UTF-8 text input, a bad byte reported with file and line
  (`read_text_lines`).
"""

import contextlib
import os
import re
import uuid

import tensorflow as tf

from user_errors import UsageError

tf1 = tf.compat.v1


# ----------------------------------------------------------------------------
# Checks before any work
# ----------------------------------------------------------------------------


def require_file(path, flag_name):
  """Raises UsageError unless `path` names an existing file."""
  if not path:
    raise UsageError("--%s is required" % flag_name)
  if not tf.io.gfile.exists(path):
    raise UsageError("--%s=%s: file not found" % (flag_name, path))
  if tf.io.gfile.isdir(path):
    raise UsageError("--%s=%s: is a directory, expected a file" %
                     (flag_name, path))


def expand_file_patterns(patterns, flag_name):
  """Expands a comma-separated list of files or globs.

  Args:
    patterns: string such as "a.tfrecord,shards/*.tfrecord".
    flag_name: flag the list came from, for the error message.

  Returns:
    Sorted-per-pattern list of existing file paths.

  Raises:
    UsageError: when a pattern matches nothing, or matches a temporary file
      an interrupted run left (`temporary_name`): it looks like data but is
      incomplete.
  """
  files = []
  for pattern in patterns.split(","):
    pattern = pattern.strip()
    if not pattern:
      continue
    matches = tf.io.gfile.glob(pattern)
    if not matches:
      raise UsageError("--%s: no file matches %s" % (flag_name, pattern))
    for path in matches:
      if _TEMPORARY_NAME.search(path):
        raise UsageError(
            "--%s: %s is the unfinished output of an interrupted run; "
            "rerun the step that writes it (which removes it), or delete it"
            % (flag_name, path))
    files.extend(sorted(matches))
  if not files:
    raise UsageError("--%s is empty" % flag_name)
  return files


def prepare_output_dir(output_dir, flag_name="output_dir"):
  """Creates the output directory, refusing a path that is a file."""
  if not output_dir:
    raise UsageError("--%s is required" % flag_name)
  if tf.io.gfile.exists(output_dir) and not tf.io.gfile.isdir(output_dir):
    raise UsageError("--%s=%s: exists and is not a directory" %
                     (flag_name, output_dir))
  tf.io.gfile.makedirs(output_dir)


def check_output_file(path, flag_name="output_file"):
  """Refuses an output file path that is a directory or sits under a file.

  Checked before the work starts; the parent directory itself is created
  only when the output is written.
  """
  if tf.io.gfile.isdir(path):
    raise UsageError("--%s=%s is a directory, expected a file path" %
                     (flag_name, path))
  parent = os.path.dirname(path)
  while parent and not tf.io.gfile.exists(parent):
    next_parent = os.path.dirname(parent)
    if next_parent == parent:
      break
    parent = next_parent
  if parent and not tf.io.gfile.isdir(parent):
    raise UsageError("--%s=%s: %s exists and is not a directory" %
                     (flag_name, path, parent))


# ----------------------------------------------------------------------------
# Atomic outputs
# ----------------------------------------------------------------------------


def temporary_name(path):
  """A sibling name, so the final rename stays on one file system."""
  return "%s.tmp-%s" % (path, uuid.uuid4().hex[:8])


# What `temporary_name` appends; an input pattern that matches such a file
# is refused (see `expand_file_patterns`).
_TEMPORARY_NAME = re.compile(r"\.tmp-[0-9a-f]{8}$")


@contextlib.contextmanager
def atomic_output(path, mode="w"):
  """Opens a file that appears under `path` only once it is complete.

  Writes go to a temporary sibling which is renamed over `path` when the
  block exits normally; on an exception (or Ctrl-C) the temporary file is
  removed and `path` is left as it was.

  Args:
    path: final file path (local or gs://).
    mode: "w" for text or "wb" for bytes.

  Yields:
    A writable file object.
  """
  tmp_path = temporary_name(path)
  try:
    with tf.io.gfile.GFile(tmp_path, mode) as writer:
      yield writer
    tf.io.gfile.rename(tmp_path, path, overwrite=True)
  finally:
    if tf.io.gfile.exists(tmp_path):
      tf.io.gfile.remove(tmp_path)


def write_eval_results(output_dir, result, file_name="eval_results.txt"):
  """Logs and writes `key = value` lines, sorted by key, atomically.

  Args:
    output_dir: directory to write into.
    result: dict of metric name -> value (as returned by estimator.evaluate).
    file_name: output file name.

  Returns:
    The path written.
  """
  output_eval_file = os.path.join(output_dir, file_name)
  tf1.logging.info("***** Eval results *****")
  lines = []
  for key in sorted(result.keys()):
    tf1.logging.info("  %s = %s", key, str(result[key]))
    lines.append("%s = %s\n" % (key, str(result[key])))
  with atomic_output(output_eval_file) as writer:
    writer.write("".join(lines))
  return output_eval_file


# ----------------------------------------------------------------------------
# Text input
# ----------------------------------------------------------------------------


def read_text_lines(path):
  """Yields the lines of a UTF-8 text file, refusing bytes that are not UTF-8.

  Policy for every script: text input must be UTF-8. A bad byte is reported
  with the file and line number instead of being dropped or replaced, since a
  silently mangled corpus or label is worse than a stopped run. Lines keep
  their line ending, like iterating over an open file.

  Args:
    path: text file path (local or gs://).

  Yields:
    str, one line at a time.

  Raises:
    UsageError: naming the file, line and byte offset of the first bad byte.
  """
  with tf.io.gfile.GFile(path, "rb") as reader:
    for line_number, raw_line in enumerate(reader, start=1):
      try:
        yield raw_line.decode("utf-8")
      except UnicodeDecodeError as e:
        raise UsageError(
            "%s line %d: not valid UTF-8 (byte 0x%02x at column %d); "
            "convert the file to UTF-8" %
            (path, line_number, raw_line[e.start], e.start + 1))


def read_text(path):
  """The whole of a UTF-8 text file; bad bytes as in `read_text_lines`."""
  return "".join(read_text_lines(path))
