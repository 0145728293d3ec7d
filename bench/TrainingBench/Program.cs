using System.Diagnostics;
using MaskContrast.Core.Config;
using MaskContrast.Core.Data;
using MaskContrast.Core.Training;
using static TorchSharp.torch;

// Quick probe: where does a training step spend its time? usage: TrainingBench <preset> [steps] [overrides...]
string preset = args.Length > 0 ? args[0] : "tiny";
int steps = args.Length > 1 ? int.Parse(args[1]) : 10;
var config = Presets.Load(preset, args.Skip(2));
string root = Path.Combine(Path.GetTempPath(), "mc-bench-synthetic");
if (!Directory.Exists(root)) SyntheticDataset.Generate(root, new SyntheticOptions(TrainCount: 300, ValCount: 100));
using var set = new TrainingSet(new VocDataset(root, "train"));
using var trainer = new Trainer(config, CPU);
var sampler = new PairBatchSampler(set, config.Data, config.Schedule.BatchSize, 1);
double build = 0, step = 0;
for (int s = 0; s < steps; s++)
{
    var t = Stopwatch.StartNew();
    using var batch = sampler.Build(0, s);
    build += t.Elapsed.TotalSeconds; t.Restart();
    var m = trainer.Step(batch, config.Optimizer.LearningRate, new DeterministicRandom(s));
    step += t.Elapsed.TotalSeconds;
    Console.WriteLine($"step {s}: loss {m.Loss:F3} con {m.Contrastive:F3} sal {m.Saliency:F3} top1 {m.Top1:F2}");
}
Console.WriteLine($"batch build {1000 * build / steps:F0} ms/step, train step {1000 * step / steps:F0} ms/step");
