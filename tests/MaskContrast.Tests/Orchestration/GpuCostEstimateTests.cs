using MaskContrast.Core.Config;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Runs;

namespace MaskContrast.Tests.Orchestration;

/// <summary>
/// The on-paper GPU estimate against figures worked out by hand from its table (GFLOP per view pair at 224², a T4 at
/// 4 TFLOP/s: resnet50 250 GFLOP → 0.0625 s, resnet18 103 GFLOP → 0.02575 s), and the per-run budget that refuses runs.
/// </summary>
public sealed class GpuCostEstimateTests
{
    [Fact]
    public void For_PaperPreset_IsEpochsTimesStepsTimesBatchAtTheResNet50Rate()
    {
        var estimate = GpuCostEstimate.For(Presets.Load("paper", ["schedule.stepsPerEpoch=82"]), datasetFiles: 0);

        // 40 × 82 × 128 = 419,840 pairs × 0.0625 s = 26,240 s = 437.33 min.
        Assert.Equal((419_840L, "resnet50", 224), (estimate.TrainingViewPairs, estimate.Backbone, estimate.CropSize));
        Assert.Equal(0.0625, estimate.GpuSecondsPerViewPair, precision: 12);
        Assert.Equal(437.33, estimate.GpuMinutes);
        Assert.Null(estimate.BudgetGpuMinutes);
        Assert.Contains("T4", estimate.Basis);
    }

    [Fact]
    public void For_DoubleTheCrop_CostsFourTimesAsMuch()
    {
        var estimate = GpuCostEstimate.For(Presets.Load("paper", ["schedule.stepsPerEpoch=82", "data.cropSize=448"]), datasetFiles: 0);

        // (448 / 224)² = 4: 0.25 s per pair, 104,960 s = 1,749.33 min.
        Assert.Equal(0.25, estimate.GpuSecondsPerViewPair, precision: 12);
        Assert.Equal(1749.33, estimate.GpuMinutes);
    }

    [Fact]
    public void For_OnePassEpochs_CountTheDatasetFilesPerEpoch()
    {
        // stepsPerEpoch 0 (the paper's one pass): 40 × 10,582 files = 423,280 pairs × 0.0625 s = 26,455 s = 440.92 min.
        var estimate = GpuCostEstimate.For(Presets.Load("paper"), datasetFiles: 10_582);

        Assert.Equal((423_280L, 440.92), (estimate.TrainingViewPairs, estimate.GpuMinutes));
    }

    [Fact]
    public void For_ResNet18AtHalfTheCrop_UsesItsOwnRateScaledByAQuarter()
    {
        var config = Presets.Load("paper", ["model.backbone=resnet18", "data.cropSize=112", "schedule.stepsPerEpoch=100", "schedule.epochs=10"]);

        var estimate = GpuCostEstimate.For(config, datasetFiles: 0);

        // 10 × 100 × 128 = 128,000 pairs × 0.02575 / 4 = 0.0064375 s → 824 s = 13.73 min.
        Assert.Equal(0.0064375, estimate.GpuSecondsPerViewPair, precision: 12);
        Assert.Equal((128_000L, "resnet18", 112, 13.73), (estimate.TrainingViewPairs, estimate.Backbone, estimate.CropSize, estimate.GpuMinutes));
    }

    [Fact]
    public void For_EveryBackbone_HasARate()
    {
        // A backbone added without a row would make every start of it throw.
        var tiny = Presets.Load("tiny");
        foreach (var backbone in Enum.GetValues<BackboneName>())
            Assert.True(GpuCostEstimate.For(tiny with { Model = tiny.Model with { Backbone = backbone } }, datasetFiles: 0).GpuSecondsPerViewPair > 0,
                backbone.ToString());
    }

    [Theory]
    [InlineData(437.0, true)]    // the 437.33-minute paper run is over a 437-minute budget
    [InlineData(437.33, false)]  // and within a budget of exactly its estimate
    public void CheckConfig_EstimateOverTheGpuBudget_IsAnOverridesProblemGivingBoth(double budget, bool refused)
    {
        var settings = new RunSettings("toy", "paper", ["schedule.stepsPerEpoch=82"]);
        var limits = new RunLimits(MaxGpuMinutesPerRun: budget);

        var problems = limits.CheckConfig(settings, Presets.Load("paper", settings.Overrides), datasetFiles: 0).ToList();

        if (!refused)
        {
            Assert.Empty(problems);
            return;
        }
        var (field, problem) = Assert.Single(problems);
        Assert.Equal("overrides", field);
        Assert.Contains("estimated at 437.33 GPU minutes", problem);
        Assert.Contains("budget per run is 437 here", problem);
    }
}
