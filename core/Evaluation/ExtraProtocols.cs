using MaskContrast.Core.Data;
using MaskContrast.Core.Model;

namespace MaskContrast.Core.Evaluation;

/// <summary>Scores of the linear probe and segment retrieval for a run's report; null where a protocol did not run.</summary>
/// <param name="LinearProbeMeanIoU">Evaluation-split mIoU at the epoch chosen on held-out training images.</param>
/// <param name="LinearProbeValSelectedMeanIoU">The same at the best evaluation-split epoch, as the official code selects (optimistic).</param>
/// <param name="RetrievalMeanIoU">Retrieval over all classes, background included (the "21 classes" variant).</param>
/// <param name="RetrievalVoc7MeanIoU">The "7 classes" variant; only for PASCAL VOC's 21 classes.</param>
public sealed record ExtraProtocolScores(double? LinearProbeMeanIoU, double? LinearProbeValSelectedMeanIoU, int? LinearProbeEpoch,
    double? RetrievalMeanIoU, double? RetrievalVoc7MeanIoU);

/// <summary>Runs the protocols beyond K-means that need a labelled training split: <see cref="LinearProbe"/> and <see cref="SegmentRetrieval"/>.</summary>
public static class ExtraProtocols
{
    /// <param name="probeEpochs">Linear-probe epochs (paper 60); 0 skips the probe.</param>
    /// <param name="retrieval">Run segment retrieval with a bank built from <paramref name="train"/>.</param>
    /// <param name="evaluationOutputs">The model's outputs on <paramref name="evaluation"/> at <paramref name="size"/>
    /// (<see cref="ModelEvaluation.Embed"/>, shared with the K-means protocol): the retrieval queries.</param>
    public static ExtraProtocolScores Run(SegmentationModel model, IImageDataset train, IImageDataset evaluation, SplitOutputs evaluationOutputs,
        int size, int numClasses, int probeEpochs, bool retrieval, CancellationToken cancellationToken = default)
    {
        evaluationOutputs.RequireComputedOn(evaluation, size);
        double? probe = null, probeOfficial = null, all = null, voc7 = null;
        int? chosen = null;
        if (probeEpochs > 0)
        {
            var r = LinearProbe.Run(model, train, evaluation, new LinearProbeOptions(Size: size, NumClasses: numClasses, Epochs: probeEpochs),
                cancellationToken: cancellationToken);
            (probe, probeOfficial, chosen) = (r.Evaluation?.MeanIoU, r.OfficialSelectionMeanIoU, r.ChosenEpoch);
        }
        if (retrieval)
        {
            using var bank = SplitInference.Run(model, train, size, cancellationToken: cancellationToken);
            all = SegmentRetrieval.Evaluate(bank, evaluationOutputs, new RetrievalOptions(numClasses, new HashSet<int>(), BackgroundInMean: true)).MeanIoU;
            if (numClasses == 21) voc7 = SegmentRetrieval.Evaluate(bank, evaluationOutputs, RetrievalOptions.Voc7Classes).MeanIoU;
        }
        return new ExtraProtocolScores(probe, probeOfficial, chosen, all, voc7);
    }
}
