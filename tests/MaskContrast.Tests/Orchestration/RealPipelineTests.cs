using MaskContrast.Core.Data;
using MaskContrast.Core.Inference;
using MaskContrast.Orchestration;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Hosting;
using MaskContrast.Orchestration.Orchestrations;
using MaskContrast.Orchestration.Runs;
using MaskContrast.Orchestration.Storage;
using Microsoft.DurableTask.Client;

namespace MaskContrast.Tests.Orchestration;

/// <summary>
/// The whole pipeline with the real engine (core/, TorchSharp) and the tiny preset on a small synthetic dataset:
/// proposals by MB+, two epochs, the K-means evaluation and the model bundle, on the local folder store with the
/// in-memory backend and on Azurite blobs with the Azure Storage backend.
/// </summary>
public sealed class RealPipelineTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);
    private static readonly PipelineRetryOptions NoRetry = new(MaxAttempts: 1);
    private readonly TempFolder _folder = new();

    private static string AzuriteConnection
        => Environment.GetEnvironmentVariable("AZURITE_CONNECTION") is { Length: > 0 } c ? c : "UseDevelopmentStorage=true";

    public void Dispose() => _folder.Dispose();

    private string SyntheticDataset()
    {
        string data = Path.Combine(_folder.Path, "synthetic");
        Core.Data.SyntheticDataset.Generate(data, new SyntheticOptions(TrainCount: 24, ValCount: 16, Width: 64, Height: 64, Seed: 5));
        return data;
    }

    private async Task<string> RunAsync(IArtifactStore store, string? azureStorage, bool extras = false, int? evalSize = null)
    {
        await DatasetImport.ImportFolderAsync(store, "syn", SyntheticDataset());
        using var engine = new CorePipelineEngine(store, Path.Combine(_folder.Path, "cache"));
        await using var host = await EmbeddedDurableHost.StartAsync(new EmbeddedDurableHostOptions
        {
            AzureStorageConnectionString = azureStorage,
            TaskHubName = "real" + Guid.NewGuid().ToString("N")[..12],
            ConfigureServices = s => s.AddPipelineServices(store, engine),
            ShutdownTimeout = TimeSpan.FromSeconds(1),
        });
        using var cts = new CancellationTokenSource(Timeout);
        var settings = new RunSettings("syn", "tiny", ["schedule.stepsPerEpoch=3"], Epochs: 2, EvalSize: evalSize,
            LinearProbeEpochs: extras ? 2 : 0, Retrieval: extras);
        var start = await RunStarter.StartAsync(host.Client, store, new RunStartRequest(settings, "run-1", ShardSize: 10), DateTime.UtcNow,
            cancellationToken: cts.Token);
        Assert.Equal(RunStartOutcome.Started, start.Outcome);
        var done = await host.Client.WaitForInstanceCompletionAsync("run-1", getInputsAndOutputs: true, cts.Token);
        Assert.True(done.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"{done.RuntimeStatus}: {done.FailureDetails?.ErrorMessage}");
        return "run-1";
    }

    private static async Task AssertRunFolderComplete(IArtifactStore store, string runId, int inferenceSize)
    {
        var proposals = (await store.ListAsync(RunLayout.Proposals(runId))).Where(p => p.EndsWith(".png")).ToList();
        Assert.InRange(proposals.Count, 20, 24);   // MB+ may drop an image whose object falls under 1 % after post-processing
        var checkpoints = (await store.ListAsync(RunLayout.Checkpoints(runId))).Where(p => p.EndsWith(".ckpt")).ToList();
        Assert.Equal([RunLayout.Checkpoint(runId, 1), RunLayout.Checkpoint(runId, 2)], checkpoints.Order());
        Assert.True(await store.ExistsAsync(RunLayout.EvalFile(runId, "report.json")));
        Assert.True(await store.ExistsAsync(RunLayout.EvalFile(runId, "report.html")));
        // Published under its hash, which the model record carries.
        var location = (await store.ReadJsonAsync<ModelLocation>(RunLayout.ModelRecord(runId)))!;
        var bundle = await store.ReadBytesAsync(location.Path);
        Assert.NotNull(bundle);
        Assert.Equal((RunLayout.PublishedBundle(runId, location.Sha256), ArtifactStoreExtensions.Sha256Of(bundle)), (location.Path, location.Sha256));
        using var model = ModelBundle.Load(new MemoryStream(bundle!), "bundle");
        Assert.Equal(4, model.Clusters);   // the 16 val images (seed 5) hold all 4 synthetic classes → 4 object clusters
        Assert.Equal(2, model.Manifest.Epoch);
        Assert.Equal(SyntheticRenderer.ClassNames, model.Manifest.ClassNames);   // from the dataset's classes.txt
        Assert.Equal(inferenceSize, model.Manifest.EvalSize);
        var doc = await store.ReadJsonAsync<Core.Evaluation.EvaluationDocument>(RunLayout.EvalFile(runId, "report.json"));
        Assert.Equal(inferenceSize, doc!.Clustering.Size);
        // A contact sheet per cluster: shares of the split's segments add up, each strip is stored, and (labelled data)
        // each cluster names the class it was matched to.
        var clusters = doc.Clusters!;
        Assert.Equal(Enumerable.Range(1, 4), clusters.Select(c => c.Label));
        Assert.Equal(1.0, clusters.Sum(c => c.Share), 6);
        Assert.All(clusters, c => Assert.NotNull(c.MatchedClass));
        foreach (var cluster in clusters)
        {
            var png = await store.ReadBytesAsync(RunLayout.EvalFile(runId, cluster.File));
            var strip = ImageCodec.DecodeRgb(png!, cluster.File);
            Assert.Equal((8 * 96 + 7 * 2, 96), (strip.Width, strip.Height));
        }
        Assert.Contains("<h2>Clusters</h2>", System.Text.Encoding.UTF8.GetString((await store.ReadBytesAsync(RunLayout.EvalFile(runId, "report.html")))!));
    }

    [Fact]
    public async Task TinyPipeline_LocalFolderInMemory_WritesProposalsCheckpointsEvaluationAndBundle()
    {
        var store = new LocalFolderArtifactStore(Path.Combine(_folder.Path, "store"));
        string runId = await RunAsync(store, azureStorage: null, extras: true);
        // No evalSize given: the 64² images are segmented at the scale tiny trained at (crop 64, smallest crop 0.2 of the area → 64/√0.2 → 144), not 512.
        await AssertRunFolderComplete(store, runId, inferenceSize: 144);
        // The linear probe and retrieval ran too (asked for in the run settings) and are in the report.
        var doc = await store.ReadJsonAsync<Core.Evaluation.EvaluationDocument>(RunLayout.EvalFile(runId, "report.json"));
        Assert.NotNull(doc!.Extras);
        Assert.InRange(doc.Extras!.LinearProbeMeanIoU!.Value, 0, 1);
        Assert.InRange(doc.Extras.RetrievalMeanIoU!.Value, 0, 1);
        Assert.Null(doc.Extras.RetrievalVoc7MeanIoU);   // 5 synthetic classes, not VOC's 21
    }

    [Fact]
    public async Task TinyPipeline_AzuriteBlobsAndAzureStorageBackend_Completes()
    {
        var store = BlobArtifactStore.FromConnectionString(AzuriteConnection, "real" + Guid.NewGuid().ToString("N")[..20]);
        await AssertRunFolderComplete(store, await RunAsync(store, AzuriteConnection, evalSize: 64), inferenceSize: 64);   // the override wins
    }
}
