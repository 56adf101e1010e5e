# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""run_classifier processors against a few rows in each release layout."""

import os

import pytest

import run_classifier
from script_utils import UsageError


def _write(directory, name, lines):
  path = os.path.join(str(directory), name)
  if os.path.dirname(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
  with open(path, "w", encoding="utf-8") as f:
    for line in lines:
      f.write("\t".join(line) + "\n")
  return path


def _summary(examples):
  return [(e.guid, e.text_a, e.text_b, e.label) for e in examples]


def test_get_processor_is_case_insensitive_and_knows_every_task():
  expected = {
      "cola": run_classifier.ColaProcessor,
      "mnli": run_classifier.MnliProcessor,
      "mnli-mm": run_classifier.MnliMismatchedProcessor,
      "mrpc": run_classifier.MrpcProcessor,
      "xnli": run_classifier.XnliProcessor,
      "sst-2": run_classifier.Sst2Processor,
      "qqp": run_classifier.QqpProcessor,
      "qnli": run_classifier.QnliProcessor,
      "rte": run_classifier.RteProcessor,
      "wnli": run_classifier.WnliProcessor,
      "sts-b": run_classifier.StsbProcessor,
  }
  for name, cls in expected.items():
    assert type(run_classifier.get_processor(name)) is cls
    assert type(run_classifier.get_processor(name.upper())) is cls
  assert run_classifier.get_processor("XNLI", "de").language == "de"
  assert run_classifier.get_processor("xnli").language == "zh"


def test_unknown_task_lists_the_known_ones():
  with pytest.raises(UsageError) as e:
    run_classifier.get_processor("mrcp")
  message = str(e.value)
  assert "mrcp" in message
  for name in ("cola", "mnli", "mrpc", "xnli", "sst-2", "sts-b", "qqp"):
    assert name in message


def test_mrpc(tmp_path):
  header = ["Quality", "#1 ID", "#2 ID", "#1 String", "#2 String"]
  _write(tmp_path, "train.tsv", [
      header,
      ["1", "702876", "702977", "Amrozi accused his brother .",
       "Referring to him as only \" the witness \" , Amrozi accused him ."],
      ["0", "2108705", "2108831", "Yucaipa owned Dominick 's .",
       "Yucaipa bought Dominick 's in 1995 ."],
  ])
  _write(tmp_path, "dev.tsv", [header, ["1", "1", "2", "A one .", "B one ."]])
  _write(tmp_path, "test.tsv", [
      ["index", "#1 ID", "#2 ID", "#1 String", "#2 String"],
      ["0", "1089874", "1089925", "PCCW 's chief .", "Mr Wong said ."],
      ["1", "3019446", "3019327", "The world 's two .", "Fedex said ."],
  ])
  p = run_classifier.MrpcProcessor()
  assert p.get_labels() == ["0", "1"]
  assert _summary(p.get_train_examples(str(tmp_path))) == [
      ("train-1", "Amrozi accused his brother .",
       "Referring to him as only \" the witness \" , Amrozi accused him .",
       "1"),
      ("train-2", "Yucaipa owned Dominick 's .",
       "Yucaipa bought Dominick 's in 1995 .", "0"),
  ]
  assert _summary(p.get_dev_examples(str(tmp_path))) == [
      ("dev-1", "A one .", "B one .", "1")]
  assert _summary(p.get_test_examples(str(tmp_path))) == [
      ("test-1", "PCCW 's chief .", "Mr Wong said .", "0"),
      ("test-2", "The world 's two .", "Fedex said .", "0"),
  ]
  assert p.task_metric == "f1" and p.positive_label == "1"


def test_cola(tmp_path):
  _write(tmp_path, "train.tsv", [
      ["gj04", "1", "", "Our friends won't buy this analysis, let alone the "
       "next one we propose."],
      ["gj04", "0", "*", "They drank the pub."],
  ])
  _write(tmp_path, "dev.tsv", [["clc95", "1", "", "The sailors rode."]])
  _write(tmp_path, "test.tsv", [["id", "sentence"],
                                ["0", "Bill whistled past the house."]])
  p = run_classifier.ColaProcessor()
  assert _summary(p.get_train_examples(str(tmp_path))) == [
      ("train-0", "Our friends won't buy this analysis, let alone the next "
       "one we propose.", None, "1"),
      ("train-1", "They drank the pub.", None, "0"),
  ]
  assert _summary(p.get_dev_examples(str(tmp_path))) == [
      ("dev-0", "The sailors rode.", None, "1")]
  assert _summary(p.get_test_examples(str(tmp_path))) == [
      ("test-1", "Bill whistled past the house.", None, "0")]
  assert p.task_metric == "mcc"


_MNLI_PARSES = ["( a )", "( b )", "(ROOT a)", "(ROOT b)"]


def test_mnli_matched_and_mismatched(tmp_path):
  train_header = ["index", "promptID", "pairID", "genre",
                  "sentence1_binary_parse", "sentence2_binary_parse",
                  "sentence1_parse", "sentence2_parse", "sentence1",
                  "sentence2", "label1", "gold_label"]
  _write(tmp_path, "train.tsv", [
      train_header,
      ["0", "31193", "31193n", "government"] + _MNLI_PARSES +
      ["Conceptually cream skimming has two \"basic dimensions.",
       "Product and geography are what make cream skimming work.",
       "neutral", "neutral"],
  ])
  dev_header = train_header[:11] + ["label2", "label3", "label4", "label5",
                                    "gold_label"]
  for name, pair_id in (("dev_matched.tsv", "63735n"),
                        ("dev_mismatched.tsv", "75290c")):
    _write(tmp_path, name, [
        dev_header,
        ["0", "63735", pair_id, "slate"] + _MNLI_PARSES +
        ["The new rights are nice enough", "Everyone really likes them.",
         "neutral", "entailment", "neutral", "neutral", "neutral",
         "contradiction"],
    ])
  for name in ("test_matched.tsv", "test_mismatched.tsv"):
    _write(tmp_path, name, [
        train_header[:10],
        ["7", "31193", "31193n", "government"] + _MNLI_PARSES +
        ["Hierbas, ans seco.", "The drink is sweet."],
    ])
  p = run_classifier.MnliProcessor()
  assert p.get_labels() == ["contradiction", "entailment", "neutral"]
  assert _summary(p.get_train_examples(str(tmp_path))) == [
      ("train-0", "Conceptually cream skimming has two \"basic dimensions.",
       "Product and geography are what make cream skimming work.",
       "neutral")]
  # The gold label is the last column, not label1.
  assert _summary(p.get_dev_examples(str(tmp_path))) == [
      ("dev-0", "The new rights are nice enough",
       "Everyone really likes them.", "contradiction")]
  assert _summary(p.get_test_examples(str(tmp_path))) == [
      ("test-7", "Hierbas, ans seco.", "The drink is sweet.",
       "contradiction")]
  mm = run_classifier.MnliMismatchedProcessor()
  assert len(mm.get_dev_examples(str(tmp_path))) == 1
  os.remove(os.path.join(str(tmp_path), "dev_mismatched.tsv"))
  with pytest.raises(UsageError, match="dev_mismatched.tsv"):
    mm.get_dev_examples(str(tmp_path))


def test_xnli(tmp_path):
  _write(tmp_path, "multinli/multinli.train.zh.tsv", [
      ["premise", "hypo", "label"],
      ["从 概念 上 看", "产品 和 地理", "neutral"],
      ["你 知道 吗", "你 不 知道", "contradictory"],
  ])
  _write(tmp_path, "multinli/multinli.train.de.tsv", [
      ["premise", "hypo", "label"], ["Ein Satz .", "Noch einer .",
                                     "entailment"]])
  header = ["language", "gold_label", "sentence1_binary_parse",
            "sentence2_binary_parse", "sentence1_parse", "sentence2_parse",
            "sentence1", "sentence2", "promptID", "pairID", "genre"]
  rows = [header]
  for lang, label, s1, s2 in (("en", "neutral", "Well, I wasn't.", "I did."),
                              ("zh", "entailment", "他说 , 妈妈", "他 说"),
                              ("de", "contradiction", "Er sagte .", "Nein ."),
                              ("zh", "neutral", "我 在 家", "我 很 忙")):
    rows.append([lang, label, "", "", "", "", s1, s2, "1", "1", "facetoface"])
  _write(tmp_path, "xnli.dev.tsv", rows)
  _write(tmp_path, "xnli.test.tsv", rows[:3])

  p = run_classifier.XnliProcessor()
  assert p.language == "zh"
  assert _summary(p.get_train_examples(str(tmp_path))) == [
      ("train-1", "从 概念 上 看", "产品 和 地理", "neutral"),
      ("train-2", "你 知道 吗", "你 不 知道", "contradiction"),
  ]
  assert _summary(p.get_dev_examples(str(tmp_path))) == [
      ("dev-2", "他说 , 妈妈", "他 说", "entailment"),
      ("dev-4", "我 在 家", "我 很 忙", "neutral"),
  ]
  assert _summary(p.get_test_examples(str(tmp_path))) == [
      ("test-2", "他说 , 妈妈", "他 说", "entailment")]

  de = run_classifier.XnliProcessor(language="de")
  assert _summary(de.get_train_examples(str(tmp_path))) == [
      ("train-1", "Ein Satz .", "Noch einer .", "entailment")]
  assert [e.guid for e in de.get_dev_examples(str(tmp_path))] == ["dev-3"]
  with pytest.raises(UsageError, match="no rows for language 'fr'"):
    run_classifier.XnliProcessor("fr").get_dev_examples(str(tmp_path))
  with pytest.raises(UsageError, match="multinli.train.fr.tsv"):
    run_classifier.XnliProcessor("fr").get_train_examples(str(tmp_path))


def test_sst2(tmp_path):
  _write(tmp_path, "train.tsv", [["sentence", "label"],
                                 ["hide new secretions ", "0"],
                                 ["the greatest musicians ", "1"]])
  _write(tmp_path, "dev.tsv", [["sentence", "label"],
                               ["it 's a charming journey . ", "1"]])
  _write(tmp_path, "test.tsv", [["index", "sentence"],
                                ["0", "uneasy mishmash of styles"]])
  p = run_classifier.Sst2Processor()
  assert _summary(p.get_train_examples(str(tmp_path))) == [
      ("train-1", "hide new secretions ", None, "0"),
      ("train-2", "the greatest musicians ", None, "1")]
  assert _summary(p.get_dev_examples(str(tmp_path))) == [
      ("dev-1", "it 's a charming journey . ", None, "1")]
  assert _summary(p.get_test_examples(str(tmp_path))) == [
      ("test-1", "uneasy mishmash of styles", None, "0")]


def test_qqp_skips_broken_rows(tmp_path):
  header = ["id", "qid1", "qid2", "question1", "question2", "is_duplicate"]
  _write(tmp_path, "train.tsv", [
      header,
      ["133273", "213221", "213222", "How is the life of a math student?",
       "Which level of prepration is enough?", "0"],
      ["402555", "536040"],  # A broken line, as the release has a few.
      ["360472", "364011", "490273", "How do I control my horny emotions?",
       "How do you control your horniness?", "1"],
  ])
  _write(tmp_path, "dev.tsv", [header, ["1", "2", "3", "Q one?", "Q two?",
                                        "1"]])
  _write(tmp_path, "test.tsv", [["id", "question1", "question2"],
                                ["0", "Why do rockets look white?",
                                 "Why are rockets white?"]])
  p = run_classifier.QqpProcessor()
  assert _summary(p.get_train_examples(str(tmp_path))) == [
      ("train-1", "How is the life of a math student?",
       "Which level of prepration is enough?", "0"),
      ("train-3", "How do I control my horny emotions?",
       "How do you control your horniness?", "1")]
  assert _summary(p.get_dev_examples(str(tmp_path))) == [
      ("dev-1", "Q one?", "Q two?", "1")]
  assert _summary(p.get_test_examples(str(tmp_path))) == [
      ("test-1", "Why do rockets look white?", "Why are rockets white?",
       "0")]
  assert p.task_metric == "f1"


@pytest.mark.parametrize("processor_class,labels", [
    (run_classifier.QnliProcessor, ["entailment", "not_entailment"]),
    (run_classifier.RteProcessor, ["entailment", "not_entailment"]),
    (run_classifier.WnliProcessor, ["0", "1"]),
])
def test_qnli_rte_wnli(tmp_path, processor_class, labels):
  header = ["index", "sentence1", "sentence2", "label"]
  _write(tmp_path, "train.tsv", [header,
                                 ["0", "First a.", "First b.", labels[1]],
                                 ["1", "Second a.", "Second b.", labels[0]]])
  _write(tmp_path, "dev.tsv", [header, ["0", "Dev a.", "Dev b.", labels[0]]])
  _write(tmp_path, "test.tsv", [header[:3], ["0", "Test a.", "Test b."]])
  p = processor_class()
  assert p.get_labels() == labels
  assert _summary(p.get_train_examples(str(tmp_path))) == [
      ("train-1", "First a.", "First b.", labels[1]),
      ("train-2", "Second a.", "Second b.", labels[0])]
  assert _summary(p.get_dev_examples(str(tmp_path))) == [
      ("dev-1", "Dev a.", "Dev b.", labels[0])]
  assert _summary(p.get_test_examples(str(tmp_path))) == [
      ("test-1", "Test a.", "Test b.", labels[0])]


def test_stsb_is_regression(tmp_path):
  header = ["index", "genre", "filename", "year", "old_index", "source1",
            "source2", "sentence1", "sentence2", "score"]
  _write(tmp_path, "train.tsv", [
      header,
      ["0", "main-captions", "MSRvid", "2012test", "0001", "none", "none",
       "A plane is taking off.", "An air plane is taking off.", "5.000"],
      ["1", "main-captions", "MSRvid", "2012test", "0004", "none", "none",
       "A man is playing a flute.", "A man is eating.", "0.800"],
  ])
  _write(tmp_path, "dev.tsv", [header, ["0"] * 7 + ["x y", "x z", "2.5"]])
  _write(tmp_path, "test.tsv", [header[:9], ["0"] * 7 + ["t a", "t b"]])
  p = run_classifier.StsbProcessor()
  assert p.is_regression
  assert p.get_labels() == run_classifier.REGRESSION_LABELS
  assert run_classifier.is_regression_label_list(p.get_labels())
  assert _summary(p.get_train_examples(str(tmp_path))) == [
      ("train-1", "A plane is taking off.", "An air plane is taking off.",
       5.0),
      ("train-2", "A man is playing a flute.", "A man is eating.", 0.8)]
  assert _summary(p.get_dev_examples(str(tmp_path))) == [
      ("dev-1", "x y", "x z", 2.5)]
  assert _summary(p.get_test_examples(str(tmp_path))) == [
      ("test-1", "t a", "t b", 0.0)]

  _write(tmp_path, "dev.tsv", [header, ["0"] * 7 + ["x y", "x z", "high"]])
  with pytest.raises(UsageError) as e:
    p.get_dev_examples(str(tmp_path))
  assert "dev.tsv line 2" in str(e.value) and "'high'" in str(e.value)


def test_missing_file_is_named(tmp_path):
  with pytest.raises(UsageError) as e:
    run_classifier.MrpcProcessor().get_train_examples(str(tmp_path))
  assert os.path.join(str(tmp_path), "train.tsv") in str(e.value)
  assert "not found" in str(e.value)


def test_unknown_label_names_file_and_line(tmp_path):
  _write(tmp_path, "dev.tsv", [["sentence", "label"], ["fine", "1"],
                               ["", ""], ["also fine", "positive"]])
  with pytest.raises(UsageError) as e:
    run_classifier.Sst2Processor().get_dev_examples(str(tmp_path))
  message = str(e.value)
  assert os.path.join(str(tmp_path), "dev.tsv") + " line 4" in message
  assert "'positive'" in message and "0, 1" in message


def test_too_few_columns_names_file_and_line(tmp_path):
  _write(tmp_path, "train.tsv", [["gj04", "1", "", "Fine."],
                                 ["gj04", "1 Not tab separated."]])
  with pytest.raises(UsageError) as e:
    run_classifier.ColaProcessor().get_train_examples(str(tmp_path))
  assert "train.tsv line 2" in str(e.value)
  assert "at least 4" in str(e.value)


def test_read_tsv_keeps_quotes_literal(tmp_path):
  path = _write(tmp_path, "x.tsv", [["a \"b", "c\""], ["\"d", "e"]])
  assert run_classifier.DataProcessor._read_tsv(path) == [
      ["a \"b", "c\""], ["\"d", "e"]]
  # With a quote character, csv quoting applies.
  path = _write(tmp_path, "y.tsv", [["\"a\tb\"", "c"]])
  assert run_classifier.DataProcessor._read_tsv(path, quotechar="\"") == [
      ["a\tb", "c"]]


def test_new_task_is_a_small_subclass(tmp_path):
  """The README's recipe for adding a task, end to end through get_processor."""

  class KeywordProcessor(run_classifier.DataProcessor):

    def get_train_examples(self, data_dir):
      return self._create_examples(
          self._read_tsv(os.path.join(data_dir, "train.tsv")), "train")

    def get_dev_examples(self, data_dir):
      return self._create_examples(
          self._read_tsv(os.path.join(data_dir, "dev.tsv")), "dev")

    def get_test_examples(self, data_dir):
      return self._create_examples(
          self._read_tsv(os.path.join(data_dir, "test.tsv")), "test")

    def get_labels(self):
      return ["no", "yes"]

    def _create_examples(self, lines, set_type):
      return [
          run_classifier.InputExample(
              guid="%s-%d" % (set_type, i), text_a=line[1],
              label=line[0] if set_type != "test" else "no")
          for (i, line) in enumerate(lines)
      ]

  _write(tmp_path, "train.tsv", [["yes", "a b"], ["no", "c"]])
  run_classifier.PROCESSORS["keyword"] = KeywordProcessor
  try:
    p = run_classifier.get_processor("Keyword")
    assert _summary(p.get_train_examples(str(tmp_path))) == [
        ("train-0", "a b", None, "yes"), ("train-1", "c", None, "no")]
  finally:
    del run_classifier.PROCESSORS["keyword"]
