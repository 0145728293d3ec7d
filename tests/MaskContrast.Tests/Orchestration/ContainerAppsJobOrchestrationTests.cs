using System.Text.Json.Nodes;
using MaskContrast.Orchestration;
using MaskContrast.Orchestration.Activities;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Hosting;
using MaskContrast.Orchestration.Launchers;
using MaskContrast.Orchestration.Orchestrations;
using MaskContrast.Orchestration.Storage;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace MaskContrast.Tests.Orchestration;

/// <summary>
/// The pipeline in job mode (<see cref="PipelineInput.EpochJob"/>) on the in-memory Durable test host: with a scripted
/// job launcher that completes (raising the event), fails, hangs or never raises the event, and end to end through
/// the ARM client against <see cref="FakeArmServer"/>. Every wait is bounded by <see cref="Timeout"/>.
/// </summary>
public sealed class ContainerAppsJobOrchestrationTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private static readonly PipelineRetryOptions FastRetry = new(MaxAttempts: 3, FirstRetrySeconds: 0.2, BackoffCoefficient: 2, MaxRetrySeconds: 1);
    // Short timers: the event timeout before the first poll, then a poll every 0.3 s.
    private static readonly EpochJobOptions FastJob = new(EventTimeoutSeconds: 0.5, PollIntervalSeconds: 0.3, AttemptTimeoutSeconds: 10, MaxAttempts: 2);

    private readonly TempFolder _folder = new();
    private readonly LocalFolderArtifactStore _store;

    public ContainerAppsJobOrchestrationTests() => _store = new LocalFolderArtifactStore(_folder.Path);

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task JobMode_ExecutionsRaiseTheEvent_EachWaitEndsOnTheEventAndTheRunCompletes()
    {
        var engine = new FakePipelineEngine(_store, imageCount: 2);
        var jobs = new FakeEpochJobLauncher(_store, engine);
        await using var host = await StartHostAsync(engine, jobs);
        using var cts = new CancellationTokenSource(Timeout);
        // A one-minute event timeout: only the event can end the waits within the test's timeout.
        var input = Input("run-event", epochs: 3, new EpochJobOptions(EventTimeoutSeconds: 60, PollIntervalSeconds: 60, AttemptTimeoutSeconds: 120));

        await host.Client.StartPipelineAsync(input, cts.Token);
        var done = await host.Client.WaitForInstanceCompletionAsync(input.RunId, getInputsAndOutputs: true, cts.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var result = done.ReadOutputAs<PipelineResult>()!;
        Assert.Equal((3, FakePipelineEngine.LossOf(3)), (result.EpochsTrained, result.FinalLoss));
        Assert.Equal(["1", "2", "3"], jobs.Starts);
        Assert.Equal(["Train:1", "Train:2", "Train:3", "Evaluate", "Publish"], engine.Calls.Skip(3));
        // The status activity found each record in the store, so ARM was never asked.
        Assert.Empty(jobs.Polls);
        for (var epoch = 1; epoch <= 3; epoch++)
            Assert.Equal($"caj-training-e{epoch}-1", (await _store.ReadJsonAsync<EpochJobExecutionRecord>(RunLayout.EpochJobRecord(input.RunId, epoch, 1)))!.ExecutionName);
        Assert.Empty(jobs.Errors);
    }

    [Fact]
    public async Task JobMode_ExecutionFailsOnce_IsStartedAgainFromTheLastCheckpointAndTheRunCompletes()
    {
        var engine = new FakePipelineEngine(_store, imageCount: 2);
        var jobs = new FakeEpochJobLauncher(_store, engine) { Script = (epoch, n) => epoch == 2 && n == 1 ? FakeExecution.Fail : FakeExecution.Complete };
        await using var host = await StartHostAsync(engine, jobs);
        using var cts = new CancellationTokenSource(Timeout);
        var input = Input("run-failonce", epochs: 3, FastJob);

        await host.Client.StartPipelineAsync(input, cts.Token);
        var done = await host.Client.WaitForInstanceCompletionAsync(input.RunId, getInputsAndOutputs: true, cts.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(["1", "2", "2", "3"], jobs.Starts);
        // The failed execution was polled once (after the event timeout) and then replaced; epoch 2 trained once.
        Assert.Equal(1, jobs.Polls["caj-training-e2-1"]);
        Assert.Equal(["Train:1", "Train:2", "Train:3"], engine.Calls.Where(c => c.StartsWith("Train:")));
        Assert.Equal("caj-training-e2-2", (await _store.ReadJsonAsync<EpochJobExecutionRecord>(RunLayout.EpochJobRecord(input.RunId, 2, 2)))!.ExecutionName);
        Assert.Equal([1, 2, 3], (await EpochRecords.ListAsync(_store, input.RunId)).Select(r => r.Epoch));
        Assert.Empty(jobs.Errors);
    }

    [Fact]
    public async Task JobMode_EveryExecutionFails_RunFailsAfterMaxAttemptsWithAClearMessage()
    {
        var engine = new FakePipelineEngine(_store, imageCount: 2);
        var jobs = new FakeEpochJobLauncher(_store, engine) { Script = (_, _) => FakeExecution.Fail };
        await using var host = await StartHostAsync(engine, jobs);
        using var cts = new CancellationTokenSource(Timeout);
        var input = Input("run-jobfail", epochs: 2, FastJob);

        await host.Client.StartPipelineAsync(input, cts.Token);
        var done = await host.Client.WaitForInstanceCompletionAsync(input.RunId, getInputsAndOutputs: true, cts.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);
        Assert.Equal(["1", "1"], jobs.Starts);
        var message = done.FailureDetails!.ErrorMessage;
        Assert.Contains("Epoch 1 of run run-jobfail failed in all 2 training job executions", message);
        Assert.Contains("attempt 1: execution caj-training-e1-1 ended Failed; attempt 2: execution caj-training-e1-2 ended Failed", message);
        Assert.Contains("start the run again with the same run id", message);
        Assert.DoesNotContain("Evaluate", engine.Calls);
    }

    [Fact]
    public async Task JobMode_EventNeverRaised_FallsBackToPollingUntilTheExecutionSucceeds()
    {
        var engine = new FakePipelineEngine(_store, imageCount: 2);
        var jobs = new FakeEpochJobLauncher(_store, engine) { Script = (_, _) => FakeExecution.CompleteSilently };
        await using var host = await StartHostAsync(engine, jobs);
        using var cts = new CancellationTokenSource(Timeout);
        var input = Input("run-poll", epochs: 2, FastJob);

        await host.Client.StartPipelineAsync(input, cts.Token);
        var done = await host.Client.WaitForInstanceCompletionAsync(input.RunId, getInputsAndOutputs: true, cts.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(["1", "2"], jobs.Starts);
        // Each execution was polled (Running) at least twice before it trained; only polling could see it finish.
        Assert.All(new[] { "caj-training-e1-1", "caj-training-e2-1" }, name => Assert.InRange(jobs.Polls[name], 2, 10));
        Assert.Equal(2, done.ReadOutputAs<PipelineResult>()!.EpochsTrained);
        Assert.Empty(jobs.Errors);
    }

    [Fact]
    public async Task JobMode_ExecutionHangsPastTheAttemptTimeout_AnotherIsStartedAndTheRunCompletes()
    {
        var engine = new FakePipelineEngine(_store, imageCount: 2);
        var jobs = new FakeEpochJobLauncher(_store, engine) { Script = (_, n) => n == 1 ? FakeExecution.Hang : FakeExecution.Complete };
        await using var host = await StartHostAsync(engine, jobs);
        using var cts = new CancellationTokenSource(Timeout);
        var input = Input("run-hang", epochs: 1, FastJob with { AttemptTimeoutSeconds = 1.5 });

        await host.Client.StartPipelineAsync(input, cts.Token);
        var done = await host.Client.WaitForInstanceCompletionAsync(input.RunId, getInputsAndOutputs: true, cts.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(["1", "1"], jobs.Starts);
        Assert.InRange(jobs.Polls["caj-training-e1-1"], 2, 10); // polled Running (every 0.3 s) until the 1.5 s deadline passed
        // Stopped before its replacement started, so two executions never train the epoch at once.
        Assert.Equal(["caj-training-e1-1"], jobs.Stops);
        Assert.Empty(jobs.Errors);
    }

    [Fact]
    public async Task JobMode_CancelWhileAnExecutionRuns_StopsItAndStartsNoOther()
    {
        var engine = new FakePipelineEngine(_store, imageCount: 2);
        var jobs = new FakeEpochJobLauncher(_store, engine) { Script = (_, n) => n == 1 ? FakeExecution.Hang : FakeExecution.Complete };
        await using var host = await StartHostAsync(engine, jobs);
        using var cts = new CancellationTokenSource(Timeout);
        var input = Input("run-jobcancel", epochs: 2, FastJob);

        await host.Client.StartPipelineAsync(input, cts.Token);
        await jobs.FirstStart.Task.WaitAsync(cts.Token);
        await host.Client.CancelPipelineAsync(input.RunId, cts.Token);
        var done = await host.Client.WaitForInstanceCompletionAsync(input.RunId, getInputsAndOutputs: true, cts.Token);

        Assert.Equal(PipelineOutcome.Cancelled, done.ReadOutputAs<PipelineResult>()!.Outcome);
        // Without the stop, the hung execution would have been replaced at the attempt timeout by a second GPU start.
        Assert.Equal(["1"], jobs.Starts);
        Assert.Equal(["caj-training-e1-1"], jobs.Stops);
        Assert.DoesNotContain("Train:1", engine.Calls);
    }

    [Fact]
    public async Task JobMode_TrainerRefusesItsInput_RunFailsAtOnceWithTheTrainersMessage()
    {
        var engine = new FakePipelineEngine(_store, imageCount: 2);
        var jobs = new FakeEpochJobLauncher(_store, engine) { Script = (_, _) => FakeExecution.Refuse };
        await using var host = await StartHostAsync(engine, jobs);
        using var cts = new CancellationTokenSource(Timeout);
        var input = Input("run-refused", epochs: 2, FastJob with { MaxAttempts = 3 });

        await host.Client.StartPipelineAsync(input, cts.Token);
        var done = await host.Client.WaitForInstanceCompletionAsync(input.RunId, getInputsAndOutputs: true, cts.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);
        // One execution, one status read: neither the epoch attempts nor the activity retries ran it again.
        Assert.Equal(["1"], jobs.Starts);
        Assert.Equal(1, jobs.Polls["caj-training-e1-1"]);
        Assert.Contains("refused its input", done.FailureDetails!.ErrorMessage);
        Assert.Contains("dataset 'toy': epoch 1 has no usable image", done.FailureDetails.ErrorMessage);
    }

    [Fact]
    public async Task JobMode_RunStartedAgainAfterARefusal_StartsANewExecutionAfterTheRecordedAttempts()
    {
        var engine = new FakePipelineEngine(_store, imageCount: 2);
        // The first execution refuses its input (say the data was bad); the user fixes it and starts the run again.
        var jobs = new FakeEpochJobLauncher(_store, engine) { Script = (_, n) => n == 1 ? FakeExecution.Refuse : FakeExecution.Complete };
        await using var host = await StartHostAsync(engine, jobs);
        using var cts = new CancellationTokenSource(Timeout);
        var input = Input("run-again", epochs: 1, FastJob);

        await host.Client.StartPipelineAsync(input, cts.Token);
        var first = await host.Client.WaitForInstanceCompletionAsync(input.RunId, cts.Token);
        await host.Client.StartPipelineAsync(input, cts.Token);
        var second = await host.Client.WaitForInstanceCompletionAsync(input.RunId, getInputsAndOutputs: true, cts.Token);

        Assert.Equal((OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Completed), (first.RuntimeStatus, second.RuntimeStatus));
        // Attempt 2, not attempt 1 again: the old execution and its failure record are left alone.
        Assert.Equal(["1", "1"], jobs.Starts);
        Assert.Equal("caj-training-e1-2", (await _store.ReadJsonAsync<EpochJobExecutionRecord>(RunLayout.EpochJobRecord(input.RunId, 1, 2)))!.ExecutionName);
        Assert.Equal(1, second.ReadOutputAs<PipelineResult>()!.EpochsTrained);
    }

    [Fact]
    public async Task JobMode_TrainerFailsTransiently_ItsRecordedReasonIsInTheFinalMessage()
    {
        var engine = new FakePipelineEngine(_store, imageCount: 2);
        var jobs = new FakeEpochJobLauncher(_store, engine) { Script = (_, _) => FakeExecution.Fail };
        await _store.WriteJsonAsync(RunLayout.EpochJobFailure("run-transient", 1, 1),
            new EpochJobFailure(EpochJobFailureKind.Transient, "storage timed out", 1, 1, DateTime.UtcNow));
        await using var host = await StartHostAsync(engine, jobs);
        using var cts = new CancellationTokenSource(Timeout);
        var input = Input("run-transient", epochs: 1, FastJob);

        await host.Client.StartPipelineAsync(input, cts.Token);
        var done = await host.Client.WaitForInstanceCompletionAsync(input.RunId, getInputsAndOutputs: true, cts.Token);

        Assert.Equal(["1", "1"], jobs.Starts);   // transient: started again
        Assert.Contains("attempt 1: execution caj-training-e1-1 ended Failed (Transient: storage timed out); "
            + "attempt 2: execution caj-training-e1-2 ended Failed", done.FailureDetails!.ErrorMessage);
    }

    [Fact]
    public void EpochJobOptions_FromSettings_WaitsForTheJobsReplicaTimeoutPlusTheStartGrace_AndNamesAMissingSetting()
    {
        var options = EpochJobOptions.FromSettings(name => name == EpochJobOptions.ReplicaTimeoutSetting ? "14400" : null);
        var missing = Assert.Throws<ArgumentException>(() => EpochJobOptions.FromSettings(_ => null));

        Assert.Equal(14400 + 900, options.AttemptTimeoutSeconds);
        Assert.Empty(options.Validate());
        Assert.Contains("TRAINING_JOB_REPLICA_TIMEOUT_SECONDS", missing.Message);
    }

    [Fact]
    public async Task StartEpochJob_RetriedOrEpochDone_NeverStartsASecondExecution()
    {
        var engine = new FakePipelineEngine(_store, imageCount: 1);
        var jobs = new FakeEpochJobLauncher(_store, engine) { Script = (_, _) => FakeExecution.Hang };
        var activity = new StartEpochJob(jobs, _store, NullLogger<StartEpochJob>.Instance);
        var context = new TestActivityContext();

        var first = await activity.RunAsync(context, new StartEpochJobInput("run-idem", 1, 1));
        var retried = await activity.RunAsync(context, new StartEpochJobInput("run-idem", 1, 1));
        await _store.WriteBytesAsync(RunLayout.Checkpoint("run-idem", 1), new byte[] { 1 });
        await EpochRecords.CompleteAsync(_store, "run-idem", new EpochResult(1, 0.5, 0.4, 0.1, 3), DateTime.UtcNow);
        var afterDone = await activity.RunAsync(context, new StartEpochJobInput("run-idem", 1, 2));

        Assert.Equal(new EpochJobStarted("caj-training-e1-1", null), first);
        Assert.Equal(first, retried);
        Assert.Equal(new EpochResult(1, 0.5, 0.4, 0.1, 3) { CheckpointSha256 = ArtifactStoreExtensions.Sha256Of([1]) }, afterDone.Completed);
        Assert.Null(afterDone.ExecutionName);
        Assert.Equal(["1"], jobs.Starts);
    }

    [Fact]
    public async Task RaiseEpochCompletedForArtifact_OnlyEpochRecordsOfRunningRunsRaiseAnEvent()
    {
        var engine = new FakePipelineEngine(_store, imageCount: 1);
        await using var host = await StartHostAsync(engine, new FakeEpochJobLauncher(_store, engine));
        using var cts = new CancellationTokenSource(Timeout);

        Assert.False(await host.Client.RaiseEpochCompletedForArtifactAsync("runs/r1/checkpoints/epoch-0001.ckpt", cts.Token));
        Assert.False(await host.Client.RaiseEpochCompletedForArtifactAsync("runs/r1/checkpoints/latest", cts.Token));
        Assert.False(await host.Client.RaiseEpochCompletedForArtifactAsync("datasets/toy/epoch-0001.json", cts.Token));
        Assert.False(await host.Client.RaiseEpochCompletedForArtifactAsync("runs/no-such-run/checkpoints/epoch-0001.json", cts.Token));
        Assert.Equal(("r-9", 12), RunLayout.ParseRunEpochRecord("runs/r-9/checkpoints/epoch-0012.json"));
    }

    // The durable test host with the real Container Apps launcher and ARM client pointed at the fake ARM server.
    private Task<DurableTaskTestHost> StartThroughArmAsync(FakeArmJob arm, FakePipelineEngine engine, FakeTokenCredential? credential = null) =>
        DurableTaskTestHost.StartAsync(PipelineTasks.Register, new DurableTaskTestHostOptions
        {
            Port = LoopbackPort.Free(),
            ConfigureServices = services => services
                .AddContainerAppsJobLauncher(new ContainerAppsJobLauncherOptions(FakeArmServer.JobId, FakeArmServer.ContainerName)
                {
                    Client = new() { ArmEndpoint = arm.Server.Endpoint, FirstRetryDelay = TimeSpan.FromMilliseconds(50) },
                }, credential ?? new FakeTokenCredential())
                .AddPipelineServices(_store, engine),
        });

    [Fact]
    public async Task JobMode_ThroughTheArmClient_PollsALocalArmServerAndRestartsAFailedExecution()
    {
        var engine = new FakePipelineEngine(_store, imageCount: 2);
        // The ARM job: the first execution of epoch 1 fails; every other one trains its epoch 0.4 s after the start
        // (nobody raises the event, so the orchestration has to poll).
        await using var arm = new FakeArmJob(_store, engine, n => n == 1 ? FakeExecution.Fail : FakeExecution.Complete);
        var credential = new FakeTokenCredential();
        await using var host = await StartThroughArmAsync(arm, engine, credential);
        using var cts = new CancellationTokenSource(Timeout);
        var input = Input("run-arm", epochs: 2, FastJob with { EventTimeoutSeconds = 0.3 });

        await host.Client.StartPipelineAsync(input, cts.Token);
        var done = await host.Client.WaitForInstanceCompletionAsync(input.RunId, getInputsAndOutputs: true, cts.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var requests = arm.Server.Requests;
        Assert.All(requests, r => Assert.Equal(("Bearer fake-token-1", "2024-03-01"), (r.Authorization, r.ApiVersion)));
        // Three starts, each carrying its run and epoch: epoch 1 twice (the first execution failed), then epoch 2.
        Assert.Equal([("run-arm", "1"), ("run-arm", "1"), ("run-arm", "2")],
            requests.Where(r => r.Method == "POST").Select(r => (EnvOf(r.Body, "MASKCONTRAST_RUN_ID"), EnvOf(r.Body, "MASKCONTRAST_EPOCH"))));
        Assert.Contains(requests, r => r.Path.EndsWith("/executions/caj-training-t1-1") ); // the failed one was polled
        Assert.True(arm.RunningPolls > 0, "the executions were seen Running before they succeeded");
        Assert.Equal(["Train:1", "Train:2"], engine.Calls.Where(c => c.StartsWith("Train:")));
        Assert.Empty(arm.Errors);
    }

    [Fact]
    public async Task JobMode_ThroughTheArmClient_EveryExecutionFails_RunFailsAfterTheBound()
    {
        var engine = new FakePipelineEngine(_store, imageCount: 2);
        await using var arm = new FakeArmJob(_store, engine, _ => FakeExecution.Fail);
        await using var host = await StartThroughArmAsync(arm, engine);
        using var cts = new CancellationTokenSource(Timeout);
        var input = Input("run-armfail", epochs: 2, FastJob with { EventTimeoutSeconds = 0.3 });

        await host.Client.StartPipelineAsync(input, cts.Token);
        var done = await host.Client.WaitForInstanceCompletionAsync(input.RunId, getInputsAndOutputs: true, cts.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);
        Assert.Equal(2, arm.Server.Requests.Count(r => r.Method == "POST"));
        Assert.Contains("failed in all 2 training job executions (attempt 1: execution caj-training-t1-1 ended Failed; "
            + "attempt 2: execution caj-training-t1-2 ended Failed)", done.FailureDetails!.ErrorMessage);
    }

    [Fact]
    public async Task JobMode_ThroughTheArmClient_CancelStopsTheRunningExecutionAndStartsNoOther()
    {
        var engine = new FakePipelineEngine(_store, imageCount: 2);
        await using var arm = new FakeArmJob(_store, engine, _ => FakeExecution.Hang);
        await using var host = await StartThroughArmAsync(arm, engine);
        using var cts = new CancellationTokenSource(Timeout);
        var input = Input("run-armcancel", epochs: 2, FastJob with { EventTimeoutSeconds = 0.3 });

        await host.Client.StartPipelineAsync(input, cts.Token);
        await arm.FirstStart.Task.WaitAsync(cts.Token);
        await host.Client.CancelPipelineAsync(input.RunId, cts.Token);
        var done = await host.Client.WaitForInstanceCompletionAsync(input.RunId, getInputsAndOutputs: true, cts.Token);

        Assert.Equal(PipelineOutcome.Cancelled, done.ReadOutputAs<PipelineResult>()!.Outcome);
        var posts = arm.Server.Requests.Where(r => r.Method == "POST").Select(r => r.Path).ToList();
        Assert.Equal([FakeArmServer.JobId + "/start", FakeArmServer.JobId + "/executions/caj-training-t1-1/stop"], posts);
        Assert.Equal(["caj-training-t1-1"], arm.Stops);
        // The attempt number rides along with the run and epoch, for the trainer's failure record.
        Assert.Equal("1", EnvOf(arm.Server.Requests.First(r => r.Method == "POST").Body, "MASKCONTRAST_ATTEMPT"));
    }

    private static string? EnvOf(string body, string name) => JsonNode.Parse(body)!["containers"]![0]!["env"]!.AsArray()
        .Where(e => (string?)e!["name"] == name).Select(e => (string?)e!["value"]).SingleOrDefault();

    private static PipelineInput Input(string runId, int epochs, EpochJobOptions job)
        => new(runId, "toy", epochs) { Retry = FastRetry, EpochJob = job };

    private async Task<DurableTaskTestHost> StartHostAsync(FakePipelineEngine engine, FakeEpochJobLauncher jobs)
    {
        var host = await DurableTaskTestHost.StartAsync(PipelineTasks.Register, new DurableTaskTestHostOptions
        {
            Port = LoopbackPort.Free(),
            ConfigureServices = services => services.AddSingleton<IEpochJobLauncher>(jobs).AddPipelineServices(_store, engine),
        });
        jobs.Client = host.Client;
        return host;
    }

    private sealed class TestActivityContext : TaskActivityContext
    {
        public override TaskName Name => nameof(StartEpochJob);

        public override string InstanceId => "test-instance";
    }
}
