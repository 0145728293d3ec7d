using MaskContrast.Core.Data;

namespace MaskContrast.Core.Evaluation;

/// <summary>
/// Accumulates a confusion matrix over a whole split and derives TP/FP/FN and IoU per class exactly as the official
/// mIoU: counts are summed over all images first (not averaged per image), ground-truth pixels equal to
/// <see cref="IgnoreIndex"/> (255) are skipped, background is class 0 and counted like any other class,
/// <c>IoU_c = TP_c / max(TP_c + FP_c + FN_c, 1e-8)</c> and mIoU is the plain mean over all classes.
/// </summary>
/// <remarks>
/// Matches wvangansbeke/Unsupervised-Semantic-Segmentation segmentation/utils/utils.py (SemsegMeter). Values outside
/// 0..C−1 behave as there: a prediction outside the range is a miss (FN) for the ground-truth class, a ground-truth
/// value outside the range (other than 255) is a false positive for the predicted class. They are kept in an extra
/// "other" row/column so the C×C matrix stays exact.
/// </remarks>
public sealed class SegmentationMeter
{
    /// <summary>Ground-truth value that is not scored (VOC "void").</summary>
    public const byte IgnoreIndex = 255;

    // Row = ground truth, column = prediction, both 0..C where index C means "outside 0..C−1".
    private readonly long[,] _counts;

    /// <summary>Creates an empty meter for <paramref name="numClasses"/> classes (21 for VOC, background included).</summary>
    public SegmentationMeter(int numClasses)
    {
        if (numClasses is < 1 or > 255)
        {
            throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "the number of classes must be in 1..255 (255 is the ignore value)");
        }

        NumClasses = numClasses;
        _counts = new long[numClasses + 1, numClasses + 1];
    }

    /// <summary>Number of classes C, background included.</summary>
    public int NumClasses { get; }

    /// <summary>Adds one image: <paramref name="prediction"/> and <paramref name="groundTruth"/> are row-major label maps of equal length.</summary>
    public void Update(ReadOnlySpan<byte> prediction, ReadOnlySpan<byte> groundTruth)
    {
        if (prediction.Length != groundTruth.Length)
        {
            throw new ArgumentException($"prediction has {prediction.Length} pixels but ground truth has {groundTruth.Length}; resize the prediction to the ground-truth size first", nameof(prediction));
        }

        int c = NumClasses;
        for (int i = 0; i < prediction.Length; i++)
        {
            byte g = groundTruth[i];
            if (g == IgnoreIndex)
            {
                continue;
            }

            _counts[Math.Min((int)g, c), Math.Min((int)prediction[i], c)]++;
        }
    }

    /// <summary>Adds one image given as rasters of the same width and height.</summary>
    public void Update(ByteRaster prediction, ByteRaster groundTruth)
    {
        if (prediction.Width != groundTruth.Width || prediction.Height != groundTruth.Height)
        {
            throw new ArgumentException($"prediction is {prediction.Width}x{prediction.Height} but ground truth is {groundTruth.Width}x{groundTruth.Height}; resize the prediction (nearest) first", nameof(prediction));
        }

        Update(prediction.Values, groundTruth.Values);
    }

    /// <summary>
    /// Adds <paramref name="count"/> pixels with the given ground truth and prediction at once; used by the protocols,
    /// which know per image how many pixels of each class fall inside and outside the salient mask.
    /// </summary>
    internal void Add(int groundTruth, int prediction, long count)
    {
        if (groundTruth == IgnoreIndex)
        {
            return;
        }

        _counts[Math.Min(groundTruth, NumClasses), Math.Min(prediction, NumClasses)] += count;
    }

    /// <summary>The C×C confusion matrix over scored pixels, <c>[groundTruth, prediction]</c>; out-of-range values are left out.</summary>
    public long[,] ConfusionMatrix()
    {
        var m = new long[NumClasses, NumClasses];
        for (int g = 0; g < NumClasses; g++)
        {
            for (int p = 0; p < NumClasses; p++)
            {
                m[g, p] = _counts[g, p];
            }
        }

        return m;
    }

    /// <summary>
    /// A new meter whose predictions are relabelled: prediction label p becomes <c>labelMap[p]</c> (a class in
    /// 0..C−1, or −1 for "no class", which scores as a miss). Equivalent to remapping every prediction map and
    /// accumulating again, without a second pass over the pixels.
    /// </summary>
    /// <param name="labelMap">One entry per prediction label 0..C−1.</param>
    public SegmentationMeter Remap(IReadOnlyList<int> labelMap)
    {
        if (labelMap.Count != NumClasses)
        {
            throw new ArgumentException($"labelMap has {labelMap.Count} entries but the meter has {NumClasses} labels", nameof(labelMap));
        }

        var remapped = new SegmentationMeter(NumClasses);
        for (int p = 0; p <= NumClasses; p++)
        {
            int target = p == NumClasses || labelMap[p] < 0 || labelMap[p] >= NumClasses ? NumClasses : labelMap[p];
            for (int g = 0; g <= NumClasses; g++)
            {
                remapped._counts[g, target] += _counts[g, p];
            }
        }

        return remapped;
    }

    /// <summary>
    /// IoU between every prediction label and every ground-truth class over the split, <c>[prediction, class]</c>,
    /// each cell treating the pair as a binary problem (the matrix the official Hungarian matching maximises).
    /// </summary>
    public double[,] PairwiseIoU()
    {
        int c = NumClasses;
        var predTotals = new long[c + 1];
        var gtTotals = new long[c + 1];
        for (int g = 0; g <= c; g++)
        {
            for (int p = 0; p <= c; p++)
            {
                predTotals[p] += _counts[g, p];
                gtTotals[g] += _counts[g, p];
            }
        }

        var iou = new double[c, c];
        for (int p = 0; p < c; p++)
        {
            for (int g = 0; g < c; g++)
            {
                long tp = _counts[g, p];
                iou[p, g] = tp / Math.Max(predTotals[p] + gtTotals[g] - tp, 1e-8);
            }
        }

        return iou;
    }

    /// <summary>TP, FP, FN, IoU per class and the mean over classes for everything added so far.</summary>
    public SegmentationScores Scores()
    {
        int c = NumClasses;
        var tp = new long[c];
        var fp = new long[c];
        var fn = new long[c];
        var iou = new double[c];
        long total = 0;
        long correct = 0;
        for (int g = 0; g <= c; g++)
        {
            for (int p = 0; p <= c; p++)
            {
                long n = _counts[g, p];
                total += n;
                if (g == p && g < c)
                {
                    tp[g] += n;
                    correct += n;
                    continue;
                }

                if (p < c)
                {
                    fp[p] += n;
                }

                if (g < c)
                {
                    fn[g] += n;
                }
            }
        }

        for (int k = 0; k < c; k++)
        {
            iou[k] = tp[k] / Math.Max((double)(tp[k] + fp[k] + fn[k]), 1e-8);
        }

        return new SegmentationScores(iou.Average(), iou, tp, fp, fn, ConfusionMatrix(), total, total == 0 ? 0 : (double)correct / total);
    }
}
