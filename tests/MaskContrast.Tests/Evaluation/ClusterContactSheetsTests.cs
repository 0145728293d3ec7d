using MaskContrast.Core.Data;
using MaskContrast.Core.Evaluation;

namespace MaskContrast.Tests.Evaluation;

public class ClusterContactSheetsTests
{
    /// <summary>A 20 × 20 image whose pixel (x, y) has red x·10, green y·10; a 4 × 4 segment at x, y ∈ 8..11.</summary>
    static (RgbImage Image, ByteRaster Mask) Scene()
    {
        var rgb = new byte[20 * 20 * 3];
        var mask = new byte[20 * 20];
        for (int y = 0; y < 20; y++)
            for (int x = 0; x < 20; x++)
            {
                rgb[(y * 20 + x) * 3] = (byte)(x * 10);
                rgb[(y * 20 + x) * 3 + 1] = (byte)(y * 10);
                if (x is >= 8 and <= 11 && y is >= 8 and <= 11) mask[y * 20 + x] = 1;
            }
        return (new RgbImage(20, 20, rgb), new ByteRaster(20, 20, mask));
    }

    [Fact]
    public void Tile_CropsTheSegmentWithAMargin_AndOutlinesItInTheLabelColour()
    {
        var (image, mask) = Scene();
        // Box 4 × 4 → side ⌈4 · 1.5⌉ = 6 around centre (9, 9): source x, y = 6..11, one source pixel per tile pixel at size 6.
        var tile = ClusterContactSheets.Tile(image, mask, label: 1, size: 6);

        Assert.Equal((6, 6), (tile.Width, tile.Height));
        byte[] Pixel(int x, int y) => tile.Rgb.AsSpan((y * 6 + x) * 3, 3).ToArray();
        Assert.Equal(new byte[] { 60, 60, 0 }, Pixel(0, 0));                           // source (6, 6): outside the segment, the image
        Assert.Equal(VocPalette.Rgb[3..6], Pixel(2, 2));                             // source (8, 8): the segment's corner, outlined
        Assert.Equal(VocPalette.Rgb[3..6], Pixel(5, 3));                             // source (11, 9): its right edge
        Assert.Equal(new byte[] { 90, 90, 0 }, Pixel(3, 3));                           // source (9, 9): inside, the image
    }

    [Fact]
    public void Tile_NearTheImageEdge_IsBlackOutsideTheImage()
    {
        var (image, _) = Scene();
        var corner = new byte[20 * 20];
        corner[0] = 1;                                                                // one pixel at (0, 0)
        var tile = ClusterContactSheets.Tile(image, new ByteRaster(20, 20, corner), label: 2, size: 3);
        // Side ⌈1 · 1.5⌉ = 2 from (−1, −1): tile pixel (0, 0) reads source (−1, −1), outside.
        Assert.Equal(new byte[] { 0, 0, 0 }, tile.Rgb[0..3]);
    }

    [Fact]
    public void FileName_IsNumberedByLabel() => Assert.Equal("cluster-07.png", ClusterContactSheets.FileName(7));
}
