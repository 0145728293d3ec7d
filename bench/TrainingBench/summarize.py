#!/usr/bin/python3
"""Table of bench/run-training-bench.sh results: ms per full step (augmentation + training step) for both sides.

One row per lever of ours (fp32, channels-last, bf16...). Median over all measured steps of all rounds; the range is
min-max of the per-round medians (the spread between processes, which is what a shared machine disturbs). Ratio =
PyTorch / C#, > 1 means ours is faster: the median of the per-round ratios (each round runs its processes back to back,
so a ratio compares like with like), their min-max, and the ratio of the two pooled medians. "our fp32/lever" is the
same per-round ratio against our own fp32 process. Several result files are pooled round by round.

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
print("| config | ours: lever | C# ms/step median (rounds min–max) | of which augmentation | PyTorch ms/step median (min–max) "
      "| of which augmentation | PyTorch/C# per round: median (min–max) | pooled | our fp32/lever per round: median (min–max) "
      "| params C# / PyTorch |")
print("|---|---|---|---|---|---|---|---|---|---|")


def rounds(config, impl, variant=None):
    rs = [r for r in runs if r["config"] == config and r["impl"] == impl and (variant is None or r.get("variant", "fp32") == variant)]
    return sorted(rs, key=lambda r: (r["run"], r["round"]))


def ratio_cell(ratios):
    return f"**{statistics.median(ratios):.2f}** ({min(ratios):.2f}–{max(ratios):.2f})" if ratios else "–"


for config in dict.fromkeys(r["config"] for r in runs):
    py_runs = rounds(config, "pytorch")
    if not py_runs:
        continue
    py = cell([full(r) for r in py_runs])
    py_aug = statistics.median(v for r in py_runs for v in r["build_ms"])
    base = rounds(config, "csharp", "fp32")
    for variant in dict.fromkeys(r.get("variant", "fp32") for r in runs if r["config"] == config and r["impl"] == "csharp"):
        mine = rounds(config, "csharp", variant)
        cs = cell([full(r) for r in mine])
        cs_aug = statistics.median(v for r in mine for v in r["build_ms"])
        # A round's processes ran back to back; rounds are matched by (run, round).
        by_round = {(r["run"], r["round"]): statistics.median(full(r)) for r in mine}
        py_by_round = {(r["run"], r["round"]): statistics.median(full(r)) for r in py_runs}
        base_by_round = {(r["run"], r["round"]): statistics.median(full(r)) for r in base}
        vs_py = [py_by_round[k] / v for k, v in by_round.items() if k in py_by_round]
        vs_fp32 = [base_by_round[k] / v for k, v in by_round.items() if k in base_by_round] if variant != "fp32" else []
        label = variant + (" (not active: fp32)" if variant.startswith("bf16") and not mine[0].get("bf16", True) else "")
        print(f"| {config} | {label} | {cs[0]:.0f} ({cs[1]:.0f}–{cs[2]:.0f}) | {cs_aug:.1f} | {py[0]:.0f} ({py[1]:.0f}–{py[2]:.0f}) "
              f"| {py_aug:.1f} | {ratio_cell(vs_py)} | {py[0] / cs[0]:.2f} | {ratio_cell(vs_fp32)} "
              f"| {mine[0]['parameters']:,} / {py_runs[0]['parameters']:,} |")
