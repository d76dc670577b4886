#!/usr/bin/env bash
# `make train-demo`: trains the demo's generator from scratch on the demo subject's own video, end
# to end, resumably (run it again after an interruption: finished steps are kept).
#   1. a project per camera view (cam01 = the demo, cam02, cam04: Projects/pose2sim-demo/README.md),
#      cam02's mirrored frames swapped back (the detector labels the subject's left as right there);
#   2. `posestudio dataset` of each at 256x128 (portrait): frames 0–79 of every view to train on,
#      cam01 frames 80–99 held out (the other views' 80–99 show the same moments, so they are left out);
#   3. Tools/train/train.py (PyTorch, CPU by default) until TRAIN_STEPS steps or TRAIN_HOURS hours;
#   4. the generator (float16 safetensors) copied to Projects/pose2sim-demo/weights/.
# Everything but the final weights lives under TRAIN_DIR (default .build-train, ignored by git);
# WEIGHTS_OUT names another place for the weights (a reproduction run that keeps the committed model).
# TRAIN_PREPARE_ONLY=1 stops after the datasets.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-.build/release/posestudio}
TRAIN_DIR=${TRAIN_DIR:-.build-train}
TRAIN_STEPS=${TRAIN_STEPS:-1212}
TRAIN_HOURS=${TRAIN_HOURS:-3}
TRAIN_THREADS=${TRAIN_THREADS:-2}
TRAIN_ARGS=${TRAIN_ARGS:-}
SIZE=256x128
DEMO=Projects/pose2sim-demo
WEIGHTS_OUT=${WEIGHTS_OUT:-$DEMO/weights/bdmm-demo.safetensors}

mkdir -p "$TRAIN_DIR"

project() {   # project NAME IMAGE POSES VIDEO: a project of one camera view, made once
  local name=$1 path=$TRAIN_DIR/$1.bdmm
  if [ ! -f "$path" ]; then
    rm -f "$path.tmp" "$path.tmp-wal" "$path.tmp-shm"
    "$BIN" new "$path.tmp" --image "$2" --poses "$3" --fps 60 --video "$4" >/dev/null
    if [ "$name" = cam02 ]; then
      # The detector mirrors the subject in these frames (README: "Extra views"); swap them back.
      for range in 41:62 63:64 65:66 67:75; do "$BIN" swap "$path.tmp" --frames "$range" >/dev/null; done
      "$BIN" swap "$path.tmp" --frames 81:82 --pair arm >/dev/null
    fi
    mv "$path.tmp" "$path"
  fi
}

dataset() {   # dataset NAME FRAMES: the training set of a view's frames, made once
  local out=$TRAIN_DIR/data-$1-${2/:/-}
  [ -d "$out" ] || "$BIN" dataset "$TRAIN_DIR/$1.bdmm" --out "$out" --size $SIZE --frames "$2" >&2
  echo "$out"
}

project cam01 $DEMO/source.png $DEMO/cam01_keypoints $DEMO/cam01.mp4
project cam02 $DEMO/cam02_source.png $DEMO/cam02_keypoints $DEMO/cam02.mp4
project cam04 $DEMO/cam04_source.png $DEMO/cam04_keypoints $DEMO/cam04.mp4

train=()
for cam in cam01 cam02 cam04; do train+=(--train "$(dataset $cam 0:80)"); done
heldout=$(dataset cam01 80:100)
[ -z "${TRAIN_PREPARE_ONLY:-}" ] || { echo "train-demo: datasets ready in $TRAIN_DIR"; exit 0; }

resume=()
[ -f "$TRAIN_DIR/run/checkpoint.pt" ] && resume=(--resume)
python3 Tools/train/train.py --run "$TRAIN_DIR/run" "${train[@]}" --heldout "$heldout" --ngf 16 \
  --steps "$TRAIN_STEPS" --hours "$TRAIN_HOURS" --threads "$TRAIN_THREADS" "${resume[@]}" $TRAIN_ARGS

mkdir -p "$(dirname "$WEIGHTS_OUT")"
cp "$TRAIN_DIR/run/generator.safetensors" "$WEIGHTS_OUT"
echo "train-demo: wrote $WEIGHTS_OUT; held-out metrics per checkpoint in $TRAIN_DIR/run/metrics.csv"
