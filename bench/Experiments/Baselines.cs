using MaskContrast.Core.Config;
using MaskContrast.Core.Data;
using MaskContrast.Core.Evaluation;
using MaskContrast.Core.Inference;
using MaskContrast.Core.Model;
using static TorchSharp.torch;

/// <summary>Yardsticks of a run that the product's report does not compute.</summary>
static class Baselines
{
    /// <summary>
    /// The ImageNet backbone as the package ships it, not trained by us: its layer4 features (upsampled to the inference
    /// size) averaged inside the true foreground and inside the trained model's own masks, then the same protocol as the
    /// run (its whitening choice). Shows what MaskContrast training adds to the initialisation.
    /// </summary>
    public static (double TrueForeground, double OwnMasks) FrozenImageNet(TrainingConfig config, VocDataset split,
        SplitOutputs outputs, int size, int classes)
    {
        using var model = FrozenImageNetModel(config);
        var trueFg = new List<Tensor>();
        var own = new List<Tensor>();
        for (int i = 0; i < split.Ids.Count; i++)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var x = ImageTensors.FixedResize(split.LoadImage(split.Ids[i]), size).unsqueeze(0);
            var features = nn.functional.interpolate(model.Backbone.forward(x), [size, size], mode: InterpolationMode.Bilinear, align_corners: false);
            Tensor Mask(ByteRaster m) => tensor(m.Values, [1, size, size], dtype: uint8).to_type(float32);
            trueFg.Add(PrototypeFromEmbedding.Compute(features, Mask(outputs.TrueMasks[i])).MoveToOuterDisposeScope());
            own.Add(PrototypeFromEmbedding.Compute(features, Mask(outputs.PredictedMasks[i])).MoveToOuterDisposeScope());
        }
        var options = new ClusteringProtocolOptions(NumClasses: classes, Whiten: config.Evaluation.Whiten);
        using var t = cat(trueFg, 0);
        using var o = cat(own, 0);
        return (KMeansProtocol.Evaluate(t, outputs.TrueMasks, outputs.GroundTruth, options).MeanIoU,
                KMeansProtocol.Evaluate(o, outputs.PredictedMasks, outputs.GroundTruth, options).MeanIoU);
    }

    /// <summary>
    /// One cluster per object with the objects taken from the true foreground (its connected components) rather than
    /// the saliency head: the trained embedding, the frozen ImageNet layer4 features, and the ceiling of any assignment
    /// (each component's majority class). Separates what the embedding can do from what the saliency head costs.
    /// </summary>
    public static (double Trained, double Frozen, double Ceiling) TrueObjects(SegmentationModel trained, TrainingConfig config,
        VocDataset split, SplitOutputs outputs, int size, int classes)
    {
        using var frozenModel = FrozenImageNetModel(config);
        trained.eval();
        var segments = outputs.TrueMasks.Select(ObjectSegments.Find).ToList();
        var ownTrained = new List<Tensor>();
        var ownFrozen = new List<Tensor>();
        var majority = new List<Tensor>();
        for (int i = 0; i < split.Ids.Count; i++)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var x = ImageTensors.FixedResize(split.LoadImage(split.Ids[i]), size).unsqueeze(0);
            var fg = tensor(outputs.TrueMasks[i].Values, [size, size], dtype: uint8).to_type(float32);
            using var output = trained.forward(x);
            var features = nn.functional.interpolate(frozenModel.Backbone.forward(x), [size, size], mode: InterpolationMode.Bilinear, align_corners: false);
            ownTrained.Add(segments[i].Prototypes(output.Embeddings[0], fg).MoveToOuterDisposeScope());
            ownFrozen.Add(segments[i].Prototypes(features[0], fg).MoveToOuterDisposeScope());
            majority.Add(MajorityOneHot(segments[i], outputs.GroundTruth[i], classes).MoveToOuterDisposeScope());
        }
        var options = new ClusteringProtocolOptions(NumClasses: classes, Whiten: config.Evaluation.Whiten);
        double Score(List<Tensor> p) { using var all = cat(p, 0); return ObjectClusteringProtocol.Evaluate(all, segments, outputs.GroundTruth, options).MeanIoU; }
        return (Score(ownTrained), Score(ownFrozen), Score(majority));
    }

    static SegmentationModel FrozenImageNetModel(TrainingConfig config)
    {
        var model = new SegmentationModel(config.Model);
        ImageNetResNet18.Load(model);
        model.eval();
        return model;
    }

    // Per object a one-hot vector of its majority class: k-means recovers the classes exactly, so the protocol scores its ceiling.
    static Tensor MajorityOneHot(ObjectSegments segments, ByteRaster truth, int classes)
    {
        var counts = new long[segments.Count, classes];
        for (int p = 0; p < truth.PixelCount; p++)
            if (segments.ObjectOf[p] > 0 && truth.Values[p] < classes) counts[segments.ObjectOf[p] - 1, truth.Values[p]]++;
        var oneHot = zeros(segments.Count, classes);
        for (int o = 0; o < segments.Count; o++)
            oneHot[o, Enumerable.Range(0, classes).MaxBy(c => counts[o, c])].fill_(1);
        return oneHot;
    }
}
