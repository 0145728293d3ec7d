using System.Globalization;
using static TorchSharp.torch;

namespace MaskContrast.Core.Evaluation;

/// <summary>The label-free signals of one cluster count.</summary>
/// <param name="K">Clusters.</param>
/// <param name="Stability">Mean adjusted Rand index between the partitions of every pair of seeds (1 = the same clusters every time).</param>
/// <param name="Silhouette">Mean silhouette of the best seed's partition (−1..1, higher = tighter and better separated).</param>
/// <param name="Inertia">The best seed's sum of squared distances to the centres (falls with K; look for the elbow).</param>
/// <param name="SmallestShare">The best seed's smallest cluster as a fraction of the segments.</param>
public sealed record ClusterSweepRow(int K, double Stability, double Silhouette, double Inertia, double SmallestShare);

/// <summary>
/// A K sweep: k-means into each candidate number of clusters over the same PCA-projected prototypes the protocol
/// clusters, with label-free evidence for each K, and the K the rule of <see cref="Choose"/> picks from it.
/// </summary>
/// <param name="Segments">Prototypes clustered (objects or images, as the evaluation's assignment).</param>
/// <param name="Rows">One row per K tried, in increasing K.</param>
/// <param name="Chosen">The K the rule picks; null when no K could be tried (fewer than 6 segments).</param>
/// <param name="Reason">Why, in one sentence.</param>
public sealed record ClusterSweep(int Segments, IReadOnlyList<ClusterSweepRow> Rows, int? Chosen, string Reason)
{
    /// <summary>
    /// The sweep on <paramref name="prototypes"/> [N, D] after the protocol's PCA (32 dimensions, whitened or not as the
    /// evaluation), i.e. on the very points the protocol's k-means sees.
    /// </summary>
    public static ClusterSweep OnPrototypes(Tensor prototypes, bool whiten, ClusterSweepOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (prototypes.dim() != 2) throw new ArgumentException($"prototypes must be [N, D], got [{string.Join(", ", prototypes.shape)}]", nameof(prototypes));
        if (prototypes.shape[0] < 2) return Run(new double[prototypes.shape[0], 1], options, cancellationToken);   // too few for PCA (and for any K)
        var (_, features) = KMeansProtocol.FitPca(prototypes, new ClusteringProtocolOptions(Whiten: whiten));
        return Run(features, options, cancellationToken);
    }

    /// <summary>Runs the sweep on <paramref name="features"/> [N, D] (the protocol's PCA output).</summary>
    public static ClusterSweep Run(double[,] features, ClusterSweepOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ClusterSweepOptions();
        options.Validate();
        int n = features.GetLength(0);
        var rows = new List<ClusterSweepRow>();
        foreach (int k in options.EffectiveKs.Where(k => 3 * k <= n).Distinct().Order())
        {
            cancellationToken.ThrowIfCancellationRequested();
            rows.Add(Evaluate(features, k, options));
        }
        var (chosen, reason) = Choose(rows, options);
        return new ClusterSweep(n, rows, chosen, reason);
    }

    /// <summary>
    /// The rule: among the K whose seeds agree (stability ≥ <see cref="ClusterSweepOptions.MinStability"/>) and whose
    /// smallest cluster holds at least <see cref="ClusterSweepOptions.MinShareOfEven"/> of an even share, the highest
    /// silhouette (the smaller K on a tie). When no K passes both, the most stable K (then the higher silhouette).
    /// </summary>
    public static (int? K, string Reason) Choose(IReadOnlyList<ClusterSweepRow> rows, ClusterSweepOptions options)
    {
        if (rows.Count == 0) return (null, "too few segments to compare cluster counts (a K needs at least 3 segments per cluster, K ≥ 2)");
        var passing = rows.Where(r => r.Stability >= options.MinStability && r.SmallestShare >= options.MinShareOfEven / r.K).ToList();
        string F(double v) => v.ToString("F2", CultureInfo.InvariantCulture);
        if (passing.Count > 0)
        {
            var best = passing.OrderByDescending(r => r.Silhouette).ThenBy(r => r.K).First();
            return (best.K, $"K = {best.K}: highest silhouette ({F(best.Silhouette)}) among the {passing.Count} of {rows.Count} cluster counts " +
                $"whose k-means seeds agree (adjusted Rand index ≥ {F(options.MinStability)}; {F(best.Stability)} here) and whose smallest " +
                $"cluster holds at least {options.MinShareOfEven * 100:F0} % of an even share ({best.SmallestShare * 100:F1} % of the segments here)");
        }
        var stable = rows.OrderByDescending(r => r.Stability).ThenByDescending(r => r.Silhouette).First();
        return (stable.K, $"K = {stable.K}: no cluster count had seeds that agree (adjusted Rand index ≥ {F(options.MinStability)}) without a " +
            $"tiny cluster; {stable.K} is the most stable ({F(stable.Stability)}), so treat it as weak evidence");
    }

    static ClusterSweepRow Evaluate(double[,] features, int k, ClusterSweepOptions options)
    {
        var runs = Enumerable.Range(0, options.Seeds)
            .Select(s => KMeans.Fit(features, new KMeansOptions(k, ClusteringProtocolOptions.OfficialSeeds[0] + s, Restarts: 1)))
            .ToArray();
        double agreement = 0;
        int pairs = 0;
        for (int i = 0; i < runs.Length; i++)
            for (int j = i + 1; j < runs.Length; j++, pairs++)
                agreement += AdjustedRandIndex.Compute(runs[i].Labels, runs[j].Labels);
        var best = runs.MinBy(r => r.Inertia)!;
        var sizes = new int[k];
        foreach (int label in best.Labels) sizes[label]++;
        return new ClusterSweepRow(k, agreement / pairs, Silhouette.Mean(features, best.Labels, options.SilhouetteSample),
            best.Inertia, (double)sizes.Min() / best.Labels.Length);
    }
}
