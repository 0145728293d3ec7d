using MaskContrast.Core.Data;

namespace MaskContrast.Core.Saliency;

/// <summary>Thresholds and area rules of the official post-processing (reference section 8.1).</summary>
/// <param name="Threshold">A pixel is foreground when its saliency is above this (official: 0.5).</param>
/// <param name="MinRegionFraction">Connected regions smaller than this fraction of the image are removed (official: 0.01).</param>
/// <param name="MinForegroundFraction">Images with less foreground than this after removal are dropped (official: 0.01).</param>
public sealed record PostProcessOptions(double Threshold = 0.5, double MinRegionFraction = 0.01, double MinForegroundFraction = 0.01)
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        if (Threshold is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(Threshold), Threshold, "Threshold must be in [0, 1)");
        if (MinRegionFraction is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(MinRegionFraction), MinRegionFraction, "MinRegionFraction must be in [0, 1)");
        if (MinForegroundFraction is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(MinForegroundFraction), MinForegroundFraction, "MinForegroundFraction must be in [0, 1)");
    }
}

/// <summary>The outcome for one image: a 0/1 mask, or null with the reason it was dropped.</summary>
public sealed record PostProcessResult(ByteRaster? Mask, double ForegroundFraction, int RemovedRegions, string? DropReason)
{
    /// <summary>True when the image keeps a proposal.</summary>
    public bool Kept => Mask is not null;
}

/// <summary>
/// Turns a saliency map or a binary mask into an object-mask proposal the way the official code post-processes its
/// saliency masks: threshold, remove connected regions under 1 % of the image, drop the image when under 1 %
/// foreground remains. Deviation: the official code erases small <c>cv2.findContours</c> contours, hole contours
/// included (which also clears the ring of pixels around a small hole); we remove small 8-connected foreground
/// regions only and leave holes as they are.
/// </summary>
public static class ProposalPostProcessor
{
    /// <summary>Thresholds <paramref name="map"/> and applies the area rules.</summary>
    public static PostProcessResult Apply(SaliencyMap map, PostProcessOptions? options = null)
    {
        var o = options ?? new PostProcessOptions();
        var binary = new byte[map.PixelCount];
        float t = (float)o.Threshold;
        for (int i = 0; i < binary.Length; i++)
            binary[i] = map.Values[i] > t ? (byte)1 : (byte)0;
        return Apply(new ByteRaster(map.Width, map.Height, binary), o);
    }

    /// <summary>Applies the area rules to a 0/1 mask (e.g. a user mask); the input is not modified.</summary>
    public static PostProcessResult Apply(ByteRaster binary, PostProcessOptions? options = null)
    {
        var o = options ?? new PostProcessOptions();
        int n = binary.PixelCount;
        var (labels, areas) = ConnectedComponents.Label(binary);
        double minArea = o.MinRegionFraction * n;
        var keep = new bool[areas.Length];
        int removed = 0;
        for (int l = 1; l < areas.Length; l++)
        {
            keep[l] = areas[l] >= minArea;
            if (!keep[l]) removed++;
        }
        var mask = new byte[n];
        int foreground = 0;
        for (int i = 0; i < n; i++)
        {
            if (labels[i] != 0 && keep[labels[i]])
            {
                mask[i] = 1;
                foreground++;
            }
        }
        double fraction = foreground / (double)n;
        if (fraction < o.MinForegroundFraction)
        {
            string reason = areas.Length == 1
                ? "no pixel above the saliency threshold"
                : $"foreground {fraction:P2} after removing {removed} region(s) under {o.MinRegionFraction:P0} is below {o.MinForegroundFraction:P0}";
            return new PostProcessResult(null, fraction, removed, reason);
        }
        return new PostProcessResult(new ByteRaster(binary.Width, binary.Height, mask), fraction, removed, null);
    }

    /// <summary>
    /// Splits a kept mask into one 0/1 mask per 8-connected region, largest first — the authors' suggestion for
    /// scenes with several objects (issues #1, #2 of the official repository).
    /// </summary>
    public static IReadOnlyList<ByteRaster> SplitComponents(ByteRaster mask)
    {
        var (labels, areas) = ConnectedComponents.Label(mask);
        var order = Enumerable.Range(1, areas.Length - 1).OrderByDescending(l => areas[l]).ThenBy(l => l);
        var result = new List<ByteRaster>();
        foreach (int l in order)
        {
            var values = new byte[mask.PixelCount];
            for (int i = 0; i < values.Length; i++)
                values[i] = labels[i] == l ? (byte)1 : (byte)0;
            result.Add(new ByteRaster(mask.Width, mask.Height, values));
        }
        return result;
    }
}
