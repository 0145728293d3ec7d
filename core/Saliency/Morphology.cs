namespace MaskContrast.Core.Saliency;

/// <summary>Grey-level morphology on float maps: square erosion/dilation and reconstruction (8-connected).</summary>
internal static class Morphology
{
    /// <summary>Allocating overload of <see cref="Square(ReadOnlySpan{float}, Span{float}, int, int, int, bool, Span{float})"/>.</summary>
    public static float[] Square(float[] src, int w, int h, int k, bool dilate)
    {
        var dst = new float[w * h];
        Square(src, dst, w, h, k, dilate, new float[w * h]);
        return dst;
    }

    /// <summary>
    /// Erosion (min) or dilation (max) with a k×k square centred on the pixel (outside pixels ignored), separable,
    /// O(1) per pixel whatever k (van Herk / Gil-Werman). <paramref name="tmp"/> is a scratch plane of w·h.
    /// </summary>
    public static void Square(ReadOnlySpan<float> src, Span<float> dst, int w, int h, int k, bool dilate, Span<float> tmp)
    {
        int longest = Math.Max(w, h);
        var scratch = new float[3 * (longest + 2 * k) + 2 * longest];
        var line = scratch.AsSpan(3 * (longest + 2 * k), longest);
        var result = scratch.AsSpan(3 * (longest + 2 * k) + longest, longest);
        for (int y = 0; y < h; y++)
            MinMax1D(src.Slice(y * w, w), tmp.Slice(y * w, w), k, dilate, scratch, longest);
        for (int x = 0; x < w; x++)
        {
            for (int y = 0; y < h; y++) line[y] = tmp[y * w + x];
            MinMax1D(line[..h], result[..h], k, dilate, scratch, longest);
            for (int y = 0; y < h; y++) dst[y * w + x] = result[y];
        }
    }

    /// <summary>Window [i − k/2, i − k/2 + k − 1] clipped to the line (outside values never win).</summary>
    private static void MinMax1D(ReadOnlySpan<float> src, Span<float> dst, int k, bool max, float[] scratch, int longest)
    {
        int size = longest + 2 * k;
        var padded = scratch.AsSpan(0, size);
        var prefix = scratch.AsSpan(size, size);
        var suffix = scratch.AsSpan(2 * size, size);
        int n = src.Length, r = k / 2;
        int m = (n + 2 * k - 2) / k * k; // padded length: covers n + k − 1, a multiple of k
        float neutral = max ? float.MinValue : float.MaxValue;
        padded[..m].Fill(neutral);
        src.CopyTo(padded.Slice(r, n));
        for (int b = 0; b < m; b += k)
        {
            prefix[b] = padded[b];
            suffix[b + k - 1] = padded[b + k - 1];
            if (max)
            {
                for (int t = b + 1; t < b + k; t++) prefix[t] = Math.Max(prefix[t - 1], padded[t]);
                for (int t = b + k - 2; t >= b; t--) suffix[t] = Math.Max(suffix[t + 1], padded[t]);
            }
            else
            {
                for (int t = b + 1; t < b + k; t++) prefix[t] = Math.Min(prefix[t - 1], padded[t]);
                for (int t = b + k - 2; t >= b; t--) suffix[t] = Math.Min(suffix[t + 1], padded[t]);
            }
        }
        if (max)
            for (int i = 0; i < n; i++) dst[i] = Math.Max(suffix[i], prefix[i + k - 1]);
        else
            for (int i = 0; i < n; i++) dst[i] = Math.Min(suffix[i], prefix[i + k - 1]);
    }

    /// <summary>Allocating overload (tests).</summary>
    public static void ReconstructByDilation(float[] marker, float[] mask, int w, int h) =>
        ReconstructByDilation(marker, mask, w, h, new Queue<int>());

    /// <summary>
    /// Reconstruction by dilation of <paramref name="marker"/> under <paramref name="mask"/>, in place on the
    /// marker: Vincent's hybrid algorithm (IEEE TIP 1993) — one forward and one backward raster pass, then a FIFO
    /// propagation from the pixels that can still grow.
    /// </summary>
    public static void ReconstructByDilation(Span<float> marker, ReadOnlySpan<float> mask, int w, int h, Queue<int> queue)
    {
        int n = w * h;
        for (int i = 0; i < n; i++)
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
        queue.Clear();
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
                // A backward neighbour below v that may still rise means this pixel must propagate.
                bool grow = (x < w - 1 && marker[i + 1] < v && marker[i + 1] < mask[i + 1])
                    || (y < h - 1 && ((marker[i + w] < v && marker[i + w] < mask[i + w])
                        || (x < w - 1 && marker[i + w + 1] < v && marker[i + w + 1] < mask[i + w + 1])
                        || (x > 0 && marker[i + w - 1] < v && marker[i + w - 1] < mask[i + w - 1])));
                if (grow)
                    queue.Enqueue(i);
            }
        while (queue.Count > 0)
        {
            int p = queue.Dequeue();
            int py = p / w, px = p - py * w;
            float vp = marker[p];
            int x0 = px > 0 ? px - 1 : 0, x1 = px < w - 1 ? px + 1 : px;
            int y0 = py > 0 ? py - 1 : 0, y1 = py < h - 1 ? py + 1 : py;
            for (int qy = y0; qy <= y1; qy++)
            {
                int row = qy * w;
                for (int q = row + x0; q <= row + x1; q++)
                {
                    float mq = marker[q];
                    if (mq < vp && mq != mask[q])
                    {
                        marker[q] = Math.Min(vp, mask[q]);
                        queue.Enqueue(q);
                    }
                }
            }
        }
    }

    /// <summary>Allocating overload (tests).</summary>
    public static float[] OpenCloseByReconstruction(float[] s, int w, int h, int k)
    {
        var result = (float[])s.Clone();
        OpenCloseByReconstruction(result, w, h, k, new float[w * h], new float[w * h], new float[w * h], new Queue<int>());
        return result;
    }

    /// <summary>
    /// Opening by reconstruction then closing by reconstruction with a k×k square (MB+ smoothing step), in place on
    /// <paramref name="s"/>; a, b and tmp are scratch planes of w·h.
    /// </summary>
    public static void OpenCloseByReconstruction(Span<float> s, int w, int h, int k, Span<float> a, Span<float> b, Span<float> tmp, Queue<int> queue)
    {
        int n = w * h;
        s = s[..n];
        a = a[..n];
        b = b[..n];
        // Opening by reconstruction: erode, then grow back under the original.
        Square(s, a, w, h, k, dilate: false, tmp);
        ReconstructByDilation(a, s, w, h, queue);
        // Closing by reconstruction = complement of the opening-by-reconstruction of the complement.
        Square(a, b, w, h, k, dilate: true, tmp);
        for (int i = 0; i < n; i++)
        {
            b[i] = -b[i];
            a[i] = -a[i];
        }
        ReconstructByDilation(b, a, w, h, queue);
        for (int i = 0; i < n; i++)
            s[i] = -b[i];
    }
}
