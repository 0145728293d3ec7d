using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Storage;

namespace MaskContrast.Functions.Models;

/// <summary>The model that segments images (<c>POST /api/segment</c> and the <c>segment-input</c> blob trigger).</summary>
/// <param name="RunId">The run that trained it.</param>
/// <param name="Path">Artifact path of the bundle (under <c>runs/{id}/model/</c>).</param>
/// <param name="Sha256">SHA-256 of the bundle as published; the segmenter reloads when it changes.</param>
/// <param name="ActivatedUtc">When it was activated.</param>
public sealed record ActiveModel(string RunId, string Path, string Sha256, DateTime ActivatedUtc)
{
    /// <summary><c>{path}@{sha256}</c>: recorded as the model of every segmentation, so a re-run can tell it apart.</summary>
    public string Identity() => $"{Path}@{Sha256}";
}

/// <summary>Reads and writes <see cref="RecordPath"/> in the artifact store.</summary>
public sealed class ActiveModelStore(IArtifactStore store)
{
    /// <summary>Where the active model is recorded.</summary>
    public const string RecordPath = "models/active.json";

    /// <summary>The active model, or null when none was activated.</summary>
    public Task<ActiveModel?> GetAsync(CancellationToken cancellationToken = default)
        => store.ReadJsonAsync<ActiveModel>(RecordPath, cancellationToken);

    /// <summary>Makes run <paramref name="runId"/>'s published model the active one; null when that run has no model.</summary>
    /// <exception cref="ArgumentException">The run id is invalid.</exception>
    public async Task<ActiveModel?> ActivateAsync(string runId, DateTime nowUtc, CancellationToken cancellationToken = default)
    {
        var published = await store.ReadJsonAsync<ModelLocation>(RunLayout.ModelRecord(runId), cancellationToken);
        if (published is null || !await store.ExistsAsync(published.Path, cancellationToken))
            return null;
        var active = new ActiveModel(runId, published.Path, published.Sha256, nowUtc);
        await store.WriteJsonAsync(RecordPath, active, cancellationToken);
        return active;
    }
}
