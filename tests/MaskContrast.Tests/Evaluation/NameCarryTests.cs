using MaskContrast.Core.Data;
using MaskContrast.Core.Evaluation;
using MaskContrast.Core.Inference;

namespace MaskContrast.Tests.Evaluation;

/// <summary>Matching a new model's clusters to a previous model's on hand-made label maps (numbers worked out by hand).</summary>
public sealed class NameCarryTests
{
    private static ByteRaster Map(params byte[] labels) => new(labels.Length, 1, labels);

    private static readonly Dictionary<int, string> s_names = new() { [1] = "car", [2] = "road", [3] = "tree" };

    [Fact]
    public void Match_ThePreviousClustersRenumbered_RecoversThePermutationExactly_WithAgreement1()
    {
        // The new model calls previous cluster 1 "3", 2 "1" and 3 "2"; background (0) where either model says so is ignored.
        var overlap = new ClusterOverlap(3, 3);
        overlap.Add(Map(1, 1, 2, 2, 2, 3, 0, 0), Map(3, 3, 1, 1, 1, 2, 0, 2));
        overlap.Add(Map(3, 3, 3, 1), Map(2, 2, 2, 3));

        var carry = NameCarry.Match(overlap, s_names, "old.mcbundle");

        Assert.Equal(2, carry.ReferenceImages);
        Assert.Equal([(1, 2), (2, 3), (3, 1)], carry.Clusters.Select(c => (c.Label, c.PreviousLabel!.Value)));
        Assert.All(carry.Clusters, c => Assert.Equal((1.0, false), (c.Agreement, c.Flagged)));
        Assert.Equal(new Dictionary<int, string> { [1] = "road", [2] = "tree", [3] = "car" }, carry.Names);
        Assert.Empty(carry.NotCarried);
    }

    [Fact]
    public void Match_AClusterSplitInTwo_FlagsBothHalves_AndKeepsTheirNumbers()
    {
        // Previous 2 and 3 are each cut in half and the halves swapped between new 2 and 3: every pair shares 2 of its
        // 4 + 4 − 2 = 6 pixels, agreement 1/3, under the 0.5 a name needs. Cluster 1 is unchanged.
        var overlap = new ClusterOverlap(3, 3);
        overlap.Add(Map(1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3), Map(1, 1, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3));

        var carry = NameCarry.Match(overlap, s_names, "old.mcbundle");

        Assert.Equal((1, 1.0, "car", false), (carry.Clusters[0].PreviousLabel!.Value, carry.Clusters[0].Agreement, carry.Clusters[0].Name, carry.Clusters[0].Flagged));
        foreach (var half in carry.Clusters.Skip(1))
        {
            Assert.True(half.Flagged);
            Assert.Null(half.Name);
            Assert.Equal(1.0 / 3, half.Agreement, 12);
            Assert.Contains(half.PreviousLabel!.Value, new[] { 2, 3 });
        }
        Assert.Equal(new Dictionary<int, string> { [1] = "car" }, carry.Names);
        Assert.Equal(new Dictionary<int, string> { [2] = "road", [3] = "tree" }, carry.NotCarried);
        Assert.Contains("  cluster 2 <- previous", carry.Describe().ElementAt(2));
        Assert.EndsWith("agreement 0.33: FLAGGED, no good match: keeps its number", carry.Describe().ElementAt(2));
        Assert.Equal("  names not carried: 2 'road', 3 'tree'", carry.Describe().Last());
    }

    [Fact]
    public void Match_MoreNewClustersThanPrevious_LeavesTheExtraOneUnassignedAndFlagged()
    {
        // New 1 = previous 2 (3/3), new 2 = previous 1 (2/2, which had no name); new 3 appears only where the previous model
        // saw background, so it agrees with nothing and is left without a previous cluster.
        var overlap = new ClusterOverlap(2, 3);
        overlap.Add(Map(2, 2, 2, 1, 1, 0, 0), Map(1, 1, 1, 2, 2, 3, 3));

        var carry = NameCarry.Match(overlap, new Dictionary<int, string> { [2] = "road" }, "old.mcbundle");

        Assert.Equal((2, 1.0, "road"), (carry.Clusters[0].PreviousLabel!.Value, carry.Clusters[0].Agreement, carry.Clusters[0].Name));
        Assert.Equal((1, 1.0, (string?)null, false), (carry.Clusters[1].PreviousLabel!.Value, carry.Clusters[1].Agreement, carry.Clusters[1].Name, carry.Clusters[1].Flagged));
        Assert.Equal(((int?)null, 0.0, true), (carry.Clusters[2].PreviousLabel, carry.Clusters[2].Agreement, carry.Clusters[2].Flagged));
        Assert.EndsWith("no previous cluster, agreement 0.00: FLAGGED, no good match: keeps its number", carry.Describe().Last());
    }

    [Fact]
    public void Add_MapsOfDifferentSizesOrLabelsBeyondTheClusters_AreRefused()
    {
        var overlap = new ClusterOverlap(2, 2);
        Assert.Throws<ArgumentException>(() => overlap.Add(Map(1, 2), Map(1, 2, 0)));
        Assert.Throws<ArgumentException>(() => overlap.Add(Map(1, 3), Map(1, 2)));
        Assert.Equal(0, overlap.Images);
    }

    [Fact]
    public void ReferenceIds_AreEvenlySpacedThroughTheIds_OrAllOfThemWhenFew()
    {
        string[] ids = [.. Enumerable.Range(0, 10).Select(i => $"img{i}")];
        // i × 10 / 4 for i = 0..3: 0, 2.5, 5, 7.5 → 0, 2, 5, 7.
        Assert.Equal(["img0", "img2", "img5", "img7"], NameCarrier.ReferenceIds(ids, max: 4));
        Assert.Equal(ids, NameCarrier.ReferenceIds(ids, max: 10));
    }
}
