#!/usr/bin/env bash
# Segmentation throughput (ours per speed lever) and clustering cost against PyTorch / scikit-learn in the same run
# (issues 3 and 17).
# usage: bench/run-segment-bench.sh [rounds] [all|segment|cluster]
#        (installs Debian's python3-torch and python3-sklearn when missing)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-2}"
part="${2:-all}"
case "$part" in all|segment|cluster) ;; *) echo "part must be all, segment or cluster, got '$part'" >&2; exit 2;; esac
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
/usr/bin/python3 -c "import torch, torchvision, sklearn" 2>/dev/null \
  || apt-get install -y --no-install-recommends python3-torch python3-torchvision python3-sklearn >/dev/null
dotnet build bench/SegmentBench -c Release --nologo -v q >/dev/null
bin=bench/SegmentBench/bin/Release/net10.0/linux-x64/SegmentBench
twin=bench/SegmentBench/pytorch_segment.py
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
if [ "$part" != cluster ]; then
  # Our speed levers (issue 17), each against our fp32 and the twin in the same round; "agree" is the share of label
  # pixels equal to fp32's on the same images (same weights).
  levers=("fp32:" "channels-last:model.channelsLast=true" "bf16:model.precision=bf16")
  for spec in "paper 512 6" "small 128 40" "imagenet-resnet18 192 40"; do
    set -- $spec
    for r in $(seq 1 "$rounds"); do
      for lever in "${levers[@]}"; do
        name="${lever%%:*}"; set="${lever#*:}"
        "$bin" segment "$1" "$2" "$3" "$tmp/$name.json" $set | tee "$tmp/$name.out"
      done
      /usr/bin/python3 "$twin" segment "$tmp/fp32.json" "$3" | tee "$tmp/pytorch.out"
      /usr/bin/python3 - "$tmp" "${levers[@]%%:*}" <<'EOF'
import json, sys
tmp, names = sys.argv[1], sys.argv[2:]
speed = {n: json.load(open(f"{tmp}/{n}.out"))["imagesPerSecond"] for n in names + ["pytorch"]}
base = open(f"{tmp}/fp32.json.labels", "rb").read()
for n in names:
    labels = open(f"{tmp}/{n}.json.labels", "rb").read()
    agree = sum(a == b for a, b in zip(labels, base)) / len(base)
    print(json.dumps({"ratio": n, "vs_fp32": round(speed[n] / speed["fp32"], 2), "vs_pytorch": round(speed[n] / speed["pytorch"], 2),
                      "agree_with_fp32": round(agree, 5)}))
EOF
    done
  done
fi
if [ "$part" != segment ]; then
  # 1449 = VOC val (the official protocol's shape), 10,582 = VOC trainaug.
  for n in 1449 10582; do
    for r in $(seq 1 "$rounds"); do
      ours="$("$bin" cluster "$n" 32 20 "$tmp/prototypes.json")"; echo "$ours"
      theirs="$(/usr/bin/python3 "$twin" cluster "$tmp/prototypes.json")"; echo "$theirs"
      /usr/bin/python3 "$twin" ratio "$ours" "$theirs"
    done
  done
  echo "load at the end: $(cut -d' ' -f1 /proc/loadavg)"
fi
