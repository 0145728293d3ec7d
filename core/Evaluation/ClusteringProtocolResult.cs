namespace MaskContrast.Core.Evaluation;

/// <summary>Result of <see cref="KMeansProtocol"/> or <see cref="PixelClusteringProtocol"/>.</summary>
/// <param name="PerSeed">One entry per seed, in the order given.</param>
/// <param name="MeanIoU">Mean of the per-seed mIoU (the paper's reported number).</param>
/// <param name="StdIoU">Population standard deviation (ddof = 0, like numpy.std) of the per-seed mIoU.</param>
/// <param name="BestSeedIndex">Index in <see cref="PerSeed"/> of the highest mIoU (first on ties); use it to pick the
/// clusters to ship in a model bundle. Report <see cref="MeanIoU"/>, not the best seed, as the score.</param>
/// <param name="Pca">The PCA applied before k-means (the same for every seed in the image-level protocol; in the pixel
/// variant the PCA of the best seed, since each seed samples its own pixels); null for <see cref="KMeansProtocol.ChanceLevel"/>.</param>
public sealed record ClusteringProtocolResult(IReadOnlyList<SeedOutcome> PerSeed, double MeanIoU, double StdIoU, int BestSeedIndex, Pca? Pca)
{
    /// <summary>The best seed's outcome (per-class IoU, label → class map, centroids).</summary>
    public SeedOutcome Best => PerSeed[BestSeedIndex];

    internal static (double Mean, double Std, int Best) Summarise(IReadOnlyList<SeedOutcome> seeds)
    {
        double mean = seeds.Average(s => s.MeanIoU);
        double std = Math.Sqrt(seeds.Average(s => (s.MeanIoU - mean) * (s.MeanIoU - mean)));
        int best = 0;
        for (int i = 1; i < seeds.Count; i++)
        {
            if (seeds[i].MeanIoU > seeds[best].MeanIoU)
            {
                best = i;
            }
        }

        return (mean, std, best);
    }
}
