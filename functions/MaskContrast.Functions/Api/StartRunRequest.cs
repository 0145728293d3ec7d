using MaskContrast.Core.Config;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Storage;

namespace MaskContrast.Functions.Api;

/// <summary>Body of <c>POST /api/runs</c>.</summary>
/// <param name="Dataset">Dataset name; its images must be under <c>datasets/{dataset}/</c> in the artifact store.</param>
/// <param name="Preset">Configuration preset (default <see cref="Presets.Default"/>).</param>
/// <param name="Overrides">Field overrides such as <c>optimizer.learningRate=0.01</c>.</param>
/// <param name="Epochs">Training epochs; default: the preset's <c>schedule.epochs</c>.</param>
/// <param name="RunId">Run id to use (starting an existing id again resumes it); default: a new one.</param>
/// <param name="ShardSize">Images per proposal shard (default 64).</param>
/// <param name="Proposals">Mask source: mbplus (default), ft or dataset (see <see cref="RunSettings.Proposals"/>).</param>
/// <param name="EvalSize">Inference resolution S (default: the preset's, see InferenceSize).</param>
/// <param name="Clusters">Object clusters without ground truth (default 20).</param>
/// <param name="Weights">Artifact path of pretrained weights, when the preset asks for them.</param>
/// <param name="LinearProbeEpochs">Also evaluate with a linear probe trained this many epochs (paper 60; default 0 = off).</param>
/// <param name="Retrieval">Also evaluate with segment retrieval (default off).</param>
public sealed record StartRunRequest(string? Dataset, string? Preset, string[]? Overrides, int? Epochs, string? RunId, int? ShardSize,
    string? Proposals = null, int? EvalSize = null, int? Clusters = null, string? Weights = null, int? LinearProbeEpochs = null,
    bool? Retrieval = null)
{
    /// <summary>The preset used when none is given.</summary>
    public const string DefaultPreset = Presets.Default;

    /// <summary>
    /// Validates every field at once. Returns the settings to record and the validated configuration, or the problems
    /// grouped by field (config problems under their own name, e.g. <c>optimizer.learningRate</c>).
    /// </summary>
    public (RunSettings? Settings, TrainingConfig? Config, Dictionary<string, List<string>> Problems) Validate()
    {
        var problems = new Dictionary<string, List<string>>();
        void Add(string field, string message) => (problems.TryGetValue(field, out var list) ? list : problems[field] = []).Add(message);

        // Everything that is recorded in the run's settings is checked by RunSettings itself (defaults where the body is silent).
        var preset = Preset ?? DefaultPreset;
        var overrides = Overrides ?? [];
        var defaults = new RunSettings(Dataset!, preset, overrides, Epochs ?? 1);
        var candidate = defaults with
        {
            Proposals = Proposals ?? defaults.Proposals,
            EvalSize = EvalSize ?? defaults.EvalSize,
            Clusters = Clusters ?? defaults.Clusters,
            Weights = Weights,
            LinearProbeEpochs = LinearProbeEpochs ?? 0,
            Retrieval = Retrieval ?? false,
        };
        foreach (var (field, message) in candidate.FieldProblems())
            Add(field, message);
        if (RunId is not null)
            Check(() => NameValidator.ValidateRunId(RunId, "runId"), "runId", Add);
        if (ShardSize is < 1 or > 10_000)
            Add("shardSize", $"shardSize ({ShardSize}) must be between 1 and 10000.");
        if (!Presets.Names.Contains(preset))
        {
            Add("preset", $"preset ('{preset}') must be one of {string.Join(", ", Presets.Names)}.");
            return (null, null, problems);
        }
        if (overrides.Any(o => o is null))
        {
            Add("overrides", "overrides must be strings such as \"optimizer.learningRate=0.01\" (found null).");
            return (null, null, problems);
        }
        TrainingConfig? config = null;
        var all = Epochs is { } e and >= 1 and <= RunLayout.MaxEpoch ? [.. overrides, $"schedule.epochs={e}"] : overrides;
        try
        {
            config = Presets.Load(preset, all);
        }
        catch (ConfigException error)
        {
            foreach (var problem in error.Problems)
                Add(FieldOf(problem), problem);
        }
        catch (ArgumentException error)
        {
            Add("overrides", RunSettings.MessageOf(error));
        }
        if (problems.Count > 0 || config is null)
            return (null, null, problems);
        return (candidate with { Epochs = config.Schedule.Epochs }, config, problems);
    }

    // "optimizer.learningRate (0) must be in (0, 10]" → "optimizer.learningRate"
    private static string FieldOf(string problem)
    {
        var end = problem.IndexOf(' ', StringComparison.Ordinal);
        return end > 0 ? problem[..end] : "overrides";
    }

    private static void Check(Action validate, string field, Action<string, string> add)
    {
        try
        {
            validate();
        }
        catch (ArgumentException error)
        {
            add(field, RunSettings.MessageOf(error));
        }
    }
}
