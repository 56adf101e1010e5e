# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""How a model_fn is run: TPUEstimator where TensorFlow has it, else GraphRunner.

The scripts are written against TPUEstimator: each builds a `model_fn` that
returns a `TPUEstimatorSpec` and `input_fn`s that read `params["batch_size"]`.
This module is the only place that knows what runs them:

  TensorFlow 2.15 (Python 3.9-3.11)   `tf.compat.v1.estimator.tpu.TPUEstimator`
                                      on CPU, GPU and Cloud TPU, as the
                                      original code ran;
  TensorFlow 2.16+ (Python 3.12+)     `graph_runner.GraphRunner`, built on the
                                      graph-mode APIs TensorFlow still ships;
                                      CPU and GPU, no TPU.

Training over several devices or machines (`train_distribute`) uses
GraphRunner on both, since TPUEstimator cannot take a strategy.

Scripts use `ModeKeys`, `TPUEstimatorSpec`, `make_run_config` and
`make_estimator` from here; no other file touches `tf.compat.v1.estimator`.
Checkpoints, summaries and outputs are the same whichever runs.

The second half takes a script from its flags to a training run: the Cloud
TPU and performance flags every training script shares
(`define_tpu_flags`, `define_performance_flags`), the run config they lead to
(`run_config_from_flags`, with its one-line summary in the log), and
`train_estimator` with its progress log.
"""

import os

from absl import flags
import tensorflow as tf

import checkpoint_utils
import distribute_utils
import graph_runner
import optimization
import script_utils
import tf_quiet

tf1 = tf.compat.v1


def _tpu_estimator_module():
  """`tf.compat.v1.estimator.tpu`, or None where TensorFlow has no estimator.

  TF 2.16 removed `tf.compat.v1.estimator`; the tensorflow-estimator 2.15
  package does not import on it either.
  """
  try:
    return tf1.estimator.tpu
  except (AttributeError, ImportError):
    return None


_TPU = _tpu_estimator_module()

# Whether this TensorFlow ships TPUEstimator (the TF 2.15 runtime).
HAS_TPU_ESTIMATOR = _TPU is not None

if HAS_TPU_ESTIMATOR:
  # The estimator logs that tf.compat.v1.estimator.tpu's names are
  # "deprecated, use tf.compat.v1.estimator.tpu" (themselves) on first use.
  with tf_quiet.quiet_log():
    ModeKeys = tf1.estimator.ModeKeys
    TPUEstimatorSpec = _TPU.TPUEstimatorSpec
else:
  ModeKeys = graph_runner.ModeKeys
  TPUEstimatorSpec = graph_runner.TPUEstimatorSpec

RUNNERS = ("auto", "tpu_estimator", "graph")
# The runners this TensorFlow can use (tests run each of them).
AVAILABLE_RUNNERS = (("tpu_estimator", "graph") if HAS_TPU_ESTIMATOR else
                     ("graph",))

NO_TPU_MESSAGE = (
    "--use_tpu: Cloud TPU needs the TensorFlow 2.15 runtime (Python 3.9-3.11, "
    "see the README's runtime table); TensorFlow %s has no TPUEstimator" %
    tf.__version__)


def refuse_tpu_without_estimator(use_tpu, error_class=ValueError):
  """The one refusal of --use_tpu on a TensorFlow without TPUEstimator.

  Raises:
    error_class: with NO_TPU_MESSAGE, when use_tpu is set and this
      TensorFlow (2.16+) has no TPUEstimator.
  """
  if use_tpu and not HAS_TPU_ESTIMATOR:
    raise error_class(NO_TPU_MESSAGE)


def runtime_description():
  """One line naming the TensorFlow version and what runs the model_fns."""
  return "TensorFlow %s, %s" % (
      tf.__version__,
      "TPUEstimator" if HAS_TPU_ESTIMATOR else "graph runner (no TPU)")


def make_session_config(use_xla=False, num_cpu_devices=None):
  """The session ConfigProto for --use_xla / --num_cpu_devices, or None."""
  if not (use_xla or num_cpu_devices):
    return None
  session_config = tf1.ConfigProto(allow_soft_placement=True)
  if use_xla:
    session_config.graph_options.optimizer_options.global_jit_level = (
        tf1.OptimizerOptions.ON_1)
    enable_xla_on_cpu()
  if num_cpu_devices:
    session_config.device_count["CPU"] = num_cpu_devices
  return session_config


def make_run_config(output_dir,
                    use_tpu=False,
                    tpu_name=None,
                    tpu_zone=None,
                    gcp_project=None,
                    master=None,
                    num_tpu_cores=8,
                    save_checkpoints_steps=1000,
                    iterations_per_loop=1000,
                    keep_checkpoint_max=5,
                    log_step_count_steps=100,
                    save_summary_steps=100,
                    use_xla=False,
                    num_cpu_devices=None,
                    train_distribute=None,
                    tf_random_seed=None,
                    runner="auto"):
  """The run configuration of the runner that will run the model_fns.

  Args:
    output_dir: model directory (local or gs://).
    use_tpu: bool; with tpu_name the Cloud TPU is resolved by name.
    tpu_name, tpu_zone, gcp_project: Cloud TPU address.
    master: TensorFlow master URL, used when tpu_name is not given.
    num_tpu_cores: total TPU cores (shards).
    save_checkpoints_steps: int, optimizer steps between checkpoints.
    iterations_per_loop: int, TPU steps per host round-trip.
    keep_checkpoint_max: int, how many recent checkpoints to keep.
    log_step_count_steps: int, steps between the loss and steps/sec logs.
    save_summary_steps: int, steps between TensorBoard summaries (the loss
      curve).
    use_xla: bool, JIT-compile the graph with XLA (CPU/GPU sessions).
    num_cpu_devices: (optional) int, logical CPU devices the session exposes;
      lets a mirrored strategy run over CPUs where there is no GPU.
    train_distribute: (optional) a TF1 `tf.distribute.Strategy` for training.
    tf_random_seed: (optional) int, graph-level seed for initialisation,
      dropout and shuffling, for repeatable runs.
    runner: "auto" (TPUEstimator where TensorFlow has it and no strategy is
      given, else the graph runner), "tpu_estimator" or "graph".

  Returns:
    `tf.compat.v1.estimator.tpu.RunConfig` for TPUEstimator, or
    `graph_runner.RunConfig`; `make_estimator` tells them apart.

  Raises:
    ValueError: for use_tpu (or runner="tpu_estimator") on a TensorFlow
      without TPUEstimator, use_tpu with the graph runner, or an unknown
      runner.
  """
  if runner not in RUNNERS:
    raise ValueError("runner must be one of %s, got %r" % (RUNNERS, runner))
  refuse_tpu_without_estimator(use_tpu)
  if runner == "auto":
    runner = ("tpu_estimator" if HAS_TPU_ESTIMATOR and train_distribute is None
              else "graph")
  if runner == "tpu_estimator" and not HAS_TPU_ESTIMATOR:
    raise ValueError("runner='tpu_estimator' needs TensorFlow 2.15; this is "
                     "TensorFlow %s" % tf.__version__)
  if runner == "tpu_estimator" and train_distribute is not None:
    raise ValueError("TPUEstimator cannot train with a tf.distribute strategy")
  if runner == "graph" and use_tpu:
    raise ValueError("the graph runner runs on CPU/GPU only; --use_tpu needs "
                     "TPUEstimator")
  # What both runners' configs hold alike.
  common = dict(model_dir=output_dir,
                tf_random_seed=tf_random_seed,
                session_config=make_session_config(use_xla, num_cpu_devices),
                save_checkpoints_steps=save_checkpoints_steps,
                save_summary_steps=save_summary_steps,
                keep_checkpoint_max=keep_checkpoint_max,
                master=master)

  if runner == "graph":
    return graph_runner.RunConfig(log_step_count_steps=log_step_count_steps,
                                  train_distribute=train_distribute, **common)

  tpu_cluster_resolver = None
  if use_tpu and tpu_name:
    tpu_cluster_resolver = tf.distribute.cluster_resolver.TPUClusterResolver(
        tpu_name, zone=tpu_zone, project=gcp_project)
  if not use_tpu and log_step_count_steps and iterations_per_loop:
    # TPUEstimator logs every ceil(log_step_count_steps / iterations_per_loop)
    # session runs, which on CPU/GPU (one step per run) means every step.
    log_step_count_steps *= iterations_per_loop
  tpu_config = _TPU.TPUConfig(
      iterations_per_loop=iterations_per_loop,
      num_shards=num_tpu_cores,
      # PER_HOST_V2 feeds each host's cores from one input pipeline per host,
      # which is what the batched record readers are written for.
      per_host_input_for_training=_TPU.InputPipelineConfig.PER_HOST_V2)
  return _TPU.RunConfig(cluster=tpu_cluster_resolver,
                        log_step_count_steps=log_step_count_steps,
                        tpu_config=tpu_config, **common)


def make_estimator(model_fn, run_config, use_tpu, train_batch_size=None,
                   eval_batch_size=None, predict_batch_size=None):
  """The estimator for `run_config`: a TPUEstimator or a GraphRunner.

  Both offer train(input_fn, max_steps=...), evaluate(input_fn, steps=...),
  predict(input_fn) and model_dir. With use_tpu=False a TPUEstimator runs as
  a plain CPU/GPU Estimator. `train_batch_size` is the global batch, also
  under a distribution strategy.

  Raises:
    UsageError: use_tpu with a graph-runner config, or batch sizes the
      devices cannot split.
  """
  try:
    if isinstance(run_config, graph_runner.RunConfig):
      if use_tpu:
        refuse_tpu_without_estimator(use_tpu)
        raise ValueError("--use_tpu needs TPUEstimator, not the graph runner")
      return graph_runner.GraphRunner(model_fn, run_config, train_batch_size,
                                      eval_batch_size, predict_batch_size)
    return _TPU.TPUEstimator(
        use_tpu=use_tpu,
        model_fn=model_fn,
        config=run_config,
        train_batch_size=train_batch_size,
        eval_batch_size=eval_batch_size,
        predict_batch_size=predict_batch_size)
  except ValueError as e:
    # Batch sizes that do not suit the devices, --use_tpu without a TPU
    # runtime: the flags are wrong, not the code.
    raise script_utils.UsageError(str(e))


# ----------------------------------------------------------------------------
# From the scripts' flags to a run config, an estimator and a training run
# ----------------------------------------------------------------------------


def define_tpu_flags(flag_values=flags.FLAGS):
  """Defines the Cloud TPU flags every training script shares."""
  flags.DEFINE_bool("use_tpu", False, "Whether to use TPU or GPU/CPU.",
      flag_values=flag_values)
  flags.DEFINE_string(
      "tpu_name", None,
      "The Cloud TPU to use for training: the name used when creating it, or "
      "a grpc://ip.address.of.tpu:8470 url.", flag_values=flag_values)
  flags.DEFINE_string(
      "tpu_zone", None,
      "[Optional] GCE zone of the Cloud TPU. If not given, it is looked up "
      "from metadata.", flag_values=flag_values)
  flags.DEFINE_string(
      "gcp_project", None,
      "[Optional] Project name of the Cloud TPU. If not given, it is looked "
      "up from metadata.", flag_values=flag_values)
  flags.DEFINE_string("master", None, "[Optional] TensorFlow master URL.",
      flag_values=flag_values)
  flags.DEFINE_integer(
      "num_tpu_cores", 8,
      "Only used if `use_tpu` is True. Total number of TPU cores to use.",
      flag_values=flag_values)
  # Refused when the flags are parsed, before any work: this TensorFlow
  # would otherwise fail much later, when the estimator is built.
  flags.register_validator(
      "use_tpu", lambda use_tpu: not use_tpu or HAS_TPU_ESTIMATOR,
      message=NO_TPU_MESSAGE[len("--use_tpu: "):], flag_values=flag_values)


# The default of --save_summary_steps: a loss point every 10 steps draws a
# curve even for the short runs of a first try.
DEFAULT_SAVE_SUMMARY_STEPS = 10

# The most loss (and steps/sec) lines a training run logs by default: a long
# run logs them less often than it writes summaries, so that the log stays
# readable (the curve is in TensorBoard).
MAX_LOSS_LOGS = 10


def define_summary_flags(flag_values=flags.FLAGS,
                         default=DEFAULT_SAVE_SUMMARY_STEPS):
  """Defines --save_summary_steps for a training script.

  `run_config_from_flags` reads it: TensorBoard summaries (the loss curve)
  come every that many steps, and so do the log's loss and steps/sec lines,
  less often in a long run (`log_every_steps`).
  """
  flags.DEFINE_integer(
      "save_summary_steps", default,
      "Steps between the loss summaries TensorBoard draws. The log shows the "
      "loss at a multiple of it, at most %d times a run." % MAX_LOSS_LOGS,
      lower_bound=1, flag_values=flag_values)


def log_every_steps(save_summary_steps, num_train_steps=None,
                    max_logs=MAX_LOSS_LOGS):
  """Steps between the loss lines of the log: a multiple of the summaries'.

  Args:
    save_summary_steps: int >= 1, steps between summaries.
    num_train_steps: (optional) int, the steps of the run; None logs at
      every summary.
    max_logs: int, the most loss lines a run of num_train_steps logs.

  Returns:
    int, `save_summary_steps` times the smallest factor that keeps the
    lines within `max_logs`.
  """
  if not num_train_steps:
    return save_summary_steps
  steps_per_log = -(-num_train_steps // max_logs)
  return max(1, -(-steps_per_log // save_summary_steps)) * save_summary_steps


PRECISIONS = ("fp32", "bf16", "fp16")


def define_performance_flags(flag_values=flags.FLAGS):
  """Defines the speed (and seed) flags shared by the training scripts."""
  if "precision" in flag_values:
    return  # Already defined by another caller in this process.
  flags.DEFINE_bool(
      "use_xla", False,
      "JIT-compile the model with XLA (CPU/GPU; Cloud TPU always uses XLA).",
      flag_values=flag_values)
  flags.DEFINE_enum(
      "precision", "fp32", list(PRECISIONS),
      "Arithmetic of the encoder's matrix products. bf16/fp16 keep float32 "
      "master weights (checkpoints are unchanged) and float32 layer norm, "
      "softmax and losses; fp16 adds dynamic loss scaling.",
      flag_values=flag_values)
  flags.DEFINE_enum(
      "distribution", "none", list(distribute_utils.DISTRIBUTIONS),
      "Training on several devices: 'mirrored' replicates over all local "
      "GPUs (or --num_cpu_devices CPUs), 'multi_worker' over the machines in "
      "the TF_CONFIG environment variable. --train_batch_size stays the "
      "global batch. Cloud TPU uses --use_tpu instead.",
      flag_values=flag_values)
  flags.DEFINE_integer(
      "tf_random_seed", None,
      "Graph-level random seed (initialisation, dropout, input shuffling) "
      "for repeatable runs; default: a different seed every run.",
      flag_values=flag_values)
  flags.DEFINE_integer(
      "num_cpu_devices", None,
      "Expose this many logical CPU devices (for --distribution=mirrored on "
      "a machine without GPUs, e.g. for testing).", flag_values=flag_values)


def compute_type_for_precision(precision):
  """Maps a --precision value to the encoder's compute dtype."""
  if precision not in PRECISIONS:
    raise script_utils.UsageError("--precision=%s: expected one of %s" %
                                  (precision, ", ".join(PRECISIONS)))
  return {"fp32": tf.float32, "bf16": tf.bfloat16,
          "fp16": tf.float16}[precision]


# The flags behind make_run_config's arguments. A script passes those it
# defines (extract_features has no checkpoint or loop flags); the others keep
# make_run_config's defaults.
_RUN_CONFIG_FLAGS = ("use_tpu", "tpu_name", "tpu_zone", "gcp_project", "master",
                     "num_tpu_cores", "save_checkpoints_steps",
                     "iterations_per_loop", "use_xla", "num_cpu_devices",
                     "tf_random_seed", "save_summary_steps")


def run_config_from_flags(flags_obj, output_dir=None, **overrides):
  """`make_run_config` fed from a script's flags.

  Args:
    flags_obj: the script's absl FLAGS (or a namespace with the same
      attributes): the TPU and performance flags (`define_tpu_flags`,
      `define_performance_flags`) and whichever of --save_checkpoints_steps,
      --iterations_per_loop and --num_accumulation_steps the script defines.
    output_dir: (optional) model directory; default --output_dir.
    **overrides: make_run_config arguments that win over the flags.

  Returns:
    The run config for `make_estimator`; its set-up is logged in one line.

  Raises:
    UsageError: flags that cannot go together, or that this runtime cannot
      honour.
  """
  refuse_tpu_without_estimator(flags_obj.use_tpu, script_utils.UsageError)
  kwargs = {name: getattr(flags_obj, name) for name in _RUN_CONFIG_FLAGS
            if hasattr(flags_obj, name)}
  kwargs["output_dir"] = output_dir or flags_obj.output_dir
  distribution = flags_obj.distribution
  if distribution != "none" and "train_distribute" not in overrides:
    if flags_obj.use_tpu:
      raise script_utils.UsageError(
          "--distribution=%s cannot be combined with --use_tpu; Cloud TPU "
          "replicates over its cores by itself" % distribution)
    # The per-replica update path has no accumulators and no loss scaling
    # (both would need a conditional update across replicas).
    if getattr(flags_obj, "num_accumulation_steps", None) not in (None, 1):
      raise script_utils.UsageError(
          "--num_accumulation_steps cannot be combined with --distribution=%s"
          "; add replicas or lower the per-replica batch instead" %
          distribution)
    if flags_obj.precision == "fp16":
      raise script_utils.UsageError(
          "--precision=fp16 (loss scaling) cannot be combined with "
          "--distribution=%s; use --precision=bf16" % distribution)
    kwargs["train_distribute"] = distribute_utils.make_distribution_strategy(
        distribution, kwargs.get("num_cpu_devices"))
  if "save_summary_steps" in kwargs:
    # The loss is logged when it is summarised (the caller may log less
    # often, see log_every_steps).
    kwargs["log_step_count_steps"] = kwargs["save_summary_steps"]
  kwargs.update(overrides)
  try:
    run_config = make_run_config(**kwargs)
  except ValueError as e:
    raise script_utils.UsageError(str(e))
  # The configuration in one line, for the log (TensorFlow's own dump of the
  # run config is only in the verbose one).
  setup = [runtime_description(), "precision %s" % flags_obj.precision]
  if kwargs.get("use_xla"):
    setup.append("XLA")
  if distribution != "none":
    setup.append("--distribution=%s" % distribution)
  if kwargs.get("use_tpu"):
    setup.append(" ".join(["Cloud TPU"] + [
        name for name in (kwargs.get("tpu_name") or kwargs.get("master"),)
        if name]))
  if kwargs.get("tf_random_seed") is not None:
    setup.append("seed %d" % kwargs["tf_random_seed"])
  tf1.logging.info("Running on %s", ", ".join(setup))
  return run_config


def training_spec(total_loss, learning_rate, num_train_steps,
                  num_warmup_steps, use_tpu, num_accumulation_steps,
                  compute_type, scaffold_fn, training_hooks=None):
  """The TRAIN-mode `TPUEstimatorSpec` of a fine-tuning model_fn.

  Every fine-tuning script trains the same way: one AdamW update of
  `optimization.create_optimizer` on `total_loss`, with dynamic loss scaling
  when `compute_type` is float16. (run_pretraining builds its own, as its
  logging hook reads the learning rate the optimizer creates.)

  Args:
    total_loss: float32 scalar Tensor.
    learning_rate: float, the peak learning rate.
    num_train_steps: int, optimizer updates of the whole run.
    num_warmup_steps: int, updates of linear warm-up.
    use_tpu: bool (the TPU's cross-shard optimizer).
    num_accumulation_steps: int, micro-batches per update.
    compute_type: the encoder's tf.DType (--precision).
    scaffold_fn: from `checkpoint_utils.init_from_checkpoint`.
    training_hooks: (optional) list of SessionRunHooks.

  Returns:
    The TPUEstimatorSpec for ModeKeys.TRAIN.
  """
  train_op = optimization.create_optimizer(
      total_loss, learning_rate, num_train_steps, num_warmup_steps, use_tpu,
      num_accumulation_steps=num_accumulation_steps,
      loss_scale=optimization.loss_scale_for(compute_type))
  return TPUEstimatorSpec(
      mode=ModeKeys.TRAIN, loss=total_loss, train_op=train_op,
      training_hooks=training_hooks, scaffold_fn=scaffold_fn)


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
  return (checkpoint_utils.checkpoint_global_step(latest) or 0) if latest else 0


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
  """
  start_step = current_global_step(estimator.model_dir)
  remaining_runs = max(num_train_steps - start_step, 0) * num_accumulation_steps
  estimator.train(
      input_fn=input_fn,
      max_steps=num_train_steps,
      hooks=[script_utils.ProgressHook("Training", micro_batch_size,
                                       remaining_runs)])


def enable_xla_on_cpu():
  """Lets a session's global_jit_level compile CPU ops too.

  TensorFlow honours `global_jit_level` only on GPUs unless its
  `--tf_xla_cpu_global_jit` flag is set; without it --use_xla would do
  nothing on a CPU-only machine. Sessions whose config leaves JIT off are not
  affected. The CPU device reads the flag once, when the process creates its
  first session, so it must be set before then (through TensorFlow's runtime
  setter; TF_XLA_FLAGS is the fallback). `make_session_config(use_xla=True)`
  calls it, which in a script comes before any session; code that runs
  sessions of its own first (a notebook, a test) calls it at the start.
  Importing this module does not call it, since it changes process-wide
  TensorFlow state.
  """
  try:
    from tensorflow.python.client import pywrap_tf_session  # pylint: disable=g-import-not-at-top
    pywrap_tf_session.TF_SetTfXlaCpuGlobalJit(True)
  except (ImportError, AttributeError):
    flags_env = os.environ.get("TF_XLA_FLAGS", "")
    if "--tf_xla_cpu_global_jit" not in flags_env:
      os.environ["TF_XLA_FLAGS"] = (flags_env +
                                    " --tf_xla_cpu_global_jit").strip()
