using MaskContrast.Orchestration.Engine;

namespace MaskContrast.Orchestration.Storage;

/// <summary>
/// Marks a trained epoch as done: checks its checkpoint exists, writes the epoch record, then moves <c>latest</c>
/// forward. Shared by the epoch activity and the <c>maskcontrast train-epoch</c> command so both leave the same files.
/// </summary>
public static class EpochRecords
{
    /// <summary>
    /// Records <paramref name="result"/> for run <paramref name="runId"/>. Safe to call twice: the record is rewritten with
    /// the same content and <c>latest</c> never moves backwards.
    /// </summary>
    /// <exception cref="InvalidOperationException">The engine returned without writing the epoch's checkpoint.</exception>
    public static async Task CompleteAsync(IArtifactStore store, string runId, EpochResult result, DateTime nowUtc,
        CancellationToken cancellationToken = default)
    {
        var checkpoint = RunLayout.Checkpoint(runId, result.Epoch);
        if (!await store.ExistsAsync(checkpoint, cancellationToken))
            throw new InvalidOperationException(
                $"Epoch {result.Epoch} of run {runId} finished without writing its checkpoint {checkpoint} in {store.Description}.");
        // Order matters: checkpoint (engine) -> record (marks the epoch done) -> latest (points at the newest done epoch).
        await store.WriteJsonAsync(RunLayout.EpochRecord(runId, result.Epoch), result, cancellationToken);
        var latestPath = RunLayout.LatestCheckpoint(runId);
        var latest = await store.ReadLatestAsync(latestPath, cancellationToken);
        if (latest is null || latest.Epoch <= result.Epoch)
            await store.WriteLatestAsync(latestPath, checkpoint, result.Epoch, nowUtc, cancellationToken);
    }

    /// <summary>The record of <paramref name="epoch"/> when both it and its checkpoint exist (the epoch is done), else null.</summary>
    public static async Task<EpochResult?> ReadCompletedAsync(IArtifactStore store, string runId, int epoch,
        CancellationToken cancellationToken = default)
    {
        var recorded = await store.ReadJsonAsync<EpochResult>(RunLayout.EpochRecord(runId, epoch), cancellationToken);
        return recorded is not null && recorded.Epoch == epoch
            && await store.ExistsAsync(RunLayout.Checkpoint(runId, epoch), cancellationToken) ? recorded : null;
    }

    /// <summary>Every recorded epoch of the run, by epoch number.</summary>
    public static async Task<IReadOnlyList<EpochResult>> ListAsync(IArtifactStore store, string runId, CancellationToken cancellationToken = default)
    {
        var results = new List<EpochResult>();
        foreach (var path in await store.ListAsync(RunLayout.Checkpoints(runId), cancellationToken))
        {
            if (RunLayout.ParseEpochRecord(path) is not { } epoch)
                continue;
            var result = await store.ReadJsonAsync<EpochResult>(path, cancellationToken);
            // A record whose checkpoint is gone cannot be resumed from: train that epoch again.
            if (result is not null && result.Epoch == epoch && await store.ExistsAsync(RunLayout.Checkpoint(runId, epoch), cancellationToken))
                results.Add(result);
        }
        return results.OrderBy(r => r.Epoch).ToList();
    }
}
