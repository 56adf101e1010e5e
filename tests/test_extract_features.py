# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""extract_features.py against an independent NumPy BERT.

A checkpoint with seeded random weights is written, the script runs on a few
lines (single texts, pairs, inputs that need truncation), and every value in
the JSON output is compared with tests/numpy_bert.py run on the checkpoint's
own weights.
"""

import json
import os
import re
import shutil

import numpy as np
import pytest
import tensorflow as tf

import extract_features
import script_settings
import script_utils
from tests import helpers
from tests import numpy_bert
from tests.helpers import tiny_bert_config

tf1 = tf.compat.v1

CONFIG = tiny_bert_config(vocab_size=40, num_attention_heads=4,
                          intermediate_size=48, max_position_embeddings=16)
VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "sat",
         "on", "mat", "dog", "##s", "play", "##ing", "a", "big", "red", ".",
         ",", "hello", "world", "un", "##aff", "##able"]
SEQ = 10

# Input line -> the tokens the model must see, worked out by hand.
LINES = [
    ("The cat sat.",
     ["[CLS]", "the", "cat", "sat", ".", "[SEP]"]),
    # Pair of 3 + 6 tokens with room for 10 - 3 = 7: the longer side (b)
    # loses tokens from its end until both fit.
    ("Hello, world ||| the dogs were playing",
     ["[CLS]", "hello", ",", "world", "[SEP]", "the", "dog", "##s", "[UNK]",
      "[SEP]"]),
    ("a cat ||| a dog",
     ["[CLS]", "a", "cat", "[SEP]", "a", "dog", "[SEP]"]),
    # Single text of 17 tokens: the first 10 - 2 = 8 are kept.
    ("the big red dog sat on the mat, the cat sat on a mat.",
     ["[CLS]", "the", "big", "red", "dog", "sat", "on", "the", "mat",
      "[SEP]"]),
    ("UNAFFABLE",
     ["[CLS]", "un", "##aff", "##able", "[SEP]"]),
]


_write_checkpoint = numpy_bert.write_checkpoint


@pytest.fixture(scope="module")
def model_files(tmp_path_factory):
  d = tmp_path_factory.mktemp("model")
  helpers.write_vocab(d / "vocab.txt", VOCAB)
  (d / "bert_config.json").write_text(json.dumps(CONFIG))
  ckpt = _write_checkpoint(numpy_bert.random_weights(CONFIG, seed=7),
                           str(d / "bert_model.ckpt"))
  return {"vocab_file": str(d / "vocab.txt"),
          "bert_config_file": str(d / "bert_config.json"),
          "init_checkpoint": ckpt}


def _run(**flag_values):
  """extract_features as its command line runs it (the flags' own defaults
  for the others), in this process."""
  extract_features.run(script_settings.defaults(
      extract_features.define_flags,
      **{name: str(value) if isinstance(value, os.PathLike) else value
         for name, value in flag_values.items()}))


def _expected_inputs(tokens):
  """ids/mask/type ids for hand-written tokens, padded to SEQ."""
  ids = [VOCAB.index(t) for t in tokens]
  first_sep = tokens.index("[SEP]")
  types = [0 if i <= first_sep else 1 for i in range(len(tokens))]
  pad = [0] * (SEQ - len(tokens))
  return ids + pad, [1] * len(tokens) + pad, types + pad


def test_json_values_match_numpy_bert(model_files, tmp_path):
  input_file = tmp_path / "input.txt"
  input_file.write_text("\n".join(line for line, _ in LINES) + "\n")
  output_file = tmp_path / "out" / "features.jsonl"
  output_file.parent.mkdir()
  layers = [-1, 0, -2]
  _run(input_file=input_file, output_file=output_file,
            layers=",".join(map(str, layers)), max_seq_length=SEQ,
            batch_size=2, do_lower_case=True, **model_files)

  # Nothing but the output itself is left beside it.
  assert os.listdir(output_file.parent) == ["features.jsonl"]
  records = [json.loads(line) for line in
             output_file.read_text().splitlines()]
  assert [r["linex_index"] for r in records] == list(range(len(LINES)))

  reader = tf.train.load_checkpoint(model_files["init_checkpoint"])
  weights = {name: reader.get_tensor(name)
             for name in reader.get_variable_to_shape_map()}
  expected_tokens = [tokens for _, tokens in LINES]
  ids, mask, types = (np.array(a) for a in zip(
      *[_expected_inputs(t) for t in expected_tokens]))
  reference = numpy_bert.forward(weights, CONFIG, ids, mask, types)["layers"]

  checked = 0
  for b, (record, tokens) in enumerate(zip(records, expected_tokens)):
    assert [f["token"] for f in record["features"]] == tokens
    for t, feature in enumerate(record["features"]):
      assert [l["index"] for l in feature["layers"]] == layers
      for layer in feature["layers"]:
        values = layer["values"]
        assert len(values) == CONFIG["hidden_size"]
        assert all(round(v, 6) == v for v in values)
        # 5e-7 of rounding plus float32 arithmetic in the graph.
        np.testing.assert_allclose(values, reference[layer["index"]][b, t],
                                   atol=1e-5, rtol=0)
        checked += 1
  assert checked == sum(len(t) for t in expected_tokens) * len(layers)
  # The layers really differ, so a wrong index could not pass.
  assert np.abs(reference[0] - reference[1]).max() > 0.1


def test_every_input_line_gets_one_output_line(model_files, tmp_path):
  """Blank and whitespace-only lines, CRLF endings and Unicode line
  separators inside a line: output line i is input line i."""
  input_file = tmp_path / "input.txt"
  lines = ["the cat", "", "   ", "a dog\u2028sat", "\t", "the mat\x85.",
           "hello ||| world", ""]
  input_file.write_bytes("\r\n".join(lines).encode("utf-8") + b"\r\n")
  output_file = tmp_path / "features.jsonl"
  _run(input_file=input_file, output_file=output_file,
            layers="-1", max_seq_length=SEQ, batch_size=3,
            do_lower_case=True, **model_files)
  with open(str(output_file), "rb") as f:
    records = [json.loads(line) for line in f.read().split(b"\n") if line]
  assert [r["linex_index"] for r in records] == list(range(len(lines)))
  tokens = [[f["token"] for f in r["features"]] for r in records]
  assert tokens[1] == tokens[2] == tokens[4] == tokens[7] == ["[CLS]",
                                                              "[SEP]"]
  assert tokens[0] == ["[CLS]", "the", "cat", "[SEP]"]
  assert tokens[6] == ["[CLS]", "hello", "[SEP]", "world", "[SEP]"]


def test_read_examples_and_features(tmp_path):
  path = tmp_path / "in.txt"
  path.write_text("one ||| two\nplain text\n\nx ||| y ||| z\nno|||spaces\n")
  examples = extract_features.read_examples(str(path))
  assert [(e.unique_id, e.text_a, e.text_b) for e in examples] == [
      (0, "one", "two"), (1, "plain text", None), (2, "", None),
      (3, "x ||| y", "z"), (4, "no|||spaces", None)]

  class WordTokenizer(object):
    vocab = {"[CLS]": 1, "[SEP]": 2}

    def tokenize(self, text):
      return text.split()

    def convert_tokens_to_ids(self, tokens):
      return [self.vocab.get(t, 3) for t in tokens]

  examples = [extract_features.InputExample(7, "a b c d e", "f g"),
              extract_features.InputExample(8, "", None)]
  f1, f2 = extract_features.convert_examples_to_features(
      examples, 7, WordTokenizer())
  assert f1.unique_id == 7
  assert f1.tokens == ["[CLS]", "a", "b", "[SEP]", "f", "g", "[SEP]"]
  assert f1.input_ids == [1, 3, 3, 2, 3, 3, 2]
  assert f1.input_type_ids == [0, 0, 0, 0, 1, 1, 1]
  assert f2.tokens == ["[CLS]", "[SEP]"]
  assert f2.input_ids == [1, 2, 0, 0, 0, 0, 0]
  assert f2.input_mask == [1, 1, 0, 0, 0, 0, 0]
  assert f2.input_type_ids == [0] * 7


def test_parse_layer_indexes():
  assert extract_features.parse_layer_indexes("-1,-2,-3,-4", 4) == [
      -1, -2, -3, -4]
  assert extract_features.parse_layer_indexes(" 0, 3 ,-4", 4) == [0, 3, -4]
  for bad, message in (("4", "out of range.*4 layers.*-4..3"),
                       ("-5", "out of range"), ("1,x", "'x' is not an int"),
                       ("", "empty"), (" , ", "empty")):
    with pytest.raises(script_utils.UsageError, match="--layers.*" + message):
      extract_features.parse_layer_indexes(bad, 4)


# Bad command lines (missing files, empty input, --layers out of range) are
# run as a user runs them in tests/test_bad_input.py.


def test_random_weights_when_asked_for(model_files, tmp_path):
  """No --init_checkpoint but --allow_random_init: features of random
  weights (without the switch the run is refused, see test_bad_input.py)."""
  input_file = tmp_path / "input.txt"
  input_file.write_text("the cat\n")
  output_file = tmp_path / "features.jsonl"
  flag_values = dict(model_files, input_file=input_file,
                     output_file=output_file, max_seq_length=SEQ,
                     layers="-1", init_checkpoint=None)
  _run(allow_random_init=True, **flag_values)
  record = json.loads(output_file.read_text())
  assert [f["token"] for f in record["features"]] == ["[CLS]", "the", "cat",
                                                      "[SEP]"]


@pytest.mark.slow
def test_init_checkpoint_may_be_the_model_directory_or_a_file(
    model_files, tmp_path):
  """A released model's directory (no `checkpoint` file) or one of the
  checkpoint's files means the checkpoint."""
  released = tmp_path / "released"
  released.mkdir()
  prefix = model_files["init_checkpoint"]
  for name in os.listdir(os.path.dirname(prefix)):
    if name.startswith(os.path.basename(prefix) + "."):
      shutil.copy(os.path.join(os.path.dirname(prefix), name), released)
  assert not (released / "checkpoint").exists()
  input_file = tmp_path / "input.txt"
  input_file.write_text("the cat\n")
  outputs = []
  for i, given in enumerate([prefix, str(released),
                             str(released / "bert_model.ckpt.index"),
                             str(released /
                                 "bert_model.ckpt.data-00000-of-00001")]):
    output_file = tmp_path / ("features%d.jsonl" % i)
    _run(**dict(model_files, input_file=input_file, output_file=output_file,
                max_seq_length=SEQ, layers="-1", init_checkpoint=given))
    outputs.append(output_file.read_text())
  assert outputs[1:] == outputs[:1] * 3


@pytest.mark.slow
def test_command_line_flags_and_defaults():
  # The namespace the in-process tests use must be what the script defines.
  proc = helpers.run_script(["extract_features.py", "--helpfull"])
  # Help is not an error: status 0 (absl's own help exits with 1).
  assert proc.returncode == 0, proc.stderr[-2000:]
  assert "--layers" in proc.stdout, proc.stderr[-2000:]
  defaults = {}
  name = None
  for line in proc.stdout.splitlines():
    flag = re.match(r"\s+(?:-\?,)?--(?:\[no\])?(\w+):", line)
    if flag:
      name = flag.group(1)
      defaults[name] = None
    elif not line.startswith(" "):
      name = None  # a module heading ends the previous flag
    default = re.search(r"\(default: '([^']*)'\)", line)
    if default and name:
      defaults[name] = default.group(1)
  settings = script_settings.defaults(extract_features.define_flags)
  for name, value in settings.as_dict().items():
    assert name in defaults, name
    expected = None if value is None else str(value).lower()
    assert defaults[name] == expected, name
