using System.Text.Json.Serialization;
using MaskContrast.Core.Config;
using MaskContrast.Orchestration.Storage;

namespace MaskContrast.Orchestration.Engine;

/// <summary>
/// What a run trains and how, as the CLI or the HTTP API asked for it. <see cref="Runs.RunStarter"/> checks it, resolves
/// it into the training configuration and records both (<see cref="RunLayout.Settings"/>, <see cref="RunLayout.Config"/>).
/// </summary>
/// <param name="Dataset">Dataset name under <c>datasets/</c>.</param>
/// <param name="Preset">Configuration preset (<see cref="Presets.Names"/>).</param>
/// <param name="Overrides">Field overrides such as <c>optimizer.learningRate=0.01</c>.</param>
/// <param name="Epochs">Number of epochs; null = the preset's <c>schedule.epochs</c>. Recorded settings always have it.</param>
/// <param name="Proposals">Where object masks come from: <c>mbplus-clusters</c> (default), <c>mbplus</c> or <c>ft</c> (generated) or
/// <c>dataset</c> (the dataset's own mask folder).</param>
/// <param name="EvalSize">Inference resolution S (S×S) of the evaluation and the model bundle; null = the preset's
/// (<see cref="InferenceSize"/>: the official 512 for <c>paper</c>, else from the scale the network was trained at).</param>
/// <param name="Clusters">Object clusters when the dataset has no ground truth (with ground truth: classes − 1); null = auto,
/// the K the evaluation's K sweep picks (recorded as "auto").</param>
/// <param name="Weights">Artifact path of a pretrained weight file (PyTorch pickle) when the preset asks for one.</param>
/// <param name="LinearProbeEpochs">Also train a linear probe for this many epochs (paper 60; 0 = skip); needs labelled train and val splits.</param>
/// <param name="Retrieval">Also run segment retrieval with a bank from the labelled train split.</param>
/// <param name="NamesFrom">Artifact path of the previous model bundle whose cluster names the new model inherits
/// (<see cref="Core.Evaluation.NameCarry"/>); null = none. The CLI sets it from <c>--names-from</c>, the HTTP API from
/// <c>namesFrom</c> or else the active model when it was trained on the same dataset.</param>
public sealed record RunSettings(string Dataset, string Preset, string[] Overrides, int? Epochs = null, ProposalSource Proposals = ProposalSource.MbPlusClusters,
    int? EvalSize = null, [property: JsonConverter(typeof(ClusterCountJsonConverter))] int? Clusters = ClusterCount.Default, string? Weights = null, int LinearProbeEpochs = 0, bool Retrieval = false, string? NamesFrom = null)
{
    /// <summary>The inference resolution the run evaluates and segments at.</summary>
    public int InferenceSizeFor(TrainingConfig config) => EvalSize ?? InferenceSize.For(config);

    /// <summary>
    /// The training configuration these settings ask for (preset, then overrides, then <see cref="Epochs"/>), or every
    /// problem keyed by the field it concerns: this record's fields by their JSON names, the configuration's by their
    /// own (e.g. <c>optimizer.learningRate</c>). Exactly one of the two is non-empty.
    /// </summary>
    public (TrainingConfig? Config, IReadOnlyDictionary<string, string[]> Problems) Resolve()
    {
        var problems = new Dictionary<string, List<string>>();
        void Add(string field, string message) => (problems.TryGetValue(field, out var list) ? list : problems[field] = []).Add(message);
        void Check(string field, Action validate)
        {
            try { validate(); }
            catch (ArgumentException error) { Add(field, MessageOf(error)); }
        }

        Check("dataset", () => NameValidator.ValidateDatasetName(Dataset, "dataset"));
        if (Epochs is < 1 or > ScheduleConfig.MaxEpochs)
            Add("epochs", $"epochs ({Epochs}) must be between 1 and {ScheduleConfig.MaxEpochs}.");
        if (!Enum.IsDefined(Proposals))
            Add("proposals", $"proposals ({Proposals}) must be one of {string.Join(", ", ConfigNames.All<ProposalSource>())}.");
        if (EvalSize is < 16 or > 2048)
            Add("evalSize", $"evalSize ({EvalSize}) must be between 16 and 2048 (paper: 512).");
        if (Clusters is < 1 or > 254)
            Add("clusters", $"clusters ({Clusters}) must be between 1 and 254.");
        if (Weights is not null)
            Check("weights", () => NameValidator.ValidatePath(Weights, "weights"));
        if (NamesFrom is not null)
            Check("namesFrom", () => NameValidator.ValidatePath(NamesFrom, "namesFrom"));
        if (LinearProbeEpochs is < 0 or > 1000)
            Add("linearProbeEpochs", $"linearProbeEpochs ({LinearProbeEpochs}) must be between 0 and 1000 (paper: 60).");

        TrainingConfig? config = null;
        if (!Presets.Names.Contains(Preset))
            Add("preset", $"preset ('{EchoText.Shorten(Preset ?? "")}') must be one of {string.Join(", ", Presets.Names)}.");
        else if (Overrides is null || Overrides.Any(o => o is null))
            Add("overrides", "overrides must be strings such as \"optimizer.learningRate=0.01\" (found null).");
        else
            config = Configure(Add);
        return problems.Count > 0
            ? (null, problems.ToDictionary(p => p.Key, p => p.Value.ToArray()))
            : (config, new Dictionary<string, string[]>());
    }

    /// <summary>The settings as recorded: <see cref="Epochs"/> filled in from the resolved configuration.</summary>
    public RunSettings Recorded(TrainingConfig config) => this with { Epochs = config.Schedule.Epochs };

    /// <summary>The message without the " (Parameter 'x')" suffix that <see cref="ArgumentException"/> appends.</summary>
    public static string MessageOf(ArgumentException error)
        => error.ParamName is { } name ? error.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : error.Message;

    // Preset and overrides, then the epoch count set on the typed configuration (not as one more override string).
    private TrainingConfig? Configure(Action<string, string> add)
    {
        try
        {
            var config = Presets.Load(Preset, Overrides);
            return Epochs is { } epochs and >= 1 and <= ScheduleConfig.MaxEpochs
                ? ConfigValidator.Validate(config with { Schedule = config.Schedule with { Epochs = epochs } })
                : config;
        }
        catch (ConfigException error)
        {
            foreach (var problem in error.Problems)
                add(FieldOf(problem), problem);
        }
        catch (ArgumentException error)
        {
            add("overrides", MessageOf(error));
        }
        return null;
    }

    // "optimizer.learningRate (0) must be in (0, 10]" → "optimizer.learningRate"
    private static string FieldOf(string problem)
    {
        var end = problem.IndexOf(' ', StringComparison.Ordinal);
        return end > 0 ? problem[..end] : "overrides";
    }
}

/// <summary>Where a run's object masks come from (<see cref="RunSettings.Proposals"/>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ProposalSource>))]
public enum ProposalSource
{
    /// <summary>Generated with MB+ saliency.</summary>
    [JsonStringEnumMemberName("mbplus")] MbPlus,
    /// <summary>MB+ checked against ImageNet feature clusters of the whole dataset and refined by them where the two
    /// disagree (default; <see cref="Core.Saliency.ClusterVote"/>).</summary>
    [JsonStringEnumMemberName("mbplus-clusters")] MbPlusClusters,
    /// <summary>Generated with frequency-tuned saliency.</summary>
    [JsonStringEnumMemberName("ft")] Ft,
    /// <summary>The dataset's own mask folder.</summary>
    [JsonStringEnumMemberName("dataset")] Dataset,
}
