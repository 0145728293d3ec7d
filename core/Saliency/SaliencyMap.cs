namespace MaskContrast.Core.Saliency;

/// <summary>A saliency map: one float per pixel, row-major, values in [0, 1] (1 = salient).</summary>
public sealed record SaliencyMap(int Width, int Height, float[] Values)
{
    public int PixelCount => Width * Height;
}

/// <summary>A saliency estimator that needs no learned weights.</summary>
public interface ISaliencyEstimator
{
    /// <summary>Short name used on the command line and in reports (<c>mbplus</c>, <c>ft</c>).</summary>
    string Name { get; }

    /// <summary>Computes the saliency map of <paramref name="image"/> at the image's size, min-max normalised to [0, 1].</summary>
    SaliencyMap Estimate(Data.RgbImage image);
}

/// <summary>
/// An estimator that works at a reduced size: the generator hands it a cheaply downscaled decode and upsamples
/// and thresholds the small map in one pass, without a full-size float map per image.
/// </summary>
internal interface IWorkingSizeEstimator
{
    /// <summary>The longer side of the working size.</summary>
    int MaxSide { get; }

    /// <summary>The saliency map at the working size of <paramref name="image"/>, in [0, 1]; a span of the
    /// thread's workspace, valid until the next call on this thread.</summary>
    ReadOnlySpan<float> EstimateWorking(Data.RgbImage image, out int width, out int height);
}
