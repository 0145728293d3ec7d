using SkiaSharp;

namespace MaskContrast.Core.Data;

/// <summary>Applies an EXIF orientation (as reported by <see cref="SKCodec.EncodedOrigin"/>) to decoded pixels.</summary>
internal static class Orientation
{
    /// <summary>True for the four orientations that display the stored image transposed (EXIF 5–8).</summary>
    public static bool SwapsAxes(SKEncodedOrigin origin) =>
        origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;

    /// <summary>Returns the image as it should be displayed; the input is returned unchanged for TopLeft.</summary>
    public static RgbImage Apply(RgbImage stored, SKEncodedOrigin origin)
    {
        if (origin is SKEncodedOrigin.TopLeft)
            return stored;
        int w = stored.Width, h = stored.Height;
        bool swap = SwapsAxes(origin);
        int outW = swap ? h : w, outH = swap ? w : h;
        var output = new byte[stored.Rgb.Length];
        for (int y = 0; y < outH; y++)
        {
            for (int x = 0; x < outW; x++)
            {
                // (sx, sy): the stored pixel shown at display position (x, y).
                var (sx, sy) = origin switch
                {
                    SKEncodedOrigin.TopRight => (w - 1 - x, y),          // EXIF 2: mirrored horizontally
                    SKEncodedOrigin.BottomRight => (w - 1 - x, h - 1 - y), // EXIF 3: rotated 180°
                    SKEncodedOrigin.BottomLeft => (x, h - 1 - y),        // EXIF 4: mirrored vertically
                    SKEncodedOrigin.LeftTop => (y, x),                   // EXIF 5: transposed
                    SKEncodedOrigin.RightTop => (y, h - 1 - x),          // EXIF 6: display = stored rotated 90° clockwise
                    SKEncodedOrigin.RightBottom => (w - 1 - y, h - 1 - x), // EXIF 7: transverse
                    SKEncodedOrigin.LeftBottom => (w - 1 - y, x),        // EXIF 8: display = stored rotated 90° anticlockwise
                    _ => (x, y),
                };
                int s = 3 * (sy * w + sx), d = 3 * (y * outW + x);
                output[d] = stored.Rgb[s];
                output[d + 1] = stored.Rgb[s + 1];
                output[d + 2] = stored.Rgb[s + 2];
            }
        }
        return new RgbImage(outW, outH, output);
    }
}
