using MaskContrast.Core.Config;
using MaskContrast.Core.Data;
using MaskContrast.Core.Inference;
using MaskContrast.Core.Model;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;

namespace MaskContrast.Tests.Model;

/// <summary>The packaged ImageNet ResNet, converted to our backbone, against ONNX Runtime running the package's own graphs.</summary>
public class ImageNetResNet18Tests(Xunit.Abstractions.ITestOutputHelper output)
{
    static ModelConfig Config(OutputStride stride) =>
        Presets.Load("paper").Model with { Backbone = BackboneName.MlNetResNet18, Pretraining = PretrainingSource.MlNetImageNet, OutputStride = stride, AsppRates = [6, 12, 18], DecoderChannels = 64 };

    // A real-looking 224² scene (textured background, textured object) from the synthetic renderer.
    static RgbImage Scene(int seed) => SyntheticRenderer.Render(new Random(seed), 224, 224).Image;

    static float[] RunOnnx(string path, string input, DenseTensor<float> x)
    {
        using var session = new InferenceSession(path);
        using var result = session.Run([NamedOnnxValue.CreateFromTensor(input, x)]);
        return result.First().AsTensor<float>().ToArray();
    }

    // The network's input built from the bytes alone: B, G, R on the 0–255 scale minus the channel means.
    static DenseTensor<float> BgrMinusMeans(RgbImage image)
    {
        var x = new DenseTensor<float>([1, 3, image.Height, image.Width]);
        for (int y = 0; y < image.Height; y++)
            for (int px = 0; px < image.Width; px++)
                for (int c = 0; c < 3; c++)
                    x[0, c, y, px] = image.Rgb[3 * (y * image.Width + px) + (2 - c)] - ImageNetResNet18.MeanBgr[c];
        return x;
    }

    [Fact]
    public void ConvertedWeights_PooledFeatures_EqualOnnxRuntime()
    {
        using var scope = NewDisposeScope();
        using var model = new SegmentationModel(Config(OutputStride.ThirtyTwo));
        var report = ImageNetResNet18.Load(model);
        Assert.Equal(22 * 5 + 22, report.Loaded);   // 22 convolutions, 22 BatchNorms × 4 tensors, 22 batch counters
        Assert.Empty(report.Unexpected);
        model.eval();
        foreach (int seed in new[] { 1, 2 })
        {
            var image = Scene(seed);
            var expected = RunOnnx(ImageNetResNet18.OnnxPath, "Input247", BgrMinusMeans(image));          // [1, 512, 1, 1]
            float[] actual;
            using (no_grad())
                actual = model.Backbone.forward(ImageTensors.FixedResize(image, 224).unsqueeze(0)).mean([2L, 3L]).data<float>().ToArray();
            Assert.Equal(512, expected.Length);
            double scale = expected.Max(Math.Abs);
            double worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
            output.WriteLine($"seed {seed}: max |ONNX Runtime − ours| = {worst:E2}, features up to {scale:F3}");
            Assert.True(scale > 0.1, $"features of the reference are near zero ({scale}); the input is not what the network expects");
            Assert.True(worst < 1e-4 * Math.Max(1, scale), $"seed {seed}: max |ONNX − ours| = {worst:E2} for features up to {scale:F3}");
        }
    }

    [Fact]
    public void InputConvention_EqualsPackagedPreprocessing_UpToItsPerPixelMeanImage()
    {
        // ResNetPreprocess.onnx: RGB 0–255 → BGR minus a 224² mean image. Ours subtracts that image's channel means, so
        // the difference must be the same for every image (it is the mean image's own variation) and average to zero.
        var differences = new List<float[]>();
        foreach (int seed in new[] { 3, 4 })
        {
            var image = Scene(seed);
            var rgb = new DenseTensor<float>([1, 3, 224, 224]);
            for (int p = 0; p < 224 * 224; p++)
                for (int c = 0; c < 3; c++) rgb[0, c, p / 224, p % 224] = image.Rgb[3 * p + c];
            var packaged = RunOnnx(ImageNetResNet18.PreprocessPath, "OriginalInput", rgb);
            float[] ours;
            using (var scope = NewDisposeScope())
                ours = ImageNetResNet18.ToNetworkInput(ImageTensors.FixedResize(image, 224).unsqueeze(0)).data<float>().ToArray();
            differences.Add(packaged.Zip(ours, (a, b) => a - b).ToArray());
        }
        Assert.True(differences[0].Zip(differences[1], (a, b) => Math.Abs(a - b)).Max() < 1e-3, "the difference depends on the image: channel order or scale differ");
        for (int c = 0; c < 3; c++)
        {
            double channelMean = differences[0].Skip(c * 224 * 224).Take(224 * 224).Average(v => (double)v);
            Assert.True(Math.Abs(channelMean) < 1e-3, $"channel {c}: our mean differs from the mean image's by {channelMean}");
        }
        Assert.True(differences[0].Max(Math.Abs) > 1, "the packaged mean image is expected to vary per pixel");
    }

    [Theory]
    [InlineData(OutputStride.Sixteen, 8)]
    [InlineData(OutputStride.Eight, 16)]
    public void DilatedBackbones_TakeTheSameWeights_AndKeepResolution(OutputStride stride, int side)
    {
        using var scope = NewDisposeScope();
        using var model = new SegmentationModel(Config(stride));
        ImageNetResNet18.Load(model);
        model.eval();
        using (no_grad())
            Assert.Equal(new long[] { 1, 512, side, side }, model.Backbone.forward(randn(1, 3, 128, 128)).shape);
    }

    [Fact]
    public void MissingOnnxFile_SaysWhereItComesFrom()
    {
        using var model = new SegmentationModel(Config(OutputStride.Sixteen));
        var e = Assert.Throws<FileNotFoundException>(() => ImageNetResNet18.Load(model, "/nonexistent/ResNet18.onnx"));
        Assert.Contains(ImageNetResNet18.PackageId, e.Message);
    }

    [Theory]
    [InlineData("resnet18", "mlnet-imagenet", "mlnet-resnet18 only")]
    [InlineData("mlnet-resnet18", "imagenet", "do not fit")]
    public void Validation_RefusesWeightsForAnotherArchitecture(string backbone, string pretraining, string message)
    {
        var e = Assert.Throws<ConfigException>(() => Presets.Load("paper", [$"model.backbone={backbone}", $"model.pretraining={pretraining}"]));
        Assert.Contains(message, e.Message);
    }
}
