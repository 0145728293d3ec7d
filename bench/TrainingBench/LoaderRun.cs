using System.Diagnostics;
using MaskContrast.Core.Config;
using MaskContrast.Core.Data;
using MaskContrast.Core.Training;

namespace MaskContrast.Bench;

/// <summary>
/// The training input alone, as <see cref="Trainer.TrainEpoch"/> draws it: view pairs built by <see cref="PairBatchQueue"/>
/// from a <see cref="TrainingSet"/>, no network. Mode <c>eager</c> decodes every image into memory first and keeps it (what
/// TrainingSet did before it streamed); <c>stream</c> uses the given cache budget and loader threads.
/// </summary>
static class LoaderRun
{
    public sealed record Result(string Mode, string Preset, int Images, int Batches, int BatchSize, int Threads, long CacheMb,
        double WallSeconds, double CpuSeconds, double PairsPerSecond, double PairsPerCpuSecond, long PeakRssMb, long CachedMb);

    public static Result Run(string root, string preset, string mode, long cacheMb, int threads, int batches)
    {
        var config = Presets.Load(preset);
        var dataset = new VocDataset(root, "train");
        bool eager = mode == "eager";
        var set = new TrainingSet(dataset, streaming: new StreamingOptions(eager ? long.MaxValue : cacheMb << 20, threads));
        var process = Process.GetCurrentProcess();
        var clock = Stopwatch.StartNew();
        var cpu = process.TotalProcessorTime;
        if (eager)
            for (int i = 0; i < set.Count; i++)
            {
                var (image, mask) = set.Load(i);   // decoded into the unbounded cache; the tensors themselves are not kept
                image.Dispose();
                mask.Dispose();
            }
        var sampler = new PairBatchSampler(set, config.Data, config.Schedule.BatchSize, config.Schedule.Seed);
        using (var queue = new PairBatchQueue(sampler, epoch: 0, batches, threads))
            for (int step = 0; step < batches; step++)
                queue.Take(step).Dispose();
        process.Refresh();
        double wall = clock.Elapsed.TotalSeconds, cpuSeconds = (process.TotalProcessorTime - cpu).TotalSeconds;
        int pairs = batches * config.Schedule.BatchSize;
        return new Result(mode, preset, set.Count, batches, config.Schedule.BatchSize, threads, eager ? -1 : cacheMb, wall, cpuSeconds,
            pairs / wall, pairs / cpuSeconds, PeakRssMb(), set.CachedBytes >> 20);
    }

    static long PeakRssMb() => long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:"))
        .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[1]) >> 10;
}
