using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MaskContrast.Core.Loss;

/// <summary>The terms of one training step's objective. Tensors are scalars; <see cref="Total"/> carries the graph.</summary>
public sealed record LossTerms(Tensor Total, Tensor Contrastive, Tensor Saliency, double Top1, long ForegroundPixels) : IDisposable
{
    public void Dispose() { Total.Dispose(); Contrastive.Dispose(); Saliency.Dispose(); }
}

/// <summary>
/// The MaskContrast objective, top to bottom as the official code computes it
/// (wvangansbeke/Unsupervised-Semantic-Segmentation pretrain/modules/moco/builder.py, pretrain/utils/train_utils.py,
/// pretrain/modules/losses.py):
/// every foreground pixel of the query view is classified among the key-view prototypes of the batch and the queue,
/// its own image's prototype being the positive; the cross-entropy is weighted per image with E-Net weights
/// 1/ln(1.02 + p); a balanced BCE trains the saliency head on the query view (a plain BCE where the config asks for it).
/// </summary>
public static class MaskContrastLoss
{
    /// <summary>E-Net weighting constant (train_utils.py).</summary>
    public const double EnetConstant = 1.02;

    /// <param name="queryEmbeddings">[B, D, H, W] raw query embeddings (normalised here).</param>
    /// <param name="querySaliencyLogits">[B, H, W] saliency logits of the query view.</param>
    /// <param name="queryMask">[B, H, W] 0/1 object mask of the query view.</param>
    /// <param name="keyPrototypes">[B, D] normalised key prototypes (<see cref="KeyPrototypes"/>).</param>
    /// <param name="queue">[D, K] past key prototypes.</param>
    /// <param name="balancedSaliency">Balanced BCE (official) or the plain mean BCE for the saliency head.</param>
    public static LossTerms Compute(Tensor queryEmbeddings, Tensor querySaliencyLogits, Tensor queryMask,
        Tensor keyPrototypes, Tensor queue, double temperature, double saliencyWeight, bool balancedSaliency = true)
    {
        using var scope = NewDisposeScope();
        var saliency = balancedSaliency
            ? BalancedBce(querySaliencyLogits, queryMask)
            : functional.binary_cross_entropy_with_logits(querySaliencyLogits, queryMask.ge(0.5).to_type(querySaliencyLogits.dtype));

        var z = functional.normalize(queryEmbeddings, dim: 1);                       // [B, D, H, W]
        var (index, labels) = ForegroundPixels(queryMask);                              // [P], [P]
        long d = z.shape[1];
        var pixels = z.permute(0, 2, 3, 1).reshape(-1, d).index_select(0, index);     // [P, D]
        var logits = cat([pixels.mm(keyPrototypes.t()), pixels.mm(queue)], dim: 1) / temperature;   // [P, B + K]
        var weights = EnetWeights(labels, logits.shape[1]);                            // [B + K]
        var contrastive = WeightedCrossEntropy(logits, labels, weights);
        double top1 = labels.numel() == 0 ? 0 : logits.argmax(1).eq(labels).to_type(float32).mean().item<float>();

        var total = contrastive + saliencyWeight * saliency;
        return new LossTerms(total.MoveToOuterDisposeScope(), contrastive.detach().MoveToOuterDisposeScope(),
            saliency.detach().MoveToOuterDisposeScope(), top1, labels.numel());
    }

    /// <summary>Flat indices into B·H·W of the foreground pixels, and for each the batch index of its image (its class).</summary>
    public static (Tensor Index, Tensor Labels) ForegroundPixels(Tensor mask)
    {
        long hw = mask.shape[1] * mask.shape[2];
        var index = mask.reshape(-1).gt(0.5).nonzero().squeeze(1);                     // [P]
        return (index, index.div(hw, rounding_mode: RoundingMode.floor));
    }

    /// <summary>p_b = normalise(Σ_{x in key mask b} normalise(e_k[b, :, x])), shape [B, D]; an empty mask gives the zero vector.</summary>
    public static Tensor KeyPrototypes(Tensor keyEmbeddings, Tensor keyMask)
    {
        using var scope = NewDisposeScope();
        long b = keyEmbeddings.shape[0], d = keyEmbeddings.shape[1];
        var z = functional.normalize(keyEmbeddings, dim: 1).reshape(b, d, -1);        // [B, D, HW]
        var m = keyMask.reshape(b, -1, 1).to_type(z.dtype);                             // [B, HW, 1]
        var sum = z.bmm(m).squeeze(2);                                                  // [B, D]
        return functional.normalize(sum, dim: 1).MoveToOuterDisposeScope();
    }

    /// <summary>w_c = 1 / ln(1.02 + p_c) with p_c the fraction of selected pixels of class c (0 for absent classes and queue columns).</summary>
    public static Tensor EnetWeights(Tensor labels, long classes)
    {
        using var scope = NewDisposeScope();
        var counts = zeros(classes, dtype: float32, device: labels.device);
        if (labels.numel() > 0)
            counts.index_add_(0, labels, ones(labels.numel(), dtype: float32, device: labels.device), 1);
        var p = counts / Math.Max(1, labels.numel());
        return (1.0 / (p + EnetConstant).log()).MoveToOuterDisposeScope();
    }

    /// <summary>PyTorch's cross_entropy(weight = w, reduction = 'mean'): Σ w_y·nll / Σ w_y (not divided by the pixel count).</summary>
    public static Tensor WeightedCrossEntropy(Tensor logits, Tensor labels, Tensor weights)
    {
        if (labels.numel() == 0) return logits.sum() * 0;   // no foreground in the batch: a zero that keeps the graph
        var nll = -functional.log_softmax(logits, 1).gather(1, labels.unsqueeze(1)).squeeze(1);   // [P]
        var w = weights.index_select(0, labels);                                                   // [P]
        return (w * nll).sum() / w.sum();
    }

    /// <summary>
    /// HED-style balanced BCE over the whole batch (astmt BalancedCrossEntropyLoss, size_average): with w the fraction of
    /// background pixels, (w·Σ_fg −log σ(x) + (1 − w)·Σ_bg −log(1 − σ(x))) / (B·H·W).
    /// </summary>
    public static Tensor BalancedBce(Tensor logits, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var y = mask.ge(0.5).to_type(logits.dtype);
        var positives = y.sum();
        var w = (y.numel() - positives) / y.numel();
        var logProb = -functional.binary_cross_entropy_with_logits(logits, y, reduction: Reduction.None);   // log σ or log(1 − σ)
        var pos = -(y * logProb).sum();
        var neg = -((1 - y) * logProb).sum();
        return ((w * pos + (1 - w) * neg) / y.numel()).MoveToOuterDisposeScope();
    }
}
