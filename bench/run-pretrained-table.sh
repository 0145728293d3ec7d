#!/usr/bin/env bash
# The default recipe (imagenet-resnet18) on both synthetic families, three training seeds each, two runs at a time with
# one thread each (2 cores), every row with its baselines: appended to bench/results/pretrained.md (README, "Starting
# from ImageNet weights"). The sets are generated with the README's own command; the true foreground is the proposals.
# usage: bench/run-pretrained-table.sh [seeds...]      (default 1 2 3; about 25 min per seed on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=("$@"); [ ${#seeds[@]} -eq 0 ] && seeds=(1 2 3)
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}" OMP_NUM_THREADS=1
out="$(mktemp -d)"
dotnet build cli -c Release --nologo -v q >/dev/null
dotnet build bench/Experiments -c Release --nologo -v q -o "$out/bin" >/dev/null   # a copy: later builds cannot touch it
data="${TMPDIR:-/tmp}/mc-pretrained-sets"
for family in shapes clutter; do
  [ -f "$data/$family/ImageSets/Segmentation/val.txt" ] \
    || cli/bin/Release/net10.0/linux-x64/maskcontrast synthetic --family "$family" --out "$data/$family" >/dev/null
done
for seed in "${seeds[@]}"; do
  for family in shapes clutter; do
    "$out/bin/Experiments" "$family-seed$seed" imagenet-resnet18 --data "$data/$family" \
      --results bench/results/pretrained.md "schedule.seed=$seed" > "$out/$family-$seed.log" 2>&1 &
  done
  wait
  tail -n 2 "$out"/*-"$seed".log
done
