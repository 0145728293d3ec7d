namespace MaskContrast.Core.Saliency;

/// <summary>Median filtering and the minimum-barrier distance transform on single-channel planes.</summary>
internal static class Filters
{
    /// <summary>
    /// 5×5 median of an 8-bit plane with replicated borders (as OpenCV's medianBlur), by a sliding histogram
    /// (Huang 1979) that tracks the median incrementally: 10 histogram updates per pixel instead of a 25-value sort.
    /// </summary>
    public static byte[] Median5(ReadOnlySpan<byte> src, int w, int h)
    {
        const int Radius = 2, Rank = 12; // the 13th of 25 values
        var dst = new byte[w * h];
        Span<int> hist = stackalloc int[256];
        for (int y = 0; y < h; y++)
        {
            hist.Clear();
            for (int dy = -Radius; dy <= Radius; dy++)
            {
                int row = Math.Clamp(y + dy, 0, h - 1) * w;
                for (int dx = -Radius; dx <= Radius; dx++)
                    hist[src[row + Math.Clamp(dx, 0, w - 1)]]++;
            }
            int median = 0, below = 0;
            while (below + hist[median] <= Rank)
                below += hist[median++];
            dst[y * w] = (byte)median;
            for (int x = 1; x < w; x++)
            {
                int removeCol = Math.Max(x - Radius - 1, 0), addCol = Math.Min(x + Radius, w - 1);
                for (int dy = -Radius; dy <= Radius; dy++)
                {
                    int row = Math.Clamp(y + dy, 0, h - 1) * w;
                    int old = src[row + removeCol], add = src[row + addCol];
                    hist[old]--;
                    if (old < median) below--;
                    hist[add]++;
                    if (add < median) below++;
                }
                while (below > Rank)
                    below -= hist[--median];
                while (below + hist[median] <= Rank)
                    below += hist[median++];
                dst[y * w + x] = (byte)median;
            }
        }
        return dst;
    }

    /// <summary>
    /// Approximate minimum barrier distance of every pixel to the image border (FastMBD, Zhang et al. ICCV 2015):
    /// the barrier of a path is max − min of the values along it; D is the smallest barrier over paths from the
    /// border. Raster scans alternate forward (left/up neighbours) and backward (right/down), keeping for each
    /// pixel the max (U) and min (L) of its current best path. Adds D to <paramref name="accumulate"/>.
    /// </summary>
    public static void AddMinimumBarrier(ReadOnlySpan<byte> plane, int w, int h, int passes, Span<float> accumulate)
    {
        int n = w * h;
        var d = new float[n];
        var u = new float[n];
        var l = new float[n];
        for (int i = 0; i < n; i++)
        {
            u[i] = l[i] = plane[i];
            int x = i % w, y = i / w;
            d[i] = x == 0 || y == 0 || x == w - 1 || y == h - 1 ? 0f : float.MaxValue;
        }
        for (int pass = 0; pass < passes; pass++)
        {
            if (pass % 2 == 0)
            {
                for (int y = 1; y < h - 1; y++)
                    for (int x = 1; x < w - 1; x++)
                    {
                        int i = y * w + x;
                        Relax(i, i - 1, plane[i], d, u, l);
                        Relax(i, i - w, plane[i], d, u, l);
                    }
            }
            else
            {
                for (int y = h - 2; y >= 1; y--)
                    for (int x = w - 2; x >= 1; x--)
                    {
                        int i = y * w + x;
                        Relax(i, i + 1, plane[i], d, u, l);
                        Relax(i, i + w, plane[i], d, u, l);
                    }
            }
        }
        for (int i = 0; i < n; i++)
            accumulate[i] += d[i];
    }

    private static void Relax(int i, int j, float value, float[] d, float[] u, float[] l)
    {
        float hi = Math.Max(u[j], value), lo = Math.Min(l[j], value);
        float barrier = hi - lo;
        if (barrier < d[i])
        {
            d[i] = barrier;
            u[i] = hi;
            l[i] = lo;
        }
    }
}
