# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Runs the scripts' TPUEstimator model_fns on CPU/GPU without `tf.estimator`.

TensorFlow 2.16 dropped `tf.estimator`, and with it `TPUEstimator`, which
every script here drives. What a script needs of an estimator is small, and
all of it is made of graph-mode pieces that TensorFlow still ships
(`tf.compat.v1` graphs, `train.Scaffold`, `train.Saver`, `train.MonitoredSession`
and its session-run hooks, `tf.compat.v1.metrics`):

  train(input_fn, max_steps)   one optimizer step per session run, checkpoints
                               every `save_checkpoints_steps` (keeping
                               `keep_checkpoint_max`), resumption from the
                               newest checkpoint in `model_dir`, the
                               "loss = ..., step = ..." and global_step/sec
                               logs, TensorBoard summaries in `model_dir`;
  evaluate(input_fn, steps)    the model_fn's `eval_metrics` (fn, tensors)
                               plus `loss` and `global_step`, on the newest
                               checkpoint or the one named, summaries in
                               `model_dir/eval`;
  predict(input_fn)            one dict per example.

The model_fn contract is TPUEstimator's: `model_fn(features, labels, mode,
params)` returns a `TPUEstimatorSpec` (the real one on TF 2.15, the namedtuple
below elsewhere, which has the same fields), `params["batch_size"]` is the
per-call batch of the mode, and `scaffold_fn` (for warm starts) is honoured.
Checkpoints are written by `tf.compat.v1.train.Saver` under the same names,
so a model directory moves freely between this runner and TPUEstimator.

With a `tf.distribute` strategy in `RunConfig.train_distribute`, training is
replicated the way Estimator did it (`call_for_each_replica`, gradients
averaged in the optimizer), `train_batch_size` being the global batch; for a
multi-worker strategy the runner starts this process's `tf.distribute.Server`
from TF_CONFIG. Evaluation and prediction always run on one device.
"""

import collections
import json
import os

import tensorflow as tf
from tensorflow.core.protobuf import rewriter_config_pb2  # pylint: disable=g-direct-tensorflow-import
from tensorflow.python.training import training_util  # pylint: disable=g-direct-tensorflow-import

tf1 = tf.compat.v1


class _MetaGraphWriter(tf1.train.CheckpointSaverListener):
  """Writes `model.ckpt-N.meta` beside each checkpoint the hook saves.

  What `CheckpointSaverHook` does itself unless `save_graph_def=False`, which
  also skips the text graph that breaks on TF 2.20 with protobuf 7; the .meta
  is binary and unaffected.
  """

  def __init__(self, scaffold, checkpoint_dir):
    self._scaffold = scaffold
    self._checkpoint_dir = checkpoint_dir

  def after_save(self, session, global_step_value):
    del session  # The graph is the default one; no values are needed.
    # "model.ckpt" is the hook's default checkpoint_basename.
    self._scaffold.saver.export_meta_graph(os.path.join(
        self._checkpoint_dir, "model.ckpt-%d.meta" % global_step_value))


class ModeKeys(object):
  """The three modes a model_fn is called in (the values tf.estimator uses)."""
  TRAIN = "train"
  EVAL = "eval"
  PREDICT = "infer"


_SPEC_FIELDS = ("mode", "predictions", "loss", "train_op", "eval_metrics",
                "export_outputs", "scaffold_fn", "host_call", "training_hooks",
                "evaluation_hooks", "prediction_hooks")


class TPUEstimatorSpec(
    collections.namedtuple("TPUEstimatorSpec", _SPEC_FIELDS)):
  """What a model_fn returns: TPUEstimatorSpec's fields and defaults.

  `eval_metrics` is a `(metric_fn, tensors)` pair, `tensors` a list (passed
  positionally) or a dict (passed by name), and `metric_fn` returns a dict of
  name -> `tf.compat.v1.metrics` (value, update_op) pairs. `scaffold_fn`, if
  given, returns a `tf.compat.v1.train.Scaffold` (e.g. after
  `init_from_checkpoint`). `host_call` and `export_outputs` concern TPUs and
  serving and are ignored here.
  """

  def __new__(cls, mode, predictions=None, loss=None, train_op=None,
              eval_metrics=None, export_outputs=None, scaffold_fn=None,
              host_call=None, training_hooks=None, evaluation_hooks=None,
              prediction_hooks=None):
    return super(TPUEstimatorSpec, cls).__new__(
        cls, mode, predictions, loss, train_op, eval_metrics, export_outputs,
        scaffold_fn, host_call, tuple(training_hooks or ()),
        tuple(evaluation_hooks or ()), tuple(prediction_hooks or ()))


class RunConfig(object):
  """Where and how a GraphRunner runs (the subset of RunConfig it uses).

  Attributes:
    model_dir: checkpoints and summaries (local or gs://).
    tf_random_seed: int or None, graph-level seed of every graph built.
    session_config: `tf.compat.v1.ConfigProto` or None.
    save_checkpoints_steps: int, optimizer steps between checkpoints.
    keep_checkpoint_max: int, most recent checkpoints kept.
    log_step_count_steps: int, steps between loss and steps/sec logs.
    save_summary_steps: int, steps between TensorBoard summaries.
    train_distribute: a TF1 `tf.distribute.Strategy` for training, or None.
    master: session target ("" for in-process).
  """

  def __init__(self, model_dir, tf_random_seed=None, session_config=None,
               save_checkpoints_steps=1000, keep_checkpoint_max=5,
               log_step_count_steps=100, save_summary_steps=100,
               train_distribute=None, master=""):
    self.model_dir = model_dir
    self.tf_random_seed = tf_random_seed
    self.session_config = session_config
    self.save_checkpoints_steps = save_checkpoints_steps
    self.keep_checkpoint_max = keep_checkpoint_max
    self.log_step_count_steps = log_step_count_steps
    self.save_summary_steps = save_summary_steps
    self.train_distribute = train_distribute
    self.master = master or ""


# ----------------------------------------------------------------------------
# Small pieces shared by the three modes
# ----------------------------------------------------------------------------


class _IteratorInitializerHook(tf1.train.SessionRunHook):
  """Initialises the input iterator once the session exists."""

  def __init__(self, initializer):
    self._initializer = initializer

  def after_create_session(self, session, coord):
    del coord
    session.run(self._initializer)


class _StopAfterNStepsHook(tf1.train.SessionRunHook):
  """Requests a stop after `num_steps` session runs (None: never)."""

  def __init__(self, num_steps, what):
    self._num_steps = num_steps
    self._what = what
    self._done = 0

  def after_run(self, run_context, run_values):
    del run_values
    self._done += 1
    if self._num_steps is None:
      return
    # Logged at about every tenth of the way, like the estimator did.
    every = max(self._num_steps // 10, 1)
    if self._done % every == 0 or self._done == self._num_steps:
      tf1.logging.info("%s [%d/%d]", self._what, self._done, self._num_steps)
    if self._done >= self._num_steps:
      run_context.request_stop()


def _create_global_step():
  """Creates the global step (and its read tensor) as Estimator did.

  The session-run hooks read the global step through a "read tensor" that
  they create on first use. Estimator made it right after the global step,
  before the input and the model; doing the same here numbers the graph's
  ops as Estimator did, so a given --tf_random_seed gives every op (dropout,
  shuffling) the same seed on both runtimes: the same masks and batch order,
  with numbers that differ only by float rounding.
  """
  global_step = tf1.train.get_or_create_global_step()
  training_util._get_or_create_global_step_read()  # pylint: disable=protected-access
  return global_step


def _split_input(element):
  """A dataset element -> (features, labels); labels may be None."""
  if isinstance(element, tuple) and len(element) == 2:
    return element[0], element[1]
  return element, None


def _global_step_of(checkpoint_path):
  """The global step saved in a checkpoint (0 if it has none)."""
  reader = tf.train.load_checkpoint(checkpoint_path)
  if reader.has_tensor(tf1.GraphKeys.GLOBAL_STEP):
    return int(reader.get_tensor(tf1.GraphKeys.GLOBAL_STEP))
  return 0


def _scalar_results_summary(results):
  """A Summary proto of the numeric scalars in an evaluation result."""
  summary = tf1.Summary()
  for name, value in sorted(results.items()):
    if name == tf1.GraphKeys.GLOBAL_STEP:
      continue
    try:
      summary.value.add(tag=name, simple_value=float(value))
    except (TypeError, ValueError):
      continue  # Not a scalar; TensorBoard's scalars cannot show it.
  return summary


# ----------------------------------------------------------------------------
# The runner
# ----------------------------------------------------------------------------


class GraphRunner(object):
  """`TPUEstimator`'s train/evaluate/predict for CPU/GPU, on graph-mode TF.

  Args:
    model_fn: model_fn(features, labels, mode, params) returning a
      TPUEstimatorSpec.
    config: `RunConfig`.
    train_batch_size: int, examples per training step (the global batch when
      `config.train_distribute` is set; it must divide evenly).
    eval_batch_size, predict_batch_size: int, examples per evaluation and
      prediction step.

  Raises:
    ValueError: if the global training batch does not divide over the
      strategy's replicas.
  """

  def __init__(self, model_fn, config, train_batch_size=None,
               eval_batch_size=None, predict_batch_size=None):
    self._model_fn = model_fn
    self._config = config
    self._batch_sizes = {ModeKeys.TRAIN: train_batch_size,
                         ModeKeys.EVAL: eval_batch_size,
                         ModeKeys.PREDICT: predict_batch_size}
    self._strategy = config.train_distribute
    self._server = None
    self.num_replicas = 1
    self.train_batch_size = train_batch_size
    self.per_replica_batch_size = train_batch_size
    if self._strategy is not None:
      self.num_replicas = self._strategy.num_replicas_in_sync
      if train_batch_size:
        if train_batch_size % self.num_replicas:
          raise ValueError(
              "--train_batch_size=%d is the global batch and must be "
              "divisible by the %d replicas of the distribution strategy" %
              (train_batch_size, self.num_replicas))
        self.per_replica_batch_size = train_batch_size // self.num_replicas

  @property
  def model_dir(self):
    return self._config.model_dir

  @property
  def config(self):
    return self._config

  def latest_checkpoint(self):
    return tf.train.latest_checkpoint(self.model_dir)

  # --------------------------------------------------------------------------
  # Graph building

  def _call_model_fn(self, features, labels, mode, batch_size):
    spec = self._model_fn(features=features, labels=labels, mode=mode,
                          params={"batch_size": batch_size})
    if spec.mode != mode:
      raise ValueError("model_fn returned a spec for mode %r when called for "
                       "%r" % (spec.mode, mode))
    return spec

  def _input(self, input_fn, mode):
    """Calls input_fn; returns (features, labels, [iterator initialiser hook])."""
    dataset = input_fn(params={"batch_size": self._batch_sizes[mode]})
    iterator = tf1.data.make_initializable_iterator(dataset)
    features, labels = _split_input(iterator.get_next())
    return features, labels, [_IteratorInitializerHook(iterator.initializer)]

  def _scaffold(self, spec):
    """The spec's Scaffold (from scaffold_fn) with the run's Saver."""
    scaffold = spec.scaffold_fn() if spec.scaffold_fn else tf1.train.Scaffold()
    if scaffold.saver is None and not tf1.get_collection(
        tf1.GraphKeys.SAVERS):
      # The Saver an Estimator used: sharded, relative paths (a model
      # directory can be moved), `keep_checkpoint_max` kept.
      tf1.add_to_collection(tf1.GraphKeys.SAVERS, tf1.train.Saver(
          sharded=True, max_to_keep=self._config.keep_checkpoint_max,
          keep_checkpoint_every_n_hours=10000, defer_build=True,
          save_relative_paths=True))
    return scaffold

  def _session_config(self):
    if self._config.session_config is None:
      # Estimator's default: one pass of the graph optimiser (Grappler)
      # instead of two, which saves a few tenths of a second per session
      # (measured in bench/bench_runtime.py).
      return tf1.ConfigProto(
          allow_soft_placement=True,
          graph_options=tf1.GraphOptions(
              rewrite_options=rewriter_config_pb2.RewriterConfig(
                  meta_optimizer_iterations=(
                      rewriter_config_pb2.RewriterConfig.ONE))))
    session_config = tf1.ConfigProto()
    session_config.CopyFrom(self._config.session_config)
    return session_config

  def _restored_session(self, scaffold, checkpoint_path, hooks, what):
    """A MonitoredSession on `checkpoint_path` (None: the initialisers)."""
    if checkpoint_path:
      tf1.logging.info("Using checkpoint %s to %s", checkpoint_path, what)
    else:
      tf1.logging.info("Could not find trained model in model_dir: %s, "
                       "running initialization to %s.", self.model_dir, what)
    session_creator = tf1.train.ChiefSessionCreator(
        scaffold=scaffold, config=self._session_config(),
        checkpoint_filename_with_path=checkpoint_path)
    return tf1.train.MonitoredSession(session_creator=session_creator,
                                      hooks=hooks)

  # --------------------------------------------------------------------------
  # Training

  def train(self, input_fn, hooks=None, steps=None, max_steps=None,
            saving_listeners=None):
    """Trains until `max_steps` (global) or for `steps` more steps.

    Starts from the newest checkpoint in `model_dir` when there is one
    (weights, optimizer slots, global step), else from the initialisers.

    Args:
      input_fn: input_fn(params) -> tf.data.Dataset of features (or
        (features, labels)) batched by params["batch_size"].
      hooks: (optional) extra `SessionRunHook`s.
      steps: (optional) int, steps to run from where the model is.
      max_steps: (optional) int, global step to stop at.
      saving_listeners: (optional) `CheckpointSaverListener`s.

    Returns:
      self.

    Raises:
      ValueError: if both or neither of steps and max_steps are given.
    """
    if (steps is None) == (max_steps is None):
      raise ValueError("train needs exactly one of steps and max_steps")
    if max_steps is not None:
      latest = self.latest_checkpoint()
      if latest and _global_step_of(latest) >= max_steps:
        tf1.logging.info("Skipping training since max_steps has already "
                         "saved.")
        return self
    if self._strategy is not None:
      return self._train_distributed(input_fn, hooks, steps, max_steps,
                                     saving_listeners)
    with tf.Graph().as_default():
      tf1.set_random_seed(self._config.tf_random_seed)
      global_step = _create_global_step()
      features, labels, input_hooks = self._input(input_fn, ModeKeys.TRAIN)
      spec = self._call_model_fn(features, labels, ModeKeys.TRAIN,
                                 self._batch_sizes[ModeKeys.TRAIN])
      scaffold = self._scaffold(spec)
      self._run_training(
          spec.loss, spec.train_op, global_step, scaffold,
          input_hooks + list(spec.training_hooks) + list(hooks or []),
          steps, max_steps, saving_listeners)
    return self

  def _train_distributed(self, input_fn, hooks, steps, max_steps,
                         saving_listeners):
    """Training replicated over the strategy's devices (and workers)."""
    strategy = self._strategy
    tf1.logging.info(
        "Training with %s over %d replicas (global batch %s, %s per replica)",
        strategy.__class__.__name__, self.num_replicas, self.train_batch_size,
        self.per_replica_batch_size)
    master, model_dir, is_chief = "", self.model_dir, True
    session_config = self._session_config()
    if _is_multi_worker(strategy):
      master, model_dir, is_chief, session_config = self._join_cluster(
          session_config)
    # The strategy runs the model_fn through AutoGraph, which would rewrite
    # the plain Python graph-building code of the whole model for nothing.
    model_fn = tf.autograph.experimental.do_not_convert(self._call_model_fn)
    specs = []

    def replica_fn(features, labels):
      spec = model_fn(features, labels, ModeKeys.TRAIN,
                      self.per_replica_batch_size)
      specs.append(spec)
      return spec.loss, spec.train_op

    with tf.Graph().as_default(), strategy.scope():
      tf1.set_random_seed(self._config.tf_random_seed)
      # One input pipeline per worker; each replica takes the next batch of
      # per_replica_batch_size from it.
      iterator = strategy.make_input_fn_iterator(
          lambda unused_context: input_fn(
              params={"batch_size": self.per_replica_batch_size}))
      global_step = _create_global_step()
      features, labels = _split_input(iterator.get_next())
      replica_losses, replica_train_ops = (
          strategy.extended.call_for_each_replica(replica_fn,
                                                  args=(features, labels)))
      # The loss of the global batch: the mean of the replicas' losses.
      loss = strategy.reduce(tf.distribute.ReduceOp.MEAN, replica_losses,
                             axis=None)
      train_op = strategy.group(replica_train_ops)
      scaffold = self._scaffold(specs[0])
      self._run_training(
          loss, train_op, global_step, scaffold,
          [_IteratorInitializerHook(iterator.initialize())] +
          list(specs[0].training_hooks) + list(hooks or []),
          steps, max_steps, saving_listeners, master=master,
          session_config=session_config, checkpoint_dir=model_dir,
          is_chief=is_chief)
    return self

  def _join_cluster(self, session_config):
    """Starts this worker's server from TF_CONFIG and configures the strategy.

    Every worker initialises its own copy of the variables (the collective
    strategy broadcasts the chief's initial values) and must run the same
    save ops, so non-chief workers checkpoint into `model_dir/tmp_worker_N`
    as Estimator's distribute coordinator did; only the chief (or worker 0)
    writes `model_dir` itself.

    Returns:
      (master, checkpoint_dir, is_chief, session_config).
    """
    resolver = tf.distribute.cluster_resolver.TFConfigClusterResolver()
    cluster_spec = resolver.cluster_spec()
    task_type, task_id = resolver.task_type, resolver.task_id
    strategy = self._strategy
    # In a graph: configured eagerly, the strategy would try to set up the
    # process's eager collective ops, which only works at program start-up.
    with tf.Graph().as_default():
      strategy.configure(session_config=session_config,
                         cluster_spec=cluster_spec, task_type=task_type,
                         task_id=task_id)
      session_config = strategy.update_config_proto(session_config)
    if self._server is None:
      self._server = tf.distribute.Server(
          cluster_spec, job_name=task_type, task_index=task_id,
          config=session_config, start=True)
    is_chief = strategy.extended.should_checkpoint
    model_dir = self.model_dir
    if not is_chief:
      model_dir = os.path.join(model_dir, "tmp_%s_%d" % (task_type, task_id))
    tf1.logging.info("Worker %s:%d of %s (chief: %s)", task_type, task_id,
                     json.dumps(cluster_spec.as_dict()), is_chief)
    return self._server.target, model_dir, is_chief, session_config

  def _run_training(self, loss, train_op, global_step, scaffold, hooks,
                    steps, max_steps, saving_listeners, master="",
                    session_config=None, checkpoint_dir=None, is_chief=True):
    """The training loop: one train_op per session run until a hook stops."""
    config = self._config
    checkpoint_dir = checkpoint_dir or self.model_dir
    if session_config is None:
      session_config = self._session_config()
    tf1.summary.scalar("loss", loss)
    every = config.log_step_count_steps
    hooks = list(hooks) + [
        tf1.train.NanTensorHook(loss),
        tf1.train.StopAtStepHook(num_steps=steps, last_step=max_steps),
    ]
    if every:
      hooks += [
          tf1.train.LoggingTensorHook({"loss": loss, "step": global_step},
                                      every_n_iter=every),
          tf1.train.StepCounterHook(every_n_steps=every,
                                    output_dir=checkpoint_dir),
      ]
    if config.save_summary_steps:
      hooks.append(tf1.train.SummarySaverHook(
          save_steps=config.save_summary_steps, output_dir=checkpoint_dir,
          scaffold=scaffold))
    # Last, so that it sees the global step the other hooks saw. The hook
    # does not write the graph itself (save_graph_def=False): TF 2.20 writes
    # its graph.pbtxt with an argument that protobuf 7 removed, so every
    # training run died at its first checkpoint. The graph still goes to the
    # event file (TensorBoard's graph tab) and, by _MetaGraphWriter, to each
    # checkpoint's .meta as before; only the text copy graph.pbtxt is gone.
    listeners = [_MetaGraphWriter(scaffold, checkpoint_dir)]
    hooks.append(tf1.train.CheckpointSaverHook(
        checkpoint_dir, save_steps=config.save_checkpoints_steps,
        scaffold=scaffold, save_graph_def=False,
        listeners=listeners + list(saving_listeners or [])))
    del is_chief  # Every worker restores, initialises and saves by itself.
    session_creator = tf1.train.ChiefSessionCreator(
        scaffold=scaffold, master=master, config=session_config,
        checkpoint_dir=self.model_dir)
    loss_value = None
    with tf1.train.MonitoredSession(session_creator=session_creator,
                                    hooks=hooks) as session:
      while not session.should_stop():
        _, loss_value = session.run([train_op, loss])
    if loss_value is None:
      tf1.logging.warning("Training made no steps; is the input empty?")
    else:
      tf1.logging.info("Loss for final step: %s.", loss_value)

  # --------------------------------------------------------------------------
  # Evaluation

  def evaluate(self, input_fn, steps=None, hooks=None, checkpoint_path=None,
               name=None):
    """Evaluates the model's metrics over `steps` batches or all the input.

    Args:
      input_fn: input_fn(params) -> tf.data.Dataset, batched by
        params["batch_size"] (the eval batch size).
      steps: (optional) int, batches to evaluate; None: until the input ends.
      hooks: (optional) extra `SessionRunHook`s.
      checkpoint_path: (optional) checkpoint to evaluate; default the newest
        in `model_dir` (none: the initialisers, with a log line saying so).
      name: (optional) str; summaries go to `model_dir/eval_<name>`.

    Returns:
      dict of metric name -> numpy value, with "loss" (the mean of the
      spec's loss over the batches) and "global_step" (of the checkpoint).
    """
    checkpoint_path = checkpoint_path or self.latest_checkpoint()
    with tf.Graph().as_default():
      tf1.set_random_seed(self._config.tf_random_seed)
      global_step = tf1.train.get_or_create_global_step()
      features, labels, input_hooks = self._input(input_fn, ModeKeys.EVAL)
      spec = self._call_model_fn(features, labels, ModeKeys.EVAL,
                                 self._batch_sizes[ModeKeys.EVAL])
      metrics = _eval_metric_ops(spec)
      values = {key: value for key, (value, _) in metrics.items()}
      values[tf1.GraphKeys.GLOBAL_STEP] = global_step
      update_op = tf.group(*[update for _, update in metrics.values()])
      final_ops = tf1.train.FinalOpsHook(values)
      scaffold = self._scaffold(spec)
      all_hooks = (input_hooks + list(spec.evaluation_hooks) +
                   list(hooks or []) +
                   [_StopAfterNStepsHook(steps, "Evaluation"), final_ops])
      with self._restored_session(scaffold, checkpoint_path, all_hooks,
                                  "evaluate") as session:
        while not session.should_stop():
          session.run(update_op)
    results = final_ops.final_ops_values
    tf1.logging.info("Saving dict for global step %d: %s",
                     results[tf1.GraphKeys.GLOBAL_STEP],
                     ", ".join("%s = %s" % (k, results[k])
                               for k in sorted(results)))
    eval_dir = os.path.join(self.model_dir,
                            "eval" if not name else "eval_" + name)
    # The v1 FileWriter needs a graph context (it refuses eager mode).
    with tf.Graph().as_default():
      writer = tf1.summary.FileWriterCache.get(eval_dir)
      writer.add_summary(_scalar_results_summary(results),
                         results[tf1.GraphKeys.GLOBAL_STEP])
      writer.flush()
    return results

  # --------------------------------------------------------------------------
  # Prediction

  def predict(self, input_fn, predict_keys=None, hooks=None,
              checkpoint_path=None, yield_single_examples=True):
    """Yields the model's predictions for every example of the input.

    Args:
      input_fn: input_fn(params) -> tf.data.Dataset, batched by
        params["batch_size"] (the predict batch size).
      predict_keys: (optional) list of prediction names to return.
      hooks: (optional) extra `SessionRunHook`s.
      checkpoint_path: (optional) checkpoint to use; default the newest in
        `model_dir` (none: the initialisers, with a log line saying so).
      yield_single_examples: bool; False yields whole batches.

    Yields:
      dict of prediction name -> numpy value for one example (or a bare
      value when the model_fn's predictions are a single tensor).

    Raises:
      ValueError: for a predict_key the model_fn does not predict, or
        prediction tensors whose first dimensions differ.
    """
    checkpoint_path = checkpoint_path or self.latest_checkpoint()
    with tf.Graph().as_default():
      tf1.set_random_seed(self._config.tf_random_seed)
      tf1.train.get_or_create_global_step()
      features, labels, input_hooks = self._input(input_fn,
                                                  ModeKeys.PREDICT)
      spec = self._call_model_fn(features, labels, ModeKeys.PREDICT,
                                 self._batch_sizes[ModeKeys.PREDICT])
      predictions = _selected_predictions(spec.predictions, predict_keys)
      scaffold = self._scaffold(spec)
      all_hooks = (input_hooks + list(spec.prediction_hooks) +
                   list(hooks or []))
      with self._restored_session(scaffold, checkpoint_path, all_hooks,
                                  "predict") as session:
        while not session.should_stop():
          batch = session.run(predictions)
          if not yield_single_examples:
            yield batch
            continue
          if not isinstance(batch, dict):
            for row in batch:
              yield row
            continue
          sizes = set(len(value) for value in batch.values())
          if len(sizes) != 1:
            raise ValueError("prediction tensors have different batch sizes: "
                             "%s" % {k: len(v) for k, v in batch.items()})
          for i in range(sizes.pop()):
            yield {key: value[i] for key, value in batch.items()}


def _eval_metric_ops(spec):
  """name -> (value, update_op): the spec's eval_metrics plus "loss"."""
  metrics = {}
  if spec.eval_metrics is not None:
    metric_fn, tensors = spec.eval_metrics
    if isinstance(tensors, dict):
      metrics.update(metric_fn(**tensors))
    else:
      metrics.update(metric_fn(*tensors))
  if spec.loss is not None:
    metrics["loss"] = tf1.metrics.mean(spec.loss)
  return metrics


def _selected_predictions(predictions, predict_keys):
  if not predict_keys:
    return predictions
  if not isinstance(predictions, dict):
    raise ValueError("predict_keys given, but the model_fn predicts a single "
                     "tensor")
  missing = [key for key in predict_keys if key not in predictions]
  if missing:
    raise ValueError("predict_keys %s are not among the predictions %s" %
                     (missing, sorted(predictions)))
  return {key: predictions[key] for key in predict_keys}


def _is_multi_worker(strategy):
  """Whether the strategy spans processes (needs TF_CONFIG and a server)."""
  return (type(strategy).__name__.startswith(("CollectiveAllReduceStrategy",
                                              "MultiWorkerMirroredStrategy"))
          and bool(os.environ.get("TF_CONFIG", "").strip()))

