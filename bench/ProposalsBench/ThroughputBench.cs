using System.Diagnostics;
using MaskContrast.Core.Data;
using MaskContrast.Core.Saliency;
using MaskContrast.Core.Config;

namespace MaskContrast.Bench.Proposals;

/// <summary>
/// End-to-end proposal throughput (decode JPEG, MB+ saliency, post-processing, PNG encode and write) on VOC-sized
/// 500×375 synthetic JPEGs, with one worker thread (the baseline) and one per core, measured in the same run.
/// </summary>
internal static class ThroughputBench
{
    /// <summary>The physical-scale estimate of issue 4: a few raster passes over ~10^5 pixels ≈ 4 ms per image per core.</summary>
    private const double EstimateMsPerImagePerCore = 4.0;

    public static void Run(int images)
    {
        var root = Path.Combine(Path.GetTempPath(), "mc-bench-voc500");
        SyntheticDataset.Generate(root, new SyntheticOptions(TrainCount: images, ValCount: 0, Width: 500, Height: 375, Seed: 1));
        var data = new VocDataset(root, "train");
        Console.WriteLine($"\nthroughput on {images} synthetic 500×375 JPEGs, {Environment.ProcessorCount} cores, {CpuName()}");

        // Warm-up (JIT, Skia) on a few images, not counted.
        new ProposalGenerator(new ProposalOptions(ProposalMethod.MbPlus, MaxDegreeOfParallelism: 1)).Run(new Subset(data, 8), Path.Combine(root, "warm"));

        StageBreakdown(data, Math.Min(images, 100));
        Console.WriteLine($"load average before: {File.ReadAllText("/proc/loadavg").Trim()}");
        double estimate = Environment.ProcessorCount * 1000.0 / EstimateMsPerImagePerCore;
        foreach (var method in new[] { "mbplus", "mbplus-fast", "ft" })
        {
            var (single, singleCpu) = Measure(data, root, method, 1);
            var (all, allCpu) = Measure(data, root, method, Environment.ProcessorCount);
            Console.WriteLine($"{method}: wall clock: 1 thread {single.ImagesPerSecond:F1} img/s, {all.Threads} threads {all.ImagesPerSecond:F1} img/s " +
                $"({all.ImagesPerSecond / single.ImagesPerSecond:F2}× the 1-thread baseline, {all.ImagesPerSecond / estimate:F2}× the physical-scale " +
                $"estimate of {estimate:F0} img/s = {EstimateMsPerImagePerCore} ms/image/core); kept {all.KeptCount}/{all.Total}");
            Console.WriteLine($"{method}: mean IoU of the written masks with the true objects {WrittenIoU(data, Path.Combine(root, $"out-{method}-{all.Threads}")):F3}");
            // CPU time per image is what an idle machine would see; other tenants' load inflates wall time only.
            Console.WriteLine($"{method}: CPU time: {singleCpu:F2} ms/image on 1 thread, {allCpu:F2} ms/image on {all.Threads} threads " +
                $"→ {Environment.ProcessorCount * 1000 / allCpu:F0} img/s on {Environment.ProcessorCount} idle cores " +
                $"({Environment.ProcessorCount * 1000 / allCpu / estimate:F2}× the estimate)");
        }
        // The general path (full decode, full-size float map) on the same images, for comparison with the written masks.
        var (full, _) = SaliencyEvaluation.Evaluate(data, new MbPlusSaliency());
        Console.WriteLine($"mbplus through the full-size path (SaliencyEvaluation) on the same images: mean IoU {full.MeanIoU:F3}");
        Console.WriteLine($"load average after: {File.ReadAllText("/proc/loadavg").Trim()}");
        Directory.Delete(root, recursive: true);
    }

    /// <summary>One full run; returns its summary and the process CPU milliseconds per image.</summary>
    private static (ProposalSummary Summary, double CpuMsPerImage) Measure(IImageDataset data, string root, string method, int threads)
    {
        var output = Path.Combine(root, $"out-{method}-{threads}");
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        var options = new ProposalOptions(Method: method == "ft" ? ProposalMethod.Ft : ProposalMethod.MbPlus, MaxDegreeOfParallelism: threads,
            MbPlus: new MbPlusOptions(HalfResolutionSmoothing: method == "mbplus-fast"));
        int gen2 = GC.CollectionCount(2), gen0 = GC.CollectionCount(0);
        var pause = GC.GetTotalPauseDuration();
        var summary = new ProposalGenerator(options).Run(data, output);
        Console.WriteLine($"  [{method}, {threads} thread(s): {GC.CollectionCount(0) - gen0} gen-0 and {GC.CollectionCount(2) - gen2} gen-2 collections, " +
            $"GC pauses {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds:F0} ms in {summary.WallSeconds * 1000:F0} ms]");
        process.Refresh();
        return (summary, (process.TotalProcessorTime - cpu0).TotalMilliseconds / summary.Total);
    }

    /// <summary>Single-threaded milliseconds per image and stage, to show where the time goes.</summary>
    private static void StageBreakdown(VocDataset data, int count)
    {
        var mb = new MbPlusSaliency();
        double decode = 0, saliency = 0, post = 0, encode = 0;
        for (int i = 0; i < count; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            var image = data.LoadImage(data.Ids[i]);
            long t1 = Stopwatch.GetTimestamp();
            var map = mb.Estimate(image);
            long t2 = Stopwatch.GetTimestamp();
            var result = ProposalPostProcessor.Apply(map);
            long t3 = Stopwatch.GetTimestamp();
            if (result.Mask is not null)
                ImageCodec.EncodeGrayPng(MaskFile.To255(result.Mask), 1);
            long t4 = Stopwatch.GetTimestamp();
            decode += t1 - t0; saliency += t2 - t1; post += t3 - t2; encode += t4 - t3;
        }
        double f = 1000.0 / Stopwatch.Frequency / count;
        Console.WriteLine($"1 thread, ms/image: decode {decode * f:F2}, MB+ {saliency * f:F2}, post-process {post * f:F2}, " +
            $"PNG encode {encode * f:F2}, total {(decode + saliency + post + encode) * f:F2}");
    }

    /// <summary>Checks the fast path (DCT-scaled decode, fused upsample+threshold) end to end: written PNG vs labels.</summary>
    private static double WrittenIoU(VocDataset data, string folder)
    {
        double sum = 0;
        foreach (var id in data.Ids)
        {
            var path = Path.Combine(folder, id + ".png");
            var mask = File.Exists(path) ? MaskFile.LoadBinary(path) : null;
            sum += SaliencyMetrics.IoU(mask, SaliencyMetrics.ForegroundFromLabels(data.LoadLabels(id)!));
        }
        return sum / data.Ids.Count;
    }

    private static string CpuName() =>
        File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"))?.Split(':', 2)[1].Trim() ?? "unknown CPU"
            : "unknown CPU";

    private sealed class Subset(IImageDataset inner, int count) : IImageDataset
    {
        public IReadOnlyList<string> Ids { get; } = inner.Ids.Take(count).ToArray();
        public RgbImage LoadImage(string id) => inner.LoadImage(id);
        public ByteRaster? LoadMask(string id) => inner.LoadMask(id);
        public ByteRaster? LoadLabels(string id) => inner.LoadLabels(id);
    }
}
