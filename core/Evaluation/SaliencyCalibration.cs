using static TorchSharp.torch;

namespace MaskContrast.Core.Evaluation;

/// <summary>
/// The saliency logits of a split counted in bins, separately over true-foreground and true-background pixels, so that
/// the foreground IoU at any threshold on the bin grid is read off without another pass over the split. The protocol
/// thresholds at logit 0.5; a head trained with the balanced BCE on small objects is best at a higher threshold.
/// </summary>
public sealed class SaliencyCalibration
{
    /// <summary>The grid: thresholds Low, Low + Step, …, High.</summary>
    public const double Low = -8, High = 8, Step = 0.25;
    const int Edges = (int)((High - Low) / Step) + 1;   // 65 thresholds on the grid
    // Bin 0: logit ≤ Low; bin j in 1..Edges−1: Low + (j−1)·Step < logit ≤ Low + j·Step; bin Edges: logit > High.
    readonly long[] _foreground = new long[Edges + 1], _background = new long[Edges + 1];

    /// <param name="logits">Saliency logits, any shape.</param>
    /// <param name="trueForeground">Same shape, nonzero on true-foreground pixels.</param>
    public void Add(Tensor logits, Tensor trueForeground)
    {
        if (!logits.shape.SequenceEqual(trueForeground.shape))
            throw new ArgumentException($"logits [{string.Join(", ", logits.shape)}] and foreground [{string.Join(", ", trueForeground.shape)}] differ in shape");
        using var scope = NewDisposeScope();
        // float64: x + 8 and the division by 0.25 are exact for every float32 logit, so "bin > k" is exactly "x > threshold".
        var bins = ((logits.detach().cpu().to_type(float64) - Low) / Step).ceil().clamp(0, Edges).to_type(int64).reshape(-1);
        var fg = trueForeground.cpu().reshape(-1).ne(0);
        Accumulate(_foreground, bins.masked_select(fg));
        Accumulate(_background, bins.masked_select(fg.logical_not()));
    }

    static void Accumulate(long[] counts, Tensor bins)
    {
        if (bins.numel() == 0) return;
        var add = bins.bincount(null, counts.Length).data<long>().ToArray();
        for (int i = 0; i < counts.Length; i++) counts[i] += add[i];
    }

    /// <summary>Foreground IoU of "logit &gt; threshold" against the true foreground over every pixel added.</summary>
    /// <param name="threshold">A grid point: Low, Low + Step, …, High (0.5 is the protocol's).</param>
    public double ForegroundIoU(double threshold)
    {
        int k = GridIndex(threshold);
        long tp = _foreground[(k + 1)..].Sum(), fn = _foreground[..(k + 1)].Sum(), fp = _background[(k + 1)..].Sum();
        return tp + fn + fp == 0 ? 0 : (double)tp / (tp + fn + fp);
    }

    /// <summary>Fraction of all pixels predicted foreground at the threshold (compare with <see cref="TrueForegroundFraction"/>).</summary>
    public double PredictedForegroundFraction(double threshold)
    {
        int k = GridIndex(threshold);
        long total = _foreground.Sum() + _background.Sum();
        return total == 0 ? 0 : (double)(_foreground[(k + 1)..].Sum() + _background[(k + 1)..].Sum()) / total;
    }

    public double TrueForegroundFraction
    {
        get
        {
            long fg = _foreground.Sum(), total = fg + _background.Sum();
            return total == 0 ? 0 : (double)fg / total;
        }
    }

    /// <summary>The grid threshold with the highest foreground IoU (the lowest one on ties).</summary>
    public double BestThreshold() =>
        Enumerable.Range(0, Edges).Select(k => Low + k * Step).MaxBy(ForegroundIoU);

    static int GridIndex(double threshold)
    {
        double k = (threshold - Low) / Step;
        if (k < 0 || k > Edges - 1 || Math.Abs(k - Math.Round(k)) > 1e-9)
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, $"threshold must be on the grid {Low}, {Low + Step}, …, {High}");
        return (int)Math.Round(k);
    }
}
