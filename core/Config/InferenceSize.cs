namespace MaskContrast.Core.Config;

/// <summary>
/// The resolution a trained network segments at. A training view is a crop covering a fraction s of the image's area
/// (s in [cropScaleMin, cropScaleMax]), resized to cropSize²: the network saw whole images at cropSize/√s pixels a side,
/// up to cropSize/√cropScaleMin for the smallest crops. Inference resizes the whole image to that largest training
/// scale, rounded up to a multiple of 16: 288 for crop 128 and the official 0.2–1, and 512 for the paper's crop 224, the
/// size the official code evaluates VOC at. The largest scale rather than a middle one because objects then cover the
/// most feature cells the network has learned to read; measured on both synthetic families (README, "Inference size").
/// Because crops are fractions of the image, the rule does not depend on the input's pixel size: small inputs are
/// upsampled and large ones downsampled, as they were in training. A preset can fix the size instead
/// (<c>paper</c>: the official 512).
/// </summary>
public static class InferenceSize
{
    /// <summary><see cref="EvaluationConfig.Size"/> when set, else the training-scale rule.</summary>
    public static int For(TrainingConfig config) =>
        config.Evaluation.Size > 0 ? config.Evaluation.Size : FromTrainingScale(config.Data);

    public static int FromTrainingScale(DataConfig data)
    {
        double side = data.CropSize / Math.Sqrt(data.CropScaleMin);
        return Math.Clamp((int)Math.Ceiling(side / 16 - 1e-9) * 16, 16, 2048);
    }
}
