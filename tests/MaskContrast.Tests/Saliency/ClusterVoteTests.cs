using System.Text.Json;
using MaskContrast.Core.Config;
using MaskContrast.Core.Data;
using MaskContrast.Core.Saliency;
using MaskContrast.Tests.Data;

namespace MaskContrast.Tests.Saliency;

public class ClusterVoteTests
{
    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(1.0, 0.0)]
    [InlineData(0.5, 1.0)]
    [InlineData(0.25, 0.8112781244591328)]   // −(¼·log₂¼ + ¾·log₂¾)
    public void BinaryEntropy_IsInBits(double p, double expected) =>
        Assert.Equal(expected, ClusterVote.BinaryEntropy(p), 12);

    [Fact]
    public void GridAverage_AveragesEachCellOverTheWholeImage()
    {
        // 4 × 2 image into a 2 × 2 grid: each cell is a 2 × 1 block.
        float[] values = [1, 3, 5, 7,
                          0, 2, 4, 8];
        Assert.Equal([2.0, 6.0, 1.0, 6.0], ClusterVote.GridAverage(values, 4, 2, 2));
    }

    [Fact]
    public void VoteGrid_GivesEachCellTheVoteOfItsNearestCentre()
    {
        // Two centres in 256-d: e0 (votes foreground) and e1 (does not); cells are unit vectors near one or the other.
        var c0 = new float[ImageNetFeatureGrid.Channels]; c0[0] = 1;
        var c1 = new float[ImageNetFeatureGrid.Channels]; c1[1] = 1;
        var vote = new ClusterVote([c0, c1], [true, false], [0.9, 0.1], [0.5, 0.5], 0.5, 0.8, UseVote: true, Images: 8, InputSize: 256);
        var features = new float[3 * ImageNetFeatureGrid.Channels];
        features[0] = 0.8f; features[1] = 0.6f;                                    // nearer e0
        features[ImageNetFeatureGrid.Channels] = 0.6f; features[ImageNetFeatureGrid.Channels + 1] = 0.8f;   // nearer e1
        features[2 * ImageNetFeatureGrid.Channels + 0] = 1;                          // on e0
        Assert.Equal([1f, 0f, 1f], vote.VoteGrid(features));
    }

    [Fact]
    public void Refine_AveragesTheVoteWithTheSaliency_OrLeavesItWhenTheVoteIsOff()
    {
        // One centre: every cell is in it, so the vote is 1 everywhere when it votes foreground and 0 when not.
        var centre = new float[ImageNetFeatureGrid.Channels]; centre[0] = 1;
        var image = new RgbImage(40, 30, Enumerable.Range(0, 40 * 30 * 3).Select(i => (byte)(i * 7 % 256)).ToArray());
        float[] saliency = Enumerable.Range(0, 40 * 30).Select(i => i / 1200f).ToArray();
        using var grid = new ImageNetFeatureGrid(64);
        var on = new ClusterVote([centre], [true], [0.9], [1], 0.5, 0.9, UseVote: true, Images: 8, InputSize: 64);

        var refined = on.Refine(image, saliency, 40, 30, grid);
        Assert.Equal(saliency.Select(s => (1 + s) / 2), refined, (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal(saliency.Select(s => s / 2), (on with { Foreground = [false] }).Refine(image, saliency, 40, 30, grid), (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal(saliency, (on with { UseVote = false }).Refine(image, saliency, 40, 30, grid));
        Assert.Throws<ArgumentException>(() => (on with { InputSize = 256 }).Refine(image, saliency, 40, 30, grid));
    }

    /// <summary>
    /// The decision on the two synthetic families: on <c>shapes</c> MB+ agrees with the feature clusters and is kept; on
    /// <c>clutter</c> (distractors, textured noise) it does not, and the vote's masks overlap the objects better than
    /// MB+'s. 24 images each; the bench (<c>ProposalsBench vote</c>) measures 150-image sets.
    /// </summary>
    [Theory]
    [InlineData(SyntheticFamily.Shapes, false)]
    [InlineData(SyntheticFamily.Clutter, true)]
    public void Fit_KeepsMbPlusWhereItAgreesWithTheFeatures_AndRefinesWhereItDoesNot(SyntheticFamily family, bool refines)
    {
        using var temp = new TempFolder();
        SyntheticDataset.Generate(temp.Path, new SyntheticOptions(TrainCount: 0, ValCount: 24, Seed: 31, Family: family));
        var data = new VocDataset(temp.Path, "val");
        using var grid = new ImageNetFeatureGrid();

        var vote = ClusterVote.Fit(data, data.Ids, new MbPlusSaliency(), grid);

        Assert.Equal(refines, vote.UseVote);
        Assert.Equal(24, vote.Images);
        Assert.InRange(vote.Disagreement, refines ? 0.7 : 0.0, refines ? 1.0 : 0.4);
        if (!refines) return;
        double mbPlus = MeanIoU(data, new ProposalOptions(ProposalMethod.MbPlus), temp.File("mbplus"));
        double voted = MeanIoU(data, new ProposalOptions(ProposalMethod.MbPlusClusters, Vote: vote), temp.File("voted"));
        Assert.True(voted > mbPlus + 0.1, $"voted masks IoU {voted:F3} vs MB+ {mbPlus:F3}");
    }

    [Fact]
    public void Generator_FitsTheVoteItself_AndSaysWhatItDecided_InTheSummary()
    {
        using var temp = new TempFolder();
        SyntheticDataset.Generate(temp.Path, new SyntheticOptions(TrainCount: 0, ValCount: 10, Seed: 32, Family: SyntheticFamily.Clutter));
        var summary = new ProposalGenerator().Run(new VocDataset(temp.Path, "val"), temp.File("out"));

        Assert.Equal(ProposalMethod.MbPlusClusters, summary.Method);
        Assert.Equal(10, summary.Vote!.Images);
        Assert.Equal(16, summary.Vote.Clusters);
        var written = JsonSerializer.Deserialize<JsonElement>(File.ReadAllText(temp.File("out/summary.json")));
        Assert.Equal(summary.Vote.Used, written.GetProperty("vote").GetProperty("used").GetBoolean());
    }

    [Fact]
    public void Options_RefuseAVoteForAnotherMethod()
    {
        var vote = new ClusterVote([], [], [], [], 0, 0, false, 0, 256);
        var e = Assert.Throws<ArgumentException>(() => new ProposalOptions(ProposalMethod.Ft, Vote: vote).Validate());
        Assert.Contains("mbplus-clusters", e.Message);
    }

    [Fact]
    public void Fit_WithTooFewImages_KeepsMbPlus()
    {
        using var temp = new TempFolder();
        SyntheticDataset.Generate(temp.Path, new SyntheticOptions(TrainCount: 0, ValCount: ClusterVoteOptions.MinImages - 1, Seed: 33, Family: SyntheticFamily.Clutter));
        var data = new VocDataset(temp.Path, "val");
        using var grid = new ImageNetFeatureGrid();
        var vote = ClusterVote.Fit(data, data.Ids, new MbPlusSaliency(), grid);
        Assert.False(vote.UseVote);
        Assert.Contains("skipped", vote.Summary.ToString());
    }

    static double MeanIoU(VocDataset data, ProposalOptions options, string folder)
    {
        new ProposalGenerator(options).Run(data, folder);
        return data.Ids.Average(id =>
        {
            var truth = SaliencyMetrics.ForegroundFromLabels(data.LoadLabels(id)!);
            var path = Path.Combine(folder, id + ".png");
            return File.Exists(path) ? SaliencyMetrics.IoU(MaskFile.LoadBinary(path, truth.Width, truth.Height), truth) : 0;
        });
    }
}
