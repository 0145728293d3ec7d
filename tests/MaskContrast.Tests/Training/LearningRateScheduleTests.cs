using MaskContrast.Core.Config;
using MaskContrast.Core.Model;
using MaskContrast.Core.Training;

namespace MaskContrast.Tests.Training;

public class LearningRateScheduleTests
{
    static readonly OptimizerConfig Paper = Presets.Load("paper").Optimizer;

    [Theory]
    [InlineData(0, 0.004)]                                   // (1 − 0/40)^0.9 = 1
    [InlineData(1, 0.0039098865)]                            // 0.004 · (39/40)^0.9
    [InlineData(20, 0.0021435469)]                           // 0.004 · 0.5^0.9
    [InlineData(39, 0.0001446126)]                           // 0.004 · (1/40)^0.9
    public void Poly_IsSetPerEpoch_AsUpstream(int epoch, double expected)
    {
        Assert.Equal(expected, LearningRateSchedule.At(Paper, epoch, 40, step: 0, stepsPerEpoch: 100), 8);
        // constant inside an epoch
        Assert.Equal(LearningRateSchedule.At(Paper, epoch, 40, 0, 100), LearningRateSchedule.At(Paper, epoch, 40, 99, 100));
    }

    [Fact]
    public void Cosine_WithWarmup_RisesLinearlyThenDecaysToZero()
    {
        var o = Paper with { Scheduler = SchedulerName.Cosine, LearningRate = 0.1, WarmupSteps = 10 };
        Assert.Equal(0.01, LearningRateSchedule.At(o, 0, 2, 0, 50), 12);       // step 1 of 10
        Assert.Equal(0.1, LearningRateSchedule.At(o, 0, 2, 10, 50), 12);       // warm-up done: cos(0)
        Assert.Equal(0.05, LearningRateSchedule.At(o, 1, 2, 5, 50), 12);       // halfway through the 90 cosine steps
        Assert.True(LearningRateSchedule.At(o, 1, 2, 49, 50) < 1e-4);
    }

    [Fact]
    public void FreezeEarlyLayers_StemAndLayers1To2StayInEvalWithoutGrad()
    {
        using var model = new ContrastiveModel(Presets.Load("tiny").Model, 8);
        model.SetTrainingMode(freezeEarlyLayers: true);
        Assert.All(model.Query.Backbone.EarlyLayers, m => Assert.False(m.training));
        Assert.All(model.Query.Backbone.EarlyLayers.SelectMany(m => m.parameters()), p => Assert.False(p.requires_grad));
        Assert.True(model.Query.Decoder.training);
        Assert.All(model.Query.Decoder.parameters(), p => Assert.True(p.requires_grad));
    }
}
