# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""TFRecord files of tf.train.Example: writing features, reading them back.

The scripts write their model inputs as fixed-length examples (each
script's README section gives its record layout) and read them with
`record_input_fn_builder`; `atomic_record_writers` makes the files appear
only once all are complete.
"""

import contextlib

import tensorflow as tf

import script_utils


def create_int_feature(values):
  """An int64 list feature for a tf.train.Example."""
  return tf.train.Feature(int64_list=tf.train.Int64List(value=list(values)))


def create_float_feature(values):
  """A float list feature for a tf.train.Example."""
  return tf.train.Feature(float_list=tf.train.FloatList(value=list(values)))


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


def record_input_fn_builder(input_files, name_to_features, is_training,
                            drop_remainder, shuffle_buffer_size=100):
  """An Estimator input_fn over TFRecord files of fixed-length examples.

  Args:
    input_files: a path or list of paths.
    name_to_features: dict of feature name -> tf.io.FixedLenFeature.
    is_training: bool. Training repeats and shuffles; evaluation and
      prediction read each record once, in order.
    drop_remainder: bool. TPUs need every batch full.
    shuffle_buffer_size: int, records held for shuffling.

  Returns:
    input_fn(params) -> tf.data.Dataset of feature dicts, batched by
    params["batch_size"] (which TPUEstimator sets).
  """
  if isinstance(input_files, str):
    input_files = [input_files]

  def input_fn(params):
    batch_size = params["batch_size"]
    d = tf.data.TFRecordDataset(input_files)
    if is_training:
      d = d.repeat()
      d = d.shuffle(buffer_size=shuffle_buffer_size)
    d = d.map(lambda record: decode_record(record, name_to_features),
              num_parallel_calls=tf.data.AUTOTUNE)
    d = d.batch(batch_size=batch_size, drop_remainder=drop_remainder)
    return d.prefetch(tf.data.AUTOTUNE)

  return input_fn


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
