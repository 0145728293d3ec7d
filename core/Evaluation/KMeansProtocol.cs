using MaskContrast.Core.Data;
using static TorchSharp.torch;

namespace MaskContrast.Core.Evaluation;

/// <summary>
/// The official K-means evaluation: one prototype per image (<see cref="PrototypeFromEmbedding"/>), PCA to 32 whitened
/// dimensions, k-means into C − 1 clusters, each image's salient pixels painted with its cluster + 1 and the rest
/// with 0 (background), Hungarian matching of the C labels to the C classes over the whole split, mIoU; repeated for
/// several k-means seeds.
/// </summary>
/// <remarks>
/// Matches wvangansbeke/Unsupervised-Semantic-Segmentation segmentation/utils/kmeans_utils.py (eval_kmeans), fitted on
/// the evaluated split itself as there. One cluster per image: scenes with several object classes cannot be
/// segmented correctly by this protocol; see <see cref="PixelClusteringProtocol"/>.
/// </remarks>
public static class KMeansProtocol
{
    /// <summary>
    /// Runs the protocol. <paramref name="prototypes"/> is [N, D] (one row per image, as from
    /// <see cref="PrototypeFromEmbedding.Compute"/>); <paramref name="masks"/>[i] is image i's salient mask
    /// (nonzero = salient, i.e. logit &gt; 0.5) and <paramref name="groundTruth"/>[i] its class map (0..C−1, 255 = ignore),
    /// both at the evaluation resolution and of equal size.
    /// </summary>
    public static ClusteringProtocolResult Evaluate(
        Tensor prototypes,
        IReadOnlyList<ByteRaster> masks,
        IReadOnlyList<ByteRaster> groundTruth,
        ClusteringProtocolOptions? options = null)
    {
        options ??= new ClusteringProtocolOptions();
        options.Validate();
        int c = options.NumClasses;
        if (prototypes.dim() != 2)
        {
            throw new ArgumentException($"prototypes must be [N, D], got [{string.Join(", ", prototypes.shape)}]", nameof(prototypes));
        }

        int n = (int)prototypes.shape[0];
        if (masks.Count != n || groundTruth.Count != n)
        {
            throw new ArgumentException($"got {n} prototypes, {masks.Count} masks and {groundTruth.Count} ground-truth maps; give one of each per image", nameof(masks));
        }

        if (n < c - 1)
        {
            throw new ArgumentOutOfRangeException(nameof(prototypes), n, $"k-means into {c - 1} clusters needs at least {c - 1} images");
        }

        // Each image has a single cluster, so its contribution to the confusion matrix is fixed by two histograms of
        // ground-truth classes (inside / outside the mask): count once, then every seed is cheap.
        var (inside, outside) = MaskHistograms(masks, groundTruth, c);

        var (pca, features) = FitPca(prototypes, options);

        var outcomes = new List<SeedOutcome>();
        foreach (int seed in options.EffectiveSeeds)
        {
            var km = KMeans.Fit(features, new KMeansOptions(c - 1, seed, options.Restarts, options.MaxIterations, options.Tolerance));
            var (labelToClass, scores) = ScoreImageClusters(inside, outside, km.Labels, c);
            outcomes.Add(new SeedOutcome(seed, scores.MeanIoU, km.Inertia, labelToClass, scores, km.Centroids));
        }

        var (mean, std, best) = ClusteringProtocolResult.Summarise(outcomes);
        return new ClusteringProtocolResult(outcomes, mean, std, best, pca);
    }

    /// <summary>
    /// Chance level of the protocol: the same masks and matching, but every image gets a uniformly random cluster
    /// (one draw per seed). A trained model must beat this; with perfect masks it is still well above 1/C because
    /// background is scored through the masks. <see cref="ClusteringProtocolResult.Pca"/> is null and inertia is NaN.
    /// </summary>
    public static ClusteringProtocolResult ChanceLevel(IReadOnlyList<ByteRaster> masks, IReadOnlyList<ByteRaster> groundTruth, ClusteringProtocolOptions? options = null)
    {
        options ??= new ClusteringProtocolOptions();
        options.Validate();
        int c = options.NumClasses;
        var (inside, outside) = MaskHistograms(masks, groundTruth, c);
        var outcomes = new List<SeedOutcome>();
        foreach (int seed in options.EffectiveSeeds)
        {
            var random = new Random(seed);
            int[] clusters = Enumerable.Range(0, masks.Count).Select(_ => random.Next(c - 1)).ToArray();
            var (labelToClass, scores) = ScoreImageClusters(inside, outside, clusters, c);
            outcomes.Add(new SeedOutcome(seed, scores.MeanIoU, double.NaN, labelToClass, scores, new double[0, 0]));
        }

        var (mean, std, best) = ClusteringProtocolResult.Summarise(outcomes);
        return new ClusteringProtocolResult(outcomes, mean, std, best, null);
    }

    /// <summary>The protocol's PCA fitted on <paramref name="prototypes"/> [N, D] and the projected rows [N, K].</summary>
    internal static (Pca Pca, double[,] Features) FitPca(Tensor prototypes, ClusteringProtocolOptions options)
    {
        int n = (int)prototypes.shape[0];
        // Centred data of N points has rank at most N − 1: a further component has zero variance and whitening would
        // blow its rounding noise up to unit variance, so small splits (CI, demos) cap there (scikit-learn allows N).
        int components = Math.Max(1, Math.Min(options.PcaComponents, Math.Min((int)prototypes.shape[1], n - 1)));
        var pca = Pca.Fit(prototypes, components, options.Whiten);
        using var projected = pca.Transform(prototypes);                  // [N, K]
        return (pca, Pca.To2D(projected.data<double>().ToArray(), n, components));
    }

    /// <summary>
    /// Cluster of new images (inference with a saved model bundle): <paramref name="prototypes"/> [M, D] → PCA →
    /// nearest of <paramref name="centroids"/> [C − 1, K]. Returns [M] cluster indices 0..C−2 (label = index + 1).
    /// </summary>
    public static int[] AssignClusters(Pca pca, double[,] centroids, Tensor prototypes) => KMeans.Predict(centroids, Project(pca, prototypes));

    /// <summary><paramref name="prototypes"/> [M, D] in the PCA space the centroids live in: [M, K].</summary>
    internal static double[,] Project(Pca pca, Tensor prototypes)
    {
        using var projected = pca.Transform(prototypes);
        return Pca.To2D(projected.data<double>().ToArray(), (int)projected.shape[0], pca.ComponentCount);
    }

    /// <summary>The prediction map of one image: <paramref name="label"/> on salient pixels (mask ≠ 0), 0 elsewhere.</summary>
    public static ByteRaster PaintMask(ByteRaster mask, byte label)
    {
        var values = new byte[mask.PixelCount];
        for (int p = 0; p < values.Length; p++)
        {
            values[p] = mask.Values[p] != 0 ? label : (byte)0;
        }

        return new ByteRaster(mask.Width, mask.Height, values);
    }

    // Image i's salient pixels are labelled clusters[i] + 1, the others 0; its histograms give its confusion counts.
    private static (int[] LabelToClass, SegmentationScores Scores) ScoreImageClusters(long[,] inside, long[,] outside, int[] clusters, int c)
    {
        var meter = new SegmentationMeter(c);
        for (int i = 0; i < clusters.Length; i++)
        {
            for (int g = 0; g <= c; g++)
            {
                meter.Add(g, 0, outside[i, g]);
                meter.Add(g, clusters[i] + 1, inside[i, g]);
            }
        }

        return ClusterMatching.MatchAndScore(meter);
    }

    // [N, C + 1] counts of ground-truth classes inside and outside each image's mask; column C = out-of-range values.
    internal static (long[,] Inside, long[,] Outside) MaskHistograms(IReadOnlyList<ByteRaster> masks, IReadOnlyList<ByteRaster> groundTruth, int c)
    {
        var inside = new long[masks.Count, c + 1];
        var outside = new long[masks.Count, c + 1];
        for (int i = 0; i < masks.Count; i++)
        {
            var mask = masks[i];
            var gt = groundTruth[i];
            if (mask.Width != gt.Width || mask.Height != gt.Height)
            {
                throw new ArgumentException($"image {i}: mask is {mask.Width}x{mask.Height} but ground truth is {gt.Width}x{gt.Height}; resize the mask (nearest) to the ground truth", nameof(masks));
            }

            for (int p = 0; p < gt.PixelCount; p++)
            {
                byte g = gt.Values[p];
                if (g == SegmentationMeter.IgnoreIndex)
                {
                    continue;
                }

                int column = Math.Min((int)g, c);
                if (mask.Values[p] != 0)
                {
                    inside[i, column]++;
                }
                else
                {
                    outside[i, column]++;
                }
            }
        }

        return (inside, outside);
    }
}
