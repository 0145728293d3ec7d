using MaskContrast.Core.Data;

namespace MaskContrast.Tests.Data;

public sealed class PixelFontTests
{
    [Fact]
    public void Font_DrawsEveryPrintableAsciiCharacterAndTheEllipsis_NoTwoAlike()
    {
        var ascii = Enumerable.Range(0x20, 0x7F - 0x20).Select(c => (char)c).Append(PixelFont.Ellipsis);
        Assert.Equal(ascii.Order(), PixelFont.Characters.Order());
        // A glyph typed twice by mistake would make two characters unreadable apart.
        var bitmaps = PixelFont.Characters.Select(Bitmap).ToList();
        Assert.Equal(bitmaps.Count, bitmaps.Distinct().Count());
    }

    [Theory]
    [InlineData("car 2", "car 2")]
    [InlineData("Café", "Cafe")]                 // accents dropped
    [InlineData("cafe\u0301", "cafe")]           // a combining accent is part of its letter
    [InlineData("🚗 car", "? car")]             // one emoji, one place
    [InlineData("汽车", "??")]
    [InlineData("a\u00a0b", "a b")]              // any space is a space
    public void Printable_MapsEachCharacterAReaderSeesToOneTheFontDraws(string text, string expected)
        => Assert.Equal(expected, PixelFont.Printable(text));

    // A fact, not a theory row: xunit's serialisation of theory data would replace the lone surrogate.
    [Fact]
    public void Printable_LoneSurrogate_NeitherThrowsNorTakesTwoPlaces()
        => Assert.Equal(("a?b", "?"), (PixelFont.Printable("a\ud800b"), PixelFont.Printable("\udc00")));

    [Theory]
    [InlineData("abcdef", 4, "abc…")]
    [InlineData("abcd", 4, "abcd")]
    public void Fit_CutsWithAnEllipsis(string text, int max, string expected) => Assert.Equal(expected, PixelFont.Fit(text, max));

    [Fact]
    public void Draw_PaintsEachInkPixelAsAScaleSquare_AndClipsAtTheCanvasEdge()
    {
        var canvas = new RgbImage(40, 20, new byte[40 * 20 * 3]);

        PixelFont.Draw(canvas, 1, 2, "I", 2, [9, 9, 9]);
        PixelFont.Draw(canvas, 36, 16, "W", 2, [7, 7, 7]);   // mostly outside

        // 'I' has 11 ink pixels: 3 + 5 × 1 + 3, each 2 × 2.
        Assert.Equal(44, Pixels(canvas).Count(p => p == 9));
        Assert.Equal(0, At(canvas, 1 + 2 * 0, 2 + 2 * 0));   // row 0 ".###.": column 0 blank,
        Assert.Equal(9, At(canvas, 1 + 2 * 1, 2 + 2 * 0));   // column 1 ink
        Assert.Equal(9, At(canvas, 1 + 2 * 2, 2 + 2 * 3));   // the stem: row 3, column 2
        // Of 'W' only glyph columns 0–1 and rows 0–1 fall on the canvas; "#...#" twice: 2 ink pixels of 2 × 2.
        Assert.Equal(8, Pixels(canvas).Count(p => p == 7));
    }

    static string Bitmap(char c) => string.Concat(Enumerable.Range(0, PixelFont.CellHeight * PixelFont.GlyphWidth)
        .Select(i => PixelFont.IsInk(c, i % PixelFont.GlyphWidth, i / PixelFont.GlyphWidth) ? '#' : '.'));

    static byte At(RgbImage image, int x, int y) => image.Rgb[3 * (y * image.Width + x)];

    static IEnumerable<byte> Pixels(RgbImage image) => Enumerable.Range(0, image.PixelCount).Select(p => image.Rgb[3 * p]);
}
