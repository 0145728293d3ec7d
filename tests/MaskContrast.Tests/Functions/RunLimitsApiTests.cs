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

namespace MaskContrast.Tests.Functions;

/// <summary>
/// The HTTP API's spend limits (<see cref="RunLimits"/>) through <c>POST /api/runs</c> with a real Durable client and
/// Azurite: a run over a cap is refused with every problem and nothing recorded; beyond the concurrent-run limit the
/// answer is 429 and nothing starts.
/// </summary>
public sealed class RunLimitsApiTests() : ToyPipelineTests("limits", imageCount: 3)
{

    private RunsFunctions Runs(RunLimits limits) => FunctionsTestKit.Runs(Store, limits: limits);

    private Task<IActionResult> Start(RunsFunctions runs, object body) =>
        runs.StartRun(FunctionsTestKit.Request("POST", "/api/runs", JsonSerializer.Serialize(body)), Host.Client, Deadline.Token);

    [Fact]
    public async Task OverTheCaps_Returns400WithEveryProblem_AndRecordsNothing()
    {
        var runs = Runs(new RunLimits(MaxEpochs: 10, MaxTrainingViews: 1000, MaxCropSize: 64));
        var problem = Assert.IsType<ValidationProblemDetails>(((ObjectResult)await Start(runs, new
        {
            dataset = "toy", preset = "tiny", epochs = 11, runId = "run-big",
            overrides = new[] { "data.cropSize=96", "schedule.stepsPerEpoch=100", "model.backbone=resnet101" },
        })).Value);

        Assert.Equal(400, problem.Status);
        Assert.Contains("at most 10", problem.Errors["epochs"].Single());
        string overrides = string.Join(" | ", problem.Errors["overrides"]);
        Assert.Contains("view pairs", overrides);        // 11 × 100 × batch 8 = 8,800 > 1,000
        Assert.Contains("data.cropSize (96)", overrides);
        Assert.Contains("model.backbone (resnet101)", overrides);
        Assert.Null(await Store.ReadBytesAsync(RunLayout.Settings("run-big")));
        Assert.Null(await Host.Client.GetInstanceAsync("run-big", Deadline.Token));
    }

    [Fact]
    public async Task TooManyOrTooLongOverrides_AreRefusedBeforeTheConfigurationIsRead()
    {
        var runs = Runs(new RunLimits(MaxOverrides: 2, MaxOverrideLength: 30));
        var problem = Assert.IsType<ValidationProblemDetails>(((ObjectResult)await Start(runs, new
        {
            dataset = "toy", preset = "tiny", runId = "run-many",
            overrides = new[] { "optimizer.learningRate=0.01", "schedule.seed=2", "optimizer.momentum=0.90000000000000000000001" },
        })).Value);

        Assert.Equal(2, problem.Errors["overrides"].Length);
        Assert.Contains("3 entries", problem.Errors["overrides"][0]);
        Assert.Contains("at most 30", problem.Errors["overrides"][1]);
    }

    [Fact]
    public async Task BeyondTheConcurrentRuns_Returns429_AndStartsNothing_ThenAcceptsWhenOneHasEnded()
    {
        var runs = Runs(new RunLimits(MaxConcurrentRuns: 1));
        Engine.HoldEpoch = new TaskCompletionSource();   // the first run holds in its first epoch
        Engine.HeldEpoch = 1;

        Assert.IsType<AcceptedResult>(await Start(runs, new { dataset = "toy", preset = "tiny", epochs = 1, runId = "run-a" }));
        await Host.Client.WaitForInstanceStartAsync("run-a", Deadline.Token);
        var refused = await Start(runs, new { dataset = "toy", preset = "tiny", epochs = 1, runId = "run-b" });

        Assert.Contains("at most 1", RunsApiTests.AssertProblem(refused, StatusCodes.Status429TooManyRequests).Detail);
        Assert.Null(await Host.Client.GetInstanceAsync("run-b", Deadline.Token));
        Assert.Null(await Store.ReadBytesAsync(RunLayout.Settings("run-b")));

        Engine.HoldEpoch.SetResult();
        await Host.Client.WaitForInstanceCompletionAsync("run-a", Deadline.Token);
        Assert.IsType<AcceptedResult>(await Start(runs, new { dataset = "toy", preset = "tiny", epochs = 1, runId = "run-b" }));
    }

    // tiny with a ResNet-18 at crop 112: 2 epochs × 10 steps × batch 8 = 160 view pairs × 0.02575 s / 4 = 1.03 s = 0.02 min.
    private static readonly object s_resnet18Body = new
    {
        dataset = "toy", preset = "tiny", runId = "run-est", overrides = new[] { "model.backbone=resnet18", "data.cropSize=112" },
    };

    [Fact]
    public async Task StartRun_Returns202WithTheGpuEstimate_AndGetRunShowsTheOneRecordedWithItsBudget()
    {
        var runs = Runs(new RunLimits());

        var accepted = Assert.IsType<AcceptedResult>(await Start(runs, s_resnet18Body));
        var estimate = Assert.IsType<StartRunResponse>(accepted.Value).Estimate;

        Assert.Equal((160L, "resnet18", 112, 0.02, 600.0), (estimate.TrainingViewPairs, estimate.Backbone, estimate.CropSize, estimate.GpuMinutes, estimate.BudgetGpuMinutes));
        Assert.Equal(0.0064375, estimate.GpuSecondsPerViewPair, precision: 12);
        Assert.Equal(estimate, await Store.ReadJsonAsync<GpuCostEstimate>(RunLayout.Estimate("run-est")));
        await Host.Client.WaitForInstanceCompletionAsync("run-est", Deadline.Token);
        var view = Assert.IsType<RunView>(Assert.IsType<OkObjectResult>(
            await runs.GetRun(FunctionsTestKit.Request("GET", "/api/runs/run-est"), Host.Client, "run-est", Deadline.Token)).Value);
        Assert.Equal(estimate, view.Estimate);
        Assert.Contains("\"gpuMinutes\":0.02", JsonSerializer.Serialize(view, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
    }

    [Fact]
    public async Task OverTheGpuBudget_Returns400WithTheEstimate_AndRecordsNothing()
    {
        var runs = Runs(new RunLimits(MaxGpuMinutesPerRun: 0.01));

        var problem = RunsApiTests.AssertProblem(await Start(runs, s_resnet18Body), StatusCodes.Status400BadRequest);

        var overrides = Assert.Single(Assert.IsType<ValidationProblemDetails>(problem).Errors["overrides"]);
        Assert.Contains("estimated at 0.02 GPU minutes (160 view pairs of resnet18 at crop 112)", overrides);
        Assert.Contains("budget per run is 0.01", overrides);
        Assert.Null(await Store.ReadBytesAsync(RunLayout.Settings("run-est")));
        Assert.Null(await Store.ReadBytesAsync(RunLayout.Estimate("run-est")));
        Assert.Null(await Host.Client.GetInstanceAsync("run-est", Deadline.Token));
    }

    [Fact]
    public async Task GpuBudget_ReachesTheOrchestration_WhichStopsTheRunOnceItsEpochsHaveSpentIt()
    {
        // 0.25 min = 15 s; the fake engine's epochs take 10 s and 20 s, so epoch 3 never starts.
        var runs = Runs(new RunLimits(MaxGpuMinutesPerRun: 0.25));
        Assert.IsType<AcceptedResult>(await Start(runs, new { dataset = "toy", preset = "tiny", epochs = 4, runId = "run-spent" }));

        var done = await Host.Client.WaitForInstanceCompletionAsync("run-spent", getInputsAndOutputs: true, Deadline.Token);
        var view = Assert.IsType<RunView>(Assert.IsType<OkObjectResult>(
            await runs.GetRun(FunctionsTestKit.Request("GET", "/api/runs/run-spent"), Host.Client, "run-spent", Deadline.Token)).Value);

        Assert.Equal(15.0, done.ReadInputAs<PipelineInput>()!.GpuBudgetSeconds);
        Assert.Equal(["Train:1", "Train:2"], Engine.Calls.Where(c => c.StartsWith("Train:")));
        Assert.DoesNotContain("Evaluate", Engine.Calls);
        Assert.Equal((PipelineOutcome.BudgetSpent, PipelinePhase.BudgetSpent, 2), (view.Result!.Outcome, view.Status!.Phase, view.Status.Epoch));
        Assert.Contains("took 30 s of the run's 15 s", view.Result.StopReason);
        Assert.False(view.Links.ContainsKey("activate"));
    }

    [Fact]
    public void FromSettings_ReadsTheGpuBudget_AndRefusesOneThatIsNotAPositiveNumber()
    {
        Assert.Equal(90.5, RunLimits.FromSettings(n => n == RunLimits.MaxGpuMinutesPerRunSetting ? "90.5" : null).MaxGpuMinutesPerRun);
        Assert.Equal(600, RunLimits.FromSettings(_ => null).MaxGpuMinutesPerRun);
        foreach (var bad in new[] { "0", "-1", "ten", "NaN", "Infinity" })
            Assert.Throws<InvalidOperationException>(() => RunLimits.FromSettings(n => n == RunLimits.MaxGpuMinutesPerRunSetting ? bad : null));
    }

    [Fact]
    public void FromSettings_ReadsTheTwoKnobs_AndRefusesNonsense()
    {
        var settings = new Dictionary<string, string?> { [RunLimits.MaxConcurrentRunsSetting] = "5", [RunLimits.MaxTrainingViewsSetting] = "123" };
        Assert.Equal((5, 123L), (RunLimits.FromSettings(n => settings.GetValueOrDefault(n)).MaxConcurrentRuns,
            RunLimits.FromSettings(n => settings.GetValueOrDefault(n)).MaxTrainingViews));
        Assert.Equal(new RunLimits(), RunLimits.FromSettings(_ => null));
        Assert.Throws<InvalidOperationException>(() => RunLimits.FromSettings(n => n == RunLimits.MaxConcurrentRunsSetting ? "0" : null));
    }
}
