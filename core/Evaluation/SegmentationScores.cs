namespace MaskContrast.Core.Evaluation;

/// <summary>Segmentation scores over a split, as produced by <see cref="SegmentationMeter.Scores"/>.</summary>
/// <param name="MeanIoU">Plain mean of <paramref name="IoU"/> over all C classes (background included), in [0, 1].</param>
/// <param name="IoU">IoU per class, length C, in [0, 1]; a class absent from both prediction and ground truth scores 0.</param>
/// <param name="TruePositives">Per class, length C.</param>
/// <param name="FalsePositives">Per class, length C.</param>
/// <param name="FalseNegatives">Per class, length C.</param>
/// <param name="Confusion">C×C counts, <c>[groundTruth, prediction]</c>, ignore pixels excluded.</param>
/// <param name="ScoredPixels">Number of pixels whose ground truth is not 255.</param>
/// <param name="PixelAccuracy">Fraction of scored pixels predicted correctly.</param>
public sealed record SegmentationScores(
    double MeanIoU,
    double[] IoU,
    long[] TruePositives,
    long[] FalsePositives,
    long[] FalseNegatives,
    long[,] Confusion,
    long ScoredPixels,
    double PixelAccuracy);
