using MaskContrast.Core.Data;

namespace MaskContrast.Core.Saliency;

/// <summary>
/// Quality of saliency maps and proposals against ground-truth foreground. Ground truth is a raster with
/// 0 = background, 1 = foreground and 255 = ignore (ignored pixels count nowhere, as VOC object boundaries).
/// </summary>
public static class SaliencyMetrics
{
    /// <summary>Weight of precision in the F-measure, β² = 0.3 (Achanta et al. 2009; standard in saliency benchmarks).</summary>
    public const double BetaSquared = 0.3;

    /// <summary>Foreground ground truth from VOC class indices: 0 → 0, 255 → 255 (ignore), any class → 1.</summary>
    public static ByteRaster ForegroundFromLabels(ByteRaster labels)
    {
        var values = new byte[labels.PixelCount];
        for (int i = 0; i < values.Length; i++)
            values[i] = labels.Values[i] switch { 0 => 0, 255 => 255, _ => 1 };
        return new ByteRaster(labels.Width, labels.Height, values);
    }

    /// <summary>Intersection over union of a 0/1 proposal (null = dropped = empty) with the foreground; 1 when both are empty.</summary>
    public static double IoU(ByteRaster? proposal, ByteRaster truth)
    {
        long inter = 0, union = 0;
        for (int i = 0; i < truth.PixelCount; i++)
        {
            if (truth.Values[i] == 255) continue;
            bool p = proposal is not null && proposal.Values[i] != 0, t = truth.Values[i] == 1;
            if (p && t) inter++;
            if (p || t) union++;
        }
        return union == 0 ? 1.0 : inter / (double)union;
    }

    /// <summary>Mean absolute error between the map (in [0, 1]) and the 0/1 foreground.</summary>
    public static double Mae(SaliencyMap map, ByteRaster truth)
    {
        double sum = 0;
        long count = 0;
        for (int i = 0; i < truth.PixelCount; i++)
        {
            if (truth.Values[i] == 255) continue;
            sum += Math.Abs(map.Values[i] - truth.Values[i]);
            count++;
        }
        return count == 0 ? 0 : sum / count;
    }

    /// <summary>F_β of the map binarised at the adaptive threshold min(2 × mean saliency, 1) (Achanta et al. 2009).</summary>
    public static double AdaptiveF(SaliencyMap map, ByteRaster truth)
    {
        double mean = 0;
        foreach (float v in map.Values) mean += v;
        mean /= map.PixelCount;
        float t = (float)Math.Min(2 * mean, 1.0);
        long tp = 0, fp = 0, fn = 0;
        for (int i = 0; i < truth.PixelCount; i++)
        {
            if (truth.Values[i] == 255) continue;
            bool p = map.Values[i] >= t, g = truth.Values[i] == 1;
            if (p && g) tp++;
            else if (p) fp++;
            else if (g) fn++;
        }
        return F(Ratio(tp, tp + fp), Ratio(tp, tp + fn));
    }

    /// <summary>F_β from precision and recall (0 when both are 0).</summary>
    public static double F(double precision, double recall) =>
        precision + recall <= 0 ? 0 : (1 + BetaSquared) * precision * recall / (BetaSquared * precision + recall);

    internal static double Ratio(long a, long b) => b == 0 ? 0 : a / (double)b;
}

/// <summary>
/// Accumulates per-image metrics over a dataset: mean proposal IoU (dropped images count as empty proposals),
/// mean MAE, mean adaptive F_β, and max F_β — the maximum over 256 thresholds of F computed from precision and recall
/// averaged over images (the usual "maxF" of saliency benchmarks). Not thread-safe; use one per thread and
/// <see cref="Merge"/>.
/// </summary>
public sealed class QualityAccumulator
{
    private const int Bins = 256;
    private readonly double[] _precision = new double[Bins];
    private readonly double[] _recall = new double[Bins];
    private double _iou, _mae, _adaptiveF;

    /// <summary>Images added.</summary>
    public int Count { get; private set; }

    /// <summary>Images whose proposal was dropped.</summary>
    public int Dropped { get; private set; }

    /// <summary>Adds one image: its saliency map, its post-processed proposal (null = dropped) and its ground truth.</summary>
    public void Add(SaliencyMap map, ByteRaster? proposal, ByteRaster truth)
    {
        Count++;
        if (proposal is null) Dropped++;
        _iou += SaliencyMetrics.IoU(proposal, truth);
        _mae += SaliencyMetrics.Mae(map, truth);
        _adaptiveF += SaliencyMetrics.AdaptiveF(map, truth);
        // Histogram of map values over foreground and background, then cumulative counts per threshold.
        var fg = new long[Bins];
        var bg = new long[Bins];
        for (int i = 0; i < truth.PixelCount; i++)
        {
            if (truth.Values[i] == 255) continue;
            int bin = Math.Clamp((int)(map.Values[i] * (Bins - 1) + 0.5f), 0, Bins - 1);
            if (truth.Values[i] == 1) fg[bin]++; else bg[bin]++;
        }
        long totalFg = fg.Sum(), tp = 0, fp = 0;
        for (int b = Bins - 1; b >= 0; b--)
        {
            tp += fg[b];
            fp += bg[b];
            _precision[b] += SaliencyMetrics.Ratio(tp, tp + fp);
            _recall[b] += SaliencyMetrics.Ratio(tp, totalFg);
        }
    }

    /// <summary>Adds another accumulator's sums into this one.</summary>
    public void Merge(QualityAccumulator other)
    {
        Count += other.Count;
        Dropped += other.Dropped;
        _iou += other._iou;
        _mae += other._mae;
        _adaptiveF += other._adaptiveF;
        for (int b = 0; b < Bins; b++)
        {
            _precision[b] += other._precision[b];
            _recall[b] += other._recall[b];
        }
    }

    /// <summary>The averages so far.</summary>
    public QualityReport Report()
    {
        int n = Math.Max(Count, 1);
        double maxF = 0;
        for (int b = 0; b < Bins; b++)
            maxF = Math.Max(maxF, SaliencyMetrics.F(_precision[b] / n, _recall[b] / n));
        return new QualityReport(Count, Dropped, _iou / n, _adaptiveF / n, maxF, _mae / n);
    }
}

/// <summary>Dataset-level quality: mean proposal IoU, mean adaptive F_β, max F_β, mean MAE (β² = 0.3).</summary>
public sealed record QualityReport(int Images, int Dropped, double MeanIoU, double AdaptiveF, double MaxF, double Mae);
