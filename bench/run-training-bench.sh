#!/usr/bin/env bash
# Training-step benchmark: our full step (PairBatchSampler.Build + Trainer.Step) against the PyTorch twin
# (bench/TrainingBench/pytorch_step.py), measured in alternating processes so both sides see the same machine load.
#
# usage: bench/run-training-bench.sh [config...]
#        (default: tiny-b2 tiny-b8 small-b2 small-b16 paper-b2 imagenet-resnet18)
# env:   ROUNDS (3)  WARMUP (2)  STEPS (per config: tiny 20, small 10, paper 5)  BENCH_THREADS (2, both sides)
#        VARIANTS (fp32 channels-last bf16): our levers, each a C# process per round next to the one PyTorch process
#        OMP_WAIT_POLICY is passed to both sides (both use libgomp); see bench/README.md for why it matters here.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-2}
export BENCH_THREADS=${BENCH_THREADS:-2}
PY=/usr/bin/python3   # Debian's python, where python3-torch lives (a pyenv python3 may come first on PATH)

if ! "$PY" -c "import torch, torchvision" 2>/dev/null; then
  echo "installing Debian's python3-torch and python3-torchvision (about 640 MB)" >&2
  $([ "$(id -u)" = 0 ] || echo sudo) apt-get install -y --no-install-recommends python3-torch python3-torchvision >&2
fi
dotnet build bench/TrainingBench -c Release --nologo -v q >&2
BENCH="dotnet bench/TrainingBench/bin/Release/net10.0/linux-x64/TrainingBench.dll"

steps_for() {
  if [ -n "${STEPS:-}" ]; then echo "$STEPS"; return; fi
  case $1 in paper*) echo 5 ;; small*) echo 10 ;; *) echo 20 ;; esac
}

out=$(mktemp -d)
results=$out/results.jsonl
echo "{\"load_start\": \"$(cut -d' ' -f1-3 /proc/loadavg)\", \"omp_wait_policy\": \"${OMP_WAIT_POLICY:-}\"}" > "$results"
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(tiny-b2 tiny-b8 small-b2 small-b16 paper-b2 imagenet-resnet18)
read -r -a variants <<< "${VARIANTS:-fp32 channels-last bf16}"
for config in "${configs[@]}"; do
  $BENCH prepare "$config" > "$out/$config.json"   # resolved preset + synthetic dataset, shared with the twin
  n=$(steps_for "$config")
  for round in $(seq "$ROUNDS"); do
    echo "$config round $round/$ROUNDS ($WARMUP warm-up + $n steps per side)" >&2
    csharp() { for v in "$@"; do $BENCH run "$config" "$WARMUP" "$n" --variant "$v"; done; }
    pytorch() { "$PY" bench/TrainingBench/pytorch_step.py "$out/$config.json" "$WARMUP" "$n"; }
    # Alternate the order (ours in order then PyTorch, then PyTorch then ours reversed), so a load change during a
    # round does not always favour the same side or lever.
    if (( round % 2 )); then csharp "${variants[@]}"; pytorch
    else pytorch; csharp $(printf '%s\n' "${variants[@]}" | tac); fi | sed "s/^{/{\"round\": $round, /" >> "$results"
  done
done
echo "{\"load_end\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}" >> "$results"
"$PY" bench/TrainingBench/summarize.py "$results"
echo "raw results: $results" >&2
