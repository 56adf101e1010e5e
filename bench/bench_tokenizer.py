# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""Tokenizer throughput: reference vs fast uncached vs fast cached.

Generates a few MB of English-like text deterministically (Zipf-distributed
words from a built-in list plus a long tail of made-up words, sentences with
punctuation, numbers, names and accented words), builds a WordPiece-style
vocabulary from it, then tokenizes the text line by line with three
`tokenization.FullTokenizer` configurations in the same run:

- reference: `fast=False`, the character-by-character algorithm, no cache;
- fast, no cache: `cache_size=0`;
- fast, cached: the default.

All three must give identical tokens (the script exits 1 otherwise). Prints a
markdown table of MB/s with ratios, for uncased and cased, over the whole
pass (starting from an empty cache) and over its second half (new text,
cache warmed by the first half).

  python bench/bench_tokenizer.py --mb=3
"""

import collections
import os
import random
import sys
import tempfile
import time

from absl import app
from absl import flags

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import tokenization  # pylint: disable=g-import-not-at-top,wrong-import-position

FLAGS = flags.FLAGS

flags.DEFINE_float("mb", 3.0, "Megabytes (UTF-8) of text to generate.")
flags.DEFINE_integer("seed", 12345, "Seed for the text generator.")
flags.DEFINE_integer("repeats", 2,
                     "Timed passes per configuration; the best is reported. "
                     "Each pass uses a fresh tokenizer, so cache warm-up is "
                     "included.")
flags.DEFINE_bool("reference", True,
                  "Also time the (slow) reference path. Without it, outputs "
                  "are checked against the fast uncached path.")
flags.DEFINE_integer("vocab_words", 4000,
                     "Most frequent whole words to put in the vocabulary.")
flags.DEFINE_integer("vocab_pieces", 1500,
                     "Most frequent word-initial and continuation pieces "
                     "(each) to put in the vocabulary.")

# Frequent English words, most frequent first.
_COMMON_WORDS = """
the of and to a in is it you that he was for on are with as i his they be at
one have this from or had by not word but what some we can out other were all
there when up use your how said an each she which do their time if will way
about many then them write would like so these her long make thing see him two
has look more day could go come did number sound no most people my over know
water than call first who may down side been now find any new work part take
get place made live where after back little only round man year came show
every good me give our under name very through just form sentence great think
say help low line differ turn cause much mean before move right boy old too
same tell does set three want air well also play small end put home read hand
port large spell add even land here must big high such follow act why ask men
change went light kind off need house picture try us again animal point mother
world near build self earth father head stand own page should country found
answer school grow study still learn plant cover food sun four between state
keep eye never last let thought city tree cross farm hard start might story saw
far sea draw left late run don't while press close night real life few north
open seem together next white children begin got walk example ease paper group
always music those both mark often letter until mile river car feet care second
book carry took science eat room friend began idea fish mountain stop once base
hear horse cut sure watch color face wood main enough plain girl usual young
ready above ever red list though feel talk bird soon body dog family direct pose
leave song measure door product black short numeral class wind question happen
complete ship area half rock order fire south problem piece told knew pass since
top whole king space heard best hour better true during hundred five remember
step early hold west ground interest reach fast verb sing listen six table
travel less morning ten simple several vowel toward war lay against pattern slow
center love person money serve appear road map rain rule govern pull cold notice
voice unit power town fine certain fly fall lead cry dark machine note wait plan
figure star box noun field rest correct able pound done beauty drive stood
contain front teach week final gave green oh quick develop ocean warm free
minute strong special mind behind clear tail produce fact street inch multiply
nothing course stay wheel full force blue object decide surface deep moon island
foot system busy test record boat common gold possible plane stead dry wonder
laugh thousand ago ran check game shape equate hot miss brought heat snow tire
bring yes distant fill east paint language among
""".split()

_NAMES = """
John Mary Johanson Smith Anna Peter London Paris Berlin Tokyo America Europe
Google Alice Robert Maria Thomas Elizabeth Amazon Microsoft Chicago Texas
""".split()

_ACCENTED = u"""
café naïve résumé façade Zürich São Ångström jalapeño über crème brûlée
déjà vu Málaga Montréal Kraków Bogotá piñata señor fiancée coöperate Øresund
""".split()

_SYLLABLES = """
ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo ga ge gi go ka ke ki
ko la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru
sa se si so su ta te ti to tu va ve vi vo za ze zi zo str pl tr ch sh th an en
in on un ar er ir or ur al el il ol
""".split()

_SUFFIXES = ["", "", "", "s", "ed", "ing", "ly", "er", "tion", "ness", "able"]


def _make_lexicon(rng, num_rare):
  """Common words followed by a long tail of made-up (inflected) words."""
  lexicon = list(_COMMON_WORDS)
  seen = set(lexicon)
  while len(lexicon) < len(_COMMON_WORDS) + num_rare:
    stem = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
    word = stem + rng.choice(_SUFFIXES)
    if word not in seen:
      seen.add(word)
      lexicon.append(word)
  return lexicon


def _random_number(rng):
  kind = rng.random()
  if kind < 0.3:
    return str(rng.randint(1900, 2030))
  if kind < 0.5:
    return "%d,%03d" % (rng.randint(1, 999), rng.randint(0, 999))
  if kind < 0.7:
    return "%d.%d" % (rng.randint(0, 99), rng.randint(0, 99))
  if kind < 0.85:
    return "%d%%" % rng.randint(1, 100)
  return "$%d" % rng.randint(1, 5000)


def generate_text(num_bytes, seed):
  """Deterministic English-like text of about `num_bytes` UTF-8 bytes.

  Returns:
    list of lines (paragraphs), without newlines.
  """
  rng = random.Random(seed)
  lexicon = _make_lexicon(rng, num_rare=20000)
  # Zipf-Mandelbrot weights 1 / (rank + 0.5), rank from 1: "the" gets about
  # 6% of the words, "of" 3.5% and "and" 2.5%, roughly as in English prose.
  cum_weights = []
  total = 0.0
  for rank in range(1, len(lexicon) + 1):
    total += 1.0 / (rank + 0.5)
    cum_weights.append(total)

  lines = []
  size = 0
  while size < num_bytes:
    sentences = []
    for _ in range(rng.randint(2, 7)):
      count = rng.randint(4, 24)
      words = rng.choices(lexicon, cum_weights=cum_weights, k=count)
      for i in range(count):
        r = rng.random()
        if r < 0.02:
          words[i] = _random_number(rng)
        elif r < 0.05:
          words[i] = rng.choice(_NAMES) + ("'s" if rng.random() < 0.3 else "")
        elif r < 0.065:
          words[i] = rng.choice(_ACCENTED)
        elif r < 0.07:
          words[i] = "%s-%s" % (words[i], rng.choice(_COMMON_WORDS))
        elif r < 0.12:
          words[i] += ","
      if rng.random() < 0.05:
        words[0] = "(" + words[0]
        words[-1] += ")"
      if rng.random() < 0.08:
        words[0] = '"' + words[0]
        words[-1] += '"'
      sentence = " ".join(words)
      end = rng.random()
      sentence += "." if end < 0.8 else ("?" if end < 0.92 else "!")
      sentences.append(sentence[0].upper() + sentence[1:])
    line = " ".join(sentences)
    lines.append(line)
    size += len(line.encode("utf-8")) + 1
  return lines


def build_vocab(lines, do_lower_case, num_words, num_pieces):
  """A WordPiece-style vocabulary for `lines`, by simple frequency counts.

  Specials, every character (alone and as "##" continuation), the most
  frequent words, and the most frequent word-initial and word-final pieces
  (2-5 characters) of the remaining words.
  """
  basic = tokenization.BasicTokenizer(do_lower_case=do_lower_case)
  counts = collections.Counter()
  for line in lines:
    counts.update(basic.tokenize(line))
  chars = sorted(set("".join(counts)))
  vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
  vocab += chars + ["##" + c for c in chars]
  frequent = [w for w, _ in counts.most_common(num_words) if len(w) > 1]
  vocab += frequent
  prefixes = collections.Counter()
  suffixes = collections.Counter()
  in_vocab = set(frequent)
  for word, count in counts.items():
    if word in in_vocab:
      continue
    for n in range(2, min(5, len(word) - 1) + 1):
      prefixes[word[:n]] += count
      suffixes["##" + word[-n:]] += count
  vocab += [p for p, _ in prefixes.most_common(num_pieces)]
  vocab += [s for s, _ in suffixes.most_common(num_pieces)]
  return list(collections.OrderedDict.fromkeys(vocab))


def time_tokenizer(make_tokenizer, lines, repeats):
  """Best CPU times of `repeats` passes, each with a fresh tokenizer.

  CPU time of this (single-threaded) process rather than wall time, so that
  other work on a shared machine does not count against the tokenizer.
  Each pass is timed as a whole (a cold cache included) and over its second
  half alone (text not seen before, cache warmed by the first half: the
  steady state of a long corpus).

  Returns:
    (seconds for the whole pass, seconds for the second half, tokens of the
    last pass as a list of lists).
  """
  half = len(lines) // 2
  best_whole = best_second = None
  tokens = None
  for _ in range(repeats):
    tokenizer = make_tokenizer()
    start = time.process_time()
    first = [tokenizer.tokenize(line) for line in lines[:half]]
    middle = time.process_time()
    second = [tokenizer.tokenize(line) for line in lines[half:]]
    end = time.process_time()
    tokens = first + second
    if best_whole is None or end - start < best_whole:
      best_whole = end - start
    if best_second is None or end - middle < best_second:
      best_second = end - middle
  return best_whole, best_second, tokens


_CONFIGS = (
    ("reference (per character, no cache)", dict(fast=False)),
    ("fast, no cache", dict(cache_size=0)),
    ("fast, cached (default)", dict()),
)


def run_benchmark(lines, do_lower_case, repeats, vocab_dir):
  """Times every configuration for one casing.

  Returns:
    (vocab size, list of (name, whole-pass seconds, second-half seconds,
    number of tokens)); raises AssertionError if any configuration's tokens
    differ from the reference's.
  """
  vocab = build_vocab(lines, do_lower_case, FLAGS.vocab_words,
                      FLAGS.vocab_pieces)
  vocab_file = os.path.join(vocab_dir, "vocab_%s.txt" %
                            ("uncased" if do_lower_case else "cased"))
  with open(vocab_file, "w", encoding="utf-8") as f:
    f.write("\n".join(vocab) + "\n")
  results = []
  reference_tokens = None
  configs = _CONFIGS if FLAGS.reference else _CONFIGS[1:]
  for name, kwargs in configs:
    whole, second, tokens = time_tokenizer(
        lambda: tokenization.FullTokenizer(  # pylint: disable=cell-var-from-loop
            vocab_file, do_lower_case=do_lower_case, **kwargs),
        lines, repeats)
    if reference_tokens is None:
      reference_tokens = tokens
    elif tokens != reference_tokens:
      raise AssertionError("%s: tokens differ from those of %s" %
                           (name, configs[0][0]))
    results.append((name, whole, second, sum(len(t) for t in tokens)))
  return len(vocab), results


def format_table(rows, megabytes, second_half_megabytes):
  """Markdown table; rows are (casing, name, whole s, second-half s)."""
  baselines = [n for n, _ in _CONFIGS[:2] if any(r[1] == n for r in rows)]
  short = {_CONFIGS[0][0]: "reference", _CONFIGS[1][0]: "no cache"}
  ratio_headers = "".join(" x %s |" % short[n] for n in baselines)
  ratio_align = "---:|" * len(baselines)
  out = ["| casing | path | MB/s whole pass |%s MB/s 2nd half |%s" %
         (ratio_headers, ratio_headers),
         "|---|---|---:|%s---:|%s" % (ratio_align, ratio_align)]
  for casing, name, whole, second in rows:
    base = {r[1]: r for r in rows if r[0] == casing}
    cells = ["%.2f" % (megabytes / whole)]
    cells += ["%.2f" % (base[n][2] / whole) for n in baselines]
    cells.append("%.2f" % (second_half_megabytes / second))
    cells += ["%.2f" % (base[n][3] / second) for n in baselines]
    out.append("| %s | %s | %s |" % (casing, name, " | ".join(cells)))
  return "\n".join(out)


def main(argv):
  del argv
  lines = generate_text(int(FLAGS.mb * 1e6), FLAGS.seed)
  sizes = [len(line.encode("utf-8")) + 1 for line in lines]
  megabytes = sum(sizes) / 1e6
  second_half_megabytes = sum(sizes[len(lines) // 2:]) / 1e6
  rows = []
  with tempfile.TemporaryDirectory() as vocab_dir:
    for do_lower_case in (True, False):
      casing = "uncased" if do_lower_case else "cased"
      vocab_size, results = run_benchmark(lines, do_lower_case, FLAGS.repeats,
                                          vocab_dir)
      print("%s: vocab of %d, %d tokens, identical on all paths" %
            (casing, vocab_size, results[0][3]))
      for name, whole, second, _ in results:
        rows.append((casing, name, whole, second))
  print("\nTokenizer throughput (CPU time, best of %d) on %.2f MB of generated "
        "text in %d lines; second half = the last %.2f MB:\n" %
        (FLAGS.repeats, megabytes, len(lines), second_half_megabytes))
  print(format_table(rows, megabytes, second_half_megabytes))


if __name__ == "__main__":
  app.run(main)
