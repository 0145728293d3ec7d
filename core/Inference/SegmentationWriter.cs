using System.Text.Json;
using MaskContrast.Core.Config;
using MaskContrast.Core.Data;
using MaskContrast.Core.Evaluation;

namespace MaskContrast.Core.Inference;

/// <summary>The JSON written next to a segmentation.</summary>
/// <param name="Model">How the caller names the model (compared by the blob trigger to skip inputs already segmented by it).</param>
/// <param name="Fingerprint">What identifies the input's version (a blob ETag), when the caller knows it: lets a re-run skip it.</param>
/// <param name="Receipt">Which model made it, trained on what (<see cref="SegmentationReceipt"/>).</param>
public sealed record SegmentationSummary(string Input, int Width, int Height, IReadOnlyList<SegmentArea> Labels, double Milliseconds, string? Model,
    string? Fingerprint = null, SegmentationReceipt? Receipt = null);

/// <summary>The JSON written instead of the outputs when an input cannot be segmented.</summary>
public sealed record SegmentationError(string Input, string Error, string Kind, string? Fingerprint = null);

/// <summary>
/// Turns an encoded image into the three outputs of a segmentation, keyed by their file names in the input's output folder
/// (<see cref="SegmentationOutputs"/>): <c>labels.png</c> (8-bit single-channel label map at the input size, 0 = background),
/// <c>overlay.png</c> (the image with labels tinted in their colour, above an <see cref="OverlayLegend"/>) and <c>summary.json</c>; or <c>error.json</c> when the
/// input is not a decodable image within the pixel limit. Used by the CLI's <c>segment</c> command and the Functions app.
/// </summary>
/// <param name="bundle">The model.</param>
/// <param name="bundleSha256">SHA-256 of the bundle file the model was loaded from, for the receipt.</param>
/// <param name="maxPixels">Larger inputs are refused with an error record.</param>
/// <param name="modelName">How the caller names the model.</param>
public sealed class SegmentationWriter(ModelBundle bundle, string bundleSha256, long maxPixels = ImageCodec.DefaultMaxPixels, string? modelName = null)
{
    private readonly Segmenter _segmenter = new(bundle);
    private readonly SegmentationReceipt _receipt = SegmentationReceipt.For(bundle, bundleSha256, modelName);

    /// <summary>
    /// The output files (file name in the input's folder → bytes) for input <paramref name="name"/>; never throws for a bad
    /// image, returns the error record instead.
    /// </summary>
    public (IReadOnlyDictionary<string, byte[]> Files, bool Succeeded) Process(string name, byte[] encoded, string? fingerprint = null)
    {
        RgbImage image;
        try { image = ImageCodec.DecodeRgb(encoded, name, maxPixels); }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or NotSupportedException)
        {
            var error = new SegmentationError(name, e.Message, e.Message.Contains("over the limit", StringComparison.Ordinal) ? "too-large" : "undecodable", fingerprint);
            return (new Dictionary<string, byte[]> { [SegmentationOutputs.Error] = JsonSerializer.SerializeToUtf8Bytes(error, Presets.Json) }, false);
        }
        var result = _segmenter.Segment(image);
        var summary = new SegmentationSummary(name, image.Width, image.Height, result.Areas, result.Milliseconds, modelName, fingerprint, _receipt);
        return (new Dictionary<string, byte[]>
        {
            [SegmentationOutputs.LabelMap] = ImageCodec.EncodeGrayPng(result.Labels),
            [SegmentationOutputs.Overlay] = ImageCodec.EncodePng(OverlayLegend.Append(Overlay(image, result.Labels), result.Areas)),
            [SegmentationOutputs.Summary] = JsonSerializer.SerializeToUtf8Bytes(summary, Presets.Json),
        }, true);
    }

    /// <summary>The image with every labelled pixel blended half-and-half with its label colour; background unchanged.</summary>
    public static RgbImage Overlay(RgbImage image, ByteRaster labels)
    {
        var rgb = (byte[])image.Rgb.Clone();
        var colour = new byte[3];
        for (int p = 0; p < labels.PixelCount; p++)
        {
            byte label = labels.Values[p];
            if (label == 0) continue;
            LabelColours.Write(label, colour, 0);
            for (int c = 0; c < 3; c++) rgb[3 * p + c] = (byte)((rgb[3 * p + c] + colour[c]) / 2);
        }
        return image with { Rgb = rgb };
    }
}
