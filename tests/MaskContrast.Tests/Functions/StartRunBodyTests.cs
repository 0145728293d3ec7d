using System.Text;
using System.Text.Json;
using MaskContrast.Functions.Api;
using MaskContrast.Functions.Functions;
using MaskContrast.Orchestration.Runs;
using MaskContrast.Orchestration.Storage;
using MaskContrast.Tests.Orchestration;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace MaskContrast.Tests.Functions;

/// <summary>
/// The bodies the security review (docs/security-review-status.md) found refused only by its scratch probes, now through
/// the real <c>POST /api/runs</c> handler: too long however it is sent, hostile <c>weights</c> paths, numbers no parser
/// or validator should take, a field given twice. Each is a problem answer, and nothing is recorded or started.
/// </summary>
public sealed class StartRunBodyTests() : ToyPipelineTests("body", imageCount: 3)
{
    private RunsFunctions _runs = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _runs = FunctionsTestKit.Runs(Store, limits: new RunLimits());
    }

    [Theory]
    [InlineData(null)]   // chunked: no Content-Length, the limit is counted while reading
    [InlineData(10L)]    // a Content-Length that lies low
    public async Task BodyOver64KiB_Returns413WhateverTheContentLengthSays(long? contentLength)
    {
        string body = JsonSerializer.Serialize(new { dataset = "toy", preset = "tiny", runId = "run-big", overrides = new[] { new string('x', 100_000) } });
        var request = FunctionsTestKit.Request("POST", "/api/runs", body);
        request.ContentLength = contentLength;

        var problem = RunsApiTests.AssertProblem(await _runs.StartRun(request, Host.Client, Deadline.Token), StatusCodes.Status413PayloadTooLarge);

        Assert.Contains("at most 65,536", problem.Detail);
        await AssertNothingStartedAsync("run-big");
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("datasets/toy/../../x")]
    [InlineData("https://evil.example/w.pth")]
    public async Task HostileWeightsPath_Returns400NamingWeights(string weights)
    {
        var problem = await StartAsync(new { dataset = "toy", preset = "tiny", runId = "run-w", weights });

        Assert.Contains("weights", Assert.IsType<ValidationProblemDetails>(problem).Errors.Keys);
        await AssertNothingStartedAsync("run-w");
    }

    [Theory]
    [InlineData("""{"dataset":"toy","preset":"tiny","runId":"run-n","epochs":1e100}""", "epochs")]
    [InlineData("""{"dataset":"toy","preset":"tiny","runId":"run-n","overrides":["schedule.epochs=1e9"]}""", "overrides")]
    [InlineData("""{"dataset":"toy","preset":"tiny","runId":"run-n","overrides":["optimizer.learningRate=NaN"]}""", "optimizer.learningRate (NaN) must be in (0, 10]")]
    [InlineData("""{"dataset":"toy","preset":"tiny","runId":"run-n","overrides":["optimizer.learningRate=Infinity"]}""", "optimizer.learningRate (Infinity) must be in (0, 10]")]
    public async Task NumbersNoRunCanUse_Return400SayingWhy_WithoutDotNetTypeNames(string body, string expected)
    {
        var problem = RunsApiTests.AssertProblem(await _runs.StartRun(FunctionsTestKit.Request("POST", "/api/runs", body), Host.Client, Deadline.Token),
            StatusCodes.Status400BadRequest);

        string text = JsonSerializer.Serialize(problem, problem.GetType());
        Assert.True(text.Contains(expected, StringComparison.Ordinal), text);
        Assert.DoesNotContain("System.", text);
        Assert.DoesNotContain("MaskContrast.", text);
        await AssertNothingStartedAsync("run-n");
    }

    [Fact]
    public async Task FieldGivenTwice_Returns400_InsteadOfTheLastOneWinning()
    {
        const string body = """{"dataset":"toy","preset":"tiny","runId":"run-twice","dataset":"other"}""";

        var problem = RunsApiTests.AssertProblem(await _runs.StartRun(FunctionsTestKit.Request("POST", "/api/runs", body), Host.Client, Deadline.Token),
            StatusCodes.Status400BadRequest);

        Assert.Contains("dataset", problem.Detail);
        await AssertNothingStartedAsync("run-twice");
    }

    private async Task<ProblemDetails> StartAsync(object body) => RunsApiTests.AssertProblem(
        await _runs.StartRun(FunctionsTestKit.Request("POST", "/api/runs", JsonSerializer.Serialize(body)), Host.Client, Deadline.Token),
        StatusCodes.Status400BadRequest);

    private async Task AssertNothingStartedAsync(string runId)
    {
        Assert.Empty(await Store.ListAsync(RunLayout.Run(runId), Deadline.Token));
        Assert.Null(await Host.Client.GetInstanceAsync(runId, Deadline.Token));
    }
}
