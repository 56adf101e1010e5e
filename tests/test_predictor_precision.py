# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""predictor and the SavedModel export in bf16: same answers as fp32, within
a stated tolerance, and the precision said wherever the model goes.

Tiny models (2 layers, 32 wide) are fine-tuned once per module by the
scripts in this process: a classifier, a SQuAD model and a tagger. Each is
then served in fp32 and in bf16 (the encoder's matrix products in
bfloat16, outputs float32) from its fine-tuning directory and from
SavedModels exported both ways.

Tolerance: a probability differs by at most PROBABILITY_TOLERANCE between
bf16 and fp32 (bfloat16 keeps 8 bits of mantissa, a relative error of up to
4e-3 per rounding; on the real 6-layer model the largest difference over
1,000 dev sentences was 0.012, bench/RESULTS.md), and the predicted label is
the same for every text.
"""

import json
import logging
import os

import numpy as np
import pytest
import tensorflow as tf

import export_utils
import predictor
import run_classifier
import run_ner
import run_squad
import script_settings
import script_utils
from script_utils import UsageError
from tests import classifier_testdata
from tests import helpers
from tests import ner_testdata
from tests import squad_data

MAX_SEQ_LENGTH = 24
PROBABILITY_TOLERANCE = 0.03
# SQuAD's logits are unbounded: their bf16 difference, relative to the
# largest fp32 logit.
LOGIT_TOLERANCE = 0.05
# A CPU that computes bfloat16 (this machine's flags may lack it: the tests
# say which CPU they pretend to run on) and one that does not.
BF16_CPU_FLAGS = {"avx512f", "avx512_bf16"}
PLAIN_CPU_FLAGS = {"avx2", "avx512f"}


class _Records(logging.Handler):
  """Collects TensorFlow's log lines."""

  def __init__(self):
    super(_Records, self).__init__(logging.DEBUG)
    self.lines = []

  def emit(self, record):
    self.lines.append(record.getMessage())


@pytest.fixture
def tf_log():
  handler = _Records()
  logger = tf.get_logger()
  level = logger.level
  logger.addHandler(handler)
  logger.setLevel(logging.INFO)
  yield handler.lines
  logger.removeHandler(handler)
  logger.setLevel(level)


@pytest.fixture
def bf16_cpu(monkeypatch):
  """This machine as one whose CPU computes bfloat16."""
  monkeypatch.setattr(script_utils, "_cpu_flags", lambda: BF16_CPU_FLAGS)


def _signature_output_dtypes(export_dir):
  """name -> tf.DType of the serving signature's outputs, from the file."""
  from tensorflow.core.protobuf import saved_model_pb2  # pylint: disable=g-import-not-at-top
  saved_model = saved_model_pb2.SavedModel()
  with open(os.path.join(export_dir, "saved_model.pb"), "rb") as f:
    saved_model.ParseFromString(f.read())
  signature = saved_model.meta_graphs[0].signature_def[
      export_utils.SIGNATURE_KEY]
  return {name: tf.as_dtype(tensor.dtype)
          for name, tensor in signature.outputs.items()}


def _model_info(export_dir):
  with open(os.path.join(export_dir, export_utils.SAVED_MODEL_EXTRA_DIR,
                         export_utils.MODEL_INFO_FILE)) as f:
    return json.load(f)


# ---------------------------------------------------------------------------
# Fast: the arguments and the warning.


def test_an_unknown_precision_is_one_line(tmp_path):
  with pytest.raises(UsageError, match=r"^precision='bf8': expected one of "
                     r"fp32, bf16, fp16$"):
    predictor.load(str(tmp_path), precision="bf8")
  assert script_settings.defaults(predictor.define_flags).precision == "fp32"


def test_the_warning_names_a_cpu_without_bf16(monkeypatch):
  monkeypatch.setattr(script_utils, "_cpu_flags", lambda: PLAIN_CPU_FLAGS)
  warning = script_utils.precision_warning("bf16")
  assert warning.startswith("--precision=bf16 on a CPU without AVX512_BF16 "
                            "or AMX: TensorFlow emulates bfloat16")
  monkeypatch.setattr(script_utils, "_cpu_flags", lambda: BF16_CPU_FLAGS)
  assert script_utils.precision_warning("bf16") is None


# ---------------------------------------------------------------------------
# The classifier: directory and SavedModels, fp32 and bf16.


@pytest.fixture(scope="module")
def classifier(tmp_path_factory):
  """A tiny MRPC-style classifier fine-tuned in this process, exported in
  fp32 and in bf16: (output_dir, fp32 export, bf16 export, test pairs)."""
  tmp_path = tmp_path_factory.mktemp("classifier")
  files = classifier_testdata.write_model_files(tmp_path / "model")
  test = classifier_testdata.keyword_pairs(16, seed=3)
  data_dir = classifier_testdata.write_mrpc_folder(
      tmp_path / "data", classifier_testdata.keyword_pairs(48, seed=1),
      classifier_testdata.keyword_pairs(8, seed=2), test)
  output_dir = str(tmp_path / "out")
  flags = dict(task_name="mrpc", vocab_file=files["vocab_file"],
               bert_config_file=files["bert_config_file"],
               max_seq_length=MAX_SEQ_LENGTH, output_dir=output_dir)
  run_classifier.run(script_settings.defaults(
      run_classifier.define_flags, do_train=True, data_dir=data_dir,
      train_batch_size=8, learning_rate=2e-3, num_train_epochs=10.0,
      tf_random_seed=1, **flags))
  exports = {}
  for precision in ("fp32", "bf16"):
    exports[precision] = str(tmp_path / ("export_" + precision))
    # An export alone, of the directory's checkpoint, as the docs show.
    run_classifier.run(script_settings.defaults(
        run_classifier.define_flags, precision=precision,
        export_dir=exports[precision], **flags))
  return output_dir, exports["fp32"], exports["bf16"], [
      (a, b) for (_, a, b) in test]


def _classify(model_dir, pairs, **kwargs):
  with predictor.load(model_dir, **kwargs) as model:
    results = model.classify(pairs, batch_size=8)
    precision = model.precision
  probabilities = np.array([list(r.probabilities.values()) for r in results])
  return probabilities, [r.label for r in results], precision


@pytest.mark.slow
def test_bf16_classifier_agrees_with_fp32(classifier, bf16_cpu):
  output_dir, fp32_export, bf16_export, pairs = classifier
  p32, labels32, precision = _classify(output_dir, pairs)
  assert precision == "fp32"  # the default
  assert max(p32.max(axis=1)) > 0.9  # a model that learned something
  for model_dir, kwargs in ((output_dir, {"precision": "bf16"}),
                            (bf16_export, {}),
                            (bf16_export, {"precision": "bf16"})):
    p16, labels16, precision = _classify(model_dir, pairs, **kwargs)
    assert precision == "bf16"
    # Not the fp32 numbers to the last digit: bf16 really ran.
    assert np.abs(p16 - p32).max() > 1e-6
    np.testing.assert_allclose(p16, p32, atol=PROBABILITY_TOLERANCE)
    assert labels16 == labels32
  # The fp32 export gives the fp32 numbers.
  p, labels, precision = _classify(fp32_export, pairs)
  assert precision == "fp32" and labels == labels32
  np.testing.assert_allclose(p, p32, atol=1e-5)


@pytest.mark.slow
def test_the_export_records_its_precision(classifier):
  _, fp32_export, bf16_export, _ = classifier
  assert _model_info(bf16_export)["precision"] == "bf16"
  # No key: fp32, as every export before the key existed.
  assert "precision" not in _model_info(fp32_export)
  assert export_utils.saved_model_precision(bf16_export) == "bf16"
  assert export_utils.saved_model_precision(fp32_export) == "fp32"
  # Read from the graph when model_info.json does not say it.
  os.remove(os.path.join(bf16_export, export_utils.SAVED_MODEL_EXTRA_DIR,
                         export_utils.MODEL_INFO_FILE))
  try:
    assert export_utils.saved_model_precision(bf16_export) == "bf16"
  finally:
    with open(os.path.join(bf16_export, export_utils.SAVED_MODEL_EXTRA_DIR,
                           export_utils.MODEL_INFO_FILE), "w") as f:
      json.dump(dict(_model_info(fp32_export), precision="bf16"), f)
  # The outputs stay float32.
  for export_dir in (fp32_export, bf16_export):
    assert _signature_output_dtypes(export_dir) == {
        "probabilities": tf.float32}


@pytest.mark.slow
def test_a_saved_model_keeps_its_precision(classifier):
  _, fp32_export, bf16_export, _ = classifier
  for export_dir, exported, asked in ((bf16_export, "bf16", "fp32"),
                                      (fp32_export, "fp32", "bf16")):
    with pytest.raises(UsageError, match=(
        r"the SavedModel was exported in %s and computes in it; "
        r"precision=%s would need another export" % (exported, asked))):
      predictor.load(export_dir, precision=asked)


@pytest.mark.slow
def test_the_precision_is_said_and_the_emulation_warned(classifier, tf_log,
                                                        monkeypatch):
  output_dir, _, bf16_export, pairs = classifier
  monkeypatch.setattr(script_utils, "_cpu_flags", lambda: BF16_CPU_FLAGS)
  for model_dir in (output_dir, bf16_export):
    del tf_log[:]
    predictor.load(model_dir, precision="bf16").close()
    assert tf_log == ["%s: predicting in bf16 (encoder matrix products; "
                      "weights and outputs float32)" % model_dir]
  del tf_log[:]
  predictor.load(output_dir).close()
  assert tf_log == []  # fp32, the default, is not announced
  # A CPU without AVX512_BF16 or AMX: warned, in the scripts' words, and
  # served all the same (the figures are right, only slower).
  monkeypatch.setattr(script_utils, "_cpu_flags", lambda: PLAIN_CPU_FLAGS)
  del tf_log[:]
  probabilities, _, precision = _classify(bf16_export, pairs[:2])
  assert precision == "bf16" and probabilities.shape == (2, 2)
  assert tf_log[0] == script_utils.precision_warning("bf16")
  assert tf_log[0].startswith("--precision=bf16 on a CPU without "
                              "AVX512_BF16 or AMX")


@pytest.mark.slow
def test_the_shell_takes_precision(classifier, bf16_cpu, tf_log):
  output_dir, _, _, pairs = classifier
  outputs = {}
  for precision in ("fp32", "bf16"):
    lines = ["%s%s%s" % (a, predictor.PAIR_SEPARATOR, b) for a, b in pairs]
    output = _StringOutput()
    predictor.run(script_settings.defaults(
        predictor.define_flags, model_dir=output_dir, precision=precision),
                  lines, output)
    outputs[precision] = output.rows()
  assert "%s: predicting in bf16" % output_dir in " ".join(tf_log)
  header32, header16 = outputs["fp32"][0], outputs["bf16"][0]
  assert header32 == header16 == ["prediction", "P(0)", "P(1)"]
  rows32, rows16 = outputs["fp32"][1:], outputs["bf16"][1:]
  assert [r[0] for r in rows16] == [r[0] for r in rows32]
  np.testing.assert_allclose(
      np.array([r[1:] for r in rows16], float),
      np.array([r[1:] for r in rows32], float), atol=PROBABILITY_TOLERANCE)


@pytest.mark.slow
def test_the_command_line_serves_a_bf16_export(classifier):
  _, _, bf16_export, pairs = classifier
  stdin = "".join("%s ||| %s\n" % pair for pair in pairs[:3])
  result = helpers.run_script(["-m", "predictor", "--model_dir=" + bf16_export],
                              stdin=stdin)
  assert result.returncode == 0, result.stderr[-3000:]
  assert len(result.stdout.splitlines()) == 4
  assert "%s: predicting in bf16" % bf16_export in result.stderr
  # Asked for another precision than the export's: one line, no output.
  result = helpers.run_script(["-m", "predictor", "--model_dir=" + bf16_export,
                               "--precision=fp32"], stdin=stdin)
  assert result.returncode == 1
  assert result.stdout == ""
  assert result.stderr.strip().splitlines()[-1] == (
      "error: model_dir=%s: the SavedModel was exported in bf16 and computes "
      "in it; precision=fp32 would need another export (the scripts' "
      "--precision with --export_dir) or the fine-tuning --output_dir" %
      bf16_export)


class _StringOutput(object):

  def __init__(self):
    self.text = ""

  def write(self, text):
    self.text += text

  def rows(self):
    return [line.split("\t") for line in self.text.splitlines()]


# ---------------------------------------------------------------------------
# SQuAD and tagging heads.


@pytest.mark.slow
def test_bf16_squad_gives_the_fp32_answers(tmp_path, bf16_cpu):
  args = squad_data.fine_tuning_args(tmp_path)
  flags = dict(arg[2:].split("=", 1) for arg in args[1:])
  flags.update(do_predict="false", output_dir=str(tmp_path / "out"),
               tf_random_seed="1")
  run_squad.run(script_settings.defaults(run_squad.define_flags, **_typed(
      run_squad.define_flags, flags)))
  del flags["do_train"]
  exports = {}
  for precision in ("fp32", "bf16"):
    exports[precision] = str(tmp_path / ("export_" + precision))
    run_squad.run(script_settings.defaults(run_squad.define_flags, **_typed(
        run_squad.define_flags, dict(flags, precision=precision,
                                     export_dir=exports[precision]))))
    assert export_utils.saved_model_precision(exports[precision]) == (
        precision)
    assert _signature_output_dtypes(exports[precision]) == {
        "start_logits": tf.float32, "end_logits": tf.float32}
  # The same answers from the checkpoint and the export. (Their scores,
  # softmaxes over the n best spans, may move more than the logits where
  # two spans nearly tie; the logits are compared below.)
  questions = [(qa["question"], paragraph["context"])
               for article in squad_data.dataset()["data"]
               for paragraph in article["paragraphs"]
               for qa in paragraph["qas"]]
  answers = {}
  for name, model_dir, kwargs in (
      ("fp32", flags["output_dir"], {}),
      ("bf16 checkpoint", flags["output_dir"], {"precision": "bf16"}),
      ("bf16 export", exports["bf16"], {})):
    with predictor.load(model_dir, **kwargs) as model:
      assert model.precision == name[:4]
      answers[name] = [a.text for a in model.answer_all(questions)]
  assert answers["bf16 checkpoint"] == answers["bf16 export"] == (
      answers["fp32"])
  logits = {precision: _serve(export_dir, max_seq_length=48)
            for precision, export_dir in exports.items()}
  for name in ("start_logits", "end_logits"):
    scale = np.abs(logits["fp32"][name]).max()
    difference = np.abs(logits["bf16"][name] - logits["fp32"][name]).max()
    assert 1e-6 < difference <= LOGIT_TOLERANCE * scale, (name, difference,
                                                          scale)


def _serve(export_dir, max_seq_length, batch_size=4):
  """A SavedModel's outputs (NumPy) on a fixed batch of random word ids,
  served the TensorFlow 2 way, as docs/predicting-and-serving.md shows."""
  rng = np.random.RandomState(0)
  input_ids = tf.constant(rng.randint(5, 40, size=(batch_size,
                                                    max_seq_length)),
                          tf.int32)
  serve = tf.saved_model.load(export_dir).signatures[
      export_utils.SIGNATURE_KEY]
  outputs = serve(input_ids=input_ids, input_mask=tf.ones_like(input_ids),
                  segment_ids=tf.zeros_like(input_ids))
  return {name: value.numpy() for name, value in outputs.items()}


def _typed(define_flags, string_flags):
  """Flag strings ("--name=value" parts) as the flags' own types."""
  from absl import flags as absl_flags  # pylint: disable=g-import-not-at-top
  flag_values = absl_flags.FlagValues()
  define_flags(flag_values)
  flag_values(["test"] + ["--%s=%s" % item for item in string_flags.items()])
  return {name: flag_values[name].value for name in string_flags}


@pytest.mark.slow
def test_bf16_tagger_export_agrees_with_fp32(tmp_path):
  model = ner_testdata.write_tiny_model(tmp_path / "model")
  data_dir = tmp_path / "data"
  data_dir.mkdir()
  for name, seed in (("train.txt", 1), ("valid.txt", 2), ("test.txt", 3)):
    ner_testdata.write_conll(str(data_dir / name),
                             ner_testdata.tagging_sentences(24, seed))
  flags = dict(data_dir=str(data_dir), output_dir=str(tmp_path / "out"),
               max_seq_length=16, **model)
  run_ner.run_task(ner_testdata.flags_namespace(
      do_train=True, train_batch_size=8, num_train_epochs=3.0,
      learning_rate=1e-3, tf_random_seed=1, **flags))
  outputs = {}
  for precision in ("fp32", "bf16"):
    export_dir = str(tmp_path / ("export_" + precision))
    run_ner.run_task(ner_testdata.flags_namespace(
        precision=precision, export_dir=export_dir, **flags))
    assert export_utils.saved_model_precision(export_dir) == precision
    assert _signature_output_dtypes(export_dir) == {
        "probabilities": tf.float32}
    outputs[precision] = _serve(export_dir, max_seq_length=16)[
        "probabilities"]
  assert outputs["bf16"].dtype == np.float32
  difference = np.abs(outputs["bf16"] - outputs["fp32"])
  assert 1e-6 < difference.max() <= PROBABILITY_TOLERANCE, difference.max()
  # The same tag for (nearly) every word piece: only a near-tie may flip.
  same = outputs["bf16"].argmax(-1) == outputs["fp32"].argmax(-1)
  assert same.mean() >= 0.95, same.mean()
