using MaskContrast.Core.Data;
using MaskContrast.Core.Saliency;

namespace MaskContrast.Bench.Proposals;

/// <summary>Prints MB+ and FT quality on the synthetic val set (and optionally a VOC-layout set) in one run.</summary>
internal static class QualityBench
{
    public static void Run(string? vocRoot, string? split)
    {
        var root = Path.Combine(Path.GetTempPath(), "mc-bench-synthetic");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        SyntheticDataset.Generate(root, new SyntheticOptions(TrainCount: 300, ValCount: 100, Seed: 0));
        Console.WriteLine($"generated the default synthetic set (400 images of 128×128) in {watch.Elapsed.TotalSeconds:F2} s " +
            $"(load average {File.ReadAllText("/proc/loadavg").Trim()})");
        Report("synthetic 128×128 val (100)", new VocDataset(root, "val"), ablations: true);
        Report("synthetic 128×128 train+val (400)", new VocDataset(root, "trainval"));
        var large = Path.Combine(Path.GetTempPath(), "mc-bench-synthetic-500");
        SyntheticDataset.Generate(large, new SyntheticOptions(TrainCount: 0, ValCount: 100, Width: 500, Height: 375, Seed: 3));
        Report("synthetic 500×375 (100, VOC-sized)", new VocDataset(large, "val"), ablations: true);
        Directory.Delete(large, recursive: true);
        if (vocRoot is not null)
            Report($"{vocRoot} [{split ?? "val"}]", new VocDataset(vocRoot, split ?? "val"));
        Directory.Delete(root, recursive: true);
    }

    private static void Report(string title, IImageDataset data, bool ablations = false)
    {
        Console.WriteLine($"\n{title}: {data.Ids.Count} images; IoU of post-processed proposals (dropped = empty), " +
            "F-measure β²=0.3 (adaptive threshold 2×mean; max over 256 thresholds), MAE of the map");
        Console.WriteLine($"{"method",-8} {"mIoU",7} {"adaptF",7} {"maxF",7} {"MAE",7} {"dropped",8} {"img/s",8}");
        (string Name, ISaliencyEstimator Estimator)[] rows =
        [
            ("mbplus", new MbPlusSaliency()),
            ("ft", new FrequencyTunedSaliency()),
            ("mb-noBG", new MbPlusSaliency(new MbPlusOptions(Backgroundness: false))),
            ("mb-noCP", new MbPlusSaliency(new MbPlusOptions(CentrePrior: false))),
            ("mb-noSm", new MbPlusSaliency(new MbPlusOptions(SmoothingScale: 0))),
            ("mb-noCE", new MbPlusSaliency(new MbPlusOptions(ContrastGain: 0))),
            ("mb-noMed", new MbPlusSaliency(new MbPlusOptions(MedianBlur: false))),
            ("mb-half", new MbPlusSaliency(new MbPlusOptions(HalfResolutionSmoothing: true))),
        ];
        foreach (var (name, estimator) in ablations ? rows : rows[..2])
        {
            var (r, seconds) = SaliencyEvaluation.Evaluate(data, estimator);
            Console.WriteLine($"{name,-8} {r.MeanIoU,7:F3} {r.AdaptiveF,7:F3} {r.MaxF,7:F3} {r.Mae,7:F3} {r.Dropped,8} {r.Images / seconds,8:F0}");
        }
    }
}
