using System.Diagnostics;
using MaskContrast.Core.Data;
using MaskContrast.Core.Saliency;

namespace MaskContrast.Bench.Proposals;

/// <summary>Milliseconds per MB+ step on one 500×375 synthetic image (single thread), to find the slow step.</summary>
internal static class StageProfile
{
    public static void Run()
    {
        var (image, _) = SyntheticDataset.RenderOne(new SyntheticOptions(Width: 500, Height: 375, Seed: 2), 0);
        const int Repeats = 50;
        var timings = new Dictionary<string, (double Wall, double Cpu)>();
        var process = Process.GetCurrentProcess();
        void Time(string name, Action action)
        {
            action();
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            long t0 = Stopwatch.GetTimestamp();
            for (int r = 0; r < Repeats; r++) action();
            double wall = (Stopwatch.GetTimestamp() - t0) * 1000.0 / Stopwatch.Frequency / Repeats;
            process.Refresh();
            timings[name] = (wall, (process.TotalProcessorTime - cpu0).TotalMilliseconds / Repeats);
        }
        var small = ImageOps.DownscaleArea(image, 300);
        int w = small.Width, h = small.Height;
        var lab = new[] { new float[w * h], new float[w * h], new float[w * h] };
        ImageOps.ToLab8(small.Rgb, w * h, lab[0], lab[1], lab[2]);
        var plane = lab[0].Select(v => (byte)v).ToArray();
        var scratch = new[] { new float[w * h], new float[w * h], new float[w * h], new float[w * h] };
        var queue = new Queue<int>();
        var map = new float[w * h];
        var rng = new Random(1);
        for (int i = 0; i < map.Length; i++) map[i] = (float)rng.NextDouble();
        Time("downscale", () => ImageOps.DownscaleArea(image, 300));
        Time("lab", () => ImageOps.ToLab8(small.Rgb, w * h, lab[0], lab[1], lab[2]));
        var filtered = new byte[w * h];
        Time("median5 x1", () => Filters.Median5(plane, w, h, filtered));
        var bd = new byte[w * h]; var bu = new byte[w * h]; var bl = new byte[w * h];
        Time("mbd x1", () => Filters.AddMinimumBarrier(plane, w, h, 3, scratch[3], bd, bu, bl));
        Time("background", () => Backgroundness.Compute(small.Rgb, w, h, 0.1, 50, scratch[0], scratch[1], scratch[2]));
        var smooth = new float[w * h];
        Time("morph k=25", () => { map.CopyTo(smooth, 0); Morphology.OpenCloseByReconstruction(smooth, w, h, 25, scratch[0], scratch[1], scratch[2], queue); });
        Time("estimate@300", () => new MbPlusSaliency().EstimateAtWorkingSize(small));
        Time("upscale", () => ImageOps.ResizeBilinear(map, w, h, 500, 375));
        var full = new MbPlusSaliency().Estimate(image);
        Time("estimate", () => new MbPlusSaliency().Estimate(image));
        Time("ft", () => new FrequencyTunedSaliency().Estimate(image));
        foreach (var (name, o) in new (string, MbPlusOptions)[] { ("mb noSmooth", new(SmoothingScale: 0)), ("mb noMedian", new(MedianBlur: false)), ("mb noBG", new(Backgroundness: false)), ("mb 2 passes", new(Passes: 2)), ("mb half smooth", new(HalfResolutionSmoothing: true)) })
        {
            var estimator = new MbPlusSaliency(o);
            Time(name, () => estimator.EstimateWorking(image, out _, out _));
        }
        var pre = new MbPlusSaliency(new MbPlusOptions(SmoothingScale: 0, ContrastGain: 0)).EstimateWorking(image, out _, out _).ToArray();
        int kReal = Math.Max(3, (int)Math.Floor(50 * Math.Sqrt(pre.Average())));
        Console.WriteLine($"real map: mean {pre.Average():F3}, k = {kReal}");
        Time("real square", () => Morphology.Square(pre, smooth, w, h, kReal, false, scratch[0]));
        Time("real recon", () => { Morphology.Square(pre, smooth, w, h, kReal, false, scratch[0]); Morphology.ReconstructByDilation(smooth, pre, w, h, queue); });
        var quant = pre.Select(v => MathF.Round(v * 255f) / 255f).ToArray();
        Time("quant recon", () => { Morphology.Square(quant, smooth, w, h, kReal, false, scratch[0]); Morphology.ReconstructByDilation(smooth, quant, w, h, queue); });
        Time("quant openclose", () => { quant.CopyTo(smooth, 0); Morphology.OpenCloseByReconstruction(smooth, w, h, kReal, scratch[0], scratch[1], scratch[2], queue); });
        Time("real openclose", () => { pre.CopyTo(smooth, 0); Morphology.OpenCloseByReconstruction(smooth, w, h, kReal, scratch[0], scratch[1], scratch[2], queue); });
        Time("mb working", () => new MbPlusSaliency().EstimateWorking(image, out _, out _));
        Time("post", () => ProposalPostProcessor.Apply(full));
        Time("decode jpeg", () => ImageCodec.DecodeRgb(ImageCodec.EncodeJpeg(image), "x"));
        Time("encode jpeg", () => ImageCodec.EncodeJpeg(image));
        Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine($"{"step",-14} {"wall ms",8} {"CPU ms",8}   (CPU time is what the step costs on an idle core)");
        foreach (var (name, (wall, cpu)) in timings)
            Console.WriteLine($"{name,-14} {wall,8:F2} {cpu,8:F2}");
    }
}
