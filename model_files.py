# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""A model's files as a script reads them: bert_config.json and the vocabulary.

`load_bert_config` and `load_tokenizer` turn what is wrong with them (a
missing or invalid file, a sequence longer than the position table, a
vocabulary without a special token, a casing that contradicts the
checkpoint's name) into one-line `UsageError`s before any work;
`vocab_casing_warning` and `check_vocab_fits_config` compare the vocabulary
with --do_lower_case and with the config.
"""

import tensorflow as tf

from file_utils import require_file
import modeling
import tokenization
from user_errors import UsageError

tf1 = tf.compat.v1


def load_bert_config(bert_config_file, max_seq_length=None):
  """Reads the model config and checks max_seq_length against it.

  Args:
    bert_config_file: path of `bert_config.json`.
    max_seq_length: (optional) int, the script's --max_seq_length.

  Returns:
    `modeling.BertConfig`.

  Raises:
    UsageError: for a missing or invalid file, or a sequence length the
      model's position table cannot hold.
  """
  if not bert_config_file:
    raise UsageError("--bert_config_file is required")
  try:
    config = modeling.BertConfig.from_json_file(bert_config_file)
  except UnicodeDecodeError:
    raise UsageError("--bert_config_file=%s: not valid UTF-8 (is it a JSON "
                     "text file?)" % bert_config_file)
  except ValueError as e:
    raise UsageError(str(e))
  if max_seq_length is not None:
    if max_seq_length > config.max_position_embeddings:
      raise UsageError(
          "--max_seq_length=%d is longer than max_position_embeddings=%d in "
          "--bert_config_file=%s" % (max_seq_length,
                                      config.max_position_embeddings,
                                      bert_config_file))
  return config


def load_tokenizer(vocab_file, do_lower_case, init_checkpoint=None,
                   required_tokens=("[CLS]", "[SEP]", "[UNK]")):
  """The script's `tokenization.FullTokenizer`, its inputs checked first.

  Args:
    vocab_file: the --vocab_file.
    do_lower_case: the --do_lower_case.
    init_checkpoint: (optional) the --init_checkpoint; a released model's
      name in it must agree with do_lower_case.
    required_tokens: tokens the script writes or needs; without them it
      would fail only halfway through its data, deep in the code.

  Returns:
    `tokenization.FullTokenizer`.

  Raises:
    UsageError: a missing, unreadable or empty vocabulary, one lacking a
      required token, or a casing that contradicts the checkpoint.
  """
  require_file(vocab_file, "vocab_file")
  # tokenization raises ValueError (as the original did) for these inputs;
  # they are the user's to fix, so they become one-line errors here.
  try:
    if init_checkpoint:
      tokenization.validate_case_matches_checkpoint(do_lower_case,
                                                    init_checkpoint)
    tokenizer = tokenization.FullTokenizer(vocab_file=vocab_file,
                                           do_lower_case=do_lower_case)
  except ValueError as e:
    # tokenization names the file as "vocab file X: ..."; users type a flag.
    message = str(e)
    prefix = "vocab file %s: " % vocab_file
    if message.startswith(prefix):
      message = "--vocab_file=%s: %s" % (vocab_file, message[len(prefix):])
      if "UTF-8" in message:
        message += "; convert the file to UTF-8"
    raise UsageError(message)
  missing = [token for token in required_tokens
             if token not in tokenizer.vocab]
  if missing:
    raise UsageError("--vocab_file=%s lacks the special token(s) %s" %
                     (vocab_file, ", ".join(missing)))
  warning = vocab_casing_warning(tokenizer.vocab, do_lower_case, vocab_file)
  if warning:
    tf1.logging.warning("%s", warning)
  return tokenizer


def vocab_casing_warning(vocab, do_lower_case, vocab_file):
  """What is wrong when --do_lower_case contradicts the vocabulary, or None.

  The vocabulary says how it was made: one built from lower-cased
  text has no upper-case entries, one from cased text has many. With
  --do_lower_case=False and an uncased vocabulary, every capitalised word
  becomes [UNK]; with --do_lower_case=True and a cased one, the upper-case
  entries are never used and accents are stripped. A warning, not an
  error: text that is already lower-case, or a script without case, may
  have its reasons.

  Args:
    vocab: dict (or any iterable) of the vocabulary's tokens.
    do_lower_case: the --do_lower_case.
    vocab_file: the --vocab_file, for the message.

  Returns:
    str, the warning, or None when the casing fits or cannot be told.
  """
  upper = lower = 0
  for token in vocab:
    if token.startswith("[") and token.endswith("]"):
      continue  # [CLS], [unused0], ...: the model's own, not text.
    if any(c.isupper() for c in token):
      upper += 1
    elif any(c.islower() for c in token):
      lower += 1
  cased_entries = upper + lower
  if not cased_entries:
    return None  # Scripts without case (CJK, Thai, ...) say nothing.
  # A few stray capitals do not make a vocabulary cased; Google's cased
  # vocabularies have about 10% upper-case entries.
  if not do_lower_case and upper <= cased_entries // 1000:
    found = ("no upper-case entries" if not upper else
             "only %d upper-case entr%s" % (upper, "y" if upper == 1 else
                                             "ies"))
    return ("--do_lower_case=False but --vocab_file=%s has %s (an uncased "
            "vocabulary): capitalised words will become [UNK]; set "
            "--do_lower_case=True" % (vocab_file, found))
  if do_lower_case and upper >= cased_entries // 100 + 1:
    return ("--do_lower_case=True but --vocab_file=%s has %d upper-case "
            "entries (a cased vocabulary): lower-cased text never uses them "
            "and loses its accents; set --do_lower_case=False" %
            (vocab_file, upper))
  return None


def check_vocab_fits_config(vocab_size, bert_config, vocab_file):
  """Refuses a vocabulary with more ids than the embedding table has rows.

  An id past the end of the table is an error on CPU but silently reads
  garbage (and leads to NaNs) on GPU and TPU, so it is stopped up front.
  """
  if vocab_size > bert_config.vocab_size:
    raise UsageError(
        "--vocab_file=%s has %d tokens but bert_config vocab_size is %d; "
        "the vocabulary does not belong to this model" %
        (vocab_file, vocab_size, bert_config.vocab_size))
