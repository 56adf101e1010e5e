# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""The streaming mode of create_pretraining_data: bounded memory, in parallel.

The in-memory recipe (`pretraining_data`) holds every document and instance
of the corpus. Here the same instances are made with the same functions from
documents read one at a time: random next segments come from a pool of
other documents (`create_streaming_instances`) and records are shuffled
within a buffer (`shuffle_buffer`). The input is cut into one part per
output file at document boundaries (`plan_input_parts`), each part seeded
on its own (`part_rng`), so `num_workers` processes can make the parts in
parallel with the same output as one (`write_streaming_records`).
"""

import collections
import itertools
import multiprocessing
import multiprocessing.connection
import os
import pickle
import random
import sys
import threading
import time
import traceback

import tensorflow as tf

import pretraining_data
import record_utils
import script_utils
import tokenization

tf1 = tf.compat.v1

# Records a part sends to the writer at a time (and between progress counts).
_CHUNK_SIZE = 256

# Seconds between progress lines of a streaming run.
_PROGRESS_EVERY_SECS = 30.0


class StreamingSettings(collections.namedtuple("StreamingSettings", [
    "vocab_file", "do_lower_case", "max_seq_length", "max_predictions_per_seq",
    "dupe_factor", "short_seq_prob", "masked_lm_prob", "do_whole_word_mask",
    "short_seq_draw", "max_documents_in_memory", "shuffle_buffer_size",
    "random_seed"])):
  """Everything a part of a streaming run needs, picklable for workers.

  The flags of the same names; `random_seed` is the run's, each part derives
  its own from it (see `part_rng`).
  """


def part_rng(random_seed, part_index):
  """The `random.Random` of one part of a streaming run.

  Derived from the run's seed and the part's index only, so a part's
  records do not depend on which worker makes them, nor on how many there
  are: the output is the same for any --num_workers.
  """
  return random.Random("%d/%d" % (random_seed, part_index))


def create_streaming_instances(documents, max_documents_in_memory,
                               dupe_factor, rng, source="the input",
                               **instance_args):
  """Yields `TrainingInstance`s from a stream of documents, in bounded memory.

  The in-memory algorithm (`create_training_instances`) draws random next
  segments from the whole corpus; here they come from a pool of at most
  `max_documents_in_memory` other documents. The pool is first filled with
  the first documents of the stream, which are then cut as the in-memory
  algorithm cuts them, with the pool as the corpus. After that each document
  is cut with the pool (which never holds it) as the other documents and
  then offered to the pool by reservoir sampling (Vitter's algorithm R): the
  pool stays a uniform sample of the documents read so far. Each document is
  cut `dupe_factor` times in a row, while it is in memory, instead of once
  per pass over the corpus.

  Args:
    documents: iterable of documents (lists of sentences, each a list of
      tokens), read lazily.
    max_documents_in_memory: int >= 1, size of the pool.
    dupe_factor: int, times each document is cut.
    rng: `random.Random`, the only source of randomness.
    source: str, what the documents are, for the error message.
    **instance_args: the remaining arguments of
      `create_instances_from_document` (max_seq_length, short_seq_prob,
      masked_lm_prob, max_predictions_per_seq, vocab_words,
      do_whole_word_mask, short_seq_draw).

  Yields:
    `TrainingInstance`, in the order they are made (not shuffled).

  Raises:
    script_utils.UsageError: the stream holds a single document.
  """
  documents = iter(documents)
  pool = list(itertools.islice(documents, max_documents_in_memory))
  if len(pool) == 1:
    raise script_utils.UsageError(
        "%s holds a single document; random next sentences need at least "
        "two (documents are separated by blank lines)" % source)
  for document_index in range(len(pool)):
    for _ in range(dupe_factor):
      for instance in pretraining_data.create_instances_from_document(
          pool, document_index, rng=rng, **instance_args):
        yield instance

  num_seen = len(pool)
  for document in documents:
    # The current document goes at the end of the pool only while it is cut,
    # so that random next segments come from the others.
    pool.append(document)
    for _ in range(dupe_factor):
      for instance in pretraining_data.create_instances_from_document(
          pool, len(pool) - 1, rng=rng, **instance_args):
        yield instance
    pool.pop()
    num_seen += 1
    slot = rng.randrange(num_seen)
    if slot < len(pool):
      pool[slot] = document


def shuffle_buffer(items, buffer_size, rng):
  """Yields `items` shuffled within a buffer of `buffer_size` of them.

  Each item waits in the buffer until a random later arrival replaces it
  (as in `tf.data.Dataset.shuffle`), so an item moves by up to about
  `buffer_size` places; the buffer's remainder is shuffled at the end.
  """
  buffer = []
  for item in items:
    if len(buffer) < buffer_size:
      buffer.append(item)
      continue
    slot = rng.randrange(buffer_size)
    yield buffer[slot]
    buffer[slot] = item
  rng.shuffle(buffer)
  for item in buffer:
    yield item


def next_document_start(path, offset):
  """The first byte offset after `offset` at which a document starts.

  That is the offset after the first blank line that starts after `offset`
  (or the file size): cutting a file there splits no document, so parts
  read separately hold the same documents as the whole file.

  Args:
    path: text file path (local or gs://).
    offset: int, byte offset in the file.

  Returns:
    int, a byte offset > `offset`, or the file size.
  """
  with tf.io.gfile.GFile(path, "rb") as reader:
    reader.seek(offset)
    position = offset
    # The rest of the line `offset` falls in: a line starting before
    # `offset`, or at it, is not after it.
    partial = reader.readline()
    position += len(partial)
    while True:
      raw_line = reader.readline()
      if not raw_line:
        return position
      position += len(raw_line)
      if not raw_line.decode("utf-8", "replace").strip():
        return position


def plan_input_parts(input_files, file_sizes, num_parts,
                     find_document_start=next_document_start):
  """Cuts the input into `num_parts` parts of about the same size in bytes.

  The files are taken as one sequence of bytes, in the given order, cut at
  equal distances, and each cut moved forward to the next document start, so
  a part is a list of whole documents: whole files, or ranges of documents
  of a file larger than a part.

  Args:
    input_files: list of paths, in reading order.
    file_sizes: list of their sizes in bytes.
    num_parts: int >= 1.
    find_document_start: function (path, offset) -> offset, see
      `next_document_start`.

  Returns:
    list of `num_parts` parts; a part is a list of (path, start, end) byte
    ranges. A part may be empty when the documents are fewer than the parts.
  """
  file_starts = [0]
  for size in file_sizes:
    file_starts.append(file_starts[-1] + size)
  total = file_starts[-1]
  cuts = [0]
  for k in range(1, num_parts):
    cut = max(total * k // num_parts, cuts[-1])
    file_index = 0
    while file_index < len(input_files) and file_starts[file_index + 1] <= cut:
      file_index += 1
    if file_index < len(input_files) and cut > file_starts[file_index]:
      local = find_document_start(input_files[file_index],
                                  cut - file_starts[file_index])
      cut = file_starts[file_index] + min(local, file_sizes[file_index])
    cuts.append(cut)
  cuts.append(total)

  parts = []
  for begin, end in zip(cuts[:-1], cuts[1:]):
    part = []
    for path, file_start, size in zip(input_files, file_starts, file_sizes):
      start = max(begin, file_start) - file_start
      stop = min(end, file_start + size) - file_start
      if start < stop:
        part.append((path, start, stop))
    parts.append(part)
  return parts


def read_lines_in_range(path, start, end, counts):
  """Yields the UTF-8 lines of bytes [start, end) of a text file.

  Args:
    path: text file path (local or gs://).
    start: int, byte offset of a line start.
    end: int, offset where reading stops (after the line it falls in).
    counts: dict whose "bytes" entry is increased by each line's bytes.

  Yields:
    str, one line at a time, with its line ending.

  Raises:
    script_utils.UsageError: naming the file and byte offset of the first
      byte that is not UTF-8.
  """
  with tf.io.gfile.GFile(path, "rb") as reader:
    reader.seek(start)
    position = start
    while position < end:
      raw_line = reader.readline()
      if not raw_line:
        return
      try:
        line = raw_line.decode("utf-8")
      except UnicodeDecodeError as e:
        raise script_utils.UsageError(
            "%s byte %d: not valid UTF-8 (byte 0x%02x); convert the file to "
            "UTF-8" % (path, position + e.start, raw_line[e.start]))
      position += len(raw_line)
      counts["bytes"] += len(raw_line)
      yield line


def _documents_of_part(part, tokenizer, counts):
  for (path, start, end) in part:
    for document in pretraining_data.documents_from_lines(
        read_lines_in_range(path, start, end, counts), tokenizer):
      counts["documents"] += 1
      yield document


def stream_part_records(part, part_index, settings, tokenizer):
  """Makes the serialized records of one part of the input, streaming.

  Documents are read lazily (see `create_streaming_instances`), each
  instance is serialized at once, and the records pass through a shuffle
  buffer of `settings.shuffle_buffer_size`. Memory is bounded by
  `max_documents_in_memory` documents and `shuffle_buffer_size` records,
  whatever the size of the part.

  Args:
    part: list of (path, start, end) byte ranges, see `plan_input_parts`.
    part_index: int, the part's index (it seeds the part's randomness).
    settings: `StreamingSettings`.
    tokenizer: `tokenization.FullTokenizer`.

  Yields:
    (records, num_documents, num_bytes): a list of at most `_CHUNK_SIZE`
    serialized `tf.train.Example`s, and the documents and bytes of input
    read since the previous chunk. The last chunk may have no records.
  """
  rng = part_rng(settings.random_seed, part_index)
  counts = {"documents": 0, "bytes": 0}
  instances = create_streaming_instances(
      _documents_of_part(part, tokenizer, counts),
      settings.max_documents_in_memory, settings.dupe_factor, rng,
      source="part %d of the input (%s; one part per output file)" % (
          part_index, ", ".join("%s bytes %d-%d" % r for r in part)),
      max_seq_length=settings.max_seq_length,
      short_seq_prob=settings.short_seq_prob,
      masked_lm_prob=settings.masked_lm_prob,
      max_predictions_per_seq=settings.max_predictions_per_seq,
      vocab_words=list(tokenizer.vocab.keys()),
      do_whole_word_mask=settings.do_whole_word_mask,
      short_seq_draw=settings.short_seq_draw)

  def serialized():
    for index, instance in enumerate(instances):
      example = pretraining_data.instance_to_example(
          instance, tokenizer, settings.max_seq_length,
          settings.max_predictions_per_seq)
      if part_index == 0 and index < pretraining_data.NUM_LOGGED_INSTANCES:
        pretraining_data.log_example(instance, example)
      yield example.SerializeToString(deterministic=True)

  records = []
  reported = {"documents": 0, "bytes": 0}
  for record in shuffle_buffer(serialized(), settings.shuffle_buffer_size,
                               rng):
    records.append(record)
    if len(records) == _CHUNK_SIZE:
      yield (records, counts["documents"] - reported["documents"],
             counts["bytes"] - reported["bytes"])
      reported = dict(counts)
      records = []
  yield (records, counts["documents"] - reported["documents"],
         counts["bytes"] - reported["bytes"])


def _exit_when_orphaned(parent_pid):
  """Ends this worker once its parent is gone.

  A parent killed outright (SIGKILL, out of memory) runs no clean-up, and
  its workers would wait forever: on a full queue, or for their next part
  (the task queue's pipe stays open in the other workers).
  """
  while os.getppid() == parent_pid:
    time.sleep(1.0)
  os._exit(1)  # pylint: disable=protected-access


class _WorkerFailure(object):
  """A worker's exception, sent to the parent in place of a chunk."""

  def __init__(self, exception, traceback_text):
    try:
      pickle.dumps(exception)
    except Exception:  # pylint: disable=broad-except
      # Some exceptions (e.g. with unpicklable arguments) cannot travel.
      exception = RuntimeError("%s: %s" % (type(exception).__name__,
                                           exception))
    self.exception = exception
    self.traceback_text = traceback_text


class _RemoteTraceback(Exception):
  """The worker's traceback, as the cause of the exception re-raised here."""

  def __str__(self):
    return "\n" + self.args[0]


def _worker_main(settings, task_queue, connection):
  """A worker process: parts from `task_queue` until None; their chunks, and
  None at the end of each part, through its own pipe to the parent."""
  tokenizer = tokenization.FullTokenizer(settings.vocab_file,
                                        settings.do_lower_case)
  threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),),
                   daemon=True).start()
  while True:
    task = task_queue.get()
    if task is None:
      connection.close()
      return
    part, part_index = task
    try:
      for chunk in stream_part_records(part, part_index, settings,
                                       tokenizer):
        connection.send((part_index, chunk))
    except BaseException as e:  # pylint: disable=broad-except
      connection.send((part_index,
                       _WorkerFailure(e, traceback.format_exc())))
      connection.close()
      sys.exit(1)
    # The end of the part.
    connection.send((part_index, None))


def _part_chunks_in_workers(parts, settings, num_workers):
  """Yields (part_index, chunk) from `num_workers` processes, or None at the
  end of a part.

  A worker's exception is raised here with its traceback as the cause. Each
  worker writes to a pipe of its own, so one that dies without a word
  (killed, out of memory) closes it, even in the middle of a message, and
  the run ends with an error instead of waiting forever for its part.
  """
  # TensorFlow is imported, and forking a process that has imported it is
  # unsafe: the workers start fresh.
  context = multiprocessing.get_context("spawn")
  task_queue = context.Queue()
  for index, part in enumerate(parts):
    task_queue.put((part, index))
  for _ in range(num_workers):
    task_queue.put(None)
  workers = {}
  try:
    for _ in range(num_workers):
      # A pipe holds about one chunk, so memory stays bounded if writing
      # falls behind: a worker waits in send().
      reader, writer = context.Pipe(duplex=False)
      worker = context.Process(target=_worker_main,
                               args=(settings, task_queue, writer),
                               daemon=True)
      worker.start()
      # The worker's end now lives in the worker only: its exit closes it.
      writer.close()
      workers[reader] = worker
    parts_left = len(parts)
    while parts_left:
      if not workers:
        raise RuntimeError("the workers ended with %d part(s) left" %
                           parts_left)
      for reader in multiprocessing.connection.wait(list(workers)):
        try:
          part_index, chunk = reader.recv()
        except (EOFError, OSError) as e:
          # The worker's end of the pipe closed: EOFError between messages,
          # OSError ("got end of file during message") when it died while
          # sending one.
          worker = workers.pop(reader)
          worker.join()
          if worker.exitcode != 0:
            raise script_utils.UsageError(
                "a worker process ended with exit code %d before its part "
                "was done (killed, or out of memory: lower --num_workers, "
                "--max_documents_in_memory or --shuffle_buffer_size)" %
                worker.exitcode)
          if not isinstance(e, EOFError):
            raise
          continue
        if isinstance(chunk, _WorkerFailure):
          raise chunk.exception from _RemoteTraceback(chunk.traceback_text)
        if chunk is None:
          parts_left -= 1
        yield part_index, chunk
  finally:
    for worker in workers.values():
      if worker.is_alive():
        worker.terminate()
    for worker in workers.values():
      worker.join()


def _part_chunks_in_process(parts, settings, tokenizer):
  for part_index, part in enumerate(parts):
    for chunk in stream_part_records(part, part_index, settings, tokenizer):
      yield part_index, chunk
    yield part_index, None


class _StreamingProgress(object):
  """Logs documents and instances done, instances/s, the bytes of input read
  and an estimate of the time left (from the bytes), every few seconds."""

  def __init__(self, total_bytes, every_secs=_PROGRESS_EVERY_SECS):
    self._every_secs = every_secs
    self._last_log = time.time()
    self.documents = 0
    # Counted and formatted by ProgressLogger, logged here in one line.
    self.instances = script_utils.ProgressLogger("instances",
                                                 every_secs=float("inf"))
    self.input_bytes = script_utils.ProgressLogger(
        "bytes of input read", total=total_bytes, every_secs=float("inf"))

  def update(self, num_instances, num_documents, num_bytes):
    self.documents += num_documents
    self.instances.update(num_instances)
    self.input_bytes.update(num_bytes)
    now = time.time()
    if now - self._last_log >= self._every_secs:
      self._last_log = now
      tf1.logging.info("%s", self.status(now))

  def status(self, now=None):
    return "Streaming: %d documents; %s; %s" % (
        self.documents, self.instances.status(now),
        self.input_bytes.status(now))


def write_streaming_records(input_files, output_files, settings, tokenizer,
                            num_workers=1):
  """Streaming mode: records from the input in bounded memory, in parallel.

  The input files, in an order shuffled with `settings.random_seed`, are
  cut into one part per output file, balanced in bytes (see
  `plan_input_parts`); each part's documents become records in the part's
  own output file (see `stream_part_records`). With `num_workers` > 1 the
  parts are made by that many processes, and the records sent to this one
  to be written. All files appear only once every part is complete.

  Args:
    input_files: list of text file paths.
    output_files: list of output paths, one per part.
    settings: `StreamingSettings`.
    tokenizer: `tokenization.FullTokenizer` of `settings.vocab_file`.
    num_workers: int, processes making the parts (1: this one).

  Returns:
    list of int, the records written to each output file.

  Raises:
    script_utils.UsageError: a part of the input holds a single document.
  """
  input_files = list(input_files)
  random.Random(settings.random_seed).shuffle(input_files)
  file_sizes = [tf.io.gfile.stat(path).length for path in input_files]
  parts = plan_input_parts(input_files, file_sizes, len(output_files))
  tf1.logging.info(
      "Streaming %.1f MB of input from %d file(s) into %d part(s) with %d "
      "worker(s)", sum(file_sizes) / 1e6, len(input_files), len(parts),
      num_workers)

  if num_workers > 1:
    chunks = _part_chunks_in_workers(parts, settings, num_workers)
  else:
    chunks = _part_chunks_in_process(parts, settings, tokenizer)
  progress = _StreamingProgress(sum(file_sizes))
  counts = [0] * len(parts)
  with record_utils.atomic_record_writers(output_files) as writers:
    for part_index, chunk in chunks:
      if chunk is None:
        continue
      records, num_documents, num_bytes = chunk
      for record in records:
        writers[part_index].write(record)
      counts[part_index] += len(records)
      progress.update(len(records), num_documents, num_bytes)
  tf1.logging.info("%s", progress.status())
  tf1.logging.info("Wrote %d total instances", sum(counts))
  return counts
