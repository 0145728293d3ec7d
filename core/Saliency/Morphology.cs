namespace MaskContrast.Core.Saliency;

/// <summary>Grey-level morphology on float maps: square erosion/dilation and reconstruction (8-connected).</summary>
internal static class Morphology
{
    /// <summary>Erosion (min) or dilation (max) with a k×k square, separable, O(1) per pixel (van Herk / Gil-Werman).</summary>
    public static float[] Square(float[] src, int w, int h, int k, bool dilate)
    {
        var tmp = new float[w * h];
        var dst = new float[w * h];
        int longest = Math.Max(w, h);
        var line = new float[longest];
        var result = new float[longest];
        var scratch = new Scratch(longest, k);
        for (int y = 0; y < h; y++)
            MinMax1D(src.AsSpan(y * w, w), tmp.AsSpan(y * w, w), k, dilate, scratch);
        for (int x = 0; x < w; x++)
        {
            for (int y = 0; y < h; y++) line[y] = tmp[y * w + x];
            MinMax1D(line.AsSpan(0, h), result.AsSpan(0, h), k, dilate, scratch);
            for (int y = 0; y < h; y++) dst[y * w + x] = result[y];
        }
        return dst;
    }

    private sealed class Scratch(int longest, int k)
    {
        public readonly float[] Padded = new float[longest + 2 * k];
        public readonly float[] Prefix = new float[longest + 2 * k];
        public readonly float[] Suffix = new float[longest + 2 * k];
    }

    /// <summary>Window [i − k/2, i − k/2 + k − 1] clipped to the line (outside values never win).</summary>
    private static void MinMax1D(ReadOnlySpan<float> src, Span<float> dst, int k, bool max, Scratch s)
    {
        int n = src.Length, r = k / 2;
        int m = (n + k - 1 + k - 1) / k * k; // padded length, a multiple of k
        float neutral = max ? float.MinValue : float.MaxValue;
        for (int t = 0; t < m; t++)
        {
            int i = t - r;
            s.Padded[t] = i >= 0 && i < n ? src[i] : neutral;
        }
        for (int b = 0; b < m; b += k)
        {
            s.Prefix[b] = s.Padded[b];
            for (int t = b + 1; t < b + k; t++)
                s.Prefix[t] = max ? Math.Max(s.Prefix[t - 1], s.Padded[t]) : Math.Min(s.Prefix[t - 1], s.Padded[t]);
            s.Suffix[b + k - 1] = s.Padded[b + k - 1];
            for (int t = b + k - 2; t >= b; t--)
                s.Suffix[t] = max ? Math.Max(s.Suffix[t + 1], s.Padded[t]) : Math.Min(s.Suffix[t + 1], s.Padded[t]);
        }
        for (int i = 0; i < n; i++)
            dst[i] = max ? Math.Max(s.Suffix[i], s.Prefix[i + k - 1]) : Math.Min(s.Suffix[i], s.Prefix[i + k - 1]);
    }

    /// <summary>
    /// Reconstruction by dilation of <paramref name="marker"/> (≤ mask) under <paramref name="mask"/>, in place on the
    /// marker: Vincent's hybrid algorithm (IEEE TIP 1993) — one forward and one backward raster pass, then a FIFO
    /// propagation from the pixels that can still grow.
    /// </summary>
    public static void ReconstructByDilation(float[] marker, float[] mask, int w, int h)
    {
        for (int i = 0; i < marker.Length; i++)
            marker[i] = Math.Min(marker[i], mask[i]);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                float v = marker[i];
                if (x > 0) v = Math.Max(v, marker[i - 1]);
                if (y > 0)
                {
                    v = Math.Max(v, marker[i - w]);
                    if (x > 0) v = Math.Max(v, marker[i - w - 1]);
                    if (x < w - 1) v = Math.Max(v, marker[i - w + 1]);
                }
                marker[i] = Math.Min(v, mask[i]);
            }
        var queue = new Queue<int>();
        for (int y = h - 1; y >= 0; y--)
            for (int x = w - 1; x >= 0; x--)
            {
                int i = y * w + x;
                float v = marker[i];
                if (x < w - 1) v = Math.Max(v, marker[i + 1]);
                if (y < h - 1)
                {
                    v = Math.Max(v, marker[i + w]);
                    if (x < w - 1) v = Math.Max(v, marker[i + w + 1]);
                    if (x > 0) v = Math.Max(v, marker[i + w - 1]);
                }
                v = Math.Min(v, mask[i]);
                marker[i] = v;
                // A backward neighbour below v that may still rise means p must propagate.
                if ((x < w - 1 && CanRise(i + 1)) || (y < h - 1 && (CanRise(i + w) || (x < w - 1 && CanRise(i + w + 1)) || (x > 0 && CanRise(i + w - 1)))))
                    queue.Enqueue(i);

                bool CanRise(int q) => marker[q] < v && marker[q] < mask[q];
            }
        while (queue.Count > 0)
        {
            int p = queue.Dequeue();
            int px = p % w, py = p / w;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++)
                {
                    int qx = px + dx, qy = py + dy;
                    if ((dx == 0 && dy == 0) || qx < 0 || qy < 0 || qx >= w || qy >= h) continue;
                    int q = qy * w + qx;
                    if (marker[q] < marker[p] && marker[q] != mask[q])
                    {
                        marker[q] = Math.Min(marker[p], mask[q]);
                        queue.Enqueue(q);
                    }
                }
        }
    }

    /// <summary>Opening by reconstruction then closing by reconstruction with a k×k square (MB+ smoothing step).</summary>
    public static float[] OpenCloseByReconstruction(float[] s, int w, int h, int k)
    {
        var opened = Square(s, w, h, k, dilate: false);
        ReconstructByDilation(opened, s, w, h);
        // Closing by reconstruction = complement of the opening by reconstruction of the complement.
        var closedMarker = Square(opened, w, h, k, dilate: true);
        var negMarker = new float[closedMarker.Length];
        var negMask = new float[closedMarker.Length];
        for (int i = 0; i < negMarker.Length; i++)
        {
            negMarker[i] = -closedMarker[i];
            negMask[i] = -opened[i];
        }
        ReconstructByDilation(negMarker, negMask, w, h);
        for (int i = 0; i < negMarker.Length; i++)
            negMarker[i] = -negMarker[i];
        return negMarker;
    }
}
