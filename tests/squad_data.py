# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""A small hand-written SQuAD 1.1 / 2.0 data set and vocabulary for the tests.

The long paragraph spans several windows at max_seq_length 48, its answers
exercise the tricky mappings ("Steve Smith" inside "Steve Smith's", "1895"
inside "(1895-1943)."), and "playing" is split by WordPiece.

A second paragraph, UNICODE_CONTEXT, has accented answers for the Unicode
normalization tests: the paragraph, the answer texts and the text the
answer offsets were counted in can each be in another form.
"""

import json
import re
import unicodedata

import tokenization
from tests import helpers

LONG_CONTEXT = (
    "Steve Smith's team played football in the old city of Brighton for many "
    "years . The club was founded by John Harper (1895-1943). in a small "
    "house near the river . Later the team moved to a large stadium in the "
    "north of the city , where thousands of people watched every match . "
    "The stadium was built from red brick and white stone in 1921 , and it "
    "still stands today beside the railway station .")

SHORT_CONTEXT = "Mary  Jones, playing chess,\twon the prize in Paris."


def _answer(context, text, occurrence_of=None):
  """An answer dict whose answer_start is found, not hand-counted."""
  anchor = occurrence_of or text
  start = context.index(anchor) + anchor.index(text)
  return {"text": text, "answer_start": start}


# (question id, context, question, answer text or None for impossible,
#  anchor string to locate the answer when it is ambiguous)
ANSWERABLE = [
    ("q_smith", LONG_CONTEXT, "Whose team played football?", "Steve Smith",
     None),
    ("q_born", LONG_CONTEXT, "When was John Harper born?", "1895", None),
    ("q_built", LONG_CONTEXT, "What was the stadium built from?",
     "red brick and white stone", None),
    ("q_where", LONG_CONTEXT, "Where does the stadium stand today?",
     "beside the railway station", None),
    ("q_watch", LONG_CONTEXT, "Who watched every match?",
     "thousands of people", None),
    ("q_mary", SHORT_CONTEXT, "Who won the prize?", "Mary  Jones", None),
    ("q_paris", SHORT_CONTEXT, "Where was the prize won?", "Paris", None),
]

IMPOSSIBLE = [
    ("q_paint", LONG_CONTEXT, "Who painted the stadium?"),
    ("q_lost", SHORT_CONTEXT, "Who lost the prize?"),
]

# Training-only: an answer that is not where its offset says.
NOT_FOUND = ("q_missing", LONG_CONTEXT, "What colour is the elephant?",
             {"text": "purple elephant", "answer_start": 10})


def gold():
  """qas_id -> gold answer text ("" for impossible)."""
  result = {qid: text for (qid, _, _, text, _) in ANSWERABLE}
  result.update({qid: "" for (qid, _, _) in IMPOSSIBLE})
  return result


def dataset(version_2=False, with_not_found=False, with_answers=True):
  """A SQuAD-format dict."""
  paragraphs = {}
  order = []

  def paragraph(context):
    if context not in paragraphs:
      paragraphs[context] = {"context": context, "qas": []}
      order.append(context)
    return paragraphs[context]

  for (qid, context, question, text, anchor) in ANSWERABLE:
    qa = {"id": qid, "question": question,
          "answers": [_answer(context, text, anchor)] if with_answers else []}
    if version_2:
      qa["is_impossible"] = False
    paragraph(context)["qas"].append(qa)
  if with_not_found:
    qid, context, question, answer = NOT_FOUND
    paragraph(context)["qas"].append(
        {"id": qid, "question": question, "answers": [answer]})
  if version_2:
    for (qid, context, question) in IMPOSSIBLE:
      paragraph(context)["qas"].append(
          {"id": qid, "question": question, "answers": [],
           "is_impossible": True})
  return {"version": "2.0" if version_2 else "1.1",
          "data": [{"title": "Test",
                    "paragraphs": [paragraphs[c] for c in order]}]}


def write_dataset(path, **kwargs):
  with open(str(path), "w") as f:
    json.dump(dataset(**kwargs), f)
  return str(path)


# Left out of the vocabulary so that WordPiece has to split them.
_SPLIT_WORDS = {"playing": ["play", "##ing"]}


def vocab_tokens():
  """Every lower-cased word and punctuation mark of the data, plus specials."""
  text = " ".join([LONG_CONTEXT, SHORT_CONTEXT, NOT_FOUND[2]] +
                  [q for (_, _, q, _, _) in ANSWERABLE] +
                  [q for (_, _, q) in IMPOSSIBLE]).lower()
  words = []
  for word in re.findall(r"\w+|[^\w\s]", text):
    for piece in _SPLIT_WORDS.get(word, [word]):
      if piece not in words:
        words.append(piece)
  return ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + sorted(words)


def write_vocab(path):
  """Writes vocab_tokens() as a vocab.txt at `path`; returns the path."""
  return helpers.write_vocab(path, vocab_tokens())


# ----------------------------------------------------------------------------
# Unicode normalization forms
# ----------------------------------------------------------------------------

# Accented answers whose decomposed (NFD) spelling has combining marks
# ("Việt" has two on one letter), after a ligature and a superscript, which
# only the compatibility forms (NFKC, NFKD) change.
UNICODE_CONTEXT = (u"The Z\u00fcrich-based firm opened its \ufb01rst office "
                   u"in H\u00e0 N\u1ed9i (Vi\u1ec7t Nam). A 12 m\u00b2 "
                   u"kiosk there sold ph\u1edf to tourists.")

# (question id, question, answer in NFC)
UNICODE_QUESTIONS = [
    ("u_zurich", "Where is the firm based?", u"Z\u00fcrich"),
    ("u_hanoi", "Which city is the office in?", u"H\u00e0 N\u1ed9i"),
    ("u_viet", "Which country is the office in?", u"Vi\u1ec7t Nam"),
    ("u_pho", "What did the kiosk sell?", u"ph\u1edf"),
]

# Words written decomposed in the "mixed" context, the rest composed: text
# pasted together from several sources.
_MIXED_NFD_WORDS = (u"Z\u00fcrich", u"N\u1ed9i")

UNICODE_FORMS = ("NFC", "NFD", "NFKC", "NFKD", "mixed")


def fine_tuning_args(directory, max_seq_length=48):
  """Writes vocab.txt, bert_config.json (the tiny classifier test model) and
  train.json into `directory`; returns run_squad.py arguments that
  fine-tune on it and predict on the same file (--output_dir and the rest
  are the caller's)."""
  from tests import classifier_testdata  # pylint: disable=g-import-not-at-top
  vocab_file = write_vocab(directory / "vocab.txt")
  config = classifier_testdata.bert_config(
      max_position_embeddings=64, vocab_size=len(vocab_tokens()))
  config_file = directory / "bert_config.json"
  config_file.write_text(json.dumps(config))
  data_file = write_dataset(directory / "train.json")
  return ["run_squad.py", "--vocab_file=" + vocab_file,
          "--bert_config_file=" + str(config_file), "--do_train=true",
          "--train_file=" + data_file, "--do_predict=true",
          "--predict_file=" + data_file,
          "--max_seq_length=%d" % max_seq_length, "--doc_stride=16",
          "--max_query_length=16", "--train_batch_size=4",
          "--learning_rate=1e-3", "--num_train_epochs=2"]


def in_form(text, form):
  """`text` in a Unicode normalization form, or "mixed" (some words NFD)."""
  if form == "mixed":
    text = unicodedata.normalize("NFC", text)
    for word in _MIXED_NFD_WORDS:
      text = text.replace(word, unicodedata.normalize("NFD", word))
    return text
  return unicodedata.normalize(form, text)


def spelling_in(context, answer):
  """The answer as written in `context` (the first form found there)."""
  for form in ("NFC", "NFD", "NFKC", "NFKD"):
    spelling = unicodedata.normalize(form, answer)
    if spelling in context:
      return spelling
  for word in _MIXED_NFD_WORDS:
    spelling = answer.replace(word, unicodedata.normalize("NFD", word))
    if spelling in context:
      return spelling
  raise ValueError("%r is not in %r" % (answer, context))


def unicode_dataset(context_form, answer_form=None, offset_form=None):
  """A SQuAD 1.1 dict about UNICODE_CONTEXT.

  Args:
    context_form: form of the paragraph ("NFC", ..., "mixed").
    answer_form: form of the answer texts; default context_form.
    offset_form: form of the text answer_start is counted in; default
      context_form. A file normalised after annotation has offsets counted
      in the form it was annotated in.
  """
  context = in_form(UNICODE_CONTEXT, context_form)
  offset_text = in_form(UNICODE_CONTEXT, offset_form or context_form)
  qas = []
  for (qid, question, answer) in UNICODE_QUESTIONS:
    offset_answer = spelling_in(offset_text, answer)
    qas.append({"id": qid, "question": question,
                "answers": [{"text": in_form(answer, answer_form or
                                             context_form),
                             "answer_start": offset_text.index(
                                 offset_answer)}]})
  return {"version": "1.1",
          "data": [{"title": "Unicode",
                    "paragraphs": [{"context": context, "qas": qas}]}]}


def unicode_vocab_tokens(do_lower_case):
  """Vocabulary of the composed (and compatibility) spellings only, as a
  real vocabulary learned from NFC text: with do_lower_case=False a word
  written with combining marks is [UNK]."""
  basic = tokenization.BasicTokenizer(do_lower_case=do_lower_case)
  text = " ".join([unicodedata.normalize("NFC", UNICODE_CONTEXT),
                   unicodedata.normalize("NFKC", UNICODE_CONTEXT)] +
                  [q for (_, q, _) in UNICODE_QUESTIONS])
  words = sorted(set(basic.tokenize(text)))
  return ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words


def write_unicode_dataset(path, context_form, answer_form=None,
                          offset_form=None):
  with open(str(path), "w") as f:
    # ensure_ascii (the default) writes \u escapes: the forms survive as
    # written, whatever the locale's encoding.
    json.dump(unicode_dataset(context_form, answer_form, offset_form), f)
  return str(path)


def write_unicode_vocab(path, do_lower_case):
  with open(str(path), "w", encoding="utf-8") as f:
    f.write("\n".join(unicode_vocab_tokens(do_lower_case)) + "\n")
  return str(path)
