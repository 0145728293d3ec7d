using MaskContrast.Core.Data;
using MaskContrast.Core.Saliency;

namespace MaskContrast.Tests.Saliency;

public class PostProcessTests
{
    /// <summary>A 100×100 mask (1 % = 100 pixels) with filled rectangles given as (x, y, width, height).</summary>
    private static ByteRaster Mask(params (int X, int Y, int W, int H)[] boxes)
    {
        var values = new byte[100 * 100];
        foreach (var (x0, y0, bw, bh) in boxes)
            for (int y = y0; y < y0 + bh; y++)
                for (int x = x0; x < x0 + bw; x++)
                    values[y * 100 + x] = 1;
        return new ByteRaster(100, 100, values);
    }

    [Fact]
    public void Apply_RegionOf99Pixels_RemovedAndRegionOf100Kept()
    {
        // 9×11 = 99 pixels is just under 1 % of 10,000; 10×10 = 100 is exactly 1 % and stays.
        var result = ProposalPostProcessor.Apply(Mask((0, 0, 9, 11), (50, 50, 10, 10), (80, 0, 20, 30)));
        Assert.True(result.Kept);
        Assert.Equal(1, result.RemovedRegions);
        Assert.Equal(700, result.Mask!.Values.Count(v => v == 1));
        Assert.Equal(0, result.Mask.Values[0]);
        Assert.Equal(1, result.Mask.Values[55 * 100 + 55]);
        Assert.Equal(0.07, result.ForegroundFraction, 9);
    }

    [Fact]
    public void Apply_OnlySmallRegions_DroppedWithReason()
    {
        var result = ProposalPostProcessor.Apply(Mask((0, 0, 6, 10), (40, 40, 6, 10)));
        Assert.False(result.Kept);
        Assert.Equal(2, result.RemovedRegions);
        Assert.Equal(0.0, result.ForegroundFraction);
        Assert.Contains("removing 2 region(s)", result.DropReason);
    }

    [Fact]
    public void Apply_EmptyMap_DroppedAsNothingSalient()
    {
        var result = ProposalPostProcessor.Apply(new SaliencyMap(10, 10, new float[100]));
        Assert.False(result.Kept);
        Assert.Equal("no pixel above the saliency threshold", result.DropReason);
    }

    [Fact]
    public void Apply_MapAtThreshold_StrictlyAboveIsForeground()
    {
        // 0.5 itself is background (official: mask = saliency > 0.5); 0.51 is foreground.
        var values = new float[100 * 100];
        for (int i = 0; i < 5000; i++) values[i] = 0.51f;
        for (int i = 5000; i < 10000; i++) values[i] = 0.5f;
        var result = ProposalPostProcessor.Apply(new SaliencyMap(100, 100, values));
        Assert.Equal(0.5, result.ForegroundFraction, 9);
    }

    [Fact]
    public void Label_DiagonalChain_OneEightConnectedRegion()
    {
        // Pixels touching only at corners form one region (as cv2.findContours contours do): 100 pixels = 1 %, kept.
        var values = new byte[100 * 100];
        for (int i = 0; i < 100; i++) values[i * 100 + i] = 1;
        var (labels, areas) = ConnectedComponents.Label(new ByteRaster(100, 100, values));
        Assert.Equal([0, 100], areas);
        Assert.Equal(1, labels[99 * 100 + 99]);
        Assert.True(ProposalPostProcessor.Apply(new ByteRaster(100, 100, values)).Kept);
    }

    [Fact]
    public void Label_USHapeMergedLate_SingleLabel()
    {
        // A U shape: the two arms get different provisional labels and merge at the bottom row.
        var values = new byte[5 * 4];
        foreach (int i in new[] { 0, 4, 5, 9, 10, 14, 15, 16, 17, 18, 19 }) values[i] = 1;
        var (labels, areas) = ConnectedComponents.Label(new ByteRaster(5, 4, values));
        Assert.Equal([0, 11], areas);
        Assert.Equal(labels[0], labels[4]);
    }

    [Fact]
    public void SplitComponents_TwoRegions_LargestFirst()
    {
        var parts = ProposalPostProcessor.SplitComponents(Mask((0, 0, 10, 10), (50, 50, 20, 20)));
        Assert.Equal(2, parts.Count);
        Assert.Equal(400, parts[0].Values.Count(v => v == 1));
        Assert.Equal(100, parts[1].Values.Count(v => v == 1));
        Assert.Equal(1, parts[1].Values[0]);
    }
}
