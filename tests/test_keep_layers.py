# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""convert_checkpoint --keep_layers: a smaller model cut from a larger one.

1. The cut directory holds the source's chosen layers bit for bit, renamed
   layer_0..layer_{k-1}, with embeddings, pooler and pre-training heads;
   no other layer, no optimizer slot, no global_step; bert_config.json says
   the new count and nothing else changed; vocab.txt and the casing copied.
2. Its encoder output equals tests/numpy_bert.forward run on the source's
   chosen layers (renumbered here, independently of the converter); on the
   real MiniLM weights, forward_hf of the original file's first 2 layers.
3. --keep_layers composes with hf_to_google and google_to_hf.
4. Bad values are one line, exit 1, nothing written.
5. (slow) run_classifier fine-tunes the cut directory as a released model,
   starting from its weights, and extract_features reads it.
"""

import json
import os
import re
import shutil

import numpy as np
import pytest
import safetensors.numpy
import tensorflow as tf

import convert_checkpoint as cc
import modeling
from script_utils import UsageError
import tokenization
from tests import classifier_testdata as data
from tests import helpers
from tests import numpy_bert
# Where the real MiniLM weights are, and how its tests tokenize real text.
from tests import test_convert_checkpoint as tcc

tf1 = tf.compat.v1

NUM_LAYERS = 4
CONFIG = dict(data.bert_config(), num_hidden_layers=NUM_LAYERS)
TOKENIZER_CONFIG = {"do_lower_case": True, "tokenizer_class": "BertTokenizer"}
LAYER = re.compile(r"^bert/encoder/layer_(\d+)/(.*)$")


# ----------------------------------------------------------------------------
# A pre-training checkpoint of 4 layers, with the training state
# ----------------------------------------------------------------------------


def _pretraining_weights(config, seed):
  """Encoder, pooler and both pre-training heads, random (stddev 0.2)."""
  weights = numpy_bert.random_weights(config, seed=seed)
  rng = np.random.RandomState(seed + 1)
  h, vocab = config["hidden_size"], config["vocab_size"]

  def r(*shape):
    return (rng.randn(*shape) * 0.2).astype(np.float32)

  weights.update({
      "cls/predictions/transform/dense/kernel": r(h, h),
      "cls/predictions/transform/dense/bias": r(h),
      "cls/predictions/transform/LayerNorm/gamma": 1.0 + r(h),
      "cls/predictions/transform/LayerNorm/beta": r(h),
      "cls/predictions/output_bias": r(vocab),
      "cls/seq_relationship/output_weights": r(2, h),
      "cls/seq_relationship/output_bias": r(2),
  })
  return weights


def _write_source(directory, weights, config=CONFIG,
                  tokenizer_config=TOKENIZER_CONFIG, training_state=True):
  """A run_pretraining-like directory: model.ckpt-7 with Adam's slots."""
  os.makedirs(directory)
  helpers.write_vocab(os.path.join(directory, "vocab.txt"), data.VOCAB)
  helpers.write_bert_config(os.path.join(directory, "bert_config.json"),
                            config)
  if tokenizer_config is not None:
    with open(os.path.join(directory, "tokenizer_config.json"), "w") as f:
      json.dump(tokenizer_config, f)
  stored = dict(weights)
  if training_state:
    for name, value in weights.items():
      stored[name + "/adam_m"] = np.full_like(value, 0.5)
      stored[name + "/adam_v"] = np.full_like(value, 0.25)
    stored["global_step"] = np.int64(7)
  return numpy_bert.write_checkpoint(stored,
                                     os.path.join(directory, "model.ckpt-7"))


@pytest.fixture(scope="module")
def source(tmp_path_factory):
  root = tmp_path_factory.mktemp("keep_layers")
  directory = str(root / "source")
  weights = _pretraining_weights(CONFIG, seed=3)
  _write_source(directory, weights)
  return {"dir": directory, "weights": weights, "root": root}


def _read_checkpoint(prefix):
  reader = tf.train.load_checkpoint(prefix)
  return {name: reader.get_tensor(name)
          for name in reader.get_variable_to_shape_map()}


def _expected(weights, layers):
  """The source's tensors a cut to `layers` must hold, under the new names
  (written out here, not by the converter)."""
  want = {}
  for name, value in weights.items():
    match = LAYER.match(name)
    if not match:
      want[name] = value
    elif int(match.group(1)) in layers:
      new = layers.index(int(match.group(1)))
      want["bert/encoder/layer_%d/%s" % (new, match.group(2))] = value
  return want


def _read_json(path):
  with open(path) as f:
    return json.load(f)


# ----------------------------------------------------------------------------
# 1. What the cut directory holds
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("keep_layers,layers", [
    (2, [0, 1]), ("2", [0, 1]), ("1,3", [1, 3]), ([0, 2, 3], [0, 2, 3]),
    ("3,", [3]), (4, [0, 1, 2, 3])])
def test_kept_layers_are_the_sources_bit_for_bit(source, tmp_path,
                                                 keep_layers, layers):
  out = str(tmp_path / "cut")
  written = cc.convert("google_to_google", source["dir"], out,
                       keep_layers=keep_layers)
  assert written == ["bert_config.json", "bert_model.ckpt.data-00000-of-00001",
                     "bert_model.ckpt.index", "bert_model.ckpt.meta",
                     "tokenizer_config.json", "vocab.txt"]
  assert sorted(os.listdir(out)) == written  # no "checkpoint" state file

  got = _read_checkpoint(os.path.join(out, "bert_model.ckpt"))
  want = _expected(source["weights"], layers)
  # Embeddings, pooler and both pre-training heads stay; the other layers,
  # Adam's slots and global_step are gone.
  assert sorted(got) == sorted(want)
  assert "cls/predictions/output_bias" in got
  assert "bert/pooler/dense/kernel" in got
  for name in want:
    assert got[name].dtype == np.float32, name
    assert got[name].tobytes() == want[name].tobytes(), name

  config = _read_json(os.path.join(out, "bert_config.json"))
  assert config == dict(CONFIG, num_hidden_layers=len(layers))
  for name in ("vocab.txt",):
    with open(os.path.join(out, name), "rb") as a, \
        open(os.path.join(source["dir"], name), "rb") as b:
      assert a.read() == b.read()
  assert _read_json(os.path.join(out, "tokenizer_config.json")) == \
      TOKENIZER_CONFIG
  assert not [n for n in os.listdir(str(tmp_path)) if ".tmp-" in n]


def test_without_keep_layers_the_model_is_released_as_it_is(source, tmp_path):
  out = str(tmp_path / "released")
  cc.google_to_google(source["dir"], out)
  got = _read_checkpoint(os.path.join(out, "bert_model.ckpt"))
  want = source["weights"]
  assert sorted(got) == sorted(want)
  for name in want:
    assert got[name].tobytes() == want[name].tobytes(), name
  assert _read_json(os.path.join(out, "bert_config.json")) == CONFIG


def test_casing_is_copied_not_invented(source, tmp_path):
  """A source that records no casing (a released model) gives a cut that
  records none, unless --do_lower_case says it; one that does keeps it."""
  bare = str(tmp_path / "bare")
  shutil.copytree(source["dir"], bare)
  os.remove(os.path.join(bare, "tokenizer_config.json"))
  out = str(tmp_path / "cut")
  cc.google_to_google(bare, out, keep_layers=1)
  assert "tokenizer_config.json" not in os.listdir(out)
  cased = str(tmp_path / "cased")
  cc.google_to_google(bare, cased, keep_layers=1, do_lower_case=False)
  assert _read_json(os.path.join(cased, "tokenizer_config.json")) == {
      "do_lower_case": False}
  with pytest.raises(UsageError, match="contradicts"):
    cc.google_to_google(source["dir"], str(tmp_path / "x"), keep_layers=1,
                        do_lower_case=False)


def test_fine_tuned_heads_are_carried_over(tmp_path):
  """A classifier's head (its labels and casing from model_info.json) and
  run_ner's, which no Hugging Face class holds, stay as they are."""
  config = dict(CONFIG, num_hidden_layers=2)
  weights = numpy_bert.random_weights(config, seed=5)
  rng = np.random.RandomState(6)
  weights["output_weights"] = rng.randn(3, 32).astype(np.float32)
  weights["output_bias"] = rng.randn(3).astype(np.float32)
  weights["ner/output_weights"] = rng.randn(5, 32).astype(np.float32)
  weights["ner/output_bias"] = rng.randn(5).astype(np.float32)
  directory = str(tmp_path / "fine_tuned")
  _write_source(directory, weights, config=config, tokenizer_config=None)
  with open(os.path.join(directory, "model_info.json"), "w") as f:
    json.dump({"do_lower_case": False, "labels": ["a", "b", "c"]}, f)
  out = str(tmp_path / "cut")
  cc.google_to_google(directory, out, keep_layers="1,")
  got = _read_checkpoint(os.path.join(out, "bert_model.ckpt"))
  want = _expected(weights, [1])
  assert sorted(got) == sorted(want)
  for name in want:
    assert got[name].tobytes() == want[name].tobytes(), name
  with open(os.path.join(out, "labels.txt")) as f:
    assert f.read() == "a\nb\nc\n"
  assert _read_json(os.path.join(out, "tokenizer_config.json")) == {
      "do_lower_case": False}
  # Hugging Face has no class for the NER head: refused there, in one line.
  with pytest.raises(UsageError, match="ner/output_bias has no counterpart"):
    cc.google_to_hf(directory, str(tmp_path / "hf"), keep_layers=1)


# ----------------------------------------------------------------------------
# 2. The cut encoder computes the chosen layers
# ----------------------------------------------------------------------------


def _encode(model_dir, ids, mask, types):
  prefix = os.path.join(model_dir, "bert_model.ckpt")
  config = modeling.BertConfig.from_json_file(
      os.path.join(model_dir, "bert_config.json"))
  with tf.Graph().as_default():
    model = modeling.BertModel(config, False, tf.constant(ids),
                               tf.constant(mask), tf.constant(types))
    tvars = tf1.global_variables()
    assignment_map, initialized = modeling.get_assignment_map_from_checkpoint(
        tvars, prefix)
    # Every variable of the smaller encoder comes from the cut checkpoint.
    assert sorted(v.name for v in tvars) == sorted(
        name for name in initialized if name.endswith(":0"))
    tf1.train.init_from_checkpoint(prefix, assignment_map)
    with tf1.Session() as sess:
      sess.run(tf1.global_variables_initializer())
      return sess.run({"layers": model.get_all_encoder_layers(),
                       "sequence_output": model.get_sequence_output(),
                       "pooled_output": model.get_pooled_output()})


def _inputs(batch=3, seq=12, seed=4):
  rng = np.random.RandomState(seed)
  ids = rng.randint(5, len(data.VOCAB), size=(batch, seq)).astype(np.int32)
  ids[:, 0] = 2  # [CLS]
  mask = np.ones((batch, seq), np.int32)
  mask[1, seq - 4:] = 0
  types = np.zeros((batch, seq), np.int32)
  types[:, seq // 2:] = 1
  return ids, mask, types


def test_cut_encoder_equals_numpy_forward_of_the_chosen_layers(source,
                                                               tmp_path):
  layers = [1, 3]
  out = str(tmp_path / "cut")
  cc.google_to_google(source["dir"], out, keep_layers="1,3")
  ids, mask, types = _inputs()
  got = _encode(out, ids, mask, types)

  config = dict(CONFIG, num_hidden_layers=len(layers))
  want = numpy_bert.forward(_expected(source["weights"], layers), config,
                            ids, mask, types)
  real = mask.astype(bool)
  assert len(got["layers"]) == 2
  for got_layer, want_layer in zip(got["layers"], want["layers"]):
    np.testing.assert_allclose(got_layer[real], want_layer[real], atol=1e-4)
  np.testing.assert_allclose(got["pooled_output"], want["pooled_output"],
                             atol=1e-4)
  # The check can tell layers apart: the first two layers compute
  # something else.
  first_two = numpy_bert.forward(_expected(source["weights"], [0, 1]),
                                 config, ids, mask, types)
  assert np.abs(first_two["sequence_output"] -
                want["sequence_output"])[real].max() > 0.1


@tcc.needs_minilm
def test_real_weights_cut_to_two_layers_equal_the_original_first_two(
    tmp_path):
  """MiniLM (6 layers, the dev-only package): converted, then cut to its
  first 2 layers, our encoder equals tests/numpy_bert.forward_hf run on the
  original model.safetensors with only its first 2 layers."""
  google = str(tmp_path / "google")
  cut = str(tmp_path / "cut")
  cc.hf_to_google(tcc.MINILM_DIR, google)
  cc.google_to_google(google, cut, keep_layers=2)
  assert _read_json(os.path.join(cut, "bert_config.json"))[
      "num_hidden_layers"] == 2
  tokenizer = tokenization.FullTokenizer(os.path.join(cut, "vocab.txt"),
                                         do_lower_case=True)
  ids, mask, types = tcc._tokenize_batch(tokenizer, tcc.MINILM_TEXTS, 24)  # pylint: disable=protected-access
  got = _encode(cut, ids, mask, types)
  hf_config = _read_json(os.path.join(tcc.MINILM_DIR, "config.json"))
  original = safetensors.numpy.load_file(os.path.join(tcc.MINILM_DIR,
                                                      "model.safetensors"))
  want = numpy_bert.forward_hf(original, dict(hf_config, num_hidden_layers=2),
                               ids, mask, types)
  real = mask.astype(bool)
  for got_layer, want_layer in zip(got["layers"], want["layers"]):
    np.testing.assert_allclose(got_layer[real], want_layer[real], atol=1e-4)
  np.testing.assert_allclose(got["pooled_output"], want["pooled_output"],
                             atol=1e-4)


# ----------------------------------------------------------------------------
# 3. With the Hugging Face directions
# ----------------------------------------------------------------------------


def test_keep_layers_with_the_hugging_face_directions(source, tmp_path):
  hf = str(tmp_path / "hf")
  cc.convert("google_to_hf", source["dir"], hf, keep_layers="1,3")
  hf_config = _read_json(os.path.join(hf, "config.json"))
  assert hf_config["num_hidden_layers"] == 2
  assert hf_config["architectures"] == ["BertForPreTraining"]
  google = str(tmp_path / "google")
  cc.convert("hf_to_google", hf, google, keep_layers="1,")
  got = _read_checkpoint(os.path.join(google, "bert_model.ckpt"))
  # Layer 1 of the HF model is layer 3 of the source.
  want = _expected(source["weights"], [3])
  assert sorted(got) == sorted(want)
  for name in want:
    assert got[name].tobytes() == want[name].tobytes(), name
  assert _read_json(os.path.join(google, "bert_config.json"))[
      "num_hidden_layers"] == 1


# ----------------------------------------------------------------------------
# 4. Bad values
# ----------------------------------------------------------------------------


BAD_VALUES = [
    (0, r"--keep_layers=0: keep at least one layer$"),
    ("-1", r"--keep_layers=-1: keep at least one layer$"),
    (5, r"--keep_layers=5: the model has only 4 layers \(.*bert_config\.json "
     r"num_hidden_layers\)$"),
    ("0,4", r"--keep_layers=0,4: index 4 is out of range for a model with 4 "
     r"layers \(valid: 0\.\.3\)$"),
    ("-1,2", r"index -1 is out of range"),
    ("1,1", r"--keep_layers=1,1: layer 1 is named twice$"),
    ("2,1", r"--keep_layers=2,1: list the layers in increasing order"),
    ("two", r"--keep_layers=two: 'two' is not a layer index"),
    ("1,,2", r"--keep_layers=1,,2: '' is not a layer index"),
    ([], r"--keep_layers=: keep at least one layer$"),
]


@pytest.mark.parametrize("keep_layers,match", BAD_VALUES)
def test_bad_keep_layers_is_refused_and_writes_nothing(source, tmp_path,
                                                       keep_layers, match):
  out = str(tmp_path / "cut")
  with pytest.raises(UsageError) as error:
    cc.convert("google_to_google", source["dir"], out,
               keep_layers=keep_layers)
  assert re.search(match, str(error.value)), str(error.value)
  assert os.listdir(str(tmp_path)) == []


def test_bad_keep_layers_with_hf_to_google(source, tmp_path):
  hf = str(tmp_path / "hf")
  cc.google_to_hf(source["dir"], hf, keep_layers=2)
  with pytest.raises(UsageError, match=r"index 2 is out of range for a "
                     r"model with 2 layers"):
    cc.hf_to_google(hf, str(tmp_path / "cut"), keep_layers="0,2")
  assert sorted(os.listdir(str(tmp_path))) == ["hf"]


def test_output_dir_holding_a_model_is_refused(source, tmp_path):
  out = str(tmp_path / "cut")
  cc.google_to_google(source["dir"], out, keep_layers=2)
  before = sorted(os.listdir(out))
  with pytest.raises(UsageError, match="already holds bert_config.json"):
    cc.google_to_google(source["dir"], out, keep_layers=1)
  assert sorted(os.listdir(out)) == before
  assert _read_json(os.path.join(out, "bert_config.json"))[
      "num_hidden_layers"] == 2


@pytest.mark.slow
def test_command_line(source, tmp_path):
  """The script: a cut is written; bad values are one `error:` line, exit
  status 1, and nothing written."""
  base = ["--direction=google_to_google", "--input_dir=" + source["dir"]]
  cases = [(base + ["--keep_layers=1,3", "--output_dir=%s" %
                    (tmp_path / "good")], None)]
  for i, (value, match) in enumerate(BAD_VALUES[:-1]):
    cases.append((base + ["--keep_layers=%s" % value,
                          "--output_dir=%s" % (tmp_path / ("bad%d" % i))],
                  match))
  cases.append((["--direction=google_to_google",
                 "--input_dir=" + str(tmp_path / "missing"),
                 "--keep_layers=2", "--output_dir=%s" % (tmp_path / "bad")],
                r"--input_dir=.*missing: no such directory"))
  work = tmp_path / "work"
  work.mkdir()
  results = helpers.run_scripts_in_one_process(
      [("convert_checkpoint.py", args) for args, _ in cases], str(work))
  good = results[0]
  assert good["returncode"] == 0, good["stderr"][-2000:]
  assert "Keeping 2 of 4 layers: [1, 3]" in good["stderr"]
  got = _read_checkpoint(str(tmp_path / "good" / "bert_model.ckpt"))
  assert sorted(got) == sorted(_expected(source["weights"], [1, 3]))
  for (args, match), result in zip(cases[1:], results[1:]):
    stderr = result["stderr"]
    lines = [l for l in stderr.splitlines() if l.strip()]
    assert result["returncode"] == 1, (args, stderr[-2000:])
    assert "Traceback" not in stderr, args
    assert [l for l in lines if l.startswith("error:")] == [lines[-1]], args
    assert re.search(match, lines[-1]), (match, lines[-1])
  assert sorted(os.listdir(str(tmp_path))) == ["good", "work"]


# ----------------------------------------------------------------------------
# 5. The cut directory in the scripts, as a released model
# ----------------------------------------------------------------------------


@pytest.mark.slow
def test_cut_model_fine_tunes_with_run_classifier(tmp_path):
  """A 4-layer model cut to layers 0 and 2 (from its pre-training output
  directory, Adam's slots and all) fine-tunes with run_classifier like a
  released model, from the cut's weights; extract_features reads it and
  gives the NumPy forward pass of those two layers."""
  import extract_features  # pylint: disable=g-import-not-at-top
  import run_classifier  # pylint: disable=g-import-not-at-top
  import script_settings  # pylint: disable=g-import-not-at-top

  # Released-like scale (stddev 0.02): the keyword task trains in seconds.
  weights = _pretraining_weights(CONFIG, seed=8)
  for name in weights:
    if not name.endswith("gamma"):
      weights[name] = weights[name] * np.float32(0.1)
  source_dir = str(tmp_path / "source")
  _write_source(source_dir, weights)
  cut = str(tmp_path / "cut")
  cc.google_to_google(source_dir, cut, keep_layers="0,2")

  data_dir = data.write_mrpc_folder(
      tmp_path / "MRPC", data.keyword_pairs(320, seed=1),
      data.keyword_pairs(42, seed=2), data.keyword_pairs(13, seed=3))
  output_dir = str(tmp_path / "out")
  settings = script_settings.defaults(
      run_classifier.define_flags, task_name="MRPC", data_dir=data_dir,
      output_dir=output_dir, do_train=True, do_eval=True,
      vocab_file=os.path.join(cut, "vocab.txt"),
      bert_config_file=os.path.join(cut, "bert_config.json"),
      init_checkpoint=os.path.join(cut, "bert_model.ckpt"),
      do_lower_case=True, max_seq_length=32, train_batch_size=16,
      learning_rate=1e-3, warmup_proportion=0.1, num_train_epochs=3.0,
      eval_batch_size=8, tf_random_seed=1)
  run_classifier.run_task(settings)
  results = data.read_eval_results(os.path.join(output_dir,
                                                "eval_results.txt"))
  assert results["eval_accuracy"] >= 0.9, results

  trained = _read_checkpoint(tf.train.latest_checkpoint(output_dir))
  layers = sorted({int(LAYER.match(n).group(1)) for n in trained
                   if LAYER.match(n) and "adam" not in n})
  assert layers == [0, 1]
  # Training started from the cut's weights: each trained layer is still
  # nearest to the source layer it came from.
  for new, old in ((0, 0), (1, 2)):
    name = "bert/encoder/layer_%d/intermediate/dense/kernel" % new
    distances = {i: np.abs(trained[name] - weights[
        "bert/encoder/layer_%d/intermediate/dense/kernel" % i]).mean()
                 for i in range(NUM_LAYERS)}
    assert min(distances, key=distances.get) == old, distances

  text = str(tmp_path / "input.txt")
  with open(text, "w") as f:
    f.write("apple river good ||| stone cloud bad\nmusic paper\n")
  features = str(tmp_path / "features.jsonl")
  extract_features.run(script_settings.defaults(
      extract_features.define_flags, input_file=text, output_file=features,
      vocab_file=os.path.join(cut, "vocab.txt"),
      bert_config_file=os.path.join(cut, "bert_config.json"),
      init_checkpoint=os.path.join(cut, "bert_model.ckpt"),
      do_lower_case=True, layers="-1,-2", max_seq_length=16, batch_size=2))
  with open(features) as f:
    lines = [json.loads(line) for line in f]
  assert len(lines) == 2
  first = lines[0]["features"]
  tokens = [item["token"] for item in first]
  ids = np.array([[data.VOCAB.index(t) for t in tokens]])
  second = tokens.index("[SEP]") + 1
  types = np.array([[0] * second + [1] * (len(tokens) - second)])
  want = numpy_bert.forward(_expected(weights, [0, 2]),
                            dict(CONFIG, num_hidden_layers=2), ids,
                            np.ones_like(ids), types)
  for index, layer in ((-1, 1), (-2, 0)):
    got = np.array([[v for l in item["layers"] if l["index"] == index
                     for v in l["values"]] for item in first])
    np.testing.assert_allclose(got, want["layers"][layer][0], atol=1e-5)


@pytest.mark.slow
def test_cut_pretraining_model_continues_pre_training(tmp_path):
  """run_pretraining starts from a cut pre-training checkpoint (its
  cls/ heads included: --do_eval alone refuses a checkpoint without them)."""
  import run_pretraining  # pylint: disable=g-import-not-at-top
  import script_settings  # pylint: disable=g-import-not-at-top

  records = helpers.write_pretraining_data(
      tmp_path / "data", 32, 5, vocab_size=300, dupe_factor=1, seed=1)
  config = dict(records.config, num_hidden_layers=NUM_LAYERS)
  weights = _pretraining_weights(config, seed=9)
  source_dir = str(tmp_path / "source")
  _write_source(source_dir, weights, config=config)
  cut = str(tmp_path / "cut")
  cc.google_to_google(source_dir, cut, keep_layers=2)

  def run(output_dir, **overrides):
    settings = dict(
        bert_config_file=os.path.join(cut, "bert_config.json"),
        input_file=records.records, output_dir=str(tmp_path / output_dir),
        init_checkpoint=os.path.join(cut, "bert_model.ckpt"),
        max_seq_length=32, max_predictions_per_seq=5, do_train=False,
        do_eval=True, train_batch_size=4, eval_batch_size=4,
        num_train_steps=2, num_warmup_steps=0, max_eval_steps=2,
        tf_random_seed=1)
    settings.update(overrides)
    run_pretraining.run(script_settings.defaults(run_pretraining.define_flags,
                                                 **settings))
    return data.read_eval_results(os.path.join(settings["output_dir"],
                                               "eval_results.txt"))

  evaluated = run("eval")
  assert np.isfinite(evaluated["masked_lm_loss"]), evaluated
  trained = run("train", do_train=True)
  assert trained["global_step"] == 2, trained
