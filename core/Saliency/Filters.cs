namespace MaskContrast.Core.Saliency;

/// <summary>Median filtering and the minimum-barrier distance transform on single-channel planes.</summary>
internal static class Filters
{
    /// <summary>Allocating overload of <see cref="Median5(ReadOnlySpan{byte}, int, int, Span{byte})"/>.</summary>
    public static byte[] Median5(ReadOnlySpan<byte> src, int w, int h)
    {
        var dst = new byte[w * h];
        Median5(src, w, h, dst);
        return dst;
    }

    /// <summary>
    /// 5×5 median of an 8-bit plane with replicated borders (as OpenCV's medianBlur), by a sliding histogram
    /// (Huang 1979) that tracks the median incrementally: 10 histogram updates per pixel instead of a 25-value sort.
    /// </summary>
    public static void Median5(ReadOnlySpan<byte> src, int w, int h, Span<byte> dst)
    {
        const int Radius = 2, Rank = 12; // the 13th of 25 values
        Span<int> hist = stackalloc int[256];
        Span<int> rows = stackalloc int[2 * Radius + 1];
        for (int y = 0; y < h; y++)
        {
            hist.Clear();
            for (int dy = -Radius; dy <= Radius; dy++)
                rows[dy + Radius] = Math.Clamp(y + dy, 0, h - 1) * w;
            foreach (int row in rows)
                for (int dx = -Radius; dx <= Radius; dx++)
                    hist[src[row + Math.Clamp(dx, 0, w - 1)]]++;
            int median = 0, below = 0;
            while (below + hist[median] <= Rank)
                below += hist[median++];
            dst[y * w] = (byte)median;
            for (int x = 1; x < w; x++)
            {
                int removeCol = Math.Max(x - Radius - 1, 0), addCol = Math.Min(x + Radius, w - 1);
                foreach (int row in rows)
                {
                    int old = src[row + removeCol], add = src[row + addCol];
                    hist[old]--;
                    hist[add]++;
                    below += (add < median ? 1 : 0) - (old < median ? 1 : 0);
                }
                while (below > Rank)
                    below -= hist[--median];
                while (below + hist[median] <= Rank)
                    below += hist[median++];
                dst[y * w + x] = (byte)median;
            }
        }
    }

    /// <summary>Allocating overload of the minimum barrier transform (tests).</summary>
    public static void AddMinimumBarrier(ReadOnlySpan<byte> plane, int w, int h, int passes, Span<float> accumulate) =>
        AddMinimumBarrier(plane, w, h, passes, accumulate, new byte[w * h], new byte[w * h], new byte[w * h]);

    /// <summary>
    /// Approximate minimum barrier distance of every pixel to the image border (FastMBD, Zhang et al. ICCV 2015):
    /// the barrier of a path is max − min of the values along it; D is the smallest barrier over paths from the
    /// border. Raster scans alternate forward (left/up neighbours) and backward (right/down), keeping for each
    /// pixel the max (U) and min (L) of its current best path. Adds D to <paramref name="accumulate"/>;
    /// d, u and l are scratch planes of at least w·h. They are bytes because every barrier of an 8-bit plane is
    /// 0..255: three byte planes of 300×225 fit in L2 cache where three float planes do not.
    /// </summary>
    public static void AddMinimumBarrier(ReadOnlySpan<byte> plane, int w, int h, int passes, Span<float> accumulate,
        Span<byte> d, Span<byte> u, Span<byte> l)
    {
        int n = w * h;
        plane[..n].CopyTo(u);
        plane[..n].CopyTo(l);
        // 255 is "not reached yet": no barrier of an 8-bit plane exceeds it, and a pixel left at 255 has barrier 255.
        d[..n].Fill(255);
        d[..w].Clear();
        d.Slice((h - 1) * w, w).Clear();
        for (int y = 0; y < h; y++)
        {
            d[y * w] = 0;
            d[y * w + w - 1] = 0;
        }
        for (int pass = 0; pass < passes; pass++)
        {
            // Forward scans look at the left and upper neighbours, backward scans at the right and lower ones.
            int step = pass % 2 == 0 ? 1 : -1;
            for (int yy = 1; yy < h - 1; yy++)
            {
                int y = step > 0 ? yy : h - 1 - yy;
                int row = y * w, first = step > 0 ? row + 1 : row + w - 2, last = step > 0 ? row + w - 1 : row;
                int j1 = -step, j2 = -step * w;
                for (int i = first; i != last; i += step)
                {
                    int value = plane[i], best = d[i], hiBest = u[i], loBest = l[i];
                    int hi = Math.Max(u[i + j1], value), lo = Math.Min(l[i + j1], value);
                    if (hi - lo < best) { best = hi - lo; hiBest = hi; loBest = lo; }
                    hi = Math.Max(u[i + j2], value); lo = Math.Min(l[i + j2], value);
                    if (hi - lo < best) { best = hi - lo; hiBest = hi; loBest = lo; }
                    d[i] = (byte)best; u[i] = (byte)hiBest; l[i] = (byte)loBest;
                }
            }
        }
        for (int i = 0; i < n; i++)
            accumulate[i] += d[i];
    }
}
