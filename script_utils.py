# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Running a command-line script: one-line errors, a readable log, --help.

- `run(main)`: bad input (`UsageError`, see `user_errors`) ends in one
  `error: ...` line and exit status 1; a bug in our code keeps its
  traceback.
- Logs a person can read (`configure_logging`, -v 1 for details), --help,
  and a warning for a --precision this machine only emulates.
- `require_flags`.

The rest of a script's plumbing lives by concern, and is importable from
here as well: checks of files, atomic outputs and UTF-8 text in
`file_utils`; bert_config.json and the vocabulary in `model_files`; progress
lines in `progress`. What runs a model_fn, and the flags that configure it,
is in `estimator_runtime`; checkpoints in `checkpoint_utils`; TFRecord
features in `record_utils`; --distribution in `distribute_utils`.
"""

import functools
import logging
import os
import sys
import traceback
import types

# First: TensorFlow's own messages stay out of the default log, also those
# printed while the modules below are imported.
import tf_quiet  # pylint: disable=g-bad-import-order
from absl import app
from absl import flags
import tensorflow as tf

# Each concern's module; their names stay importable from here.
from file_utils import (  # pylint: disable=unused-import
    atomic_output, check_output_file, expand_file_patterns,
    prepare_output_dir, read_text, read_text_lines, require_file,
    temporary_name, write_eval_results)
from model_files import (  # pylint: disable=unused-import
    check_vocab_fits_config, load_bert_config, load_tokenizer,
    vocab_casing_warning)
from progress import (  # pylint: disable=unused-import
    ProgressHook, ProgressLogger)
from user_errors import UsageError, error_line

tf1 = tf.compat.v1


# ----------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------


# Exceptions that mean "the input is wrong", not "the code is wrong":
# a UsageError raised where the input is checked, file-system errors, and the
# TensorFlow errors that come from files (a missing or unreadable file, a
# corrupt record or checkpoint) or from the size of the work (memory). Any
# other exception, a ValueError included, is a bug in our code and keeps its
# traceback, so that it can be reported usefully.
_USER_ERRORS = (UsageError, OSError, tf.errors.NotFoundError,
                tf.errors.PermissionDeniedError, tf.errors.DataLossError,
                tf.errors.ResourceExhaustedError)

# Set to 1 to see the traceback of user errors too (when reporting an issue).
TRACEBACK_ENV = "BERT_SHOW_TRACEBACK"

_OUT_OF_MEMORY_HINT = (" (out of memory: try a smaller --train_batch_size, "
                       "--eval_batch_size or --predict_batch_size, a shorter "
                       "--max_seq_length, or --num_accumulation_steps)")


def run(main, argv=None):
  """`absl.app.run(main)`, with user errors reported as one line.

  Bad input (see `_USER_ERRORS`) ends in one `error: ...` line on stderr and
  exit status 1; anything else propagates with its traceback. Setting the
  environment variable BERT_SHOW_TRACEBACK=1 shows the traceback of user
  errors as well.

  Args:
    main: the script's main(argv).
    argv: (optional) argument list; defaults to sys.argv.
  """

  def guarded_main(argv):
    verbose = configure_logging()
    for line in tf_quiet.shown_lines(tf_quiet.captured, verbose):
      sys.stderr.write(line + "\n")
    try:
      check_runtime_flags(flags.FLAGS)
      return main(argv)
    except _USER_ERRORS as e:
      if os.environ.get(TRACEBACK_ENV, "") not in ("", "0"):
        traceback.print_exc()  # Then the usual line, for what parses it.
      message = error_line(e)
      if isinstance(e, tf.errors.ResourceExhaustedError):
        message += _OUT_OF_MEMORY_HINT
      # Only this line: logging it as well printed the message twice.
      sys.stderr.write("error: %s\n" % message)
      sys.stderr.flush()
      # os._exit would skip cleanup; SystemExit lets `finally` blocks (which
      # remove temporary files) run.
      raise SystemExit(1)

  argv = sys.argv if argv is None else argv
  help_kind = _help_requested(argv)
  if help_kind:
    print_help(full=help_kind == "full")
    raise SystemExit(0)
  # A mistyped or invalid flag is bad input too: one line, not absl's
  # "FATAL Flags parsing error" and a second line of advice. absl
  # parses the same argv again in app.run, which is allowed.
  try:
    flags.FLAGS(argv)
  except flags.Error as e:
    sys.stderr.write("error: %s (see --help)\n" % error_line(e))
    sys.stderr.flush()
    raise SystemExit(1)
  app.run(guarded_main, argv=argv)


# ----------------------------------------------------------------------------
# Logs a person can read
# ----------------------------------------------------------------------------


def verbosity():
  """absl's --verbosity (-v): 0 by default in a script, 1+ for details."""
  if "verbosity" not in flags.FLAGS:
    return 0
  return flags.FLAGS["verbosity"].value or 0


def configure_logging(verbose=None):
  """Sets up TensorFlow's logger for the default or the verbose log.

  The default log holds what a run needs to be understood: its
  configuration, the weights it uses, progress and results, warnings and
  errors. With absl's -v 1 (--verbosity=1) everything else comes back:
  TensorFlow's start-up, chatter and deprecation messages (see
  `tf_quiet`), and the details the scripts log at DEBUG level
  (example features, input shapes, every variable each time a graph is
  built).

  Args:
    verbose: bool; default: whether absl's --verbosity is 1 or more.

  Returns:
    verbose.
  """
  if verbose is None:
    verbose = verbosity() >= 1
  tf_quiet.configure(verbose, level=logging.INFO)
  return verbose


# absl's help flags (and -h): "short" for the script's flags, "full" for all.
_HELP_FLAGS = {"help": "short", "?": "short", "helpshort": "short",
               "h": "short", "helpfull": "full"}


def _help_requested(argv):
  """"short", "full" or None: whether the command line asks for help."""
  for arg in argv[1:]:
    if arg == "--":
      break  # What follows is not flags.
    if not arg.startswith("-"):
      continue
    name, _, value = arg.lstrip("-").partition("=")
    if name in _HELP_FLAGS and value.lower() not in ("false", "0"):
      return _HELP_FLAGS[name]
  return None


def print_help(full=False):
  """Prints the script's usage and flags to stdout.

  absl's --help lists only the flags defined in the main module, which left
  out those this module and export_utils define for every script
  (--precision, --use_tpu, --export_dir, ...), and exits with status 1.
  Here every flag defined by this repository's modules counts as the
  script's own.

  Args:
    full: list every flag (TensorFlow's and absl's too), like --helpfull.
  """
  flag_values = flags.FLAGS
  root = os.path.dirname(os.path.abspath(__file__))
  # absl names the main module after sys.argv[0] (see its
  # main_module_help), so the flags are registered under that name.
  main_module = sys.argv[0]
  for module_name, module_flags in flag_values.flags_by_module_dict().items():
    module = sys.modules.get(module_name)
    path = getattr(module, "__file__", None) or module_name
    if os.path.dirname(os.path.abspath(path)) != root:
      continue
    for flag in module_flags:
      flag_values.register_key_flag_for_module(main_module, flag)
  app.usage(shorthelp=not full, writeto_stdout=True)
  if not full:
    print("--helpfull also lists the flags of TensorFlow and absl.")
  sys.stdout.flush()


def check_runtime_flags(flags_obj):
  """Warns, before any work, of a --precision this machine only emulates.

  (--use_tpu where this TensorFlow has no TPUEstimator is refused when the
  flags are parsed: see `estimator_runtime.define_tpu_flags`.)
  """
  if "precision" in flags_obj:
    warning = precision_warning(
        flags_obj.precision, "use_tpu" in flags_obj and flags_obj.use_tpu)
    if warning:
      tf1.logging.warning("%s", warning)


def _cpu_flags():
  """The CPU's feature flags (Linux /proc/cpuinfo), or None if unknown."""
  try:
    with open("/proc/cpuinfo") as f:
      for line in f:
        if line.startswith("flags"):
          return set(line.split(":", 1)[1].split())
  except OSError:
    pass
  return None


def precision_warning(precision, use_tpu=False, gpu_capabilities=None,
                      cpu_flags=None):
  """Why this machine cannot compute in `precision`, or None.

  Reduced precision is faster only where the hardware computes in it
  (TPUs; NVIDIA tensor cores: fp16 from compute capability 7.0, bf16 from
  8.0; CPUs with AVX512_BF16 or AMX for bf16). Elsewhere TensorFlow
  emulates it, which is much slower than fp32 (measurements in
  docs/performance.md).

  Args:
    precision: the --precision.
    use_tpu: the --use_tpu (TPUs compute bf16).
    gpu_capabilities: (optional, for tests) list of (major, minor) compute
      capabilities, one per GPU; default: the GPUs TensorFlow sees.
    cpu_flags: (optional, for tests) set of CPU feature flags; default: the
      machine's (None where they cannot be read: no warning then).

  Returns:
    str, a one-line warning naming --precision and what to use, or None.
  """
  if precision == "fp32" or use_tpu:
    return None
  if gpu_capabilities is None:
    gpu_capabilities = [
        tf.config.experimental.get_device_details(gpu).get(
            "compute_capability") or (0, 0)
        for gpu in tf.config.list_physical_devices("GPU")]
  needed = {"fp16": (7, 0), "bf16": (8, 0)}[precision]
  if gpu_capabilities:
    slow = sorted(set(c for c in gpu_capabilities if tuple(c) < needed))
    if not slow:
      return None
    return ("--precision=%s: this GPU (compute capability %s) has no %s "
            "tensor cores (%d.%d or newer has), so it is likely slower than "
            "--precision=fp32" % ((precision, ", ".join(
                "%d.%d" % tuple(c) for c in slow), precision) + needed))
  if precision == "fp16":
    return ("--precision=fp16 without a GPU: CPUs have no float16 "
            "arithmetic and TensorFlow emulates it, 20 to 50 times slower "
            "than --precision=fp32 (see docs/performance.md); use fp32 on a "
            "CPU")
  if cpu_flags is None:
    cpu_flags = _cpu_flags()
  if cpu_flags is None or cpu_flags & {"avx512_bf16", "amx_bf16"}:
    return None
  return ("--precision=bf16 on a CPU without AVX512_BF16 or AMX: TensorFlow "
          "emulates bfloat16, 3 to 5 times slower than --precision=fp32 (see "
          "docs/performance.md); use fp32 on this CPU")


def require_flags(flags_obj, names):
  """Raises UsageError listing every required flag that is unset."""
  missing = [name for name in names if not getattr(flags_obj, name)]
  if missing:
    raise UsageError("missing required flag(s): %s" %
                     ", ".join("--" + name for name in missing))


def flag_definers(flag_values):
  """absl's flag definers bound to `flag_values`, for a `define_flags`.

  `define.string(name, default, help)` is `flags.DEFINE_string(name,
  default, help, flag_values=flag_values)`; likewise `integer`, `float`,
  `bool`, `enum` (name, default, choices, help) and `list`.
  """
  return types.SimpleNamespace(**{
      kind: functools.partial(getattr(flags, "DEFINE_" + kind),
                              flag_values=flag_values)
      for kind in ("string", "integer", "float", "bool", "enum", "list")})
