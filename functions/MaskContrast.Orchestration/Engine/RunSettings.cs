using MaskContrast.Core.Config;

namespace MaskContrast.Orchestration.Engine;

/// <summary>
/// What a run trains and how, stored as <c>runs/{id}/config.json</c> by whoever starts the run (CLI or HTTP API) and read
/// by every step. The training configuration itself is the preset plus the overrides, so it stays reproducible.
/// </summary>
/// <param name="Dataset">Dataset name under <c>datasets/</c>.</param>
/// <param name="Preset">Configuration preset (<see cref="Presets.Names"/>).</param>
/// <param name="Overrides">Field overrides such as <c>optimizer.learningRate=0.01</c>.</param>
/// <param name="Epochs">Number of epochs (overrides the preset's schedule.epochs).</param>
/// <param name="Proposals">Where object masks come from: <c>mbplus</c> or <c>ft</c> (generated) or <c>dataset</c> (the dataset's own mask folder).</param>
/// <param name="EvalSize">Inference resolution S (S×S) of the evaluation and the model bundle; null = the preset's
/// (<see cref="InferenceSize"/>: the official 512 for <c>paper</c>, else from the scale the network was trained at).</param>
/// <param name="Clusters">Object clusters when the dataset has no ground truth (with ground truth: classes − 1).</param>
/// <param name="Weights">Artifact path of a pretrained weight file (PyTorch pickle) when the preset asks for one.</param>
/// <param name="LinearProbeEpochs">Also train a linear probe for this many epochs (paper 60; 0 = skip); needs labelled train and val splits.</param>
/// <param name="Retrieval">Also run segment retrieval with a bank from the labelled train split.</param>
public sealed record RunSettings(string Dataset, string Preset, string[] Overrides, int Epochs, string Proposals = "mbplus",
    int? EvalSize = null, int Clusters = 20, string? Weights = null, int LinearProbeEpochs = 0, bool Retrieval = false)
{
    /// <summary>The inference resolution the run evaluates and segments at.</summary>
    public int InferenceSizeFor(TrainingConfig config) => EvalSize ?? InferenceSize.For(config);

    /// <summary>Accepted values of <see cref="Proposals"/>.</summary>
    public static readonly string[] ProposalSources = ["mbplus", "ft", "dataset"];

    /// <summary>The validated training configuration of the run.</summary>
    public TrainingConfig TrainingConfig() =>
        Presets.Load(Preset, [.. Overrides, $"schedule.epochs={Epochs}"]);

    /// <summary>
    /// Every invalid field (the training configuration aside) with its message, keyed by its JSON name, so that the
    /// HTTP API can list them all and <see cref="Validate"/> can throw; one place for the ranges of both.
    /// </summary>
    public IReadOnlyList<(string Field, string Message)> FieldProblems()
    {
        var problems = new List<(string, string)>();
        void Check(string field, Action validate)
        {
            try { validate(); }
            catch (ArgumentException error) { problems.Add((field, MessageOf(error))); }
        }
        Check("dataset", () => Storage.NameValidator.ValidateDatasetName(Dataset, "dataset"));
        if (Epochs is < 1 or > Storage.RunLayout.MaxEpoch)
            problems.Add(("epochs", $"epochs ({Epochs}) must be between 1 and {Storage.RunLayout.MaxEpoch}."));
        if (!ProposalSources.Contains(Proposals))
            problems.Add(("proposals", $"proposals ('{Proposals}') must be one of {string.Join(", ", ProposalSources)}."));
        if (EvalSize is < 16 or > 2048)
            problems.Add(("evalSize", $"evalSize ({EvalSize}) must be between 16 and 2048 (paper: 512)."));
        if (Clusters is < 1 or > 254)
            problems.Add(("clusters", $"clusters ({Clusters}) must be between 1 and 254."));
        if (Weights is not null)
            Check("weights", () => Storage.NameValidator.ValidatePath(Weights, "weights"));
        if (LinearProbeEpochs is < 0 or > 1000)
            problems.Add(("linearProbeEpochs", $"linearProbeEpochs ({LinearProbeEpochs}) must be between 0 and 1000 (paper: 60)."));
        return problems;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> listing every invalid field; also validates the training configuration.</summary>
    public RunSettings Validate()
    {
        var problems = FieldProblems();
        if (problems.Count > 0) throw new ArgumentException(string.Join(" ", problems.Select(p => p.Message)));
        TrainingConfig();
        return this;
    }

    /// <summary>The message without the " (Parameter 'x')" suffix that <see cref="ArgumentException"/> appends.</summary>
    public static string MessageOf(ArgumentException error)
        => error.ParamName is { } name ? error.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : error.Message;
}
