# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""BERT-Base-shaped inference and training speed: fp32, bf16 and XLA.

Builds the model with random weights (12 layers, hidden 768, 12 heads,
intermediate 3072, vocabulary 30522, sequence 128 by default) once per
configuration, each in its own graph and session, and times them side by
side: every round runs each configuration in turn, so a change in machine
load hits all of them alike. Configurations:

- inference: `modeling.BertModel` in fp32, bf16, fp32+XLA, bf16+XLA, plus a
  "plain graph": a minimal hand-written TF graph of the same model (same
  shapes and ops, no casts, no helper layers), the baseline the fp32 code
  path must not fall behind;
- training: `run_classifier.create_model` + `optimization.create_optimizer`
  (AdamW, clipping) in fp32, bf16, fp32+XLA, bf16+XLA.

XLA uses the session config `--use_xla` gives the estimator
(`estimator_runtime.make_run_config`). Prints a markdown table of examples/s
(median over rounds) and the ratio to fp32 measured in the same run.

  python bench/bench_model.py                      # full BERT-Base shape
  python bench/bench_model.py --layers=4 --steps=2 # shrunk, for a busy machine
  python bench/bench_model.py --modes=matmul --batch=1 --steps=5 --rounds=3
                                                   # fp32 vs bf16 matmul GFLOP/s
"""

import math
import os
import sys
import time

from absl import app
from absl import flags
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # pylint: disable=g-import-not-at-top,wrong-import-position

import estimator_runtime  # pylint: disable=g-import-not-at-top,wrong-import-position
import modeling  # pylint: disable=g-import-not-at-top,wrong-import-position
import optimization  # pylint: disable=g-import-not-at-top,wrong-import-position
import run_classifier  # pylint: disable=g-import-not-at-top,wrong-import-position

tf1 = tf.compat.v1
FLAGS = flags.FLAGS

flags.DEFINE_integer("layers", 12, "Transformer layers.")
flags.DEFINE_integer("hidden", 768, "Hidden size.")
flags.DEFINE_integer("heads", 12, "Attention heads.")
flags.DEFINE_integer("intermediate", 3072, "Feed-forward size.")
flags.DEFINE_integer("vocab", 30522, "Vocabulary size.")
flags.DEFINE_integer("seq", 128, "Sequence length.")
flags.DEFINE_integer("batch", 8, "Examples per step.")
flags.DEFINE_integer("warmup", 1, "Untimed steps per configuration (and XLA "
                     "compilation) before the first round.")
flags.DEFINE_integer("steps", 3, "Timed steps per configuration per round.")
flags.DEFINE_integer("rounds", 2, "Interleaved rounds over the configurations.")
flags.DEFINE_list("modes", ["inference", "training"],
                  "What to time: inference, training and/or matmul (a "
                  "1024x1024 matrix product, the hardware's ceiling).")
flags.DEFINE_integer("matmul_size", 1024, "Matrix size for --modes=matmul.")

CONFIGS = (("fp32", tf.float32, False), ("bf16", tf.bfloat16, False),
           ("fp32+XLA", tf.float32, True), ("bf16+XLA", tf.bfloat16, True))


def bert_config():
  return modeling.BertConfig(
      vocab_size=FLAGS.vocab, hidden_size=FLAGS.hidden,
      num_hidden_layers=FLAGS.layers, num_attention_heads=FLAGS.heads,
      intermediate_size=FLAGS.intermediate, max_position_embeddings=512)


def random_inputs():
  """Fixed random batch: ids, an all-ones mask, two segments."""
  rng = np.random.RandomState(0)
  ids = rng.randint(0, FLAGS.vocab, size=(FLAGS.batch, FLAGS.seq))
  mask = np.ones((FLAGS.batch, FLAGS.seq))
  types = np.zeros((FLAGS.batch, FLAGS.seq))
  types[:, FLAGS.seq // 2:] = 1
  labels = np.arange(FLAGS.batch) % 2
  return [tf.constant(a, tf.int32) for a in (ids, mask, types, labels)]


def session_config(use_xla):
  return estimator_runtime.make_run_config("/tmp/unused_bench_dir",
                                           use_xla=use_xla).session_config


def plain_bert(ids, mask, types):
  """A minimal fp32 BERT graph, written straight from the architecture.

  Args:
    ids, mask, types: int32 [batch_size, seq_length].

  Returns:
    float32 [batch_size, seq_length, hidden_size], the last layer.
  """
  b, s, h, n = FLAGS.batch, FLAGS.seq, FLAGS.hidden, FLAGS.heads
  d = h // n
  init = tf1.truncated_normal_initializer(stddev=0.02)

  def var(name, shape):
    return tf1.get_variable(name, shape, initializer=init)

  def norm(x, name):
    mean, variance = tf.nn.moments(x, axes=[-1], keepdims=True)
    return ((x - mean) * tf.math.rsqrt(variance + 1e-12) *
            var(name + "/g", [h]) + var(name + "/b", [h]))

  def gelu(x):
    return 0.5 * x * (1.0 + tf.tanh(math.sqrt(2.0 / math.pi) *
                                    (x + 0.044715 * x * x * x)))

  x = (tf.gather(var("word", [FLAGS.vocab, h]), ids) +
       tf.gather(var("type", [2, h]), types) +
       var("pos", [512, h])[:s])
  x = tf.reshape(norm(x, "emb"), [b * s, h])
  adder = (1.0 - tf.cast(mask[:, None, None, :], tf.float32)) * -10000.0
  for i in range(FLAGS.layers):
    p = "l%d/" % i

    def heads(t):
      return tf.transpose(tf.reshape(t, [b, s, n, d]), [0, 2, 1, 3])

    q = heads(tf.matmul(x, var(p + "q", [h, h])) + var(p + "qb", [h]))
    k = heads(tf.matmul(x, var(p + "k", [h, h])) + var(p + "kb", [h]))
    v = heads(tf.matmul(x, var(p + "v", [h, h])) + var(p + "vb", [h]))
    probs = tf.nn.softmax(tf.matmul(q, k, transpose_b=True) /
                          math.sqrt(d) + adder)
    context = tf.reshape(tf.transpose(tf.matmul(probs, v), [0, 2, 1, 3]),
                         [b * s, h])
    x = norm(tf.matmul(context, var(p + "o", [h, h])) + var(p + "ob", [h]) +
             x, p + "n1")
    inner = gelu(tf.matmul(x, var(p + "i", [h, FLAGS.intermediate])) +
                 var(p + "ib", [FLAGS.intermediate]))
    x = norm(tf.matmul(inner, var(p + "f", [FLAGS.intermediate, h])) +
             var(p + "fb", [h]) + x, p + "n2")
  return tf.reshape(x, [b, s, h])


def matmul_chain(compute_type, count=10):
  """`count` dependent [n, n] x [n, n] products in `compute_type`."""
  n = FLAGS.matmul_size
  a = tf.cast(tf1.get_variable("a", [n, n]), compute_type)
  x = tf.cast(tf1.get_variable("x", [n, n]), compute_type)
  for _ in range(count):
    x = tf.matmul(x, a) * tf.constant(0.03, compute_type)
  return tf.reduce_sum(tf.cast(x, tf.float32))


def build(mode, compute_type, use_xla, plain=False):
  """Returns (session, fetch) for one configuration in its own graph."""
  graph = tf.Graph()
  with graph.as_default():
    tf1.set_random_seed(0)
    ids, mask, types, labels = random_inputs()
    if mode == "matmul":
      fetch = matmul_chain(compute_type)
    elif plain:
      fetch = plain_bert(ids, mask, types)
    elif mode == "inference":
      model = modeling.BertModel(
          config=bert_config(), is_training=False, input_ids=ids,
          input_mask=mask, token_type_ids=types, compute_type=compute_type)
      fetch = model.get_sequence_output()
    else:
      loss, _, _, _ = run_classifier.create_model(
          bert_config(), True, ids, mask, types, labels, 2, False,
          compute_type=compute_type)
      fetch = optimization.create_optimizer(
          loss, 1e-5, 1000, 10, False,
          loss_scale=optimization.loss_scale_for(compute_type))
    sess = tf1.Session(graph=graph, config=session_config(use_xla))
    sess.run([tf1.global_variables_initializer(),
              tf1.local_variables_initializer()])
  return sess, fetch


def time_steps(sess, fetch, steps):
  start = time.time()
  for _ in range(steps):
    sess.run(fetch)
  return time.time() - start


def bench(mode):
  """Times every configuration of `mode`; returns {name: [examples/s]}."""
  entries = [(name, ct, xla, False) for name, ct, xla in CONFIGS]
  if mode == "inference":
    entries.insert(1, ("plain graph fp32", tf.float32, False, True))
  built = []
  for name, compute_type, use_xla, plain in entries:
    sess, fetch = build(mode, compute_type, use_xla, plain)
    start = time.time()
    for _ in range(FLAGS.warmup):
      sess.run(fetch)
    print("  built and warmed %-18s %6.1f s" % (name, time.time() - start),
          flush=True)
    built.append((name, sess, fetch))
  rates = {name: [] for name, _, _ in built}
  for round_index in range(FLAGS.rounds):
    for name, sess, fetch in built:
      seconds = time_steps(sess, fetch, FLAGS.steps)
      rates[name].append(FLAGS.batch * FLAGS.steps / seconds)
      print("  round %d %-18s %8.2f examples/s" %
            (round_index + 1, name, rates[name][-1]), flush=True)
  for _, sess, _ in built:
    sess.close()
  if mode == "matmul":
    # Report GFLOP/s instead: 10 products of 2 n^3 operations per "example".
    flops = 10 * 2.0 * FLAGS.matmul_size**3 / FLAGS.batch / 1e9
    rates = {name: [r * flops for r in values]
             for name, values in rates.items()}
  return rates


def main(argv):
  del argv
  # Before the first session: the fp32 configurations run before XLA ones.
  estimator_runtime.enable_xla_on_cpu()
  shape = ("layers=%d hidden=%d heads=%d intermediate=%d vocab=%d seq=%d "
           "batch=%d; %d warm-up step(s), %d rounds x %d timed steps" %
           (FLAGS.layers, FLAGS.hidden, FLAGS.heads, FLAGS.intermediate,
            FLAGS.vocab, FLAGS.seq, FLAGS.batch, FLAGS.warmup, FLAGS.rounds,
            FLAGS.steps))
  print("Shape:", shape, flush=True)
  tables = []
  for mode in FLAGS.modes:
    print("%s:" % mode, flush=True)
    rates = bench(mode)
    baseline = float(np.median(rates["fp32"]))
    unit = "GFLOP/s" if mode == "matmul" else "examples/s"
    lines = ["| %s | %s (median) | vs fp32 |" % (mode, unit),
             "|---|---:|---:|"]
    for name, values in rates.items():
      median = float(np.median(values))
      lines.append("| %s | %.2f | %.2fx |" % (name, median, median / baseline))
    tables.append("\n".join(lines))
  print("\n" + shape + "\n")
  print("\n\n".join(tables))


if __name__ == "__main__":
  app.run(main)
