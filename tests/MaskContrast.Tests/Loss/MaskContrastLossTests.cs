using System.Text.Json;
using MaskContrast.Core.Loss;
using static TorchSharp.torch;

namespace MaskContrast.Tests.Loss;

public class MaskContrastLossTests
{
    sealed record Case(int B, int D, int H, int W, int K, double T, float[] EmbQ, float[] SalQ, float[] MaskQ, float[] EmbK,
        float[] MaskK, float[] Queue, long[] Labels, float[] Prototypes, float[] EnetWeights, double Contrastive, double Saliency, double Total);

    // Golden/loss_case.json: the official computation run in PyTorch (Golden/make_golden.py) on a 2-image, 3×3 case.
    static readonly Case Golden = JsonSerializer.Deserialize<Case>(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "loss_case.json")), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

    static Tensor T(float[] v, params long[] shape) => tensor(v).reshape(shape);

    [Fact]
    public void ForegroundPixels_LabelsAreBatchIndexOfEachForegroundPixel()
    {
        var g = Golden;
        var (_, labels) = MaskContrastLoss.ForegroundPixels(T(g.MaskQ, g.B, g.H, g.W));
        Assert.Equal(g.Labels, labels.data<long>().ToArray());
    }

    [Fact]
    public void ForegroundPixels_HandCase_IndexAndLabel()
    {
        // two 2×2 masks: image 0 has pixels 1 and 2, image 1 has pixel 3 → flat indices 1, 2, 7 and labels 0, 0, 1
        var (index, labels) = MaskContrastLoss.ForegroundPixels(tensor(new float[] { 0, 1, 1, 0, 0, 0, 0, 1 }).reshape(2, 2, 2));
        Assert.Equal(new long[] { 1, 2, 7 }, index.data<long>().ToArray());
        Assert.Equal(new long[] { 0, 0, 1 }, labels.data<long>().ToArray());
    }

    [Fact]
    public void KeyPrototypes_MatchOfficialBmmOfNormalisedEmbeddings()
    {
        var g = Golden;
        var p = MaskContrastLoss.KeyPrototypes(T(g.EmbK, g.B, g.D, g.H, g.W), T(g.MaskK, g.B, g.H, g.W));
        AssertClose(g.Prototypes, p.data<float>().ToArray(), 1e-5);
    }

    [Fact]
    public void KeyPrototypes_HandCase_IsDirectionOfMeanOfNormalisedPixels()
    {
        // One image, D = 2, three pixels (3,0), (0,2), (5,5); mask keeps the first two → normalise((1,0) + (0,1)) = (0.7071, 0.7071)
        var emb = tensor(new float[] { 3, 0, 5, 0, 2, 5 }).reshape(1, 2, 1, 3);
        var p = MaskContrastLoss.KeyPrototypes(emb, tensor(new float[] { 1, 1, 0 }).reshape(1, 1, 3));
        AssertClose([0.70710678f, 0.70710678f], p.data<float>().ToArray(), 1e-6);
    }

    [Fact]
    public void EnetWeights_HandCase_OneOverLogOfFrequencyPlusConstant()
    {
        // labels 0,0,0,1 of 3 classes: p = (0.75, 0.25, 0) → w = 1/ln(1.77), 1/ln(1.27), 1/ln(1.02)
        var w = MaskContrastLoss.EnetWeights(tensor(new long[] { 0, 0, 0, 1 }), 3).data<float>().ToArray();
        AssertClose([(float)(1 / Math.Log(1.77)), (float)(1 / Math.Log(1.27)), (float)(1 / Math.Log(1.02))], w, 1e-5);
    }

    [Fact]
    public void EnetWeights_GoldenCase_MatchPyTorch()
    {
        var g = Golden;
        var w = MaskContrastLoss.EnetWeights(tensor(g.Labels), g.B + g.K).data<float>().ToArray();
        AssertClose(g.EnetWeights, w, 1e-5);
    }

    [Fact]
    public void WeightedCrossEntropy_HandCase_DividesBySumOfWeightsNotCount()
    {
        // two pixels, logits (0,0) both → nll = ln 2 each; weights 3 and 1 → (3·ln2 + 1·ln2) / (3 + 1) = ln 2
        // and with logits (ln 3, 0) for the first → nll0 = ln(4/3): (3·ln(4/3) + ln 2)/4
        var logits = tensor(new float[] { (float)Math.Log(3), 0, 0, 0 }).reshape(2, 2);
        var loss = MaskContrastLoss.WeightedCrossEntropy(logits, tensor(new long[] { 0, 1 }), tensor(new float[] { 3, 1 }));
        Assert.Equal((3 * Math.Log(4.0 / 3) + Math.Log(2)) / 4, loss.item<float>(), 5);
    }

    [Fact]
    public void BalancedBce_HandCase_WeighsForegroundByBackgroundFraction()
    {
        // logits 0 everywhere: every pixel loss ln 2; 1 fg of 4 → w = 0.75: (0.75·ln2 + 0.25·3·ln2)/4 = 0.375·ln 2
        var loss = MaskContrastLoss.BalancedBce(zeros(1, 2, 2), tensor(new float[] { 1, 0, 0, 0 }).reshape(1, 2, 2));
        Assert.Equal(0.375 * Math.Log(2), loss.item<float>(), 6);
    }

    [Fact]
    public void Compute_PlainSaliency_IsTheUnweightedMeanBce()
    {
        // One image, 1 fg pixel of 4, logits (ln 3, 0, 0, ln 3): fg pixel −ln σ(ln 3) = ln(4/3); bg pixels ln 2, ln 2, ln 4.
        // Plain mean: (ln(4/3) + 2·ln 2 + ln 4)/4; the balanced loss (w = 0.75) would be (0.75·ln(4/3) + 0.25·(2·ln 2 + ln 4))/4.
        var logits = tensor(new float[] { (float)Math.Log(3), 0, 0, (float)Math.Log(3) }).reshape(1, 2, 2);
        var mask = tensor(new float[] { 1, 0, 0, 0 }).reshape(1, 2, 2);
        var emb = ones(1, 2, 2, 2);
        using var plain = MaskContrastLoss.Compute(emb, logits, mask, eye(2).narrow(0, 0, 1), zeros(2, 0), 0.5, 1, balancedSaliency: false);
        using var balanced = MaskContrastLoss.Compute(emb, logits, mask, eye(2).narrow(0, 0, 1), zeros(2, 0), 0.5, 1);
        Assert.Equal((Math.Log(4.0 / 3) + 2 * Math.Log(2) + Math.Log(4)) / 4, plain.Saliency.item<float>(), 5);
        Assert.Equal((0.75 * Math.Log(4.0 / 3) + 0.25 * (2 * Math.Log(2) + Math.Log(4))) / 4, balanced.Saliency.item<float>(), 5);
    }

    [Fact]
    public void Compute_GoldenCase_MatchesOfficialLossInPyTorch()
    {
        var g = Golden;
        using var terms = MaskContrastLoss.Compute(T(g.EmbQ, g.B, g.D, g.H, g.W), T(g.SalQ, g.B, g.H, g.W), T(g.MaskQ, g.B, g.H, g.W),
            tensor(g.Prototypes).reshape(g.B, g.D), T(g.Queue, g.D, g.K), g.T, saliencyWeight: 1);
        Assert.Equal(g.Contrastive, terms.Contrastive.item<float>(), 4);
        Assert.Equal(g.Saliency, terms.Saliency.item<float>(), 4);
        Assert.Equal(g.Total, terms.Total.item<float>(), 4);
        Assert.Equal(g.Labels.Length, terms.ForegroundPixels);
    }

    [Fact]
    public void Compute_PerfectlyAlignedPixels_LowLossAndFullTop1()
    {
        // Each image's pixels point exactly at its own prototype, orthogonal to the other; queue empty.
        var emb = zeros(2, 2, 1, 2);
        emb[0, 0] = ones(1, 2);
        emb[1, 1] = ones(1, 2);
        var protos = eye(2);
        using var terms = MaskContrastLoss.Compute(emb, zeros(2, 1, 2), ones(2, 1, 2), protos, zeros(2, 0), 0.5, 0);
        Assert.Equal(1.0, terms.Top1);
        Assert.Equal(Math.Log(1 + Math.Exp(-2)), terms.Contrastive.item<float>(), 5);   // logits (2, 0) → −log softmax
    }

    // tol is relative for values above 1 in magnitude, absolute below
    static void AssertClose(float[] expected, float[] actual, double tol)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * Math.Max(1, Math.Abs(expected[i])), $"element {i}: expected {expected[i]}, got {actual[i]}");
    }
}
