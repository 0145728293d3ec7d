using MaskContrast.Core.Config;
using MaskContrast.Core.Training;
using MaskContrast.Tests.Data;
using static TorchSharp.torch;

namespace MaskContrast.Tests.Training;

public class CheckpointTests(SyntheticTrainingSet data) : IClassFixture<SyntheticTrainingSet>
{
    static readonly TrainingConfig Config = Presets.Load("tiny", ["schedule.stepsPerEpoch=2"]);

    string TrainedCheckpoint(TempFolder folder)
    {
        using var trainer = new Trainer(Config, CPU);
        trainer.TrainEpoch(data.Set);
        string path = Path.Combine(folder.Path, Checkpoint.FileName(1));
        Checkpoint.SaveFile(trainer, path);
        return path;
    }

    [Fact]
    public void RoundTrip_RestoresQueuePointerHistoryAndWeights()
    {
        using var folder = new TempFolder();
        using var trainer = new Trainer(Config, CPU);
        trainer.TrainEpoch(data.Set);
        string path = Path.Combine(folder.Path, "epoch-0001.ckpt");
        Checkpoint.SaveFile(trainer, path);
        using var loaded = Checkpoint.LoadFile(path, Config, CPU);
        Assert.Equal(1, loaded.CompletedEpochs);
        Assert.Equal(trainer.Model.QueuePointer, loaded.Model.QueuePointer);
        Assert.Equal(16, loaded.Model.QueuePointer);   // 2 steps × batch 8 into a queue of 32
        Assert.True(loaded.Model.Queue.eq(trainer.Model.Queue).all().item<bool>());
        Assert.Equal(trainer.History[0].Loss, loaded.History[0].Loss);
        var a = trainer.Model.Key.state_dict();
        foreach (var (k, v) in loaded.Model.Key.state_dict()) Assert.True(v.eq(a[k]).all().item<bool>(), k);
    }

    [Fact]
    public void CorruptByte_IsRefused()
    {
        using var folder = new TempFolder();
        string path = TrainedCheckpoint(folder);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.LoadFile(path, Config, CPU));
        Assert.Contains("corrupt (content hash mismatch)", e.Message);
    }

    [Fact]
    public void Truncated_IsRefused()
    {
        using var folder = new TempFolder();
        string path = TrainedCheckpoint(folder);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..1000]);
        Assert.Throws<InvalidDataException>(() => Checkpoint.LoadFile(path, Config, CPU));
        File.WriteAllText(path, "not a checkpoint");
        Assert.Contains("not a MaskContrast checkpoint", Assert.Throws<InvalidDataException>(() => Checkpoint.LoadFile(path)).Message);
    }

    [Fact]
    public void DifferentConfiguration_IsRefusedNamingTheField()
    {
        using var folder = new TempFolder();
        string path = TrainedCheckpoint(folder);
        var other = Config with { Optimizer = Config.Optimizer with { LearningRate = 0.5 } };
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.LoadFile(path, other, CPU));
        Assert.Contains("optimizer.learningRate: checkpoint 0.05, requested 0.5", e.Message);
    }
}
