# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Every shell command in README.md and docs/*.md is run: here, or by the demo.

The commands are read from the ```shell / ```bash blocks of the pages, so a
command added to the documentation is covered the moment it is written: each
one is either

  (a) one of demo.sh's commands (after expanding the demo's variables, and
      reading the docs' `my_bert/` as the demo's `demo_output/`), which
      `make demo` runs; those are not run again here;
  (b) run for real, as written, by bash in a scratch directory holding copies
      of the scripts, with the variables the docs use ($BERT_BASE_DIR,
      $GLUE_DIR, $SQUAD_DIR, $CONLL_DIR, ...) pointing to tiny fixtures built
      below, `python` being this interpreter, and `/tmp/` read as the scratch
      directory's `tmp/`; the pages run in order, sharing files, so a later
      command may use what an earlier one wrote (the MRPC model, say);
  (c) in ALLOWED, a short list of commands that cannot run here, each with
      its reason; an entry that no longer matches any command fails too.

A placeholder such as `export BERT_BASE_DIR=/path/to/...` is the line the
fixtures stand in for. ```python blocks run too, as `python -` with the block
on standard input (the released model's directory and `vocab.txt` they name
are the fixture's), except one whose first line is a file name
(`# my_classifier.py`): that one is written to the file, for the commands
that run it.
"""

import glob
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
import time

import pytest

from tests import classifier_testdata
from tests import helpers
from tests import ner_testdata
from tests import squad_data

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The pages in the order their commands run (the README first: later pages
# use the MRPC model it trains). Every docs/*.md page must be listed.
PAGES = [
    "README.md",
    "docs/install.md",
    "docs/fine-tuning.md",
    "docs/squad.md",
    "docs/pre-training.md",
    "docs/feature-extraction.md",
    "docs/predicting-and-serving.md",
    "docs/converting.md",
    "docs/distillation.md",
    "docs/performance.md",
    "docs/troubleshooting.md",
    "docs/using-the-modules.md",
    "docs/runtimes.md",
    "docs/layout.md",
    "docs/development.md",
]

# Commands that cannot run inside a test, by regular expression (matched
# against the whole command), with the reason.
ALLOWED = [
    (r"make (demo|test)( PYTHON=\S+)?",
     "`make test` runs this suite, `make demo` is the demo; both create a "
     "virtual environment"),
    (r"make which-python.*", "depends on the interpreters of the machine"),
    (r"pip install .*|python3\.\d+ -m venv .*",
     "creates an environment, installs from the network "
     "(tests/test_pip_install.py installs the checkout into a fresh one)"),
    (r"python -m pytest .*", "the test suite itself"),
    (r"export TF_CONFIG=.*",
     "a multi-machine cluster (tests/test_distribution.py runs two workers "
     "on localhost)"),
    (r"python run_pretraining\.py .*--distribution=multi_worker.*",
     "a multi-machine cluster, gs:// paths"),
    (r"python - <<'PYTHON'\n.*from transformers import .*",
     "needs the transformers package, not a dependency "
     "(tests/test_convert_checkpoint.py checks the converted files)"),
    (r"python - <<'PYTHON'\n.*my_logits.*",
     "a sketch around the logits of the reader's own model"),
]

# The demo's `my_bert/` is `demo_output/`.
DEMO_PATHS = {"my_bert": "demo_output"}

FIXTURE_VARIABLES = ("BERT_BASE_DIR", "GLUE_DIR", "SQUAD_DIR", "CONLL_DIR",
                     "HF_MODEL_DIR", "SENTIMENT_DIR", "TRANSFER_FILE")

COMMAND_TIMEOUT_SECS = 600


# ----------------------------------------------------------------------------
# Reading commands out of Markdown and out of demo.sh
# ----------------------------------------------------------------------------


def _scan(text):
  """(text without a trailing comment, the quote left open at its end)."""
  quote = None
  i = 0
  while i < len(text):
    ch = text[i]
    if quote is None and ch == "\\":
      i += 1  # an escaped character
    elif quote is None and ch in "'\"":
      quote = ch
    elif quote == '"' and ch == "\\":
      i += 1
    elif ch == quote:
      quote = None
    elif quote is None and ch == "#" and (i == 0 or text[i - 1] in " \t\n"):
      return text[:i].rstrip(), None
    i += 1
  return text, quote


def split_commands(script):
  """Shell text -> commands: continuations joined, comments dropped."""
  commands = []
  current = None
  heredoc_end = None
  for line in script.splitlines():
    if heredoc_end is not None:  # a heredoc's body is kept as it is
      current += "\n" + line
      if line.strip() == heredoc_end:
        commands.append(current)
        current = heredoc_end = None
      continue
    if current is None:
      current, quote = _scan(line.strip())
      if not current:
        current = None
        continue
    elif current.endswith("\\"):
      current, quote = _scan(current[:-1].rstrip() + " " + line.strip())
    else:  # inside a quoted string that spans lines
      current, quote = _scan(current + "\n" + line)
    if current.endswith("\\") or quote:
      continue
    heredoc = re.search(r"<<-?\s*['\"]?(\w+)['\"]?", current)
    if heredoc:
      heredoc_end = heredoc.group(1)
      continue
    commands.append(current)
    current = None
  if current is not None:
    commands.append(current)
  return commands


def doc_commands():
  """[(page, command)] of every shell and Python block, in page order.

  A ```python block becomes the shell command that runs it,
  `python - <<'PYTHON'` ... `PYTHON`; one that starts with a file name is
  not a command (`doc_python_files`).
  """
  result = []
  for page in PAGES:
    path = os.path.join(ROOT, page)
    if not os.path.exists(path):
      continue
    with open(path, encoding="utf-8") as f:
      text = f.read()
    for indent, language, block in re.findall(
        r"^( *)```(shell|bash|sh|python)\n(.*?)^ *```", text,
        flags=re.M | re.S):
      if indent:  # a block inside a list item
        block = re.sub(r"^%s" % indent, "", block, flags=re.M)
      if language != "python":
        result.extend((page, command) for command in split_commands(block))
      elif not re.match(r"# \w+\.py\n", block):
        result.append((page, "python - <<'PYTHON'\n%sPYTHON" % block))
  return result


def doc_python_files():
  """{file name: text} of the ```python blocks that start `# NAME.py`."""
  files = {}
  for page in PAGES:
    path = os.path.join(ROOT, page)
    if os.path.exists(path):
      with open(path, encoding="utf-8") as f:
        for name, body in re.findall(
            r"^```python\n# (\w+\.py)\n(.*?)^```", f.read(),
            flags=re.M | re.S):
          files[name] = body
  return files


def _normalised(command):
  command = command.replace('"', "")
  return re.sub(r"\s+", " ", command).strip()


def demo_commands():
  """demo.sh's commands with its variables expanded, normalised."""
  with open(os.path.join(ROOT, "demo.sh"), encoding="utf-8") as f:
    script = f.read()
  variables = {"PYTHON": "python"}
  for name, value in re.findall(r"^(\w+)=(\S+)", script, flags=re.M):
    default = re.match(r'"\$\{\w+:-(.*)\}"$', value)
    variables.setdefault(name, default.group(1) if default else value)

  def expand(text):
    for _ in range(3):  # OUT's value may name another variable
      text = re.sub(r"\$\{?(\w+)\}?",
                    lambda m: variables.get(m.group(1), m.group(0)), text)
    return re.sub(r"\$\(\(([\w\s+*/-]+)\)\)", arithmetic, text)

  def arithmetic(match):  # $(( NAME / 10 )): integers only
    expression = re.sub(r"[A-Za-z_]\w*",
                        lambda m: variables.get(m.group(0), "?"),
                        match.group(1))
    if not re.fullmatch(r"[\d\s+*/-]+", expression):
      return match.group(0)
    return str(int(eval(expression.replace("/", "//"))))  # pylint: disable=eval-used

  result = set()
  for command in split_commands(script):
    command = re.sub(r'^run_step \S+ (--note "[^"]*" )?', "", command)
    result.add(_normalised(expand(command)))
  return result


def in_demo(command, demo):
  for ours, theirs in DEMO_PATHS.items():
    command = re.sub(r"(?<![\w/])%s/" % ours, theirs + "/", command)
  return _normalised(command) in demo


def allowed_reason(command):
  for pattern, reason in ALLOWED:
    if re.fullmatch(pattern, command, flags=re.S):
      return reason
  return None


def fixture_placeholder(command):
  """`export VAR=/path/to/...` for a variable the fixtures set."""
  match = re.fullmatch(r"export (\w+)=/path/to/\S*", command)
  return bool(match) and match.group(1) in FIXTURE_VARIABLES


def classify(commands, demo):
  """[(page, command, how)], how: "demo", "fixture", "run" or a reason."""
  result = []
  for page, command in commands:
    if fixture_placeholder(command):
      how = "fixture"
    elif in_demo(command, demo):
      how = "demo"
    else:
      how = allowed_reason(command) or "run"
    result.append((page, command, how))
  return result


# ----------------------------------------------------------------------------
# Fast checks of the reader itself and of the lists
# ----------------------------------------------------------------------------


def test_every_docs_page_is_read():
  pages = sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
  listed = [os.path.join(ROOT, page) for page in PAGES]
  assert [p for p in pages if p not in listed] == []


def test_split_commands_joins_continuations_and_heredocs():
  script = ("# a comment\n"
            "export A=/path/to/a   # where A is\n\n"
            "python x.py \\\n  --flag=1 \\\n  --other='a b'\n"
            "cat > f <<EOF\n{\"k\": 1}\nEOF\n"
            "export T='{\"x\": 1,\n  \"y\": 2}'\n")
  assert split_commands(script) == [
      "export A=/path/to/a",
      "python x.py --flag=1 --other='a b'",
      "cat > f <<EOF\n{\"k\": 1}\nEOF",
      "export T='{\"x\": 1,\n  \"y\": 2}'",
  ]


def test_demo_commands_are_recognised():
  demo = demo_commands()
  assert ("python learn_vocab.py --input_file=sample_text.txt "
          "--output_file=demo_output/vocab.txt --vocab_size=1000 "
          "--do_lower_case=True") in demo
  assert in_demo("python learn_vocab.py --input_file=sample_text.txt "
                 "--output_file=my_bert/vocab.txt --vocab_size=1000 "
                 "--do_lower_case=True", demo)
  assert not in_demo("python learn_vocab.py --input_file=sample_text.txt "
                     "--output_file=my_bert/vocab.txt --vocab_size=999 "
                     "--do_lower_case=True", demo)


def test_the_readme_is_a_front_page():
  with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
    text = f.read()
  assert len(text.splitlines()) < 400
  assert "make demo" in text and "make test" in text
  # A table of contents linking its sections and the docs pages.
  for page in glob.glob(os.path.join(ROOT, "docs", "*.md")):
    assert "(docs/%s" % os.path.basename(page) in text, page
  # Links within the pages point to files, and headings, that exist
  # (docs/runtimes.md is written with the runtimes, elsewhere).
  for page in PAGES:
    if page == "docs/runtimes.md":
      continue
    path = os.path.join(ROOT, page)
    if not os.path.exists(path):
      continue
    with open(path, encoding="utf-8") as f:
      links = re.findall(r"\]\(([^)#:]*)(?:#([^)]*))?\)", f.read())
    for target, anchor in links:
      target_path = os.path.join(os.path.dirname(path), target) if target \
          else path
      assert os.path.exists(target_path), (page, target)
      if anchor:
        assert anchor in _anchors(target_path), (page, target, anchor)


def _anchors(path):
  """The anchors GitHub gives the headings of a Markdown file."""
  with open(path, encoding="utf-8") as f:
    text = re.sub(r"^```.*?^```", "", f.read(), flags=re.M | re.S)
  return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
          for heading in re.findall(r"^#+ (.*)$", text, flags=re.M)}


def test_layout_names_every_module():
  with open(os.path.join(ROOT, "docs", "layout.md"), encoding="utf-8") as f:
    text = f.read()
  missing = [os.path.basename(path)
             for path in sorted(glob.glob(os.path.join(ROOT, "*.py")))
             if "`%s`" % os.path.basename(path) not in text]
  assert missing == [], "docs/layout.md does not say what these files hold"


def test_every_allowed_entry_is_used():
  commands = classify(doc_commands(), demo_commands())
  for pattern, reason in ALLOWED:
    assert any(how == reason for (_, _, how) in commands), (
        "ALLOWED entry matches no documented command any more: " + pattern)


# ----------------------------------------------------------------------------
# Running them
# ----------------------------------------------------------------------------


def _vocabulary():
  words = (classifier_testdata.VOCAB + ner_testdata.VOCAB +
           squad_data.vocab_tokens())
  # The docs' own example sentences.
  words += re.findall(r"\w+|[^\w\s]",
                      "the company said it expects higher sales . are "
                      "expected")
  return list(dict.fromkeys(words))


def build_fixtures(work):
  """A released-style tiny model and tiny GLUE, SQuAD and CoNLL data."""
  fixtures = os.path.join(work, "fixtures")
  bert = os.path.join(fixtures, "tiny_bert")
  os.makedirs(bert)
  vocab = _vocabulary()
  helpers.write_vocab(os.path.join(bert, "vocab.txt"), vocab)
  # Four layers: extract_features' default --layers=-1,-2,-3,-4.
  config = helpers.tiny_bert_config(vocab_size=len(vocab), num_hidden_layers=4,
                                    max_position_embeddings=512)
  helpers.write_bert_config(os.path.join(bert, "bert_config.json"), config)
  helpers.write_encoder_checkpoint(config,
                                   os.path.join(bert, "bert_model.ckpt"))
  os.remove(os.path.join(bert, "checkpoint"))  # a released model has none

  glue = os.path.join(fixtures, "glue_data")
  classifier_testdata.write_mrpc_folder(
      os.path.join(glue, "MRPC"), classifier_testdata.keyword_pairs(64, 1),
      classifier_testdata.keyword_pairs(8, 2),
      classifier_testdata.keyword_pairs(4, 3))

  # SST-2's layout, and unlabeled sentences of the same kind for the
  # distillation page's --transfer_file.
  sst2 = os.path.join(glue, "SST-2")
  os.makedirs(sst2)
  for name, count, seed in (("train", 64, 1), ("dev", 8, 2)):
    classifier_testdata.write_tsv(
        os.path.join(sst2, name + ".tsv"), [("sentence", "label")] + [
            (b, label)
            for label, _, b in classifier_testdata.keyword_pairs(count, seed)])
  classifier_testdata.write_tsv(
      os.path.join(sst2, "test.tsv"), [("index", "sentence")] + [
          (i, b) for i, (_, _, b) in enumerate(
              classifier_testdata.keyword_pairs(4, 3))])
  transfer = os.path.join(fixtures, "unlabeled_sentences.txt")
  with open(transfer, "w", encoding="utf-8") as f:
    f.write("".join(b + "\n" for _, _, b in
                    classifier_testdata.keyword_pairs(32, 4)))

  squad = os.path.join(fixtures, "squad")
  os.makedirs(squad)
  for version_2, train, dev in ((False, "train-v1.1.json", "dev-v1.1.json"),
                                (True, "train-v2.0.json", "dev-v2.0.json")):
    squad_data.write_dataset(os.path.join(squad, train), version_2=version_2)
    squad_data.write_dataset(os.path.join(squad, dev), version_2=version_2)

  # The layout of the docs' own task: label<TAB>text, no header.
  sentiment = os.path.join(fixtures, "sentiment")
  os.makedirs(sentiment)
  for name, count, seed in (("train", 64, 1), ("dev", 8, 2), ("test", 4, 3)):
    classifier_testdata.write_tsv(
        os.path.join(sentiment, name + ".tsv"),
        [("positive" if label == "1" else "negative", b)
         for label, _, b in classifier_testdata.keyword_pairs(count, seed)])

  conll = os.path.join(fixtures, "conll2003")
  os.makedirs(conll)
  for name, count, seed in (("train.txt", 32, 1), ("dev.txt", 8, 2),
                            ("test.txt", 8, 3)):
    ner_testdata.write_conll(os.path.join(conll, name),
                             ner_testdata.tagging_sentences(count, seed),
                             docstart=True)

  # A Hugging Face directory: the tiny model converted by the script itself.
  hf_dir = os.path.join(fixtures, "hf_model")
  subprocess.run(
      [sys.executable, "convert_checkpoint.py", "--direction=google_to_hf",
       "--input_dir=" + bert, "--output_dir=" + hf_dir,
       "--do_lower_case=True"],
      cwd=ROOT, check=True, capture_output=True, timeout=COMMAND_TIMEOUT_SECS)

  # A corpus in several files, for the corpus-scale commands: documents of
  # three sentences of sample_text.txt, enough for 256 output files.
  wiki = os.path.join(work, "wiki")
  os.makedirs(wiki)
  with open(os.path.join(ROOT, "sample_text.txt"), encoding="utf-8") as f:
    sentences = [line for line in f.read().splitlines() if line.strip()]
  rng = random.Random(0)
  for index in range(4):
    documents = ["\n".join(rng.sample(sentences, 3)) for _ in range(300)]
    with open(os.path.join(wiki, "part-%02d.txt" % index), "w",
              encoding="utf-8") as f:
      f.write("\n\n".join(documents) + "\n")

  return {"BERT_BASE_DIR": bert, "GLUE_DIR": glue, "SQUAD_DIR": squad,
          "CONLL_DIR": conll, "HF_MODEL_DIR": hf_dir,
          "SENTIMENT_DIR": sentiment, "TRANSFER_FILE": transfer,
          "SLURM_ARRAY_TASK_ID": "1"}


def _scratch_checkout(work, fixtures):
  """The scripts as a user's checkout has them, outside the repository."""
  for path in glob.glob(os.path.join(ROOT, "*.py")) + [
      os.path.join(ROOT, "sample_text.txt")]:
    shutil.copy(path, work)
  os.makedirs(os.path.join(work, "tmp"))
  # What the Python snippets name as the reader's own files.
  os.symlink(os.path.join(fixtures["BERT_BASE_DIR"], "vocab.txt"),
             os.path.join(work, "vocab.txt"))
  os.symlink(fixtures["BERT_BASE_DIR"],
             os.path.join(work, "uncased_L-12_H-768_A-12"))
  for name, text in doc_python_files().items():
    with open(os.path.join(work, name), "w", encoding="utf-8") as f:
      f.write(text)


def _run(command, work, env):
  """Runs `command` with bash; returns (returncode, output, env after)."""
  env_file = os.path.join(work, ".env_after")
  command = re.sub(r"(?<![\w.])/tmp/", os.path.join(work, "tmp") + "/",
                   command)
  script = "set -eao pipefail\n%s\nenv -0 > %s\n" % (command,
                                                     shlex.quote(env_file))
  result = subprocess.run(["bash", "-c", script], cwd=work, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=COMMAND_TIMEOUT_SECS)
  after = env
  if result.returncode == 0:
    with open(env_file) as f:
      after = dict(item.split("=", 1) for item in f.read().split("\0")
                   if "=" in item)
  return result.returncode, result.stdout, after


@pytest.mark.slow
def test_every_documented_command_runs(tmp_path):
  commands = classify(doc_commands(), demo_commands())
  unknown = [(page, c) for (page, c, how) in commands
             if how == "run" and not c.startswith("python - <<") and
             re.search(r"/path/to|\.\.\. ", c)]
  assert unknown == [], "placeholders in commands this test has to run"

  work = str(tmp_path)
  fixtures = build_fixtures(work)
  _scratch_checkout(work, fixtures)
  base_env = dict(os.environ)
  base_env.update(fixtures)
  base_env["PATH"] = (os.path.dirname(sys.executable) + os.pathsep +
                      base_env.get("PATH", ""))
  base_env["PYTHONPATH"] = ""
  base_env["TF_CPP_MIN_LOG_LEVEL"] = "2"

  env, page_of_env = base_env, None
  done = set()
  timings = []
  for page, command, how in commands:
    # The demo's pre-training runs are left to `make demo`; its other steps
    # (vocabulary, config, records) take seconds, and later commands on the
    # same page read what they write into my_bert/.
    demo_step = how == "demo" and "run_pretraining.py" not in command
    if how != "run" and not demo_step:
      continue
    if page != page_of_env:  # Each page starts from the fixtures' variables.
      env, page_of_env = base_env, page
    if command in done:
      continue
    start = time.time()
    returncode, output, env = _run(command, work, env)
    timings.append((time.time() - start, page, command.splitlines()[0][:70]))
    assert returncode == 0, "%s: command failed (exit %d):\n%s\n----\n%s" % (
        page, returncode, command, output[-4000:])
    done.add(command)
  for seconds, page, command in sorted(timings, reverse=True):
    print("%6.1fs  %s: %s" % (seconds, page, command))  # shown with -rP


def main():
  """Lists how each documented command is covered.

  python -m tests.test_docs_commands
  """
  commands = classify(doc_commands(), demo_commands())
  counts = {}
  for page, command, how in commands:
    kind = how if how in ("run", "demo", "fixture") else "allowed"
    counts[kind] = counts.get(kind, 0) + 1
    print("%-30s %-8s %s%s" % (page, kind, command.splitlines()[0][:80],
                               "" if kind != "allowed" else "  (%s)" % how))
  print("%d commands: %s" % (len(commands), ", ".join(
      "%d %s" % (n, kind) for kind, n in sorted(counts.items()))))


if __name__ == "__main__":
  main()
