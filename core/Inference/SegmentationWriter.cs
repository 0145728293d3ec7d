using System.Runtime.InteropServices;
using System.Text.Json;
using MaskContrast.Core.Data;
using SkiaSharp;

namespace MaskContrast.Core.Inference;

/// <summary>Where a segmented image came from and which model segmented it; recorded in the JSON summary.</summary>
/// <param name="Name">The input's name (a file or blob name).</param>
/// <param name="Fingerprint">What identifies this version of the input (a blob ETag, a SHA-256); a re-run compares it.</param>
/// <param name="Model">The model bundle's identity (e.g. its SHA-256), or null.</param>
public sealed record SegmentationSource(string Name, string? Fingerprint, string? Model);

/// <summary>The JSON summary written next to a label map (<c>&lt;name&gt;.json</c>).</summary>
public sealed record SegmentationSummary(
    string Source, string? Fingerprint, string? Model, int Width, int Height,
    IReadOnlyList<SegmentArea> Labels, double Milliseconds, DateTime WrittenUtc);

/// <summary>The three outputs of one segmented image, encoded.</summary>
/// <param name="LabelMap">8-bit grayscale PNG at the input size: 0 = background, k = object cluster k.</param>
/// <param name="Overlay">RGBA PNG at the input size: label k in palette colour k, half opaque; label 0 fully transparent.</param>
/// <param name="Summary">The <see cref="SegmentationSummary"/> as indented camelCase JSON.</param>
public sealed record SegmentationFiles(byte[] LabelMap, byte[] Overlay, byte[] Summary);

/// <summary>
/// Turns a <see cref="Segmentation"/> into the files the product writes for every segmented image (the
/// <c>segment-input</c> blob trigger, <c>POST /api/segment</c> and the CLI's <c>segment</c> command):
/// <c>&lt;name&gt;.png</c>, <c>&lt;name&gt;.overlay.png</c> and <c>&lt;name&gt;.json</c>.
/// </summary>
public static class SegmentationWriter
{
    /// <summary>Opacity of a labelled overlay pixel: the input stays visible under it.</summary>
    public const byte OverlayAlpha = 160;

    /// <summary>JSON options of the summary (camelCase, indented).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The label map's file name for input <paramref name="name"/>.</summary>
    public static string LabelMapName(string name) => name + ".png";

    /// <summary>The overlay's file name for input <paramref name="name"/>.</summary>
    public static string OverlayName(string name) => name + ".overlay.png";

    /// <summary>The summary's file name for input <paramref name="name"/>.</summary>
    public static string SummaryName(string name) => name + ".json";

    /// <summary>The error record's file name for input <paramref name="name"/> (written instead when it cannot be segmented).</summary>
    public static string ErrorName(string name) => name + ".error.json";

    /// <summary>Encodes the three outputs of <paramref name="segmentation"/>.</summary>
    public static SegmentationFiles Render(Segmentation segmentation, SegmentationSource source, DateTime writtenUtc)
    {
        ArgumentNullException.ThrowIfNull(segmentation);
        ArgumentNullException.ThrowIfNull(source);
        var labels = segmentation.Labels;
        var summary = new SegmentationSummary(source.Name, source.Fingerprint, source.Model, labels.Width, labels.Height,
            segmentation.Areas, Math.Round(segmentation.Milliseconds, 1), writtenUtc);
        return new SegmentationFiles(ImageCodec.EncodeGrayPng(labels), EncodeOverlay(labels),
            JsonSerializer.SerializeToUtf8Bytes(summary, Json));
    }

    /// <summary>Reads a summary written by <see cref="Render"/>; null when the bytes are not one.</summary>
    public static SegmentationSummary? TryReadSummary(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize<SegmentationSummary>(json, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Colour of label <paramref name="label"/>: the PASCAL VOC palette, so cluster k looks like class k.</summary>
    public static (byte R, byte G, byte B) ColourOf(byte label)
        => (VocPalette.Rgb[3 * label], VocPalette.Rgb[3 * label + 1], VocPalette.Rgb[3 * label + 2]);

    private static byte[] EncodeOverlay(ByteRaster labels)
    {
        // Unpremultiplied RGBA: label 0 stays (0, 0, 0, 0).
        var rgba = new byte[labels.PixelCount * 4];
        for (int i = 0; i < labels.PixelCount; i++)
        {
            byte label = labels.Values[i];
            if (label == 0)
                continue;
            var (r, g, b) = ColourOf(label);
            rgba[4 * i] = r;
            rgba[4 * i + 1] = g;
            rgba[4 * i + 2] = b;
            rgba[4 * i + 3] = OverlayAlpha;
        }
        var info = new SKImageInfo(labels.Width, labels.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var handle = GCHandle.Alloc(rgba, GCHandleType.Pinned);
        try
        {
            using var pixmap = new SKPixmap(info, handle.AddrOfPinnedObject(), info.RowBytes);
            using var data = pixmap.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, 6))
                ?? throw new InvalidOperationException("SkiaSharp failed to encode the overlay PNG");
            return data.ToArray();
        }
        finally
        {
            handle.Free();
        }
    }
}
