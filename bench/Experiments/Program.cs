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
var overrides = new List<string>();
for (int i = 2; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--minutes": minutes = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--data": data = args[++i]; break;
        case "--results": results = args[++i]; break;
        default: overrides.Add(args[i]); break;
    }
}
var config = Presets.Load(preset, overrides);
if (!File.Exists(Path.Combine(data, "ImageSets", "Segmentation", "val.txt")))
    SyntheticDataset.Generate(data, new SyntheticOptions());   // the issue-5 set: 300 train / 100 val, 128×128, 4 classes
var train = new VocDataset(data, "train");
var val = new VocDataset(data, "val");
using var set = new TrainingSet(train);
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
