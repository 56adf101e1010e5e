# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""LAMB: layer-wise adaptive moments for large-batch training.

LAMB (You et al., "Large Batch Optimization for Deep Learning: Training BERT
in 76 Minutes", ICLR 2020, Algorithm 2) is Adam whose step for each variable
is rescaled so that its size is proportional to the size of the variable.
For a variable w with (averaged, clipped) gradient g at update t = 1, 2, ...:

  m <- beta_1 * m + (1 - beta_1) * g
  v <- beta_2 * v + (1 - beta_2) * g^2
  m_hat = m / (1 - beta_1^t)               bias correction, as in Adam
  v_hat = v / (1 - beta_2^t)
  r = m_hat / (sqrt(v_hat) + epsilon) + weight_decay_rate * w
                                           decoupled decay, unless excluded
  trust_ratio = ||w|| / ||r||              Frobenius norms over the variable;
                                           1 where either norm is 0, and 1
                                           for excluded variables
  w <- w - learning_rate * trust_ratio * r

The trust ratio is what lets the batch grow: every variable moves by about
`learning_rate * ||w||` per update whatever its gradient's scale, so the
learning rate that large batches want does not blow up small-gradient layers
or stall large ones. A variable whose norm is 0 (a freshly zero-initialised
bias, say) would never move if the ratio were taken literally; the ratio is
then 1 and the variable takes a plain Adam step. An update of norm 0 (a
variable the loss does not reach) also gets 1, avoiding 0/0.

Which variables are excluded
----------------------------
Bias and LayerNorm variables (names matching `NO_DECAY_PATTERNS` of
optimization.py: "LayerNorm", "layer_norm", "bias") get neither weight decay
nor the trust ratio. The paper's Algorithm 2 is written for every layer; the
exclusions are those of the implementations that produced the published BERT
results and that practitioners run:

  * NVIDIA DeepLearningExamples, TensorFlow/LanguageModeling/BERT,
    `optimization.py`, class `LAMBOptimizer`: `exclude_from_weight_decay`
    ["LayerNorm", "layer_norm", "bias"], and layer adaptation is skipped for
    the same variables;
  * TF Model Garden, `official/modeling/optimization/lamb.py` (after
    TensorFlow Addons' `LAMB`): `exclude_from_layer_adaptation` defaults to
    `exclude_from_weight_decay`, which the BERT pre-training configs set to
    ["LayerNorm", "layer_norm", "bias"].

Why: these are vectors, not weight matrices. Their norm says nothing about
the scale of a layer (a LayerNorm gain starts at 1 per unit, a bias at 0), so
a ratio ||w|| / ||r|| for them is noise or, for zero-initialised biases, a
step of 0; and decaying them towards 0 fights what they are for, exactly as
BERT's AdamW already excludes them from decay. The same patterns as AdamW's
keep the two optimizers comparable.

What is kept from BERT's training step
--------------------------------------
`optimization.create_optimizer(..., optimizer="lamb")` uses this class in
place of `AdamWeightDecayOptimizer` and keeps everything around it: the
learning-rate schedule (warm-up, linear decay), clipping of the global
gradient norm to 1.0 (as NVIDIA's LAMB recipe also does), gradient
accumulation (LAMB sees the mean gradient of all micro-batches, i.e. the
effective batch), dynamic loss scaling for float16, tf.distribute, TPU.

The bias-correction count t is the global step plus one: the global step
counts applied updates (a skipped float16 update or an accumulation
micro-step does not count), and it is saved in every checkpoint, so a
resumed run carries on with the same t. A run that starts from another
checkpoint with a fresh step counter (`--init_checkpoint`, which restores
weights only) starts fresh moments too, with t = 1 again.

Slots and checkpoints
---------------------
The moments are ordinary variables `<variable>/adam_m` and `<variable>/adam_v`
(e.g. `bert/pooler/dense/kernel/adam_m`), the names AdamW's slots and NVIDIA's
LAMB use. They hold the same running averages in both optimizers (bias
correction is applied when reading them, not stored), so a checkpoint written
with one optimizer resumes with the other, and checkpoints are the same
variables on both runtimes (TF 2.15 and TF 2.21).
"""

import re

import tensorflow as tf

import optimization

tf1 = tf.compat.v1


class LambOptimizer(optimization.AdamMomentsOptimizer):
  """LAMB with decoupled weight decay, bias correction and trust ratio.

  See the module docstring for the update. The interface is that of
  `optimization.AdamWeightDecayOptimizer`: `create_slots`, `apply_gradients`
  (which leaves the global step alone) and `_update_ops` for one variable.
  """

  def __init__(self, learning_rate, step, weight_decay_rate=0.0, beta_1=0.9,
               beta_2=0.999, epsilon=1e-06, exclude_from_weight_decay=None,
               exclude_from_layer_adaptation=None, name="LambOptimizer"):
    """Creates the optimizer (no variables yet).

    Args:
      learning_rate: float or float32 scalar Tensor.
      step: int scalar Tensor or Variable, updates applied before this one
        (the global step); bias correction uses step + 1.
      weight_decay_rate: float, decoupled decay added to the update.
      beta_1: float, decay of the first moment.
      beta_2: float, decay of the second moment.
      epsilon: float, added to sqrt(v_hat).
      exclude_from_weight_decay: list of regular expressions; a variable
        whose name matches any gets no weight decay.
      exclude_from_layer_adaptation: list of regular expressions; a variable
        whose name matches any gets trust ratio 1. None: the same as
        exclude_from_weight_decay.
      name: str.
    """
    super(LambOptimizer, self).__init__(
        name, learning_rate, weight_decay_rate, beta_1, beta_2, epsilon,
        exclude_from_weight_decay, bias_correction=True, step=step)
    if exclude_from_layer_adaptation is None:
      exclude_from_layer_adaptation = exclude_from_weight_decay
    self.exclude_from_layer_adaptation = exclude_from_layer_adaptation

  def _update_ops(self, grad, param, m, v):
    """The assignments (param, m, v) of one LAMB step for one parameter.

    Adam's bias-corrected, decayed direction (`_adam_step`), scaled by the
    trust ratio ||param|| / ||update|| unless the name is excluded from
    layer adaptation.
    """
    next_m, next_v, update = self._adam_step(grad, param, m, v)
    param_name = optimization._base_name(param.name)  # pylint: disable=protected-access
    if _matches(self.exclude_from_layer_adaptation, param_name):
      next_param = param - self.learning_rate * update
    else:
      w_norm = tf.norm(param)
      r_norm = tf.norm(update)
      safe_ratio = w_norm / tf.where(r_norm > 0.0, r_norm,
                                     tf.ones_like(r_norm))
      trust_ratio = tf.where((w_norm > 0.0) & (r_norm > 0.0), safe_ratio,
                             tf.ones_like(w_norm))
      next_param = param - self.learning_rate * trust_ratio * update
    return [param.assign(next_param), m.assign(next_m), v.assign(next_v)]


def _matches(patterns, param_name):
  """Whether any regular expression of `patterns` (or None) is in the name."""
  return any(re.search(p, param_name) is not None for p in patterns or ())
