# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""run_classifier.py as a command: the README's MRPC commands, flags, errors."""

import glob
import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import run_classifier
from tests import classifier_testdata as data

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The README's commands, verbatim (section "Fine-tuning: sentence (pair)
# classification"); the test only swaps the placeholder paths.
README_TRAIN = r"""
export BERT_BASE_DIR=/path/to/uncased_L-12_H-768_A-12
export GLUE_DIR=/path/to/glue_data

python run_classifier.py \
  --task_name=MRPC \
  --do_train=true \
  --do_eval=true \
  --data_dir=$GLUE_DIR/MRPC \
  --vocab_file=$BERT_BASE_DIR/vocab.txt \
  --bert_config_file=$BERT_BASE_DIR/bert_config.json \
  --init_checkpoint=$BERT_BASE_DIR/bert_model.ckpt \
  --max_seq_length=128 \
  --train_batch_size=32 \
  --learning_rate=2e-5 \
  --num_train_epochs=3.0 \
  --output_dir=/tmp/mrpc_output/
"""

README_PREDICT = r"""
export TRAINED_CLASSIFIER=/tmp/mrpc_output

python run_classifier.py \
  --task_name=MRPC \
  --do_predict=true \
  --data_dir=$GLUE_DIR/MRPC \
  --vocab_file=$BERT_BASE_DIR/vocab.txt \
  --bert_config_file=$BERT_BASE_DIR/bert_config.json \
  --init_checkpoint=$TRAINED_CLASSIFIER \
  --max_seq_length=128 \
  --output_dir=/tmp/mrpc_predictions/
"""


def _env():
  env = dict(os.environ)
  # `python` in the README is the project's interpreter.
  env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env["PATH"]
  env["TF_CPP_MIN_LOG_LEVEL"] = "2"
  return env


def _bash(script):
  return subprocess.run(["bash", "-euc", script], cwd=ROOT, env=_env(),
                        capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_readme_mrpc_commands_run_as_written(tmp_path):
  model_dir = str(tmp_path / "uncased_L-2_H-32_A-4")
  data.write_model_files(model_dir, max_position_embeddings=128,
                         with_checkpoint=True)
  glue_dir = str(tmp_path / "glue_data")
  # 64 train examples: 64 / 32 * 3 = 6 steps.
  data.write_mrpc_folder(os.path.join(glue_dir, "MRPC"),
                         data.keyword_pairs(64, seed=11),
                         data.keyword_pairs(10, seed=12),
                         data.keyword_pairs(9, seed=13))
  output_dir = str(tmp_path / "mrpc_output")
  predict_dir = str(tmp_path / "mrpc_predictions")

  def paths(text):
    return (text.replace("/path/to/uncased_L-12_H-768_A-12", model_dir)
            .replace("/path/to/glue_data", glue_dir)
            .replace("/tmp/mrpc_output", output_dir)
            .replace("/tmp/mrpc_predictions", predict_dir))

  result = _bash(paths(README_TRAIN) + paths(README_PREDICT))
  assert result.returncode == 0, result.stderr[-3000:]

  assert "*INIT_FROM_CKPT*" in result.stderr
  assert "***** Eval results *****" in result.stderr
  results = data.read_eval_results(os.path.join(output_dir,
                                                "eval_results.txt"))
  assert {"eval_accuracy", "eval_loss", "global_step", "loss",
          "eval_f1"} <= set(results)
  assert results["global_step"] == 6

  # Which weights each step used, by file, step and flag.
  assert ("Evaluating with %s/model.ckpt-6 (global step 6), the newest "
          "checkpoint in --output_dir; --init_checkpoint is not used" %
          output_dir.rstrip("/")) in result.stderr
  assert ("Predicting with %s/model.ckpt-6 (global step 6), from "
          "--init_checkpoint" % output_dir) in result.stderr

  rows = data.read_test_results(os.path.join(predict_dir, "test_results.tsv"))
  assert len(rows) == 9
  np.testing.assert_allclose([sum(row) for row in rows], 1.0, atol=1e-5)


@pytest.mark.slow
def test_flags_defaults_and_one_line_errors(tmp_path):
  """The original's flags with their defaults; bad input gives `error: ...`."""
  model = data.write_model_files(str(tmp_path / "model"))
  output_dir = str(tmp_path / "out")
  # One interpreter for both checks: importing TensorFlow is the slow part.
  code = (
      "import json, sys, run_classifier, script_utils\n"
      "from absl import flags\n"
      "run_classifier.define_flags()\n"
      "f = flags.FLAGS\n"
      "print(json.dumps({name: f[name].default for name in f}))\n"
      "sys.stdout.flush()\n"
      "script_utils.run(run_classifier.main, argv=sys.argv)\n")
  result = subprocess.run(
      [sys.executable, "-c", code, "--task_name=glue", "--do_train=true",
       "--data_dir=" + str(tmp_path), "--vocab_file=" + model["vocab_file"],
       "--bert_config_file=" + model["bert_config_file"],
       "--output_dir=" + output_dir],
      cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300)

  defaults = json.loads(result.stdout.strip().splitlines()[-1])
  expected = {
      "data_dir": None, "bert_config_file": None, "task_name": None,
      "vocab_file": None, "output_dir": None, "init_checkpoint": None,
      "do_lower_case": True, "max_seq_length": 128, "do_train": False,
      "do_eval": False, "do_predict": False, "train_batch_size": 32,
      "eval_batch_size": 8, "predict_batch_size": 8, "learning_rate": 5e-5,
      "num_train_epochs": 3.0, "warmup_proportion": 0.1,
      "save_checkpoints_steps": 1000, "iterations_per_loop": 1000,
      "use_tpu": False, "tpu_name": None, "tpu_zone": None,
      "gcp_project": None, "master": None, "num_tpu_cores": 8,
      "xnli_language": "zh", "num_accumulation_steps": 1,
  }
  for name, default in expected.items():
    assert name in defaults, name
    assert defaults[name] == default, name

  assert result.returncode == 1
  last = result.stderr.strip().splitlines()[-1]
  assert last.startswith("error: --task_name=glue: unknown task; known "
                         "tasks: cola, mnli, mnli-mm, mrpc")
  assert "Traceback" not in result.stderr
  assert not os.path.exists(output_dir)


# The README's recipe for a new task, verbatim.
README_NEW_TASK = r'''
# my_classifier.py
import os

import run_classifier
import script_utils


class SentimentProcessor(run_classifier.DataProcessor):
  """train.tsv, dev.tsv, test.tsv: label<TAB>text, no header."""

  def get_train_examples(self, data_dir):
    return self._create_examples(data_dir, "train")

  def get_dev_examples(self, data_dir):
    return self._create_examples(data_dir, "dev")

  def get_test_examples(self, data_dir):
    return self._create_examples(data_dir, "test")

  def get_labels(self):
    return ["negative", "positive"]

  def _create_examples(self, data_dir, set_type):
    lines = self._read_tsv(os.path.join(data_dir, set_type + ".tsv"))
    examples = []
    for (i, line) in enumerate(lines):
      # Test labels are unknown; any label from the list will do.
      label = "negative" if set_type == "test" else line[0]
      examples.append(run_classifier.InputExample(
          guid="%s-%d" % (set_type, i), text_a=line[1], label=label))
    return examples


run_classifier.PROCESSORS["sentiment"] = SentimentProcessor

if __name__ == "__main__":
  run_classifier.define_flags()
  script_utils.run(run_classifier.main)
'''


def test_readme_new_task_recipe(tmp_path):
  path = str(tmp_path / "my_classifier.py")
  with open(path, "w") as f:
    f.write(README_NEW_TASK)
  spec = importlib.util.spec_from_file_location("my_classifier", path)
  module = importlib.util.module_from_spec(spec)
  try:
    spec.loader.exec_module(module)
    assert run_classifier.PROCESSORS["sentiment"] is module.SentimentProcessor
    data_dir = str(tmp_path / "data")
    os.makedirs(data_dir)
    for name in ("train", "dev", "test"):
      data.write_tsv(os.path.join(data_dir, name + ".tsv"),
                     [["positive", "good great"], ["negative", "bad awful"]])
    model = data.write_model_files(str(tmp_path / "model"))
    output_dir = str(tmp_path / "out")
    # Predicting with an untrained model (asked for) still goes through the
    # script's checks, conversion and output.
    run_classifier.run_task(data.flags_namespace(
        task_name="Sentiment", data_dir=data_dir, output_dir=output_dir,
        do_predict=True, max_seq_length=16, allow_random_init=True, **model))
    rows = data.read_test_results(os.path.join(output_dir,
                                               "test_results.tsv"))
    assert len(rows) == 2 and all(len(row) == 2 for row in rows)
    # The companion file pairs each line with the example's guid (the README
    # processor gives no line numbers; that column stays empty).
    with open(os.path.join(output_dir, "test_predictions.tsv")) as f:
      lines = [line.rstrip("\n").split("\t") for line in f]
    assert lines[0] == ["id", "line", "prediction", "P(negative)",
                        "P(positive)"]
    assert [line[:2] for line in lines[1:]] == [["test-0", ""],
                                                ["test-1", ""]]
    assert [[float(v) for v in line[3:]] for line in lines[1:]] == rows
    assert [line[2] for line in lines[1:]] == [
        ["negative", "positive"][int(row[1] > row[0])] for row in rows]
  finally:
    run_classifier.PROCESSORS.pop("sentiment", None)


def test_readme_shows_these_commands_verbatim():
  """The commands run above are the docs' own, not a drifting copy: each
  paragraph of each block stands in the README or a docs/ page."""
  root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
  pages = [os.path.join(root, "README.md")] + sorted(
      glob.glob(os.path.join(root, "docs", "*.md")))
  docs = ""
  for path in pages:
    with open(path) as f:
      docs += f.read()
  for block in (README_TRAIN, README_PREDICT, README_NEW_TASK):
    for paragraph in block.strip().split("\n\n"):
      assert paragraph.strip() in docs, paragraph
