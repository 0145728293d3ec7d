using System.Text.Json;
using Azure.Storage.Blobs;
using MaskContrast.Core.Data;
using MaskContrast.Core.Inference;
using MaskContrast.Functions.Functions;
using MaskContrast.Functions.Inference;
using MaskContrast.Functions.Models;
using MaskContrast.Orchestration.Storage;
using MaskContrast.Tests.Inference;
using Microsoft.Extensions.Logging.Abstractions;

namespace MaskContrast.Tests.Functions;

/// <summary>
/// The segment-input → segment-output step called directly against Azurite (test.sh exports AZURITE_BLOB_CONNECTION),
/// with an untrained tiny model bundle as the active model.
/// </summary>
public sealed class BlobSegmentationTests : IAsyncLifetime
{
    private static readonly Lazy<byte[]> s_bundle = new(() => FunctionsTestKit.TinyBundle());
    private BlobContainerClient _input = null!;
    private BlobContainerClient _output = null!;
    private IArtifactStore _store = null!;
    private ActiveModelStore _activeModels = null!;
    private ActiveSegmenter _segmenter = null!;
    private BlobSegmentationProcessor _processor = null!;
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(120));

    public async Task InitializeAsync()
    {
        _input = await FunctionsTestKit.NewContainerAsync("segment-input");
        // Not created: the processor creates segment-output on first use, as on a fresh Azurite.
        _output = new BlobServiceClient(FunctionsTestKit.AzuriteConnection).GetBlobContainerClient($"segment-output-{Guid.NewGuid():N}");
        _store = new BlobArtifactStore(await FunctionsTestKit.NewContainerAsync("store"));
        _activeModels = new ActiveModelStore(_store);
        _segmenter = new ActiveSegmenter(_store, _activeModels, NullLogger<ActiveSegmenter>.Instance);
        _processor = new BlobSegmentationProcessor(_segmenter, NullLogger<BlobSegmentationProcessor>.Instance);
    }

    public Task DisposeAsync()
    {
        _segmenter.Dispose();
        _timeout.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Process_FiftyValidImages_WritesFiftyOutputSetsOfTheInputSize_LoadingTheModelOnce()
    {
        await ActivateAsync("run-a");
        var sizes = Enumerable.Range(0, 50).Select(i => (Width: 24 + i % 7 * 5, Height: 20 + i % 5 * 6)).ToList();
        for (int i = 0; i < sizes.Count; i++)
            await _input.UploadBlobAsync($"batch/img-{i:D2}.png", BinaryData.FromBytes(FunctionsTestKit.Png(sizes[i].Width, sizes[i].Height, i)), _timeout.Token);

        for (int i = 0; i < sizes.Count; i++)
            Assert.Equal(BlobSegmentationOutcome.Written, await ProcessAsync($"batch/img-{i:D2}.png"));

        Assert.Equal(150, (await OutputNamesAsync()).Count);
        Assert.Equal(1, _segmenter.Loads);
        for (int i = 0; i < sizes.Count; i++)
        {
            var name = $"batch/img-{i:D2}.png";
            var labels = await DownloadAsync(name + "/labels.png");
            var raster = IndexedPng.TryRead(labels, name)!;
            Assert.Equal(sizes[i], (raster.Width, raster.Height));
            Assert.All(raster.Values, v => Assert.InRange(v, 0, 4));
            var overlay = ImageCodec.DecodeRgb(await DownloadAsync(name + "/overlay.png"), "overlay");
            var summary = Read<SegmentationSummary>(await DownloadAsync(name + "/summary.json"));
            // The tinted image above a legend of the clusters found (the model has no names).
            var legend = summary.Labels.Where(l => l.Label > 0).Select(l => $"cluster {l.Label}").DefaultIfEmpty(OverlayLegend.NoClusters).ToList();
            OverlayLegendTests.AssertLegend(overlay, SegmentationWriter.Overlay(ImageCodec.DecodeRgb(FunctionsTestKit.Png(sizes[i].Width, sizes[i].Height, i), name), raster),
                summary.Labels, legend);
            Assert.Equal((name, sizes[i].Width, sizes[i].Height), (summary.Input, summary.Width, summary.Height));
            Assert.NotNull(summary.Fingerprint);
            Assert.Equal(1.0, summary.Labels.Sum(l => l.Fraction), 9);
            Assert.Equal(raster.Values.Distinct().Order().Select(v => (int)v), summary.Labels.Select(l => l.Label));
        }
        Assert.Equal(50, (await InputNamesAsync()).Count);
    }

    [Fact]
    public async Task Process_MalformedFiles_WriteErrorRecordsAndNeverThrow()
    {
        await ActivateAsync("run-a");
        var png = FunctionsTestKit.Png(16, 16);
        var malformed = new Dictionary<string, byte[]>
        {
            ["empty.jpg"] = [],
            ["text.png"] = "definitely not an image"u8.ToArray(),
            ["truncated.png"] = png[..(png.Length / 2)],
            ["header-only.png"] = png[..16],
        };
        foreach (var (name, bytes) in malformed)
            await _input.UploadBlobAsync(name, BinaryData.FromBytes(bytes), _timeout.Token);

        foreach (var name in malformed.Keys)
            Assert.Equal(BlobSegmentationOutcome.Failed, await ProcessAsync(name));
        // Delivered again, the same versions are skipped: only another upload can make them decodable.
        foreach (var name in malformed.Keys)
            Assert.Equal(BlobSegmentationOutcome.Skipped, await ProcessAsync(name));

        Assert.Equal(malformed.Keys.Select(n => n + "/error.json").Order(StringComparer.Ordinal), await OutputNamesAsync());
        foreach (var name in malformed.Keys)
        {
            var error = Read<SegmentationError>(await DownloadAsync(name + "/error.json"));
            Assert.Equal(("undecodable", name), (error.Kind, error.Input));
            Assert.Contains(name, error.Error);
            Assert.NotNull(error.Fingerprint);
        }
        Assert.Equal(malformed.Keys.Order(StringComparer.Ordinal), await InputNamesAsync());
    }

    [Fact]
    public async Task Process_SameBlobTwice_LeavesOneSetOfOutputs_AndANewModelOrVersionSegmentsAgain()
    {
        await ActivateAsync("run-a");
        await _input.UploadBlobAsync("cat.png", BinaryData.FromBytes(FunctionsTestKit.Png(30, 20)), _timeout.Token);

        Assert.Equal(BlobSegmentationOutcome.Written, await ProcessAsync("cat.png"));
        var first = (await _output.GetBlobClient("cat.png/summary.json").GetPropertiesAsync(cancellationToken: _timeout.Token)).Value.ETag;
        Assert.Equal(BlobSegmentationOutcome.Skipped, await ProcessAsync("cat.png"));

        Assert.Equal(["cat.png/labels.png", "cat.png/overlay.png", "cat.png/summary.json"], await OutputNamesAsync());
        Assert.Equal(first, (await _output.GetBlobClient("cat.png/summary.json").GetPropertiesAsync(cancellationToken: _timeout.Token)).Value.ETag);

        // A new version of the input, or another active model, is segmented again (same three names).
        await _input.GetBlobClient("cat.png").UploadAsync(BinaryData.FromBytes(FunctionsTestKit.Png(40, 10)), overwrite: true, _timeout.Token);
        Assert.Equal(BlobSegmentationOutcome.Written, await ProcessAsync("cat.png"));
        await ActivateAsync("run-b", seed: 2);
        Assert.Equal(BlobSegmentationOutcome.Written, await ProcessAsync("cat.png"));
        Assert.Equal(["cat.png/labels.png", "cat.png/overlay.png", "cat.png/summary.json"], await OutputNamesAsync());
        Assert.Equal(2, _segmenter.Loads);
    }

    [Fact]
    public async Task Process_NoActiveModel_WritesAnErrorRecordAndKeepsTheInput()
    {
        await _input.UploadBlobAsync("dog.png", BinaryData.FromBytes(FunctionsTestKit.Png(12, 12)), _timeout.Token);

        Assert.Equal(BlobSegmentationOutcome.Failed, await ProcessAsync("dog.png"));

        var error = Read<SegmentationError>(await DownloadAsync("dog.png/error.json"));
        Assert.Equal("no-active-model", error.Kind);
        Assert.Equal(["dog.png"], await InputNamesAsync());
    }

    [Fact]
    public async Task Process_InputsNamedLikeAnotherInputsOutputs_EachKeepItsOwnFolder_AndASuccessDeletesOnlyItsOwnErrorRecord()
    {
        // With flat names, input cat's error record and input cat.error's summary were both cat.error.json, and
        // cat.overlay's label map was cat's overlay: a success of cat deleted cat.error's summary.
        await ActivateAsync("run-a");
        await _input.UploadBlobAsync("cat", BinaryData.FromBytes("not an image yet"u8.ToArray()), _timeout.Token);
        Assert.Equal(BlobSegmentationOutcome.Failed, await ProcessAsync("cat"));
        foreach (var name in new[] { "cat.error", "cat.overlay", "cat.error.json" })
        {
            await _input.UploadBlobAsync(name, BinaryData.FromBytes(FunctionsTestKit.Png(20, 10)), _timeout.Token);
            Assert.Equal(BlobSegmentationOutcome.Written, await ProcessAsync(name));
        }
        await _input.GetBlobClient("cat").UploadAsync(BinaryData.FromBytes(FunctionsTestKit.Png(12, 16)), overwrite: true, _timeout.Token);

        Assert.Equal(BlobSegmentationOutcome.Written, await ProcessAsync("cat"));

        string[] inputs = ["cat", "cat.error", "cat.error.json", "cat.overlay"];
        Assert.Equal(inputs.SelectMany(n => new[] { n + "/labels.png", n + "/overlay.png", n + "/summary.json" }).Order(StringComparer.Ordinal),
            await OutputNamesAsync());
        foreach (var name in inputs)
            Assert.Equal(name, Read<SegmentationSummary>(await DownloadAsync(name + "/summary.json")).Input);
        var cat = IndexedPng.TryRead(await DownloadAsync("cat/labels.png"), "cat")!;
        Assert.Equal((12, 16), (cat.Width, cat.Height));
    }

    [Fact]
    public async Task PoisonQueueMessage_WritesAPoisonErrorRecordForThatVersion_WhichARedeliverySkips_UnlessItWasSegmented()
    {
        await ActivateAsync("run-a");
        await _input.UploadBlobAsync("crash.png", BinaryData.FromBytes(FunctionsTestKit.Png(10, 10)), _timeout.Token);
        await _input.UploadBlobAsync("fine.png", BinaryData.FromBytes(FunctionsTestKit.Png(10, 10)), _timeout.Token);
        Assert.Equal(BlobSegmentationOutcome.Written, await ProcessAsync("fine.png"));
        var functions = new SegmentFunctions(_segmenter, _processor, new SegmentOutput(_output), NullLogger<SegmentFunctions>.Instance);

        // What the host puts on webjobs-blobtrigger-poison after poisonBlobThreshold failed invocations.
        foreach (var (container, name) in new[] { ("segment-input", "crash.png"), ("segment-input", "fine.png"), ("maskcontrast", "runs/r1/x.json") })
            await functions.RecordPoisonedBlob(PoisonMessage(container, name, await ETagAsync(name == "runs/r1/x.json" ? "fine.png" : name)), _timeout.Token);
        await functions.RecordPoisonedBlob("not json", _timeout.Token);

        // crash.png gets its record; fine.png, segmented in that version, keeps its outputs; the epoch record is only logged.
        Assert.Equal(["crash.png/error.json", "fine.png/labels.png", "fine.png/overlay.png", "fine.png/summary.json"], await OutputNamesAsync());
        var error = Read<SegmentationError>(await DownloadAsync("crash.png/error.json"));
        Assert.Equal(("poison", "crash.png", await ETagAsync("crash.png")), (error.Kind, error.Input, error.Fingerprint));
        Assert.Contains("upload it again", error.Error);
        Assert.Equal(BlobSegmentationOutcome.Skipped, await ProcessAsync("crash.png"));
        // A new upload is a new version: tried again, and its success replaces the record.
        await _input.GetBlobClient("crash.png").UploadAsync(BinaryData.FromBytes(FunctionsTestKit.Png(11, 10)), overwrite: true, _timeout.Token);
        Assert.Equal(BlobSegmentationOutcome.Written, await ProcessAsync("crash.png"));
        Assert.False(await _output.GetBlobClient("crash.png/error.json").ExistsAsync(_timeout.Token));
    }

    private static string PoisonMessage(string container, string name, string etag) => JsonSerializer.Serialize(new
    {
        Type = "BlobTrigger", FunctionId = "Host.Functions.SegmentDroppedBlob", BlobType = "BlockBlob", ContainerName = container, BlobName = name, ETag = etag,
    });

    private async Task<string> ETagAsync(string name) => (await _input.GetBlobClient(name).GetPropertiesAsync(cancellationToken: _timeout.Token)).Value.ETag.ToString();

    private async Task ActivateAsync(string runId, int seed = 1)
    {
        await FunctionsTestKit.PublishModelAsync(_store, runId, seed == 1 ? s_bundle.Value : FunctionsTestKit.TinyBundle(seed));
        Assert.NotNull(await _activeModels.ActivateAsync(runId, DateTime.UtcNow, _timeout.Token));
    }

    private static T Read<T>(byte[] json) => JsonSerializer.Deserialize<T>(json, BlobSegmentationProcessor.Json)!;

    private Task<BlobSegmentationOutcome> ProcessAsync(string name)
        => _processor.ProcessAsync(_input.GetBlobClient(name), name, _output, _timeout.Token);

    private async Task<byte[]> DownloadAsync(string name) => (await _output.GetBlobClient(name).DownloadContentAsync(_timeout.Token)).Value.Content.ToArray();

    private async Task<List<string>> OutputNamesAsync() => await NamesAsync(_output);

    private async Task<List<string>> InputNamesAsync() => await NamesAsync(_input);

    private async Task<List<string>> NamesAsync(BlobContainerClient container)
    {
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions(), _timeout.Token))
            names.Add(blob.Name);
        return names.Order(StringComparer.Ordinal).ToList();
    }
}
