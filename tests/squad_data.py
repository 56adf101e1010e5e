# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""A small hand-written SQuAD 1.1 / 2.0 data set and vocabulary for the tests.

The long paragraph spans several windows at max_seq_length 48, its answers
exercise the tricky mappings ("Steve Smith" inside "Steve Smith's", "1895"
inside "(1895-1943)."), and "playing" is split by WordPiece.
"""

import json
import re

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
  with open(str(path), "w") as f:
    f.write("\n".join(vocab_tokens()) + "\n")
  return str(path)
