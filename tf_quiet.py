# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Keeps TensorFlow's own messages out of the scripts' default log.

A fine-tuning run used to print some 400 lines for ten useful ones. What
TensorFlow says by itself falls in three kinds, each handled here:

1. Start-up messages of its C++ side, printed while it is imported: oneDNN
   and CPU-instruction notices, "Could not find cuda drivers", "Could not
   find TensorRT" and, on TF 2.15, three E-level lines "Unable to register
   cuDNN/cuFFT/cuBLAS factory" that look like errors but are not
   (TF_CPP_MIN_LOG_LEVEL=2 still shows them); TF 2.16+ adds an E-level
   "failed call to cuInit" without a GPU when it first looks for devices.
   They go straight to file descriptor 2, where Python's logging cannot
   filter them, so this module, which every script imports before anything
   else, imports TensorFlow and lets it find its devices with descriptor 2
   pointing at a temporary file (only when the program being run imports
   this module itself, as the scripts do: a notebook or program that imports
   `predictor` or `run_classifier` keeps its descriptor, environment and
   TensorFlow logger as they were; `quiet_log` quiets a block of its own).
   `captured` keeps what was written; `shown_lines` picks what to show of
   it. TF 2.20 logs two more lines through absl at its first graph run,
   whatever TF_CPP_MIN_LOG_LEVEL says ("All log messages before
   absl::InitializeLog() ...", an MLIR pass "not enabled"), so the capture
   includes a first, tiny graph run. Later C++ INFO messages (a
   TFRecordDataset buffer size) are hidden by TF_CPP_MIN_LOG_LEVEL=1, set
   here unless the command line asks for -v or the environment sets the
   variable already.
2. Deprecation warnings about the TF1 APIs this code uses on purpose
   (tf.compat.v1, the estimator): nothing a user can act on.
3. The estimator's routine INFO lines ("Calling model_fn.", "Graph was
   finalized.", the whole RunConfig, "... marked as finished" twice, ...).

`configure(verbose)` sets TensorFlow's logger for the default log (2 and 3
left out) or the verbose one (absl's -v 1: everything); a script's `main`
calls it once its flags are parsed. In a script run, 2 and 3 are left out
from the start unless the command line has -v, so that warnings printed
while the scripts' modules are imported are covered too.
Where TensorFlow was imported before this module (a test process), nothing
is captured.
"""

import contextlib
import logging
import os
import re
import sys
import tempfile

# The C++ lines TensorFlow prints on every start-up, on CPU and GPU machines
# alike; any other captured line is shown.
_STARTUP_CHATTER = re.compile(
    r"oneDNN custom operations are on"
    r"|Could not find cuda drivers on your machine"
    r"|Unable to register cu(DNN|FFT|BLAS) factory"
    r"|This TensorFlow binary is optimized to use available CPU instructions"
    r"|^To enable the following instructions: .* rebuild TensorFlow"
    r"|TF-TRT Warning: Could not find TensorRT"
    r"|All log messages before absl::InitializeLog\(\) is called are written"
    r"|failed call to cuInit"
    r"|MLIR V1 optimization pass is not enabled")

# What TensorFlow and its estimator log on every run, below ERROR, that says
# nothing about this run's configuration, progress, weights or results.
_CHATTER = re.compile("|".join([
    r"^Using config: ",  # the whole RunConfig, over a dozen lines
    r"^_TPUContext: eval_on_tpu ",
    r"^eval_on_tpu ignored because use_tpu is False",
    r"^Estimator's model_fn \(.*\) includes params argument",
    r"^(Done calling|Calling) model_fn\.",
    r"^Running (train|eval|infer) on CPU/GPU",
    r"^Create CheckpointSaverHook\.",
    r"^Graph was finalized\.",
    r"^(Done running|Running) local_init_op\.",
    r"^Calling checkpoint listeners (before|after) saving checkpoint",
    r"^\w+_loop marked as finished",  # twice after each prediction
    r"^(Starting|Finished) evaluation at ",
    r"^Inference Time : ",
    r"^Saving 'checkpoint_path' summary for global step",
    # Said better by checkpoint_utils.describe_weights (the file and its step).
    r"^Could not find trained model in model_dir: ",
    r"^Using checkpoint \S+ to (train|evaluate|predict)",
    # Expected with gradient accumulation (the step moves every k runs).
    r"^It seems that global step \(tf\.train\.get_global_step\) has not "
    r"been increased",
    r"^Reraising captured error",  # the error itself follows
]))

# TensorFlow's deprecation warnings ("... is deprecated and will be removed
# ...", "The name tf.x is deprecated. Please use tf.compat.v1.x instead.").
_DEPRECATION = re.compile(
    r" is deprecated( and will be removed|\. Please use )")

# What TensorFlow wrote to stderr while it was imported here.
captured = ""


def verbose_in(argv):
  """Whether absl's -v/--verbosity on the command line is 1 or more.

  Read before absl parses the flags, since the C++ log level must be chosen
  before TensorFlow is imported. Accepts absl's forms: -v 1, -v=1, --v=1,
  --verbosity 1, --verbosity=1.
  """
  for i, arg in enumerate(argv[1:], start=1):
    if arg == "--":
      break
    name, equals, value = arg.lstrip("-").partition("=")
    if not arg.startswith("-") or name not in ("v", "verbosity"):
      continue
    if not equals:
      value = argv[i + 1] if i + 1 < len(argv) else ""
    try:
      return int(value) >= 1
    except ValueError:
      return False
  return False


def shown_lines(text, verbose):
  """The captured lines to show: all if verbose, else the unknown ones."""
  return [line for line in text.splitlines()
          if line.strip() and (verbose or not _STARTUP_CHATTER.search(line))]


class DefaultLogFilter(logging.Filter):
  """Drops TensorFlow's chatter and deprecation warnings (never errors)."""

  def filter(self, record):
    if record.levelno >= logging.ERROR:
      return True
    try:
      message = record.getMessage()
    except (TypeError, ValueError):
      return True  # Shown as logging would show a malformed record.
    return not (_CHATTER.search(message) or _DEPRECATION.search(message))


def configure(verbose, level=None):
  """Sets TensorFlow's logger for the default or the verbose log.

  Args:
    verbose: bool. The default log drops `DefaultLogFilter`'s messages; the
      verbose one shows everything, DEBUG level included.
    level: (optional) logging level for the default log; default INFO.
  """
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  logger = tf.get_logger()
  # TensorFlow's logger has a handler of its own; letting its records also
  # reach absl's handler on the root logger prints every line twice.
  logger.propagate = False
  if verbose:
    logger.setLevel(logging.DEBUG)
  elif level is not None:
    logger.setLevel(level)
  for old in [f for f in logger.filters if isinstance(f, DefaultLogFilter)]:
    logger.removeFilter(old)
  if not verbose:
    logger.addFilter(DefaultLogFilter())


@contextlib.contextmanager
def quiet_log(level=None):
  """TensorFlow's logger as in the default log while the block runs, and as
  it was afterwards.

  For code that any program may import or call (a notebook's predictions,
  a module that looks up TF1 names): `DefaultLogFilter`'s messages are left
  out, and with `level` (e.g. logging.WARNING) the records below it too.
  """
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  logger = tf.get_logger()
  old_level = logger.level
  log_filter = DefaultLogFilter()
  if level is not None:
    logger.setLevel(max(old_level, level))
  logger.addFilter(log_filter)
  try:
    yield
  finally:
    logger.removeFilter(log_filter)
    logger.setLevel(old_level)


def _import_tensorflow():
  """Imports TensorFlow and finds its devices, keeping their stderr output."""
  if "tensorflow" in sys.modules:
    return
  if not verbose_in(sys.argv):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
  sys.stderr.flush()
  saved_fd = os.dup(2)
  with tempfile.TemporaryFile() as sink:

    def restore():
      global captured
      sys.stderr.flush()
      os.dup2(saved_fd, 2)
      os.close(saved_fd)
      sink.seek(0)
      captured = sink.read().decode("utf-8", "replace")

    os.dup2(sink.fileno(), 2)
    try:
      import tensorflow as tf  # pylint: disable=g-import-not-at-top
      # TF 2.16+ initialises CUDA (and complains without a GPU) here.
      tf.config.list_physical_devices()
      # TF 2.20 logs through absl, whatever TF_CPP_MIN_LOG_LEVEL says, from
      # its first graph run: "All log messages before absl::InitializeLog()
      # ..." and an INFO line that an MLIR pass is not enabled, each once
      # per process. A first graph run here, while they are captured, on
      # the CPU only: a session that sets up the GPUs would fix their
      # memory settings for the process before the script chooses its own.
      with tf.Graph().as_default():
        cpu_only = tf.compat.v1.ConfigProto(device_count={"GPU": 0})
        with tf.compat.v1.Session(config=cpu_only) as session:
          session.run(tf.constant(0) + 1)
    except BaseException:
      restore()
      # The import failed: what TensorFlow said is the explanation.
      sys.stderr.write(captured)
      raise
    restore()


def _imported_by_main_program():
  """Whether the module importing this one is the program being run.

  The scripts import this module first, themselves, so it is True for
  `python run_classifier.py ...` and `python -m run_classifier`. A notebook
  or program that imports `predictor` or `run_classifier` imports this
  module through them: False, and its TensorFlow set-up and logging stay as
  they were.
  """
  # The frame that ran `import tf_quiet`, above this module's own frame and
  # the import machinery's (named importlib... or _frozen_importlib...).
  frame = sys._getframe(2)  # pylint: disable=protected-access
  while frame is not None and frame.f_globals.get(
      "__name__", "").lstrip("_").startswith(("importlib", "frozen_importlib")):
    frame = frame.f_back
  return frame is not None and frame.f_globals.get("__name__") == "__main__"


def _own_modules_first():
  """Puts the scripts' own folder first on sys.path for a script run.

  `python -m run_classifier` puts the current directory first, so a
  tokenization.py (or modeling.py, ...) of the user's there used to be
  imported instead of ours, and the run ended in an AttributeError deep in
  the script. A script run from its own folder (`python run_classifier.py`
  in the checkout) has that folder first already; this makes `python -m`
  after `pip install .` the same. Only when the program being run is one of
  the modules beside this one: a program of the user's keeps its sys.path.
  """
  here = os.path.dirname(os.path.realpath(__file__))
  main_file = getattr(sys.modules.get("__main__"), "__file__", None)
  if not main_file or os.path.dirname(os.path.realpath(main_file)) != here:
    return
  first = os.path.realpath(sys.path[0] or os.curdir) if sys.path else None
  if first != here:
    sys.path.insert(0, here)


if _imported_by_main_program():
  _own_modules_first()
  _import_tensorflow()
  # Until the script configures its log: quiet while modules are imported.
  configure(verbose_in(sys.argv))
