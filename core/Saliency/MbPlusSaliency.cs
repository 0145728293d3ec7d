using MaskContrast.Core.Data;

namespace MaskContrast.Core.Saliency;

/// <summary>Settings of <see cref="MbPlusSaliency"/>; defaults are those of the MB+ author's release (getParam.m).</summary>
/// <param name="MaxSide">The image is area-downscaled so its longer side is at most this (MB+: 300).</param>
/// <param name="Passes">FastMBD raster passes (MB+: 3, forward-backward-forward).</param>
/// <param name="MedianBlur">5×5 median on the Lab channels first (MB+: yes), which suppresses texture barriers.</param>
/// <param name="BorderFraction">Width of each border strip for backgroundness (MB+: 0.1).</param>
/// <param name="CovarianceRegularizer">Added to the strip covariance diagonal (MB+: 50, on 8-bit RGB).</param>
/// <param name="Backgroundness">Add the backgroundness term (the "+" of MB+; MB+: yes).</param>
/// <param name="CentrePrior">Multiply by 1 − normalised distance to the centre (MB+: yes).</param>
/// <param name="SmoothingScale">Structuring element width = max(3, ⌊scale·√mean(S)⌋) (MB+: 50); 0 disables smoothing.</param>
/// <param name="ContrastGain">Gain of the final sigmoid (MB+: 10); 0 disables the contrast enhancement.</param>
public sealed record MbPlusOptions(
    int MaxSide = 300,
    int Passes = 3,
    bool MedianBlur = true,
    double BorderFraction = 0.1,
    double CovarianceRegularizer = 50,
    bool Backgroundness = true,
    bool CentrePrior = true,
    double SmoothingScale = 50,
    double ContrastGain = 10);

/// <summary>
/// MB+ saliency (Zhang, Sclaroff, Lin, Shen, Price, Mĕch: "Minimum Barrier Salient Object Detection at 80 FPS",
/// ICCV 2015), implemented from the paper's formulas (reference section 8.2): minimum barrier distance to the
/// border on Lab channels + backgroundness, centre prior, smoothing by morphological reconstruction, and a sigmoid
/// contrast enhancement. No learned weights. Thread-safe (no mutable state).
/// </summary>
public sealed class MbPlusSaliency(MbPlusOptions? options = null) : ISaliencyEstimator
{
    /// <summary>The settings in use.</summary>
    public MbPlusOptions Options { get; } = options ?? new MbPlusOptions();

    /// <inheritdoc/>
    public string Name => "mbplus";

    /// <inheritdoc/>
    public SaliencyMap Estimate(RgbImage image)
    {
        var small = ImageOps.DownscaleArea(image, Options.MaxSide);
        var s = EstimateAtWorkingSize(small);
        var full = ImageOps.ResizeBilinear(s, small.Width, small.Height, image.Width, image.Height);
        ImageOps.Normalize(full);
        return new SaliencyMap(image.Width, image.Height, full);
    }

    /// <summary>Steps 2–6 of MB+ on the already downscaled image; returns the map at that size.</summary>
    internal float[] EstimateAtWorkingSize(RgbImage small)
    {
        int w = small.Width, h = small.Height, n = w * h;
        var o = Options;

        // Step 2: minimum barrier distance on each (median-filtered) 8-bit Lab channel, summed.
        var mbd = new float[n];
        var plane = new byte[n];
        foreach (var channel in ImageOps.ToLab8(small))
        {
            for (int i = 0; i < n; i++)
                plane[i] = (byte)Math.Clamp(channel[i] + 0.5f, 0f, 255f);
            var filtered = o.MedianBlur ? Filters.Median5(plane, w, h) : plane;
            Filters.AddMinimumBarrier(filtered, w, h, o.Passes, mbd);
        }
        ImageOps.Normalize(mbd);

        // Step 3–4: add backgroundness, weight by the centre prior.
        var s = o.Backgroundness ? Saliency.Backgroundness.Compute(small.Rgb, w, h, o.BorderFraction, o.CovarianceRegularizer) : new float[n];
        for (int i = 0; i < n; i++)
            s[i] += mbd[i];
        if (o.CentrePrior)
            ApplyCentrePrior(s, w, h);
        ImageOps.Normalize(s);

        // Step 5: opening then closing by reconstruction; the element grows with the salient area.
        if (o.SmoothingScale > 0)
        {
            int k = Math.Max(3, (int)Math.Floor(o.SmoothingScale * Math.Sqrt(Mean(s))));
            s = Morphology.OpenCloseByReconstruction(s, w, h, k);
        }

        // Step 6: sigmoid centred between the means of the bright and the dark part (threshold half the maximum).
        if (o.ContrastGain > 0)
            EnhanceContrast(s, (float)o.ContrastGain);
        ImageOps.Normalize(s);
        return s;
    }

    private static void ApplyCentrePrior(float[] s, int w, int h)
    {
        // Distance in normalised coordinates: MB+ computes it on a square 300×300 grid resized to the image.
        float maxDist = MathF.Sqrt(0.5f);
        for (int y = 0; y < h; y++)
        {
            float dy = (y + 0.5f) / h - 0.5f;
            for (int x = 0; x < w; x++)
            {
                float dx = (x + 0.5f) / w - 0.5f;
                s[y * w + x] *= 1f - MathF.Sqrt(dx * dx + dy * dy) / maxDist;
            }
        }
    }

    private static void EnhanceContrast(float[] s, float gain)
    {
        float max = 0;
        foreach (float v in s) max = Math.Max(max, v);
        float t = 0.5f * max;
        double hiSum = 0, loSum = 0;
        int hiCount = 0, loCount = 0;
        foreach (float v in s)
        {
            if (v >= t) { hiSum += v; hiCount++; }
            else { loSum += v; loCount++; }
        }
        float v1 = hiCount > 0 ? (float)(hiSum / hiCount) : 0f, v2 = loCount > 0 ? (float)(loSum / loCount) : 0f;
        float centre = (v1 + v2) / 2;
        for (int i = 0; i < s.Length; i++)
            s[i] = 1f / (1f + MathF.Exp(-gain * (s[i] - centre)));
    }

    private static double Mean(float[] s)
    {
        double sum = 0;
        foreach (float v in s) sum += v;
        return sum / s.Length;
    }
}
