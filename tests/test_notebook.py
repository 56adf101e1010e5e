# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""The Colab notebook runs top to bottom, headless, in its offline mode.

nbclient executes notebooks/fine_tune_and_predict.ipynb on a Jupyter kernel
of the running interpreter (so of this lane's environment and TensorFlow),
with the checkout importable instead of installed and the outputs in a
temporary folder (BERT_NOTEBOOK_TEST_DIR). Any cell error fails the test;
the plot cell must produce a PNG and the prediction cell a label for every
typed sentence. CI runs it on Colab's stack too (`make colab`), where the
notebook must use the preinstalled TensorFlow; without TensorFlow (a Colab
TPU runtime) the install cell must stop at once and say what to do.
"""

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTEBOOK = os.path.join(ROOT, "notebooks", "fine_tune_and_predict.ipynb")
KERNEL_NAME = "bert-faithful-test"


def _load_notebook():
  with open(NOTEBOOK, encoding="utf-8") as f:
    return json.load(f)


def test_committed_notebook_has_no_outputs():
  """Outputs are stripped: a diff of the notebook is a diff of its code."""
  notebook = _load_notebook()
  for cell in notebook["cells"]:
    if cell["cell_type"] == "code":
      assert cell["outputs"] == [], cell["source"][:80]
      assert cell["execution_count"] is None, cell["source"][:80]


def test_parameters_cell_comes_first():
  code_cells = [c for c in _load_notebook()["cells"]
                if c["cell_type"] == "code"]
  source = "".join(code_cells[0]["source"])
  assert source.startswith("# Parameters")
  for name in ("OFFLINE = True", "MODEL_DIR =", "TASK =", "DATA_DIR =",
               "DEVICE ="):
    assert name in source


def _kernel_spec(directory):
  """A kernelspec that starts this very interpreter (not whatever `python3`
  Jupyter would find)."""
  kernel_dir = os.path.join(directory, "kernels", KERNEL_NAME)
  os.makedirs(kernel_dir)
  with open(os.path.join(kernel_dir, "kernel.json"), "w") as f:
    json.dump({"argv": [sys.executable, "-m", "ipykernel_launcher", "-f",
                        "{connection_file}"],
               "display_name": "bert-faithful tests", "language": "python"},
              f)


def _stdout(cell):
  """What the cell printed (TensorFlow's log lines go to stderr)."""
  return "".join(output["text"] for output in cell["outputs"]
                 if output["output_type"] == "stream" and
                 output["name"] == "stdout")


@pytest.mark.slow
def test_notebook_runs_offline(tmp_path, monkeypatch):
  nbclient = pytest.importorskip("nbclient")
  nbformat = pytest.importorskip("nbformat")
  pytest.importorskip("ipykernel")
  pytest.importorskip("matplotlib")
  jupyter_dir = str(tmp_path / "jupyter")
  _kernel_spec(jupyter_dir)
  # Read by the kernel spec manager and inherited by the kernel process.
  monkeypatch.setenv("JUPYTER_PATH", jupyter_dir)
  monkeypatch.setenv("PYTHONPATH", ROOT)
  monkeypatch.setenv("BERT_NOTEBOOK_TEST_DIR", str(tmp_path / "work"))
  monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")
  monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")

  notebook = nbformat.read(NOTEBOOK, as_version=4)
  client = nbclient.NotebookClient(
      notebook, kernel_name=KERNEL_NAME, timeout=600,
      resources={"metadata": {"path": os.path.dirname(NOTEBOOK)}})
  # Raises CellExecutionError, with the cell and its traceback, on any error.
  client.execute()

  code_cells = [c for c in notebook.cells if c.cell_type == "code"]
  # TensorFlow's warnings about the TF1 APIs the code uses on purpose are
  # nothing a notebook user can act on; importing our modules does not hide
  # them process-wide, so the code that causes them does, while it runs.
  printed = "".join(o.get("text", "") for c in code_cells for o in c.outputs
                    if o.get("output_type") == "stream")
  assert " is deprecated" not in printed, printed
  plot_cell = next(c for c in code_cells if "plt.show()" in c.source)
  images = [o for o in plot_cell.outputs
            if "image/png" in o.get("data", {})]
  assert len(images) == 1

  predict_cell = next(c for c in code_cells
                      if "predictor.load(OUTPUT_DIR)" in c.source)
  lines = _stdout(predict_cell).splitlines()
  assert lines[0] == "labels: ['0', '1']"
  sentences = lines[1:]
  assert len(sentences) == 3
  for line in sentences:
    label, score, _ = line.split(None, 2)
    assert label in ("original", "scrambled")
    assert 0.5 <= float(score) <= 1.0
  assert sentences[0].endswith("equal weights of water and rye flour.")

  export_cell = next(c for c in code_cells if "EXPORT_DIR =" in c.source)
  export_text = _stdout(export_cell)
  assert "assets.extra: ['model_info.json', 'vocab.txt']" in export_text
  # The SavedModel classifies the sentences as the checkpoint did.
  assert export_text.rstrip().splitlines()[-3:] == sentences


def test_without_tensorflow_the_install_cell_says_what_to_do(tmp_path):
  """A Colab TPU runtime has no TensorFlow: the install cell stops first,
  with what to do, before cloning or installing anything."""
  code_cells = [c for c in _load_notebook()["cells"]
                if c["cell_type"] == "code"]
  program = "\n".join("".join(cell["source"]) for cell in code_cells[:2])
  # -S: no site-packages, so no TensorFlow; -I: not even the checkout.
  env = {k: v for k, v in os.environ.items()
         if k not in ("BERT_NOTEBOOK_TEST_DIR", "PYTHONPATH")}
  result = subprocess.run([sys.executable, "-I", "-S", "-c", program],
                          cwd=str(tmp_path), env=env, capture_output=True,
                          text=True, timeout=120)
  assert result.returncode == 1
  assert result.stdout == ""  # nothing cloned or installed
  last = result.stderr.strip().splitlines()[-1]
  assert last.startswith("RuntimeError: This runtime has no TensorFlow")
  assert "Runtime > Change runtime type > CPU or a GPU" in last
  assert os.listdir(str(tmp_path)) == []
