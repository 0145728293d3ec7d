using MaskContrast.Core.Config;
using MaskContrast.Core.Model;
using MaskContrast.Core.Training;
using MaskContrast.Tests.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskContrast.Tests.Model;

/// <summary>model.channelsLast and model.precision (issue 17): the same network computing in another layout or format.</summary>
public class SpeedLeverTests(SyntheticTrainingSet data) : IClassFixture<SyntheticTrainingSet>
{
    static ModelConfig Tiny => Presets.Load("tiny").Model;

    // The same weights and input through the tiny network built with `lever`, in eval mode; float32 outputs.
    static (SegmentationOutput Plain, SegmentationOutput Lever) BothWays(ModelConfig lever)
    {
        random.manual_seed(3);
        using var plain = new SegmentationModel(Tiny);
        using var other = new SegmentationModel(lever);
        using (no_grad())
            foreach (var (name, t) in other.state_dict()) t.copy_(plain.state_dict()[name]);
        plain.eval();
        other.eval();
        var x = randn(2, 3, 48, 40);
        using var _ = no_grad();
        return (plain.forward(x), other.forward(x));
    }

    [Fact]
    public void ChannelsLast_SameOutputsAsNchw_UpToRounding()
    {
        var (plain, lever) = BothWays(Tiny with { ChannelsLast = true });
        Assert.Equal(ScalarType.Float32, lever.Embeddings.dtype);
        Assert.Equal(plain.Embeddings.shape, lever.Embeddings.shape);
        Assert.Equal(plain.SaliencyLogits.shape, lever.SaliencyLogits.shape);
        // The convolutions sum in another order: equal to float32 rounding, not bit for bit.
        Assert.True((plain.Embeddings - lever.Embeddings).abs().max().item<float>() < 1e-4f);
        Assert.True((plain.SaliencyLogits - lever.SaliencyLogits).abs().max().item<float>() < 1e-4f);
    }

    [Fact]
    public void Bf16_OnThisCpu_RunsAutocastWithFloat32Outputs_OrFallsBackToFp32()
    {
        var config = Tiny with { Precision = ComputePrecision.Bf16 };
        var (plain, lever) = BothWays(config);
        Assert.Equal(ScalarType.Float32, lever.Embeddings.dtype);
        Assert.Equal(ScalarType.Float32, lever.SaliencyLogits.dtype);
        float diff = (plain.Embeddings - lever.Embeddings).abs().max().item<float>();
        float scale = plain.Embeddings.abs().max().item<float>();
        using var model = new SegmentationModel(config);
        if (model.UsesBf16(DeviceType.CPU))
            // bfloat16 keeps 8 significant bits: the outputs move, by about a per cent of their range, not more.
            Assert.InRange(diff / scale, 1e-5f, 0.05f);
        else
            Assert.Equal(0f, diff);   // no AVX-512 BF16 or AMX here: plain float32, the same bits
        Assert.False(new SegmentationModel(Tiny).UsesBf16(DeviceType.CPU));
    }

    [Fact]
    public void Bf16_AutocastScope_EndsWithTheForward()
    {
        // A later float32 computation on the same thread must not be cast: the scope is per forward pass.
        using var model = new SegmentationModel(Tiny with { Precision = ComputePrecision.Bf16 });
        model.eval();
        using var _ = no_grad();
        model.forward(randn(1, 3, 32, 32)).Dispose();
        var a = randn(8, 8);
        Assert.Equal(ScalarType.Float32, a.matmul(a).dtype);
        Assert.Equal(ScalarType.Float32, nn.functional.conv2d(randn(1, 2, 5, 5), randn(3, 2, 3, 3)).dtype);
    }

    [Theory]
    [InlineData("model.channelsLast=true")]
    [InlineData("model.precision=bf16")]
    public void TrainingStep_WithALever_GivesTheFp32LossWithinTolerance(string lever)
    {
        // One step of the same batch from the same weights: the loss (float32 in both cases) agrees to rounding
        // (channels-last) or to bfloat16 precision (bf16, where the CPU has it).
        double Loss(params string[] overrides)
        {
            var config = Presets.Load("tiny", ["model.dropout=0", .. overrides]);   // no dropout mask to lay out differently
            using var trainer = new Trainer(config, CPU);
            var sampler = new PairBatchSampler(data.Set, config.Data, config.Schedule.BatchSize, config.Schedule.Seed);
            using var batch = sampler.Build(0, 0);
            return trainer.Step(batch, 0.05, new DeterministicRandom(1, 0, 0, -2)).Loss;
        }
        double fp32 = Loss(), other = Loss(lever);
        Assert.True(double.IsFinite(other));
        Assert.InRange(Math.Abs(other - fp32), 0, lever.Contains("bf16") ? 0.05 * fp32 : 1e-4);
    }
}
