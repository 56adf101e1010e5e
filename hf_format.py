# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Hugging Face's BERT format, and the table pairing its names with ours.

One table (`variable_table`) pairs every checkpoint variable with its
state-dict key, its shape (from the config) and whether it is a dense kernel,
stored [in, out] in our checkpoints and [out, in] by PyTorch's Linear, hence
transposed. The `output_weights` of the heads are already [out, in] on both
sides.

`read_hf_dir` reads and checks a Hugging Face directory (config.json,
model.safetensors or its shards, vocab.txt or tokenizer.json,
tokenizer_config.json) into a `Model` under our names; `hf_config_for`
writes the config.json of one. What cannot be represented exactly is refused
with one line naming the key (see convert_checkpoint's design note).
`convert_checkpoint` is the command line, and reads our own layout.
"""

import collections
import json
import os
import re

import numpy as np
import safetensors.numpy
import tensorflow as tf

import modeling
import tokenization
from script_utils import UsageError

tf1 = tf.compat.v1

# Google's released file names.
GOOGLE_CONFIG = "bert_config.json"
GOOGLE_CHECKPOINT = "bert_model.ckpt"
LABELS_FILE = "labels.txt"
# Our side's record that a classifier head is multi-label (one sigmoid per
# row; Hugging Face's problem_type), written next to labels.txt. A
# fine-tuning directory says so in model_info.json instead.
PROBLEM_TYPE_FILE = "problem_type.txt"
MULTI_LABEL = "multi_label_classification"
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

# HF's tied copies of the masked-LM output layer.
_HF_DECODER_WEIGHT = "cls.predictions.decoder.weight"
_HF_DECODER_BIAS = "cls.predictions.decoder.bias"

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


def check_heads(heads, source):
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
# `problem_type`: Hugging Face's name of the classifier's loss
# (MULTI_LABEL for sigmoids), or None (softmax or regression).
Model = collections.namedtuple(
    "Model", ["config", "weights", "heads", "with_pooler", "vocab_bytes",
              "vocab", "tokenizer_config", "num_labels", "labels", "source",
              "problem_type"], defaults=(None,))


def _read_json(path, what):
  try:
    with tf.io.gfile.GFile(path, "r") as reader:
      value = json.loads(reader.read())
  except (ValueError, UnicodeDecodeError) as e:
    raise UsageError("%s: not valid JSON (%s)" % (path, first_line(e)))
  if not isinstance(value, dict):
    raise UsageError("%s: expected a JSON object (%s)" % (path, what))
  return value


def first_line(exception):
  text = str(exception).strip().splitlines()
  return text[0] if text else exception.__class__.__name__


def require_file(input_dir, name, hint=""):
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
      raise UsageError(first_line(e))
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
                     (path, first_line(e)))


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
      tensors.update(_load_safetensors(require_file(input_dir, shard)))
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


def as_float32(name, value, source):
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
  config_path = require_file(input_dir, HF_CONFIG)
  hf_config = _read_json(config_path, "a model config")
  config = bert_config_from_hf(hf_config, config_path)
  vocab_bytes, vocab = read_vocab(input_dir, config, config_path,
                                  from_tokenizer_json=True)
  tensors = read_hf_tensors(input_dir)
  source = os.path.join(input_dir, HF_WEIGHTS)

  hf_prefix = "bert." if any(k.startswith("bert.") for k in tensors) else ""
  heads = heads_of(tensors, hf=True)
  check_heads(heads, source)
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
    value = as_float32(key, tensors[key], source)
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
               tokenizer_config=read_tokenizer_config(input_dir,
                                                       hf_fast=True),
               num_labels=num_labels, labels=None if regression else labels,
               source=source,
               problem_type=(MULTI_LABEL if num_labels and
                             hf_config.get("problem_type") == MULTI_LABEL
                             else None))


def _hf_shape(pair):
  """The shape the HF file stores a Pair's tensor in."""
  shape = list(pair.shape)
  return shape[::-1] if pair.transpose else shape


def read_tokenizer_config(input_dir, hf_fast=False):
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


def hf_config_for(config, heads, num_labels, labels, vocab,
                  problem_type=None):
  """The HF config.json dict of a model.

  Args:
    config: `modeling.BertConfig`.
    heads: set of head names.
    num_labels: rows of the classifier head, or None.
    labels: the classifier's label names, or None.
    vocab: ordered token -> id of vocab.txt.
    problem_type: (optional) MULTI_LABEL for a multi-label classifier.

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
    if problem_type == MULTI_LABEL:
      hf_config["problem_type"] = MULTI_LABEL
    elif num_labels == 1 and labels is None:
      hf_config["problem_type"] = "regression"
    else:
      hf_config["problem_type"] = "single_label_classification"
    names = labels or ["LABEL_%d" % i for i in range(num_labels)]
    hf_config["id2label"] = {str(i): name for i, name in enumerate(names)}
    hf_config["label2id"] = {name: i for i, name in enumerate(names)}
  return hf_config
