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
    /// run (its whitening choice); and one cluster per true object (<paramref name="trueObjects"/>). Shows what
    /// MaskContrast training adds to the initialisation.
    /// </summary>
    public static (double TrueForeground, double OwnMasks, double TrueObjects) FrozenImageNet(TrainingConfig config, VocDataset split,
        SplitOutputs outputs, IReadOnlyList<ObjectSegments> trueObjects, int size, int classes)
    {
        using var model = new SegmentationModel(config.Model);
        ImageNetResNet18.Load(model);
        model.eval();
        var trueFg = new List<Tensor>();
        var own = new List<Tensor>();
        var perObject = new List<Tensor>();
        for (int i = 0; i < split.Ids.Count; i++)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var x = ImageTensors.FixedResize(split.LoadImage(split.Ids[i]), size).unsqueeze(0);
            var features = nn.functional.interpolate(model.Backbone.forward(x), [size, size], mode: InterpolationMode.Bilinear, align_corners: false);
            var fg = Mask(outputs.TrueMasks[i], size);
            trueFg.Add(PrototypeFromEmbedding.Compute(features, fg.unsqueeze(0)).MoveToOuterDisposeScope());
            own.Add(PrototypeFromEmbedding.Compute(features, Mask(outputs.PredictedMasks[i], size).unsqueeze(0)).MoveToOuterDisposeScope());
            perObject.Add(trueObjects[i].Prototypes(features[0], fg).MoveToOuterDisposeScope());
        }
        var options = new ClusteringProtocolOptions(NumClasses: classes, Whiten: config.Evaluation.Whiten);
        using var t = cat(trueFg, 0);
        using var o = cat(own, 0);
        return (KMeansProtocol.Evaluate(t, outputs.TrueMasks, outputs.GroundTruth, options).MeanIoU,
                KMeansProtocol.Evaluate(o, outputs.PredictedMasks, outputs.GroundTruth, options).MeanIoU,
                ObjectScore(perObject, trueObjects, outputs, options));
    }

    /// <summary>
    /// One cluster per object with the objects taken from the true foreground (its connected components) rather than
    /// the saliency head: the trained embedding, and the ceiling of any such assignment (each component's majority
    /// class). Separates what the embedding can do from what the saliency head costs.
    /// </summary>
    public static (double Trained, double Ceiling) TrueObjects(SegmentationModel trained, TrainingConfig config,
        VocDataset split, SplitOutputs outputs, IReadOnlyList<ObjectSegments> trueObjects, int size, int classes)
    {
        trained.eval();
        var prototypes = new List<Tensor>();
        var majority = new List<Tensor>();
        for (int i = 0; i < split.Ids.Count; i++)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var x = ImageTensors.FixedResize(split.LoadImage(split.Ids[i]), size).unsqueeze(0);
            using var output = trained.forward(x);
            prototypes.Add(trueObjects[i].Prototypes(output.Embeddings[0], Mask(outputs.TrueMasks[i], size)).MoveToOuterDisposeScope());
            majority.Add(MajorityOneHot(trueObjects[i], outputs.GroundTruth[i], classes).MoveToOuterDisposeScope());
        }
        var options = new ClusteringProtocolOptions(NumClasses: classes, Whiten: config.Evaluation.Whiten);
        return (ObjectScore(prototypes, trueObjects, outputs, options), ObjectScore(majority, trueObjects, outputs, options));
    }

    static Tensor Mask(ByteRaster m, int size) => tensor(m.Values, [size, size], dtype: uint8).to_type(float32);

    static double ObjectScore(List<Tensor> prototypes, IReadOnlyList<ObjectSegments> objects, SplitOutputs outputs, ClusteringProtocolOptions options)
    {
        using var all = cat(prototypes, 0);
        foreach (var p in prototypes) p.Dispose();
        return ObjectClusteringProtocol.Evaluate(all, objects, outputs.GroundTruth, options).MeanIoU;
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
