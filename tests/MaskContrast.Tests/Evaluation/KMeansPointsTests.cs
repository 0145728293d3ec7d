using MaskContrast.Core.Evaluation;

namespace MaskContrast.Tests.Evaluation;

// The matrix-product distances (|x|² − 2x·c + |c|², register-blocked) against plain per-pair distances.
public class KMeansPointsTests
{
    [Fact]
    public void AssignNearest_HandMadePoints_MatchesDistancesByHandWithLowestIndexOnTies()
    {
        // 5 centres (one group of four plus one left over), 7 points (not a whole number of SIMD vectors).
        double[] centres = [0, 0, 4, 0, 0, 4, 4, 4, 2, 2];
        double[] rows = [1, 0, 3, 1, 2, 2.5, -1, 5, 5, 5, 2, 0, 9, 9];
        var points = new KMeansPoints(rows, 7, 2);
        var labels = new int[7];

        points.AssignNearest(centres, 5, labels, parallel: false);

        // (3, 1) is at squared distance 2 from centres 1 and 4; (2, 0) at 4 from centres 0, 1 and 4.
        Assert.Equal([0, 1, 4, 2, 3, 0, 3], labels);
        Assert.Equal(Naive(rows, 2, centres, 5).Labels, labels);
    }

    [Fact]
    public void AssignNearest_ManyBlocksInParallel_MatchesNaiveArgmin()
    {
        var data = KMeansTests.RandomData(1103, 6, seed: 4);
        var centres = KMeansTests.RandomData(7, 6, seed: 5);
        double[] rows = Pca.Flatten(data);
        double[] flatCentres = Pca.Flatten(centres);
        var labels = new int[1103];

        new KMeansPoints(rows, 1103, 6).AssignNearest(flatCentres, 7, labels, parallel: true);

        Assert.Equal(Naive(rows, 6, flatCentres, 7).Labels, labels);
        Assert.Equal(labels, KMeans.Predict(centres, data));
    }

    [Fact]
    public void SquaredDistancesToPoints_HandMadePoints_EqualsExactDistances()
    {
        double[] rows = [1, 0, 3, 1, 2, 2.5, -1, 5];
        var points = new KMeansPoints(rows, 4, 2);

        double[] distances = points.SquaredDistancesToPoints([1, 3]);

        Assert.Equal([5, 0, 3.25, 32, 29, 32, 15.25, 0], distances);
    }

    [Fact]
    public void Fit_Inertia_IsTheSumOfNaiveDistancesToTheReturnedCentroids()
    {
        var data = KMeansTests.RandomData(301, 5, seed: 11);

        var result = KMeans.Fit(data, new KMeansOptions(6, Seed: 3, Restarts: 3));

        var (labels, distances) = Naive(Pca.Flatten(data), 5, Pca.Flatten(result.Centroids), 6);
        Assert.Equal(labels, result.Labels);
        Assert.Equal(distances.Sum(), result.Inertia, 1e-9);
    }

    // Nearest centre of every row by exact per-pair squared distances, first index on a tie.
    private static (int[] Labels, double[] Distances) Naive(double[] rows, int d, double[] centres, int k)
    {
        int n = rows.Length / d;
        var labels = new int[n];
        var distances = new double[n];
        for (int i = 0; i < n; i++)
        {
            distances[i] = double.PositiveInfinity;
            for (int c = 0; c < k; c++)
            {
                double sum = 0;
                for (int j = 0; j < d; j++)
                {
                    double delta = rows[i * d + j] - centres[c * d + j];
                    sum += delta * delta;
                }

                if (sum < distances[i])
                {
                    distances[i] = sum;
                    labels[i] = c;
                }
            }
        }

        return (labels, distances);
    }
}
