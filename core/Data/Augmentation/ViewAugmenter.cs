using MaskContrast.Core.Config;
using MaskContrast.Core.Training;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MaskContrast.Core.Data.Augmentation;

/// <summary>One augmented view: image [3, S, S] float32 ImageNet-normalised, mask [S, S] float32 0/1.</summary>
public sealed record AugmentedView(Tensor Image, Tensor Mask) : IDisposable
{
    public void Dispose() { Image.Dispose(); Mask.Dispose(); }
}

/// <summary>
/// The official view transform (pretrain/utils/common_config.py get_train_transformations): RandomResizedCrop with the same
/// box for image (bilinear, antialiased like PIL) and mask (nearest), ColorJitter with probability p, RandomGrayscale,
/// horizontal flip of both, ImageNet normalisation. Two options beyond the official transform, off unless configured
/// (<see cref="DataConfig.RotationDegrees"/>, <see cref="DataConfig.ChannelPermutationProbability"/>), take away the
/// orientation and colour of an object as cues that identify it across views; they draw from the random stream only when
/// enabled, so official views are unchanged.
/// </summary>
public sealed class ViewAugmenter(DataConfig config)
{
    public static readonly float[] ImageNetMean = [0.485f, 0.456f, 0.406f];
    public static readonly float[] ImageNetStd = [0.229f, 0.224f, 0.225f];

    /// <param name="image">[3, H, W] uint8.</param>
    /// <param name="mask">[H, W] uint8 0/1.</param>
    public AugmentedView Apply(Tensor image, Tensor mask, DeterministicRandom rng)
    {
        using var scope = NewDisposeScope();
        int h = (int)image.shape[1], w = (int)image.shape[2], s = config.CropSize;
        var (top, left, ch, cw) = CropBox(h, w, rng);
        var img = image.narrow(1, top, ch).narrow(2, left, cw).to_type(float32).div_(255).unsqueeze(0);   // [1, 3, ch, cw]
        img = functional.interpolate(img, [s, s], mode: InterpolationMode.Bilinear, align_corners: false, antialias: true)
            .squeeze(0).clamp_(0, 1);                                                                       // [3, S, S]
        var m = mask.narrow(0, top, ch).narrow(1, left, cw).to_type(float32).unsqueeze(0).unsqueeze(0);
        m = functional.interpolate(m, [s, s], mode: InterpolationMode.Nearest).squeeze(0).squeeze(0);      // [S, S]

        if (config.RotationDegrees > 0) (img, m) = Rotate(img, m, rng.Uniform(-config.RotationDegrees, config.RotationDegrees));
        if (rng.Chance(config.JitterProbability)) img = ColorJitter.Apply(img, config, rng);
        if (rng.Chance(config.GrayscaleProbability)) img = ColorJitter.Grayscale(img).expand(3, -1, -1);
        if (config.ChannelPermutationProbability > 0 && rng.Chance(config.ChannelPermutationProbability))
            img = img.index_select(0, tensor(rng.Permutation(3).Select(i => (long)i).ToArray()));
        if (rng.Chance(config.FlipProbability)) { img = img.flip(2); m = m.flip(1); }

        img = Normalize(img);
        return new AugmentedView(img.contiguous().MoveToOuterDisposeScope(), m.contiguous().MoveToOuterDisposeScope());
    }

    /// <summary>Rotates a [3, S, S] image (bilinear) and its [S, S] mask (nearest) by <paramref name="degrees"/> about the
    /// centre; what comes in from outside the view is black image and background mask.</summary>
    public static (Tensor Image, Tensor Mask) Rotate(Tensor img, Tensor mask, double degrees)
    {
        double a = degrees * Math.PI / 180, c = Math.Cos(a), s = Math.Sin(a);
        var theta = tensor(new float[] { (float)c, (float)-s, 0, (float)s, (float)c, 0 }, [1, 2, 3]);
        var grid = functional.affine_grid(theta, [1, 1, img.shape[1], img.shape[2]], align_corners: false);
        var rotated = functional.grid_sample(img.unsqueeze(0), grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false);
        var rotatedMask = functional.grid_sample(mask.unsqueeze(0).unsqueeze(0), grid, GridSampleMode.Nearest, GridSamplePaddingMode.Zeros, align_corners: false);
        return (rotated.squeeze(0), rotatedMask.squeeze(0).squeeze(0));
    }

    /// <summary>ImageNet normalisation of a [3, H, W] or [B, 3, H, W] image in [0, 1].</summary>
    public static Tensor Normalize(Tensor img)
    {
        long[] shape = img.dim() == 4 ? [1, 3, 1, 1] : [3, 1, 1];
        return (img - tensor(ImageNetMean, device: img.device).reshape(shape)) / tensor(ImageNetStd, device: img.device).reshape(shape);
    }

    /// <summary>torchvision RandomResizedCrop.get_params: 10 tries of (area, log-uniform ratio), then a clamped centre crop.</summary>
    public (int Top, int Left, int Height, int Width) CropBox(int h, int w, DeterministicRandom rng)
    {
        double area = (double)h * w, logLo = Math.Log(config.CropRatioMin), logHi = Math.Log(config.CropRatioMax);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double target = area * rng.Uniform(config.CropScaleMin, config.CropScaleMax);
            double ratio = Math.Exp(rng.Uniform(logLo, logHi));
            int cw = (int)Math.Round(Math.Sqrt(target * ratio)), ch = (int)Math.Round(Math.Sqrt(target / ratio));
            if (cw > 0 && ch > 0 && cw <= w && ch <= h)
                return (rng.NextInt(0, h - ch), rng.NextInt(0, w - cw), ch, cw);
        }
        double inRatio = (double)w / h;
        int fw = w, fh = h;
        if (inRatio < config.CropRatioMin) fh = (int)Math.Round(w / config.CropRatioMin);
        else if (inRatio > config.CropRatioMax) fw = (int)Math.Round(h * config.CropRatioMax);
        return ((h - fh) / 2, (w - fw) / 2, fh, fw);
    }
}
