using System.Text.Json;
using MaskContrast.Core.Inference;
using MaskContrast.Tests.Functions;

namespace MaskContrast.Tests.Inference;

/// <summary>The optional fingerprint (the blob trigger passes the input's ETag) in the summary and in the error record.</summary>
public sealed class SegmentationFingerprintTests
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    [Fact]
    public void Process_WithFingerprint_RecordsItAndTheModelInTheSummary()
    {
        using var bundle = SegmentationWriterTests.TinyBundle();

        var (files, succeeded) = new SegmentationWriter(bundle, "ab12", modelName: "m@1").Process("a.png", FunctionsTestKit.Png(33, 21), fingerprint: "0x8D1");

        Assert.True(succeeded);
        var summary = JsonSerializer.Deserialize<SegmentationSummary>(files[SegmentationOutputs.Summary], s_json)!;
        Assert.Equal(("a.png", 33, 21, "m@1", "0x8D1"), (summary.Input, summary.Width, summary.Height, summary.Model, summary.Fingerprint));
    }

    [Theory]
    [InlineData(0, "undecodable")]   // not an image
    [InlineData(1, "too-large")]     // over the pixel limit
    public void Process_BadInputWithFingerprint_RecordsItInTheErrorRecord(int input, string kind)
    {
        using var bundle = SegmentationWriterTests.TinyBundle();
        var bytes = input == 0 ? "hello"u8.ToArray() : FunctionsTestKit.Png(11, 10);

        var (files, succeeded) = new SegmentationWriter(bundle, "ab12", maxPixels: 100).Process("b.jpg", bytes, fingerprint: "0x8D2");

        Assert.False(succeeded);
        var error = JsonSerializer.Deserialize<SegmentationError>(Assert.Single(files).Value, s_json)!;
        Assert.Equal(("b.jpg", kind, "0x8D2"), (error.Input, error.Kind, error.Fingerprint));
    }
}
