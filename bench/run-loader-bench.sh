#!/usr/bin/env bash
# Training input at VOC scale (issue 17 item 3): peak memory of the streaming TrainingSet against the old eager one (every
# image decoded and kept) in the same run, view pairs per second per core, and optionally the whole `maskcontrast run`.
# usage: bench/run-loader-bench.sh [batches] [--whole-run]
#   Generates a VOC-sized clutter set once (10,582 train + 1,449 val JPEGs of about 500×375) under $TMPDIR/mc-voc-scale.
set -euo pipefail
cd "$(dirname "$0")/.."
batches="${1:-40}"
whole_run="${2:-}"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
root="${TMPDIR:-/tmp}/mc-voc-scale"
dotnet build cli -c Release --nologo -v q >/dev/null
dotnet build bench/TrainingBench -c Release --nologo -v q >/dev/null
cli=cli/bin/Release/net10.0/linux-x64/maskcontrast
bench=bench/TrainingBench/bin/Release/net10.0/linux-x64/TrainingBench
if [ ! -f "$root/ImageSets/Segmentation/val.txt" ]; then
  echo "generating $root (about 15 min on 2 cores)..." >&2
  "$cli" synthetic --family clutter --train 10582 --val 1449 --width 500 --height 375 --out "$root" >/dev/null
fi
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
# Proposals stand in for masks here: the set's own true-foreground masks (saliency_gt) are what the loader reads.
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
# eager: the old TrainingSet (every image decoded and kept: about 8 GB of pixels here, 17 GB resident; once only, since
# the crop does not change it); stream: the default (512 MB, one loader thread here) and no cache at all.
"$bench" loader "$root" imagenet-resnet18 eager 0 1 "$batches" | tee -a "$tmp/loader.jsonl"
for preset in imagenet-resnet18 paper; do
  "$bench" loader "$root" "$preset" stream 512 1 "$batches" | tee -a "$tmp/loader.jsonl"
  "$bench" loader "$root" "$preset" stream 0 1 "$batches" | tee -a "$tmp/loader.jsonl"
done
/usr/bin/python3 - "$tmp/loader.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("\n| preset | mode | cache MB | peak RSS MB | view pairs/s | view pairs per CPU-second |")
print("|---|---|---|---|---|---|")
for r in rows:
    mode = "eager (before)" if r["Mode"] == "eager" else "stream"
    cache = "all" if r["CacheMb"] < 0 else r["CacheMb"]
    print(f"| {r['Preset']} | {mode} | {cache} | {r['PeakRssMb']} | {r['PairsPerSecond']:.1f} | {r['PairsPerCpuSecond']:.1f} |")
eager = next(r for r in rows if r["Mode"] == "eager")
stream = next(r for r in rows if r["Preset"] == eager["Preset"] and r["Mode"] == "stream" and r["CacheMb"] == 512)
print(f"{eager['Preset']}: peak RSS eager/stream {eager['PeakRssMb'] / stream['PeakRssMb']:.1f}x")
PY
if [ "$whole_run" = "--whole-run" ]; then
  # The whole product command at this scale, start-up, proposals and evaluation included; 20 steps stand in for training.
  /usr/bin/time -v "$cli" run --data "$root" --epochs 1 --set schedule.stepsPerEpoch=20 --out "$tmp/runs" 2>"$tmp/time.txt" | tail -n 4
  grep -E "Maximum resident|Elapsed \(wall" "$tmp/time.txt"
fi
echo "load at the end: $(cut -d' ' -f1 /proc/loadavg)"
