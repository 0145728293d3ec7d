namespace MaskContrast.Core.Saliency;

/// <summary>
/// The "+" of MB+ (Zhang et al., ICCV 2015, section 3.3): how unlike the image border a pixel's colour is.
/// Each of the four border strips (10 % of the height or width) is modelled by its mean and regularised colour
/// covariance; a pixel's whitened L1 distance to each strip is normalised, and the largest of the four is dropped
/// so that one border strip covered by the object cannot dominate.
/// </summary>
internal static class Backgroundness
{
    /// <summary>Computes B(x) in [0, 1] from an interleaved RGB plane (allocating overload).</summary>
    public static float[] Compute(ReadOnlySpan<byte> rgb, int w, int h, double borderFraction, double regularizer)
    {
        var result = new float[w * h];
        Compute(rgb, w, h, borderFraction, regularizer, result, new float[w * h], new float[w * h]);
        return result;
    }

    /// <summary>Computes B(x) in [0, 1] into <paramref name="sum"/>; u and max are scratch planes of at least w·h.</summary>
    /// <param name="regularizer">Added to the covariance diagonal (MB+: 50, for 8-bit colour values).</param>
    public static void Compute(ReadOnlySpan<byte> rgb, int w, int h, double borderFraction, double regularizer,
        Span<float> sum, Span<float> u, Span<float> max)
    {
        int n = w * h;
        sum = sum[..n];
        u = u[..n];
        max = max[..n];
        sum.Clear();
        max.Clear();
        int bh = Math.Max(1, (int)Math.Floor(h * borderFraction)), bw = Math.Max(1, (int)Math.Floor(w * borderFraction));
        (int X0, int Y0, int X1, int Y1)[] strips = [(0, 0, w, bh), (0, h - bh, w, h), (0, 0, bw, h), (w - bw, 0, w, h)];
        foreach (var strip in strips)
        {
            var (mean, p) = StripModel(rgb, w, strip, regularizer);
            float m0 = mean[0], m1 = mean[1], m2 = mean[2];
            float p00 = p[0, 0], p01 = p[0, 1], p02 = p[0, 2], p10 = p[1, 0], p11 = p[1, 1], p12 = p[1, 2], p20 = p[2, 0], p21 = p[2, 1], p22 = p[2, 2];
            float uMin = float.MaxValue, uMax = float.MinValue;
            for (int i = 0; i < n; i++)
            {
                float d0 = rgb[3 * i] - m0, d1 = rgb[3 * i + 1] - m1, d2 = rgb[3 * i + 2] - m2;
                float v = MathF.Abs(d0 * p00 + d1 * p10 + d2 * p20) + MathF.Abs(d0 * p01 + d1 * p11 + d2 * p21) + MathF.Abs(d0 * p02 + d1 * p12 + d2 * p22);
                u[i] = v;
                uMin = Math.Min(uMin, v);
                uMax = Math.Max(uMax, v);
            }
            // Min-max normalisation fused into the accumulation (one pass less over the plane per strip).
            float scale = uMax - uMin > 1e-12f ? 1f / (uMax - uMin) : 0f;
            for (int i = 0; i < n; i++)
            {
                float v = (u[i] - uMin) * scale;
                sum[i] += v;
                max[i] = Math.Max(max[i], v);
            }
        }
        for (int i = 0; i < n; i++)
            sum[i] -= max[i];
        ImageOps.Normalize(sum);
    }

    /// <summary>Mean colour of the strip and the whitening matrix P = U·diag(1/√s) of its covariance + r·I.</summary>
    private static (float[] Mean, float[,] Whiten) StripModel(ReadOnlySpan<byte> rgb, int w, (int X0, int Y0, int X1, int Y1) s, double regularizer)
    {
        var mean = new double[3];
        var cov = new double[3, 3];
        long count = 0;
        for (int y = s.Y0; y < s.Y1; y++)
            for (int x = s.X0; x < s.X1; x++)
            {
                int i = 3 * (y * w + x);
                for (int a = 0; a < 3; a++) mean[a] += rgb[i + a];
                count++;
            }
        for (int a = 0; a < 3; a++) mean[a] /= count;
        for (int y = s.Y0; y < s.Y1; y++)
            for (int x = s.X0; x < s.X1; x++)
            {
                int i = 3 * (y * w + x);
                for (int a = 0; a < 3; a++)
                    for (int b = 0; b < 3; b++)
                        cov[a, b] += (rgb[i + a] - mean[a]) * (rgb[i + b] - mean[b]);
            }
        for (int a = 0; a < 3; a++)
        {
            for (int b = 0; b < 3; b++) cov[a, b] /= Math.Max(1, count - 1);
            cov[a, a] += regularizer;
        }
        var (values, vectors) = SymmetricEigen3(cov);
        var whiten = new float[3, 3];
        for (int a = 0; a < 3; a++)
            for (int j = 0; j < 3; j++)
                whiten[a, j] = (float)(vectors[a, j] / Math.Sqrt(values[j]));
        return ([(float)mean[0], (float)mean[1], (float)mean[2]], whiten);
    }

    /// <summary>Eigen-decomposition of a symmetric 3×3 matrix by cyclic Jacobi rotations (equal to its SVD, as it is
    /// positive definite here). Columns of the returned matrix are the eigenvectors.</summary>
    internal static (double[] Values, double[,] Vectors) SymmetricEigen3(double[,] matrix)
    {
        var a = (double[,])matrix.Clone();
        var v = new double[3, 3] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
        for (int sweep = 0; sweep < 50; sweep++)
        {
            double off = Math.Abs(a[0, 1]) + Math.Abs(a[0, 2]) + Math.Abs(a[1, 2]);
            if (off < 1e-12) break;
            for (int p = 0; p < 2; p++)
                for (int q = p + 1; q < 3; q++)
                {
                    if (Math.Abs(a[p, q]) < 1e-15) continue;
                    double theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < 3; k++)
                    {
                        double akp = a[k, p], akq = a[k, q];
                        a[k, p] = c * akp - s * akq;
                        a[k, q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < 3; k++)
                    {
                        double apk = a[p, k], aqk = a[q, k];
                        a[p, k] = c * apk - s * aqk;
                        a[q, k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < 3; k++)
                    {
                        double vkp = v[k, p], vkq = v[k, q];
                        v[k, p] = c * vkp - s * vkq;
                        v[k, q] = s * vkp + c * vkq;
                    }
                }
        }
        return ([a[0, 0], a[1, 1], a[2, 2]], v);
    }
}
