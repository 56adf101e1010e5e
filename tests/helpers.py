# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""What many test files need, in one place.

- the tiny BERT (`tiny_bert_config`) and the files of a model directory
  (`write_vocab`, `write_bert_config`, `write_encoder_checkpoint`);
- pre-training data made from sample_text.txt (`write_pretraining_data`);
- running a script as a user does, in a child process (`run_script`,
  `start_script`), or many command lines with one TensorFlow import
  (`run_scripts_in_one_process`, through tests/script_runner.py).

TensorFlow is imported inside the functions that need it, so that test files
which need none stay quick to collect.
"""

import json
import os
import random
import subprocess
import sys
import types

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLE_TEXT = os.path.join(ROOT, "sample_text.txt")
SCRIPT_RUNNER = os.path.join(ROOT, "tests", "script_runner.py")

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

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
  for key in overrides:
    assert key in TINY_BERT_CONFIG, key
  config = dict(TINY_BERT_CONFIG)
  config.update(overrides)
  return config


# ----------------------------------------------------------------------------
# Model files
# ----------------------------------------------------------------------------


def write_vocab(path, tokens):
  """Writes `tokens` one a line (the vocab.txt layout); returns the path."""
  path = str(path)
  with open(path, "w", encoding="utf-8") as f:
    f.write("".join(token + "\n" for token in tokens))
  return path


def write_bert_config(path, config_dict):
  """Writes a bert_config.json dict to `path`; returns the path."""
  path = str(path)
  with open(path, "w") as f:
    json.dump(config_dict, f, indent=2)
  return path


def write_encoder_checkpoint(config_dict, path, global_step=True):
  """Saves a randomly initialised encoder (bert/... variables) at `path`.

  Args:
    config_dict: a bert_config.json dict, e.g. from `tiny_bert_config`.
    path: checkpoint prefix; its directory is created.
    global_step: whether the checkpoint has a global_step too (a
      pre-training checkpoint has; a bare BertModel's has not).

  Returns:
    `path`.
  """
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  import modeling  # pylint: disable=g-import-not-at-top
  tf1 = tf.compat.v1
  path = str(path)
  os.makedirs(os.path.dirname(path), exist_ok=True)
  config = modeling.BertConfig.from_dict(config_dict)
  with tf.Graph().as_default():
    modeling.BertModel(config=config, is_training=False,
                       input_ids=tf.zeros([1, 4], tf.int32))
    if global_step:
      tf1.train.get_or_create_global_step()
    with tf1.Session() as sess:
      sess.run(tf1.global_variables_initializer())
      tf1.train.Saver().save(sess, path)
  return path


# ----------------------------------------------------------------------------
# Pre-training data
# ----------------------------------------------------------------------------


def write_pretraining_data(directory, max_seq_length, max_predictions_per_seq,
                           vocab_size, dupe_factor, seed, num_records=None,
                           records_name="train.tfrecord"):
  """Pre-training records of sample_text.txt, with their vocab and config.

  A WordPiece vocabulary of `vocab_size` tokens is learnt from the sample
  (lower-cased), the sample is made into seeded instances (short_seq_prob
  0.1, masked_lm_prob 0.15) and written as records, and a tiny BERT config
  for that vocabulary is written beside them.

  Args:
    directory: where vocab.txt, the records and bert_config.json go.
    max_seq_length, max_predictions_per_seq, dupe_factor: as the
      create_pretraining_data.py flags.
    vocab_size: the size of the learnt vocabulary.
    seed: seed of the instances' random.Random.
    num_records: keep only the first this many instances (None: all).
    records_name: file name of the records.

  Returns:
    namespace of vocab_file, records, config (dict), config_file and
    num_records.
  """
  import create_pretraining_data as cpd  # pylint: disable=g-import-not-at-top
  import learn_vocab  # pylint: disable=g-import-not-at-top
  import tokenization  # pylint: disable=g-import-not-at-top
  directory = str(directory)
  os.makedirs(directory, exist_ok=True)
  vocab_file = os.path.join(directory, "vocab.txt")
  counts = learn_vocab.count_words([SAMPLE_TEXT], do_lower_case=True)
  learn_vocab.write_vocab(learn_vocab.learn_vocab(counts, vocab_size),
                          vocab_file)
  tokenizer = tokenization.FullTokenizer(vocab_file, do_lower_case=True)
  instances = cpd.create_training_instances(
      [SAMPLE_TEXT], tokenizer, max_seq_length, dupe_factor=dupe_factor,
      short_seq_prob=0.1, masked_lm_prob=0.15,
      max_predictions_per_seq=max_predictions_per_seq,
      rng=random.Random(seed))
  if num_records is not None:
    instances = instances[:num_records]
  records = os.path.join(directory, records_name)
  cpd.write_instance_to_example_files(instances, tokenizer, max_seq_length,
                                      max_predictions_per_seq, [records])
  config = tiny_bert_config(vocab_size=len(tokenizer.vocab))
  config_file = write_bert_config(os.path.join(directory, "bert_config.json"),
                                  config)
  return types.SimpleNamespace(vocab_file=vocab_file, records=records,
                               config=config, config_file=config_file,
                               num_records=len(instances))


# ----------------------------------------------------------------------------
# Running the scripts as a user does
# ----------------------------------------------------------------------------


def script_env(**overrides):
  """The environment for a script's child process: this one, TensorFlow's
  C++ log quiet, no GPU (so that runs compare across machines), then
  `overrides` (a value of None removes the variable)."""
  env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="")
  for name, value in overrides.items():
    if value is None:
      env.pop(name, None)
    else:
      env[name] = value
  return env


def run_script(args, stdin=None, env=None, timeout=600, cwd=ROOT):
  """Runs `python args...` (a script path, "-m module" or "-c code") to the end.

  Returns:
    subprocess.CompletedProcess with text stdout and stderr and returncode.
  """
  return subprocess.run([sys.executable] + [str(a) for a in args], cwd=cwd,
                        env=script_env() if env is None else env,
                        input=stdin, capture_output=True, text=True,
                        timeout=timeout)


def start_script(args, env=None, stdout=subprocess.PIPE,
                 stderr=subprocess.PIPE, cwd=ROOT):
  """Starts `python args...` without waiting (for runs side by side).

  Returns:
    subprocess.Popen in text mode; `communicate()` it.
  """
  return subprocess.Popen([sys.executable] + [str(a) for a in args], cwd=cwd,
                          env=script_env() if env is None else env,
                          stdout=stdout, stderr=stderr, text=True)


def run_scripts_in_one_process(cases, work_dir, env=None, timeout=900):
  """Runs many script command lines as child processes of one warm parent.

  Each command line is a real child process (its own exit status, stdout and
  stderr), forked from tests/script_runner.py, which has imported TensorFlow
  once.

  Args:
    cases: list of (script file name, argument list).
    work_dir: a directory for the runner's case and result files.
    env: environment (default `script_env()`).

  Returns:
    list of {"returncode", "stdout", "stderr"}, in the order of `cases`.
  """
  work_dir = str(work_dir)
  cases_file = os.path.join(work_dir, "cases.json")
  results_file = os.path.join(work_dir, "results.json")
  with open(cases_file, "w") as f:
    json.dump([{"script": script, "args": [str(a) for a in args]}
               for script, args in cases], f)
  subprocess.run([sys.executable, SCRIPT_RUNNER, cases_file, results_file],
                 cwd=ROOT, env=script_env() if env is None else env,
                 check=True, timeout=timeout)
  with open(results_file) as f:
    return json.load(f)
