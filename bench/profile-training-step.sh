#!/usr/bin/env bash
# Where a training step spends its time, ours next to PyTorch's: augmentation, query forward, momentum update, key
# forward, loss, backward, SGD, enqueue (ms per step, mean over the measured steps, summed over alternating rounds).
# Run bench/run-training-bench.sh first (it builds and installs what this needs).
# usage: bench/profile-training-step.sh [config...]      env: ROUNDS (2) WARMUP (2) STEPS (5) BENCH_THREADS (2)
set -euo pipefail
cd "$(dirname "$0")/.."
export BENCH_THREADS=${BENCH_THREADS:-2}
BENCH="dotnet bench/TrainingBench/bin/Release/net10.0/linux-x64/TrainingBench.dll"
out=$(mktemp -d)
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(tiny-b2 small-b2 paper-b2)
for config in "${configs[@]}"; do
  $BENCH prepare "$config" > "$out/$config.json"
  for round in $(seq "${ROUNDS:-2}"); do
    echo "$config round $round" >&2
    $BENCH run "$config" "${WARMUP:-2}" "${STEPS:-5}" --profile >> "$out/profile.jsonl"
    /usr/bin/python3 bench/TrainingBench/pytorch_step.py "$out/$config.json" "${WARMUP:-2}" "${STEPS:-5}" >> "$out/profile.jsonl"
  done
done
/usr/bin/python3 - "$out/profile.jsonl" <<'EOF'
import json, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
names = list(dict.fromkeys(k for r in runs for k in r["phases_ms"]))   # ours also times the key forward under no_grad
print("| config | side | augmentation | " + " | ".join(names) + " |")
print("|---|---|---|" + "---|" * len(names))
for config in dict.fromkeys(r["config"] for r in runs):
    for impl in ("csharp", "pytorch"):
        rs = [r for r in runs if r["config"] == config and r["impl"] == impl]
        n = sum(len(r["build_ms"]) for r in rs)
        phases = [f"{sum(r['phases_ms'][k] for r in rs) / n:.1f}" if k in rs[0]["phases_ms"] else "–" for k in names]
        aug = sum(sum(r["build_ms"]) for r in rs) / n
        print(f"| {config} | {impl} | {aug:.1f} | " + " | ".join(phases) + " |")
EOF
