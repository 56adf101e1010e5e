# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Predictions of a fine-tuned model on your own text, in a few lines.

A classifier fine-tuned with `run_classifier.py`:

  import predictor
  model = predictor.load("/tmp/mrpc_output")   # or an exported SavedModel
  for result in model.classify(["The cat sat on the mat.",
                                ("He left.", "He went away.")]):
    print(result.label, result.score, result.probabilities)

A SQuAD model fine-tuned with `run_squad.py`:

  model = predictor.load("/tmp/squad_base")
  model.answer("Who won the prize?", "Mary Jones won the prize in Paris.")
  # Answer(text='Mary Jones', score=0.93)

`load` takes a fine-tuning `--output_dir` (its newest checkpoint) or a
SavedModel written with `--export_dir`. Both carry what turning text into
inputs needs (see `export_utils.model_info`): the vocabulary, the casing,
max_seq_length, the label names or the SQuAD settings. The text goes
through the scripts' own conversion and decoding (`classifier_lib`,
`squad_lib.convert_examples_to_features`,
`squad_answers.decode_predictions`), so the numbers are those of
`--do_predict` on the same text.

From the shell, one text per line on standard input (`a ||| b` for a
sentence pair, `question ||| context` for SQuAD):

  echo "a lovely sunny day" | python -m predictor --model_dir=/tmp/mrpc_output

Precision: a checkpoint directory runs in fp32 unless asked otherwise
(`load(..., precision="bf16")`, `--precision=bf16`): the encoder's matrix
products in bfloat16, the weights, layer norm, softmax and the outputs
float32, as the fine-tuning scripts' --precision. A SavedModel computes in
the precision it was exported in (model_info.json records it). On a CPU
without AVX512_BF16 or AMX bfloat16 is emulated and slower than fp32: a
warning says so, and the model still loads (the same warning as the
scripts'). `model.precision` tells what runs.
"""

import collections
import json
import logging
import os
import sys

# First of all: it imports TensorFlow keeping its own messages out of the
# default log (shown with -v 1).
import tf_quiet  # pylint: disable=g-bad-import-order
from absl import flags
import numpy as np
import tensorflow as tf

import best_checkpoint
import classifier_lib
import classifier_windows
import estimator_runtime
import export_utils
import fine_tuning
import multilabel
import script_settings
import script_utils
import squad_answers
import squad_lib
import squad_reader
from script_utils import UsageError

tf1 = tf.compat.v1

# A text pair on one line of input, as in extract_features.py.
PAIR_SEPARATOR = " ||| "

# One classified text. `label`: the most probable label name (None for a
# regression task); `score`: its probability (the predicted value for
# regression); `probabilities`: ordered dict label name -> probability, in
# the task's label order (empty for regression).
Classification = collections.namedtuple("Classification",
                                        ["label", "score", "probabilities"])

# One text classified by a multi-label model. `labels`: ordered dict label
# name -> probability of the labels at or above their thresholds (the
# predicted set, possibly empty); `probabilities`: ordered dict of every
# label's probability (independent sigmoids; they need not sum to 1).
MultiLabelClassification = collections.namedtuple(
    "MultiLabelClassification", ["labels", "probabilities"])

# One answered question. `text`: the answer cut out of the context ("" for
# no answer); `score`: its probability among the n best answers (the
# `probability` of nbest_predictions.json).
Answer = collections.namedtuple("Answer", ["text", "score"])

# What run_squad.py records for a SQuAD model, all needed to answer.
_SQUAD_SETTINGS = squad_lib.MODEL_SETTINGS


def load(model_dir, vocab_file=None, bert_config_file=None,
         do_lower_case=None, max_seq_length=None, labels=None, kind=None,
         precision=None, **squad_settings):
  """Loads a fine-tuned classifier or SQuAD model for predictions.

  Args:
    model_dir: a fine-tuning --output_dir (its newest checkpoint is used) or
      a SavedModel directory written by --export_dir.
    vocab_file, bert_config_file, do_lower_case, max_seq_length, labels,
      kind: (optional) override what the directory records. A directory
      written before model_info.json existed needs them: a checkpoint
      directory `do_lower_case`, `max_seq_length` and, for a classifier,
      `labels` (the label names in output order; `[None]` for
      regression), for a SQuAD model `kind="squad"` and the SQuAD settings;
      `vocab_file` and `bert_config_file` when the directory lacks
      vocab.txt and bert_config.json. A SavedModel's max_seq_length is
      fixed by its signature.
    precision: (optional) "fp32", "bf16" or "fp16": the arithmetic of the
      encoder's matrix products (outputs stay float32). A checkpoint
      directory runs in fp32 by default; a SavedModel runs in the precision
      it was exported in, and a different one is refused. Where the
      machine only emulates it (bf16 on a CPU without AVX512_BF16 or AMX),
      a warning is logged and the model loads anyway.
    **squad_settings: (optional) `doc_stride`, `max_query_length`,
      `n_best_size`, `max_answer_length`, `version_2_with_negative`,
      `null_score_diff_threshold`, overriding the recorded ones.

  Returns:
    A `Classifier` or a `QuestionAnswerer` (its `precision` says what it
    computes in); close it (or use `with`) to free its TensorFlow session.

  Raises:
    UsageError (a ValueError): a directory that is neither, a missing file
      (named), a value that is neither recorded nor given (named), or a
      checkpoint without the fine-tuned head.
  """
  unknown = sorted(set(squad_settings) - set(_SQUAD_SETTINGS))
  if unknown:
    raise TypeError("load() got unexpected keyword argument(s) %s" %
                    ", ".join(unknown))
  if precision is not None and precision not in estimator_runtime.PRECISIONS:
    raise UsageError("precision=%r: expected one of %s" %
                     (precision, ", ".join(estimator_runtime.PRECISIONS)))
  if not model_dir or not tf.io.gfile.isdir(model_dir):
    raise UsageError("model_dir=%s: not a directory (give a fine-tuning "
                     "--output_dir or an --export_dir SavedModel)" % model_dir)
  is_saved_model = tf.io.gfile.exists(os.path.join(model_dir,
                                                   "saved_model.pb"))
  files_dir = model_dir
  checkpoint = None
  if is_saved_model:
    files_dir = os.path.join(model_dir, export_utils.SAVED_MODEL_EXTRA_DIR)
  else:
    checkpoint = _find_checkpoint(model_dir)
    _check_task_head(model_dir, checkpoint)
  info = _read_model_info(files_dir)
  given = dict(squad_settings, do_lower_case=do_lower_case,
               max_seq_length=max_seq_length, labels=labels, kind=kind)
  info.update({k: v for k, v in given.items() if v is not None})
  info.setdefault("kind", export_utils.CLASSIFIER)
  if info["kind"] not in (export_utils.CLASSIFIER, export_utils.SQUAD):
    raise UsageError("model_dir=%s: unknown kind of model %r (expected %s or "
                     "%s)" % (model_dir, info["kind"], export_utils.CLASSIFIER,
                              export_utils.SQUAD))

  vocab_file = vocab_file or os.path.join(files_dir, export_utils.VOCAB_FILE)
  if not tf.io.gfile.exists(vocab_file):
    raise UsageError(
        "%s: file not found; the vocabulary the model was fine-tuned with "
        "is needed (pass vocab_file=...)" % vocab_file)

  if is_saved_model:
    # TensorFlow's INFO lines ("Restoring parameters from ...") and its
    # warnings about the TF1 APIs the model code uses on purpose are nothing
    # a program that asked for predictions can act on.
    with tf_quiet.quiet_log(logging.WARNING):
      runner = _SavedModelRunner(model_dir)
  try:
    if is_saved_model:
      if precision is not None and precision != runner.precision:
        raise UsageError(
            "model_dir=%s: the SavedModel was exported in %s and computes "
            "in it; precision=%s would need another export (the scripts' "
            "--precision with --export_dir) or the fine-tuning --output_dir" %
            (model_dir, runner.precision, precision))
      if info.get("max_seq_length", runner.max_seq_length) != (
          runner.max_seq_length):
        raise UsageError("model_dir=%s: the SavedModel takes "
                         "max_seq_length=%d, not %d" %
                         (model_dir, runner.max_seq_length,
                          info["max_seq_length"]))
      info["max_seq_length"] = runner.max_seq_length
    _require_settings(model_dir, info)
    tokenizer = script_utils.load_tokenizer(vocab_file, info["do_lower_case"])
    if not is_saved_model:
      with tf_quiet.quiet_log(logging.WARNING):
        runner = _checkpoint_runner(model_dir, checkpoint, bert_config_file,
                                    info, vocab_file, len(tokenizer.vocab),
                                    precision or export_utils.FP32)
  except BaseException:
    if is_saved_model:
      runner.close()
    raise
  info["precision"] = runner.precision
  _log_precision(model_dir, runner.precision)
  if info["kind"] == export_utils.SQUAD:
    return QuestionAnswerer(runner, tokenizer, info)
  return Classifier(runner, tokenizer, info)


# Warnings the command line gave already (script_utils.run warns of an
# emulated --precision when it starts), not to be repeated by `load`.
_ALREADY_WARNED = set()


def _log_precision(model_dir, precision):
  """Says what the model computes in, and warns where that is emulated."""
  warning = script_utils.precision_warning(precision)
  if warning and warning not in _ALREADY_WARNED:
    tf1.logging.warning("%s", warning)
  # Said only when it is not the default: an fp32 model prints nothing, so
  # a notebook's output holds the predictions alone.
  if precision != export_utils.FP32:
    tf1.logging.info(
        "%s: predicting in %s (encoder matrix products; weights and outputs "
        "float32)", model_dir, precision)


def _find_checkpoint(model_dir):
  """The checkpoint prefix of a model directory.

  The best one when the run kept it (--keep_best_by); else the newest one
  the directory's `checkpoint` file names; else, when there
  is no such file (a released model such as uncased_L-12_H-768_A-12 ships
  bert_model.ckpt.* without one), the directory's only checkpoint.

  Raises:
    UsageError: no checkpoint at all, or several and no `checkpoint` file.
  """
  # The best checkpoint of a run with --keep_best_by, said in one line.
  line = best_checkpoint.describe_best(model_dir, "Loading")
  if line:
    tf1.logging.info("%s", line)
    return best_checkpoint.best_checkpoint_path(model_dir)
  checkpoint = tf.train.latest_checkpoint(model_dir)
  if checkpoint:
    return checkpoint
  prefixes = sorted(path[:-len(".index")] for path in
                    tf.io.gfile.glob(os.path.join(model_dir, "*.index")))
  if len(prefixes) == 1:
    return prefixes[0]
  if prefixes:
    raise UsageError("model_dir=%s: %d checkpoints (%s) and no `checkpoint` "
                     "file saying which is the newest" %
                     (model_dir, len(prefixes), ", ".join(
                         os.path.basename(p) for p in prefixes)))
  raise UsageError("model_dir=%s: no checkpoint and no saved_model.pb; "
                   "give a fine-tuning --output_dir or an --export_dir "
                   "SavedModel" % model_dir)


def _check_task_head(model_dir, checkpoint):
  """Refuses a checkpoint without a classifier or SQuAD output layer.

  Said for what it is, before any missing file or setting would lead the
  user elsewhere: a tagging model, or a pre-trained model (the released
  bert_model.ckpt) that no task was fine-tuned on yet.
  """
  reader = tf.train.load_checkpoint(checkpoint)
  heads = fine_tuning.HEAD_VARIABLES
  if reader.has_tensor(heads[fine_tuning.NER][0]):
    raise UsageError("model_dir=%s: a run_ner.py (tagging) model; "
                     "predictor serves run_classifier.py and run_squad.py "
                     "models: tag text with run_ner.py --do_predict" %
                     model_dir)
  if not any(reader.has_tensor(heads[kind][0])
             for kind in (fine_tuning.CLASSIFIER, fine_tuning.SQUAD)):
    raise UsageError(
        "model_dir=%s: %s has no task head (a pre-trained model, not "
        "fine-tuned on a task); fine-tune it first, e.g. python "
        "run_classifier.py --task_name=... --data_dir=... --do_train "
        "--init_checkpoint=%s --bert_config_file=%s --vocab_file=%s "
        "--output_dir=OUT (run_squad.py for questions), then load OUT" %
        (model_dir, os.path.basename(checkpoint), checkpoint,
         os.path.join(model_dir, export_utils.BERT_CONFIG_FILE),
         os.path.join(model_dir, export_utils.VOCAB_FILE)))


def _read_model_info(directory):
  """model_info.json of a model directory as a dict ({} when absent)."""
  path = os.path.join(directory, export_utils.MODEL_INFO_FILE)
  if not tf.io.gfile.exists(path):
    return {}
  try:
    info = json.loads(script_utils.read_text(path))
  except ValueError as e:
    raise UsageError("%s: not valid JSON (%s)" % (path, e))
  if not isinstance(info, dict) or "kind" not in info:
    raise UsageError("%s: not a model_info.json written by run_classifier.py "
                     "or run_squad.py" % path)
  return info


def _require_settings(model_dir, info):
  """Refuses a model whose preprocessing is neither recorded nor given."""
  needed = ["do_lower_case", "max_seq_length"]
  if info["kind"] == export_utils.SQUAD:
    needed += list(_SQUAD_SETTINGS)
  else:
    needed.append("labels")
  missing = [name for name in needed if info.get(name) is None]
  if missing:
    raise UsageError(
        "model_dir=%s has no %s recording %s (run_classifier.py and "
        "run_squad.py write it; older model directories lack it): pass %s "
        "to predictor.load" %
        (model_dir, export_utils.MODEL_INFO_FILE, ", ".join(missing),
         ", ".join("%s=..." % name for name in missing)))


class _SessionRunner(object):
  """Runs a serving graph: int32 [batch_size, max_seq_length] inputs in,
  the named outputs (NumPy arrays, batch first) out."""

  def __init__(self, sess, inputs, outputs):
    self._sess = sess
    self._inputs = inputs
    self._outputs = outputs
    self.max_seq_length = int(inputs["input_ids"].shape[1])
    # Read from the graph: what the matrix products really compute in.
    self.precision = export_utils.graph_precision(sess.graph)

  def run(self, features):
    """The outputs for a batch of features (lists of max_seq_length ids)."""
    feed = {
        self._inputs[name]: np.array([getattr(f, name) for f in features],
                                     np.int32)
        for name in export_utils.SERVING_INPUTS
    }
    return self._sess.run(self._outputs, feed_dict=feed)

  def close(self):
    self._sess.close()


class _SavedModelRunner(_SessionRunner):
  """The serving_default signature of a SavedModel, in its own session."""

  def __init__(self, export_dir):
    graph = tf.Graph()
    sess = tf1.Session(graph=graph)
    with graph.as_default():
      meta_graph = tf1.saved_model.loader.load(
          sess, [tf1.saved_model.tag_constants.SERVING], export_dir)
    signature = meta_graph.signature_def[export_utils.SIGNATURE_KEY]
    super(_SavedModelRunner, self).__init__(
        sess,
        {k: graph.get_tensor_by_name(v.name)
         for k, v in signature.inputs.items()},
        {k: graph.get_tensor_by_name(v.name)
         for k, v in signature.outputs.items()})


def _checkpoint_runner(model_dir, checkpoint, bert_config_file, info,
                       vocab_file, vocab_size, precision):
  """A checkpoint of a fine-tuning directory, in the serving graph an
  export with --precision=`precision` would write."""
  compute_type = estimator_runtime.compute_type_for_precision(precision)
  bert_config_file = bert_config_file or os.path.join(
      model_dir, export_utils.BERT_CONFIG_FILE)
  if not tf.io.gfile.exists(bert_config_file):
    raise UsageError("%s: file not found; the model's config is needed "
                     "(pass bert_config_file=...)" % bert_config_file)
  bert_config = script_utils.load_bert_config(bert_config_file,
                                              info["max_seq_length"])
  script_utils.check_vocab_fits_config(vocab_size, bert_config, vocab_file)
  if info["kind"] == export_utils.SQUAD:
    model_fn = squad_lib.model_fn_builder(
        bert_config, init_checkpoint=None, learning_rate=0.0,
        num_train_steps=None, num_warmup_steps=None, use_tpu=False,
        use_one_hot_embeddings=False, compute_type=compute_type)
    output_keys = ["start_logits", "end_logits"]
  elif info.get("multi_label"):
    model_fn = multilabel.model_fn_builder(
        bert_config, num_labels=len(info["labels"]), init_checkpoint=None,
        learning_rate=0.0, num_train_steps=None, num_warmup_steps=None,
        use_tpu=False, use_one_hot_embeddings=False,
        thresholds=_thresholds(info), compute_type=compute_type)
    output_keys = ["probabilities"]
  else:
    model_fn = classifier_lib.model_fn_builder(
        bert_config, num_labels=len(info["labels"]), init_checkpoint=None,
        learning_rate=0.0, num_train_steps=None, num_warmup_steps=None,
        use_tpu=False, use_one_hot_embeddings=False,
        is_regression=classifier_lib.is_regression_label_list(
            info["labels"]), compute_type=compute_type)
    output_keys = ["probabilities"]
  sess, receivers, outputs = export_utils.serving_session(
      model_fn, info["max_seq_length"], checkpoint, output_keys,
      what="model_dir=%s" % model_dir)
  return _SessionRunner(sess, receivers, outputs)


def _thresholds(info):
  """A multi-label model's per-label thresholds (0.5 when not recorded)."""
  return [float(t) for t in info.get("thresholds") or
          [multilabel.DEFAULT_THRESHOLD] * len(info["labels"])]


def _check_batch_size(batch_size):
  # UsageError (a ValueError): `python -m predictor --batch_size=0` is bad
  # input, one line and not a traceback.
  if not isinstance(batch_size, int) or batch_size < 1:
    raise UsageError("batch_size=%r: must be a positive int" % (batch_size,))


def _batches(items, batch_size):
  for start in range(0, len(items), batch_size):
    yield items[start:start + batch_size]


def _warn_truncated(num_truncated, total, what):
  """One warning per call, not one per text."""
  if num_truncated:
    tf1.logging.warning("%d of %d %s", num_truncated, total, what)


class _Predictor(object):
  """What both kinds share: the tokenizer, the settings and the session."""

  def __init__(self, runner, tokenizer, info):
    self._runner = runner
    self.tokenizer = tokenizer
    self.info = {k: v for k, v in info.items() if k != "vocab_file"}
    self.do_lower_case = info["do_lower_case"]
    self.max_seq_length = info["max_seq_length"]
    # "fp32", "bf16" or "fp16": what the encoder's products compute in.
    self.precision = runner.precision

  def close(self):
    """Frees the TensorFlow session."""
    self._runner.close()

  def __enter__(self):
    return self

  def __exit__(self, *unused_exc_info):
    self.close()


class Classifier(_Predictor):
  """A model fine-tuned by run_classifier.py; see `load`.

  Attributes:
    labels: the label names in output order (`[None]` for regression).
    multi_label: bool; `classify` then returns
      `MultiLabelClassification`s.
    thresholds: a multi-label model's per-label thresholds (else None).
    max_seq_length: int, tokens per input; longer texts are truncated.
    do_lower_case: bool, the casing of the tokenizer.
    tokenizer: `tokenization.FullTokenizer`.
    doc_stride: int, or None: a model trained with --doc_stride reads a
      longer text as windows this many tokens apart, as run_classifier.py
      does (`classifier_windows.py`), pooled with `window_pooling`.
  """

  def __init__(self, runner, tokenizer, info):
    super(Classifier, self).__init__(runner, tokenizer, info)
    self.doc_stride = info.get("doc_stride")
    self.window_pooling = info.get("window_pooling", "mean")
    self.labels = list(info["labels"])
    self.is_regression = classifier_lib.is_regression_label_list(
        self.labels)
    self.multi_label = bool(info.get("multi_label"))
    self.thresholds = _thresholds(info) if self.multi_label else None

  def classify(self, texts, batch_size=32):
    """Classifies texts or text pairs.

    Each text becomes `[CLS] a [SEP]` (a pair `[CLS] a [SEP] b [SEP]`),
    converted by the script's own `classifier_lib.convert_single_example`: a
    text
    longer than max_seq_length tokens is truncated as the script does (a
    pair loses tokens from the end of its longer side), with one warning
    per call saying how many were.

    Args:
      texts: non-empty list of strings or of (text_a, text_b) pairs.
      batch_size: int, texts per run of the model.

    Returns:
      list of `Classification(label, score, probabilities)`, one per text
      in order; probabilities in [0, 1], summing to 1 per text. A
      multi-label model gives `MultiLabelClassification(labels,
      probabilities)` instead: the labels at or above their thresholds.

    Raises:
      ValueError: an empty list, a bare string instead of a list, or an
        entry that is neither a string nor a pair of strings.
    """
    pairs = _text_pairs(texts)
    _check_batch_size(batch_size)
    examples = [
        classifier_lib.InputExample(
            guid="predict-%d" % i, text_a=a, text_b=b,
            label=0.0 if self.is_regression else self.labels[0])
        for i, (a, b) in enumerate(pairs)
    ]
    if self.doc_stride and not self.multi_label:
      return self._classify_windows(examples, batch_size)
    features = classifier_lib.convert_examples_to_features(
        examples, self.labels, self.max_seq_length, self.tokenizer)
    _warn_truncated(
        sum(self._is_truncated(a, b) for a, b in pairs), len(pairs),
        "text(s) were longer than max_seq_length=%d tokens and were "
        "truncated" % self.max_seq_length)
    results = []
    for batch in _batches(features, batch_size):
      for values in self._runner.run(batch)["probabilities"]:
        results.append(self._classification(values))
    return results

  def _classify_windows(self, examples, batch_size):
    """One Classification per example from its windows' pooled outputs."""
    features, text_index = [], []
    for index, example in enumerate(examples):
      windows = classifier_windows.example_windows(
          index, example, self.labels, self.max_seq_length, self.tokenizer,
          self.doc_stride)
      features.extend(windows)
      text_index.extend([index] * len(windows))
    values = []
    for batch in _batches(features, batch_size):
      values.extend(self._runner.run(batch)["probabilities"])
    pooled = classifier_windows.pool_windows(
        values, text_index, len(examples), self.window_pooling,
        self.is_regression)
    return [self._classification(v) for v in pooled]

  def _is_truncated(self, text_a, text_b):
    """Whether convert_single_example cuts this text (it does so silently)."""
    length = len(self.tokenizer.tokenize(text_a))
    tokens_b = self.tokenizer.tokenize(text_b) if text_b else []
    # [CLS] a [SEP], and b [SEP] for a pair.
    return length + len(tokens_b) + (3 if tokens_b else 2) > (
        self.max_seq_length)

  def _classification(self, values):
    if self.multi_label:
      probabilities = collections.OrderedDict(
          (label, float(p)) for label, p in zip(self.labels, values))
      return MultiLabelClassification(
          collections.OrderedDict(
              (label, p) for (label, p), t in zip(probabilities.items(),
                                                  self.thresholds)
              if p >= t), probabilities)
    if self.is_regression:
      return Classification(None, float(values), collections.OrderedDict())
    probabilities = collections.OrderedDict(
        (label, float(p)) for label, p in zip(self.labels, values))
    best = int(np.argmax(values))
    return Classification(self.labels[best], float(values[best]),
                          probabilities)


def _text_pairs(texts):
  """[(text_a, text_b or None)] from a list of strings and pairs."""
  if isinstance(texts, (str, bytes)):
    raise ValueError("texts must be a list of strings or (text_a, text_b) "
                     "pairs, not a single string: pass [text]")
  texts = list(texts)
  if not texts:
    raise ValueError("no texts to predict on: got an empty list")
  pairs = []
  for i, text in enumerate(texts):
    if isinstance(text, str):
      pairs.append((text, None))
    elif (isinstance(text, (tuple, list)) and len(text) == 2 and
          all(isinstance(t, str) for t in text)):
      pairs.append(tuple(text))
    else:
      raise ValueError("texts[%d] = %r: expected a string or a pair of "
                       "strings" % (i, text))
  return pairs


class QuestionAnswerer(_Predictor):
  """A model fine-tuned by run_squad.py; see `load`.

  Attributes:
    max_seq_length: int, tokens per window ([CLS] question [SEP] part of
      the context [SEP]); a long context is read in windows every
      `doc_stride` tokens, as run_squad.py does.
    settings: dict of the SQuAD settings in use (`doc_stride`,
      `max_query_length`, `n_best_size`, `max_answer_length`,
      `version_2_with_negative`, `null_score_diff_threshold`).
  """

  def __init__(self, runner, tokenizer, info):
    super(QuestionAnswerer, self).__init__(runner, tokenizer, info)
    self.settings = {name: info[name] for name in _SQUAD_SETTINGS}

  def answer(self, question, context):
    """The answer to one question about one context: `Answer(text, score)`.

    See `answer_all`.
    """
    return self.answer_all([(question, context)])[0]

  def answer_all(self, questions_and_contexts, batch_size=32):
    """Answers questions, each about its own context.

    The text goes through `squad_lib.convert_examples_to_features` and
    `squad_answers.decode_predictions`, as in run_squad.py, so the answers
    are those of `run_squad.py --do_predict`. A question longer
    than max_query_length tokens is cut to it as the script does, with one
    warning per call saying how many were.

    Args:
      questions_and_contexts: non-empty list of (question, context) pairs
        of strings.
      batch_size: int, windows per run of the model.

    Returns:
      list of `Answer(text, score)`, one per question in order.

    Raises:
      ValueError: an empty list or an entry that is not a pair of strings.
    """
    pairs = _text_pairs(questions_and_contexts)
    if any(context is None for _, context in pairs):
      raise ValueError("answer_all: every entry must be a (question, "
                       "context) pair")
    _check_batch_size(batch_size)
    settings = self.settings
    examples = [
        squad_reader.SquadExample(
            qas_id="q%d" % i, question_text=question,
            doc_tokens=squad_reader.split_paragraph(context)[0])
        for i, (question, context) in enumerate(pairs)
    ]
    features = []
    squad_lib.convert_examples_to_features(
        examples, self.tokenizer, self.max_seq_length,
        settings["doc_stride"], settings["max_query_length"], False,
        features.append)
    _warn_truncated(
        sum(len(self.tokenizer.tokenize(q)) > settings["max_query_length"]
            for q, _ in pairs), len(pairs),
        "question(s) were longer than max_query_length=%d tokens and were "
        "cut to it" % settings["max_query_length"])
    results = []
    for batch in _batches(features, batch_size):
      outputs = self._runner.run(batch)
      for feature, start, end in zip(batch, outputs["start_logits"],
                                     outputs["end_logits"]):
        results.append(squad_answers.RawResult(feature.unique_id, start, end))
    predictions = squad_answers.decode_predictions(
        examples, features, results, settings["n_best_size"],
        settings["max_answer_length"], self.do_lower_case,
        version_2_with_negative=settings["version_2_with_negative"],
        null_score_diff_threshold=settings["null_score_diff_threshold"])
    answers = []
    for example in examples:
      text = predictions.predictions[example.qas_id]
      # The answer's own entry in the n best (under SQuAD 2.0 "" may win
      # by the threshold while a span is ranked first).
      score = next(entry["probability"]
                   for entry in predictions.nbest[example.qas_id]
                   if entry["text"] == text)
      answers.append(Answer(text, float(score)))
    return answers


# ----------------------------------------------------------------------------
# The shell: python -m predictor --model_dir=DIR < texts.txt
# ----------------------------------------------------------------------------

FLAGS = flags.FLAGS


def define_flags(flag_values=flags.FLAGS):
  """Defines the command-line flags on `flag_values`."""
  flags.DEFINE_string(
      "model_dir", None,
      "A fine-tuning --output_dir of run_classifier.py or run_squad.py, or a "
      "SavedModel written with --export_dir.", flag_values=flag_values)
  flags.DEFINE_integer("batch_size", 32, "Inputs per run of the model.",
                       flag_values=flag_values)
  flags.DEFINE_enum(
      "precision", "fp32", list(estimator_runtime.PRECISIONS),
      "Arithmetic of the encoder's matrix products (outputs stay float32). "
      "A SavedModel runs in the precision it was exported in, whatever "
      "the default; given explicitly, it must be that one. bf16 is faster "
      "on CPUs with AVX512_BF16 or AMX; elsewhere it is emulated and slower "
      "(a warning says so).", flag_values=flag_values)


def read_inputs(lines, kind):
  """Input lines -> texts, pairs or (question, context) pairs.

  Every line is one input, so that output row i answers input line i: a
  blank line is an empty text; `a ||| b` is a pair (SQuAD: question |||
  context).

  Raises:
    UsageError: no input at all, or a SQuAD line without its context
      (named by its number).
  """
  inputs = []
  for line_number, line in enumerate(lines, start=1):
    line = line.rstrip("\r\n")
    if PAIR_SEPARATOR in line:
      inputs.append(tuple(line.split(PAIR_SEPARATOR, 1)))
    elif kind == export_utils.SQUAD:
      raise UsageError("standard input line %d: expected 'question%scontext'"
                       % (line_number, PAIR_SEPARATOR))
    else:
      inputs.append(line)
  if not inputs:
    raise UsageError("no input: give one text per line on standard input")
  return inputs


def main(_):
  settings = script_settings.from_flags(FLAGS)
  if FLAGS["precision"].present:
    # script_utils.run has warned of it already, if this CPU emulates it.
    _ALREADY_WARNED.add(script_utils.precision_warning(settings.precision))
  else:
    # Not given: fp32 for a checkpoint, a SavedModel's own precision.
    settings = settings.replace(precision=None)
  run(settings, sys.stdin, sys.stdout)


def run(settings, input_lines, output):
  """Predicts for every line of `input_lines`, one row each, into `output`.

  Args:
    settings: `script_settings.Settings` of `define_flags` (model_dir,
      batch_size, precision: None for the model's own, see `load`).
    input_lines: iterable of str, one input each (see `read_inputs`).
    output: a text stream; a header row, then a row per input line,
      tab-separated, written only once everything is predicted.
  """
  script_utils.require_flags(settings, ["model_dir"])
  with load(settings.model_dir, precision=settings.precision) as model:
    inputs = read_inputs(input_lines, model.info["kind"])
    lines = []
    if isinstance(model, QuestionAnswerer):
      lines.append("answer\tscore")
      for answer in model.answer_all(inputs, settings.batch_size):
        lines.append("%s\t%r" % (answer.text, answer.score))
    else:
      lines.append("\t".join(["prediction"] + [
          "P(%s)" % label for label in model.labels
          if not model.is_regression]))
      for result in model.classify(inputs, settings.batch_size):
        if model.multi_label:
          label = multilabel.format_label_set(result.labels)
        else:
          label = (repr(result.score) if model.is_regression else
                   result.label)
        lines.append("\t".join([label] + [
            repr(p) for p in result.probabilities.values()]))
  # Written only once everything is predicted: no partial output.
  output.write("\n".join(lines) + "\n")


if __name__ == "__main__":
  define_flags()
  script_utils.run(main)
