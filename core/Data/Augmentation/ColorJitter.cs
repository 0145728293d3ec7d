using MaskContrast.Core.Config;
using MaskContrast.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskContrast.Core.Data.Augmentation;

/// <summary>torchvision ColorJitter on a [3, H, W] float image in [0, 1]: the four adjustments in a random order, each with a random factor.</summary>
public static class ColorJitter
{
    public static Tensor Apply(Tensor img, DataConfig c, DeterministicRandom rng)
    {
        double b = rng.Uniform(Math.Max(0, 1 - c.Brightness), 1 + c.Brightness);
        double k = rng.Uniform(Math.Max(0, 1 - c.Contrast), 1 + c.Contrast);
        double s = rng.Uniform(Math.Max(0, 1 - c.Saturation), 1 + c.Saturation);
        double hue = rng.Uniform(-c.Hue, c.Hue);
        foreach (int op in rng.Permutation(4))
        {
            img = op switch
            {
                0 => Blend(img, zeros_like(img), b),
                1 => Blend(img, Grayscale(img).mean(), k),
                2 => Blend(img, Grayscale(img), s),
                _ => c.Hue > 0 ? ShiftHue(img, hue) : img,
            };
        }
        return img;
    }

    /// <summary>ITU-R 601-2 luma, as torchvision's rgb_to_grayscale: [3, H, W] → [1, H, W].</summary>
    public static Tensor Grayscale(Tensor img) =>
        (0.299 * img[0] + 0.587 * img[1] + 0.114 * img[2]).unsqueeze(0);

    static Tensor Blend(Tensor img, Tensor other, double factor) => (factor * img + (1 - factor) * other).clamp_(0, 1);

    /// <summary>RGB → HSV, rotate the hue by <paramref name="shift"/> turns, HSV → RGB.</summary>
    static Tensor ShiftHue(Tensor img, double shift)
    {
        var (r, g, b) = (img[0], img[1], img[2]);
        var max = img.amax(0);
        var min = img.amin(0);
        var delta = max - min;
        var safe = where(delta.eq(0), ones_like(delta), delta);
        var h = where(max.eq(r), ((g - b) / safe).remainder(6),
                where(max.eq(g), (b - r) / safe + 2, (r - g) / safe + 4)) / 6;
        h = where(delta.eq(0), zeros_like(h), h);
        h = (h + shift).remainder(1.0);
        var sat = where(max.eq(0), zeros_like(max), delta / where(max.eq(0), ones_like(max), max));
        var v = max;
        var h6 = h * 6;
        Tensor Channel(double n)
        {
            var kk = (h6 + n).remainder(6);
            return v - v * sat * minimum(minimum(kk, 4 - kk), ones_like(kk)).clamp(0, 1);
        }
        return stack([Channel(5), Channel(3), Channel(1)]);
    }
}
