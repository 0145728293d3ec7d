namespace MaskContrast.Core.Evaluation;

/// <summary>
/// Hungarian matching of predicted labels to ground-truth classes over a whole split, then scoring: the last two
/// steps of every clustering protocol.
/// </summary>
/// <remarks>
/// Matches wvangansbeke/Unsupervised-Semantic-Segmentation segmentation/utils/kmeans_utils.py (<c>_hungarian_match</c>):
/// the matrix is the IoU of every (predicted label, class) pair over all scored pixels and the assignment maximises
/// the total IoU; the background label 0 is matched like any other label, so it can end up on an object class.
/// </remarks>
public static class ClusterMatching
{
    /// <summary>
    /// Matches the labels accumulated in <paramref name="unmatched"/> (prediction labels 0..C−1, one per class)
    /// to classes and returns the scores after relabelling.
    /// </summary>
    /// <returns>The label → class map (index = predicted label) and the scores of the relabelled predictions.</returns>
    public static (int[] LabelToClass, SegmentationScores Scores) MatchAndScore(SegmentationMeter unmatched)
    {
        double[,] iou = unmatched.PairwiseIoU();                 // [labels, classes]
        int[] labelToClass = HungarianAssignment.Maximize(iou);  // [labels]
        return (labelToClass, unmatched.Remap(labelToClass).Scores());
    }
}
