# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Real sentiment sentences for the benchmarks: an SST-2-shaped task.

No GLUE data ships with the project and nothing may be fetched at run time,
so the distillation and serving benchmarks take their sentences from a
dev-only PyPI download: the source distribution of `vaderSentiment` (3.3.2)
carries the ground truth of Hutto & Gilbert (ICWSM 2014), human sentiment
ratings (mean of about 20 raters, -4 to +4) for

  movieReviewSnippets   10,605 Rotten Tomatoes review sentences: the
                        sentences of Pang & Lee (2005), from which the
                        Stanford Sentiment Treebank (and so SST-2) was built;
  amazonReviewSnippets   3,708 product review sentences;
  nytEditorialSnippets   5,190 newspaper editorial sentences;
  tweets                 4,200 tweets.

The task is SST-2's: a movie-review sentence, label 1 if its mean rating is
positive and 0 if negative; near-neutral sentences (|rating| < --min_rating)
are left out of the labeled sets as SST-2 leaves out neutral ones. After a
permutation with --split_seed the first --dev_size labeled movie sentences are
dev, the next --train_size are train; every other sentence of the four files
(the remaining movie sentences, neutral ones included, and the other three
kinds) is unlabeled transfer text, one per line.

Writes, in SST-2's layout for `run_classifier.py --task_name=sst-2`:
  <output_dir>/train.tsv, dev.tsv   header "sentence<TAB>label"
  <output_dir>/transfer.txt         one sentence per line, no label
  <output_dir>/README.txt           counts and provenance

Usage (from the repository root):
  .venv/bin/python bench/sentiment_data.py --output_dir=/tmp/rt
"""

import argparse
import glob
import os
import random
import subprocess
import sys
import tarfile
import tempfile

SOURCE = "vaderSentiment==3.3.2"
FILES = ("movieReviewSnippets", "amazonReviewSnippets",
         "nytEditorialSnippets", "tweets")


def fetch_sdist(cache_dir):
  """Path of the vaderSentiment sdist, downloading it once with pip."""
  found = glob.glob(os.path.join(cache_dir, "vaderSentiment-*.tar.gz"))
  if not found:
    os.makedirs(cache_dir, exist_ok=True)
    subprocess.check_call(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary",
         ":all:", "-q", "-d", cache_dir, SOURCE])
    found = glob.glob(os.path.join(cache_dir, "vaderSentiment-*.tar.gz"))
  return found[0]


def read_ground_truth(sdist):
  """{kind: [(rating, sentence)]} from the sdist's nested ICWSM archive."""
  out = {}
  with tarfile.open(sdist) as outer:
    member = next(m for m in outer.getmembers()
                  if m.name.endswith("hutto_ICWSM_2014.tar.gz"))
    with tempfile.TemporaryDirectory() as tmp:
      path = os.path.join(tmp, "inner.tar.gz")
      with open(path, "wb") as f:
        f.write(outer.extractfile(member).read())
      with tarfile.open(path) as inner:
        for kind in FILES:
          m = next(m for m in inner.getmembers()
                   if m.name.endswith(kind + "_GroundTruth.txt"))
          rows = []
          for line in inner.extractfile(m).read().decode("utf-8").splitlines():
            parts = line.strip().split("\t")
            if len(parts) < 3:
              continue
            sentence = " ".join(" ".join(parts[2:]).split())
            if sentence:
              rows.append((float(parts[1]), sentence))
          out[kind] = rows
  return out


def build(output_dir, sdist, train_size=2000, dev_size=1000, min_rating=0.5,
          split_seed=0):
  """Writes train.tsv, dev.tsv, transfer.txt; returns the counts."""
  data = read_ground_truth(sdist)
  movies = list(data["movieReviewSnippets"])
  random.Random(split_seed).shuffle(movies)
  labeled, rest = [], []
  for rating, sentence in movies:
    if abs(rating) >= min_rating and len(labeled) < dev_size + train_size:
      labeled.append((sentence, 1 if rating > 0 else 0))
    else:
      rest.append(sentence)
  dev, train = labeled[:dev_size], labeled[dev_size:]
  transfer = rest + [s for kind in FILES[1:] for _, s in data[kind]]
  random.Random(split_seed + 1).shuffle(transfer)
  os.makedirs(output_dir, exist_ok=True)
  for name, rows in (("train.tsv", train), ("dev.tsv", dev)):
    with open(os.path.join(output_dir, name), "w", encoding="utf-8") as f:
      f.write("sentence\tlabel\n")
      for sentence, label in rows:
        f.write("%s\t%d\n" % (sentence.replace("\t", " "), label))
  with open(os.path.join(output_dir, "transfer.txt"), "w",
            encoding="utf-8") as f:
    for sentence in transfer:
      f.write(sentence + "\n")
  counts = dict(train=len(train), dev=len(dev), transfer=len(transfer),
                train_positive=sum(l for _, l in train),
                dev_positive=sum(l for _, l in dev))
  with open(os.path.join(output_dir, "README.txt"), "w") as f:
    f.write("Built by bench/sentiment_data.py from %s (Hutto & Gilbert, "
            "ICWSM 2014 ground truth), split seed %d, min |rating| %g.\n%s\n"
            % (os.path.basename(sdist), split_seed, min_rating, counts))
  return counts


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--output_dir", required=True)
  parser.add_argument("--cache_dir",
                      default=os.path.expanduser("~/.cache/bert-bench"))
  parser.add_argument("--train_size", type=int, default=2000)
  parser.add_argument("--dev_size", type=int, default=1000)
  parser.add_argument("--min_rating", type=float, default=0.5)
  parser.add_argument("--split_seed", type=int, default=0)
  args = parser.parse_args()
  counts = build(args.output_dir, fetch_sdist(args.cache_dir),
                 args.train_size, args.dev_size, args.min_rating,
                 args.split_seed)
  print(counts)


if __name__ == "__main__":
  main()
