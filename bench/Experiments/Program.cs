using System.Diagnostics;
using System.Globalization;
using MaskContrast.Core.Config;
using MaskContrast.Core.Data;
using MaskContrast.Core.Evaluation;
using MaskContrast.Core.Training;
using static TorchSharp.torch;

// One ablation row: train a configuration on the synthetic set, evaluate it with the K-means protocol next to its
// baselines (untrained network, raw colours, chance) and append a row to a Markdown table.
// usage: Experiments <name> <preset> [--minutes M] [--data DIR] [--results FILE] [section.field=value ...]
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
if (args.Length < 2) { Console.Error.WriteLine("usage: Experiments <name> <preset> [--minutes M] [--data DIR] [--results FILE] [overrides...]"); return 2; }
string name = args[0], preset = args[1];
double minutes = double.MaxValue;
string data = Path.Combine(Path.GetTempPath(), "mc-synthetic-300-100");
string results = "bench/results/ablation.md";
string? dumpViews = null;
var overrides = new List<string>();
for (int i = 2; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--minutes": minutes = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--data": data = args[++i]; break;
        case "--results": results = args[++i]; break;
        case "--dump-views": dumpViews = args[++i]; break;
        default: overrides.Add(args[i]); break;
    }
}
var config = Presets.Load(preset, overrides);
if (!File.Exists(Path.Combine(data, "ImageSets", "Segmentation", "val.txt")))
    SyntheticDataset.Generate(data, new SyntheticOptions());   // the issue-5 set: 300 train / 100 val, 128×128, 4 classes
var train = new VocDataset(data, "train");
var val = new VocDataset(data, "val");
using var set = new TrainingSet(train);
if (dumpViews is not null)
{
    // One batch of the first step as the network sees it: per row query image, query mask, key image, key mask.
    var sampler = new PairBatchSampler(set, config.Data, config.Schedule.BatchSize, config.Schedule.Seed);
    using var b = sampler.Build(0, 0);
    File.WriteAllBytes(dumpViews, ImageCodec.EncodePng(ViewGrid.Build(b)));
    Console.WriteLine($"wrote {dumpViews}: {config.Schedule.BatchSize} rows of query | query mask | key | key mask");
    return 0;
}
using var trainer = new Trainer(config, CPU);
var clock = Stopwatch.StartNew();
var curve = new List<double>();
while (trainer.CompletedEpochs < config.Schedule.Epochs && clock.Elapsed.TotalMinutes < minutes)
{
    var e = trainer.TrainEpoch(set);
    curve.AddRange(e.StepContrastive);
    Console.WriteLine($"epoch {e.Epoch}: loss {e.Loss:F3} contrastive {e.Contrastive:F3} (chance {e.ChanceContrastive:F3}) saliency {e.Saliency:F3} top1 {e.Top1:F2} {e.Seconds:F0}s");
}
double trainMinutes = clock.Elapsed.TotalMinutes;
var (report, bundle, _) = ModelEvaluation.Run(trainer.Model.Query, config, val, new EvaluationOptions(Size: 128, BatchSize: 16));
bundle.Dispose();
var last = trainer.History[^1];
string Fmt(ProtocolSummary? s) => s is null ? "–" : $"{s.MeanIoU:F3} ± {s.StdIoU:F3}";
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(results))!);
if (!File.Exists(results))
    File.WriteAllText(results,
        "| name | preset | overrides | epochs | steps | train min | contrastive (chance) | fg IoU | K-means mIoU | true fg | untrained | untrained true fg | raw colour | chance |\n" +
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
int steps = trainer.History.Sum(h => h.Steps);
File.AppendAllText(results,
    $"| {name} | {preset} | {string.Join(" ", overrides)} | {trainer.CompletedEpochs} | {steps} | {trainMinutes:F1} | {last.Contrastive:F3} ({last.ChanceContrastive:F3}) | " +
    $"{report.SaliencyIoU:F3} | {Fmt(report.Trained)} | {Fmt(report.TrainedTrueForeground)} | {Fmt(report.Untrained)} | {Fmt(report.UntrainedTrueForeground)} | " +
    $"{Fmt(report.RawColours)} | {Fmt(report.Chance)} |\n");
File.WriteAllLines(Path.ChangeExtension(results, null) + $"-{name.Replace(' ', '_')}-curve.csv",
    curve.Select((c, i) => $"{i},{c:F4}").Prepend("step,contrastive"));
Console.WriteLine($"K-means {Fmt(report.Trained)}  true fg {Fmt(report.TrainedTrueForeground)}  untrained {Fmt(report.Untrained)}  " +
                  $"raw {Fmt(report.RawColours)}  chance {Fmt(report.Chance)}  fg IoU {report.SaliencyIoU:F3}");
return 0;

static class ViewGrid
{
    /// <summary>Un-normalises the views and tiles them: one row per slot, columns query, query mask, key, key mask (2-px gaps).</summary>
    public static RgbImage Build(PairBatch b)
    {
        int n = (int)b.QueryImages.shape[0], s = (int)b.QueryImages.shape[2], gap = 2;
        int w = 4 * s + 3 * gap, h = n * s + (n - 1) * gap;
        var rgb = new byte[w * h * 3];
        Array.Fill(rgb, (byte)128);
        var mean = tensor(MaskContrast.Core.Data.Augmentation.ViewAugmenter.ImageNetMean).reshape(1, 3, 1, 1);
        var std = tensor(MaskContrast.Core.Data.Augmentation.ViewAugmenter.ImageNetStd).reshape(1, 3, 1, 1);
        float[] Img(Tensor t) => (t * std + mean).clamp(0, 1).mul(255).contiguous().data<float>().ToArray();
        float[] q = Img(b.QueryImages), k = Img(b.KeyImages);
        float[] qm = b.QueryMasks.contiguous().data<float>().ToArray(), km = b.KeyMasks.contiguous().data<float>().ToArray();
        for (int i = 0; i < n; i++)
            for (int y = 0; y < s; y++)
                for (int x = 0; x < s; x++)
                {
                    int row = i * (s + gap) + y;
                    for (int col = 0; col < 4; col++)
                    {
                        int o = (row * w + col * (s + gap) + x) * 3;
                        for (int c = 0; c < 3; c++)
                        {
                            float v = col switch
                            {
                                0 => q[((i * 3 + c) * s + y) * s + x],
                                1 => qm[(i * s + y) * s + x] * 255,
                                2 => k[((i * 3 + c) * s + y) * s + x],
                                _ => km[(i * s + y) * s + x] * 255,
                            };
                            rgb[o + c] = (byte)Math.Round(v);
                        }
                    }
                }
        return new RgbImage(w, h, rgb);
    }
}
