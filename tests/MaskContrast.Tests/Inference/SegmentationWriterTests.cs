using System.Text.Json;
using MaskContrast.Core.Data;
using MaskContrast.Core.Inference;
using MaskContrast.Tests.Functions;

namespace MaskContrast.Tests.Inference;

/// <summary>The files written for every segmented image (blob drop, HTTP, CLI), with an untrained tiny bundle.</summary>
public sealed class SegmentationWriterTests
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);
    private static readonly Lazy<ModelBundle> s_bundle = new(() => ModelBundle.Load(new MemoryStream(FunctionsTestKit.TinyBundle()), "tiny"));

    [Fact]
    public void Process_Image_WritesLabelMapOverlayAndSummaryAtTheInputSize()
    {
        var writer = new SegmentationWriter(s_bundle.Value, modelName: "m@1");

        var (files, succeeded) = writer.Process("a.png", FunctionsTestKit.Png(33, 21), fingerprint: "0x8D1");

        Assert.True(succeeded);
        Assert.Equal(["a.png.json", "a.png.overlay.png", "a.png.png"], files.Keys.Order(StringComparer.Ordinal));
        var labels = IndexedPng.TryRead(files["a.png.png"], "labels")!;
        Assert.Equal((33, 21), (labels.Width, labels.Height));
        var overlay = ImageCodec.DecodeRgb(files["a.png.overlay.png"], "overlay");
        Assert.Equal((33, 21), (overlay.Width, overlay.Height));
        var summary = JsonSerializer.Deserialize<SegmentationSummary>(files["a.png.json"], s_json)!;
        Assert.Equal(("a.png", 33, 21, "m@1", "0x8D1"), (summary.Input, summary.Width, summary.Height, summary.Model, summary.Fingerprint));
        Assert.Equal(labels.Values.Distinct().Order().Select(v => (int)v), summary.Labels.Select(l => l.Label));
        Assert.Equal(1.0, summary.Labels.Sum(l => l.Fraction), 9);
    }

    [Theory]
    [InlineData(0, "undecodable")]   // not an image
    [InlineData(1, "too-large")]     // over the pixel limit
    public void Process_BadInput_ReturnsOnlyTheErrorRecord(int input, string kind)
    {
        var writer = new SegmentationWriter(s_bundle.Value, maxPixels: 100);
        var bytes = input == 0 ? "hello"u8.ToArray() : FunctionsTestKit.Png(11, 10);

        var (files, succeeded) = writer.Process("b.jpg", bytes, fingerprint: "0x8D2");

        Assert.False(succeeded);
        var error = JsonSerializer.Deserialize<SegmentationError>(Assert.Single(files, f => f.Key == "b.jpg.error.json").Value, s_json)!;
        Assert.Equal(("b.jpg", kind, "0x8D2"), (error.Input, error.Kind, error.Fingerprint));
    }

    [Fact]
    public void Overlay_BlendsLabelledPixelsWithTheirPaletteColourAndKeepsBackground()
    {
        var image = new RgbImage(2, 1, [100, 100, 100, 100, 100, 100]);

        var overlay = SegmentationWriter.Overlay(image, new ByteRaster(2, 1, [0, 1]));

        // Label 1 is VOC (128, 0, 0): (100 + 128) / 2, 100 / 2, 100 / 2.
        Assert.Equal(new byte[] { 100, 100, 100, 114, 50, 50 }, overlay.Rgb);
    }
}
