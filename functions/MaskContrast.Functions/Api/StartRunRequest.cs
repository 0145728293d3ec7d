using System.Text.Json.Serialization;
using MaskContrast.Core.Config;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Runs;

namespace MaskContrast.Functions.Api;

/// <summary>Body of <c>POST /api/runs</c>; <see cref="RunStarter"/> checks it (every field at once).</summary>
/// <param name="Dataset">Dataset name; its images must be under <c>datasets/{dataset}/</c> in the artifact store.</param>
/// <param name="Preset">Configuration preset (default <see cref="Presets.Default"/>).</param>
/// <param name="Overrides">Field overrides such as <c>optimizer.learningRate=0.01</c>.</param>
/// <param name="Epochs">Training epochs; default: the preset's <c>schedule.epochs</c>.</param>
/// <param name="RunId">Run id to use (starting an existing id again resumes it); default: a new one.</param>
/// <param name="ShardSize">Images per proposal shard (default 64).</param>
/// <param name="Proposals">Mask source: mbplus (default), ft or dataset (see <see cref="RunSettings.Proposals"/>).</param>
/// <param name="EvalSize">Inference resolution S (default: the preset's, see InferenceSize).</param>
/// <param name="Clusters">Object clusters without ground truth: a number (default 20) or "auto" (chosen by the K sweep).</param>
/// <param name="Weights">Artifact path of pretrained weights, when the preset asks for them.</param>
/// <param name="LinearProbeEpochs">Also evaluate with a linear probe trained this many epochs (paper 60; default 0 = off).</param>
/// <param name="Retrieval">Also evaluate with segment retrieval (default off).</param>
/// <param name="NamesFrom">Id of a run whose published model passes its cluster names on to this run's model; default: the
/// active model, when it was trained on the same dataset (<see cref="Models.NamesSource"/>).</param>
public sealed record StartRunRequest(string? Dataset, string? Preset, string[]? Overrides, int? Epochs, string? RunId, int? ShardSize,
    ProposalSource? Proposals = null, int? EvalSize = null,
    [property: JsonConverter(typeof(ClusterCountJsonConverter))] int? Clusters = ClusterCount.Default, string? Weights = null, int? LinearProbeEpochs = null,
    bool? Retrieval = null, string? NamesFrom = null)
{
    /// <summary>The preset used when none is given.</summary>
    public const string DefaultPreset = Presets.Default;

    /// <summary>The body as the gate's request, with the defaults where the body is silent; <paramref name="namesFrom"/> is the
    /// bundle path <see cref="Models.NamesSource"/> chose.</summary>
    public RunStartRequest ToStartRequest(string? namesFrom = null)
    {
        var defaults = new RunSettings(Dataset!, Preset ?? DefaultPreset, Overrides ?? [], Epochs);
        return new RunStartRequest(defaults with
        {
            Proposals = Proposals ?? defaults.Proposals,
            EvalSize = EvalSize,
            Clusters = Clusters,
            Weights = Weights,
            LinearProbeEpochs = LinearProbeEpochs ?? defaults.LinearProbeEpochs,
            Retrieval = Retrieval ?? defaults.Retrieval,
            NamesFrom = namesFrom,
        }, RunId, ShardSize);
    }
}
