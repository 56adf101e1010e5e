# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""The first hour of a new user: which weights a run uses, and traps.

- every run says which checkpoint it starts from, its global step, and
  whether it came from --output_dir or --init_checkpoint;
- the common first-hour traps each end in a clear error or warning;
- the default log is the run's, not TensorFlow's.
"""

import logging
import os
import re

import pytest
import tensorflow as tf

import checkpoint_utils
import estimator_runtime
import run_classifier
import script_utils
from tests import classifier_testdata as data
from tests import helpers

tf1 = tf.compat.v1


def _tiny_mrpc(tmp_path, num_examples=8):
  """A pre-trained tiny model and an MRPC-layout task: (model files, dir)."""
  model = data.write_model_files(str(tmp_path / "model"),
                                 with_checkpoint=True)
  pairs = data.keyword_pairs(num_examples, seed=0)
  data_dir = data.write_mrpc_folder(str(tmp_path / "mrpc"), pairs, pairs,
                                    pairs)
  return model, data_dir


def _save_checkpoint(prefix, global_step=None):
  """A one-variable checkpoint at `prefix`, with a global step if given."""
  os.makedirs(os.path.dirname(prefix), exist_ok=True)
  with tf.Graph().as_default():
    tf1.get_variable("w", [2], initializer=tf1.zeros_initializer())
    if global_step is not None:
      step = tf1.train.get_or_create_global_step()
    with tf1.Session() as sess:
      sess.run(tf1.global_variables_initializer())
      if global_step is not None:
        sess.run(step.assign(global_step))
      return tf1.train.Saver().save(
          sess, prefix, global_step=global_step,
          write_meta_graph=False)


# ----------------------------------------------------------------------------
# Which weights
# ----------------------------------------------------------------------------


def test_weights_from_init_checkpoint_name_file_and_step(tmp_path):
  released = _save_checkpoint(str(tmp_path / "model" / "bert_model.ckpt"))
  line = checkpoint_utils.describe_weights("Predicting", str(tmp_path / "out"),
                                           released)
  assert line == ("Predicting with %s (no global step), from "
                  "--init_checkpoint" % released)
  # A fine-tuning output directory: its newest checkpoint, named.
  fine_tuned = _save_checkpoint(str(tmp_path / "ft" / "model.ckpt"), 343)
  line = checkpoint_utils.describe_weights("Predicting", str(tmp_path / "out"),
                                           str(tmp_path / "ft"))
  assert line == ("Predicting with %s (global step 343), from "
                  "--init_checkpoint" % fine_tuned)
  assert fine_tuned.endswith("model.ckpt-343")


def test_weights_from_output_dir_win_and_say_so(tmp_path):
  released = _save_checkpoint(str(tmp_path / "model" / "bert_model.ckpt"))
  output_dir = str(tmp_path / "out")
  _save_checkpoint(os.path.join(output_dir, "model.ckpt"), 7)
  newest = _save_checkpoint(os.path.join(output_dir, "model.ckpt"), 12)
  assert checkpoint_utils.describe_weights(
      "Training", output_dir, released) == (
          "Training with %s (global step 12), the newest checkpoint in "
          "--output_dir, resuming; --init_checkpoint is not used" % newest)
  assert checkpoint_utils.describe_weights(
      "Evaluating", output_dir,
      None) == ("Evaluating with %s (global step 12), the newest checkpoint in "
                "--output_dir" % newest)


def test_weights_random_when_there_is_no_checkpoint(tmp_path):
  assert checkpoint_utils.describe_weights(
      "Training", str(tmp_path / "out"),
      None) == ("Training with randomly initialised weights (no "
                "--init_checkpoint, no checkpoint in --output_dir)")
  assert checkpoint_utils.describe_weights(
      "Extracting features", None,
      None) == ("Extracting features with randomly initialised weights (no "
                "--init_checkpoint)")


# ----------------------------------------------------------------------------
# --init_checkpoint as a directory or a checkpoint file
# ----------------------------------------------------------------------------


def _released_model_dir(directory, names=("bert_model.ckpt",)):
  """Checkpoints the way a released model ships them: no `checkpoint` file."""
  prefixes = [_save_checkpoint(os.path.join(directory, name)) for name in names]
  os.remove(os.path.join(directory, "checkpoint"))
  return prefixes


def test_init_checkpoint_directory_of_a_released_model(tmp_path):
  (prefix,) = _released_model_dir(str(tmp_path / "uncased_L-2_H-32_A-2"))
  assert prefix.endswith("bert_model.ckpt")
  for given in (str(tmp_path / "uncased_L-2_H-32_A-2"),
                str(tmp_path / "uncased_L-2_H-32_A-2") + "/",
                prefix + ".index", prefix + ".data-00000-of-00001",
                prefix):
    assert checkpoint_utils.check_init_checkpoint(given).rstrip(
        "/") == prefix, (given)


def test_init_checkpoint_model_directory_means_its_newest(tmp_path):
  _save_checkpoint(str(tmp_path / "out" / "model.ckpt"), 5)
  newest = _save_checkpoint(str(tmp_path / "out" / "model.ckpt"), 9)
  assert checkpoint_utils.check_init_checkpoint(str(tmp_path / "out")) == newest
  assert checkpoint_utils.check_init_checkpoint(newest + ".index") == newest


def test_init_checkpoint_directory_without_one_says_which_to_pass(tmp_path):
  directory = str(tmp_path / "two")
  _released_model_dir(directory, ("bert_model.ckpt", "other.ckpt"))
  with pytest.raises(script_utils.UsageError) as info:
    checkpoint_utils.check_init_checkpoint(directory)
  assert str(info.value) == (
      "--init_checkpoint=%s: the directory holds 2 checkpoints "
      "(bert_model.ckpt, other.ckpt); pass one of them, e.g. "
      "--init_checkpoint=%s/other.ckpt" % (directory, directory))
  os.makedirs(str(tmp_path / "empty"))
  with pytest.raises(script_utils.UsageError,
                     match=r"--init_checkpoint=.*empty: the directory holds "
                     r"no checkpoint \(no \*\.index file\)"):
    checkpoint_utils.check_init_checkpoint(str(tmp_path / "empty"))


# ----------------------------------------------------------------------------
# --do_lower_case against the vocabulary's own casing
# ----------------------------------------------------------------------------

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[unused0]"]
UNCASED_WORDS = ["the", "cat", "sat", "##s", "zurich", "caf", "##e", "."]
CASED_WORDS = ["The", "the", "Cat", "cat", "Zürich", "##s", "Café", "."]


class _Logs(object):
  """Collects what TensorFlow's logger gets at `level` or above while active."""

  def __init__(self, level=logging.WARNING):
    self.records = []
    self._level = level

  def __enter__(self):
    handler = logging.Handler(self._level)
    handler.emit = self.records.append
    self._handler = handler
    self._old_level = tf.get_logger().level
    tf.get_logger().setLevel(min(self._level, self._old_level or 100))
    tf.get_logger().addHandler(handler)
    return self

  def __exit__(self, *unused):
    tf.get_logger().removeHandler(self._handler)
    tf.get_logger().setLevel(self._old_level)

  @property
  def messages(self):
    return [record.getMessage() for record in self.records]


def _vocab_file(tmp_path, tokens):
  return helpers.write_vocab(tmp_path / "vocab.txt", tokens)


def test_cased_text_with_an_uncased_vocabulary_warns(tmp_path):
  vocab_file = _vocab_file(tmp_path, SPECIAL + UNCASED_WORDS)
  with _Logs() as warnings:
    tokenizer = script_utils.load_tokenizer(vocab_file, False)
  assert warnings.messages == [
      "--do_lower_case=False but --vocab_file=%s has no upper-case entries "
      "(an uncased vocabulary): capitalised words will become [UNK]; set "
      "--do_lower_case=True" % vocab_file]
  # What it warns about.
  assert tokenizer.tokenize("The cat") == ["[UNK]", "cat"]
  with _Logs() as warnings:
    script_utils.load_tokenizer(vocab_file, True)
  assert warnings.messages == []


def test_lower_casing_with_a_cased_vocabulary_warns(tmp_path):
  vocab_file = _vocab_file(tmp_path, SPECIAL + CASED_WORDS)
  with _Logs() as warnings:
    script_utils.load_tokenizer(vocab_file, True)
  assert warnings.messages == [
      "--do_lower_case=True but --vocab_file=%s has 4 upper-case entries (a "
      "cased vocabulary): lower-cased text never uses them and loses its "
      "accents; set --do_lower_case=False" % vocab_file]
  with _Logs() as warnings:
    script_utils.load_tokenizer(vocab_file, False)
  assert warnings.messages == []


def test_vocabulary_without_case_or_with_stray_capitals_is_quiet():
  chinese = SPECIAL + ["的", "是", "##在", "中"]
  assert script_utils.vocab_casing_warning(chinese, False, "v") is None
  assert script_utils.vocab_casing_warning(chinese, True, "v") is None
  # One capital in 2000 lower-case entries is no cased vocabulary...
  mostly_lower = SPECIAL + ["w%d" % i for i in range(2000)] + ["X"]
  assert script_utils.vocab_casing_warning(mostly_lower, True, "v") is None
  # ... nor does it make an uncased one cased.
  assert "has only 1 upper-case entry (an uncased vocabulary)" in (
      script_utils.vocab_casing_warning(mostly_lower, False, "v"))


# ----------------------------------------------------------------------------
# run_classifier.py --export_dir alone
# ----------------------------------------------------------------------------


@pytest.mark.slow
def test_classifier_export_alone_needs_no_data_dir(tmp_path):
  model, data_dir = _tiny_mrpc(tmp_path)
  fine_tuned = str(tmp_path / "fine_tuned")
  run_classifier.run_task(data.flags_namespace(
      task_name="mrpc", data_dir=data_dir, output_dir=fine_tuned,
      do_train=True, train_batch_size=8, num_train_epochs=1.0,
      max_seq_length=16, **model))
  # Exporting reads no data: no --data_dir, and --output_dir stays unmade.
  export_dir = str(tmp_path / "export")
  output_dir = str(tmp_path / "unused")
  run_classifier.run_task(data.flags_namespace(
      task_name="mrpc", output_dir=output_dir, export_dir=export_dir,
      max_seq_length=16, **dict(model, init_checkpoint=fine_tuned)))
  assert os.path.exists(os.path.join(export_dir, "saved_model.pb"))
  assert not os.path.exists(output_dir)


# ----------------------------------------------------------------------------
# --help
# ----------------------------------------------------------------------------

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPTS = ("run_classifier.py", "run_squad.py", "run_pretraining.py",
           "extract_features.py", "create_pretraining_data.py",
           "learn_vocab.py", "demo_tasks.py", "run_ner.py")


def _run_scripts(tmp_path, cases, env=None):
  """Runs [(script, args)] through tests/script_runner.py (one TF import)."""
  return helpers.run_scripts_in_one_process(
      cases, tmp_path, env=helpers.script_env(**(env or {})))


def _repository_flags(helpfull, script):
  """Flag names --helpfull lists under this repository's modules."""
  ours = {name[:-3] for name in os.listdir(ROOT) if name.endswith(".py")}
  names, module = set(), None
  for line in helpfull.splitlines():
    if line and not line.startswith(" ") and line.endswith(":"):
      module = line[:-1]
    elif module in ours or os.path.basename(module or "") == script:
      if line.startswith("  --"):
        names.add(line[4:].split(":")[0].replace("[no]", ""))
  return names


@pytest.fixture(scope="module")
def command_lines(tmp_path_factory):
  """name -> result of the script command lines below, run in one batch."""
  cases = {}
  for script in SCRIPTS:
    cases["help", script] = (script, ["--help"])
    cases["helpfull", script] = (script, ["--helpfull"])
  # Stops at once (nothing to do), after the warning.
  cases["fp16"] = ("run_classifier.py", ["--precision=fp16"])
  names = sorted(cases, key=str)
  results = _run_scripts(tmp_path_factory.mktemp("command_lines"),
                         [cases[name] for name in names])
  return dict(zip(names, results))


@pytest.mark.slow
def test_help_lists_every_flag_of_the_script_and_exits_0(command_lines):
  for script in SCRIPTS:
    short = command_lines["help", script]
    full = command_lines["helpfull", script]
    assert short["returncode"] == 0, (script, short["stderr"][-2000:])
    assert full["returncode"] == 0, (script, full["stderr"][-2000:])
    expected = _repository_flags(full["stdout"], script)
    assert "output_file" in expected or "output_dir" in expected, script
    listed = {line[4:].split(":")[0].replace("[no]", "")
              for line in short["stdout"].splitlines()
              if line.startswith("  --")}
    assert expected <= listed, (script, sorted(expected - listed))
    if script in ("run_classifier.py", "run_squad.py", "run_pretraining.py",
                  "run_ner.py"):
      assert {"precision", "use_tpu", "tf_random_seed",
              "allow_random_init"} <= listed, script
    if script in ("run_classifier.py", "run_squad.py", "run_ner.py"):
      assert "export_dir" in listed


# ----------------------------------------------------------------------------
# Batch and micro-batch
# ----------------------------------------------------------------------------


@pytest.mark.slow
def test_accumulation_logs_batch_and_micro_batch(tmp_path):
  model, data_dir = _tiny_mrpc(tmp_path)
  with _Logs(logging.INFO) as logs:
    run_classifier.run_task(data.flags_namespace(
        task_name="mrpc", data_dir=data_dir, output_dir=str(tmp_path / "o"),
        do_train=True, train_batch_size=8, num_accumulation_steps=4,
        num_train_epochs=1.0, max_seq_length=16, **model))
  messages = logs.messages
  start = messages.index("***** Running training *****")
  assert messages[start + 2:start + 4] == [
      "  Batch size = 8", "  Micro-batch size = 2, accumulated over 4"]


# ----------------------------------------------------------------------------
# --precision the device cannot compute in
# ----------------------------------------------------------------------------


@pytest.mark.slow
def test_fp16_without_a_gpu_warns_at_the_start(command_lines):
  run = command_lines["fp16"]
  assert run["returncode"] == 1
  lines = run["stderr"].splitlines()
  assert lines[-1].startswith("error: nothing to do")
  assert [line for line in lines if "--precision" in line] == [
      "WARNING:tensorflow:" + script_utils.precision_warning(
          "fp16", gpu_capabilities=[])]


def test_fp16_without_a_gpu_warns():
  warning = script_utils.precision_warning("fp16", gpu_capabilities=[])
  assert warning.startswith("--precision=fp16 without a GPU: CPUs have no "
                            "float16 arithmetic")
  assert script_utils.precision_warning("fp16", use_tpu=True) is None
  assert script_utils.precision_warning("fp32", gpu_capabilities=[]) is None


def test_bf16_needs_avx512_bf16_or_amx_on_a_cpu(monkeypatch):
  warning = script_utils.precision_warning(
      "bf16", gpu_capabilities=[], cpu_flags={"avx2", "avx512f"})
  assert warning.startswith("--precision=bf16 on a CPU without AVX512_BF16 "
                            "or AMX: TensorFlow emulates bfloat16")
  for flags in ({"avx512f", "avx512_bf16"}, {"amx_tile", "amx_bf16"}):
    assert script_utils.precision_warning(
        "bf16", gpu_capabilities=[], cpu_flags=flags) is None
  # Where the CPU's flags cannot be read, nothing is claimed.
  monkeypatch.setattr(script_utils, "_cpu_flags", lambda: None)
  assert script_utils.precision_warning("bf16", gpu_capabilities=[]) is None


def test_reduced_precision_on_gpus_without_tensor_cores_warns():
  assert script_utils.precision_warning(
      "fp16", gpu_capabilities=[(6, 1)]) == (
          "--precision=fp16: this GPU (compute capability 6.1) has no fp16 "
          "tensor cores (7.0 or newer has), so it is likely slower than "
          "--precision=fp32")
  assert "(8.0 or newer has)" in script_utils.precision_warning(
      "bf16", gpu_capabilities=[(7, 5)])
  assert script_utils.precision_warning("fp16",
                                        gpu_capabilities=[(7, 0)]) is None
  assert script_utils.precision_warning("bf16",
                                        gpu_capabilities=[(8, 6)]) is None


# ----------------------------------------------------------------------------
# Readable default logs, every detail with -v 1
# ----------------------------------------------------------------------------

# A C++ log line of TensorFlow: "2026-01-01 10:00:00.000: E external/..."
# (TF 2.15) or "E0000 00:00:1796048128.763226  11076 cuda_platform.cc:52]"
# (TF 2.16+).
_CPP_LINE = re.compile(r"^(\S+ \S+: (?P<old>[IWEF]) |(?P<new>[IWEF])\d{4} )")


def _fresh_classifier_run(tmp_path, name, extra_args=()):
  """run_classifier.py --do_train --do_eval in a new interpreter, as a user
  runs it (TensorFlow's start-up happens in that process); its output."""
  model, data_dir = _tiny_mrpc(tmp_path / name, 16)
  args = ["--task_name=mrpc", "--do_train", "--do_eval",
          "--data_dir=" + data_dir, "--vocab_file=" + model["vocab_file"],
          "--bert_config_file=" + model["bert_config_file"],
          "--init_checkpoint=" + model["init_checkpoint"],
          "--max_seq_length=16", "--train_batch_size=8",
          "--num_train_epochs=1",
          "--output_dir=" + str(tmp_path / name / "out")]
  result = helpers.run_script(
      [os.path.join(ROOT, "run_classifier.py")] + args + list(extra_args),
      env=helpers.script_env(TF_CPP_MIN_LOG_LEVEL=None), cwd=str(tmp_path))
  assert result.returncode == 0, result.stderr[-3000:]
  return result.stdout + result.stderr


@pytest.fixture(scope="module")
def default_and_verbose_logs(tmp_path_factory):
  tmp = tmp_path_factory.mktemp("logs")
  return (_fresh_classifier_run(tmp, "default"),
          _fresh_classifier_run(tmp, "verbose", ["-v", "1"]))


@pytest.mark.slow
def test_default_log_is_the_run_not_tensorflow(default_and_verbose_logs):
  log, _ = default_and_verbose_logs
  lines = log.splitlines()
  assert not [line for line in lines if _CPP_LINE.match(line)], log
  assert "deprecated" not in log
  for chatter in ("Using config", "Calling model_fn", "Graph was finalized",
                  "marked as finished", "*** Example ***", "*** Features ***",
                  "local_init_op", "Could not find trained model"):
    assert chatter not in log, chatter
  # The variables once (with what came from the checkpoint), the results
  # once, no line twice in a row.
  assert log.count("Trainable variables: ") == 1
  assert ", shape = " not in log
  assert log.count("***** Eval results *****") == 1
  assert not [a for a, b in zip(lines, lines[1:]) if a == b]
  # What a researcher needs is there.
  for needed in ("Running on TensorFlow", "Batch size = 8",
                 "Learning rate = 5e-05", "Training with ",
                 "Evaluating with ", "eval_accuracy = "):
    assert needed in log, needed
  assert len(lines) <= 60


@pytest.mark.slow
def test_verbose_log_has_every_detail(default_and_verbose_logs):
  default, verbose = default_and_verbose_logs
  details = ["*** Example ***", "*** Features ***", "Using checkpoint "
             if not estimator_runtime.HAS_TPU_ESTIMATOR else "Using config"]
  if estimator_runtime.HAS_TPU_ESTIMATOR:  # The estimator's own chatter.
    details += ["Calling model_fn", "marked as finished", "deprecated"]
  for detail in details:
    assert detail in verbose, detail
  assert verbose.count("**** Trainable Variables ****") == 2
  # TensorFlow's C++ start-up messages, INFO ones included.
  levels = [match.group("old") or match.group("new")
            for match in map(_CPP_LINE.match, verbose.splitlines()) if match]
  assert "I" in levels
  # Nothing of the default log is missing from the verbose one.
  shown = set(verbose.splitlines())
  missing = [line for line in default.splitlines()
             if line not in shown and not re.search(
                 r"\d\.\d|model\.ckpt|/default", line)]
  assert missing == []


_LOGGING_STATE = """
import logging, os, sys
sys.path.insert(0, %r)
%s
import tensorflow as tf
logger = tf.get_logger()
print(os.environ.get("TF_CPP_MIN_LOG_LEVEL"), logger.propagate,
      logger.level, [type(f).__name__ for f in logger.filters])
"""


@pytest.mark.slow
@pytest.mark.parametrize("module", ["predictor", "run_classifier"])
def test_importing_a_module_leaves_tensorflow_logging_alone(module):
  # A notebook or a program of the user's imports our modules; only the
  # scripts' own runs quiet TensorFlow.
  def state(imports):
    result = helpers.run_script(
        ["-c", _LOGGING_STATE % (ROOT, imports)],
        env=helpers.script_env(TF_CPP_MIN_LOG_LEVEL=None), timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.splitlines()[-1]

  assert state("import " + module) == state("")


@pytest.mark.slow
def test_a_program_that_imports_tf_quiet_itself_gets_the_quiet_log():
  # What the scripts do, first thing (in a fresh interpreter, before
  # TensorFlow is imported).
  result = helpers.run_script(
      ["-c", _LOGGING_STATE % (ROOT, "import tf_quiet")],
      env=helpers.script_env(TF_CPP_MIN_LOG_LEVEL=None), timeout=300)
  assert result.returncode == 0, result.stderr[-3000:]
  assert result.stdout.splitlines()[-1].split(" ", 2) == [
      "1", "False", "0 ['DefaultLogFilter']"]


def test_error_line_of_a_graph_error_is_its_cause():
  """TF 2.15 wraps a graph's errors; the `error:` line gives the cause."""
  message = (
      "Graph execution error:\n\n"
      "Detected at node 'IteratorGetNext' defined at (most recent call "
      "last):\n"
      "    File \"run_pretraining.py\", line 864, in <module>\n"
      "Node: 'IteratorGetNext'\n"
      "corrupted record at 634208\n"
      "\t [[{{node IteratorGetNext}}]]\n\n"
      "Original stack trace for 'IteratorGetNext':\n"
      "  File \"run_pretraining.py\", line 864, in <module>\n")
  error = tf.errors.DataLossError(None, None, message)
  assert script_utils.error_line(error) == "corrupted record at 634208"  # pylint: disable=protected-access
  plain = tf.errors.DataLossError(None, None, "corrupted record at 12")
  assert script_utils.error_line(plain) == "corrupted record at 12"  # pylint: disable=protected-access
