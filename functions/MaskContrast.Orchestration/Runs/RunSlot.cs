using System.Globalization;
using MaskContrast.Orchestration.Storage;
using Microsoft.DurableTask.Client;

namespace MaskContrast.Orchestration.Runs;

/// <summary>
/// One of the <see cref="RunLimits.MaxConcurrentRuns"/> places a run of the HTTP API needs to start: a create-only
/// tenancy record <see cref="RunLayout.RunSlot">run-slots/slot-KKK/NNNNNN.json</see> naming the run and the token of
/// the start request (its <see cref="RunStartClaim"/>). Counting running instances and then scheduling is two steps,
/// so starts of different run ids arriving together all passed the count; a slot is taken in one atomic step.
/// </summary>
/// <remarks>
/// Why at most N runs hold slots, on Azure Blob and Azurite alike: a slot is held by its highest tenancy only, and a new
/// tenancy K+1 is created with If-None-Match:* (<see cref="IArtifactStore.CreateAsync"/>), so of all requests that saw
/// tenancy K free exactly one creates K+1; the others get a conflict and try the next slot, or answer 429 when every
/// slot was held or won by another request. A request wins at most one slot. A tenancy is free once
/// <list type="bullet">
/// <item>the run's newest start claim has another token: a later start of the same run id, which is only let through
/// after this start's instance ended or its claim's lease passed; or</item>
/// <item>the instance this start scheduled (one whose generation differs from the claim's, see
/// <see cref="RunStartClaim.GenerationOf"/>) has ended: completed, cancelled, failed or terminated; or</item>
/// <item>no instance was scheduled and the lease (<see cref="RunStartClaim.Lease"/>) has passed, so a start that crashed
/// before scheduling holds its slot two minutes, never longer.</item>
/// </list>
/// Freedom never ends: a claim stays superseded, a finished instance stays finished, and restarting a run id takes a
/// newer claim first, whose token differs. So a slot, once free, is never held again by its old tenancy, every going run
/// holds the slot its start took, and at most N are going; a run that ends frees its slot without any release step
/// (nothing to forget when a host dies). The one window, shared with <see cref="RunStartClaim"/>, is a request that takes longer
/// than the lease between taking the slot and scheduling the run. Lowering the setting leaves runs in higher slots
/// running; new starts are then checked against the first N slots only.
/// </remarks>
/// <param name="RunId">The run the slot was taken for.</param>
/// <param name="Token">The token of the start request's <see cref="RunStartClaim"/>.</param>
/// <param name="ClaimedUtc">When the slot was taken.</param>
public sealed record RunSlot(string RunId, string Token, DateTime ClaimedUtc)
{
    /// <summary>Takes a free slot among the first <paramref name="slots"/> for the start of <paramref name="runId"/>
    /// whose claim has <paramref name="token"/>.</summary>
    /// <returns>The tenancy's path, or null when all <paramref name="slots"/> are held.</returns>
    public static async Task<string?> TakeAsync(IArtifactStore store, DurableTaskClient client, int slots, string runId, string token,
        DateTime nowUtc, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(slots, RunLayout.MaxRunSlots);
        var highest = await HighestTenanciesAsync(store, cancellationToken);
        for (int slot = 0; slot < slots; slot++)
        {
            int last = highest.GetValueOrDefault(slot);
            if (last > 0 && await IsHeldAsync(store, client, RunLayout.RunSlot(slot, last), nowUtc, cancellationToken))
                continue;
            var path = RunLayout.RunSlot(slot, last + 1);
            try
            {
                await store.CreateJsonAsync(path, new RunSlot(runId, token, nowUtc), cancellationToken);
                return path;
            }
            catch (ArtifactConflictException)
            {
                // Another request took this slot since the listing (or the listing was behind): try the next one.
            }
        }
        return null;
    }

    /// <summary>Whether the tenancy at <paramref name="path"/> still holds its slot (see the remarks).</summary>
    public static async Task<bool> IsHeldAsync(IArtifactStore store, DurableTaskClient client, string path, DateTime nowUtc,
        CancellationToken cancellationToken)
    {
        var tenancy = await store.ReadJsonAsync<RunSlot>(path, cancellationToken)
            ?? throw new InvalidOperationException($"{path} in {store.Description} was listed but cannot be read.");
        var latest = await RunStartClaim.LatestAsync(store, tenancy.RunId, cancellationToken);
        if (latest is { } newest && newest.Claim.Token != tenancy.Token)
            return false;   // a later start of the run id: this start's instance has ended, or it never scheduled one
        var instance = await client.GetInstanceAsync(tenancy.RunId, getInputsAndOutputs: false, cancellationToken);
        // The instance the claim was taken after has the claim's generation; any other one was scheduled by this start.
        bool scheduled = instance is not null && RunStartClaim.GenerationOf(instance) != latest?.Generation;
        return scheduled ? !instance!.IsCompleted : nowUtc < tenancy.ClaimedUtc + RunStartClaim.Lease;
    }

    // Slot number → its highest tenancy number, from one listing of run-slots/.
    static async Task<Dictionary<int, int>> HighestTenanciesAsync(IArtifactStore store, CancellationToken cancellationToken)
    {
        var highest = new Dictionary<int, int>();
        foreach (var path in await store.ListAsync(RunLayout.RunSlots, cancellationToken))
        {
            var parts = path[RunLayout.RunSlots.Length..].Split('/');
            if (parts is [var slotName, var tenancyName] && slotName.StartsWith("slot-", StringComparison.Ordinal)
                && int.TryParse(slotName["slot-".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out int slot)
                && tenancyName.EndsWith(".json", StringComparison.Ordinal)
                && int.TryParse(tenancyName[..^".json".Length], NumberStyles.None, CultureInfo.InvariantCulture, out int tenancy))
                highest[slot] = Math.Max(highest.GetValueOrDefault(slot), tenancy);
        }
        return highest;
    }
}
