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
        using var model = new SegmentationModel(config.Model);
        ImageNetResNet18.Load(model);
        model.eval();
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
}
