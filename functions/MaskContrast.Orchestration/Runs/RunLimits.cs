using System.Globalization;
using MaskContrast.Core.Config;
using MaskContrast.Orchestration.Engine;

namespace MaskContrast.Orchestration.Runs;

/// <summary>
/// What a caller who does not own the machine may spend: the HTTP API applies these limits, the CLI (whose user pays for
/// their own cores) does not. Each start is checked before anything is written: the overrides, the configuration's
/// size, and how many runs are already going.
/// </summary>
/// <param name="MaxEpochs">Epochs of one run.</param>
/// <param name="MaxTrainingViews">Epochs × steps per epoch × batch: the view pairs one run may train on (the paper's
/// VOC configuration needs about 0.43 million: 40 × 82 × 128).</param>
/// <param name="MaxCropSize">Training crop side.</param>
/// <param name="MaxEvalSize">Inference side for evaluation.</param>
/// <param name="MaxOverrides">Number of <c>section.field=value</c> overrides.</param>
/// <param name="MaxOverrideLength">Characters of one override.</param>
/// <param name="MaxConcurrentRuns">Runs running or pending at once; one more start is refused (429) until one ends.</param>
/// <param name="Backbones">The backbones a caller may choose.</param>
/// <param name="MaxGpuMinutesPerRun">The per-run GPU budget: a run whose <see cref="GpuCostEstimate"/> is above it is
/// refused, and a running one stops once its measured epoch time reaches it (<c>PipelineInput.GpuBudgetSeconds</c>). The
/// default allows the paper's VOC run (≈ 440 estimated T4 minutes) with some room.</param>
public sealed record RunLimits(
    int MaxEpochs = 100,
    long MaxTrainingViews = 2_000_000,
    int MaxCropSize = 512,
    int MaxEvalSize = 1024,
    int MaxOverrides = 32,
    int MaxOverrideLength = 200,
    int MaxConcurrentRuns = 2,
    BackboneName[]? Backbones = null,
    double MaxGpuMinutesPerRun = 600)
{
    /// <summary>App setting that overrides <see cref="MaxConcurrentRuns"/>.</summary>
    public const string MaxConcurrentRunsSetting = "MASKCONTRAST_MAX_CONCURRENT_RUNS";

    /// <summary>App setting that overrides <see cref="MaxTrainingViews"/>.</summary>
    public const string MaxTrainingViewsSetting = "MASKCONTRAST_MAX_TRAINING_VIEWS";

    /// <summary>App setting that overrides <see cref="MaxGpuMinutesPerRun"/>.</summary>
    public const string MaxGpuMinutesPerRunSetting = "MASKCONTRAST_MAX_GPU_MINUTES_PER_RUN";

    /// <summary>Every backbone but ResNet-101 (twice the paper's compute for no gain the paper reports).</summary>
    public static readonly BackboneName[] DefaultBackbones =
        [BackboneName.MlNetResNet18, BackboneName.ResNet18, BackboneName.ResNet34, BackboneName.ResNet50, BackboneName.Narrow];

    /// <summary>The defaults with the three settings above applied; a value that is not a positive number is an error.</summary>
    public static RunLimits FromSettings(Func<string, string?> setting)
    {
        var limits = new RunLimits();
        if (setting(MaxConcurrentRunsSetting) is { Length: > 0 } runs)
            limits = limits with { MaxConcurrentRuns = int.TryParse(runs, out int n) && n > 0 ? n : throw Bad(MaxConcurrentRunsSetting, runs) };
        if (setting(MaxTrainingViewsSetting) is { Length: > 0 } views)
            limits = limits with { MaxTrainingViews = long.TryParse(views, out long v) && v > 0 ? v : throw Bad(MaxTrainingViewsSetting, views) };
        if (setting(MaxGpuMinutesPerRunSetting) is { Length: > 0 } minutes)
            limits = limits with
            {
                MaxGpuMinutesPerRun = double.TryParse(minutes, NumberStyles.Float, CultureInfo.InvariantCulture, out double m) && m > 0 && double.IsFinite(m)
                    ? m
                    : throw new InvalidOperationException($"{MaxGpuMinutesPerRunSetting} is '{EchoText.Shorten(minutes)}'; it must be a positive number of minutes."),
            };
        return limits;
    }

    /// <summary>Problems of the request as given (before the configuration is resolved), keyed by field.</summary>
    public IEnumerable<(string Field, string Problem)> CheckRequest(RunSettings settings)
    {
        if (settings.Overrides.Length > MaxOverrides)
            yield return ("overrides", $"overrides has {settings.Overrides.Length} entries; at most {MaxOverrides} are accepted here.");
        foreach (var o in settings.Overrides.Where(o => o is not null && o.Length > MaxOverrideLength).Take(3))
            yield return ("overrides", $"override '{EchoText.Shorten(o)}' has {o.Length} characters; at most {MaxOverrideLength} are accepted here.");
    }

    /// <summary>Problems of the resolved configuration, keyed by field. <paramref name="datasetFiles"/> bounds an epoch
    /// that is one pass over the data (<c>schedule.stepsPerEpoch</c> 0).</summary>
    public IEnumerable<(string Field, string Problem)> CheckConfig(RunSettings settings, TrainingConfig config, int datasetFiles)
    {
        var s = config.Schedule;
        if (s.Epochs > MaxEpochs)
            yield return ("epochs", $"epochs ({s.Epochs}) must be at most {MaxEpochs} here.");
        long views = GpuCostEstimate.ViewPairsOf(config, datasetFiles);
        if (views > MaxTrainingViews)
            yield return ("overrides", $"the run would train on {views:N0} view pairs (epochs × steps per epoch × batch); at most {MaxTrainingViews:N0} are accepted here.");
        if (config.Data.CropSize > MaxCropSize)
            yield return ("overrides", $"data.cropSize ({config.Data.CropSize}) must be at most {MaxCropSize} here.");
        if (settings.EvalSize is { } eval && eval > MaxEvalSize)
            yield return ("evalSize", $"evalSize ({eval}) must be at most {MaxEvalSize} here.");
        var backbones = Backbones ?? DefaultBackbones;
        if (!backbones.Contains(config.Model.Backbone))
            yield return ("overrides", $"model.backbone ({config.Model.Backbone.JsonName()}) must be one of {string.Join(", ", backbones.Select(b => b.JsonName()))} here.");
        var estimate = GpuCostEstimate.For(config, datasetFiles);
        if (estimate.GpuMinutes > MaxGpuMinutesPerRun)
            yield return ("overrides", string.Create(CultureInfo.InvariantCulture,
                $"the run is estimated at {estimate.GpuMinutes:0.##} GPU minutes ({views:N0} view pairs of {estimate.Backbone} at crop {estimate.CropSize}); " +
                $"the budget per run is {MaxGpuMinutesPerRun:0.##} here. Lower epochs, schedule.stepsPerEpoch, schedule.batchSize, data.cropSize or choose a smaller backbone."));
    }

    private static InvalidOperationException Bad(string name, string value) =>
        new($"{name} is '{EchoText.Shorten(value)}'; it must be a positive whole number.");
}
