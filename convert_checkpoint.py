# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Converts BERT checkpoints between Google's layout and Hugging Face's,
and cuts smaller models (some of the layers) out of larger ones.

Design note. The two layouts hold the same numbers under other names:

  Google (released)                   Hugging Face
  bert_config.json (11 keys)          config.json
  vocab.txt                           vocab.txt (transformers 5: only the
                                      WordPiece vocab in tokenizer.json)
  bert_model.ckpt.{index,data,meta}   model.safetensors (or shards + index)
  (casing: a flag of every script)    tokenizer_config.json "do_lower_case"

One table (`hf_format.variable_table`) pairs every checkpoint variable with its
state-dict key, its shape (from the config) and whether it is a dense kernel,
stored [in, out] here and [out, in] by PyTorch's Linear, hence transposed.
The `output_weights` of the heads are already [out, in] on both sides. Both
directions read the whole source into memory, check it against the table
(every expected tensor present, every shape right, nothing left over), and
only then write, into a temporary directory whose files are moved into
--output_dir at the end: bad input leaves nothing behind. Values are copied
(or transposed) bit for bit, so a round trip gives identical tensors.

What cannot be represented exactly is refused with one line naming the key:
another model type, relative position embeddings, a decoder, an activation
the encoder lacks, a layer-norm epsilon other than 1e-12, an untied output
embedding, tensors beyond the config's layers. Activation names differ
between the two worlds: Google's "gelu" is the tanh approximation (HF
"gelu_new" / "gelu_pytorch_tanh"), HF's "gelu" is the exact erf form
(`modeling.gelu_exact`, "gelu_exact" here).

Heads: the pre-training heads (cls/predictions, cls/seq_relationship), the
run_classifier head (output_weights/output_bias <-> classifier.*) and the
run_squad head (cls/squad/* <-> qa_outputs.*). The classifier's label names
travel in config.json (id2label) on the HF side and in labels.txt on ours;
--task_name or --label_names name them (and put an HF head's rows into the
order run_classifier's task expects). Optimizer slots and global_step are
training state, not model, and are left out.

Smaller models. --keep_layers (`layers_to_keep`, `select_layers`) keeps
some encoder layers of the model read, in any direction: layer i of the
list becomes layer_i, the written config says the new num_hidden_layers,
embeddings, pooler and heads stay, values unchanged. google_to_google
writes the result in the released layout (`google_to_google`): a student
to fine-tune or distill into, which every script reads as it reads a
released model. It reads the heads no Hugging Face class has (run_ner's)
too, carrying them over as they are.

Only `safetensors` (its NumPy API) is needed; nothing is downloaded.
"""

import collections
import json
import numbers
import os
import re
import uuid

# First of all: it imports TensorFlow keeping its own messages out of the
# default log (shown with -v 1).
import tf_quiet  # pylint: disable=unused-import,g-bad-import-order
from absl import flags
import numpy as np
import safetensors.numpy
import tensorflow as tf

import classifier_data
import modeling
# The Hugging Face side and the name table, importable from here as before.
from hf_format import (  # pylint: disable=unused-import
    ARCHITECTURES, CLASSIFIER, GOOGLE_CHECKPOINT, GOOGLE_CONFIG,
    GOOGLE_TO_HF_ACT, HEAD_NAMES, HF_CONFIG, HF_TO_GOOGLE_ACT, HF_WEIGHTS,
    HF_WEIGHTS_INDEX, LABELS_FILE, LAYER_NORM_EPS, MLM, MULTI_LABEL, NSP,
    PROBLEM_TYPE_FILE, SQUAD,
    TOKENIZER_CONFIG, TOKENIZER_JSON, VOCAB, Model, Pair, as_float32,
    bert_config_from_hf, check_heads, default_tokenizer_config, first_line,
    heads_of, hf_config_for, read_hf_dir, read_hf_tensors,
    read_tokenizer_config, read_vocab, require_file, variable_table)
import script_settings
import script_utils
from script_utils import UsageError

tf1 = tf.compat.v1

FLAGS = flags.FLAGS

DIRECTIONS = ("hf_to_google", "google_to_hf", "google_to_google")

# Checkpoint entries that are training state (optimizer slots, step count).
_TRAINING_STATE = re.compile(r"(^global_step$|/adam_[mv]$)")



def define_flags(flag_values=flags.FLAGS):
  """Defines the script's flags on `flag_values` (only when run as a
  script, or by `script_settings.defaults`)."""
  define = script_utils.flag_definers(flag_values)
  define.enum(
      "direction", None, list(DIRECTIONS),
      "hf_to_google: a Hugging Face directory (config.json, "
      "model.safetensors, vocab.txt, tokenizer_config.json) to Google's "
      "layout (bert_config.json, vocab.txt, bert_model.ckpt); google_to_hf: "
      "the reverse; google_to_google: any checkpoint of the scripts to a "
      "released-style directory (optimizer slots and global_step left "
      "out), e.g. with --keep_layers for a smaller student model.")
  define.string("input_dir", None, "Directory of the model to convert.")
  define.string(
      "output_dir", None,
      "Directory to write; created if needed. It must not already hold a "
      "model: converting never overwrites one.")
  define.string(
      "checkpoint", None,
      "google_to_hf only: the checkpoint to read, when --input_dir holds "
      "several or names it otherwise: a prefix such as model.ckpt-1000 "
      "(relative to --input_dir, or a path), or a directory whose newest "
      "checkpoint is taken (e.g. a run_classifier --output_dir). Default: "
      "bert_model.ckpt, else the newest checkpoint in --input_dir.")
  define.bool(
      "do_lower_case", None,
      "Casing of the tokenizer. Default: tokenizer_config.json's "
      "do_lower_case where the input has one, else True. Given, it must "
      "agree with that file.")
  define.string(
      "task_name", None,
      "run_classifier task (e.g. mnli) whose labels name the classifier "
      "head; hf_to_google also reorders the head's rows into that task's "
      "label order when the model's id2label names the same labels.")
  define.string(
      "label_names", None,
      "Comma-separated label names of the classifier head, in the order of "
      "its rows on the Google side (instead of --task_name).")
  define.string(
      "keep_layers", None,
      "Keep only some encoder layers (a smaller model, e.g. a student to "
      "distill into): N keeps the first N; a comma-separated list of "
      "0-based indices in increasing order (0,2,5; one layer alone: 3,) "
      "keeps those, renumbered layer_0, layer_1, ... Embeddings, pooler and "
      "heads are kept. Any --direction; default: all layers.")


# ----------------------------------------------------------------------------
# Reading Google's layout (Hugging Face's: hf_format.read_hf_dir)
# ----------------------------------------------------------------------------


def find_checkpoint(input_dir, checkpoint=None):
  """The checkpoint prefix to read on the Google side.

  Args:
    input_dir: the --input_dir.
    checkpoint: (optional) --checkpoint: a prefix (relative to input_dir or
      a path) or a directory (its newest checkpoint).

  Returns:
    The checkpoint prefix.

  Raises:
    UsageError: when there is none, or several and none is named.
  """
  if checkpoint:
    for path in (os.path.join(input_dir, checkpoint), checkpoint):
      if tf.io.gfile.isdir(path):
        latest = tf.train.latest_checkpoint(path)
        if latest:
          return latest
      elif tf.io.gfile.exists(path + ".index"):
        return path
    raise UsageError("--checkpoint=%s: no checkpoint there (neither a "
                     "prefix with a .index file nor a directory holding "
                     "one), relative to --input_dir or as given" % checkpoint)
  released = os.path.join(input_dir, GOOGLE_CHECKPOINT)
  if tf.io.gfile.exists(released + ".index"):
    return released
  latest = tf.train.latest_checkpoint(input_dir)
  if latest:
    return latest
  found = sorted(tf.io.gfile.glob(os.path.join(input_dir, "*.index")))
  if len(found) == 1:
    return found[0][:-len(".index")]
  if found:
    raise UsageError("--input_dir=%s holds several checkpoints (%s); name one "
                     "with --checkpoint" %
                     (input_dir, ", ".join(os.path.basename(f)[:-6]
                                           for f in found)))
  raise UsageError("--input_dir=%s: no %s.index (nor any other checkpoint; "
                   "name one with --checkpoint)" % (input_dir,
                                                    GOOGLE_CHECKPOINT))


def read_google_dir(input_dir, checkpoint=None, for_hf=True):
  """Reads and checks a Google-layout model (any checkpoint of the scripts).

  Args:
    input_dir: directory of bert_config.json, vocab.txt and (unless
      `checkpoint` says otherwise) the checkpoint.
    checkpoint: (optional) as `find_checkpoint`'s.
    for_hf: whether the model is to become a Hugging Face one. When False
      (Google to Google), heads no HF class has (run_ner's ner/..., several
      heads together) are read too, as they are.

  Returns:
    `Model`.

  Raises:
    UsageError: a missing file or checkpoint, a variable whose shape
      disagrees with bert_config.json, a variable with no HF counterpart
      (`for_hf`) or an encoder variable the config does not explain.
  """
  config_path = require_file(input_dir, GOOGLE_CONFIG)
  config = script_utils.load_bert_config(config_path)
  vocab_bytes, vocab = read_vocab(input_dir, config, config_path)
  prefix = find_checkpoint(input_dir, checkpoint)
  try:
    reader = tf.train.load_checkpoint(prefix)
  except (tf.errors.OpError, ValueError) as e:
    raise UsageError("%s: not a readable checkpoint (%s)" %
                     (prefix, first_line(e)))
  shapes = reader.get_variable_to_shape_map()
  names = [n for n in shapes if not _TRAINING_STATE.search(n)]
  ignored = len(shapes) - len(names)
  heads = heads_of(names, hf=False)
  if for_hf:
    check_heads(heads, prefix)
  num_labels = None
  if CLASSIFIER in heads and "output_weights" in shapes:
    num_labels = int(shapes["output_weights"][0])
  with_pooler = "bert/pooler/dense/kernel" in shapes
  table = variable_table(config, heads, num_labels, with_pooler=with_pooler)

  weights = collections.OrderedDict()
  for pair in table:
    if pair.google not in shapes:
      raise UsageError("%s: missing variable %s" % (prefix, pair.google))
    if tuple(shapes[pair.google]) != tuple(pair.shape):
      raise UsageError("%s: %s has shape %s but %s implies %s" %
                       (prefix, pair.google, list(shapes[pair.google]),
                        config_path, list(pair.shape)))
    weights[pair.google] = as_float32(pair.google,
                                       reader.get_tensor(pair.google), prefix)
  for name in sorted(set(names) - set(weights)):
    match = re.match(r"bert/encoder/layer_(\d+)/", name)
    if match and int(match.group(1)) >= config.num_hidden_layers:
      raise UsageError("%s: %s is beyond num_hidden_layers=%d of %s" %
                       (prefix, name, config.num_hidden_layers, config_path))
    if not for_hf and not name.startswith("bert/"):
      # Another task's head (run_ner's ner/...): carried over unchanged.
      weights[name] = as_float32(name, reader.get_tensor(name), prefix)
      continue
    raise UsageError("%s: %s has no counterpart in the %s" %
                     (prefix, name, "Hugging Face layout" if for_hf else
                      "BERT encoder of %s" % config_path))
  tf1.logging.info("Read %d variables from %s (left out %d of training "
                   "state: optimizer slots, global_step)", len(weights),
                   prefix, ignored)
  return Model(config=config, weights=weights, heads=heads,
               with_pooler=with_pooler, vocab_bytes=vocab_bytes, vocab=vocab,
               tokenizer_config=read_tokenizer_config(input_dir),
               num_labels=num_labels,
               labels=_read_labels_file(input_dir, num_labels), source=prefix,
               problem_type=_read_problem_type(input_dir, num_labels))


def _model_info(input_dir):
  """model_info.json of a fine-tuning directory as a dict ({} if none)."""
  path = os.path.join(input_dir, "model_info.json")
  if not tf.io.gfile.exists(path):
    return {}
  try:
    info = json.loads(script_utils.read_text(path))
  except ValueError as e:
    raise UsageError("%s: not valid JSON (%s)" % (path, first_line(e)))
  return info if isinstance(info, dict) else {}


def _read_problem_type(input_dir, num_labels):
  """MULTI_LABEL when the classifier head is multi-label, else None.

  A fine-tuning directory says so in model_info.json (`multi_label`); a
  converted one in problem_type.txt.
  """
  if not num_labels:
    return None
  if _model_info(input_dir).get("multi_label"):
    return MULTI_LABEL
  path = os.path.join(input_dir, PROBLEM_TYPE_FILE)
  if tf.io.gfile.exists(path):
    value = script_utils.read_text(path).strip()
    if value != MULTI_LABEL:
      raise UsageError("%s: %r is not a problem type this converter knows "
                       "(%s)" % (path, value, MULTI_LABEL))
    return MULTI_LABEL
  return None


def _read_labels_file(input_dir, num_labels):
  """labels.txt (one name per classifier row), or None where there is none."""
  path = os.path.join(input_dir, LABELS_FILE)
  if not num_labels:
    return None
  if not tf.io.gfile.exists(path):
    # A fine-tuning directory names its labels in model_info.json.
    labels = _model_info(input_dir).get("labels")
    if (isinstance(labels, list) and len(labels) == num_labels and
        all(isinstance(label, str) for label in labels)):
      return labels
    return None
  labels = [line.strip() for line in script_utils.read_text_lines(path)]
  labels = [label for label in labels if label]
  if len(labels) != num_labels:
    raise UsageError("%s names %d labels but the classifier head has %d" %
                     (path, len(labels), num_labels))
  return labels


# ----------------------------------------------------------------------------
# Casing and labels
# ----------------------------------------------------------------------------


def resolve_do_lower_case(tokenizer_config, do_lower_case, source):
  """The casing to write, from tokenizer_config.json and/or the flag.

  Raises:
    UsageError: when they disagree, or the tokenizer settings are ones the
      scripts' tokenizer cannot follow.
  """
  from_file = None
  if tokenizer_config is not None:
    from_file = tokenizer_config.get("do_lower_case")
    tokenizer_class = tokenizer_config.get("tokenizer_class")
    if tokenizer_class not in (None, "BertTokenizer", "BertTokenizerFast"):
      raise UsageError("%s: tokenizer_class=%s; the scripts tokenize like "
                       "BertTokenizer only" % (source, tokenizer_class))
    for key in ("tokenize_chinese_chars", "do_basic_tokenize"):
      if tokenizer_config.get(key, True) is False:
        raise UsageError("%s: %s=false; the scripts' tokenizer always "
                         "splits words, punctuation and CJK characters first"
                         % (source, key))
  if from_file is not None and do_lower_case is not None and \
      bool(from_file) != bool(do_lower_case):
    raise UsageError("--do_lower_case=%s contradicts %s do_lower_case=%s" %
                     (do_lower_case, source, from_file))
  if do_lower_case is not None:
    lower = bool(do_lower_case)
  elif from_file is not None:
    lower = bool(from_file)
  else:
    lower = True
    tf1.logging.warning("No do_lower_case given or found; assuming True "
                        "(uncased). Pass --do_lower_case=False for a cased "
                        "model.")
  if tokenizer_config is not None:
    strip_accents = tokenizer_config.get("strip_accents")
    if strip_accents is not None and bool(strip_accents) != lower:
      raise UsageError("%s: strip_accents=%s with do_lower_case=%s; the "
                       "scripts' tokenizer strips accents exactly when it "
                       "lower-cases" % (source, strip_accents, lower))
  return lower


def _task_labels(task_name):
  """run_classifier's label list for a task (None for a regression task)."""
  labels = classifier_data.get_processor(task_name).get_labels()
  if classifier_data.is_regression_label_list(labels):
    return None
  return [str(label) for label in labels]


def _is_generic(labels):
  return labels == ["LABEL_%d" % i for i in range(len(labels))]


def resolve_labels(model, task_name=None, label_names=None):
  """The classifier's rows and label names, as --task_name/--label_names ask.

  Without the flags the model's own names stay. With them, a model whose
  names are the same set in another order gets its output_weights rows and
  output_bias entries permuted into the flags' order (exact: a permutation);
  unnamed rows (LABEL_i, or no labels.txt) take the flags' names in order.

  Args:
    model: `Model` from either reader.
    task_name: (optional) a run_classifier task; its labels.
    label_names: (optional) comma-separated names.

  Returns:
    (weights, labels): weights under Google names, and the label names in
    row order (None for a regression head or a model without a classifier).

  Raises:
    UsageError: flags that cannot name this head.
  """
  if not (task_name or label_names):
    return model.weights, model.labels
  if task_name and label_names:
    raise UsageError("give --task_name or --label_names, not both")
  flag = "--task_name=%s" % task_name if task_name else "--label_names"
  if CLASSIFIER not in model.heads:
    raise UsageError("%s: the model has no classification head to name" %
                     flag)
  if task_name:
    wanted = _task_labels(task_name)
  else:
    wanted = [name.strip() for name in label_names.split(",")]
  if wanted is None:  # A regression task: one output, no names.
    if model.num_labels != 1:
      raise UsageError("%s is a regression task but the classifier head has "
                       "%d outputs" % (flag, model.num_labels))
    return model.weights, None
  if len(wanted) != model.num_labels:
    raise UsageError("%s names %d labels but the classifier head has %d" %
                     (flag, len(wanted), model.num_labels))
  labels = model.labels
  if labels is None or _is_generic(labels):
    tf1.logging.info("The model's labels are unnamed; row i becomes %s "
                     "label i: %s", flag, wanted)
    return model.weights, list(wanted)
  by_name = {label.lower(): i for i, label in enumerate(labels)}
  if sorted(by_name) != sorted(name.lower() for name in wanted):
    raise UsageError("%s names the labels %s but the model's are %s" %
                     (flag, ", ".join(wanted), ", ".join(labels)))
  order = [by_name[name.lower()] for name in wanted]
  weights = collections.OrderedDict(model.weights)
  for name in ("output_weights", "output_bias"):
    weights[name] = np.ascontiguousarray(weights[name][order])
  if order != list(range(len(order))):
    tf1.logging.info("Classifier rows reordered from %s to %s", labels,
                     wanted)
  return weights, list(wanted)


def _matching_tasks(labels):
  """The run_classifier tasks whose labels are exactly `labels`, sorted.

  Several tasks share a label list (sst-2, mrpc, qqp, wnli, cola all use
  0/1), so all of them are named: the labels cannot tell which one a model
  was fine-tuned on.
  """
  return [name for name in sorted(classifier_data.PROCESSORS)
          if [str(label) for label in
              classifier_data.get_processor(name).get_labels()] ==
          list(labels)]


# ----------------------------------------------------------------------------
# Keeping some layers (a smaller student model)
# ----------------------------------------------------------------------------


_LAYER_NAME = re.compile(r"^bert/encoder/layer_(\d+)/(.*)$")


def _keep_layers_text(keep_layers):
  """How the --keep_layers value is spelled in messages."""
  if isinstance(keep_layers, (list, tuple)):
    return ",".join(str(i) for i in keep_layers)
  return str(keep_layers).strip()


def _as_index(text, flag):
  """An int from the flag's text, or an integer of a Python list."""
  if isinstance(text, numbers.Integral) and not isinstance(text, bool):
    return int(text)
  try:
    if not isinstance(text, str):
      raise ValueError(text)
    return int(text)
  except ValueError:
    raise UsageError("%s: %r is not a layer index (expected N, the number "
                     "of first layers to keep, or 0-based indices such as "
                     "0,2,5)" % (flag, text))


def layers_to_keep(keep_layers, num_layers, source="bert_config.json"):
  """The 0-based layers that --keep_layers names, in increasing order.

  Args:
    keep_layers: an int N (the first N layers), a string as the flag takes
      it ("4" = the first four; "0,2,5" = those three; "3," = layer 3
      alone) or a list of 0-based indices.
    num_layers: int, num_hidden_layers of the model being cut.
    source: the config's path, for messages.

  Returns:
    list of int, increasing, each in [0, num_layers).

  Raises:
    UsageError: N < 1 or N > num_layers; an index that is not an integer,
      out of range, repeated or out of increasing order.
  """
  flag = "--keep_layers=%s" % _keep_layers_text(keep_layers)
  if isinstance(keep_layers, bool):
    raise UsageError("%s: expected a number of layers or a list of layer "
                     "indices" % flag)
  if isinstance(keep_layers, str) and "," not in keep_layers:
    keep_layers = _as_index(keep_layers.strip(), flag)
  if isinstance(keep_layers, numbers.Integral):
    keep_layers = int(keep_layers)
    if keep_layers < 1:
      raise UsageError("%s: keep at least one layer" % flag)
    if keep_layers > num_layers:
      raise UsageError("%s: the model has only %d layers (%s "
                       "num_hidden_layers)" % (flag, num_layers, source))
    return list(range(keep_layers))
  if isinstance(keep_layers, str):
    items = keep_layers.strip()
    # "3," is the list holding layer 3 alone (plain "3" keeps three).
    items = items[:-1] if items.endswith(",") else items
    indices = [_as_index(item.strip(), flag) for item in items.split(",")]
  elif isinstance(keep_layers, (list, tuple, range)):
    indices = [_as_index(item, flag) for item in keep_layers]
  else:
    raise UsageError("%s: expected a number of layers or a list of layer "
                     "indices" % flag)
  if not indices:
    raise UsageError("%s: keep at least one layer" % flag)
  for position, index in enumerate(indices):
    if not 0 <= index < num_layers:
      raise UsageError("%s: index %d is out of range for a model with %d "
                       "layers (valid: 0..%d)" % (flag, index, num_layers,
                                                  num_layers - 1))
    if index in indices[:position]:
      raise UsageError("%s: layer %d is named twice" % (flag, index))
    if position and index < indices[position - 1]:
      raise UsageError("%s: list the layers in increasing order (the "
                       "encoder runs them in that order)" % flag)
  return indices


def select_layers(model, layers):
  """The model with only `layers` of its encoder, renumbered from 0.

  Layer `layers[j]` of the source becomes layer_j; its tensors are the
  source's own arrays, unchanged. Embeddings, pooler and heads stay; the
  config says len(layers) layers, all else as before.

  Args:
    model: `Model` from either reader.
    layers: list of 0-based layer indices, increasing (`layers_to_keep`).

  Returns:
    `Model`.
  """
  new_index = {old: new for new, old in enumerate(layers)}
  weights = collections.OrderedDict()
  for name, value in model.weights.items():
    match = _LAYER_NAME.match(name)
    if not match:
      weights[name] = value
    elif int(match.group(1)) in new_index:
      weights["bert/encoder/layer_%d/%s" % (new_index[int(match.group(1))],
                                            match.group(2))] = value
  config_dict = model.config.to_dict()
  config_dict["num_hidden_layers"] = len(layers)
  config = modeling.BertConfig.from_dict(config_dict)
  tf1.logging.info("Keeping %d of %d layers: %s (now layer_0..layer_%d)",
                   len(layers), model.config.num_hidden_layers, layers,
                   len(layers) - 1)
  task_heads = set(model.heads) & {CLASSIFIER, SQUAD}
  if task_heads and len(layers) < model.config.num_hidden_layers:
    tf1.logging.warning("The %s head was trained on all %d layers; fine-tune "
                        "the smaller model before using it for predictions",
                        " and ".join(HEAD_NAMES[h] for h in sorted(
                            task_heads)), model.config.num_hidden_layers)
  return model._replace(config=config, weights=weights)


def _apply_keep_layers(model, keep_layers, source):
  """`select_layers` as --keep_layers asks (the model itself when unset)."""
  if keep_layers is None or keep_layers == "":
    return model
  layers = layers_to_keep(keep_layers, model.config.num_hidden_layers,
                          source)
  return select_layers(model, layers)


# ----------------------------------------------------------------------------
# Writing
# ----------------------------------------------------------------------------


def check_output_dir(output_dir, names):
  """Refuses an output directory that already holds a model.

  Args:
    output_dir: the --output_dir.
    names: the file names the conversion writes.

  Raises:
    UsageError: a path that is a file, or a directory holding any of
      `names`, a checkpoint or safetensors weights.
  """
  if not output_dir:
    raise UsageError("--output_dir is required")
  if not tf.io.gfile.exists(output_dir):
    return
  if not tf.io.gfile.isdir(output_dir):
    raise UsageError("--output_dir=%s: exists and is not a directory" %
                     output_dir)
  present = set(tf.io.gfile.listdir(output_dir))
  clashes = sorted(name for name in present if name.rstrip("/") in names or
                   name.endswith(".index") or name == "checkpoint" or
                   name.endswith(".safetensors"))
  if clashes:
    raise UsageError("--output_dir=%s already holds %s; converting never "
                     "overwrites a model, choose a new directory" %
                     (output_dir, ", ".join(clashes)))


def _remove_tree(path):
  if tf.io.gfile.exists(path):
    tf.io.gfile.rmtree(path)


def write_directory(output_dir, write_files):
  """Writes files into a temporary sibling, then moves them into output_dir.

  Args:
    output_dir: the final directory (created if needed).
    write_files: function(tmp_dir) that writes every file into tmp_dir.

  Returns:
    Sorted list of the file names written.
  """
  tmp_dir = "%s.tmp-%s" % (output_dir.rstrip("/"), uuid.uuid4().hex[:8])
  try:
    tf.io.gfile.makedirs(tmp_dir)
    write_files(tmp_dir)
    names = sorted(tf.io.gfile.listdir(tmp_dir))
    tf.io.gfile.makedirs(output_dir)
    for name in names:
      tf.io.gfile.rename(os.path.join(tmp_dir, name),
                         os.path.join(output_dir, name), overwrite=False)
    return names
  finally:
    _remove_tree(tmp_dir)


def write_tf_checkpoint(weights, prefix):
  """Saves name -> ndarray as a checkpoint with tf.compat.v1.train.Saver.

  The values are fed, not baked into the graph as constants, so a large
  model needs its weights in memory once, not three times.

  Args:
    weights: dict of variable name -> float32 ndarray.
    prefix: checkpoint prefix, e.g. DIR/bert_model.ckpt.
  """
  with tf.Graph().as_default():
    variables, assigns, feeds = [], [], {}
    for name, value in weights.items():
      var = tf1.get_variable(name, shape=value.shape, dtype=tf.float32,
                             initializer=tf1.zeros_initializer(),
                             trainable=False)
      placeholder = tf1.placeholder(tf.float32, value.shape)
      assigns.append(tf1.assign(var, placeholder))
      feeds[placeholder] = value
      variables.append(var)
    saver = tf1.train.Saver(variables)
    with tf1.Session() as sess:
      sess.run(tf1.global_variables_initializer())
      sess.run(assigns, feed_dict=feeds)
      # No "checkpoint" state file: a released directory has none.
      saver.save(sess, prefix, write_state=False)


def _write_text(path, text):
  with tf.io.gfile.GFile(path, "w") as writer:
    writer.write(text)


def _write_json(path, value):
  _write_text(path, json.dumps(value, indent=2, sort_keys=True) + "\n")


def _write_bytes(path, data):
  with tf.io.gfile.GFile(path, "wb") as writer:
    writer.write(data)


def _log_casing(lower):
  tf1.logging.info("Casing: do_lower_case=%s; pass --do_lower_case=%s to "
                   "create_pretraining_data.py, run_classifier.py, "
                   "run_squad.py and extract_features.py", lower, lower)


# What a Google-layout output directory may hold.
_GOOGLE_FILES = [GOOGLE_CONFIG, VOCAB, TOKENIZER_CONFIG, LABELS_FILE,
                 PROBLEM_TYPE_FILE]


def _write_google_dir(output_dir, model, weights, labels, tokenizer_config):
  """Writes a released-style directory (all at once, or nothing).

  bert_config.json, vocab.txt, bert_model.ckpt.{index,data-*,meta},
  tokenizer_config.json (when `tokenizer_config` is not None), labels.txt
  (when `labels` is not None) and problem_type.txt (multi-label heads).

  Returns:
    Sorted list of the file names written.
  """

  def write_files(tmp_dir):
    _write_text(os.path.join(tmp_dir, GOOGLE_CONFIG),
                model.config.to_json_string())
    _write_bytes(os.path.join(tmp_dir, VOCAB), model.vocab_bytes)
    if tokenizer_config is not None:
      _write_json(os.path.join(tmp_dir, TOKENIZER_CONFIG), tokenizer_config)
    if labels is not None:
      _write_text(os.path.join(tmp_dir, LABELS_FILE),
                  "".join(label + "\n" for label in labels))
    if model.problem_type == MULTI_LABEL:
      _write_text(os.path.join(tmp_dir, PROBLEM_TYPE_FILE),
                  MULTI_LABEL + "\n")
    write_tf_checkpoint(weights, os.path.join(tmp_dir, GOOGLE_CHECKPOINT))

  names = write_directory(output_dir, write_files)
  tf1.logging.info("Wrote %s: %d variables, %d layers, heads: %s, "
                   "hidden_act=%s", output_dir, len(weights),
                   model.config.num_hidden_layers,
                   ", ".join(HEAD_NAMES[h] for h in sorted(model.heads)) or
                   "none", model.config.hidden_act)
  if labels is not None:
    tasks = _matching_tasks(labels)
    tf1.logging.info("Classifier labels (row order): %s%s", labels,
                     "; the label order of run_classifier --task_name=%s" %
                     "|".join(tasks) if tasks else "")
  return names


def hf_to_google(input_dir, output_dir, do_lower_case=None, task_name=None,
                 label_names=None, keep_layers=None):
  """Converts an HF BERT directory into Google's released layout.

  Writes bert_config.json, vocab.txt, bert_model.ckpt.{index,data-*,meta},
  tokenizer_config.json (the casing) and, for a classifier, labels.txt.
  `keep_layers` (optional) keeps only some layers: see `layers_to_keep`.

  Returns:
    Sorted list of the file names written.

  Raises:
    UsageError: for anything the reader refuses, or an output directory
      that already holds a model; nothing is written then.
  """
  check_output_dir(output_dir, _GOOGLE_FILES)
  model = read_hf_dir(input_dir)
  model = _apply_keep_layers(model, keep_layers,
                             os.path.join(input_dir, HF_CONFIG))
  weights, labels = resolve_labels(model, task_name, label_names)
  tokenizer_source = os.path.join(input_dir, TOKENIZER_CONFIG)
  lower = resolve_do_lower_case(model.tokenizer_config, do_lower_case,
                                tokenizer_source)
  tokenizer_config = dict(model.tokenizer_config or {})
  tokenizer_config["do_lower_case"] = lower

  if not model.with_pooler:
    tf1.logging.warning("The model has no pooler (Hugging Face's masked-LM "
                        "and question-answering models have none): "
                        "bert/pooler is left out of the checkpoint.")

  names = _write_google_dir(output_dir, model, weights, labels,
                            tokenizer_config)
  _log_casing(lower)
  return names


def google_to_hf(input_dir, output_dir, checkpoint=None, do_lower_case=None,
                 task_name=None, label_names=None, keep_layers=None):
  """Converts a Google-layout model (any checkpoint of the scripts) to HF.

  Writes config.json (with id2label for a classifier), model.safetensors,
  vocab.txt and tokenizer_config.json. Returns and raises as `hf_to_google`.
  """
  check_output_dir(output_dir, [HF_CONFIG, HF_WEIGHTS, VOCAB,
                                TOKENIZER_CONFIG])
  model = read_google_dir(input_dir, checkpoint)
  model = _apply_keep_layers(model, keep_layers,
                             os.path.join(input_dir, GOOGLE_CONFIG))
  config = model.config
  act = config.hidden_act
  if act not in GOOGLE_TO_HF_ACT:
    raise UsageError("%s: hidden_act=%r has no Hugging Face name" %
                     (os.path.join(input_dir, GOOGLE_CONFIG), act))
  weights, labels = resolve_labels(model, task_name, label_names)
  num_labels = model.num_labels

  tokenizer_source = os.path.join(input_dir, TOKENIZER_CONFIG)
  lower = resolve_do_lower_case(model.tokenizer_config, do_lower_case,
                                tokenizer_source)
  hf_config = hf_config_for(config, model.heads, num_labels, labels,
                            model.vocab, problem_type=model.problem_type)
  tokenizer_config = dict(model.tokenizer_config or
                          default_tokenizer_config(config))
  tokenizer_config["do_lower_case"] = lower

  hf_prefix = "bert." if model.heads else ""
  table = variable_table(config, model.heads, num_labels, hf_prefix,
                         model.with_pooler)
  tensors = collections.OrderedDict()
  for pair in table:
    value = weights[pair.google]
    tensors[pair.hf] = np.ascontiguousarray(value.T if pair.transpose else
                                            value)

  def write_files(tmp_dir):
    _write_json(os.path.join(tmp_dir, HF_CONFIG), hf_config)
    # transformers refuses a safetensors file without this metadata.
    _write_bytes(os.path.join(tmp_dir, HF_WEIGHTS),
                 safetensors.numpy.save(tensors, metadata={"format": "pt"}))
    _write_bytes(os.path.join(tmp_dir, VOCAB), model.vocab_bytes)
    _write_json(os.path.join(tmp_dir, TOKENIZER_CONFIG), tokenizer_config)

  names = write_directory(output_dir, write_files)
  tf1.logging.info("Wrote %s: %d tensors, %s, hidden_act=%s", output_dir,
                   len(tensors), hf_config["architectures"][0],
                   hf_config["hidden_act"])
  _log_casing(lower)
  return names


def _casing_of_google_dir(input_dir, tokenizer_config):
  """The casing settings a Google-layout directory records, or None.

  tokenizer_config.json (a converted or cut model) or, in a fine-tuning
  directory, model_info.json's do_lower_case; a released model records
  none (its casing is in its name).
  """
  if tokenizer_config is not None:
    return tokenizer_config
  lower = _model_info(input_dir).get("do_lower_case")
  if isinstance(lower, bool):
    return {"do_lower_case": lower}
  return None


def google_to_google(input_dir, output_dir, checkpoint=None,
                     do_lower_case=None, task_name=None, label_names=None,
                     keep_layers=None):
  """Writes a released-style model directory from any Google checkpoint.

  With `keep_layers`, a smaller model: only those encoder layers (e.g. the
  first 2 of 6, a student to distill into), renumbered from 0, with
  embeddings, pooler and heads kept and bert_config.json saying the new
  num_hidden_layers. Without it, the same model minus the training state
  (optimizer slots, global_step), under the released file names. Values
  are copied bit for bit.

  Args:
    input_dir: directory of bert_config.json, vocab.txt and the checkpoint
      (bert_model.ckpt, or the newest one; see `checkpoint`).
    output_dir: the directory to write (created; it must not hold a model).
    checkpoint: (optional) the checkpoint to read, as --checkpoint.
    do_lower_case: (optional) the casing to record in tokenizer_config.json.
      Default: the input's tokenizer_config.json (or a fine-tuning
      directory's model_info.json); with neither, none is written, as in a
      released model.
    task_name, label_names: (optional) name the classifier's rows, as for
      `google_to_hf`.
    keep_layers: (optional) int N (the first N layers), a string as the flag
      takes it ("2", "0,2,5") or a list of 0-based indices.

  Returns:
    Sorted list of the file names written: bert_config.json, vocab.txt,
    bert_model.ckpt.{data-00000-of-00001,index,meta}, and where they apply
    tokenizer_config.json, labels.txt, problem_type.txt.

  Raises:
    UsageError: a missing or unreadable input, a bad keep_layers (see
      `layers_to_keep`), an output directory that already holds a model;
      nothing is written then.
  """
  check_output_dir(output_dir, _GOOGLE_FILES)
  config_path = require_file(input_dir, GOOGLE_CONFIG)
  if keep_layers is not None and keep_layers != "":
    # Refused before the (possibly large) checkpoint is read.
    layers_to_keep(keep_layers,
                   script_utils.load_bert_config(config_path)
                   .num_hidden_layers, config_path)
  model = read_google_dir(input_dir, checkpoint, for_hf=False)
  model = _apply_keep_layers(model, keep_layers, config_path)
  weights, labels = resolve_labels(model, task_name, label_names)
  casing = _casing_of_google_dir(input_dir, model.tokenizer_config)
  tokenizer_config = None
  lower = None
  if casing is not None or do_lower_case is not None:
    lower = resolve_do_lower_case(casing, do_lower_case,
                                  os.path.join(input_dir, TOKENIZER_CONFIG))
    tokenizer_config = dict(casing or {})
    tokenizer_config["do_lower_case"] = lower
  names = _write_google_dir(output_dir, model, weights, labels,
                            tokenizer_config)
  if lower is None:
    tf1.logging.info("Casing: %s records none; pass the scripts the "
                     "--do_lower_case the source model needs (or give it "
                     "here to record it in %s)", input_dir, TOKENIZER_CONFIG)
  else:
    _log_casing(lower)
  return names


def convert(direction, input_dir, output_dir, checkpoint=None,
            do_lower_case=None, task_name=None, label_names=None,
            keep_layers=None):
  """Runs one conversion; see `hf_to_google`, `google_to_hf` and
  `google_to_google`.

  Example, a 2-layer student from a 6-layer model, in a notebook:

    convert_checkpoint.convert("google_to_google", "minilm_google",
                               "minilm_2l", keep_layers=2)

  Raises:
    UsageError: for a missing flag or any bad input.
  """
  if direction not in DIRECTIONS:
    raise UsageError("--direction is required: %s" % ", ".join(DIRECTIONS))
  if not input_dir:
    raise UsageError("--input_dir is required")
  if not tf.io.gfile.isdir(input_dir):
    raise UsageError("--input_dir=%s: no such directory" % input_dir)
  if direction == "hf_to_google":
    if checkpoint:
      raise UsageError("--checkpoint names the Google checkpoint to read; "
                       "with --direction=hf_to_google the output is always "
                       "%s" % GOOGLE_CHECKPOINT)
    return hf_to_google(input_dir, output_dir, do_lower_case, task_name,
                        label_names, keep_layers)
  if direction == "google_to_google":
    return google_to_google(input_dir, output_dir, checkpoint, do_lower_case,
                            task_name, label_names, keep_layers)
  return google_to_hf(input_dir, output_dir, checkpoint, do_lower_case,
                      task_name, label_names, keep_layers)


def run(settings):
  """`convert` with the values of the flags of the same names."""
  return convert(settings.direction, settings.input_dir, settings.output_dir,
                 checkpoint=settings.checkpoint,
                 do_lower_case=settings.do_lower_case,
                 task_name=settings.task_name,
                 label_names=settings.label_names,
                 keep_layers=settings.keep_layers)


def main(_):
  run(script_settings.from_flags(FLAGS))


if __name__ == "__main__":
  define_flags()
  script_utils.run(main)
