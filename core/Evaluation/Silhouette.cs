using System.Numerics.Tensors;

namespace MaskContrast.Core.Evaluation;

/// <summary>
/// Mean silhouette coefficient (Rousseeuw 1987) of a partition, with Euclidean distances: per item
/// s = (b − a) / max(a, b), a = mean distance to the other items of its cluster, b = the smallest mean distance to the
/// items of another cluster; an item alone in its cluster scores 0 (as scikit-learn's <c>silhouette_score</c>).
/// Near 1: tight, well-separated clusters; near 0: overlapping; negative: items closer to another cluster.
/// </summary>
public static class Silhouette
{
    /// <summary>Items scored at most, drawn without replacement; the cost is quadratic in this number.</summary>
    public const int DefaultSampleSize = 1000;

    /// <summary>
    /// Mean silhouette of <paramref name="labels"/> over the rows of <paramref name="data"/> [N, D]. Above
    /// <paramref name="sampleSize"/> rows, a seeded sample is scored against itself only (scikit-learn's <c>sample_size</c>).
    /// </summary>
    public static double Mean(double[,] data, int[] labels, int sampleSize = DefaultSampleSize, int seed = 0)
    {
        int n = data.GetLength(0), d = data.GetLength(1);
        if (labels.Length != n) throw new ArgumentException($"got {labels.Length} labels for {n} rows", nameof(labels));
        if (sampleSize < 2) throw new ArgumentOutOfRangeException(nameof(sampleSize), sampleSize, "score at least 2 items");
        int[] items = n <= sampleSize ? Enumerable.Range(0, n).ToArray() : Sample(n, sampleSize, seed);
        int m = items.Length, k = labels.Max() + 1;
        var rows = Pca.Flatten(data);
        var sums = new double[k];    // per item: summed distance to the scored items of every cluster
        var sizes = new int[k];
        foreach (int i in items) sizes[labels[i]]++;
        double total = 0;
        foreach (int i in items)
        {
            Array.Clear(sums);
            var x = rows.AsSpan(i * d, d);
            foreach (int j in items)
                sums[labels[j]] += TensorPrimitives.Distance<double>(x, rows.AsSpan(j * d, d));
            int own = labels[i];
            if (sizes[own] == 1) continue;   // alone in its cluster: 0
            double a = sums[own] / (sizes[own] - 1), b = double.PositiveInfinity;
            for (int c = 0; c < k; c++)
                if (c != own && sizes[c] > 0) b = Math.Min(b, sums[c] / sizes[c]);
            if (double.IsPositiveInfinity(b)) continue;   // a single cluster: silhouette undefined, counted 0
            double denominator = Math.Max(a, b);
            total += denominator == 0 ? 0 : (b - a) / denominator;
        }
        return total / m;
    }

    // Partial Fisher–Yates: the first count of a seeded shuffle of 0..n−1.
    static int[] Sample(int n, int count, int seed)
    {
        var random = new Random(seed);
        var order = Enumerable.Range(0, n).ToArray();
        for (int i = 0; i < count; i++)
        {
            int j = random.Next(i, n);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order[..count];
    }
}
