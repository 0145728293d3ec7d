using System.Text.Json;
using Azure.Storage.Blobs;
using Grpc.Net.Client;
using MaskContrast.Functions.Api;
using MaskContrast.Functions.Functions;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Runs;
using MaskContrast.Orchestration.Storage;
using MaskContrast.Tests.Orchestration;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Client.Grpc;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using static MaskContrast.Tests.Functions.RunsApiTests;

namespace MaskContrast.Tests.Functions;

/// <summary>
/// Error hygiene and the cost of reads, through the runs handlers with a real Durable client (the in-process test host,
/// fake engine) and the artifact store on Azurite: <c>GET /api/runs</c> filters and pages, store and task hub faults are
/// 503 problems without store URLs, echoed input is short, skipped dataset files show in the run, and old history is
/// purged by the timer function.
/// </summary>
public sealed class RunsApiHygieneTests() : ToyPipelineTests("hygiene", imageCount: 3)
{
    private RunsFunctions _runs = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _runs = FunctionsTestKit.Runs(Store);
    }

    public override async Task DisposeAsync()
    {
        Engine.HoldEpoch?.TrySetResult();
        await base.DisposeAsync();
    }

    private async Task StartAsync(string runId, DurableTaskClient? client = null)
        => Assert.IsType<AcceptedResult>(await _runs.StartRun(FunctionsTestKit.Request("POST", "/api/runs",
            $$"""{"dataset":"toy","preset":"tiny","epochs":1,"runId":"{{runId}}"}"""), client ?? Host.Client, Deadline.Token));

    private async Task CompleteAsync(params string[] runIds)
    {
        foreach (var id in runIds)
        {
            await StartAsync(id);
            await Host.Client.WaitForInstanceCompletionAsync(id, Deadline.Token);
        }
    }

    // run-held: started and held in its first epoch (Running) until the test ends.
    private async Task StartHeldAsync()
    {
        Engine.HoldEpoch = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Engine.HeldEpoch = 1;
        await StartAsync("run-held");
        await Engine.HeldEpochStarted.Task.WaitAsync(Deadline.Token);
    }

    private async Task<RunPage> ListAsync(string query)
        => Assert.IsType<RunPage>(Assert.IsType<OkObjectResult>(
            await _runs.ListRuns(FunctionsTestKit.Request("GET", "/api/runs", query: query), Host.Client, Deadline.Token)).Value);

    [Fact]
    public async Task ListRuns_StatusFilterAndPages_ReadOnePageAtATime_AndTheTokensWalkEveryMatchingRun()
    {
        await CompleteAsync("run-a", "run-b", "run-c");
        await StartHeldAsync();

        var running = await ListAsync("?status=Running");
        Assert.Equal(["run-held"], running.Runs.Select(r => r.RunId));

        var seen = new List<string>();
        var page = await ListAsync("?status=completed&top=1");
        for (int pages = 1; ; pages++)
        {
            Assert.True(page.Runs.Count <= 1, $"page of {page.Runs.Count}");
            seen.AddRange(page.Runs.Select(r => r.RunId));
            if (page.ContinuationToken is null)
                break;
            Assert.True(pages < 10, "the pages never end");
            // The next link keeps the filter and carries the token.
            Assert.StartsWith("https://mc.example.net/api/runs?status=completed&top=1&continuationToken=", page.Next);
            page = await ListAsync(new Uri(page.Next!).Query);
        }
        Assert.Equal(["run-a", "run-b", "run-c"], seen.Order());

        Assert.Empty((await ListAsync($"?createdFrom={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"))}")).Runs);
        Assert.Equal(4, (await ListAsync("")).Runs.Count);
    }

    [Theory]
    [InlineData("?top=0", "top")]
    [InlineData("?top=101", "top")]
    [InlineData("?status=Sleeping", "status")]
    [InlineData("?createdFrom=yesterday", "createdFrom")]
    [InlineData("?continuationToken=", "continuationToken")]
    public async Task ListRuns_BadParameters_Return400NamingTheParameter(string query, string parameter)
    {
        var problem = Assert.IsType<ValidationProblemDetails>(AssertProblem(
            await _runs.ListRuns(FunctionsTestKit.Request("GET", "/api/runs", query: query), Host.Client, Deadline.Token), 400));

        Assert.Equal([parameter], problem.Errors.Keys);
    }

    [Fact]
    public async Task ListRuns_HugeTop_IsEchoedShortened()
    {
        var problem = AssertProblem(await _runs.ListRuns(
            FunctionsTestKit.Request("GET", "/api/runs", query: "?top=" + new string('9', 60_000)), Host.Client, Deadline.Token), 400);

        Assert.True(problem.Detail!.Length < 300, $"{problem.Detail.Length} characters");
    }

    [Theory]
    [InlineData("preset")]                // an unknown preset name
    [InlineData("model.backbone")]        // a value that names no option
    [InlineData("model.asppRates")]       // a list of the wrong length
    public async Task StartRun_HugeValues_AreEchoedShortened(string field)
    {
        string huge = new('x', 60_000);
        object body = field switch
        {
            "preset" => new { dataset = "toy", preset = huge },
            "model.backbone" => new { dataset = "toy", preset = "tiny", overrides = new[] { "model.backbone=" + huge } },
            _ => new { dataset = "toy", preset = "tiny", overrides = new[] { "model.asppRates=[" + string.Join(",", Enumerable.Repeat(2, 20_000)) + "]" } },
        };

        var problem = Assert.IsType<ValidationProblemDetails>(AssertProblem(await _runs.StartRun(
            FunctionsTestKit.Request("POST", "/api/runs", JsonSerializer.Serialize(body)), Host.Client, Deadline.Token), 400));

        Assert.Equal([field], problem.Errors.Keys);
        Assert.True(problem.Detail!.Length < 500, $"{problem.Detail.Length} characters");
    }

    [Fact]
    public async Task GetRun_DamagedRecord_Returns503WithoutTheStorageUrl()
    {
        await CompleteAsync("run-damaged");
        await Store.WriteBytesAsync(RunLayout.Estimate("run-damaged"), "{\"gpuMinutes\":"u8.ToArray());

        var problem = AssertProblem(await _runs.GetRun(FunctionsTestKit.Request("GET", "/api/runs/run-damaged"), Host.Client, "run-damaged", Deadline.Token), 503);

        AssertNoInternals(JsonSerializer.Serialize(problem));
    }

    [Fact]
    public async Task StartRun_StorageRefusesTheApp_Returns503WithoutTheStorageUrl()
    {
        // Azurite's account with a wrong key: every request is refused (403), as when the app's identity lost its role.
        var wrongKey = FunctionsTestKit.AzuriteConnection.Replace("AccountKey=", "AccountKey=AAAA", StringComparison.Ordinal);
        var store = new BlobArtifactStore(new BlobServiceClient(wrongKey).GetBlobContainerClient("maskcontrast"));

        var problem = AssertProblem(await FunctionsTestKit.Runs(store).StartRun(FunctionsTestKit.Request("POST", "/api/runs",
            """{"dataset":"toy","preset":"tiny","epochs":1,"runId":"run-denied"}"""), Host.Client, Deadline.Token), 503);

        AssertNoInternals(JsonSerializer.Serialize(problem));
        Assert.Null(await Host.Client.GetInstanceAsync("run-denied", Deadline.Token));
    }

    [Fact]
    public async Task RunHandlers_TaskHubDown_Return503Problems()
    {
        // A client of a task hub that does not answer: nothing listens on the port (connections are refused).
        using var channel = GrpcChannel.ForAddress("http://127.0.0.1:1");
        await using var client = new GrpcDurableTaskClient("down",
            new GrpcDurableTaskClientOptions { Channel = channel }, NullLogger.Instance);

        AssertProblem(await _runs.ListRuns(FunctionsTestKit.Request("GET", "/api/runs"), client, Deadline.Token), 503);
        AssertProblem(await _runs.GetRun(FunctionsTestKit.Request("GET", "/api/runs/run-x"), client, "run-x", Deadline.Token), 503);
        AssertProblem(await _runs.CancelRun(FunctionsTestKit.Request("POST", "/api/runs/run-x/cancel"), client, "run-x", Deadline.Token), 503);
        AssertProblem(await _runs.StartRun(FunctionsTestKit.Request("POST", "/api/runs",
            """{"dataset":"toy","preset":"tiny","epochs":1,"runId":"run-x"}"""), client, Deadline.Token), 503);
    }

    [Fact]
    public async Task GetRun_FailureQuotingTheContainerUrl_ShowsItWithoutTheUrl()
    {
        Engine.ListImagesFailure = new NonRetryablePipelineException($"the dataset cannot be read from {Store.Description}");
        await StartAsync("run-fails");
        await Host.Client.WaitForInstanceCompletionAsync("run-fails", Deadline.Token);

        var view = Assert.IsType<RunView>(Assert.IsType<OkObjectResult>(
            await _runs.GetRun(FunctionsTestKit.Request("GET", "/api/runs/run-fails"), Host.Client, "run-fails", Deadline.Token)).Value);

        Assert.Equal("Failed", view.RuntimeStatus);
        Assert.Contains("the dataset cannot be read from container (storage)", view.Failure);
        AssertNoInternals(JsonSerializer.Serialize(view));
    }

    [Fact]
    public async Task GetRun_DatasetWithAnOddFileName_RunsOnTheOthersAndShowsTheSkippedFile()
    {
        // Uploaded by hand (the store's own writes refuse such names).
        var container = new BlobServiceClient(FunctionsTestKit.AzuriteConnection).GetBlobContainerClient(
            new Uri(Store.Description["container ".Length..]).Segments[^1]);
        await container.GetBlobClient("datasets/toy/images/IMG 0001.png").UploadAsync(new BinaryData(FunctionsTestKit.Png(8, 8)));

        await CompleteAsync("run-odd");
        var view = Assert.IsType<RunView>(Assert.IsType<OkObjectResult>(
            await _runs.GetRun(FunctionsTestKit.Request("GET", "/api/runs/run-odd"), Host.Client, "run-odd", Deadline.Token)).Value);

        Assert.Equal("Completed", view.RuntimeStatus);
        Assert.Equal((1, "runs/run-odd/skipped-files.json"), (view.SkippedFiles!.Count, view.SkippedFiles.Record));
        Assert.Equal(["images/IMG 0001.png"], view.SkippedFiles.Names);
    }

    [Fact]
    public async Task PurgeRunHistory_RemovesRunsEndedBeforeTheRetention_KeepsNewerAndRunningOnesAndTheirFiles()
    {
        await CompleteAsync("run-old-1", "run-old-2");
        await StartAsync("run-killed");
        await Host.Client.TerminateInstanceAsync("run-killed", cancellation: Deadline.Token);
        await Host.Client.WaitForInstanceCompletionAsync("run-killed", Deadline.Token);
        await StartHeldAsync();
        var now = DateTimeOffset.UtcNow;

        // 29 days on, a 30-day retention keeps everything; 31 days on, the ended runs go, the running one stays.
        await Purge(now.AddDays(29));
        Assert.Equal(4, (await ListAsync("")).Runs.Count);
        await Purge(now.AddDays(31));

        Assert.Equal(["run-held"], (await ListAsync("")).Runs.Select(r => r.RunId));
        AssertProblem(await _runs.GetRun(FunctionsTestKit.Request("GET", "/api/runs/run-old-1"), Host.Client, "run-old-1", Deadline.Token), 404);
        // Only the history goes: the run's files stay, and its model can still be activated.
        Assert.True(await Store.ExistsAsync(RunLayout.ModelRecord("run-old-1")));
        Assert.True(await Store.ExistsAsync(RunLayout.Settings("run-killed")));
    }

    private Task Purge(DateTimeOffset now)
        => new RunHistoryFunctions(new RunHistory(RetentionDays: 30), new FixedClock(now), NullLogger<RunHistoryFunctions>.Instance)
            .PurgeRunHistory(new TimerInfo(), Host.Client, Deadline.Token);

    [Theory]
    [InlineData(null, 90)]
    [InlineData("7", 7)]
    public void RunHistory_FromSettings_ReadsTheRetentionDays(string? value, int days)
        => Assert.Equal(days, RunHistory.FromSettings(_ => value).RetentionDays);

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("a week")]
    public void RunHistory_FromSettings_RefusesWhatIsNotAWholeNumberOfDays(string value)
        => Assert.Contains(RunHistory.RetentionDaysSetting, Assert.Throws<InvalidOperationException>(() => RunHistory.FromSettings(_ => value)).Message);

    private static void AssertNoInternals(string json)
    {
        Assert.DoesNotContain("http://127.0.0.1", json);
        Assert.DoesNotContain("devstoreaccount1", json);
        Assert.DoesNotContain("System.", json);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
