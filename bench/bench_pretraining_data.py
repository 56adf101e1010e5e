# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Throughput and peak memory of the pre-training data pipeline.

Generates a few MB of English-like text deterministically (documents of one
sentence per line, Zipf-distributed words from a made-up lexicon), then runs
the two data scripts as child processes, exactly as a user would:

1. learn_vocab.py             (vocabulary from the corpus)
2. create_pretraining_data.py (records; default flags except --dupe_factor),
   once per --short_seq_draw setting (both by default)

and reports wall time, instances/second and the peak resident memory of
each child (from os.wait4, so it is that process's own maximum). The time
to start Python and import TensorFlow is measured separately and reported
too, since on a small corpus it is a large part of the total.

For each --short_seq_draw setting it also reads the records back and
reports how many there are and which share is short (fewer real tokens than
--max_seq_length, i.e. padded: a short target or a document's end), so the
two ways of drawing the target length can be compared on the same text.

  python bench/bench_pretraining_data.py --mb=3 --dupe_factor=5

`--suite=scale` measures instead the memory and speed of corpus-scale data
generation, all in one run on one vocabulary (learnt from the first 4 MB):

- memory: peak RSS of the in-memory mode on 4 and 16 MB of text, and of
  `--streaming=true` on 4 and 64 MB (--dupe_factor=1: the records a run
  writes do not stay in memory in streaming mode, and the in-memory mode's
  growth shows as well with one pass);
- speed: instances/s of the in-memory mode, streaming with one worker and
  with `--num_workers=2` on 32 MB of text, once as 8 files of 4 MB and once
  as one file (--dupe_factor=5, 2 output shards in every streaming run).
  The runs are long enough (over a minute with one worker) that the ~3 s
  each worker spends importing TensorFlow weighs little.

The text of the scale suite is generated as above, 4 MB per file with a
different seed each (64 MB: 16 files).

  python bench/bench_pretraining_data.py --suite=scale
"""

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_SYLLABLES = ("ba be bi bo ca ce co da de di do fa fe fi ga go ka ke ki ko "
              "la le li lo ma me mi mo na ne ni no pa pe pi po ra re ri ro "
              "sa se si so ta te ti to va ve vi za zo str pl tr ch sh th an "
              "en in on ar er or al el il ol").split()
_SUFFIXES = ["", "", "", "s", "ed", "ing", "ly", "er", "tion", "ness"]
_FUNCTION_WORDS = ("the of and to a in is it that was for on are with as be "
                   "at by this from or had not but what all were when we "
                   "there can an your which their said if will each about "
                   "how up out them then she many some so these would").split()


def generate_corpus(path, num_bytes, seed):
  """Writes about `num_bytes` of text; returns (documents, sentences)."""
  rng = random.Random(seed)
  lexicon = list(_FUNCTION_WORDS)
  seen = set(lexicon)
  while len(lexicon) < 30000:
    word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 4)))
    word += rng.choice(_SUFFIXES)
    if word not in seen:
      seen.add(word)
      lexicon.append(word)
  cum_weights = []
  total = 0.0
  for rank in range(1, len(lexicon) + 1):
    total += 1.0 / (rank + 1.5)
    cum_weights.append(total)

  size = 0
  num_documents = 0
  num_sentences = 0
  with open(path, "w", encoding="utf-8") as f:
    while size < num_bytes:
      lines = []
      for _ in range(rng.randint(5, 60)):
        words = rng.choices(lexicon, cum_weights=cum_weights,
                            k=rng.randint(4, 30))
        for i in range(len(words)):
          if rng.random() < 0.06:
            words[i] += ","
        sentence = " ".join(words)
        lines.append(sentence[0].upper() + sentence[1:] + ".")
      text = "\n".join(lines) + "\n\n"
      f.write(text)
      size += len(text.encode("utf-8"))
      num_documents += 1
      num_sentences += len(lines)
  return num_documents, num_sentences


def run_child(args, cpu_seconds=None):
  """Runs a child process; returns (seconds, peak RSS in MB, stderr).

  The peak is the largest of the child and the processes it waited for (its
  workers). `cpu_seconds`, a list, receives their user + system time.
  """
  env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
  start = time.time()
  proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
  # Read stderr while the child runs so that a full pipe cannot block it.
  stderr = proc.stderr.read()
  proc.stderr.close()
  _, status, rusage = os.wait4(proc.pid, 0)
  seconds = time.time() - start
  proc.returncode = os.waitstatus_to_exitcode(status)
  if proc.returncode != 0:
    sys.stderr.write(stderr[-3000:])
    raise SystemExit("%s failed with status %d" % (args[1], proc.returncode))
  if cpu_seconds is not None:
    cpu_seconds.append(rusage.ru_utime + rusage.ru_stime)
  # ru_maxrss is in kilobytes on Linux.
  return seconds, rusage.ru_maxrss / 1024.0, stderr


def record_lengths(path):
  """Number of real tokens (the input_mask sum) of every record in `path`."""
  # Imported here, after the children ran: the parent's own start-up is not
  # what is measured, and the timing rows stay those of the children.
  os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  lengths = []
  for raw in tf.data.TFRecordDataset([path]):
    example = tf.train.Example.FromString(raw.numpy())
    lengths.append(sum(example.features.feature["input_mask"].int64_list.value))
  return lengths


def _machine():
  """CPU model, its bf16/AMX flags and the load average, for the report."""
  model = "unknown CPU"
  cpu_flags = set()
  with open("/proc/cpuinfo") as f:
    for line in f:
      if line.startswith("model name"):
        model = line.split(":", 1)[1].strip()
      elif line.startswith("flags"):
        cpu_flags.update(line.split(":", 1)[1].split())
  with open("/proc/loadavg") as f:
    load = " ".join(f.read().split()[:3])
  return "%s, %d cores, flags: %s; load average %s" % (
      model, os.cpu_count(), " ".join(sorted(
          cpu_flags & {"avx512_bf16", "amx_bf16", "amx_tile", "amx_int8"}))
      or "no avx512_bf16/amx", load)


def _data_run(python, inputs, output, vocab, args, dupe_factor, extra=()):
  """One create_pretraining_data.py child; returns (s, MB, instances, CPU s).
  """
  cpu_seconds = []
  seconds, peak_mb, log = run_child([
      python, "create_pretraining_data.py", "--input_file=" + ",".join(inputs),
      "--output_file=" + output, "--vocab_file=" + vocab,
      "--max_seq_length=%d" % args.max_seq_length,
      "--max_predictions_per_seq=%d" % args.max_predictions_per_seq,
      "--dupe_factor=%d" % dupe_factor] + list(extra), cpu_seconds)
  match = re.search(r"Wrote (\d+) total instances", log)
  return seconds, peak_mb, int(match.group(1)), cpu_seconds[0]


def scale_suite(args):
  """Memory and speed of the in-memory and streaming modes."""
  python = sys.executable
  print("Machine: " + _machine())
  streaming = ["--streaming=true", "--num_output_shards=2"]
  with tempfile.TemporaryDirectory() as tmp:
    files = []
    for index in range(16):
      path = os.path.join(tmp, "text-%02d.txt" % index)
      generate_corpus(path, int(4e6), args.seed + index)
      files.append(path)
    one_file = os.path.join(tmp, "text-32mb.txt")
    with open(one_file, "wb") as out:
      for path in files[:8]:
        with open(path, "rb") as f:
          out.write(f.read())
    vocab = os.path.join(tmp, "vocab.txt")
    run_child([python, "learn_vocab.py", "--input_file=" + files[0],
               "--output_file=" + vocab, "--vocab_size=%d" % args.vocab_size])
    # The fastest of three, as the load of a shared machine only adds.
    startup_cpu = []
    startup_s, startup_mb, _ = min(
        run_child([python, "-c", "import create_pretraining_data"],
                  startup_cpu) for _ in range(3))
    startup_cpu = [min(startup_cpu)]
    out = os.path.join(tmp, "out-{shard}.tfrecord")

    rows = [("python + import tensorflow", "", startup_s, startup_mb, 0,
             startup_cpu[0])]
    def run(name, inputs, dupe_factor, extra):
      result = _data_run(python, inputs, out, vocab, args, dupe_factor, extra)
      rows.append((name, "%d MB" % round(sum(
          os.path.getsize(p) for p in inputs) / 1e6)) + result)
      sys.stdout.write("  %s: %.1f s, %.1f CPU s\n" % (name, result[0],
                                                      result[3]))
      sys.stdout.flush()
      return result

    in_memory = ["--num_output_shards=2"]
    memory = {
        "in-memory 4 MB": run("in-memory, dupe 1", files[:1], 1, in_memory),
        "in-memory 16 MB": run("in-memory, dupe 1", files[:4], 1, in_memory),
        "streaming 4 MB": run("streaming, dupe 1", files[:1], 1, streaming),
        "streaming 64 MB": run("streaming, dupe 1", files, 1, streaming)}
    speed = {
        "in-memory": run("in-memory, 1 file, dupe 5", [one_file], 5,
                         in_memory),
        "1 worker, 1 file": run("streaming, 1 worker, 1 file, dupe 5",
                                [one_file], 5, streaming),
        "2 workers, 1 file": run("streaming, 2 workers, 1 file, dupe 5",
                                 [one_file], 5,
                                 streaming + ["--num_workers=2"]),
        "1 worker, 8 files": run("streaming, 1 worker, 8 files, dupe 5",
                                 files[:8], 5, streaming),
        "2 workers, 8 files": run("streaming, 2 workers, 8 files, dupe 5",
                                  files[:8], 5,
                                  streaming + ["--num_workers=2"])}
  print("Load average after the runs: " + _machine().rsplit("; ", 1)[1])
  print()
  print("| run | text | wall time | CPU time | peak RSS | instances | "
        "instances/s | instances/s without start-up | instances per CPU s |")
  print("|---|---|---|---|---|---|---|---|---|")
  for name, text, seconds, peak_mb, num, cpu in rows:
    if not num:
      print("| %s | | %.1f s | %.1f s | %.0f MB | | | | |" % (
          name, seconds, cpu, peak_mb))
      continue
    print("| %s | %s | %.1f s | %.1f s | %.0f MB | %d | %.0f | %.0f | %.0f |"
          % (name, text, seconds, cpu, peak_mb, num, num / seconds,
             num / max(seconds - startup_s, 1e-9), num / cpu))

  def rate(run_result, startups=1):
    """Instances/s after `startups` start-ups: the main process's import,
    then (with workers) theirs, which happen one after the other."""
    seconds, _, num, _ = run_result
    return num / max(seconds - startups * startup_s, 1e-9)
  print()
  print("Acceptance 1 (streaming peak RSS 64 MB / 4 MB <= 1.25): %.2f "
        "(in-memory 16 MB / 4 MB: %.2f)" % (
            memory["streaming 64 MB"][1] / memory["streaming 4 MB"][1],
            memory["in-memory 16 MB"][1] / memory["in-memory 4 MB"][1]))
  print("Acceptance 2 (streaming 1 worker / in-memory >= 1.0): %.2f "
        "(per CPU second: %.2f)" % (
            rate(speed["1 worker, 1 file"]) / rate(speed["in-memory"]),
            (speed["1 worker, 1 file"][2] / speed["1 worker, 1 file"][3]) /
            (speed["in-memory"][2] / speed["in-memory"][3])))
  for layout in ("8 files", "1 file"):
    one, two = speed["1 worker, " + layout], speed["2 workers, " + layout]
    print("Acceptance 2 (2 workers / 1 worker >= 1.7, %s): %.2f in wall "
          "time, %.2f without the main process's start-up, %.2f once the "
          "workers have started too" % (
              layout, one[0] / two[0], rate(two) / rate(one),
              rate(two, startups=2) / rate(one)))


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--mb", type=float, default=3.0,
                      help="Megabytes of text to generate.")
  parser.add_argument("--seed", type=int, default=12345)
  parser.add_argument("--dupe_factor", type=int, default=5)
  parser.add_argument("--max_seq_length", type=int, default=128)
  parser.add_argument("--max_predictions_per_seq", type=int, default=20)
  parser.add_argument("--vocab_size", type=int, default=8000)
  parser.add_argument(
      "--short_seq_draw", default="both",
      choices=["both", "per_document", "per_instance"],
      help="create_pretraining_data.py's --short_seq_draw; both runs it once "
      "per setting on the same corpus and vocabulary.")
  parser.add_argument(
      "--suite", default="draws", choices=["draws", "scale"],
      help="draws: the two --short_seq_draw settings on --mb of text; "
      "scale: in-memory vs streaming memory and speed.")
  args = parser.parse_args()
  if args.suite == "scale":
    scale_suite(args)
    return
  draws = (["per_document", "per_instance"] if args.short_seq_draw == "both"
           else [args.short_seq_draw])

  python = sys.executable
  with tempfile.TemporaryDirectory() as tmp:
    corpus = os.path.join(tmp, "corpus.txt")
    t0 = time.time()
    num_documents, num_sentences = generate_corpus(
        corpus, int(args.mb * 1e6), args.seed)
    corpus_mb = os.path.getsize(corpus) / 1e6
    print("Generated %.2f MB: %d documents, %d sentences (%.1fs)" %
          (corpus_mb, num_documents, num_sentences, time.time() - t0))

    startup_s, startup_mb, _ = run_child(
        [python, "-c", "import create_pretraining_data"])

    vocab = os.path.join(tmp, "vocab.txt")
    vocab_s, vocab_mb, _ = run_child([
        python, "learn_vocab.py", "--input_file=" + corpus,
        "--output_file=" + vocab, "--vocab_size=%d" % args.vocab_size])
    with open(vocab, encoding="utf-8") as f:
      vocab_tokens = sum(1 for _ in f)

    runs = []
    for draw in draws:
      output = os.path.join(tmp, "out-%s.tfrecord" % draw)
      data_s, data_mb, log = run_child([
          python, "create_pretraining_data.py", "--input_file=" + corpus,
          "--output_file=" + output, "--vocab_file=" + vocab,
          "--max_seq_length=%d" % args.max_seq_length,
          "--max_predictions_per_seq=%d" % args.max_predictions_per_seq,
          "--dupe_factor=%d" % args.dupe_factor,
          "--short_seq_draw=" + draw])
      match = re.search(r"Wrote (\d+) total instances", log)
      runs.append((draw, data_s, data_mb, int(match.group(1)),
                   os.path.getsize(output) / 1e6, record_lengths(output)))

  print()
  print("| step | wall time | peak RSS | throughput |")
  print("|---|---|---|---|")
  print("| python + import tensorflow | %.1f s | %.0f MB | |" %
        (startup_s, startup_mb))
  print("| learn_vocab.py (%d tokens) | %.1f s | %.0f MB | %.2f MB text/s |" %
        (vocab_tokens, vocab_s, vocab_mb, corpus_mb / vocab_s))
  for draw, data_s, data_mb, num_instances, _, _ in runs:
    work_s = max(data_s - startup_s, 1e-9)
    print("| create_pretraining_data.py (dupe_factor=%d, seq %d, %s) | "
          "%.1f s | %.0f MB | %.0f instances/s (%.0f without start-up) |" %
          (args.dupe_factor, args.max_seq_length, draw, data_s, data_mb,
           num_instances / data_s, num_instances / work_s))
  print()
  print("From %.2f MB of text (%d documents):" % (corpus_mb, num_documents))
  print()
  print("| --short_seq_draw | instances | MB of records | short (padded) "
        "instances | mean real tokens |")
  print("|---|---|---|---|---|")
  for draw, _, _, num_instances, output_mb, lengths in runs:
    assert len(lengths) == num_instances
    num_short = sum(1 for n in lengths if n < args.max_seq_length)
    print("| %s | %d | %.1f | %d (%.1f%%) | %.1f |" %
          (draw, num_instances, output_mb, num_short,
           100.0 * num_short / num_instances,
           sum(lengths) / float(num_instances)))
  if len(runs) == 2:
    print()
    print("per_document writes %+.1f%% instances relative to per_instance." %
          (100.0 * (runs[0][3] - runs[1][3]) / runs[1][3]))


if __name__ == "__main__":
  main()
