#!/usr/bin/env bash
# The frozen full bundle as a user runs it, from dist/bpviz (BUNDLE=... for another):
#
#   BPVIZ_DEB=0 packaging/build.sh full      # first: the bundle (see BENCHMARKS.md for its
#   packaging/check_full_ranks.sh            #   size and time here)
#
# 1. bpviz-train --ranks 2: two gloo ranks on the CPU, started by the frozen bpviz-train
#    itself (torch's elastic launcher, each rank the program again: no Python anywhere),
#    on a tiny JPEG dataset made by bpviz-make-dataset; the run folder then holds one
#    writer's records (steps 2, 4, 6) and the checkpoint of step 6, and nothing printed a
#    traceback.
# 2. bpviz model.onnx: opens the model (a screenshot is written) where the bundle has onnx,
#    or says in one line why not (exit 2), never a traceback.
# Not run in CI: it needs the full bundle (a build of many minutes), and takes about a
# minute here on its own. PYTHON (default .venv's) makes the dataset and the model.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUNDLE=${BUNDLE:-$ROOT/dist/bpviz}
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
[ -x "$BUNDLE/bpviz-train" ] || { echo "no $BUNDLE/bpviz-train: build.sh full first" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
"$PYTHON" -m bpviz.train.make_dataset --classes 4 --train-per-class 8 --val-per-class 2 \
  --size 72 data >/dev/null
start=$(date +%s.%N)
if ! env -u LOCAL_RANK OMP_NUM_THREADS=1 timeout 600 "$BUNDLE/bpviz-train" --ranks 2 \
    --data data --image-size 64 --batch-size 4 --classes 4 --workers 0 --device cpu \
    --threads 1 --log-every 2 --max-steps 6 --out run >out.txt 2>err.txt; then
  echo "FAIL: bpviz-train --ranks 2 exited with an error:" >&2; tail -30 err.txt >&2; exit 1
fi
took=$(printf "%.1f" "$(echo "$(date +%s.%N) - $start" | bc)")
if grep -q Traceback err.txt out.txt; then
  echo "FAIL: a traceback:" >&2; tail -30 err.txt >&2; exit 1
fi
"$PYTHON" - <<'PY'
import json, torch
steps = [json.loads(line)["step"] for line in open("run/metrics.jsonl")
         if json.loads(line)["split"] == "train"]
assert steps == [2, 4, 6], f"records at steps {steps}, want [2, 4, 6] (one writer)"
assert torch.load("run/checkpoint.pt", weights_only=True)["step"] == 6
PY
echo "ok: bpviz-train --ranks 2 (gloo, CPU) from the frozen bundle in ${took} s"

"$PYTHON" -c "from bpviz.core import load_graph; from bpviz.interop import save_onnx
from bpviz.paths import example_path; save_onnx(load_graph(example_path('tiny_cnn')), 'model.onnx')"
set +e
QT_QPA_PLATFORM=offscreen timeout 120 "$BUNDLE/bpviz" model.onnx --loss CrossEntropyLoss \
  --screenshot shot.png >onnx_out.txt 2>onnx_err.txt
rc=$?
set -e
if [ $rc = 0 ] && [ -s shot.png ]; then
  echo "ok: bpviz model.onnx from the frozen bundle opens it (the bundle has onnx)"
elif [ $rc = 2 ] && [ "$(grep -vc propagateSizeHints onnx_err.txt)" = 1 ] \
    && grep -q "onnx package" onnx_err.txt && ! grep -q Traceback onnx_err.txt; then
  echo "ok: bpviz model.onnx from the frozen bundle says why not: $(grep -v propagateSizeHints onnx_err.txt)"
else
  echo "FAIL: bpviz model.onnx exited $rc:" >&2; cat onnx_err.txt >&2; exit 1
fi
