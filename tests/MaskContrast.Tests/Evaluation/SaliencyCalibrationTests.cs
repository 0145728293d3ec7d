using MaskContrast.Core.Evaluation;
using static TorchSharp.torch;

namespace MaskContrast.Tests.Evaluation;

public sealed class SaliencyCalibrationTests
{
    [Fact]
    public void ForegroundIoU_HandCase_CountsLogitsAboveTheThreshold()
    {
        // True foreground: logits 3, 0.5, 1; background: 0.75, −2, 9 (above the grid), −20 (below it).
        var c = new SaliencyCalibration();
        c.Add(tensor(new float[] { 3, 0.5f, 1, 0.75f }), tensor(new float[] { 1, 1, 1, 0 }));
        c.Add(tensor(new float[] { -2, 9, -20 }).reshape(1, 3), tensor(new float[] { 0, 0, 0 }).reshape(1, 3));
        // > 0.5: fg {3, 1} hit, 0.5 missed (strict, as the protocol), bg {0.75, 9} false → 2 / (2 + 1 + 2)
        Assert.Equal(2.0 / 5, c.ForegroundIoU(0.5), 12);
        // > 0.75: fg {3, 1}, bg {9} → 2 / (2 + 1 + 1)
        Assert.Equal(2.0 / 4, c.ForegroundIoU(0.75), 12);
        // > −8: everything but −20 → 3 / (3 + 0 + 3)
        Assert.Equal(3.0 / 6, c.ForegroundIoU(-8), 12);
        // > 8: only the 9 → 0 / (0 + 3 + 1)
        Assert.Equal(0, c.ForegroundIoU(8));
        // −2 ≤ t < 0.5 keeps all three fg and drops only the background −2 (and −20): 3 / 5 is the best; the lowest such t wins.
        Assert.Equal(3.0 / 5, c.ForegroundIoU(-2), 12);
        Assert.Equal(-2, c.BestThreshold());
        Assert.Equal(4.0 / 7, c.PredictedForegroundFraction(0.5), 12);
        Assert.Equal(3.0 / 7, c.TrueForegroundFraction, 12);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(-8.25)]
    [InlineData(8.25)]
    public void ForegroundIoU_OffTheGrid_IsRefused(double threshold)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SaliencyCalibration().ForegroundIoU(threshold));
        Assert.Contains("threshold must be on the grid", e.Message);
    }

    [Fact]
    public void Add_ShapeMismatch_IsRefused() =>
        Assert.Throws<ArgumentException>(() => new SaliencyCalibration().Add(zeros(2, 2), zeros(4)));
}
