using System.Text.Json;
using MaskContrast.Core.Config;
using MaskContrast.Functions.Api;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Functions.Functions;
using MaskContrast.Functions.Models;
using MaskContrast.Orchestration;
using MaskContrast.Orchestration.Orchestrations;
using MaskContrast.Orchestration.Storage;
using MaskContrast.Tests.Orchestration;
using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace MaskContrast.Tests.Functions;

/// <summary>
/// The runs and models HTTP functions called directly, with a real DurableTaskClient from the in-process test host (the
/// pipeline on the fake engine) and the artifact store on Azurite blobs.
/// </summary>
public sealed class RunsApiTests() : ToyPipelineTests("runs", imageCount: 5)
{
    private RunsFunctions _runs = null!;
    private ModelsFunctions _models = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _runs = FunctionsTestKit.Runs(Store);
        _models = FunctionsTestKit.Models(Store);
    }

    [Fact]
    public async Task StartRun_ValidBody_Returns202WithOurLinksOnly_AndTheRunCompletesWithAModelToActivate()
    {
        var body = """{"dataset":"toy","preset":"tiny","overrides":["optimizer.learningRate=0.01"],"epochs":2,"runId":"run-http"}""";

        var result = await _runs.StartRun(FunctionsTestKit.Request("POST", "/api/runs", body), Host.Client, Deadline.Token);

        var accepted = Assert.IsType<AcceptedResult>(result);
        Assert.Equal("https://mc.example.net/api/runs/run-http", accepted.Location);
        var started = Assert.IsType<StartRunResponse>(accepted.Value);
        Assert.Equal(("run-http", "toy", "tiny", 2), (started.RunId, started.Settings.Dataset, started.Settings.Preset, started.Settings.Epochs));
        Assert.Equal(["optimizer.learningRate=0.01"], started.Settings.Overrides);
        Assert.Equal(("https://mc.example.net/api/runs/run-http", "https://mc.example.net/api/runs/run-http/cancel"), (started.StatusUri, started.CancelUri));
        // Durable's management links carry the task hub's system key in Azure: never handed to a caller.
        string json = JsonSerializer.Serialize(accepted.Value);
        Assert.DoesNotContain("runtime/webhooks", json);
        Assert.DoesNotContain("management", json, StringComparison.OrdinalIgnoreCase);
        var recorded = (await Store.ReadJsonAsync<RunSettings>(RunLayout.Settings("run-http")))!;
        Assert.Equal(("toy", "tiny", 2), (recorded.Dataset, recorded.Preset, recorded.Epochs));
        // The configuration is resolved once, by the gate, and every step reads it from the run.
        var config = Presets.FromJson(System.Text.Encoding.UTF8.GetString((await Store.ReadBytesAsync(RunLayout.Config("run-http")))!));
        Assert.Equal((2, 0.01), (config.Schedule.Epochs, config.Optimizer.LearningRate));

        var done = await Host.Client.WaitForInstanceCompletionAsync("run-http", getInputsAndOutputs: true, Deadline.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(["Train:1", "Train:2", "Evaluate", "Publish"], Engine.Calls.Where(c => !c.StartsWith("Shard") && c is not "ListImages" and not "CheckProposals"));

        var view = Assert.IsType<RunView>(Assert.IsType<OkObjectResult>(
            await _runs.GetRun(FunctionsTestKit.Request("GET", "/api/runs/run-http"), Host.Client, "run-http", Deadline.Token)).Value);
        Assert.Equal(("Completed", PipelinePhase.Completed, 2, 2), (view.RuntimeStatus, view.Status!.Phase, view.Status.Epoch, view.Status.Epochs));
        Assert.Equal(FakePipelineEngine.LossOf(2), view.Status.Loss);
        Assert.Equal(RunLayout.EvalFile("run-http", "report.md"), view.Links["report"]);
        Assert.Equal(RunLayout.ModelFile("run-http", "model.bin"), view.Links["model"]);
        Assert.Equal("https://mc.example.net/api/models/run-http/activate", view.Links["activate"]);

        var listed = Assert.IsType<OkObjectResult>(await _runs.ListRuns(FunctionsTestKit.Request("GET", "/api/runs"), Host.Client, Deadline.Token));
        Assert.Contains("run-http", JsonSerializer.Serialize(listed.Value));

        var activated = Assert.IsType<ActiveModel>(Assert.IsType<OkObjectResult>(
            await _models.ActivateModel(FunctionsTestKit.Request("POST", "/api/models/run-http/activate"), "run-http", Deadline.Token)).Value);
        Assert.Equal((RunLayout.ModelFile("run-http", "model.bin"), await Store.ComputeSha256Async(activated.Path)), (activated.Path, activated.Sha256));
        var active = Assert.IsType<OkObjectResult>(await _models.GetActiveModel(FunctionsTestKit.Request("GET", "/api/models/active"), Deadline.Token));
        Assert.Equal(activated, active.Value);

        // The fake engine publishes two bytes, not a bundle: its lineage cannot be read, and says so without details.
        var unreadable = Assert.IsType<ObjectResult>(await _models.GetModel(FunctionsTestKit.Request("GET", "/api/models/run-http"), "run-http", Deadline.Token));
        Assert.Equal(503, unreadable.StatusCode);
        Assert.DoesNotContain("zip", JsonSerializer.Serialize(unreadable.Value));
        var none = Assert.IsType<ObjectResult>(await _models.GetModel(FunctionsTestKit.Request("GET", "/api/models/run-none"), "run-none", Deadline.Token));
        Assert.Equal(404, none.StatusCode);
    }

    [Fact]
    public async Task StartRun_ExistingRunId_ResumesWithTheSameSettingsAndIs409WithOthers()
    {
        const string body = """{"dataset":"toy","preset":"tiny","epochs":1,"runId":"run-again"}""";
        Assert.False(Assert.IsType<StartRunResponse>(Assert.IsType<AcceptedResult>(
            await _runs.StartRun(FunctionsTestKit.Request("POST", "/api/runs", body), Host.Client, Deadline.Token)).Value).Resumed);
        await Host.Client.WaitForInstanceCompletionAsync("run-again", Deadline.Token);

        var again = await _runs.StartRun(FunctionsTestKit.Request("POST", "/api/runs", body), Host.Client, Deadline.Token);
        var other = await _runs.StartRun(FunctionsTestKit.Request("POST", "/api/runs", body.Replace("\"epochs\":1", "\"epochs\":2")), Host.Client, Deadline.Token);

        Assert.True(Assert.IsType<StartRunResponse>(Assert.IsType<AcceptedResult>(again).Value).Resumed);
        Assert.Contains("other settings", AssertProblem(other, 409).Detail);
        var done = await Host.Client.WaitForInstanceCompletionAsync("run-again", getInputsAndOutputs: true, Deadline.Token);
        Assert.Equal((0, 1), (done.ReadOutputAs<PipelineResult>()!.EpochsTrained, done.ReadOutputAs<PipelineResult>()!.EpochsSkipped));
    }

    [Theory]
    [InlineData("{\"dataset\":\"toy\",", "not valid JSON")]            // truncated
    [InlineData("{\"dataset\":\"toy\",\"epoch\":3}", "epoch")]         // unknown field (typo of "epochs")
    [InlineData("{\"dataset\":\"toy\",\"epochs\":\"many\"}", "epochs")] // wrong type
    [InlineData("", "JSON object")]                                      // empty body
    public async Task StartRun_BadJson_Returns400Problem(string body, string mentioned)
    {
        var problem = await StartExpectingProblemAsync(body, 400);

        Assert.Contains(mentioned, problem.Detail);
        Assert.Empty(await Store.ListAsync("runs/"));
    }

    [Fact]
    public async Task StartRun_UnknownDataset_Returns404Problem()
    {
        var problem = await StartExpectingProblemAsync("""{"dataset":"nope","preset":"tiny","epochs":1}""", 404);

        Assert.Contains("datasets/nope/", problem.Detail);
        Assert.Empty(await Store.ListAsync("runs/"));
    }

    [Fact]
    public async Task StartRun_OutOfRangeValues_Returns400ListingEveryField()
    {
        var body = """{"dataset":"toy","preset":"tiny","epochs":0,"shardSize":0,"linearProbeEpochs":-1,"overrides":["optimizer.learningRate=0","data.cropSize=8","moco.temperature=-1"]}""";

        var problem = Assert.IsType<ValidationProblemDetails>(await StartExpectingProblemAsync(body, 400));

        Assert.Equal(["data.cropSize", "epochs", "linearProbeEpochs", "moco.temperature", "optimizer.learningRate", "shardSize"], problem.Errors.Keys.Order());
        Assert.Contains("data.cropSize (8) must be in [16, 1024]", problem.Detail);
        Assert.Empty(await Store.ListAsync("runs/"));
    }

    [Theory]
    [InlineData("""{"dataset":"toy","preset":"tiny","runId":"../evil"}""", "runId")]
    [InlineData("""{"dataset":"../datasets/toy","preset":"tiny"}""", "dataset")]
    [InlineData("""{"dataset":"toy","preset":"huge"}""", "preset")]
    [InlineData("""{"dataset":"toy","overrides":["model.nope=1"]}""", "overrides")]
    public async Task StartRun_InvalidNames_Return400NamingTheField(string body, string field)
    {
        var problem = Assert.IsType<ValidationProblemDetails>(await StartExpectingProblemAsync(body, 400));

        Assert.Equal([field], problem.Errors.Keys);
    }

    [Fact]
    public async Task RunRoutes_IdWithTraversal_Return400Problem()
    {
        const string id = "../../datasets";
        var get = await _runs.GetRun(FunctionsTestKit.Request("GET", "/api/runs/x"), Host.Client, id, Deadline.Token);
        var cancel = await _runs.CancelRun(FunctionsTestKit.Request("POST", "/api/runs/x/cancel"), Host.Client, id, Deadline.Token);
        var activate = await _models.ActivateModel(FunctionsTestKit.Request("POST", "/api/models/x/activate"), id, Deadline.Token);

        foreach (var result in new[] { get, cancel, activate })
            Assert.Contains("must not contain '..'", AssertProblem(result, 400).Detail);
    }

    [Fact]
    public async Task RunRoutes_UnknownRun_Return404Problem()
    {
        AssertProblem(await _runs.GetRun(FunctionsTestKit.Request("GET", "/api/runs/none"), Host.Client, "none", Deadline.Token), 404);
        AssertProblem(await _runs.CancelRun(FunctionsTestKit.Request("POST", "/api/runs/none/cancel"), Host.Client, "none", Deadline.Token), 404);
        AssertProblem(await _models.ActivateModel(FunctionsTestKit.Request("POST", "/api/models/none/activate"), "none", Deadline.Token), 404);
        AssertProblem(await _models.GetActiveModel(FunctionsTestKit.Request("GET", "/api/models/active"), Deadline.Token), 404);
    }

    [Fact]
    public async Task CancelRun_DuringAnEpoch_Returns202AndTheRunEndsCancelled()
    {
        Engine.HoldEpoch = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Engine.HeldEpoch = 1;
        Assert.IsType<AcceptedResult>(await _runs.StartRun(
            FunctionsTestKit.Request("POST", "/api/runs", """{"dataset":"toy","preset":"tiny","epochs":3,"runId":"run-cancel"}"""), Host.Client, Deadline.Token));
        await Engine.HeldEpochStarted.Task.WaitAsync(Deadline.Token);

        var cancel = await _runs.CancelRun(FunctionsTestKit.Request("POST", "/api/runs/run-cancel/cancel"), Host.Client, "run-cancel", Deadline.Token);
        Assert.IsType<AcceptedResult>(cancel);
        // A second start while it runs is refused.
        await StartExpectingProblemAsync("""{"dataset":"toy","preset":"tiny","epochs":3,"runId":"run-cancel"}""", 409);
        Engine.HoldEpoch.SetResult();

        var done = await Host.Client.WaitForInstanceCompletionAsync("run-cancel", getInputsAndOutputs: true, Deadline.Token);
        Assert.Equal(PipelineOutcome.Cancelled, done.ReadOutputAs<PipelineResult>()!.Outcome);
        AssertProblem(await _runs.CancelRun(FunctionsTestKit.Request("POST", "/api/runs/run-cancel/cancel"), Host.Client, "run-cancel", Deadline.Token), 409);
    }

    private async Task<ProblemDetails> StartExpectingProblemAsync(string body, int status)
        => AssertProblem(await _runs.StartRun(FunctionsTestKit.Request("POST", "/api/runs", body), Host.Client, Deadline.Token), status);

    [Fact]
    public async Task StartRun_HugeOverride_IsEchoedShortened_AndNamesNoDotNetTypes()
    {
        string huge = "schedule." + new string('x', 60_000) + "=1";
        string typeError = "schedule.epochs=\"many\"";
        var body = JsonSerializer.Serialize(new { dataset = "toy", preset = "tiny", overrides = new[] { huge }, runId = "run-echo" });

        var problem = AssertProblem(await _runs.StartRun(FunctionsTestKit.Request("POST", "/api/runs", body), Host.Client, Deadline.Token), 400);
        var typed = AssertProblem(await _runs.StartRun(FunctionsTestKit.Request("POST", "/api/runs",
            JsonSerializer.Serialize(new { dataset = "toy", preset = "tiny", overrides = new[] { typeError }, runId = "run-echo" })), Host.Client, Deadline.Token), 400);

        Assert.True(problem.Detail!.Length < 1000, $"{problem.Detail.Length} characters");
        Assert.Contains("...", problem.Detail);
        Assert.DoesNotContain("System.", typed.Detail);
        Assert.Contains("schedule.epochs", typed.Detail);
    }

    internal static ProblemDetails AssertProblem(IActionResult result, int status)
    {
        var objectResult = Assert.IsType<ObjectResult>(result);
        Assert.Equal(status, objectResult.StatusCode);
        Assert.Equal(["application/problem+json"], objectResult.ContentTypes);
        var problem = Assert.IsAssignableFrom<ProblemDetails>(objectResult.Value);
        Assert.Equal(status, problem.Status);
        Assert.False(string.IsNullOrWhiteSpace(problem.Detail));
        return problem;
    }
}
