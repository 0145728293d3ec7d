using System.Diagnostics;
using System.Globalization;
using MaskContrast.Core.Config;
using MaskContrast.Core.Data;
using MaskContrast.Core.Evaluation;
using MaskContrast.Core.Training;
using static TorchSharp.torch;

// One ablation row: train a configuration on the synthetic set, evaluate it with the K-means protocol next to its
// baselines (untrained network, raw colours, chance) and append a row to a Markdown table.
// usage: Experiments <name> <preset> [--minutes M] [--data DIR] [--synthetic TRAIN,VAL,SIZE,SEED[,FAMILY]] [--results FILE]
//                    [--eval-size S[,S2...]] [--dump-views FILE] [section.field=value ...]
//        Experiments ksweep [--families shapes,clutter] [--seeds 1,2,3,4,5] [--images 100] [--table] (KSweepBench.cs)
//        Experiments plot OUT.png CHANCE label=curve.csv ... (contrastive curves of several runs against the chance level)
// --synthetic sets the generated set when DIR does not exist yet (default 300,100,128,0: the set of issue 5; a fifth
// element names the family: shapes or clutter).
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
if (args.Length >= 1 && args[0] == "ksweep") return KSweepBench.Run(args[1..]);
if (args.Length >= 3 && args[0] == "plot") return CurvePlot.Write(args[1], double.Parse(args[2], CultureInfo.InvariantCulture), args[3..]);
if (args.Length < 2) { Console.Error.WriteLine("usage: Experiments <name> <preset> [--minutes M] [--data DIR] [--synthetic TRAIN,VAL,SIZE,SEED] [--results FILE] [--dump-views FILE] [overrides...]"); return 2; }
string name = args[0], preset = args[1];
double minutes = double.MaxValue;
string data = Path.Combine(Path.GetTempPath(), "mc-synthetic-300-100");
string results = "bench/results/ablation.md";
string? dumpViews = null;
int[]? evalSizeOverride = null;
var synthetic = new SyntheticOptions();
var overrides = new List<string>();
for (int i = 2; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--minutes": minutes = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--data": data = args[++i]; break;
        case "--results": results = args[++i]; break;
        case "--dump-views": dumpViews = args[++i]; break;
        case "--eval-size": evalSizeOverride = args[++i].Split(',').Select(int.Parse).ToArray(); break;
        case "--synthetic":
            string[] parts = args[++i].Split(',');
            int[] v = parts.Take(4).Select(int.Parse).ToArray();
            var family = parts.Length > 4 ? Enum.Parse<SyntheticFamily>(parts[4], ignoreCase: true) : SyntheticFamily.Shapes;
            synthetic = new SyntheticOptions(TrainCount: v[0], ValCount: v[1], Width: v[2], Height: v[2], Seed: v[3], Family: family);
            break;
        default: overrides.Add(args[i]); break;
    }
}
var config = Presets.Load(preset, overrides);
if (!File.Exists(Path.Combine(data, "ImageSets", "Segmentation", "val.txt")))
    SyntheticDataset.Generate(data, synthetic);
var train = new VocDataset(data, "train");
var val = new VocDataset(data, "val");
var set = new TrainingSet(train);
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
// What `run` uses unless told otherwise; several sizes evaluate the same trained network at each (one row per size).
foreach (int evalSize in evalSizeOverride ?? [InferenceSize.For(config)])
{
    string row = evalSizeOverride is { Length: > 1 } ? $"{name}@{evalSize}" : name;
    var evaluation = new EvaluationOptions(Size: evalSize, BatchSize: 16);
    using var outputs = ModelEvaluation.Embed(trainer.Model.Query, val, evaluation);
    var (report, bundle, _) = ModelEvaluation.Evaluate(outputs, trainer.Model.Query, config, val, evaluation);
    bundle.Dispose();
    // Diagnostics of the embedding alone (true-foreground prototypes): does a prototype's nearest neighbour share its class,
    // and does the K-means protocol do better without PCA whitening (which on 100 images also scales up noise directions)?
    var classes = outputs.TrueMasks.Zip(outputs.GroundTruth, SegmentRetrieval.MajorityObjectClass).ToArray();
    var p = outputs.TrueForegroundPrototypes;
    var nearest = (p.matmul(p.t()) - eye(p.shape[0]) * 10).argmax(1).data<long>().ToArray();   // leave one out: never itself
    double nearestAccuracy = nearest.Select((j, i) => classes[i] == classes[(int)j] ? 1.0 : 0.0).Average();
    var other = new ClusteringProtocolOptions(NumClasses: report.NumClasses, Whiten: !config.Evaluation.Whiten);
    double unwhitened = KMeansProtocol.Evaluate(p, outputs.TrueMasks, outputs.GroundTruth,
        new ClusteringProtocolOptions(NumClasses: report.NumClasses, Whiten: false)).MeanIoU;
    // The full protocol with the other whitening choice, per image and per object, and the per-image protocol's ceiling.
    double otherPerImage = KMeansProtocol.Evaluate(outputs.Prototypes, outputs.PredictedMasks, outputs.GroundTruth, other).MeanIoU;
    double otherPerObject = ObjectClusteringProtocol.Evaluate(outputs.ObjectPrototypes, outputs.Objects, outputs.GroundTruth, other).MeanIoU;
    double ceiling = report.PerImageCeiling ?? double.NaN;
    // One cluster per true object: the objects are the true foreground's components, not the saliency head's.
    var trueObjectSegments = outputs.TrueMasks.Select(ObjectSegments.Find).ToList();
    (double TrueForeground, double OwnMasks, double TrueObjects)? frozen = config.Model.Pretraining == PretrainingSource.MlNetImageNet
        ? Baselines.FrozenImageNet(config, val, outputs, trueObjectSegments, evalSize, report.NumClasses) : null;
    var trueObjects = Baselines.TrueObjects(trainer.Model.Query, config, val, outputs, trueObjectSegments, evalSize, report.NumClasses);
    string frozenTrueObjects = frozen is null ? "–" : $"{frozen.Value.TrueObjects:F3}";
    Console.WriteLine($"one cluster per true object (true-foreground components): trained {trueObjects.Trained:F3}, frozen ImageNet {frozenTrueObjects}, ceiling {trueObjects.Ceiling:F3}");
    // Saliency calibration: foreground IoU of the predicted mask at several logit thresholds (the protocol uses 0.5).
    var saliency = outputs.Saliency;
    Console.WriteLine("saliency fg IoU by logit threshold: " + string.Join(", ", new[] { -1.0, 0.0, 0.5, 1.0, 2.0 }.Select(t => $"{t}: {saliency.ForegroundIoU(t):F3}")) +
                      $"; best {saliency.ForegroundIoU(saliency.BestThreshold()):F3} at {saliency.BestThreshold()}" +
                      $"; predicted fg fraction (logit > 0.5) {saliency.PredictedForegroundFraction(0.5):F3}, true {saliency.TrueForegroundFraction:F3}");
    string contrastive = trainer.History.Count == 0 ? "–" : $"{trainer.History[^1].Contrastive:F3} ({trainer.History[^1].ChanceContrastive:F3})";   // --minutes 0: the untrained network
    string Fmt(ProtocolSummary? s) => s is null ? "–" : $"{s.MeanIoU:F3} ± {s.StdIoU:F3}";
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(results))!);
    if (!File.Exists(results))
        File.WriteAllText(results,
            "| name | preset | overrides | epochs | steps | train min | contrastive (chance) | fg IoU | K-means mIoU | true fg | untrained | untrained true fg | raw colour | chance | true fg unwhitened | 1-NN class acc | eval size | whitened | per object | other whitening (image / object) | per-image ceiling | frozen ImageNet (true fg / own masks) | per true object: trained / frozen / ceiling |\n" +
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    int steps = trainer.History.Sum(h => h.Steps);
    File.AppendAllText(results,
        $"| {row} | {preset} | {string.Join(" ", overrides)} | {trainer.CompletedEpochs} | {steps} | {trainMinutes:F1} | {contrastive} | " +
        $"{report.SaliencyIoU:F3} | {Fmt(report.Trained)} | {Fmt(report.TrainedTrueForeground)} | {Fmt(report.Untrained)} | {Fmt(report.UntrainedTrueForeground)} | " +
        $"{Fmt(report.RawColours)} | {Fmt(report.Chance)} | {unwhitened:F3} | {nearestAccuracy:F2} | {evalSize} | {config.Evaluation.Whiten} | {Fmt(report.PerObject)} | " +
        $"{otherPerImage:F3} / {otherPerObject:F3} | {ceiling:F3} | {(frozen is null ? "–" : $"{frozen.Value.TrueForeground:F3} / {frozen.Value.OwnMasks:F3}")} | {trueObjects.Trained:F3} / {frozenTrueObjects} / {trueObjects.Ceiling:F3} |\n");
    File.WriteAllLines(Path.ChangeExtension(results, null) + $"-{row.Replace(' ', '_')}-curve.csv",
        curve.Select((c, i) => $"{i},{c:F4}").Prepend("step,contrastive"));
    Console.WriteLine($"K-means {Fmt(report.Trained)}  true fg {Fmt(report.TrainedTrueForeground)}  untrained {Fmt(report.Untrained)}  " +
                      $"raw {Fmt(report.RawColours)}  chance {Fmt(report.Chance)}  fg IoU {report.SaliencyIoU:F3}  true fg unwhitened {unwhitened:F3}  1-NN {nearestAccuracy:F2}");
    Console.WriteLine($"eval size {evalSize}, whitened {config.Evaluation.Whiten}: per object {Fmt(report.PerObject)}; other whitening: per image {otherPerImage:F3}, per object {otherPerObject:F3}; " +
                      $"per-image ceiling {ceiling:F3}; frozen ImageNet {(frozen is null ? "–" : $"true fg {frozen.Value.TrueForeground:F3}, own masks {frozen.Value.OwnMasks:F3}")}");
}
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

static class CurvePlot
{
    /// <summary>Draws each run's contrastive loss per step (moving mean over 18 steps, one pass of the 300-image set) and the chance line.</summary>
    public static int Write(string path, double chance, string[] curves)
    {
        var plot = MaskContrast.Core.Evaluation.ReportWriter.NewPlot();
        foreach (var spec in curves)
        {
            int eq = spec.IndexOf('=');
            string label = spec[..eq];
            double[] loss = File.ReadLines(spec[(eq + 1)..]).Skip(1).Select(l => double.Parse(l.Split(',')[1], CultureInfo.InvariantCulture)).ToArray();
            const int window = 18;
            double[] smooth = Enumerable.Range(0, loss.Length - window + 1).Select(i => loss.Skip(i).Take(window).Average()).ToArray();
            var line = plot.Add.Signal(smooth);
            line.LegendText = label;
            line.Data.XOffset = window - 1;
        }
        var chanceLine = plot.Add.HorizontalLine(chance);
        chanceLine.LegendText = $"chance ln(B + K) = {chance:F2}";
        chanceLine.LinePattern = ScottPlot.LinePattern.Dashed;
        plot.XLabel("step");
        plot.YLabel("contrastive loss (mean of the last 18 steps)");
        plot.ShowLegend();
        plot.Legend.Alignment = ScottPlot.Alignment.UpperRight;   // late steps sit well below chance: the upper right stays empty
        plot.SavePng(path, 900, 450);
        Console.WriteLine($"wrote {path}");
        return 0;
    }
}
