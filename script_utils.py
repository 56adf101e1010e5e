# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Plumbing shared by the command-line scripts, written once.

The scripts (`run_pretraining.py`, `run_classifier.py`, `run_squad.py`,
`extract_features.py`, `create_pretraining_data.py`) differ in their data and
heads; what they share lives here:

- the Cloud TPU flags and the run config they lead to (what runs the
  model_fns is `estimator_runtime`'s business);
- warm-starting from `init_checkpoint` (with the `*INIT_FROM_CKPT*` log);
- pair truncation, record features and record decoding;
- writing outputs atomically, so an interrupted run leaves no truncated file;
- turning bad input into a one-line `error: ...` and exit status 1.
"""

import contextlib
import json
import logging
import os
import re
import sys
import time
import traceback
import uuid

# First: TensorFlow's own messages stay out of the default log, also those
# printed while the modules below are imported.
import tf_quiet  # pylint: disable=g-bad-import-order
from absl import app
from absl import flags
import tensorflow as tf

import estimator_runtime
import modeling
import tokenization

tf1 = tf.compat.v1


# ----------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------


class UsageError(ValueError):
  """Bad input from the user: a flag, a file or its contents.

  The message should name the flag or file and say what is wrong; `run`
  prints it on one line instead of a traceback.
  """


# Exceptions that mean "the input is wrong", not "the code is wrong" (#12):
# a UsageError raised where the input is checked, file-system errors, and the
# TensorFlow errors that come from files (a missing or unreadable file, a
# corrupt record or checkpoint) or from the size of the work (memory). Any
# other exception, a ValueError included, is a bug in our code and keeps its
# traceback, so that it can be reported usefully.
_USER_ERRORS = (UsageError, IOError, OSError, tf.errors.NotFoundError,
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
      message = _one_line(e)
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
  # "FATAL Flags parsing error" and a second line of advice (#12). absl
  # parses the same argv again in app.run, which is allowed.
  try:
    flags.FLAGS(argv)
  except flags.Error as e:
    sys.stderr.write("error: %s (see --help)\n" % _one_line(e))
    sys.stderr.flush()
    raise SystemExit(1)
  app.run(guarded_main, argv=argv)


# ----------------------------------------------------------------------------
# Logs a person can read (#18)
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
  """Prints the script's usage and flags to stdout (#18).

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
  """Refuses, before any work, flags this TensorFlow runtime cannot honour.

  Raises:
    UsageError: --use_tpu where TensorFlow has no TPUEstimator (TF >= 2.16).
  """
  if ("use_tpu" in flags_obj and flags_obj.use_tpu and
      not estimator_runtime.HAS_TPU_ESTIMATOR):
    raise UsageError(estimator_runtime.NO_TPU_MESSAGE)
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
  """Why this machine cannot compute in `precision`, or None (#18).

  Reduced precision is faster only where the hardware computes in it
  (TPUs; NVIDIA tensor cores: fp16 from compute capability 7.0, bf16 from
  8.0; CPUs with AVX512_BF16 or AMX for bf16). Elsewhere TensorFlow
  emulates it, which is much slower than fp32 (measurements in the README).

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
            "than --precision=fp32 (see the README); use fp32 on a CPU")
  if cpu_flags is None:
    cpu_flags = _cpu_flags()
  if cpu_flags is None or cpu_flags & {"avx512_bf16", "amx_bf16"}:
    return None
  return ("--precision=bf16 on a CPU without AVX512_BF16 or AMX: TensorFlow "
          "emulates bfloat16, 3 to 5 times slower than --precision=fp32 (see "
          "the README); use fp32 on this CPU")


# The frame TensorFlow puts around an error raised while a graph runs
# ("Graph execution error:", where the op was defined, its node); the cause
# ("corrupted record at 634208") is the line left (#18).
_OP_ERROR_FRAME = re.compile(
    r"^(Graph execution error:|Detected at node |File \"|Node: |"
    r"\[\[\{\{node |Original stack trace for )")


def _one_line(exception):
  """The first meaningful line of an exception's message."""
  if isinstance(exception, tf.errors.OpError):
    text = exception.message
  else:
    text = str(exception)
  lines = [line.strip() for line in text.splitlines() if line.strip()]
  if isinstance(exception, tf.errors.OpError):
    lines = [line for line in lines if not _OP_ERROR_FRAME.match(line)] or lines
  return lines[0] if lines else exception.__class__.__name__


def require_flags(flags_obj, names):
  """Raises UsageError listing every required flag that is unset."""
  missing = [name for name in names if not getattr(flags_obj, name)]
  if missing:
    raise UsageError("missing required flag(s): %s" %
                     ", ".join("--" + name for name in missing))


def require_file(path, flag_name):
  """Raises UsageError unless `path` names an existing file."""
  if not path:
    raise UsageError("--%s is required" % flag_name)
  if not tf.io.gfile.exists(path):
    raise UsageError("--%s=%s: file not found" % (flag_name, path))
  if tf.io.gfile.isdir(path):
    raise UsageError("--%s=%s: is a directory, expected a file" %
                     (flag_name, path))


def expand_file_patterns(patterns, flag_name):
  """Expands a comma-separated list of files or globs.

  Args:
    patterns: string such as "a.tfrecord,shards/*.tfrecord".
    flag_name: flag the list came from, for the error message.

  Returns:
    Sorted-per-pattern list of existing file paths.

  Raises:
    UsageError: when a pattern matches nothing.
  """
  files = []
  for pattern in patterns.split(","):
    pattern = pattern.strip()
    if not pattern:
      continue
    matches = tf.io.gfile.glob(pattern)
    if not matches:
      raise UsageError("--%s: no file matches %s" % (flag_name, pattern))
    files.extend(sorted(matches))
  if not files:
    raise UsageError("--%s is empty" % flag_name)
  return files


def prepare_output_dir(output_dir, flag_name="output_dir"):
  """Creates the output directory, refusing a path that is a file."""
  if not output_dir:
    raise UsageError("--%s is required" % flag_name)
  if tf.io.gfile.exists(output_dir) and not tf.io.gfile.isdir(output_dir):
    raise UsageError("--%s=%s: exists and is not a directory" %
                     (flag_name, output_dir))
  tf.io.gfile.makedirs(output_dir)


def load_bert_config(bert_config_file, max_seq_length=None):
  """Reads the model config and checks max_seq_length against it.

  Args:
    bert_config_file: path of `bert_config.json`.
    max_seq_length: (optional) int, the script's --max_seq_length.

  Returns:
    `modeling.BertConfig`.

  Raises:
    UsageError: for a missing or invalid file, or a sequence length the
      model's position table cannot hold.
  """
  if not bert_config_file:
    raise UsageError("--bert_config_file is required")
  try:
    config = modeling.BertConfig.from_json_file(bert_config_file)
  except UnicodeDecodeError:
    raise UsageError("--bert_config_file=%s: not valid UTF-8 (is it a JSON "
                     "text file?)" % bert_config_file)
  except ValueError as e:
    raise UsageError(str(e))
  if max_seq_length is not None:
    if max_seq_length > config.max_position_embeddings:
      raise UsageError(
          "--max_seq_length=%d is longer than max_position_embeddings=%d in "
          "--bert_config_file=%s" % (max_seq_length,
                                      config.max_position_embeddings,
                                      bert_config_file))
  return config


def load_tokenizer(vocab_file, do_lower_case, init_checkpoint=None,
                   required_tokens=("[CLS]", "[SEP]", "[UNK]")):
  """The script's `tokenization.FullTokenizer`, its inputs checked first.

  Args:
    vocab_file: the --vocab_file.
    do_lower_case: the --do_lower_case.
    init_checkpoint: (optional) the --init_checkpoint; a released model's
      name in it must agree with do_lower_case.
    required_tokens: tokens the script writes or needs; without them it
      would fail only halfway through its data, deep in the code.

  Returns:
    `tokenization.FullTokenizer`.

  Raises:
    UsageError: a missing, unreadable or empty vocabulary, one lacking a
      required token, or a casing that contradicts the checkpoint.
  """
  require_file(vocab_file, "vocab_file")
  # tokenization raises ValueError (as the original did) for these inputs;
  # they are the user's to fix, so they become one-line errors here.
  try:
    if init_checkpoint:
      tokenization.validate_case_matches_checkpoint(do_lower_case,
                                                    init_checkpoint)
    tokenizer = tokenization.FullTokenizer(vocab_file=vocab_file,
                                           do_lower_case=do_lower_case)
  except ValueError as e:
    # tokenization names the file as "vocab file X: ..."; users type a flag.
    message = str(e)
    prefix = "vocab file %s: " % vocab_file
    if message.startswith(prefix):
      message = "--vocab_file=%s: %s" % (vocab_file, message[len(prefix):])
      if "UTF-8" in message:
        message += "; convert the file to UTF-8"
    raise UsageError(message)
  missing = [token for token in required_tokens
             if token not in tokenizer.vocab]
  if missing:
    raise UsageError("--vocab_file=%s lacks the special token(s) %s" %
                     (vocab_file, ", ".join(missing)))
  warning = vocab_casing_warning(tokenizer.vocab, do_lower_case, vocab_file)
  if warning:
    tf1.logging.warning("%s", warning)
  return tokenizer


def vocab_casing_warning(vocab, do_lower_case, vocab_file):
  """What is wrong when --do_lower_case contradicts the vocabulary, or None.

  The vocabulary says how it was made (#18): one built from lower-cased
  text has no upper-case entries, one from cased text has many. With
  --do_lower_case=False and an uncased vocabulary, every capitalised word
  becomes [UNK]; with --do_lower_case=True and a cased one, the upper-case
  entries are never used and accents are stripped. A warning, not an
  error: text that is already lower-case, or a script without case, may
  have its reasons.

  Args:
    vocab: dict (or any iterable) of the vocabulary's tokens.
    do_lower_case: the --do_lower_case.
    vocab_file: the --vocab_file, for the message.

  Returns:
    str, the warning, or None when the casing fits or cannot be told.
  """
  upper = lower = 0
  for token in vocab:
    if token.startswith("[") and token.endswith("]"):
      continue  # [CLS], [unused0], ...: the model's own, not text.
    if any(c.isupper() for c in token):
      upper += 1
    elif any(c.islower() for c in token):
      lower += 1
  cased_entries = upper + lower
  if not cased_entries:
    return None  # Scripts without case (CJK, Thai, ...) say nothing.
  # A few stray capitals do not make a vocabulary cased; Google's cased
  # vocabularies have about 10% upper-case entries.
  if not do_lower_case and upper <= cased_entries // 1000:
    found = ("no upper-case entries" if not upper else
             "only %d upper-case entr%s" % (upper, "y" if upper == 1 else
                                             "ies"))
    return ("--do_lower_case=False but --vocab_file=%s has %s (an uncased "
            "vocabulary): capitalised words will become [UNK]; set "
            "--do_lower_case=True" % (vocab_file, found))
  if do_lower_case and upper >= cased_entries // 100 + 1:
    return ("--do_lower_case=True but --vocab_file=%s has %d upper-case "
            "entries (a cased vocabulary): lower-cased text never uses them "
            "and loses its accents; set --do_lower_case=False" %
            (vocab_file, upper))
  return None


def check_vocab_fits_config(vocab_size, bert_config, vocab_file):
  """Refuses a vocabulary with more ids than the embedding table has rows.

  An id past the end of the table is an error on CPU but silently reads
  garbage (and leads to NaNs) on GPU and TPU, so it is stopped up front.
  """
  if vocab_size > bert_config.vocab_size:
    raise UsageError(
        "--vocab_file=%s has %d tokens but bert_config vocab_size is %d; "
        "the vocabulary does not belong to this model" %
        (vocab_file, vocab_size, bert_config.vocab_size))


# ----------------------------------------------------------------------------
# TPU / RunConfig / Estimator
# ----------------------------------------------------------------------------


def define_tpu_flags():
  """Defines the Cloud TPU flags every training script shares."""
  flags.DEFINE_bool("use_tpu", False, "Whether to use TPU or GPU/CPU.")
  flags.DEFINE_string(
      "tpu_name", None,
      "The Cloud TPU to use for training: the name used when creating it, or "
      "a grpc://ip.address.of.tpu:8470 url.")
  flags.DEFINE_string(
      "tpu_zone", None,
      "[Optional] GCE zone of the Cloud TPU. If not given, it is looked up "
      "from metadata.")
  flags.DEFINE_string(
      "gcp_project", None,
      "[Optional] Project name of the Cloud TPU. If not given, it is looked "
      "up from metadata.")
  flags.DEFINE_string("master", None, "[Optional] TensorFlow master URL.")
  flags.DEFINE_integer(
      "num_tpu_cores", 8,
      "Only used if `use_tpu` is True. Total number of TPU cores to use.")


PRECISIONS = ("fp32", "bf16", "fp16")
DISTRIBUTIONS = ("none", "mirrored", "multi_worker")


def define_performance_flags():
  """Defines the speed (and seed) flags shared by the training scripts."""
  if "precision" in flags.FLAGS:
    return  # Already defined by another caller in this process.
  flags.DEFINE_bool(
      "use_xla", False,
      "JIT-compile the model with XLA (CPU/GPU; Cloud TPU always uses XLA).")
  flags.DEFINE_enum(
      "precision", "fp32", list(PRECISIONS),
      "Arithmetic of the encoder's matrix products. bf16/fp16 keep float32 "
      "master weights (checkpoints are unchanged) and float32 layer norm, "
      "softmax and losses; fp16 adds dynamic loss scaling.")
  flags.DEFINE_enum(
      "distribution", "none", list(DISTRIBUTIONS),
      "Training on several devices: 'mirrored' replicates over all local "
      "GPUs (or --num_cpu_devices CPUs), 'multi_worker' over the machines in "
      "the TF_CONFIG environment variable. --train_batch_size stays the "
      "global batch. Cloud TPU uses --use_tpu instead.")
  flags.DEFINE_integer(
      "tf_random_seed", None,
      "Graph-level random seed (initialisation, dropout, input shuffling) "
      "for repeatable runs; default: a different seed every run.")
  flags.DEFINE_integer(
      "num_cpu_devices", None,
      "Expose this many logical CPU devices (for --distribution=mirrored on "
      "a machine without GPUs, e.g. for testing).")


def compute_type_for_precision(precision):
  """Maps a --precision value to the encoder's compute dtype."""
  if precision not in PRECISIONS:
    raise UsageError("--precision=%s: expected one of %s" %
                     (precision, ", ".join(PRECISIONS)))
  return {"fp32": tf.float32, "bf16": tf.bfloat16,
          "fp16": tf.float16}[precision]


# The run configuration and the estimator come from the runtime module, which
# alone knows whether TPUEstimator or the graph runner runs the model_fns.
make_run_config = estimator_runtime.make_run_config


def run_config_from_flags(flags_obj, output_dir=None, **overrides):
  """`make_run_config` fed from the script's absl FLAGS."""
  if flags_obj.use_tpu and not estimator_runtime.HAS_TPU_ESTIMATOR:
    raise UsageError(estimator_runtime.NO_TPU_MESSAGE)
  kwargs = dict(
      output_dir=output_dir or flags_obj.output_dir,
      use_tpu=flags_obj.use_tpu,
      tpu_name=getattr(flags_obj, "tpu_name", None),
      tpu_zone=getattr(flags_obj, "tpu_zone", None),
      gcp_project=getattr(flags_obj, "gcp_project", None),
      master=getattr(flags_obj, "master", None),
      num_tpu_cores=getattr(flags_obj, "num_tpu_cores", 8),
      save_checkpoints_steps=getattr(flags_obj, "save_checkpoints_steps",
                                     1000),
      iterations_per_loop=getattr(flags_obj, "iterations_per_loop", 1000),
      use_xla=getattr(flags_obj, "use_xla", False),
      num_cpu_devices=getattr(flags_obj, "num_cpu_devices", None),
      tf_random_seed=getattr(flags_obj, "tf_random_seed", None))
  distribution = getattr(flags_obj, "distribution", "none") or "none"
  if distribution != "none" and "train_distribute" not in overrides:
    if flags_obj.use_tpu:
      raise UsageError(
          "--distribution=%s cannot be combined with --use_tpu; Cloud TPU "
          "replicates over its cores by itself" % distribution)
    # The per-replica update path has no accumulators and no loss scaling
    # (both would need a conditional update across replicas).
    if (getattr(flags_obj, "num_accumulation_steps", 1) or 1) > 1:
      raise UsageError(
          "--num_accumulation_steps cannot be combined with --distribution=%s"
          "; add replicas or lower the per-replica batch instead" %
          distribution)
    if getattr(flags_obj, "precision", "fp32") == "fp16":
      raise UsageError(
          "--precision=fp16 (loss scaling) cannot be combined with "
          "--distribution=%s; use --precision=bf16" % distribution)
    kwargs["train_distribute"] = make_distribution_strategy(
        distribution, kwargs["num_cpu_devices"])
  kwargs.update(overrides)
  try:
    run_config = make_run_config(**kwargs)
  except ValueError as e:
    raise UsageError(str(e))
  # The configuration in one line, for the log (TensorFlow's own dump of the
  # run config is only in the verbose one, #18).
  setup = [estimator_runtime.runtime_description(),
           "precision %s" % getattr(flags_obj, "precision", "fp32")]
  if kwargs["use_xla"]:
    setup.append("XLA")
  if distribution != "none":
    setup.append("--distribution=%s" % distribution)
  if kwargs["use_tpu"]:
    setup.append(" ".join(["Cloud TPU"] + [
        name for name in (kwargs["tpu_name"] or kwargs["master"],) if name]))
  if kwargs["tf_random_seed"] is not None:
    setup.append("seed %d" % kwargs["tf_random_seed"])
  tf1.logging.info("Running on %s", ", ".join(setup))
  return run_config


def make_estimator(model_fn, run_config, use_tpu, train_batch_size=None,
                   eval_batch_size=None, predict_batch_size=None):
  """`estimator_runtime.make_estimator`, with its errors as UsageError."""
  try:
    return estimator_runtime.make_estimator(
        model_fn, run_config, use_tpu, train_batch_size=train_batch_size,
        eval_batch_size=eval_batch_size, predict_batch_size=predict_batch_size)
  except ValueError as e:
    raise UsageError(str(e))


def log_features(features):
  """Logs the name and shape of every input feature a model_fn receives.

  In the verbose log (-v 1) only: they are the same in every run.
  """
  tf1.logging.debug("*** Features ***")
  for name in sorted(features.keys()):
    tf1.logging.debug("  name = %s, shape = %s", name, features[name].shape)


def current_global_step(output_dir):
  """Global step of the newest checkpoint in output_dir (0 if none)."""
  latest = tf.train.latest_checkpoint(output_dir)
  if not latest:
    return 0
  try:
    return int(tf.train.load_checkpoint(latest).get_tensor(
        tf1.GraphKeys.GLOBAL_STEP))
  except (tf.errors.OpError, ValueError, KeyError):
    return 0


def log_train_batch_size(train_batch_size, num_accumulation_steps=1):
  """Logs the batch of an update and, with accumulation, its micro-batch."""
  tf1.logging.info("  Batch size = %d", train_batch_size)
  if num_accumulation_steps > 1:
    tf1.logging.info("  Micro-batch size = %d, accumulated over %d",
                     train_batch_size // num_accumulation_steps,
                     num_accumulation_steps)


def log_learning_rate(learning_rate, num_warmup_steps):
  """Logs the peak learning rate and the warm-up of a training run."""
  tf1.logging.info("  Learning rate = %g, warm-up steps = %d", learning_rate,
                   num_warmup_steps)


def train_estimator(estimator, input_fn, num_train_steps, micro_batch_size,
                    num_accumulation_steps=1):
  """Trains up to `num_train_steps` optimizer updates, logging progress.

  The global step counts optimizer updates, so `max_steps` is the same with
  or without gradient accumulation, and a restarted run continues from the
  newest checkpoint in the model directory to the same end. The progress
  hook counts session runs (one micro-batch each), so its total is the
  updates still to do times `num_accumulation_steps`.

  Args:
    estimator: the script's estimator.
    input_fn: training input_fn, batching `micro_batch_size` examples.
    num_train_steps: int, optimizer updates in the whole run.
    micro_batch_size: int, examples per session run.
    num_accumulation_steps: int, micro-batches per update.

  Returns:
    The global step the run started from (0 for a fresh run).
  """
  start_step = current_global_step(estimator.model_dir)
  remaining_runs = max(num_train_steps - start_step, 0) * num_accumulation_steps
  estimator.train(
      input_fn=input_fn,
      max_steps=num_train_steps,
      hooks=[ProgressHook("Training", micro_batch_size, remaining_runs)])
  return start_step


def init_from_checkpoint(init_checkpoint, use_tpu, tvars=None):
  """Warm-starts the graph's variables from a checkpoint and logs which.

  Must be called inside a model_fn. On TPU the restore has to happen inside
  the Scaffold that TPUEstimator builds on the host, so it is returned as a
  scaffold_fn instead of being done immediately.

  Args:
    init_checkpoint: checkpoint path prefix, or None/"" for no warm start.
    use_tpu: bool.
    tvars: (optional) variables to consider; default all trainable ones.

  Returns:
    (scaffold_fn, initialized_variable_names); scaffold_fn is None unless
    use_tpu and init_checkpoint are both set.
  """
  if tvars is None:
    tvars = tf1.trainable_variables()
  initialized_variable_names = {}
  scaffold_fn = None
  if init_checkpoint:
    (assignment_map, initialized_variable_names
    ) = modeling.get_assignment_map_from_checkpoint(tvars, init_checkpoint)
    if use_tpu:

      def tpu_scaffold():
        tf1.train.init_from_checkpoint(init_checkpoint, assignment_map)
        return tf1.train.Scaffold()

      scaffold_fn = tpu_scaffold
    else:
      tf1.train.init_from_checkpoint(init_checkpoint, assignment_map)

  # The list says which variables came from --init_checkpoint: once per
  # run in the default log (the first graph built; evaluation and
  # prediction build the same one again), every time with -v 1 (#18).
  global _variables_listed
  log = tf1.logging.debug
  if init_checkpoint and not _variables_listed:
    log = tf1.logging.info
    _variables_listed = True
  log("**** Trainable Variables ****")
  for var in tvars:
    init_string = ""
    if var.name in initialized_variable_names:
      init_string = ", *INIT_FROM_CKPT*"
    log("  name = %s, shape = %s%s", var.name, var.shape, init_string)
  return scaffold_fn, initialized_variable_names


# Whether init_from_checkpoint has listed the variables at INFO level.
_variables_listed = False


# The file names of one checkpoint: `prefix.index`, `prefix.data-00000-of-00001`
# (one or more shards) and, from an estimator, `prefix.meta`.
_CHECKPOINT_FILE_SUFFIX = re.compile(
    r"\.(index|meta|data-\d{5}-of-\d{5})$")


def resolve_checkpoint(path, flag_name="init_checkpoint"):
  """The checkpoint prefix that `path` means, as TensorFlow wants it.

  Accepted besides a prefix (#18): one of the checkpoint's own files
  (`bert_model.ckpt.index`, `bert_model.ckpt.data-00000-of-00001`), and a
  directory: a model directory's newest checkpoint (its `checkpoint` file),
  or the one checkpoint a released model's directory holds
  (`bert_model.ckpt`).

  Args:
    path: the flag's value (local or gs://); None or "" is returned as is.
    flag_name: the flag, for the message.

  Returns:
    The checkpoint prefix, or `path` unchanged when it is none of these (a
    missing file is reported by `check_init_checkpoint`).

  Raises:
    UsageError: a directory without a checkpoint, or with several and no
      `checkpoint` file to choose; the message lists the prefixes.
  """
  if not path:
    return path
  path = _CHECKPOINT_FILE_SUFFIX.sub("", path)
  if not tf.io.gfile.isdir(path):
    return path
  latest = tf.train.latest_checkpoint(path)
  if latest:
    return latest
  prefixes = sorted(name[:-len(".index")]
                    for name in tf.io.gfile.listdir(path)
                    if name.endswith(".index"))
  if len(prefixes) == 1:
    return os.path.join(path, prefixes[0])
  if not prefixes:
    raise UsageError("--%s=%s: the directory holds no checkpoint (no "
                     "*.index file)" % (flag_name, path))
  raise UsageError(
      "--%s=%s: the directory holds %d checkpoints (%s); pass one of them, "
      "e.g. --%s=%s" % (flag_name, path, len(prefixes), ", ".join(prefixes),
                        flag_name, os.path.join(path, prefixes[-1])))


def check_init_checkpoint(init_checkpoint, flag_name="init_checkpoint"):
  """The checkpoint prefix `init_checkpoint` means, checked to be readable.

  Args:
    init_checkpoint: a prefix, a checkpoint file or a directory (see
      `resolve_checkpoint`), or None/"" for none.
    flag_name: the flag, for the message.

  Returns:
    The checkpoint prefix (None or "" when none was given); scripts use it
    in place of the flag's value.

  Raises:
    UsageError: when it is not a readable checkpoint.
  """
  if not init_checkpoint:
    return init_checkpoint
  prefix = resolve_checkpoint(init_checkpoint, flag_name)
  try:
    tf.train.load_checkpoint(prefix)
  except (tf.errors.OpError, ValueError) as e:
    raise UsageError("--%s=%s: not a readable checkpoint (%s)" %
                     (flag_name, init_checkpoint, _one_line(e)))
  return prefix


# ----------------------------------------------------------------------------
# Which weights evaluation and prediction use (#18)
# ----------------------------------------------------------------------------


def define_allow_random_init_flag():
  """Defines --allow_random_init for a script that evaluates or predicts."""
  flags.DEFINE_bool(
      "allow_random_init", False,
      "Evaluate or predict even when there are no trained weights (no "
      "--init_checkpoint, no checkpoint in --output_dir, or a checkpoint "
      "without the task's output layer), i.e. with random ones: only for "
      "smoke tests. Without it such a run stops with an error.")


def _weights_source(output_dir, init_checkpoint):
  """Where the estimator takes its weights from, as it decides it.

  The newest checkpoint in the model directory wins (resume); else
  --init_checkpoint; else random initialisation.

  Returns:
    (path, flag_name): flag_name "output_dir" or "init_checkpoint"; or
    (None, None) for random weights.
  """
  if output_dir and tf.io.gfile.isdir(output_dir):
    latest = tf.train.latest_checkpoint(output_dir)
    if latest:
      return latest, "output_dir"
  if init_checkpoint:
    return init_checkpoint, "init_checkpoint"
  return None, None


def checkpoint_for_inference(output_dir, init_checkpoint, action,
                             required_variables=(), allow_random_init=False):
  """The checkpoint evaluation or prediction will read; random weights refused.

  The estimator restores the newest checkpoint in its model directory when
  there is one, and otherwise initialises the variables, from
  `init_checkpoint` where it has them and randomly elsewhere. Without
  training in the same run, "randomly" means results that look like any
  others but mean nothing, so that is refused unless asked for.

  Args:
    output_dir: the --output_dir (the model directory); may not exist yet,
      or be None for a script that has none.
    init_checkpoint: the --init_checkpoint (a checkpoint prefix) or None.
    action: what the run does with the weights, for the message, e.g.
      "--do_predict".
    required_variables: names of variables (without ":0") the model reads
      that a checkpoint without them would leave random, e.g. the task's
      output layer, which a pre-trained checkpoint lacks.
    allow_random_init: bool, the --allow_random_init flag: warn instead.

  Returns:
    (checkpoint_path, flag_name): the checkpoint prefix and the flag it
    comes from ("output_dir" or "init_checkpoint"), or (None, None) for
    random weights when allow_random_init is set.

  Raises:
    UsageError: naming the flag to set, when there is no checkpoint or it
      lacks some of `required_variables`.
  """
  path, flag_name = _weights_source(output_dir, init_checkpoint)
  if path is None:
    nothing = "there is no --init_checkpoint"
    if output_dir:
      nothing += " and no checkpoint in --output_dir=%s" % output_dir
    message = (
        "%s without trained weights: %s, so the model would be random; set "
        "--init_checkpoint to the trained model (or --allow_random_init for "
        "a smoke test)" % (action, nothing))
    if not allow_random_init:
      raise UsageError(message)
    tf1.logging.warning("%s with random weights (--allow_random_init)",
                        action)
    return None, None
  if required_variables:
    try:
      names = tf.train.load_checkpoint(path).get_variable_to_shape_map()
    except (tf.errors.OpError, ValueError) as e:
      raise UsageError("--%s: %s is not a readable checkpoint (%s)" %
                       (flag_name, path, _one_line(e)))
    missing = [name for name in required_variables if name not in names]
    if missing:
      message = (
          "--%s: checkpoint %s has no %s (is it trained for this task?), so "
          "%s would use random values for them; set --init_checkpoint to "
          "the trained model (or --allow_random_init for a smoke test)" %
          (flag_name, path, ", ".join(missing), action))
      if not allow_random_init:
        raise UsageError(message)
      tf1.logging.warning("%s with random %s (--allow_random_init)", action,
                          ", ".join(missing))
  return path, flag_name


def checkpoint_global_step(checkpoint_path):
  """The global step stored in a checkpoint, or None if it has none."""
  try:
    reader = tf.train.load_checkpoint(checkpoint_path)
    if reader.has_tensor(tf1.GraphKeys.GLOBAL_STEP):
      return int(reader.get_tensor(tf1.GraphKeys.GLOBAL_STEP))
  except (tf.errors.OpError, ValueError):
    pass
  return None


def describe_weights(action, output_dir, init_checkpoint):
  """One line saying which weights `action` starts from, and why those.

  The estimator restores the newest checkpoint in --output_dir when there is
  one (resuming, or evaluating what was trained), else initialises from
  --init_checkpoint, else randomly; its own log names no file (#18).

  Args:
    action: e.g. "Training", "Evaluating", "Predicting".
    output_dir: the model directory, or None where the script has none.
    init_checkpoint: the --init_checkpoint, or None.

  Returns:
    str such as "Predicting with /out/model.ckpt-343 (global step 343) from
    --init_checkpoint".
  """
  path, flag_name = _weights_source(output_dir, init_checkpoint)
  if flag_name == "output_dir":
    origin = "the newest checkpoint in --output_dir"
    if action == "Training":
      origin += ", resuming"
    if init_checkpoint:
      origin += "; --init_checkpoint is not used"
  elif flag_name == "init_checkpoint":
    path = resolve_checkpoint(path)
    origin = "from --init_checkpoint"
  else:
    return "%s with randomly initialised weights (no --init_checkpoint%s)" % (
        action, ", no checkpoint in --output_dir" if output_dir else "")
  step = checkpoint_global_step(path)
  return "%s with %s (%s), %s" % (
      action, path, "no global step" if step is None else
      "global step %d" % step, origin)


def log_weights(action, output_dir, init_checkpoint):
  """Logs `describe_weights`; call it right before the estimator runs."""
  tf1.logging.info("%s", describe_weights(action, output_dir, init_checkpoint))


# ----------------------------------------------------------------------------
# Tokens and records
# ----------------------------------------------------------------------------


def truncate_seq_pair(tokens_a, tokens_b, max_length):
  """Shortens a token pair in place to at most `max_length` tokens in total.

  One token at a time comes off the end of the longer list: a short sentence
  holds proportionally more information per token than a long one, so it is
  better kept whole.

  Args:
    tokens_a: list of tokens (modified in place).
    tokens_b: list of tokens (modified in place).
    max_length: int, the budget for both together.
  """
  while len(tokens_a) + len(tokens_b) > max_length:
    if len(tokens_a) > len(tokens_b):
      tokens_a.pop()
    else:
      tokens_b.pop()


def create_int_feature(values):
  """An int64 list feature for a tf.train.Example."""
  return tf.train.Feature(int64_list=tf.train.Int64List(value=list(values)))


def create_float_feature(values):
  """A float list feature for a tf.train.Example."""
  return tf.train.Feature(float_list=tf.train.FloatList(value=list(values)))


def decode_record(record, name_to_features):
  """Parses one serialized tf.train.Example, casting int64 to int32.

  tf.train.Example only stores int64, but TPUs do not support int64 well, and
  every model input here fits in int32.

  Args:
    record: scalar string Tensor.
    name_to_features: dict of feature name -> tf.io.FixedLenFeature.

  Returns:
    dict of feature name -> Tensor.
  """
  example = tf.io.parse_single_example(record, name_to_features)
  for name in list(example.keys()):
    t = example[name]
    if t.dtype == tf.int64:
      t = tf.cast(t, tf.int32)
    example[name] = t
  return example


def record_input_fn_builder(input_files, name_to_features, is_training,
                            drop_remainder, shuffle_buffer_size=100):
  """An Estimator input_fn over TFRecord files of fixed-length examples.

  Args:
    input_files: a path or list of paths.
    name_to_features: dict of feature name -> tf.io.FixedLenFeature.
    is_training: bool. Training repeats and shuffles; evaluation and
      prediction read each record once, in order.
    drop_remainder: bool. TPUs need every batch full.
    shuffle_buffer_size: int, records held for shuffling.

  Returns:
    input_fn(params) -> tf.data.Dataset of feature dicts, batched by
    params["batch_size"] (which TPUEstimator sets).
  """
  if isinstance(input_files, str):
    input_files = [input_files]

  def input_fn(params):
    batch_size = params["batch_size"]
    d = tf.data.TFRecordDataset(input_files)
    if is_training:
      d = d.repeat()
      d = d.shuffle(buffer_size=shuffle_buffer_size)
    d = d.map(lambda record: decode_record(record, name_to_features),
              num_parallel_calls=tf.data.AUTOTUNE)
    d = d.batch(batch_size=batch_size, drop_remainder=drop_remainder)
    return d.prefetch(tf.data.AUTOTUNE)

  return input_fn


# ----------------------------------------------------------------------------
# Atomic outputs
# ----------------------------------------------------------------------------


def _temporary_name(path):
  """A sibling name, so the final rename stays on one file system."""
  return "%s.tmp-%s" % (path, uuid.uuid4().hex[:8])


@contextlib.contextmanager
def atomic_output(path, mode="w"):
  """Opens a file that appears under `path` only once it is complete.

  Writes go to a temporary sibling which is renamed over `path` when the
  block exits normally; on an exception (or Ctrl-C) the temporary file is
  removed and `path` is left as it was.

  Args:
    path: final file path (local or gs://).
    mode: "w" for text or "wb" for bytes.

  Yields:
    A writable file object.
  """
  tmp_path = _temporary_name(path)
  try:
    with tf.io.gfile.GFile(tmp_path, mode) as writer:
      yield writer
    tf.io.gfile.rename(tmp_path, path, overwrite=True)
  finally:
    if tf.io.gfile.exists(tmp_path):
      tf.io.gfile.remove(tmp_path)


@contextlib.contextmanager
def atomic_record_writers(paths):
  """TFRecord writers whose files appear only once all are complete.

  Args:
    paths: list of final .tfrecord paths.

  Yields:
    A list of `tf.io.TFRecordWriter`, one per path.
  """
  tmp_paths = [_temporary_name(path) for path in paths]
  writers = []
  try:
    for tmp_path in tmp_paths:
      writers.append(tf.io.TFRecordWriter(tmp_path))
    yield writers
    for writer in writers:
      writer.close()
    writers = []
    for tmp_path, path in zip(tmp_paths, paths):
      tf.io.gfile.rename(tmp_path, path, overwrite=True)
  finally:
    for writer in writers:
      writer.close()
    for tmp_path in tmp_paths:
      if tf.io.gfile.exists(tmp_path):
        tf.io.gfile.remove(tmp_path)


def write_eval_results(output_dir, result, file_name="eval_results.txt"):
  """Logs and writes `key = value` lines, sorted by key, atomically.

  Args:
    output_dir: directory to write into.
    result: dict of metric name -> value (as returned by estimator.evaluate).
    file_name: output file name.

  Returns:
    The path written.
  """
  output_eval_file = os.path.join(output_dir, file_name)
  tf1.logging.info("***** Eval results *****")
  lines = []
  for key in sorted(result.keys()):
    tf1.logging.info("  %s = %s", key, str(result[key]))
    lines.append("%s = %s\n" % (key, str(result[key])))
  with atomic_output(output_eval_file) as writer:
    writer.write("".join(lines))
  return output_eval_file


# ----------------------------------------------------------------------------
# Progress
# ----------------------------------------------------------------------------


class ProgressLogger(object):
  """Logs items/second and an estimate of the time left, at most every N s.

  For loops in Python (feature conversion, data generation); training and
  evaluation use `ProgressHook`.
  """

  def __init__(self, what, total=None, every_secs=30.0):
    self._what = what
    self._total = total
    self._every_secs = every_secs
    self._start = time.time()
    self._last_log = self._start
    self.count = 0

  def update(self, n=1):
    self.count += n
    now = time.time()
    if now - self._last_log >= self._every_secs:
      self._last_log = now
      tf1.logging.info("%s", self.status(now))

  def status(self, now=None):
    now = now or time.time()
    elapsed = max(now - self._start, 1e-9)
    rate = self.count / elapsed
    text = "%s: %d done, %.1f/s" % (self._what, self.count, rate)
    if self._total and rate > 0:
      left = max(self._total - self.count, 0) / rate
      text += ", %d of %d, about %s left" % (self.count, self._total,
                                              _format_seconds(left))
    return text


def _format_seconds(seconds):
  seconds = int(round(seconds))
  if seconds >= 3600:
    return "%dh%02dm" % (seconds // 3600, (seconds % 3600) // 60)
  if seconds >= 60:
    return "%dm%02ds" % (seconds // 60, seconds % 60)
  return "%ds" % seconds


class ProgressHook(tf1.train.SessionRunHook):
  """Logs examples/second and time left during train/evaluate/predict."""

  def __init__(self, what, batch_size, total_steps=None, every_secs=30.0):
    self._what = what
    self._batch_size = batch_size
    self._total_steps = total_steps
    self._every_secs = every_secs

  def begin(self):
    self._steps = 0
    self._start = None
    self._last_log = None

  def after_run(self, run_context, run_values):
    now = time.time()
    if self._start is None:
      # The first step includes graph compilation; time from its end.
      self._start = now
      self._last_log = now
      return
    self._steps += 1
    if now - self._last_log < self._every_secs:
      return
    self._last_log = now
    elapsed = now - self._start
    rate = self._steps * self._batch_size / elapsed
    text = "%s: %.1f examples/sec" % (self._what, rate)
    if self._total_steps:
      left_steps = max(self._total_steps - self._steps - 1, 0)
      text += ", about %s left" % _format_seconds(
          left_steps * elapsed / self._steps)
    tf1.logging.info("%s", text)


# ----------------------------------------------------------------------------
# Text input
# ----------------------------------------------------------------------------


def read_text_lines(path):
  """Yields the lines of a UTF-8 text file, refusing bytes that are not UTF-8.

  Policy for every script: text input must be UTF-8. A bad byte is reported
  with the file and line number instead of being dropped or replaced, since a
  silently mangled corpus or label is worse than a stopped run. Lines keep
  their line ending, like iterating over an open file.

  Args:
    path: text file path (local or gs://).

  Yields:
    str, one line at a time.

  Raises:
    UsageError: naming the file, line and byte offset of the first bad byte.
  """
  with tf.io.gfile.GFile(path, "rb") as reader:
    for line_number, raw_line in enumerate(reader, start=1):
      try:
        yield raw_line.decode("utf-8")
      except UnicodeDecodeError as e:
        raise UsageError(
            "%s line %d: not valid UTF-8 (byte 0x%02x at column %d); "
            "convert the file to UTF-8" %
            (path, line_number, raw_line[e.start], e.start + 1))


def read_text(path):
  """The whole of a UTF-8 text file; bad bytes as in `read_text_lines`."""
  return "".join(read_text_lines(path))


# ----------------------------------------------------------------------------
# Several devices or machines (tf.distribute)
# ----------------------------------------------------------------------------


def make_distribution_strategy(distribution, num_cpu_devices=None):
  """The tf.distribute strategy for a --distribution value.

  Args:
    distribution: "none", "mirrored" or "multi_worker".
    num_cpu_devices: (optional) int. With "mirrored" on a machine without
      GPUs, replicate over this many logical CPU devices (the session is given
      as many by `make_run_config`); meant for testing.

  Returns:
    None for "none", else a TF1-style `tf.distribute.Strategy` for the
    run config's `train_distribute` (the graph runner trains with it).

  Raises:
    UsageError: for an unknown value, or a multi-worker run without a usable
      TF_CONFIG.
  """
  if not distribution or distribution == "none":
    return None
  if distribution == "mirrored":
    devices = None
    if num_cpu_devices and not tf.config.list_physical_devices("GPU"):
      devices = ["/cpu:%d" % i for i in range(num_cpu_devices)]
    # Built in a graph so that nothing touches the eager context; the
    # estimator runs the strategy in its own graph and session.
    with tf.Graph().as_default():
      # The CPU replicas live in one process, so a plain sum on one device
      # is the only all-reduce they need (NCCL is for GPUs).
      cross_device_ops = (tf.distribute.ReductionToOneDevice()
                          if devices else None)
      return tf1.distribute.MirroredStrategy(
          devices=devices, cross_device_ops=cross_device_ops)
  if distribution == "multi_worker":
    cluster = _tf_config_cluster()
    if not cluster.get("worker") and not cluster.get("chief"):
      raise UsageError(
          "--distribution=multi_worker: TF_CONFIG must describe a cluster "
          "with 'worker' (and optionally 'chief') tasks")
    # Building the TF1 strategy outside eager mode keeps it from starting
    # its own gRPC server; the graph runner starts the one server this
    # worker needs, on the port TF_CONFIG gives it, and configures the
    # strategy from the cluster.
    with tf.Graph().as_default():
      return tf1.distribute.experimental.MultiWorkerMirroredStrategy()
  raise UsageError("--distribution=%s: expected one of %s" %
                   (distribution, ", ".join(DISTRIBUTIONS)))


def _tf_config_cluster():
  """The 'cluster' dict of the TF_CONFIG environment variable ({} if unset)."""
  text = os.environ.get("TF_CONFIG", "")
  if not text.strip():
    raise UsageError("--distribution=multi_worker needs the TF_CONFIG "
                     "environment variable (cluster and task)")
  try:
    tf_config = json.loads(text)
  except ValueError as e:
    raise UsageError("TF_CONFIG is not valid JSON (%s)" % e)
  if not isinstance(tf_config, dict) or "task" not in tf_config:
    raise UsageError("TF_CONFIG must be a JSON object with 'cluster' and "
                     "'task'")
  return tf_config.get("cluster") or {}


def check_checkpoint_fits_config(init_checkpoint, bert_config,
                                 flag_name="init_checkpoint"):
  """Refuses an init_checkpoint whose encoder shapes differ from the config.

  Without this the mismatch surfaces only when the model_fn is built, after
  feature files have already been written to the output directory. Builds
  the encoder in a throwaway graph (variables only, nothing is run) and
  compares it with the checkpoint.

  Raises:
    UsageError: naming the variable and both shapes.
  """
  if not init_checkpoint:
    return
  with tf.Graph().as_default():
    modeling.BertModel(config=bert_config, is_training=False,
                       input_ids=tf.zeros([1, 2], tf.int32))
    try:
      modeling.get_assignment_map_from_checkpoint(tf1.trainable_variables(),
                                                  init_checkpoint)
    except ValueError as e:
      raise UsageError("--%s: %s (does it belong to --bert_config_file?)" %
                       (flag_name, _one_line(e)))


# ----------------------------------------------------------------------------
# XLA on CPU
# ----------------------------------------------------------------------------


enable_xla_on_cpu = estimator_runtime.enable_xla_on_cpu

# Before any session exists, so that --use_xla reaches the CPU.
enable_xla_on_cpu()


def check_output_file(path, flag_name="output_file"):
  """Refuses an output file path that is a directory or sits under a file.

  Checked before the work starts; the parent directory itself is created
  only when the output is written.
  """
  if tf.io.gfile.isdir(path):
    raise UsageError("--%s=%s is a directory, expected a file path" %
                     (flag_name, path))
  parent = os.path.dirname(path)
  while parent and not tf.io.gfile.exists(parent):
    next_parent = os.path.dirname(parent)
    if next_parent == parent:
      break
    parent = next_parent
  if parent and not tf.io.gfile.isdir(parent):
    raise UsageError("--%s=%s: %s exists and is not a directory" %
                     (flag_name, path, parent))
