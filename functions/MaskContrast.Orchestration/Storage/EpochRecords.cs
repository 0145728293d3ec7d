using MaskContrast.Core;
using MaskContrast.Orchestration.Engine;

namespace MaskContrast.Orchestration.Storage;

/// <summary>
/// Marks a trained epoch as done: checks its checkpoint exists, writes the epoch record, then moves <c>latest</c>
/// forward. Shared by the epoch activity and the <c>maskcontrast train-epoch</c> command so both leave the same files.
/// </summary>
public static class EpochRecords
{
    /// <summary>
    /// Records <paramref name="result"/> for run <paramref name="runId"/> with its checkpoint's SHA-256, create-only. Safe
    /// to call twice with the same result: the record is already there with the same bytes, and <c>latest</c> never
    /// moves backwards.
    /// </summary>
    /// <returns>The recorded result (with <see cref="EpochResult.CheckpointSha256"/>).</returns>
    /// <exception cref="InvalidOperationException">The engine returned without writing the epoch's checkpoint.</exception>
    /// <exception cref="ArtifactConflictException">Another writer recorded the epoch with other numbers or another checkpoint.</exception>
    public static async Task<EpochResult> CompleteAsync(IArtifactStore store, string runId, EpochResult result, DateTime nowUtc,
        CancellationToken cancellationToken = default)
    {
        var checkpoint = RunLayout.Checkpoint(runId, result.Epoch);
        var sha256 = await store.ComputeSha256Async(checkpoint, cancellationToken)
            ?? throw new InvalidOperationException(
                $"Epoch {result.Epoch} of run {runId} finished without writing its checkpoint {checkpoint} in {store.Description}.");
        // Order matters: checkpoint (engine) -> record (marks the epoch done) -> latest (points at the newest done epoch).
        var recorded = result with { CheckpointSha256 = sha256 };
        await store.CreateJsonAsync(RunLayout.EpochRecord(runId, result.Epoch), recorded, cancellationToken);
        var latestPath = RunLayout.LatestCheckpoint(runId);
        var latest = await store.ReadLatestAsync(latestPath, cancellationToken);
        if (latest is null || latest.Epoch <= result.Epoch)
            await store.WriteLatestAsync(latestPath, checkpoint, result.Epoch, nowUtc, cancellationToken);
        return recorded;
    }

    /// <summary>
    /// Copies checkpoint <paramref name="epoch"/> of the run into a temporary file, hashing it on the way, and checks it
    /// against the SHA-256 in its epoch record and, when <c>latest</c> points at it, in <c>latest</c>: what was recorded is
    /// what is loaded. The checkpoint (200 MB for ResNet-18) is never held in memory.
    /// </summary>
    /// <returns>The checkpoint as a seekable stream at its start, deleted when disposed; null when it does not exist.</returns>
    /// <exception cref="NonRetryablePipelineException">The bytes are not the ones recorded.</exception>
    public static async Task<Stream?> ReadVerifiedCheckpointAsync(IArtifactStore store, string runId, int epoch,
        CancellationToken cancellationToken = default)
    {
        var path = RunLayout.Checkpoint(runId, epoch);
        await using var source = await store.OpenReadAsync(path, cancellationToken);
        if (source is null)
            return null;
        var copy = TemporaryFile.Create();
        try
        {
            var actual = await TemporaryFile.CopyHashingAsync(source, copy, cancellationToken);
            var record = await store.ReadJsonAsync<EpochResult>(RunLayout.EpochRecord(runId, epoch), cancellationToken);
            var latest = await store.ReadLatestAsync(RunLayout.LatestCheckpoint(runId), cancellationToken);
            foreach (var (what, expected) in new[] { ("its epoch record", record?.CheckpointSha256), ("latest", latest?.Path == path ? latest.Sha256 : null) })
                if (expected is not null && !string.Equals(expected, actual, StringComparison.OrdinalIgnoreCase))
                    throw new NonRetryablePipelineException(
                        $"checkpoint {path} has SHA-256 {actual}, but {what} recorded {expected}: it was replaced after the epoch was "
                        + "recorded, so it is refused. Restore the recorded version (blob versioning keeps previous versions), or start a new run.");
            copy.Position = 0;
            return copy;
        }
        catch
        {
            await copy.DisposeAsync();
            throw;
        }
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
