using System.Numerics;

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
/// </remarks>
public static class KMeans
{
    /// <summary>Clusters <paramref name="data"/> [N, D] into <see cref="KMeansOptions.Clusters"/> groups.</summary>
    public static KMeansResult Fit(double[,] data, KMeansOptions options)
    {
        int n = data.GetLength(0);
        int d = data.GetLength(1);
        options.Validate(n);
        double[] x = Pca.Flatten(data);
        double tolerance = options.Tolerance * MeanFeatureVariance(x, n, d);

        var random = new Random(options.Seed);
        KMeansResult? best = null;
        for (int restart = 0; restart < options.Restarts; restart++)
        {
            double[] centres = KMeansPlusPlus(x, n, d, options.Clusters, random);
            var run = Lloyd(x, n, d, centres, options.Clusters, options.MaxIterations, tolerance);
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
        var distances = new double[labels.Length];
        Assign(Pca.Flatten(data), labels.Length, d, Pca.Flatten(centroids), centroids.GetLength(0), labels, distances);
        return labels;
    }

    private static KMeansResult Lloyd(double[] x, int n, int d, double[] centres, int k, int maxIterations, double tolerance)
    {
        var labels = new int[n];
        var previous = new int[n];
        var distances = new double[n];
        var sums = new double[k * d];
        var counts = new int[k];
        int iterations = 0;
        for (int it = 0; it < maxIterations; it++)
        {
            iterations = it + 1;
            Assign(x, n, d, centres, k, labels, distances);

            Array.Clear(sums);
            Array.Clear(counts);
            for (int i = 0; i < n; i++)
            {
                counts[labels[i]]++;
                var row = x.AsSpan(i * d, d);
                var sum = sums.AsSpan(labels[i] * d, d);
                for (int j = 0; j < d; j++)
                {
                    sum[j] += row[j];
                }
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
        Assign(x, n, d, centres, k, labels, distances);

        double inertia = 0;
        foreach (double dist in distances)
        {
            inertia += dist;
        }

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

    private static double[] KMeansPlusPlus(double[] x, int n, int d, int k, Random random)
    {
        var centres = new double[k * d];
        int trials = 2 + (int)Math.Log(k);
        int first = random.Next(n);
        x.AsSpan(first * d, d).CopyTo(centres.AsSpan(0, d));

        var closest = new double[n];   // squared distance of each point to its nearest chosen centre
        for (int i = 0; i < n; i++)
        {
            closest[i] = SquaredDistance(x.AsSpan(i * d, d), centres.AsSpan(0, d));
        }

        var candidateClosest = new double[n];
        var bestClosest = new double[n];
        for (int c = 1; c < k; c++)
        {
            double potential = closest.Sum();
            int bestCandidate = -1;
            double bestPotential = double.PositiveInfinity;
            for (int t = 0; t < trials; t++)
            {
                // Sample a point with probability proportional to its squared distance (D² weighting).
                int candidate = SampleProportional(closest, random.NextDouble() * potential);
                double candidatePotential = 0;
                var cRow = x.AsSpan(candidate * d, d);
                for (int i = 0; i < n; i++)
                {
                    candidateClosest[i] = Math.Min(closest[i], SquaredDistance(x.AsSpan(i * d, d), cRow));
                    candidatePotential += candidateClosest[i];
                }

                // Greedy: of the sampled candidates keep the one that lowers the potential most.
                if (candidatePotential < bestPotential)
                {
                    bestPotential = candidatePotential;
                    bestCandidate = candidate;
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
    private static void Assign(double[] x, int n, int d, double[] centres, int k, int[] labels, double[] distances)
    {
        Parallel.For(0, (n + 1023) / 1024, block =>
        {
            int end = Math.Min(n, (block + 1) * 1024);
            for (int i = block * 1024; i < end; i++)
            {
                var row = x.AsSpan(i * d, d);
                int bestC = 0;
                double bestD = double.PositiveInfinity;
                for (int c = 0; c < k; c++)
                {
                    double dist = SquaredDistance(row, centres.AsSpan(c * d, d));
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

    private static double MeanFeatureVariance(double[] x, int n, int d)
    {
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

    private static double SquaredDistance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        int width = Vector<double>.Count;
        int j = 0;
        var acc = Vector<double>.Zero;
        for (; j <= a.Length - width; j += width)
        {
            var delta = new Vector<double>(a.Slice(j, width)) - new Vector<double>(b.Slice(j, width));
            acc += delta * delta;
        }

        double sum = Vector.Dot(acc, Vector<double>.One);
        for (; j < a.Length; j++)
        {
            double delta = a[j] - b[j];
            sum += delta * delta;
        }

        return sum;
    }
}
