namespace MaskContrast.Core.Evaluation;

/// <summary>Settings of <see cref="KMeans.Fit(double[,], KMeansOptions)"/>.</summary>
/// <param name="Clusters">Number of clusters k (the paper: C − 1 = 20 object clusters for VOC).</param>
/// <param name="Seed">Seeds k-means++; the same seed and data give the same result on every machine.</param>
/// <param name="Restarts">Independent k-means++ initialisations; the run with the lowest inertia wins
/// (scikit-learn's <c>n_init</c>; KMeans used 10, the official MiniBatchKMeans 3).</param>
/// <param name="MaxIterations">Lloyd iterations per restart (scikit-learn default 100).</param>
/// <param name="Tolerance">Stop when the summed squared centroid shift is at most this times the mean per-feature
/// variance of the data (scikit-learn's relative <c>tol</c>, default 1e-4).</param>
public sealed record KMeansOptions(int Clusters, int Seed = 0, int Restarts = 10, int MaxIterations = 100, double Tolerance = 1e-4)
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid field.</summary>
    public void Validate(int samples)
    {
        if (Clusters < 1 || Clusters > samples)
        {
            throw new ArgumentOutOfRangeException(nameof(Clusters), Clusters, $"k-means needs 1 <= clusters <= samples ({samples})");
        }

        if (Restarts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Restarts), Restarts, "at least one restart is needed");
        }

        if (MaxIterations < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, "at least one iteration is needed");
        }

        if (!(Tolerance >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "tolerance must be >= 0");
        }
    }
}
