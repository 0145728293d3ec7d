using MaskContrast.Core.Data;
using static TorchSharp.torch;

namespace MaskContrast.Core.Evaluation;

/// <summary>
/// One image as the linear probe sees it: frozen features and the class map at the probe size.
/// </summary>
/// <param name="Features">[C, h, w] float32 or float16 (CPU), the frozen decoder output of the image.</param>
/// <param name="FlippedFeatures">[C, h, w] features of the horizontally flipped image (not flipped back), or null when flips are off.</param>
/// <param name="Labels">S×S class map (255 = ignore); the logits are upsampled to its size.</param>
public sealed record ProbeSample(Tensor Features, Tensor? FlippedFeatures, ByteRaster Labels) : IDisposable
{
    public void Dispose()
    {
        Features.Dispose();
        FlippedFeatures?.Dispose();
    }
}
