using MaskContrast.Core.Data;
using MaskContrast.Core.Evaluation;

namespace MaskContrast.Tests.Evaluation;

public class SegmentationMeterTests
{
    // gt   = 0 0 1 1 2 2 255 1
    // pred = 0 1 1 1 2 0 2   2
    // class 0: TP 1 (px0), FP 1 (px5), FN 1 (px1) -> 1/3
    // class 1: TP 2 (px2,3), FP 1 (px1), FN 1 (px7) -> 1/2
    // class 2: TP 1 (px4), FP 1 (px7; px6 is ignored), FN 1 (px5) -> 1/3
    private static readonly byte[] s_gt = [0, 0, 1, 1, 2, 2, 255, 1];
    private static readonly byte[] s_pred = [0, 1, 1, 1, 2, 0, 2, 2];

    [Fact]
    public void Scores_HandComputedImage_MatchesTpFpFnAndIoU()
    {
        var meter = new SegmentationMeter(3);
        meter.Update(s_pred, s_gt);
        var scores = meter.Scores();

        Assert.Equal([1L, 2L, 1L], scores.TruePositives);
        Assert.Equal([1L, 1L, 1L], scores.FalsePositives);
        Assert.Equal([1L, 1L, 1L], scores.FalseNegatives);
        Assert.Equal(1.0 / 3, scores.IoU[0], 12);
        Assert.Equal(0.5, scores.IoU[1], 12);
        Assert.Equal(1.0 / 3, scores.IoU[2], 12);
        Assert.Equal(7.0 / 18, scores.MeanIoU, 12);
        Assert.Equal(7L, scores.ScoredPixels);
        Assert.Equal(4.0 / 7, scores.PixelAccuracy, 12);
        Assert.Equal(new long[,] { { 1, 1, 0 }, { 0, 2, 1 }, { 1, 0, 1 } }, scores.Confusion);
    }

    [Fact]
    public void Scores_TwoImages_AccumulatesCountsOverSplitNotPerImage()
    {
        var meter = new SegmentationMeter(3);
        meter.Update(new ByteRaster(4, 2, s_pred), new ByteRaster(4, 2, s_gt));
        meter.Update(new ByteRaster(2, 1, [0, 0]), new ByteRaster(2, 1, [0, 0]));
        var scores = meter.Scores();

        // Class 0 becomes TP 3, FP 1, FN 1 = 3/5; the second image alone would give classes 1 and 2 an IoU of 0,
        // which a per-image average would count; the split-level count does not.
        Assert.Equal(0.6, scores.IoU[0], 12);
        Assert.Equal((0.6 + 0.5 + 1.0 / 3) / 3, scores.MeanIoU, 12);
    }

    [Fact]
    public void Scores_ClassAbsentEverywhere_CountsAsZeroInMean()
    {
        var meter = new SegmentationMeter(4);
        meter.Update([0, 1, 2], [0, 1, 2]);
        var scores = meter.Scores();

        Assert.Equal(0.0, scores.IoU[3]);
        Assert.Equal(0.75, scores.MeanIoU, 12);
    }

    [Fact]
    public void Scores_PredictionOutsideClassRange_CountsOnlyAsFalseNegative()
    {
        var meter = new SegmentationMeter(2);
        meter.Update([7, 1], [1, 1]);
        var scores = meter.Scores();

        Assert.Equal([0L, 1L], scores.TruePositives);
        Assert.Equal([0L, 0L], scores.FalsePositives);
        Assert.Equal([0L, 1L], scores.FalseNegatives);
        Assert.Equal(0.25, scores.MeanIoU, 12);
    }

    [Fact]
    public void Scores_OnlyIgnorePixels_GivesZeroNotNaN()
    {
        var meter = new SegmentationMeter(2);
        meter.Update([0, 1], [255, 255]);
        var scores = meter.Scores();

        Assert.Equal(0L, scores.ScoredPixels);
        Assert.Equal(0.0, scores.MeanIoU);
    }

    [Fact]
    public void PairwiseIoU_HandComputedImage_MatchesBinaryIoUOfEachPair()
    {
        var meter = new SegmentationMeter(3);
        meter.Update(s_pred, s_gt);
        var iou = meter.PairwiseIoU();

        // pred 1 = {px1,2,3}, gt 1 = {px2,3,7}: 2 / 4. pred 0 = {px0,5}, gt 2 = {px4,5}: 1 / 3. pred 2 = {px4,7}, gt 0 = {px0,1}: 0.
        Assert.Equal(0.5, iou[1, 1], 12);
        Assert.Equal(1.0 / 3, iou[0, 2], 12);
        Assert.Equal(0.0, iou[2, 0], 12);
    }

    [Fact]
    public void Remap_PermutedLabels_EqualsScoringRelabelledPredictions()
    {
        byte[] permuted = s_pred.Select(p => (byte)((p + 1) % 3)).ToArray();   // label = (class + 1) mod 3
        var meter = new SegmentationMeter(3);
        meter.Update(permuted, s_gt);

        var remapped = meter.Remap([2, 0, 1]).Scores();

        Assert.Equal(7.0 / 18, remapped.MeanIoU, 12);
        Assert.Equal([1L, 2L, 1L], remapped.TruePositives);
    }

    [Fact]
    public void Update_SizeMismatch_ThrowsNamingBothSizes()
    {
        var meter = new SegmentationMeter(2);
        var ex = Assert.Throws<ArgumentException>(() => meter.Update(new ByteRaster(2, 2, new byte[4]), new ByteRaster(4, 1, new byte[4])));
        Assert.Contains("2x2", ex.Message);
        Assert.Contains("4x1", ex.Message);
    }
}
