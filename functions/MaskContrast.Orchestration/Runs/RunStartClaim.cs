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
/// blocks the run until the lease has passed; then the next request takes the next attempt of the same generation. A
/// request that decides not to schedule after all (no <see cref="RunSlot"/> free) releases its claim at once.
/// </remarks>
/// <param name="Token">Unique per start request: a different token makes the create-only write of a rival fail, and the
/// same token lets a retried write of this request find its own claim. The request's <see cref="RunSlot"/> carries it too.</param>
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
    /// Later generations sort after earlier ones (<see cref="LatestAsync"/>).
    /// </summary>
    public static string GenerationOf(OrchestrationMetadata? instance) => instance is null
        ? NewGeneration
        : "after-" + instance.CreatedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfffffff'Z'", CultureInfo.InvariantCulture);

    private const string NewGeneration = "new";

    /// <summary>
    /// Claims the start of run <paramref name="runId"/> after <paramref name="instance"/> (read just before, not running).
    /// </summary>
    /// <returns>This request's claim (<see cref="RunStartClaimResult.Ours"/>), which it must schedule or
    /// <see cref="ReleaseAsync">release</see>; else the claim of the request that holds the run.</returns>
    public static async Task<RunStartClaimResult> TakeAsync(IArtifactStore store, string runId, OrchestrationMetadata? instance,
        DateTime nowUtc, CancellationToken cancellationToken)
    {
        var generation = GenerationOf(instance);
        int last = (await AttemptsAsync(store, runId, cancellationToken)).Where(a => a.Generation == generation).Select(a => a.Attempt)
            .DefaultIfEmpty(0).Max();
        if (last > 0 && await store.ReadJsonAsync<RunStartClaim>(RunLayout.StartClaim(runId, generation, last), cancellationToken) is { } held
            && nowUtc < held.HeldUntilUtc
            && !await store.ExistsAsync(RunLayout.StartClaimRelease(runId, generation, last), cancellationToken))
            return new RunStartClaimResult(runId, generation, last, held, Ours: false);
        var path = RunLayout.StartClaim(runId, generation, last + 1);
        var mine = new RunStartClaim(Guid.NewGuid().ToString("N"), nowUtc);
        try
        {
            // False (the same bytes were there) can only be this request's own write, retried by the storage client.
            await store.CreateJsonAsync(path, mine, cancellationToken);
            return new RunStartClaimResult(runId, generation, last + 1, mine, Ours: true);
        }
        catch (ArtifactConflictException)
        {
            var rival = await store.ReadJsonAsync<RunStartClaim>(path, cancellationToken)
                ?? throw new InvalidOperationException($"{path} in {store.Description} was created by another request but cannot be read.");
            return new RunStartClaimResult(runId, generation, last + 1, rival, Ours: false);
        }
    }

    /// <summary>Gives up this request's claim without scheduling the run: the next start takes the next attempt at once.</summary>
    public static async Task ReleaseAsync(IArtifactStore store, RunStartClaimResult claim, CancellationToken cancellationToken)
    {
        if (!claim.Ours)
            throw new ArgumentException("Only the request that took a claim can release it.", nameof(claim));
        await store.CreateJsonAsync(RunLayout.StartClaimRelease(claim.RunId, claim.Generation, claim.Attempt), claim.Claim, cancellationToken);
    }

    /// <summary>
    /// The newest claim of run <paramref name="runId"/> (latest generation, highest attempt) and its generation, or null
    /// when it has none. While a run is going, no newer claim can appear (a start of a running run is refused before it
    /// claims), so this is the claim of the request that scheduled the instance now running.
    /// </summary>
    public static async Task<(string Generation, RunStartClaim Claim)?> LatestAsync(IArtifactStore store, string runId,
        CancellationToken cancellationToken)
    {
        var attempts = await AttemptsAsync(store, runId, cancellationToken);
        if (attempts.Count == 0)
            return null;
        // "new" is the first generation; the "after-<creation time>" ones sort by time, fixed-width digits.
        var (generation, attempt) = attempts
            .OrderBy(a => a.Generation == NewGeneration ? "" : a.Generation, StringComparer.Ordinal)
            .ThenBy(a => a.Attempt).Last();
        var path = RunLayout.StartClaim(runId, generation, attempt);
        return (generation, await store.ReadJsonAsync<RunStartClaim>(path, cancellationToken)
            ?? throw new InvalidOperationException($"{path} in {store.Description} was listed but cannot be read."));
    }

    // Every claim of the run as (generation, attempt); release markers and other files are skipped.
    static async Task<List<(string Generation, int Attempt)>> AttemptsAsync(IArtifactStore store, string runId, CancellationToken cancellationToken)
    {
        var folder = RunLayout.StartClaims(runId);
        var attempts = new List<(string, int)>();
        foreach (var path in await store.ListAsync(folder, cancellationToken))
        {
            if (!path.EndsWith(".json", StringComparison.Ordinal))
                continue;
            var name = path[folder.Length..^".json".Length];
            int dash = name.LastIndexOf('-');
            if (dash > 0 && int.TryParse(name[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int attempt))
                attempts.Add((name[..dash], attempt));
        }
        return attempts;
    }
}
