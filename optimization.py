# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""The BERT training step: learning-rate schedule, AdamW and gradient clipping.

`create_optimizer` builds the whole training step into the current graph and
returns one op for `EstimatorSpec.train_op`:

  * learning rate: linear warm-up from 0 over the first `num_warmup_steps`
    updates, otherwise a linear (polynomial, power 1) decay from `init_lr` at
    step 0 to 0 at `num_train_steps`. The two pieces are not blended: at the
    end of warm-up the rate jumps from `init_lr * (w - 1) / w` to the decayed
    value, exactly as the released checkpoints were trained;
  * `AdamWeightDecayOptimizer` (Adam without bias correction, with decoupled
    weight decay 0.01 skipped for LayerNorm and bias variables); with
    `optimizer="adamw_bias_corrected"` the same with Adam's bias correction
    (as PyTorch's AdamW, which Hugging Face's Trainer uses), or with
    `optimizer="lamb"` the large-batch `lamb.LambOptimizer` in its place
    (its module docstring says how it differs);
  * gradients clipped to a global norm of 1.0;
  * the global step advanced by one per optimizer update.

Gradient accumulation
---------------------
With `num_accumulation_steps=k > 1` each run of the train op consumes one
micro-batch. Its gradients are added to per-variable accumulators; on every
k-th run the accumulated gradients are averaged, clipped, applied, zeroed and
the global step moves on by one. If the loss is a mean over the micro-batch,
the mean of the k micro-batch gradients is the gradient of the mean loss over
all k micro-batches, so one update equals one step on the whole batch.

Because the global step counts updates, not micro-batches, a script using
accumulation needs only two changes:

  * the input_fn batch size becomes `train_batch_size // k` (the estimator's
    `train_batch_size` for TPUEstimator);
  * nothing else: `estimator.train(max_steps=num_train_steps)` stops after
    `num_train_steps` updates, that is `num_train_steps * k` session runs,
    and the learning-rate schedule, checkpoint intervals
    (`save_checkpoints_steps`) and summaries all count updates.

The estimator's step counter hook may log "global step has not been
increased" a few times; that is expected, since k - 1 out of k runs only
accumulate. The accumulators and the micro-step counter are local variables:
they are initialised by the Scaffold's local init op and are not saved, so
checkpoints hold the same variables with or without accumulation and can be
exchanged freely. A job restarted from a checkpoint written between two
updates starts a fresh accumulation; the partial sum of at most k - 1
micro-batches is dropped, never applied twice.

Dynamic loss scaling (fp16)
---------------------------
With `loss_scale="dynamic"` the gradients are taken of `loss * scale` and
divided by `scale` again, so that small float16 gradients inside the model do
not flush to zero. If any gradient of an update is not finite (a float16
overflow), the update is skipped: parameters, Adam moments and the global step
stay as they were, and the scale halves. After `LOSS_SCALE_GROWTH_INTERVAL`
finite updates in a row the scale doubles. The scale starts at
`LOSS_SCALE_INITIAL` and lives in local variables, like the accumulators, so
checkpoints are the same for every precision; a restarted job spends a few
skipped steps finding the scale again. Without loss scaling none of these ops
are built.

Several replicas (tf.distribute)
--------------------------------
When the model_fn is called per replica of a MirroredStrategy or
MultiWorkerMirroredStrategy (an Estimator with `train_distribute`), each
replica's gradients are averaged over all replicas before clipping, and the
AdamW update runs once per variable copy in cross-replica context; the global
step advances once per update. Each replica's loss must be the mean over its
own share of the global batch, so that the average is the gradient of the
global batch. Gradient accumulation and loss scaling are not available on this
path (create_optimizer raises ValueError). Single-device and TPU graphs are
unchanged.
"""

import re

from absl import flags
import tensorflow as tf

tf1 = tf.compat.v1

# Hyper-parameters of BERT pre-training and fine-tuning.
WEIGHT_DECAY_RATE = 0.01
ADAM_BETA_1 = 0.9
ADAM_BETA_2 = 0.999
ADAM_EPSILON = 1e-6
CLIP_NORM = 1.0
# Regular expressions; a variable whose name matches any is not decayed.
NO_DECAY_PATTERNS = ("LayerNorm", "layer_norm", "bias")

# Name given to the learning-rate tensor so that callers and tests can fetch
# it from the graph (prefixed by any enclosing name scope).
LEARNING_RATE_NAME = "learning_rate"

# Dynamic loss scaling: starting scale, finite updates before it doubles, and
# the floor it never halves below.
LOSS_SCALE_INITIAL = 2.0**15
LOSS_SCALE_GROWTH_INTERVAL = 2000
LOSS_SCALE_MIN = 1.0
LOSS_SCALES = (None, "dynamic")

# The optimizers create_optimizer builds (the --optimizer flag's values);
# AdamW is BERT's and the default.
OPTIMIZERS = ("adamw", "adamw_bias_corrected", "lamb")


def create_optimizer(loss, init_lr, num_train_steps, num_warmup_steps, use_tpu,
                     num_accumulation_steps=1, loss_scale=None,
                     optimizer=None):
  """Builds the training op for `loss`.

  Args:
    loss: float scalar Tensor, the loss to minimise; with accumulation, the
      mean loss of one micro-batch.
    init_lr: float, peak learning rate.
    num_train_steps: int, number of optimizer updates after which the
      learning rate reaches 0.
    num_warmup_steps: int or None, updates of linear warm-up (0 or None: no
      warm-up).
    use_tpu: bool, wrap the optimizer in `CrossShardOptimizer` so that
      gradients are summed over TPU cores.
    num_accumulation_steps: int >= 1, micro-batches per optimizer update
      (see the module docstring).
    loss_scale: None, or "dynamic" for float16 training: dynamic loss
      scaling with non-finite updates skipped (see the module docstring).
    optimizer: one of `OPTIMIZERS`: "adamw" (BERT's AdamWeightDecayOptimizer),
      "adamw_bias_corrected" (the same with Adam's bias correction) or
      "lamb" (`lamb.LambOptimizer`, for large batches: bias-corrected
      moments and a per-variable trust ratio; same schedule, clipping,
      weight decay, exclusions and slot names). None: "adamw", unless the
      model_fn runs inside `with_optimizer`.

  Returns:
    An Operation that runs one training step (one micro-batch).

  Raises:
    ValueError: if `num_train_steps` or `num_accumulation_steps` is not a
      positive integer, or `loss_scale` is not one of `LOSS_SCALES` (or is
      combined with `use_tpu`), or `optimizer` is not one of `OPTIMIZERS`.
  """
  if not num_train_steps or num_train_steps < 1:
    raise ValueError("create_optimizer: num_train_steps must be a positive "
                     "integer, got %r" % (num_train_steps,))
  if (not isinstance(num_accumulation_steps, int) or
      num_accumulation_steps < 1):
    raise ValueError("create_optimizer: num_accumulation_steps must be a "
                     "positive integer, got %r" % (num_accumulation_steps,))
  if optimizer is None:
    optimizer = _scoped_optimizer[-1]
  if optimizer not in OPTIMIZERS:
    raise ValueError("create_optimizer: optimizer must be one of %r, got %r"
                     % (OPTIMIZERS, optimizer))
  if loss_scale not in LOSS_SCALES:
    raise ValueError("create_optimizer: loss_scale must be one of %r, got %r"
                     % (LOSS_SCALES, loss_scale))
  if loss_scale and use_tpu:
    # TPUs compute in bfloat16, whose range needs no loss scaling.
    raise ValueError("create_optimizer: loss scaling (float16) is not "
                     "supported on TPU; use bfloat16 there")

  global_step = tf1.train.get_or_create_global_step()
  learning_rate = tf.identity(
      learning_rate_schedule(global_step, init_lr, num_train_steps,
                             num_warmup_steps),
      name=LEARNING_RATE_NAME)
  if not use_tpu:
    # For TensorBoard, as "train/learning_rate" (the tensor's own name is
    # taken). Summaries inside a TPU training loop would need a host_call;
    # the schedule is a known function of the step anyway.
    tf1.summary.scalar("train/" + LEARNING_RATE_NAME, learning_rate)

  # `adamw` names whichever optimizer applies the update below; LAMB has the
  # same interface (create_slots, apply_gradients, _update_ops).
  if optimizer == "lamb":
    import lamb  # pylint: disable=g-import-not-at-top  (lamb imports this module)
    adamw = lamb.LambOptimizer(
        learning_rate=learning_rate,
        step=global_step,
        weight_decay_rate=WEIGHT_DECAY_RATE,
        beta_1=ADAM_BETA_1,
        beta_2=ADAM_BETA_2,
        epsilon=ADAM_EPSILON,
        exclude_from_weight_decay=list(NO_DECAY_PATTERNS))
  else:
    adamw = AdamWeightDecayOptimizer(
        learning_rate=learning_rate,
        weight_decay_rate=WEIGHT_DECAY_RATE,
        beta_1=ADAM_BETA_1,
        beta_2=ADAM_BETA_2,
        epsilon=ADAM_EPSILON,
        exclude_from_weight_decay=list(NO_DECAY_PATTERNS),
        bias_correction=optimizer == "adamw_bias_corrected",
        step=global_step)
  optimizer = adamw
  if use_tpu:
    optimizer = tf1.tpu.CrossShardOptimizer(adamw)

  tvars = tf1.trainable_variables()
  scaler = None
  if loss_scale:
    scaler = _DynamicLossScale()
    grads = scaler.unscale(tf1.gradients(scaler.scale(loss), tvars))
  else:
    grads = tf1.gradients(loss, tvars)

  if _in_strategy_replica():
    if num_accumulation_steps > 1 or scaler:
      raise ValueError(
          "create_optimizer: gradient accumulation and loss scaling are not "
          "supported under a tf.distribute strategy")
    return _reduce_clip_and_apply(adamw, grads, tvars, global_step)

  if num_accumulation_steps == 1:
    if scaler:
      apply_op = _apply_if_finite(optimizer, adamw, scaler, grads, tvars,
                                  global_step)
    else:
      apply_op = _clip_and_apply(optimizer, grads, tvars, global_step)
  else:
    apply_op = _accumulate_and_apply(optimizer, adamw, grads, tvars,
                                     global_step, num_accumulation_steps,
                                     scaler=scaler)
  return apply_op


def define_optimizer_flag(flag_values=flags.FLAGS, default="adamw"):
  """Defines --optimizer (one of `OPTIMIZERS`) on `flag_values`.

  Args:
    flag_values: the `flags.FlagValues` to define it on.
    default: the script's default, one of `OPTIMIZERS` ("adamw", BERT's, for
      every script of the original).
  """
  flags.DEFINE_enum(
      "optimizer", default, list(OPTIMIZERS),
      "adamw: BERT's Adam with weight decay and without bias correction, "
      "whose first few hundred steps are 2-6 times larger than Adam's. "
      "adamw_bias_corrected: the same with Adam's bias correction, as "
      "PyTorch's AdamW (Hugging Face's Trainer). lamb: LAMB (You "
      "et al., ICLR 2020), Adam with bias correction and a per-variable "
      "trust ratio, for large batches (e.g. through "
      "--num_accumulation_steps) with a learning rate scaled up with the "
      "batch; see docs/pre-training.md.", flag_values=flag_values)


# The optimizer create_optimizer builds when its caller names none: the last
# entry, pushed by `with_optimizer` while a model_fn runs.
_scoped_optimizer = ["adamw"]


def with_optimizer(model_fn, optimizer):
  """`model_fn` whose create_optimizer calls build `optimizer` by default.

  Lets a script choose the optimizer (--optimizer) for model_fns that call
  create_optimizer without naming one, such as the fine-tuning heads.

  Args:
    model_fn: model_fn(features, labels, mode, params).
    optimizer: one of `OPTIMIZERS`.

  Returns:
    model_fn(features, labels, mode, params).

  Raises:
    ValueError: `optimizer` is not one of `OPTIMIZERS`.
  """
  if optimizer not in OPTIMIZERS:
    raise ValueError("with_optimizer: optimizer must be one of %r, got %r"
                     % (OPTIMIZERS, optimizer))

  def scoped_model_fn(features, labels, mode, params):
    _scoped_optimizer.append(optimizer)
    try:
      return model_fn(features, labels, mode, params)
    finally:
      _scoped_optimizer.pop()

  return scoped_model_fn


def loss_scale_for(compute_type):
  """The `loss_scale` a model computing in `compute_type` needs.

  float16 gradients underflow without loss scaling; bfloat16 has float32's
  exponent range and float32 needs none.
  """
  return "dynamic" if compute_type == tf.float16 else None


def learning_rate_schedule(global_step, init_lr, num_train_steps,
                           num_warmup_steps):
  """The BERT learning rate at `global_step`.

  Args:
    global_step: int scalar Tensor (or Variable), optimizer updates so far.
    init_lr: float, peak learning rate.
    num_train_steps: int, updates until the rate reaches 0.
    num_warmup_steps: int or None, updates of linear warm-up.

  Returns:
    float32 scalar Tensor.
  """
  step = tf.cast(global_step, tf.float32)
  decayed = polynomial_decay(init_lr, step, num_train_steps)
  if not num_warmup_steps:
    return decayed
  warmup_steps = tf.constant(num_warmup_steps, dtype=tf.float32)
  warmup_lr = init_lr * (step / warmup_steps)
  # Integer comparison, so that a large step never rounds into warm-up.
  in_warmup = tf.cast(global_step, tf.int64) < num_warmup_steps
  return tf.where(in_warmup, warmup_lr, decayed)


def polynomial_decay(init_lr, step, decay_steps, end_lr=0.0, power=1.0):
  """Polynomial decay from `init_lr` to `end_lr` over `decay_steps`, then flat.

  Args:
    init_lr: float, rate at step 0.
    step: float32 scalar Tensor.
    decay_steps: int, steps to reach `end_lr`.
    end_lr: float, final rate.
    power: float, exponent of the decay (1.0 is linear).

  Returns:
    float32 scalar Tensor.
  """
  decay_steps = float(decay_steps)
  fraction_done = tf.minimum(step, decay_steps) / decay_steps
  return (init_lr - end_lr) * tf.pow(1.0 - fraction_done, power) + end_lr


def _clip_and_apply(optimizer, grads, tvars, global_step):
  """Clips `grads` to global norm 1.0, applies them and bumps the global step.

  Args:
    optimizer: tf1 Optimizer whose apply_gradients leaves the global step
      alone (AdamWeightDecayOptimizer, maybe inside CrossShardOptimizer).
    grads: list of Tensor/IndexedSlices/None, one per variable in `tvars`.
    tvars: list of Variables.
    global_step: int64 scalar Variable.

  Returns:
    An Operation.
  """
  # Embedding gradients from tf.gather arrive as IndexedSlices with one row
  # per lookup. Summing them into a dense gradient first makes the global norm
  # that of the real gradient (clip_by_global_norm would count a repeated
  # token's rows separately), the same as on the one-hot TPU path that trained
  # the released checkpoints. The update needs the dense form anyway.
  grads = [_densify(g) for g in grads]
  clipped, _ = tf.clip_by_global_norm(grads, clip_norm=CLIP_NORM)
  apply_op = optimizer.apply_gradients(
      list(zip(clipped, tvars)), global_step=global_step)
  # Ordered after the update, so that the update always reads the learning
  # rate of its own step, never the next one's.
  with tf.control_dependencies([apply_op]):
    new_global_step = global_step.assign_add(1)
  return tf.group(apply_op, new_global_step)


def _accumulate_and_apply(optimizer, adamw, grads, tvars, global_step,
                          num_accumulation_steps, scaler=None):
  """Adds `grads` to accumulators; every k-th call applies their mean.

  Args:
    optimizer: the optimizer to apply with (maybe CrossShardOptimizer).
    adamw: the AdamWeightDecayOptimizer inside `optimizer`; its slots are
      created here, outside the conditional branch, because variables cannot
      be created inside one.
    grads: list of Tensor/IndexedSlices/None, one per variable in `tvars`.
    tvars: list of Variables.
    global_step: int64 scalar Variable.
    num_accumulation_steps: int > 1, micro-batches per update.
    scaler: (optional) `_DynamicLossScale`; the accumulated (unscaled)
      gradients are then applied only if they are all finite.

  Returns:
    An Operation.
  """
  pairs = [(g, v) for g, v in zip(grads, tvars) if g is not None]
  adamw.create_slots([v for _, v in pairs])

  accumulators = []
  add_ops = []
  for grad, var in pairs:
    accum = _local_variable(_base_name(var.name) + "/grad_accum",
                            var.shape, var.dtype.base_dtype)
    accumulators.append(accum)
    if isinstance(grad, tf.IndexedSlices):
      # Embedding gradients touch few rows; adding only those saves a full
      # pass over the table per micro-batch.
      add_ops.append(accum.scatter_add(tf.IndexedSlices(
          tf.cast(grad.values, accum.dtype), grad.indices, grad.dense_shape)))
    else:
      add_ops.append(accum.assign_add(tf.cast(grad, accum.dtype)))

  counter = _local_variable("grad_accum_counter", [], tf.int64)
  with tf.control_dependencies(add_ops):
    micro_step = counter.assign_add(1)
  is_update = micro_step >= num_accumulation_steps

  def apply_update():
    scale = 1.0 / num_accumulation_steps
    mean_grads = [a.read_value() * scale for a in accumulators]
    if scaler:
      apply_op = _apply_if_finite(optimizer, adamw, scaler, mean_grads,
                                  [v for _, v in pairs], global_step)
    else:
      apply_op = _clip_and_apply(optimizer, mean_grads,
                                 [v for _, v in pairs], global_step)
    with tf.control_dependencies([apply_op]):
      resets = [a.assign(tf.zeros_like(a)) for a in accumulators]
      resets.append(counter.assign(0))
    with tf.control_dependencies(resets):
      return tf.identity(micro_step)

  def keep_accumulating():
    return tf.identity(micro_step)

  done = tf.cond(is_update, apply_update, keep_accumulating)
  return tf.group(done)


def _apply_if_finite(optimizer, adamw, scaler, grads, tvars, global_step):
  """`_clip_and_apply` if every gradient is finite, else nothing; then
  adjusts the loss scale.

  Args:
    optimizer: the optimizer to apply with.
    adamw: the AdamWeightDecayOptimizer inside `optimizer`; its slots are
      created outside the conditional branch (variables cannot be created
      inside one).
    scaler: `_DynamicLossScale`.
    grads: list of unscaled Tensor/IndexedSlices/None, one per `tvars`.
    tvars: list of Variables.
    global_step: int64 scalar Variable.

  Returns:
    An Operation.
  """
  pairs = [(_densify(g), v) for g, v in zip(grads, tvars) if g is not None]
  adamw.create_slots([v for _, v in pairs])
  dense_grads = [g for g, _ in pairs]
  # One float16 overflow anywhere makes the global norm inf or NaN, so a
  # single scalar decides for the whole update.
  is_finite = tf.math.is_finite(tf.linalg.global_norm(dense_grads))

  def apply_update():
    apply_op = _clip_and_apply(optimizer, dense_grads, [v for _, v in pairs],
                               global_step)
    with tf.control_dependencies([apply_op]):
      return tf.constant(True)

  def skip_update():
    return tf.constant(False)

  applied = tf.cond(is_finite, apply_update, skip_update)
  return tf.group(scaler.update(applied))


class _DynamicLossScale(object):
  """The loss scale and its count of finite updates, as local variables."""

  def __init__(self):
    self.loss_scale = _local_variable("loss_scale", [], tf.float32,
                                      initial_value=LOSS_SCALE_INITIAL)
    self.good_steps = _local_variable("loss_scale_good_steps", [], tf.int64)

  def scale(self, loss):
    """float32 scalar -> float32 scalar `loss * scale`."""
    return tf.cast(loss, tf.float32) * self.loss_scale

  def unscale(self, grads):
    """Divides each gradient (Tensor/IndexedSlices/None) by the scale."""
    inverse = 1.0 / self.loss_scale
    unscaled = []
    for grad in grads:
      if grad is None:
        unscaled.append(None)
      elif isinstance(grad, tf.IndexedSlices):
        unscaled.append(tf.IndexedSlices(
            grad.values * tf.cast(inverse, grad.values.dtype), grad.indices,
            grad.dense_shape))
      else:
        unscaled.append(grad * tf.cast(inverse, grad.dtype))
    return unscaled

  def update(self, applied):
    """Halves the scale after a skipped update, doubles it after
    LOSS_SCALE_GROWTH_INTERVAL applied ones in a row.

    Args:
      applied: bool scalar Tensor, whether this update was applied.

    Returns:
      list of assign ops.
    """
    good_steps = tf.where(applied, self.good_steps + 1,
                          tf.zeros_like(self.good_steps))
    grow = good_steps >= LOSS_SCALE_GROWTH_INTERVAL
    new_scale = tf.where(
        applied,
        tf.where(grow, self.loss_scale * 2.0, self.loss_scale),
        tf.maximum(self.loss_scale * 0.5, LOSS_SCALE_MIN))
    good_steps = tf.where(grow, tf.zeros_like(good_steps), good_steps)
    return [self.loss_scale.assign(new_scale),
            self.good_steps.assign(good_steps)]


def _in_strategy_replica():
  """Whether the graph is being built per replica of a tf.distribute strategy.

  True inside `call_for_each_replica` of a MirroredStrategy or
  MultiWorkerMirroredStrategy (which is how an Estimator with
  `train_distribute` calls the model_fn); False for single-device and
  TPUEstimator graphs, which stay exactly as they are.
  """
  # has_strategy() is False under the default (no-op) strategy.
  return (tf.distribute.has_strategy() and
          not tf.distribute.in_cross_replica_context())


def _reduce_clip_and_apply(adamw, grads, tvars, global_step):
  """`_clip_and_apply` for one replica of a synchronous strategy.

  Every replica computes the gradients of its own share of the global batch.
  Their mean over replicas (each replica's loss being a mean over its share,
  the mean is the gradient of the global batch's mean loss) is taken before
  clipping, so clipping sees the same global norm as one device would. The
  updates then run once per variable copy in cross-replica context, as the
  strategy requires for mirrored variables, and the global step moves by one
  per update, not one per replica.

  Args:
    adamw: AdamWeightDecayOptimizer.
    grads: list of Tensor/IndexedSlices/None, one per variable in `tvars`,
      from this replica's loss.
    tvars: list of (mirrored) Variables.
    global_step: int64 scalar (mirrored) Variable.

  Returns:
    An Operation (per replica) that runs the update.
  """
  pairs = [(_densify(g), v) for g, v in zip(grads, tvars) if g is not None]
  replica_context = tf.distribute.get_replica_context()

  def mean_over_replicas(strategy, grads_and_vars):
    # Each mean lands on the devices of its variable; merge_call hands every
    # replica its own copy. (ReplicaContext.all_reduce would do the same but
    # makes its result differentiable, which needs variable look-ups by name
    # that fail for the per-replica copies of a TF1 graph.)
    return strategy.extended.batch_reduce_to(tf.distribute.ReduceOp.MEAN,
                                             grads_and_vars)

  mean_grads = replica_context.merge_call(mean_over_replicas, args=(pairs,))
  clipped, _ = tf.clip_by_global_norm(mean_grads, clip_norm=CLIP_NORM)

  def apply_everywhere(strategy, grads_and_vars):
    """Cross-replica context: one update per variable, on each of its copies."""
    updates = []
    for grad, var in grads_and_vars:
      m, v = adamw.create_slots([var])[0]
      updates.append(strategy.extended.update(
          var, _adamw_update_fn(adamw), args=(grad, m, v), group=True))
    with tf.control_dependencies(updates):
      step_update = strategy.extended.update(
          global_step, lambda step: step.assign_add(1), group=True)
    return tf.group(updates + [step_update])

  return replica_context.merge_call(
      apply_everywhere, args=(list(zip(clipped, [v for _, v in pairs])),))


def _adamw_update_fn(adamw):
  """fn(param, grad, m, v) for `strategy.extended.update` (one device copy)."""

  def update_fn(param, grad, m, v):
    return tf.group(*adamw._update_ops(grad, param, m, v))  # pylint: disable=protected-access

  return update_fn


def _densify(grad):
  """IndexedSlices -> dense Tensor (duplicate rows summed); others as is."""
  if isinstance(grad, tf.IndexedSlices):
    return tf.convert_to_tensor(grad)
  return grad


def _local_variable(name, shape, dtype, initial_value=0):
  """A non-trainable variable (zeros by default) that checkpoints do not hold."""
  if initial_value:
    initializer = tf1.constant_initializer(initial_value)
  else:
    initializer = tf1.zeros_initializer()
  return tf1.get_variable(
      name=name,
      shape=shape,
      dtype=dtype,
      trainable=False,
      initializer=initializer,
      collections=[tf1.GraphKeys.LOCAL_VARIABLES])


def _base_name(tensor_name):
  """'bert/pooler/dense/kernel:0' -> 'bert/pooler/dense/kernel'."""
  match = re.match(r"^(.*):\d+$", tensor_name)
  return match.group(1) if match else tensor_name


class AdamMomentsOptimizer(tf1.train.Optimizer):
  """What AdamW and LAMB (lamb.py) share: Adam's moments and direction.

  The slots `<var>/adam_m` and `<var>/adam_v` (made once per parameter name,
  so that slots made ahead of time for gradient accumulation are found
  again), `apply_gradients` over the pairs (which leaves the global step
  alone: `create_optimizer` advances it), and `_adam_step`: the moments'
  update and the decayed direction m_hat / (sqrt(v_hat) + epsilon) + decay.
  A subclass sets the attributes below and implements `_update_ops`.

  Attributes: learning_rate, weight_decay_rate, beta_1, beta_2, epsilon,
  exclude_from_weight_decay, bias_correction (bool) and step (the updates
  before this one, read with bias_correction).
  """

  def __init__(self, name, learning_rate, weight_decay_rate, beta_1, beta_2,
               epsilon, exclude_from_weight_decay, bias_correction, step):
    super(AdamMomentsOptimizer, self).__init__(False, name)
    self.learning_rate = learning_rate
    self.weight_decay_rate = weight_decay_rate
    self.beta_1 = beta_1
    self.beta_2 = beta_2
    self.epsilon = epsilon
    self.exclude_from_weight_decay = exclude_from_weight_decay
    self.bias_correction = bias_correction
    self.step = step
    # Slot variables by parameter name, so that slots made ahead of time (for
    # gradient accumulation) are found again by apply_gradients.
    self._moments = {}

  def create_slots(self, var_list):
    """Creates (or finds) the `adam_m`/`adam_v` slots of `var_list`.

    Args:
      var_list: list of Variables.

    Returns:
      list of (m, v) Variable pairs, one per variable.
    """
    return [self._slots_for(var) for var in var_list]

  def apply_gradients(self, grads_and_vars, global_step=None, name=None):
    """Applies one update.

    Args:
      grads_and_vars: list of (gradient, variable); gradients may be dense
        Tensors, IndexedSlices (from tf.gather) or None (skipped).
      global_step: ignored; the caller advances the global step.
      name: optional name of the returned op.

    Returns:
      An Operation that updates every parameter and its slots.
    """
    del global_step  # Advanced by create_optimizer, not here.
    updates = []
    for grad, param in grads_and_vars:
      if grad is None or param is None:
        continue
      m, v = self._slots_for(param)
      updates.extend(self._update_ops(grad, param, m, v))
    return tf.group(*updates, name=name or self._name)

  def _update_ops(self, grad, param, m, v):
    """The assignments (param, m, v) of one step for one parameter."""
    raise NotImplementedError()

  def _adam_step(self, grad, param, m, v):
    """Adam's moments and the decayed direction for one parameter.

    Args:
      grad: Tensor or IndexedSlices with the shape of `param`.
      param: Variable.
      m: first-moment Variable, shape of `param`.
      v: second-moment Variable, shape of `param`.

    Returns:
      (next_m, next_v, update), each of the shape of `param`: the new
      (uncorrected) moments to store, and the direction of the step,
      m_hat / (sqrt(v_hat) + epsilon) + weight_decay_rate * param (the decay
      only for a parameter excluded by no pattern).
    """
    grad = tf.cast(tf.convert_to_tensor(grad), param.dtype.base_dtype)
    next_m = self.beta_1 * m + (1.0 - self.beta_1) * grad
    next_v = self.beta_2 * v + (1.0 - self.beta_2) * tf.square(grad)
    m_hat, v_hat = next_m, next_v
    if self.bias_correction:
      # The global step counts the updates before this one; it is advanced
      # after the update (create_optimizer orders it so). float32 powers are
      # exact enough far beyond the point where both corrections are 1.
      t = tf.cast(self.step, tf.float32) + 1.0
      dtype = next_m.dtype
      m_hat = next_m / tf.cast(1.0 - tf.pow(self.beta_1, t), dtype)
      v_hat = next_v / tf.cast(1.0 - tf.pow(self.beta_2, t), dtype)
    update = m_hat / (tf.sqrt(v_hat) + self.epsilon)
    if self._use_weight_decay(_base_name(param.name)):
      update += self.weight_decay_rate * param
    return next_m, next_v, update

  def _slots_for(self, param):
    """Returns the (m, v) slot variables of `param`, creating them once."""
    param_name = _base_name(param.name)
    if param_name not in self._moments:
      self._moments[param_name] = tuple(
          tf1.get_variable(
              name=param_name + suffix,
              shape=param.shape.as_list(),
              dtype=param.dtype.base_dtype,
              trainable=False,
              initializer=tf1.zeros_initializer())
          for suffix in ("/adam_m", "/adam_v"))
    return self._moments[param_name]

  def _use_weight_decay(self, param_name):
    """Whether `param_name` is decayed (no exclusion pattern matches it)."""
    if not self.weight_decay_rate:
      return False
    for pattern in self.exclude_from_weight_decay or ():
      if re.search(pattern, param_name) is not None:
        return False
    return True


class AdamWeightDecayOptimizer(AdamMomentsOptimizer):
  """Adam with decoupled weight decay and no bias correction, as BERT uses.

  For a parameter p with gradient g:
    m <- beta_1 * m + (1 - beta_1) * g
    v <- beta_2 * v + (1 - beta_2) * g^2
    u <- m / (sqrt(v) + epsilon) + weight_decay_rate * p   (decay if p matches
                                                            no exclusion)
    p <- p - learning_rate * u

  Adding the decay to the update, rather than an L2 term to the loss, keeps it
  out of m and v, so it is not rescaled by the adaptive denominator.

  There is no bias correction of m and v by default: the released checkpoints
  were trained this way. It makes the steps larger than Adam's, not smaller:
  m starts at (1 - beta_1) g and sqrt(v) at sqrt(1 - beta_2) |g|, so the
  first update is sqrt(1000) / 10 = 3.2 times Adam's; the ratio
  (1 - beta_1^t) / sqrt(1 - beta_2^t) is still 6.3 at t = 18 and 2.4 at
  t = 187 (one to a few hundred updates are a whole fine-tuning run on a
  small data set) and reaches 1 only after several thousand. With
  `bias_correction=True` m and v are divided by 1 - beta_1^t and
  1 - beta_2^t (t the update's count, from 1) before the update is formed,
  as in Adam and PyTorch's AdamW; the slots hold the same uncorrected
  averages either way, so checkpoints are interchangeable.

  The slots are ordinary variables `<var>/adam_m` and `<var>/adam_v`, the names
  released checkpoints hold. `apply_gradients` does not touch the global step;
  `create_optimizer` advances it.
  """

  def __init__(self,
               learning_rate,
               weight_decay_rate=0.0,
               beta_1=0.9,
               beta_2=0.999,
               epsilon=1e-06,
               exclude_from_weight_decay=None,
               name="AdamWeightDecayOptimizer",
               bias_correction=False,
               step=None):
    """Args, beyond Adam's:

      bias_correction: bool, divide the moments by 1 - beta^t (see above).
      step: int scalar Tensor or Variable, the updates applied before this
        one (the global step); needed with `bias_correction`, which counts
        t = step + 1. Read before `create_optimizer` advances it.

    Raises:
      ValueError: `bias_correction` without `step`.
    """
    if bias_correction and step is None:
      raise ValueError("AdamWeightDecayOptimizer: bias_correction needs the "
                       "step count (step=global_step)")
    super(AdamWeightDecayOptimizer, self).__init__(
        name, learning_rate, weight_decay_rate, beta_1, beta_2, epsilon,
        exclude_from_weight_decay, bias_correction, step)

  def _update_ops(self, grad, param, m, v):
    """The assignments (param, m, v) of one AdamW step for one parameter.

    Takes the arguments of `_adam_step`; the step is the learning rate times
    its direction.
    """
    next_m, next_v, update = self._adam_step(grad, param, m, v)
    next_param = param - self.learning_rate * update
    return [param.assign(next_param), m.assign(next_m), v.assign(next_v)]
