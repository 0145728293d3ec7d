using MaskContrast.Core.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskContrast.Core.Evaluation;

/// <summary>
/// The per-image object prototype of the K-means and retrieval protocols:
/// <c>v = L2normalize( Σ_x emb[:, x] · s(x) · [s(x) &gt; 0.5] )</c>, where <c>emb</c> is the (not normalised) pixel
/// embedding [D, H, W] and <c>s</c> the saliency-head logits [H, W].
/// </summary>
/// <remarks>
/// Matches wvangansbeke/Unsupervised-Semantic-Segmentation segmentation/utils/kmeans_utils.py: pixels are weighted by
/// the raw logit and selected by thresholding the logit itself at 0.5 (≈ sigmoid 0.62), not the probability. We keep
/// that quirk so our numbers are comparable with the paper's. An image without salient pixels gets the zero vector
/// (normalisation with eps 1e-12, as torch.nn.functional.normalize).
/// </remarks>
public static class PrototypeFromEmbedding
{
    /// <summary>Logit threshold of the official evaluation (on logits, not probabilities).</summary>
    public const double SaliencyThreshold = 0.5;

    /// <summary>Prototypes of a batch: <paramref name="embedding"/> [B, D, H, W], <paramref name="saliencyLogits"/> [B, H, W] or [B, 1, H, W] → [B, D] float32, unit L2 norm (or zero).</summary>
    public static Tensor Compute(Tensor embedding, Tensor saliencyLogits)
    {
        if (embedding.dim() != 4)
        {
            throw new ArgumentException($"embedding must be [B, D, H, W], got [{string.Join(", ", embedding.shape)}]", nameof(embedding));
        }

        using var scope = NewDisposeScope();
        var s = saliencyLogits.dim() == 4 ? saliencyLogits.squeeze(1) : saliencyLogits;   // [B, H, W]
        if (s.dim() != 3 || s.shape[0] != embedding.shape[0] || s.shape[1] != embedding.shape[2] || s.shape[2] != embedding.shape[3])
        {
            throw new ArgumentException($"saliency logits [{string.Join(", ", saliencyLogits.shape)}] do not match embedding [{string.Join(", ", embedding.shape)}]; expected [B, H, W]", nameof(saliencyLogits));
        }

        var sal = s.to(float32);                                                             // [B, H, W]
        var weight = sal * (sal > SaliencyThreshold).to(float32);                            // [B, H, W]
        var emb = embedding.detach().to(float32);                                            // [B, D, H, W]
        var summed = (emb * weight.unsqueeze(1)).sum([2L, 3L]);                              // [B, D]
        var prototypes = nn.functional.normalize(summed, p: 2, dim: 1, eps: 1e-12);          // [B, D]
        return prototypes.MoveToOuterDisposeScope();
    }

    /// <summary>One image: <paramref name="embedding"/> [D, H, W], <paramref name="saliencyLogits"/> [H, W] → [D].</summary>
    public static Tensor ComputeOne(Tensor embedding, Tensor saliencyLogits)
    {
        using var scope = NewDisposeScope();
        var v = Compute(embedding.unsqueeze(0), saliencyLogits.unsqueeze(0)).squeeze(0);   // [D]
        return v.MoveToOuterDisposeScope();
    }

    /// <summary>The predicted object mask <c>s &gt; 0.5</c> of one image as a 0/1 raster; <paramref name="saliencyLogits"/> is [H, W].</summary>
    public static ByteRaster SalientMask(Tensor saliencyLogits)
    {
        if (saliencyLogits.dim() != 2)
        {
            throw new ArgumentException($"saliency logits must be [H, W], got [{string.Join(", ", saliencyLogits.shape)}]", nameof(saliencyLogits));
        }

        using var scope = NewDisposeScope();
        var mask = (saliencyLogits.detach().cpu() > SaliencyThreshold).to(uint8).contiguous(); // [H, W]
        return new ByteRaster((int)saliencyLogits.shape[1], (int)saliencyLogits.shape[0], mask.data<byte>().ToArray());
    }
}
