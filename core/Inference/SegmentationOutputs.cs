namespace MaskContrast.Core.Inference;

/// <summary>
/// Where the outputs of one segmented input go: a folder named after the input (its whole name, extension included)
/// holding files with fixed names. Two different inputs therefore never write, replace or delete each other's files:
/// with the earlier flat names, input <c>cat</c>'s error record and input <c>cat.error</c>'s summary were both
/// <c>cat.error.json</c>. The blob drop (<c>segment-output/&lt;input&gt;/…</c>) and the CLI's <c>segment</c>
/// (<c>--out/&lt;file name&gt;/…</c>) share this layout.
/// </summary>
public static class SegmentationOutputs
{
    /// <summary>The 8-bit single-channel label map at the input size, 0 = background.</summary>
    public const string LabelMap = "labels.png";

    /// <summary>The input with every labelled pixel tinted in its label colour, above a legend strip naming each cluster
    /// present (<see cref="OverlayLegend"/>): taller than the input, and wider when the legend needs it.</summary>
    public const string Overlay = "overlay.png";

    /// <summary>The <see cref="SegmentationSummary"/>; written last, it marks a complete set.</summary>
    public const string Summary = "summary.json";

    /// <summary>The <see cref="SegmentationError"/> written instead of the three outputs.</summary>
    public const string Error = "error.json";

    /// <summary>
    /// The path of output <paramref name="file"/> of input <paramref name="input"/>: <c>&lt;input&gt;/&lt;file&gt;</c>.
    /// Unambiguous because <paramref name="file"/> never contains '/': the part after the last '/' is the file, the
    /// part before it the input.
    /// </summary>
    public static string PathOf(string input, string file) => input + "/" + file;
}
