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
        var timings = new Dictionary<string, double>();
        void Time(string name, Action action)
        {
            action();
            long t0 = Stopwatch.GetTimestamp();
            for (int r = 0; r < Repeats; r++) action();
            timings[name] = (Stopwatch.GetTimestamp() - t0) * 1000.0 / Stopwatch.Frequency / Repeats;
        }
        var small = ImageOps.DownscaleArea(image, 300);
        int w = small.Width, h = small.Height;
        var lab = ImageOps.ToLab8(small);
        var plane = lab[0].Select(v => (byte)v).ToArray();
        var map = new float[w * h];
        var rng = new Random(1);
        for (int i = 0; i < map.Length; i++) map[i] = (float)rng.NextDouble();
        Time("downscale", () => ImageOps.DownscaleArea(image, 300));
        Time("lab", () => ImageOps.ToLab8(small));
        Time("median5 x1", () => Filters.Median5(plane, w, h));
        Time("mbd x1", () => Filters.AddMinimumBarrier(plane, w, h, 3, new float[w * h]));
        Time("background", () => Backgroundness.Compute(small.Rgb, w, h, 0.1, 50));
        Time("morph k=25", () => Morphology.OpenCloseByReconstruction(map, w, h, 25));
        Time("estimate@300", () => new MbPlusSaliency().EstimateAtWorkingSize(small));
        Time("upscale", () => ImageOps.ResizeBilinear(map, w, h, 500, 375));
        var full = new MbPlusSaliency().Estimate(image);
        Time("post", () => ProposalPostProcessor.Apply(full));
        Time("decode jpeg", () => ImageCodec.DecodeRgb(ImageCodec.EncodeJpeg(image), "x"));
        Time("encode jpeg", () => ImageCodec.EncodeJpeg(image));
        foreach (var (name, ms) in timings)
            Console.WriteLine($"{name,-14} {ms,7:F2} ms");
    }
}
