using MaskContrast.Core.Evaluation;

namespace MaskContrast.Tests.Evaluation;

public class ClusterMatchingTests
{
    [Fact]
    public void MatchAndScore_HandComputedSplit_MatchesBackgroundLabelToObjectClassWhenIoUSaysSo()
    {
        // gt   = 0 0 0 1 1 2 2 2
        // pred = 2 2 0 1 1 0 0 0
        // IoU[pred, class]: p0-g2 = 3/4, p1-g1 = 1, p2-g0 = 2/3 is the best one-to-one total (2.4167); the
        // "background" label 0 goes to object class 2, as in the official matching.
        var meter = new SegmentationMeter(3);
        meter.Update([2, 2, 0, 1, 1, 0, 0, 0], [0, 0, 0, 1, 1, 2, 2, 2]);

        var (labelToClass, scores) = ClusterMatching.MatchAndScore(meter);

        Assert.Equal([2, 1, 0], labelToClass);
        Assert.Equal(2.0 / 3, scores.IoU[0], 12);
        Assert.Equal(1.0, scores.IoU[1], 12);
        Assert.Equal(0.75, scores.IoU[2], 12);
        Assert.Equal((2.0 / 3 + 1 + 0.75) / 3, scores.MeanIoU, 12);
        Assert.Equal(new long[,] { { 2, 0, 1 }, { 0, 2, 0 }, { 0, 0, 3 } }, scores.Confusion);
    }

    [Fact]
    public void MatchAndScore_PermutedPerfectPrediction_RecoversPermutationAndScoresOne()
    {
        var meter = new SegmentationMeter(4);
        byte[] gt = [0, 1, 2, 3, 3, 2, 1, 0, 255];
        byte[] pred = gt.Select(g => g == 255 ? (byte)1 : (byte)((g + 3) % 4)).ToArray();   // label = class − 1 mod 4
        meter.Update(pred, gt);

        var (labelToClass, scores) = ClusterMatching.MatchAndScore(meter);

        Assert.Equal([1, 2, 3, 0], labelToClass);
        Assert.Equal(1.0, scores.MeanIoU, 12);
        Assert.Equal(8L, scores.ScoredPixels);
    }
}
