using System.Text.Json;
using MaskContrast.Functions.Api;
using MaskContrast.Functions.Functions;
using MaskContrast.Orchestration;
using MaskContrast.Orchestration.Orchestrations;
using MaskContrast.Orchestration.Runs;
using MaskContrast.Orchestration.Storage;
using MaskContrast.Tests.Orchestration;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace MaskContrast.Tests.Functions;

/// <summary>
/// Many simultaneous <c>POST /api/runs</c> for one run id through the real handler, a real Durable client and Azurite
/// (README, Reliability): one starts the run, every other one gets 409 "The run is already running", for a new run id and
/// for one whose run has ended. Without the start claim (<see cref="RunStartClaim"/>) all 16 were answered 202: the
/// Durable client accepts one instance id again while it is pending.
/// </summary>
public sealed class RunStartRaceTests(ITestOutputHelper log) : ToyPipelineTests("race", imageCount: 3)
{
    private const int Posts = 16;

    [Fact]
    public async Task SixteenSimultaneousStartsOfOneRunId_StartOneOrchestration_TheOthersGet409AlreadyRunning()
    {
        Engine.HoldEpoch = new TaskCompletionSource();   // the run stays in its first epoch while the posts arrive
        Engine.HeldEpoch = 1;

        var (accepted, refused) = await PostAllAtOnceAsync(epochs: 1);

        Assert.False(accepted.Resumed);
        await Engine.HeldEpochStarted.Task.WaitAsync(Deadline.Token);
        Engine.HoldEpoch.SetResult();
        var done = await Host.Client.WaitForInstanceCompletionAsync("run-same", Deadline.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        // One orchestration: the dataset was listed and epoch 1 trained once.
        Assert.Equal(1, Engine.Calls.Count(c => c == "ListImages"));
        Assert.Equal(1, Engine.Calls.Count(c => c == "Train:1"));
        log.WriteLine($"orchestrations started: {Engine.Calls.Count(c => c == "ListImages")}");
    }

    [Fact]
    public async Task SixteenSimultaneousRestartsOfAnEndedRun_ResumeItOnce_TheOthersGet409AlreadyRunning()
    {
        // The run ends cancelled after epoch 1 of 2, so a restart has epoch 2 left.
        Engine.HoldEpoch = new TaskCompletionSource();
        Engine.HeldEpoch = 1;
        await PostAllAtOnceAsync(epochs: 2);
        await Engine.HeldEpochStarted.Task.WaitAsync(Deadline.Token);
        await Host.Client.CancelPipelineAsync("run-same", Deadline.Token);
        Engine.HoldEpoch.SetResult();
        await Host.Client.WaitForInstanceCompletionAsync("run-same", Deadline.Token);
        Engine.HoldEpoch = new TaskCompletionSource();   // the resumed run stays in epoch 2 while the posts arrive
        Engine.HeldEpoch = 2;

        var (accepted, _) = await PostAllAtOnceAsync(epochs: 2);

        Assert.True(accepted.Resumed);
        Engine.HoldEpoch.SetResult();
        var done = await Host.Client.WaitForInstanceCompletionAsync("run-same", getInputsAndOutputs: true, Deadline.Token);
        Assert.Equal((PipelineOutcome.Completed, 1, 1), (done.ReadOutputAs<PipelineResult>()!.Outcome,
            done.ReadOutputAs<PipelineResult>()!.EpochsTrained, done.ReadOutputAs<PipelineResult>()!.EpochsSkipped));
        Assert.Equal(1, Engine.Calls.Count(c => c == "Train:2"));
    }

    // Sends the same start body <see cref="Posts"/> times at once through the real handler; asserts one 202 and
    // Posts - 1 problems 409 "The run is already running." and returns the 202's body and the refusals.
    private async Task<(StartRunResponse Accepted, List<IActionResult> Refused)> PostAllAtOnceAsync(int epochs)
    {
        var runs = FunctionsTestKit.Runs(Store, limits: new RunLimits());
        string body = JsonSerializer.Serialize(new { dataset = "toy", preset = "tiny", epochs, runId = "run-same" });
        using var gate = new ManualResetEventSlim();

        var posts = Enumerable.Range(0, Posts).Select(_ => Task.Run(async () =>
        {
            gate.Wait(Deadline.Token);
            return await runs.StartRun(FunctionsTestKit.Request("POST", "/api/runs", body), Host.Client, Deadline.Token);
        })).ToList();
        gate.Set();
        var answers = await Task.WhenAll(posts);

        var accepted = answers.OfType<AcceptedResult>().ToList();
        var refused = answers.Where(a => a is ObjectResult { StatusCode: StatusCodes.Status409Conflict }).ToList();
        log.WriteLine($"{Posts} simultaneous POST /api/runs for one id: {accepted.Count} accepted, {refused.Count} refused with 409");
        Assert.Single(accepted);
        Assert.Equal(Posts - 1, refused.Count);
        Assert.All(refused, r => Assert.Equal("The run is already running.", RunsApiTests.AssertProblem(r, StatusCodes.Status409Conflict).Title));
        return (Assert.IsType<StartRunResponse>(accepted[0].Value), refused);
    }
}
