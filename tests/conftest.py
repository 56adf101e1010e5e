"""Shared pytest set-up: import the flat root modules and keep TF quiet."""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
  sys.path.insert(0, ROOT)


# The tiny BERT the tests share: small enough to build and train in seconds,
# with every part of the real one (2 layers, 2 heads, hidden size 32).
TINY_BERT_CONFIG = {
    "vocab_size": 64,
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "intermediate_size": 64,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1,
    "attention_probs_dropout_prob": 0.1,
    "max_position_embeddings": 64,
    "type_vocab_size": 2,
    "initializer_range": 0.02,
}


def tiny_bert_config(**overrides):
  """A copy of TINY_BERT_CONFIG (a bert_config.json dict) with `overrides`."""
  config = dict(TINY_BERT_CONFIG)
  config.update(overrides)
  return config


def write_encoder_checkpoint(config_dict, path):
  """Saves a randomly initialised encoder (bert/..., global_step) at `path`.

  Args:
    config_dict: a bert_config.json dict, e.g. from `tiny_bert_config`.
    path: checkpoint prefix; its directory is created.

  Returns:
    `path`.
  """
  # Imported here so that collecting tests that need no TensorFlow stays fast.
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  import modeling  # pylint: disable=g-import-not-at-top
  tf1 = tf.compat.v1
  os.makedirs(os.path.dirname(path), exist_ok=True)
  config = modeling.BertConfig.from_dict(config_dict)
  with tf.Graph().as_default():
    modeling.BertModel(config=config, is_training=False,
                       input_ids=tf.zeros([1, 4], tf.int32))
    tf1.train.get_or_create_global_step()
    with tf1.Session() as sess:
      sess.run(tf1.global_variables_initializer())
      tf1.train.Saver().save(sess, path)
  return path
