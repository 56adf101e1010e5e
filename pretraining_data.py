# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Pre-training instances from text: the recipe of the BERT paper.

Text in (one sentence per line, documents separated by blank lines), masked
LM / next sentence `TrainingInstance`s and their `tf.train.Example` records
out, in the schema `run_pretraining.py` reads:

1. Read every document of every input file and shuffle the documents.
   Unlike the reference code, a single document is refused: a random next
   segment must come from another document, and the reference silently took
   it from the same one.
2. Make `dupe_factor` passes over them; each pass cuts every document into
   training instances, so every pass sees the same text with a fresh choice
   of segment boundaries, random next sentences and masks. How many tokens
   an instance aims for is drawn once per document and pass, as in the
   reference code: with probability `short_seq_prob` the whole document is
   cut to one random shorter length. `short_seq_draw=per_instance` draws it
   for every instance instead, which gives fewer, longer instances (see
   `create_instances_from_document`).
3. Shuffle all instances and write them round-robin to the output files.

Everything random is drawn from one `random.Random`, so the same seed and
input give byte-identical output files. `create_pretraining_data.py` is the
command line; `pretraining_data_streaming` makes the same instances with
these functions in bounded memory.
"""

import collections

import tensorflow as tf

import record_utils
import script_utils
import tokenization

tf1 = tf.compat.v1

# The record features are shared with every other script that writes records.
create_int_feature = record_utils.create_int_feature
create_float_feature = record_utils.create_float_feature

# Tokens the instances are built from; the vocabulary must contain them.
CLS_TOKEN = "[CLS]"
SEP_TOKEN = "[SEP]"
MASK_TOKEN = "[MASK]"
UNK_TOKEN = "[UNK]"
REQUIRED_TOKENS = (CLS_TOKEN, SEP_TOKEN, MASK_TOKEN, UNK_TOKEN)

# The record features, in the order they are logged.
FEATURE_NAMES = ("input_ids", "input_mask", "segment_ids",
                 "masked_lm_positions", "masked_lm_ids", "masked_lm_weights",
                 "next_sentence_labels")

# How many instances are logged in full while writing, as a sanity check.
NUM_LOGGED_INSTANCES = 20

# When the target length of instances is drawn (see
# create_instances_from_document); the first is the reference code's.
PER_DOCUMENT = "per_document"
PER_INSTANCE = "per_instance"
SHORT_SEQ_DRAWS = (PER_DOCUMENT, PER_INSTANCE)


class TrainingInstance(object):
  """One pre-training example: a sentence pair with its masked positions.

  Attributes:
    tokens: list of WordPiece strings, `[CLS] A [SEP] B [SEP]`, with the
      masked positions already replaced.
    segment_ids: list of ints, 0 for `[CLS] A [SEP]` and 1 for `B [SEP]`.
    masked_lm_positions: sorted list of the masked token indexes.
    masked_lm_labels: list of the original tokens at those positions.
    is_random_next: bool, True when B was taken from another document.
  """

  def __init__(self, tokens, segment_ids, masked_lm_positions,
               masked_lm_labels, is_random_next):
    self.tokens = tokens
    self.segment_ids = segment_ids
    self.is_random_next = is_random_next
    self.masked_lm_positions = masked_lm_positions
    self.masked_lm_labels = masked_lm_labels

  def __str__(self):
    printable = tokenization.printable_text
    lines = [
        "tokens: %s" % " ".join(printable(t) for t in self.tokens),
        "segment_ids: %s" % " ".join(str(s) for s in self.segment_ids),
        "is_random_next: %s" % self.is_random_next,
        "masked_lm_positions: %s" %
        " ".join(str(p) for p in self.masked_lm_positions),
        "masked_lm_labels: %s" %
        " ".join(printable(t) for t in self.masked_lm_labels),
    ]
    return "\n".join(lines) + "\n"

  def __repr__(self):
    return self.__str__()


# ----------------------------------------------------------------------------
# Reading documents
# ----------------------------------------------------------------------------


def read_documents(input_files, tokenizer):
  """Reads and tokenizes every document of every input file.

  Args:
    input_files: list of text file paths (local or gs://).
    tokenizer: anything with `tokenize(text)` -> list of tokens.

  Returns:
    list of documents; a document is a list of sentences and a sentence a
    non-empty list of tokens. Documents without any tokens are dropped.
  """
  progress = script_utils.ProgressLogger("Reading input lines")
  all_documents = []
  for input_file in input_files:
    all_documents.extend(documents_from_lines(
        _counted(script_utils.read_text_lines(input_file), progress),
        tokenizer))
  return all_documents


def _counted(items, progress):
  for item in items:
    progress.update()
    yield item


def documents_from_lines(lines, tokenizer):
  """Yields the tokenized documents of one file's lines, one at a time.

  A blank line ends a document, and so does the end of the lines (a file
  boundary), even without a trailing blank line.

  Args:
    lines: iterable of str, the lines of one text file.
    tokenizer: anything with `tokenize(text)` -> list of tokens.

  Yields:
    A document: a non-empty list of sentences, each a non-empty list of
    tokens. Documents without any tokens are skipped.
  """
  document = []
  for raw_line in lines:
    line = raw_line.strip()
    if not line:
      if document:
        yield document
      document = []
      continue
    tokens = tokenizer.tokenize(line)
    if tokens:
      document.append(tokens)
  if document:
    yield document


def create_training_instances(input_files, tokenizer, max_seq_length,
                              dupe_factor, short_seq_prob, masked_lm_prob,
                              max_predictions_per_seq, rng,
                              do_whole_word_mask=False,
                              short_seq_draw=PER_DOCUMENT):
  """Builds the shuffled list of `TrainingInstance`s from raw text files.

  Args:
    input_files: list of text file paths.
    tokenizer: `tokenization.FullTokenizer` (or anything with `tokenize` and
      a `vocab` dict).
    max_seq_length: int, length of every instance including [CLS]/[SEP].
    dupe_factor: int, passes over the data, each with fresh random choices.
    short_seq_prob: float, probability of a shorter-than-maximum target.
    masked_lm_prob: float, fraction of tokens to mask.
    max_predictions_per_seq: int, cap on masked positions per instance.
    rng: `random.Random`, the only source of randomness.
    do_whole_word_mask: bool, mask a word and all its ## pieces together.
    short_seq_draw: "per_document" (the reference code's) or
      "per_instance", see `create_instances_from_document`.

  Returns:
    list of `TrainingInstance` (empty when the files hold no text).

  Raises:
    ValueError: `short_seq_draw` is neither of the two.
    script_utils.UsageError: the files hold a single document, so no
      instance could have a random next segment from another document. The
      reference code went on and labelled segments of that same document
      "random next".
  """
  # Checked before the (possibly long) reading of the input.
  _check_short_seq_draw(short_seq_draw)
  all_documents = read_documents(input_files, tokenizer)
  if len(all_documents) == 1:
    raise script_utils.UsageError(
        "--input_file=%s holds a single document; random next sentences "
        "need at least two (documents are separated by blank lines)" %
        ",".join(input_files))
  rng.shuffle(all_documents)

  # In id order (load_vocab keeps the file order), so the random replacement
  # tokens are reproducible for a given seed.
  vocab_words = list(tokenizer.vocab.keys())
  instances = []
  progress = script_utils.ProgressLogger(
      "Creating instances (documents)",
      total=dupe_factor * len(all_documents))
  for _ in range(dupe_factor):
    for document_index in range(len(all_documents)):
      instances.extend(
          create_instances_from_document(
              all_documents, document_index, max_seq_length, short_seq_prob,
              masked_lm_prob, max_predictions_per_seq, vocab_words, rng,
              do_whole_word_mask=do_whole_word_mask,
              short_seq_draw=short_seq_draw))
      progress.update()

  rng.shuffle(instances)
  return instances


# ----------------------------------------------------------------------------
# Cutting a document into sentence pairs
# ----------------------------------------------------------------------------


def choose_target_length(max_num_tokens, short_seq_prob, rng):
  """Draws how many tokens instances should try to fill.

  Usually the full `max_num_tokens`, so no compute is wasted on padding; but
  fine-tuning and inference mostly see short sequences, so a fraction
  `short_seq_prob` of targets is drawn uniformly from [2, max_num_tokens] to
  keep pre-training and later use from differing too much. The draws are
  the reference code's, in its order (a float, then the length only when
  it is short), so a seed gives its choices.
  """
  if rng.random() < short_seq_prob:
    return rng.randint(2, max_num_tokens)
  return max_num_tokens


def _check_short_seq_draw(short_seq_draw):
  if short_seq_draw not in SHORT_SEQ_DRAWS:
    raise ValueError("short_seq_draw must be one of %s, not %r" %
                     (", ".join(SHORT_SEQ_DRAWS), short_seq_draw))


def _random_other_document(all_documents, document_index, rng):
  """Index of another document with text, drawn uniformly, for a random B.

  The reference implementation draws a document index up to 10 times until
  it differs from the current one and, if all 10 draws hit it, silently uses
  the current document: B is then labelled "random next" although it comes
  from A's own document, and may even be A's true continuation. That happens
  on every draw with one document, and on 1 draw in 1024 with two.

  Here the same first draws are made, so the output is unchanged wherever the
  reference found another document; only when they all fail is the document
  drawn directly among the others. Both ways give every other document with
  text the same chance, and never the current one. Empty documents are
  skipped (the reference code would fail on them); `read_documents` drops
  them anyway.

  Raises:
    ValueError: no other document has text, so there is no random B.
  """
  for _ in range(10):
    index = rng.randint(0, len(all_documents) - 1)
    if index != document_index and all_documents[index]:
      return index
  others = [index for (index, document) in enumerate(all_documents)
            if index != document_index and document]
  if not others:
    raise ValueError(
        "a random next sentence for document %d needs another document with "
        "text, and the other %d document(s) have none" %
        (document_index, len(all_documents) - 1))
  return rng.choice(others)


def create_instances_from_document(all_documents, document_index,
                                   max_seq_length, short_seq_prob,
                                   masked_lm_prob, max_predictions_per_seq,
                                   vocab_words, rng, do_whole_word_mask=False,
                                   short_seq_draw=PER_DOCUMENT):
  """Cuts one document into `TrainingInstance`s.

  The reference implementation's algorithm: each instance takes whole
  sentences until they reach a target length (see `choose_target_length`)
  or the document ends. A random number of these leading sentences becomes
  segment A. Half the time, and always when there is only one sentence,
  segment B is a random stretch of another document (never this one, see
  `_random_other_document`) and the sentences after A are left for the
  next instance, so no text is wasted; otherwise B is the sentences after
  A: the actual continuation.

  The target length is drawn, by default, once for the whole document
  before it is cut, as the reference code does ("per_document"): a document
  that draws a short target is cut into many short instances, so more than
  `short_seq_prob` of the instances are short and the same text gives more
  instances. "per_instance" draws a target for every instance instead,
  which makes the share of short instances about `short_seq_prob` (this
  project's only way before --short_seq_draw existed).

  Args:
    all_documents: list of documents (lists of sentences, each a list of
      tokens).
    document_index: int, the document to cut.
    max_seq_length: int, length including [CLS] and two [SEP].
    short_seq_prob: float, see `choose_target_length`.
    masked_lm_prob: float, fraction of tokens to mask.
    max_predictions_per_seq: int, cap on masked positions.
    vocab_words: list of vocabulary tokens for random replacement.
    rng: `random.Random`.
    do_whole_word_mask: bool.
    short_seq_draw: "per_document" or "per_instance", see above.

  Returns:
    list of `TrainingInstance`.

  Raises:
    ValueError: a random next segment is needed and no other document of
      `all_documents` has text, or `short_seq_draw` is neither of the two.
  """
  _check_short_seq_draw(short_seq_draw)
  document = all_documents[document_index]
  # [CLS] and the two [SEP]s take three of the max_seq_length slots.
  max_num_tokens = max_seq_length - 3
  if short_seq_draw == PER_DOCUMENT:
    # Drawn before the document is cut, where the reference code draws it,
    # so a seed gives the reference code's random choices from here on.
    target_length = choose_target_length(max_num_tokens, short_seq_prob, rng)

  instances = []
  start = 0
  while start < len(document):
    if short_seq_draw == PER_INSTANCE:
      target_length = choose_target_length(max_num_tokens, short_seq_prob,
                                           rng)
    chunk = document[start:_chunk_end(document, start, target_length)]
    tokens_a, tokens_b, is_random_next, num_used = _sentence_pair(
        chunk, target_length, all_documents, document_index, rng)
    start += num_used

    truncate_seq_pair(tokens_a, tokens_b, max_num_tokens, rng)
    assert tokens_a and tokens_b

    tokens, segment_ids = _join_pair(tokens_a, tokens_b)
    (tokens, masked_lm_positions,
     masked_lm_labels) = create_masked_lm_predictions(
         tokens, masked_lm_prob, max_predictions_per_seq, vocab_words, rng,
         do_whole_word_mask=do_whole_word_mask)
    instances.append(
        TrainingInstance(
            tokens=tokens,
            segment_ids=segment_ids,
            masked_lm_positions=masked_lm_positions,
            masked_lm_labels=masked_lm_labels,
            is_random_next=is_random_next))
  return instances


def _chunk_end(document, start, target_length):
  """End (exclusive) of the sentences from `start` that reach the target.

  Whole sentences are taken until their tokens number at least
  `target_length` or the document ends; the pair is truncated later.
  """
  length = 0
  end = start
  while end < len(document):
    length += len(document[end])
    end += 1
    if length >= target_length:
      break
  return end


def _flatten(sentences):
  return [token for sentence in sentences for token in sentence]


def _sentence_pair(chunk, target_length, all_documents, document_index, rng):
  """Splits a chunk into segments A and B.

  Args:
    chunk: non-empty list of consecutive sentences of the document.
    target_length: int, tokens A and B should fill together.
    all_documents: list of all documents, for random next sentences.
    document_index: int, the chunk's document.
    rng: `random.Random`.

  Returns:
    (tokens_a, tokens_b, is_random_next, num_used): `num_used` is how many
    of the chunk's sentences this pair consumed. A random B leaves the
    chunk's sentences after A unused, so the next instance starts with them.
  """
  a_end = 1
  if len(chunk) >= 2:
    a_end = rng.randint(1, len(chunk) - 1)
  tokens_a = _flatten(chunk[:a_end])

  # A single sentence has no actual next sentence to pair with.
  if len(chunk) == 1 or rng.random() < 0.5:
    tokens_b = _random_segment(all_documents, document_index,
                               target_length - len(tokens_a), rng)
    return tokens_a, tokens_b, True, a_end
  return tokens_a, _flatten(chunk[a_end:]), False, len(chunk)


def _random_segment(all_documents, document_index, target_length, rng):
  """Consecutive sentences from a random point of another document.

  Sentences are taken until they hold at least `target_length` tokens (at
  least one sentence) or that document ends.
  """
  other = all_documents[_random_other_document(all_documents, document_index,
                                               rng)]
  tokens = []
  for sentence in other[rng.randint(0, len(other) - 1):]:
    tokens.extend(sentence)
    if len(tokens) >= target_length:
      break
  return tokens


def _join_pair(tokens_a, tokens_b):
  """`[CLS] A [SEP] B [SEP]` and its segment ids (0 for A's part, 1 for B's)."""
  tokens = [CLS_TOKEN] + tokens_a + [SEP_TOKEN] + tokens_b + [SEP_TOKEN]
  segment_ids = [0] * (len(tokens_a) + 2) + [1] * (len(tokens_b) + 1)
  return tokens, segment_ids


def truncate_seq_pair(tokens_a, tokens_b, max_num_tokens, rng):
  """Shortens a pair in place to at most `max_num_tokens` tokens together.

  One token at a time is removed from the longer segment, from its front or
  its back at random: always cutting the end would teach the model that
  segments never start mid-sentence, which they do in real input.

  The removals are counted first and the lists cut once, so the time is
  linear in the tokens removed: deleting from the front of a list one token
  at a time costs the list's length each time, which made a document that is
  one huge line (a million tokens and more) take quadratic time. The random
  draws are the same, one per removed token, in the same order, so the same
  seed cuts the same tokens.

  Args:
    tokens_a: list of tokens (modified in place).
    tokens_b: list of tokens (modified in place).
    max_num_tokens: int, budget for both together.
    rng: `random.Random`.
  """
  # [start, end) of what is left of each segment.
  start_a, end_a = 0, len(tokens_a)
  start_b, end_b = 0, len(tokens_b)
  while (end_a - start_a) + (end_b - start_b) > max_num_tokens:
    from_front = rng.random() < 0.5
    if end_a - start_a > end_b - start_b:
      if from_front:
        start_a += 1
      else:
        end_a -= 1
    else:
      assert end_b - start_b >= 1
      if from_front:
        start_b += 1
      else:
        end_b -= 1
  if (start_a, end_a) != (0, len(tokens_a)):
    tokens_a[:] = tokens_a[start_a:end_a]
  if (start_b, end_b) != (0, len(tokens_b)):
    tokens_b[:] = tokens_b[start_b:end_b]


# ----------------------------------------------------------------------------
# Masking
# ----------------------------------------------------------------------------

def _candidate_groups(tokens, do_whole_word_mask):
  """Groups of token indexes that are masked together.

  Without whole-word masking every token is its own group. With it, a `##`
  piece joins the group of the word it continues. [CLS] and [SEP] are never
  candidates, and they also end a word: a `##` piece right after one (left
  there by truncation) has no head in its segment and forms its own group.

  Returns:
    list of lists of indexes, in token order.
  """
  groups = []
  previous_is_word = False
  for (i, token) in enumerate(tokens):
    if token == CLS_TOKEN or token == SEP_TOKEN:
      previous_is_word = False
      continue
    if do_whole_word_mask and previous_is_word and token.startswith("##"):
      groups[-1].append(i)
    else:
      groups.append([i])
    previous_is_word = True
  return groups


def num_masked_positions(num_tokens, masked_lm_prob, max_predictions_per_seq):
  """How many tokens to mask in a sequence of `num_tokens` (at least one)."""
  return min(max_predictions_per_seq,
             max(1, int(round(num_tokens * masked_lm_prob))))


def create_masked_lm_predictions(tokens, masked_lm_prob,
                                 max_predictions_per_seq, vocab_words, rng,
                                 do_whole_word_mask=False):
  """Chooses positions to predict and corrupts the tokens there.

  A chosen token becomes [MASK] 80% of the time, stays unchanged 10% of the
  time and becomes a random vocabulary word 10% of the time: the model never
  sees [MASK] at fine-tuning time, so it must not learn that only [MASK]
  positions matter, and the unchanged/random cases keep it honest about
  every input token.

  Args:
    tokens: list of token strings, `[CLS] A [SEP] B [SEP]` (not modified).
    masked_lm_prob: float, fraction of the sequence to mask.
    max_predictions_per_seq: int, cap on the number of positions.
    vocab_words: list of vocabulary tokens for random replacement.
    rng: `random.Random`.
    do_whole_word_mask: bool, choose whole words (with all their ## pieces).
      A word that does not fit in the remaining budget is skipped, so fewer
      positions than the budget may be masked.

  Returns:
    (output_tokens, masked_lm_positions, masked_lm_labels): the corrupted
    copy of `tokens`, the sorted masked indexes and the original tokens there.
  """
  groups = _candidate_groups(tokens, do_whole_word_mask)
  rng.shuffle(groups)
  budget = num_masked_positions(len(tokens), masked_lm_prob,
                                max_predictions_per_seq)

  output_tokens = list(tokens)
  chosen = []
  for group in groups:
    if len(chosen) >= budget:
      break
    # A whole word that would overshoot the budget is skipped, not cut.
    if len(chosen) + len(group) > budget:
      continue
    for index in group:
      output_tokens[index] = _corrupt(tokens[index], vocab_words, rng)
      chosen.append(index)

  chosen.sort()
  return (output_tokens, chosen, [tokens[index] for index in chosen])


def _corrupt(token, vocab_words, rng):
  """[MASK] 80% of the time, `token` itself 10%, a random word 10%."""
  if rng.random() < 0.8:
    return MASK_TOKEN
  if rng.random() < 0.5:
    return token
  return vocab_words[rng.randint(0, len(vocab_words) - 1)]


# ----------------------------------------------------------------------------
# Writing records
# ----------------------------------------------------------------------------


def instance_to_example(instance, tokenizer, max_seq_length,
                        max_predictions_per_seq):
  """Converts one instance to a padded `tf.train.Example`.

  Args:
    instance: `TrainingInstance`.
    tokenizer: `tokenization.FullTokenizer`.
    max_seq_length: int, padded length of the token features.
    max_predictions_per_seq: int, padded length of the masked-LM features.

  Returns:
    `tf.train.Example` with the pre-training record schema
    (docs/pre-training.md, "3. Create the pre-training data").
  """
  input_ids = tokenizer.convert_tokens_to_ids(instance.tokens)
  input_mask = [1] * len(input_ids)
  segment_ids = list(instance.segment_ids)
  assert len(input_ids) <= max_seq_length

  padding = [0] * (max_seq_length - len(input_ids))
  input_ids = list(input_ids) + padding
  input_mask += padding
  segment_ids += padding

  masked_lm_positions = list(instance.masked_lm_positions)
  masked_lm_ids = list(tokenizer.convert_tokens_to_ids(
      instance.masked_lm_labels))
  # Padded predictions get weight 0, so they do not count in the loss.
  masked_lm_weights = [1.0] * len(masked_lm_ids)
  assert len(masked_lm_positions) <= max_predictions_per_seq
  prediction_padding = max_predictions_per_seq - len(masked_lm_positions)
  masked_lm_positions += [0] * prediction_padding
  masked_lm_ids += [0] * prediction_padding
  masked_lm_weights += [0.0] * prediction_padding

  next_sentence_label = 1 if instance.is_random_next else 0

  features = collections.OrderedDict()
  features["input_ids"] = create_int_feature(input_ids)
  features["input_mask"] = create_int_feature(input_mask)
  features["segment_ids"] = create_int_feature(segment_ids)
  features["masked_lm_positions"] = create_int_feature(masked_lm_positions)
  features["masked_lm_ids"] = create_int_feature(masked_lm_ids)
  features["masked_lm_weights"] = create_float_feature(masked_lm_weights)
  features["next_sentence_labels"] = create_int_feature([next_sentence_label])
  return tf.train.Example(features=tf.train.Features(feature=features))


def log_example(instance, example):
  """Logs an instance and its record features, for eyeballing the output.

  At DEBUG level: shown with -v 1, out of the default log."""
  tf1.logging.debug("*** Example ***")
  tf1.logging.debug("tokens: %s", " ".join(
      tokenization.printable_text(x) for x in instance.tokens))
  for name in FEATURE_NAMES:
    feature = example.features.feature[name]
    if feature.int64_list.value:
      values = feature.int64_list.value
    else:
      values = ["%g" % x for x in feature.float_list.value]
    tf1.logging.debug("%s: %s", name, " ".join(str(x) for x in values))


def write_instance_to_example_files(instances, tokenizer, max_seq_length,
                                    max_predictions_per_seq, output_files):
  """Writes instances as `tf.train.Example` records, round-robin over files.

  The files appear only once they are complete (see
  `record_utils.atomic_record_writers`).

  Args:
    instances: list of `TrainingInstance`.
    tokenizer: `tokenization.FullTokenizer`.
    max_seq_length: int.
    max_predictions_per_seq: int.
    output_files: list of output paths.

  Returns:
    int, the number of records written.
  """
  total_written = 0
  progress = script_utils.ProgressLogger("Writing instances",
                                         total=len(instances))
  with record_utils.atomic_record_writers(output_files) as writers:
    writer_index = 0
    for (inst_index, instance) in enumerate(instances):
      example = instance_to_example(instance, tokenizer, max_seq_length,
                                    max_predictions_per_seq)
      # deterministic=True: protobuf 7 (TF 2.21) orders map entries (the
      # features map) randomly per process otherwise.
      writers[writer_index].write(
          example.SerializeToString(deterministic=True))
      writer_index = (writer_index + 1) % len(writers)
      total_written += 1
      progress.update()
      if inst_index < NUM_LOGGED_INSTANCES:
        log_example(instance, example)

  tf1.logging.info("Wrote %d total instances", total_written)
  return total_written
