using MaskContrast.Core.Data;
using static TorchSharp.torch;

namespace MaskContrast.Core.Evaluation;

/// <summary>
/// The K-means protocol with one prototype per object instead of per image (<see cref="ObjectSegments"/>): PCA and
/// k-means over all objects of the split, every object painted with its own cluster, Hungarian matching over the split,
/// mIoU. On images with one object it equals <see cref="KMeansProtocol"/>; on images holding several classes it is not
/// capped by giving all of them one cluster. Not in the paper: reported beside the official per-image number.
/// </summary>
public static class ObjectClusteringProtocol
{
    /// <param name="prototypes">[M, D]: the objects of image 0, then of image 1, … (<see cref="ObjectSegments.Prototypes"/>).</param>
    /// <param name="segments">Per image its objects, at the size of its ground truth.</param>
    public static ClusteringProtocolResult Evaluate(Tensor prototypes, IReadOnlyList<ObjectSegments> segments,
        IReadOnlyList<ByteRaster> groundTruth, ClusteringProtocolOptions options)
    {
        options.Validate();
        int c = options.NumClasses, m = (int)prototypes.shape[0];
        if (segments.Count != groundTruth.Count)
            throw new ArgumentException($"got {segments.Count} segmentations and {groundTruth.Count} ground-truth maps; give one of each per image");
        if (segments.Sum(s => s.Count) != m)
            throw new ArgumentException($"got {m} object prototypes for {segments.Sum(s => s.Count)} objects");
        if (m < c - 1)
            throw new ArgumentOutOfRangeException(nameof(prototypes), m, $"k-means into {c - 1} clusters needs at least {c - 1} objects");

        var (inside, outside) = Histograms(segments, groundTruth, c);
        var (pca, features) = KMeansProtocol.FitPca(prototypes, options);

        var outcomes = new List<SeedOutcome>();
        foreach (int seed in options.EffectiveSeeds)
        {
            var km = KMeans.Fit(features, new KMeansOptions(c - 1, seed, options.Restarts, options.MaxIterations, options.Tolerance));
            var meter = new SegmentationMeter(c);
            for (int i = 0; i < segments.Count; i++)
                for (int g = 0; g <= c; g++) meter.Add(g, 0, outside[i, g]);
            for (int o = 0; o < m; o++)
                for (int g = 0; g <= c; g++) meter.Add(g, km.Labels[o] + 1, inside[o, g]);
            var (labelToClass, scores) = ClusterMatching.MatchAndScore(meter);
            outcomes.Add(new SeedOutcome(seed, scores.MeanIoU, km.Inertia, labelToClass, scores, km.Centroids));
        }
        var (mean, std, best) = ClusteringProtocolResult.Summarise(outcomes);
        return new ClusteringProtocolResult(outcomes, mean, std, best, pca);
    }

    // Counts of ground-truth classes per object ([M, C + 1]) and per image outside every object ([N, C + 1]); column C = out of range.
    static (long[,] Inside, long[,] Outside) Histograms(IReadOnlyList<ObjectSegments> segments, IReadOnlyList<ByteRaster> groundTruth, int c)
    {
        var inside = new long[segments.Sum(s => s.Count), c + 1];
        var outside = new long[segments.Count, c + 1];
        int first = 0;
        for (int i = 0; i < segments.Count; i++)
        {
            var s = segments[i];
            var gt = groundTruth[i];
            if (s.Width != gt.Width || s.Height != gt.Height)
                throw new ArgumentException($"image {i}: objects are {s.Width}x{s.Height} but ground truth is {gt.Width}x{gt.Height}");
            for (int p = 0; p < gt.PixelCount; p++)
            {
                byte g = gt.Values[p];
                if (g == SegmentationMeter.IgnoreIndex) continue;
                int column = Math.Min((int)g, c);
                if (s.ObjectOf[p] == 0) outside[i, column]++;
                else inside[first + s.ObjectOf[p] - 1, column]++;
            }
            first += s.Count;
        }
        return (inside, outside);
    }
}
