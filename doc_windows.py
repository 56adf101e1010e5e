# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Overlapping windows over a document too long for one model input.

BERT reads at most max_seq_length tokens at a time. A longer document (a
SQuAD paragraph, an NER sentence, a long text to classify) is read as windows
of `max_tokens_for_doc` tokens whose starts are `doc_stride` tokens apart, so
every token is seen, most of them more than once. A token seen in several
windows is predicted from one of them only: the one where it has the most
context on both sides (`check_is_max_context`).

  spans = doc_spans(num_doc_tokens=20, max_tokens_for_doc=10, doc_stride=4)
  # [DocSpan(start=0, length=10), DocSpan(4, 10), DocSpan(8, 10),
  #  DocSpan(12, 8)]
  check_is_max_context(spans, 1, 9)   # True: window 1 owns token 9

Plain Python, no TensorFlow: positions are token indexes in the whole
document.
"""

import collections

# One window: its first token's index in the document and its number of
# tokens.
DocSpan = collections.namedtuple("DocSpan", ["start", "length"])


def doc_spans(num_doc_tokens, max_tokens_for_doc, doc_stride):
  """The windows over a document of `num_doc_tokens` tokens.

  Windows start every `doc_stride` tokens (or where the previous window
  ended, when the stride is longer than a window, so no token is skipped)
  until one reaches the end. An empty document still gets one empty window,
  so the question or text it belongs to gets a prediction instead of none.

  Args:
    num_doc_tokens: int >= 0.
    max_tokens_for_doc: int >= 1, tokens per window (the last may be
      shorter); 0 is accepted for an empty document.
    doc_stride: int >= 1, tokens between window starts.

  Returns:
    list of `DocSpan`, in document order.
  """
  spans = []
  start = 0
  while True:
    length = min(num_doc_tokens - start, max_tokens_for_doc)
    spans.append(DocSpan(start=start, length=length))
    if start + length >= num_doc_tokens:
      return spans
    start += min(length, doc_stride)


def check_is_max_context(doc_spans, cur_span_index, position):  # pylint: disable=redefined-outer-name
  """Whether window `cur_span_index` is the one to predict token `position`.

  With overlapping windows a token is seen several times, sometimes at the
  very edge of a window with almost no context on one side. Its score in a
  window is min(tokens to its left, tokens to its right) + 0.01 * window
  length (the small term breaks ties towards longer windows); the window
  with the highest score (the first on a tie) owns the token.

  Args:
    doc_spans: list of spans with `.start` and `.length` (`DocSpan`).
    cur_span_index: int, the window asked about.
    position: int, token index in the whole document.

  Returns:
    bool; False for every window when no window holds `position`.
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
