using MaskContrast.Core.Config;
using MaskContrast.Core.Data;
using MaskContrast.Core.Evaluation;
using MaskContrast.Core.Model;
using MaskContrast.Tests.Data;
using static TorchSharp.torch;

namespace MaskContrast.Tests.Evaluation;

public class LinearProbeTests
{
    [Theory]
    [InlineData(0, 0.1)]     // first epoch
    [InlineData(25, 0.1)]    // still 0.1: the official step applies when epoch > 25
    [InlineData(26, 0.01)]   // first decayed epoch
    [InlineData(59, 0.01)]   // last epoch of the paper config
    public void LearningRateAt_PaperSchedule_StepsAfterEpoch25(int epoch, double expected)
    {
        Assert.Equal(expected, LinearProbe.LearningRateAt(epoch, new LinearProbeOptions()), 12);
    }

    [Fact]
    public void LearningRateAt_TwoDecayEpochs_AppliesBothSteps()
    {
        var options = new LinearProbeOptions(LearningRate: 1, DecayEpochs: [2, 4], DecayRate: 0.5);
        Assert.Equal([1, 1, 1, 0.5, 0.5, 0.25], Enumerable.Range(0, 6).Select(e => LinearProbe.LearningRateAt(e, options)));
    }

    [Fact]
    public void HeldOutSplit_TenPercent_IsSeededDisjointAndCoversTheSplit()
    {
        var ids = Enumerable.Range(0, 40).Select(i => $"img{i:D2}").ToList();

        var (fit, held) = LinearProbe.HeldOutSplit(ids, 0.1, seed: 7);
        var (fit2, held2) = LinearProbe.HeldOutSplit(ids, 0.1, seed: 7);
        var (_, held3) = LinearProbe.HeldOutSplit(ids, 0.1, seed: 8);

        Assert.Equal(4, held.Count);
        Assert.Equal(36, fit.Count);
        Assert.Empty(fit.Intersect(held));
        Assert.Equal(ids, ids.Where(id => fit.Contains(id) || held.Contains(id)));
        Assert.Equal(held, held2);
        Assert.Equal(fit, fit2);
        Assert.NotEqual(held, held3);
        Assert.Single(LinearProbe.HeldOutSplit(ids.Take(3).ToList(), 0.1, 1).HeldOut);   // never empty
    }

    /// <summary>Features whose channel k is 2 where the label is k (plus noise): a 1×1 conv separates the classes exactly.</summary>
    static List<ProbeSample> Separable(int count, int classes, int seed, bool withFlips)
    {
        const int size = 8;
        var random = new Random(seed);
        var samples = new List<ProbeSample>();
        for (int n = 0; n < count; n++)
        {
            int obj = 1 + n % (classes - 1);
            var labels = new byte[size * size];
            var f = new float[classes * size * size];
            for (int y = 0; y < size; y++)
            {
                for (int x = 0; x < size; x++)
                {
                    int c = y >= 2 && y < 6 && x >= 1 + n % 3 && x < 5 + n % 3 ? obj : 0;
                    labels[y * size + x] = (byte)c;
                    for (int k = 0; k < classes; k++)
                        f[(k * size + y) * size + x] = (k == c ? 2f : 0f) + 0.1f * (float)(random.NextDouble() - 0.5);
                }
            }

            if (n % 5 == 0) labels[0] = 255;
            var features = tensor(f, [classes, size, size]);                   // [C, h, w], h = S: no upsampling blur
            samples.Add(new ProbeSample(features, withFlips ? features.flip(2) : null, new ByteRaster(size, size, labels)));
        }

        return samples;
    }

    [Fact]
    public void Train_LinearlySeparableFeatures_ReachesPerfectMiouAndChoosesBestHeldOutEpoch()
    {
        var train = Separable(24, 4, seed: 1, withFlips: true);
        var heldOut = Separable(4, 4, seed: 2, withFlips: false);
        var eval = Separable(6, 4, seed: 3, withFlips: false);
        try
        {
            var options = new LinearProbeOptions(Size: 8, Epochs: 6, BatchSize: 4, DecayEpochs: [3], Seed: 5);

            var result = LinearProbe.Train(train, heldOut, eval, numClasses: 4, options);

            Assert.Equal(6, result.Epochs.Count);
            Assert.Equal([0.1, 0.1, 0.1, 0.1, 0.01, 0.01], result.Epochs.Select(e => Math.Round(e.LearningRate, 12)));
            var bestHeldOut = result.Epochs.Max(e => e.HeldOutMeanIoU);
            Assert.Equal(result.Epochs.First(e => e.HeldOutMeanIoU == bestHeldOut).Epoch, result.ChosenEpoch);
            Assert.Equal(1.0, result.HeldOut.MeanIoU, 12);
            Assert.Equal(1.0, result.Evaluation!.MeanIoU, 12);
            Assert.Equal(result.Epochs[result.ChosenEpoch].EvaluationMeanIoU, result.Evaluation.MeanIoU);
            Assert.Equal(1.0, result.OfficialSelectionMeanIoU!.Value, 12);
            Assert.Equal(4 * 4, result.Weight.Length);
            Assert.Equal(4, result.Bias.Length);
            Assert.True(result.Epochs[^1].Loss < result.Epochs[0].Loss, "loss should fall");

            // The returned weights are a working classifier: argmax of W·f is the class of every pixel.
            using var conv = LinearProbe.Classifier(result);
            using var logits = conv.call(eval[1].Features.unsqueeze(0));            // [1, K, 8, 8]
            using var predicted = logits.argmax(1).to_type(uint8);
            var p = predicted.data<byte>().ToArray();
            var truth = eval[1].Labels.Values;
            Assert.All(Enumerable.Range(0, p.Length).Where(i => truth[i] != 255), i => Assert.Equal(truth[i], p[i]));
        }
        finally
        {
            foreach (var s in train.Concat(heldOut).Concat(eval)) s.Dispose();
        }
    }

    /// <summary>
    /// In-memory labelled images: a grey background and one square whose colour gives its class (1 red, 2 green, 3 blue,
    /// 4 yellow), so even an untrained network's features separate the classes linearly. (The synthetic VOC set encodes
    /// classes by shape and texture, which random features at stride 8 do not separate.)
    /// </summary>
    sealed class ColourSquares(string prefix, int count, int seed) : IImageDataset
    {
        const int Size = 64;
        static readonly byte[][] s_colours = [[128, 128, 128], [220, 30, 30], [30, 200, 30], [30, 30, 220], [220, 220, 30]];

        public IReadOnlyList<string> Ids { get; } = Enumerable.Range(0, count).Select(i => $"{prefix}{i:D3}").ToList();

        public RgbImage LoadImage(string id) => Render(id).Image;
        public ByteRaster? LoadMask(string id) => null;
        public ByteRaster? LoadLabels(string id) => Render(id).Labels;

        (RgbImage Image, ByteRaster Labels) Render(string id)
        {
            int n = int.Parse(id[prefix.Length..]);
            var random = new Random(seed * 1000 + n);
            int cls = 1 + n % 4, side = random.Next(24, 33), x0 = random.Next(0, Size - side), y0 = random.Next(0, Size - side);
            var rgb = new byte[Size * Size * 3];
            var labels = new byte[Size * Size];
            for (int p = 0; p < Size * Size; p++)
            {
                int x = p % Size, y = p / Size;
                int c = x >= x0 && x < x0 + side && y >= y0 && y < y0 + side ? cls : 0;
                labels[p] = (byte)c;
                for (int ch = 0; ch < 3; ch++) rgb[3 * p + ch] = (byte)Math.Clamp(s_colours[c][ch] + random.Next(-20, 21), 0, 255);
            }

            return (new RgbImage(Size, Size, rgb), new ByteRaster(Size, Size, labels));
        }
    }

    [Fact]
    public void Run_TinyModelOnColourSquares_LeavesModelFrozenAndBeatsConstantPredictor()
    {
        var train = new ColourSquares("train", 30, seed: 1);
        var val = new ColourSquares("val", 12, seed: 2);
        random.manual_seed(11);
        using var model = new SegmentationModel(Presets.Load("tiny").Model);
        CalibrateBatchNorm(model, train);
        model.train();
        var before = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        // lr 1 instead of the paper's 0.1: this untrained network's features are ~0.2 in scale (a trained 256-d decoder's
        // are order 1), and at 0.1 a few epochs only learn the background prior.
        var options = new LinearProbeOptions(Size: 64, Epochs: 6, BatchSize: 2, LearningRate: 1, DecayEpochs: [3], Seed: 3);

        var reported = new List<int>();
        var result = LinearProbe.Run(model, train, val, options, new SyncProgress(e => reported.Add(e.Epoch)));

        // Frozen: every parameter and buffer (BatchNorm running statistics included) is bit-identical; mode restored.
        foreach (var (key, value) in model.state_dict())
        {
            Assert.True(before[key].eq(value).all().item<bool>(), $"{key} changed");
            Assert.True(value.grad is null || value.grad.abs().sum().item<float>() == 0, $"{key} got a gradient");
        }

        Assert.True(model.training);
        foreach (var t in before.Values) t.Dispose();

        // The epoch is chosen on training images that were not fitted and are not evaluation images.
        Assert.Equal(3, result.HeldOutIds.Count);
        Assert.Equal(27, result.TrainIds.Count);
        Assert.Empty(result.HeldOutIds.Intersect(result.TrainIds));
        Assert.Empty(result.HeldOutIds.Intersect(val.Ids));
        Assert.All(result.HeldOutIds, id => Assert.Contains(id, train.Ids));
        Assert.Equal(6, result.Epochs.Count);
        Assert.Equal([0, 1, 2, 3, 4, 5], reported);
        Assert.Equal(result.Epochs.Select(e => e.HeldOutMeanIoU).Max(), result.Epochs[result.ChosenEpoch].HeldOutMeanIoU);
        Assert.Equal(5, result.NumClasses);
        Assert.Equal(64, result.Channels);
        Assert.True(result.OfficialSelectionMeanIoU >= result.Evaluation!.MeanIoU);

        // Constant predictor (everything background) on the same evaluation labels: mIoU = background IoU / 5.
        var constant = new SegmentationMeter(5);
        foreach (var id in val.Ids) constant.Update(new byte[64 * 64], val.LoadLabels(id)!.Values);
        Assert.True(result.Evaluation.MeanIoU > constant.Scores().MeanIoU + 0.05,
            $"probe mIoU {result.Evaluation.MeanIoU:F3} vs constant {constant.Scores().MeanIoU:F3}; " + string.Join(" | ", result.Epochs));
    }

    /// <summary>
    /// An untrained network's BatchNorm layers hold mean 0 / variance 1, so its decoder features are badly scaled and
    /// nearly constant; 20 train-mode passes over some images (momentum 0.1: 88 % converged) give them the statistics of this data (no weights change).
    /// </summary>
    static void CalibrateBatchNorm(SegmentationModel model, IImageDataset data)
    {
        model.train();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = stack(data.Ids.Take(8).Select(id => Core.Inference.ImageTensors.FixedResize(data.LoadImage(id), 64)));   // [N, 3, 64, 64]
        for (int i = 0; i < 20; i++) model.Forward(x, keepFeatures: false).Dispose();
    }

    sealed class SyncProgress(Action<LinearProbeEpoch> action) : IProgress<LinearProbeEpoch>
    {
        public void Report(LinearProbeEpoch value) => action(value);
    }

    [Fact]
    public void Run_OverlappingSplits_Throws()
    {
        using var temp = new TempFolder();
        SyntheticDataset.Generate(temp.Path, new SyntheticOptions(TrainCount: 4, ValCount: 2, Width: 32, Height: 32));
        var train = new VocDataset(temp.Path, "trainval");
        var val = new VocDataset(temp.Path, "val");
        random.manual_seed(1);
        using var model = new SegmentationModel(Presets.Load("tiny").Model);

        var e = Assert.Throws<ArgumentException>(() => LinearProbe.Run(model, train, val, new LinearProbeOptions(Size: 32, Epochs: 1)));
        Assert.Contains("shares images", e.Message);
    }
}
