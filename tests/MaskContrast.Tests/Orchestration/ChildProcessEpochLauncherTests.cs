using MaskContrast.Orchestration;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Hosting;
using MaskContrast.Orchestration.Launchers;
using MaskContrast.Orchestration.Storage;
using MaskContrast.Orchestration.Orchestrations;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace MaskContrast.Tests.Orchestration;

/// <summary>
/// The child-process launcher against a shell script standing in for <c>maskcontrast train-epoch</c>; the script sees
/// the same arguments ($1 = train-epoch, $3 = run id, $5 = epoch, $7 = store).
/// </summary>
public sealed class ChildProcessEpochLauncherTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly LocalFolderArtifactStore _store;

    public ChildProcessEpochLauncherTests() => _store = new LocalFolderArtifactStore(_folder.Path);

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task RunEpoch_ExitZero_PassesTheArgumentsAndReturnsTheRecordTheChildWrote()
    {
        // Records its arguments, then writes the epoch record where RunLayout says, as the real command does.
        const string script = """
            echo "$@" > "$7/args.txt"
            mkdir -p "$7/runs/$3/checkpoints"
            printf '{"epoch":%s,"loss":0.5,"contrastive":0.4,"saliency":0.1,"seconds":12}' "$5" > "$7/runs/$3/checkpoints/epoch-0002.json"
            """;
        var launcher = Launcher(script);

        var result = await launcher.RunEpochAsync("run-1", 2).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(new EpochResult(2, 0.5, 0.4, 0.1, 12), result);
        Assert.Equal($"train-epoch --run-id run-1 --epoch 2 --store {_folder.Path} --container {ArtifactStoreLocator.DefaultContainer}", File.ReadAllText(Path.Combine(_folder.Path, "args.txt")).Trim());
    }

    [Fact]
    public async Task RunEpoch_ExitTwo_IsNonRetryableAndCarriesStderr()
    {
        var error = await Assert.ThrowsAsync<NonRetryablePipelineException>(
            () => Launcher("echo 'epochs must be positive' >&2; exit 2").RunEpochAsync("run-1", 1).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("exit code 2", error.Message);
        Assert.Contains("epochs must be positive", error.Message);
    }

    [Theory]
    [InlineData("exit 3")]            // retryable by contract
    [InlineData("exit 4")]            // internal error: retried, the retry count bounds the cost
    [InlineData("kill -9 $$")]        // killed (e.g. out of memory)
    [InlineData("exit 0")]            // claims success but wrote no record
    public async Task RunEpoch_OtherFailures_AreRetryable(string script)
        => await Assert.ThrowsAsync<EpochLaunchException>(() => Launcher(script).RunEpochAsync("run-1", 1).WaitAsync(TimeSpan.FromSeconds(30)));

    [Fact]
    public async Task RunEpoch_PastTheTimeout_KillsTheChildAndIsRetryable()
    {
        var launcher = Launcher("sleep 30", TimeSpan.FromMilliseconds(300));
        var started = DateTime.UtcNow;

        var error = await Assert.ThrowsAsync<EpochLaunchException>(() => launcher.RunEpochAsync("run-1", 1).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Contains("was killed", error.Message);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Pipeline_WithTheChildProcessLauncher_RetriesExitThreeAndRecordsEveryEpoch()
    {
        // A stand-in for train-epoch that writes checkpoint, record and latest like the real one, and fails epoch 2 once with 3.
        const string script = """
            ck="$7/runs/$3/checkpoints"; n=$(printf '%04d' "$5"); mkdir -p "$ck"
            if [ "$5" = 2 ] && [ ! -e "$7/failed-once" ]; then touch "$7/failed-once"; echo 'storage busy' >&2; exit 3; fi
            printf 'weights' > "$ck/epoch-$n.ckpt"
            sha=$(sha256sum "$ck/epoch-$n.ckpt" | cut -d ' ' -f 1)
            printf '{"epoch":%s,"loss":1.5,"contrastive":1,"saliency":0.5,"seconds":2,"checkpointSha256":"%s"}' "$5" "$sha" > "$ck/epoch-$n.json"
            printf '{"path":"runs/%s/checkpoints/epoch-%s.ckpt","sha256":"%s","epoch":%s,"writtenUtc":"2026-01-01T00:00:00Z"}' "$3" "$n" "$sha" "$5" > "$ck/latest"
            """;
        var engine = new FakePipelineEngine(_store, imageCount: 2);
        var options = new ChildProcessEpochLauncherOptions { FileName = "/bin/sh", LeadingArguments = ["-c", script, "maskcontrast"], Store = _folder.Path };
        await using var host = await DurableTaskTestHost.StartAsync(PipelineTasks.Register, new DurableTaskTestHostOptions
        {
            Port = LoopbackPort.Free(),
            ConfigureServices = s => s.AddChildProcessEpochLauncher(options).AddPipelineServices(_store, engine),
        });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var input = new PipelineInput("run-child", "toy", Epochs: 3) { Retry = new(MaxAttempts: 3, FirstRetrySeconds: 0.2, MaxRetrySeconds: 1) };

        await host.Client.StartPipelineAsync(input, cts.Token);
        var done = await host.Client.WaitForInstanceCompletionAsync(input.RunId, getInputsAndOutputs: true, cts.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(3, done.ReadOutputAs<PipelineResult>()!.EpochsTrained);
        Assert.DoesNotContain(engine.Calls, c => c.StartsWith("Train:")); // the engine never trained in-process
        Assert.Equal([1, 2, 3], (await EpochRecords.ListAsync(_store, input.RunId)).Select(r => r.Epoch));
        Assert.Equal(3, (await _store.ReadLatestAsync(RunLayout.LatestCheckpoint(input.RunId)))!.Epoch);
    }

    private ChildProcessEpochLauncher Launcher(string script, TimeSpan? timeout = null) => new(
        new ChildProcessEpochLauncherOptions
        {
            FileName = "/bin/sh",
            LeadingArguments = ["-c", script, "maskcontrast"],
            Store = _folder.Path,
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
        },
        _store,
        NullLogger<ChildProcessEpochLauncher>.Instance);
}
