using MaskContrast.Core.Config;
using MaskContrast.Core.Data;
using MaskContrast.Core.Evaluation;
using MaskContrast.Core.Training;
using MaskContrast.Tests.Data;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MaskContrast.Tests.Evaluation;

/// <summary>
/// End to end on the synthetic set, all through the same evaluation code in the same test: a model trained with the
/// tiny preset against k-means on raw pixel colours, the same network untrained, and the chance level of the protocol.
/// </summary>
public sealed class LearnedVersusBaselinesTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void TinyTraining_BeatsRawColoursAndTheUntrainedNetwork()
    {
        SyntheticDataset.Generate(_folder.Path, new SyntheticOptions(TrainCount: 96, ValCount: 48, Width: 64, Height: 64, Seed: 11));
        var config = Presets.Load("tiny", ["schedule.epochs=12", "schedule.stepsPerEpoch=0"]);   // 12 passes × 12 steps of 8
        using var set = new TrainingSet(new VocDataset(_folder.Path, "train"));
        using var trainer = new Trainer(config, CPU);
        while (trainer.CompletedEpochs < config.Schedule.Epochs) trainer.TrainEpoch(set);

        var (report, bundle, _) = ModelEvaluation.Run(trainer.Model.Query, config, new VocDataset(_folder.Path, "val"),
            new EvaluationOptions(Size: 64, BatchSize: 16));
        bundle.Dispose();
        output.WriteLine($"K-means mIoU: trained {report.Trained.MeanIoU:F3} ± {report.Trained.StdIoU:F3}, untrained {report.Untrained!.MeanIoU:F3}, " +
                         $"raw colours {report.RawColours.MeanIoU:F3}, chance {report.Chance.MeanIoU:F3}; " +
                         $"true foreground: trained {report.TrainedTrueForeground.MeanIoU:F3}, untrained {report.UntrainedTrueForeground!.MeanIoU:F3}; " +
                         $"saliency fg IoU {report.SaliencyIoU:F3}; contrastive {trainer.History[^1].Contrastive:F3} (chance {trainer.History[^1].ChanceContrastive:F3})");
        // Measured (seeded, CPU): trained 0.221, untrained 0.174, raw colours 0.093, chance 0.397. Most of the gain over the
        // untrained network comes from the saliency head: with true-foreground prototypes and masks the trained embedding
        // scores 0.346 against 0.335 untrained, so only the protocol's own numbers are asserted here. Chance and the
        // true-foreground pair are reported, not asserted: the tiny recipe does not learn class structure yet (issue 5).
        Assert.True(report.Trained.MeanIoU > report.RawColours.MeanIoU + 0.05, "trained does not beat raw colours");
        Assert.True(report.Trained.MeanIoU > report.Untrained.MeanIoU + 0.02, "trained does not beat the untrained network");
    }
}
