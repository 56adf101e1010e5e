# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Converts BERT checkpoints between Google's layout and Hugging Face's.

Design note. The two layouts hold the same numbers under other names:

  Google (released)                   Hugging Face
  bert_config.json (11 keys)          config.json
  vocab.txt                           vocab.txt (transformers 5: only the
                                      WordPiece vocab in tokenizer.json)
  bert_model.ckpt.{index,data,meta}   model.safetensors (or shards + index)
  (casing: a flag of every script)    tokenizer_config.json "do_lower_case"

One table (`variable_table`) pairs every checkpoint variable with its
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

Only `safetensors` (its NumPy API) is needed; nothing is downloaded.
"""

import collections
import json
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

import modeling
import script_utils
import tokenization
from script_utils import UsageError

tf1 = tf.compat.v1

FLAGS = flags.FLAGS

DIRECTIONS = ("hf_to_google", "google_to_hf")

# Google's released file names.
GOOGLE_CONFIG = "bert_config.json"
GOOGLE_CHECKPOINT = "bert_model.ckpt"
LABELS_FILE = "labels.txt"
# Hugging Face's.
HF_CONFIG = "config.json"
HF_WEIGHTS = "model.safetensors"
HF_WEIGHTS_INDEX = "model.safetensors.index.json"
TOKENIZER_CONFIG = "tokenizer_config.json"
# What transformers 5 saves instead of vocab.txt: the fast tokenizer.
TOKENIZER_JSON = "tokenizer.json"
VOCAB = "vocab.txt"

# Activation names: HF -> ours, and ours -> HF. "gelu_fast" is the same
# tanh formula with the constant factored differently.
HF_TO_GOOGLE_ACT = {
    "gelu": "gelu_exact",
    "gelu_new": "gelu",
    "gelu_pytorch_tanh": "gelu",
    "gelu_fast": "gelu",
    "relu": "relu",
    "tanh": "tanh",
    "linear": "linear",
}
GOOGLE_TO_HF_ACT = {
    "gelu": "gelu_new",
    "gelu_exact": "gelu",
    "relu": "relu",
    "tanh": "tanh",
    "linear": "linear",
}

# The only epsilon modeling.layer_norm has.
LAYER_NORM_EPS = 1e-12

# Heads, by the scope their variables live under.
MLM, NSP, CLASSIFIER, SQUAD = "mlm", "nsp", "classifier", "squad"
HEAD_NAMES = {MLM: "masked-LM (cls/predictions)",
              NSP: "next-sentence (cls/seq_relationship)",
              CLASSIFIER: "classifier (output_weights)",
              SQUAD: "SQuAD (cls/squad)"}

# The HF model class for each set of heads.
ARCHITECTURES = {
    frozenset(): "BertModel",
    frozenset([MLM, NSP]): "BertForPreTraining",
    frozenset([MLM]): "BertForMaskedLM",
    frozenset([NSP]): "BertForNextSentencePrediction",
    frozenset([CLASSIFIER]): "BertForSequenceClassification",
    frozenset([SQUAD]): "BertForQuestionAnswering",
}

# Checkpoint entries that are training state (optimizer slots, step count).
_TRAINING_STATE = re.compile(r"(^global_step$|/adam_[mv]$)")

# HF's tied copies of the masked-LM output layer.
_HF_DECODER_WEIGHT = "cls.predictions.decoder.weight"
_HF_DECODER_BIAS = "cls.predictions.decoder.bias"


def define_flags():
  """Defines the command-line flags (only when run as a script)."""
  flags.DEFINE_enum(
      "direction", None, list(DIRECTIONS),
      "hf_to_google: a Hugging Face directory (config.json, "
      "model.safetensors, vocab.txt, tokenizer_config.json) to Google's "
      "layout (bert_config.json, vocab.txt, bert_model.ckpt); google_to_hf: "
      "the reverse.")
  flags.DEFINE_string("input_dir", None, "Directory of the model to convert.")
  flags.DEFINE_string(
      "output_dir", None,
      "Directory to write; created if needed. It must not already hold a "
      "model: converting never overwrites one.")
  flags.DEFINE_string(
      "checkpoint", None,
      "google_to_hf only: the checkpoint to read, when --input_dir holds "
      "several or names it otherwise: a prefix such as model.ckpt-1000 "
      "(relative to --input_dir, or a path), or a directory whose newest "
      "checkpoint is taken (e.g. a run_classifier --output_dir). Default: "
      "bert_model.ckpt, else the newest checkpoint in --input_dir.")
  flags.DEFINE_bool(
      "do_lower_case", None,
      "Casing of the tokenizer. Default: tokenizer_config.json's "
      "do_lower_case where the input has one, else True. Given, it must "
      "agree with that file.")
  flags.DEFINE_string(
      "task_name", None,
      "run_classifier task (e.g. mnli) whose labels name the classifier "
      "head; hf_to_google also reorders the head's rows into that task's "
      "label order when the model's id2label names the same labels.")
  flags.DEFINE_string(
      "label_names", None,
      "Comma-separated label names of the classifier head, in the order of "
      "its rows on the Google side (instead of --task_name).")


# ----------------------------------------------------------------------------
# The name table
# ----------------------------------------------------------------------------


# One tensor under both names. `transpose`: a dense kernel, [in, out] here
# and [out, in] in PyTorch. `shape` is the Google-side shape.
Pair = collections.namedtuple("Pair", ["google", "hf", "shape", "transpose"])

# Sub-scopes of one encoder layer: (scope, kind). The HF key is the same
# path with dots.
_LAYER_PARTS = (
    ("attention/self/query", "dense"),
    ("attention/self/key", "dense"),
    ("attention/self/value", "dense"),
    ("attention/output/dense", "dense"),
    ("attention/output/LayerNorm", "norm"),
    ("intermediate/dense", "dense"),
    ("output/dense", "dense"),
    ("output/LayerNorm", "norm"),
)


def _scope_pairs(google_scope, hf_scope, kind, in_size, out_size):
  """The Pairs of one dense layer ([in, out] kernel, bias) or layer norm."""
  if kind == "dense":
    return [Pair(google_scope + "/kernel", hf_scope + ".weight",
                 (in_size, out_size), True),
            Pair(google_scope + "/bias", hf_scope + ".bias", (out_size,),
                 False)]
  return [Pair(google_scope + "/gamma", hf_scope + ".weight", (out_size,),
               False),
          Pair(google_scope + "/beta", hf_scope + ".bias", (out_size,),
               False)]


def variable_table(config, heads=(), num_labels=None, hf_prefix="bert.",
                   with_pooler=True):
  """Every variable of a model, under both names.

  Args:
    config: `modeling.BertConfig`.
    heads: iterable of MLM, NSP, CLASSIFIER, SQUAD.
    num_labels: int, rows of the classifier head (CLASSIFIER only).
    hf_prefix: "bert." (models with heads) or "" (a bare BertModel) before
      the encoder's HF keys.
    with_pooler: whether bert/pooler is part of the model (HF's masked-LM
      and question-answering models have none).

  Returns:
    list of `Pair`, encoder first.
  """
  h = config.hidden_size
  inter = config.intermediate_size
  p = hf_prefix
  pairs = [
      Pair("bert/embeddings/word_embeddings",
           p + "embeddings.word_embeddings.weight", (config.vocab_size, h),
           False),
      Pair("bert/embeddings/token_type_embeddings",
           p + "embeddings.token_type_embeddings.weight",
           (config.type_vocab_size, h), False),
      Pair("bert/embeddings/position_embeddings",
           p + "embeddings.position_embeddings.weight",
           (config.max_position_embeddings, h), False),
  ]
  pairs += _scope_pairs("bert/embeddings/LayerNorm", p + "embeddings.LayerNorm",
                        "norm", h, h)
  for i in range(config.num_hidden_layers):
    for scope, kind in _LAYER_PARTS:
      in_size, out_size = h, h
      if scope == "intermediate/dense":
        out_size = inter
      elif scope == "output/dense":
        in_size = inter
      pairs += _scope_pairs(
          "bert/encoder/layer_%d/%s" % (i, scope),
          "%sencoder.layer.%d.%s" % (p, i, scope.replace("/", ".")), kind,
          in_size, out_size)
  if with_pooler:
    pairs += _scope_pairs("bert/pooler/dense", p + "pooler.dense", "dense", h,
                          h)
  heads = set(heads)
  if MLM in heads:
    pairs += _scope_pairs("cls/predictions/transform/dense",
                          "cls.predictions.transform.dense", "dense", h, h)
    pairs += _scope_pairs("cls/predictions/transform/LayerNorm",
                          "cls.predictions.transform.LayerNorm", "norm", h, h)
    # The output weights are the word embeddings (tied); only the bias is
    # the head's own.
    pairs.append(Pair("cls/predictions/output_bias", "cls.predictions.bias",
                      (config.vocab_size,), False))
  if NSP in heads:
    pairs += [Pair("cls/seq_relationship/output_weights",
                   "cls.seq_relationship.weight", (2, h), False),
              Pair("cls/seq_relationship/output_bias",
                   "cls.seq_relationship.bias", (2,), False)]
  if CLASSIFIER in heads:
    pairs += [Pair("output_weights", "classifier.weight", (num_labels, h),
                   False),
              Pair("output_bias", "classifier.bias", (num_labels,), False)]
  if SQUAD in heads:
    # Row 0 scores answer starts, row 1 ends, on both sides.
    pairs += [Pair("cls/squad/output_weights", "qa_outputs.weight", (2, h),
                   False),
              Pair("cls/squad/output_bias", "qa_outputs.bias", (2,), False)]
  return pairs


# How each head's names begin: (head, Google prefix, HF prefix). The
# classifier's variables have no scope: output_weights, output_bias.
_HEAD_PREFIXES = (
    (MLM, "cls/predictions/", "cls.predictions."),
    (NSP, "cls/seq_relationship/", "cls.seq_relationship."),
    (SQUAD, "cls/squad/", "qa_outputs."),
    (CLASSIFIER, "output_", "classifier."),
)


def heads_of(names, hf):
  """The set of heads whose tensors appear among `names`.

  Args:
    names: variable names (Google) or state-dict keys (HF).
    hf: whether `names` are HF keys.
  """
  side = 2 if hf else 1
  return {entry[0] for entry in _HEAD_PREFIXES for name in names
          if name.startswith(entry[side])}


def _check_heads(heads, source):
  """Refuses head combinations no HF model class holds."""
  key = frozenset(heads)
  if key not in ARCHITECTURES:
    raise UsageError(
        "%s: holds the %s heads together; no single Hugging Face BERT model "
        "has them all" % (source, " and ".join(HEAD_NAMES[h]
                                               for h in sorted(key))))


# ----------------------------------------------------------------------------
# Reading
# ----------------------------------------------------------------------------


# What either reader returns: weights under Google names ([in, out] kernels,
# float32), the heads present, the vocabulary (vocab.txt's bytes, and token
# -> id), the tokenizer settings (or None), the classifier's rows (None
# without one) and their label names (None when unnamed: a regression head,
# or a checkpoint without labels.txt).
Model = collections.namedtuple(
    "Model", ["config", "weights", "heads", "with_pooler", "vocab_bytes",
              "vocab", "tokenizer_config", "num_labels", "labels", "source"])


def _read_json(path, what):
  try:
    with tf.io.gfile.GFile(path, "r") as reader:
      value = json.loads(reader.read())
  except (ValueError, UnicodeDecodeError) as e:
    raise UsageError("%s: not valid JSON (%s)" % (path, _first_line(e)))
  if not isinstance(value, dict):
    raise UsageError("%s: expected a JSON object (%s)" % (path, what))
  return value


def _first_line(exception):
  text = str(exception).strip().splitlines()
  return text[0] if text else exception.__class__.__name__


def _require(input_dir, name, hint=""):
  path = os.path.join(input_dir, name)
  if not tf.io.gfile.exists(path):
    raise UsageError("--input_dir=%s: no %s%s" % (input_dir, name, hint))
  return path


def _read_bytes(path):
  with tf.io.gfile.GFile(path, "rb") as reader:
    return reader.read()


def read_vocab(input_dir, config, source, from_tokenizer_json=False):
  """The vocabulary, refused when the embedding table cannot hold it.

  Args:
    input_dir: the --input_dir.
    config: `modeling.BertConfig`.
    source: the config's path, for messages.
    from_tokenizer_json: without vocab.txt, take the WordPiece vocabulary of
      tokenizer.json (transformers 5 saves only that).

  Returns:
    (vocab.txt's bytes, ordered token -> id).

  Raises:
    UsageError: no vocabulary, an unreadable one, or more tokens than
      vocab_size.
  """
  path = os.path.join(input_dir, VOCAB)
  json_path = os.path.join(input_dir, TOKENIZER_JSON)
  if tf.io.gfile.exists(path):
    try:
      vocab = tokenization.load_vocab(path)
    except (ValueError, UnicodeDecodeError) as e:
      raise UsageError(_first_line(e))
    data = _read_bytes(path)
  elif from_tokenizer_json and tf.io.gfile.exists(json_path):
    tokens = _wordpiece_tokens(json_path)
    vocab = collections.OrderedDict((t, i) for i, t in enumerate(tokens))
    data = "".join(token + "\n" for token in tokens).encode("utf-8")
    tf1.logging.info("No vocab.txt: its %d tokens come from %s", len(tokens),
                     json_path)
  else:
    raise UsageError("--input_dir=%s: no %s%s" % (
        input_dir, VOCAB, " (nor a tokenizer.json)" if from_tokenizer_json
        else ""))
  if len(vocab) > config.vocab_size:
    raise UsageError("the vocabulary of %s has %d tokens but %s says "
                     "vocab_size=%d" % (input_dir, len(vocab), source,
                                        config.vocab_size))
  return data, vocab


def _wordpiece_tokens(path):
  """The tokens of a BERT tokenizer.json, in id order, or UsageError."""
  tokenizer = _read_json(path, "a tokenizer")
  for key, want in (("normalizer", "BertNormalizer"),
                    ("pre_tokenizer", "BertPreTokenizer"),
                    ("model", "WordPiece")):
    entry = tokenizer.get(key)
    kind = entry.get("type") if isinstance(entry, dict) else None
    if kind != want:
      raise UsageError("%s: %s is %s, not %s; the scripts tokenize like "
                       "BERT only" % (path, key, kind, want))
  model = tokenizer["model"]
  if model.get("continuing_subword_prefix", "##") != "##":
    raise UsageError("%s: continuing_subword_prefix is %r; the scripts use "
                     "'##'" % (path, model["continuing_subword_prefix"]))
  vocab = model.get("vocab") or {}
  by_id = {}
  for token, token_id in vocab.items():
    by_id[token_id] = token
  if sorted(by_id) != list(range(len(vocab))):
    raise UsageError("%s: the WordPiece ids are not 0..%d" %
                     (path, len(vocab) - 1))
  for added in tokenizer.get("added_tokens") or ():
    if by_id.get(added.get("id")) != added.get("content"):
      raise UsageError("%s: added token %r is not in the WordPiece "
                       "vocabulary" % (path, added.get("content")))
  return [by_id[i] for i in range(len(by_id))]


def _load_safetensors(path):
  """A safetensors file as name -> ndarray (through gfile, so gs:// works)."""
  try:
    return safetensors.numpy.load(_read_bytes(path))
  except KeyError as e:
    # The NumPy reader knows no bfloat16 (NumPy has no such type).
    raise UsageError("%s: holds %s tensors, which NumPy cannot hold; save "
                     "the model in float32 (or float16)" % (path, e))
  except Exception as e:  # pylint: disable=broad-except
    # safetensors raises its own error types for a damaged file.
    raise UsageError("%s: not a readable safetensors file (%s)" %
                     (path, _first_line(e)))


def read_hf_tensors(input_dir):
  """Every tensor of an HF directory: model.safetensors or its shards.

  Returns:
    dict of state-dict key -> ndarray.

  Raises:
    UsageError: for missing or unreadable weight files.
  """
  index_path = os.path.join(input_dir, HF_WEIGHTS_INDEX)
  single_path = os.path.join(input_dir, HF_WEIGHTS)
  if tf.io.gfile.exists(single_path):
    return _load_safetensors(single_path)
  if tf.io.gfile.exists(index_path):
    weight_map = _read_json(index_path, "with a weight_map").get("weight_map")
    if not isinstance(weight_map, dict) or not weight_map:
      raise UsageError("%s: no weight_map" % index_path)
    tensors = {}
    for shard in sorted(set(weight_map.values())):
      tensors.update(_load_safetensors(_require(input_dir, shard)))
    return tensors
  hint = ""
  if tf.io.gfile.exists(os.path.join(input_dir, "pytorch_model.bin")):
    hint = (" (only pytorch_model.bin, which needs PyTorch to read; save the "
            "model with safe_serialization=True)")
  raise UsageError("--input_dir=%s: no %s%s" % (input_dir, HF_WEIGHTS, hint))


def _hf_required(hf_config, key, source):
  if key not in hf_config:
    raise UsageError("%s: missing key %s" % (source, key))
  return hf_config[key]


def bert_config_from_hf(hf_config, source):
  """The `modeling.BertConfig` an HF config.json describes, or UsageError.

  Args:
    hf_config: dict, the parsed config.json.
    source: its path, for messages.

  Returns:
    `modeling.BertConfig` with exactly the 11 keys of bert_config.json.

  Raises:
    UsageError: naming the key the encoder cannot represent exactly.
  """
  model_type = hf_config.get("model_type")
  if model_type is not None and model_type != "bert":
    raise UsageError("%s: model_type is %r, not 'bert'; only BERT models "
                     "convert" % (source, model_type))
  for name in hf_config.get("architectures") or ():
    if name not in ARCHITECTURES.values():
      raise UsageError("%s: architectures names %s, which has no "
                       "counterpart in these scripts (convertible: %s)" %
                       (source, name, ", ".join(sorted(
                           ARCHITECTURES.values()))))
  position_type = hf_config.get("position_embedding_type", "absolute")
  if position_type not in (None, "absolute"):
    raise UsageError("%s: position_embedding_type=%s; the encoder has "
                     "absolute position embeddings only" %
                     (source, position_type))
  for key in ("is_decoder", "add_cross_attention"):
    if hf_config.get(key):
      raise UsageError("%s: %s=true; the encoder is bidirectional, without "
                       "cross-attention" % (source, key))
  eps = hf_config.get("layer_norm_eps", LAYER_NORM_EPS)
  if eps != LAYER_NORM_EPS:
    raise UsageError("%s: layer_norm_eps=%r; the encoder's layer norm uses "
                     "%r" % (source, eps, LAYER_NORM_EPS))
  if hf_config.get("embedding_size", hf_config.get("hidden_size")) != \
      hf_config.get("hidden_size"):
    raise UsageError("%s: embedding_size differs from hidden_size (a "
                     "factorised embedding); the encoder has none" % source)
  act = hf_config.get("hidden_act", "gelu")
  if not isinstance(act, str) or act not in HF_TO_GOOGLE_ACT:
    raise UsageError("%s: hidden_act=%r has no exact counterpart (known: %s)"
                     % (source, act, ", ".join(sorted(HF_TO_GOOGLE_ACT))))
  if hf_config.get("problem_type") == "multi_label_classification":
    raise UsageError("%s: problem_type=multi_label_classification; "
                     "run_classifier.py's head is a softmax over one label"
                     % source)
  values = {key: _hf_required(hf_config, key, source) for key in (
      "vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
      "intermediate_size", "max_position_embeddings", "type_vocab_size")}
  values.update(
      hidden_act=HF_TO_GOOGLE_ACT[act],
      hidden_dropout_prob=hf_config.get("hidden_dropout_prob", 0.1),
      attention_probs_dropout_prob=hf_config.get(
          "attention_probs_dropout_prob", 0.1),
      initializer_range=hf_config.get("initializer_range", 0.02))
  config = modeling.BertConfig(**values)
  try:
    config.validate(source=source)
  except ValueError as e:
    raise UsageError(str(e))
  return config


def _hf_lookup(tensors, key):
  """The tensor under `key`, or under its pre-2019 LayerNorm name."""
  if key in tensors:
    return key
  old = re.sub(r"LayerNorm\.weight$", "LayerNorm.gamma", key)
  old = re.sub(r"LayerNorm\.bias$", "LayerNorm.beta", old)
  return old if old in tensors else None


def _as_float32(name, value, source):
  """float32 as is, float16 widened (exactly); anything else refused."""
  if value.dtype == np.float32:
    return value
  if value.dtype == np.float16:
    return value.astype(np.float32)
  raise UsageError("%s: %s is %s; expected float32 or float16" %
                   (source, name, value.dtype))


def _check_hf_leftovers(tensors, used, weights, hf_prefix, config, source):
  """Refuses HF tensors the table does not know, after checking buffers."""
  for key in sorted(set(tensors) - used):
    value = tensors[key]
    bare = key[len(hf_prefix):] if key.startswith(hf_prefix) else key
    if bare == "embeddings.position_ids":
      # A buffer: the positions the embedding rows are read at.
      positions = np.asarray(value).reshape(-1)
      if not np.array_equal(positions, np.arange(positions.size)):
        raise UsageError("%s: %s is not 0, 1, 2, ...; the encoder reads "
                         "position i at row i" % (source, key))
    elif bare == "embeddings.token_type_ids":
      continue  # A buffer of zeros (the default segment).
    elif key == _HF_DECODER_WEIGHT:
      if not np.array_equal(value, weights["bert/embeddings/word_embeddings"]):
        raise UsageError("%s: %s differs from the word embeddings; the "
                         "masked-LM output layer must be tied to them" %
                         (source, key))
    elif key == _HF_DECODER_BIAS:
      if not np.array_equal(value, weights["cls/predictions/output_bias"]):
        raise UsageError("%s: %s differs from cls.predictions.bias" %
                         (source, key))
    else:
      match = re.search(r"encoder\.layer\.(\d+)\.", key)
      if match and int(match.group(1)) >= config.num_hidden_layers:
        raise UsageError("%s: %s is beyond num_hidden_layers=%d of the "
                         "config" % (source, key, config.num_hidden_layers))
      raise UsageError("%s: %s has no counterpart in the Google layout" %
                       (source, key))


def _labels_from_id2label(hf_config, num_labels, source):
  id2label = hf_config.get("id2label")
  if not id2label:
    return ["LABEL_%d" % i for i in range(num_labels)]
  try:
    by_id = {int(k): str(v) for k, v in id2label.items()}
  except (AttributeError, TypeError, ValueError):
    raise UsageError("%s: id2label must map 0..n-1 to names" % source)
  if sorted(by_id) != list(range(num_labels)):
    raise UsageError("%s: id2label has %d labels but classifier.weight has "
                     "%d rows" % (source, len(by_id), num_labels))
  return [by_id[i] for i in range(num_labels)]


def read_hf_dir(input_dir):
  """Reads and checks an HF BERT directory.

  Returns:
    `Model` (see below) with the weights under Google names, float32,
    dense kernels [in, out].

  Raises:
    UsageError: a missing file, a non-BERT or unrepresentable config, a
      tensor whose shape disagrees with the config, an unknown tensor.
  """
  config_path = _require(input_dir, HF_CONFIG)
  hf_config = _read_json(config_path, "a model config")
  config = bert_config_from_hf(hf_config, config_path)
  vocab_bytes, vocab = read_vocab(input_dir, config, config_path,
                                  from_tokenizer_json=True)
  tensors = read_hf_tensors(input_dir)
  source = os.path.join(input_dir, HF_WEIGHTS)

  hf_prefix = "bert." if any(k.startswith("bert.") for k in tensors) else ""
  heads = heads_of(tensors, hf=True)
  _check_heads(heads, source)
  num_labels = None
  if CLASSIFIER in heads and "classifier.weight" in tensors:
    num_labels = int(np.shape(tensors["classifier.weight"])[0])
  with_pooler = hf_prefix + "pooler.dense.weight" in tensors
  table = variable_table(config, heads, num_labels, hf_prefix, with_pooler)

  weights = collections.OrderedDict()
  used = set()
  for pair in table:
    key = _hf_lookup(tensors, pair.hf)
    if key is None:
      raise UsageError("%s: missing tensor %s" % (source, pair.hf))
    used.add(key)
    stored_shape = list(np.shape(tensors[key]))
    if stored_shape != _hf_shape(pair):
      raise UsageError("%s: %s has shape %s but %s implies %s" %
                       (source, key, stored_shape, config_path,
                        _hf_shape(pair)))
    value = _as_float32(key, tensors[key], source)
    weights[pair.google] = (np.ascontiguousarray(value.T) if pair.transpose
                            else value)
  _check_hf_leftovers(tensors, used, weights, hf_prefix, config, source)

  labels = None
  if num_labels:
    labels = _labels_from_id2label(hf_config, num_labels, config_path)
  regression = (num_labels == 1 and
                hf_config.get("problem_type") in (None, "regression"))
  return Model(config=config, weights=weights, heads=heads,
               with_pooler=with_pooler, vocab_bytes=vocab_bytes, vocab=vocab,
               tokenizer_config=_read_tokenizer_config(input_dir,
                                                       hf_fast=True),
               num_labels=num_labels, labels=None if regression else labels,
               source=source)


def _hf_shape(pair):
  """The shape the HF file stores a Pair's tensor in."""
  shape = list(pair.shape)
  return shape[::-1] if pair.transpose else shape


def _read_tokenizer_config(input_dir, hf_fast=False):
  """tokenizer_config.json as a dict, or None where there is none.

  With `hf_fast`, casing settings it lacks are taken from tokenizer.json's
  BertNormalizer (what transformers 5 writes them into).
  """
  path = os.path.join(input_dir, TOKENIZER_CONFIG)
  settings = None
  if tf.io.gfile.exists(path):
    settings = _read_json(path, "the tokenizer's settings")
  json_path = os.path.join(input_dir, TOKENIZER_JSON)
  if hf_fast and tf.io.gfile.exists(json_path):
    normalizer = _read_json(json_path, "a tokenizer").get("normalizer") or {}
    if normalizer.get("type") == "BertNormalizer":
      settings = dict(settings or {})
      for key, value in (("do_lower_case", normalizer.get("lowercase")),
                         ("strip_accents", normalizer.get("strip_accents")),
                         ("tokenize_chinese_chars",
                          normalizer.get("handle_chinese_chars"))):
        if value is not None:
          settings.setdefault(key, value)
  return settings


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


def read_google_dir(input_dir, checkpoint=None):
  """Reads and checks a Google-layout model (any checkpoint of the scripts).

  Returns:
    `Model`.

  Raises:
    UsageError: a missing file or checkpoint, a variable whose shape
      disagrees with bert_config.json, a variable with no HF counterpart.
  """
  config_path = _require(input_dir, GOOGLE_CONFIG)
  config = script_utils.load_bert_config(config_path)
  vocab_bytes, vocab = read_vocab(input_dir, config, config_path)
  prefix = find_checkpoint(input_dir, checkpoint)
  try:
    reader = tf.train.load_checkpoint(prefix)
  except (tf.errors.OpError, ValueError) as e:
    raise UsageError("%s: not a readable checkpoint (%s)" %
                     (prefix, _first_line(e)))
  shapes = reader.get_variable_to_shape_map()
  names = [n for n in shapes if not _TRAINING_STATE.search(n)]
  ignored = len(shapes) - len(names)
  heads = heads_of(names, hf=False)
  _check_heads(heads, prefix)
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
    weights[pair.google] = _as_float32(pair.google,
                                       reader.get_tensor(pair.google), prefix)
  for name in sorted(set(names) - set(weights)):
    match = re.match(r"bert/encoder/layer_(\d+)/", name)
    if match and int(match.group(1)) >= config.num_hidden_layers:
      raise UsageError("%s: %s is beyond num_hidden_layers=%d of %s" %
                       (prefix, name, config.num_hidden_layers, config_path))
    raise UsageError("%s: %s has no counterpart in the Hugging Face layout"
                     % (prefix, name))
  tf1.logging.info("Read %d variables from %s (left out %d of training "
                   "state: optimizer slots, global_step)", len(weights),
                   prefix, ignored)
  return Model(config=config, weights=weights, heads=heads,
               with_pooler=with_pooler, vocab_bytes=vocab_bytes, vocab=vocab,
               tokenizer_config=_read_tokenizer_config(input_dir),
               num_labels=num_labels,
               labels=_read_labels_file(input_dir, num_labels), source=prefix)


def _read_labels_file(input_dir, num_labels):
  """labels.txt (one name per classifier row), or None where there is none."""
  path = os.path.join(input_dir, LABELS_FILE)
  if not num_labels or not tf.io.gfile.exists(path):
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
  import run_classifier  # pylint: disable=g-import-not-at-top
  labels = run_classifier.get_processor(task_name).get_labels()
  if run_classifier.is_regression_label_list(labels):
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
  import run_classifier  # pylint: disable=g-import-not-at-top
  return [name for name in sorted(run_classifier.PROCESSORS)
          if [str(label) for label in
              run_classifier.get_processor(name).get_labels()] ==
          list(labels)]


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


def hf_to_google(input_dir, output_dir, do_lower_case=None, task_name=None,
                 label_names=None):
  """Converts an HF BERT directory into Google's released layout.

  Writes bert_config.json, vocab.txt, bert_model.ckpt.{index,data-*,meta},
  tokenizer_config.json (the casing) and, for a classifier, labels.txt.

  Returns:
    Sorted list of the file names written.

  Raises:
    UsageError: for anything the reader refuses, or an output directory
      that already holds a model; nothing is written then.
  """
  check_output_dir(output_dir, [GOOGLE_CONFIG, VOCAB, TOKENIZER_CONFIG,
                                LABELS_FILE])
  model = read_hf_dir(input_dir)
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

  def write_files(tmp_dir):
    _write_text(os.path.join(tmp_dir, GOOGLE_CONFIG),
                model.config.to_json_string())
    _write_bytes(os.path.join(tmp_dir, VOCAB), model.vocab_bytes)
    _write_json(os.path.join(tmp_dir, TOKENIZER_CONFIG), tokenizer_config)
    if labels is not None:
      _write_text(os.path.join(tmp_dir, LABELS_FILE),
                  "".join(label + "\n" for label in labels))
    write_tf_checkpoint(weights, os.path.join(tmp_dir, GOOGLE_CHECKPOINT))

  names = write_directory(output_dir, write_files)
  tf1.logging.info("Wrote %s: %d variables, heads: %s, hidden_act=%s",
                   output_dir, len(weights),
                   ", ".join(HEAD_NAMES[h] for h in sorted(model.heads)) or
                   "none", model.config.hidden_act)
  _log_casing(lower)
  if labels is not None:
    tasks = _matching_tasks(labels)
    tf1.logging.info("Classifier labels (row order): %s%s", labels,
                     "; the label order of run_classifier --task_name=%s" %
                     "|".join(tasks) if tasks else "")
  return names


def google_to_hf(input_dir, output_dir, checkpoint=None, do_lower_case=None,
                 task_name=None, label_names=None):
  """Converts a Google-layout model (any checkpoint of the scripts) to HF.

  Writes config.json (with id2label for a classifier), model.safetensors,
  vocab.txt and tokenizer_config.json. Returns and raises as `hf_to_google`.
  """
  check_output_dir(output_dir, [HF_CONFIG, HF_WEIGHTS, VOCAB,
                                TOKENIZER_CONFIG])
  model = read_google_dir(input_dir, checkpoint)
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
                            model.vocab)
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


def default_tokenizer_config(config):
  """tokenizer_config.json for a vocabulary that comes without one."""
  return {
      "tokenizer_class": "BertTokenizer",
      "do_basic_tokenize": True,
      "tokenize_chinese_chars": True,
      "strip_accents": None,
      "unk_token": "[UNK]",
      "sep_token": "[SEP]",
      "pad_token": "[PAD]",
      "cls_token": "[CLS]",
      "mask_token": "[MASK]",
      "model_max_length": config.max_position_embeddings,
  }


def hf_config_for(config, heads, num_labels, labels, vocab):
  """The HF config.json dict of a model.

  Args:
    config: `modeling.BertConfig`.
    heads: set of head names.
    num_labels: rows of the classifier head, or None.
    labels: the classifier's label names, or None.
    vocab: ordered token -> id of vocab.txt.

  Returns:
    dict.
  """
  hf_config = {
      "architectures": [ARCHITECTURES[frozenset(heads)]],
      "model_type": "bert",
      "vocab_size": config.vocab_size,
      "hidden_size": config.hidden_size,
      "num_hidden_layers": config.num_hidden_layers,
      "num_attention_heads": config.num_attention_heads,
      "intermediate_size": config.intermediate_size,
      "hidden_act": GOOGLE_TO_HF_ACT[config.hidden_act],
      "hidden_dropout_prob": config.hidden_dropout_prob,
      "attention_probs_dropout_prob": config.attention_probs_dropout_prob,
      "max_position_embeddings": config.max_position_embeddings,
      "type_vocab_size": config.type_vocab_size,
      "initializer_range": config.initializer_range,
      "layer_norm_eps": LAYER_NORM_EPS,
      "position_embedding_type": "absolute",
      "pad_token_id": vocab.get("[PAD]", 0),
  }
  if num_labels:
    if num_labels == 1 and labels is None:
      hf_config["problem_type"] = "regression"
    else:
      hf_config["problem_type"] = "single_label_classification"
    names = labels or ["LABEL_%d" % i for i in range(num_labels)]
    hf_config["id2label"] = {str(i): name for i, name in enumerate(names)}
    hf_config["label2id"] = {name: i for i, name in enumerate(names)}
  return hf_config


def convert(direction, input_dir, output_dir, checkpoint=None,
            do_lower_case=None, task_name=None, label_names=None):
  """Runs one conversion; see `hf_to_google` and `google_to_hf`.

  Raises:
    UsageError: for a missing flag or any bad input.
  """
  if direction not in DIRECTIONS:
    raise UsageError("--direction is required: %s" % " or ".join(DIRECTIONS))
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
                        label_names)
  return google_to_hf(input_dir, output_dir, checkpoint, do_lower_case,
                      task_name, label_names)


def main(_):
  convert(FLAGS.direction, FLAGS.input_dir, FLAGS.output_dir,
          checkpoint=FLAGS.checkpoint, do_lower_case=FLAGS.do_lower_case,
          task_name=FLAGS.task_name, label_names=FLAGS.label_names)


if __name__ == "__main__":
  define_flags()
  script_utils.run(main)
