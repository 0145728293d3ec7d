namespace MaskContrast.Core.Evaluation;

/// <summary>
/// Adjusted Rand index (Hubert and Arabie 1985) between two partitions of the same items: 1 when they agree up to a
/// renaming of the clusters, about 0 for independent partitions, negative for less agreement than chance.
/// </summary>
public static class AdjustedRandIndex
{
    /// <summary>ARI of the labelings <paramref name="a"/> and <paramref name="b"/> (equal length, labels ≥ 0).</summary>
    /// <remarks>With n_ij the items in cluster i of a and j of b, row sums a_i and column sums b_j:
    /// ARI = (Σ C(n_ij, 2) − E) / (½(Σ C(a_i, 2) + Σ C(b_j, 2)) − E), E = Σ C(a_i, 2) · Σ C(b_j, 2) / C(n, 2).
    /// The denominator is 0 only when both partitions are the same trivial one (one cluster, or every item alone): 1.</remarks>
    public static double Compute(IReadOnlyList<int> a, IReadOnlyList<int> b)
    {
        if (a.Count != b.Count) throw new ArgumentException($"the partitions cover {a.Count} and {b.Count} items; give one label per item in both", nameof(b));
        if (a.Any(l => l < 0) || b.Any(l => l < 0)) throw new ArgumentOutOfRangeException(nameof(a), "cluster labels must be >= 0");
        int n = a.Count;
        if (n < 2) return 1;
        var table = new Dictionary<(int, int), long>();
        var rows = new Dictionary<int, long>();
        var columns = new Dictionary<int, long>();
        for (int i = 0; i < n; i++)
        {
            table[(a[i], b[i])] = table.GetValueOrDefault((a[i], b[i])) + 1;
            rows[a[i]] = rows.GetValueOrDefault(a[i]) + 1;
            columns[b[i]] = columns.GetValueOrDefault(b[i]) + 1;
        }
        static double Pairs(long m) => m * (m - 1) / 2.0;
        double index = table.Values.Sum(Pairs), sumRows = rows.Values.Sum(Pairs), sumColumns = columns.Values.Sum(Pairs);
        double expected = sumRows * sumColumns / Pairs(n);
        double maximum = (sumRows + sumColumns) / 2;
        return maximum == expected ? 1 : (index - expected) / (maximum - expected);
    }
}
