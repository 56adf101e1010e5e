# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""SQuAD answers from the model's start and end scores.

Decoding (`decode_predictions`) returns values: for every question the best
answer, the n best with their probabilities and, for SQuAD 2.0, the margin
of "no answer" over the best span. Writing the three JSON files of the
original (`write_predictions`) is decoding plus `write_prediction_files`.

For each question, the best start/end pairs of all its windows compete; the
winning WordPiece span is projected back onto the original text so the
answer keeps its casing, accents and punctuation, in whatever Unicode
normalization form the paragraph is written (`get_final_text`). With SQuAD
2.0 the [CLS] position stands for "no answer", and the margin between it and
the best span decides.

Plain Python and NumPy, no TensorFlow graph: the scores come from
`squad_lib.model_fn_builder` through an estimator or a served model.
"""

import collections
import json
import math
import re

import numpy as np
import tensorflow as tf

import char_maps
import script_utils
import tokenization

tf1 = tf.compat.v1

RawResult = collections.namedtuple("RawResult",
                                   ["unique_id", "start_logits", "end_logits"])

_PrelimPrediction = collections.namedtuple(
    "PrelimPrediction",
    ["feature_index", "start_index", "end_index", "start_logit", "end_logit"])

_NbestPrediction = collections.namedtuple(
    "NbestPrediction", ["text", "start_logit", "end_logit"])

# What decode_predictions returns (see there).
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


def decode_predictions(all_examples, all_features, all_results, n_best_size,
                       max_answer_length, do_lower_case,
                       version_2_with_negative=False,
                       null_score_diff_threshold=0.0, verbose_logging=False):
  """Turns the model's logits into answers.

  Every example gets an entry: one whose features are all missing, or whose
  windows hold no valid span (e.g. an empty paragraph), is answered ""
  (logged with a count).

  Args:
    all_examples: list of `squad_reader.SquadExample`, in the order features
      were made.
    all_features: list of `squad_lib.InputFeatures` of those examples.
    all_results: iterable of `RawResult` (one per feature, any order); the
      logits are float [max_seq_length] each.
    n_best_size: int, starts/ends considered per window and answers kept.
    max_answer_length: int, longest answer in WordPiece tokens.
    do_lower_case: bool, as used for tokenization (for `get_final_text`).
    version_2_with_negative: bool, allow "no answer" (SQuAD 2.0).
    null_score_diff_threshold: float; with 2.0 a question is answered ""
      when null score - best span score exceeds it.
    verbose_logging: bool, log why a span could not be mapped back.

  Returns:
    `SquadPredictions(predictions, nbest, null_odds, non_null_predictions)`,
    ordered dicts keyed by qas_id: the answer; the n best as lists of
    {text, probability, start_logit, end_logit}; the null score minus the
    best span's score; the best non-empty answer. The last two are empty
    unless version_2_with_negative.

  Raises:
    ValueError: a feature has no result in all_results, or two examples
      share a qas_id (one answer would silently replace the other).
  """
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
  return SquadPredictions(all_predictions, all_nbest_json, null_odds,
                          non_null_predictions)


def write_prediction_files(predictions, output_prediction_file,
                           output_nbest_file, output_null_log_odds_file,
                           version_2_with_negative=False):
  """Writes decoded `SquadPredictions` as the original's JSON files.

  Args:
    predictions: `SquadPredictions` from `decode_predictions`.
    output_prediction_file: path for {qas_id: answer}.
    output_nbest_file: path for {qas_id: [{text, probability, start_logit,
      end_logit}, ...]}.
    output_null_log_odds_file: path for {qas_id: null odds}; written only
      with version_2_with_negative.
    version_2_with_negative: bool.

  Each file is written atomically (complete or not at all).
  """
  _write_json(output_prediction_file, predictions.predictions)
  _write_json(output_nbest_file, predictions.nbest)
  if version_2_with_negative:
    _write_json(output_null_log_odds_file, predictions.null_odds)


def write_predictions(all_examples, all_features, all_results, n_best_size,
                      max_answer_length, do_lower_case,
                      output_prediction_file, output_nbest_file,
                      output_null_log_odds_file,
                      version_2_with_negative=False,
                      null_score_diff_threshold=0.0,
                      verbose_logging=False):
  """`decode_predictions`, then `write_prediction_files`: the original's
  function, with the settings it read from FLAGS as arguments
  (`run_squad.write_predictions` still reads them from the flags when not
  given).

  Returns:
    The `SquadPredictions` written.

  Raises:
    ValueError: as `decode_predictions`.
  """
  predictions = decode_predictions(
      all_examples, all_features, all_results, n_best_size,
      max_answer_length, do_lower_case,
      version_2_with_negative=version_2_with_negative,
      null_score_diff_threshold=null_score_diff_threshold,
      verbose_logging=verbose_logging)
  write_prediction_files(predictions, output_prediction_file,
                         output_nbest_file, output_null_log_odds_file,
                         version_2_with_negative)
  return predictions


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


def get_final_text(pred_text, orig_text, do_lower_case, verbose_logging=False):
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
    verbose_logging: bool, log when the projection fails
      (`run_squad.get_final_text` reads --verbose_logging when not given).

  Returns:
    str, a substring of orig_text; orig_text itself when pred_text is not
    found in it.
  """
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
  char_map = char_maps.tokenizer_char_map(orig_text, do_lower_case, "".join(tokens))
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

