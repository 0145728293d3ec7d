using MaskContrast.Orchestration;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Hosting;
using MaskContrast.Orchestration.Orchestrations;
using MaskContrast.Orchestration.Storage;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;

namespace MaskContrast.Tests.Orchestration;

/// <summary>
/// The pipeline orchestrator on the in-memory Durable test host (a real gRPC sidecar, worker and client) with a fake
/// engine and a local-folder artifact store. Every wait is bounded by <see cref="Timeout"/>.
/// </summary>
public sealed class TrainingPipelineOrchestratorTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    // Short backoff keeps the retry test fast; the policy shape is the production one.
    private static readonly PipelineRetryOptions FastRetry = new(MaxAttempts: 3, FirstRetrySeconds: 0.2, BackoffCoefficient: 2, MaxRetrySeconds: 1);

    private readonly TempFolder _folder = new();
    private readonly LocalFolderArtifactStore _store;

    public TrainingPipelineOrchestratorTests() => _store = new LocalFolderArtifactStore(_folder.Path);

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Pipeline_FreshRun_RunsStepsInOrderAndWritesEveryArtifact()
    {
        var engine = new FakePipelineEngine(_store, imageCount: 10);
        await using var host = await StartHostAsync(engine);
        using var cts = new CancellationTokenSource(Timeout);

        var runId = await host.Client.StartPipelineAsync(new PipelineInput("run-fresh", "toy", Epochs: 3, ShardSize: 4) { Retry = FastRetry }, cts.Token);
        var done = await host.Client.WaitForInstanceCompletionAsync(runId, getInputsAndOutputs: true, cts.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var result = done.ReadOutputAs<PipelineResult>()!;
        Assert.Equal(PipelineOutcome.Completed, result.Outcome);
        Assert.Equal((10, 3, 10, 3, 0), (result.Images, result.ProposalShards, result.ProposalMasks, result.EpochsTrained, result.EpochsSkipped));
        Assert.Equal(FakePipelineEngine.LossOf(3), result.FinalLoss);
        Assert.Equal(0.42, result.Eval!.MeanIou);
        Assert.Equal(RunLayout.ModelFile(runId, "model.bin"), result.Model!.Path);

        // Order: list first, then the proposal check; the three shards (10 images / 4 per shard), in any order, fan in
        // before epoch 1; then epochs 1..3 in order, evaluation, publishing.
        var calls = engine.Calls;
        Assert.Equal(["ListImages", "CheckProposals"], calls.Take(2));
        Assert.Equal(["Shard:0", "Shard:1", "Shard:2"], calls.Skip(2).Take(3).Order());
        Assert.Equal(["Train:1", "Train:2", "Train:3", "Evaluate", "Publish"], calls.Skip(5));
        Assert.Equal("fake check: MB+ kept", result.ProposalCheck!.Description);
        Assert.NotNull(await _store.ReadJsonAsync<ProposalCheck>(RunLayout.ProposalCheckRecord(runId)));

        Assert.Equal(10, (await _store.ListAsync(RunLayout.Proposals(runId) + "masks/")).Count);
        Assert.Equal(3, (await _store.ListAsync(RunLayout.Proposals(runId) + "shards/")).Count);
        Assert.Equal([1, 2, 3], (await EpochRecords.ListAsync(_store, runId)).Select(r => r.Epoch));
        var latest = (await _store.ReadLatestAsync(RunLayout.LatestCheckpoint(runId)))!;
        Assert.Equal((3, RunLayout.Checkpoint(runId, 3)), (latest.Epoch, latest.Path));
        Assert.Equal(await _store.ComputeSha256Async(RunLayout.Checkpoint(runId, 3)), latest.Sha256);
        Assert.True(await _store.ExistsAsync(RunLayout.EvalResult(runId)));
        Assert.True(await _store.ExistsAsync(RunLayout.ModelRecord(runId)));

        var status = (await host.Client.GetPipelineStatusAsync(runId, cts.Token))!;
        Assert.Equal(new PipelineStatus(PipelinePhase.Completed, 3, 3, FakePipelineEngine.LossOf(3), 0), status);
    }

    [Fact]
    public async Task Pipeline_EpochsWithCheckpoints_AreSkippedAndTrainingContinuesAfterThem()
    {
        const string runId = "run-resume";
        // Pre-seed what an earlier, interrupted run left: checkpoints and records of epochs 1 and 2.
        await RecordFinishedEpochsAsync(runId, secondsEach: 5, 1, 2);
        var engine = new FakePipelineEngine(_store, imageCount: 3);
        await using var host = await StartHostAsync(engine);
        using var cts = new CancellationTokenSource(Timeout);

        await host.Client.StartPipelineAsync(new PipelineInput(runId, "toy", Epochs: 4) { Retry = FastRetry }, cts.Token);
        var done = await host.Client.WaitForInstanceCompletionAsync(runId, getInputsAndOutputs: true, cts.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var result = done.ReadOutputAs<PipelineResult>()!;
        Assert.Equal((2, 2), (result.EpochsSkipped, result.EpochsTrained));
        Assert.Equal(["Train:3", "Train:4"], engine.Calls.Where(c => c.StartsWith("Train:")));
        Assert.Equal([1, 2, 3, 4], (await EpochRecords.ListAsync(_store, runId)).Select(r => r.Epoch));
        Assert.Equal(4, (await _store.ReadLatestAsync(RunLayout.LatestCheckpoint(runId)))!.Epoch);
    }

    [Fact]
    public async Task Pipeline_StartedAgainWithTheSameRunIdAfterAFailure_ResumesAfterTheLastCheckpoint()
    {
        var engine = new FakePipelineEngine(_store, imageCount: 2);
        engine.FailEpoch(2, times: 5); // more than the 3 attempts: the first run fails in epoch 2
        await using var host = await StartHostAsync(engine);
        using var cts = new CancellationTokenSource(Timeout);
        var input = new PipelineInput("run-again", "toy", Epochs: 3) { Retry = FastRetry };

        await host.Client.StartPipelineAsync(input, cts.Token);
        var first = await host.Client.WaitForInstanceCompletionAsync(input.RunId, cts.Token);
        engine.FailEpoch(2, times: 0);
        await host.Client.StartPipelineAsync(input, cts.Token);
        var second = await host.Client.WaitForInstanceCompletionAsync(input.RunId, getInputsAndOutputs: true, cts.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, first.RuntimeStatus);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, second.RuntimeStatus);
        Assert.Equal((1, 2), (second.ReadOutputAs<PipelineResult>()!.EpochsSkipped, second.ReadOutputAs<PipelineResult>()!.EpochsTrained));
        // Epoch 1 ran once; epoch 2 failed three times, then ran in the second orchestration.
        Assert.Equal(["Train:1", "Train:2", "Train:2", "Train:2", "Train:2", "Train:3"], engine.Calls.Where(c => c.StartsWith("Train:")));
        // The image list, the proposal check and the proposal shards were recorded by the first run and reused.
        Assert.Equal(1, engine.Calls.Count(c => c == "ListImages"));
        Assert.Equal(1, engine.Calls.Count(c => c == "CheckProposals"));
        Assert.Equal(1, engine.Calls.Count(c => c == "Shard:0"));
    }

    [Fact]
    public void FinishedPrefix_GapInTheRecords_SkipsOnlyTheEpochsBeforeTheGap()
    {
        var done = new[] { 1, 2, 4 }.Select(e => new EpochResult(e, 1, 1, 1, 1)).ToList();
        Assert.Equal([1, 2], TrainingPipelineOrchestrator.FinishedPrefix(done).Keys.Order());
    }

    [Fact]
    public async Task Pipeline_TransientEpochFailure_IsRetriedAndTheRunCompletes()
    {
        var engine = new FakePipelineEngine(_store, imageCount: 2);
        engine.FailEpoch(2, times: 1);
        await using var host = await StartHostAsync(engine);
        using var cts = new CancellationTokenSource(Timeout);

        var runId = await host.Client.StartPipelineAsync(new PipelineInput("run-retry", "toy", Epochs: 3) { Retry = FastRetry }, cts.Token);
        var done = await host.Client.WaitForInstanceCompletionAsync(runId, getInputsAndOutputs: true, cts.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(["Train:1", "Train:2", "Train:2", "Train:3"], engine.Calls.Where(c => c.StartsWith("Train:")));
        Assert.Equal(3, done.ReadOutputAs<PipelineResult>()!.EpochsTrained);
    }

    [Fact]
    public async Task Pipeline_NonRetryableFailure_FailsAtOnceWithTheEngineMessage()
    {
        var engine = new FakePipelineEngine(_store, imageCount: 0);
        await using var host = await StartHostAsync(engine);
        using var cts = new CancellationTokenSource(Timeout);

        var runId = await host.Client.StartPipelineAsync(new PipelineInput("run-empty", "toy", Epochs: 2) { Retry = FastRetry }, cts.Token);
        var done = await host.Client.WaitForInstanceCompletionAsync(runId, getInputsAndOutputs: true, cts.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);
        Assert.Contains("has no images", done.FailureDetails!.ErrorMessage);
        Assert.Equal(["ListImages"], engine.Calls); // one attempt: the retry policy does not retry permanent failures
    }

    [Fact]
    public async Task Pipeline_StatusWhileTraining_ReportsPhaseEpochLossAndEta()
    {
        var engine = new FakePipelineEngine(_store, imageCount: 2) { HoldEpoch = new(TaskCreationOptions.RunContinuationsAsynchronously), HeldEpoch = 2 };
        await using var host = await StartHostAsync(engine);
        using var cts = new CancellationTokenSource(Timeout);

        var runId = await host.Client.StartPipelineAsync(new PipelineInput("run-status", "toy", Epochs: 3) { Retry = FastRetry }, cts.Token);
        await engine.HeldEpochStarted.Task.WaitAsync(cts.Token);
        var status = (await host.Client.GetPipelineStatusAsync(runId, cts.Token))!;
        engine.HoldEpoch.SetResult();
        await host.Client.WaitForInstanceCompletionAsync(runId, cts.Token);

        // During epoch 2 of 3: the loss is epoch 1's, and the ETA is epoch 1's duration times the two epochs left.
        Assert.Equal(new PipelineStatus(PipelinePhase.Training, 2, 3, FakePipelineEngine.LossOf(1), 2 * FakePipelineEngine.SecondsOf(1)), status);
    }

    [Fact]
    public async Task Pipeline_CancelEvent_LetsTheRunningEpochFinishThenEndsCancelled()
    {
        var engine = new FakePipelineEngine(_store, imageCount: 2) { HoldEpoch = new(TaskCreationOptions.RunContinuationsAsynchronously), HeldEpoch = 2 };
        await using var host = await StartHostAsync(engine);
        using var cts = new CancellationTokenSource(Timeout);

        var runId = await host.Client.StartPipelineAsync(new PipelineInput("run-cancel", "toy", Epochs: 3) { Retry = FastRetry }, cts.Token);
        await engine.HeldEpochStarted.Task.WaitAsync(cts.Token);
        await host.Client.CancelPipelineAsync(runId, cts.Token);
        // The status says Cancelling at once, while epoch 2 is still running.
        await WaitForPhaseAsync(host.Client, runId, PipelinePhase.Cancelling, cts.Token);
        engine.HoldEpoch.SetResult();
        var done = await host.Client.WaitForInstanceCompletionAsync(runId, getInputsAndOutputs: true, cts.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var result = done.ReadOutputAs<PipelineResult>()!;
        Assert.Equal(PipelineOutcome.Cancelled, result.Outcome);
        Assert.Null(result.Eval);
        Assert.Equal(PipelinePhase.Cancelled, done.ReadCustomStatusAs<PipelineStatus>()!.Phase);
        Assert.Equal(["ListImages", "CheckProposals", "Shard:0", "Train:1", "Train:2"], engine.Calls);
        // The epoch that was running when the cancel came finished and kept its checkpoint, so a re-run resumes after it.
        Assert.Equal([1, 2], (await EpochRecords.ListAsync(_store, runId)).Select(r => r.Epoch));
    }

    [Fact]
    public async Task Pipeline_CancelWhileAnEpochAttemptIsFailing_RetriesNothingAfterTheCancel()
    {
        // Epoch 1's attempt is held, then fails transiently; the cancel comes while it is held.
        var engine = new FakePipelineEngine(_store, imageCount: 2) { HoldEpoch = new(TaskCreationOptions.RunContinuationsAsynchronously), HeldEpoch = 1 };
        engine.FailEpoch(1, times: 5);
        await using var host = await StartHostAsync(engine);
        using var cts = new CancellationTokenSource(Timeout);

        var runId = await host.Client.StartPipelineAsync(new PipelineInput("run-cancel-retry", "toy", Epochs: 2) { Retry = FastRetry }, cts.Token);
        await engine.HeldEpochStarted.Task.WaitAsync(cts.Token);
        await host.Client.CancelPipelineAsync(runId, cts.Token);
        await WaitForPhaseAsync(host.Client, runId, PipelinePhase.Cancelling, cts.Token);
        engine.HoldEpoch.SetResult();
        var done = await host.Client.WaitForInstanceCompletionAsync(runId, getInputsAndOutputs: true, cts.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(PipelineOutcome.Cancelled, done.ReadOutputAs<PipelineResult>()!.Outcome);
        // One attempt: the retry policy (3 attempts) started none after the cancel.
        Assert.Equal(["Train:1"], engine.Calls.Where(c => c.StartsWith("Train:")));
        Assert.Empty(await EpochRecords.ListAsync(_store, runId));
    }

    [Fact]
    public async Task Pipeline_Terminate_EndsTerminatedAndSchedulesNothingMore()
    {
        var engine = new FakePipelineEngine(_store, imageCount: 2) { HoldEpoch = new(TaskCreationOptions.RunContinuationsAsynchronously), HeldEpoch = 1 };
        await using var host = await StartHostAsync(engine);
        using var cts = new CancellationTokenSource(Timeout);

        var runId = await host.Client.StartPipelineAsync(new PipelineInput("run-terminate", "toy", Epochs: 3) { Retry = FastRetry }, cts.Token);
        await engine.HeldEpochStarted.Task.WaitAsync(cts.Token);
        await host.Client.TerminateInstanceAsync(runId, "stopped by the test", cts.Token);
        var done = await host.Client.WaitForInstanceCompletionAsync(runId, cts.Token);
        engine.HoldEpoch.SetResult();

        Assert.Equal(OrchestrationRuntimeStatus.Terminated, done.RuntimeStatus);
        Assert.DoesNotContain("Train:2", engine.Calls);
        Assert.DoesNotContain("Evaluate", engine.Calls);
    }

    // FakePipelineEngine.SecondsOf(epoch) = 10·epoch: the run has used 10, 30, 60, 100 s after epochs 1..4.
    [Theory]
    [InlineData(4, 25, new[] { 1, 2 }, PipelineOutcome.BudgetSpent)]   // 30 s ≥ 25 s after epoch 2: epochs 3-4 never start
    [InlineData(4, 30, new[] { 1, 2 }, PipelineOutcome.BudgetSpent)]   // reaching the budget exactly spends it
    [InlineData(2, 25, new[] { 1, 2 }, PipelineOutcome.Completed)]     // spent by the last epoch: nothing left to stop
    [InlineData(4, 60.5, new[] { 1, 2, 3, 4 }, PipelineOutcome.Completed)]  // 60 s < 60.5 s before epoch 4
    public async Task Pipeline_GpuBudget_StopsBeforeTheEpochAfterTheOneThatSpendsIt_KeepingCheckpoints(
        int epochs, double budgetSeconds, int[] trained, PipelineOutcome outcome)
    {
        var engine = new FakePipelineEngine(_store, imageCount: 2);
        await using var host = await StartHostAsync(engine);
        using var cts = new CancellationTokenSource(Timeout);

        var runId = await host.Client.StartPipelineAsync(
            new PipelineInput("run-budget", "toy", epochs) { Retry = FastRetry, GpuBudgetSeconds = budgetSeconds }, cts.Token);
        var done = await host.Client.WaitForInstanceCompletionAsync(runId, getInputsAndOutputs: true, cts.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var result = done.ReadOutputAs<PipelineResult>()!;
        Assert.Equal(outcome, result.Outcome);
        Assert.Equal(trained.Select(e => $"Train:{e}"), engine.Calls.Where(c => c.StartsWith("Train:")));
        Assert.Equal(trained, (await EpochRecords.ListAsync(_store, runId)).Select(r => r.Epoch));
        Assert.Equal(trained.Sum(FakePipelineEngine.SecondsOf), result.TrainingSeconds);
        Assert.Equal(FakePipelineEngine.LossOf(trained[^1]), result.FinalLoss);
        var status = done.ReadCustomStatusAs<PipelineStatus>()!;
        if (outcome == PipelineOutcome.BudgetSpent)
        {
            // Nothing after the stop: no evaluation, no model; the result and the status say why.
            Assert.DoesNotContain("Evaluate", engine.Calls);
            Assert.Null(result.Model);
            Assert.Equal(new PipelineStatus(PipelinePhase.BudgetSpent, trained[^1], epochs, FakePipelineEngine.LossOf(trained[^1]), null), status);
            Assert.StartsWith($"GPU budget spent: epochs 1-{trained[^1]} took {trained.Sum(FakePipelineEngine.SecondsOf)} s of the run's {budgetSeconds} s",
                result.StopReason);
            Assert.Equal(trained[^1], (await _store.ReadLatestAsync(RunLayout.LatestCheckpoint(runId)))!.Epoch);
        }
        else
        {
            Assert.Equal(["Evaluate", "Publish"], engine.Calls.TakeLast(2));
            Assert.Null(result.StopReason);
            Assert.Equal(PipelinePhase.Completed, status.Phase);
        }
    }

    [Fact]
    public async Task Pipeline_GpuBudget_CountsTheEpochsRecordedBeforeAResume()
    {
        const string runId = "run-budget-resume";
        // An earlier orchestration trained epochs 1 and 2 (12 s each); this one may spend what is left of 30 s.
        await RecordFinishedEpochsAsync(runId, secondsEach: 12, 1, 2);
        var engine = new FakePipelineEngine(_store, imageCount: 2);
        await using var host = await StartHostAsync(engine);
        using var cts = new CancellationTokenSource(Timeout);

        await host.Client.StartPipelineAsync(new PipelineInput(runId, "toy", Epochs: 5) { Retry = FastRetry, GpuBudgetSeconds = 30 }, cts.Token);
        var done = await host.Client.WaitForInstanceCompletionAsync(runId, getInputsAndOutputs: true, cts.Token);

        // 24 s < 30 s: epoch 3 runs (30 s); 54 s ≥ 30 s: epoch 4 does not.
        var result = done.ReadOutputAs<PipelineResult>()!;
        Assert.Equal((PipelineOutcome.BudgetSpent, 2, 1, 54.0), (result.Outcome, result.EpochsSkipped, result.EpochsTrained, result.TrainingSeconds));
        Assert.Equal(["Train:3"], engine.Calls.Where(c => c.StartsWith("Train:")));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-5.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Validate_GpuBudgetThatIsNotAPositiveNumber_IsAProblemNamingIt(double budget)
    {
        var problems = new PipelineInput("run-ok", "toy", Epochs: 1) { GpuBudgetSeconds = budget }.Validate();
        Assert.Contains("gpuBudgetSeconds", Assert.Single(problems));
        Assert.Empty(new PipelineInput("run-ok", "toy", Epochs: 1) { GpuBudgetSeconds = 0.5 }.Validate());
    }

    [Theory]
    [InlineData("../escape", "runId")]   // traversal in the run id (also the instance id and a path segment)
    [InlineData("run/sub", "runId")]     // a second path segment
    [InlineData("run-ok", "epochs")]     // zero epochs
    public async Task StartPipeline_InvalidInput_IsRejectedBeforeScheduling(string runId, string field)
    {
        var engine = new FakePipelineEngine(_store, imageCount: 1);
        await using var host = await StartHostAsync(engine);
        using var cts = new CancellationTokenSource(Timeout);

        var input = new PipelineInput(runId, "toy", Epochs: field == "epochs" ? 0 : 1);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => host.Client.StartPipelineAsync(input, cts.Token));

        Assert.Contains(field, error.Message);
        Assert.Empty(engine.Calls);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_folder.Path));
    }

    private static async Task WaitForPhaseAsync(DurableTaskClient client, string runId, string phase, CancellationToken cancellationToken)
    {
        while ((await client.GetPipelineStatusAsync(runId, cancellationToken))?.Phase != phase)
            await Task.Delay(50, cancellationToken);
    }

    // What an earlier, interrupted run leaves behind: a checkpoint and a record per finished epoch.
    private async Task RecordFinishedEpochsAsync(string runId, double secondsEach, params int[] epochs)
    {
        foreach (var epoch in epochs)
        {
            await _store.WriteBytesAsync(RunLayout.Checkpoint(runId, epoch), BitConverter.GetBytes(epoch));
            await EpochRecords.CompleteAsync(_store, runId, new EpochResult(epoch, FakePipelineEngine.LossOf(epoch), 0, 0, secondsEach), DateTime.UtcNow);
        }
    }

    private Task<DurableTaskTestHost> StartHostAsync(FakePipelineEngine engine) => DurableTaskTestHost.StartAsync(
        PipelineTasks.Register,
        new DurableTaskTestHostOptions { Port = LoopbackPort.Free(), ConfigureServices = services => services.AddPipelineServices(_store, engine) });
}
