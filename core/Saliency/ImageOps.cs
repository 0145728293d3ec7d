using MaskContrast.Core.Data;

namespace MaskContrast.Core.Saliency;

/// <summary>Raster helpers shared by the estimators: area downscaling, bilinear upscaling, Lab, normalisation.</summary>
internal static class ImageOps
{
    private static readonly float[] s_srgbToLinear = Enumerable.Range(0, 256).Select(i =>
    {
        double c = i / 255.0;
        return (float)(c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4));
    }).ToArray();

    // F(t) of the Lab transform tabulated on [0, 1.0625] (X/Xn, Y, Z/Zn of 8-bit sRGB stay ≤ 1): linear interpolation
    // between 4096 steps is within 5e-6 of the exact cube root (≤ 6e-4 in L), far below the 8-bit rounding that follows,
    // and avoids three MathF.Cbrt calls per pixel, which were the most expensive part of the conversion.
    private const int LabSteps = 4096;
    private const float LabRange = 1.0625f;
    private static readonly float[] s_labF = Enumerable.Range(0, LabSteps + 2).Select(i =>
    {
        double t = i * (double)LabRange / LabSteps;
        return (float)(t > 0.008856 ? Math.Cbrt(t) : 7.787 * t + 16.0 / 116.0);
    }).ToArray();

    /// <summary>The working size: the longer side scaled down to at most <paramref name="maxSide"/>, never up.</summary>
    public static (int Width, int Height) WorkingSize(int w, int h, int maxSide)
    {
        if (Math.Max(w, h) <= maxSide)
            return (w, h);
        double scale = maxSide / (double)Math.Max(w, h);
        return (Math.Max(1, (int)Math.Round(w * scale)), Math.Max(1, (int)Math.Round(h * scale)));
    }

    /// <summary>
    /// Downscales to the working size by averaging the covered source area (like OpenCV INTER_AREA, which MB+
    /// uses) into <paramref name="dst"/> (interleaved RGB, at least 3·w·h bytes); returns the size written.
    /// </summary>
    public static (int Width, int Height) DownscaleArea(RgbImage image, int maxSide, byte[] dst, Workspace ws)
    {
        int w = image.Width, h = image.Height;
        var (ow, oh) = WorkingSize(w, h, maxSide);
        if (ow == w && oh == h)
        {
            image.Rgb.CopyTo(dst, 0);
            return (w, h);
        }
        var (xStart, xIndex, xWeight) = AreaWeights(w, ow);
        var (yStart, yIndex, yWeight) = AreaWeights(h, oh);
        // Rows first into a float buffer (each output row then mixes a few of them), then columns.
        var rows = ws.RowsFor(h * ow * 3);
        var src = image.Rgb;
        for (int y = 0; y < h; y++)
        {
            int srcRow = y * w * 3, rowOut = y * ow * 3;
            for (int ox = 0; ox < ow; ox++)
            {
                float r = 0, g = 0, b = 0;
                for (int k = xStart[ox]; k < xStart[ox + 1]; k++)
                {
                    int si = srcRow + 3 * xIndex[k];
                    float wgt = xWeight[k];
                    r += wgt * src[si]; g += wgt * src[si + 1]; b += wgt * src[si + 2];
                }
                rows[rowOut + 3 * ox] = r; rows[rowOut + 3 * ox + 1] = g; rows[rowOut + 3 * ox + 2] = b;
            }
        }
        int lineLength = ow * 3;
        for (int oy = 0; oy < oh; oy++)
        {
            var line = dst.AsSpan(oy * lineLength, lineLength);
            for (int c = 0; c < lineLength; c++)
            {
                float v = 0;
                for (int k = yStart[oy]; k < yStart[oy + 1]; k++)
                    v += yWeight[k] * rows[yIndex[k] * lineLength + c];
                line[c] = (byte)Math.Clamp(v + 0.5f, 0, 255);
            }
        }
        return (ow, oh);
    }

    /// <summary>Allocating convenience overload for tests and one-off use.</summary>
    public static RgbImage DownscaleArea(RgbImage image, int maxSide)
    {
        var (ow, oh) = WorkingSize(image.Width, image.Height, maxSide);
        var dst = new byte[ow * oh * 3];
        DownscaleArea(image, maxSide, dst, new Workspace());
        return new RgbImage(ow, oh, dst);
    }

    /// <summary>For each output cell, the source indices it covers and their overlap weights (summing to 1).</summary>
    private static (int[] Start, int[] Index, float[] Weight) AreaWeights(int source, int target)
    {
        var start = new int[target + 1];
        var index = new List<int>();
        var weight = new List<float>();
        double ratio = source / (double)target;
        for (int o = 0; o < target; o++)
        {
            start[o] = index.Count;
            double lo = o * ratio, hi = (o + 1) * ratio;
            for (int s = (int)lo; s < Math.Min(source, (int)Math.Ceiling(hi)); s++)
            {
                double overlap = Math.Min(hi, s + 1) - Math.Max(lo, s);
                if (overlap > 1e-9)
                {
                    index.Add(s);
                    weight.Add((float)(overlap / ratio));
                }
            }
        }
        start[target] = index.Count;
        return (start, index.ToArray(), weight.ToArray());
    }

    /// <summary>Bilinear resampling of a map (pixel centres aligned, as OpenCV INTER_LINEAR).</summary>
    public static float[] ResizeBilinear(ReadOnlySpan<float> src, int w, int h, int ow, int oh)
    {
        var dst = new float[ow * oh];
        ResizeBilinear(src, w, h, ow, oh, dst);
        return dst;
    }

    /// <summary>Bilinear resampling into <paramref name="dst"/> (at least ow·oh).</summary>
    public static void ResizeBilinear(ReadOnlySpan<float> src, int w, int h, int ow, int oh, Span<float> dst)
    {
        if (w == ow && h == oh)
        {
            src[..(w * h)].CopyTo(dst);
            return;
        }
        float sx = w / (float)ow, sy = h / (float)oh;
        var x0 = new int[ow];
        var x1 = new int[ow];
        var fx = new float[ow];
        BilinearColumns(w, ow, sx, x0, x1, fx);
        for (int y = 0; y < oh; y++)
        {
            float p = Math.Clamp((y + 0.5f) * sy - 0.5f, 0, h - 1);
            int y0 = (int)p, y1 = Math.Min(y0 + 1, h - 1);
            float fy = p - y0;
            int r0 = y0 * w, r1 = y1 * w, d = y * ow;
            for (int x = 0; x < ow; x++)
            {
                float top = src[r0 + x0[x]] + fx[x] * (src[r0 + x1[x]] - src[r0 + x0[x]]);
                float bottom = src[r1 + x0[x]] + fx[x] * (src[r1 + x1[x]] - src[r1 + x0[x]]);
                dst[d + x] = top + fy * (bottom - top);
            }
        }
    }

    /// <summary>Source columns and weights of each output column for half-pixel-centred bilinear resampling.</summary>
    private static void BilinearColumns(int w, int ow, float sx, Span<int> x0, Span<int> x1, Span<float> fx)
    {
        for (int x = 0; x < ow; x++)
        {
            float p = Math.Clamp((x + 0.5f) * sx - 0.5f, 0, w - 1);
            x0[x] = (int)p;
            x1[x] = Math.Min(x0[x] + 1, w - 1);
            fx[x] = p - x0[x];
        }
    }

    /// <summary>2×2 box averaging (odd last row/column averaged with fewer pixels); returns the new size.</summary>
    public static (int Width, int Height) HalveAverage(ReadOnlySpan<float> src, int w, int h, Span<float> dst)
    {
        int ow = (w + 1) / 2, oh = (h + 1) / 2;
        for (int y = 0; y < oh; y++)
        {
            int y0 = 2 * y, y1 = Math.Min(2 * y + 1, h - 1);
            for (int x = 0; x < ow; x++)
            {
                int x0 = 2 * x, x1 = Math.Min(2 * x + 1, w - 1);
                dst[y * ow + x] = 0.25f * (src[y0 * w + x0] + src[y0 * w + x1] + src[y1 * w + x0] + src[y1 * w + x1]);
            }
        }
        return (ow, oh);
    }

    /// <summary>
    /// Bilinear upsampling of a map fused with the threshold: writes 1 where the interpolated value is above
    /// <paramref name="threshold"/>, else 0 — the same result as <see cref="ResizeBilinear"/> then thresholding,
    /// without the full-size float map.
    /// </summary>
    public static void ResizeThreshold(ReadOnlySpan<float> src, int w, int h, int ow, int oh, float threshold, Span<byte> dst)
    {
        float sx = w / (float)ow, sy = h / (float)oh;
        Span<int> x0 = ow <= 4096 ? stackalloc int[ow] : new int[ow];
        Span<int> x1 = ow <= 4096 ? stackalloc int[ow] : new int[ow];
        Span<float> fx = ow <= 4096 ? stackalloc float[ow] : new float[ow];
        BilinearColumns(w, ow, sx, x0, x1, fx);
        for (int y = 0; y < oh; y++)
        {
            float p = Math.Clamp((y + 0.5f) * sy - 0.5f, 0, h - 1);
            int y0 = (int)p, y1 = Math.Min(y0 + 1, h - 1);
            float fy = p - y0;
            int r0 = y0 * w, r1 = y1 * w, d = y * ow;
            for (int x = 0; x < ow; x++)
            {
                float top = src[r0 + x0[x]] + fx[x] * (src[r0 + x1[x]] - src[r0 + x0[x]]);
                float bottom = src[r1 + x0[x]] + fx[x] * (src[r1 + x1[x]] - src[r1 + x0[x]]);
                dst[d + x] = top + fy * (bottom - top) > threshold ? (byte)1 : (byte)0;
            }
        }
    }

    /// <summary>
    /// CIE Lab (D65) of the first n pixels in OpenCV's 8-bit scaling (L·255/100, a+128, b+128), into three planes.
    /// MB+ works on these ranges, which its constants assume.
    /// </summary>
    public static void ToLab8(ReadOnlySpan<byte> rgb, int n, Span<float> L, Span<float> A, Span<float> B)
    {
        var lut = s_srgbToLinear;
        for (int i = 0; i < n; i++)
        {
            float r = lut[rgb[3 * i]], g = lut[rgb[3 * i + 1]], b = lut[rgb[3 * i + 2]];
            float x = (0.412453f * r + 0.357580f * g + 0.180423f * b) / 0.950456f;
            float y = 0.212671f * r + 0.715160f * g + 0.072169f * b;
            float z = (0.019334f * r + 0.119193f * g + 0.950227f * b) / 1.088754f;
            float fx = F(x), fy = F(y), fz = F(z);
            L[i] = (116f * fy - 16f) * 255f / 100f;
            A[i] = 500f * (fx - fy) + 128f;
            B[i] = 200f * (fy - fz) + 128f;
        }

        static float F(float t)
        {
            float p = Math.Clamp(t, 0f, LabRange) * (LabSteps / LabRange);
            int i = (int)p;
            float frac = p - i;
            return s_labF[i] + frac * (s_labF[i + 1] - s_labF[i]);
        }
    }

    /// <summary>Min-max normalisation to [0, 1] in place; a constant map becomes all zeros.</summary>
    public static void Normalize(Span<float> values)
    {
        float min = float.MaxValue, max = float.MinValue;
        foreach (float v in values)
        {
            if (v < min) min = v;
            if (v > max) max = v;
        }
        float range = max - min;
        if (range <= 1e-12f)
        {
            values.Clear();
            return;
        }
        float inv = 1f / range;
        for (int i = 0; i < values.Length; i++)
            values[i] = (values[i] - min) * inv;
    }
}
