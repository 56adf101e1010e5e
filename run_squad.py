# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Fine-tunes BERT for extractive question answering (SQuAD 1.1 and 2.0).

The model scores every token of `[CLS] question [SEP] paragraph [SEP]` as the
start and as the end of the answer. Most of the work is bookkeeping around
that:

- Reading: a paragraph is split into whitespace-separated words, with a map
  from every character to its word, so a training answer given as a character
  offset becomes a word span.
- Features: paragraphs longer than the window are walked in overlapping
  windows ("doc spans") advancing by `doc_stride` WordPiece tokens. A token
  seen in several windows is only predicted from the window that gives it the
  most context on both sides.
- Prediction: the best start/end pairs of every window of a question compete;
  the winning WordPiece span is projected back onto the original text so the
  answer keeps its casing, accents and punctuation, in whatever Unicode
  normalization form the paragraph is written. With SQuAD 2.0 the [CLS] position
  stands for "no answer", and the margin between it and the best span decides.

Outputs in --output_dir: `train.tf_record`, `eval.tf_record`, checkpoints,
`predictions.json`, `nbest_predictions.json`, `null_odds.json` (2.0) and, when
--predict_file carries gold answers, `squad_metrics.json` with exact match and
F1 (for 2.0 also the HasAns/NoAns split and the best threshold for
--null_score_diff_threshold).
"""

import collections
import functools
import json
import math
import os
import random
import re
import unicodedata

# First of all: it imports TensorFlow keeping its own messages out of the
# default log (shown with -v 1).
import tf_quiet  # pylint: disable=unused-import,g-bad-import-order
from absl import flags
import numpy as np
import checkpoint_utils
import record_utils
import six
import tensorflow as tf

import export_utils
import estimator_runtime
import modeling
import script_utils
import squad_metrics
import tokenization

tf1 = tf.compat.v1

FLAGS = flags.FLAGS

# The first feature's unique_id; ids only need to be unique within one file,
# the large start keeps them visibly different from example indexes.
FIRST_UNIQUE_ID = 1000000000

# How many converted examples are logged in full, to eyeball the windows.
_NUM_EXAMPLES_TO_LOG = 3


def _flag_or_default(name, value, default):
  """The value of a setting the original functions read from FLAGS.

  The original `write_predictions`, `get_final_text` and
  `read_squad_examples` took `version_2_with_negative`,
  `null_score_diff_threshold` and `verbose_logging` from the flags; here
  they are keyword arguments, and code written the original way (flags set,
  arguments left out) must still get the original's answers.

  Args:
    name: str, the flag's name.
    value: the keyword argument as passed; None means "not given".
    default: what applies when neither the argument nor the flag does.

  Returns:
    `value` when given; else the flag's value when the flag is defined and
    was parsed or set (`FLAGS.x = ...`); else `default`.
  """
  if value is not None:
    return value
  if name in FLAGS:
    flag = FLAGS[name]
    if FLAGS.is_parsed() or flag.present or not flag.using_default_value:
      return flag.value
  return default


def define_flags():
  """Defines the command-line flags (called only when run as a script, so
  this module can be imported next to the other scripts)."""
  flags.DEFINE_string(
      "bert_config_file", None,
      "The config json file corresponding to the pre-trained BERT model. "
      "This specifies the model architecture.")
  flags.DEFINE_string("vocab_file", None,
                      "The vocabulary file that the BERT model was trained on.")
  flags.DEFINE_string(
      "output_dir", None,
      "The output directory where the model checkpoints, records and "
      "predictions will be written.")
  flags.DEFINE_string("train_file", None,
                      "SQuAD json for training. E.g., train-v1.1.json")
  flags.DEFINE_string(
      "predict_file", None,
      "SQuAD json for predictions. E.g., dev-v1.1.json or test-v1.1.json. "
      "When it has answers, exact match and F1 are computed too.")
  flags.DEFINE_string(
      "init_checkpoint", None,
      "Initial checkpoint (usually from a pre-trained BERT model).")
  flags.DEFINE_bool(
      "do_lower_case", True,
      "Whether to lower case the input text. Should be True for uncased "
      "models and False for cased models.")
  flags.DEFINE_integer(
      "max_seq_length", 384,
      "The maximum total input sequence length after WordPiece tokenization. "
      "Sequences longer than this will be truncated, and sequences shorter "
      "than this will be padded.")
  flags.DEFINE_integer(
      "doc_stride", 128,
      "When splitting up a long document into chunks, how much stride to "
      "take between chunks.")
  flags.DEFINE_integer(
      "max_query_length", 64,
      "The maximum number of tokens for the question. Questions longer than "
      "this will be truncated to this length.")
  flags.DEFINE_bool("do_train", False, "Whether to run training.")
  flags.DEFINE_bool("do_predict", False,
                    "Whether to run prediction on --predict_file.")
  flags.DEFINE_integer("train_batch_size", 32, "Total batch size for training.")
  flags.DEFINE_integer("predict_batch_size", 8,
                       "Total batch size for predictions.")
  flags.DEFINE_float("learning_rate", 5e-5,
                     "The initial learning rate for Adam.")
  flags.DEFINE_float("num_train_epochs", 3.0,
                     "Total number of training epochs to perform.")
  flags.DEFINE_float(
      "warmup_proportion", 0.1,
      "Proportion of training to perform linear learning rate warmup for. "
      "E.g., 0.1 = 10% of training.")
  flags.DEFINE_integer("save_checkpoints_steps", 1000,
                       "How often to save the model checkpoint.")
  flags.DEFINE_integer("iterations_per_loop", 1000,
                       "How many steps to make in each estimator call.")
  flags.DEFINE_integer(
      "n_best_size", 20,
      "The total number of n-best predictions to generate in the "
      "nbest_predictions.json output file.")
  flags.DEFINE_integer(
      "max_answer_length", 30,
      "The maximum length of an answer that can be generated. This is needed "
      "because the start and end predictions are not conditioned on one "
      "another.")
  checkpoint_utils.define_allow_random_init_flag()
  estimator_runtime.define_tpu_flags()
  estimator_runtime.define_performance_flags()
  export_utils.define_export_flags()
  flags.DEFINE_bool(
      "verbose_logging", False,
      "If true, all of the warnings related to data processing will be "
      "printed. A number of warnings are expected for a normal SQuAD "
      "evaluation.")
  flags.DEFINE_bool(
      "version_2_with_negative", False,
      "If true, the SQuAD examples contain some that do not have an answer.")
  flags.DEFINE_float(
      "null_score_diff_threshold", 0.0,
      "If null_score - best_non_null is greater than the threshold predict "
      "null. squad_metrics.json reports the best value as best_f1_thresh.")
  flags.DEFINE_integer(
      "num_accumulation_steps", 1,
      "Accumulate gradients over this many micro-batches of "
      "train_batch_size / num_accumulation_steps examples before each update, "
      "for a large effective batch on a small accelerator.")


# ----------------------------------------------------------------------------
# Examples and features
# ----------------------------------------------------------------------------


class SquadExample(object):
  """One question about one paragraph.

  `doc_tokens` are the paragraph's whitespace-separated words;
  `start_position`/`end_position` index them (inclusive) and are only set
  for training. An unanswerable SQuAD 2.0 question has positions -1.
  """

  def __init__(self,
               qas_id,
               question_text,
               doc_tokens,
               orig_answer_text=None,
               start_position=None,
               end_position=None,
               is_impossible=False):
    self.qas_id = qas_id
    self.question_text = question_text
    self.doc_tokens = doc_tokens
    self.orig_answer_text = orig_answer_text
    self.start_position = start_position
    self.end_position = end_position
    self.is_impossible = is_impossible

  def __str__(self):
    return self.__repr__()

  def __repr__(self):
    parts = [
        "qas_id: %s" % tokenization.printable_text(self.qas_id),
        "question_text: %s" % tokenization.printable_text(self.question_text),
        "doc_tokens: [%s]" % " ".join(self.doc_tokens),
    ]
    if self.start_position is not None:
      parts.append("start_position: %d" % self.start_position)
    if self.end_position is not None:
      parts.append("end_position: %d" % self.end_position)
    if self.is_impossible:
      parts.append("is_impossible: %r" % self.is_impossible)
    return ", ".join(parts)


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


def _is_whitespace(c):
  # U+202F (narrow no-break space) separates words in some SQuAD paragraphs
  # but is not in str.split()'s default set in every Python version.
  return c in (" ", "\t", "\r", "\n") or ord(c) == 0x202F


def split_paragraph(paragraph_text):
  """Splits a paragraph into words and maps each character to its word.

  Returns:
    (doc_tokens, char_to_word_offset): list of words, and for every character
    of the paragraph the index of the word it belongs to (whitespace maps to
    the preceding word, so an offset pointing at a space still lands
    somewhere sensible).
  """
  doc_tokens = []
  char_to_word_offset = []
  prev_is_whitespace = True
  for c in paragraph_text:
    if _is_whitespace(c):
      prev_is_whitespace = True
    else:
      if prev_is_whitespace:
        doc_tokens.append(c)
      else:
        doc_tokens[-1] += c
      prev_is_whitespace = False
    char_to_word_offset.append(len(doc_tokens) - 1)
  return doc_tokens, char_to_word_offset


# ----------------------------------------------------------------------------
# Character maps through Unicode normalization and the basic tokenizer
# ----------------------------------------------------------------------------

# Hangul vowel and trailing jamo have combining class 0, yet NFC composes
# them with the jamo or syllable before them.
_HANGUL_COMPOSING_JAMO = ((0x1160, 0x11FF), (0xD7B0, 0xD7FF))

# The order in which a training answer's offset is re-read when it does not
# fit the paragraph as given.
_NORMALIZATION_FORMS = ("NFC", "NFD", "NFKC", "NFKD")

# Answers are compared under NFKC: canonically or compatibility-equivalent
# spellings ("u" + U+0308 and "\u00fc", "\ufb01" and "fi") are the same answer.
_ANSWER_KEY_FORM = "NFKC"


def _starts_cluster(char):
  """Whether `char` begins a new cluster (see `_char_clusters`)."""
  if unicodedata.combining(char) or unicodedata.category(char)[0] == "M":
    return False
  cp = ord(char)
  return not any(low <= cp <= high for (low, high) in _HANGUL_COMPOSING_JAMO)


def _char_clusters(text):
  """Splits `text` into a character + the marks that follow it, each.

  Every transformation the answers go through acts on such clusters
  independently: Unicode normalization decomposes character by character and
  reorders or composes only a starter with the non-starters after it (and
  Hangul jamo); the basic tokenizer's cleaning, lower-casing and accent
  stripping are per character. Whitespace is a cluster of its own.

  Returns:
    list of (start, end) character offsets covering `text` in order.
  """
  if text.isascii():
    return [(i, i + 1) for i in range(len(text))]
  clusters = []
  start = 0
  for i in range(1, len(text)):
    if text[i - 1].isspace() or _starts_cluster(text[i]):
      clusters.append((start, i))
      start = i
  if text:
    clusters.append((start, len(text)))
  return clusters


def _word_clusters(text):
  """Coarser clusters: runs of non-whitespace, and each whitespace char."""
  return [match.span() for match in re.finditer(r"\S+|\s", text)]


def _char_map(text, transform, transformed, clusters=None):
  """Where each character of a transformed text came from.

  Args:
    text: str, the original.
    transform: function str -> str, applied to each cluster of `text`.
    transformed: str, what `transform` gives for the whole text.
    clusters: (optional) list of (start, end), pieces of `text` that
      `transform` treats independently; `_char_clusters(text)` by default.
      Whole words are tried when these do not add up.

  Returns:
    (starts, ends), two lists of ints as long as `transformed`: its
    character j comes from text[starts[j]:ends[j]], the cluster that
    produced it. None when the clusters do not add up to `transformed`
    (then no exact map exists).
  """
  if clusters is None:
    clusters = _char_clusters(text)
  for clusters in (clusters, _word_clusters(text)):
    starts = []
    ends = []
    pieces = []
    for (start, end) in clusters:
      piece = transform(text[start:end])
      pieces.append(piece)
      starts.extend([start] * len(piece))
      ends.extend([end] * len(piece))
    joined = "".join(pieces)
    # Lower-casing a capital sigma depends on its context (a final one
    # becomes "\u03c2"), so characters may differ in case, never in number.
    if len(joined) == len(transformed) and (joined == transformed or all(
        a == b or a.casefold() == b.casefold()
        for (a, b) in zip(joined, transformed))):
      return starts, ends
  return None


def _normalization_map(text, form):
  """`text` in a Unicode normalization form, with a map back.

  Returns:
    (normalized, starts, ends) as in `_char_map`, or None.
  """
  normalized = unicodedata.normalize(form, text)
  if normalized == text:
    return normalized, list(range(len(text))), list(range(1, len(text) + 1))
  char_map = _char_map(text, functools.partial(unicodedata.normalize, form),
                       normalized)
  if char_map is None:
    return None
  return (normalized,) + char_map


@functools.lru_cache(maxsize=1 << 16)
def _basic_tokenized(piece, do_lower_case):
  """What the basic tokenizer keeps of `piece`, without token separators."""
  return "".join(
      tokenization.BasicTokenizer(do_lower_case=do_lower_case).tokenize(piece))


def _tokenizer_char_map(text, do_lower_case, tokenized):
  """`_char_map` for the basic tokenizer: `tokenized` is its tokens of
  `text` concatenated.

  The tokenizer works character by character (NFD only decomposes), so the
  clusters are single characters, except that with lower-casing the
  combining marks (Mn) it strips go with the character before them; the
  cased tokenizer keeps them, and may split them off (after punctuation).
  """
  if text.isascii():
    # The common case, quicker: each ASCII character is kept as one
    # character or dropped (whitespace, control characters).
    starts = [i for (i, char) in enumerate(text)
              if _basic_tokenized(char, do_lower_case)]
    if len(starts) == len(tokenized):
      return starts, [i + 1 for i in starts]
  clusters = []
  for (i, char) in enumerate(text):
    if (do_lower_case and clusters and not text[i - 1].isspace() and
        unicodedata.category(char) == "Mn"):
      clusters[-1] = (clusters[-1][0], i + 1)
    else:
      clusters.append((i, i + 1))
  return _char_map(
      text, functools.partial(_basic_tokenized, do_lower_case=do_lower_case),
      tokenized, clusters)


def _find_normalized(haystack, needle):
  """`haystack`'s own spelling of `needle`, compared under NFKC, or None."""
  key = unicodedata.normalize(_ANSWER_KEY_FORM, needle)
  mapped = _normalization_map(haystack, _ANSWER_KEY_FORM)
  if not key or mapped is None:
    return None
  (normalized, starts, ends) = mapped
  position = normalized.find(key)
  if position == -1:
    return None
  return haystack[starts[position]:ends[position + len(key) - 1]]


def _format_error(input_file, what):
  return script_utils.UsageError("%s: not in SQuAD format: %s" %
                                 (input_file, what))


def _load_squad_json(input_file):
  """Reads a SQuAD file and checks its outer structure.

  Returns:
    The list of articles (the "data" entry).
  """
  if not tf.io.gfile.exists(input_file):
    raise script_utils.UsageError("%s: file not found" % input_file)
  text = script_utils.read_text(input_file)
  try:
    dataset = json.loads(text)
  except ValueError as e:
    raise script_utils.UsageError("%s: not valid JSON (%s)" %
                                  (input_file, script_utils.error_line(e)))
  if not isinstance(dataset, dict) or not isinstance(dataset.get("data"),
                                                     list):
    raise _format_error(input_file,
                        "expected a JSON object with a \"data\" list")
  return dataset["data"]


def _words_at(char_to_word_offset, start, end):
  """(first word, last word) of the paragraph characters [start, end), or
  None when that range is not inside the paragraph."""
  if start < 0 or end <= start or end > len(char_to_word_offset):
    return None
  # An answer that starts on whitespace maps to the previous word (or -1).
  start_word = max(char_to_word_offset[start], 0)
  end_word = char_to_word_offset[end - 1]
  if end_word < start_word:
    return None
  return start_word, end_word


def _locate_answer(paragraph_text, char_to_word_offset, doc_tokens,
                   answer_offset, answer_text):
  """Finds the words of a training answer, in any Unicode normalization.

  An annotation tool counts answer_start in the characters of the text it
  saw. A file converted to another normalization form afterwards (NFD on
  macOS, NFKC in some web pipelines) keeps the text but not the offsets, and
  the answer text may be in yet another form than the paragraph. So the
  offset is tried as given, then read in each normalization form of the
  paragraph (mapped back to the paragraph's characters); at each, the answer
  must be among the words there, compared under NFKC.

  Returns:
    (text, start_word, end_word, as_given): as_given is True, and text the
    annotated answer, when the answer is where it says in the paragraph's own
    form; otherwise text is the paragraph's own spelling of the answer, so
    that its tokens are the paragraph's. None when the answer is not found.
  """
  cleaned_answer_text = " ".join(
      tokenization.whitespace_tokenize(answer_text))
  candidates = [(answer_offset, answer_offset + len(answer_text))]
  words = _words_at(char_to_word_offset, *candidates[0])
  # The answer text must really be there; SQuAD has a few answers whose
  # offsets are off or whose text differs from the paragraph, and training
  # on a wrong span is worse than skipping.
  if words is not None and " ".join(
      doc_tokens[words[0]:words[1] + 1]).find(cleaned_answer_text) != -1:
    return answer_text, words[0], words[1], True
  for form in _NORMALIZATION_FORMS:
    mapped = _normalization_map(paragraph_text, form)
    if mapped is None:
      continue
    (normalized, starts, ends) = mapped
    length = len(unicodedata.normalize(form, answer_text))
    if length and 0 <= answer_offset and answer_offset + length <= len(
        normalized):
      candidates.append((starts[answer_offset],
                         ends[answer_offset + length - 1]))
  for (start, end) in candidates:
    words = _words_at(char_to_word_offset, start, end)
    if words is None:
      continue
    spelling = _find_normalized(" ".join(doc_tokens[words[0]:words[1] + 1]),
                                cleaned_answer_text)
    if spelling is not None:
      return spelling, words[0], words[1], False
  return None


def _read_answer(input_file, qa, qas_id, paragraph_text, char_to_word_offset,
                 doc_tokens):
  """Locates a training answer in the paragraph's words.

  Returns:
    (orig_answer_text, start_word, end_word, as_given) as in
    `_locate_answer`, or None (after a warning) when the answer cannot be
    found where it claims to be.
  """
  answer = qa["answers"][0]
  if (not isinstance(answer, dict) or
      not isinstance(answer.get("text"), six.string_types) or
      isinstance(answer.get("answer_start"), bool) or
      not isinstance(answer.get("answer_start"), six.integer_types)):
    raise _format_error(
        input_file, "question %s: an answer needs \"text\" (string) and "
        "\"answer_start\" (integer)" % qas_id)
  orig_answer_text = answer["text"]
  answer_offset = answer["answer_start"]
  if not orig_answer_text.strip() or answer_offset < 0:
    tf1.logging.warning(
        "Skipping question %s: empty answer text or negative answer_start %d "
        "(text %r)", qas_id, answer_offset, orig_answer_text)
    return None
  located = _locate_answer(paragraph_text, char_to_word_offset, doc_tokens,
                           answer_offset, orig_answer_text)
  if located is None:
    if answer_offset + len(orig_answer_text) > len(paragraph_text):
      tf1.logging.warning(
          "Skipping question %s: answer_start %d is outside the paragraph "
          "(text %r)", qas_id, answer_offset, orig_answer_text)
    else:
      tf1.logging.warning(
          "Skipping question %s: could not find answer %r at answer_start "
          "%d in %r", qas_id, orig_answer_text, answer_offset,
          paragraph_text[answer_offset:answer_offset + len(orig_answer_text)])
  return located


def read_squad_examples(input_file, is_training,
                        version_2_with_negative=None):
  """Reads a SQuAD json file into a list of `SquadExample`.

  Args:
    input_file: path of a SQuAD 1.1 or 2.0 json file (local or gs://).
    is_training: bool. Training needs an answer for every answerable question
      and locates it; prediction ignores answers.
    version_2_with_negative: bool, honour "is_impossible" (SQuAD 2.0). When
      not given: --version_2_with_negative if that flag is defined (as the
      original read it), else False.

  Returns:
    List of `SquadExample`. Training questions whose answer cannot be found
    in the paragraph are skipped with a warning. An answer is found whatever
    the Unicode normalization form of the paragraph, of the answer text and
    of the text its answer_start was counted in (`_locate_answer`); when the
    forms differ, `orig_answer_text` is the paragraph's own spelling.

  Raises:
    script_utils.UsageError: for a missing, non-JSON or non-SQuAD file.
  """
  version_2_with_negative = _flag_or_default(
      "version_2_with_negative", version_2_with_negative, False)
  articles = _load_squad_json(input_file)
  examples = []
  seen_ids = set()
  num_skipped = 0
  num_multi_answer = 0
  num_renormalized = 0
  for article in articles:
    paragraphs = None
    if isinstance(article, dict):
      paragraphs = article.get("paragraphs")
    if not isinstance(paragraphs, list):
      raise _format_error(input_file, "an article has no \"paragraphs\" list")
    for paragraph in paragraphs:
      if (not isinstance(paragraph, dict) or
          not isinstance(paragraph.get("context"), six.string_types) or
          not isinstance(paragraph.get("qas"), list)):
        raise _format_error(
            input_file, "a paragraph needs \"context\" (string) and \"qas\" "
            "(list)")
      paragraph_text = paragraph["context"]
      doc_tokens, char_to_word_offset = split_paragraph(paragraph_text)

      for qa in paragraph["qas"]:
        if (not isinstance(qa, dict) or "id" not in qa or
            not isinstance(qa.get("question"), six.string_types)):
          raise _format_error(
              input_file, "a question needs \"id\" and \"question\" (string)")
        qas_id = str(qa["id"])
        if not is_training:
          # Predictions are keyed by id; a repeated id would silently
          # overwrite an answer.
          if qas_id in seen_ids:
            raise _format_error(input_file,
                                "question id %s appears twice" % qas_id)
          seen_ids.add(qas_id)
        question_text = qa["question"]
        answers = qa.get("answers", [])
        if not isinstance(answers, list):
          raise _format_error(input_file,
                              "question %s: \"answers\" is not a list" % qas_id)
        is_impossible = bool(version_2_with_negative and
                             qa.get("is_impossible", False))
        start_position = None
        end_position = None
        orig_answer_text = None
        if is_training:
          if is_impossible:
            start_position = -1
            end_position = -1
            orig_answer_text = ""
          else:
            if not answers:
              hint = ""
              if qa.get("is_impossible") and not version_2_with_negative:
                hint = "; it is marked is_impossible: pass " \
                       "--version_2_with_negative for SQuAD 2.0 data"
              raise _format_error(
                  input_file, "training question %s has no answer%s" %
                  (qas_id, hint))
            if len(answers) > 1:
              num_multi_answer += 1
            located = _read_answer(input_file, qa, qas_id, paragraph_text,
                                   char_to_word_offset, doc_tokens)
            if located is None:
              num_skipped += 1
              continue
            (orig_answer_text, start_position, end_position,
             as_given) = located
            if not as_given:
              num_renormalized += 1

        examples.append(
            SquadExample(
                qas_id=qas_id,
                question_text=question_text,
                doc_tokens=doc_tokens,
                orig_answer_text=orig_answer_text,
                start_position=start_position,
                end_position=end_position,
                is_impossible=is_impossible))
  if num_skipped:
    tf1.logging.warning("%s: skipped %d question(s) whose answer was not "
                        "found in the paragraph", input_file, num_skipped)
  if num_renormalized:
    tf1.logging.info("%s: %d training answer(s) found in another Unicode "
                     "normalization form than their answer_start or text "
                     "was given in", input_file, num_renormalized)
  if num_multi_answer:
    tf1.logging.info("%s: %d training question(s) have several answers; the "
                     "first one is used", input_file, num_multi_answer)
  return examples


_DocSpan = collections.namedtuple("DocSpan", ["start", "length"])


def _doc_spans(num_doc_tokens, max_tokens_for_doc, doc_stride):
  """Overlapping windows over the paragraph's WordPiece tokens.

  Windows start every `doc_stride` tokens (or where the previous window
  ended, when the stride is longer than a window, so no token is skipped)
  until one reaches the end. An empty paragraph still gets one empty window,
  so its questions get a prediction ("") instead of none.
  """
  spans = []
  start = 0
  while True:
    length = min(num_doc_tokens - start, max_tokens_for_doc)
    spans.append(_DocSpan(start=start, length=length))
    if start + length >= num_doc_tokens:
      return spans
    start += min(length, doc_stride)


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
    doc_spans = _doc_spans(len(all_doc_tokens), max_tokens_for_doc,
                           doc_stride)

    for (doc_span_index, doc_span) in enumerate(doc_spans):
      tokens = ["[CLS]"] + query_tokens + ["[SEP]"]
      segment_ids = [0] * len(tokens)
      token_to_orig_map = {}
      token_is_max_context = {}
      for i in range(doc_span.length):
        split_token_index = doc_span.start + i
        token_to_orig_map[len(tokens)] = tok_to_orig_index[split_token_index]
        token_is_max_context[len(tokens)] = _check_is_max_context(
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
  answer_key = _spelled_key(answer_tokens)
  for new_start in range(input_start, input_end + 1):
    for new_end in range(input_end, new_start - 1, -1):
      if _spelled_key(doc_tokens[new_start:(new_end + 1)]) == answer_key:
        return (new_start, new_end)
  return (input_start, input_end)


def _spelled_key(tokens):
  """The text WordPiece tokens spell, NFKC-normalized, for comparisons."""
  text = " ".join(tokens).replace(" ##", "")
  return unicodedata.normalize(_ANSWER_KEY_FORM, text)


def _check_is_max_context(doc_spans, cur_span_index, position):
  """Whether window `cur_span_index` is the best one to predict a token from.

  With overlapping windows a token is seen several times, sometimes at the
  very edge of a window with almost no context on one side. Its score in a
  window is min(tokens to its left, tokens to its right) + 0.01 * window
  length (the small term breaks ties towards longer windows); the window
  with the highest score (the first on a tie) owns the token.

  Args:
    doc_spans: list of spans with `.start` and `.length`.
    cur_span_index: int, the window asked about.
    position: int, token index in the whole paragraph.

  Returns:
    bool.
  """
  best_score = None
  best_span_index = None
  for (span_index, doc_span) in enumerate(doc_spans):
    end = doc_span.start + doc_span.length - 1
    if position < doc_span.start or position > end:
      continue
    num_left_context = position - doc_span.start
    num_right_context = end - position
    score = min(num_left_context, num_right_context) + 0.01 * doc_span.length
    if best_score is None or score > best_score:
      best_score = score
      best_span_index = span_index
  return cur_span_index == best_span_index


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


# The span-prediction layer: a pre-trained checkpoint does not have it.
HEAD_VARIABLES = ("cls/squad/output_weights", "cls/squad/output_bias")


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
      initializer=tf1.truncated_normal_initializer(stddev=0.02))
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

    unique_ids = features["unique_ids"]
    input_ids = features["input_ids"]
    input_mask = features["input_mask"]
    segment_ids = features["segment_ids"]

    is_training = (mode == estimator_runtime.ModeKeys.TRAIN)

    (start_logits, end_logits) = create_model(
        bert_config=bert_config,
        is_training=is_training,
        input_ids=input_ids,
        input_mask=input_mask,
        segment_ids=segment_ids,
        use_one_hot_embeddings=use_one_hot_embeddings,
        compute_type=compute_type)

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
          "unique_ids": unique_ids,
          "start_logits": start_logits,
          "end_logits": end_logits,
      }
      return estimator_runtime.TPUEstimatorSpec(
          mode=mode, predictions=predictions, scaffold_fn=scaffold_fn)
    raise ValueError("Only TRAIN and PREDICT modes are supported: %s" % mode)

  return model_fn


# ----------------------------------------------------------------------------
# Predictions
# ----------------------------------------------------------------------------

RawResult = collections.namedtuple("RawResult",
                                   ["unique_id", "start_logits", "end_logits"])

_PrelimPrediction = collections.namedtuple(
    "PrelimPrediction",
    ["feature_index", "start_index", "end_index", "start_logit", "end_logit"])

_NbestPrediction = collections.namedtuple(
    "NbestPrediction", ["text", "start_logit", "end_logit"])

# What write_predictions returns, for metrics and tests.
SquadPredictions = collections.namedtuple(
    "SquadPredictions",
    ["predictions", "nbest", "null_odds", "non_null_predictions"])

# null_odds of a question with no valid span at all: "no answer" by any
# threshold anyone would use, but still a finite number for strict JSON.
_NO_SPAN_NULL_ODDS = 1e6


def _candidate_spans(feature, result, n_best_size, max_answer_length):
  """The valid (start, end) pairs among a window's best starts and ends."""
  start_indexes = _get_best_indexes(result.start_logits, n_best_size)
  end_indexes = _get_best_indexes(result.end_logits, n_best_size)
  candidates = []
  for start_index in start_indexes:
    for end_index in end_indexes:
      # Only spans inside this window's paragraph part, in order, not too
      # long, and starting where this window has the most context.
      if start_index >= len(feature.tokens) or end_index >= len(
          feature.tokens):
        continue
      if (start_index not in feature.token_to_orig_map or
          end_index not in feature.token_to_orig_map):
        continue
      if not feature.token_is_max_context.get(start_index, False):
        continue
      if end_index < start_index:
        continue
      if end_index - start_index + 1 > max_answer_length:
        continue
      candidates.append((start_index, end_index))
  return candidates


def _span_text(example, feature, start_index, end_index, do_lower_case,
               verbose_logging):
  """The original paragraph text for a WordPiece span of a window."""
  tok_tokens = feature.tokens[start_index:(end_index + 1)]
  orig_doc_start = feature.token_to_orig_map[start_index]
  orig_doc_end = feature.token_to_orig_map[end_index]
  orig_tokens = example.doc_tokens[orig_doc_start:(orig_doc_end + 1)]
  # Undo WordPiece: "##" marks a continuation of the previous piece.
  tok_text = " ".join(tok_tokens)
  tok_text = tok_text.replace(" ##", "").replace("##", "")
  tok_text = " ".join(tok_text.strip().split())
  orig_text = " ".join(orig_tokens)
  return get_final_text(tok_text, orig_text, do_lower_case,
                        verbose_logging=verbose_logging)


def _predict_example(example, features, unique_id_to_result, n_best_size,
                     max_answer_length, do_lower_case,
                     version_2_with_negative, verbose_logging):
  """Ranks the answers of one example.

  Returns:
    (nbest, null_entry): nbest is a list of `_NbestPrediction`, best first
    (with 2.0 it always holds the "" entry, even past n_best_size, so its
    probability is visible); null_entry is the "" `_NbestPrediction` (2.0)
    or None.
  """
  prelim_predictions = []
  null_prediction = None
  for (feature_index, feature) in enumerate(features):
    result = unique_id_to_result.get(feature.unique_id)
    if result is None:
      raise ValueError("no model output for feature %d of question %s" %
                       (feature.unique_id, example.qas_id))
    if version_2_with_negative:
      # "No answer" is the [CLS] span. Every window votes; the lowest null
      # score is kept because a single window that sees the answer is
      # enough to make the question answerable.
      candidate = _PrelimPrediction(
          feature_index=feature_index, start_index=0, end_index=0,
          start_logit=float(result.start_logits[0]),
          end_logit=float(result.end_logits[0]))
      if null_prediction is None or (
          candidate.start_logit + candidate.end_logit <
          null_prediction.start_logit + null_prediction.end_logit):
        null_prediction = candidate
    for (start_index, end_index) in _candidate_spans(
        feature, result, n_best_size, max_answer_length):
      prelim_predictions.append(
          _PrelimPrediction(
              feature_index=feature_index,
              start_index=start_index,
              end_index=end_index,
              start_logit=float(result.start_logits[start_index]),
              end_logit=float(result.end_logits[end_index])))
  if null_prediction is not None:
    prelim_predictions.append(null_prediction)

  prelim_predictions.sort(key=lambda x: x.start_logit + x.end_logit,
                          reverse=True)
  nbest = []
  seen_texts = set()
  for pred in prelim_predictions:
    if len(nbest) >= n_best_size:
      break
    if pred.start_index == 0:  # Only the null span starts at [CLS].
      final_text = ""
    else:
      final_text = _span_text(example, features[pred.feature_index],
                              pred.start_index, pred.end_index,
                              do_lower_case, verbose_logging)
    # Different token spans often give the same text; keep the best one.
    if final_text in seen_texts:
      continue
    seen_texts.add(final_text)
    nbest.append(
        _NbestPrediction(text=final_text, start_logit=pred.start_logit,
                         end_logit=pred.end_logit))

  null_entry = None
  if null_prediction is not None:
    null_entry = _NbestPrediction(text="",
                                  start_logit=null_prediction.start_logit,
                                  end_logit=null_prediction.end_logit)
    if "" not in seen_texts:
      nbest.append(null_entry)
  return nbest, null_entry


def write_predictions(all_examples, all_features, all_results, n_best_size,
                      max_answer_length, do_lower_case,
                      output_prediction_file, output_nbest_file,
                      output_null_log_odds_file,
                      version_2_with_negative=None,
                      null_score_diff_threshold=None,
                      verbose_logging=None):
  """Turns the model's logits into answers and writes the JSON outputs.

  Every example gets an entry in the outputs: one whose features are all
  missing, or whose windows hold no valid span (e.g. an empty paragraph),
  is answered "" (logged with a count).

  Args:
    all_examples: list of `SquadExample`, in the order features were made.
    all_features: list of `InputFeatures` of those examples.
    all_results: iterable of `RawResult` (one per feature, any order).
    n_best_size: int, starts/ends considered per window and answers kept.
    max_answer_length: int, longest answer in WordPiece tokens.
    do_lower_case: bool, as used for tokenization (for `get_final_text`).
    output_prediction_file: path for {qas_id: answer}.
    output_nbest_file: path for {qas_id: [{text, probability, start_logit,
      end_logit}, ...]}.
    output_null_log_odds_file: path for {qas_id: null odds} (2.0 only).
    version_2_with_negative: bool, allow "no answer".
    null_score_diff_threshold: float; with 2.0 a question is answered "" when
      null score - best span score exceeds it.
    verbose_logging: bool, log why a span could not be mapped back.
    The last three, when not given, are taken from the flags of the same
    names if they are defined (the original read them from FLAGS), else
    False, 0.0 and False.

  Returns:
    `SquadPredictions(predictions, nbest, null_odds, non_null_predictions)`;
    the last two are empty dicts unless version_2_with_negative. The files are
    written atomically.

  Raises:
    ValueError: a feature has no result in all_results, or two examples
      share a qas_id (one answer would silently replace the other).
  """
  version_2_with_negative = _flag_or_default(
      "version_2_with_negative", version_2_with_negative, False)
  null_score_diff_threshold = _flag_or_default(
      "null_score_diff_threshold", null_score_diff_threshold, 0.0)
  verbose_logging = _flag_or_default("verbose_logging", verbose_logging,
                                     False)
  seen_ids = set()
  for example in all_examples:
    if example.qas_id in seen_ids:
      raise ValueError("question id %s appears twice in all_examples" %
                       example.qas_id)
    seen_ids.add(example.qas_id)
  example_index_to_features = collections.defaultdict(list)
  for feature in all_features:
    example_index_to_features[feature.example_index].append(feature)
  unique_id_to_result = {}
  for result in all_results:
    unique_id_to_result[int(result.unique_id)] = result

  all_predictions = collections.OrderedDict()
  all_nbest_json = collections.OrderedDict()
  null_odds = collections.OrderedDict()
  non_null_predictions = collections.OrderedDict()

  num_unscored = 0
  for (example_index, example) in enumerate(all_examples):
    features = example_index_to_features[example_index]
    nbest, null_entry = _predict_example(
        example, features, unique_id_to_result, n_best_size,
        max_answer_length, do_lower_case, version_2_with_negative,
        verbose_logging)
    if not nbest:
      # No features, or no valid span in any window (e.g. an empty
      # paragraph): the only honest answer is none, but the question keeps
      # its entry.
      num_unscored += 1
      if verbose_logging:
        tf1.logging.info("Question %s: no feature or no valid span; "
                         "predicting \"\"", example.qas_id)
      nbest = [_NbestPrediction(text="", start_logit=0.0, end_logit=0.0)]

    probs = _compute_softmax([e.start_logit + e.end_logit for e in nbest])
    all_nbest_json[example.qas_id] = [
        collections.OrderedDict([("text", entry.text),
                                 ("probability", float(prob)),
                                 ("start_logit", float(entry.start_logit)),
                                 ("end_logit", float(entry.end_logit))])
        for (entry, prob) in zip(nbest, probs)
    ]

    best_non_null = next((e for e in nbest if e.text), None)
    if not version_2_with_negative:
      all_predictions[example.qas_id] = (
          best_non_null.text if best_non_null else "")
      continue
    if best_non_null is None:
      score_diff = _NO_SPAN_NULL_ODDS
      non_null_predictions[example.qas_id] = ""
    else:
      score_diff = (null_entry.start_logit + null_entry.end_logit -
                    best_non_null.start_logit - best_non_null.end_logit)
      non_null_predictions[example.qas_id] = best_non_null.text
    null_odds[example.qas_id] = float(score_diff)
    if score_diff > null_score_diff_threshold:
      all_predictions[example.qas_id] = ""
    else:
      all_predictions[example.qas_id] = best_non_null.text

  if num_unscored:
    tf1.logging.warning(
        "%d of %d question(s) had no feature or no valid span (e.g. an empty "
        "paragraph) and are answered \"\"", num_unscored, len(all_examples))
  _write_json(output_prediction_file, all_predictions)
  _write_json(output_nbest_file, all_nbest_json)
  if version_2_with_negative:
    _write_json(output_null_log_odds_file, null_odds)
  return SquadPredictions(all_predictions, all_nbest_json, null_odds,
                          non_null_predictions)


def _write_json(path, obj):
  tf1.logging.info("Writing %s", path)
  with script_utils.atomic_output(path) as writer:
    writer.write(json.dumps(obj, indent=4) + "\n")


# WordPiece's token for a word it cannot cover; it always replaces a whole
# basic token.
_UNK_TOKEN = "[UNK]"

# A whole token of a basic-tokenized text (tokens joined by single spaces).
_ANY_TOKEN_RE = r"(?<![^ ])[^ ]+(?![^ ])"


def _find_tokenized(pred_text, tok_text):
  """Finds `pred_text` in `tok_text`; "[UNK]" in it matches any one token.

  Returns:
    (start, end), inclusive character positions in tok_text, or None.
  """
  if not pred_text:
    return None
  position = tok_text.find(pred_text)
  if position != -1:
    return position, position + len(pred_text) - 1
  if _UNK_TOKEN not in pred_text:
    return None
  pattern = _ANY_TOKEN_RE.join(
      re.escape(part) for part in pred_text.split(_UNK_TOKEN))
  match = re.search(pattern, tok_text)
  if match is None:
    return None
  return match.start(), match.end() - 1


def get_final_text(pred_text, orig_text, do_lower_case, verbose_logging=None):
  """Projects a normalised predicted answer back onto the original words.

  `pred_text` comes from WordPiece tokens, so it is lower-cased and stripped
  of accents (uncased models) and has punctuation split off, while
  `orig_text` is the whole original words the span touches. For the answer
  "Steve Smith" in the words "Steve Smith's", pred_text is "steve smith" and
  orig_text "Steve Smith's". The original words are re-tokenised with the
  basic tokenizer, pred_text is found in that (an "[UNK]" in it stands for
  any one token), and the match is carried back to orig_text through an
  explicit map from every character the tokenizer kept to the original
  character(s) it came from: "u" + U+0308, which the uncased tokenizer turns
  into "u", maps back to both; a dropped control character maps to nothing.
  The length of the tokenized text never has to equal the original's, so the
  answer is exact whatever the Unicode normalization form of the text:
  "Steve Smith" here.

  Args:
    pred_text: str, the answer rebuilt from WordPiece tokens.
    orig_text: str, the original words of the span joined by spaces.
    do_lower_case: bool, as for the tokenizer.
    verbose_logging: bool, log when the projection fails; when not given,
      --verbose_logging if that flag is defined (as the original read it),
      else False.

  Returns:
    str, a substring of orig_text; orig_text itself when pred_text is not
    found in it.
  """
  verbose_logging = _flag_or_default("verbose_logging", verbose_logging,
                                     False)
  tokens = tokenization.BasicTokenizer(
      do_lower_case=do_lower_case).tokenize(orig_text)
  tok_text = " ".join(tokens)
  span = _find_tokenized(pred_text, tok_text)
  if span is None:
    if verbose_logging:
      tf1.logging.info("Unable to find text: '%s' in '%s'", pred_text,
                       orig_text)
    return orig_text
  (start_position, end_position) = span
  if tok_text[start_position] == " " or tok_text[end_position] == " ":
    if verbose_logging:
      tf1.logging.info("Couldn't map '%s': it starts or ends with a space",
                       pred_text)
    return orig_text
  char_map = _tokenizer_char_map(orig_text, do_lower_case, "".join(tokens))
  if char_map is None:
    if verbose_logging:
      tf1.logging.info("Couldn't map the tokenized '%s' back onto '%s'",
                       tok_text, orig_text)
    return orig_text
  (orig_starts, orig_ends) = char_map
  # Positions in tok_text -> positions among its characters without the
  # spaces that join the tokens -> original characters.
  start_position -= tok_text.count(" ", 0, start_position)
  end_position -= tok_text.count(" ", 0, end_position)
  return orig_text[orig_starts[start_position]:orig_ends[end_position]]


def _get_best_indexes(logits, n_best_size):
  """Indexes of the `n_best_size` largest logits, largest first (ties keep
  the lower index first)."""
  scores = np.asarray(logits, dtype=np.float64)
  return np.argsort(-scores, kind="stable")[:n_best_size].tolist()


def _compute_softmax(scores):
  """Softmax of a list of raw scores, in plain Python floats."""
  if not scores:
    return []
  max_score = max(scores)
  # Subtracting the max keeps exp() from overflowing.
  exp_scores = [math.exp(score - max_score) for score in scores]
  total_sum = sum(exp_scores)
  return [score / total_sum for score in exp_scores]


# ----------------------------------------------------------------------------
# Script
# ----------------------------------------------------------------------------


def validate_flags_or_throw(bert_config, flags_obj=None):
  """Checks the flags against each other and the model config.

  Like the original, this includes the check that --do_lower_case suits a
  released --init_checkpoint.

  Args:
    bert_config: `modeling.BertConfig` of the model.
    flags_obj: the script's flags; default the global FLAGS, which the
      original read (the compatibility fallback, as in `_flag_or_default`).

  Raises:
    script_utils.UsageError: naming the flag and what is wrong (a
      ValueError, as the original raised).
  """
  if flags_obj is None:
    flags_obj = FLAGS
  try:
    tokenization.validate_case_matches_checkpoint(flags_obj.do_lower_case,
                                                  flags_obj.init_checkpoint)
  except ValueError as e:
    raise script_utils.UsageError(str(e))
  if not (flags_obj.do_train or flags_obj.do_predict or flags_obj.export_dir):
    raise script_utils.UsageError(
        "At least one of --do_train, --do_predict or --export_dir must be "
        "set.")
  if flags_obj.do_train and not flags_obj.train_file:
    raise script_utils.UsageError(
        "If --do_train is True, then --train_file must be specified.")
  if flags_obj.do_predict and not flags_obj.predict_file:
    raise script_utils.UsageError(
        "If --do_predict is True, then --predict_file must be specified.")
  if flags_obj.max_seq_length > bert_config.max_position_embeddings:
    raise script_utils.UsageError(
        "Cannot use sequence length %d because the BERT model was only "
        "trained up to sequence length %d (--max_seq_length vs "
        "max_position_embeddings)" %
        (flags_obj.max_seq_length, bert_config.max_position_embeddings))
  if flags_obj.max_seq_length <= flags_obj.max_query_length + 3:
    raise script_utils.UsageError(
        "The --max_seq_length (%d) must be greater than --max_query_length "
        "(%d) + 3" % (flags_obj.max_seq_length, flags_obj.max_query_length))
  for name in ("doc_stride", "max_query_length", "n_best_size",
               "max_answer_length", "train_batch_size", "predict_batch_size",
               "num_accumulation_steps"):
    if getattr(flags_obj, name) < 1:
      raise script_utils.UsageError("--%s must be at least 1, got %d" %
                                    (name, getattr(flags_obj, name)))
  if flags_obj.do_train and flags_obj.num_accumulation_steps > 1:
    if flags_obj.train_batch_size % flags_obj.num_accumulation_steps != 0:
      raise script_utils.UsageError(
          "--train_batch_size (%d) must be divisible by "
          "--num_accumulation_steps (%d)" %
          (flags_obj.train_batch_size, flags_obj.num_accumulation_steps))


def _train(estimator, tokenizer, train_examples, num_train_steps,
           micro_batch_size, flags_obj):
  """Writes train.tf_record and fine-tunes on it.

  `flags_obj` is the script's FLAGS (or a namespace with the same names).
  """
  train_record = os.path.join(flags_obj.output_dir, "train.tf_record")
  with FeatureWriter(filename=train_record, is_training=True) as writer:
    convert_examples_to_features(
        examples=train_examples,
        tokenizer=tokenizer,
        max_seq_length=flags_obj.max_seq_length,
        doc_stride=flags_obj.doc_stride,
        max_query_length=flags_obj.max_query_length,
        is_training=True,
        output_fn=writer.process_feature)
  tf1.logging.info("***** Running training *****")
  tf1.logging.info("  Num orig examples = %d", len(train_examples))
  tf1.logging.info("  Num split examples = %d", writer.num_features)
  estimator_runtime.log_train_batch_size(flags_obj.train_batch_size,
                                         flags_obj.num_accumulation_steps)
  tf1.logging.info("  Num steps = %d", num_train_steps)
  estimator_runtime.log_learning_rate(
      flags_obj.learning_rate,
      int(num_train_steps * flags_obj.warmup_proportion))
  checkpoint_utils.log_weights("Training", flags_obj.output_dir,
                               flags_obj.init_checkpoint)
  train_input_fn = input_fn_builder(
      input_file=train_record,
      seq_length=flags_obj.max_seq_length,
      is_training=True,
      drop_remainder=True)
  estimator_runtime.train_estimator(estimator, train_input_fn, num_train_steps,
                                    micro_batch_size,
                                    flags_obj.num_accumulation_steps)


def _read_predict_examples(predict_file, version_2_with_negative):
  """The questions of --predict_file and, when it has answers, the parsed file
  for scoring (checked now, so scoring cannot fail after a long run)."""
  eval_examples = read_squad_examples(
      predict_file, is_training=False,
      version_2_with_negative=version_2_with_negative)
  if not eval_examples:
    raise script_utils.UsageError("--predict_file=%s has no questions" %
                                  predict_file)
  with tf.io.gfile.GFile(predict_file, "r") as reader:
    dataset = json.load(reader)
  if not squad_metrics.has_gold_answers(dataset):
    tf1.logging.info("%s has no answers; metrics will not be computed",
                     predict_file)
    return eval_examples, None
  try:
    squad_metrics.gold_answers(dataset)
  except squad_metrics.GoldFormatError as e:
    raise _format_error(predict_file, str(e))
  return eval_examples, dataset


def _predict(estimator, tokenizer, eval_examples, gold_dataset, flags_obj):
  """Writes predictions.json (and the others) for `eval_examples`.

  Also squad_metrics.json when `gold_dataset` has answers. `flags_obj` is the
  script's FLAGS (or a namespace with the same names).
  """
  eval_features = []
  eval_record = os.path.join(flags_obj.output_dir, "eval.tf_record")
  with FeatureWriter(filename=eval_record, is_training=False) as writer:

    def append_feature(feature):
      eval_features.append(feature)
      writer.process_feature(feature)

    convert_examples_to_features(
        examples=eval_examples,
        tokenizer=tokenizer,
        max_seq_length=flags_obj.max_seq_length,
        doc_stride=flags_obj.doc_stride,
        max_query_length=flags_obj.max_query_length,
        is_training=False,
        output_fn=append_feature)

  tf1.logging.info("***** Running predictions *****")
  tf1.logging.info("  Num orig examples = %d", len(eval_examples))
  tf1.logging.info("  Num split examples = %d", len(eval_features))
  tf1.logging.info("  Batch size = %d", flags_obj.predict_batch_size)

  predict_input_fn = input_fn_builder(
      input_file=eval_record,
      seq_length=flags_obj.max_seq_length,
      is_training=False,
      drop_remainder=False)
  all_results = []
  checkpoint_utils.log_weights("Predicting", flags_obj.output_dir,
                               flags_obj.init_checkpoint)
  progress = script_utils.ProgressLogger("predict", len(eval_features))
  for result in estimator.predict(predict_input_fn,
                                  yield_single_examples=True):
    # float32 arrays, not lists of Python floats: a SQuAD dev set gives
    # millions of logits.
    all_results.append(
        RawResult(
            unique_id=int(result["unique_ids"]),
            start_logits=np.array(result["start_logits"], np.float32),
            end_logits=np.array(result["end_logits"], np.float32)))
    progress.update()

  output_dir = flags_obj.output_dir
  predictions = write_predictions(
      eval_examples, eval_features, all_results, flags_obj.n_best_size,
      flags_obj.max_answer_length, flags_obj.do_lower_case,
      os.path.join(output_dir, "predictions.json"),
      os.path.join(output_dir, "nbest_predictions.json"),
      os.path.join(output_dir, "null_odds.json"),
      version_2_with_negative=flags_obj.version_2_with_negative,
      null_score_diff_threshold=flags_obj.null_score_diff_threshold,
      verbose_logging=flags_obj.verbose_logging)
  if gold_dataset is not None:
    _write_metrics(predictions, gold_dataset, output_dir,
                   flags_obj.version_2_with_negative,
                   flags_obj.null_score_diff_threshold)


def _write_metrics(predictions, gold_dataset, output_dir,
                   version_2_with_negative, null_score_diff_threshold):
  """Scores predictions against the answers in --predict_file and writes
  squad_metrics.json."""
  null_odds = None
  non_null = None
  if version_2_with_negative:
    null_odds = predictions.null_odds
    non_null = predictions.non_null_predictions
  metrics = squad_metrics.evaluate(gold_dataset, predictions.predictions,
                                   null_odds=null_odds,
                                   non_null_predictions=non_null)
  metrics["null_score_diff_threshold"] = null_score_diff_threshold
  path = os.path.join(output_dir, "squad_metrics.json")
  text = json.dumps(metrics, indent=2)
  with script_utils.atomic_output(path) as writer:
    writer.write(text + "\n")
  # Logged once, as a block like the other scripts' results (the JSON was
  # also printed); `exact`, the official v2.0 script's name for
  # `exact_match`, only in the file.
  tf1.logging.info("***** SQuAD metrics (written to %s) *****", path)
  for key, value in metrics.items():
    if key != "exact":
      tf1.logging.info("  %s = %s", key, value)
  return metrics


def main(_):
  script_utils.configure_logging()

  bert_config = script_utils.load_bert_config(FLAGS.bert_config_file)
  validate_flags_or_throw(bert_config, FLAGS)
  # A checkpoint prefix, also when the flag names a directory or a file.
  init_checkpoint = checkpoint_utils.check_init_checkpoint(
      FLAGS.init_checkpoint)
  # Read now (a missing, non-UTF-8 or incomplete vocabulary is a one-line
  # error) so that bad input stops the run before it writes anything.
  tokenizer = script_utils.load_tokenizer(FLAGS.vocab_file,
                                          FLAGS.do_lower_case, init_checkpoint)
  if FLAGS.do_train:
    script_utils.require_file(FLAGS.train_file, "train_file")
  if FLAGS.do_predict:
    script_utils.require_file(FLAGS.predict_file, "predict_file")
  checkpoint_utils.check_checkpoint_fits_config(init_checkpoint, bert_config)
  if FLAGS.export_dir:
    # Checked now so a bad --export_dir fails before training, not after.
    export_utils.check_export_dir(FLAGS.export_dir)

  script_utils.check_vocab_fits_config(len(tokenizer.vocab), bert_config,
                                       FLAGS.vocab_file)

  train_examples = None
  num_train_steps = None
  num_warmup_steps = None
  micro_batch_size = FLAGS.train_batch_size // FLAGS.num_accumulation_steps
  if FLAGS.do_train:
    train_examples = read_squad_examples(
        FLAGS.train_file, is_training=True,
        version_2_with_negative=FLAGS.version_2_with_negative)
    num_train_steps = int(
        len(train_examples) / FLAGS.train_batch_size * FLAGS.num_train_epochs)
    if num_train_steps < 1:
      raise script_utils.UsageError(
          "--train_file=%s has %d usable question(s): fewer than one "
          "--train_batch_size=%d batch in --num_train_epochs=%g" %
          (FLAGS.train_file, len(train_examples), FLAGS.train_batch_size,
           FLAGS.num_train_epochs))
    num_warmup_steps = int(num_train_steps * FLAGS.warmup_proportion)
    # Shuffled once here, since the record reader only shuffles within a
    # small buffer and SQuAD questions come grouped by paragraph.
    random.Random(12345).shuffle(train_examples)

  eval_examples = gold_dataset = None
  if FLAGS.do_predict:
    # Read before training, so a bad file is reported in seconds, not after
    # hours of fine-tuning.
    eval_examples, gold_dataset = _read_predict_examples(
        FLAGS.predict_file, FLAGS.version_2_with_negative)
  if not FLAGS.do_train:
    # Without training, prediction and export read weights that must already
    # exist; an export never takes random ones.
    actions = [flag for flag, wanted in (("--do_predict", FLAGS.do_predict),
                                         ("--export_dir", FLAGS.export_dir))
               if wanted]
    checkpoint_utils.checkpoint_for_inference(
        FLAGS.output_dir, init_checkpoint, " ".join(actions),
        HEAD_VARIABLES,
        FLAGS.allow_random_init and not FLAGS.export_dir)
  # Created only now, when the input has passed every check.
  script_utils.prepare_output_dir(FLAGS.output_dir)

  model_fn = model_fn_builder(
      bert_config=bert_config,
      init_checkpoint=init_checkpoint,
      learning_rate=FLAGS.learning_rate,
      num_train_steps=num_train_steps,
      num_warmup_steps=num_warmup_steps,
      use_tpu=FLAGS.use_tpu,
      use_one_hot_embeddings=FLAGS.use_tpu,
      num_accumulation_steps=FLAGS.num_accumulation_steps,
      compute_type=estimator_runtime.compute_type_for_precision(
          FLAGS.precision))
  run_config = estimator_runtime.run_config_from_flags(FLAGS)
  estimator = estimator_runtime.make_estimator(
      model_fn, run_config, FLAGS.use_tpu,
      train_batch_size=micro_batch_size,
      predict_batch_size=FLAGS.predict_batch_size)

  # What predictor.load needs besides the weights: written next to the
  # checkpoints and into an exported SavedModel.
  model_info = export_utils.model_info(
      export_utils.SQUAD, FLAGS.vocab_file, FLAGS.do_lower_case,
      FLAGS.max_seq_length, doc_stride=FLAGS.doc_stride,
      max_query_length=FLAGS.max_query_length, n_best_size=FLAGS.n_best_size,
      max_answer_length=FLAGS.max_answer_length,
      version_2_with_negative=FLAGS.version_2_with_negative,
      null_score_diff_threshold=FLAGS.null_score_diff_threshold)
  if FLAGS.do_train:
    export_utils.write_model_files(FLAGS.output_dir, bert_config, model_info)
    _train(estimator, tokenizer, train_examples, num_train_steps,
           micro_batch_size, FLAGS)
  if FLAGS.do_predict:
    _predict(estimator, tokenizer, eval_examples, gold_dataset, FLAGS)
  if FLAGS.export_dir:
    export_utils.export_saved_model(
        model_fn, FLAGS.export_dir, FLAGS.max_seq_length,
        checkpoint_path=export_utils.checkpoint_for_export(
            FLAGS.output_dir, init_checkpoint),
        output_keys=["start_logits", "end_logits"], model_info=model_info)


if __name__ == "__main__":
  define_flags()
  script_utils.run(main)
