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
/// <param name="HalfResolutionSmoothing">Run step 5 on a 2×2-averaged map with half the element width, then upsample
/// (ours, not MB+: the reconstruction is the slowest step, and this quarters it; see core/Saliency/README.md for the
/// measured effect on quality and speed).</param>
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
    bool HalfResolutionSmoothing = false,
    double ContrastGain = 10);

/// <summary>
/// MB+ saliency (Zhang, Sclaroff, Lin, Shen, Price, Mĕch: "Minimum Barrier Salient Object Detection at 80 FPS",
/// ICCV 2015), implemented from the paper's formulas (reference section 8.2): minimum barrier distance to the
/// border on Lab channels + backgroundness, centre prior, smoothing by morphological reconstruction, and a sigmoid
/// contrast enhancement. No learned weights. Thread-safe (no mutable state).
/// </summary>
public sealed class MbPlusSaliency(MbPlusOptions? options = null) : ISaliencyEstimator, IWorkingSizeEstimator
{
    /// <summary>The settings in use.</summary>
    public MbPlusOptions Options { get; } = options ?? new MbPlusOptions();

    /// <inheritdoc/>
    public string Name => "mbplus";

    /// <inheritdoc/>
    /// <remarks>The map is computed at the working size and upsampled bilinearly (values stay in [0, 1]).</remarks>
    public SaliencyMap Estimate(RgbImage image)
    {
        var s = EstimateWorking(image, out int w, out int h);
        return new SaliencyMap(image.Width, image.Height, ImageOps.ResizeBilinear(s, w, h, image.Width, image.Height));
    }

    int IWorkingSizeEstimator.MaxSide => Options.MaxSide;

    /// <inheritdoc cref="IWorkingSizeEstimator.EstimateWorking"/>
    public ReadOnlySpan<float> EstimateWorking(RgbImage image, out int width, out int height)
    {
        (width, height) = ImageOps.WorkingSize(image.Width, image.Height, Options.MaxSide);
        var ws = Workspace.For(width * height);
        ImageOps.DownscaleArea(image, Options.MaxSide, ws.Rgb, ws);
        return EstimateAtWorkingSize(ws.Rgb, width, height, ws);
    }

    /// <summary>Steps 2–6 of MB+ on an image already at the working size (tests and benchmarks).</summary>
    internal float[] EstimateAtWorkingSize(RgbImage small)
    {
        var ws = Workspace.For(small.PixelCount);
        return EstimateAtWorkingSize(small.Rgb, small.Width, small.Height, ws)[..small.PixelCount].ToArray();
    }

    /// <summary>Steps 2–6 of MB+ on interleaved RGB at the working size; the result is a span of the workspace.</summary>
    private Span<float> EstimateAtWorkingSize(ReadOnlySpan<byte> rgb, int w, int h, Workspace ws)
    {
        int n = w * h;
        var o = Options;

        // Step 2: minimum barrier distance on each (median-filtered) 8-bit Lab channel, summed.
        var mbd = ws.Mbd.AsSpan(0, n);
        mbd.Clear();
        ImageOps.ToLab8(rgb, n, ws.L, ws.A, ws.B);
        foreach (var channel in new[] { ws.L, ws.A, ws.B })
        {
            var plane = ws.Plane.AsSpan(0, n);
            for (int i = 0; i < n; i++)
                plane[i] = (byte)Math.Clamp(channel[i] + 0.5f, 0f, 255f);
            if (o.MedianBlur)
            {
                Filters.Median5(plane, w, h, ws.Filtered);
                plane = ws.Filtered.AsSpan(0, n);
            }
            Filters.AddMinimumBarrier(plane, w, h, o.Passes, mbd, ws.BarrierD, ws.BarrierU, ws.BarrierL);
        }
        ImageOps.Normalize(mbd);

        // Steps 3–4: add backgroundness, weight by the centre prior.
        var s = ws.S.AsSpan(0, n);
        if (o.Backgroundness)
            Saliency.Backgroundness.Compute(rgb, w, h, o.BorderFraction, o.CovarianceRegularizer, s, ws.F1, ws.F2);
        else
            s.Clear();
        for (int i = 0; i < n; i++)
            s[i] += mbd[i];
        if (o.CentrePrior)
            ApplyCentrePrior(s, w, h);
        ImageOps.Normalize(s);

        // Step 5: opening then closing by reconstruction; the element grows with the salient area.
        if (o.SmoothingScale > 0)
        {
            int k = Math.Max(3, (int)Math.Floor(o.SmoothingScale * Math.Sqrt(Mean(s))));
            // Quantise to 256 levels first: the reconstruction's propagation re-visits a pixel for every small rise,
            // and float maps rise in tiny steps; 8-bit levels halve its cost (bench `stages`) while moving no value by
            // more than 1/510, far below what the sigmoid and the 0.5 threshold after it can resolve.
            for (int i = 0; i < n; i++)
                s[i] = MathF.Round(s[i] * 255f) * (1f / 255f);
            if (o.HalfResolutionSmoothing && w >= 16 && h >= 16)
            {
                // The MBD planes are free again: D holds the half-size map, U/Lo/F1 are scratch.
                var (hw, hh) = ImageOps.HalveAverage(s, w, h, ws.D);
                Morphology.OpenCloseByReconstruction(ws.D, hw, hh, Math.Max(3, k / 2), ws.U, ws.Lo, ws.F1, ws.Queue);
                ImageOps.ResizeBilinear(ws.D.AsSpan(0, hw * hh), hw, hh, w, h, s);
            }
            else
                Morphology.OpenCloseByReconstruction(s, w, h, k, ws.F1, ws.F2, ws.F3, ws.Queue);
        }

        // Step 6: sigmoid centred between the means of the bright and the dark part (threshold half the maximum).
        if (o.ContrastGain > 0)
            EnhanceContrast(s, (float)o.ContrastGain);
        ImageOps.Normalize(s);
        return s;
    }

    private static void ApplyCentrePrior(Span<float> s, int w, int h)
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

    private static void EnhanceContrast(Span<float> s, float gain)
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

    private static double Mean(ReadOnlySpan<float> s)
    {
        double sum = 0;
        foreach (float v in s) sum += v;
        return sum / s.Length;
    }
}
