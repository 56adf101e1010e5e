# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Plumbing every command-line script needs, written once.

- `run(main)`: bad input ends in one `error: ...` line and exit status 1; a
  bug in our code keeps its traceback. `UsageError` is how code says "bad
  input".
- Logs a person can read, and --help.
- Checks of flags, files and directories, before any work: required flags,
  input files and patterns, the output directory, `bert_config.json`, the
  vocabulary and its casing.
- Outputs written atomically, so an interrupted run leaves no truncated file.
- Progress lines for long loops and estimator runs.
- UTF-8 text input, bad bytes reported with file and line.

What runs a model_fn, and the flags that configure it, is in
`estimator_runtime`; checkpoints in `checkpoint_utils`; TFRecord features in
`record_utils`; --distribution in `distribute_utils`.
"""

import contextlib
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
# ("corrupted record at 634208") is the line left.
_OP_ERROR_FRAME = re.compile(
    r"^(Graph execution error:|Detected at node |File \"|Node: |"
    r"\[\[\{\{node |Original stack trace for )")


def error_line(exception):
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
    UsageError: when a pattern matches nothing, or matches a temporary file
      an interrupted run left (`temporary_name`): it looks like data but is
      incomplete.
  """
  files = []
  for pattern in patterns.split(","):
    pattern = pattern.strip()
    if not pattern:
      continue
    matches = tf.io.gfile.glob(pattern)
    if not matches:
      raise UsageError("--%s: no file matches %s" % (flag_name, pattern))
    for path in matches:
      if _TEMPORARY_NAME.search(path):
        raise UsageError(
            "--%s: %s is the unfinished output of an interrupted run; "
            "rerun the step that writes it (which removes it), or delete it"
            % (flag_name, path))
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

  The vocabulary says how it was made: one built from lower-cased
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
# Atomic outputs
# ----------------------------------------------------------------------------


def temporary_name(path):
  """A sibling name, so the final rename stays on one file system."""
  return "%s.tmp-%s" % (path, uuid.uuid4().hex[:8])


# What `temporary_name` appends; an input pattern that matches such a file
# is refused (see `expand_file_patterns`).
_TEMPORARY_NAME = re.compile(r"\.tmp-[0-9a-f]{8}$")


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
  tmp_path = temporary_name(path)
  try:
    with tf.io.gfile.GFile(tmp_path, mode) as writer:
      yield writer
    tf.io.gfile.rename(tmp_path, path, overwrite=True)
  finally:
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
