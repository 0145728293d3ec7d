#!/usr/bin/env bash
# Segmentation throughput and clustering cost against PyTorch / scikit-learn in the same run (issue 3 benchmark).
# usage: bench/run-segment-bench.sh [rounds]      (installs Debian's python3-torch and python3-sklearn when missing)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-2}"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
/usr/bin/python3 -c "import torch, torchvision, sklearn" 2>/dev/null \
  || apt-get install -y --no-install-recommends python3-torch python3-torchvision python3-sklearn >/dev/null
dotnet build bench/SegmentBench -c Release --nologo -v q >/dev/null
bin=bench/SegmentBench/bin/Release/net10.0/linux-x64/SegmentBench
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
for spec in "paper 512 6" "small 128 40"; do
  set -- $spec
  for r in $(seq 1 "$rounds"); do
    "$bin" segment "$1" "$2" "$3" "$tmp/model.json"
    /usr/bin/python3 bench/SegmentBench/pytorch_segment.py segment "$tmp/model.json" "$3"
  done
done
for r in $(seq 1 "$rounds"); do
  "$bin" cluster 1449 32 20 "$tmp/prototypes.json"
  /usr/bin/python3 bench/SegmentBench/pytorch_segment.py cluster "$tmp/prototypes.json"
done
