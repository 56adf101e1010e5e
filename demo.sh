#!/usr/bin/env bash
# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
#
# `make demo`: pre-train a small BERT from scratch on sample_text.txt, then
# fine-tune it and extract features with it.
#
#   1. learn a WordPiece vocabulary from the text       -> demo_output/vocab.txt
#   2. write a small model config (2 layers, hidden 128) -> demo_output/bert_config.json
#   3. turn the text into masked-LM / next-sentence records
#   4. pre-train (1000 steps of 16 examples) and evaluate on fresh masks
#                                                        -> demo_output/pretraining/
#   5. fine-tune the pre-trained model on a word-order task made from the
#      same text, evaluate and predict                   -> demo_output/classifier/
#   6. extract per-token features of two sentences        -> demo_output/features.jsonl
#
# Every step is an ordinary command (see the README); their full logs go to
# demo_output/logs/. Run it as `make demo`, or `PYTHON=/path/to/python bash demo.sh`.

set -euo pipefail

PYTHON="${PYTHON:-python3}"
cd "$(dirname "$0")"

OUT=demo_output
LOGS="$OUT/logs"
# Small enough for a laptop CPU in a few minutes, big enough to learn.
VOCAB_SIZE=1000
MAX_SEQ_LENGTH=64
MAX_PREDICTIONS=10
TRAIN_STEPS="${DEMO_TRAIN_STEPS:-1000}"
SEED="${DEMO_SEED:-3}"

export TF_CPP_MIN_LOG_LEVEL=2   # keep TensorFlow's C++ start-up chatter out
rm -rf "$OUT"
mkdir -p "$LOGS"
START=$(date +%s)

# run_step NAME [--note TEXT] COMMAND...: runs a step with its log in
# $LOGS/NAME.log (a name without spaces, easy to open or grep) and shows the
# end of that log if the step fails.
run_step() {
  local name="$1" label="$1"
  shift
  if [ "$1" = --note ]; then
    label="$name: $2"
    shift 2
  fi
  local t0
  t0=$(date +%s)
  printf '==> %-58s' "$label"
  if "$@" >"$LOGS/$name.log" 2>&1; then
    printf ' %4ss\n' "$(( $(date +%s) - t0 ))"
  else
    echo " FAILED"
    echo "---- last lines of $LOGS/$name.log ----"
    tail -n 25 "$LOGS/$name.log"
    exit 1
  fi
}

run_step learn_vocab \
  "$PYTHON" learn_vocab.py \
    --input_file=sample_text.txt \
    --output_file="$OUT/vocab.txt" \
    --vocab_size="$VOCAB_SIZE" \
    --do_lower_case=True
echo "    $(wc -l < "$OUT/vocab.txt") tokens in $OUT/vocab.txt"

# The embedding table has one row per vocabulary entry.
cat > "$OUT/bert_config.json" <<EOF
{
  "attention_probs_dropout_prob": 0.1,
  "hidden_act": "gelu",
  "hidden_dropout_prob": 0.1,
  "hidden_size": 128,
  "initializer_range": 0.02,
  "intermediate_size": 512,
  "max_position_embeddings": 128,
  "num_attention_heads": 2,
  "num_hidden_layers": 2,
  "type_vocab_size": 2,
  "vocab_size": $(wc -l < "$OUT/vocab.txt")
}
EOF
echo "==> wrote $OUT/bert_config.json (2 layers, hidden 128, 2 heads)"

# Training data: many passes, each with fresh masks and sentence pairs.
run_step create_pretraining_data \
  "$PYTHON" create_pretraining_data.py \
    --input_file=sample_text.txt \
    --output_file="$OUT/train.tfrecord" \
    --vocab_file="$OUT/vocab.txt" \
    --do_lower_case=True \
    --max_seq_length="$MAX_SEQ_LENGTH" \
    --max_predictions_per_seq="$MAX_PREDICTIONS" \
    --masked_lm_prob=0.15 \
    --dupe_factor=20 \
    --random_seed=12345
# Evaluation data: the same text with masks and pairs never seen in training.
run_step create_eval_data \
  "$PYTHON" create_pretraining_data.py \
    --input_file=sample_text.txt \
    --output_file="$OUT/eval.tfrecord" \
    --vocab_file="$OUT/vocab.txt" \
    --do_lower_case=True \
    --max_seq_length="$MAX_SEQ_LENGTH" \
    --max_predictions_per_seq="$MAX_PREDICTIONS" \
    --masked_lm_prob=0.15 \
    --dupe_factor=2 \
    --random_seed=54321
grep -h "Wrote .* total instances" "$LOGS/create_pretraining_data.log" \
  | sed 's/.*Wrote/    training data: wrote/' | uniq
grep -h "Wrote .* total instances" "$LOGS/create_eval_data.log" \
  | sed 's/.*Wrote/    evaluation data: wrote/' | uniq

# Small batches, many updates: on a corpus this small it is the number of
# updates that gets the model past always guessing the most frequent tokens.
# Not every run gets there in 1000 steps: over seeds 1-5, seed 4 stays on
# that plateau (masked-LM accuracy 0.04-0.05) on both runtimes, and the
# fine-tuning below reaches 0.48-0.83 dev accuracy (per seed in the
# README).
# Seeded (DEMO_SEED, default 3), a run repeats its numbers on one runtime;
# the other runtime's differ a little (float rounding, amplified by 1000
# steps).
run_step run_pretraining_train --note "$TRAIN_STEPS steps" \
  "$PYTHON" run_pretraining.py \
    --input_file="$OUT/train.tfrecord" \
    --output_dir="$OUT/pretraining" \
    --do_train=True \
    --bert_config_file="$OUT/bert_config.json" \
    --train_batch_size=16 \
    --max_seq_length="$MAX_SEQ_LENGTH" \
    --max_predictions_per_seq="$MAX_PREDICTIONS" \
    --num_train_steps="$TRAIN_STEPS" \
    --num_warmup_steps="$(( TRAIN_STEPS / 10 ))" \
    --learning_rate=1e-3 \
    --save_checkpoints_steps="$TRAIN_STEPS" \
    --tf_random_seed="$SEED"

run_step run_pretraining_eval --note "on masks never seen in training" \
  "$PYTHON" run_pretraining.py \
    --input_file="$OUT/eval.tfrecord" \
    --output_dir="$OUT/pretraining" \
    --do_eval=True \
    --bert_config_file="$OUT/bert_config.json" \
    --eval_batch_size=32 \
    --max_seq_length="$MAX_SEQ_LENGTH" \
    --max_predictions_per_seq="$MAX_PREDICTIONS" \
    --max_eval_steps=100

echo
echo "***** Eval results *****"
sed 's/^/  /' "$OUT/pretraining/eval_results.txt"
echo
echo "A random guess gets masked_lm_accuracy ~ 1/$(wc -l < "$OUT/vocab.txt")" \
     "and next_sentence_accuracy ~ 0.5."
echo

# Fine-tuning: "is this sentence in its original word order or scrambled?",
# made from the same text (CoLA layout). Telling the two apart takes the
# word-order statistics that masked-LM pre-training learns: from random
# weights the same run stays at chance (0.5).
run_step make_word_order_task \
  "$PYTHON" demo_tasks.py \
    --task=word_order \
    --input_file=sample_text.txt \
    --output_dir="$OUT/word_order"

run_step run_classifier --note "fine-tune, evaluate, predict" \
  "$PYTHON" run_classifier.py \
    --task_name=cola \
    --do_train=True \
    --do_eval=True \
    --do_predict=True \
    --data_dir="$OUT/word_order" \
    --vocab_file="$OUT/vocab.txt" \
    --bert_config_file="$OUT/bert_config.json" \
    --init_checkpoint="$OUT/pretraining/model.ckpt-$TRAIN_STEPS" \
    --max_seq_length="$MAX_SEQ_LENGTH" \
    --train_batch_size=32 \
    --learning_rate=2e-4 \
    --num_train_epochs=10.0 \
    --output_dir="$OUT/classifier" \
    --tf_random_seed="$SEED"

echo
echo "***** Fine-tuning eval results (original vs scrambled word order) *****"
sed 's/^/  /' "$OUT/classifier/eval_results.txt"
echo "A random guess gets eval_accuracy ~ 0.5 and eval_mcc ~ 0."
echo "    $(wc -l < "$OUT/classifier/test_results.tsv") test predictions in" \
     "$OUT/classifier/test_results.tsv"
echo

# Feature extraction: per-token vectors of the last two layers.
printf '%s\n' \
  "The river carried the boat past the old mill. ||| The miller waved from the bank." \
  "Bread needs flour, water, salt and time." > "$OUT/extract_input.txt"
run_step extract_features \
  "$PYTHON" extract_features.py \
    --input_file="$OUT/extract_input.txt" \
    --output_file="$OUT/features.jsonl" \
    --vocab_file="$OUT/vocab.txt" \
    --bert_config_file="$OUT/bert_config.json" \
    --init_checkpoint="$OUT/pretraining/model.ckpt-$TRAIN_STEPS" \
    --layers=-1,-2 \
    --max_seq_length="$MAX_SEQ_LENGTH" \
    --batch_size=8
"$PYTHON" - "$OUT/features.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
  example = json.loads(line)
  tokens = [f["token"] for f in example["features"]]
  layers = example["features"][0]["layers"]
  print("    line %d: %d tokens (%s ...), layers %s, %d values each" % (
      example["linex_index"], len(tokens), " ".join(tokens[:6]),
      [layer["index"] for layer in layers], len(layers[0]["values"])))
PY

echo
echo "Demo done in $(( $(date +%s) - START ))s; outputs in $OUT/, logs in $LOGS/."
# The scripts need the environment's packages: a bare `python` may not
# have them (No module named 'absl').
BIN="$(dirname "$PYTHON")"
echo "Run the scripts yourself with this environment's Python:"
echo "    $PYTHON learn_vocab.py --help"
if [ -f "$BIN/activate" ]; then
  echo "or activate it first:  . $BIN/activate  and then  python learn_vocab.py --help"
fi
if [ -x "$BIN/tensorboard" ]; then
  echo "Loss and metrics curves:  $BIN/tensorboard --logdir=$OUT"
else
  echo "Loss and metrics curves:  $PYTHON -m pip install tensorboard," \
       "then  $BIN/tensorboard --logdir=$OUT"
fi
