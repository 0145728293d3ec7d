using MaskContrast.Core.Data;
using MaskContrast.Core.Data.Augmentation;
using MaskContrast.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskContrast.Core.Inference;

/// <summary>Turns decoded images into network inputs the way the official evaluation does (FixedResize, then ImageNet normalisation).</summary>
public static class ImageTensors
{
    /// <summary>[3, S, S] float32 ImageNet-normalised: bicubic resize without keeping the aspect ratio (cv2 INTER_CUBIC in the official code).</summary>
    public static Tensor FixedResize(RgbImage image, int size)
    {
        using var scope = NewDisposeScope();
        var x = TrainingSet.ToTensor(image).to_type(float32).div_(255).unsqueeze(0);             // [1, 3, H, W]
        x = nn.functional.interpolate(x, [size, size], mode: InterpolationMode.Bicubic, align_corners: false).clamp_(0, 1);
        return ViewAugmenter.Normalize(x.squeeze(0)).MoveToOuterDisposeScope();
    }
}
