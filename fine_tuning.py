# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""What every fine-tuning script shares: flags, model files, the run.

run_classifier.py, run_ner.py and run_squad.py differ in their data and
their output layer; the rest of a fine-tuning run is the same and lives
here, in the order a run takes it:

  define_fine_tuning_flags   the flags they share, each default written once;
  validate_flags             the checks that need no file;
  load_model_files           --init_checkpoint, --bert_config_file and
                             --vocab_file, read and checked against each
                             other (sizes, casing);
  training_steps             optimizer updates and warm-up from the data size;
  check_weights_and_output   what the run reads (trained weights with the
                             task's head) and writes (--output_dir,
                             --export_dir), checked before any work;
  compute_type               --precision as the encoder's dtype (the loss
                             scale follows from it in estimator_runtime);
  make_fine_tuning_estimator the run config and the estimator;
  train                      the training log block and the training run;
  model_info                 what model_info.json holds (predictor.load);
  export                     the SavedModel of --export_dir.

Every function takes the script's settings: a `script_settings.Settings`
(or absl FLAGS, or any object with the flags as attributes).

`HEAD_VARIABLES` names each task's output layer in a checkpoint, in one
place: the task libraries (classifier_lib, squad_lib, ner_lib) take their
head's names from it, and predictor reads fine-tuned checkpoints with it
without importing a script. (convert_checkpoint pairs the heads with Hugging
Face's names in its own table, hf_format's.)
"""

from absl import flags
import tensorflow as tf

import best_checkpoint
import checkpoint_utils
import estimator_runtime
import export_utils
import optimization
import record_utils
import script_utils
from script_utils import UsageError

tf1 = tf.compat.v1

# Each task head's variables, as a checkpoint names them (the pre-trained
# checkpoint lacks them): model kind -> (weights, bias).
CLASSIFIER = export_utils.CLASSIFIER
SQUAD = export_utils.SQUAD
NER = "ner"
HEAD_VARIABLES = {
    CLASSIFIER: ("output_weights", "output_bias"),
    SQUAD: ("cls/squad/output_weights", "cls/squad/output_bias"),
    NER: ("ner/output_weights", "ner/output_bias"),
}


# --head_initializer: how a task head's weights start. The original's heads
# use a truncated normal; on WNUT17 a tagging head started from an uncut
# normal (Transformers' choice) learned far more in a short run (entity F1
# 0.31 against 0.19 over four seeds, bench/RESULTS.md), so run_ner.py
# defaults to it while the original's tasks keep theirs.
HEAD_INITIALIZERS = ("truncated_normal", "normal")
_scoped_head_initializer = []


def head_initializer(stddev=0.02):
  """The initializer of a task head's weights, as --head_initializer says.

  The task libraries' create_model functions call it for output_weights;
  outside `with_head_initializer` it is the original's truncated normal.

  Args:
    stddev: float, the standard deviation before truncation.

  Returns:
    a tf.compat.v1 initializer.
  """
  name = (_scoped_head_initializer[-1] if _scoped_head_initializer else
          "truncated_normal")
  if name == "normal":
    return tf1.random_normal_initializer(stddev=stddev)
  return tf1.truncated_normal_initializer(stddev=stddev)


def with_head_initializer(model_fn, name):
  """`model_fn` whose task head starts from `name`'s initializer.

  Args:
    model_fn: model_fn(features, labels, mode, params).
    name: one of `HEAD_INITIALIZERS`.

  Returns:
    model_fn(features, labels, mode, params).

  Raises:
    ValueError: `name` is not one of `HEAD_INITIALIZERS`.
  """
  if name not in HEAD_INITIALIZERS:
    raise ValueError("with_head_initializer: name must be one of %r, got %r"
                     % (HEAD_INITIALIZERS, name))

  def scoped_model_fn(features, labels, mode, params):
    _scoped_head_initializer.append(name)
    try:
      return model_fn(features, labels, mode, params)
    finally:
      _scoped_head_initializer.pop()

  return scoped_model_fn


def define_fine_tuning_flags(flag_values=flags.FLAGS,
                             data_dir_help=None,
                             do_predict_help="Predict on the test data.",
                             max_seq_length=128,
                             evaluates=True,
                             optimizer="adamw",
                             train_shuffle="buffer",
                             head_initializer="truncated_normal"):
  """Defines the flags the fine-tuning scripts share, with one definition.

  The model files, --output_dir, the steps, batch sizes, optimizer, training
  order, accumulation, TPU, precision/XLA/distribution, summary and export
  flags.

  Args:
    flag_values: the `flags.FlagValues` to define them on.
    data_dir_help: the help of --data_dir (which files the script reads);
      None for a script without --data_dir (run_squad names its files).
    do_predict_help: the help of --do_predict (what it writes).
    max_seq_length: int, the default of --max_seq_length.
    evaluates: bool; define --do_eval and --eval_batch_size.
    optimizer: the default of --optimizer; the original's tasks keep its
      "adamw" (no bias correction).
    train_shuffle: the default of --train_shuffle; the original's tasks
      keep its "buffer" (a shuffle buffer of 100 records).
    head_initializer: the default of --head_initializer; the original's
      tasks keep its "truncated_normal".
  """
  define = script_utils.flag_definers(flag_values)
  # Required.
  if data_dir_help is not None:
    define.string("data_dir", None, data_dir_help)
  define.string("bert_config_file", None,
                "bert_config.json of the pre-trained model: the architecture "
                "to build.")
  define.string("vocab_file", None,
                "vocab.txt the pre-trained model was trained with.")
  define.string("output_dir", None,
                "Where checkpoints, the TFRecord files and the results are "
                "written.")

  # Optional.
  define.string("init_checkpoint", None,
                "Checkpoint to start from, usually the pre-trained "
                "bert_model.ckpt.")
  define.bool("do_lower_case", True,
              "Lower-case the input; True for uncased models, False for "
              "cased ones.")
  define.integer("max_seq_length", max_seq_length,
                 "Length in WordPiece tokens, [CLS] and [SEP]s included, "
                 "every input is truncated or padded to.")
  define.bool("do_train", False, "Fine-tune on the training data.")
  if evaluates:
    define.bool("do_eval", False,
                "Evaluate on dev and write eval_results.txt.")
  define.bool("do_predict", False, do_predict_help)
  define.integer("train_batch_size", 32, "Examples per training step.")
  if evaluates:
    define.integer("eval_batch_size", 8, "Examples per evaluation batch.")
  define.integer("predict_batch_size", 8, "Examples per prediction batch.")
  define.float("learning_rate", 5e-5, "Peak learning rate for Adam.")
  define.float("num_train_epochs", 3.0, "Passes over the training data.")
  define.float("warmup_proportion", 0.1,
               "Fraction of the training steps over which the learning rate "
               "warms up linearly from 0.")
  define.integer("save_checkpoints_steps", 1000, "Steps between checkpoints.")
  define.integer("iterations_per_loop", 1000,
                 "Steps per TPU host round-trip.")
  define.integer("num_accumulation_steps", 1,
                 "Accumulate gradients over this many micro-batches of "
                 "train_batch_size / num_accumulation_steps examples before "
                 "each update, to fit a large batch into little memory.")
  optimization.define_optimizer_flag(flag_values, default=optimizer)
  define.enum(
      "train_shuffle", train_shuffle, list(record_utils.SHUFFLES),
      "The order of the training examples. buffer: the original's, the "
      "records repeated endlessly through a shuffle buffer of 100, so an "
      "example moves only about 100 places from its place in the file and "
      "each epoch sees much the same order. epoch: a fresh random order of "
      "all the examples every epoch (as PyTorch's DataLoader with "
      "shuffle=True), holding one epoch of records in memory.")
  define.enum(
      "head_initializer", head_initializer, list(HEAD_INITIALIZERS),
      "How the task head's weights (output_weights) start, stddev 0.02. "
      "truncated_normal: the original's, a normal cut at two standard "
      "deviations (an actual spread of 0.0176); normal: an uncut normal, as "
      "Hugging Face Transformers starts its heads. The encoder always comes "
      "from --init_checkpoint.")
  estimator_runtime.define_summary_flags(flag_values)
  checkpoint_utils.define_allow_random_init_flag(flag_values)
  estimator_runtime.define_tpu_flags(flag_values)
  estimator_runtime.define_performance_flags(flag_values)
  export_utils.define_export_flags(flag_values)


def _actions(settings):
  """The steps the settings ask for, as flags ("--do_train", ...)."""
  return [flag for flag in ("--do_train", "--do_eval", "--do_predict",
                            "--export_dir")
          if getattr(settings, flag[2:], None)]


def validate_flags(settings, task_flags=(), data_flags=("data_dir",)):
  """Checks the settings that need no file access.

  Args:
    settings: the script's settings.
    task_flags: required flags naming the task (run_classifier's
      "task_name"; run_ner has none).
    data_flags: flags required when a step reads data.

  Raises:
    UsageError: naming the flag to set or fix.
  """
  if not _actions(settings):
    raise UsageError(
        "nothing to do: set at least one of --do_train, --do_eval, "
        "--do_predict, --export_dir")
  reads_data = any(getattr(settings, name, False)
                   for name in ("do_train", "do_eval", "do_predict"))
  # An export alone reads no data.
  script_utils.require_flags(
      settings, list(task_flags) + (list(data_flags) if reads_data else []) +
      ["vocab_file", "bert_config_file", "output_dir"])
  if settings.max_seq_length < 3:
    raise UsageError("--max_seq_length=%d: must be at least 3 ([CLS] and two "
                     "[SEP])" % settings.max_seq_length)
  for name in ("train_batch_size", "eval_batch_size", "predict_batch_size",
               "num_accumulation_steps", "save_summary_steps"):
    value = getattr(settings, name, None)
    if value is not None and value < 1:
      raise UsageError("--%s=%d: must be positive" % (name, value))
  if settings.do_train:
    if settings.num_train_epochs <= 0:
      raise UsageError("--num_train_epochs=%s: must be positive" %
                       settings.num_train_epochs)
    if not 0.0 <= settings.warmup_proportion <= 1.0:
      raise UsageError("--warmup_proportion=%s: must be between 0 and 1" %
                       settings.warmup_proportion)
    if settings.train_batch_size % settings.num_accumulation_steps:
      raise UsageError(
          "--train_batch_size=%d is not a multiple of "
          "--num_accumulation_steps=%d" %
          (settings.train_batch_size, settings.num_accumulation_steps))
  if (reads_data and "data_dir" in data_flags and
      not tf.io.gfile.isdir(settings.data_dir)):
    raise UsageError("--data_dir=%s: not a directory" % settings.data_dir)


def load_model_files(settings):
  """Reads and checks --init_checkpoint, --bert_config_file, --vocab_file.

  Returns:
    (init_checkpoint, bert_config, tokenizer): a checkpoint prefix (also
    when the flag names a directory or one of its files) or None, the
    `modeling.BertConfig` and the `tokenization.FullTokenizer`.

  Raises:
    UsageError: a missing or unreadable file, a config that does not fit
      --max_seq_length, a vocabulary larger than the config's, a
      --do_lower_case that contradicts a released checkpoint's name, or a
      checkpoint whose shapes differ from the config's.
  """
  init_checkpoint = checkpoint_utils.check_init_checkpoint(
      settings.init_checkpoint)
  bert_config = script_utils.load_bert_config(settings.bert_config_file,
                                              settings.max_seq_length)
  tokenizer = script_utils.load_tokenizer(settings.vocab_file,
                                          settings.do_lower_case,
                                          init_checkpoint)
  script_utils.check_vocab_fits_config(len(tokenizer.vocab), bert_config,
                                       settings.vocab_file)
  checkpoint_utils.check_checkpoint_fits_config(init_checkpoint, bert_config)
  return init_checkpoint, bert_config, tokenizer


def training_steps(settings, num_examples, what="training examples"):
  """(num_train_steps, num_warmup_steps) for `num_examples` an epoch.

  Args:
    settings: with train_batch_size, num_train_epochs, warmup_proportion.
    num_examples: int, examples (or windows) an epoch.
    what: what `num_examples` counts, for the message.

  Raises:
    UsageError: when the batch size and epochs make zero steps.
  """
  num_train_steps = int(num_examples / settings.train_batch_size *
                        settings.num_train_epochs)
  if num_train_steps < 1:
    raise UsageError(
        "%d %s with --train_batch_size=%d and --num_train_epochs=%s make "
        "zero training steps" % (num_examples, what,
                                 settings.train_batch_size,
                                 settings.num_train_epochs))
  return num_train_steps, int(num_train_steps * settings.warmup_proportion)


def check_weights_and_output(settings, init_checkpoint, head_variables,
                             writes_output):
  """Checks what a run reads and writes before it starts.

  Without --do_train, evaluation, prediction and export read weights that
  must already exist, with the task's `head_variables`; an export
  never takes random weights. A bad --export_dir fails now, not after
  training. --output_dir is created when the run writes there
  (`writes_output`; an export alone writes nothing there).

  Args:
    settings: the script's settings.
    init_checkpoint: the checked --init_checkpoint (`load_model_files`).
    head_variables: the task's head, a value of `HEAD_VARIABLES`.
    writes_output: bool.

  Raises:
    UsageError: naming the flag to set or fix.
  """
  export_dir = settings.export_dir
  if not settings.do_train:
    checkpoint_utils.checkpoint_for_inference(
        settings.output_dir, init_checkpoint, " ".join(_actions(settings)),
        head_variables, settings.allow_random_init and not export_dir)
  if export_dir:
    export_utils.check_export_dir(export_dir)
  if writes_output:
    script_utils.prepare_output_dir(settings.output_dir)


def compute_type(settings):
  """--precision as the encoder's compute dtype (tf.float32, ...).

  The one place a fine-tuning script maps it; float16 also brings dynamic
  loss scaling (`estimator_runtime.training_spec`).
  """
  return estimator_runtime.compute_type_for_precision(settings.precision)


def make_fine_tuning_estimator(model_fn, settings, num_train_steps=None):
  """The run's estimator (TPUEstimator or graph runner).

  With gradient accumulation each training step reads a micro-batch of
  train_batch_size / num_accumulation_steps examples (the update still
  averages train_batch_size examples).

  Args:
    model_fn: the task's model_fn.
    settings: the script's settings.
    num_train_steps: (optional) int, the run's training steps (from
      `training_steps`): a long run logs its loss less often than every
      --save_summary_steps (`estimator_runtime.log_every_steps`).

  Raises:
    UsageError: flags the runtime cannot honour together.
  """
  overrides = {}
  save_summary_steps = getattr(settings, "save_summary_steps", None)
  if save_summary_steps:
    overrides["log_step_count_steps"] = estimator_runtime.log_every_steps(
        save_summary_steps, num_train_steps)
  optimizer = getattr(settings, "optimizer", "adamw")
  if optimizer != "adamw":
    model_fn = optimization.with_optimizer(model_fn, optimizer)
  initializer = getattr(settings, "head_initializer", "truncated_normal")
  if initializer != "truncated_normal":
    model_fn = with_head_initializer(model_fn, initializer)
  return estimator_runtime.make_estimator(
      model_fn,
      estimator_runtime.run_config_from_flags(settings, **overrides),
      settings.use_tpu,
      train_batch_size=(settings.train_batch_size //
                        settings.num_accumulation_steps),
      eval_batch_size=getattr(settings, "eval_batch_size", None),
      predict_batch_size=settings.predict_batch_size)


def training_is_finished(settings, num_train_steps):
  """Whether --output_dir's checkpoint has reached `num_train_steps` already.

  Such a run skips training (`train` says so), so the scripts also skip what
  only training needs (the training records, a teacher's pass,
  model_info.json): the directory keeps the files of the training it had.
  """
  return (estimator_runtime.current_global_step(settings.output_dir) >=
          num_train_steps)


def train(estimator, settings, input_fn, size_line, num_train_steps,
          num_warmup_steps, init_checkpoint, evaluate_fn=None):
  """Logs the training block and trains to `num_train_steps` updates.

  A model directory whose checkpoint has reached `num_train_steps` is
  finished: that is said first, and the block describes that model (its
  settings, not the flags of this run), since training is skipped.
  With --eval_every_steps and an `evaluate_fn`, training stops at each
  evaluation step to evaluate (`best_checkpoint.train_and_evaluate`: the
  best checkpoint, early stopping).

  Args:
    estimator: from `make_fine_tuning_estimator`.
    settings: the script's settings.
    input_fn: the training input_fn.
    size_line: the log line saying how much data, e.g. "Num examples = 8".
    num_train_steps, num_warmup_steps: from `training_steps`.
    init_checkpoint: the checked --init_checkpoint, for the log.
    evaluate_fn: evaluate_fn(checkpoint_path) -> dict of dev metrics, or
      None.
  """
  # The training order applies to both loops below.
  train_shuffle = getattr(settings, "train_shuffle", "buffer")
  if train_shuffle != "buffer":
    input_fn = record_utils.with_shuffle(input_fn, train_shuffle)
  if evaluate_fn is not None and getattr(settings, "eval_every_steps", None):
    best_checkpoint.train_and_evaluate(
        estimator, settings, input_fn, num_train_steps, evaluate_fn,
        size_line, num_warmup_steps, init_checkpoint)
    return
  if training_is_finished(settings, num_train_steps):
    finished_step = estimator_runtime.current_global_step(settings.output_dir)
    # The flags of this run (learning rate, batch size) would describe a
    # training that does not happen.
    tf1.logging.info(
        "--output_dir=%s holds a finished model (global step %d of %d): "
        "training is skipped, and the model keeps the settings it was "
        "trained with, not the training flags of this run", settings.output_dir,
        finished_step, num_train_steps)
    return
  num_accumulation_steps = settings.num_accumulation_steps
  tf1.logging.info("***** Running training *****")
  tf1.logging.info("  %s", size_line)
  estimator_runtime.log_train_batch_size(settings.train_batch_size,
                                         num_accumulation_steps)
  tf1.logging.info("  Num steps = %d", num_train_steps)
  estimator_runtime.log_learning_rate(settings.learning_rate,
                                      num_warmup_steps)
  checkpoint_utils.log_weights("Training", settings.output_dir,
                               init_checkpoint)
  estimator_runtime.train_estimator(
      estimator, input_fn, num_train_steps,
      settings.train_batch_size // num_accumulation_steps,
      num_accumulation_steps)


def model_info(kind, settings, **task_settings):
  """What predictor.load needs besides the weights, from the run's settings.

  `export_utils.model_info` with the vocabulary, casing and max_seq_length
  of `settings`; the scripts write it next to the checkpoints
  (`export_utils.write_model_files`) and into an exported SavedModel
  (`export`'s model_info).

  Args:
    kind: CLASSIFIER or SQUAD.
    settings: with vocab_file, do_lower_case and max_seq_length.
    **task_settings: the kind's own (see `export_utils.model_info`).

  Returns:
    dict, as `export_utils.model_info`.
  """
  return export_utils.model_info(kind, settings.vocab_file,
                                 settings.do_lower_case,
                                 settings.max_seq_length, **task_settings)


def export(model_fn, settings, init_checkpoint, output_keys, **kwargs):
  """Writes the SavedModel of --export_dir from the run's newest weights.

  Args:
    model_fn: the run's model_fn.
    settings: with export_dir, output_dir and max_seq_length.
    init_checkpoint: the checked --init_checkpoint, used when --output_dir
      has no checkpoint.
    output_keys: the predictions the signature returns.
    **kwargs: passed to `export_utils.export_saved_model` (model_info,
      synthesized_features).

  Raises:
    UsageError: when there are no weights to export.
  """
  export_utils.export_saved_model(
      model_fn, settings.export_dir, settings.max_seq_length,
      checkpoint_path=export_utils.checkpoint_for_export(
          settings.output_dir, init_checkpoint),
      output_keys=output_keys, **kwargs)
