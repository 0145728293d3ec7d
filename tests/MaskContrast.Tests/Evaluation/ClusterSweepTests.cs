using MaskContrast.Core.Evaluation;

namespace MaskContrast.Tests.Evaluation;

public class ClusterSweepTests
{
    [Fact]
    public void AdjustedRandIndex_SamePartitionRenamed_IsOne()
        => Assert.Equal(1.0, AdjustedRandIndex.Compute([0, 0, 1, 1, 2], [2, 2, 0, 0, 1]), 12);

    [Fact]
    public void AdjustedRandIndex_CrossedPairs_IsMinusOneHalf()
    {
        // Every cell of the 2×2 table holds 1: index 0, E = 2·2/C(4,2) = 2/3, max = 2 → (0 − 2/3)/(2 − 2/3) = −0.5.
        Assert.Equal(-0.5, AdjustedRandIndex.Compute([0, 0, 1, 1], [0, 1, 0, 1]), 12);
    }

    [Fact]
    public void AdjustedRandIndex_ThreeWaySplitOfTwoClusters_MatchesHandCount()
    {
        // Table rows (2,1,0) and (0,1,2): index 2; Σ C(a_i,2) = 6, Σ C(b_j,2) = 3, C(6,2) = 15 → E = 1.2, max = 4.5,
        // ARI = 0.8 / 3.3.
        Assert.Equal(0.8 / 3.3, AdjustedRandIndex.Compute([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]), 12);
    }

    [Fact]
    public void AdjustedRandIndex_BothOneCluster_IsOne_AndLengthsMustMatch()
    {
        Assert.Equal(1.0, AdjustedRandIndex.Compute([3, 3, 3], [0, 0, 0]));
        Assert.Throws<ArgumentException>(() => AdjustedRandIndex.Compute([0, 1], [0]));
    }

    [Fact]
    public void Silhouette_TwoPairsOnALine_MatchesHandCount()
    {
        // 0 and 1 vs 10 and 11: a = 1 for all; b = 10.5, 9.5, 9.5, 10.5 → s = 9.5/10.5, 8.5/9.5, 8.5/9.5, 9.5/10.5.
        double expected = (9.5 / 10.5 + 8.5 / 9.5) / 2;
        Assert.Equal(expected, Silhouette.Mean(new double[,] { { 0 }, { 1 }, { 10 }, { 11 } }, [0, 0, 1, 1]), 12);
    }

    [Fact]
    public void Silhouette_SingletonCluster_CountsZero()
    {
        // 0 and 1 vs 5 alone: s(0) = (5 − 1)/5, s(1) = (4 − 1)/4, s(5) = 0.
        Assert.Equal((0.8 + 0.75 + 0) / 3, Silhouette.Mean(new double[,] { { 0 }, { 1 }, { 5 } }, [0, 0, 1]), 12);
    }

    [Theory]
    [InlineData(4, 1)]   // four well-separated Gaussian blobs
    [InlineData(7, 2)]   // seven
    public void Run_SeparatedBlobs_PicksTheirNumber(int blobs, int seed)
    {
        var sweep = ClusterSweep.Run(Blobs(blobs, perBlob: 40, seed));
        Assert.Equal(blobs, sweep.Chosen);
        var row = sweep.Rows.Single(r => r.K == blobs);
        Assert.True(row.Stability > 0.99, $"stability {row.Stability}");
        Assert.Contains($"K = {blobs}: highest silhouette", sweep.Reason);
        Assert.Equal(ClusterSweepOptions.DefaultKs.Where(k => 3 * k <= 40 * blobs), sweep.Rows.Select(r => r.K));
    }

    [Fact]
    public void Choose_StableButTinyCluster_IsPassedOver()
    {
        // K = 4 has the higher silhouette, but its smallest cluster (1 %) is under a fifth of an even share (5 %).
        ClusterSweepRow[] rows = [new(2, 0.95, 0.3, 10, 0.4), new(4, 0.97, 0.5, 6, 0.01)];
        Assert.Equal(2, ClusterSweep.Choose(rows, new ClusterSweepOptions()).K);
    }

    [Fact]
    public void Choose_NothingStable_TakesTheMostStableAndSaysSo()
    {
        ClusterSweepRow[] rows = [new(2, 0.5, 0.3, 10, 0.4), new(3, 0.8, 0.2, 8, 0.3), new(4, 0.6, 0.4, 6, 0.2)];
        var (k, reason) = ClusterSweep.Choose(rows, new ClusterSweepOptions());
        Assert.Equal(3, k);
        Assert.Contains("no cluster count had seeds that agree", reason);
    }

    [Fact]
    public void Run_TooFewSegments_ChoosesNothingAndSaysWhy()
    {
        var sweep = ClusterSweep.Run(Blobs(1, perBlob: 5, seed: 0));
        Assert.Empty(sweep.Rows);
        Assert.Null(sweep.Chosen);
        Assert.Contains("too few segments", sweep.Reason);
    }

    // Blob b centred at 10·e_b in 8 dimensions, unit Gaussian noise: centres √200 ≈ 14 apart, far beyond the noise.
    static double[,] Blobs(int blobs, int perBlob, int seed)
    {
        var random = new Random(seed);
        var data = new double[blobs * perBlob, 8];
        for (int i = 0; i < blobs * perBlob; i++)
            for (int j = 0; j < 8; j++)
            {
                double gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                data[i, j] = (j == i / perBlob ? 10 : 0) + gaussian;
            }
        return data;
    }
}
