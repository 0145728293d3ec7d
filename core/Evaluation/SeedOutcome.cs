namespace MaskContrast.Core.Evaluation;

/// <summary>Outcome of one k-means seed of a clustering protocol.</summary>
/// <param name="Seed">The k-means seed.</param>
/// <param name="MeanIoU">mIoU over the split after Hungarian matching, in [0, 1].</param>
/// <param name="Inertia">k-means inertia in the (whitened) PCA space.</param>
/// <param name="LabelToClass">Matched class of every predicted label, length C; index 0 = background (non-salient)
/// label, index j ≥ 1 = k-means cluster j − 1.</param>
/// <param name="Scores">Full scores (per-class IoU, TP/FP/FN, confusion) after matching.</param>
/// <param name="Centroids">k-means centroids in PCA space, [C − 1, K].</param>
public sealed record SeedOutcome(int Seed, double MeanIoU, double Inertia, int[] LabelToClass, SegmentationScores Scores, double[,] Centroids);
