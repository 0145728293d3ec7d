using MaskContrast.Core.Data;

namespace MaskContrast.Core.Evaluation;

/// <summary>
/// How the clusters of two models overlap on the same reference images: pixel counts of every (previous label, current
/// label) pair, from label maps that both models made of each image (0 = background, k = cluster k).
/// </summary>
/// <param name="previousClusters">Clusters of the previous model (labels 1..K).</param>
/// <param name="currentClusters">Clusters of the current model (labels 1..K').</param>
public sealed class ClusterOverlap(int previousClusters, int currentClusters)
{
    private readonly long[,] _counts = new long[previousClusters + 1, currentClusters + 1];   // [previous label, current label]

    public int PreviousClusters => previousClusters;
    public int CurrentClusters => currentClusters;

    /// <summary>Reference images added so far.</summary>
    public int Images { get; private set; }

    /// <summary>Adds one reference image's two label maps (same size).</summary>
    /// <exception cref="ArgumentException">The sizes differ or a label exceeds its model's cluster count.</exception>
    public void Add(ByteRaster previous, ByteRaster current)
    {
        if ((previous.Width, previous.Height) != (current.Width, current.Height))
            throw new ArgumentException($"label maps of {previous.Width}×{previous.Height} and {current.Width}×{current.Height} cannot be compared", nameof(current));
        if (previous.Values.Any(p => p > previousClusters) || current.Values.Any(c => c > currentClusters))
            throw new ArgumentException($"a label is outside the models' clusters (1..{previousClusters} and 1..{currentClusters})");
        for (int i = 0; i < previous.Values.Length; i++)
            _counts[previous.Values[i], current.Values[i]]++;
        Images++;
    }

    /// <summary>
    /// Agreement of every (current cluster, previous cluster) pair, [K', K]: their intersection over union, counted on the
    /// pixels that both models put in some cluster (where either says background, the two saliency heads disagree, which
    /// says nothing about which cluster is which). 0 for a cluster that never appears there.
    /// </summary>
    public double[,] Agreement()
    {
        var previousTotal = new long[previousClusters + 1];
        var currentTotal = new long[currentClusters + 1];
        for (int p = 1; p <= previousClusters; p++)
            for (int c = 1; c <= currentClusters; c++)
            {
                previousTotal[p] += _counts[p, c];
                currentTotal[c] += _counts[p, c];
            }
        var agreement = new double[currentClusters, previousClusters];
        for (int c = 1; c <= currentClusters; c++)
            for (int p = 1; p <= previousClusters; p++)
            {
                long union = previousTotal[p] + currentTotal[c] - _counts[p, c];
                agreement[c - 1, p - 1] = union == 0 ? 0 : (double)_counts[p, c] / union;
            }
        return agreement;
    }
}
