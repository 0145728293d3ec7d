using System.Diagnostics;
using System.Text.Json;
using MaskContrast.Core.Config;
using MaskContrast.Core.Inference;
using MaskContrast.Core.Data;
using MaskContrast.Functions.Api;
using MaskContrast.Functions.Functions;
using MaskContrast.Functions.Inference;
using MaskContrast.Functions.Models;
using MaskContrast.Orchestration;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Storage;
using MaskContrast.Tests.Orchestration;
using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace MaskContrast.Tests.Functions;

/// <summary>
/// The product path end to end through the HTTP functions with the real engine: POST /api/runs (tiny preset, a small
/// synthetic dataset in Azurite blobs) → the pipeline completes (MB+ proposals, 2 epochs, evaluation, bundle) → GET shows
/// the report and model → activate → POST /api/segment segments an image with the trained model.
/// </summary>
public sealed class RealEngineApiTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task StartRun_TinyPresetWithTheRealEngine_CompletesAndItsModelSegments()
    {
        var clock = Stopwatch.StartNew();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var store = new BlobArtifactStore(await FunctionsTestKit.NewContainerAsync("real-api"));
        var data = Path.Combine(_folder.Path, "syn");
        SyntheticDataset.Generate(data, new SyntheticOptions(TrainCount: 24, ValCount: 16, Width: 64, Height: 64, Seed: 5));
        await DatasetImport.ImportFolderAsync(store, "syn", data, cancellationToken: cts.Token);
        using var engine = new CorePipelineEngine(store, Path.Combine(_folder.Path, "cache"));
        await using var host = await DurableTaskTestHost.StartAsync(PipelineTasks.Register,
            new DurableTaskTestHostOptions { ConfigureServices = services => services.AddPipelineServices(store, engine) });
        var runs = new RunsFunctions(new StartRunHandler(store), CallerAccess.KeysOnly, TimeProvider.System, NullLogger<RunsFunctions>.Instance);
        var models = new ModelsFunctions(new ActiveModelStore(store), new ClusterNaming(store, new ActiveModelStore(store)), CallerAccess.KeysOnly, TimeProvider.System, store, NullLogger<ModelsFunctions>.Instance);

        var body = """{"dataset":"syn","preset":"tiny","overrides":["schedule.stepsPerEpoch=3"],"epochs":2,"evalSize":64,"shardSize":10,"runId":"run-real"}""";
        Assert.IsType<AcceptedResult>(await runs.StartRun(FunctionsTestKit.Request("POST", "/api/runs", body), host.Client, cts.Token));
        var done = await host.Client.WaitForInstanceCompletionAsync("run-real", getInputsAndOutputs: true, cts.Token);
        output.WriteLine($"pipeline completed after {clock.Elapsed.TotalSeconds:F1} s");

        Assert.True(done.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"{done.RuntimeStatus}: {done.FailureDetails?.ErrorMessage}");
        var view = Assert.IsType<RunView>(Assert.IsType<OkObjectResult>(
            await runs.GetRun(FunctionsTestKit.Request("GET", "/api/runs/run-real"), host.Client, "run-real", cts.Token)).Value);
        Assert.Equal((2, 2), (view.Result!.EpochsTrained, view.Status!.Epoch));
        Assert.True(await store.ExistsAsync(view.Links["report"]));
        Assert.True(await store.ExistsAsync(view.Links["model"]));

        Assert.IsType<OkObjectResult>(await models.ActivateModel(FunctionsTestKit.Request("POST", "/api/models/run-real/activate"), "run-real", cts.Token));
        // The model's lineage: the bundle and its hash, the run's history, and the fingerprint of the images it trained on.
        var lineage = Assert.IsType<ModelLineage>(Assert.IsType<OkObjectResult>(
            await models.GetModel(FunctionsTestKit.Request("GET", "/api/models/run-real"), "run-real", cts.Token)).Value);
        var trainedOn = (await store.ReadJsonAsync<List<string>>(RunLayout.ImageList("run-real"), cts.Token))!;
        Assert.Equal(("syn", DatasetFingerprint.Of(new VocDataset(data, "train"), trainedOn)), (lineage.Dataset, lineage.DatasetFingerprint));
        Assert.Equal(await store.ComputeSha256Async(lineage.Bundle.Path, cts.Token), lineage.Bundle.Sha256);
        Assert.Equal((2, 2, 64, 4), (lineage.Epochs.Count, lineage.Epoch, lineage.InferenceSize, lineage.Clusters));
        Assert.Equal(("tiny", SegmentationReceipt.CodeVersion), (lineage.Settings!.Preset, lineage.CodeVersion));
        Assert.NotNull(lineage.Evaluation);

        // Naming the clusters publishes a new bundle version and moves the active model to it; a bad label changes nothing.
        var refused = Assert.IsType<ObjectResult>(await models.NameClusters(
            FunctionsTestKit.Request("PUT", "/api/models/run-real/clusters", """{"9":"boat","x":"y"}"""), "run-real", cts.Token));
        Assert.Equal(400, refused.StatusCode);
        Assert.Equal(lineage.Bundle, await store.ReadJsonAsync<ModelLocation>(RunLayout.ModelRecord("run-real"), cts.Token));
        var renamed = Assert.IsType<ModelLocation>(Assert.IsType<OkObjectResult>(await models.NameClusters(
            FunctionsTestKit.Request("PUT", "/api/models/run-real/clusters", """{"1":"ring","2":"star","3":"dots","4":"zigzag"}"""), "run-real", cts.Token)).Value);
        Assert.NotEqual(lineage.Bundle.Sha256, renamed.Sha256);
        Assert.Equal(lineage.Bundle.Sha256, await store.ComputeSha256Async(lineage.Bundle.Path, cts.Token));   // the old version stays valid
        Assert.Equal(renamed.Path, (await new ActiveModelStore(store).GetAsync(cts.Token))!.Path);
        var namedLineage = Assert.IsType<ModelLineage>(Assert.IsType<OkObjectResult>(
            await models.GetModel(FunctionsTestKit.Request("GET", "/api/models/run-real"), "run-real", cts.Token)).Value);
        Assert.Equal("star", namedLineage.ClusterNames![2]);
        using var segmenter = new ActiveSegmenter(store, new ActiveModelStore(store), NullLogger<ActiveSegmenter>.Instance);
        var segment = new SegmentFunctions(segmenter,
            new BlobSegmentationProcessor(segmenter, NullLogger<BlobSegmentationProcessor>.Instance), new SegmentOutput(null!),
            NullLogger<SegmentFunctions>.Instance);
        var (image, _) = SyntheticDataset.RenderOne(new SyntheticOptions(Width: 90, Height: 70, Seed: 11), 0);
        var labels = Assert.IsType<FileContentResult>(await segment.SegmentImage(
            FunctionsTestKit.Request("POST", "/api/segment", bytes: ImageCodec.EncodePng(image)), cts.Token));
        var raster = IndexedPng.TryRead(labels.FileContents, "labels")!;
        var json = Assert.IsType<FileContentResult>(await segment.SegmentImage(
            FunctionsTestKit.Request("POST", "/api/segment", bytes: ImageCodec.EncodePng(image), query: "?format=json"), cts.Token));
        var receipt = JsonSerializer.Deserialize<SegmentationSummary>(json.FileContents, Presets.Json)!.Receipt!;
        Assert.Equal((renamed.Sha256, "run-real", lineage.DatasetFingerprint), (receipt.BundleSha256, receipt.Run, receipt.DatasetFingerprint));
        string?[] names = [null, "ring", "star", "dots", "zigzag"];
        Assert.All(JsonSerializer.Deserialize<SegmentationSummary>(json.FileContents, Presets.Json)!.Labels, area => Assert.Equal(names[area.Label], area.Name));
        Assert.Equal((90, 70), (raster.Width, raster.Height));
        Assert.All(raster.Values, v => Assert.InRange(v, 0, 4));   // 4 object clusters (the val split holds 4 classes)
        output.WriteLine($"whole test {clock.Elapsed.TotalSeconds:F1} s");
    }
}
