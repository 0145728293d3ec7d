using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Runs;
using MaskContrast.Orchestration.Storage;
using MaskContrast.Tests.Functions;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;

namespace MaskContrast.Tests.Orchestration;

/// <summary>
/// <see cref="RunSlot"/> through <see cref="RunStarter"/> on the in-memory Durable test host, with the clock in the
/// test's hands: a slot taken by a start that died holds for the lease and no longer; a refused start gives its claim
/// back; a tenancy whose run id was started again under another slot does not count twice.
/// (Simultaneous starts and every way a run ends: <c>RunSlotRaceTests</c>.)
/// </summary>
public sealed class RunSlotTests : IAsyncLifetime
{
    private static readonly DateTime Now = new(2026, 12, 1, 10, 0, 0, DateTimeKind.Utc);
    private readonly TempFolder _folder = new();
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));
    private LocalFolderArtifactStore _store = null!;
    private FakePipelineEngine _engine = null!;
    private DurableTaskTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _store = new LocalFolderArtifactStore(_folder.Path);
        (_engine, _host) = await FunctionsTestKit.StartToyPipelineAsync(_store, imageCount: 2);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _timeout.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task SlotOfAStartThatDied_HoldsForTheLease_ThenTheNextStartTakesIt_AndTheRefusedClaimWasReleased()
    {
        await _store.CreateJsonAsync(RunLayout.RunSlot(0, 1), new RunSlot("run-dead", "dead", Now.AddSeconds(-30)), _timeout.Token);

        var refused = await StartAsync("run-b", Now, slots: 1);
        var started = await StartAsync("run-b", Now.AddSeconds(91), slots: 1);   // its lease ended at 10:01:30
        await _host.Client.WaitForInstanceCompletionAsync("run-b", _timeout.Token);

        Assert.Equal(RunStartOutcome.TooManyRuns, refused.Outcome);
        Assert.Contains("at most 1 may run at once", refused.Detail);
        Assert.Equal(RunStartOutcome.Started, started.Outcome);
        // The refusal released claim 01 (without that, the second start would be 409 until 10:02); claim 02 took slot 0.
        Assert.Equal([RunLayout.StartClaim("run-b", "new", 1), RunLayout.StartClaimRelease("run-b", "new", 1), RunLayout.StartClaim("run-b", "new", 2)],
            await _store.ListAsync(RunLayout.StartClaims("run-b"), _timeout.Token));
        var tenancy = await _store.ReadJsonAsync<RunSlot>(RunLayout.RunSlot(0, 2), _timeout.Token);
        var claim = await _store.ReadJsonAsync<RunStartClaim>(RunLayout.StartClaim("run-b", "new", 2), _timeout.Token);
        Assert.Equal(new RunSlot("run-b", claim!.Token, Now.AddSeconds(91)), tenancy);
    }

    [Fact]
    public async Task TenancyOfARunIdStartedAgainElsewhere_IsFree_WhileTheSlotOfItsCurrentStartIsHeld()
    {
        // An old tenancy of run-a in slot 1, from a start before the current one (its token is no longer run-a's newest claim).
        await _store.CreateJsonAsync(RunLayout.RunSlot(1, 1), new RunSlot("run-a", "old-start", Now.AddMinutes(-30)), _timeout.Token);
        _engine.HoldEpoch = new TaskCompletionSource();
        _engine.HeldEpoch = 1;
        Assert.Equal(RunStartOutcome.Started, (await StartAsync("run-a", Now, slots: 2)).Outcome);   // takes slot 0
        await _engine.HeldEpochStarted.Task.WaitAsync(_timeout.Token);

        var b = await StartAsync("run-b", Now.AddMinutes(3), slots: 2);
        var c = await StartAsync("run-c", Now.AddMinutes(3), slots: 2);
        _engine.HoldEpoch.SetResult();
        await _host.Client.WaitForInstanceCompletionAsync("run-a", _timeout.Token);
        await _host.Client.WaitForInstanceCompletionAsync("run-b", _timeout.Token);

        Assert.Equal((RunStartOutcome.Started, RunStartOutcome.TooManyRuns), (b.Outcome, c.Outcome));
        Assert.Equal(("run-a", "run-b"), ((await _store.ReadJsonAsync<RunSlot>(RunLayout.RunSlot(0, 1), _timeout.Token))!.RunId,
            (await _store.ReadJsonAsync<RunSlot>(RunLayout.RunSlot(1, 2), _timeout.Token))!.RunId));
        Assert.Null(await _host.Client.GetInstanceAsync("run-c", _timeout.Token));
    }

    private Task<RunStartResult> StartAsync(string runId, DateTime nowUtc, int slots)
        => RunStarter.StartAsync(_host.Client, _store, new RunStartRequest(new RunSettings("toy", "tiny", [], Epochs: 1), runId), nowUtc,
            limits: new RunLimits(MaxConcurrentRuns: slots), cancellationToken: _timeout.Token);
}
