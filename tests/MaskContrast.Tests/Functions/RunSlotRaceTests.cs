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
/// The concurrent-run limit under simultaneous <c>POST /api/runs</c> for different run ids, through the real handler, a
/// real Durable client and Azurite (README, Reliability): with a limit of 3, exactly 3 are accepted and every other one
/// gets 429; a run that completes, is cancelled or fails frees its <see cref="RunSlot"/>, and a refused run id can be
/// started at once. Counting running instances instead accepted all 12 (each request counted 0 before any was scheduled).
/// </summary>
public sealed class RunSlotRaceTests(ITestOutputHelper log) : ToyPipelineTests("slots", imageCount: 3)
{
    private const int Limit = 3;

    [Fact]
    public async Task TwelveSimultaneousStartsOfDistinctRuns_LimitThree_Accept3AndRefuse9With429_ThenEveryEndFreesItsSlot()
    {
        Engine.HoldEpoch = new TaskCompletionSource();   // accepted runs stay in epoch 1 while the posts arrive
        Engine.HeldEpoch = 1;
        var ids = Enumerable.Range(0, 12).Select(i => $"run-{i:D2}").ToList();

        var accepted = await PostAllAtOnceAsync(ids, expectAccepted: Limit);

        foreach (var id in ids)
            Assert.Equal(accepted.Contains(id), await Host.Client.GetInstanceAsync(id, Deadline.Token) is not null);
        Assert.Equal(Limit, (await Store.ListAsync(RunLayout.RunSlots, Deadline.Token)).Count);

        // End the three runs three ways: completed, cancelled, failed for good.
        var (completes, cancelled, fails) = (accepted[0], accepted[1], accepted[2]);
        await Host.Client.CancelPipelineAsync(cancelled, Deadline.Token);
        Engine.FailHeldEpochOf[fails] = true;
        Engine.HoldEpoch.SetResult();
        var ended = new List<OrchestrationMetadata>();
        foreach (var id in accepted)
            ended.Add(await Host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, Deadline.Token));
        Assert.Equal(PipelineOutcome.Completed, ended[0].ReadOutputAs<PipelineResult>()!.Outcome);
        Assert.Equal(PipelineOutcome.Cancelled, ended[1].ReadOutputAs<PipelineResult>()!.Outcome);
        Assert.Equal(OrchestrationRuntimeStatus.Failed, ended[2].RuntimeStatus);
        log.WriteLine($"ended: {completes} completed, {cancelled} cancelled, {fails} {ended[2].RuntimeStatus}");

        // All three slots are free again, and the refused ids were not left holding their start claims.
        Engine.HoldEpoch = new TaskCompletionSource();
        var refused = ids.Except(accepted).Take(Limit + 1).ToList();
        var second = await PostAllAtOnceAsync(refused, expectAccepted: Limit);

        Engine.HoldEpoch.SetResult();
        foreach (var id in second)
            await Host.Client.WaitForInstanceCompletionAsync(id, Deadline.Token);
    }

    // Posts one start per id, all at once, through the real handler; asserts expectAccepted × 202 and 429 problems for the
    // rest, and returns the accepted run ids.
    private async Task<List<string>> PostAllAtOnceAsync(IReadOnlyList<string> ids, int expectAccepted)
    {
        var runs = FunctionsTestKit.Runs(Store, limits: new RunLimits(MaxConcurrentRuns: Limit));
        using var gate = new ManualResetEventSlim();
        var posts = ids.Select(id => Task.Run(async () =>
        {
            string body = JsonSerializer.Serialize(new { dataset = "toy", preset = "tiny", epochs = 1, runId = id });
            gate.Wait(Deadline.Token);
            return (Id: id, Answer: await runs.StartRun(FunctionsTestKit.Request("POST", "/api/runs", body), Host.Client, Deadline.Token));
        })).ToList();
        gate.Set();
        var answers = await Task.WhenAll(posts);

        var accepted = answers.Where(a => a.Answer is AcceptedResult).Select(a => a.Id).ToList();
        var refused = answers.Where(a => a.Answer is not AcceptedResult).ToList();
        log.WriteLine($"{ids.Count} simultaneous POST /api/runs for distinct ids, limit {Limit}: {accepted.Count} accepted, {refused.Count} refused");
        Assert.Equal(expectAccepted, accepted.Count);
        Assert.All(refused, r => Assert.Equal("Too many runs are going.",
            RunsApiTests.AssertProblem(r.Answer, StatusCodes.Status429TooManyRequests).Title));
        return accepted;
    }
}
