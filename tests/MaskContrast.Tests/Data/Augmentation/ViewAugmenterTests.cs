using MaskContrast.Core.Config;
using MaskContrast.Core.Data.Augmentation;
using MaskContrast.Core.Training;
using static TorchSharp.torch;

namespace MaskContrast.Tests.Data.Augmentation;

public class ViewAugmenterTests
{
    // A white L-shaped object on black: colour jitter keeps white brighter than black, so the mask can be recomputed
    // from the augmented pixels. The L is asymmetric, so a flip applied to only one of image and mask is caught.
    static (Tensor Image, Tensor Mask) LShape()
    {
        var mask = zeros(60, 80, dtype: uint8);
        mask[10..50, 10..25] = tensor((byte)1);
        mask[35..50, 10..60] = tensor((byte)1);
        return ((mask * 255).unsqueeze(0).expand(3, -1, -1).contiguous(), mask);
    }

    [Theory]
    [InlineData(0.0, 0.0)]      // the official transform
    [InlineData(180.0, 1.0)]    // with the small preset's rotation and channel permutation
    public void Views_MaskStaysAlignedWithImage(double rotationDegrees, double channelPermutation)
    {
        using var scope = NewDisposeScope();
        var config = Presets.Load("paper").Data with
        {
            CropSize = 64, RotationDegrees = rotationDegrees, ChannelPermutationProbability = channelPermutation,
        };
        var augmenter = new ViewAugmenter(config);
        var (image, mask) = LShape();
        var mean = tensor(ViewAugmenter.ImageNetMean).reshape(3, 1, 1);
        var std = tensor(ViewAugmenter.ImageNetStd).reshape(3, 1, 1);
        int checkedViews = 0;
        for (int i = 0; i < 60; i++)
        {
            using var view = augmenter.Apply(image, mask, new DeterministicRandom(5, i));
            Assert.Equal(new long[] { 3, 64, 64 }, view.Image.shape);
            Assert.Equal(new long[] { 64, 64 }, view.Mask.shape);
            var m = view.Mask.gt(0.5);
            long fg = m.sum().item<long>();
            if (fg < 50 || fg > 64 * 64 - 50) continue;   // a view almost all object or all background says little
            var pixels = (view.Image * std + mean).mean([0]);   // [S, S] back in [0, 1]
            var threshold = (pixels.max() + pixels.min()) / 2;
            var fromPixels = pixels.gt(threshold);
            double iou = (fromPixels & m).sum().item<long>() / (double)(fromPixels | m).sum().item<long>();
            Assert.True(iou > 0.85, $"view {i}: IoU of mask and recomputed mask {iou:F3}");
            checkedViews++;
        }
        Assert.True(checkedViews >= 20, $"only {checkedViews} informative views");
    }

    [Fact]
    public void Views_AreDeterministicPerStream()
    {
        using var scope = NewDisposeScope();
        var augmenter = new ViewAugmenter(Presets.Load("paper").Data with { CropSize = 32 });
        var (image, mask) = LShape();
        var a = augmenter.Apply(image, mask, new DeterministicRandom(1, 2, 3));
        var b = augmenter.Apply(image, mask, new DeterministicRandom(1, 2, 3));
        var c = augmenter.Apply(image, mask, new DeterministicRandom(1, 2, 4));
        Assert.True(a.Image.eq(b.Image).all().item<bool>());
        Assert.False(a.Image.allclose(c.Image));
    }

    [Fact]
    public void Rotate_QuarterTurnMovesPixelCentresExactly()
    {
        using var scope = NewDisposeScope();
        // 5×5, one marked pixel at the bottom centre (row 4, col 2). The sampling grid maps output (x, y) to input
        // (x cos a − y sin a, x sin a + y cos a); for a = 90° output (x, y) reads input (−y, x), so the input pixel at
        // normalised (0, 0.8) appears at output (0.8, 0): row 2, col 4. Centres land on centres, so both interpolations are exact.
        var mask = zeros(5, 5);
        mask[4, 2] = tensor(1f);
        var image = stack([mask * 0.25f, mask * 0.5f, mask]);
        var (rotated, rotatedMask) = ViewAugmenter.Rotate(image, mask, 90);
        var expected = zeros(5, 5);
        expected[2, 4] = tensor(1f);
        Assert.True(rotatedMask.allclose(expected, atol: 1e-6));
        Assert.True(rotated.allclose(stack([expected * 0.25f, expected * 0.5f, expected]), atol: 1e-5));
        // Corners that come from outside the view are black image and background mask.
        var (_, turned) = ViewAugmenter.Rotate(ones(3, 9, 9), ones(9, 9), 45);
        Assert.Equal(0f, turned[0, 0].item<float>());
        Assert.Equal(1f, turned[4, 4].item<float>());
    }

    [Fact]
    public void ChannelPermutation_ShufflesChannelsAndLeavesTheCropAlone()
    {
        using var scope = NewDisposeScope();
        // No jitter, grayscale or flip: the crop is the only other draw, so with and without permutation the views hold
        // the same three channels, in another order when a permutation other than the identity was drawn.
        var plain = Presets.Load("paper").Data with { CropSize = 16, JitterProbability = 0, GrayscaleProbability = 0, FlipProbability = 0 };
        var image = stack([full(20, 20, 10, dtype: uint8), full(20, 20, 120, dtype: uint8), full(20, 20, 240, dtype: uint8)]);
        image[.., 5..9, 5..9] = tensor((byte)60);
        var mask = zeros(20, 20, dtype: uint8);
        var mean = tensor(ViewAugmenter.ImageNetMean).reshape(3, 1, 1);
        var std = tensor(ViewAugmenter.ImageNetStd).reshape(3, 1, 1);
        int reordered = 0;
        for (int i = 0; i < 12; i++)
        {
            var a = new ViewAugmenter(plain).Apply(image, mask, new DeterministicRandom(3, i)).Image * std + mean;
            var b = new ViewAugmenter(plain with { ChannelPermutationProbability = 1 }).Apply(image, mask, new DeterministicRandom(3, i)).Image * std + mean;
            var sortedA = a.mean([1, 2]).argsort();
            var order = b.mean([1, 2]).argsort();
            Assert.True(a.index_select(0, sortedA).allclose(b.index_select(0, order), atol: 1e-5), $"view {i}: not a permutation of the same crop");
            if (!sortedA.eq(order).all().item<bool>()) reordered++;
        }
        Assert.InRange(reordered, 6, 12);   // 5 of 6 permutations reorder: expect about 10 of 12
    }

    [Fact]
    public void CropBox_StaysInsideImageAndRespectsScale()
    {
        var config = Presets.Load("paper").Data;
        var augmenter = new ViewAugmenter(config);
        var rng = new DeterministicRandom(9);
        for (int i = 0; i < 500; i++)
        {
            var (top, left, h, w) = augmenter.CropBox(375, 500, rng);
            Assert.InRange(top, 0, 375 - h);
            Assert.InRange(left, 0, 500 - w);
            Assert.InRange(h * (double)w / (375 * 500), 0.19, 1.0);   // 0.2 up to rounding, or the full fallback
        }
    }
}
