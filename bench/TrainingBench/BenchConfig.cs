using MaskContrast.Core.Config;
using MaskContrast.Core.Data;

namespace MaskContrast.Bench;

/// <summary>One benchmarked configuration: a preset, its overrides, and the side of the synthetic images it trains on.</summary>
public sealed record BenchConfig(string Name, string Preset, string[] Overrides, int ImageSize)
{
    // Declared before All: static fields initialise in source order, and All spreads this array.
    static readonly string[] s_officialStep =
    [
        "optimizer.name=sgd", "optimizer.learningRate=0.004", "optimizer.scheduler=poly", "optimizer.warmupSteps=0",
        "data.hue=0.1", "data.rotationDegrees=0", "data.channelPermutationProbability=0", "model.embeddingDim=32", "moco.momentum=0.999",
        "moco.saliencyLoss=balanced",
    ];

    /// <summary>
    /// The configurations of issue 2: every preset at batch 2, tiny and small also at their own batch size. The paper model
    /// runs at batch 2 with a queue of 8 (K must be a multiple of B) from random weights (no weight file here).
    /// The small network is timed with the official step (SGD, official augmentation, 32-d embedding) that the PyTorch twin
    /// implements; the small recipe's AdamW, rotation, channel permutation and plain saliency BCE are not in the twin.
    /// </summary>
    public static readonly BenchConfig[] All =
    [
        new("tiny-b2", "tiny", ["schedule.batchSize=2"], 128),
        new("tiny-b8", "tiny", [], 128),
        new("small-b2", "small", ["schedule.batchSize=2", .. s_officialStep], 128),
        new("small-b16", "small", s_officialStep, 128),
        new("paper-b2", "paper", ["schedule.batchSize=2", "moco.queueSize=8", "model.pretraining=none", "data.cropSize=224"], 256),
        // The default recipe (its batch 16, crop 128, frozen stem–layer2, packaged ImageNet weights) with the official step.
        new("imagenet-resnet18", "imagenet-resnet18", s_officialStep, 128),
    ];

    /// <summary>The speed levers of issue 17, each a set of overrides on top of a configuration; fp32 is the baseline.</summary>
    public static readonly Dictionary<string, string[]> Variants = new()
    {
        ["fp32"] = [],
        ["channels-last"] = ["model.channelsLast=true"],
        ["bf16"] = ["model.precision=bf16"],
        ["bf16+channels-last"] = ["model.precision=bf16", "model.channelsLast=true"],
    };

    /// <summary>This configuration with a lever of <see cref="Variants"/> applied.</summary>
    public BenchConfig With(string variant) => Variants.TryGetValue(variant, out var extra)
        ? this with { Overrides = [.. Overrides, .. extra] }
        : throw new ArgumentException($"unknown variant '{variant}'; choose one of {string.Join(", ", Variants.Keys)}");

    public static BenchConfig Find(string name) => All.FirstOrDefault(c => c.Name == name)
        ?? throw new ArgumentException($"unknown configuration '{name}'; choose one of {string.Join(", ", All.Select(c => c.Name))}");

    public TrainingConfig Resolve() => Presets.Load(Preset, Overrides);

    /// <summary>64 synthetic training images of <see cref="ImageSize"/>², generated once per size under the temp folder.</summary>
    public string DatasetRoot()
    {
        string root = Path.Combine(Path.GetTempPath(), $"mc-bench-synthetic-{ImageSize}");
        string done = Path.Combine(root, ".complete");
        if (!File.Exists(done))
        {
            SyntheticDataset.Generate(root, new SyntheticOptions(TrainCount: 64, ValCount: 0, Width: ImageSize, Height: ImageSize));
            File.WriteAllText(done, "");
        }
        return root;
    }
}
