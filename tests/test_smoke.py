# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""The smoke set: a model's whole life through the command lines, in minutes.

Run on every TensorFlow the project claims (`make smoke TF=2.x`, and CI's
Colab and TF 2.16 lanes, see docs/runtimes.md): it catches what breaks
between TensorFlow and protobuf releases (a checkpoint that cannot be saved,
an export that cannot be loaded), not modelling mistakes, which the full
suite covers on two runtimes.

Each step is a fresh `python <script>.py ...` process, exactly as a user
types it, on a tiny model (2 layers, hidden size 32) and a made-up MRPC-style
task: pre-training data, pre-training with evaluation, the README's MRPC
fine-tuning and prediction commands, resuming a run, exporting a SavedModel
(loaded back) and converting the fine-tuned model to Hugging Face's layout
and back. The file depends on nothing but the command lines, so moving code
between modules does not touch it.
"""

import json
import os
import random
import shutil
import subprocess
import sys

import pytest

# Every test starts the scripts as processes.
pytestmark = pytest.mark.slow

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_WORDS = ("the a dog cat bird fish sees eats likes runs near under big small "
          "red blue old new river house tree stone sun moon day night walks "
          "sleeps sings water bread milk green quick slow far").split()
_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", ","] + _WORDS

_CONFIG = {
    "vocab_size": len(_VOCAB), "hidden_size": 32, "num_hidden_layers": 2,
    "num_attention_heads": 2, "intermediate_size": 64, "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
    "max_position_embeddings": 64, "type_vocab_size": 2,
    "initializer_range": 0.02,
}
_SEQ = "32"
_TRAIN_EXAMPLES, _BATCH = 16, 8


def _sentence(rng, n=6):
  return " ".join(rng.choice(_WORDS) for _ in range(n)) + " ."


def _script(name, *args, cwd=None):
  """Runs `python <name>.py args...`; its combined log. Fails on exit != 0."""
  env = {k: v for k, v in os.environ.items()
         if k not in ("TF_CPP_MIN_LOG_LEVEL", "PYTHONPATH")}
  env["CUDA_VISIBLE_DEVICES"] = "-1"
  result = subprocess.run(
      [sys.executable, os.path.join(ROOT, name + ".py")] + list(args),
      cwd=cwd or ROOT, env=env, capture_output=True, text=True, timeout=900)
  log = result.stdout + result.stderr
  assert result.returncode == 0, "%s %s\n%s" % (name, args, log[-4000:])
  return log


def _read_results(path):
  """eval_results.txt: {name: float}."""
  results = {}
  with open(path) as f:
    for line in f:
      name, _, value = line.partition(" = ")
      results[name.strip()] = float(value)
  return results


def _read_probabilities(path):
  with open(path) as f:
    return [[float(x) for x in line.split("\t")] for line in f]


@pytest.fixture(scope="module")
def work(tmp_path_factory):
  """A folder with vocab.txt, bert_config.json, a text corpus and MRPC data."""
  work = tmp_path_factory.mktemp("smoke")
  rng = random.Random(0)
  model = work / "model"
  model.mkdir()
  (model / "vocab.txt").write_text("\n".join(_VOCAB) + "\n")
  (model / "bert_config.json").write_text(json.dumps(_CONFIG, indent=2))
  # Documents of sentences, one per line, a blank line between documents.
  (work / "corpus.txt").write_text("\n\n".join(
      "\n".join(_sentence(rng) for _ in range(8)) for _ in range(6)) + "\n")
  mrpc = work / "MRPC"
  mrpc.mkdir()
  header = "Quality\t#1 ID\t#2 ID\t#1 String\t#2 String\n"
  for name, n in (("train", _TRAIN_EXAMPLES), ("dev", 8)):
    rows = ["%d\t%d\t%d\t%s\t%s" % (i % 2, 2 * i, 2 * i + 1, _sentence(rng),
                                     _sentence(rng)) for i in range(n)]
    (mrpc / (name + ".tsv")).write_text(header + "\n".join(rows) + "\n")
  rows = ["%d\t%d\t%d\t%s\t%s" % (i, 2 * i, 2 * i + 1, _sentence(rng),
                                   _sentence(rng)) for i in range(5)]
  (mrpc / "test.tsv").write_text(
      "index\t#1 ID\t#2 ID\t#1 String\t#2 String\n" + "\n".join(rows) + "\n")
  return work


@pytest.fixture(scope="module")
def pretrained(work):
  """create_pretraining_data.py, then run_pretraining.py --do_train --do_eval
  from scratch: the model directory with its checkpoint."""
  model = work / "model"
  records = str(work / "pretraining.tfrecord")
  _script("create_pretraining_data", "--input_file=%s" % (work / "corpus.txt"),
          "--output_file=" + records, "--vocab_file=%s" % (model / "vocab.txt"),
          "--do_lower_case=True", "--max_seq_length=" + _SEQ,
          "--max_predictions_per_seq=5", "--masked_lm_prob=0.15",
          "--random_seed=12345", "--dupe_factor=2")
  assert os.path.getsize(records) > 0
  out = work / "pretraining"
  _script("run_pretraining", "--input_file=" + records,
          "--output_dir=%s" % out, "--do_train=True", "--do_eval=True",
          "--bert_config_file=%s" % (model / "bert_config.json"),
          "--train_batch_size=8", "--eval_batch_size=8",
          "--max_seq_length=" + _SEQ, "--max_predictions_per_seq=5",
          "--num_train_steps=3", "--num_warmup_steps=1",
          "--max_eval_steps=2", "--learning_rate=1e-3")
  results = _read_results(out / "eval_results.txt")
  assert results["global_step"] == 3
  assert 0 <= results["masked_lm_accuracy"] <= 1
  for name in ("model.ckpt-3.index", "model.ckpt-3.meta", "checkpoint"):
    assert (out / name).exists(), name
  return {"vocab_file": str(model / "vocab.txt"),
          "bert_config_file": str(model / "bert_config.json"),
          "init_checkpoint": str(out / "model.ckpt-3")}


def _readme_fine_tuning(work, pretrained, output_dir, epochs="1.0"):
  """The README's MRPC command, on the tiny model."""
  return _script(
      "run_classifier", "--task_name=MRPC", "--do_train=true",
      "--do_eval=true", "--data_dir=%s" % (work / "MRPC"),
      "--vocab_file=" + pretrained["vocab_file"],
      "--bert_config_file=" + pretrained["bert_config_file"],
      "--init_checkpoint=" + pretrained["init_checkpoint"],
      "--max_seq_length=" + _SEQ, "--train_batch_size=%d" % _BATCH,
      "--learning_rate=2e-5", "--num_train_epochs=" + epochs,
      "--output_dir=%s/" % output_dir)


def _readme_prediction(work, pretrained, init_checkpoint, output_dir):
  """The README's MRPC prediction command, on the tiny model."""
  _script("run_classifier", "--task_name=MRPC", "--do_predict=true",
          "--data_dir=%s" % (work / "MRPC"),
          "--vocab_file=" + pretrained["vocab_file"],
          "--bert_config_file=" + pretrained["bert_config_file"],
          "--init_checkpoint=%s" % init_checkpoint,
          "--max_seq_length=" + _SEQ, "--output_dir=%s/" % output_dir)
  return _read_probabilities(os.path.join(output_dir, "test_results.tsv"))


@pytest.fixture(scope="module")
def fine_tuned(work, pretrained):
  output_dir = work / "mrpc_output"
  _readme_fine_tuning(work, pretrained, output_dir)
  return output_dir


def test_pretraining(pretrained):
  assert os.path.exists(pretrained["init_checkpoint"] + ".index")


def test_readme_mrpc_fine_tuning_and_evaluation(fine_tuned):
  steps = _TRAIN_EXAMPLES // _BATCH
  results = _read_results(fine_tuned / "eval_results.txt")
  assert results["global_step"] == steps
  assert 0 <= results["eval_accuracy"] <= 1
  assert "eval_f1" in results
  for name in ("model.ckpt-%d.index" % steps, "model.ckpt-%d.meta" % steps,
               "vocab.txt", "bert_config.json", "model_info.json"):
    assert (fine_tuned / name).exists(), name
  assert list((fine_tuned / "eval").glob("events.out.tfevents.*"))


@pytest.fixture(scope="module")
def predictions(work, pretrained, fine_tuned):
  return _readme_prediction(work, pretrained, fine_tuned,
                            work / "mrpc_predictions")


def test_readme_mrpc_prediction(predictions):
  probabilities = predictions
  assert len(probabilities) == 5  # one line per example of test.tsv
  for line in probabilities:
    assert len(line) == 2 and abs(sum(line) - 1) < 1e-4


def test_resume(work, pretrained, fine_tuned):
  """The same command with twice the epochs continues from the checkpoint."""
  output_dir = work / "resumed"
  shutil.copytree(fine_tuned, output_dir)
  log = _readme_fine_tuning(work, pretrained, output_dir, epochs="2.0")
  steps = _TRAIN_EXAMPLES // _BATCH
  assert "model.ckpt-%d" % steps in log  # where it resumed from
  results = _read_results(output_dir / "eval_results.txt")
  assert results["global_step"] == 2 * steps


def test_export_and_serve(work, pretrained, fine_tuned):
  export_dir = work / "saved_model"
  _script("run_classifier", "--task_name=MRPC",
          "--vocab_file=" + pretrained["vocab_file"],
          "--bert_config_file=" + pretrained["bert_config_file"],
          "--max_seq_length=" + _SEQ, "--output_dir=%s" % fine_tuned,
          "--export_dir=%s" % export_dir)
  assert (export_dir / "saved_model.pb").exists()
  # Served by plain TensorFlow in a fresh process, from raw sentences.
  code = (
      "import sys, tensorflow as tf\n"
      "model = tf.saved_model.load(sys.argv[1])\n"
      "serve = model.signatures['serving_default']\n"
      "print(sorted(serve.structured_input_signature[1]))\n")
  result = subprocess.run([sys.executable, "-c", code, str(export_dir)],
                          capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, CUDA_VISIBLE_DEVICES="-1"))
  assert result.returncode == 0, result.stderr[-3000:]
  assert result.stdout.strip().startswith("[")


def test_convert_to_hugging_face_and_back(work, pretrained, fine_tuned,
                                         predictions):
  """google_to_hf, hf_to_google, and the converted model predicts as the
  fine-tuned one."""
  hf_dir = work / "hf"
  _script("convert_checkpoint", "--direction=google_to_hf",
          "--input_dir=%s" % fine_tuned, "--output_dir=%s" % hf_dir,
          "--task_name=mrpc")
  for name in ("config.json", "model.safetensors", "vocab.txt"):
    assert (hf_dir / name).exists(), name
  google_dir = work / "converted"
  _script("convert_checkpoint", "--direction=hf_to_google",
          "--input_dir=%s" % hf_dir, "--output_dir=%s" % google_dir,
          "--task_name=mrpc")
  expected = predictions
  got = _readme_prediction(work, pretrained,
                           google_dir / "bert_model.ckpt",
                           work / "converted_predictions")
  assert len(got) == len(expected)
  for a, b in zip(got, expected):
    assert max(abs(x - y) for x, y in zip(a, b)) < 1e-5
