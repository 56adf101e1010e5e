# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Exporting a fine-tuned model as a TensorFlow SavedModel for serving.

The scripts train and predict through TPUEstimator-style model_fns. For serving,
the same model_fn is run once more in PREDICT mode on placeholders, the
weights are restored from a checkpoint, and the graph is written as a
SavedModel whose "serving_default" signature takes

  input_ids, input_mask, segment_ids: int32 [batch_size, max_seq_length]

and returns the chosen prediction tensors by name (e.g. `probabilities`, or
`start_logits` and `end_logits`). The result loads in plain TensorFlow 2
eager code:

  model = tf.saved_model.load(export_dir)
  outputs = model.signatures["serving_default"](
      input_ids=ids, input_mask=mask, segment_ids=segments)

Beside the graph, a SavedModel written with `model_info` carries what it
takes to turn text into those inputs and the outputs into answers:
`assets.extra/vocab.txt` and `assets.extra/model_info.json` (the kind of
model, casing, max_seq_length, label names; see `model_info`). TensorFlow
reserves `assets.extra/` for such files and loads the model without
reading them, so serving is unchanged. `predictor.load` reads them, and
the same files beside the checkpoints of a fine-tuning `--output_dir`
(`write_model_files`).

The graph computes in the precision of the model_fn it is built from: a
script run with --precision=bf16 exports bfloat16 matrix products (float32
weights, layer norm, softmax and outputs), faster on CPUs with AVX512_BF16
or AMX. `graph_precision` reads it from the graph, model_info.json records
it (`"precision": "bf16"`; no key for fp32) and `saved_model_precision`
tells it for a SavedModel on disk.
"""

import json
import os

from absl import flags
import tensorflow as tf

import best_checkpoint
import estimator_runtime
import script_utils

tf1 = tf.compat.v1

SIGNATURE_KEY = "serving_default"
SERVING_INPUTS = ("input_ids", "input_mask", "segment_ids")

# Features some model_fns read besides the three serving inputs. A client
# cannot meaningfully supply them (labels, bookkeeping ids), so they are made
# up per batch: name -> (dtype, value). They only feed losses and
# pass-through outputs, never the exported predictions.
DEFAULT_SYNTHESIZED_FEATURES = {
    "unique_ids": (tf.int32, 0),
    "label_ids": (tf.int32, 0),
    "is_real_example": (tf.int32, 1),
}

# What a model directory or SavedModel holds for `predictor.load`.
MODEL_INFO_FILE = "model_info.json"
VOCAB_FILE = "vocab.txt"
BERT_CONFIG_FILE = "bert_config.json"
# TensorFlow's place for files that travel with a SavedModel but are not
# part of its graph.
SAVED_MODEL_EXTRA_DIR = "assets.extra"
# The kinds of fine-tuned model, by the script that trains them.
CLASSIFIER = "classifier"
SQUAD = "squad"
MODEL_INFO_VERSION = 1

# The arithmetic of a serving graph's matrix products, by the name
# --precision gives it (estimator_runtime.PRECISIONS).
FP32 = "fp32"
_PRECISION_OF_DTYPE = {tf.bfloat16: "bf16", tf.float16: "fp16"}
# The ops the encoder's dense layers and attention products run as; their
# input dtype is the precision the model computes in.
_MATRIX_PRODUCT_OPS = {"MatMul": "T", "BatchMatMul": "T",
                       "BatchMatMulV2": "T", "BatchMatMulV3": "Ta"}


def model_info(kind, vocab_file, do_lower_case, max_seq_length, **settings):
  """What turns text into a model's inputs and its outputs into answers.

  Args:
    kind: CLASSIFIER (run_classifier.py) or SQUAD (run_squad.py).
    vocab_file: path of the vocabulary the model was fine-tuned with; it is
      copied next to the model, not recorded by path.
    do_lower_case: bool, the casing the model was fine-tuned with.
    max_seq_length: int, tokens per input (the length the features were
      padded to, [CLS] and [SEP]s included).
    **settings: the kind's own, JSON-serialisable: for CLASSIFIER
      `task_name`, `labels` (label names in output order) and
      `is_regression`; for SQUAD `doc_stride`, `max_query_length`,
      `n_best_size`, `max_answer_length`, `version_2_with_negative` and
      `null_score_diff_threshold`.

  Returns:
    dict: `vocab_file` plus the JSON content of model_info.json
    (`format_version`, `kind`, `do_lower_case`, `max_seq_length` and the
    settings).
  """
  if kind not in (CLASSIFIER, SQUAD):
    raise ValueError("model_info: unknown kind %r" % (kind,))
  info = {"format_version": MODEL_INFO_VERSION, "kind": kind,
          "do_lower_case": bool(do_lower_case),
          "max_seq_length": int(max_seq_length)}
  info.update(settings)
  return dict(info, vocab_file=vocab_file)


def _precision_of_dtypes(dtypes):
  """fp32, or the reduced precision among `dtypes` (tf.DTypes)."""
  for dtype, precision in _PRECISION_OF_DTYPE.items():
    if dtype in dtypes:
      return precision
  return FP32


def graph_precision(graph):
  """The precision a serving graph computes in: "fp32", "bf16" or "fp16".

  Read from the graph itself, not from a flag: the input dtype of its matrix
  products. A model built with `compute_type=tf.bfloat16` runs the
  encoder's products in bfloat16 (the task head's stay float32); any
  reduced-precision product makes the graph that precision.

  Args:
    graph: a `tf.Graph`, e.g. the one a SavedModel was loaded into.

  Returns:
    str, one of estimator_runtime.PRECISIONS.
  """
  dtypes = set()
  for op in graph.get_operations():
    attr = _MATRIX_PRODUCT_OPS.get(op.type)
    if attr:
      dtypes.add(tf.as_dtype(op.get_attr(attr)))
  return _precision_of_dtypes(dtypes)


def saved_model_precision(export_dir):
  """The precision an exported SavedModel computes in, without loading it.

  `precision` of its assets.extra/model_info.json when recorded there, else
  read from the matrix products of its graph (an export without
  model_info.json, such as run_ner.py's, or one written before the key
  existed).

  Returns:
    str: "fp32", "bf16" or "fp16".

  Raises:
    UsageError: no readable saved_model.pb in `export_dir`.
  """
  info_path = os.path.join(export_dir, SAVED_MODEL_EXTRA_DIR,
                           MODEL_INFO_FILE)
  if tf.io.gfile.exists(info_path):
    with tf.io.gfile.GFile(info_path) as f:
      info = json.loads(f.read())
    if "precision" in info:
      return info["precision"]
  # Imported here: only this fallback needs the protocol buffer.
  from tensorflow.core.protobuf import saved_model_pb2  # pylint: disable=g-import-not-at-top
  path = os.path.join(export_dir, "saved_model.pb")
  saved_model = saved_model_pb2.SavedModel()
  try:
    with tf.io.gfile.GFile(path, "rb") as f:
      saved_model.ParseFromString(f.read())
  except (tf.errors.OpError, IOError, ValueError) as e:
    raise script_utils.UsageError("%s: not a readable SavedModel (%s)" %
                                  (path, script_utils.error_line(e)))
  dtypes = set()
  for meta_graph in saved_model.meta_graphs:
    nodes = list(meta_graph.graph_def.node)
    for function in meta_graph.graph_def.library.function:
      nodes.extend(function.node_def)
    for node in nodes:
      attr = _MATRIX_PRODUCT_OPS.get(node.op)
      if attr and attr in node.attr:
        dtypes.add(tf.as_dtype(node.attr[attr].type))
  return _precision_of_dtypes(dtypes)


def _write_model_info_files(directory, info, bert_config=None):
  """Writes vocab.txt, model_info.json (and bert_config.json), atomically.

  The vocabulary is copied byte for byte, so that the model's ids stay
  those of the file it was trained with.
  """
  with tf.io.gfile.GFile(info["vocab_file"], "rb") as reader:
    vocab = reader.read()
  content = {k: v for k, v in info.items() if k != "vocab_file"}
  with script_utils.atomic_output(os.path.join(directory, VOCAB_FILE),
                                  "wb") as writer:
    writer.write(vocab)
  with script_utils.atomic_output(os.path.join(directory,
                                               MODEL_INFO_FILE)) as writer:
    writer.write(json.dumps(content, indent=2, sort_keys=True) + "\n")
  if bert_config is not None:
    with script_utils.atomic_output(os.path.join(directory,
                                                 BERT_CONFIG_FILE)) as writer:
      writer.write(bert_config.to_json_string() + "\n")


def write_model_files(model_dir, bert_config, info):
  """Makes a fine-tuning output directory loadable on its own.

  Writes `vocab.txt`, `bert_config.json` and `model_info.json` into
  `model_dir`, next to the checkpoints, so that `predictor.load(model_dir)`
  needs no other argument. A directory trained before these files existed
  still loads when the missing values are passed explicitly.

  Args:
    model_dir: the fine-tuning --output_dir (created already).
    bert_config: `modeling.BertConfig` of the model.
    info: dict from `model_info`.
  """
  _write_model_info_files(model_dir, info, bert_config)


def define_export_flags(flag_values=flags.FLAGS):
  """Defines --export_dir for a script that can export its model."""
  flags.DEFINE_string(
      "export_dir", None,
      "If set, write a TensorFlow SavedModel for serving to this directory "
      "(which must not exist or be empty): the model trained in this run, "
      "else the latest checkpoint in --output_dir, else --init_checkpoint. "
      "Its serving_default signature takes int32 input_ids, input_mask and "
      "segment_ids of shape [batch_size, max_seq_length].",
      flag_values=flag_values)


def check_export_dir(export_dir, flag_name="export_dir"):
  """Refuses an export directory that already holds something.

  Scripts call this before training so that a long run does not end in a
  failed export.

  Raises:
    UsageError: when `export_dir` is a file or a non-empty directory.
  """
  if not export_dir:
    raise script_utils.UsageError("--%s is required" % flag_name)
  if not tf.io.gfile.exists(export_dir):
    return
  if not tf.io.gfile.isdir(export_dir):
    raise script_utils.UsageError("--%s=%s: exists and is not a directory" %
                                  (flag_name, export_dir))
  if tf.io.gfile.listdir(export_dir):
    raise script_utils.UsageError(
        "--%s=%s: directory exists and is not empty; choose a new one" %
        (flag_name, export_dir))


def checkpoint_for_export(model_dir, init_checkpoint):
  """The checkpoint that estimator.predict would use, for the export.

  That is the best checkpoint (`best_checkpoint.py`, --keep_best_by) when
  `model_dir` keeps one, else its latest checkpoint when there is one (a
  model trained now or by an earlier run), otherwise `init_checkpoint`.

  Raises:
    UsageError: when there is none.
  """
  best = best_checkpoint.best_checkpoint_path(model_dir)
  if best:
    return best
  latest = tf.train.latest_checkpoint(model_dir) if model_dir else None
  if latest:
    return latest
  if init_checkpoint:
    return init_checkpoint
  raise script_utils.UsageError(
      "--export_dir: nothing to export; no checkpoint in --output_dir=%s and "
      "no --init_checkpoint" % model_dir)


def serving_features(max_seq_length, synthesized_features=None):
  """Placeholders for the serving inputs plus the made-up extra features.

  Args:
    max_seq_length: int.
    synthesized_features: (optional) dict name -> (dtype, value); defaults to
      DEFAULT_SYNTHESIZED_FEATURES.

  Returns:
    (receivers, features): `receivers` maps each of SERVING_INPUTS to an
    int32 placeholder [batch_size, max_seq_length]; `features` holds those
    and every synthesised feature as a [batch_size] tensor filled with its
    value.
  """
  if synthesized_features is None:
    synthesized_features = DEFAULT_SYNTHESIZED_FEATURES
  receivers = {
      name: tf1.placeholder(tf.int32, [None, max_seq_length], name=name)
      for name in SERVING_INPUTS
  }
  features = dict(receivers)
  batch_size = tf.shape(receivers["input_ids"])[0]
  for name, (dtype, value) in sorted(synthesized_features.items()):
    if name not in features:
      features[name] = tf.fill([batch_size], tf.constant(value, dtype=dtype),
                               name="synthesized_" + name)
  return receivers, features


def _select_outputs(predictions, output_keys):
  """Picks the exported prediction tensors by name."""
  if not isinstance(predictions, dict):
    predictions = {"output": predictions}
  if output_keys is None:
    return dict(predictions)
  missing = [k for k in output_keys if k not in predictions]
  if missing:
    raise ValueError("model_fn has no prediction(s) %s; it has %s" %
                     (", ".join(missing), ", ".join(sorted(predictions))))
  return {k: predictions[k] for k in output_keys}


def _restore_all(sess, checkpoint_path, variables, what):
  """Restores every variable from the checkpoint, or explains what is wrong.

  A variable the checkpoint lacks would be exported with its random initial
  value, i.e. a model that serves noise; that is refused instead (typically
  a pre-trained checkpoint without the fine-tuned head). `what` starts the
  error messages (the flag or the call that asked for the weights).
  """
  try:
    reader = tf.train.load_checkpoint(checkpoint_path)
  except (tf.errors.OpError, ValueError) as e:
    raise script_utils.UsageError(
        "%s: %s is not a readable checkpoint (%s)" %
        (what, checkpoint_path, script_utils.error_line(e)))
  shapes = reader.get_variable_to_shape_map()
  var_list = {}
  missing = []
  for var in variables:
    name = var.op.name
    if name not in shapes:
      missing.append(name)
      continue
    if list(shapes[name]) != var.shape.as_list():
      raise script_utils.UsageError(
          "%s: variable %s has shape %s in checkpoint %s but the model "
          "needs %s" % (what, name, shapes[name], checkpoint_path,
                        var.shape.as_list()))
    var_list[name] = var
  if missing:
    raise script_utils.UsageError(
        "%s: checkpoint %s lacks %d of the model's variables (%s); "
        "use a fine-tuned checkpoint (train with --do_train, or point "
        "--init_checkpoint at a fine-tuned model)" %
        (what, checkpoint_path, len(missing), ", ".join(missing[:3]) +
         (", ..." if len(missing) > 3 else "")))
  tf1.train.Saver(var_list=var_list).restore(sess, checkpoint_path)


def serving_session(model_fn, max_seq_length, checkpoint_path,
                    output_keys=None, params=None, synthesized_features=None,
                    what="--export_dir"):
  """`model_fn`'s PREDICT graph on placeholders, weights restored.

  The graph a SavedModel export writes, here also run directly (as
  `predictor.load` does for a checkpoint directory).

  Args:
    model_fn, max_seq_length, checkpoint_path, output_keys, params,
      synthesized_features: as for `export_saved_model`.
    what: the flag or call the weights are for, starting error messages.

  Returns:
    (session, receivers, outputs): a `tf.compat.v1.Session` on a new graph,
    every variable restored from `checkpoint_path`; `receivers` maps each
    of SERVING_INPUTS to its int32 [batch_size, max_seq_length]
    placeholder; `outputs` the chosen prediction tensors by name. The
    caller closes the session.

  Raises:
    UsageError: for an unusable checkpoint (unreadable, lacking one of the
      model's variables, or holding one with another shape).
  """
  graph = tf.Graph()
  with graph.as_default():
    receivers, features = serving_features(max_seq_length,
                                           synthesized_features)
    spec = model_fn(features=features, labels=None,
                    mode=estimator_runtime.ModeKeys.PREDICT,
                    params=dict(params or {}))
    outputs = _select_outputs(spec.predictions, output_keys)
    sess = tf1.Session(graph=graph)
    try:
      sess.run([tf1.global_variables_initializer(),
                tf1.local_variables_initializer(),
                tf1.tables_initializer()])
      _restore_all(sess, checkpoint_path, tf1.global_variables(), what)
    except BaseException:
      sess.close()
      raise
  return sess, receivers, outputs


def export_saved_model(model_fn, export_dir, max_seq_length, checkpoint_path,
                       output_keys=None, params=None,
                       synthesized_features=None, model_info=None):
  """Writes a SavedModel of `model_fn`'s predictions with `checkpoint_path`.

  Args:
    model_fn: an Estimator or TPUEstimator model_fn (features, labels, mode,
      params) whose PREDICT mode reads `input_ids`, `input_mask`,
      `segment_ids` and, optionally, synthesised features such as
      `unique_ids` or `label_ids` (see DEFAULT_SYNTHESIZED_FEATURES).
    export_dir: directory to create; it must not exist or be empty. The
      SavedModel lands directly in it (no timestamped subdirectory).
    max_seq_length: int, the sequence length the signature accepts.
    checkpoint_path: checkpoint prefix holding every model variable
      (see checkpoint_for_export).
    output_keys: (optional) list of prediction names to expose, e.g.
      ["probabilities"]; default all of them.
    params: (optional) dict passed to model_fn as `params`.
    synthesized_features: (optional) dict name -> (dtype, value) replacing
      DEFAULT_SYNTHESIZED_FEATURES.
    model_info: (optional) dict from `model_info`; its vocabulary and
      model_info.json are written to `assets.extra/` in the SavedModel,
      which then loads with `predictor.load(export_dir)` alone. A model_fn
      computing in reduced precision (its compute_type, a script's
      --precision=bf16) adds `"precision": "bf16"` (or "fp16") to it;
      the outputs stay float32 either way (`saved_model_precision` reads
      the precision back).

  Returns:
    export_dir.

  Raises:
    UsageError: for an occupied export_dir or an unusable checkpoint.
  """
  check_export_dir(export_dir)
  export_dir = export_dir.rstrip("/")
  parent = os.path.dirname(export_dir)
  # The directories made for the export, removed again if it fails: a
  # refused export leaves nothing behind, not even an empty directory.
  made = []
  while parent and not tf.io.gfile.exists(parent):
    made.append(parent)
    parent = os.path.dirname(parent)
  for directory in reversed(made):
    tf.io.gfile.mkdir(directory)
  # Built beside the target and renamed into place at the end, so that a
  # failure never leaves a half-written SavedModel under export_dir.
  tmp_dir = script_utils.temporary_name(export_dir)

  exported = False
  try:
    sess, receivers, outputs = serving_session(
        model_fn, max_seq_length, checkpoint_path, output_keys, params,
        synthesized_features)
    # What the graph computes in, whatever built it (a script's
    # --precision gives model_fn its compute_type).
    precision = graph_precision(sess.graph)
    with sess, sess.graph.as_default():
      signature = tf1.saved_model.signature_def_utils.predict_signature_def(
          inputs=receivers, outputs=outputs)
      builder = tf1.saved_model.Builder(tmp_dir)
      builder.add_meta_graph_and_variables(
          sess, [tf1.saved_model.tag_constants.SERVING],
          signature_def_map={SIGNATURE_KEY: signature},
          main_op=tf1.tables_initializer(),
          strip_default_attrs=True)
      builder.save()
    if model_info is not None:
      if precision != FP32:
        # Recorded only when reduced: a model_info.json without the key
        # is fp32, as every export made before the key existed.
        model_info = dict(model_info, precision=precision)
      extra_dir = os.path.join(tmp_dir, SAVED_MODEL_EXTRA_DIR)
      tf.io.gfile.makedirs(extra_dir)
      _write_model_info_files(extra_dir, model_info)

    if tf.io.gfile.exists(export_dir):
      tf.io.gfile.rmtree(export_dir)  # empty, as checked above
    tf.io.gfile.rename(tmp_dir, export_dir)
    exported = True
  finally:
    if tf.io.gfile.exists(tmp_dir):
      tf.io.gfile.rmtree(tmp_dir)
    if not exported:
      for directory in made:  # innermost first; only if still empty
        if tf.io.gfile.exists(directory) and not tf.io.gfile.listdir(
            directory):
          tf.io.gfile.rmtree(directory)

  tf1.logging.info("Exported SavedModel of %s to %s (outputs: %s; "
                   "computing in %s)", checkpoint_path, export_dir,
                   ", ".join(sorted(outputs)), precision)
  return export_dir
