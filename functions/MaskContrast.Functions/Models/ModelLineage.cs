using MaskContrast.Core.Config;
using MaskContrast.Core.Evaluation;
using MaskContrast.Core.Inference;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Storage;

namespace MaskContrast.Functions.Models;

/// <summary>
/// Where a published model comes from (<c>GET /api/models/{id}</c>): the bundle and its hash, the run's settings, every
/// trained epoch, the evaluation, the proposal check, and from the bundle's manifest the dataset fingerprint, inference
/// size, the clusters' names and code version — the same facts every segmentation's receipt carries, with the training history behind them —
/// and, when the run inherited cluster names, how its clusters were matched to the previous model's (<see cref="NamesCarried"/>).
/// </summary>
public sealed record ModelLineage(string RunId, ModelLocation Bundle, RunSettings? Settings, IReadOnlyList<EpochResult> Epochs,
    EvalResult? Evaluation, ProposalCheck? ProposalCheck, string? Dataset, string? DatasetFingerprint, int InferenceSize,
    ClusterAssignment Assignment, int Clusters, string[]? ClassNames, IReadOnlyDictionary<int, string>? ClusterNames, int Epoch, string? CodeVersion,
    NameCarry? NamesCarried)
{
    /// <summary>The lineage of run <paramref name="runId"/>'s published model; null when it has none.</summary>
    /// <exception cref="InvalidDataException">The published bundle is missing or not a bundle.</exception>
    public static async Task<ModelLineage?> ReadAsync(IArtifactStore store, string runId, CancellationToken cancellationToken = default)
    {
        if (await PublishedModel.ReadAsync(store, runId, cancellationToken) is not { } published) return null;
        var manifest = ModelBundle.ReadManifest(new MemoryStream(published.Bytes, writable: false), published.Location.Path);
        return new ModelLineage(runId, published.Location,
            await store.ReadJsonAsync<RunSettings>(RunLayout.Settings(runId), cancellationToken),
            await EpochRecords.ListAsync(store, runId, cancellationToken),
            await store.ReadJsonAsync<EvalResult>(RunLayout.EvalResult(runId), cancellationToken),
            await store.ReadJsonAsync<ProposalCheck>(RunLayout.ProposalCheckRecord(runId), cancellationToken),
            manifest.Dataset, manifest.DatasetFingerprint, manifest.EvalSize, manifest.Assignment, manifest.Centroids.Length,
            manifest.ClassNames, manifest.ClusterNames, manifest.Epoch, manifest.CodeVersion,
            await store.ReadJsonAsync<NameCarry>(RunLayout.EvalFile(runId, NameCarry.FileName), cancellationToken));
    }
}
