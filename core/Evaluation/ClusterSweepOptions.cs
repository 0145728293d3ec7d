namespace MaskContrast.Core.Evaluation;

/// <summary>Settings of <see cref="ClusterSweep.Run"/>.</summary>
/// <param name="Ks">Cluster counts to try; null = <see cref="DefaultKs"/>. A K above a third of the segments is skipped
/// (a cluster should average at least three segments).</param>
/// <param name="Seeds">k-means runs per K, one k-means++ start each (seeds 1234, 1235, …): their partitions are
/// compared for stability, and the lowest-inertia one gives silhouette, inertia and cluster sizes.</param>
/// <param name="MinStability">Mean pairwise adjusted Rand index between the seeds' partitions for a K to count as stable.</param>
/// <param name="MinShareOfEven">The smallest cluster must hold at least this fraction of an even share (1/K) of the segments.</param>
/// <param name="SilhouetteSample">Segments the silhouette is computed on at most (seeded sample; quadratic cost).</param>
public sealed record ClusterSweepOptions(IReadOnlyList<int>? Ks = null, int Seeds = 5, double MinStability = 0.9,
    double MinShareOfEven = 0.2, int SilhouetteSample = Silhouette.DefaultSampleSize)
{
    /// <summary>2–8 one by one (small label sets such as the synthetic families' 4 classes), then up to 40 (VOC has 20).</summary>
    public static IReadOnlyList<int> DefaultKs { get; } = [2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 25, 30, 40];

    /// <summary><see cref="Ks"/>, or <see cref="DefaultKs"/> when null.</summary>
    public IReadOnlyList<int> EffectiveKs => Ks ?? DefaultKs;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        if (EffectiveKs.Count == 0 || EffectiveKs.Any(k => k is < 2 or > 254))
            throw new ArgumentOutOfRangeException(nameof(Ks), string.Join(", ", EffectiveKs), "give cluster counts in 2..254");
        if (Seeds < 2) throw new ArgumentOutOfRangeException(nameof(Seeds), Seeds, "stability compares at least 2 seeds");
        if (MinStability is < -1 or > 1) throw new ArgumentOutOfRangeException(nameof(MinStability), MinStability, "an adjusted Rand index is in -1..1");
        if (MinShareOfEven is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(MinShareOfEven), MinShareOfEven, "must be in 0..1");
        if (SilhouetteSample < 2) throw new ArgumentOutOfRangeException(nameof(SilhouetteSample), SilhouetteSample, "score at least 2 segments");
    }
}
