# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""--export_dir on the real scripts: fine-tune, export, serve in eager TF2.

Each test fine-tunes a tiny model with the script itself (a subprocess, as a
user would run it), loads the SavedModel in a fresh eager TensorFlow 2
process, feeds it the records the script wrote, and compares with what the
estimator predicted for the same records.
"""

import os
import textwrap

import numpy as np
import pytest
import tensorflow as tf

import estimator_runtime
import run_squad
import script_utils
from tests import classifier_testdata
from tests import helpers
from tests import squad_data


# Loads the SavedModel eagerly and runs it on every record of a TFRecord file.
SERVE_SCRIPT = textwrap.dedent("""
    import sys
    import numpy as np
    import tensorflow as tf

    export_dir, record_file, seq_length, out_file = sys.argv[1:5]
    seq_length = int(seq_length)
    assert tf.executing_eagerly()
    serve = tf.saved_model.load(export_dir).signatures["serving_default"]
    spec = {name: tf.io.FixedLenFeature([seq_length], tf.int64)
            for name in ("input_ids", "input_mask", "segment_ids")}
    columns = {name: [] for name in spec}
    for record in tf.data.TFRecordDataset(record_file):
      example = tf.io.parse_single_example(record, spec)
      for name in spec:
        columns[name].append(example[name].numpy())
    inputs = {name: tf.constant(np.stack(values), tf.int32)
              for name, values in columns.items()}
    outputs = serve(**inputs)
    np.savez(out_file, **{k: v.numpy() for k, v in outputs.items()})
""")


def _run(args, timeout=600):
  result = helpers.run_script(args, timeout=timeout)
  assert result.returncode == 0, result.stderr[-3000:]
  return result


def _serve(tmp_path, export_dir, record_file, seq_length):
  script = tmp_path / "serve.py"
  script.write_text(SERVE_SCRIPT)
  out_file = str(tmp_path / "served.npz")
  _run([str(script), export_dir, record_file, str(seq_length), out_file])
  return dict(np.load(out_file))


# The classifier run is seeded: its prediction spread is asserted below.
SEED = 1


@pytest.mark.slow
def test_classifier_export_serves_same_probabilities(tmp_path):
  args, _ = classifier_testdata.mrpc_fine_tuning_args(tmp_path, 24, SEED)
  output_dir = str(tmp_path / "out")
  export_dir = str(tmp_path / "export")
  _run(args + ["--output_dir=" + output_dir, "--export_dir=" + export_dir])

  # test_results.tsv is estimator.predict's output, written at full precision.
  expected = np.array(classifier_testdata.read_test_results(
      os.path.join(output_dir, "test_results.tsv")))
  assert expected.shape == (11, 2)
  served = _serve(tmp_path, export_dir,
                  os.path.join(output_dir, "predict.tf_record"), 24)
  assert sorted(served) == ["probabilities"]
  np.testing.assert_allclose(served["probabilities"], expected, atol=1e-5,
                             rtol=0)
  # The inputs matter: predictions differ across examples by far more than
  # the tolerance (a tiny model trained a few steps varies only a little).
  # Measured spread (TF 2.15, seeds 1-8): at this learning rate 2e-4 to
  # 3e-2, 5.8e-3 with SEED; unseeded at 5e-3 it collapsed below 1e-4 in 3
  # of 8 seeds, which failed the suite now and then.
  assert np.ptp(expected[:, 1]) > 1e-4


@pytest.mark.slow
def test_squad_export_serves_same_logits(tmp_path):
  output_dir = str(tmp_path / "out")
  export_dir = str(tmp_path / "export")
  seq_length = 48
  _run(squad_data.fine_tuning_args(tmp_path, seq_length) + [
      "--output_dir=" + output_dir, "--export_dir=" + export_dir])

  eval_record = os.path.join(output_dir, "eval.tf_record")
  served = _serve(tmp_path, export_dir, eval_record, seq_length)
  assert sorted(served) == ["end_logits", "start_logits"]

  # estimator.predict on the same records, from the same output_dir.
  with tf.Graph().as_default():
    model_fn = run_squad.model_fn_builder(
        bert_config=script_utils.load_bert_config(
            str(tmp_path / "bert_config.json")),
        init_checkpoint=None, learning_rate=0.0, num_train_steps=None,
        num_warmup_steps=None, use_tpu=False, use_one_hot_embeddings=False)
    estimator = estimator_runtime.make_estimator(
        model_fn,
        estimator_runtime.make_run_config(output_dir),
        use_tpu=False,
        predict_batch_size=4)
    predictions = list(estimator.predict(run_squad.input_fn_builder(
        eval_record, seq_length, is_training=False, drop_remainder=False)))
  start = np.stack([p["start_logits"] for p in predictions])
  end = np.stack([p["end_logits"] for p in predictions])
  assert start.shape == served["start_logits"].shape
  assert start.shape[0] > len(squad_data.ANSWERABLE)  # several windows
  np.testing.assert_allclose(served["start_logits"], start, atol=1e-5, rtol=0)
  np.testing.assert_allclose(served["end_logits"], end, atol=1e-5, rtol=0)
