using System.Text.Json.Serialization;
using MaskContrast.Core.Config;

namespace MaskContrast.Orchestration.Runs;

/// <summary>
/// What a run's training epochs should cost in GPU minutes, estimated on paper before it starts (no GPU can be reached
/// from our machines, so nothing here is measured). Recorded as <c>runs/{id}/estimate.json</c> and returned by
/// <c>POST /api/runs</c> and <c>GET /api/runs/{id}</c>; <see cref="RunLimits.MaxGpuMinutesPerRun"/> refuses runs above it.
/// </summary>
/// <remarks>
/// <para>Assumptions. GPU: an NVIDIA T4 (the deployment's default profile) sustaining <see cref="SustainedTflops"/>
/// TFLOP/s in FP32 (about half its 8.1 TFLOP/s peak). Work per view pair: the query view's forward and backward pass
/// (3 × a forward) plus the key encoder's forward (1 ×), so 4 forwards; a multiply-accumulate counts as 2 FLOP. The
/// forward cost per backbone (<see cref="s_gflopPerViewPair"/>) was counted by hand, convolution by convolution, for our
/// <c>SegmentationModel</c> at <see cref="ReferenceCrop"/>² with output stride 8 and the paper's head (ASPP with three
/// rates and a pooling branch, 256 channels, 32-d embedding), e.g. the dilated ResNet-50: 19.1 G MAC trunk + 12.2 G
/// MAC head = 31.3 G MAC → 4 × 2 × 31.3 ≈ 250 GFLOP per pair → 62.5 ms on the T4. Convolutions scale with the pixel
/// count, so another crop scales it by (crop / 224)².</para>
/// <para>Not counted: data loading and augmentation, the loss, the optimiser step, container start and image pull,
/// evaluation. Output stride 16 or 32, a narrower head, or an A100 (roughly 3–5 × a T4) all make the real cost lower, so
/// the figure is an upper bound for those. Compare it with measured epoch times (<c>EpochResult.Seconds</c>) as soon
/// as there are some.</para>
/// </remarks>
/// <param name="GpuMinutes">Estimated GPU minutes of all training epochs (rounded to 0.01).</param>
/// <param name="TrainingViewPairs">View pairs trained on: epochs × steps per epoch × batch (or the dataset's file count
/// per epoch when an epoch is one pass), as <see cref="RunLimits"/> counts them.</param>
/// <param name="Backbone">The backbone's configuration name, e.g. <c>resnet50</c>.</param>
/// <param name="CropSize">Training crop side.</param>
/// <param name="GpuSecondsPerViewPair">Estimated seconds of one view pair at this backbone and crop.</param>
/// <param name="Basis">One sentence saying what the figure assumes.</param>
public sealed record GpuCostEstimate(double GpuMinutes, long TrainingViewPairs, string Backbone, int CropSize,
    double GpuSecondsPerViewPair, string Basis)
{
    /// <summary>Crop side the per-backbone table is counted at (the paper's crop).</summary>
    public const int ReferenceCrop = 224;

    /// <summary>Sustained FP32 throughput assumed for the T4, in TFLOP/s.</summary>
    public const double SustainedTflops = 4.0;

    /// <summary>What every estimate assumes, in one sentence for API callers.</summary>
    public const string AssumedBasis =
        "On paper, not measured: an NVIDIA T4 at 4 TFLOP/s sustained FP32, 4 forward passes per view pair (query forward " +
        "and backward, key forward) of the output-stride-8 network at 224² scaled by (crop/224)²; training epochs only.";

    // GFLOP of one view pair (4 forwards, 2 FLOP per multiply-accumulate) at 224², output stride 8, paper head.
    // Forward G MAC (trunk + head): resnet50 19.08 + 12.24, resnet101 33.93 + 12.24, resnet18 9.21 + 3.60,
    // resnet34 17.30 + 3.60, mlnet-resnet18 (layer4 has 3 blocks) 12.91 + 3.60, narrow (width 16) 0.28 + 1.45.
    private static readonly Dictionary<BackboneName, double> s_gflopPerViewPair = new()
    {
        [BackboneName.ResNet50] = 250,
        [BackboneName.ResNet101] = 370,
        [BackboneName.ResNet18] = 103,
        [BackboneName.ResNet34] = 167,
        [BackboneName.MlNetResNet18] = 132,
        [BackboneName.Narrow] = 14,
    };

    /// <summary>Set by <see cref="RunStarter"/>: the budget the run was started with (null = none, as from the CLI).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? BudgetGpuMinutes { get; init; }

    /// <summary>The estimate for <paramref name="config"/>; <paramref name="datasetFiles"/> sizes an epoch that is one pass
    /// over the data (<c>schedule.stepsPerEpoch</c> 0).</summary>
    public static GpuCostEstimate For(TrainingConfig config, int datasetFiles)
    {
        ArgumentNullException.ThrowIfNull(config);
        var backbone = config.Model.Backbone;
        double scale = Math.Pow(config.Data.CropSize / (double)ReferenceCrop, 2);
        double secondsPerPair = s_gflopPerViewPair[backbone] * scale / (SustainedTflops * 1000);
        long pairs = ViewPairsOf(config, datasetFiles);
        return new GpuCostEstimate(Math.Round(pairs * secondsPerPair / 60, 2), pairs, backbone.JsonName(), config.Data.CropSize,
            secondsPerPair, AssumedBasis);
    }

    /// <summary>Epochs × steps per epoch × batch, or epochs × <paramref name="datasetFiles"/> when an epoch is one pass.</summary>
    public static long ViewPairsOf(TrainingConfig config, int datasetFiles)
    {
        ArgumentNullException.ThrowIfNull(config);
        var s = config.Schedule;
        long perEpoch = s.StepsPerEpoch > 0 ? (long)s.StepsPerEpoch * s.BatchSize : datasetFiles;
        return perEpoch * s.Epochs;
    }
}
