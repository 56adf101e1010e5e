# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""TFRecord files of tf.train.Example: writing features, reading them back.

The scripts write their model inputs as fixed-length examples (the
docs/ page of each script gives its record layout: docs/fine-tuning.md,
docs/squad.md, docs/pre-training.md) and read them with
`record_input_fn_builder`; `atomic_record_writers` makes the files appear
only once all are complete.

Training order. The original repeats the records endlessly and passes them
through a shuffle buffer of 100 ("buffer"): an example moves about 100
places from its place in the file, and each epoch sees the examples in
much the same order. "epoch" draws a fresh uniform permutation of all the
records for every epoch instead (PyTorch's DataLoader(shuffle=True)), at the
cost of holding one epoch of records in memory. The scripts choose with
--train_shuffle, through `with_shuffle`.
"""

import contextlib
import struct

import tensorflow as tf

import script_utils


def create_int_feature(values):
  """An int64 list feature for a tf.train.Example."""
  return tf.train.Feature(int64_list=tf.train.Int64List(value=list(values)))


def create_float_feature(values):
  """A float list feature for a tf.train.Example."""
  return tf.train.Feature(float_list=tf.train.FloatList(value=list(values)))


def count_records(input_files):
  """The number of records in TFRecord files, read from their headers.

  Each record is a little-endian uint64 length, a 4-byte CRC, the data and
  another 4-byte CRC: the data is skipped, not read.

  Args:
    input_files: list of paths (anything tf.io.gfile opens).

  Returns:
    int.
  """
  count = 0
  for path in input_files:
    with tf.io.gfile.GFile(path, "rb") as reader:
      while True:
        header = reader.read(12)
        if len(header) < 12:
          break
        (length,) = struct.unpack("<Q", header[:8])
        reader.seek(length + 4, 1)
        count += 1
  return count


def decode_record(record, name_to_features):
  """Parses one serialized tf.train.Example, casting int64 to int32.

  tf.train.Example only stores int64, but TPUs do not support int64 well, and
  every model input here fits in int32.

  Args:
    record: scalar string Tensor.
    name_to_features: dict of feature name -> tf.io.FixedLenFeature.

  Returns:
    dict of feature name -> Tensor.
  """
  example = tf.io.parse_single_example(record, name_to_features)
  for name in list(example.keys()):
    t = example[name]
    if t.dtype == tf.int64:
      t = tf.cast(t, tf.int32)
    example[name] = t
  return example


# The training orders (--train_shuffle); see the module docstring.
SHUFFLES = ("buffer", "epoch")


def record_input_fn_builder(input_files, name_to_features, is_training,
                            drop_remainder, shuffle_buffer_size=100,
                            shuffle=None):
  """An Estimator input_fn over TFRecord files of fixed-length examples.

  Args:
    input_files: a path or list of paths.
    name_to_features: dict of feature name -> tf.io.FixedLenFeature.
    is_training: bool. Training repeats and shuffles; evaluation and
      prediction read each record once, in order.
    drop_remainder: bool. TPUs need every batch full.
    shuffle_buffer_size: int, records held for shuffling ("buffer" order).
    shuffle: one of `SHUFFLES`, the training order; None: "buffer", unless
      the input_fn runs inside `with_shuffle`.

  Returns:
    input_fn(params) -> tf.data.Dataset of feature dicts, batched by
    params["batch_size"] (which TPUEstimator sets).
  """
  if isinstance(input_files, str):
    input_files = [input_files]
  if shuffle is not None and shuffle not in SHUFFLES:
    raise ValueError("record_input_fn_builder: shuffle must be one of %r, "
                     "got %r" % (SHUFFLES, shuffle))

  def input_fn(params):
    batch_size = params["batch_size"]
    d = tf.data.TFRecordDataset(input_files)
    if is_training and (shuffle or _scoped_shuffle[-1]) == "epoch":
      # Shuffled before repeat, and anew for each pass: every epoch is a
      # permutation of all the records.
      d = d.shuffle(buffer_size=max(count_records(input_files), 1),
                    reshuffle_each_iteration=True)
      d = d.repeat()
    elif is_training:
      d = d.repeat()
      d = d.shuffle(buffer_size=shuffle_buffer_size)
    d = d.map(lambda record: decode_record(record, name_to_features),
              num_parallel_calls=tf.data.AUTOTUNE)
    d = d.batch(batch_size=batch_size, drop_remainder=drop_remainder)
    return d.prefetch(tf.data.AUTOTUNE)

  return input_fn


# The training order an input_fn builds when its builder named none: the last
# entry, pushed by `with_shuffle` while an input_fn runs.
_scoped_shuffle = ["buffer"]


def with_shuffle(input_fn, shuffle):
  """`input_fn` whose record readers shuffle the training records `shuffle`.

  Lets a script choose the order (--train_shuffle) for input_fns built
  without naming one, as the fine-tuning scripts' are.

  Args:
    input_fn: input_fn(params), e.g. from `record_input_fn_builder`.
    shuffle: one of `SHUFFLES`.

  Returns:
    input_fn(params).

  Raises:
    ValueError: `shuffle` is not one of `SHUFFLES`.
  """
  if shuffle not in SHUFFLES:
    raise ValueError("with_shuffle: shuffle must be one of %r, got %r" %
                     (SHUFFLES, shuffle))

  def scoped_input_fn(params):
    _scoped_shuffle.append(shuffle)
    try:
      return input_fn(params)
    finally:
      _scoped_shuffle.pop()

  return scoped_input_fn


@contextlib.contextmanager
def atomic_record_writers(paths):
  """TFRecord writers whose files appear only once all are complete.

  Args:
    paths: list of final .tfrecord paths.

  Yields:
    A list of `tf.io.TFRecordWriter`, one per path.
  """
  tmp_paths = [script_utils.temporary_name(path) for path in paths]
  writers = []
  try:
    for tmp_path in tmp_paths:
      writers.append(tf.io.TFRecordWriter(tmp_path))
    yield writers
    for writer in writers:
      writer.close()
    writers = []
    for tmp_path, path in zip(tmp_paths, paths):
      tf.io.gfile.rename(tmp_path, path, overwrite=True)
  finally:
    for writer in writers:
      writer.close()
    for tmp_path in tmp_paths:
      if tf.io.gfile.exists(tmp_path):
        tf.io.gfile.remove(tmp_path)
