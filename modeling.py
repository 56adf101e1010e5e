# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""The BERT Transformer encoder as a TensorFlow 1-style graph.

Read top to bottom: configuration, the model class, then the building blocks
it is made of (embeddings, attention, the layer stack) and the small shape
helpers they share. Variable names follow the released Google checkpoints
exactly (`bert/embeddings/word_embeddings`, `bert/encoder/layer_0/...`), so a
released `bert_model.ckpt` loads into this graph unchanged.

Everything is built with `tf.compat.v1` and runs in graph mode, as it does
inside an Estimator `model_fn`.
"""

import collections
import copy
import json
import math
import re

import six
import tensorflow as tf

tf1 = tf.compat.v1

# The keys of `bert_config.json`, in the order of the BertConfig signature.
CONFIG_KEYS = ("vocab_size", "hidden_size", "num_hidden_layers",
               "num_attention_heads", "intermediate_size", "hidden_act",
               "hidden_dropout_prob", "attention_probs_dropout_prob",
               "max_position_embeddings", "type_vocab_size",
               "initializer_range")


class BertConfig(object):
  """Hyper-parameters of a BertModel, stored as `bert_config.json`."""

  def __init__(self,
               vocab_size,
               hidden_size=768,
               num_hidden_layers=12,
               num_attention_heads=12,
               intermediate_size=3072,
               hidden_act="gelu",
               hidden_dropout_prob=0.1,
               attention_probs_dropout_prob=0.1,
               max_position_embeddings=512,
               type_vocab_size=16,
               initializer_range=0.02):
    """Builds a configuration.

    Args:
      vocab_size: Size of the WordPiece vocabulary (rows of the embedding table).
      hidden_size: Width H of every encoder layer and of the pooler.
      num_hidden_layers: Number of Transformer layers.
      num_attention_heads: Heads per attention layer; must divide hidden_size.
      intermediate_size: Width I of the feed-forward ("intermediate") layer.
      hidden_act: Activation of the feed-forward layer (name or function).
      hidden_dropout_prob: Dropout on embeddings, dense outputs and the pooler.
      attention_probs_dropout_prob: Dropout on the attention probabilities.
      max_position_embeddings: Longest sequence the model can ever read.
      type_vocab_size: Number of segment ids (`token_type_ids`).
      initializer_range: Stddev of the truncated-normal initialiser.
    """
    self.vocab_size = vocab_size
    self.hidden_size = hidden_size
    self.num_hidden_layers = num_hidden_layers
    self.num_attention_heads = num_attention_heads
    self.hidden_act = hidden_act
    self.intermediate_size = intermediate_size
    self.hidden_dropout_prob = hidden_dropout_prob
    self.attention_probs_dropout_prob = attention_probs_dropout_prob
    self.max_position_embeddings = max_position_embeddings
    self.type_vocab_size = type_vocab_size
    self.initializer_range = initializer_range

  @classmethod
  def from_dict(cls, json_object):
    """Builds a config from a dict; keys not given keep their defaults."""
    config = cls(vocab_size=None)
    for (key, value) in six.iteritems(json_object):
      config.__dict__[key] = value
    return config

  @classmethod
  def from_json_file(cls, json_file):
    """Reads `bert_config.json`, refusing files that cannot describe a model.

    A released config may carry extra keys (the multilingual ones do); they are
    kept as attributes. A missing key, a value of the wrong type or a size that
    is not positive is reported with the file name, because the alternative is
    an obscure failure deep inside graph construction.
    """
    if not tf.io.gfile.exists(json_file):
      raise ValueError("bert_config_file %s: file not found" % json_file)
    with tf.io.gfile.GFile(json_file, "r") as reader:
      text = reader.read()
    try:
      json_object = json.loads(text)
    except ValueError as e:
      raise ValueError("bert_config_file %s: not valid JSON (%s)" %
                       (json_file, e))
    if not isinstance(json_object, dict):
      raise ValueError("bert_config_file %s: expected a JSON object" %
                       json_file)
    missing = [key for key in CONFIG_KEYS if key not in json_object]
    if missing:
      raise ValueError("bert_config_file %s: missing key(s) %s" %
                       (json_file, ", ".join(missing)))
    config = cls.from_dict(json_object)
    config.validate(source="bert_config_file %s" % json_file)
    return config

  def validate(self, source="BertConfig"):
    """Raises ValueError when a value cannot describe a model."""
    for key in ("vocab_size", "hidden_size", "num_hidden_layers",
                "num_attention_heads", "intermediate_size",
                "max_position_embeddings", "type_vocab_size"):
      value = getattr(self, key)
      if isinstance(value, bool) or not isinstance(value, six.integer_types):
        raise ValueError("%s: %s must be an integer, got %r" %
                         (source, key, value))
      if value <= 0:
        raise ValueError("%s: %s must be positive, got %d" %
                         (source, key, value))
    for key in ("hidden_dropout_prob", "attention_probs_dropout_prob"):
      value = getattr(self, key)
      if not isinstance(value, (int, float)) or not 0.0 <= value < 1.0:
        raise ValueError("%s: %s must be in [0, 1), got %r" %
                         (source, key, value))
    if not (isinstance(self.initializer_range, (int, float)) and
            self.initializer_range > 0):
      raise ValueError("%s: initializer_range must be positive, got %r" %
                       (source, self.initializer_range))
    _check_heads_divide_hidden(self.hidden_size, self.num_attention_heads,
                               source + ": ")
    if isinstance(self.hidden_act, six.string_types):
      get_activation(self.hidden_act)  # Raises on an unknown name.

  def to_dict(self):
    """Returns a plain-dict copy of the configuration."""
    return copy.deepcopy(self.__dict__)

  def to_json_string(self):
    """Serialises the configuration as sorted, 2-space-indented JSON."""
    return json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n"


class BertModel(object):
  """The BERT encoder: embeddings, a Transformer stack and a pooler.

  Example, inside any TF1-style graph:

  ```python
  config = modeling.BertConfig.from_json_file("bert_config.json")
  model = modeling.BertModel(config=config, is_training=False,
                             input_ids=input_ids, input_mask=input_mask,
                             token_type_ids=segment_ids)
  pooled = model.get_pooled_output()        # [batch_size, hidden_size]
  sequence = model.get_sequence_output()    # [batch_size, seq_length, hidden_size]
  ```
  """

  def __init__(self,
               config,
               is_training,
               input_ids,
               input_mask=None,
               token_type_ids=None,
               use_one_hot_embeddings=False,
               scope=None,
               compute_type=tf.float32):
    """Builds the model graph.

    Args:
      config: `BertConfig`.
      is_training: bool. False turns every dropout off (evaluation, serving).
      input_ids: int32 Tensor [batch_size, seq_length] of WordPiece ids.
      input_mask: (optional) int32 Tensor [batch_size, seq_length]; 1 for real
        tokens, 0 for padding. Defaults to all ones.
      token_type_ids: (optional) int32 Tensor [batch_size, seq_length] of
        segment ids. Defaults to all zeros.
      use_one_hot_embeddings: bool. Look words up with a one-hot matmul instead
        of a gather; faster on TPU, slower on CPU/GPU, same result.
      scope: (optional) variable scope; defaults to "bert".
      compute_type: tf.float32 (default), tf.bfloat16 or tf.float16. The
        encoder's matrix products run in this type; variables stay float32
        (so checkpoints are unchanged) and layer norm, softmax and every
        output of this class stay float32.

    Raises:
      ValueError: if the config or the input shapes cannot work together.
    """
    config = copy.deepcopy(config)
    if not is_training:
      config.hidden_dropout_prob = 0.0
      config.attention_probs_dropout_prob = 0.0

    batch_size, seq_length = get_shape_list(input_ids, expected_rank=2)
    if (isinstance(seq_length, int) and
        seq_length > config.max_position_embeddings):
      raise ValueError(
          "seq_length %d is longer than max_position_embeddings %d of the "
          "model config" % (seq_length, config.max_position_embeddings))
    # Before any variable exists (transformer_model checks it too, for its
    # direct callers).
    _check_heads_divide_hidden(config.hidden_size, config.num_attention_heads)

    if input_mask is None:
      input_mask = tf.ones(shape=[batch_size, seq_length], dtype=tf.int32)
    if token_type_ids is None:
      token_type_ids = tf.zeros(shape=[batch_size, seq_length], dtype=tf.int32)

    with tf1.variable_scope(scope, default_name="bert"):
      with tf1.variable_scope("embeddings"):
        (self.embedding_output, self.embedding_table) = embedding_lookup(
            input_ids=input_ids,
            vocab_size=config.vocab_size,
            embedding_size=config.hidden_size,
            initializer_range=config.initializer_range,
            word_embedding_name="word_embeddings",
            use_one_hot_embeddings=use_one_hot_embeddings)
        self.embedding_output = embedding_postprocessor(
            input_tensor=self.embedding_output,
            use_token_type=True,
            token_type_ids=token_type_ids,
            token_type_vocab_size=config.type_vocab_size,
            token_type_embedding_name="token_type_embeddings",
            use_position_embeddings=True,
            position_embedding_name="position_embeddings",
            initializer_range=config.initializer_range,
            max_position_embeddings=config.max_position_embeddings,
            dropout_prob=config.hidden_dropout_prob)

      with tf1.variable_scope("encoder"):
        attention_mask = create_attention_mask_from_input_mask(
            input_ids, input_mask)
        encoder_input = self.embedding_output
        if compute_type != tf.float32:
          encoder_input = tf.cast(encoder_input, compute_type)
          attention_mask = tf.cast(attention_mask, compute_type)
        all_layers = transformer_model(
            input_tensor=encoder_input,
            attention_mask=attention_mask,
            hidden_size=config.hidden_size,
            num_hidden_layers=config.num_hidden_layers,
            num_attention_heads=config.num_attention_heads,
            intermediate_size=config.intermediate_size,
            intermediate_act_fn=get_activation(config.hidden_act),
            hidden_dropout_prob=config.hidden_dropout_prob,
            attention_probs_dropout_prob=config.attention_probs_dropout_prob,
            initializer_range=config.initializer_range,
            do_return_all_layers=True)
        # Heads and losses downstream expect float32 whatever the encoder ran in.
        self.all_encoder_layers = [
            tf.cast(layer, tf.float32) if layer.dtype != tf.float32 else layer
            for layer in all_layers]

      self.sequence_output = self.all_encoder_layers[-1]
      with tf1.variable_scope("pooler"):
        # The pooled output summarises the sequence through the hidden state
        # of [CLS], which pre-training's next-sentence task teaches to carry
        # sentence-level information.
        first_token_tensor = tf.squeeze(
            self.sequence_output[:, 0:1, :], axis=1)
        self.pooled_output = dense_layer(
            first_token_tensor,
            config.hidden_size,
            activation=tf.tanh,
            kernel_initializer=create_initializer(config.initializer_range),
            name="dense")

  def get_pooled_output(self):
    """Returns the pooled [CLS] output, [batch_size, hidden_size]."""
    return self.pooled_output

  def get_sequence_output(self):
    """Returns the last encoder layer, [batch_size, seq_length, hidden_size]."""
    return self.sequence_output

  def get_all_encoder_layers(self):
    """Returns a list of [batch_size, seq_length, hidden_size], one per layer."""
    return self.all_encoder_layers

  def get_embedding_output(self):
    """Returns the summed, normalised embeddings, [batch_size, seq_length,
    hidden_size]: the input of the first Transformer layer."""
    return self.embedding_output

  def get_embedding_table(self):
    """Returns the word embedding table, [vocab_size, hidden_size]."""
    return self.embedding_table


# ----------------------------------------------------------------------------
# Activations
# ----------------------------------------------------------------------------


def gelu(x):
  """Gaussian Error Linear Unit, in the tanh approximation BERT was trained with.

  Args:
    x: float Tensor of any shape.

  Returns:
    `x` with GELU applied elementwise.
  """
  cdf = 0.5 * (1.0 + tf.tanh(
      (math.sqrt(2.0 / math.pi) * (x + 0.044715 * tf.pow(x, 3)))))
  return x * cdf


def gelu_exact(x):
  """GELU in its exact form, x * Phi(x) with the normal CDF through erf.

  Not what BERT was trained with (see `gelu`); it is what Hugging Face's
  configs call "gelu", so a model converted from there (convert_checkpoint.py)
  names it "gelu_exact" and computes the numbers it was trained with.

  Args:
    x: float Tensor of any shape.

  Returns:
    `x` with exact GELU applied elementwise.
  """
  return x * (0.5 * (1.0 + tf.math.erf(x * (1.0 / math.sqrt(2.0)))))


def get_activation(activation_string):
  """Maps an activation name from a config to a function.

  Args:
    activation_string: "linear", "relu", "gelu" (the tanh approximation),
      "gelu_exact" (the erf form) or "tanh" (any case); None or "" means no
      activation. Anything that is not a string (for example a
      function) is returned unchanged.

  Returns:
    A function, or None for a linear activation.

  Raises:
    ValueError: for an unknown name.
  """
  if not isinstance(activation_string, six.string_types):
    return activation_string
  if not activation_string:
    return None
  activations = {"linear": None, "relu": tf.nn.relu, "gelu": gelu,
                 "gelu_exact": gelu_exact, "tanh": tf.tanh}
  if activation_string.lower() not in activations:
    raise ValueError("Unsupported activation: %s (expected linear, relu, "
                     "gelu, gelu_exact or tanh)" % activation_string)
  return activations[activation_string.lower()]


# ----------------------------------------------------------------------------
# Checkpoints
# ----------------------------------------------------------------------------


def get_assignment_map_from_checkpoint(tvars, init_checkpoint):
  """Pairs the graph's variables with same-named ones in a checkpoint.

  Variables the checkpoint lacks (a fresh classifier head, say) are left out
  and keep their initialisers.

  Args:
    tvars: list of variables, usually `tf.compat.v1.trainable_variables()`.
    init_checkpoint: checkpoint path prefix.

  Returns:
    (assignment_map, initialized_variable_names): an OrderedDict from
    checkpoint name to graph name for `tf.compat.v1.train.init_from_checkpoint`,
    and a dict whose keys are the initialised names both bare and with ":0".

  Raises:
    ValueError: when a variable exists in both but with different shapes; the
      message names the variable and both shapes.
  """
  name_to_variable = collections.OrderedDict()
  for var in tvars:
    name = var.name
    m = re.match("^(.*):\\d+$", name)
    if m is not None:
      name = m.group(1)
    name_to_variable[name] = var

  assignment_map = collections.OrderedDict()
  initialized_variable_names = {}
  for (name, shape) in tf.train.list_variables(init_checkpoint):
    if name not in name_to_variable:
      continue
    graph_shape = name_to_variable[name].shape.as_list()
    if list(shape) != graph_shape:
      raise ValueError(
          "init_checkpoint %s: variable %s has shape %s in the checkpoint but "
          "%s in the model (does bert_config_file match the checkpoint?)" %
          (init_checkpoint, name, list(shape), graph_shape))
    assignment_map[name] = name
    initialized_variable_names[name] = 1
    initialized_variable_names[name + ":0"] = 1
  return (assignment_map, initialized_variable_names)


# ----------------------------------------------------------------------------
# Small layers
# ----------------------------------------------------------------------------


def dropout(input_tensor, dropout_prob):
  """Drops elements with probability `dropout_prob` (no-op when 0 or None).

  Args:
    input_tensor: float Tensor of any shape.
    dropout_prob: float, the probability of *dropping* an element.

  Returns:
    Tensor of the same shape.
  """
  if dropout_prob is None or dropout_prob == 0.0:
    return input_tensor
  return tf.nn.dropout(input_tensor, rate=dropout_prob)


def layer_norm(input_tensor, name=None):
  """Layer normalisation over the last axis, with `beta` and `gamma` variables.

  Always computed in float32: the variance of low-precision activations loses
  too many bits for the normalised values to be trusted.

  Args:
    input_tensor: float Tensor [..., width].
    name: (optional) variable scope; defaults to "LayerNorm".

  Returns:
    Tensor of the same shape and dtype.
  """
  with tf1.variable_scope(name, default_name="LayerNorm"):
    width = input_tensor.shape[-1]
    beta = tf1.get_variable("beta", shape=[width],
                            initializer=tf1.zeros_initializer())
    gamma = tf1.get_variable("gamma", shape=[width],
                             initializer=tf1.ones_initializer())
    x = input_tensor
    if x.dtype != tf.float32:
      x = tf.cast(x, tf.float32)
    mean, variance = tf.nn.moments(x, axes=[-1], keepdims=True)
    output = tf.nn.batch_normalization(
        x, mean, variance, offset=beta, scale=gamma, variance_epsilon=1e-12)
    if input_tensor.dtype != tf.float32:
      output = tf.cast(output, input_tensor.dtype)
    return output


def layer_norm_and_dropout(input_tensor, dropout_prob, name=None):
  """Layer normalisation followed by dropout (the embedding epilogue)."""
  return dropout(layer_norm(input_tensor, name), dropout_prob)


def create_initializer(initializer_range=0.02):
  """Returns the truncated-normal initialiser every weight matrix uses."""
  return tf1.truncated_normal_initializer(stddev=initializer_range)


def dense_layer(input_tensor, output_size, activation=None,
                kernel_initializer=None, name=None):
  """A fully connected layer with checkpoint-compatible variable names.

  Creates `<name>/kernel` [input_width, output_size] and `<name>/bias`
  [output_size], stored [in, out] as in the released checkpoints. Variables
  are float32; when the input is in a lower precision the kernel is cast to
  it, so gradients still reach float32 master weights.

  Args:
    input_tensor: float Tensor [..., input_width]; rank 2 is the fast path.
    output_size: int, width of the output.
    activation: (optional) function applied to the output.
    kernel_initializer: (optional) initialiser for the kernel.
    name: variable scope of the layer.

  Returns:
    Tensor [..., output_size] in the input's dtype.
  """
  input_width = input_tensor.shape[-1]
  with tf1.variable_scope(name, default_name="dense"):
    kernel = tf1.get_variable("kernel", shape=[input_width, output_size],
                              initializer=kernel_initializer)
    bias = tf1.get_variable("bias", shape=[output_size],
                            initializer=tf1.zeros_initializer())
    if input_tensor.dtype != kernel.dtype:
      kernel = tf.cast(kernel, input_tensor.dtype)
      bias = tf.cast(bias, input_tensor.dtype)
    if input_tensor.shape.ndims == 2:
      output = tf.matmul(input_tensor, kernel)
    else:
      output = tf.tensordot(input_tensor, kernel, axes=[[-1], [0]])
    output = tf.nn.bias_add(output, bias)
    if activation is not None:
      output = activation(output)
    return output


# ----------------------------------------------------------------------------
# Embeddings
# ----------------------------------------------------------------------------


def embedding_lookup(input_ids,
                     vocab_size,
                     embedding_size=128,
                     initializer_range=0.02,
                     word_embedding_name="word_embeddings",
                     use_one_hot_embeddings=False):
  """Looks word ids up in a trainable embedding table.

  Args:
    input_ids: int32 Tensor [batch_size, seq_length] (a trailing axis of 1,
      as older callers pass, is accepted too).
    vocab_size: int, rows of the table.
    embedding_size: int, width of the table.
    initializer_range: float, stddev of the initialiser.
    word_embedding_name: string, variable name of the table.
    use_one_hot_embeddings: bool. A one-hot matmul instead of a gather: dense
      matrix products are what TPUs are fast at, sparse gathers are not.

  Returns:
    (output, embedding_table): float Tensor [batch_size, seq_length,
    embedding_size] and the table [vocab_size, embedding_size].
  """
  if input_ids.shape.ndims == 3:
    input_ids = tf.squeeze(input_ids, axis=[2])

  embedding_table = tf1.get_variable(
      name=word_embedding_name, shape=[vocab_size, embedding_size],
      initializer=create_initializer(initializer_range))

  input_shape = get_shape_list(input_ids)
  flat_input_ids = tf.reshape(input_ids, [-1])
  if use_one_hot_embeddings:
    one_hot_input_ids = tf.one_hot(flat_input_ids, depth=vocab_size)
    output = tf.matmul(one_hot_input_ids, embedding_table)
  else:
    output = tf.gather(embedding_table, flat_input_ids)

  return (tf.reshape(output, input_shape + [embedding_size]), embedding_table)


def embedding_postprocessor(input_tensor,
                            use_token_type=False,
                            token_type_ids=None,
                            token_type_vocab_size=16,
                            token_type_embedding_name="token_type_embeddings",
                            use_position_embeddings=True,
                            position_embedding_name="position_embeddings",
                            initializer_range=0.02,
                            max_position_embeddings=512,
                            dropout_prob=0.1):
  """Adds segment and position embeddings, then layer norm and dropout.

  Args:
    input_tensor: float Tensor [batch_size, seq_length, embedding_size].
    use_token_type: bool, whether to add segment embeddings.
    token_type_ids: (optional) int32 Tensor [batch_size, seq_length]; needed
      when use_token_type is True.
    token_type_vocab_size: int, number of segment ids.
    token_type_embedding_name: string, variable name of the segment table.
    use_position_embeddings: bool, whether to add learned position embeddings.
    position_embedding_name: string, variable name of the position table.
    initializer_range: float, stddev of the initialiser.
    max_position_embeddings: int, rows of the position table; no sequence may
      be longer.
    dropout_prob: float, dropout applied to the result.

  Returns:
    float Tensor of the same shape as `input_tensor`.

  Raises:
    ValueError: when token types are asked for but not given, or when the
      sequence is longer than the position table.
  """
  batch_size, seq_length, width = get_shape_list(input_tensor,
                                                 expected_rank=3)
  output = input_tensor

  if use_token_type:
    if token_type_ids is None:
      raise ValueError("`token_type_ids` must be given when "
                       "`use_token_type` is True.")
    token_type_table = tf1.get_variable(
        name=token_type_embedding_name, shape=[token_type_vocab_size, width],
        initializer=create_initializer(initializer_range))
    # The segment vocabulary is tiny, so a one-hot matmul is cheap everywhere
    # and avoids a gather, which is slow on TPU.
    flat_token_type_ids = tf.reshape(token_type_ids, [-1])
    one_hot_ids = tf.one_hot(flat_token_type_ids, depth=token_type_vocab_size)
    token_type_embeddings = tf.matmul(one_hot_ids, token_type_table)
    output += tf.reshape(token_type_embeddings,
                         [batch_size, seq_length, width])

  if use_position_embeddings:
    if isinstance(seq_length, int):
      if seq_length > max_position_embeddings:
        raise ValueError(
            "seq_length %d is longer than max_position_embeddings %d" %
            (seq_length, max_position_embeddings))
      checks = []
    else:
      checks = [tf1.assert_less_equal(
          seq_length, max_position_embeddings,
          message="seq_length is longer than max_position_embeddings")]
    with tf.control_dependencies(checks):
      full_position_embeddings = tf1.get_variable(
          name=position_embedding_name, shape=[max_position_embeddings, width],
          initializer=create_initializer(initializer_range))
      # The table is trained for up to max_position_embeddings positions;
      # shorter inputs use only its first seq_length rows.
      position_embeddings = tf.slice(full_position_embeddings, [0, 0],
                                     [seq_length, -1])
      # Broadcast over the batch: the position part is the same for every row.
      position_embeddings = tf.reshape(position_embeddings,
                                       [1, seq_length, width])
      output += position_embeddings

  return layer_norm_and_dropout(output, dropout_prob)


# ----------------------------------------------------------------------------
# Attention
# ----------------------------------------------------------------------------


def create_attention_mask_from_input_mask(from_tensor, to_mask):
  """Expands a 2-D padding mask to the 3-D mask attention needs.

  Args:
    from_tensor: Tensor [batch_size, from_seq_length, ...] (ids or vectors);
      only its first two dimensions are used.
    to_mask: int32 Tensor [batch_size, to_seq_length], 1 for real tokens.

  Returns:
    float32 Tensor [batch_size, from_seq_length, to_seq_length]: 1 where a
    position may attend to another.
  """
  batch_size, from_seq_length = get_shape_list(from_tensor,
                                               expected_rank=[2, 3])[:2]
  to_seq_length = get_shape_list(to_mask, expected_rank=2)[1]

  to_mask = tf.cast(
      tf.reshape(to_mask, [batch_size, 1, to_seq_length]), tf.float32)
  # Every query position may look at the same real keys; padded *queries*
  # are not masked because their outputs are never used.
  broadcast_ones = tf.ones(
      shape=[batch_size, from_seq_length, 1], dtype=tf.float32)
  return broadcast_ones * to_mask


def attention_layer(from_tensor,
                    to_tensor,
                    attention_mask=None,
                    num_attention_heads=1,
                    size_per_head=512,
                    query_act=None,
                    key_act=None,
                    value_act=None,
                    attention_probs_dropout_prob=0.0,
                    initializer_range=0.02,
                    do_return_2d_tensor=False,
                    batch_size=None,
                    from_seq_length=None,
                    to_seq_length=None):
  """Multi-headed scaled dot-product attention from `from_tensor` to `to_tensor`.

  Inputs may be 3-D, or 2-D ([batch_size * seq_length, width]) together with
  batch_size and the sequence lengths; the Transformer stack passes 2-D
  tensors to avoid reshaping back and forth in every layer.

  Args:
    from_tensor: float Tensor [batch_size, from_seq_length, from_width] or
      [batch_size * from_seq_length, from_width].
    to_tensor: float Tensor [batch_size, to_seq_length, to_width] or 2-D.
    attention_mask: (optional) Tensor [batch_size, from_seq_length,
      to_seq_length], 1 where attention is allowed and 0 where it is not.
    num_attention_heads: int, number of heads N.
    size_per_head: int, width D of each head.
    query_act, key_act, value_act: (optional) activations of the projections.
    attention_probs_dropout_prob: float, dropout on the attention weights.
    initializer_range: float, stddev of the initialiser.
    do_return_2d_tensor: bool. True returns [batch_size * from_seq_length,
      N * D], False returns [batch_size, from_seq_length, N * D].
    batch_size, from_seq_length, to_seq_length: ints (or scalar tensors),
      needed when the inputs are 2-D.

  Returns:
    float Tensor of the attended values, shaped as `do_return_2d_tensor` says.

  Raises:
    ValueError: on inconsistent ranks or missing sizes for 2-D inputs.
  """
  from_shape = get_shape_list(from_tensor, expected_rank=[2, 3])
  to_shape = get_shape_list(to_tensor, expected_rank=[2, 3])
  if len(from_shape) != len(to_shape):
    raise ValueError(
        "The rank of `from_tensor` must match the rank of `to_tensor`.")

  if len(from_shape) == 3:
    batch_size, from_seq_length = from_shape[:2]
    to_seq_length = to_shape[1]
  elif (batch_size is None or from_seq_length is None or
        to_seq_length is None):
    raise ValueError(
        "With 2-D inputs, batch_size, from_seq_length and to_seq_length must "
        "all be given.")

  # Shorthand used in the shape comments below:
  #   B = batch size, F = from_seq_length, T = to_seq_length,
  #   N = num_attention_heads, D = size_per_head.
  from_tensor_2d = reshape_to_matrix(from_tensor)  # [B*F, from_width]
  to_tensor_2d = reshape_to_matrix(to_tensor)      # [B*T, to_width]
  initializer = create_initializer(initializer_range)

  width = num_attention_heads * size_per_head  # N*D
  query_layer = dense_layer(from_tensor_2d, width, query_act, initializer,
                            name="query")  # [B*F, N*D]
  key_layer = dense_layer(to_tensor_2d, width, key_act, initializer,
                          name="key")      # [B*T, N*D]
  value_layer = dense_layer(to_tensor_2d, width, value_act, initializer,
                            name="value")  # [B*T, N*D]

  query_layer = _split_heads(query_layer, batch_size, from_seq_length,
                             num_attention_heads, size_per_head)  # [B,N,F,D]
  key_layer = _split_heads(key_layer, batch_size, to_seq_length,
                           num_attention_heads, size_per_head)    # [B,N,T,D]

  # Dividing by sqrt(D) keeps the dot products' variance near 1 whatever the
  # head width, so the softmax does not saturate at initialisation.
  attention_scores = tf.matmul(query_layer, key_layer, transpose_b=True)
  attention_scores = attention_scores * (1.0 / math.sqrt(float(size_per_head)))
  # Softmax in float32: exp() of low-precision scores over- or underflows.
  if attention_scores.dtype != tf.float32:
    attention_scores = tf.cast(attention_scores, tf.float32)  # [B,N,F,T]

  if attention_mask is not None:
    attention_mask = tf.cast(attention_mask, tf.float32)
    attention_mask = tf.expand_dims(attention_mask, axis=1)  # [B,1,F,T]
    # Masked positions get -10000 added before the softmax: exp(-10000) is 0
    # in float32, so they receive no weight, while a finite value (unlike
    # -inf) cannot produce NaNs for a row that is entirely masked. The
    # released checkpoints were trained with exactly this constant.
    adder = (1.0 - attention_mask) * -10000.0
    attention_scores += adder

  attention_probs = tf.nn.softmax(attention_scores)  # [B,N,F,T]
  # Dropping whole tokens to attend to is unusual but is what BERT was
  # trained with.
  attention_probs = dropout(attention_probs, attention_probs_dropout_prob)

  value_layer = _split_heads(value_layer, batch_size, to_seq_length,
                             num_attention_heads, size_per_head)  # [B,N,T,D]
  if attention_probs.dtype != value_layer.dtype:
    attention_probs = tf.cast(attention_probs, value_layer.dtype)
  context_layer = tf.matmul(attention_probs, value_layer)  # [B,N,F,D]
  context_layer = tf.transpose(context_layer, [0, 2, 1, 3])  # [B,F,N,D]

  leading = ([batch_size * from_seq_length] if do_return_2d_tensor else
             [batch_size, from_seq_length])
  return tf.reshape(context_layer, leading + [width])


def _split_heads(tensor_2d, batch_size, seq_length, num_heads, size_per_head):
  """Reshapes [B*S, N*D] to [B, N, S, D] so heads can be batched in matmul."""
  output = tf.reshape(tensor_2d,
                      [batch_size, seq_length, num_heads, size_per_head])
  return tf.transpose(output, [0, 2, 1, 3])


# ----------------------------------------------------------------------------
# The Transformer stack
# ----------------------------------------------------------------------------


def _check_heads_divide_hidden(hidden_size, num_attention_heads, prefix=""):
  """Raises ValueError unless the heads split hidden_size evenly.

  Each head attends over hidden_size / num_attention_heads dimensions, and
  the heads' outputs are concatenated back to hidden_size.
  """
  if hidden_size % num_attention_heads != 0:
    raise ValueError(
        "%shidden_size (%d) is not a multiple of num_attention_heads (%d)" %
        (prefix, hidden_size, num_attention_heads))


def _output_projection(input_tensor, residual, hidden_size,
                       hidden_dropout_prob, initializer_range):
  """How both sublayers of a Transformer layer end: dense, dropout, residual.

  LayerNorm(dropout(input_tensor W + b) + residual), with the variables
  `dense/{kernel,bias}` and `LayerNorm/{beta,gamma}` in the caller's scope
  (`attention/output` or `output` in the released checkpoints).

  Args:
    input_tensor: float Tensor [batch_size * seq_length, width].
    residual: float Tensor [batch_size * seq_length, hidden_size], the
      sublayer's input.
    hidden_size: int.
    hidden_dropout_prob: float.
    initializer_range: float, stddev of the kernel's initializer.

  Returns:
    float Tensor [batch_size * seq_length, hidden_size].
  """
  output = dense_layer(input_tensor, hidden_size,
                       kernel_initializer=create_initializer(initializer_range),
                       name="dense")
  output = dropout(output, hidden_dropout_prob)
  return layer_norm(output + residual)


def transformer_model(input_tensor,
                      attention_mask=None,
                      hidden_size=768,
                      num_hidden_layers=12,
                      num_attention_heads=12,
                      intermediate_size=3072,
                      intermediate_act_fn=gelu,
                      hidden_dropout_prob=0.1,
                      attention_probs_dropout_prob=0.1,
                      initializer_range=0.02,
                      do_return_all_layers=False):
  """The encoder of "Attention Is All You Need", as BERT uses it (post-norm).

  Each layer: self-attention -> dense -> dropout -> add & layer norm, then
  feed-forward (dense + activation -> dense) -> dropout -> add & layer norm.

  Args:
    input_tensor: float Tensor [batch_size, seq_length, hidden_size].
    attention_mask: (optional) Tensor [batch_size, seq_length, seq_length],
      1 where attention is allowed.
    hidden_size: int, width H.
    num_hidden_layers: int, number of layers.
    num_attention_heads: int, heads per layer; must divide hidden_size.
    intermediate_size: int, width I of the feed-forward layer.
    intermediate_act_fn: function, activation of the feed-forward layer.
    hidden_dropout_prob: float, dropout on the sub-layer outputs.
    attention_probs_dropout_prob: float, dropout on the attention weights.
    initializer_range: float, stddev of the initialiser.
    do_return_all_layers: bool, return every layer's output or only the last.

  Returns:
    float Tensor [batch_size, seq_length, hidden_size], or a list of them (one
    per layer) when do_return_all_layers is True.

  Raises:
    ValueError: when the shapes do not fit together.
  """
  _check_heads_divide_hidden(hidden_size, num_attention_heads)

  attention_head_size = int(hidden_size / num_attention_heads)
  input_shape = get_shape_list(input_tensor, expected_rank=3)
  batch_size, seq_length, input_width = input_shape

  # Residual connections add the input to each sub-layer's output, so the
  # widths must agree.
  if input_width != hidden_size:
    raise ValueError("The width of the input tensor (%d) != hidden size (%d)" %
                     (input_width, hidden_size))

  # The whole stack works on [batch_size * seq_length, hidden_size] matrices.
  # Reshaping 3-D <-> 2-D around every dense layer is cheap on CPU/GPU but
  # costly on TPU, so we reshape once here and once at the end.
  prev_output = reshape_to_matrix(input_tensor)

  all_layer_outputs = []
  for layer_idx in range(num_hidden_layers):
    with tf1.variable_scope("layer_%d" % layer_idx):
      layer_input = prev_output

      with tf1.variable_scope("attention"):
        with tf1.variable_scope("self"):
          # Self-attention: from and to the same (2-D) layer input.
          attention_output = attention_layer(
              layer_input, layer_input, attention_mask, num_attention_heads,
              attention_head_size,
              attention_probs_dropout_prob=attention_probs_dropout_prob,
              initializer_range=initializer_range, do_return_2d_tensor=True,
              batch_size=batch_size, from_seq_length=seq_length,
              to_seq_length=seq_length)

        with tf1.variable_scope("output"):
          attention_output = _output_projection(
              attention_output, layer_input, hidden_size, hidden_dropout_prob,
              initializer_range)

      with tf1.variable_scope("intermediate"):
        intermediate_output = dense_layer(
            attention_output, intermediate_size, intermediate_act_fn,
            create_initializer(initializer_range), name="dense")

      with tf1.variable_scope("output"):
        layer_output = _output_projection(
            intermediate_output, attention_output, hidden_size,
            hidden_dropout_prob, initializer_range)
        prev_output = layer_output
        all_layer_outputs.append(layer_output)

  if do_return_all_layers:
    return [reshape_from_matrix(layer_output, input_shape)
            for layer_output in all_layer_outputs]
  return reshape_from_matrix(prev_output, input_shape)


# ----------------------------------------------------------------------------
# Shape helpers
# ----------------------------------------------------------------------------


def get_shape_list(tensor, expected_rank=None, name=None):
  """Returns a tensor's shape as a list, static where possible.

  Args:
    tensor: a Tensor.
    expected_rank: (optional) int or list of ints; raises when the rank is
      not one of them.
    name: (optional) name used in the error message.

  Returns:
    A list with one entry per dimension: a Python int when the dimension is
    known while building the graph, otherwise a scalar int32 Tensor.
  """
  if name is None:
    name = tensor.name
  if expected_rank is not None:
    assert_rank(tensor, expected_rank, name)
  shape = tensor.shape.as_list()
  if None not in shape:
    return shape
  dyn_shape = tf.shape(tensor)
  return [dyn_shape[index] if dim is None else dim
          for (index, dim) in enumerate(shape)]


def reshape_to_matrix(input_tensor):
  """Flattens [d_1, ..., d_n, width] to [d_1 * ... * d_n, width].

  Args:
    input_tensor: Tensor of rank >= 2.

  Returns:
    Rank-2 Tensor (the input itself when it already is).
  """
  ndims = input_tensor.shape.ndims
  if ndims < 2:
    raise ValueError("Input tensor must have at least rank 2. Shape = %s" %
                     (input_tensor.shape))
  if ndims == 2:
    return input_tensor
  return tf.reshape(input_tensor, [-1, input_tensor.shape[-1]])


def reshape_from_matrix(output_tensor, orig_shape_list):
  """Undoes `reshape_to_matrix`.

  Args:
    output_tensor: Tensor [d_1 * ... * d_n, width].
    orig_shape_list: the list [d_1, ..., d_n, original_width] from
      `get_shape_list`; only the leading dimensions are used.

  Returns:
    Tensor [d_1, ..., d_n, width].
  """
  if len(orig_shape_list) == 2:
    return output_tensor
  width = get_shape_list(output_tensor)[-1]
  return tf.reshape(output_tensor, orig_shape_list[0:-1] + [width])


def assert_rank(tensor, expected_rank, name=None):
  """Raises ValueError unless the tensor's rank is the expected one.

  Args:
    tensor: a Tensor.
    expected_rank: int or list of ints.
    name: (optional) name used in the error message.
  """
  if name is None:
    name = tensor.name
  expected_ranks = ([expected_rank] if isinstance(
      expected_rank, six.integer_types) else list(expected_rank))
  actual_rank = tensor.shape.ndims
  if actual_rank not in expected_ranks:
    scope_name = tf1.get_variable_scope().name
    raise ValueError(
        "For the tensor `%s` in scope `%s`, the actual rank "
        "`%d` (shape = %s) is not equal to the expected rank `%s`" %
        (name, scope_name, actual_rank, str(tensor.shape), str(expected_rank)))
