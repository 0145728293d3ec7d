namespace MaskContrast.Core.Config;

/// <summary>
/// The resolution a trained network segments at. A training view is a crop covering a fraction s of the image's area
/// (s in [cropScaleMin, cropScaleMax]), resized to cropSize²: the network saw whole images at cropSize/√s pixels a side.
/// Inference resizes the whole image to the geometric middle of that range, cropSize / (min·max)^¼ (192 for crop 128 and
/// the official 0.2–1; 336 for the paper's 224), rounded to a multiple of 8. Because crops are fractions of the image,
/// the rule does not depend on the input's pixel size: small inputs are upsampled and large ones downsampled, as they were
/// in training. A preset can fix the size instead (<c>paper</c>: the official 512).
/// </summary>
public static class InferenceSize
{
    /// <summary><see cref="EvaluationConfig.Size"/> when set, else the training-scale rule.</summary>
    public static int For(TrainingConfig config) =>
        config.Evaluation.Size > 0 ? config.Evaluation.Size : FromTrainingScale(config.Data);

    public static int FromTrainingScale(DataConfig data)
    {
        double side = data.CropSize / Math.Pow(data.CropScaleMin * data.CropScaleMax, 0.25);
        return Math.Clamp((int)Math.Round(side / 8) * 8, 16, 2048);
    }
}
