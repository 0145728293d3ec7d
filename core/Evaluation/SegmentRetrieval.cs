using MaskContrast.Core.Data;
using static TorchSharp.torch;

namespace MaskContrast.Core.Evaluation;

/// <summary>
/// The semantic segment-retrieval protocol (method spec §6.4): a memory bank of labelled object prototypes from the
/// training split; every evaluation image takes the label of its nearest bank prototype (dot product) on its predicted
/// object mask, background elsewhere; mIoU over the split.
/// </summary>
/// <remarks>
/// Matches wvangansbeke/Unsupervised-Semantic-Segmentation segmentation/retrieval.py and utils/retrieval_utils.py: the
/// prototype and mask come from <see cref="PrototypeFromEmbedding"/> (logit &gt; 0.5); a bank image is skipped when no
/// pixel is salient or when its ground truth inside the mask is only {0, 255}; its label is the most frequent ground-truth
/// class inside the mask other than 0 and 255 (the highest id on ties: utils/retrieval_utils.py takes max over (count, class) pairs); ignored classes become
/// 255 in both splits first. Scored "online", at the resolution of the masks and ground truth handed in.
/// </remarks>
public static class SegmentRetrieval
{
    /// <summary>Both splits from <see cref="SplitInference.Run"/> at the same size (paper: bank = VOC train, queries = val, 512×512).</summary>
    public static RetrievalResult Evaluate(SplitOutputs bank, SplitOutputs queries, RetrievalOptions options) =>
        Evaluate(bank.Prototypes, bank.PredictedMasks, bank.GroundTruth, queries.Prototypes, queries.PredictedMasks, queries.GroundTruth, options);

    /// <param name="bankPrototypes">[N, D] prototypes of the bank split (unit norm or zero).</param>
    /// <param name="bankMasks">N predicted object masks (0/1).</param>
    /// <param name="bankTruth">N class maps (255 = ignore), same sizes as the masks.</param>
    /// <param name="queryPrototypes">[M, D] prototypes of the evaluated split.</param>
    /// <param name="queryMasks">M predicted object masks (0/1).</param>
    /// <param name="queryTruth">M class maps (255 = ignore), same sizes as the masks.</param>
    /// <param name="options">Class count, ignored classes, whether background enters the mean.</param>
    public static RetrievalResult Evaluate(Tensor bankPrototypes, IReadOnlyList<ByteRaster> bankMasks, IReadOnlyList<ByteRaster> bankTruth,
        Tensor queryPrototypes, IReadOnlyList<ByteRaster> queryMasks, IReadOnlyList<ByteRaster> queryTruth, RetrievalOptions options)
    {
        options.Validate();
        CheckSplit(bankPrototypes, bankMasks, bankTruth, nameof(bankPrototypes));
        CheckSplit(queryPrototypes, queryMasks, queryTruth, nameof(queryPrototypes));
        if (bankPrototypes.shape[1] != queryPrototypes.shape[1])
        {
            throw new ArgumentException($"bank prototypes have {bankPrototypes.shape[1]} dims but queries have {queryPrototypes.shape[1]}", nameof(queryPrototypes));
        }

        var lookup = IgnoreLookup(options);

        // Memory bank.
        var bankImages = new List<int>();
        var bankLabels = new List<int>();
        int noSalient = 0, noObject = 0;
        for (int i = 0; i < bankMasks.Count; i++)
        {
            int? label = BankLabel(bankMasks[i], bankTruth[i], lookup, out bool hasSalient);
            if (!hasSalient) noSalient++;
            else if (label is null) noObject++;
            else
            {
                bankImages.Add(i);
                bankLabels.Add(label.Value);
            }
        }

        // Nearest bank entry per query by dot product; the first on ties.
        var neighbours = Nearest(bankPrototypes, bankImages, queryPrototypes);
        var meter = new SegmentationMeter(options.NumClasses);
        var queryLabels = new int[queryMasks.Count];
        for (int q = 0; q < queryMasks.Count; q++)
        {
            int label = neighbours[q] < 0 ? 0 : bankLabels[neighbours[q]];
            queryLabels[q] = label;
            var mask = queryMasks[q].Values;
            var truth = queryTruth[q].Values;
            var prediction = new byte[mask.Length];
            var remapped = new byte[truth.Length];
            for (int p = 0; p < mask.Length; p++)
            {
                prediction[p] = mask[p] != 0 ? (byte)label : (byte)0;
                remapped[p] = lookup[truth[p]];
            }

            meter.Update(prediction, remapped);
        }

        var scores = meter.Scores();
        var scored = options.ScoredClasses;
        return new RetrievalResult(scored.Average(c => scores.IoU[c]), scored, scores, bankLabels, bankImages, noSalient, noObject, queryLabels, neighbours);
    }

    /// <summary>The most frequent class other than 0 and 255 under the mask (highest on ties); null when there is none.</summary>
    public static int? MajorityObjectClass(ByteRaster mask, ByteRaster truth) => BankLabel(mask, truth, s_identityLookup, out _);

    static readonly byte[] s_identityLookup = Enumerable.Range(0, 256).Select(v => (byte)v).ToArray();

    /// <summary>
    /// The bank label of one image: the most frequent remapped ground-truth class inside the mask other than 0 and 255
    /// (highest on ties), or null when the mask is empty (<paramref name="hasSalient"/> false) or holds only 0 and 255.
    /// </summary>
    internal static int? BankLabel(ByteRaster mask, ByteRaster truth, byte[] lookup, out bool hasSalient)
    {
        var counts = new long[256];
        hasSalient = false;
        for (int p = 0; p < mask.PixelCount; p++)
        {
            if (mask.Values[p] == 0) continue;
            hasSalient = true;
            counts[lookup[truth.Values[p]]]++;
        }

        int best = -1;
        for (int c = 1; c < 255; c++)
        {
            if (counts[c] > 0 && (best < 0 || counts[c] >= counts[best])) best = c;   // highest id on ties
        }

        // A label ≥ C (only with malformed ground truth) is kept: the meter scores it as a miss, as the official code would.
        return best < 0 ? null : best;
    }

    /// <summary>Ground-truth value → value after the remap (ignored classes → 255, everything else unchanged).</summary>
    static byte[] IgnoreLookup(RetrievalOptions options)
    {
        var lookup = new byte[256];
        for (int v = 0; v < 256; v++) lookup[v] = options.IgnoredClasses.Contains(v) ? SegmentationMeter.IgnoreIndex : (byte)v;
        return lookup;
    }

    static int[] Nearest(Tensor bankPrototypes, IReadOnlyList<int> bankImages, Tensor queryPrototypes)
    {
        int m = (int)queryPrototypes.shape[0];
        if (bankImages.Count == 0) return Enumerable.Repeat(-1, m).ToArray();
        using var scope = NewDisposeScope();
        var index = tensor(bankImages.Select(i => (long)i).ToArray());
        var bank = bankPrototypes.detach().cpu().to_type(float32).index_select(0, index);    // [K, D]
        var sim = queryPrototypes.detach().cpu().to_type(float32).matmul(bank.t()).contiguous();   // [M, K]
        var values = sim.data<float>().ToArray();
        int k = bankImages.Count;
        var nearest = new int[m];
        for (int q = 0; q < m; q++)
        {
            int best = 0;
            for (int j = 1; j < k; j++)
            {
                if (values[q * k + j] > values[q * k + best]) best = j;
            }

            nearest[q] = best;
        }

        return nearest;
    }

    static void CheckSplit(Tensor prototypes, IReadOnlyList<ByteRaster> masks, IReadOnlyList<ByteRaster> truth, string name)
    {
        if (prototypes.dim() != 2) throw new ArgumentException($"prototypes must be [N, D], got [{string.Join(", ", prototypes.shape)}]", name);
        if (prototypes.shape[0] != masks.Count || masks.Count != truth.Count)
        {
            throw new ArgumentException($"{prototypes.shape[0]} prototypes, {masks.Count} masks and {truth.Count} ground-truth maps: one of each per image", name);
        }

        for (int i = 0; i < masks.Count; i++)
        {
            if (masks[i].Width != truth[i].Width || masks[i].Height != truth[i].Height)
            {
                throw new ArgumentException($"image {i}: mask is {masks[i].Width}x{masks[i].Height} but ground truth is {truth[i].Width}x{truth[i].Height}; resize both to the evaluation size", name);
            }
        }
    }
}
