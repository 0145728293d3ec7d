using System.Net;
using System.Text.Json.Nodes;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Launchers;

namespace MaskContrast.Tests.Orchestration;

/// <summary>
/// <see cref="ContainerAppsJobClient"/> and <see cref="ContainerAppsJobLauncher"/> against <see cref="FakeArmServer"/>:
/// the request shape ARM documents, the bearer token, retries with Retry-After, and the errors a user can fix.
/// </summary>
public sealed class ContainerAppsJobClientTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private static readonly string JobPath = FakeArmServer.JobId;
    private static readonly ContainerAppsJobClientOptions FastRetries = new() { MaxRetries = 3, FirstRetryDelay = TimeSpan.FromMilliseconds(50) };

    [Fact]
    public async Task StartExecution_PostsTheTemplateContainerWithEnvOverridesAndABearerToken()
    {
        await using var server = FakeArmServer.Start(r => r.Method == "GET"
            ? new(200, FakeArmServer.JobJson)
            : new(200, $$"""{"name":"caj-training-t1-abc12","id":"{{JobPath}}/executions/caj-training-t1-abc12"}"""));
        var credential = new FakeTokenCredential();
        using var http = new HttpClient();
        var launcher = new ContainerAppsJobLauncher(new ContainerAppsJobClient(http, credential, Options(server)), LauncherOptions());
        using var cts = new CancellationTokenSource(Timeout);

        var name = await launcher.StartEpochAsync("run-7", 3, 2, cts.Token);

        Assert.Equal("caj-training-t1-abc12", name);
        var requests = server.Requests;
        Assert.Equal(["GET " + JobPath, "POST " + JobPath + "/start"], requests.Select(r => $"{r.Method} {r.Path}"));
        Assert.All(requests, r => Assert.Equal("2024-03-01", r.ApiVersion));
        // One token, asked for the ARM scope, sent on both calls.
        Assert.All(requests, r => Assert.Equal("Bearer fake-token-1", r.Authorization));
        Assert.Equal(["https://management.azure.com/.default"], credential.Scopes);

        var body = JsonNode.Parse(requests[1].Body)!;
        var container = Assert.Single(body["containers"]!.AsArray())!;
        Assert.Equal(FakeArmServer.ContainerName, (string?)container["name"]);
        Assert.Equal(FakeArmServer.Image, (string?)container["image"]);
        Assert.Equal("56Gi", (string?)container["resources"]!["memory"]);
        Assert.Null(container["probes"]); // not part of a JobExecutionContainer
        var env = container["env"]!.AsArray().Select(e => ((string)e!["name"]!, (string?)e["value"])).ToList();
        // The deployed settings stay; the epoch replaces the template's stale value; the run id and attempt are added.
        Assert.Equal([
            ("MASKCONTRAST_STORAGE_URL", "https://stmct1.blob.core.windows.net/"),
            ("AZURE_CLIENT_ID", "client-id-1"),
            ("MASKCONTRAST_RUN_ID", "run-7"),
            ("MASKCONTRAST_EPOCH", "3"),
            ("MASKCONTRAST_ATTEMPT", "2"),
        ], env);
        Assert.Null(body["initContainers"]);
    }

    [Fact]
    public async Task StopExecution_PostsToTheExecutionsStopAction_AndAGoneExecutionIsNoError()
    {
        await using var server = FakeArmServer.Start(r => r.Path.Contains("/executions/gone")
            ? new(404, """{"error":{"code":"ResourceNotFound","message":"no such execution"}}""")
            : new(202, ""));
        using var http = new HttpClient();
        var launcher = new ContainerAppsJobLauncher(new ContainerAppsJobClient(http, new FakeTokenCredential(), Options(server)), LauncherOptions());
        using var cts = new CancellationTokenSource(Timeout);

        await launcher.StopAsync("caj-training-t1-abc12", cts.Token);
        await launcher.StopAsync("gone", cts.Token);

        Assert.Equal(["POST " + JobPath + "/executions/caj-training-t1-abc12/stop", "POST " + JobPath + "/executions/gone/stop"],
            server.Requests.Select(r => $"{r.Method} {r.Path}"));
        Assert.All(server.Requests, r => Assert.Equal(("Bearer fake-token-1", "2024-03-01"), (r.Authorization, r.ApiVersion)));
    }

    [Fact]
    public async Task StartExecution_Accepted_FollowsLocationUntilTheExecutionIsNamed()
    {
        var operationPolls = 0;
        FakeArmServer? self = null;
        await using var server = FakeArmServer.Start(r => (r.Method, r.Path) switch
        {
            ("GET", FakeArmServer.JobId) => new(200, FakeArmServer.JobJson),
            ("POST", _) => new(202, "", new Dictionary<string, string> { ["Location"] = self!.Endpoint + "operations/op-1?api-version=2024-03-01", ["Retry-After"] = "0" }),
            _ => ++operationPolls < 2 ? new(202, "") : new(200, """{"name":"caj-training-t1-xyz","id":null}"""),
        });
        self = server;
        using var http = new HttpClient();
        var client = new ContainerAppsJobClient(http, new FakeTokenCredential(), Options(server));
        using var cts = new CancellationTokenSource(Timeout);

        var execution = await client.StartExecutionAsync(JobPath, FakeArmServer.ContainerName, new Dictionary<string, string>(), cts.Token);

        Assert.Equal(new JobExecutionRef("caj-training-t1-xyz", null), execution);
        Assert.Equal(2, server.Requests.Count(r => r.Path == "/operations/op-1"));
    }

    [Fact]
    public async Task StartExecution_TooManyRequestsWithRetryAfter_WaitsThatLongAndRetries()
    {
        var posts = 0;
        await using var server = FakeArmServer.Start(r => r.Method == "GET"
            ? new(200, FakeArmServer.JobJson)
            : ++posts == 1
                ? new(429, """{"error":{"code":"TooManyRequests","message":"slow down"}}""", new Dictionary<string, string> { ["Retry-After"] = "1" })
                : new(200, """{"name":"caj-training-t1-r2"}"""));
        using var http = new HttpClient();
        // Backoff without Retry-After would be 50 ms: waiting about a second proves the header was honoured.
        var client = new ContainerAppsJobClient(http, new FakeTokenCredential(), Options(server));
        using var cts = new CancellationTokenSource(Timeout);

        var execution = await client.StartExecutionAsync(JobPath, FakeArmServer.ContainerName, new Dictionary<string, string>(), cts.Token);

        Assert.Equal("caj-training-t1-r2", execution.Name);
        var startPosts = server.Requests.Where(r => r.Method == "POST").ToList();
        Assert.Equal(2, startPosts.Count);
        Assert.InRange((startPosts[1].ReceivedUtc - startPosts[0].ReceivedUtc).TotalSeconds, 0.9, 5);
    }

    [Fact]
    public async Task GetExecutionStatus_ServerErrorsThenRunning_RetriesWithBackoffAndReadsTheStatus()
    {
        var gets = 0;
        await using var server = FakeArmServer.Start(_ => ++gets <= 2
            ? new(503, "upstream unavailable")
            : new(200, """{"name":"e1","properties":{"status":"Running","startTime":"2026-11-27T10:00:00Z"}}"""));
        using var http = new HttpClient();
        var client = new ContainerAppsJobClient(http, new FakeTokenCredential(), Options(server));
        using var cts = new CancellationTokenSource(Timeout);

        var status = await client.GetExecutionStatusAsync(JobPath, "e1", cts.Token);

        Assert.Equal(JobExecutionStatus.Running, status);
        Assert.Equal(3, server.Requests.Count);
        Assert.All(server.Requests, r => Assert.Equal(JobPath + "/executions/e1", r.Path));
    }

    [Fact]
    public async Task GetExecutionStatus_ServerErrorEveryTime_FailsAfterTheRetryBoundWithTheArmError()
    {
        await using var server = FakeArmServer.Start(_ => new(500, """{"error":{"code":"InternalServerError","message":"boom"}}"""));
        using var http = new HttpClient();
        var client = new ContainerAppsJobClient(http, new FakeTokenCredential(), Options(server));
        using var cts = new CancellationTokenSource(Timeout);

        var error = await Assert.ThrowsAsync<ContainerAppsJobException>(() => client.GetExecutionStatusAsync(JobPath, "e1", cts.Token));

        Assert.Equal(1 + FastRetries.MaxRetries, server.Requests.Count);
        Assert.Contains("InternalServerError: boom", error.Message);
        Assert.Contains("after 4 attempts", error.Message);
        Assert.False(error.IsPermanent);
    }

    [Theory]
    [InlineData("Running", JobExecutionStatus.Running)]
    [InlineData("Processing", JobExecutionStatus.Processing)]
    [InlineData("Succeeded", JobExecutionStatus.Succeeded)]
    [InlineData("Failed", JobExecutionStatus.Failed)]
    [InlineData("Degraded", JobExecutionStatus.Degraded)]
    [InlineData("Stopped", JobExecutionStatus.Stopped)]
    [InlineData("Unknown", JobExecutionStatus.Unknown)]
    [InlineData("Paused", JobExecutionStatus.Unknown)]   // a value newer than this code
    [InlineData("3", JobExecutionStatus.Unknown)]        // numbers are not statuses
    public async Task GetExecutionStatus_EveryDocumentedStatus_IsRead(string text, JobExecutionStatus expected)
    {
        await using var server = FakeArmServer.Start(_ => new(200, $$$"""{"properties":{"status":"{{{text}}}"}}"""));
        using var http = new HttpClient();
        var client = new ContainerAppsJobClient(http, new FakeTokenCredential(), Options(server));
        using var cts = new CancellationTokenSource(Timeout);

        Assert.Equal(expected, await client.GetExecutionStatusAsync(JobPath, "e1", cts.Token));
    }

    [Theory]
    [InlineData(401, "InvalidAuthenticationToken", "AZURE_CLIENT_ID")]
    [InlineData(403, "AuthorizationFailed", "Microsoft.App/jobs/start/action")]
    [InlineData(404, "ResourceNotFound", "TRAINING_JOB_RESOURCE_ID")]
    public async Task StartEpoch_ArmRefuses_FailsAtOnceNonRetryableAndSaysWhatToCheck(int status, string code, string hint)
    {
        await using var server = FakeArmServer.Start(_ => new(status, $$$"""{"error":{"code":"{{{code}}}","message":"nope"}}"""));
        using var http = new HttpClient();
        var launcher = new ContainerAppsJobLauncher(new ContainerAppsJobClient(http, new FakeTokenCredential(), Options(server)), LauncherOptions());
        using var cts = new CancellationTokenSource(Timeout);

        var error = await Assert.ThrowsAsync<NonRetryablePipelineException>(() => launcher.StartEpochAsync("run-1", 1, 1, cts.Token));

        Assert.Single(server.Requests); // not retried
        Assert.Contains($"{code}: nope", error.Message);
        Assert.Contains(hint, error.Message);
        Assert.Equal((HttpStatusCode)status, Assert.IsType<ContainerAppsJobException>(error.InnerException).StatusCode);
    }

    [Fact]
    public async Task StartEpoch_ContainerNameNotInTheTemplate_FailsNonRetryableNamingTheContainersThere()
    {
        await using var server = FakeArmServer.Start(_ => new(200, FakeArmServer.JobJson));
        using var http = new HttpClient();
        var launcher = new ContainerAppsJobLauncher(new ContainerAppsJobClient(http, new FakeTokenCredential(), Options(server)),
            LauncherOptions() with { ContainerName = "main" });
        using var cts = new CancellationTokenSource(Timeout);

        var error = await Assert.ThrowsAsync<NonRetryablePipelineException>(() => launcher.StartEpochAsync("run-1", 1, 1, cts.Token));

        Assert.Contains("no container named 'main' (it has: trainer)", error.Message);
        Assert.Contains("TRAINING_JOB_CONTAINER_NAME", error.Message);
        Assert.DoesNotContain(server.Requests, r => r.Method == "POST");
    }

    [Fact]
    public async Task GetStatus_ExecutionNotFoundYet_StaysRetryable()
    {
        // Just after a start the execution may not be readable yet: the activity's retry policy should try again.
        await using var server = FakeArmServer.Start(_ => new(404, """{"error":{"code":"ResourceNotFound","message":"no execution"}}"""));
        using var http = new HttpClient();
        var launcher = new ContainerAppsJobLauncher(new ContainerAppsJobClient(http, new FakeTokenCredential(), Options(server)), LauncherOptions());
        using var cts = new CancellationTokenSource(Timeout);

        var error = await Assert.ThrowsAsync<ContainerAppsJobException>(() => launcher.GetStatusAsync("e1", cts.Token));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
    }

    [Theory]
    [InlineData(null, null, true)]                                             // no job configured: keep the other launchers
    [InlineData(FakeArmServer.JobId, "trainer", false)]
    [InlineData("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/x", "trainer", false)] // not a job
    [InlineData(FakeArmServer.JobId, "", false)]                               // container missing
    public void FromSettings_ReadsTheFunctionAppSettings(string? jobId, string? container, bool expectNull)
    {
        var settings = new Dictionary<string, string?>
        {
            ["TRAINING_JOB_RESOURCE_ID"] = jobId, ["TRAINING_JOB_CONTAINER_NAME"] = container, ["AZURE_CLIENT_ID"] = "cid",
        };
        if (expectNull)
        {
            Assert.Null(ContainerAppsJobLauncherOptions.FromSettings(n => settings.GetValueOrDefault(n)));
            return;
        }
        var valid = jobId == FakeArmServer.JobId && !string.IsNullOrEmpty(container);
        if (valid)
            Assert.Equal(new ContainerAppsJobLauncherOptions(FakeArmServer.JobId, "trainer", "cid"),
                ContainerAppsJobLauncherOptions.FromSettings(n => settings.GetValueOrDefault(n)));
        else
            Assert.Contains(container == "" ? "TRAINING_JOB_CONTAINER_NAME" : "TRAINING_JOB_RESOURCE_ID",
                Assert.Throws<ArgumentException>(() => ContainerAppsJobLauncherOptions.FromSettings(n => settings.GetValueOrDefault(n))).Message);
    }

    private static ContainerAppsJobClientOptions Options(FakeArmServer server) => FastRetries with { ArmEndpoint = server.Endpoint };

    private static ContainerAppsJobLauncherOptions LauncherOptions() => new(FakeArmServer.JobId, FakeArmServer.ContainerName);
}
