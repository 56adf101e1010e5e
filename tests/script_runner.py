# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Runs many command lines of the scripts with one TensorFlow import.

Each script run is a real child process (exit status, stderr, tracebacks are
the ones a user would see), but importing TensorFlow costs seconds, so this
helper imports it once and forks a child per command line: the child runs the
script as `__main__` exactly as `python script.py args...` would.

Usage: python tests/script_runner.py cases.json results.json
  cases.json: list of {"script": "run_squad.py", "args": [...]}.
  results.json: list of {"returncode": int, "stderr": str, "stdout": str}.
"""

import json
import os
import runpy
import sys
import tempfile
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TIMEOUT_SECS = 120


def _preload():
  sys.path.insert(0, ROOT)
  # Everything heavy the scripts import, so the children start warm.
  import numpy  # pylint: disable=unused-import,g-import-not-at-top
  import tensorflow  # pylint: disable=unused-import,g-import-not-at-top
  import modeling  # pylint: disable=unused-import,g-import-not-at-top
  import optimization  # pylint: disable=unused-import,g-import-not-at-top
  import script_utils  # pylint: disable=unused-import,g-import-not-at-top
  import tokenization  # pylint: disable=unused-import,g-import-not-at-top


def _child(script, args, out_path, err_path):
  """Runs in the forked child; never returns."""
  code = 1
  try:
    out_fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    err_fd = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(out_fd, 1)
    os.dup2(err_fd, 2)
    os.chdir(ROOT)
    sys.argv = [script] + list(args)
    try:
      runpy.run_path(os.path.join(ROOT, script), run_name="__main__")
      code = 0
    except SystemExit as e:
      if e.code is None:
        code = 0
      elif isinstance(e.code, int):
        code = e.code
      else:
        sys.stderr.write("%s\n" % e.code)
        code = 1
    except BaseException:  # pylint: disable=broad-except
      # What the interpreter does with an uncaught exception.
      traceback.print_exc()
      code = 1
  finally:
    try:
      sys.stdout.flush()
      sys.stderr.flush()
    finally:
      os._exit(code)  # pylint: disable=protected-access


def run_case(script, args):
  with tempfile.TemporaryDirectory() as tmp:
    out_path = os.path.join(tmp, "stdout")
    err_path = os.path.join(tmp, "stderr")
    pid = os.fork()
    if pid == 0:
      _child(script, args, out_path, err_path)
    deadline = time.time() + TIMEOUT_SECS
    while True:
      done, status = os.waitpid(pid, os.WNOHANG)
      if done:
        break
      if time.time() > deadline:
        os.kill(pid, 9)
        _, status = os.waitpid(pid, 0)
        break
      time.sleep(0.02)
    with open(err_path, encoding="utf-8", errors="replace") as f:
      stderr = f.read()
    with open(out_path, encoding="utf-8", errors="replace") as f:
      stdout = f.read()
  if os.WIFEXITED(status):
    returncode = os.WEXITSTATUS(status)
  else:
    returncode = -os.WTERMSIG(status)
  return {"returncode": returncode, "stderr": stderr, "stdout": stdout}


def main(argv):
  cases_path, results_path = argv[1], argv[2]
  with open(cases_path) as f:
    cases = json.load(f)
  _preload()
  results = [run_case(case["script"], case["args"]) for case in cases]
  with open(results_path, "w") as f:
    json.dump(results, f)


if __name__ == "__main__":
  main(sys.argv)
