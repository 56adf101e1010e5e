# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""SQuAD's model inputs and model: windows into features, records, the head.

The questions come from `squad_reader` (`SquadExample`).

- Features (`convert_examples_to_features`): `[CLS] question [SEP] window
  [SEP]`, where a paragraph longer than the window is walked in overlapping
  windows `doc_stride` WordPiece tokens apart (`doc_windows`). A token seen
  in several windows is only predicted from the window that gives it the
  most context on both sides.
- Records (`FeatureWriter`, `input_fn_builder`): one tf.train.Example per
  window.
- The model (`create_model`, `model_fn_builder`): BERT scoring every token
  as the start and as the end of the answer.

Turning the model's scores back into answers is `squad_answers`; the script
that trains and predicts is `run_squad.py`.
"""

import collections

import six
import tensorflow as tf

import char_maps
import checkpoint_utils
import doc_windows
import estimator_runtime
import fine_tuning
import modeling
import record_utils
import script_utils
import tokenization

tf1 = tf.compat.v1

# The settings that turn a question and its context into answers, besides
# the vocabulary, casing and max_seq_length: run_squad.py records them in
# model_info.json, and predictor.py reads them back.
MODEL_SETTINGS = ("doc_stride", "max_query_length", "n_best_size",
                  "max_answer_length", "version_2_with_negative",
                  "null_score_diff_threshold")

# The first feature's unique_id; ids only need to be unique within one file,
# the large start keeps them visibly different from example indexes.
FIRST_UNIQUE_ID = 1000000000

# How many converted examples are logged in full, to eyeball the windows.
_NUM_EXAMPLES_TO_LOG = 3


# ----------------------------------------------------------------------------
# Features
# ----------------------------------------------------------------------------


class InputFeatures(object):
  """One window of one example, ready for the model.

  `token_to_orig_map` and `token_is_max_context` are keyed by the position in
  `tokens` and only cover the paragraph part of the window.
  """

  def __init__(self,
               unique_id,
               example_index,
               doc_span_index,
               tokens,
               token_to_orig_map,
               token_is_max_context,
               input_ids,
               input_mask,
               segment_ids,
               start_position=None,
               end_position=None,
               is_impossible=None):
    self.unique_id = unique_id
    self.example_index = example_index
    self.doc_span_index = doc_span_index
    self.tokens = tokens
    self.token_to_orig_map = token_to_orig_map
    self.token_is_max_context = token_is_max_context
    self.input_ids = input_ids
    self.input_mask = input_mask
    self.segment_ids = segment_ids
    self.start_position = start_position
    self.end_position = end_position
    self.is_impossible = is_impossible


def _tokenize_doc(doc_tokens, tokenizer):
  """WordPiece-tokenises the words of a paragraph, keeping both maps.

  Returns:
    (all_doc_tokens, tok_to_orig_index, orig_to_tok_index): the sub-tokens,
    the word each sub-token came from, and each word's first sub-token (a
    word with no sub-tokens points at the next word's first one).
  """
  tok_to_orig_index = []
  orig_to_tok_index = []
  all_doc_tokens = []
  for (i, token) in enumerate(doc_tokens):
    orig_to_tok_index.append(len(all_doc_tokens))
    for sub_token in tokenizer.tokenize(token):
      tok_to_orig_index.append(i)
      all_doc_tokens.append(sub_token)
  return all_doc_tokens, tok_to_orig_index, orig_to_tok_index


def convert_examples_to_features(examples, tokenizer, max_seq_length,
                                 doc_stride, max_query_length, is_training,
                                 output_fn):
  """Turns examples into fixed-length windows, passing each to `output_fn`.

  Layout: `[CLS] question [SEP] paragraph window [SEP]` padded to
  max_seq_length, segment 0 for the question part and 1 for the window.
  In training, a window that does not contain the whole answer (and every
  window of an unanswerable question) has start = end = 0, the [CLS] token.

  Args:
    examples: list of `SquadExample`.
    tokenizer: `tokenization.FullTokenizer`.
    max_seq_length: int, window length in tokens including special tokens.
    doc_stride: int, tokens between window starts.
    max_query_length: int, the question is cut to this many tokens.
    is_training: bool, whether to compute start/end positions.
    output_fn: called with every `InputFeatures`, in order, so features can be
      streamed to disk.

  Returns:
    The number of features produced.

  Raises:
    ValueError: when doc_stride is below 1, or when an example's question
      (cut to max_query_length) leaves no room for its paragraph in
      max_seq_length. Like the original, this function accepts
      max_query_length >= max_seq_length - 3 as long as the questions are
      short; only the script's flag check refuses such flags up front.
  """
  if doc_stride < 1:
    raise ValueError("doc_stride must be at least 1, got %d" % doc_stride)
  unique_id = FIRST_UNIQUE_ID
  progress = script_utils.ProgressLogger("squad features", len(examples))
  for (example_index, example) in enumerate(examples):
    query_tokens = tokenizer.tokenize(example.question_text)
    query_tokens = query_tokens[:max_query_length]

    (all_doc_tokens, tok_to_orig_index,
     orig_to_tok_index) = _tokenize_doc(example.doc_tokens, tokenizer)

    tok_start_position = None
    tok_end_position = None
    if is_training and example.is_impossible:
      tok_start_position = -1
      tok_end_position = -1
    if is_training and not example.is_impossible:
      tok_start_position = orig_to_tok_index[example.start_position]
      if example.end_position < len(example.doc_tokens) - 1:
        tok_end_position = orig_to_tok_index[example.end_position + 1] - 1
      else:
        tok_end_position = len(all_doc_tokens) - 1
      if (tok_start_position > tok_end_position or
          tok_start_position >= len(all_doc_tokens)):
        # The answer's words tokenise to nothing (e.g. only control
        # characters); there is no span to learn.
        tf1.logging.warning("Skipping question %s: its answer %r has no "
                            "tokens", example.qas_id,
                            example.orig_answer_text)
        progress.update()
        continue
      (tok_start_position, tok_end_position) = _improve_answer_span(
          all_doc_tokens, tok_start_position, tok_end_position, tokenizer,
          example.orig_answer_text)

    # [CLS], [SEP] and [SEP].
    max_tokens_for_doc = max_seq_length - len(query_tokens) - 3
    if max_tokens_for_doc < (1 if all_doc_tokens else 0):
      raise ValueError(
          "question %s: its %d question tokens (max_query_length %d) leave "
          "no room for the paragraph in max_seq_length %d" %
          (example.qas_id, len(query_tokens), max_query_length,
           max_seq_length))
    doc_spans = doc_windows.doc_spans(len(all_doc_tokens), max_tokens_for_doc,
                           doc_stride)

    for (doc_span_index, doc_span) in enumerate(doc_spans):
      tokens = ["[CLS]"] + query_tokens + ["[SEP]"]
      segment_ids = [0] * len(tokens)
      token_to_orig_map = {}
      token_is_max_context = {}
      for i in range(doc_span.length):
        split_token_index = doc_span.start + i
        token_to_orig_map[len(tokens)] = tok_to_orig_index[split_token_index]
        token_is_max_context[len(tokens)] = doc_windows.check_is_max_context(
            doc_spans, doc_span_index, split_token_index)
        tokens.append(all_doc_tokens[split_token_index])
        segment_ids.append(1)
      tokens.append("[SEP]")
      segment_ids.append(1)

      input_ids = tokenizer.convert_tokens_to_ids(tokens)
      # Real tokens are attended to; padding is not.
      input_mask = [1] * len(input_ids)
      padding = [0] * (max_seq_length - len(input_ids))
      input_ids = input_ids + padding
      input_mask = input_mask + padding
      segment_ids = segment_ids + padding

      start_position = None
      end_position = None
      if is_training:
        doc_start = doc_span.start
        doc_end = doc_span.start + doc_span.length - 1
        if (example.is_impossible or tok_start_position < doc_start or
            tok_end_position > doc_end):
          start_position = 0
          end_position = 0
        else:
          doc_offset = len(query_tokens) + 2
          start_position = tok_start_position - doc_start + doc_offset
          end_position = tok_end_position - doc_start + doc_offset

      if example_index < _NUM_EXAMPLES_TO_LOG:
        _log_feature(unique_id, example, example_index, doc_span_index,
                     tokens, token_to_orig_map, token_is_max_context,
                     input_ids, input_mask, segment_ids, is_training,
                     start_position, end_position)

      output_fn(
          InputFeatures(
              unique_id=unique_id,
              example_index=example_index,
              doc_span_index=doc_span_index,
              tokens=tokens,
              token_to_orig_map=token_to_orig_map,
              token_is_max_context=token_is_max_context,
              input_ids=input_ids,
              input_mask=input_mask,
              segment_ids=segment_ids,
              start_position=start_position,
              end_position=end_position,
              is_impossible=example.is_impossible))
      unique_id += 1
    progress.update()
  return unique_id - FIRST_UNIQUE_ID


def _log_feature(unique_id, example, example_index, doc_span_index, tokens,
                 token_to_orig_map, token_is_max_context, input_ids,
                 input_mask, segment_ids, is_training, start_position,
                 end_position):
  """Logs a feature as the model sees it, in the verbose log (-v 1)."""
  tf1.logging.debug("*** Example ***")
  tf1.logging.debug("unique_id: %s", unique_id)
  tf1.logging.debug("example_index: %s", example_index)
  tf1.logging.debug("doc_span_index: %s", doc_span_index)
  tf1.logging.debug("tokens: %s", " ".join(
      tokenization.printable_text(x) for x in tokens))
  tf1.logging.debug("token_to_orig_map: %s", " ".join(
      "%d:%d" % (x, y) for (x, y) in six.iteritems(token_to_orig_map)))
  tf1.logging.debug("token_is_max_context: %s", " ".join(
      "%d:%s" % (x, y) for (x, y) in six.iteritems(token_is_max_context)))
  tf1.logging.debug("input_ids: %s", " ".join(str(x) for x in input_ids))
  tf1.logging.debug("input_mask: %s", " ".join(str(x) for x in input_mask))
  tf1.logging.debug("segment_ids: %s", " ".join(str(x) for x in segment_ids))
  if is_training and example.is_impossible:
    tf1.logging.debug("impossible example")
  elif is_training:
    answer_text = " ".join(tokens[start_position:(end_position + 1)])
    tf1.logging.debug("start_position: %d", start_position)
    tf1.logging.debug("end_position: %d", end_position)
    tf1.logging.debug("answer: %s", tokenization.printable_text(answer_text))


def _improve_answer_span(doc_tokens, input_start, input_end, tokenizer,
                         orig_answer_text):
  """Shrinks a token span to the tokens of the answer text, when it can.

  The answer is located by whole words, but WordPiece may split a word so
  that the answer is only part of it: for the answer "1895" in the word
  "(1895-1943)." the word span covers "( 1895 - 1943 ) ." while the answer is
  the single token "1895". The tightest sub-span whose tokens equal the
  tokenised answer wins; failing that, the tightest one spelling the same
  text under NFKC (an answer in another Unicode normalization form than the
  paragraph); if none does (the answer itself is part of a WordPiece), the
  word span is kept.

  Args:
    doc_tokens: list of WordPiece tokens of the paragraph.
    input_start, input_end: int, the word-level span (inclusive).
    tokenizer: the tokenizer used for doc_tokens.
    orig_answer_text: str, the answer as annotated.

  Returns:
    (start, end), inclusive token indexes.
  """
  answer_tokens = tokenizer.tokenize(orig_answer_text)
  tok_answer_text = " ".join(answer_tokens)
  for new_start in range(input_start, input_end + 1):
    for new_end in range(input_end, new_start - 1, -1):
      text_span = " ".join(doc_tokens[new_start:(new_end + 1)])
      if text_span == tok_answer_text:
        return (new_start, new_end)
  # An answer spelled in another normalization form than the paragraph
  # (e.g. "\u00fc" against "u" + U+0308 with a cased vocabulary) has other
  # tokens; the text they spell is the same under NFKC.
  answer_key = char_maps.spelled_key(answer_tokens)
  for new_start in range(input_start, input_end + 1):
    for new_end in range(input_end, new_start - 1, -1):
      if char_maps.spelled_key(doc_tokens[new_start:(new_end + 1)]) == answer_key:
        return (new_start, new_end)
  return (input_start, input_end)


# ----------------------------------------------------------------------------
# Records
# ----------------------------------------------------------------------------


class FeatureWriter(object):
  """Streams `InputFeatures` into a TFRecord file.

  The file appears under `filename` only when `close()` is called; until
  then the records go to a temporary sibling, so an interrupted conversion
  never leaves a truncated file behind that a later run would trust.
  `abort()` (or leaving a `with` block by an exception) discards it.
  """

  def __init__(self, filename, is_training):
    self.filename = filename
    self.is_training = is_training
    self.num_features = 0
    self._context = record_utils.atomic_record_writers([filename])
    self._writer = self._context.__enter__()[0]

  def process_feature(self, feature):
    """Writes one feature as a tf.train.Example."""
    self.num_features += 1
    features = collections.OrderedDict()
    features["unique_ids"] = record_utils.create_int_feature(
        [feature.unique_id])
    features["input_ids"] = record_utils.create_int_feature(feature.input_ids)
    features["input_mask"] = record_utils.create_int_feature(
        feature.input_mask)
    features["segment_ids"] = record_utils.create_int_feature(
        feature.segment_ids)
    if self.is_training:
      features["start_positions"] = record_utils.create_int_feature(
          [feature.start_position])
      features["end_positions"] = record_utils.create_int_feature(
          [feature.end_position])
      features["is_impossible"] = record_utils.create_int_feature(
          [1 if feature.is_impossible else 0])
    tf_example = tf.train.Example(features=tf.train.Features(feature=features))
    # deterministic=True: protobuf 7 (TF 2.21) orders map entries (the
    # features map) randomly per process otherwise.
    self._writer.write(tf_example.SerializeToString(deterministic=True))

  def close(self):
    """Finishes the file and moves it to its final name."""
    if self._context is not None:
      context, self._context = self._context, None
      context.__exit__(None, None, None)

  def abort(self):
    """Discards everything written so far."""
    if self._context is not None:
      context, self._context = self._context, None
      # Leaving the atomic writer by an exception removes the temporary file.
      error = RuntimeError("FeatureWriter aborted")
      context.__exit__(RuntimeError, error, None)

  def __enter__(self):
    return self

  def __exit__(self, exc_type, exc_value, traceback):
    if exc_type is None:
      self.close()
    else:
      self.abort()
    return False


def input_fn_builder(input_file, seq_length, is_training, drop_remainder):
  """An input_fn reading the records FeatureWriter wrote.

  Args:
    input_file: path of the TFRecord file.
    seq_length: int, max_seq_length used when writing.
    is_training: bool; training records also hold start/end positions, and
      training repeats and shuffles.
    drop_remainder: bool, drop a last partial batch (TPU training).

  Returns:
    input_fn(params) for TPUEstimator.
  """
  name_to_features = {
      "unique_ids": tf.io.FixedLenFeature([], tf.int64),
      "input_ids": tf.io.FixedLenFeature([seq_length], tf.int64),
      "input_mask": tf.io.FixedLenFeature([seq_length], tf.int64),
      "segment_ids": tf.io.FixedLenFeature([seq_length], tf.int64),
  }
  if is_training:
    name_to_features["start_positions"] = tf.io.FixedLenFeature([], tf.int64)
    name_to_features["end_positions"] = tf.io.FixedLenFeature([], tf.int64)
  return record_utils.record_input_fn_builder(
      input_file, name_to_features, is_training, drop_remainder)


# ----------------------------------------------------------------------------
# Model
# ----------------------------------------------------------------------------


# The span-prediction layer's variables (create_model's): a pre-trained
# checkpoint does not have them.
HEAD_VARIABLES = fine_tuning.HEAD_VARIABLES[fine_tuning.SQUAD]


def create_model(bert_config, is_training, input_ids, input_mask, segment_ids,
                 use_one_hot_embeddings, compute_type=tf.float32):
  """BERT with a start/end scoring layer on every token.

  Args:
    bert_config: `modeling.BertConfig`.
    is_training: bool, enables dropout.
    input_ids, input_mask, segment_ids: int32 [batch_size, seq_length].
    use_one_hot_embeddings: bool, see `modeling.BertModel`.
    compute_type: dtype of the encoder's matrix products; the logits are
      float32 whatever it is.

  Returns:
    (start_logits, end_logits), each float32 [batch_size, seq_length].
  """
  model = modeling.BertModel(
      bert_config, is_training, input_ids, input_mask, segment_ids,
      use_one_hot_embeddings, compute_type=compute_type)

  # [batch_size, seq_length, hidden_size]
  final_hidden = model.get_sequence_output()
  final_hidden_shape = modeling.get_shape_list(final_hidden, expected_rank=3)
  batch_size = final_hidden_shape[0]
  seq_length = final_hidden_shape[1]
  hidden_size = final_hidden_shape[2]

  # Row 0 scores starts, row 1 ends.
  output_weights = tf1.get_variable(
      "cls/squad/output_weights", [2, hidden_size],
      initializer=fine_tuning.head_initializer(stddev=0.02))
  output_bias = tf1.get_variable(
      "cls/squad/output_bias", [2], initializer=tf1.zeros_initializer())

  # [batch_size * seq_length, hidden_size]
  final_hidden_matrix = tf.reshape(final_hidden,
                                   [batch_size * seq_length, hidden_size])
  # [batch_size * seq_length, 2]
  logits = tf.matmul(final_hidden_matrix, output_weights, transpose_b=True)
  logits = tf.nn.bias_add(logits, output_bias)
  logits = tf.reshape(logits, [batch_size, seq_length, 2])
  # [2, batch_size, seq_length]
  logits = tf.transpose(logits, [2, 0, 1])
  start_logits, end_logits = tf.unstack(logits, axis=0)
  return (start_logits, end_logits)


def _position_loss(logits, positions, seq_length):
  """Mean cross-entropy of the true positions.

  Args:
    logits: float32 [batch_size, seq_length].
    positions: int32 [batch_size].
    seq_length: int.

  Returns:
    float32 scalar.
  """
  one_hot_positions = tf.one_hot(positions, depth=seq_length,
                                 dtype=tf.float32)
  log_probs = tf.nn.log_softmax(logits, axis=-1)
  return -tf.reduce_mean(
      tf.reduce_sum(one_hot_positions * log_probs, axis=-1))


def model_fn_builder(bert_config, init_checkpoint, learning_rate,
                     num_train_steps, num_warmup_steps, use_tpu,
                     use_one_hot_embeddings, num_accumulation_steps=1,
                     compute_type=tf.float32):
  """Returns a `model_fn` closure for TPUEstimator (TRAIN and PREDICT).

  Training loss: the mean of the start and end cross-entropies. Prediction
  outputs `unique_ids`, `start_logits` and `end_logits` per feature.
  `compute_type` is the encoder's matrix-product dtype (tf.float16 also turns
  on dynamic loss scaling).
  """

  def model_fn(features, labels, mode, params):  # pylint: disable=unused-argument
    """The `model_fn` for TPUEstimator."""
    estimator_runtime.log_features(features)
    input_ids = features["input_ids"]
    (start_logits, end_logits) = create_model(
        bert_config, mode == estimator_runtime.ModeKeys.TRAIN, input_ids,
        features["input_mask"], features["segment_ids"],
        use_one_hot_embeddings, compute_type=compute_type)
    scaffold_fn, _ = checkpoint_utils.init_from_checkpoint(
        init_checkpoint, use_tpu)

    if mode == estimator_runtime.ModeKeys.TRAIN:
      seq_length = modeling.get_shape_list(input_ids)[1]
      start_loss = _position_loss(start_logits, features["start_positions"],
                                  seq_length)
      end_loss = _position_loss(end_logits, features["end_positions"],
                                seq_length)
      total_loss = (start_loss + end_loss) / 2.0
      return estimator_runtime.training_spec(
          total_loss, learning_rate, num_train_steps, num_warmup_steps,
          use_tpu, num_accumulation_steps, compute_type, scaffold_fn)
    if mode == estimator_runtime.ModeKeys.PREDICT:
      predictions = {
          "unique_ids": features["unique_ids"],
          "start_logits": start_logits,
          "end_logits": end_logits,
      }
      return estimator_runtime.TPUEstimatorSpec(
          mode=mode, predictions=predictions, scaffold_fn=scaffold_fn)
    raise ValueError("Only TRAIN and PREDICT modes are supported: %s" % mode)

  return model_fn

