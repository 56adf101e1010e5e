# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Reading SQuAD 1.1 and 2.0 files into questions (`SquadExample`).

A paragraph is split into whitespace-separated words, with a map from every
character to its word, so that a training answer given as a character offset
becomes a span of words. The offset is honoured whatever Unicode
normalization form it was counted in (`char_maps`): files converted to NFD
or NFKC after annotation keep their text but not their offsets.

A file that is not in SQuAD's layout is a one-line error naming the file
and what is wrong; a training answer that cannot be found is skipped with a
warning, as SQuAD has a few.

Turning questions into model inputs is `squad_lib`.
"""

import json
import unicodedata

import six
import tensorflow as tf

import char_maps
import script_utils
import tokenization

tf1 = tf.compat.v1


# ----------------------------------------------------------------------------
# Examples
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
# Reading
# ----------------------------------------------------------------------------


def format_error(input_file, what):
  """The error for a file that is not in SQuAD's layout (a UsageError)."""
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
    raise format_error(input_file,
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
  for form in char_maps.NORMALIZATION_FORMS:
    mapped = char_maps.normalization_map(paragraph_text, form)
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
    spelling = char_maps.find_normalized(" ".join(doc_tokens[words[0]:words[1] + 1]),
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
    raise format_error(
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
                        version_2_with_negative=False):
  """Reads a SQuAD json file into a list of `SquadExample`.

  Args:
    input_file: path of a SQuAD 1.1 or 2.0 json file (local or gs://).
    is_training: bool. Training needs an answer for every answerable question
      and locates it; prediction ignores answers.
    version_2_with_negative: bool, honour "is_impossible" (SQuAD 2.0).
      (`run_squad.read_squad_examples`, the original's entry point, reads
      --version_2_with_negative when this is not given.)

  Returns:
    List of `SquadExample`. Training questions whose answer cannot be found
    in the paragraph are skipped with a warning. An answer is found whatever
    the Unicode normalization form of the paragraph, of the answer text and
    of the text its answer_start was counted in (`_locate_answer`); when the
    forms differ, `orig_answer_text` is the paragraph's own spelling.

  Raises:
    script_utils.UsageError: for a missing, non-JSON or non-SQuAD file.
  """
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
      raise format_error(input_file, "an article has no \"paragraphs\" list")
    for paragraph in paragraphs:
      if (not isinstance(paragraph, dict) or
          not isinstance(paragraph.get("context"), six.string_types) or
          not isinstance(paragraph.get("qas"), list)):
        raise format_error(
            input_file, "a paragraph needs \"context\" (string) and \"qas\" "
            "(list)")
      paragraph_text = paragraph["context"]
      doc_tokens, char_to_word_offset = split_paragraph(paragraph_text)

      for qa in paragraph["qas"]:
        if (not isinstance(qa, dict) or "id" not in qa or
            not isinstance(qa.get("question"), six.string_types)):
          raise format_error(
              input_file, "a question needs \"id\" and \"question\" (string)")
        qas_id = str(qa["id"])
        if not is_training:
          # Predictions are keyed by id; a repeated id would silently
          # overwrite an answer.
          if qas_id in seen_ids:
            raise format_error(input_file,
                                "question id %s appears twice" % qas_id)
          seen_ids.add(qas_id)
        question_text = qa["question"]
        answers = qa.get("answers", [])
        if not isinstance(answers, list):
          raise format_error(input_file,
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
              raise format_error(
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
