# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Tagging (NER) with BERT: CoNLL files, windows, records, the model.

The library under run_ner.py. A file in the CoNLL layout (a token and its tag
a line, blank lines between sentences) becomes `Sentence`s; each sentence
becomes the windows that together score each word once, on the first
WordPiece of the word, where it has the most context (`doc_windows`); the
windows are written as records and read back by an input_fn; `create_model`
puts one dense layer (`ner/output_weights`, `ner/output_bias`) on every
token's final hidden vector, and `model_fn_builder` trains and predicts
with it. `stitch_predictions` turns the windows' predictions back into one
tag per word, `evaluate_predictions` scores them as conlleval does and
`write_predictions` writes them in the CoNLL layout.
"""

import collections
import os

import numpy as np
import tensorflow as tf

import checkpoint_utils
import class_weights as class_weights_lib
import distillation
import doc_windows
import estimator_runtime
import export_utils
import fine_tuning
import modeling
import ner_metrics
import record_utils
import script_utils
from script_utils import UsageError

tf1 = tf.compat.v1

# Tag schemes --tag_scheme accepts: the two conlleval reads (entity scores)
# and "none" for tagging tasks without entities (token accuracy only).
TAG_SCHEMES = ("iob2", "iob1", "none")

# The tag of a word with no WordPiece pieces (a control character, a lone
# combining mark): the model sees nothing of it, so it is predicted outside
# any entity. Every tag set contains it.
OUTSIDE = ner_metrics.OUTSIDE

# The task's output layer: a pre-trained checkpoint does not have it.
HEAD_VARIABLES = fine_tuning.HEAD_VARIABLES[fine_tuning.NER]

LABEL_LIST_FILE = "label_list.txt"


# ----------------------------------------------------------------------------
# Reading CoNLL files
# ----------------------------------------------------------------------------


class Sentence(object):
  """One sentence of a CoNLL file.

  Attributes:
    words: list of str, the tokens of the first column.
    tags: list of str (the last column), or None for an untagged file.
    line_numbers: list of int, the 1-based line of each word.
  """

  def __init__(self, words, tags, line_numbers):
    self.words = words
    self.tags = tags
    self.line_numbers = line_numbers

  def __repr__(self):
    return "Sentence(words=%r, tags=%r)" % (self.words, self.tags)


def read_conll_file(path, tags_required=True):
  """Reads the sentences of a file in the CoNLL layout.

  One token a line: the token in the first column, its tag in the last
  (columns separated by spaces or tabs; columns between are ignored, as
  conlleval does). A blank line, or one of only whitespace, ends a sentence;
  `-DOCSTART-` lines are skipped (and end a sentence). The last sentence needs
  no blank line after it.

  Args:
    path: the file.
    tags_required: False for test.txt, which may be untagged (one column on
      every line); a file is tagged on every line or on none.

  Returns:
    list of `Sentence`; their `tags` are None for an untagged file.

  Raises:
    UsageError: naming the file (and line) for a line without a tag column,
      a file that mixes tagged and untagged lines, bytes that are not UTF-8,
      or a file without any token.
  """
  sentences = []
  words, tags, line_numbers = [], [], []
  tagged = None  # Decided by the first token line.

  def end_sentence():
    if words:
      sentences.append(Sentence(list(words), list(tags) if tagged else None,
                                list(line_numbers)))
    del words[:], tags[:], line_numbers[:]

  for line_number, line in enumerate(script_utils.read_text_lines(path),
                                     start=1):
    columns = line.split()
    if not columns or columns[0] == "-DOCSTART-":
      end_sentence()
      continue
    if tagged is None:
      tagged = len(columns) > 1 or tags_required
      first_line = line_number
    if tagged and len(columns) < 2:
      raise UsageError(
          "%s line %d: no tag column: expected the token and its tag, "
          "separated by whitespace%s" %
          (path, line_number, "" if tags_required else
           " (line %d has a tag, so every line needs one)" % first_line))
    if not tagged and len(columns) > 1:
      raise UsageError(
          "%s line %d: %d columns, but line %d has only the token: a file "
          "is tagged on every line or on none" %
          (path, line_number, len(columns), first_line))
    words.append(columns[0])
    if tagged:
      tags.append(columns[-1])
    line_numbers.append(line_number)
  end_sentence()
  if not sentences:
    raise UsageError("%s: no tokens (an empty file?); expected a token and "
                     "its tag a line" % path)
  return sentences


def data_file(data_dir, set_type):
  """The path of the train, dev or test file, which must exist.

  dev.txt may also be called valid.txt (as in some CoNLL-2003 copies).

  Raises:
    UsageError: when there is none.
  """
  names = {"train": ["train.txt"], "dev": ["dev.txt", "valid.txt"],
           "test": ["test.txt"]}[set_type]
  for name in names:
    path = os.path.join(data_dir, name)
    if tf.io.gfile.exists(path):
      return path
  raise UsageError("--data_dir=%s: no %s" % (data_dir, " or ".join(names)))


# ----------------------------------------------------------------------------
# The tag set
# ----------------------------------------------------------------------------


def labels_from_sentences(sentences):
  """The tag set of tagged sentences: "O" first, then the others sorted.

  A sorted list does not depend on the order of the training file, so the
  same data always gives the same output layer; "O" is added when the file
  has none (it is the tag of words without pieces).
  """
  tags = set(tag for sentence in sentences for tag in sentence.tags)
  tags.discard(OUTSIDE)
  return [OUTSIDE] + sorted(tags)


def parse_labels_flag(value):
  """The tag list of --labels (comma-separated); raises UsageError."""
  labels = [label.strip() for label in value.split(",")]
  if any(not label for label in labels):
    raise UsageError("--labels=%s: an empty tag" % value)
  if len(set(labels)) != len(labels):
    raise UsageError("--labels=%s: a tag is listed twice" % value)
  if OUTSIDE not in labels:
    raise UsageError("--labels=%s: must contain %s (the tag of words "
                     "without WordPiece tokens)" % (value, OUTSIDE))
  return labels


def read_label_list(directory):
  """The tag set a training run wrote into `directory`, or None."""
  path = os.path.join(directory, LABEL_LIST_FILE)
  if not directory or not tf.io.gfile.exists(path):
    return None
  return [line.strip() for line in script_utils.read_text_lines(path)
          if line.strip()]


def write_label_list(output_dir, label_list):
  """Writes output_dir/label_list.txt, one tag a line in output order."""
  with script_utils.atomic_output(
      os.path.join(output_dir, LABEL_LIST_FILE)) as writer:
    writer.write("".join(label + "\n" for label in label_list))


def check_tags(sentences, label_list, path, tag_scheme):
  """Every tag must be in the tag set (and fit the scheme).

  Raises:
    UsageError: naming the file and line of the first tag that does not.
  """
  labels = set(label_list)
  for sentence in sentences:
    for tag, line_number in zip(sentence.tags or (), sentence.line_numbers):
      if tag not in labels:
        raise UsageError(
            "%s line %d: tag %r is not in the tag set (%s)" %
            (path, line_number, tag, ", ".join(label_list)))
      if tag_scheme != "none" and not ner_metrics.is_iob_tag(tag):
        raise UsageError(
            "%s line %d: tag %r is not O, B-<type> or I-<type> "
            "(--tag_scheme=%s; --tag_scheme=none for tags without entities)"
            % (path, line_number, tag, tag_scheme))


# ----------------------------------------------------------------------------
# Windows and features
# ----------------------------------------------------------------------------


class InputFeatures(object):
  """One window of one sentence, padded to max_seq_length.

  Attributes:
    input_ids, input_mask, segment_ids: int lists [max_seq_length].
    label_ids: int list [max_seq_length]; the tag id on the first piece of
      each word this window scores, 0 elsewhere.
    label_weights: float list [max_seq_length]; 1.0 where label_ids counts
      (the first piece of each word this window scores), 0.0 elsewhere.
    sentence_index: int, the sentence the window comes from.
    scored_words: list of (position, word_index): the words this window
      predicts and where their first piece is in the window.
    teacher_logits: None, or (distillation) float32 array
      [max_seq_length, num_labels], a teacher's logits for every position.
    has_label: None, or (distillation) 1 for a window of tagged sentences,
      0 for one of the unlabeled transfer text.
  """

  def __init__(self, input_ids, input_mask, segment_ids, label_ids,
               label_weights, sentence_index, scored_words,
               teacher_logits=None, has_label=None):
    self.input_ids = input_ids
    self.input_mask = input_mask
    self.segment_ids = segment_ids
    self.label_ids = label_ids
    self.label_weights = label_weights
    self.sentence_index = sentence_index
    self.scored_words = scored_words
    self.teacher_logits = teacher_logits
    self.has_label = has_label


def _pad(values, length):
  return values + [0] * (length - len(values))


def convert_sentence(sentence_index, sentence, label_map, max_seq_length,
                     doc_stride, tokenizer):
  """Turns one sentence into the windows that together score each word once.

  Each word becomes its WordPiece tokens; a word with more pieces than a
  window holds keeps its first `max_seq_length - 2` (only the first is
  scored). The pieces are cut into windows of up to `max_seq_length - 2`
  starting `doc_stride` apart (`doc_windows.doc_spans`), each laid out as
  `[CLS] pieces [SEP]` with segment 0. A word is scored in the window where
  its first piece has the most context (`doc_windows.check_is_max_context`,
  min(left, right) pieces); windows scoring no word are left out.

  Args:
    sentence_index: int, recorded in each feature.
    sentence: `Sentence`.
    label_map: dict tag -> id; untagged sentences get id 0.
    max_seq_length: int, at least 3.
    doc_stride: int, at least 1.
    tokenizer: `tokenization.FullTokenizer`.

  Returns:
    (features, pieceless): the `InputFeatures` of the windows, and the
    indices of the words with no pieces at all (never scored; tagged "O").
  """
  max_pieces = max_seq_length - 2
  pieces, first_pieces, pieceless = [], [], []
  for word_index, word in enumerate(sentence.words):
    word_pieces = tokenizer.tokenize(word)[:max_pieces]
    if word_pieces:
      first_pieces.append((word_index, len(pieces)))
      pieces.extend(word_pieces)
    else:
      pieceless.append(word_index)

  spans = doc_windows.doc_spans(len(pieces), max_pieces, doc_stride)
  owned = collections.defaultdict(list)
  for word_index, piece_index in first_pieces:
    for span_index in range(len(spans)):
      if doc_windows.check_is_max_context(spans, span_index, piece_index):
        owned[span_index].append((piece_index, word_index))
        break

  features = []
  for span_index, span in enumerate(spans):
    if not owned[span_index]:
      continue
    tokens = (["[CLS]"] + pieces[span.start:span.start + span.length] +
              ["[SEP]"])
    label_ids = [0] * max_seq_length
    label_weights = [0.0] * max_seq_length
    scored_words = []
    for piece_index, word_index in owned[span_index]:
      position = piece_index - span.start + 1  # After [CLS].
      if sentence.tags is not None:
        label_ids[position] = label_map[sentence.tags[word_index]]
      label_weights[position] = 1.0
      scored_words.append((position, word_index))
    input_ids = tokenizer.convert_tokens_to_ids(tokens)
    features.append(InputFeatures(
        input_ids=_pad(input_ids, max_seq_length),
        input_mask=_pad([1] * len(input_ids), max_seq_length),
        segment_ids=[0] * max_seq_length,
        label_ids=label_ids,
        label_weights=label_weights,
        sentence_index=sentence_index,
        scored_words=scored_words))
  return features, pieceless


def convert_sentences(sentences, label_list, max_seq_length, doc_stride,
                      tokenizer):
  """`convert_sentence` over a file's sentences.

  Returns:
    (features, pieceless): the list of all windows' `InputFeatures` in
    sentence order, and a dict sentence_index -> indices of its words
    without pieces.
  """
  label_map = {label: i for (i, label) in enumerate(label_list)}
  features, pieceless = [], {}
  for sentence_index, sentence in enumerate(sentences):
    windows, words = convert_sentence(sentence_index, sentence, label_map,
                                      max_seq_length, doc_stride, tokenizer)
    features.extend(windows)
    if words:
      pieceless[sentence_index] = words
  return features, pieceless


def padding_feature(max_seq_length):
  """All zeros, nothing scored: fills the last batch on TPU."""
  zeros = [0] * max_seq_length
  return InputFeatures(zeros, zeros, zeros, zeros, [0.0] * max_seq_length,
                       sentence_index=None, scored_words=[])


def write_features(features, output_file):
  """Writes features as tf.train.Examples into a TFRecord file, atomically.

  Record schema: `input_ids`, `input_mask`, `segment_ids`, `label_ids`
  int64 [max_seq_length]; `label_weights` float [max_seq_length]. Features
  carrying a teacher's logits (distillation) add `teacher_logits` float
  [max_seq_length * num_labels] (row-major: position, then tag) and
  `has_label` int64 [1]; the records of the others stay byte for byte those
  of the original layout.
  """
  progress = script_utils.ProgressLogger(
      "Writing %s" % os.path.basename(output_file), total=len(features))
  with record_utils.atomic_record_writers([output_file]) as writers:
    for feature in features:
      columns = {
          "input_ids": record_utils.create_int_feature(feature.input_ids),
          "input_mask": record_utils.create_int_feature(feature.input_mask),
          "segment_ids": record_utils.create_int_feature(feature.segment_ids),
          "label_ids": record_utils.create_int_feature(feature.label_ids),
          "label_weights": record_utils.create_float_feature(
              feature.label_weights),
      }
      if feature.teacher_logits is not None:
        columns["teacher_logits"] = record_utils.create_float_feature(
            np.asarray(feature.teacher_logits, np.float32).reshape(-1))
        columns["has_label"] = record_utils.create_int_feature(
            [feature.has_label])
      example = tf.train.Example(features=tf.train.Features(feature=columns))
      # deterministic=True: protobuf 7 (TF 2.21) orders map entries randomly
      # per process otherwise.
      writers[0].write(example.SerializeToString(deterministic=True))
      progress.update()


def file_based_input_fn_builder(input_file, seq_length, is_training,
                                drop_remainder, num_teacher_labels=None):
  """An input_fn over the records of `write_features` (int32 ids).

  `num_teacher_labels`: for records with a teacher's logits (distillation),
  the number of tags; they are read as `teacher_logits` float32
  [seq_length * num_labels] and `has_label` int32 [1].
  """
  int_feature = tf.io.FixedLenFeature([seq_length], tf.int64)
  columns = {
      "input_ids": int_feature,
      "input_mask": int_feature,
      "segment_ids": int_feature,
      "label_ids": int_feature,
      "label_weights": tf.io.FixedLenFeature([seq_length], tf.float32),
  }
  if num_teacher_labels:
    columns["teacher_logits"] = tf.io.FixedLenFeature(
        [seq_length * num_teacher_labels], tf.float32)
    columns["has_label"] = tf.io.FixedLenFeature([1], tf.int64)
  return record_utils.record_input_fn_builder(input_file, columns,
                                              is_training, drop_remainder)


# ----------------------------------------------------------------------------
# Model
# ----------------------------------------------------------------------------


def create_model(bert_config, is_training, input_ids, input_mask, segment_ids,
                 label_ids, label_weights, num_labels, use_one_hot_embeddings,
                 compute_type=tf.float32):
  """BERT with one dense layer applied to every token's final hidden vector.

  Args:
    bert_config: `modeling.BertConfig`.
    is_training: bool; enables dropout.
    input_ids, input_mask, segment_ids: int32 [batch_size, seq_length].
    label_ids: int32 [batch_size, seq_length], the tag ids.
    label_weights: float32 [batch_size, seq_length]; 1 on the tokens the
      loss counts (the first piece of each scored word), 0 elsewhere.
    num_labels: int, the number of tags.
    use_one_hot_embeddings: bool; one-hot matmul embeddings (faster on TPU).
    compute_type: dtype of the encoder's matrix products; the head and the
      loss are float32 whatever it is.

  Returns:
    (loss, per_token_loss, logits, probabilities): loss is the mean of the
    cross-entropy over the weighted tokens (0 when none is weighted);
    per_token_loss float32 [batch_size, seq_length]; logits and the softmax
    probabilities float32 [batch_size, seq_length, num_labels].
  """
  # [batch_size, seq_length, hidden_size]
  sequence_output = modeling.BertModel(
      bert_config, is_training, input_ids, input_mask, segment_ids,
      use_one_hot_embeddings, compute_type=compute_type).get_sequence_output()
  batch_size, seq_length, hidden_size = modeling.get_shape_list(
      sequence_output, expected_rank=3)

  with tf1.variable_scope("ner"):
    output_weights = tf1.get_variable(
        "output_weights", [num_labels, hidden_size],
        initializer=fine_tuning.head_initializer(stddev=0.02))
    output_bias = tf1.get_variable(
        "output_bias", [num_labels], initializer=tf1.zeros_initializer())

    if is_training:
      sequence_output = modeling.dropout(sequence_output, 0.1)
    # [batch_size * seq_length, num_labels]
    logits = tf.matmul(tf.reshape(sequence_output, [-1, hidden_size]),
                       output_weights, transpose_b=True)
    logits = tf.nn.bias_add(logits, output_bias)
    logits = tf.reshape(logits, [batch_size, seq_length, num_labels])

    probabilities = tf.nn.softmax(logits, axis=-1)
    log_probs = tf.nn.log_softmax(logits, axis=-1)
    one_hot_labels = tf.one_hot(label_ids, depth=num_labels, dtype=tf.float32)
    # [batch_size, seq_length]
    per_token_loss = -tf.reduce_sum(one_hot_labels * log_probs, axis=-1)
    weights = tf.cast(label_weights, tf.float32)
    # max(.., 1) keeps a batch without scored words at loss 0, not NaN.
    loss = tf.reduce_sum(per_token_loss * weights) / tf.maximum(
        tf.reduce_sum(weights), 1.0)

  return loss, per_token_loss, logits, probabilities


def model_fn_builder(bert_config, num_labels, init_checkpoint, learning_rate,
                     num_train_steps, num_warmup_steps, use_tpu,
                     use_one_hot_embeddings, num_accumulation_steps=1,
                     compute_type=tf.float32, class_weights=None,
                     distill_temperature=None, distill_alpha=0.5):
  """The TPUEstimator model_fn for tagging.

  TRAIN minimises `create_model`'s loss; PREDICT returns, per window,
  `predictions` (int32 [batch_size, seq_length], the most probable tag id
  of every position), `probabilities` [batch_size, seq_length, num_labels]
  and `per_token_loss` [batch_size, seq_length]. The entity scores need the
  windows stitched back into sentences, so evaluation runs on predictions
  (`evaluate_predictions`); EVAL mode reports the loss only. Features the
  serving signature lacks (`label_ids`, `label_weights`) default to zeros.

  With `distill_temperature` (knowledge distillation), features that carry
  a teacher's logits (`teacher_logits`, `has_label`: the training records
  of a run with --teacher_dir) are trained on `tagging_distillation_loss`
  instead; the graph of every other run is unchanged.

  Args: as classifier_lib.model_fn_builder (no regression, no task metric);
    `class_weights` (num_labels floats, class_weights.py) multiply each
    scored token's weight in the loss by its gold tag's weight;
    `distill_temperature` (float > 0, or None: no distillation) and
    `distill_alpha` (the soft loss's weight in [0, 1]), see
    `tagging_distillation_loss`.

  Returns:
    model_fn(features, labels, mode, params).
  """

  def model_fn(features, labels, mode, params):  # pylint: disable=unused-argument
    """Builds the graph for one of train, eval and predict."""
    estimator_runtime.log_features(features)
    input_ids = features["input_ids"]
    zeros = tf.zeros_like(input_ids)
    label_ids = features.get("label_ids", zeros)
    scored_pieces = features.get("label_weights",
                                 tf.cast(zeros, tf.float32))
    label_weights = class_weights_lib.loss_weights(label_ids, class_weights,
                                                   scored_pieces)

    is_training = (mode == estimator_runtime.ModeKeys.TRAIN)
    (total_loss, per_token_loss, logits, probabilities) = create_model(
        bert_config, is_training, input_ids, features["input_mask"],
        features["segment_ids"], label_ids, label_weights, num_labels,
        use_one_hot_embeddings, compute_type=compute_type)
    if distill_temperature is not None and "teacher_logits" in features:
      total_loss = tagging_distillation_loss(
          logits, features["teacher_logits"], per_token_loss,
          features["has_label"], scored_pieces, label_weights,
          distill_temperature, distill_alpha)

    scaffold_fn, _ = checkpoint_utils.init_from_checkpoint(init_checkpoint,
                                                           use_tpu)
    if mode == estimator_runtime.ModeKeys.PREDICT:
      return estimator_runtime.TPUEstimatorSpec(
          mode=mode,
          predictions={
              "predictions": tf.argmax(probabilities, axis=-1,
                                       output_type=tf.int32),
              "probabilities": probabilities,
              "per_token_loss": per_token_loss,
          },
          scaffold_fn=scaffold_fn)
    if mode == estimator_runtime.ModeKeys.TRAIN:
      return estimator_runtime.training_spec(
          total_loss, learning_rate, num_train_steps, num_warmup_steps,
          use_tpu, num_accumulation_steps, compute_type, scaffold_fn)
    # EVAL: the loss only (see above).
    return estimator_runtime.TPUEstimatorSpec(
        mode=mode, loss=total_loss, scaffold_fn=scaffold_fn)

  return model_fn


# ----------------------------------------------------------------------------
# Knowledge distillation: a teacher's logits as training targets
# ----------------------------------------------------------------------------


def tagging_distillation_loss(logits, teacher_logits, per_token_loss,
                              has_label, scored_pieces, label_weights,
                              temperature, alpha):
  """The student's loss against a teacher's logits, over the scored pieces.

  Each scored piece (the first piece of a word, where the hard loss counts
  it) is one item of `distillation.distillation_loss`: the cross-entropy
  against the teacher's distribution softened by `temperature` (times T^2),
  mixed with the hard loss by `alpha` in windows of tagged sentences and
  alone in windows of the transfer text. Pieces that are not scored (the
  other pieces of a word, [CLS], [SEP], padding) count in neither.

  Args:
    logits: float32 [batch_size, seq_length, num_labels], the student's.
    teacher_logits: float32 [batch_size, seq_length * num_labels] (as the
      records hold them) or [batch_size, seq_length, num_labels].
    per_token_loss: float32 [batch_size, seq_length], the hard
      cross-entropy of each position (`create_model`).
    has_label: int [batch_size, 1] or [batch_size]: 1 for a window of a
      tagged sentence, 0 for one of the transfer text.
    scored_pieces: float32 [batch_size, seq_length], 1 on scored pieces.
    label_weights: float32 [batch_size, seq_length], `scored_pieces` times
      the gold tags' class weights (the same tensor without them): the
      weights of tagged windows, as in the hard loss; a transfer window has
      no gold tag to weight by and keeps `scored_pieces`.
    temperature: float > 0; alpha: float in [0, 1].

  Returns:
    float32 scalar: the weighted mean over the scored pieces of the batch
    (0 when none is scored).
  """
  batch_size, seq_length, num_labels = modeling.get_shape_list(
      logits, expected_rank=3)
  teacher_logits = tf.reshape(tf.cast(teacher_logits, tf.float32),
                              [batch_size, seq_length, num_labels])
  # [batch_size, seq_length]: a window's pieces share its row's has_label.
  labeled = tf.broadcast_to(
      tf.reshape(tf.cast(has_label, tf.float32), [batch_size, 1]),
      [batch_size, seq_length])
  weights = tf.where(labeled > 0, tf.cast(label_weights, tf.float32),
                     tf.cast(scored_pieces, tf.float32))
  loss, _ = distillation.distillation_loss(
      logits, teacher_logits, per_token_loss, labeled, weights,
      temperature, alpha)
  return loss


def read_transfer_file(path):
  """The sentences of a --transfer_file, without tags.

  Two layouts, told apart by the file itself: the CoNLL layout (a token a
  line in the first column, any other columns such as tags ignored,
  sentences separated by blank lines or `-DOCSTART-` lines), recognised by a
  `-DOCSTART-` line, or by blank lines between groups of lines, a group of
  several lines, and the same number of columns on every non-blank line;
  otherwise one sentence a line, its words separated by whitespace (blank
  lines skipped).

  Returns:
    (sentences, layout): a list of `Sentence` with tags None, and "conll"
    or "lines".

  Raises:
    UsageError: naming the file when it is not UTF-8 or holds no word.
  """
  columns = [line.split() for line in script_utils.read_text_lines(path)]
  group_sizes, size = [], 0  # Lines of each run of non-blank lines.
  for c in columns + [[]]:
    if c:
      size += 1
    elif size:
      group_sizes.append(size)
      size = 0
  conll = any(c and c[0] == "-DOCSTART-" for c in columns) or (
      len(group_sizes) > 1 and max(group_sizes) > 1 and
      len(set(len(c) for c in columns if c)) == 1)
  sentences = []
  if conll:
    words, line_numbers = [], []
    for line_number, c in enumerate(columns, start=1):
      if not c or c[0] == "-DOCSTART-":
        if words:
          sentences.append(Sentence(words, None, line_numbers))
        words, line_numbers = [], []
        continue
      words.append(c[0])
      line_numbers.append(line_number)
    if words:
      sentences.append(Sentence(words, None, line_numbers))
  else:
    for line_number, c in enumerate(columns, start=1):
      if c:
        sentences.append(Sentence(c, None, [line_number] * len(c)))
  if not sentences:
    raise UsageError("--transfer_file=%s: no words (an empty file?); expected "
                     "one sentence a line, or the CoNLL layout" % path)
  return sentences, "conll" if conll else "lines"


def _teacher_model_fn(bert_config, num_labels):
  """A PREDICT-only model_fn returning the tagger's logits."""

  def model_fn(features, labels, mode, params):  # pylint: disable=unused-argument
    input_ids = features["input_ids"]
    zeros = tf.zeros_like(input_ids)
    _, _, logits, _ = create_model(
        bert_config, False, input_ids, features["input_mask"],
        features["segment_ids"], zeros, tf.cast(zeros, tf.float32),
        num_labels, use_one_hot_embeddings=False)
    return estimator_runtime.TPUEstimatorSpec(
        mode=mode, predictions={"logits": logits})

  return model_fn


def compute_teacher_logits(teacher, features, batch_size=32):
  """A teacher tagger's logits over windows, in one pass (float32, no dropout).

  The teacher is `create_model` with its own config and checkpoint
  (`distillation.Teacher`); the windows are the student's, so the teacher
  sees exactly the pieces the student is trained on.

  Args:
    teacher: `distillation.Teacher` of kind "ner".
    features: list of `InputFeatures`, all of one length.
    batch_size: int, windows per run.

  Returns:
    float32 array [len(features), max_seq_length, num_labels].

  Raises:
    UsageError: a checkpoint that does not hold the teacher's variables.
  """
  num_labels = len(teacher.labels)
  if not features:
    return np.zeros([0, 0, num_labels], np.float32)
  return distillation.compute_teacher_logits(
      teacher, _teacher_model_fn(teacher.bert_config, num_labels),
      [f.input_ids for f in features], [f.input_mask for f in features],
      [f.segment_ids for f in features], batch_size=batch_size,
      what="Teacher logits")


def model_info(settings, label_list):
  """model_info.json of a tagging model (kind "ner"), with its vocab path.

  What another run needs to use the model as a teacher (or to tag text as it
  was trained): the casing, max_seq_length, the tag set in output order,
  doc_stride and tag_scheme; `export_utils.write_model_files` writes it with
  vocab.txt and bert_config.json next to the checkpoints.
  """
  return {"format_version": export_utils.MODEL_INFO_VERSION,
          "kind": fine_tuning.NER,
          "do_lower_case": bool(settings.do_lower_case),
          "max_seq_length": int(settings.max_seq_length),
          "labels": list(label_list),
          "doc_stride": int(settings.doc_stride),
          "tag_scheme": settings.tag_scheme,
          "vocab_file": settings.vocab_file}


# ----------------------------------------------------------------------------
# From windows back to words
# ----------------------------------------------------------------------------


def stitch_predictions(sentences, features, pieceless, predicted_ids,
                       label_list):
  """Each word's predicted tag, from the one window that scores it.

  Args:
    sentences: list of `Sentence`.
    features: their `InputFeatures` (no padding), in order.
    pieceless: dict sentence_index -> words without pieces (tagged "O").
    predicted_ids: one int array [max_seq_length] per feature.
    label_list: the tag set, in output order.

  Returns:
    list (per sentence) of lists of predicted tags, one per word.

  Raises:
    RuntimeError: when a word gets no prediction or two (a bug).
  """
  if len(predicted_ids) != len(features):
    raise RuntimeError("got %d predictions for %d windows" %
                       (len(predicted_ids), len(features)))
  tags = [[None] * len(sentence.words) for sentence in sentences]
  for index, words in pieceless.items():
    for word_index in words:
      tags[index][word_index] = OUTSIDE
  for feature, ids in zip(features, predicted_ids):
    sentence_tags = tags[feature.sentence_index]
    for position, word_index in feature.scored_words:
      if sentence_tags[word_index] is not None:
        raise RuntimeError("sentence %d word %d is predicted twice" %
                           (feature.sentence_index, word_index))
      sentence_tags[word_index] = label_list[int(ids[position])]
  for index, sentence_tags in enumerate(tags):
    if None in sentence_tags:
      raise RuntimeError("sentence %d word %d has no prediction" %
                         (index, sentence_tags.index(None)))
  return tags


def evaluate_predictions(sentences, predicted_tags, tag_scheme):
  """The scores of predicted tags against the sentences' gold tags.

  Returns:
    dict: `eval_precision`, `eval_recall`, `eval_f1` (entities,
    micro-averaged), `eval_precision_<type>` etc. per entity type, and
    `eval_accuracy` (every word; conlleval semantics, see ner_metrics);
    with tag_scheme "none" only `eval_accuracy`.
  """
  gold_tags = [sentence.tags for sentence in sentences]
  if tag_scheme == "none":
    num_words = sum(len(tags) for tags in gold_tags)
    num_correct = sum(g == p for gold, predicted in zip(gold_tags,
                                                        predicted_tags)
                      for g, p in zip(gold, predicted))
    result = {"accuracy": num_correct / num_words}
  else:
    result = ner_metrics.evaluate(gold_tags, predicted_tags)
  return {"eval_" + key: value for key, value in result.items()}


def write_predictions(output_file, sentences, predicted_tags):
  """Writes the tagged sentences in the CoNLL layout, atomically.

  One line per input token, in input order: `token gold predicted` (or
  `token predicted` when the file was untagged), space-separated, a blank
  line after each sentence; conlleval reads it as it is.
  """
  with script_utils.atomic_output(output_file) as writer:
    for sentence, tags in zip(sentences, predicted_tags):
      for index, (word, tag) in enumerate(zip(sentence.words, tags)):
        columns = [word, tag]
        if sentence.tags is not None:
          columns.insert(1, sentence.tags[index])
        writer.write(" ".join(columns) + "\n")
      writer.write("\n")

