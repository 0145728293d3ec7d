using MaskContrast.Core.Data;

namespace MaskContrast.Core.Saliency;

/// <summary>
/// Frequency-tuned saliency (Achanta et al., CVPR 2009), the baseline: S(x) = ‖μ_Lab − (G * I_Lab)(x)‖₂ with a
/// 5×5 binomial blur ([1 4 6 4 1]/16, separable) and μ the mean Lab colour of the image. Computed at the same
/// working size as MB+ for a fair speed comparison, then upscaled.
/// </summary>
public sealed class FrequencyTunedSaliency(int maxSide = 300) : ISaliencyEstimator, IWorkingSizeEstimator
{
    /// <inheritdoc/>
    public string Name => "ft";

    /// <inheritdoc/>
    public SaliencyMap Estimate(RgbImage image)
    {
        var s = EstimateWorking(image, out int w, out int h);
        return new SaliencyMap(image.Width, image.Height, ImageOps.ResizeBilinear(s, w, h, image.Width, image.Height));
    }

    /// <inheritdoc/>
    public int MaxSide => maxSide;

    /// <inheritdoc cref="IWorkingSizeEstimator.EstimateWorking"/>
    public ReadOnlySpan<float> EstimateWorking(RgbImage image, out int width, out int height)
    {
        var (w, h) = ImageOps.WorkingSize(image.Width, image.Height, maxSide);
        (width, height) = (w, h);
        int n = w * h;
        var ws = Workspace.For(n);
        ImageOps.DownscaleArea(image, maxSide, ws.Rgb, ws);
        ImageOps.ToLab8(ws.Rgb, n, ws.L, ws.A, ws.B);
        var s = ws.S.AsSpan(0, n);
        s.Clear();
        foreach (var channel in new[] { ws.L, ws.A, ws.B })
        {
            double mean = 0;
            for (int i = 0; i < n; i++) mean += channel[i];
            mean /= n;
            Binomial5(channel, w, h, ws.F1, ws.F2);
            for (int i = 0; i < n; i++)
            {
                float d = ws.F2[i] - (float)mean;
                s[i] += d * d;
            }
        }
        for (int i = 0; i < n; i++)
            s[i] = MathF.Sqrt(s[i]);
        ImageOps.Normalize(s);
        return s;
    }

    private static void Binomial5(float[] src, int w, int h, float[] tmp, float[] dst)
    {
        ReadOnlySpan<float> k = [1 / 16f, 4 / 16f, 6 / 16f, 4 / 16f, 1 / 16f];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                float v = 0;
                for (int t = -2; t <= 2; t++) v += k[t + 2] * src[y * w + Math.Clamp(x + t, 0, w - 1)];
                tmp[y * w + x] = v;
            }
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                float v = 0;
                for (int t = -2; t <= 2; t++) v += k[t + 2] * tmp[Math.Clamp(y + t, 0, h - 1) * w + x];
                dst[y * w + x] = v;
            }
    }
}
