using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Storage;

namespace MaskContrast.Functions.Models;

/// <summary>A run's published model (<see cref="RunLayout.ModelRecord"/>) with its bundle's bytes.</summary>
public sealed record PublishedModel(ModelLocation Location, byte[] Bytes)
{
    /// <summary>Run <paramref name="runId"/>'s published model; null when it has none.</summary>
    /// <exception cref="InvalidDataException">The record names a bundle that is missing.</exception>
    public static async Task<PublishedModel?> ReadAsync(IArtifactStore store, string runId, CancellationToken cancellationToken = default)
    {
        var location = await store.ReadJsonAsync<ModelLocation>(RunLayout.ModelRecord(runId), cancellationToken);
        if (location is null) return null;
        var bytes = await store.ReadBytesAsync(location.Path, cancellationToken)
            ?? throw new InvalidDataException($"the model of run {runId} is recorded at {location.Path}, which is missing");
        return new PublishedModel(location, bytes);
    }
}
