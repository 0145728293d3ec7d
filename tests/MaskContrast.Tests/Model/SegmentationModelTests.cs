using MaskContrast.Core.Config;
using MaskContrast.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskContrast.Tests.Model;

public class SegmentationModelTests
{
    static ModelConfig Paper => Presets.Load("paper").Model;

    [Fact]
    public void PaperModel_ParameterCounts_MatchOfficial()
    {
        using var model = new SegmentationModel(Paper);
        var c = model.CountParameters();
        Assert.Equal(23_508_032, c.Backbone);
        Assert.Equal(16_125_440, c.Decoder);
        Assert.Equal(8_224, c.Head);
        Assert.Equal(256, c.SaliencyHead);
        Assert.Equal(39_641_952, c.Total);
    }

    [Fact]
    public void PaperModel_StateDictKeysAndShapes_MatchOfficialTwin()
    {
        // Golden/paper_model_keys.txt comes from torchvision modules in the official structure (Golden/make_golden.py).
        var expected = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Golden", "paper_model_keys.txt"))
            .Where(l => l.Length > 0).ToHashSet();
        using var model = new SegmentationModel(Paper);
        var actual = model.state_dict().Select(p => $"{p.Key} [{string.Join(", ", p.Value.shape)}]").ToHashSet();
        Assert.Empty(expected.Except(actual));
        Assert.Empty(actual.Except(expected));
        Assert.Equal(363, actual.Count);
    }

    [Fact]
    public void PaperModel_ForwardBackward_Batch2At224_GivesInputSizedOutputsAndGradients()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(0);
        using var model = new SegmentationModel(Paper);
        model.train();
        var x = randn(2, 3, 224, 224);
        using var y = model.forward(x);
        Assert.Equal(new long[] { 2, 32, 224, 224 }, y.Embeddings.shape);
        Assert.Equal(new long[] { 2, 224, 224 }, y.SaliencyLogits.shape);
        (y.Embeddings.square().mean() + y.SaliencyLogits.mean()).backward();
        var grad = model.Backbone.parameters().First().grad;
        Assert.NotNull(grad);
        Assert.True(grad!.abs().sum().item<float>() > 0);
    }

    [Theory]
    [InlineData(BackboneName.Narrow, 1)]     // batch 1 at inference: shapes must not lose the batch axis
    [InlineData(BackboneName.Narrow, 2)]
    [InlineData(BackboneName.ResNet18, 2)]
    public void SmallBackbones_Eval_OutputShapesFollowInput(BackboneName backbone, int batch)
    {
        using var scope = NewDisposeScope();
        var config = Presets.Load("tiny").Model with { Backbone = backbone };
        using var model = new SegmentationModel(config);
        model.eval();
        using var _ = no_grad();
        var y = model.Forward(randn(batch, 3, 48, 40), keepFeatures: true);
        Assert.Equal(new long[] { batch, 32, 48, 40 }, y.Embeddings.shape);
        Assert.Equal(new long[] { batch, 48, 40 }, y.SaliencyLogits.shape);
        Assert.Equal(new long[] { batch, config.DecoderChannels, 6, 5 }, y.Features!.shape);   // output stride 8
    }

    [Theory]
    [InlineData(BackboneName.ResNet18, 11_176_512)]   // torchvision resnet18 without fc
    [InlineData(BackboneName.ResNet34, 21_284_672)]   // torchvision resnet34 without fc
    public void BasicBlockBackbones_ParameterCounts_MatchTorchVision(BackboneName backbone, long expected)
    {
        using var model = new SegmentationModel(Paper with { Backbone = backbone });
        Assert.Equal(expected, model.CountParameters().Backbone);
    }

    [Fact]
    public void Resnet18_OutputStride8_DilatesLastTwoStages()
    {
        using var scope = NewDisposeScope();
        using var backbone = Backbone.Create(Paper with { Backbone = BackboneName.ResNet18, OutputStride = OutputStride.Eight });
        backbone.eval();
        using var _ = no_grad();
        Assert.Equal(new long[] { 1, 512, 8, 8 }, backbone.forward(randn(1, 3, 64, 64)).shape);
    }
}
