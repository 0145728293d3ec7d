using MaskContrast.Core.Config;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Storage;

namespace MaskContrast.Functions.Api;

/// <summary>Body of <c>POST /api/runs</c>.</summary>
/// <param name="Dataset">Dataset name; its images must be under <c>datasets/{dataset}/</c> in the artifact store.</param>
/// <param name="Preset">Configuration preset (default <c>small</c>).</param>
/// <param name="Overrides">Field overrides such as <c>optimizer.learningRate=0.01</c>.</param>
/// <param name="Epochs">Training epochs; default: the preset's <c>schedule.epochs</c>.</param>
/// <param name="RunId">Run id to use (starting an existing id again resumes it); default: a new one.</param>
/// <param name="ShardSize">Images per proposal shard (default 64).</param>
/// <param name="Proposals">Mask source: mbplus (default), ft or dataset (see <see cref="RunSettings.Proposals"/>).</param>
/// <param name="EvalSize">Evaluation resolution (default 512).</param>
/// <param name="Clusters">Object clusters without ground truth (default 20).</param>
/// <param name="Weights">Artifact path of pretrained weights, when the preset asks for them.</param>
/// <param name="LinearProbeEpochs">Also evaluate with a linear probe trained this many epochs (paper 60; default 0 = off).</param>
/// <param name="Retrieval">Also evaluate with segment retrieval (default off).</param>
public sealed record StartRunRequest(string? Dataset, string? Preset, string[]? Overrides, int? Epochs, string? RunId, int? ShardSize,
    string? Proposals = null, int? EvalSize = null, int? Clusters = null, string? Weights = null, int? LinearProbeEpochs = null,
    bool? Retrieval = null)
{
    /// <summary>The preset used when none is given.</summary>
    public const string DefaultPreset = "small";

    /// <summary>
    /// Validates every field at once. Returns the settings to record and the validated configuration, or the problems
    /// grouped by field (config problems under their own name, e.g. <c>optimizer.learningRate</c>).
    /// </summary>
    public (RunSettings? Settings, TrainingConfig? Config, Dictionary<string, List<string>> Problems) Validate()
    {
        var problems = new Dictionary<string, List<string>>();
        void Add(string field, string message) => (problems.TryGetValue(field, out var list) ? list : problems[field] = []).Add(message);

        Check(() => NameValidator.ValidateDatasetName(Dataset, "dataset"), "dataset", Add);
        if (RunId is not null)
            Check(() => NameValidator.ValidateRunId(RunId, "runId"), "runId", Add);
        if (Epochs is < 1 or > RunLayout.MaxEpoch)
            Add("epochs", $"epochs ({Epochs}) must be between 1 and {RunLayout.MaxEpoch}.");
        if (ShardSize is < 1 or > 10_000)
            Add("shardSize", $"shardSize ({ShardSize}) must be between 1 and 10000.");
        if (Proposals is not null && !RunSettings.ProposalSources.Contains(Proposals))
            Add("proposals", $"proposals ('{Proposals}') must be one of {string.Join(", ", RunSettings.ProposalSources)}.");
        if (EvalSize is < 16 or > 2048)
            Add("evalSize", $"evalSize ({EvalSize}) must be between 16 and 2048 (paper: 512).");
        if (Clusters is < 1 or > 254)
            Add("clusters", $"clusters ({Clusters}) must be between 1 and 254.");
        if (Weights is not null)
            Check(() => NameValidator.ValidatePath(Weights, "weights"), "weights", Add);
        if (LinearProbeEpochs is < 0 or > 1000)
            Add("linearProbeEpochs", $"linearProbeEpochs ({LinearProbeEpochs}) must be between 0 and 1000 (paper: 60).");
        var preset = Preset ?? DefaultPreset;
        if (!Presets.Names.Contains(preset))
        {
            Add("preset", $"preset ('{preset}') must be one of {string.Join(", ", Presets.Names)}.");
            return (null, null, problems);
        }
        var overrides = Overrides ?? [];
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
            Add("overrides", MessageOf(error));
        }
        if (problems.Count > 0 || config is null)
            return (null, null, problems);
        var defaults = new RunSettings(Dataset!, preset, overrides, config.Schedule.Epochs);
        return (defaults with
        {
            Proposals = Proposals ?? defaults.Proposals,
            EvalSize = EvalSize ?? defaults.EvalSize,
            Clusters = Clusters ?? defaults.Clusters,
            Weights = Weights,
            LinearProbeEpochs = LinearProbeEpochs ?? 0,
            Retrieval = Retrieval ?? false,
        }, config, problems);
    }

    /// <summary>The message without the " (Parameter 'x')" suffix that <see cref="ArgumentException"/> appends.</summary>
    internal static string MessageOf(ArgumentException error)
        => error.ParamName is { } name ? error.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : error.Message;

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
            add(field, MessageOf(error));
        }
    }
}
