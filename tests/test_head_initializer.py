# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""--head_initializer: how a task head's weights start.

The original's heads start from a truncated normal (stddev 0.02, cut at two
standard deviations); run_ner.py's from an uncut normal, chosen by
measurement (bench/RESULTS.md, "run_ner.py against Transformers").
"""

import os

import numpy as np
import pytest
import tensorflow as tf

import fine_tuning
import run_classifier
import run_ner
import run_squad
import script_settings
from tests import ner_testdata as data

tf1 = tf.compat.v1


def test_defaults_original_tasks_keep_theirs_ner_takes_normal():
  assert script_settings.defaults(
      run_classifier.define_flags).head_initializer == "truncated_normal"
  assert script_settings.defaults(
      run_squad.define_flags).head_initializer == "truncated_normal"
  assert script_settings.defaults(
      run_ner.define_flags).head_initializer == "normal"


def _drawn_head(name):
  """Values of a [200, 64] head variable made under `name`'s scope."""
  drawn = {}

  def model_fn(features, labels, mode, params):
    del features, labels, mode, params
    drawn["variable"] = tf1.get_variable(
        "output_weights", [200, 64],
        initializer=fine_tuning.head_initializer(stddev=0.02))

  with tf.Graph().as_default():
    tf1.set_random_seed(1)
    if name is None:
      model_fn(None, None, None, None)
    else:
      fine_tuning.with_head_initializer(model_fn, name)(None, None, None, None)
    with tf1.Session() as session:
      session.run(tf1.global_variables_initializer())
      return session.run(drawn["variable"])


def test_initializers_draw_their_distributions():
  # 12,800 draws: an uncut normal puts 4.55 % beyond two standard
  # deviations, the truncated one none (and a 12 % smaller spread).
  truncated = _drawn_head("truncated_normal")
  assert np.abs(truncated).max() <= 0.04
  assert 0.0170 < truncated.std() < 0.0182
  normal = _drawn_head("normal")
  assert 0.035 < np.mean(np.abs(normal) > 0.04) < 0.056
  assert 0.0195 < normal.std() < 0.0205
  # Outside a scope: the original's.
  assert np.abs(_drawn_head(None)).max() <= 0.04
  with pytest.raises(ValueError, match="must be one of"):
    fine_tuning.with_head_initializer(lambda *a: None, "uniform")


@pytest.mark.slow
@pytest.mark.parametrize("flag,beyond_two_sd", [(None, True),
                                                ("truncated_normal", False)])
def test_run_ner_head_starts_from_the_chosen_initializer(tmp_path, flag,
                                                         beyond_two_sd):
  # A learning rate of ~0 keeps the head where it started.
  model = data.write_tiny_model(tmp_path / "model")
  data_dir = tmp_path / "data"
  data_dir.mkdir()
  data.write_conll(str(data_dir / "train.txt"),
                   data.tagging_sentences(8, seed=3))
  extra = {} if flag is None else {"head_initializer": flag}
  output_dir = str(tmp_path / "out")
  run_ner.run_task(data.flags_namespace(
      data_dir=str(data_dir), output_dir=output_dir, do_train=True,
      max_seq_length=16, train_batch_size=4, num_train_epochs=1.0,
      learning_rate=1e-12, tf_random_seed=7, **model, **extra))
  weights = tf.train.load_variable(output_dir, "ner/output_weights")
  assert (np.abs(weights).max() > 0.0401) == beyond_two_sd
  assert os.path.isfile(os.path.join(output_dir, "model_info.json"))
