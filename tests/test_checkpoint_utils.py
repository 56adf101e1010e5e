# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""checkpoint_utils: what a warm start logs, and the config/checkpoint check."""

import logging
import os

import pytest
import tensorflow as tf

import checkpoint_utils
import modeling
import script_utils

tf1 = tf.compat.v1

CONFIG = modeling.BertConfig(vocab_size=20, hidden_size=8,
                             num_hidden_layers=1, num_attention_heads=2,
                             intermediate_size=16, max_position_embeddings=16)


def _encoder(config=CONFIG):
  modeling.BertModel(config=config, is_training=False,
                     input_ids=tf.zeros([1, 4], tf.int32))


@pytest.fixture(scope="module")
def encoder_checkpoint(tmp_path_factory):
  """A checkpoint of the encoder alone, as a released model has."""
  prefix = str(tmp_path_factory.mktemp("encoder") / "bert_model.ckpt")
  with tf.Graph().as_default():
    _encoder()
    with tf1.Session() as sess:
      sess.run(tf1.global_variables_initializer())
      tf1.train.Saver().save(sess, prefix)
  return prefix


_OURS = os.path.abspath(checkpoint_utils.__file__)


class _Lines(logging.Handler):
  """What checkpoint_utils logs (TensorFlow's own DEBUG lines left out)."""

  def __init__(self):
    super().__init__(logging.DEBUG)
    self.lines = []

  def emit(self, record):
    if os.path.abspath(record.pathname) == _OURS:
      self.lines.append(record.getMessage())


def _warm_start_log(monkeypatch, init_checkpoint, verbosity):
  """The lines init_from_checkpoint logs for the encoder plus a task head
  (output_weights, output_bias: the classifier's), at `verbosity`."""
  monkeypatch.setattr(checkpoint_utils, "_variables_summarised", False)
  handler = _Lines()
  logger = logging.getLogger("tensorflow")
  old_verbosity = tf1.logging.get_verbosity()
  logger.addHandler(handler)
  tf1.logging.set_verbosity(verbosity)
  try:
    with tf.Graph().as_default():
      _encoder()
      tf1.get_variable("output_weights", [2, CONFIG.hidden_size])
      tf1.get_variable("output_bias", [2])
      checkpoint_utils.init_from_checkpoint(init_checkpoint, use_tpu=False)
  finally:
    tf1.logging.set_verbosity(old_verbosity)
    logger.removeHandler(handler)
  return handler.lines


def test_default_log_says_in_one_line_what_came_from_the_checkpoint(
    monkeypatch, encoder_checkpoint):
  lines = _warm_start_log(monkeypatch, encoder_checkpoint, tf1.logging.INFO)
  num_encoder = 5 + 16 + 2  # Embeddings, one layer, the pooler.
  assert lines == [
      "Trainable variables: %d of %d from --init_checkpoint "
      "(*INIT_FROM_CKPT*); new, initialised randomly: output_weights, "
      "output_bias (-v 1 lists them all)" % (num_encoder, num_encoder + 2)]


def test_verbose_log_lists_every_variable(monkeypatch, encoder_checkpoint):
  lines = _warm_start_log(monkeypatch, encoder_checkpoint, tf1.logging.DEBUG)
  assert lines[0].startswith("Trainable variables: 23 of 25 ")
  assert lines[1] == "**** Trainable Variables ****"
  listed = lines[2:]
  assert len(listed) == 25
  assert all(line.endswith(", *INIT_FROM_CKPT*")
             for line in listed if "name = bert/" in line)
  assert [line for line in listed if "INIT_FROM_CKPT" not in line] == [
      "  name = output_weights:0, shape = (2, 8)",
      "  name = output_bias:0, shape = (2,)"]


def test_the_one_line_is_logged_once_per_run(monkeypatch, encoder_checkpoint):
  """Evaluation and prediction build the same graph again."""
  first = _warm_start_log(monkeypatch, encoder_checkpoint, tf1.logging.INFO)
  handler = _Lines()
  logging.getLogger("tensorflow").addHandler(handler)
  try:
    with tf.Graph().as_default():
      _encoder()
      checkpoint_utils.init_from_checkpoint(encoder_checkpoint, False)
  finally:
    logging.getLogger("tensorflow").removeHandler(handler)
  assert len(first) == 1
  assert not [line for line in handler.lines
              if line.startswith("Trainable variables")]


def test_many_new_variables_are_counted_by_scope():
  names = ["bert/embeddings/word_embeddings"] + [
      "cls/predictions/%s" % name for name in ("a", "b", "c", "d", "e")] + [
          "cls/seq_relationship/output_weights",
          "cls/seq_relationship/output_bias"]
  with tf.Graph().as_default():
    tvars = [tf1.get_variable(name, [1]) for name in names]
  line = checkpoint_utils.summarize_variables(
      tvars, {names[0]: 1, names[0] + ":0": 1})
  assert line == ("Trainable variables: 1 of 8 from --init_checkpoint "
                  "(*INIT_FROM_CKPT*); 7 new, initialised randomly: "
                  "cls/predictions 5, cls/seq_relationship 2 (-v 1 lists them "
                  "all)")


def test_nothing_is_logged_without_a_checkpoint(monkeypatch):
  lines = _warm_start_log(monkeypatch, None, tf1.logging.INFO)
  assert lines == []


def test_a_checkpoint_of_another_config_is_one_line_with_one_hint(
    encoder_checkpoint):
  wider = modeling.BertConfig.from_dict(dict(CONFIG.to_dict(),
                                             intermediate_size=24))
  with pytest.raises(script_utils.UsageError) as error:
    checkpoint_utils.check_checkpoint_fits_config(encoder_checkpoint, wider)
  message = str(error.value)
  assert message.startswith("--init_checkpoint: %s: variable bert/encoder/"
                            "layer_0/" % encoder_checkpoint)
  assert "has shape [16" in message or "has shape [8, 16]" in message
  assert "\n" not in message
  # The hint that the checkpoint may belong to another config, said once.
  assert message.count("(does") == 1 and message.count("?") == 1
  assert message.endswith("(does the checkpoint belong to this config?)")
