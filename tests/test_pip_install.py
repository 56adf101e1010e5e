# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""`pip install <checkout>` makes the flat modules importable anywhere.

Each test makes a fresh virtual environment that sees the running
interpreter's site-packages through a .pth file: TensorFlow and the other
dependencies are then already installed, so pip runs with `--no-index`
(proving it downloads nothing) and `--no-build-isolation` (setuptools comes
from those site-packages). Then, from a directory outside the checkout,
the original's imports and `python -m run_classifier --helpfull` must work
(the latter beside a tokenization.py of the user's).
"""

import os
import re
import shutil
import subprocess
import sys
import sysconfig

import pytest

# Each test builds and installs the package into a fresh environment.
pytestmark = pytest.mark.slow

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# What a copy of the working tree leaves out: environments, caches and
# build output (a stale build/ would be installed instead of the sources).
_NOT_COPIED = shutil.ignore_patterns(".venv*", ".git", "__pycache__",
                                     ".pytest_cache", ".hypothesis",
                                     "demo_output", "build", "*.egg-info",
                                     "output")


def _py_modules():
  """The py-modules list of pyproject.toml."""
  with open(os.path.join(ROOT, "pyproject.toml")) as f:
    text = f.read()
  match = re.search(r"^py-modules = \[(.*?)\]", text, re.M | re.S)
  assert match, "pyproject.toml has no py-modules list"
  return re.findall(r'"([^"]+)"', match.group(1))


def test_every_root_module_is_installed():
  """A module at the root that pyproject.toml does not list would be
  missing after `pip install`, and every import of it would fail there."""
  on_disk = sorted(name[:-3] for name in os.listdir(ROOT)
                   if name.endswith(".py"))
  listed = _py_modules()
  assert sorted(set(on_disk) - set(listed)) == [], (
      "root modules missing from py-modules in pyproject.toml")
  assert sorted(set(listed) - set(on_disk)) == [], (
      "py-modules in pyproject.toml that do not exist")


def test_dependencies_come_from_requirements_txt():
  with open(os.path.join(ROOT, "pyproject.toml")) as f:
    text = f.read()
  assert 'dynamic = ["dependencies"]' in text
  assert 'dependencies = { file = ["requirements.txt"] }' in text
  assert not re.search(r"^dependencies = \[", text, re.M)


def _fresh_venv(tmp_path):
  """A venv without pip of its own that sees this interpreter's packages."""
  venv_dir = str(tmp_path / "venv")
  subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv_dir],
                 check=True, timeout=120)
  python = os.path.join(venv_dir, "bin", "python")
  site_dir = subprocess.run(
      [python, "-c", "import sysconfig; print(sysconfig.get_paths()"
       "['purelib'])"], check=True, capture_output=True, text=True,
      timeout=60).stdout.strip()
  with open(os.path.join(site_dir, "parent_site_packages.pth"), "w") as f:
    f.write(sysconfig.get_paths()["purelib"] + "\n")
  return python, site_dir


def _pip_install(python, target, tmp_path):
  env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
  result = subprocess.run(
      [python, "-m", "pip", "install", "--no-index", "--no-build-isolation",
       target], cwd=str(tmp_path), env=env, capture_output=True, text=True,
      timeout=300)
  assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
  return result.stdout


def _check_installed(python, site_dir, tmp_path):
  """The original's imports and a script's --helpfull, away from ROOT."""
  elsewhere = tmp_path / "elsewhere"
  elsewhere.mkdir(exist_ok=True)
  env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
  env["TF_CPP_MIN_LOG_LEVEL"] = "2"
  result = subprocess.run(
      [python, "-c", "import modeling, tokenization, optimization, "
       "run_classifier, predictor; print(modeling.__file__)"],
      cwd=str(elsewhere), env=env, capture_output=True, text=True,
      timeout=300)
  assert result.returncode == 0, result.stderr[-3000:]
  # Imported from the installed copy, not from the checkout.
  assert result.stdout.strip() == os.path.join(site_dir, "modeling.py")

  # A file of the user's named like one of the modules, in the folder the
  # script runs from, is not what the script imports.
  (elsewhere / "tokenization.py").write_text(
      "raise SystemExit(\"the user's tokenization.py was imported\")\n")
  result = subprocess.run([python, "-m", "run_classifier", "--helpfull"],
                          cwd=str(elsewhere), env=env, capture_output=True,
                          text=True, timeout=300)
  assert result.returncode == 0, result.stderr[-3000:]
  assert "--task_name" in result.stdout
  assert "--export_dir" in result.stdout


def test_pip_install_of_the_checkout(tmp_path):
  tree = str(tmp_path / "checkout")
  shutil.copytree(ROOT, tree, ignore=_NOT_COPIED)
  python, site_dir = _fresh_venv(tmp_path)
  output = _pip_install(python, tree, tmp_path)
  # The dependencies were found installed, none fetched.
  assert "Requirement already satisfied: tensorflow" in output
  for module in _py_modules():
    assert os.path.exists(os.path.join(site_dir, module + ".py")), module
  metadata = subprocess.run(
      [python, "-c", "from importlib import metadata; print('\\n'.join("
       "metadata.requires('bert-faithful')))"], capture_output=True,
      text=True, check=True, timeout=60).stdout.splitlines()
  # requirements.txt's markers survive into the installed metadata.
  assert 'tensorflow==2.15.1; python_version < "3.12"' in metadata
  assert 'tensorflow<2.22,>=2.16; python_version >= "3.12"' in metadata
  _check_installed(python, site_dir, tmp_path)


def test_pip_install_from_a_git_url(tmp_path):
  """`pip install git+file://...`: what pip does with the repository's URL
  (HEAD, as committed)."""
  if shutil.which("git") is None:
    pytest.skip("no git executable: pip cannot install from a git URL")
  if not os.path.isdir(os.path.join(ROOT, ".git")):
    pytest.skip("%s is not a git checkout" % ROOT)
  head_files = subprocess.run(["git", "ls-tree", "--name-only", "HEAD"],
                              cwd=ROOT, capture_output=True, text=True,
                              timeout=60).stdout.split()
  if "pyproject.toml" not in head_files:
    pytest.skip("pyproject.toml is not committed yet")
  python, site_dir = _fresh_venv(tmp_path)
  _pip_install(python, "git+file://" + ROOT, tmp_path)
  _check_installed(python, site_dir, tmp_path)
