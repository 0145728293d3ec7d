using MaskContrast.Core.Data;
using MaskContrast.Core.Evaluation;
using MaskContrast.Core.Inference;

namespace MaskContrast.Tests.Inference;

public sealed class OverlayLegendTests
{
    static RgbImage Grey(int w, int h) => new(w, h, Enumerable.Repeat((byte)120, w * h * 3).ToArray());

    [Fact]
    public void Append_SmallImage_GetsAWiderStripWithASwatchAndTheNameOrNumberOfEachClusterPresent()
    {
        var image = Grey(64, 64);
        SegmentArea[] areas = [new(0, 0.5, null), new(1, 0.25, null, "car"), new(3, 0.25, null)];

        var overlay = OverlayLegend.Append(image, areas);

        // Scale 2: "car" is 3 × 12 − 2 = 34 pixels after a 14-pixel swatch and a 6-pixel gap (54), "cluster 3" 106 + 20 = 126;
        // the strip is 126 + 2 × 6 margin = 138 wide, so the second entry wraps to a second line 22 pixels down (28),
        // and the strip ends a 16-pixel line and a 6-pixel margin later: 50 high.
        Assert.Equal((138, 64 + 50), (overlay.Width, overlay.Height));
        AssertLegend(overlay, image, areas, ["car", "cluster 3"]);
        Assert.Equal([(6, 6), (6, 28)], OverlayLegend.Layout(areas, 64).Items.Select(i => (i.X, i.Y)));
        Assert.Equal([255, 255, 255], overlay.Rgb[(3 * (10 * 138 + 100))..(3 * (10 * 138 + 100) + 3)]);   // padding right of the image
    }

    [Fact]
    public void Append_LongUnicodeName_IsDrawnCutWithAnEllipsis_AndNoClustersSaysSo()
    {
        var image = Grey(200, 50);
        SegmentArea[] named = [new(2, 1.0, null, "🚗 Très très longue voiture rouge")];
        SegmentArea[] empty = [new(0, 1.0, null)];

        var overlay = OverlayLegend.Append(image, named);
        var blank = OverlayLegend.Append(image, empty);

        AssertLegend(overlay, image, named, ["? Tres tres longue voit…"]);
        AssertLegend(blank, image, empty, [OverlayLegend.NoClusters]);
        Assert.Equal(200, blank.Width);
    }

    [Theory]
    [InlineData(64, 2)]
    [InlineData(799, 2)]
    [InlineData(1200, 3)]
    public void ScaleFor_KeepsTwelvePixelCharactersUpTo800PixelsThenGrows(int width, int scale)
        => Assert.Equal(scale, OverlayLegend.ScaleFor(width));

    /// <summary>
    /// Asserts that <paramref name="overlay"/> is <paramref name="tinted"/> (the overlay before its legend) above a legend
    /// that shows, in order, <paramref name="texts"/>, each after the exact label colour of its cluster: the text is read
    /// back from the pixels glyph by glyph.
    /// </summary>
    internal static void AssertLegend(RgbImage overlay, RgbImage tinted, IReadOnlyList<SegmentArea> areas, IReadOnlyList<string> texts)
    {
        var layout = OverlayLegend.Layout(areas, tinted.Width);
        Assert.Equal((layout.Width, tinted.Height + layout.Height), (overlay.Width, overlay.Height));
        Assert.True(overlay.Height > tinted.Height);
        for (int y = 0; y < tinted.Height; y++)
            Assert.True(overlay.Rgb.AsSpan(3 * y * overlay.Width, 3 * tinted.Width).SequenceEqual(tinted.Rgb.AsSpan(3 * y * tinted.Width, 3 * tinted.Width)), $"row {y}");
        Assert.Equal(texts, layout.Items.Select(i => i.Text));
        int s = layout.Scale;
        var colour = new byte[3];
        foreach (var item in layout.Items)
        {
            int x = item.X, y = tinted.Height + item.Y;
            if (item.Label > 0)
            {
                LabelColours.Write((byte)item.Label, colour, 0);
                Assert.Equal(colour, Pixel(overlay, x + 7 * s / 2, y + 7 * s / 2));
                x += 10 * s;
            }
            Assert.Equal(item.Text, Read(overlay, x, y, s, item.Text.Length));
        }
    }

    /// <summary>The <paramref name="length"/> characters drawn in black from (<paramref name="x"/>, <paramref name="y"/>):
    /// each glyph cell compared with every glyph of the font ('\0' where none matches).</summary>
    static string Read(RgbImage image, int x, int y, int scale, int length) => string.Concat(Enumerable.Range(0, length).Select(i =>
        PixelFont.Characters.FirstOrDefault(c => Enumerable.Range(0, PixelFont.GlyphWidth * PixelFont.CellHeight).All(p =>
        {
            int column = p % PixelFont.GlyphWidth, row = p / PixelFont.GlyphWidth;
            bool black = Pixel(image, x + (i * PixelFont.Advance + column) * scale, y + row * scale) is [0, 0, 0];
            return black == PixelFont.IsInk(c, column, row);
        }), '\0')));

    static byte[] Pixel(RgbImage image, int x, int y) => image.Rgb[(3 * (y * image.Width + x))..(3 * (y * image.Width + x) + 3)];
}
