namespace MaskContrast.Core.Evaluation;

/// <summary>Scores after one probe epoch.</summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="LearningRate">Learning rate used in this epoch.</param>
/// <param name="Loss">Mean training cross-entropy over the epoch's batches.</param>
/// <param name="HeldOutMeanIoU">mIoU on the held-out part of the training split (selects the epoch).</param>
/// <param name="EvaluationMeanIoU">mIoU on the evaluation split, or null when none was given.</param>
public sealed record LinearProbeEpoch(int Epoch, double LearningRate, double Loss, double HeldOutMeanIoU, double? EvaluationMeanIoU);
