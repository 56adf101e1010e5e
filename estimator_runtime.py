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
"""

import os

import tensorflow as tf

import graph_runner

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
  if use_tpu and not HAS_TPU_ESTIMATOR:
    raise ValueError(NO_TPU_MESSAGE)
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
  session_config = make_session_config(use_xla, num_cpu_devices)

  if runner == "graph":
    return graph_runner.RunConfig(
        model_dir=output_dir,
        tf_random_seed=tf_random_seed,
        session_config=session_config,
        save_checkpoints_steps=save_checkpoints_steps,
        keep_checkpoint_max=keep_checkpoint_max,
        log_step_count_steps=log_step_count_steps,
        train_distribute=train_distribute,
        master=master)

  tpu_cluster_resolver = None
  if use_tpu and tpu_name:
    tpu_cluster_resolver = tf.distribute.cluster_resolver.TPUClusterResolver(
        tpu_name, zone=tpu_zone, project=gcp_project)
  if not use_tpu and log_step_count_steps and iterations_per_loop:
    # TPUEstimator logs every ceil(log_step_count_steps / iterations_per_loop)
    # session runs, which on CPU/GPU (one step per run) means every step.
    log_step_count_steps *= iterations_per_loop
  return _TPU.RunConfig(
      session_config=session_config,
      tf_random_seed=tf_random_seed,
      cluster=tpu_cluster_resolver,
      master=master,
      model_dir=output_dir,
      save_checkpoints_steps=save_checkpoints_steps,
      keep_checkpoint_max=keep_checkpoint_max,
      log_step_count_steps=log_step_count_steps,
      tpu_config=_TPU.TPUConfig(
          iterations_per_loop=iterations_per_loop,
          num_shards=num_tpu_cores,
          # PER_HOST_V2 feeds each host's cores from one input pipeline per
          # host, which is what the batched record readers are written for.
          per_host_input_for_training=(
              _TPU.InputPipelineConfig.PER_HOST_V2)))


def make_estimator(model_fn, run_config, use_tpu, train_batch_size=None,
                   eval_batch_size=None, predict_batch_size=None):
  """The estimator for `run_config`: a TPUEstimator or a GraphRunner.

  Both offer train(input_fn, max_steps=...), evaluate(input_fn, steps=...),
  predict(input_fn) and model_dir. With use_tpu=False a TPUEstimator runs as
  a plain CPU/GPU Estimator. `train_batch_size` is the global batch, also
  under a distribution strategy.

  Raises:
    ValueError: use_tpu with a graph-runner config.
  """
  if isinstance(run_config, graph_runner.RunConfig):
    if use_tpu:
      raise ValueError(NO_TPU_MESSAGE if not HAS_TPU_ESTIMATOR else
                       "--use_tpu needs TPUEstimator, not the graph runner")
    return graph_runner.GraphRunner(model_fn, run_config, train_batch_size,
                                    eval_batch_size, predict_batch_size)
  return _TPU.TPUEstimator(
      use_tpu=use_tpu,
      model_fn=model_fn,
      config=run_config,
      train_batch_size=train_batch_size,
      eval_batch_size=eval_batch_size,
      predict_batch_size=predict_batch_size)


def enable_xla_on_cpu():
  """Lets a session's global_jit_level compile CPU ops too.

  TensorFlow honours `global_jit_level` only on GPUs unless its
  `--tf_xla_cpu_global_jit` flag is set; without it --use_xla would do
  nothing on a CPU-only machine. Sessions whose config leaves JIT off are not
  affected. The CPU device reads the flag once, when the process creates its
  first session, so it must be set before then (through TensorFlow's runtime
  setter; TF_XLA_FLAGS is the fallback).
  """
  try:
    from tensorflow.python.client import pywrap_tf_session  # pylint: disable=g-import-not-at-top
    pywrap_tf_session.TF_SetTfXlaCpuGlobalJit(True)
  except (ImportError, AttributeError):
    flags_env = os.environ.get("TF_XLA_FLAGS", "")
    if "--tf_xla_cpu_global_jit" not in flags_env:
      os.environ["TF_XLA_FLAGS"] = (flags_env +
                                    " --tf_xla_cpu_global_jit").strip()
