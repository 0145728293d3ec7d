using MaskContrast.Core.Data;
using MaskContrast.Core.Inference;
using SkiaSharp;

namespace MaskContrast.Tests.Inference;

/// <summary>The three files written for every segmented image (blob drop, HTTP, CLI).</summary>
public sealed class SegmentationWriterTests
{
    // 3×2 map: background, cluster 1, cluster 2 / cluster 2, background, background.
    private static readonly Segmentation s_segmentation = new(new ByteRaster(3, 2, [0, 1, 2, 2, 0, 0]),
        [new SegmentArea(0, 0.5, null), new SegmentArea(1, 1 / 6.0, null), new SegmentArea(2, 2 / 6.0, "cat")], 12.345);

    [Fact]
    public void Render_LabelMap_IsAGrayPngWithTheLabelsAsValues()
    {
        var files = SegmentationWriter.Render(s_segmentation, new SegmentationSource("a.jpg", "0x8D", "abc"), DateTime.UnixEpoch);

        var labels = IndexedPng.TryRead(files.LabelMap, "labels")!;
        Assert.Equal((3, 2), (labels.Width, labels.Height));
        Assert.Equal(new byte[] { 0, 1, 2, 2, 0, 0 }, labels.Values);
    }

    [Fact]
    public void Render_Overlay_IsTransparentOnBackgroundAndPaletteColouredOnClusters()
    {
        var files = SegmentationWriter.Render(s_segmentation, new SegmentationSource("a.jpg", null, null), DateTime.UnixEpoch);

        using var overlay = SKBitmap.Decode(files.Overlay);
        Assert.Equal((3, 2), (overlay.Width, overlay.Height));
        Assert.Equal(0, overlay.GetPixel(0, 0).Alpha);
        Assert.Equal(0, overlay.GetPixel(1, 1).Alpha);
        // VOC palette: 1 = (128, 0, 0), 2 = (0, 128, 0); half opaque so the input shows through.
        Assert.Equal(((byte)128, (byte)0, (byte)0, SegmentationWriter.OverlayAlpha), Rgba(overlay.GetPixel(1, 0)));
        Assert.Equal(((byte)0, (byte)128, (byte)0, SegmentationWriter.OverlayAlpha), Rgba(overlay.GetPixel(0, 1)));
    }

    [Fact]
    public void Render_Summary_RoundTripsWithSourceModelAreasAndTiming()
    {
        var files = SegmentationWriter.Render(s_segmentation, new SegmentationSource("in/a.jpg", "0x8D", "abc"), DateTime.UnixEpoch);

        var summary = SegmentationWriter.TryReadSummary(files.Summary)!;
        Assert.Equal(("in/a.jpg", "0x8D", "abc", 3, 2, 12.3), (summary.Source, summary.Fingerprint, summary.Model, summary.Width, summary.Height, summary.Milliseconds));
        Assert.Equal([0, 1, 2], summary.Labels.Select(l => l.Label));
        Assert.Equal("cat", summary.Labels[2].ClassName);
        Assert.Null(SegmentationWriter.TryReadSummary("not json"u8));
        Assert.Equal(("x.png.png", "x.png.overlay.png", "x.png.json", "x.png.error.json"),
            (SegmentationWriter.LabelMapName("x.png"), SegmentationWriter.OverlayName("x.png"), SegmentationWriter.SummaryName("x.png"), SegmentationWriter.ErrorName("x.png")));
    }

    private static (byte, byte, byte, byte) Rgba(SKColor c) => (c.Red, c.Green, c.Blue, c.Alpha);
}
