using System.Text.Json;
using MaskContrast.Core.Data;
using MaskContrast.Core.Inference;
using MaskContrast.Functions.Functions;
using MaskContrast.Functions.Inference;
using MaskContrast.Functions.Models;
using MaskContrast.Orchestration.Storage;
using MaskContrast.Tests.Inference;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging.Abstractions;

namespace MaskContrast.Tests.Functions;

/// <summary><c>POST /api/segment</c> called directly, the active model in an Azurite artifact store.</summary>
public sealed class SegmentApiTests : IAsyncLifetime
{
    private IArtifactStore _store = null!;
    private ActiveModelStore _activeModels = null!;
    private ActiveSegmenter _segmenter = null!;
    private SegmentFunctions _functions = null!;
    private readonly CancellationTokenSource _timeout = new(FunctionsTestKit.Timeout);

    public async Task InitializeAsync()
    {
        _store = new BlobArtifactStore(await FunctionsTestKit.NewContainerAsync("segment-api"));
        _activeModels = new ActiveModelStore(_store);
        _segmenter = new ActiveSegmenter(_store, _activeModels, NullLogger<ActiveSegmenter>.Instance);
        var processor = new BlobSegmentationProcessor(_segmenter, NullLogger<BlobSegmentationProcessor>.Instance);
        _functions = new SegmentFunctions(_segmenter, processor, new SegmentOutput(null!), NullLogger<SegmentFunctions>.Instance);
    }

    public Task DisposeAsync()
    {
        _segmenter.Dispose();
        _timeout.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task SegmentImage_ActiveModel_ReturnsALabelMapOfTheInputSizeOrItsSummary()
    {
        await ActivateAsync();

        var png = Assert.IsType<FileContentResult>(await SegmentAsync(FunctionsTestKit.Png(37, 23)));
        var json = Assert.IsType<FileContentResult>(await SegmentAsync(FunctionsTestKit.Png(37, 23), "?format=json"));

        Assert.Equal("image/png", png.ContentType);
        var labels = IndexedPng.TryRead(png.FileContents, "response")!;
        Assert.Equal((37, 23), (labels.Width, labels.Height));
        Assert.All(labels.Values, v => Assert.InRange(v, 0, 4));
        Assert.Equal("application/json", json.ContentType);
        var summary = JsonSerializer.Deserialize<SegmentationSummary>(json.FileContents, BlobSegmentationProcessor.Json)!;
        Assert.Equal((37, 23), (summary.Width, summary.Height));
        Assert.Equal(1.0, summary.Labels.Sum(l => l.Fraction), 9);
        Assert.Equal((await _activeModels.GetAsync())!.Identity(), summary.Model);
    }

    [Fact]
    public async Task SegmentImage_FormatOverlay_ReturnsTheOverlayWithALegendNamingTheClusterFound()
    {
        await ActivateAsync(FunctionsTestKit.TinyBundle(salient: true));
        var image = FunctionsTestKit.Png(37, 23);
        var found = JsonSerializer.Deserialize<SegmentationSummary>(
            Assert.IsType<FileContentResult>(await SegmentAsync(image, "?format=json")).FileContents, BlobSegmentationProcessor.Json)!.Labels;
        var labels = IndexedPng.TryRead(Assert.IsType<FileContentResult>(await SegmentAsync(image)).FileContents, "labels")!;

        var overlay = Assert.IsType<FileContentResult>(await SegmentAsync(image, "?format=overlay"));

        Assert.Equal("image/png", overlay.ContentType);
        int cluster = Assert.Single(found, l => l.Label > 0).Label;
        OverlayLegendTests.AssertLegend(ImageCodec.DecodeRgb(overlay.FileContents, "overlay"),
            SegmentationWriter.Overlay(ImageCodec.DecodeRgb(image, "image"), labels), found, [$"cluster {cluster}"]);
    }

    [Fact]
    public async Task SegmentImage_NoActiveModel_Returns409Problem()
        => Assert.Contains("activate", RunsApiTests.AssertProblem(await SegmentAsync(FunctionsTestKit.Png(8, 8)), 409).Detail);

    [Fact]
    public async Task SegmentImage_BodyOverTheLimit_Returns413Problem()
        => RunsApiTests.AssertProblem(await SegmentAsync(new byte[SegmentFunctions.MaxImageBytes + 1]), 413);

    [Fact]
    public async Task SegmentImage_MorePixelsThanTheSynchronousLimit_Returns413Problem()
    {
        await ActivateAsync();

        var problem = RunsApiTests.AssertProblem(await SegmentAsync(ImageCodec.EncodePng(new RgbImage(2001, 2000, new byte[2001 * 2000 * 3]))), 413);

        Assert.Contains("segment-input", problem.Detail);
    }

    [Theory]
    [InlineData(0)]    // empty body
    [InlineData(1)]    // text
    [InlineData(2)]    // truncated PNG
    public async Task SegmentImage_Undecodable_Returns400Problem(int kind)
    {
        await ActivateAsync();
        var png = FunctionsTestKit.Png(16, 16);
        byte[] body = kind switch
        {
            0 => [],
            1 => "hello"u8.ToArray(),
            _ => png[..(png.Length / 2)],
        };

        RunsApiTests.AssertProblem(await SegmentAsync(body), 400);
    }

    [Fact]
    public async Task SegmentImage_UnknownFormat_Returns400Problem()
        => Assert.Equal(["format"], Assert.IsType<ValidationProblemDetails>(
            RunsApiTests.AssertProblem(await SegmentAsync(FunctionsTestKit.Png(8, 8), "?format=gif"), 400)).Errors.Keys);

    [Fact]
    public async Task SegmentImage_BundleReplacedAfterActivation_Returns503AndIsNeverServed()
    {
        await ActivateAsync();
        var active = (await _activeModels.GetAsync())!;
        // Other bytes at the activated path: a valid bundle, but not the one whose hash was activated.
        await _store.WriteBytesAsync(active.Path, FunctionsTestKit.TinyBundle(seed: 2));

        var problem = RunsApiTests.AssertProblem(await SegmentAsync(FunctionsTestKit.Png(8, 8)), 503);

        Assert.Contains("activate", problem.Detail);
        Assert.DoesNotContain(active.Path, problem.Detail);   // internal names stay in the log
        Assert.Equal(0, _segmenter.Loads);
    }

    [Fact]
    public async Task SegmentImage_DamagedActiveRecord_Returns503Problem()
    {
        await ActivateAsync();
        await _store.WriteBytesAsync(ActiveModelStore.RecordPath, "{\"runId\":"u8.ToArray());

        RunsApiTests.AssertProblem(await SegmentAsync(FunctionsTestKit.Png(8, 8)), 503);
    }

    [Fact]
    public async Task SegmentImage_LongFormat_IsEchoedShortened()
    {
        var problem = RunsApiTests.AssertProblem(await SegmentAsync(FunctionsTestKit.Png(8, 8), "?format=" + new string('x', 5000)), 400);
        Assert.True(problem.Detail!.Length < 200, problem.Detail);
    }

    private async Task ActivateAsync(byte[]? bundle = null)
    {
        await FunctionsTestKit.PublishModelAsync(_store, "run-seg", bundle ?? FunctionsTestKit.TinyBundle());
        await _activeModels.ActivateAsync("run-seg", DateTime.UtcNow);
    }

    private Task<IActionResult> SegmentAsync(byte[] body, string? query = null)
        => _functions.SegmentImage(FunctionsTestKit.Request("POST", "/api/segment", bytes: body, query: query), _timeout.Token);
}
