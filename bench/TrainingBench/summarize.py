#!/usr/bin/python3
"""Table of bench/run-training-bench.sh results: ms per full step (augmentation + training step) for both sides.

Median over all measured steps of all rounds; the range is min-max of the per-round medians (the spread between
processes, which is what a shared machine disturbs). Ratio = PyTorch / C#, > 1 means ours is faster: the median of the
per-round ratios (each round runs both sides back to back, so a ratio compares like with like), their min-max, and the
ratio of the two pooled medians. Several result files are pooled round by round.

usage: summarize.py results.jsonl [more-results.jsonl...]"""
import json
import os
import statistics
import sys

rows = [dict(json.loads(line), run=i) for i, path in enumerate(sys.argv[1:]) for line in open(path)]
meta = {k: " / ".join(dict.fromkeys(r[k] for r in rows if k in r)) for k in ("load_start", "load_end", "omp_wait_policy")}
runs = [r for r in rows if "impl" in r]


def full(run):
    return [b + t for b, t in zip(run["build_ms"], run["train_ms"])]


def cell(values_by_round):
    pooled = [v for vs in values_by_round for v in vs]
    medians = [statistics.median(vs) for vs in values_by_round]
    return statistics.median(pooled), min(medians), max(medians), medians


cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
t = next((r for r in runs if r["impl"] == "pytorch"), {})
c = next((r for r in runs if r["impl"] == "csharp"), {})
print(f"machine: {cpu}, {os.cpu_count()} logical CPUs; load average (1/5/15 min) {meta.get('load_start')} at start, "
      f"{meta.get('load_end')} at end")
print(f"threads: C# {c.get('threads')} (interop {c.get('interop_threads')}), PyTorch {t.get('torch')} {t.get('threads')} "
      f"(interop {t.get('interop_threads')}); OMP_WAIT_POLICY={meta['omp_wait_policy'] or '(unset)'}")
print()
print("| config | C# ms/step median (rounds min–max) | of which augmentation | PyTorch ms/step median (min–max) "
      "| of which augmentation | PyTorch/C# per round: median (min–max) | pooled | params C# / PyTorch |")
print("|---|---|---|---|---|---|---|---|")
for config in dict.fromkeys(r["config"] for r in runs):
    side = {impl: sorted((r for r in runs if r["config"] == config and r["impl"] == impl), key=lambda r: (r["run"], r["round"]))
            for impl in ("csharp", "pytorch")}
    if not side["csharp"] or not side["pytorch"]:
        continue
    cs, py = cell([full(r) for r in side["csharp"]]), cell([full(r) for r in side["pytorch"]])
    cs_aug = statistics.median(v for r in side["csharp"] for v in r["build_ms"])
    py_aug = statistics.median(v for r in side["pytorch"] for v in r["build_ms"])
    ratios = [p / q for p, q in zip(py[3], cs[3])]
    print(f"| {config} | {cs[0]:.0f} ({cs[1]:.0f}–{cs[2]:.0f}) | {cs_aug:.1f} | {py[0]:.0f} ({py[1]:.0f}–{py[2]:.0f}) "
          f"| {py_aug:.1f} | **{statistics.median(ratios):.2f}** ({min(ratios):.2f}–{max(ratios):.2f}) | {py[0] / cs[0]:.2f} "
          f"| {side['csharp'][0]['parameters']:,} / {side['pytorch'][0]['parameters']:,} |")
