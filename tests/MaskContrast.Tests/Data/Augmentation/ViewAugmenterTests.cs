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

    [Fact]
    public void Views_MaskStaysAlignedWithImage()
    {
        using var scope = NewDisposeScope();
        var config = Presets.Load("paper").Data with { CropSize = 64 };
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
