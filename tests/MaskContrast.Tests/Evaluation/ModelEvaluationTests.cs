using MaskContrast.Core.Config;
using MaskContrast.Core.Data;
using MaskContrast.Core.Evaluation;
using MaskContrast.Core.Model;
using MaskContrast.Tests.Data;
using static TorchSharp.torch;

namespace MaskContrast.Tests.Evaluation;

public sealed class ModelEvaluationTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private VocDataset Split()
    {
        SyntheticDataset.Generate(_folder.Path, new SyntheticOptions(TrainCount: 0, ValCount: 16, Width: 48, Height: 48, Seed: 2));
        return new VocDataset(_folder.Path, "val");
    }

    [Fact]
    public void UntrainedBaseline_UsesTheRunsInitialWeights()
    {
        var config = Presets.Load("tiny");
        // A model built the way the trainer builds it (seed, then construction) *is* the untrained baseline, so the two
        // rows of the report must be identical to the last digit.
        random.manual_seed(config.Schedule.Seed);
        using var model = new SegmentationModel(config.Model);
        var (report, bundle, samples) = ModelEvaluation.Run(model, config, Split(), new EvaluationOptions(Size: 48, Seeds: [1, 2]));
        using (bundle)
        {
            Assert.Equal(report.Trained.PerSeed, report.Untrained!.PerSeed);
            Assert.Equal(report.TrainedTrueForeground.PerSeed, report.UntrainedTrueForeground!.PerSeed);
            Assert.Equal(5, report.NumClasses);   // background + the 4 synthetic classes, detected from the labels
            Assert.Null(report.PixelClustering);
            Assert.Equal(8, samples.Images.Count);
            Assert.Equal(4, bundle.Clusters);
        }
    }

    [Fact]
    public void UntrainedPass_SharingTheSplit_ScoresAsAFullPass()
    {
        // The untrained baseline's pass shares the trained pass's ground truth, true masks and colours instead of reading and
        // keeping them again (issue 17: at VOC scale they were held twice); its outputs and scores are a full pass's.
        var config = Presets.Load("tiny");
        var split = Split();
        random.manual_seed(4);
        using var trained = new SegmentationModel(config.Model);
        random.manual_seed(5);
        using var untrained = new SegmentationModel(config.Model);
        using (no_grad()) untrained.SaliencyHead.weight!.fill_(1);   // salient pixels, so that the masks are compared
        using var outputs = SplitInference.Run(trained, split, 48);
        using var full = SplitInference.Run(untrained, split, 48);
        using var lean = SplitInference.Run(untrained, split, 48, sameSplit: outputs);

        Assert.Same(outputs.GroundTruth, lean.GroundTruth);
        Assert.Same(outputs.Colours, lean.Colours);
        Assert.Equal(full.Prototypes.data<float>().ToArray(), lean.Prototypes.data<float>().ToArray());
        Assert.Equal(full.TrueForegroundPrototypes.data<float>().ToArray(), lean.TrueForegroundPrototypes.data<float>().ToArray());
        Assert.Equal(full.PredictedMasks.Select(m => m.Values), lean.PredictedMasks.Select(m => m.Values));
        Assert.Contains(lean.PredictedMasks, m => m.Values.Contains((byte)1));   // not a vacuous comparison
        var protocol = new ClusteringProtocolOptions(NumClasses: 5, Seeds: [1, 2]);
        var (withFull, _, _) = ClusteringEvaluation.Evaluate(outputs, full, protocol);
        var (withLean, _, _) = ClusteringEvaluation.Evaluate(outputs, lean, protocol);
        Assert.Equal(withFull.Untrained!.PerSeed, withLean.Untrained!.PerSeed);
        Assert.Equal(withFull.UntrainedTrueForeground!.PerSeed, withLean.UntrainedTrueForeground!.PerSeed);
        Assert.InRange(withLean.UntrainedTrueForeground!.MeanIoU, 0.01, 1);

        var e = Assert.Throws<ArgumentException>(() => SplitInference.Run(untrained, split, 32, sameSplit: outputs));
        Assert.Contains("not computed on this split at 32×32", e.Message);
    }

    [Fact]
    public void KeptOutputs_MakeMasksAndColoursFromWhatTheyKeep()
    {
        // Issue 17: the outputs keep per image only the class map and the object map; the masks are made from them and
        // the colours read from the dataset again. They must equal what the pass saw: the network's salient mask, the
        // ground-truth foreground and the image resized to the evaluation size.
        var config = Presets.Load("tiny");
        var split = Split();
        random.manual_seed(4);
        using var model = new SegmentationModel(config.Model);
        using (no_grad()) model.SaliencyHead.weight!.fill_(1);
        using var outputs = SplitInference.Run(model, split, 48);
        model.eval();
        for (int i = 0; i < split.Ids.Count; i++)
        {
            using var scope = NewDisposeScope();
            var image = split.LoadImage(split.Ids[i]);
            var x = Core.Inference.ImageTensors.FixedResize(image, 48).unsqueeze(0);
            using var output = model.forward(x);
            Assert.Equal(PrototypeFromEmbedding.SalientMask(output.SaliencyLogits[0]).Values, outputs.PredictedMasks[i].Values);
            var labels = NearestResize.Resize(split.LoadLabels(split.Ids[i])!, 48, 48);
            Assert.Equal(labels.Values.Select(v => v is > 0 and < 255 ? (byte)1 : (byte)0), outputs.TrueMasks[i].Values);
            Assert.Equal((48, 48), (outputs.Colours[i].Width, outputs.Colours[i].Height));
            // Resized with an antialiased bilinear filter, so its mean colour is the image's to rounding.
            Assert.Equal(image.Rgb.Select(b => (double)b).Average(), outputs.Colours[i].Rgb.Select(b => (double)b).Average(), 1.0);
        }
        Assert.Contains(outputs.PredictedMasks, m => m.Values.Contains((byte)1));
        Assert.Contains(outputs.TrueMasks, m => m.Values.Contains((byte)1));
        Assert.Throws<ArgumentOutOfRangeException>(() => outputs.Colours[split.Ids.Count]);
    }

    [Fact]
    public void PixelClusteringOption_IsReported()
    {
        var config = Presets.Load("tiny");
        using var model = new SegmentationModel(config.Model);
        using (no_grad()) model.SaliencyHead.weight!.fill_(1);   // ReLU features ≥ 0: most pixels become salient
        var (report, bundle, _) = ModelEvaluation.Run(model, config, Split(),
            new EvaluationOptions(Size: 48, Seeds: [1], IncludeUntrained: false, PixelClustering: true));
        bundle.Dispose();
        Assert.NotNull(report.PixelClustering);
        Assert.InRange(report.PixelClustering!.MeanIoU, 0.01, 1);
        Assert.Null(report.Untrained);
    }

    [Fact]
    public void Evaluate_OnOutputsEmbeddedOnce_MatchesRun()
    {
        var config = Presets.Load("tiny");
        random.manual_seed(3);
        using var model = new SegmentationModel(config.Model);
        var split = Split();
        var options = new EvaluationOptions(Size: 48, Seeds: [1], IncludeUntrained: false);
        var (viaRun, a, _) = ModelEvaluation.Run(model, config, split, options);
        using var outputs = ModelEvaluation.Embed(model, split, options);
        var (viaEvaluate, b, _) = ModelEvaluation.Evaluate(outputs, model, config, split, options);
        a.Dispose(); b.Dispose();
        Assert.Equal(viaRun.Trained.PerSeed, viaEvaluate.Trained.PerSeed);
        Assert.Equal(viaRun.SaliencyIoU, viaEvaluate.SaliencyIoU);
        // The calibration read at the protocol's threshold is the report's foreground IoU, from the same logits.
        Assert.Equal(viaRun.SaliencyIoU, outputs.Saliency.ForegroundIoU(PrototypeFromEmbedding.SaliencyThreshold), 12);

        var e = Assert.Throws<ArgumentException>(() => ModelEvaluation.Evaluate(outputs, model, config, split, options with { Size = 32 }));
        Assert.Contains("not computed on this split at 32×32", e.Message);
    }
}
