using MaskContrast.Core.Config;

namespace MaskContrast.Orchestration.Engine;

/// <summary>
/// What a run trains and how, stored as <c>runs/{id}/config.json</c> by whoever starts the run (CLI or HTTP API) and read
/// by every step. The training configuration itself is the preset plus the overrides, so it stays reproducible.
/// </summary>
/// <param name="Dataset">Dataset name under <c>datasets/</c>.</param>
/// <param name="Preset">Configuration preset (paper, paper-supervised, small, tiny).</param>
/// <param name="Overrides">Field overrides such as <c>optimizer.learningRate=0.01</c>.</param>
/// <param name="Epochs">Number of epochs (overrides the preset's schedule.epochs).</param>
/// <param name="Proposals">Where object masks come from: <c>mbplus</c> or <c>ft</c> (generated) or <c>dataset</c> (the dataset's own mask folder).</param>
/// <param name="EvalSize">Evaluation resolution (paper 512 for PASCAL VOC; 128 for the synthetic set).</param>
/// <param name="Clusters">Object clusters when the dataset has no ground truth (with ground truth: classes − 1).</param>
/// <param name="Weights">Artifact path of a pretrained weight file (PyTorch pickle) when the preset asks for one.</param>
/// <param name="LinearProbeEpochs">Also train a linear probe for this many epochs (paper 60; 0 = skip); needs labelled train and val splits.</param>
/// <param name="Retrieval">Also run segment retrieval with a bank from the labelled train split.</param>
public sealed record RunSettings(string Dataset, string Preset, string[] Overrides, int Epochs, string Proposals = "mbplus",
    int EvalSize = 512, int Clusters = 20, string? Weights = null, int LinearProbeEpochs = 0, bool Retrieval = false)
{
    /// <summary>Accepted values of <see cref="Proposals"/>.</summary>
    public static readonly string[] ProposalSources = ["mbplus", "ft", "dataset"];

    /// <summary>The validated training configuration of the run.</summary>
    public TrainingConfig TrainingConfig() =>
        Presets.Load(Preset, [.. Overrides, $"schedule.epochs={Epochs}"]);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid field; also validates the training configuration.</summary>
    public RunSettings Validate()
    {
        Storage.NameValidator.ValidateDatasetName(Dataset);
        if (!ProposalSources.Contains(Proposals))
            throw new ArgumentException($"proposals ('{Proposals}') must be one of {string.Join(", ", ProposalSources)}", nameof(Proposals));
        if (EvalSize is < 16 or > 2048) throw new ArgumentOutOfRangeException(nameof(EvalSize), EvalSize, "evalSize must be in 16..2048 (paper: 512)");
        if (Clusters is < 1 or > 254) throw new ArgumentOutOfRangeException(nameof(Clusters), Clusters, "clusters must be in 1..254");
        if (Weights is not null) Storage.NameValidator.ValidatePath(Weights);
        if (LinearProbeEpochs is < 0 or > 1000) throw new ArgumentOutOfRangeException(nameof(LinearProbeEpochs), LinearProbeEpochs, "linearProbeEpochs must be in 0..1000 (paper: 60)");
        TrainingConfig();
        return this;
    }
}
