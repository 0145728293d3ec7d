using MaskContrast.Functions.Api;
using MaskContrast.Functions.Functions;
using MaskContrast.Orchestration;
using MaskContrast.Orchestration.Hosting;
using MaskContrast.Orchestration.Launchers;
using MaskContrast.Orchestration.Orchestrations;
using MaskContrast.Orchestration.Storage;
using MaskContrast.Tests.Orchestration;
using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace MaskContrast.Tests.Functions;

/// <summary>
/// POST /api/runs in job mode (the app has TRAINING_JOB_RESOURCE_ID, as in Azure): the run is started with
/// <see cref="PipelineInput.EpochJob"/>, so every epoch runs as a job execution (here the scripted fake launcher).
/// </summary>
public sealed class JobModeApiTests
{
    [Fact]
    public async Task StartRun_JobMode_RunsEveryEpochAsAJobExecutionAndCompletes()
    {
        using var cts = new CancellationTokenSource(FunctionsTestKit.Timeout);
        var store = new BlobArtifactStore(await FunctionsTestKit.NewContainerAsync("jobs"));
        await store.WriteBytesAsync(RunLayout.DatasetFile("toy", "img_000.png"), FunctionsTestKit.Png(8, 8));
        var engine = new FakePipelineEngine(store, imageCount: 4);
        var jobs = new FakeEpochJobLauncher(store, engine);
        await using var host = await DurableTaskTestHost.StartAsync(PipelineTasks.Register, new DurableTaskTestHostOptions
        {
            Port = LoopbackPort.Free(),
            ConfigureServices = services => services.AddSingleton<IEpochJobLauncher>(jobs).AddPipelineServices(store, engine),
        });
        jobs.Client = host.Client;
        // Event-driven waits: a one-minute timer would outlast the test's timeout, so only the completion events end them.
        var handler = new StartRunHandler(store, new EpochJobOptions(EventTimeoutSeconds: 60, PollIntervalSeconds: 60, AttemptTimeoutSeconds: 120));
        var runs = new RunsFunctions(handler, CallerAccess.KeysOnly, TimeProvider.System, NullLogger<RunsFunctions>.Instance);

        Assert.IsType<AcceptedResult>(await runs.StartRun(
            FunctionsTestKit.Request("POST", "/api/runs", """{"dataset":"toy","preset":"tiny","epochs":2,"runId":"run-jobs"}"""), host.Client, cts.Token));
        var done = await host.Client.WaitForInstanceCompletionAsync("run-jobs", getInputsAndOutputs: true, cts.Token);

        Assert.True(done.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"{done.RuntimeStatus}: {done.FailureDetails?.ErrorMessage}");
        Assert.NotNull(done.ReadInputAs<PipelineInput>()!.EpochJob);
        Assert.Equal(2, done.ReadOutputAs<PipelineResult>()!.EpochsTrained);
        Assert.Equal(["Train:1", "Train:2"], engine.Calls.Where(c => c.StartsWith("Train:", StringComparison.Ordinal)));
        Assert.Equal(2, jobs.Starts.Count);
        Assert.Empty(jobs.Errors);
    }
}
