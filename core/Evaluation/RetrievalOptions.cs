namespace MaskContrast.Core.Evaluation;

/// <summary>
/// Which classes the segment-retrieval protocol (<see cref="SegmentRetrieval"/>) scores.
/// </summary>
/// <param name="NumClasses">Classes including background (VOC: 21).</param>
/// <param name="IgnoredClasses">Class ids set to 255 in the ground truth of both the bank and the query split before anything else.</param>
/// <param name="BackgroundInMean">Whether class 0 counts in the reported mean.</param>
/// <remarks>
/// The reported mean is over the classes 0..C−1 that are not ignored (and not 0 unless <paramref name="BackgroundInMean"/>),
/// as the two official configs segmentation/configs/retrieval/retrieval_VOCSegmentation_unsupervised_saliency{,_21_classes}.yml.
/// </remarks>
public sealed record RetrievalOptions(int NumClasses, IReadOnlySet<int> IgnoredClasses, bool BackgroundInMean)
{
    /// <summary>The VOC object classes the "7 classes" variant keeps: aeroplane 1, bottle 5, bus 6, car 7, cat 8, cow 10, person 15.</summary>
    public static readonly IReadOnlyList<int> Voc7KeptClasses = [1, 5, 6, 7, 8, 10, 15];

    /// <summary>
    /// The official "7 classes" setting: bicycle, bird, boat, chair, diningtable, dog, horse, motorbike, pottedplant,
    /// sheep, sofa, train, tvmonitor ignored; mean over the 7 kept object classes, background excluded.
    /// </summary>
    public static RetrievalOptions Voc7Classes { get; } =
        new(21, Enumerable.Range(1, 20).Except(Voc7KeptClasses).ToHashSet(), BackgroundInMean: false);

    /// <summary>The official "21 classes" setting: nothing ignored, mean over all 21 classes including background.</summary>
    public static RetrievalOptions Voc21Classes { get; } = new(21, new HashSet<int>(), BackgroundInMean: true);

    /// <summary>Classes that enter the reported mean, ascending.</summary>
    public IReadOnlyList<int> ScoredClasses =>
        [.. Enumerable.Range(0, NumClasses).Where(c => !IgnoredClasses.Contains(c) && (c != 0 || BackgroundInMean))];

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        if (NumClasses is < 2 or > 255) throw new ArgumentOutOfRangeException(nameof(NumClasses), NumClasses, "classes must be in 2..255 (VOC: 21)");
        foreach (int c in IgnoredClasses)
        {
            if (c < 1 || c >= NumClasses) throw new ArgumentOutOfRangeException(nameof(IgnoredClasses), c, $"ignored classes must be object classes in 1..{NumClasses - 1}; background cannot be ignored");
        }

        if (ScoredClasses.Count == 0) throw new ArgumentOutOfRangeException(nameof(IgnoredClasses), IgnoredClasses.Count, "every class is ignored: nothing to score");
    }
}
