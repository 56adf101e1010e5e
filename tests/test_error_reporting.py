# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Bad input is one `error:` line; a bug in our code keeps its traceback.

`script_utils.run` used to turn every ValueError and every TensorFlow error
into one line, so a programming error looked like bad input. The bad-input
matrix (test_bad_input.py) checks the one-line side for every script; these
tests check the other side, and the switch that shows tracebacks always.
"""

import os
import textwrap

import pytest
import tensorflow as tf

from tests import classifier_testdata as data
from tests import helpers


def _run_python(code, env_overrides=None):
  env = helpers.script_env(**(env_overrides or {}))
  if "BERT_SHOW_TRACEBACK" not in (env_overrides or {}):
    env.pop("BERT_SHOW_TRACEBACK", None)
  return helpers.run_script(["-c", textwrap.dedent(code)], env=env,
                            timeout=300)


@pytest.fixture(scope="module")
def classifier_inputs(tmp_path_factory):
  """A tiny MRPC-layout task and model files, good enough to predict."""
  tmp = tmp_path_factory.mktemp("classifier")
  model = data.write_model_files(tmp / "model", with_checkpoint=True)
  pairs = data.keyword_pairs(6, seed=0)
  data_dir = data.write_mrpc_folder(tmp / "mrpc", pairs, pairs, pairs)
  return dict(model, data_dir=data_dir, tmp=str(tmp))


def _classifier_script(inputs, output_dir, inject):
  """Python source running run_classifier.py --do_predict, with `inject`
  (source code) executed after the import, before main."""
  argv = [
      "run_classifier.py", "--task_name=mrpc", "--do_predict",
      "--data_dir=" + inputs["data_dir"],
      "--vocab_file=" + inputs["vocab_file"],
      "--bert_config_file=" + inputs["bert_config_file"],
      "--init_checkpoint=" + inputs["init_checkpoint"],
      "--output_dir=" + output_dir, "--max_seq_length=32",
      # A pre-trained checkpoint has no classifier layer.
      "--allow_random_init",
  ]
  return """
      import sys
      sys.argv = %r
      import run_classifier
      import script_utils
      run_classifier.define_flags()
%s
      script_utils.run(run_classifier.main)
  """ % (argv, textwrap.indent(textwrap.dedent(inject), " " * 6))


INJECT_BUG = """
    def convert_single_example(*args, **kwargs):
      raise ValueError("injected bug in feature conversion")
    import classifier_lib
    classifier_lib.convert_single_example = convert_single_example
"""


@pytest.mark.slow
def test_injected_value_error_in_a_script_shows_its_traceback(
    classifier_inputs, tmp_path):
  result = _run_python(
      _classifier_script(classifier_inputs, str(tmp_path / "out"),
                         INJECT_BUG))
  assert result.returncode == 1, result.stderr[-2000:]
  assert "Traceback (most recent call last)" in result.stderr
  # The traceback reaches the line that raised, and no `error:` line
  # disguises the bug as bad input.
  assert "in convert_single_example" in result.stderr
  assert result.stderr.rstrip().splitlines()[-1] == (
      "ValueError: injected bug in feature conversion")
  assert "\nerror: " not in "\n" + result.stderr
  assert not os.path.exists(str(tmp_path / "out" / "test_results.tsv"))


@pytest.mark.slow
def test_bad_input_in_the_same_run_is_one_line(classifier_inputs, tmp_path):
  os.remove(os.path.join(classifier_inputs["data_dir"], "test.tsv"))
  try:
    result = _run_python(
        _classifier_script(classifier_inputs, str(tmp_path / "out"), ""))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    last = result.stderr.rstrip().splitlines()[-1]
    assert last.startswith("error: ") and "test.tsv: file not found" in last

    # BERT_SHOW_TRACEBACK=1 shows where the same user error was raised, and
    # the usual error line after it.
    result = _run_python(
        _classifier_script(classifier_inputs, str(tmp_path / "out"), ""),
        {"BERT_SHOW_TRACEBACK": "1"})
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr
    lines = result.stderr.rstrip().splitlines()
    assert "UsageError" in lines[-2] and lines[-1] == last
  finally:
    pairs = data.keyword_pairs(6, seed=0)
    data.write_mrpc_folder(classifier_inputs["data_dir"], pairs, pairs, pairs)


def _run_main_raising(exception, monkeypatch, capsys, show=None):
  """script_utils.run on a main that raises `exception`; returns
  (exception that escaped or None, exit code or None, stderr)."""
  import script_utils  # pylint: disable=g-import-not-at-top
  if show is None:
    monkeypatch.delenv(script_utils.TRACEBACK_ENV, raising=False)
  else:
    monkeypatch.setenv(script_utils.TRACEBACK_ENV, show)

  def main(_):
    raise exception

  escaped, code = None, None
  try:
    script_utils.run(main, argv=["prog"])
  except SystemExit as e:
    code = e.code
  except Exception as e:  # pylint: disable=broad-except
    escaped = e
  return escaped, code, capsys.readouterr().err


def _user_errors():
  import script_utils  # pylint: disable=g-import-not-at-top
  return [
      script_utils.UsageError("--vocab_file=v.txt: file not found"),
      FileNotFoundError(2, "No such file or directory", "x.tsv"),
      tf.errors.NotFoundError(None, None, "x.tfrecord; No such file"),
      tf.errors.DataLossError(None, None, "corrupted record at 12"),
      tf.errors.PermissionDeniedError(None, None, "out: permission denied"),
  ]


@pytest.mark.parametrize("index", range(5))
def test_user_errors_are_one_line(index, monkeypatch, capsys):
  error = _user_errors()[index]
  escaped, code, err = _run_main_raising(error, monkeypatch, capsys)
  assert escaped is None and code == 1
  lines = err.strip().splitlines()
  assert len(lines) == 1 and lines[0].startswith("error: ")


def test_out_of_memory_is_one_line_with_a_hint(monkeypatch, capsys):
  error = tf.errors.ResourceExhaustedError(
      None, None, "OOM when allocating tensor with shape[32,12,512,512]")
  escaped, code, err = _run_main_raising(error, monkeypatch, capsys)
  assert escaped is None and code == 1
  assert err.startswith("error: OOM when allocating tensor")
  assert "--train_batch_size" in err and "--max_seq_length" in err


@pytest.mark.parametrize("bug", [
    ValueError("bug"),
    KeyError("bug"),
    TypeError("bug"),
    tf.errors.InvalidArgumentError(None, None, "Incompatible shapes"),
    tf.errors.FailedPreconditionError(None, None, "uninitialized value"),
], ids=lambda e: type(e).__name__)
def test_bugs_propagate(bug, monkeypatch, capsys):
  escaped, code, err = _run_main_raising(bug, monkeypatch, capsys)
  assert escaped is bug and code is None
  assert "error: " not in err


@pytest.mark.parametrize("show,traceback_shown", [("1", True), ("0", False),
                                                  ("", False)])
def test_show_traceback_switch(show, traceback_shown, monkeypatch, capsys):
  import script_utils  # pylint: disable=g-import-not-at-top
  error = script_utils.UsageError("--data_dir: not a directory")
  escaped, code, err = _run_main_raising(error, monkeypatch, capsys,
                                         show=show)
  assert escaped is None and code == 1
  assert ("Traceback (most recent call last)" in err) == traceback_shown
  assert err.rstrip().splitlines()[-1] == (
      "error: --data_dir: not a directory")


@pytest.mark.slow
@pytest.mark.parametrize("args,expected", [
    (["--do_trian=true"], "error: Unknown command line flag 'do_trian'"),
    (["--max_seq_length=many"], "error: flag --max_seq_length=many: "),
])
def test_a_bad_flag_is_one_line(args, expected):
  result = _run_python("""
      import sys
      sys.argv = ["run_classifier.py"] + %r
      import run_classifier, script_utils
      run_classifier.define_flags()
      script_utils.run(run_classifier.main)
  """ % args)
  assert result.returncode == 1
  assert "Traceback" not in result.stderr and "FATAL" not in result.stderr
  lines = result.stderr.rstrip().splitlines()
  assert lines[-1].startswith(expected) and lines[-1].endswith("(see --help)")
