# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Fixed contextual embeddings from a pre-trained BERT (the ELMo-style use).

Every line of --input_file is one example, either a single text or a pair
written `text_a ||| text_b`. For every real WordPiece token of every example
the hidden states of the requested encoder layers are written to
--output_file as one JSON object per line:

  {"linex_index": 0, "features": [
      {"token": "[CLS]", "layers": [{"index": -1, "values": [...]}, ...]},
      ...]}

`linex_index` is the line number of the example in the input (the key's
spelling is the original release's and is kept for compatibility).
"""

import collections
import json
import os
import re
import shutil
import tempfile

# First of all: it imports TensorFlow keeping its own messages out of the
# default log (shown with -v 1).
import tf_quiet  # pylint: disable=unused-import,g-bad-import-order
from absl import flags
import tensorflow as tf

import checkpoint_utils
import estimator_runtime
import modeling
import script_settings
import script_utils
import tokenization

tf1 = tf.compat.v1
UsageError = script_utils.UsageError

FLAGS = flags.FLAGS

# Examples per estimator.predict call. The input pipeline holds its examples
# as graph constants, and a TensorFlow graph cannot exceed 2 GB; chunking
# keeps each graph small whatever the size of the input file.
_EXAMPLES_PER_CHUNK = 20000

_PAIR_RE = re.compile(r"^(.*) \|\|\| (.*)$")


class InputExample(object):
  """One line of the input: a text, or a pair of texts."""

  def __init__(self, unique_id, text_a, text_b):
    self.unique_id = unique_id
    self.text_a = text_a
    self.text_b = text_b


class InputFeatures(object):
  """One example as model inputs, each list of length seq_length."""

  def __init__(self, unique_id, tokens, input_ids, input_mask, input_type_ids):
    self.unique_id = unique_id
    self.tokens = tokens
    self.input_ids = input_ids
    self.input_mask = input_mask
    self.input_type_ids = input_type_ids


def read_examples(input_file):
  """Reads one InputExample per line of `input_file`.

  A line `a ||| b` is a pair (split at the last ` ||| `, as the original's
  greedy pattern does); any other line, blank ones included, is a single
  text, so that `unique_id` (and `linex_index` in the output) is always the
  0-based line number.

  Args:
    input_file: path (local or gs://).

  Returns:
    list of InputExample.
  """
  examples = []
  lines = script_utils.read_text_lines(input_file)
  for unique_id, line in enumerate(lines):
    line = line.strip()
    match = _PAIR_RE.match(line)
    if match:
      text_a, text_b = match.group(1), match.group(2)
    else:
      text_a, text_b = line, None
    examples.append(InputExample(unique_id=unique_id, text_a=text_a,
                                 text_b=text_b))
  return examples


# The original defined it here; notebooks and forks import it from this
# module.
_truncate_seq_pair = tokenization.truncate_seq_pair


def convert_example_to_feature(example, seq_length, tokenizer):
  """Tokenizes, truncates and pads one example.

  Layout: `[CLS] a [SEP]` (type ids 0) then, for a pair, `b [SEP]` (type
  ids 1). A pair shares seq_length - 3 tokens (truncated from the longer
  side), a single text gets seq_length - 2.

  Returns:
    InputFeatures.
  """
  tokens_a = tokenizer.tokenize(example.text_a)
  tokens_b = None
  if example.text_b is not None:
    tokens_b = tokenizer.tokenize(example.text_b)
    tokenization.truncate_seq_pair(tokens_a, tokens_b, seq_length - 3)
  else:
    tokens_a = tokens_a[:seq_length - 2]

  tokens = ["[CLS]"] + tokens_a + ["[SEP]"]
  input_type_ids = [0] * len(tokens)
  if tokens_b is not None:
    tokens += tokens_b + ["[SEP]"]
    input_type_ids += [1] * (len(tokens_b) + 1)

  input_ids = tokenizer.convert_tokens_to_ids(tokens)
  input_mask = [1] * len(input_ids)
  padding = [0] * (seq_length - len(input_ids))
  return InputFeatures(
      unique_id=example.unique_id,
      tokens=tokens,
      input_ids=input_ids + padding,
      input_mask=input_mask + padding,
      input_type_ids=input_type_ids + padding)


def convert_examples_to_features(examples, seq_length, tokenizer):
  """Converts InputExamples to InputFeatures (see convert_example_to_feature).

  Args:
    examples: list of InputExample.
    seq_length: int, the padded length (the model's max_seq_length).
    tokenizer: a `tokenization.FullTokenizer`.

  Returns:
    list of InputFeatures, in the order of `examples`.
  """
  features = []
  progress = script_utils.ProgressLogger("Converting examples",
                                         total=len(examples))
  for index, example in enumerate(examples):
    feature = convert_example_to_feature(example, seq_length, tokenizer)
    if index < 3:
      tf1.logging.debug("*** Example %d ***", feature.unique_id)
      tf1.logging.debug("tokens: %s", " ".join(
          tokenization.printable_text(t) for t in feature.tokens))
      tf1.logging.debug("input_ids: %s", " ".join(map(str, feature.input_ids)))
      tf1.logging.debug("input_type_ids: %s",
                       " ".join(map(str, feature.input_type_ids)))
    features.append(feature)
    progress.update()
  return features


def input_fn_builder(features, seq_length):
  """An input_fn serving `features` from memory, in order.

  Args:
    features: list of InputFeatures.
    seq_length: int, length of every feature's id lists.

  Returns:
    input_fn(params) -> tf.data.Dataset of dicts with `unique_ids` [B] and
    `input_ids`, `input_mask`, `input_type_ids` [B, seq_length] (all int32),
    batched by params["batch_size"]; the last batch may be short.
  """
  num_examples = len(features)
  columns = {
      "unique_ids": [f.unique_id for f in features],
      "input_ids": [f.input_ids for f in features],
      "input_mask": [f.input_mask for f in features],
      "input_type_ids": [f.input_type_ids for f in features],
  }

  def input_fn(params):
    batch_size = params["batch_size"]
    tensors = {}
    for name, values in columns.items():
      shape = [num_examples] if name == "unique_ids" else [num_examples,
                                                           seq_length]
      tensors[name] = tf.constant(values, shape=shape, dtype=tf.int32)
    d = tf.data.Dataset.from_tensor_slices(tensors)
    return d.batch(batch_size=batch_size, drop_remainder=False)

  return input_fn


def model_fn_builder(bert_config, init_checkpoint, layer_indexes, use_tpu,
                     use_one_hot_embeddings, compute_type=tf.float32):
  """A prediction-only TPUEstimator model_fn returning encoder layers.

  Args:
    bert_config: `modeling.BertConfig`.
    init_checkpoint: checkpoint path prefix of the pre-trained model.
    layer_indexes: list of ints indexing `get_all_encoder_layers()`.
    use_tpu: bool.
    use_one_hot_embeddings: bool.
    compute_type: dtype of the encoder's matrix products; the layer outputs
      are float32 whatever it is.

  Returns:
    model_fn whose predictions are `unique_id` [B] and, for each position j
    in layer_indexes, `layer_output_<j>` [B, seq_length, hidden_size].
  """

  def model_fn(features, labels, mode, params):  # pylint: disable=unused-argument
    if mode != estimator_runtime.ModeKeys.PREDICT:
      raise ValueError("extract_features only predicts; got mode %s" % mode)

    model = modeling.BertModel(
        config=bert_config,
        is_training=False,
        input_ids=features["input_ids"],
        input_mask=features["input_mask"],
        token_type_ids=features["input_type_ids"],
        use_one_hot_embeddings=use_one_hot_embeddings,
        compute_type=compute_type)

    scaffold_fn, _ = checkpoint_utils.init_from_checkpoint(
        init_checkpoint, use_tpu)

    all_layers = model.get_all_encoder_layers()
    predictions = {"unique_id": features["unique_ids"]}
    for j, layer_index in enumerate(layer_indexes):
      predictions["layer_output_%d" % j] = all_layers[layer_index]

    return estimator_runtime.TPUEstimatorSpec(
        mode=mode, predictions=predictions, scaffold_fn=scaffold_fn)

  return model_fn


def parse_layer_indexes(layers, num_hidden_layers):
  """Parses --layers into ints valid for a model with that many layers.

  Args:
    layers: string such as "-1,-2,-3,-4".
    num_hidden_layers: int, L. Valid indexes are -L..L-1, Python-style.

  Returns:
    list of ints, in the given order.

  Raises:
    UsageError: naming --layers for anything else.
  """
  parts = [p.strip() for p in (layers or "").split(",") if p.strip()]
  if not parts:
    raise UsageError("--layers is empty; give layer indexes like -1,-2")
  indexes = []
  for part in parts:
    try:
      index = int(part)
    except ValueError:
      raise UsageError("--layers=%s: %r is not an integer" % (layers, part))
    if not -num_hidden_layers <= index < num_hidden_layers:
      raise UsageError(
          "--layers=%s: index %d is out of range for a model with %d layers "
          "(valid: %d..%d)" % (layers, index, num_hidden_layers,
                               -num_hidden_layers, num_hidden_layers - 1))
    indexes.append(index)
  return indexes



def feature_to_json(feature, result, layer_indexes):
  """The output line for one example, as an ordered dict.

  Args:
    feature: the example's InputFeatures.
    result: its prediction dict (numpy arrays, batch dimension removed).
    layer_indexes: list of ints, as given to model_fn_builder.

  Returns:
    OrderedDict ready for json.dumps.
  """
  all_features = []
  num_tokens = len(feature.tokens)
  # tolist() turns the float32 values into Python floats in one call, which
  # is far faster than converting element by element.
  layer_outputs = [result["layer_output_%d" % j][:num_tokens].tolist()
                   for j in range(len(layer_indexes))]
  for i, token in enumerate(feature.tokens):
    layers = []
    for layer_index, output in zip(layer_indexes, layer_outputs):
      layers.append(collections.OrderedDict([
          ("index", layer_index),
          ("values", [round(x, 6) for x in output[i]]),
      ]))
    all_features.append(collections.OrderedDict([
        ("token", token),
        ("layers", layers),
    ]))
  return collections.OrderedDict([
      ("linex_index", int(feature.unique_id)),
      ("features", all_features),
  ])


def extract(estimator, features, seq_length, layer_indexes, writer,
            chunk_size=_EXAMPLES_PER_CHUNK):
  """Runs the model over `features` and writes one JSON line per example.

  Args:
    estimator: TPUEstimator built from model_fn_builder(..., layer_indexes).
    features: list of InputFeatures.
    seq_length: int.
    layer_indexes: list of ints.
    writer: text file object.
    chunk_size: examples per estimator.predict call.

  Returns:
    number of lines written.
  """
  progress = script_utils.ProgressLogger("Writing features",
                                         total=len(features))
  for start in range(0, len(features), chunk_size):
    chunk = features[start:start + chunk_size]
    by_id = {f.unique_id: f for f in chunk}
    input_fn = input_fn_builder(chunk, seq_length)
    seen = 0
    for result in estimator.predict(input_fn, yield_single_examples=True):
      feature = by_id[int(result["unique_id"])]
      writer.write(json.dumps(feature_to_json(feature, result,
                                              layer_indexes)) + "\n")
      seen += 1
      progress.update()
    if seen != len(chunk):
      # A short read would silently drop lines; never let it pass.
      raise RuntimeError("model returned %d results for %d examples" %
                         (seen, len(chunk)))
  tf1.logging.info("%s", progress.status())
  return progress.count


def define_flags(flag_values=flags.FLAGS):
  """Defines the script's flags on `flag_values`. Called only when run as a
  script (or by `script_settings.defaults`), so that this module can be
  imported next to the other scripts (absl refuses a flag name defined
  twice)."""
  define = script_utils.flag_definers(flag_values)
  define.string(
      "input_file", None,
      "Text file with one example per line; `a ||| b` for pairs.")
  define.string("output_file", None, "JSON-lines file to write.")
  define.string(
      "layers", "-1,-2,-3,-4",
      "Comma-separated encoder layer indexes to output; negative ones count "
      "from the top (-1 is the last layer).")
  define.string(
      "bert_config_file", None,
      "bert_config.json of the pre-trained model: its architecture.")
  define.integer(
      "max_seq_length", 128,
      "Longest input in WordPiece tokens, [CLS]/[SEP] included. Longer "
      "inputs are truncated; shorter ones are padded.")
  define.string("init_checkpoint", None,
                "Checkpoint of the pre-trained model (path prefix).")
  define.string("vocab_file", None,
                "Vocabulary the model was trained with.")
  define.bool(
      "do_lower_case", True,
      "Lower-case the input: True for uncased models, False for cased ones.")
  define.integer("batch_size", 32, "Examples per prediction batch.")
  define.bool(
      "use_one_hot_embeddings", False,
      "Look words up with a one-hot matmul instead of a gather. Faster on "
      "TPU, slower on CPU/GPU; the values are the same.")

  checkpoint_utils.define_allow_random_init_flag(flag_values)
  estimator_runtime.define_tpu_flags(flag_values)
  estimator_runtime.define_performance_flags(flag_values)


def run(settings):
  """Writes the features: `settings` has one value per flag (see
  `script_settings`).

  Raises:
    UsageError: a bad flag value or input.
  """
  script_utils.require_flags(settings, ["input_file", "output_file",
                                     "bert_config_file", "vocab_file"])
  script_utils.require_file(settings.input_file, "input_file")
  script_utils.require_file(settings.vocab_file, "vocab_file")
  script_utils.require_file(settings.bert_config_file, "bert_config_file")
  # A checkpoint prefix, also when the flag names a directory or a file.
  init_checkpoint = checkpoint_utils.check_init_checkpoint(
      settings.init_checkpoint)
  # Features of a random model look like any others but mean nothing.
  checkpoint_utils.checkpoint_for_inference(
      None, init_checkpoint, "extract_features.py", (),
      settings.allow_random_init)
  if settings.max_seq_length < 3:
    raise UsageError("--max_seq_length=%d: must be at least 3 ([CLS], a "
                     "token and [SEP])" % settings.max_seq_length)
  if settings.batch_size < 1:
    raise UsageError("--batch_size=%d: must be positive" % settings.batch_size)
  script_utils.check_output_file(settings.output_file)

  bert_config = script_utils.load_bert_config(settings.bert_config_file,
                                              settings.max_seq_length)
  layer_indexes = parse_layer_indexes(settings.layers,
                                      bert_config.num_hidden_layers)
  checkpoint_utils.check_checkpoint_fits_config(init_checkpoint, bert_config)
  tokenizer = script_utils.load_tokenizer(settings.vocab_file,
                                          settings.do_lower_case,
                                          init_checkpoint)
  script_utils.check_vocab_fits_config(len(tokenizer.vocab), bert_config,
                                       settings.vocab_file)

  examples = read_examples(settings.input_file)
  if not examples:
    raise UsageError("--input_file=%s is empty; expected one example per "
                     "line" % settings.input_file)
  features = convert_examples_to_features(
      examples=examples, seq_length=settings.max_seq_length,
      tokenizer=tokenizer)

  model_fn = model_fn_builder(
      bert_config=bert_config,
      init_checkpoint=init_checkpoint,
      layer_indexes=layer_indexes,
      use_tpu=settings.use_tpu,
      use_one_hot_embeddings=settings.use_one_hot_embeddings,
      compute_type=estimator_runtime.compute_type_for_precision(
          settings.precision))

  # Made only now that the input has passed every check: a refused run
  # leaves no empty directory behind.
  output_parent = os.path.dirname(settings.output_file)
  if output_parent:
    script_utils.prepare_output_dir(output_parent, "output_file")
  # Prediction writes nothing to its model directory, but the estimator
  # wants one; a private temporary one is removed afterwards.
  model_dir = tempfile.mkdtemp(prefix="extract_features_")
  try:
    run_config = estimator_runtime.run_config_from_flags(
        settings, output_dir=model_dir)
    estimator = estimator_runtime.make_estimator(
        model_fn,
        run_config,
        settings.use_tpu,
        predict_batch_size=settings.batch_size)
    checkpoint_utils.log_weights("Extracting features", None, init_checkpoint)
    with script_utils.atomic_output(settings.output_file) as writer:
      count = extract(estimator, features, settings.max_seq_length,
                      layer_indexes, writer)
  finally:
    shutil.rmtree(model_dir, ignore_errors=True)
  tf1.logging.info("Wrote %d examples to %s", count, settings.output_file)


def main(_):
  run(script_settings.from_flags(FLAGS))


if __name__ == "__main__":
  define_flags()
  script_utils.run(main)
