using Azure.Storage.Blobs;
using MaskContrast.Orchestration;
using MaskContrast.Orchestration.Engine;
using MaskContrast.Orchestration.Hosting;
using MaskContrast.Orchestration.Orchestrations;
using MaskContrast.Orchestration.Runs;
using MaskContrast.Orchestration.Storage;
using MaskContrast.Tests.Functions;
using Microsoft.DurableTask.Client;

namespace MaskContrast.Tests.Orchestration;

/// <summary>
/// A dataset with a few odd file names (a space, a non-ASCII letter, "..", an id over 128 characters) trains on its other
/// images: the CLI's import, the blob mirror and the image listing leave the odd ones out and report them, with the real
/// engine on the local folder store and on Azurite blobs.
/// </summary>
public sealed class OddFileNameTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);
    private static readonly string s_longName = new string('a', 200) + ".png";
    // File names the store refuses, each for another reason, and the image ids a listing would give them.
    private static readonly string[] s_oddNames = ["IMG 0001.png", "caf\u00e9.png", "x..y.png", s_longName];
    private const int GoodImages = 10;
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    // GoodImages valid 64² PNGs named img_NN.png and the odd names (valid PNGs too) in one plain folder.
    private static void WriteDataset(string folder)
    {
        Directory.CreateDirectory(folder);
        for (int i = 0; i < GoodImages; i++)
            File.WriteAllBytes(Path.Combine(folder, $"img_{i:00}.png"), FunctionsTestKit.Png(64, 64, seed: i));
        foreach (var name in s_oddNames)
            File.WriteAllBytes(Path.Combine(folder, name), FunctionsTestKit.Png(64, 64, seed: 99));
    }

    [Fact]
    public async Task Import_OddNames_AreSkippedAndReported_TheOthersCopied()
    {
        string data = Path.Combine(_folder.Path, "data");
        WriteDataset(data);
        var store = new BlobArtifactStore(await FunctionsTestKit.NewContainerAsync("import"));

        var import = await DatasetImport.ImportFolderAsync(store, "odd", data);

        Assert.Equal(GoodImages, import.Copied);
        Assert.Equal(s_oddNames.Order(StringComparer.Ordinal), import.Skipped);
        Assert.Equal(Enumerable.Range(0, GoodImages).Select(i => $"datasets/odd/img_{i:00}.png"), await store.ListAsync("datasets/odd/"));
        // The report quotes each name shortened: the 204-character one as 80 characters and "...".
        string summary = DatasetFileNames.Summary(import.Skipped);
        Assert.Contains("'IMG 0001.png'", summary);
        Assert.Contains($"'{new string('a', 80)}...'", summary);
    }

    [Fact]
    public async Task Import_OnlyOddNames_IsRefusedNamingThem()
    {
        string data = Path.Combine(_folder.Path, "only-odd");
        Directory.CreateDirectory(data);
        File.WriteAllBytes(Path.Combine(data, "IMG 0001.png"), FunctionsTestKit.Png(8, 8));
        var store = new LocalFolderArtifactStore(Path.Combine(_folder.Path, "store"));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => DatasetImport.ImportFolderAsync(store, "odd", data));

        Assert.Contains("'IMG 0001.png'", error.Message);
        Assert.Empty(await store.ListAsync(""));
    }

    [Fact]
    public async Task Mirror_BlobsWithOddNames_CopiesTheOthers_AndCreatesNothingForTheOddOnes()
    {
        var container = await FunctionsTestKit.NewContainerAsync("mirror");
        await UploadAsync(container, "datasets/odd/img_00.png", FunctionsTestKit.Png(8, 8));
        await UploadAsync(container, "datasets/odd/IMG 0001.png", FunctionsTestKit.Png(8, 8));
        await UploadAsync(container, "datasets/odd/sub dir/a.png", FunctionsTestKit.Png(8, 8));
        string cache = Path.Combine(_folder.Path, "cache");

        string folder = await new LocalMirror(new BlobArtifactStore(container), cache).FolderAsync("datasets/odd/", CancellationToken.None);

        Assert.Equal(["img_00.png"], Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Pipeline_LocalFolderStore_OddFilesPutThereByHand_TrainsOnTheOthersAndRecordsTheSkipped()
    {
        var store = new LocalFolderArtifactStore(Path.Combine(_folder.Path, "store"));
        WriteDataset(Path.Combine(store.RootFolder, "datasets", "odd"));

        await AssertTrainsOnTheGoodImagesAsync(store);
    }

    [Fact]
    public async Task Pipeline_AzuriteBlobsUploadedByHand_TrainsOnTheOthersAndRecordsTheSkipped()
    {
        var container = await FunctionsTestKit.NewContainerAsync("oddrun");
        for (int i = 0; i < GoodImages; i++)
            await UploadAsync(container, $"datasets/odd/img_{i:00}.png", FunctionsTestKit.Png(64, 64, seed: i));
        foreach (var name in s_oddNames)
            await UploadAsync(container, "datasets/odd/" + name, FunctionsTestKit.Png(64, 64, seed: 99));

        await AssertTrainsOnTheGoodImagesAsync(new BlobArtifactStore(container));
    }

    private async Task AssertTrainsOnTheGoodImagesAsync(IArtifactStore store)
    {
        using var engine = new CorePipelineEngine(store, Path.Combine(_folder.Path, "cache"));
        await using var host = await EmbeddedDurableHost.StartAsync(new EmbeddedDurableHostOptions
        {
            ConfigureServices = s => s.AddPipelineServices(store, engine),
            ShutdownTimeout = TimeSpan.FromSeconds(1),
        });
        using var cts = new CancellationTokenSource(Timeout);
        var settings = new RunSettings("odd", "tiny", ["schedule.stepsPerEpoch=2"], Epochs: 1, Proposals: ProposalSource.MbPlus, EvalSize: 32, Clusters: 2);

        var start = await RunStarter.StartAsync(host.Client, store, new RunStartRequest(settings, "run-odd"), DateTime.UtcNow, cancellationToken: cts.Token);
        var done = await host.Client.WaitForInstanceCompletionAsync("run-odd", getInputsAndOutputs: true, cts.Token);

        Assert.Equal(RunStartOutcome.Started, start.Outcome);
        Assert.True(done.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"{done.RuntimeStatus}: {done.FailureDetails?.ErrorMessage}");
        var result = done.ReadOutputAs<PipelineResult>()!;
        Assert.Equal((PipelineOutcome.Completed, GoodImages, 1), (result.Outcome, result.Images, result.EpochsTrained));
        Assert.Equal(Enumerable.Range(0, GoodImages).Select(i => $"img_{i:00}"), await store.ReadJsonAsync<List<string>>(RunLayout.ImageList("run-odd")));
        Assert.Equal(s_oddNames.Order(StringComparer.Ordinal), await store.ReadJsonAsync<List<string>>(RunLayout.SkippedFiles("run-odd")));
        Assert.True(await store.ExistsAsync(RunLayout.Checkpoint("run-odd", 1)));
    }

    private static async Task UploadAsync(BlobContainerClient container, string name, byte[] bytes)
        => await container.GetBlobClient(name).UploadAsync(new BinaryData(bytes), overwrite: true);
}
