#!/usr/bin/env bash
# Segmentation throughput and clustering cost against PyTorch / scikit-learn in the same run (issues 3 and 17).
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
  for spec in "paper 512 6" "small 128 40"; do
    set -- $spec
    for r in $(seq 1 "$rounds"); do
      "$bin" segment "$1" "$2" "$3" "$tmp/model.json"
      /usr/bin/python3 "$twin" segment "$tmp/model.json" "$3"
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
