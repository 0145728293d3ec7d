namespace MaskContrast.Core.Evaluation;

/// <summary>Outcome of <see cref="LinearProbe"/>.</summary>
/// <param name="Epochs">Per-epoch learning rate, loss and scores.</param>
/// <param name="ChosenEpoch">Epoch with the best held-out mIoU (earliest on ties): our reported model.</param>
/// <param name="HeldOut">Held-out scores of the chosen epoch.</param>
/// <param name="Evaluation">Evaluation-split scores of the chosen epoch (background included, 255 ignored), or null without an evaluation split. The number to report.</param>
/// <param name="OfficialSelectionEpoch">Epoch with the best evaluation mIoU, as the official code selects (on the test split, so optimistic), or null.</param>
/// <param name="OfficialSelectionMeanIoU">Evaluation mIoU of that epoch, for comparison with the paper only, or null.</param>
/// <param name="NumClasses">K, background included.</param>
/// <param name="Channels">C, the feature width (256 in the paper).</param>
/// <param name="Weight">Conv weight of the chosen epoch, row-major [K, C] (a 1×1 conv: reshape to [K, C, 1, 1]).</param>
/// <param name="Bias">Conv bias of the chosen epoch, [K].</param>
/// <param name="TrainIds">Training-split ids the classifier was fitted on (empty when trained from samples).</param>
/// <param name="HeldOutIds">Training-split ids kept out to choose the epoch (empty when trained from samples).</param>
public sealed record LinearProbeResult(
    IReadOnlyList<LinearProbeEpoch> Epochs,
    int ChosenEpoch,
    SegmentationScores HeldOut,
    SegmentationScores? Evaluation,
    int? OfficialSelectionEpoch,
    double? OfficialSelectionMeanIoU,
    int NumClasses,
    int Channels,
    float[] Weight,
    float[] Bias,
    IReadOnlyList<string> TrainIds,
    IReadOnlyList<string> HeldOutIds);
