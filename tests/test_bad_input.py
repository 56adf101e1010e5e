# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""The bad-input matrix: every script, every kind of wrong input.

Each case runs a script as a real process (through tests/script_runner.py,
which imports TensorFlow once and forks a child per command line) and checks
that it exits non-zero, that the last line of stderr is one `error: ...`
line naming the flag or file and what is wrong, that there is no traceback,
and that nothing was left in the output location (no final file, no
`*.tmp-*` file).
"""

import json
import os
import random
import re

import pytest
import tensorflow as tf

import create_pretraining_data as cpd
import record_utils
import script_utils
import tokenization
from tests import helpers
from tests.helpers import tiny_bert_config
from tests.helpers import write_encoder_checkpoint

tf1 = tf.compat.v1

WORDS = ("the a cat dog sat on mat it was big small red blue run ran jump "
         "over under house tree bird sang song sun moon day night good bad "
         "yes no why how what who").split()
VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + WORDS + [
    "##s", "##ed", "##ing", ".", ",", "?", "!"]
VOCAB_SIZE = tiny_bert_config()["vocab_size"]
SEQ = 32
PRED = 5


def _write(path, content):
  mode = "wb" if isinstance(content, bytes) else "w"
  with open(path, mode) as f:
    f.write(content)
  return str(path)


SENTENCES = [
    "the cat sat on the mat.", "it was a big red cat.",
    "the dog ran over the house.", "a bird sang a good song.",
    "why was the sun so big?", "the moon was blue at night.",
]
SQUAD = {"version": "1.1", "data": [{"title": "t", "paragraphs": [{
    "context": "the cat sat on the mat. the dog ran over the house.",
    "qas": [{"id": "q1", "question": "who sat on the mat?",
             "answers": [{"text": "the cat", "answer_start": 0}]}]}]}]}


def _make_inputs(d):
  """Every input file the cases use, good and bad, under directory d."""
  os.makedirs(d)
  p = lambda name: os.path.join(d, name)  # pylint: disable=g-long-lambda
  f = {}
  f["vocab"] = helpers.write_vocab(p("vocab.txt"), VOCAB)
  f["big_vocab"] = helpers.write_vocab(p("big_vocab.txt"), VOCAB + [
      "w%d" % i for i in range(VOCAB_SIZE + 10 - len(VOCAB))])
  f["vocab_bad_utf8"] = _write(p("vocab_bad_utf8.txt"),
                               ("\n".join(VOCAB[:10]) + "\nca\xfft\n").encode(
                                   "latin-1"))
  f["a_dir"] = p("a_dir")
  os.makedirs(f["a_dir"])
  f["full_dir"] = p("full_dir")
  os.makedirs(f["full_dir"])
  _write(os.path.join(f["full_dir"], "keep.txt"), "mine\n")
  f["config"] = _write(p("bert_config.json"), json.dumps(tiny_bert_config()))
  f["config_invalid"] = _write(p("config_invalid.json"),
                               '{"vocab_size": 64, "hidden_size": ')
  missing = tiny_bert_config()
  del missing["hidden_size"]
  f["config_missing_key"] = _write(p("config_missing_key.json"),
                                   json.dumps(missing))
  f["config_negative"] = _write(p("config_negative.json"),
                                json.dumps(tiny_bert_config(hidden_size=-32)))
  f["config_not_utf8"] = _write(p("config_not_utf8.json"),
                                b'{"vocab_size": 64, "hidden_act": "g\xe9lu"}')
  f["config_small_vocab"] = _write(p("config_small_vocab.json"),
                                   json.dumps(tiny_bert_config(vocab_size=8)))
  f["ckpt"] = write_encoder_checkpoint(tiny_bert_config(), p("ckpt/model.ckpt"))
  f["ckpt_wide"] = write_encoder_checkpoint(tiny_bert_config(hidden_size=48),
                                     p("ckpt_wide/model.ckpt"))
  f["missing"] = p("does_not_exist.txt")
  f["empty"] = _write(p("empty.txt"), "")
  f["a_file"] = _write(p("a_file"), "not a directory\n")
  corpus = []
  for i in range(4):
    corpus.extend(SENTENCES[i:] + SENTENCES[:i] + [""])
  f["corpus"] = _write(p("corpus.txt"), "\n".join(corpus) + "\n")
  f["text_bad_utf8"] = _write(p("text_bad_utf8.txt"),
                              b"the cat sat.\nthe d\xf6g ran.\n")

  # Pre-training records (and an empty record file).
  tokenizer = tokenization.FullTokenizer(f["vocab"], do_lower_case=True)
  instances = cpd.create_training_instances(
      [f["corpus"]], tokenizer, SEQ, 2, 0.1, 0.15, PRED, random.Random(1))
  f["records"] = p("pretrain.tfrecord")
  cpd.write_instance_to_example_files(instances, tokenizer, SEQ, PRED,
                                      [f["records"]])
  f["empty_records"] = p("empty.tfrecord")
  with tf.io.TFRecordWriter(f["empty_records"]):
    pass

  # CoLA layout: source, label, mark, sentence.
  good_tsv = "".join("src\t%d\t\t%s\n" % (i % 2, s)
                     for i, s in enumerate(SENTENCES))

  def cola_dir(name, train):
    path = p(name)
    os.makedirs(path)
    _write(os.path.join(path, "train.tsv"), train)
    _write(os.path.join(path, "dev.tsv"), good_tsv)
    return path

  f["cola"] = cola_dir("cola", good_tsv)
  f["cola_empty"] = cola_dir("cola_empty", "")
  f["cola_short_row"] = cola_dir("cola_short_row",
                                 good_tsv + "src\t1\tonly three\n")
  f["cola_bad_label"] = cola_dir("cola_bad_label",
                                 good_tsv + "src\t7\t\tthe cat sat.\n")
  f["cola_bad_utf8"] = cola_dir(
      "cola_bad_utf8", good_tsv.encode("utf-8") + b"src\t1\t\tthe c\xe4t.\n")

  f["squad"] = _write(p("squad.json"), json.dumps(SQUAD))
  f["not_squad"] = _write(p("not_squad.json"), json.dumps(
      {"version": "1.1", "data": [{"title": "t", "text": "no paragraphs"}]}))
  f["not_squad_list"] = _write(p("not_squad_list.json"), "[1, 2, 3]")
  f["squad_bad_utf8"] = _write(
      p("squad_bad_utf8.json"),
      b'{"version": "1.1",\n "data": [{"title": "caf\xe9"}]}\n')
  return f


# ----------------------------------------------------------------------------
# The scripts' good command lines; each case changes one thing.
# ----------------------------------------------------------------------------


def _base_args(script, f, out):
  """Flag -> value for a command line that would run; `out` is the case's
  own output location."""
  if script == "create_pretraining_data.py":
    return dict(input_file=f["corpus"], output_file=out + "/x.tfrecord",
                vocab_file=f["vocab"], max_seq_length=SEQ,
                max_predictions_per_seq=PRED, dupe_factor=1)
  if script == "run_pretraining.py":
    return dict(bert_config_file=f["config"], input_file=f["records"],
                output_dir=out, do_train=True, max_seq_length=SEQ,
                max_predictions_per_seq=PRED, train_batch_size=2,
                num_train_steps=1, num_warmup_steps=0,
                init_checkpoint=f["ckpt"])
  if script == "run_classifier.py":
    return dict(task_name="cola", data_dir=f["cola"], vocab_file=f["vocab"],
                bert_config_file=f["config"], init_checkpoint=f["ckpt"],
                output_dir=out, do_train=True, do_eval=True,
                max_seq_length=SEQ, train_batch_size=2, num_train_epochs=1)
  if script == "run_squad.py":
    return dict(vocab_file=f["vocab"], bert_config_file=f["config"],
                init_checkpoint=f["ckpt"], output_dir=out, do_train=True,
                train_file=f["squad"], max_seq_length=48, max_query_length=8,
                doc_stride=16, train_batch_size=1)
  if script == "extract_features.py":
    return dict(input_file=f["corpus"], output_file=out + "/features.jsonl",
                vocab_file=f["vocab"], bert_config_file=f["config"],
                init_checkpoint=f["ckpt"], max_seq_length=SEQ, layers="-1",
                batch_size=4)
  if script == "learn_vocab.py":
    return dict(input_file=f["corpus"], output_file=out + "/vocab.txt",
                vocab_size=50)
  raise AssertionError(script)


PRE = "create_pretraining_data.py"
RUN_PRE = "run_pretraining.py"
CLS = "run_classifier.py"
SQD = "run_squad.py"
EXT = "extract_features.py"
VOC = "learn_vocab.py"
SCRIPTS = (PRE, RUN_PRE, CLS, SQD, EXT, VOC)
# Inputs of the good command lines: a case that sets a flag to one of these
# gives that flag no bad value.
GOOD_INPUTS = ("vocab", "config", "ckpt", "corpus", "records", "cola", "squad")

# (row, scripts, flag overrides (values are keys of the input files, or
# literal values after "="), regex the error line must match). "{out}" is
# replaced by the case's output location; "{unset}" leaves the flag out.
MATRIX = [
    ("vocab_missing", [PRE, CLS, SQD, EXT], {"vocab_file": "missing"},
     r"vocab_file.*does_not_exist\.txt.*not found"),
    ("vocab_is_directory", [PRE, CLS, SQD, EXT], {"vocab_file": "a_dir"},
     r"vocab_file.*a_dir.*is a directory"),
    ("vocab_not_utf8", [PRE, CLS, SQD, EXT], {"vocab_file": "vocab_bad_utf8"},
     r"vocab_bad_utf8\.txt.*line 11.*not valid UTF-8"),
    ("config_missing", [RUN_PRE, CLS, SQD, EXT],
     {"bert_config_file": "missing"},
     r"bert_config_file.*does_not_exist\.txt.*not found"),
    ("config_invalid_json", [RUN_PRE, CLS, SQD, EXT],
     {"bert_config_file": "config_invalid"},
     r"bert_config_file .*config_invalid\.json: not valid JSON"),
    ("config_not_utf8", [RUN_PRE, CLS, SQD, EXT],
     {"bert_config_file": "config_not_utf8"},
     r"--bert_config_file=.*config_not_utf8\.json: not valid UTF-8"),
    ("config_missing_key", [RUN_PRE, CLS, SQD, EXT],
     {"bert_config_file": "config_missing_key"},
     r"bert_config_file .*config_missing_key\.json: missing key\(s\) "
     r"hidden_size"),
    ("config_negative_size", [RUN_PRE, CLS, SQD, EXT],
     {"bert_config_file": "config_negative"},
     r"bert_config_file .*config_negative\.json: hidden_size must be "
     r"positive, got -32"),
    ("init_checkpoint_missing", [RUN_PRE, CLS, SQD, EXT],
     {"init_checkpoint": "missing"},
     r"--init_checkpoint=.*does_not_exist\.txt: not a readable checkpoint"),
    ("init_checkpoint_wrong_shapes", [RUN_PRE, CLS, SQD, EXT],
     {"init_checkpoint": "ckpt_wide"},
     r"--init_checkpoint: .*variable bert/\S+ has shape \[[^\]]*48[^\]]*\] "
     r"in the checkpoint but \[[^\]]*32[^\]]*\]"),
    ("vocab_larger_than_config", [CLS, SQD, EXT], {"vocab_file": "big_vocab"},
     r"--vocab_file=.*big_vocab\.txt has 74 tokens but bert_config "
     r"vocab_size is 64"),
    ("record_ids_beyond_config_vocab", [RUN_PRE],
     {"bert_config_file": "config_small_vocab"},
     r"--input_file: .*pretrain\.tfrecord holds token id \d+ but bert_config "
     r"vocab_size is 8"),
    ("max_seq_length_above_positions", [RUN_PRE, CLS, SQD, EXT],
     {"max_seq_length": "=128"},
     r"--max_seq_length=128 is longer than max_position_embeddings=64"),
    ("max_seq_length_too_small", [PRE], {"max_seq_length": "=4"},
     r"--max_seq_length=4 is too small"),
    ("max_seq_length_too_small", [CLS, EXT], {"max_seq_length": "=2"},
     r"--max_seq_length=2: must be at least 3"),
    ("max_seq_length_too_small", [SQD], {"max_seq_length": "=11"},
     r"--max_seq_length \(11\) must be greater than --max_query_length"),
    ("max_seq_length_not_records", [RUN_PRE], {"max_seq_length": "=16"},
     r"--max_seq_length=16 does not match .*pretrain\.tfrecord: its "
     r"input_ids has length 32"),
    ("max_predictions_not_records", [RUN_PRE],
     {"max_predictions_per_seq": "=7"},
     r"--max_predictions_per_seq=7 does not match .*pretrain\.tfrecord: its "
     r"masked_lm_\w+ has length 5"),
    ("empty_input", [PRE], {"input_file": "empty"},
     r"--input_file=.*empty\.txt contains no text"),
    ("empty_input", [EXT], {"input_file": "empty"},
     r"--input_file=.*empty\.txt is empty"),
    ("empty_input", [VOC], {"input_file": "empty"},
     r"--input_file=.*empty\.txt contains no words"),
    ("empty_input", [RUN_PRE], {"input_file": "empty_records"},
     r"--input_file: .*empty\.tfrecord contains no records"),
    ("empty_input", [CLS], {"data_dir": "cola_empty"},
     r"--data_dir=.*cola_empty: no train examples"),
    ("empty_input", [SQD], {"train_file": "empty"},
     r"empty\.txt: not valid JSON"),
    ("text_not_utf8", [PRE, EXT, VOC], {"input_file": "text_bad_utf8"},
     r"text_bad_utf8\.txt line 2: not valid UTF-8 \(byte 0xf6 at column 6\)"),
    ("text_not_utf8", [CLS], {"data_dir": "cola_bad_utf8"},
     r"cola_bad_utf8/train\.tsv line 7: not valid UTF-8 \(byte 0xe4"),
    ("text_not_utf8", [SQD], {"train_file": "squad_bad_utf8"},
     r"squad_bad_utf8\.json line 2: not valid UTF-8 \(byte 0xe9"),
    ("tsv_row_too_short", [CLS], {"data_dir": "cola_short_row"},
     r"cola_short_row/train\.tsv line 7: expected at least 4 .*found 3"),
    ("tsv_unknown_label", [CLS], {"data_dir": "cola_bad_label"},
     r"label '7' is not one of"),
    ("not_squad", [SQD], {"train_file": "not_squad"},
     r"not_squad\.json: not in SQuAD format"),
    ("not_squad", [SQD], {"train_file": "not_squad_list"},
     r"not_squad_list\.json: not in SQuAD format: expected a JSON object"),
    ("not_squad", [SQD], {"do_predict": "=true", "predict_file": "not_squad"},
     r"not_squad\.json: not in SQuAD format"),
    ("predict_file_missing", [SQD],
     {"do_predict": "=true", "predict_file": "missing"},
     r"--predict_file=.*does_not_exist\.txt: file not found"),
    ("layers_out_of_range", [EXT], {"layers": "=-1,2"},
     r"--layers=-1,2: index 2 is out of range for a model with 2 layers"),
    ("layers_out_of_range", [EXT], {"layers": "=-3"},
     r"--layers=-3: index -3 is out of range for a model with 2 layers "
     r"\(valid: -2\.\.1\)$"),
    ("output_dir_is_a_file", [RUN_PRE, CLS, SQD], {"output_dir": "{file}"},
     r"--output_dir=.*: exists and is not a directory"),
    ("output_file_under_a_file", [PRE, EXT, VOC],
     {"output_file": "{file}/out.bin"},
     r"--output_file=.*out\.bin.* (exists and )?is not a directory"),
    ("output_file_is_a_directory", [PRE, EXT, VOC],
     {"output_file": "{dir}"}, r"--output_file=.*is a directory"),
    # Evaluating or predicting with random weights by accident: no
    # checkpoint at all, or one without the task's output layer.
    ("no_trained_weights", [CLS],
     {"do_train": "=false", "init_checkpoint": "{unset}"},
     r"--do_eval without trained weights: there is no --init_checkpoint and "
     r"no checkpoint in --output_dir=.*--allow_random_init"),
    ("no_trained_weights", [SQD],
     {"do_train": "=false", "do_predict": "=true", "predict_file": "squad",
      "init_checkpoint": "{unset}"},
     r"--do_predict without trained weights: .*set --init_checkpoint"),
    ("no_trained_weights", [RUN_PRE],
     {"do_train": "=false", "do_eval": "=true", "init_checkpoint": "{unset}"},
     r"--do_eval without trained weights: .*set --init_checkpoint"),
    ("no_trained_weights", [EXT], {"init_checkpoint": "{unset}"},
     r"extract_features\.py without trained weights: there is no "
     r"--init_checkpoint, .*--allow_random_init"),
    ("no_trained_task_layer", [CLS], {"do_train": "=false"},
     r"--init_checkpoint: checkpoint .*model\.ckpt has no output_weights, "
     r"output_bias .*--do_eval would use random values"),
    ("no_trained_task_layer", [SQD],
     {"do_train": "=false", "do_predict": "=true", "predict_file": "squad"},
     r"has no cls/squad/output_weights, cls/squad/output_bias"),
    # Distillation: the teacher and the transfer text, checked first.
    ("teacher_dir_missing", [CLS], {"teacher_dir": "missing"},
     r"--teacher_dir=.*does_not_exist\.txt: not a directory"),
    ("teacher_dir_not_fine_tuned", [CLS], {"teacher_dir": "a_dir"},
     r"--teacher_dir=.*a_dir: no model_info\.json; not a fine-tuned model"),
    ("transfer_file_missing", [CLS],
     {"teacher_dir": "a_dir", "transfer_file": "missing"},
     r"--transfer_file=.*does_not_exist\.txt: file not found"),
    # A refused --export_dir stops the run before anything is made.
    ("export_dir_not_empty", [CLS, SQD], {"export_dir": "full_dir"},
     r"--export_dir=.*full_dir: directory exists and is not empty"),
    ("no_trained_task_layer", [RUN_PRE],
     {"do_train": "=false", "do_eval": "=true"},
     r"has no cls/predictions/\S+, .*--do_eval would use random values"),
]

# Output files in directories that do not exist yet: created, not refused.
GOOD_CASES = [
    ("new_output_dir-%s" % script[:-3], script,
     {"output_file": "{out}/new/sub/" + name})
    for script, name in ((PRE, "x.tfrecord"), (EXT, "f.jsonl"),
                         (VOC, "vocab.txt"))]

CASES = []
for _row, _scripts, _overrides, _pattern in MATRIX:
  for _script in _scripts:
    CASES.append(("%s-%s-%d" % (_row, _script[:-3], len(CASES)), _script,
                  _overrides, _pattern))


def _command_line(script, f, case_dir, overrides):
  out = os.path.join(case_dir, "out")
  values = _base_args(script, f, out)
  for flag, value in overrides.items():
    if value == "{unset}":
      del values[flag]
    elif value == "{file}" or value.startswith("{file}/"):
      blocker = _write(os.path.join(case_dir, "blocker"), "a file\n")
      value = blocker + value[len("{file}"):]
      values[flag] = value
    elif value == "{dir}":
      os.makedirs(os.path.join(case_dir, "a_dir"))
      values[flag] = os.path.join(case_dir, "a_dir")
    elif value.startswith("{out}/"):
      values[flag] = out + value[len("{out}"):]
    elif value.startswith("="):
      values[flag] = value[1:]
    else:
      values[flag] = f[value]
  args = []
  for flag, value in values.items():
    if value is True:
      args.append("--%s" % flag)
    else:
      args.append("--%s=%s" % (flag, value))
  return args


def _snapshot(root):
  """path -> (size, mtime) of every file under root, and path/ -> None for
  every directory (a refused run leaves no empty directory either)."""
  files = {}
  for dirpath, dirnames, filenames in os.walk(root):
    for name in filenames:
      path = os.path.join(dirpath, name)
      st = os.stat(path)
      files[path] = (st.st_size, st.st_mtime_ns)
    for name in dirnames:
      files[os.path.join(dirpath, name) + os.sep] = None
  return files


@pytest.fixture(scope="module")
def results(tmp_path_factory):
  tmp = str(tmp_path_factory.mktemp("bad_input"))
  f = _make_inputs(os.path.join(tmp, "inputs"))
  cases = []
  all_cases = CASES + [case + (None,) for case in GOOD_CASES]
  for case_id, script, overrides, _ in all_cases:
    case_dir = os.path.join(tmp, "cases", case_id)
    os.makedirs(case_dir)
    cases.append({"script": script,
                  "args": _command_line(script, f, case_dir, overrides)})
  # Each script's --helpfull: the flags it defines.
  cases += [{"script": script, "args": ["--helpfull"]} for script in SCRIPTS]
  before = _snapshot(tmp)
  runs = helpers.run_scripts_in_one_process(
      [(case["script"], case["args"]) for case in cases], tmp)
  after = _snapshot(tmp)
  by_id = {"helpfull-" + script: run
           for script, run in zip(SCRIPTS, runs[len(all_cases):])}
  for (case_id, _, _, _), case, run in zip(all_cases, cases, runs):
    case_dir = os.path.join(tmp, "cases", case_id)
    run["args"] = case["args"]
    run["new_files"] = sorted(
        path for path in after
        if path.startswith(case_dir + os.sep) and path not in before)
    run["changed_files"] = sorted(
        path for path in before
        if path.startswith(case_dir + os.sep) and after.get(path) !=
        before[path])
    by_id[case_id] = run
  good_dirs = tuple(os.path.join(tmp, "cases", case[0]) + os.sep
                    for case in GOOD_CASES)
  by_id["__all_new_files__"] = sorted(
      path for path in after
      if path not in before and
      os.path.basename(path) not in ("cases.json", "results.json") and
      not path.startswith(good_dirs))
  by_id["__inputs_changed__"] = sorted(
      path for path in before
      if path.startswith(os.path.join(tmp, "inputs")) and
      after.get(path) != before[path])
  return by_id


@pytest.mark.slow
@pytest.mark.parametrize("case_id,script,overrides,pattern", CASES,
                         ids=[case[0] for case in CASES])
def test_bad_input_is_one_line_error_and_leaves_nothing(
    results, case_id, script, overrides, pattern):
  run = results[case_id]
  stderr = run["stderr"]
  context = "%s %s\n--- stderr tail:\n%s" % (
      script, " ".join(run["args"]), "\n".join(stderr.splitlines()[-8:]))
  assert run["returncode"] == 1, context
  assert "Traceback" not in stderr, context
  last_line = stderr.rstrip("\n").splitlines()[-1]
  assert last_line.startswith("error: "), context
  # One error line, not the same error said twice.
  assert [line for line in stderr.splitlines()
          if line.startswith("error:")] == [last_line], context
  assert re.search(pattern, last_line), "%s\n%r !~ %r" % (context, last_line,
                                                            pattern)
  # Nothing written where the output would go, temporary files included.
  assert run["new_files"] == [], context
  assert run["changed_files"] == [], context


@pytest.mark.slow
@pytest.mark.parametrize("case_id,script,overrides", GOOD_CASES,
                         ids=[case[0] for case in GOOD_CASES])
def test_output_file_in_new_directory_is_created(results, case_id, script,
                                                 overrides):
  run = results[case_id]
  assert run["returncode"] == 0, run["stderr"][-3000:]
  run["new_files"] = [path for path in run["new_files"]
                      if not path.endswith(os.sep)]
  names = [os.path.basename(path) for path in run["new_files"]]
  assert names == [os.path.basename(overrides["output_file"])]
  assert os.path.getsize(run["new_files"][0]) > 0


@pytest.mark.slow
def test_no_stray_files_anywhere(results):
  """No temporary or partial file anywhere, inputs untouched."""
  assert results["__all_new_files__"] == []
  assert results["__inputs_changed__"] == []


def _path_flags(helpfull):
  """Flags naming a file or directory, of the script's own modules (not
  absl's), in `--helpfull` output."""
  names, module = set(), None
  for line in helpfull.splitlines():
    if line and not line.startswith(" "):
      module = line.rstrip(":")
    flag = re.match(r"\s+(?:-\?,)?--(?:\[no\])?(\w+):", line)
    if (flag and not module.startswith(("absl", "tensorflow")) and
        (flag.group(1).endswith(("_file", "_dir")) or
         flag.group(1) == "init_checkpoint")):
      names.add(flag.group(1))
  return names


@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS)
def test_every_file_flag_a_script_defines_has_a_bad_input_case(results,
                                                               script):
  """A flag naming a file or directory, new or old, gets a case above that
  gives it a bad value."""
  run = results["helpfull-" + script]
  assert run["returncode"] == 0, run["stderr"][-2000:]
  defined = _path_flags(run["stdout"])
  assert "output_dir" in defined or "output_file" in defined, run["stdout"]
  covered = {flag for _, scripts, overrides, _ in MATRIX if script in scripts
             for flag, value in overrides.items() if value not in GOOD_INPUTS}
  assert sorted(defined - covered) == []


# ----------------------------------------------------------------------------
# Writers interrupted half-way leave neither the final nor a temporary file.
# ----------------------------------------------------------------------------


class _Interrupted(Exception):
  pass


def _leftovers(directory):
  return sorted(os.listdir(directory))


def test_atomic_output_interrupted_leaves_nothing(tmp_path):
  path = str(tmp_path / "predictions.json")
  with pytest.raises(_Interrupted):
    with script_utils.atomic_output(path) as writer:
      writer.write("{\"q1\": \"half")
      raise _Interrupted()
  assert _leftovers(tmp_path) == []


def test_atomic_output_interrupted_keeps_previous_file(tmp_path):
  path = _write(tmp_path / "eval_results.txt", "loss = 1.0\n")
  with pytest.raises(KeyboardInterrupt):
    with script_utils.atomic_output(path) as writer:
      writer.write("loss = 0.")
      raise KeyboardInterrupt()
  assert _leftovers(tmp_path) == ["eval_results.txt"]
  with open(path) as f:
    assert f.read() == "loss = 1.0\n"


def test_atomic_record_writers_interrupted_by_failing_generator(tmp_path):
  paths = [str(tmp_path / "a.tfrecord"), str(tmp_path / "b.tfrecord")]

  def records():
    for i in range(10):
      if i == 6:
        raise _Interrupted()
      yield b"record %d" % i

  with pytest.raises(_Interrupted):
    with record_utils.atomic_record_writers(paths) as writers:
      for i, record in enumerate(records()):
        writers[i % 2].write(record)
  assert _leftovers(tmp_path) == []


def test_vocab_writer_interrupted_leaves_nothing(tmp_path, monkeypatch):
  import learn_vocab  # pylint: disable=g-import-not-at-top

  class _FailingList(list):

    def __iter__(self):
      for i, item in enumerate(list.__iter__(self)):
        if i == 3:
          raise _Interrupted()
        yield item

  with pytest.raises(_Interrupted):
    learn_vocab.write_vocab(_FailingList(["[PAD]", "[UNK]", "a", "b", "c"]),
                            str(tmp_path / "vocab.txt"))
  assert _leftovers(tmp_path) == []


def test_pretraining_data_writer_interrupted_leaves_nothing(tmp_path):
  vocab_file = _write(tmp_path / "vocab.txt", "\n".join(VOCAB) + "\n")
  # Three documents: one alone is refused (no random next sentence).
  text = _write(tmp_path / "text.txt",
                "\n\n".join(["\n".join(SENTENCES)] * 3) + "\n")
  tokenizer = tokenization.FullTokenizer(vocab_file, do_lower_case=True)
  instances = cpd.create_training_instances(
      [text], tokenizer, SEQ, 1, 0.1, 0.15, PRED, random.Random(3))
  assert len(instances) > 2
  # An instance whose token is not in the vocabulary fails mid-way, after
  # earlier instances were written.
  instances[2].tokens[1] = "not-in-vocab"
  out = tmp_path / "out"
  os.makedirs(out)
  with pytest.raises(Exception):
    cpd.write_instance_to_example_files(
        instances, tokenizer, SEQ, PRED,
        [str(out / "a.tfrecord"), str(out / "b.tfrecord")])
  assert _leftovers(out) == []
