using MaskContrast.Core.Evaluation;
using static TorchSharp.torch;

namespace MaskContrast.Tests.Evaluation;

public class PrototypeFromEmbeddingTests
{
    [Fact]
    public void ComputeOne_HandComputedImage_WeightsByLogitAboveThreshold()
    {
        // D = 2, H = 1, W = 3. Logits 0.4 (sigmoid 0.6, still excluded: the threshold is on the logit), 1 and 2.
        using var emb = tensor(new float[] { 1, 2, 3, 0, 1, 0 }, [2, 1, 3]);   // [D, H, W]
        using var sal = tensor(new float[] { 0.4f, 1f, 2f }, [1, 3]);          // [H, W]

        using var v = PrototypeFromEmbedding.ComputeOne(emb, sal);              // [D]

        // Σ emb · s over salient pixels = (2·1 + 3·2, 1·1 + 0·2) = (8, 1), then unit norm.
        float[] values = v.data<float>().ToArray();
        Assert.Equal([2L], v.shape);
        Assert.Equal(8 / Math.Sqrt(65), values[0], 6);
        Assert.Equal(1 / Math.Sqrt(65), values[1], 6);
    }

    [Fact]
    public void Compute_BatchOfOneAndTwo_KeepsBatchAxisAndZeroForEmptyMask()
    {
        using var emb = ones(2, 4, 3, 3);             // [B, D, H, W]
        using var sal = full(2, 1, 3, 3, -1f);        // [B, 1, H, W]: nothing salient
        sal[1, 0, 1, 1] = tensor(5f);                 // one salient pixel in image 1

        using var both = PrototypeFromEmbedding.Compute(emb, sal);                          // [2, 4]
        using var single = PrototypeFromEmbedding.Compute(emb.narrow(0, 0, 1), sal.narrow(0, 0, 1)); // [1, 4]

        Assert.Equal([2L, 4L], both.shape);
        Assert.Equal([1L, 4L], single.shape);
        Assert.All(both[0].data<float>().ToArray(), x => Assert.Equal(0f, x));
        Assert.All(both[1].data<float>().ToArray(), x => Assert.Equal(0.5f, x, 6));
    }

    [Fact]
    public void SalientMask_Logits_ThresholdsAtHalfRowMajor()
    {
        using var sal = tensor(new float[] { 0.5f, 0.51f, -2f, 3f, 0f, 0.6f }, [2, 3]);   // [H, W]

        var mask = PrototypeFromEmbedding.SalientMask(sal);

        Assert.Equal(3, mask.Width);
        Assert.Equal(2, mask.Height);
        Assert.Equal([0, 1, 0, 1, 0, 1], mask.Values);
    }
}
