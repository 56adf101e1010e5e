# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Pre-trains BERT with the masked-LM and next-sentence objectives.

Reads the records written by `create_pretraining_data.py`, trains with
`--do_train` (resuming from the newest checkpoint in `--output_dir` if there
is one) and evaluates with `--do_eval`, writing `eval_results.txt`.
Evaluation scores every record of `--input_file` exactly once, whatever
`--eval_batch_size` (the last batch is filled with padding of weight 0),
unless `--max_eval_steps` batches end it first; the log says how many
records were scored.

Example:

  python run_pretraining.py \
    --input_file=/tmp/tf_examples.tfrecord --output_dir=/tmp/pretraining \
    --do_train=True --do_eval=True --bert_config_file=bert_config.json \
    --train_batch_size=32 --max_seq_length=128 --max_predictions_per_seq=20 \
    --num_train_steps=20 --num_warmup_steps=10 --learning_rate=2e-5
"""

# First of all: it imports TensorFlow keeping its own messages out of the
# default log (shown with -v 1).
import tf_quiet  # pylint: disable=unused-import,g-bad-import-order
from absl import flags
import tensorflow as tf

import checkpoint_utils
import estimator_runtime
import modeling
import optimization
import record_utils
import script_settings
import script_utils

tf1 = tf.compat.v1
FLAGS = flags.FLAGS

# The record schema of create_pretraining_data.py; lengths are filled in.
INT_FEATURES_OF_SEQ_LENGTH = ("input_ids", "input_mask", "segment_ids")
INT_FEATURES_OF_PREDICTIONS = ("masked_lm_positions", "masked_lm_ids")

# How often training logs its losses (session runs) when not on TPU; None:
# at a multiple of --save_summary_steps, at most
# estimator_runtime.MAX_LOSS_LOGS times a run (see `run`).
LOG_LOSS_EVERY_N_STEPS = None

# The pre-training heads: a checkpoint without them (e.g. a classifier's
# encoder only) would evaluate random masked-LM and next-sentence layers.
HEAD_VARIABLES = (
    "cls/predictions/transform/dense/kernel",
    "cls/predictions/transform/dense/bias",
    "cls/predictions/transform/LayerNorm/beta",
    "cls/predictions/transform/LayerNorm/gamma",
    "cls/predictions/output_bias",
    "cls/seq_relationship/output_weights",
    "cls/seq_relationship/output_bias",
)

# What --init_checkpoint carries over besides the weights (--init_schedule).
RESTART = "restart"
CONTINUE = "continue"
INIT_SCHEDULES = (RESTART, CONTINUE)

# The feature the evaluation input adds (it is not in the records): float32
# [batch_size], 1.0 for a record and 0.0 for the padding that fills the last
# batch, which no loss or metric counts.
IS_REAL_EXAMPLE = "is_real_example"


def define_flags(flag_values=flags.FLAGS):
  """Defines the script's flags on `flag_values`.

  Called only when run as a script (or by `script_settings.defaults`), so
  that `model_fn_builder` and friends can be imported next to other
  scripts' modules, which define flags with the same names.
  """
  define = script_utils.flag_definers(flag_values)
  define.string(
      "bert_config_file", None,
      "bert_config.json describing the model to build.")
  define.string(
      "input_file", None,
      "Records from create_pretraining_data.py: files or globs, "
      "comma-separated.")
  define.string(
      "output_dir", None,
      "Directory for checkpoints and eval_results.txt; training resumes from "
      "the newest checkpoint found here.")
  define.string(
      "init_checkpoint", None,
      "Checkpoint to start from, e.g. a released bert_model.ckpt. Variables "
      "it lacks start from scratch.")
  define.integer(
      "max_seq_length", 128,
      "Instance length in tokens; must be the value the records were "
      "created with.")
  define.integer(
      "max_predictions_per_seq", 20,
      "Masked positions per instance; must be the value the records were "
      "created with.")
  define.bool("do_train", False, "Train (or resume training).")
  define.bool("do_eval", False,
              "Evaluate the newest checkpoint on --input_file.")
  define.integer(
      "train_batch_size", 32,
      "Examples per optimizer update, over all accumulation micro-batches.")
  define.integer("eval_batch_size", 8, "Examples per evaluation batch.")
  define.float("learning_rate", 5e-5,
               "Peak learning rate, reached at the end of warm-up.")
  define.integer(
      "num_train_steps", 100000,
      "Optimizer updates to train for in total (a resumed run continues up "
      "to this step).")
  define.integer(
      "num_warmup_steps", 10000,
      "Updates over which the learning rate rises linearly from 0.")
  define.integer("save_checkpoints_steps", 1000,
                 "Updates between checkpoints.")
  define.integer(
      "iterations_per_loop", 1000,
      "On TPU, steps run on the device per round-trip to the host.")
  define.integer(
      "max_eval_steps", 100,
      "Most evaluation batches to run. Evaluation scores every record of "
      "--input_file once if they fit in this many batches (the last one "
      "padded), else the first max_eval_steps * eval_batch_size records.")
  define.integer(
      "num_accumulation_steps", 1,
      "Split each update into this many micro-batches of train_batch_size / "
      "num_accumulation_steps examples and sum their gradients: a large "
      "batch in little memory.")
  define.enum(
      "init_schedule", "restart", list(INIT_SCHEDULES),
      "With --init_checkpoint (phase 2 of pre-training starting from phase "
      "1's last checkpoint): restart: only the weights come from it; the "
      "step counter starts at 0 and the learning-rate schedule (warm-up, "
      "decay to 0 at --num_train_steps) starts over, with fresh optimizer "
      "moments. continue: the step counter and the optimizer moments carry "
      "on from the checkpoint's and the schedule goes on from its step: "
      "--num_train_steps is then the last step of both phases together "
      "(the decay reaches 0 there).")
  optimization.define_optimizer_flag(flag_values)
  checkpoint_utils.define_allow_random_init_flag(flag_values)
  estimator_runtime.define_tpu_flags(flag_values)
  estimator_runtime.define_performance_flags(flag_values)
  estimator_runtime.define_summary_flags(flag_values)


# ----------------------------------------------------------------------------
# Model
# ----------------------------------------------------------------------------


def model_fn_builder(bert_config, init_checkpoint, learning_rate,
                     num_train_steps, num_warmup_steps, use_tpu,
                     use_one_hot_embeddings, num_accumulation_steps=1,
                     compute_type=tf.float32, log_every_n_steps=100,
                     optimizer="adamw", init_schedule=RESTART):
  """Returns the TPUEstimator `model_fn` for pre-training.

  Args:
    bert_config: `modeling.BertConfig`.
    init_checkpoint: checkpoint to warm-start from, or None. Variables it
      lacks (for example the `cls/` heads of a checkpoint saved from a bare
      BertModel) start from their initialisers.
    learning_rate: float, peak learning rate.
    num_train_steps: int, step at which the learning rate reaches 0.
    num_warmup_steps: int, steps of linear warm-up.
    use_tpu: bool.
    use_one_hot_embeddings: bool, one-hot matmul embedding lookup (TPU).
    num_accumulation_steps: int, micro-batches per optimizer step.
    compute_type: dtype of the encoder's matrix products (tf.float32,
      tf.bfloat16 or tf.float16, which also turns on loss scaling). Variables,
      heads and losses stay float32.
    log_every_n_steps: int, session runs between the log's loss lines
      (CPU/GPU); LOG_LOSS_EVERY_N_STEPS wins when set.
    optimizer: "adamw" or "lamb" (`optimization.OPTIMIZERS`).
    init_schedule: RESTART (only the weights come from init_checkpoint) or
      CONTINUE (its global step and optimizer moments too, so that the
      step counter and the learning-rate schedule carry on).

  Returns:
    model_fn(features, labels, mode, params) -> TPUEstimatorSpec.
  """

  def model_fn(features, labels, mode, params):  # pylint: disable=unused-argument
    estimator_runtime.log_features(features)
    masked_lm_ids = features["masked_lm_ids"]
    masked_lm_weights = features["masked_lm_weights"]
    next_sentence_labels = features["next_sentence_labels"]

    is_training = (mode == estimator_runtime.ModeKeys.TRAIN)
    is_eval = (mode == estimator_runtime.ModeKeys.EVAL)

    if is_eval:
      # The padding that fills the last evaluation batch has weight 0 in
      # every loss and metric. Built in the evaluation graph only: ops added
      # to the training graph would shift the op seeds of its dropout.
      is_real_example = example_weights(features)
      masked_lm_weights = masked_lm_weights * is_real_example[:, None]

    model = modeling.BertModel(
        bert_config, is_training, features["input_ids"],
        features["input_mask"], features["segment_ids"],
        use_one_hot_embeddings, compute_type=compute_type)

    (masked_lm_loss, masked_lm_example_loss,
     masked_lm_log_probs) = get_masked_lm_output(
         bert_config, model.get_sequence_output(), model.get_embedding_table(),
         features["masked_lm_positions"], masked_lm_ids, masked_lm_weights)

    (next_sentence_loss, next_sentence_example_loss,
     next_sentence_log_probs) = get_next_sentence_output(
         bert_config, model.get_pooled_output(), next_sentence_labels)
    if is_eval:
      next_sentence_loss = tf.math.divide_no_nan(
          tf.reduce_sum(next_sentence_example_loss * is_real_example),
          tf.reduce_sum(is_real_example))

    total_loss = masked_lm_loss + next_sentence_loss

    scaffold_fn, _ = checkpoint_utils.init_from_checkpoint(
        init_checkpoint, use_tpu, tf1.trainable_variables())

    if mode == estimator_runtime.ModeKeys.TRAIN:
      train_op = optimization.create_optimizer(
          total_loss, learning_rate, num_train_steps, num_warmup_steps,
          use_tpu, num_accumulation_steps=num_accumulation_steps,
          loss_scale=optimization.loss_scale_for(compute_type),
          optimizer=optimizer)
      if init_checkpoint and init_schedule == CONTINUE:
        scaffold_fn = _continue_from(init_checkpoint, use_tpu, scaffold_fn)
      training_hooks = None
      if not use_tpu:
        # On CPU/GPU the losses can be printed as training goes; on TPU the
        # tensors live on the device and only the summaries see them. The
        # learning rate beside them shows where in its schedule a run (or a
        # resumed one) is.
        training_hooks = [tf1.train.LoggingTensorHook(
            {"learning_rate": _learning_rate_tensor(), "loss": total_loss,
             "masked_lm_loss": masked_lm_loss,
             "next_sentence_loss": next_sentence_loss},
            every_n_iter=LOG_LOSS_EVERY_N_STEPS or log_every_n_steps)]
      return estimator_runtime.TPUEstimatorSpec(
          mode=mode,
          loss=total_loss,
          train_op=train_op,
          training_hooks=training_hooks,
          scaffold_fn=scaffold_fn)

    if is_eval:
      eval_metrics = (metric_fn, [
          masked_lm_example_loss, masked_lm_log_probs, masked_lm_ids,
          masked_lm_weights, next_sentence_example_loss,
          next_sentence_log_probs, next_sentence_labels, is_real_example
      ])
      return estimator_runtime.TPUEstimatorSpec(
          mode=mode,
          loss=total_loss,
          eval_metrics=eval_metrics,
          scaffold_fn=scaffold_fn)

    raise ValueError("run_pretraining supports only TRAIN and EVAL modes, "
                     "not %s" % mode)

  return model_fn


def _continue_from(init_checkpoint, use_tpu, scaffold_fn):
  """Also warm-starts the global step and optimizer slots (--init_schedule=
  continue); returns the scaffold_fn that restores everything on TPU."""
  trainable = set(tf1.trainable_variables())
  # The global step and the adam_m/adam_v slots (local variables such as
  # the accumulators are not in checkpoints).
  state = [v for v in tf1.global_variables() if v not in trainable]
  state_scaffold_fn, _ = checkpoint_utils.init_from_checkpoint(
      init_checkpoint, use_tpu, state)
  if not (scaffold_fn and state_scaffold_fn):
    return scaffold_fn or state_scaffold_fn

  def both():
    scaffold_fn()
    return state_scaffold_fn()

  return both


def example_weights(features):
  """The weight of each example: float32 [batch_size], 1.0 or 0.0 (padding).

  The `is_real_example` feature of the evaluation input, or all ones for an
  input without it.
  """
  if IS_REAL_EXAMPLE in features:
    return tf.cast(features[IS_REAL_EXAMPLE], tf.float32)
  return tf.ones(tf.shape(features["input_ids"])[:1], tf.float32)


def _learning_rate_tensor():
  """The learning rate that `optimization.create_optimizer` just built.

  Looked up by its name in the current name scope (a replica's scope under a
  distribution strategy), so that the logged value is the very one the
  update of the same step uses.
  """
  graph = tf1.get_default_graph()
  name = optimization.LEARNING_RATE_NAME + ":0"
  scope = graph.get_name_scope()
  return graph.get_tensor_by_name(scope + "/" + name if scope else name)


def metric_fn(masked_lm_example_loss, masked_lm_log_probs, masked_lm_ids,
              masked_lm_weights, next_sentence_example_loss,
              next_sentence_log_probs, next_sentence_labels,
              is_real_example=None):
  """Evaluation metrics of both pre-training tasks.

  Every metric is a mean over the real examples of all batches seen (over
  their real predictions for the masked-LM ones), so it does not depend on
  how the examples are batched.

  Args:
    masked_lm_example_loss: float [batch_size * max_predictions_per_seq].
    masked_lm_log_probs: float [batch_size * max_predictions_per_seq,
      vocab_size].
    masked_lm_ids: int [batch_size, max_predictions_per_seq].
    masked_lm_weights: float [batch_size, max_predictions_per_seq]; padded
      predictions have weight 0 and do not count.
    next_sentence_example_loss: float [batch_size].
    next_sentence_log_probs: float [batch_size, 2].
    next_sentence_labels: int [batch_size, 1].
    is_real_example: (optional) float [batch_size], 0.0 for the padding
      examples of a last batch, which count in no metric; default all 1.0.

  Returns:
    dict of metric name -> (value, update_op).
  """
  if is_real_example is None:
    is_real_example = tf.ones(tf.shape(next_sentence_labels)[:1], tf.float32)
  is_real_example = tf.reshape(tf.cast(is_real_example, tf.float32), [-1])
  # A padding example's predictions are padding too.
  masked_lm_weights = (
      tf.reshape(masked_lm_weights, [tf.shape(is_real_example)[0], -1]) *
      is_real_example[:, None])

  masked_lm_log_probs = tf.reshape(masked_lm_log_probs,
                                   [-1, masked_lm_log_probs.shape[-1]])
  masked_lm_predictions = tf.argmax(
      masked_lm_log_probs, axis=-1, output_type=tf.int32)
  masked_lm_example_loss = tf.reshape(masked_lm_example_loss, [-1])
  masked_lm_ids = tf.reshape(masked_lm_ids, [-1])
  masked_lm_weights = tf.reshape(masked_lm_weights, [-1])
  masked_lm_accuracy = tf1.metrics.accuracy(
      labels=masked_lm_ids,
      predictions=masked_lm_predictions,
      weights=masked_lm_weights)
  masked_lm_mean_loss = tf1.metrics.mean(
      values=masked_lm_example_loss, weights=masked_lm_weights)

  next_sentence_log_probs = tf.reshape(
      next_sentence_log_probs, [-1, next_sentence_log_probs.shape[-1]])
  next_sentence_predictions = tf.argmax(
      next_sentence_log_probs, axis=-1, output_type=tf.int32)
  next_sentence_labels = tf.reshape(next_sentence_labels, [-1])
  next_sentence_accuracy = tf1.metrics.accuracy(
      labels=next_sentence_labels, predictions=next_sentence_predictions,
      weights=is_real_example)
  next_sentence_mean_loss = tf1.metrics.mean(
      values=tf.reshape(next_sentence_example_loss, [-1]),
      weights=is_real_example)

  return {
      "masked_lm_accuracy": masked_lm_accuracy,
      "masked_lm_loss": masked_lm_mean_loss,
      "next_sentence_accuracy": next_sentence_accuracy,
      "next_sentence_loss": next_sentence_mean_loss,
  }


def get_masked_lm_output(bert_config, input_tensor, output_weights, positions,
                         label_ids, label_weights):
  """Masked-LM head: predicts the original token at each masked position.

  The output projection reuses the input word embeddings (tied weights), so
  only a transform layer and an output bias are added.

  Args:
    bert_config: `modeling.BertConfig`.
    input_tensor: float [batch_size, seq_length, hidden_size], the encoder
      output.
    output_weights: float [vocab_size, hidden_size], the embedding table.
    positions: int [batch_size, max_predictions_per_seq].
    label_ids: int [batch_size, max_predictions_per_seq].
    label_weights: float [batch_size, max_predictions_per_seq], 1.0 for real
      predictions and 0.0 for padding.

  Returns:
    (loss, per_example_loss, log_probs): scalar loss averaged over the real
    predictions, float [batch_size * max_predictions_per_seq] and float
    [batch_size * max_predictions_per_seq, vocab_size].
  """
  input_tensor = gather_indexes(input_tensor, positions)

  with tf1.variable_scope("cls/predictions"):
    # A non-linear transform before the tied output layer, so the encoder's
    # last layer need not itself be shaped like the embeddings.
    with tf1.variable_scope("transform"):
      input_tensor = modeling.dense_layer(
          input_tensor,
          bert_config.hidden_size,
          activation=modeling.get_activation(bert_config.hidden_act),
          kernel_initializer=modeling.create_initializer(
              bert_config.initializer_range),
          name="dense")
      input_tensor = modeling.layer_norm(input_tensor)

    # Every token gets its own bias even though the weights are tied.
    output_bias = tf1.get_variable(
        "output_bias",
        shape=[bert_config.vocab_size],
        initializer=tf1.zeros_initializer())
    logits = tf.matmul(input_tensor, output_weights, transpose_b=True)
    logits = tf.nn.bias_add(logits, output_bias)
    log_probs = tf.nn.log_softmax(logits, axis=-1)

    label_ids = tf.reshape(label_ids, [-1])
    label_weights = tf.reshape(tf.cast(label_weights, tf.float32), [-1])

    one_hot_labels = tf.one_hot(
        label_ids, depth=bert_config.vocab_size, dtype=tf.float32)
    per_example_loss = -tf.reduce_sum(log_probs * one_hot_labels, axis=[-1])
    # Padded predictions have weight 0. The epsilon keeps a batch without any
    # real prediction from dividing by zero.
    numerator = tf.reduce_sum(label_weights * per_example_loss)
    denominator = tf.reduce_sum(label_weights) + 1e-5
    loss = numerator / denominator

  return (loss, per_example_loss, log_probs)


def get_next_sentence_output(bert_config, input_tensor, labels):
  """Next-sentence head: is segment B the text that follows A?

  Args:
    bert_config: `modeling.BertConfig`.
    input_tensor: float [batch_size, hidden_size], the pooled output.
    labels: int [batch_size] or [batch_size, 1]; 0 = actual next sentence,
      1 = random sentence.

  Returns:
    (loss, per_example_loss, log_probs): scalar mean loss, float
    [batch_size] and float [batch_size, 2].
  """
  with tf1.variable_scope("cls/seq_relationship"):
    output_weights = tf1.get_variable(
        "output_weights",
        shape=[2, bert_config.hidden_size],
        initializer=modeling.create_initializer(bert_config.initializer_range))
    output_bias = tf1.get_variable(
        "output_bias", shape=[2], initializer=tf1.zeros_initializer())

    logits = tf.matmul(input_tensor, output_weights, transpose_b=True)
    logits = tf.nn.bias_add(logits, output_bias)
    log_probs = tf.nn.log_softmax(logits, axis=-1)
    labels = tf.reshape(labels, [-1])
    one_hot_labels = tf.one_hot(labels, depth=2, dtype=tf.float32)
    per_example_loss = -tf.reduce_sum(one_hot_labels * log_probs, axis=-1)
    loss = tf.reduce_mean(per_example_loss)
    return (loss, per_example_loss, log_probs)


def gather_indexes(sequence_tensor, positions):
  """Gathers the vectors at the given positions of every sequence.

  Args:
    sequence_tensor: float [batch_size, seq_length, width].
    positions: int [batch_size, num_positions], indexes into each sequence.

  Returns:
    float [batch_size * num_positions, width].
  """
  sequence_shape = modeling.get_shape_list(sequence_tensor, expected_rank=3)
  batch_size = sequence_shape[0]
  seq_length = sequence_shape[1]
  width = sequence_shape[2]

  # Index into the flattened [batch_size * seq_length, width] matrix: one
  # gather instead of a batched one, which TPUs handle poorly.
  flat_offsets = tf.reshape(
      tf.range(0, batch_size, dtype=tf.int32) * seq_length, [-1, 1])
  flat_positions = tf.reshape(
      tf.cast(positions, tf.int32) + flat_offsets, [-1])
  flat_sequence_tensor = tf.reshape(sequence_tensor,
                                    [batch_size * seq_length, width])
  return tf.gather(flat_sequence_tensor, flat_positions)


# ----------------------------------------------------------------------------
# Input
# ----------------------------------------------------------------------------


# The original defined it here; notebooks and forks import it from this
# module.
_decode_record = record_utils.decode_record


def name_to_features(max_seq_length, max_predictions_per_seq):
  """The pre-training record schema (see create_pretraining_data.py)."""
  features = {}
  for name in INT_FEATURES_OF_SEQ_LENGTH:
    features[name] = tf.io.FixedLenFeature([max_seq_length], tf.int64)
  for name in INT_FEATURES_OF_PREDICTIONS:
    features[name] = tf.io.FixedLenFeature([max_predictions_per_seq],
                                           tf.int64)
  features["masked_lm_weights"] = tf.io.FixedLenFeature(
      [max_predictions_per_seq], tf.float32)
  features["next_sentence_labels"] = tf.io.FixedLenFeature([1], tf.int64)
  return features


def input_fn_builder(input_files, max_seq_length, max_predictions_per_seq,
                     is_training, num_cpu_threads=4, endless_eval_padding=False,
                     repeat_eval_data=None):
  """Returns the input_fn TPUEstimator calls with params["batch_size"].

  Training reads the files in a shuffled order, several at a time, repeats
  forever and shuffles records within a small buffer: with many shard files
  that mixes well without holding much in memory. Its batches are all full
  (a partial one is dropped), as TPUs need fixed shapes.

  Evaluation reads every record once, in order, and adds the feature
  `is_real_example`, float32 [batch_size]: 1.0 for a record, 0.0 for the
  all-zero padding examples that fill the last batch up to batch_size. So
  every batch has the same static shape and no record is dropped; the
  metrics give padding weight 0. On a TPU pod each host reads its own share
  of the records.

  Args:
    input_files: list of TFRecord paths.
    max_seq_length: int.
    max_predictions_per_seq: int.
    is_training: bool.
    num_cpu_threads: int, parallel readers and parsers.
    endless_eval_padding: bool, follow the evaluation records with batches
      of padding only, without end. A TPU runs exactly the requested number
      of evaluation steps (of one batch per core) and must not run out of
      data; the extra batches score nothing. On CPU/GPU the input simply
      ends after the records.
    repeat_eval_data: (optional) bool, the former name of
      endless_eval_padding. It used to cycle through the records, which
      scored some of them twice; it now pads.

  Returns:
    input_fn(params) -> tf.data.Dataset of feature dicts (int32 / float32).
  """
  input_files = list(input_files)
  features = name_to_features(max_seq_length, max_predictions_per_seq)
  if repeat_eval_data is not None:
    endless_eval_padding = repeat_eval_data

  def input_fn(params):
    batch_size = params["batch_size"]

    if is_training:
      d = tf.data.Dataset.from_tensor_slices(tf.constant(input_files))
      d = d.repeat()
      d = d.shuffle(buffer_size=len(input_files))
      # Never read more files at once than there are.
      cycle_length = min(num_cpu_threads, len(input_files))
      d = d.interleave(
          tf.data.TFRecordDataset,
          cycle_length=cycle_length,
          num_parallel_calls=cycle_length,
          deterministic=False)
      d = d.shuffle(buffer_size=100)
      d = d.map(lambda record: record_utils.decode_record(record, features),
                num_parallel_calls=num_cpu_threads)
      d = d.batch(batch_size=batch_size, drop_remainder=True)
      return d.prefetch(1)

    d = _shard_for_this_host(tf.data.TFRecordDataset(input_files), params)
    d = d.map(
        lambda record: _decode_real_example(record, features),
        num_parallel_calls=num_cpu_threads)
    d = d.batch(batch_size=batch_size, drop_remainder=False)
    d = d.map(lambda batch: pad_batch(batch, batch_size))
    if endless_eval_padding:
      d = d.concatenate(
          tf.data.Dataset.from_tensors(_padding_batch(d.element_spec))
          .repeat())
    return d.prefetch(1)

  return input_fn


def _decode_real_example(record, features):
  """A record's features, int32 / float32, with is_real_example = 1.0."""
  example = record_utils.decode_record(record, features)
  example[IS_REAL_EXAMPLE] = tf.constant(1.0, tf.float32)
  return example


def pad_batch(batch, batch_size):
  """Fills a (last, partial) batch up to batch_size with padding examples.

  Args:
    batch: dict of feature name -> tensor [num_examples, ...], num_examples
      <= batch_size, with an `is_real_example` feature.
    batch_size: int.

  Returns:
    The dict with every tensor of static shape [batch_size, ...]: the
    examples, then zeros (is_real_example 0.0, no masked predictions).
  """
  num_examples = tf.shape(batch[IS_REAL_EXAMPLE])[0]
  padded = {}
  for name, tensor in batch.items():
    rest = tensor.shape.as_list()[1:]
    tensor = tf.pad(tensor, [[0, batch_size - num_examples]] +
                    [[0, 0]] * len(rest))
    tensor.set_shape([batch_size] + rest)
    padded[name] = tensor
  return padded


def _padding_batch(element_spec):
  """A batch of padding only: zeros of every feature's shape and dtype."""
  return {name: tf.zeros(spec.shape, spec.dtype)
          for name, spec in element_spec.items()}


def _shard_for_this_host(dataset, params):
  """The records this input_fn call evaluates.

  On a TPU pod TPUEstimator calls the input_fn once per host; were each
  host to read every record, each would be scored once per host. Elsewhere
  (no TPU context, or one host) this is all the records.
  """
  context = params.get("context")
  if context is None:
    return dataset
  deployment = context.current_input_fn_deployment()
  index, count = deployment[1], deployment[2]
  if count > 1:
    dataset = dataset.shard(count, index)
  return dataset


# ----------------------------------------------------------------------------
# Checks on the input files
# ----------------------------------------------------------------------------


def _first_record(path):
  """The first record of a TFRecord file as a tf.train.Example, or None."""
  try:
    for raw in tf.data.TFRecordDataset([path]).take(1):
      return tf.train.Example.FromString(raw.numpy())
  except (tf.errors.OpError, ValueError) as e:
    reason = getattr(e, "message", None) or str(e)
    raise script_utils.UsageError(
        "--input_file: %s is not a readable TFRecord file of pre-training "
        "examples (%s)" % (path, reason.strip().splitlines()[0]))
  return None


def check_input_records(input_files, max_seq_length, max_predictions_per_seq,
                        vocab_size):
  """Checks the first record of each file against the flags and the config.

  A length mismatch would otherwise surface as a parse error deep inside
  the input pipeline, and token ids past the embedding table as garbage on
  GPU/TPU; both mean the data was made with other settings or another vocab.

  Raises:
    script_utils.UsageError naming the flag and the file.
  """
  expected = name_to_features(max_seq_length, max_predictions_per_seq)
  for path in input_files:
    example = _first_record(path)
    if example is None:
      raise script_utils.UsageError("--input_file: %s contains no records" %
                                    path)
    feature_map = example.features.feature
    missing = sorted(set(expected) - set(feature_map.keys()))
    if missing:
      raise script_utils.UsageError(
          "--input_file: %s lacks the feature(s) %s; it was not written by "
          "create_pretraining_data.py" % (path, ", ".join(missing)))
    for name, spec in sorted(expected.items()):
      feature = feature_map[name]
      values = (feature.float_list.value if spec.dtype == tf.float32 else
                feature.int64_list.value)
      length = len(values)
      if length != spec.shape[0]:
        flag = ("max_seq_length" if name in INT_FEATURES_OF_SEQ_LENGTH else
                "max_predictions_per_seq")
        if name == "next_sentence_labels":
          flag = "input_file"
        raise script_utils.UsageError(
            "--%s=%d does not match %s: its %s has length %d (use the value "
            "given to create_pretraining_data.py)" %
            (flag, spec.shape[0], path, name, length))
    largest_id = max(list(feature_map["input_ids"].int64_list.value) +
                     list(feature_map["masked_lm_ids"].int64_list.value))
    if largest_id >= vocab_size:
      raise script_utils.UsageError(
          "--input_file: %s holds token id %d but bert_config vocab_size is "
          "%d; the data was made with another vocabulary" %
          (path, largest_id, vocab_size))


def count_records(input_files, limit):
  """How many records the files hold, counting no further than `limit`.

  Reads the records without parsing them, and stops at `limit`: a corpus
  far larger than an evaluation needs is not read to its end.
  """
  d = tf.data.TFRecordDataset(input_files).take(limit)
  return int(d.reduce(tf.constant(0, tf.int64), lambda count, _: count + 1))


# ----------------------------------------------------------------------------
# Script
# ----------------------------------------------------------------------------


def validate_flags(settings):
  """Raises UsageError for inconsistent flags (before any graph is built)."""
  if not settings.do_train and not settings.do_eval:
    raise script_utils.UsageError(
        "at least one of --do_train or --do_eval must be True")
  script_utils.require_flags(settings,
                             ["bert_config_file", "input_file", "output_dir"])
  for name in ("max_seq_length", "max_predictions_per_seq",
               "train_batch_size", "eval_batch_size", "num_accumulation_steps",
               "max_eval_steps", "iterations_per_loop",
               "save_checkpoints_steps"):
    if getattr(settings, name) < 1:
      raise script_utils.UsageError("--%s must be >= 1" % name)
  if settings.do_train:
    if settings.num_train_steps < 1:
      raise script_utils.UsageError("--num_train_steps must be >= 1")
    if settings.num_warmup_steps < 0:
      raise script_utils.UsageError("--num_warmup_steps must be >= 0")
    if settings.train_batch_size % settings.num_accumulation_steps:
      raise script_utils.UsageError(
          "--train_batch_size=%d is not divisible by "
          "--num_accumulation_steps=%d" %
          (settings.train_batch_size, settings.num_accumulation_steps))
    if settings.init_schedule == CONTINUE:
      _check_continue(settings)
    if settings.num_warmup_steps > settings.num_train_steps:
      tf1.logging.warning(
          "--num_warmup_steps=%d exceeds --num_train_steps=%d: the learning "
          "rate never reaches --learning_rate", settings.num_warmup_steps,
          settings.num_train_steps)


def _check_continue(settings):
  """--init_schedule=continue needs a checkpoint with a step to continue."""
  if not settings.init_checkpoint:
    raise script_utils.UsageError(
        "--init_schedule=continue needs --init_checkpoint (the checkpoint "
        "whose step counter and schedule to continue)")
  init_checkpoint = checkpoint_utils.check_init_checkpoint(
      settings.init_checkpoint)
  init_step = checkpoint_utils.checkpoint_global_step(init_checkpoint)
  if init_step is None:
    raise script_utils.UsageError(
        "--init_checkpoint=%s has no global step to continue "
        "(--init_schedule=continue); use --init_schedule=restart"
        % settings.init_checkpoint)
  if init_step >= settings.num_train_steps:
    raise script_utils.UsageError(
        "--num_train_steps=%d is not beyond the step %d of --init_checkpoint "
        "(with --init_schedule=continue it counts both phases' steps)"
        % (settings.num_train_steps, init_step))


def plan_evaluation(num_records, batch_size, max_eval_steps):
  """How much of the evaluation data to score, in how many batches.

  Args:
    num_records: int, the records of --input_file, counted up to
      max_eval_steps * batch_size + 1 (enough to know whether they fit).
    batch_size: int, --eval_batch_size.
    max_eval_steps: int, --max_eval_steps.

  Returns:
    (num_scored, steps, capped): records scored (every one unless capped),
    batches to run (the last one padded if num_scored is not a multiple of
    batch_size) and whether --max_eval_steps leaves records unscored.
  """
  most = max_eval_steps * batch_size
  num_scored = min(num_records, most)
  steps = -(-num_scored // batch_size)
  return num_scored, steps, num_records > most


def run_evaluation(estimator, input_files, settings):
  """Evaluates the newest checkpoint and writes eval_results.txt.

  Every record of input_files is scored exactly once, whatever the batch
  size, unless --max_eval_steps batches end it first; the log says how many
  were. `loss` in the results is masked_lm_loss + next_sentence_loss, the
  loss over the scored records (the estimator's own `loss`, a mean of
  per-batch losses, would depend on the batch size).

  Returns:
    dict of result name -> value, as written.
  """
  batch_size = settings.eval_batch_size
  most = settings.max_eval_steps * batch_size
  num_scored, steps, capped = plan_evaluation(
      count_records(input_files, most + 1), batch_size,
      settings.max_eval_steps)
  num_padding = steps * batch_size - num_scored

  tf1.logging.info("***** Running evaluation *****")
  if capped:
    tf1.logging.info(
        "  Num examples = %d, the first of more than %d in --input_file "
        "(--max_eval_steps=%d batches of %d)", num_scored, num_scored,
        settings.max_eval_steps, batch_size)
  else:
    tf1.logging.info("  Num examples = %d (every record of --input_file)",
                     num_scored)
  tf1.logging.info("  Batch size = %d", batch_size)
  tf1.logging.info("  Steps = %d (%d padding examples of weight 0)", steps,
                   num_padding)
  eval_input_fn = input_fn_builder(
      input_files=input_files,
      max_seq_length=settings.max_seq_length,
      max_predictions_per_seq=settings.max_predictions_per_seq,
      is_training=False,
      endless_eval_padding=settings.use_tpu)
  checkpoint_utils.log_weights("Evaluating", settings.output_dir,
                               settings.init_checkpoint)
  result = estimator.evaluate(
      input_fn=eval_input_fn,
      steps=steps,
      hooks=[script_utils.ProgressHook("Evaluating", batch_size,
                                       total_steps=steps)])
  result = dict(result)
  if capped:
    tf1.logging.info(
        "Scored %d examples; --input_file holds more (--max_eval_steps=%d "
        "stopped the evaluation; raise it to score them all)", num_scored,
        settings.max_eval_steps)
  else:
    tf1.logging.info("Scored %d of %d examples (every record of --input_file)",
                     num_scored, num_scored)
  tf1.logging.info(
      "loss = masked_lm_loss + next_sentence_loss over the scored examples "
      "(the estimator's mean of per-batch losses: %s)", result["loss"])
  result["loss"] = result["masked_lm_loss"] + result["next_sentence_loss"]
  script_utils.write_eval_results(settings.output_dir, result)
  return result


def run(settings):
  """Trains and/or evaluates: `settings` has one value per flag (see
  `script_settings`).

  Raises:
    script_utils.UsageError: a bad flag value or input.
  """
  validate_flags(settings)

  bert_config = script_utils.load_bert_config(settings.bert_config_file,
                                              settings.max_seq_length)
  input_files = script_utils.expand_file_patterns(settings.input_file,
                                                  "input_file")
  check_input_records(input_files, settings.max_seq_length,
                      settings.max_predictions_per_seq,
                      bert_config.vocab_size)
  # A checkpoint prefix, also when the flag names a directory or a file.
  init_checkpoint = checkpoint_utils.check_init_checkpoint(
      settings.init_checkpoint)
  checkpoint_utils.check_checkpoint_fits_config(init_checkpoint, bert_config)
  if settings.do_eval and not settings.do_train:
    # Evaluation alone reads weights that must already exist.
    checkpoint_utils.checkpoint_for_inference(
        settings.output_dir, init_checkpoint, "--do_eval", HEAD_VARIABLES,
        settings.allow_random_init)
  script_utils.prepare_output_dir(settings.output_dir)

  tf1.logging.info("*** Input Files ***")
  for input_file in input_files:
    tf1.logging.info("  %s", input_file)

  num_accumulation_steps = settings.num_accumulation_steps
  # The loss (and steps/sec) lines of the log: at most MAX_LOSS_LOGS a run,
  # at a multiple of the summaries TensorBoard draws.
  log_every = estimator_runtime.log_every_steps(settings.save_summary_steps,
                                                settings.num_train_steps)
  model_fn = model_fn_builder(
      bert_config, init_checkpoint, settings.learning_rate,
      settings.num_train_steps, settings.num_warmup_steps, settings.use_tpu,
      use_one_hot_embeddings=settings.use_tpu,
      num_accumulation_steps=num_accumulation_steps,
      compute_type=estimator_runtime.compute_type_for_precision(
          settings.precision), log_every_n_steps=log_every,
      optimizer=settings.optimizer, init_schedule=settings.init_schedule)

  # With gradient accumulation each call of the model sees a micro-batch;
  # the optimizer steps once per num_accumulation_steps of them.
  micro_batch_size = settings.train_batch_size // num_accumulation_steps
  estimator = estimator_runtime.make_estimator(
      model_fn,
      estimator_runtime.run_config_from_flags(
          settings, log_step_count_steps=log_every),
      settings.use_tpu,
      train_batch_size=micro_batch_size,
      eval_batch_size=settings.eval_batch_size)

  if settings.do_train:
    start_step = estimator_runtime.current_global_step(settings.output_dir)
    tf1.logging.info("***** Running training *****")
    estimator_runtime.log_train_batch_size(settings.train_batch_size,
                                           num_accumulation_steps)
    if init_checkpoint and not start_step:
      start_step = log_init_schedule(init_checkpoint, settings.init_schedule)
    tf1.logging.info("  Steps = %d (starting at %d)",
                     settings.num_train_steps, start_step)
    estimator_runtime.log_learning_rate(settings.learning_rate,
                                        settings.num_warmup_steps)
    checkpoint_utils.log_weights("Training", settings.output_dir,
                                 init_checkpoint)
    train_input_fn = input_fn_builder(
        input_files=input_files,
        max_seq_length=settings.max_seq_length,
        max_predictions_per_seq=settings.max_predictions_per_seq,
        is_training=True)
    estimator_runtime.train_estimator(estimator, train_input_fn,
                                      settings.num_train_steps,
                                      micro_batch_size, num_accumulation_steps)

  if settings.do_eval:
    run_evaluation(estimator, input_files, settings)


def log_init_schedule(init_checkpoint, init_schedule):
  """Logs what a run starting from `init_checkpoint` carries over.

  Returns:
    int, the step training starts at.
  """
  init_step = checkpoint_utils.checkpoint_global_step(init_checkpoint) or 0
  if init_schedule == CONTINUE:
    tf1.logging.info(
        "Continuing from %s (step %d): weights, optimizer moments and step "
        "counter; the learning-rate schedule continues at step %d",
        init_checkpoint, init_step, init_step)
    return init_step
  tf1.logging.info(
      "Starting from the weights of %s (step %d); the step counter and the "
      "learning-rate schedule restart at step 0 (--init_schedule=restart)",
      init_checkpoint, init_step)
  return 0


def main(_):
  run(script_settings.from_flags(FLAGS))


if __name__ == "__main__":
  define_flags()
  script_utils.run(main)
