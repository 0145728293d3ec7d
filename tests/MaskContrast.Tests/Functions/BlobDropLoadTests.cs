using System.Collections.Concurrent;
using Xunit.Abstractions;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using MaskContrast.Core.Data;
using MaskContrast.Core.Inference;
using MaskContrast.Functions.Inference;
using MaskContrast.Functions.Models;
using MaskContrast.Orchestration.Storage;
using MaskContrast.Tests.Inference;
using Microsoft.Extensions.Logging.Abstractions;

namespace MaskContrast.Tests.Functions;

/// <summary>
/// The blob drop under load, counted (README, Reliability): the real <see cref="BlobSegmentationProcessor"/> against
/// Azurite with the tiny test bundle active, 300 inputs (some malformed) delivered 8 at a time, a share of them twice at
/// the same moment and another share again afterwards, as Event Grid and the blob trigger may do.
/// </summary>
public sealed class BlobDropLoadTests(ITestOutputHelper log) : IAsyncLifetime
{
    private const int Inputs = 300;
    private const int Parallelism = 8;
    private BlobContainerClient _input = null!;
    private BlobContainerClient _output = null!;
    private IArtifactStore _store = null!;
    private ActiveSegmenter _segmenter = null!;
    private BlobSegmentationProcessor _processor = null!;
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(240));

    public async Task InitializeAsync()
    {
        _input = await FunctionsTestKit.NewContainerAsync("segment-input");
        _output = new BlobServiceClient(FunctionsTestKit.AzuriteConnection).GetBlobContainerClient($"segment-output-{Guid.NewGuid():N}");
        _store = new BlobArtifactStore(await FunctionsTestKit.NewContainerAsync("store"));
        var activeModels = new ActiveModelStore(_store);
        _segmenter = new ActiveSegmenter(_store, activeModels, NullLogger<ActiveSegmenter>.Instance);
        _processor = new BlobSegmentationProcessor(_segmenter, NullLogger<BlobSegmentationProcessor>.Instance);
        await FunctionsTestKit.PublishModelAsync(_store, "run-a", FunctionsTestKit.TinyBundle());
        Assert.NotNull(await activeModels.ActivateAsync("run-a", DateTime.UtcNow, _timeout.Token));
    }

    public Task DisposeAsync()
    {
        _segmenter.Dispose();
        _timeout.Dispose();
        return Task.CompletedTask;
    }

    // Every 16th input is malformed, cycling through four kinds: 19 of 300. Names include triples that flat output names
    // confused (n, n.error and n.overlay).
    private static (string Name, byte[] Bytes, string? ErrorKind, (int W, int H) Size) Input(int i)
    {
        string name = (i % 3) switch { 0 => $"drop/{i / 3:D3}", 1 => $"drop/{i / 3:D3}.error", _ => $"drop/{i / 3:D3}.overlay" };
        if (i % 16 == 7)
            return (i / 16 % 4) switch
            {
                0 => (name, ImageCodec.EncodeJpeg(new RgbImage(24, 24, new byte[24 * 24 * 3]))[..40], "undecodable", default),   // truncated JPEG
                1 => (name, "a text file, not an image"u8.ToArray(), "undecodable", default),
                2 => (name, [], "undecodable", default),
                _ => (name, SegmentationWriterTests.BombPng(), "too-large", default),   // 50,000² declared in a few bytes
            };
        var size = (16 + i % 5 * 4, 12 + i % 7 * 3);
        return (name, i % 2 == 0 ? FunctionsTestKit.Png(size.Item1, size.Item2, i) : ImageCodec.EncodeJpeg(ImageCodec.DecodeRgb(FunctionsTestKit.Png(size.Item1, size.Item2, i), "png")),
            null, size);
    }

    [Fact]
    public async Task ThreeHundredDrops_EightAtATime_SomeTwiceAtOnce_EachEndWithOneOutputSetOrOneErrorRecord_AndARedeliveryWritesNothing()
    {
        var inputs = Enumerable.Range(0, Inputs).Select(Input).ToList();
        await Parallel.ForEachAsync(inputs, Options(), async (input, ct) =>
            await _input.UploadBlobAsync(input.Name, BinaryData.FromBytes(input.Bytes), ct));

        // Every input once, and every 10th a second time right next to the first: both deliveries run at once.
        var deliveries = inputs.SelectMany((input, i) => i % 10 == 0 ? [input.Name, input.Name] : new[] { input.Name }).ToList();
        var first = await DeliverAsync(deliveries);

        var outputs = await OutputsAsync();
        var folders = outputs.Keys.GroupBy(Folder).ToDictionary(g => g.Key, g => g.Select(n => n[(n.LastIndexOf('/') + 1)..]).Order(StringComparer.Ordinal).ToList());
        Assert.Equal(Inputs, folders.Count);   // lost: 0
        int malformed = 0;
        foreach (var (name, _, errorKind, size) in inputs)
        {
            var etag = (await _input.GetBlobClient(name).GetPropertiesAsync(cancellationToken: _timeout.Token)).Value.ETag.ToString();
            if (errorKind is not null)
            {
                malformed++;
                Assert.Equal(["error.json"], folders[name]);
                var error = Read<SegmentationError>(await DownloadAsync(name + "/error.json"));
                Assert.Equal((errorKind, name, etag), (error.Kind, error.Input, error.Fingerprint));
                continue;
            }
            Assert.Equal(["labels.png", "overlay.png", "summary.json"], folders[name]);
            var summary = Read<SegmentationSummary>(await DownloadAsync(name + "/summary.json"));
            Assert.Equal((name, size.W, size.H, etag), (summary.Input, summary.Width, summary.Height, summary.Fingerprint));
        }
        Assert.Equal(19, malformed);
        Assert.Equal(3 * (Inputs - malformed) + malformed, outputs.Count);
        Assert.Equal(330, first.Count);
        // Each input was worked on by at least one of its deliveries and never failed when valid; an input delivered
        // once was worked on exactly once. Of a simultaneous pair both may work (they write the same names).
        foreach (var (name, _, errorKind, _) in inputs)
        {
            var outcomes = first.Where(d => d.Name == name).Select(d => d.Outcome).ToList();
            var worked = errorKind is null ? BlobSegmentationOutcome.Written : BlobSegmentationOutcome.Failed;
            Assert.All(outcomes, o => Assert.Contains(o, new[] { worked, BlobSegmentationOutcome.Skipped }));
            Assert.InRange(outcomes.Count(o => o == worked), 1, outcomes.Count);
            if (outcomes.Count == 1) Assert.Equal([worked], outcomes);
        }
        Assert.Equal(1, _segmenter.Loads);

        // Event Grid delivers every 4th input again later (all malformed ones among them): each is skipped before any
        // download, and not one output is rewritten.
        var second = await DeliverAsync(inputs.Where((_, i) => i % 4 == 3).Select(input => input.Name).ToList());

        log.WriteLine($"inputs {Inputs} ({malformed} malformed), {Parallelism} at a time; first pass {first.Count} deliveries " +
            $"({first.Count(d => d.Duplicate)} simultaneous duplicates, {first.Count(d => d.Duplicate && d.Outcome == BlobSegmentationOutcome.Skipped)} of them skipped); " +
            $"second pass {second.Count} redeliveries, {second.Count(d => d.Outcome == BlobSegmentationOutcome.Skipped)} skipped; output folders {folders.Count}, lost {Inputs - folders.Count}");
        Assert.Equal(75, second.Count);
        Assert.All(second, o => Assert.Equal(BlobSegmentationOutcome.Skipped, o.Outcome));
        Assert.Equal(outputs, await OutputsAsync());
        Assert.Equal(Inputs, (await NamesAsync(_input)).Count);
    }

    private sealed record Delivery(string Name, bool Duplicate, BlobSegmentationOutcome Outcome);

    private async Task<List<Delivery>> DeliverAsync(List<string> names)
    {
        var outcomes = new ConcurrentBag<Delivery>();
        var started = new ConcurrentDictionary<string, int>();
        await Parallel.ForEachAsync(names, Options(), async (name, ct) =>
        {
            bool duplicate = started.AddOrUpdate(name, 1, (_, n) => n + 1) > 1;
            outcomes.Add(new Delivery(name, duplicate, await _processor.ProcessAsync(_input.GetBlobClient(name), name, _output, ct)));
        });
        return [.. outcomes];
    }

    private ParallelOptions Options() => new() { MaxDegreeOfParallelism = Parallelism, CancellationToken = _timeout.Token };

    private static string Folder(string outputName) => outputName[..outputName.LastIndexOf('/')];

    private static T Read<T>(byte[] json) => JsonSerializer.Deserialize<T>(json, BlobSegmentationProcessor.Json)!;

    private async Task<byte[]> DownloadAsync(string name) => (await _output.GetBlobClient(name).DownloadContentAsync(_timeout.Token)).Value.Content.ToArray();

    // Every output blob with its ETag: an unchanged map means nothing was written.
    private async Task<Dictionary<string, string>> OutputsAsync()
    {
        var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var blob in _output.GetBlobsAsync(new GetBlobsOptions(), _timeout.Token))
            outputs[blob.Name] = blob.Properties.ETag.ToString()!;
        return outputs;
    }

    private async Task<List<string>> NamesAsync(BlobContainerClient container)
    {
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(new GetBlobsOptions(), _timeout.Token))
            names.Add(blob.Name);
        return names;
    }
}
