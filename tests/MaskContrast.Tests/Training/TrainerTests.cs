using MaskContrast.Core.Config;
using MaskContrast.Core.Data;
using MaskContrast.Core.Training;
using MaskContrast.Tests.Data;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MaskContrast.Tests.Training;

public class TrainerTests(SyntheticTrainingSet data, ITestOutputHelper output) : IClassFixture<SyntheticTrainingSet>
{
    static TrainingConfig Tiny(params string[] overrides) => Presets.Load("tiny", overrides);

    [Fact]
    public void TinyTraining_LossFalls()
    {
        // 16 images, no queue (each query pixel picks its image among the 8 of its batch), 6 epochs × 10 steps:
        // both terms must fall from the first epoch to the last and the contrastive term must end below its chance
        // level ln(8). This checks that the loop learns; learning semantics at CPU scale is issue 5's work.
        // Measured (contrastive/saliency per epoch): 1.981/0.242 → 1.823/0.224 → … → 1.359/0.197.
        var small = new TrainingSet(new VocDataset(data.Root, "train"), new VocDataset(data.Root, "train").Ids.Take(16));
        using var trainer = new Trainer(Tiny("schedule.epochs=6", "moco.queueSize=0", "moco.momentum=0.9"), CPU);
        var epochs = Enumerable.Range(0, 6).Select(_ => trainer.TrainEpoch(small)).ToList();
        string trace = string.Join(", ", epochs.Select(e => $"{e.Contrastive:F3}/{e.Saliency:F3}"));
        output.WriteLine($"contrastive/saliency per epoch: {trace}");
        Assert.True(epochs[^1].Loss < 0.9 * epochs[0].Loss, $"total loss did not fall by 10 %: {trace}");
        Assert.True(epochs[^1].Saliency < epochs[0].Saliency, $"saliency loss did not fall: {trace}");
        Assert.True(epochs[^1].Contrastive < Math.Log(8) - 0.1, $"contrastive loss not below chance ln 8 = 2.079: {trace}");
        Assert.Equal(Math.Log(8), epochs[0].ChanceContrastive, 9);
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("adamw")]   // the optimiser state (both moments and the step count) must travel in the checkpoint too
    public void Resume_OneEpochCheckpointOneEpoch_EqualsTwoEpochsStraight(string optimizer)
    {
        var config = Tiny("schedule.epochs=2", "schedule.stepsPerEpoch=4", $"optimizer.name={optimizer}",
            optimizer == "adamw" ? "optimizer.learningRate=0.001" : "optimizer.learningRate=0.05");
        using var straight = new Trainer(config, CPU);
        straight.TrainEpoch(data.Set);
        straight.TrainEpoch(data.Set);

        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, Checkpoint.FileName(1));
        using (var first = new Trainer(config, CPU))
        {
            first.TrainEpoch(data.Set);
            Checkpoint.SaveFile(first, path);
        }
        using var resumed = Checkpoint.LoadFile(path, config, CPU);
        Assert.Equal(1, resumed.CompletedEpochs);
        resumed.TrainEpoch(data.Set);

        var a = straight.Model.state_dict();
        foreach (var (name, t) in resumed.Model.state_dict())
        {
            double diff = t.is_floating_point() ? (t - a[name]).abs().max().item<float>() : (t - a[name]).abs().max().item<long>();
            Assert.True(diff <= 1e-6, $"{name} differs by {diff}");
        }
        Assert.Equal(straight.History[^1].Loss, resumed.History[^1].Loss, 6);
    }

    [Fact]
    public void Step_BatchOfOne_IsRejected()
    {
        using var trainer = new Trainer(Tiny(), CPU);
        var batch = new PairBatch(randn(1, 3, 64, 64), ones(1, 64, 64), randn(1, 3, 64, 64), ones(1, 64, 64));
        var e = Assert.Throws<ArgumentException>(() => trainer.Step(batch, 0.1, new DeterministicRandom(1)));
        Assert.Contains("at least 2 images", e.Message);
    }

    [Fact]
    public void SameSeed_SameFirstEpoch()
    {
        var config = Tiny("schedule.stepsPerEpoch=3");
        using var a = new Trainer(config, CPU);
        using var b = new Trainer(config, CPU);
        Assert.Equal(a.TrainEpoch(data.Set).StepContrastive, b.TrainEpoch(data.Set).StepContrastive);
    }
}
