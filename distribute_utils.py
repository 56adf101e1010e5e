# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""The tf.distribute strategy for --distribution (several GPUs or machines).

The graph runner trains under the strategy returned here (TPUEstimator cannot
take one); Cloud TPU replicates over its cores with --use_tpu instead.
docs/performance.md, "Training on several GPUs or machines", says how to run
it.
"""

import json
import os

import tensorflow as tf

import script_utils

tf1 = tf.compat.v1

DISTRIBUTIONS = ("none", "mirrored", "multi_worker")


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
      raise script_utils.UsageError(
          "--distribution=multi_worker: TF_CONFIG must describe a cluster "
          "with 'worker' (and optionally 'chief') tasks")
    # Building the TF1 strategy outside eager mode keeps it from starting
    # its own gRPC server; the graph runner starts the one server this
    # worker needs, on the port TF_CONFIG gives it, and configures the
    # strategy from the cluster.
    with tf.Graph().as_default():
      return tf1.distribute.experimental.MultiWorkerMirroredStrategy()
  raise script_utils.UsageError("--distribution=%s: expected one of %s" %
                                (distribution, ", ".join(DISTRIBUTIONS)))


def _tf_config_cluster():
  """The 'cluster' dict of the TF_CONFIG environment variable ({} if unset)."""
  text = os.environ.get("TF_CONFIG", "")
  if not text.strip():
    raise script_utils.UsageError(
        "--distribution=multi_worker needs the TF_CONFIG "
        "environment variable (cluster and task)")
  try:
    tf_config = json.loads(text)
  except ValueError as e:
    raise script_utils.UsageError("TF_CONFIG is not valid JSON (%s)" % e)
  if not isinstance(tf_config, dict) or "task" not in tf_config:
    raise script_utils.UsageError(
        "TF_CONFIG must be a JSON object with 'cluster' and "
        "'task'")
  return tf_config.get("cluster") or {}
