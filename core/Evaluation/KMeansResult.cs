namespace MaskContrast.Core.Evaluation;

/// <summary>Result of k-means.</summary>
/// <param name="Centroids">[k, D].</param>
/// <param name="Labels">Cluster of every sample, [N], values 0..k−1.</param>
/// <param name="Inertia">Sum of squared distances of the samples to their centroids (scikit-learn's <c>inertia_</c>).</param>
/// <param name="Iterations">Lloyd iterations run by the winning restart.</param>
public sealed record KMeansResult(double[,] Centroids, int[] Labels, double Inertia, int Iterations);
