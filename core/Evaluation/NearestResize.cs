using MaskContrast.Core.Data;

namespace MaskContrast.Core.Evaluation;

/// <summary>
/// Nearest-neighbour resize of label maps, pixel-for-pixel the same as OpenCV's <c>cv2.resize(..., INTER_NEAREST)</c>,
/// which the official "offline" evaluation uses to bring 512×512 predictions back to the original image size.
/// </summary>
public static class NearestResize
{
    /// <summary>Resizes <paramref name="source"/> to <paramref name="width"/> × <paramref name="height"/>; labels are copied, never blended.</summary>
    public static ByteRaster Resize(ByteRaster source, int width, int height)
    {
        if (width < 1 || height < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"{width}x{height}", "target size must be at least 1x1");
        }

        if (width == source.Width && height == source.Height)
        {
            return source with { Values = (byte[])source.Values.Clone() };
        }

        int[] columns = SourceIndices(source.Width, width);
        int[] rows = SourceIndices(source.Height, height);
        var values = new byte[width * height];
        for (int y = 0; y < height; y++)
        {
            int sourceRow = rows[y] * source.Width;
            for (int x = 0; x < width; x++)
            {
                values[y * width + x] = source.Values[sourceRow + columns[x]];
            }
        }

        return new ByteRaster(width, height, values);
    }

    // OpenCV computes the inverse scale as 1 / (dst / src) in double precision and floors x · scale; doing the same
    // arithmetic (rather than x · src / dst in integers) reproduces its choice in the rare cases where they differ.
    private static int[] SourceIndices(int sourceSize, int targetSize)
    {
        double scale = 1.0 / ((double)targetSize / sourceSize);
        var indices = new int[targetSize];
        for (int i = 0; i < targetSize; i++)
        {
            indices[i] = Math.Min((int)Math.Floor(i * scale), sourceSize - 1);
        }

        return indices;
    }
}
