# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Which Pythons the project takes, and scripts that import their own modules.

- Python 3.14 (TensorFlow has no release for it yet) is refused in one line
  that says which Pythons work: by find_python.sh (so by `make`) and by
  `pip install` (pyproject's requires-python). No 3.14 is installed here, so
  a stand-in script answers find_python.sh's probe as 3.14, and pip is asked
  to install the built wheel for Python 3.14 (`--python-version`).
- A file named like one of our modules in the user's folder (their own
  tokenization.py) is not imported by `python -m run_classifier` run there.
"""

import os
import re
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIND_PYTHON = os.path.join(ROOT, "find_python.sh")
WORKING = "use Python 3.9-3.11 (TensorFlow 2.15) or 3.12-3.13"


def _fake_python(directory, version, name):
  """An executable that answers find_python.sh's probe as Python `version`."""
  os.makedirs(directory, exist_ok=True)
  path = os.path.join(directory, name)
  with open(path, "w") as f:
    f.write('#!/bin/sh\necho "%s $0"\n' % version)
  os.chmod(path, 0o755)
  return path


def _find_python(env):
  return subprocess.run(["/bin/sh", FIND_PYTHON], env=env, capture_output=True,
                        text=True, timeout=60, cwd=ROOT)


def test_find_python_refuses_python_3_14_given(tmp_path):
  fake = _fake_python(str(tmp_path / "bin"), "3.14", "python3.14")
  result = _find_python(dict(os.environ, PYTHON=fake))
  assert result.returncode == 1
  lines = result.stdout.splitlines()
  assert len(lines) == 1, result.stdout
  assert lines[0].startswith("error: PYTHON=%s is Python 3.14" % fake)
  assert "TensorFlow has no release for it yet" in lines[0]
  assert WORKING in lines[0]


def test_find_python_says_which_python_it_refused(tmp_path):
  """Only a 3.14 `python3` around (no pyenv, nothing else on PATH)."""
  bin_dir = str(tmp_path / "bin")
  _fake_python(bin_dir, "3.14", "python3")
  result = _find_python({"PATH": bin_dir, "HOME": str(tmp_path)})
  assert result.returncode == 1
  lines = result.stdout.splitlines()
  assert len(lines) == 1, result.stdout
  assert lines[0].startswith("error: no Python 3.9-3.13 found (python3 is "
                             "Python 3.14: TensorFlow has no release for it "
                             "yet)")


@pytest.mark.slow
def test_make_refuses_python_3_14(tmp_path):
  if shutil.which("make") is None:
    pytest.skip("no make")
  fake = _fake_python(str(tmp_path / "bin"), "3.14", "python3.14")
  for target in ("which-python", "venv", "test"):
    result = subprocess.run(
        ["make", "-s", "--no-print-directory", target, "PYTHON=" + fake],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0, target
    ours = [line for line in result.stderr.splitlines()
            if not line.startswith("make")]
    assert len(ours) == 1, result.stderr
    assert "is Python 3.14" in ours[0] and WORKING in ours[0]
    assert not os.path.exists(os.path.join(ROOT, ".venv-py3.14"))


@pytest.mark.slow
def test_pip_install_refuses_python_3_14(tmp_path):
  """pyproject.toml's requires-python, as pip applies it to Python 3.14."""
  tree = str(tmp_path / "checkout")
  shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns(
      ".venv*", ".git", "__pycache__", ".pytest_cache", ".hypothesis",
      "demo_output", "build", "*.egg-info", "output"))
  env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
  wheels = str(tmp_path / "wheels")
  result = subprocess.run(
      [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-index",
       "--no-build-isolation", "-w", wheels, tree], env=env,
      capture_output=True, text=True, timeout=300)
  assert result.returncode == 0, result.stderr[-3000:]
  (wheel,) = os.listdir(wheels)
  result = subprocess.run(
      [sys.executable, "-m", "pip", "install", "--dry-run", "--no-deps",
       "--no-index", "--python-version", "3.14", "--only-binary=:all:",
       "--target", str(tmp_path / "target"), os.path.join(wheels, wheel)],
      env=env, capture_output=True, text=True, timeout=300)
  assert result.returncode != 0
  errors = [line for line in result.stderr.splitlines()
            if line.startswith("ERROR")]
  assert len(errors) == 1, result.stderr
  assert re.search(r"requires a different Python: 3\.14\S* not in "
                   r"'(<3\.14,>=3\.9|>=3\.9,<3\.14)'", errors[0]), errors[0]


@pytest.mark.slow
def test_script_imports_its_own_modules_not_the_users(tmp_path):
  """`python -m run_classifier` in a folder holding a tokenization.py and a
  modeling.py of the user's: the script uses its own (before, the user's
  tokenization.py ended the run in an AttributeError)."""
  for name in ("tokenization", "modeling"):
    (tmp_path / (name + ".py")).write_text(
        "raise SystemExit('the user\\'s %s.py was imported')\n" % name)
  env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
  # The modules importable the way an installed copy is: not first.
  env["PYTHONPATH"] = ROOT
  result = subprocess.run(
      [sys.executable, "-m", "run_classifier", "--helpfull"],
      cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=300)
  assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
  assert "--task_name" in result.stdout
  # A program of the user's there keeps its own files first.
  result = subprocess.run(
      [sys.executable, "-c", "import tokenization"], cwd=str(tmp_path),
      env=env, capture_output=True, text=True, timeout=60)
  assert "the user's tokenization.py was imported" in result.stderr
