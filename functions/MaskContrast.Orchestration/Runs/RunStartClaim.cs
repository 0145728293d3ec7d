using System.Globalization;
using MaskContrast.Orchestration.Storage;
using Microsoft.DurableTask.Client;

namespace MaskContrast.Orchestration.Runs;

/// <summary>
/// What makes starting a run atomic: a create-only record (<see cref="RunLayout.StartClaim"/>) per start of the run.
/// The Durable client checks nothing itself (it accepts one instance id again while it is pending) and reading the
/// instance before scheduling it leaves a gap, so of many simultaneous starts only the one that creates the claim for the
/// run's current <see cref="GenerationOf">generation</see> schedules the orchestration; the others are told the run is
/// already running.
/// </summary>
/// <remarks>
/// A claim counts for <see cref="Lease"/> after it was taken, time enough for its request to record the settings and
/// schedule the run (under a second as a rule). Once the run is scheduled its instance is pending, running or finished
/// with a new creation time, so the claim is no longer looked at. A request that crashed between claim and schedule
/// blocks the run until the lease has passed; then the next request takes the next attempt of the same generation.
/// </remarks>
/// <param name="Token">Unique per start request: a different token makes the create-only write of a rival fail, and the
/// same token lets a retried write of this request find its own claim.</param>
/// <param name="ClaimedUtc">When the claim was taken.</param>
public sealed record RunStartClaim(string Token, DateTime ClaimedUtc)
{
    /// <summary>How long a claim whose run was not scheduled holds off other starts.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    /// <summary>Until when this claim holds off other starts.</summary>
    public DateTime HeldUntilUtc => ClaimedUtc + Lease;

    /// <summary>
    /// The name of a start after <paramref name="instance"/> (the run's latest, finished orchestration instance):
    /// <c>new</c> when there is none, else <c>after-</c> and its creation time, which every start gives a new value.
    /// </summary>
    public static string GenerationOf(OrchestrationMetadata? instance) => instance is null
        ? "new"
        : "after-" + instance.CreatedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// Claims the start of run <paramref name="runId"/> after <paramref name="instance"/> (read just before, not running).
    /// </summary>
    /// <returns>Null when this request holds the claim and must schedule the run; else the claim of the request that does.</returns>
    public static async Task<RunStartClaim?> TakeAsync(IArtifactStore store, string runId, OrchestrationMetadata? instance, DateTime nowUtc,
        CancellationToken cancellationToken)
    {
        var generation = GenerationOf(instance);
        int last = await LastAttemptAsync(store, runId, generation, cancellationToken);
        if (last > 0 && await store.ReadJsonAsync<RunStartClaim>(RunLayout.StartClaim(runId, generation, last), cancellationToken) is { } held
            && nowUtc < held.HeldUntilUtc)
            return held;
        var path = RunLayout.StartClaim(runId, generation, last + 1);
        try
        {
            // False (the same bytes were there) can only be this request's own write, retried by the storage client.
            await store.CreateJsonAsync(path, new RunStartClaim(Guid.NewGuid().ToString("N"), nowUtc), cancellationToken);
            return null;
        }
        catch (ArtifactConflictException)
        {
            return await store.ReadJsonAsync<RunStartClaim>(path, cancellationToken)
                ?? throw new InvalidOperationException($"{path} in {store.Description} was created by another request but cannot be read.");
        }
    }

    // The highest attempt number among the claims of the generation, 0 when there is none.
    static async Task<int> LastAttemptAsync(IArtifactStore store, string runId, string generation, CancellationToken cancellationToken)
    {
        var prefix = RunLayout.StartClaims(runId) + generation + "-";
        int last = 0;
        foreach (var path in await store.ListAsync(RunLayout.StartClaims(runId), cancellationToken))
            if (path.StartsWith(prefix, StringComparison.Ordinal) && path.EndsWith(".json", StringComparison.Ordinal)
                && int.TryParse(path[prefix.Length..^".json".Length], NumberStyles.None, CultureInfo.InvariantCulture, out int attempt))
                last = Math.Max(last, attempt);
        return last;
    }
}
