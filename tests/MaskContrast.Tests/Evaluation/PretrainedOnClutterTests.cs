using MaskContrast.Core.Config;
using MaskContrast.Core.Data;
using MaskContrast.Core.Evaluation;
using MaskContrast.Core.Training;
using MaskContrast.Tests.Data;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MaskContrast.Tests.Evaluation;

/// <summary>
/// The default recipe (ImageNet weights from the NuGet package) on the harder synthetic family, shortened for CI: 128
/// steps of 8 on 64 cluttered images with their true foreground as proposals, then the evaluation the product runs (the
/// preset's inference size, unwhitened PCA, one cluster per object). What is asserted is the embedding: prototypes over
/// the true foreground, matched like the protocol, against the protocol's chance level on the same masks. The full
/// protocol with the network's own masks is printed, not asserted: after 128 steps the saliency head reaches a
/// foreground IoU of only 0.09–0.15 on these scenes at the rule's 224² (0.27–0.29 at the former 144²) and the full
/// protocol sits below chance (0.25–0.30 against 0.385, seeds 1–3); it takes the whole recipe (360 steps of 16) to reach
/// 0.60 (README, "Starting from ImageNet weights").
/// </summary>
public sealed class PretrainedOnClutterTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(1)]
    public void ShortPretrainedRun_BeatsTheProtocolsChanceLevel_OnClutteredScenes(int seed)
    {
        SyntheticDataset.Generate(_folder.Path, new SyntheticOptions(TrainCount: 64, ValCount: 48, Width: 96, Height: 96, Seed: 21,
            Family: SyntheticFamily.Clutter));
        var config = Presets.Load(Presets.Default, ["data.cropSize=96", "schedule.batchSize=8", "moco.queueSize=32", "schedule.epochs=16",
            $"schedule.seed={seed}"]);
        var set = new TrainingSet(new VocDataset(_folder.Path, "train"));
        using var trainer = new Trainer(config, CPU);
        while (trainer.CompletedEpochs < config.Schedule.Epochs) trainer.TrainEpoch(set);

        var evaluation = new EvaluationOptions(Size: InferenceSize.For(config), BatchSize: 16, IncludeUntrained: false);
        var (report, bundle, _) = ModelEvaluation.Run(trainer.Model.Query, config, new VocDataset(_folder.Path, "val"), evaluation);
        bundle.Dispose();
        output.WriteLine($"seed {seed}, {trainer.History.Sum(h => h.Steps)} steps at {evaluation.Size}²: per object {report.PerObject!.MeanIoU:F3} ± {report.PerObject.StdIoU:F3}, " +
                         $"per image {report.Trained.MeanIoU:F3}, true foreground {report.TrainedTrueForeground.MeanIoU:F3}, chance {report.Chance.MeanIoU:F3}, " +
                         $"per-image ceiling {report.PerImageCeiling:F3}, saliency fg IoU {report.SaliencyIoU:F3}");
        Assert.Equal(ClusterAssignment.Object, report.Assignment);
        Assert.False(report.Whitened);
        // Training seeds 1/2/3 of exactly this test at 224²: true foreground 0.545/0.481/0.517 against chance 0.385, gaps
        // 0.160, 0.096 and 0.132. The margin is about half the smallest gap.
        Assert.True(report.TrainedTrueForeground.MeanIoU > report.Chance.MeanIoU + Margin,
            $"true-foreground mIoU {report.TrainedTrueForeground.MeanIoU:F3} is not {Margin} above chance {report.Chance.MeanIoU:F3}");
    }

    private const double Margin = 0.05;
}
