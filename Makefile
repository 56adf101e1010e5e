# Two commands on a fresh machine:  `make demo`  and  `make test`.
# Both create .venv with a supported Python (TensorFlow 2.15 ships wheels for
# Python 3.9-3.11 only) and install what they need.

VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

# The first interpreter that actually runs and is 3.9-3.11. `command -v` is not
# enough: pyenv installs shims for versions that are not active and fail.
FIND_PYTHON = for p in $${PYTHON:-} python3.11 python3.10 python3.9 python3; do \
	  [ -n "$$p" ] || continue; \
	  if "$$p" -c 'import sys; sys.exit(0 if (3, 9) <= sys.version_info[:2] <= (3, 11) else 1)' >/dev/null 2>&1; then \
	    echo "$$p"; break; fi; \
	done

.PHONY: test test-fast demo bench clean

$(PY):
	@py=$$($(FIND_PYTHON)); \
	if [ -z "$$py" ]; then \
	  echo "error: TensorFlow 2.15 needs Python 3.9, 3.10 or 3.11 and none was found; install one (e.g. 'apt-get install python3.11', 'pyenv install 3.11', or 'uv python install 3.11') or set PYTHON=/path/to/python3.11" >&2; \
	  exit 1; fi; \
	echo "Creating $(VENV) with $$py"; \
	"$$py" -m venv $(VENV)

$(STAMP): $(PY) requirements.txt requirements-dev.txt
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

test: $(STAMP)
	$(PY) -m pytest -q tests

demo: $(STAMP)
	PYTHON=$(PY) bash demo.sh

# The benchmarks behind bench/RESULTS.md (about 25 minutes on 2 cores; the
# model benchmark alone takes ~17). Each prints ratios against a baseline
# measured in the same run.
bench: $(STAMP)
	$(PY) bench/bench_tokenizer.py
	$(PY) bench/bench_pretraining_data.py
	$(PY) bench/bench_model.py

clean:
	rm -rf $(VENV) demo_output bench/output
