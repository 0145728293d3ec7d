namespace MaskContrast.Core.Evaluation;

/// <summary>Outcome of <see cref="SegmentRetrieval"/>.</summary>
/// <param name="MeanIoU">Mean IoU over <paramref name="ScoredClasses"/>: the reported number.</param>
/// <param name="ScoredClasses">Classes in the mean (e.g. the 7 kept VOC classes, or all 21).</param>
/// <param name="Scores">All C classes as <see cref="SegmentationMeter"/> gives them after the remap (its own <c>MeanIoU</c> averages over all C).</param>
/// <param name="BankLabels">Label of every bank entry, in bank order.</param>
/// <param name="BankImages">Index in the bank split of every bank entry.</param>
/// <param name="SkippedNoSalient">Bank images skipped because no pixel is salient.</param>
/// <param name="SkippedNoObject">Bank images skipped because the ground truth inside their mask is only 0 and 255 (after the remap).</param>
/// <param name="QueryLabels">Class painted on each query image's mask (0 when the bank is empty).</param>
/// <param name="QueryNeighbours">Bank entry retrieved for each query image (−1 when the bank is empty).</param>
public sealed record RetrievalResult(
    double MeanIoU,
    IReadOnlyList<int> ScoredClasses,
    SegmentationScores Scores,
    IReadOnlyList<int> BankLabels,
    IReadOnlyList<int> BankImages,
    int SkippedNoSalient,
    int SkippedNoObject,
    IReadOnlyList<int> QueryLabels,
    IReadOnlyList<int> QueryNeighbours);
