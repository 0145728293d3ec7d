using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Runs;
using MaskContrast.Orchestration.Storage;
using MaskContrast.Tests.Functions;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;

namespace MaskContrast.Tests.Orchestration;

/// <summary>
/// <see cref="RunStartClaim"/> through <see cref="RunStarter"/> on the in-memory Durable test host: a claim another
/// request holds keeps the run from a second start, a claim left by a request that died is taken over after the lease,
/// and each finished instance opens a new generation. (Simultaneous starts: <c>RunStartRaceTests</c>.)
/// </summary>
public sealed class RunStartClaimTests : IAsyncLifetime
{
    private static readonly DateTime Now = new(2026, 12, 1, 10, 0, 0, DateTimeKind.Utc);
    private static readonly RunStartRequest Request = new(new RunSettings("toy", "tiny", [], Epochs: 1), "run-claimed");
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
    public async Task Start_ClaimOfAnotherRequestWithinTheLease_IsAlreadyRunningAndWritesAndSchedulesNothing()
    {
        await ClaimAsync("new-01", Now.AddSeconds(-30));

        var start = await StartAsync(Now);

        Assert.Equal(RunStartOutcome.AlreadyRunning, start.Outcome);
        Assert.Contains("being started by another request (since 09:59:30 UTC)", start.Detail);
        Assert.Contains("started again from 10:01:30 UTC", start.Detail);   // claimed + 2 min lease
        Assert.Null(await _host.Client.GetInstanceAsync("run-claimed", _timeout.Token));
        Assert.Equal([RunLayout.StartClaim("run-claimed", "new", 1)], await _store.ListAsync(RunLayout.Run("run-claimed")));
    }

    [Fact]
    public async Task Start_ClaimOlderThanTheLeaseWithNoInstance_TakesOverWithTheNextAttemptAndRuns()
    {
        await ClaimAsync("new-01", Now.AddMinutes(-2).AddSeconds(-1));   // its request died before scheduling

        var start = await StartAsync(Now);
        var done = await _host.Client.WaitForInstanceCompletionAsync("run-claimed", _timeout.Token);

        Assert.Equal(RunStartOutcome.Started, start.Outcome);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var taken = await _store.ReadJsonAsync<RunStartClaim>(RunLayout.StartClaim("run-claimed", "new", 2), _timeout.Token);
        Assert.Equal(Now, taken!.ClaimedUtc);
        Assert.NotEqual("dead", taken.Token);
    }

    [Fact]
    public async Task Start_AfterTheRunEnded_ClaimsTheGenerationAfterThatInstance_AndResumes()
    {
        Assert.Equal(RunStartOutcome.Started, (await StartAsync(Now)).Outcome);
        var first = await _host.Client.WaitForInstanceCompletionAsync("run-claimed", _timeout.Token);

        // The first claim is still within its lease, but it belongs to the generation before the finished instance.
        var again = await StartAsync(Now.AddSeconds(5));
        await _host.Client.WaitForInstanceCompletionAsync("run-claimed", _timeout.Token);

        Assert.Equal(RunStartOutcome.Resumed, again.Outcome);
        string after = "after-" + first.CreatedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfffffff'Z'");
        Assert.Equal(new[] { RunLayout.StartClaim("run-claimed", after, 1), RunLayout.StartClaim("run-claimed", "new", 1) },
            await _store.ListAsync(RunLayout.StartClaims("run-claimed")));
    }

    [Fact]
    public async Task Start_OnAPrivateTaskHub_TakesNoClaim_SoOneLeftByAnEarlierProcessHoldsNothingOff()
    {
        await ClaimAsync("new-01", Now.AddSeconds(-10));   // e.g. the CLI's previous process, whose in-memory hub is gone

        var start = await RunStarter.StartAsync(_host.Client, _store, Request, Now, privateTaskHub: true, cancellationToken: _timeout.Token);
        await _host.Client.WaitForInstanceCompletionAsync("run-claimed", _timeout.Token);

        Assert.Equal(RunStartOutcome.Started, start.Outcome);
        Assert.Equal([RunLayout.StartClaim("run-claimed", "new", 1)], await _store.ListAsync(RunLayout.StartClaims("run-claimed")));
    }

    private Task<RunStartResult> StartAsync(DateTime nowUtc)
        => RunStarter.StartAsync(_host.Client, _store, Request, nowUtc, cancellationToken: _timeout.Token);

    private Task ClaimAsync(string name, DateTime claimedUtc)
        => _store.CreateJsonAsync(RunLayout.StartClaims("run-claimed") + name + ".json", new RunStartClaim("dead", claimedUtc), _timeout.Token);
}
