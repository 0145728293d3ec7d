using MaskContrast.Core.Data;
using MaskContrast.Core.Evaluation;

namespace MaskContrast.Core.Inference;

/// <summary>One legend entry: the swatch of cluster <paramref name="Label"/> at (<paramref name="X"/>, <paramref name="Y"/>)
/// of the legend strip, then <paramref name="Text"/>. Label 0 is the "no clusters" line, which has no swatch.</summary>
public sealed record LegendItem(int Label, string Text, int X, int Y);

/// <summary>Where a legend strip draws its entries: <paramref name="Width"/> × <paramref name="Height"/> pixels, each font
/// pixel a <paramref name="Scale"/>² square.</summary>
public sealed record LegendLayout(int Width, int Height, int Scale, IReadOnlyList<LegendItem> Items);

/// <summary>
/// The legend strip under an overlay: for each cluster present in the image, a swatch of its label colour and its name,
/// or "cluster N" when it has none, in <see cref="PixelFont"/>. Entries run left to right and wrap; a strip wider than
/// the image (a long name under a small image) widens the overlay, the image padded on its right.
/// </summary>
public static class OverlayLegend
{
    /// <summary>Most characters drawn of a name (names may have up to <see cref="ModelBundle.MaxNameLength"/>); a longer
    /// one ends in '…'. The summary JSON keeps the whole name.</summary>
    public const int MaxNameChars = 24;
    /// <summary>The entry of an image in which no cluster was found.</summary>
    public const string NoClusters = "no clusters";

    // In font pixels: the strip's margin, the swatch's side (the capitals' height), swatch-to-text gap, space between
    // entries, and the height of a line of entries.
    const int Margin = 3, Swatch = PixelFont.CellHeight - 1, Gap = 3, Spacing = 8, Line = PixelFont.CellHeight + 3;
    static readonly byte[] s_ink = [0, 0, 0];

    /// <summary>Font pixel size for an image <paramref name="imageWidth"/> wide: 2 (12-pixel-wide characters) up to
    /// 800 pixels, then growing with the width so that text stays legible on a large image scaled down to a screen.</summary>
    public static int ScaleFor(int imageWidth) => Math.Max(2, imageWidth / 400);

    /// <summary>What the legend says for <paramref name="area"/>: its name as the font draws it, cut to
    /// <see cref="MaxNameChars"/>, or "cluster N".</summary>
    public static string TextOf(SegmentArea area) =>
        area.Name is { Length: > 0 } name ? PixelFont.Fit(PixelFont.Printable(name), MaxNameChars) : $"cluster {area.Label}";

    /// <summary>The legend of the clusters among <paramref name="areas"/> (background left out) under an image
    /// <paramref name="imageWidth"/> wide.</summary>
    public static LegendLayout Layout(IReadOnlyList<SegmentArea> areas, int imageWidth)
    {
        int s = ScaleFor(imageWidth);
        var entries = areas.Where(a => a.Label > 0).OrderBy(a => a.Label).Select(a => (a.Label, Text: TextOf(a))).ToList();
        if (entries.Count == 0) entries.Add((0, NoClusters));
        int EntryWidth((int Label, string Text) e) => (e.Label > 0 ? (Swatch + Gap) * s : 0) + PixelFont.Width(e.Text, s);
        int width = Math.Max(imageWidth, entries.Max(EntryWidth) + 2 * Margin * s);
        var items = new List<LegendItem>(entries.Count);
        int x = Margin * s, y = Margin * s;
        foreach (var entry in entries)
        {
            int entryWidth = EntryWidth(entry);
            if (x > Margin * s && x + entryWidth > width - Margin * s) (x, y) = (Margin * s, y + Line * s);
            items.Add(new LegendItem(entry.Label, entry.Text, x, y));
            x += entryWidth + Spacing * s;
        }
        return new LegendLayout(width, y + (PixelFont.CellHeight + Margin) * s, s, items);
    }

    /// <summary><paramref name="overlay"/> with the legend of <paramref name="areas"/> below it (white paper, black text).</summary>
    public static RgbImage Append(RgbImage overlay, IReadOnlyList<SegmentArea> areas)
    {
        var layout = Layout(areas, overlay.Width);
        var canvas = new RgbImage(layout.Width, overlay.Height + layout.Height, new byte[layout.Width * (overlay.Height + layout.Height) * 3]);
        Array.Fill(canvas.Rgb, (byte)255);   // white paper
        for (int y = 0; y < overlay.Height; y++)
            Array.Copy(overlay.Rgb, y * overlay.Width * 3, canvas.Rgb, y * layout.Width * 3, overlay.Width * 3);
        int s = layout.Scale;
        var colour = new byte[3];
        foreach (var item in layout.Items)
        {
            int x = item.X, y = overlay.Height + item.Y;
            if (item.Label > 0)
            {
                // A one-pixel black rim keeps pale label colours visible on the white strip.
                LabelColours.Write((byte)item.Label, colour, 0);
                PixelFont.Fill(canvas, x, y, Swatch * s, Swatch * s, s_ink);
                PixelFont.Fill(canvas, x + 1, y + 1, Swatch * s - 2, Swatch * s - 2, colour);
                x += (Swatch + Gap) * s;
            }
            PixelFont.Draw(canvas, x, y, item.Text, s, s_ink);
        }
        return canvas;
    }
}
