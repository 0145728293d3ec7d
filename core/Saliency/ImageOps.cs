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

    /// <summary>
    /// Downscales so that the longer side is at most <paramref name="maxSide"/> by averaging the covered source area
    /// (like OpenCV INTER_AREA, which MB+ uses); smaller images are returned unchanged.
    /// </summary>
    public static RgbImage DownscaleArea(RgbImage image, int maxSide)
    {
        int w = image.Width, h = image.Height;
        if (Math.Max(w, h) <= maxSide)
            return image;
        double scale = maxSide / (double)Math.Max(w, h);
        int ow = Math.Max(1, (int)Math.Round(w * scale)), oh = Math.Max(1, (int)Math.Round(h * scale));
        var (xIndex, xWeight) = AreaWeights(w, ow);
        var (yIndex, yWeight) = AreaWeights(h, oh);
        // Rows first into a float buffer (oh source rows are mixed later), then columns.
        var rows = new float[h * ow * 3];
        for (int y = 0; y < h; y++)
            for (int ox = 0; ox < ow; ox++)
            {
                float r = 0, g = 0, b = 0;
                for (int k = xIndex[ox]; k < xIndex[ox + 1]; k++)
                {
                    var (sx, wgt) = xWeight[k];
                    int s = 3 * (y * w + sx);
                    r += wgt * image.Rgb[s]; g += wgt * image.Rgb[s + 1]; b += wgt * image.Rgb[s + 2];
                }
                int d = 3 * (y * ow + ox);
                rows[d] = r; rows[d + 1] = g; rows[d + 2] = b;
            }
        var output = new byte[ow * oh * 3];
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++)
                for (int c = 0; c < 3; c++)
                {
                    float v = 0;
                    for (int k = yIndex[oy]; k < yIndex[oy + 1]; k++)
                        v += yWeight[k].Weight * rows[3 * (yWeight[k].Index * ow + ox) + c];
                    output[3 * (oy * ow + ox) + c] = (byte)Math.Clamp(v + 0.5f, 0, 255);
                }
        return new RgbImage(ow, oh, output);
    }

    /// <summary>For each output cell, the source indices it covers and their overlap weights (summing to 1).</summary>
    private static (int[] Start, (int Index, float Weight)[] Weights) AreaWeights(int source, int target)
    {
        var start = new int[target + 1];
        var weights = new List<(int, float)>();
        double ratio = source / (double)target;
        for (int o = 0; o < target; o++)
        {
            start[o] = weights.Count;
            double lo = o * ratio, hi = (o + 1) * ratio;
            for (int s = (int)lo; s < Math.Min(source, (int)Math.Ceiling(hi)); s++)
            {
                double overlap = Math.Min(hi, s + 1) - Math.Max(lo, s);
                if (overlap > 1e-9)
                    weights.Add((s, (float)(overlap / ratio)));
            }
        }
        start[target] = weights.Count;
        return (start, weights.ToArray());
    }

    /// <summary>Bilinear resampling of a map (pixel centres aligned, as OpenCV INTER_LINEAR).</summary>
    public static float[] ResizeBilinear(float[] src, int w, int h, int ow, int oh)
    {
        if (w == ow && h == oh)
            return (float[])src.Clone();
        var dst = new float[ow * oh];
        float sx = w / (float)ow, sy = h / (float)oh;
        var x0 = new int[ow];
        var x1 = new int[ow];
        var fx = new float[ow];
        for (int x = 0; x < ow; x++)
        {
            float p = Math.Clamp((x + 0.5f) * sx - 0.5f, 0, w - 1);
            x0[x] = (int)p;
            x1[x] = Math.Min(x0[x] + 1, w - 1);
            fx[x] = p - x0[x];
        }
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
        return dst;
    }

    /// <summary>
    /// CIE Lab (D65) in OpenCV's 8-bit scaling (L·255/100, a+128, b+128), planar: three arrays of the pixel count.
    /// MB+ works on these ranges, which its constants assume.
    /// </summary>
    public static float[][] ToLab8(RgbImage image)
    {
        int n = image.PixelCount;
        var L = new float[n];
        var A = new float[n];
        var B = new float[n];
        for (int i = 0; i < n; i++)
        {
            float r = s_srgbToLinear[image.Rgb[3 * i]], g = s_srgbToLinear[image.Rgb[3 * i + 1]], b = s_srgbToLinear[image.Rgb[3 * i + 2]];
            float x = (0.412453f * r + 0.357580f * g + 0.180423f * b) / 0.950456f;
            float y = 0.212671f * r + 0.715160f * g + 0.072169f * b;
            float z = (0.019334f * r + 0.119193f * g + 0.950227f * b) / 1.088754f;
            float fx = F(x), fy = F(y), fz = F(z);
            L[i] = (116f * fy - 16f) * 255f / 100f;
            A[i] = 500f * (fx - fy) + 128f;
            B[i] = 200f * (fy - fz) + 128f;
        }
        return [L, A, B];

        static float F(float t) => t > 0.008856f ? MathF.Cbrt(t) : 7.787f * t + 16f / 116f;
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
