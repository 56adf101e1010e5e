#!/bin/sh
# Chooses the Python interpreter `make` builds its virtual environment with,
# and so the TensorFlow runtime (requirements.txt selects by Python version):
#   3.9-3.11   TensorFlow 2.15: TPUEstimator on CPU, GPU and Cloud TPU; the
#              reference runtime, preferred when present.
#   3.12-3.13  TensorFlow 2.16-2.21: the estimator-free graph runner (CPU, GPU).
#
# Usage: PYTHON=... sh find_python.sh
# Prints "INTERPRETER X.Y" and exits 0, or one line "error: WHY" (on stdout,
# so that make's $(shell) gets it) and exits 1.
#
# - PYTHON set: that interpreter and no other. It is refused, with the reason,
#   if it is not found, does not run, or is not 3.9-3.13.
# - PYTHON unset or empty: the first of python3.11, python3.10, python3.9,
#   python3.12, python3.13, python3 that runs and is 3.9-3.13.
#
# Every candidate is run, because `command -v` is not enough: pyenv puts a
# shim on PATH for each installed version, and the shim of a version that is
# not selected fails ("pyenv: python3.12: command not found"). A bare name
# that does not run is therefore also looked up in pyenv's versions folder
# ($(pyenv root)/versions/*/bin/NAME, and ~/.pyenv/versions/*/bin/NAME when
# pyenv is not on PATH), where the interpreters of inactive versions work; so
# PYTHON=python3.12 finds a pyenv-installed 3.12 that is not selected.

SUPPORTED="3.9-3.13"

# Prints "X.Y EXECUTABLE" if the command runs, nothing otherwise. The real
# executable (sys.executable), not a shim, is what the venv is built from.
probe() {
  "$1" -c 'import sys; print("%d.%d %s" % (sys.version_info[0], sys.version_info[1], sys.executable or sys.argv[1]))' "$1" 2>/dev/null
}

supported() {
  case "$1" in
    3.9|3.10|3.11|3.12|3.13) return 0 ;;
  esac
  return 1
}

# Why version X.Y is refused, in a few words.
why_not() {
  case "$1" in
    2.*|3.[0-8]) echo "too old for TensorFlow 2.15+" ;;
    *) echo "TensorFlow has no release for it yet" ;;
  esac
}

# Which Pythons work, and the TensorFlow each gets.
WHICH_WORK="use Python 3.9-3.11 (TensorFlow 2.15) or 3.12-3.13 (TensorFlow 2.16-2.21)"

pyenv_roots() {
  if command -v pyenv >/dev/null 2>&1; then
    pyenv root 2>/dev/null
  fi
  if [ -n "${HOME:-}" ]; then
    echo "$HOME/.pyenv"
  fi
}

# Prints "X.Y EXECUTABLE" for NAME if it runs; for a bare name that does not,
# for the first NAME in pyenv's versions folders (in name order) that does.
resolve() {
  out=$(probe "$1") && [ -n "$out" ] && { echo "$out"; return 0; }
  case "$1" in
    */*) return 1 ;;
  esac
  seen=""
  for root in $(pyenv_roots); do
    [ "$root" = "$seen" ] && continue
    seen=$root
    for candidate in "$root"/versions/*/bin/"$1"; do
      out=$(probe "$candidate") && [ -n "$out" ] && { echo "$out"; return 0; }
    done
  done
  return 1
}

if [ -n "${PYTHON:-}" ]; then
  if found=$(resolve "$PYTHON"); then
    version=${found%% *}
    if supported "$version"; then
      echo "${found#* } $version"
      exit 0
    fi
    echo "error: PYTHON=$PYTHON is Python $version (${found#* }): $(why_not "$version"); $WHICH_WORK"
  elif [ -e "$PYTHON" ] || command -v "$PYTHON" >/dev/null 2>&1; then
    echo "error: PYTHON=$PYTHON: does not run (it exists but fails when started, e.g. the pyenv shim of a version that is not selected); supported: $SUPPORTED"
  else
    echo "error: PYTHON=$PYTHON: not found (not on PATH, nor in pyenv's versions folder); supported: $SUPPORTED"
  fi
  exit 1
fi

refused=""
for name in python3.11 python3.10 python3.9 python3.12 python3.13 python3; do
  found=$(resolve "$name") || continue
  version=${found%% *}
  if supported "$version"; then
    echo "${found#* } $version"
    exit 0
  fi
  refused=" ($name is Python $version: $(why_not "$version"))"
done
echo "error: no Python $SUPPORTED found$refused (tried python3.11, 3.10, 3.9, 3.12, 3.13 and python3, on PATH and in pyenv's versions folder); install one (e.g. 'apt-get install python3.11', 'pyenv install 3.11' or 'uv python install 3.11') or set PYTHON=/path/to/python3.X"
exit 1
