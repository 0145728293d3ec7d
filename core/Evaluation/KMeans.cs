using System.Numerics.Tensors;

namespace MaskContrast.Core.Evaluation;

/// <summary>
/// Full-batch k-means (Lloyd) with greedy k-means++ initialisation and several restarts; deterministic for a seed.
/// </summary>
/// <remarks>
/// The official protocol uses scikit-learn <c>MiniBatchKMeans(batch_size=1000, n_init=3)</c> on ~1.5k prototypes.
/// Mini-batches only save memory on large data; on a few thousand 32-d points full-batch Lloyd is cheap and reaches
/// lower (better) inertia, so the protocol is the same with less optimisation noise. The semantics follow
/// scikit-learn's <c>KMeans(algorithm='lloyd')</c>: greedy k-means++ with 2 + ⌊ln k⌋ candidates per centre, relative
/// tolerance on the squared centre shift, empty clusters moved to the farthest points, a final assignment step.
/// Distances are exact per pair (TensorPrimitives kernels, parallel over points), not the |x|² − 2x·c + |c|²
/// expansion: at these sizes a BLAS product through libtorch was slower (call overhead, thread contention) and less
/// exact. 1449 × 32 prototypes, 20 clusters, 5 seeds × 10 restarts take about 1 s of CPU.
/// </remarks>
public static class KMeans
{
    /// <summary>Clusters <paramref name="data"/> [N, D] into <see cref="KMeansOptions.Clusters"/> groups.</summary>
    public static KMeansResult Fit(double[,] data, KMeansOptions options)
    {
        int n = data.GetLength(0);
        int d = data.GetLength(1);
        options.Validate(n);
        var points = new Points(Pca.Flatten(data), n, d);
        double tolerance = options.Tolerance * MeanFeatureVariance(points);

        var random = new Random(options.Seed);
        KMeansResult? best = null;
        for (int restart = 0; restart < options.Restarts; restart++)
        {
            double[] centres = KMeansPlusPlus(points, options.Clusters, random);
            var run = Lloyd(points, centres, options.Clusters, options.MaxIterations, tolerance);
            if (best is null || run.Inertia < best.Inertia)
            {
                best = run;
            }
        }

        return best!;
    }

    /// <summary>Nearest centroid of every row of <paramref name="data"/> [M, D]; <paramref name="centroids"/> is [k, D].</summary>
    public static int[] Predict(double[,] centroids, double[,] data)
    {
        int d = data.GetLength(1);
        if (centroids.GetLength(1) != d)
        {
            throw new ArgumentException($"centroids have {centroids.GetLength(1)} features but data has {d}", nameof(data));
        }

        var labels = new int[data.GetLength(0)];
        if (labels.Length == 0)
        {
            return labels;
        }

        Assign(new Points(Pca.Flatten(data), labels.Length, d), Pca.Flatten(centroids), centroids.GetLength(0), labels, new double[labels.Length]);
        return labels;
    }

    private static KMeansResult Lloyd(Points points, double[] centres, int k, int maxIterations, double tolerance)
    {
        var (x, n, d) = points;
        var labels = new int[n];
        var previous = new int[n];
        var distances = new double[n];
        var sums = new double[k * d];
        var counts = new int[k];
        int iterations = 0;
        for (int it = 0; it < maxIterations; it++)
        {
            iterations = it + 1;
            Assign(points, centres, k, labels, distances);

            Array.Clear(sums);
            Array.Clear(counts);
            for (int i = 0; i < n; i++)
            {
                counts[labels[i]]++;
                var sum = sums.AsSpan(labels[i] * d, d);
                TensorPrimitives.Add(sum, x.AsSpan(i * d, d), sum);
            }

            var updated = new double[k * d];
            RelocateEmptyClusters(x, d, labels, distances, counts, sums);
            double shift = 0;
            for (int c = 0; c < k; c++)
            {
                for (int j = 0; j < d; j++)
                {
                    double value = sums[c * d + j] / counts[c];
                    double delta = value - centres[c * d + j];
                    shift += delta * delta;
                    updated[c * d + j] = value;
                }
            }

            centres = updated;
            if (it > 0 && labels.AsSpan().SequenceEqual(previous))
            {
                break;
            }

            if (shift <= tolerance)
            {
                break;
            }

            labels.CopyTo(previous, 0);
        }

        // The centres moved after the last assignment (and empty-cluster moves edit labels by hand): assign once more
        // so that labels, centres and inertia agree, as scikit-learn does. Cheap: one pass.
        Assign(points, centres, k, labels, distances);
        double inertia = TensorPrimitives.Sum<double>(distances);
        return new KMeansResult(Pca.To2D(centres, k, d), labels, inertia, iterations);
    }

    // An empty cluster takes the point that is currently worst served (largest distance to its centre); that point
    // leaves its old cluster. Without this, a cluster could stay empty and k-means would silently use fewer clusters.
    private static void RelocateEmptyClusters(double[] x, int d, int[] labels, double[] distances, int[] counts, double[] sums)
    {
        for (int c = 0; c < counts.Length; c++)
        {
            if (counts[c] > 0)
            {
                continue;
            }

            int far = -1;
            for (int i = 0; i < labels.Length; i++)
            {
                if (counts[labels[i]] > 1 && (far < 0 || distances[i] > distances[far]))
                {
                    far = i;
                }
            }

            int old = labels[far];
            var row = x.AsSpan(far * d, d);
            for (int j = 0; j < d; j++)
            {
                sums[old * d + j] -= row[j];
                sums[c * d + j] = row[j];
            }

            counts[old]--;
            counts[c] = 1;
            labels[far] = c;
            distances[far] = 0;
        }
    }

    private static double[] KMeansPlusPlus(Points points, int k, Random random)
    {
        var (x, n, d) = points;
        var centres = new double[k * d];
        int trials = 2 + (int)Math.Log(k);
        int first = random.Next(n);
        x.AsSpan(first * d, d).CopyTo(centres.AsSpan(0, d));

        double[] closest = DistancesTo(points, [first]);   // squared distance of each point to its nearest chosen centre
        var candidateClosest = new double[n];
        var bestClosest = new double[n];
        var candidates = new int[trials];
        for (int c = 1; c < k; c++)
        {
            // Sample candidates with probability proportional to their squared distance (D² weighting)...
            double potential = TensorPrimitives.Sum<double>(closest);
            for (int t = 0; t < trials; t++)
            {
                candidates[t] = SampleProportional(closest, random.NextDouble() * potential);
            }

            // ...and keep the one that lowers the potential most (greedy k-means++).
            double[] toCandidates = DistancesTo(points, candidates);   // [trials, N]
            int bestCandidate = -1;
            double bestPotential = double.PositiveInfinity;
            for (int t = 0; t < trials; t++)
            {
                TensorPrimitives.Min(closest, toCandidates.AsSpan(t * n, n), candidateClosest);
                double candidatePotential = TensorPrimitives.Sum<double>(candidateClosest);
                if (candidatePotential < bestPotential)
                {
                    bestPotential = candidatePotential;
                    bestCandidate = candidates[t];
                    candidateClosest.CopyTo(bestClosest, 0);
                }
            }

            x.AsSpan(bestCandidate * d, d).CopyTo(centres.AsSpan(c * d, d));
            bestClosest.CopyTo(closest, 0);
        }

        return centres;
    }

    private static int SampleProportional(double[] weights, double target)
    {
        double cumulative = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            cumulative += weights[i];
            if (cumulative > target)
            {
                return i;
            }
        }

        // Rounding (or all-zero weights when points repeat): take the last point with weight, else the last point.
        for (int i = weights.Length - 1; i >= 0; i--)
        {
            if (weights[i] > 0)
            {
                return i;
            }
        }

        return weights.Length - 1;
    }

    // Per-point work is independent, so the parallel loop gives the same labels as a sequential one.
    private static void Assign(Points points, double[] centres, int k, int[] labels, double[] distances)
    {
        const int Block = 1024;
        Parallel.For(0, (points.N + Block - 1) / Block, b =>
        {
            var (x, n, d) = points;
            Span<double> scratch = d <= 512 ? stackalloc double[d] : new double[d];
            for (int i = b * Block; i < Math.Min(n, (b + 1) * Block); i++)
            {
                var row = x.AsSpan(i * d, d);
                int bestC = 0;
                double bestD = double.PositiveInfinity;
                for (int c = 0; c < k; c++)
                {
                    double dist = SquaredDistance(row, centres.AsSpan(c * d, d), scratch);
                    if (dist < bestD)
                    {
                        bestD = dist;
                        bestC = c;
                    }
                }

                labels[i] = bestC;
                distances[i] = bestD;
            }
        });
    }

    // Squared distances from every point to each of the points `indices`: [t, N] row-major.
    private static double[] DistancesTo(Points points, int[] indices)
    {
        var (x, n, d) = points;
        var result = new double[indices.Length * n];
        Parallel.For(0, indices.Length, t =>
        {
            var scratch = new double[d];
            var target = x.AsSpan(indices[t] * d, d);
            for (int i = 0; i < n; i++)
            {
                result[t * n + i] = SquaredDistance(x.AsSpan(i * d, d), target, scratch);
            }
        });
        return result;
    }

    private static double MeanFeatureVariance(Points points)
    {
        var (x, n, d) = points;
        double total = 0;
        for (int j = 0; j < d; j++)
        {
            double mean = 0;
            for (int i = 0; i < n; i++)
            {
                mean += x[i * d + j];
            }

            mean /= n;
            double variance = 0;
            for (int i = 0; i < n; i++)
            {
                double delta = x[i * d + j] - mean;
                variance += delta * delta;
            }

            total += variance / n;
        }

        return total / d;
    }

    // Exact squared distance (no |x|² − 2x·c + |c|² expansion, so no cancellation). TensorPrimitives is a vectorised,
    // precompiled kernel: a hand-written loop runs several times slower in the Debug builds the tests use.
    private static double SquaredDistance(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> scratch)
    {
        TensorPrimitives.Subtract(a, b, scratch);
        return TensorPrimitives.SumOfSquares<double>(scratch);
    }

    // The data [N, D] as one row-major array, so rows are spans.
    private readonly record struct Points(double[] X, int N, int D);
}
