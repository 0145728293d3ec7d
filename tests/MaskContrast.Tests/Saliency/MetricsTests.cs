using MaskContrast.Core.Data;
using MaskContrast.Core.Saliency;

namespace MaskContrast.Tests.Saliency;

public class MetricsTests
{
    // 2×3 ground truth: foreground in the left column, one ignored pixel (255).
    private static readonly ByteRaster s_truth = new(2, 3, [1, 0, 1, 0, 255, 0]);

    [Fact]
    public void IoU_HandCase_IgnoresVoidPixels()
    {
        // proposal covers (0,0), (1,0) and the ignored pixel: intersection 1, union 3 (ignored pixel not counted).
        Assert.Equal(1 / 3.0, SaliencyMetrics.IoU(new ByteRaster(2, 3, [1, 1, 0, 0, 1, 0]), s_truth), 12);
        Assert.Equal(0.0, SaliencyMetrics.IoU(null, s_truth));
        Assert.Equal(1.0, SaliencyMetrics.IoU(null, new ByteRaster(1, 1, [0])));
    }

    [Fact]
    public void Mae_HandCase_MeanOverValidPixels()
    {
        var map = new SaliencyMap(2, 3, [1f, 0.5f, 0.5f, 0f, 1f, 0.25f]);
        Assert.Equal((0 + 0.5 + 0.5 + 0 + 0.25) / 5, SaliencyMetrics.Mae(map, s_truth), 6);
    }

    [Fact]
    public void AdaptiveF_HandCase_ThresholdTwiceTheMean()
    {
        // mean = 0.3 → threshold 0.6: predicted {0, 3}: TP 1, FP 1, FN 1 → P = R = 0.5 → F = 0.5.
        var map = new SaliencyMap(2, 3, [0.9f, 0.1f, 0.2f, 0.6f, 0f, 0f]);
        Assert.Equal(0.5, SaliencyMetrics.AdaptiveF(map, s_truth), 6);
        Assert.Equal(1.3 * 0.5 * 1.0 / (0.3 * 0.5 + 1.0), SaliencyMetrics.F(0.5, 1.0), 12);
    }

    [Fact]
    public void QualityAccumulator_PerfectMap_MaxFOneAndMaeZero()
    {
        var acc = new QualityAccumulator();
        acc.Add(new SaliencyMap(2, 3, [1f, 0f, 1f, 0f, 0.7f, 0f]), new ByteRaster(2, 3, [1, 0, 1, 0, 0, 0]), s_truth);
        acc.Add(new SaliencyMap(2, 3, [0f, 0f, 0f, 0f, 0f, 0f]), null, s_truth);
        var r = acc.Report();
        Assert.Equal((2, 1), (r.Images, r.Dropped));
        Assert.Equal(0.5, r.MeanIoU, 12); // 1 and 0
        Assert.Equal(0.2, r.Mae, 12);     // 0 and 2/5
    }
}
