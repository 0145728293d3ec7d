using MaskContrast.Core.Inference;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Storage;

namespace MaskContrast.Functions.Models;

/// <summary>
/// Names a published model's clusters (<c>PUT /api/models/{id}/clusters</c>): the names go into a new version of the bundle,
/// <c>runs/{id}/model/model-{sha12}.mcbundle</c>, which becomes the run's published model; the old bundle is left as it
/// is, so its hash (and every receipt that names it) stays valid. When the run's model is the active one, the active
/// record moves to the new version, so segmentations carry the names from then on.
/// </summary>
public sealed class ClusterNaming(IArtifactStore store, ActiveModelStore activeModels)
{
    /// <summary>The new published model; null when the run has none.</summary>
    /// <exception cref="ArgumentException">A label or name is invalid (nothing is written).</exception>
    /// <exception cref="InvalidDataException">The published bundle is missing or damaged.</exception>
    public async Task<ModelLocation?> NameAsync(string runId, IReadOnlyDictionary<int, string> names, DateTime nowUtc, CancellationToken cancellationToken = default)
    {
        if (await PublishedModel.ReadAsync(store, runId, cancellationToken) is not { } published) return null;
        using var bundle = ModelBundle.Load(new MemoryStream(published.Bytes, writable: false), published.Location.Path);
        using var named = bundle.WithClusterNames(names);
        var newBytes = named.ToBytes();
        string sha256 = ArtifactStoreExtensions.Sha256Of(newBytes);
        var location = new ModelLocation(RunLayout.PublishedBundle(runId, sha256), sha256);
        await store.CreateBytesAsync(location.Path, newBytes, cancellationToken);
        await store.WriteJsonAsync(RunLayout.ModelRecord(runId), location, cancellationToken);
        if ((await activeModels.GetAsync(cancellationToken))?.RunId == runId)
            await activeModels.ActivateAsync(runId, nowUtc, cancellationToken);
        return location;
    }
}
